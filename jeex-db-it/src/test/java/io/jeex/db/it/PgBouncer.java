package io.jeex.db.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Assumptions;

/**
 * A real PgBouncer (the Debian package) started from {@code docker/pgbouncer/pgbouncer.ini}
 * with only what must differ on a test machine overridden: listen address and port, the
 * {@code [databases]} target, the auth file, log, pid and socket paths, plus the settings a test
 * names explicitly (pool sizes); a PgBouncer older than 1.21 (Debian bookworm's 1.18) gets the
 * file without {@code max_prepared_statements}, which it does not know and would refuse. Everything else (transaction pooling, SCRAM, timeouts, reset
 * query) is the file's own. Runs in the foreground of a child process, killed by {@link #close()}.
 */
final class PgBouncer implements AutoCloseable {

    /** System property that skips the PgBouncer tests when the binary is missing (local use only; CI never sets it). */
    static final String SKIP_PROPERTY = "jeex.it.skip-pgbouncer";

    private static final List<Path> CANDIDATES = List.of(Path.of("/usr/sbin/pgbouncer"), Path.of("/usr/bin/pgbouncer"),
            Path.of("/usr/local/bin/pgbouncer"));
    private static final Pattern SETTING = Pattern.compile("^\\s*([a-z_]+)\\s*=.*$");

    private final List<String> command;
    private final Path dir;
    private final int port;
    private final Thread shutdownHook;
    private volatile Process process;

    private PgBouncer(List<String> command, Process process, Path dir, int port) {
        this.command = List.copyOf(command);
        this.process = process;
        this.dir = dir;
        this.port = port;
        this.shutdownHook = new Thread(() -> this.process.destroyForcibly(), "pgbouncer-kill");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * The pooler crashes ({@code SIGKILL}: every client and server connection drops at once) and
     * comes back after {@code down} on the same port with the same configuration, as a container
     * restart would bring it.
     *
     * @param down how long no PgBouncer listens
     * @param user a login to wait for it with
     * @param password its password
     * @throws InterruptedException if interrupted while it is down
     */
    void crashAndRestart(Duration down, String user, String password) throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        Thread.sleep(down.toMillis());
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("stdout.log").toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        awaitReady(user, password, Duration.ofSeconds(30));
    }

