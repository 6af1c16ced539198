package io.jeex.db;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy in front of the test PostgreSQL, so that a test can take "the server" away and
 * bring it back without stopping the shared server: {@link #down()} severs live connections
 * and refuses new ones (accepts and closes them at once), {@link #up()} forwards again.
 */
final class TcpProxy implements AutoCloseable {

    private final ServerSocket server;
    private final String targetHost;
    private final int targetPort;
    private final Set<Socket> live = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong readyForQuery = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean forwarding = true;

    TcpProxy(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        daemon(this::acceptLoop, "tcp-proxy-accept").start();
    }

    /** @return a JDBC URL like {@code jdbcUrl} but through this proxy */
    static TcpProxy forJdbcUrl(String jdbcUrl) throws IOException {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("jdbc:postgresql://([^:/]+):(\\d+)/.*").matcher(jdbcUrl);
        if (!m.matches()) {
            throw new IllegalArgumentException("cannot proxy " + jdbcUrl);
        }
        return new TcpProxy(m.group(1), Integer.parseInt(m.group(2)));
    }

    String proxiedUrl(String jdbcUrl) {
        return jdbcUrl.replaceFirst("//[^/]+/", "//127.0.0.1:" + server.getLocalPort() + "/");
    }

    int accepted() {
        return accepted.get();
    }

    /**
     * @return how many ReadyForQuery messages the server has sent through this proxy so far: one
     *     per round trip (each Sync or simple query of a client is answered by exactly one)
     */
    long readyForQuery() {
        return readyForQuery.get();
    }

    /** Severs every live connection and refuses new ones. */
    void down() {
        forwarding = false;
        sever();
    }

    /** Forwards new connections again. */
    void up() {
        forwarding = true;
    }

    /** Severs every live connection but keeps forwarding new ones. */
    void sever() {
        for (Socket s : live) {
            closeQuietly(s);
        }
        live.clear();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                accepted.incrementAndGet();
                if (!forwarding) {
                    client.close();
                    continue;
                }
                Socket upstream = new Socket(targetHost, targetPort);
                live.add(client);
                live.add(upstream);
                daemon(() -> pump(client, upstream, null), "tcp-proxy-up").start();
                daemon(() -> pump(upstream, client, new Messages()), "tcp-proxy-down").start();
            } catch (IOException e) {
                // closed, or the target refused: the client sees a closed connection
            }
        }
    }

    private void pump(Socket from, Socket to, Messages messages) {
        byte[] buffer = new byte[16384];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (messages != null) {
                    messages.read(buffer, n);
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // severed
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            live.remove(from);
            live.remove(to);
        }
    }

    /**
     * Splits the server's side of the protocol into messages (a type byte, then a length that
     * counts itself and the body) and counts ReadyForQuery ('Z'). The one untyped byte a server
     * sends, the answer to an SSLRequest or GSSENCRequest ('N' when it declines), comes first.
     */
    private final class Messages {
        private boolean first = true;
        private int header = -1; // bytes of the header (type + length) read so far, -1 before a message
        private int length;
        private long skip;

        void read(byte[] buffer, int n) {
            for (int i = 0; i < n; i++) {
                if (skip > 0) {
                    int take = (int) Math.min(skip, n - i);
                    skip -= take;
                    i += take - 1;
                    continue;
                }
                byte b = buffer[i];
                if (first) {
                    first = false;
                    if (b == 'N') {
                        continue;
                    }
                }
                if (header < 0) {
                    if (b == 'Z') {
                        readyForQuery.incrementAndGet();
                    }
                    header = 0;
                    length = 0;
                    continue;
                }
                length = (length << 8) | (b & 0xff);
                if (++header == 4) {
                    skip = length - 4;
                    header = -1;
                }
            }
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public void close() throws IOException {
        server.close();
        sever();
    }
}
