package io.jeex.db.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PgBouncer run from the shipped {@code docker/pgbouncer/pgbouncer.ini} (packed into
 * the benchmark jar as a resource), the way jeex-db-it runs it: transaction pooling, SCRAM and
 * every other setting as shipped; overridden are only the listen address and port, the
 * {@code [databases]} target, the file paths and the server pool size of the measurement. The
 * binary is the newest found in the usual places and the PATH (Debian bookworm's package is
 * 1.18; .ci/run builds 1.24.1, the shipped compose file's, into /usr/local/bin); one older than
 * 1.21 gets the file without {@code max_prepared_statements}, which it does not know.
 */
final class BenchPgBouncer implements AutoCloseable {

    static final String DATABASE = "jeex_idea";
    private static final String INI = "/docker/pgbouncer/pgbouncer.ini";

    private final Process process;
    private final Path dir;
    private final int port;

    private BenchPgBouncer(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    /**
     * @param serverPort the PostgreSQL server's port on 127.0.0.1
     * @param database the database to pool
     * @param user the role clients log in as
     * @param scramSecret that role's {@code pg_authid.rolpassword}, for PgBouncer's auth file
     * @param password that role's password, to wait until a client gets in
     * @param serverConnections {@code default_pool_size}: server connections PgBouncer may open
     */
    static BenchPgBouncer start(int serverPort, String database, String user, String scramSecret, String password,
                                int serverConnections) {
        return start(serverPort, database, user, scramSecret, password, serverConnections, Map.of());
    }

    /**
     * As {@link #start(int, String, String, String, String, int)}, with more settings of the
     * {@code [pgbouncer]} section overridden (CapacityRun: {@code max_client_conn} for 512 clients).
     *
     * @param more settings replacing the shipped ones, applied last
     */
    static BenchPgBouncer start(int serverPort, String database, String user, String scramSecret, String password,
                                int serverConnections, Map<String, String> more) {
        Path binary = newest();
        try {
            Path dir = Files.createTempDirectory("jeex-bench-pgbouncer");
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            Map<String, String> overrides = new LinkedHashMap<>();
            overrides.put("listen_addr", "127.0.0.1");
            overrides.put("listen_port", Integer.toString(port));
            overrides.put("unix_socket_dir", "");
            overrides.put("auth_file", dir.resolve("userlist.txt").toString());
            overrides.put("logfile", dir.resolve("pgbouncer.log").toString());
            overrides.put("pidfile", dir.resolve("pgbouncer.pid").toString());
            overrides.put("default_pool_size", Integer.toString(serverConnections));
            overrides.put("min_pool_size", "0");
            overrides.put("reserve_pool_size", "0");
            if (!keepsPreparedStatements(binary)) {
                overrides.put("max_prepared_statements", null); // left out: older than 1.21
            }
            overrides.putAll(more);
            Path ini = dir.resolve("pgbouncer.ini");
            Files.writeString(ini, derive(shippedIni(), "host=127.0.0.1 port=" + serverPort + " dbname=" + database,
                    overrides), StandardCharsets.UTF_8);
            Path userlist = dir.resolve("userlist.txt");
            Files.writeString(userlist, "\"" + user + "\" \"" + scramSecret + "\"\n", StandardCharsets.UTF_8);
            List<String> command = new ArrayList<>(List.of(binary.toString()));
            if ("root".equals(System.getProperty("user.name"))) {
                // PgBouncer refuses to run as root; it switches to this user, who must own its files
                UserPrincipal owner = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
                for (Path p : List.of(dir, ini, userlist)) {
                    Files.setOwner(p, owner);
                }
                command.addAll(List.of("-u", "nobody"));
            }
            command.add(ini.toString());
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("stdout.log").toFile()).start();
            BenchPgBouncer bouncer = new BenchPgBouncer(process, dir, port);
            bouncer.awaitReady(user, password);
            return bouncer;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the pgbouncer of the highest version in the usual places and the PATH */
    static Path newest() {
        List<Path> candidates = new ArrayList<>(Stream.of("/usr/local/bin/pgbouncer", "/usr/sbin/pgbouncer",
                "/usr/bin/pgbouncer").map(Path::of).toList());
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!d.isEmpty()) {
                candidates.add(Path.of(d, "pgbouncer"));
            }
        }
        return candidates.stream().filter(Files::isExecutable).max(Comparator.comparingInt(BenchPgBouncer::version))
                .orElseThrow(() -> new IllegalStateException("PgBouncer is not installed: apt-get install -y pgbouncer"));
    }

    /** @return whether this PgBouncer keeps prepared statements in transaction mode (1.21 or newer) */
    static boolean keepsPreparedStatements(Path binary) {
        return version(binary) >= 121;
    }

    /** @return 100 * major + minor of {@code pgbouncer --version}, 0 if unreadable */
    private static int version(Path binary) {
        try {
            Process p = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("PgBouncer (\\d+)\\.(\\d+)").matcher(out);
            return m.find() ? 100 * Integer.parseInt(m.group(1)) + Integer.parseInt(m.group(2)) : 0;
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    private static String shippedIni() throws IOException {
        try (InputStream in = BenchPgBouncer.class.getResourceAsStream(INI)) {
            if (in == null) {
                throw new IllegalStateException(INI + " is not on the class path: build the module with Maven");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The shipped ini with the {@code jeex_idea} entry pointed at {@code target} and the overrides replacing their settings. */
    static String derive(String shipped, String target, Map<String, String> overrides) {
        StringBuilder out = new StringBuilder();
        String section = "";
        for (String line : shipped.split("\n", -1)) {
            String trimmed = line.trim();
            if (trimmed.startsWith("[")) {
                section = trimmed;
            }
            String key = trimmed.contains("=") && !trimmed.startsWith(";") ? trimmed.substring(0, trimmed.indexOf('=')).trim() : "";
            if (section.equals("[databases]") && key.equals(DATABASE)) {
                out.append(DATABASE).append(" = ").append(target).append('\n');
            } else if (!(section.equals("[pgbouncer]") && overrides.containsKey(key))) {
                out.append(line).append('\n');
            }
        }
        if (!section.equals("[pgbouncer]")) {
            out.append("[pgbouncer]\n");
        }
        out.append(";; --- benchmark overrides ---\n");
        overrides.forEach((k, v) -> {
            if (v != null) { // null: the setting is left out
                out.append(k).append(" = ").append(v).append('\n');
            }
        });
        return out.toString();
    }

    private void awaitReady(String user, String password) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("prepareThreshold", "0");
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("pgbouncer exited: " + log());
            }
            try {
                DriverManager.getConnection(url(), p).close();
                return;
            } catch (SQLException e) {
                if (System.nanoTime() > deadline) {
                    close();
                    throw new IllegalStateException("pgbouncer did not accept connections: " + e.getMessage() + "\n" + log());
                }
            }
            try {
                process.waitFor(100, TimeUnit.MILLISECONDS); // poll interval; returns early if it dies
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** @return the operating system's id of the PgBouncer process (its CPU time is in /proc/&lt;pid&gt;/stat) */
    long pid() {
        return process.pid();
    }

    /** @return the port PgBouncer listens on, on 127.0.0.1 */
    int port() {
        return port;
    }

    String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("stdout.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind
        }
    }
}
