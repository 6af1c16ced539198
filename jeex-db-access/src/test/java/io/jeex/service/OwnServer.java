package io.jeex.service;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A PostgreSQL 18 of the test's own (the embedded binaries the testkit uses), on a fixed port and
 * data directory so that the test can stop it and start it again as a service's database would
 * go away and come back.
 */
final class OwnServer implements AutoCloseable {

    private final Path dir;
    private final int port;
    private EmbeddedPostgres pg;

    private OwnServer(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    static OwnServer start(String name) throws IOException {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "jeex-db-" + name + "-" + System.nanoTime());
        OwnServer server = new OwnServer(dir, freePort());
        server.startAgain();
        return server;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    String url() {
        return "jdbc:postgresql://localhost:" + port + "/postgres";
    }

    int port() {
        return port;
    }

    /** Stops the server (fast shutdown: sessions are terminated, new connections refused). */
    void stop() throws IOException {
        if (pg != null) {
            pg.close();
            pg = null;
        }
    }

    void startAgain() throws IOException {
        pg = EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(false).setPort(port)
                .setRegisterShutdownHook(false).setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("fsync", "off").setServerConfig("timezone", "UTC").start();
    }

    /**
     * A streaming standby of this server: a cold copy of its data directory (the embedded
     * binaries have no pg_basebackup), so this server is stopped for the copy and started again.
     */
    OwnServer startReplica(String name) throws IOException {
        stop();
        OwnServer replica = new OwnServer(Path.of(System.getProperty("java.io.tmpdir"),
                "jeex-db-" + name + "-" + System.nanoTime()), freePort());
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path source : (Iterable<Path>) files::iterator) {
                Path target = replica.dir.resolve(dir.relativize(source).toString());
                String file = source.getFileName().toString();
                if (file.equals("postmaster.pid") || file.equals("epg-lock")) {
                    continue;
                }
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwx------"));
                } else {
                    Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        Files.writeString(replica.dir.resolve("standby.signal"), "");
        Files.writeString(replica.dir.resolve("postgresql.auto.conf"), "\nprimary_conninfo = 'host=localhost port="
                + port + " user=postgres application_name=" + name + "'\n", StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
        startAgain();
        replica.startAgain();
        return replica;
    }

    @Override
    public void close() throws IOException {
        stop();
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