    /**
     * @return the pgbouncer binary; fails the test with the install command when it is missing,
     *     or aborts it when {@value #SKIP_PROPERTY}{@code =true}
     */
    static Path binary() {
        for (Path p : CANDIDATES) {
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, "pgbouncer"))) {
                return Path.of(d, "pgbouncer");
            }
        }
        String message = "PgBouncer is not installed, but these tests run a real one: install it with "
                + "`apt-get install -y pgbouncer` (Debian/Ubuntu; .ci/run does this), or skip them locally with -D"
                + SKIP_PROPERTY + "=true";
        if (Boolean.getBoolean(SKIP_PROPERTY)) {
            Assumptions.abort(message);
        }
        return fail(message);
    }

    /** The first PgBouncer release that keeps prepared statements in transaction mode ({@code max_prepared_statements}). */
    static final int[] PREPARED_STATEMENTS_SINCE = {1, 21};

    /**
     * @return a pgbouncer of version 1.21 or newer among the usual places and the PATH (the Debian
     *     package of bookworm is 1.18, so .ci/run builds 1.24.1, the version of the shipped compose
     *     file, from Debian's source into /usr/local/bin); fails the test with how to get one when
     *     none is found, or aborts it when {@value #SKIP_PROPERTY}{@code =true}
     */
    static Path withPreparedStatements() {
        List<Path> found = new ArrayList<>(CANDIDATES);
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!d.isEmpty()) {
                found.add(Path.of(d, "pgbouncer"));
            }
        }
        List<String> seen = new ArrayList<>();
        for (Path p : found) {
            if (Files.isExecutable(p)) {
                int[] version = version(p);
                seen.add(p + " " + version[0] + "." + version[1]);
                if (keepsPreparedStatements(version)) {
                    return p;
                }
            }
        }
        String message = "these tests need PgBouncer 1.21 or newer (prepared statements in transaction mode), but found "
                + (seen.isEmpty() ? "none" : String.join(", ", seen)) + ": build one into /usr/local/bin as .ci/run "
                + "does (PgBouncer 1.24.1 from Debian's source package, with libevent-dev and libssl-dev), or skip "
                + "them locally with -D" + SKIP_PROPERTY + "=true";
        if (Boolean.getBoolean(SKIP_PROPERTY)) {
            Assumptions.abort(message);
        }
        return fail(message);
    }

    /** @return whether a PgBouncer of this version knows {@code max_prepared_statements} (1.21 or newer) */
    static boolean keepsPreparedStatements(int[] version) {
        return version[0] > PREPARED_STATEMENTS_SINCE[0]
                || (version[0] == PREPARED_STATEMENTS_SINCE[0] && version[1] >= PREPARED_STATEMENTS_SINCE[1]);
    }

    /** @return major and minor version of a pgbouncer binary ({@code pgbouncer --version}), {0, 0} if unreadable */
    static int[] version(Path binary) {
        try {
            Process p = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            Matcher m = Pattern.compile("PgBouncer (\\d+)\\.(\\d+)").matcher(out);
            return m.find() ? new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))} : new int[] {0, 0};
        } catch (IOException e) {
            return new int[] {0, 0};
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new int[] {0, 0};
        }
    }

    /**
     * Starts PgBouncer in front of {@code server}'s {@link ItServer#DATABASE} and waits until
     * {@code user} can connect through it.
     *
     * @param settings extra {@code [pgbouncer]} settings of the test (e.g. {@code default_pool_size})
     */
    static PgBouncer start(ItServer server, String userlist, Map<String, String> settings, String user,
                           String password) {
        return start(binary(), server, userlist, settings, user, password);
    }

    /**
     * Like {@link #start(ItServer, String, Map, String, String)}, with the given binary.
     *
     * @param binary a pgbouncer, e.g. {@link #withPreparedStatements()}
     */
    static PgBouncer start(Path binary, ItServer server, String userlist, Map<String, String> settings, String user,
                           String password) {
        Path dir = TempDirs.create("jeex-pgbouncer");
        try {
            int port = freePort();
            Map<String, String> overrides = new LinkedHashMap<>();
            overrides.put("listen_addr", "127.0.0.1");
            overrides.put("listen_port", Integer.toString(port));
            overrides.put("unix_socket_dir", "");
            overrides.put("auth_file", dir.resolve("userlist.txt").toString());
            overrides.put("logfile", dir.resolve("pgbouncer.log").toString());
            overrides.put("pidfile", dir.resolve("pgbouncer.pid").toString());
            overrides.putAll(settings);
            if (!keepsPreparedStatements(version(binary))) {
                // older than 1.21: it refuses the shipped file's max_prepared_statements as unknown
                overrides.put("max_prepared_statements", null);
            }
            String ini = derive(ItServer.read(DockerFiles.pgbouncerIni()), "host=127.0.0.1 port=" + server.port()
                    + " dbname=" + ItServer.DATABASE, overrides);
            Path iniFile = dir.resolve("pgbouncer.ini");
            Files.writeString(iniFile, ini, StandardCharsets.UTF_8);
            Path userlistFile = dir.resolve("userlist.txt");
            Files.writeString(userlistFile, userlist, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(userlistFile, PosixFilePermissions.fromString("rw-------"));

            List<String> command = new ArrayList<>(List.of(binary.toString()));
            String runAs = runAsUser();
            if (runAs != null) {
                // PgBouncer refuses to run as root; it switches to this user, who must own its files.
                UserPrincipal owner = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(runAs);
                for (Path p : List.of(dir, iniFile, userlistFile)) {
                    Files.setOwner(p, owner);
                }
                command.addAll(List.of("-u", runAs));
            }
            command.add(iniFile.toString());
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("stdout.log").toFile()).start();
            PgBouncer bouncer = new PgBouncer(command, process, dir, port);
            try {
                bouncer.awaitReady(user, password, Duration.ofSeconds(30));
            } catch (RuntimeException | Error e) {
                bouncer.close();
                throw e;
            }
            return bouncer;
        } catch (IOException e) {
            TempDirs.deleteQuietly(dir);
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Derives the test's ini from the repository's: the {@code jeex_idea} entry of
     * {@code [databases]} points at {@code target}; each overridden {@code [pgbouncer]} setting
     * is removed where it stands and appended at the end of that section.
     */
    static String derive(String original, String target, Map<String, String> overrides) {
        StringBuilder out = new StringBuilder();
        String section = "";
        Set<String> seenDatabase = new HashSet<>();
        for (String line : original.split("\n", -1)) {
            String trimmed = line.trim();
            if (trimmed.startsWith("[") && trimmed.endsWith("]")) {
                if (section.equals("pgbouncer")) {
                    appendOverrides(out, overrides);
                }
                section = trimmed.substring(1, trimmed.length() - 1);
                out.append(line).append('\n');
                continue;
            }
            Matcher m = SETTING.matcher(line);
            if (m.matches() && section.equals("databases") && m.group(1).equals(ItServer.DATABASE)) {
                out.append(ItServer.DATABASE).append(" = ").append(target).append('\n');
                seenDatabase.add(m.group(1));
                continue;
            }
            if (m.matches() && section.equals("pgbouncer") && overrides.containsKey(m.group(1))) {
                continue;
            }
            out.append(line).append('\n');
        }
        if (section.equals("pgbouncer")) {
            appendOverrides(out, overrides);
        }
        if (seenDatabase.isEmpty()) {
            throw new IllegalStateException("pgbouncer.ini has no [databases] entry " + ItServer.DATABASE);
        }
        return out.toString();
    }

    private static void appendOverrides(StringBuilder out, Map<String, String> overrides) {
        out.append(";; --- test overrides ---\n");
        overrides.forEach((k, v) -> {
            if (v != null) { // null: the setting is left out
                out.append(k).append(" = ").append(v).append('\n');
            }
        });
    }

    private static String runAsUser() throws IOException {
        if (!"root".equals(System.getProperty("user.name"))) {
            return null;
        }
        for (String candidate : List.of("postgres", "nobody")) {
            try {
                Path.of(".").getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(candidate);
                return candidate;
            } catch (UserPrincipalNotFoundException e) {
                // try the next one
            }
        }
        throw new IllegalStateException("running as root, but neither user postgres nor nobody exists for pgbouncer -u");
    }

    /** @return a loopback port that was free a moment ago */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A plain pgjdbc connection through this PgBouncer, outside any pool.
     *
     * @param prepareThreshold pgjdbc's {@code prepareThreshold}: "0" for unnamed statements only
     * @throws SQLException if it cannot connect
     */
    Connection connect(String user, String password, String prepareThreshold) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("prepareThreshold", prepareThreshold);
        p.setProperty("connectTimeout", "2");
        return DriverManager.getConnection(url(), p);
    }

    private void awaitReady(String user, String password, Duration timeout) {
        try {
            Awaitility.await("pgbouncer accepts connections").atMost(timeout).pollInterval(Duration.ofMillis(100))
                    .ignoreExceptionsInstanceOf(SQLException.class)
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException("pgbouncer exited with " + process.exitValue() + ":\n"
                                    + output() + "\nwith the configuration:\n" + ini());
                        }
                        try (Connection c = connect(user, password, "0")) {
                            c.createStatement().execute("SELECT 1");
                            return true;
                        }
                    });
        } catch (ConditionTimeoutException e) {
            // its cause is the last SQLException ignored while waiting, if any
            throw new IllegalStateException("pgbouncer did not accept connections within " + timeout + " (last error: "
                    + (e.getCause() == null ? "none" : e.getCause().getMessage()) + "):\n" + output(), e);
        }
    }

    /** @return the JDBC URL of {@link ItServer#DATABASE} through this PgBouncer */
    String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + ItServer.DATABASE;
    }

    int port() {
        return port;
    }

    /** @return PgBouncer's output so far (for failure messages) */
    String output() {
        StringBuilder out = new StringBuilder();
        for (String name : List.of("stdout.log", "pgbouncer.log")) {
            try {
                Path log = dir.resolve(name);
                if (Files.exists(log)) {
                    out.append(Files.readString(log, StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                out.append("(").append(name).append(" unreadable: ").append(e).append(")\n");
            }
        }
        return out.toString();
    }

    /** @return the ini file this PgBouncer runs with */
    String ini() {
        return ItServer.read(dir.resolve("pgbouncer.ini"));
    }

    @Override
    public void close() {
        try {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down; the hook runs anyway
            }
            TempDirs.deleteQuietly(dir);
        }
    }
}
