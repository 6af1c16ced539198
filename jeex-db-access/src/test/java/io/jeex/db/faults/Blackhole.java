package io.jeex.db.faults;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP listener on the loopback address that accepts connections and never answers: what a
 * client sees of a server that hangs (or a firewall that lets the handshake through). A client
 * without a login timeout waits forever.
 */
public final class Blackhole implements AutoCloseable {

    private final ServerSocket server;
    private final List<Socket> held = new CopyOnWriteArrayList<>();

    /** Listens on a free port of 127.0.0.1. */
    public Blackhole() throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    held.add(server.accept()); // held open, never read, never written
                } catch (IOException e) {
                    return; // closed
                }
            }
        }, "blackhole-accept");
        t.setDaemon(true);
        t.start();
    }

    /** @return the port */
    public int port() {
        return server.getLocalPort();
    }

    /** @return how many connections it accepted */
    public int accepted() {
        return held.size();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : held) {
            s.close();
        }
    }
}
