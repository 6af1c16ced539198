package io.jeex.db.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A consistent base backup of a running PostgreSQL through its own low-level API: on one session
 * that stays open, {@code pg_backup_start()} (non-exclusive, fast checkpoint), a file copy of the
 * data directory into a tar archive, {@code pg_backup_stop()} (which waits until the WAL the backup
 * needs is archived), then that WAL copied from the archive into the backup, checksums written
 * and every file read back and checked. The tool runs where the data directory and the WAL archive
 * can be read (on the database host, as the OS user of PostgreSQL). See {@link BackupSet} for the
 * format.
 */
final class BaseBackup {

    /** What pg_basebackup leaves out: runtime state that a restored server rebuilds or must not see. */
    private static final Set<String> EMPTY_DIRECTORIES = Set.of("pg_wal", "pg_replslot", "pg_dynshmem", "pg_notify",
            "pg_serial", "pg_snapshots", "pg_stat_tmp", "pg_subtrans");
    private static final Set<String> SKIPPED_FILES = Set.of("postmaster.pid", "postmaster.opts", "backup_label",
            "backup_label.old", "tablespace_map", "recovery.signal", "standby.signal", "pg_internal.init",
            "postgresql.auto.conf.tmp", "current_logfiles.tmp", "epg-lock");
    static final DateTimeFormatter ID = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    /**
     * What to back up, and where.
     *
     * @param pgdata the server's data directory, or null to ask the server ({@code data_directory})
     * @param walArchive where {@code archive_command} puts the WAL
     * @param root the folder of backups; this one goes into a new folder in it
     * @param keyFile an age key file to encrypt with, or null
     * @param label the backup's label, written into its backup_label
     */
    record Request(Path pgdata, Path walArchive, Path root, Path keyFile, String label) {
    }

    /**
     * What was backed up.
     *
     * @param set the backup
     * @param files files of the data directory in it
     * @param bytes their size
     * @param walFiles WAL files in it
     * @param took how long it took, verification included
     * @param verified what the verification covered
     */
    record Result(BackupSet set, int files, long bytes, int walFiles, Duration took, String verified) {
    }

    private BaseBackup() {
    }

    /**
     * Takes a base backup.
     *
     * @param c a connection to the primary as a user allowed to run pg_backup_start (a superuser, or
     *     granted EXECUTE on pg_backup_start and pg_backup_stop)
     * @param r what and where
     * @return the backup, verified
     * @throws IllegalArgumentException if the request cannot work (no archiving, wrong data directory...)
     * @throws SQLException if the server refuses
     */
    static Result take(Connection c, Request r) throws SQLException, IOException {
        long started = System.nanoTime();
        Server server = Server.check(c, r.pgdata());
        Path pgdata = server.pgdata();
        if (!Files.isDirectory(r.walArchive())) {
            throw new IllegalArgumentException("--wal-archive must be the folder archive_command copies WAL into, but "
                    + r.walArchive() + " is not a folder");
        }
        Files.createDirectories(r.root());
        AtomicReference<Path> claimed = new AtomicReference<>();
        UndoOnSignal undo = UndoOnSignal.register("backup", 20, () -> {
            Path partial = claimed.get();
            if (partial == null) {
                return null;
            }
            // renamed first, atomically: of this and the backup's own move to <id>, exactly one happens
            Path aborted = partial.resolveSibling(partial.getFileName().toString()
                    .replace(BackupSet.PARTIAL_SUFFIX, BackupSet.ABORTED_SUFFIX));
            try {
                Files.move(partial, aborted, StandardCopyOption.ATOMIC_MOVE);
            } catch (java.nio.file.NoSuchFileException finishedOrRemoved) {
                return null;
            }
            Restore.deleteTree(aborted);
            return "removed the unfinished " + partial;
        });
        Path dir;
        try {
            Claim claim = claim(r.root(), ID.format(Instant.now()), claimed);
            dir = claim.dir();
            take(c, r, server, pgdata, claim.id(), dir, claim.partial());
            undo.completed();
        } finally {
            undo.close();
        }
        BackupSet set = BackupSet.open(dir);
        String verified = verify(set, r.keyFile());
        return new Result(set, Integer.parseInt(set.get("data.files")), Long.parseLong(set.get("data.bytes")),
                Integer.parseInt(set.get("wal.files")), Duration.ofNanos(System.nanoTime() - started), verified);
    }

    /** In an unfinished backup's folder: the WAL segment it started in, for a --keep meanwhile. */
    static final String IN_FLIGHT_START = "start.wal";

    /** The folder a backup writes into ({@code <id>.partial}) and the one it becomes ({@code <id>}). */
    record Claim(String id, Path dir, Path partial) {
    }

    /**
     * Claims the folders of a new backup: {@code <id>.partial} created atomically, so that two runs
     * started in the same second (two schedulers, a retried job) never share one; the second gets
     * {@code <id>-02}, which sorts after {@code <id>} and before the next second's id (up to
     * {@code -99}).
     */
    static Claim claim(Path root, String second, AtomicReference<Path> claimed) throws IOException {
        for (int n = 1; n <= 99; n++) {
            String id = n == 1 ? second : "%s-%02d".formatted(second, n);
            Path dir = root.resolve(id);
            Path partial = root.resolve(id + BackupSet.PARTIAL_SUFFIX);
            if (Files.exists(dir)) {
                continue;
            }
            try {
                Files.createDirectory(partial);
                claimed.set(partial);
            } catch (java.nio.file.FileAlreadyExistsException taken) {
                continue;
            }
            if (Files.exists(dir)) { // another run finished this id between the look and the claim
                claimed.set(null);
                Files.delete(partial);
                continue;
            }
            Files.createDirectory(partial.resolve(BackupSet.WAL));
            return new Claim(id, dir, partial);
        }
        throw new IllegalStateException("99 backups were started in " + root + " within the second " + second
                + ": start fewer at once");
    }

    private static void take(Connection c, Request r, Server server, Path pgdata, String id, Path dir, Path partial)
            throws SQLException, IOException {
        boolean encrypted = r.keyFile() != null;
        Map<String, String> props = new LinkedHashMap<>();
        Map<String, String> contents = new TreeMap<>();
        long[] bytes = {0};
        try {
            String startLsn;
            String startWal;
            Instant startTime;
            try (Statement s = c.createStatement()) {
                try (PreparedStatement ps = c.prepareStatement("select pg_backup_start(?, true)::text, clock_timestamp()")) {
                    ps.setString(1, r.label());
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        startLsn = rs.getString(1);
                        startTime = rs.getTimestamp(2).toInstant();
                    }
                }
                // for a --keep of another backup meanwhile: the WAL from here on is this one's
                startWal = walFileName(c, startLsn);
                Files.writeString(partial.resolve(IN_FLIGHT_START), startWal);
                String[] stop;
                try {
                    Path base = partial.resolve(encrypted ? BackupSet.BASE + BackupSet.AGE_SUFFIX : BackupSet.BASE);
                    stop = writeBase(c, s, pgdata, base, r.keyFile(), contents, bytes);
                } catch (IOException | RuntimeException | SQLException e) {
                    try (ResultSet rs = s.executeQuery("select pg_backup_stop(false)")) {
                        rs.next();
                    } catch (SQLException ignored) {
                        // the session ends with the connection; PostgreSQL then aborts the backup itself
                    }
                    throw e;
                }
                props.put("id", id);
                props.put("label", r.label());
                props.put("server.version", server.version());
                props.put("system.identifier", server.systemIdentifier());
                props.put("timeline", stop[3].substring(0, 8));
                props.put("start.lsn", startLsn);
                props.put("start.wal", startWal);
                props.put("start.time", startTime.toString());
                props.put("stop.lsn", stop[0]);
                props.put("stop.wal", stop[3]);
                props.put("stop.time", stop[2]);
                props.put("wal.segment.size", Long.toString(server.segmentSize()));
                props.put("encrypted", Boolean.toString(encrypted));
                props.put("data.files", Integer.toString(contents.size()));
                props.put("data.bytes", Long.toString(bytes[0]));
            }
            List<String> wal = copyWal(r.walArchive(), partial.resolve(BackupSet.WAL), props.get("start.wal"),
                    props.get("stop.wal"), server.segmentSize(), r.keyFile());
            props.put("wal.files", Integer.toString(wal.size()));
            // its WAL is in wal/ now, and start.wal in the properties: no --keep needs the marker
            Files.delete(partial.resolve(IN_FLIGHT_START));
            BackupSet.writeProperties(partial, props);
            BackupSet.writeSums(partial.resolve(BackupSet.CONTENTS), contents);
            BackupSet.writeManifest(partial);
            UndoOnSignal.checkpoint();
            Files.move(partial, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException | SQLException e) {
            Restore.deleteTree(partial);
            throw e;
        }
    }

    /** What the server is, checked before the backup starts. */
    private record Server(Path pgdata, String version, String systemIdentifier, long segmentSize) {
        static Server check(Connection c, Path given) throws SQLException, IOException {
            String archiveMode;
            String version;
            String systemIdentifier;
            long segmentSize;
            boolean inRecovery;
            long tablespaces;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select current_setting('archive_mode'), "
                    + "current_setting('server_version'), (select system_identifier from pg_control_system())::text, "
                    + "pg_size_bytes(current_setting('wal_segment_size')), pg_is_in_recovery(), "
                    + "(select count(*) from pg_tablespace where spcname not in ('pg_default', 'pg_global'))")) {
                rs.next();
                archiveMode = rs.getString(1);
                version = rs.getString(2);
                systemIdentifier = rs.getString(3);
                segmentSize = rs.getLong(4);
                inRecovery = rs.getBoolean(5);
                tablespaces = rs.getLong(6);
            }
            if ("off".equals(archiveMode)) {
                throw new IllegalArgumentException("the server does not archive its WAL (archive_mode = off), so a "
                        + "backup could not be restored to a point in time: set archive_mode = on and an archive_command "
                        + "that copies into the folder given as --wal-archive (docs/operations.md, \"Backups\")");
            }
            if (inRecovery) {
                throw new IllegalArgumentException("the server is a standby (in recovery): back up the primary");
            }
            if (tablespaces > 0) {
                throw new IllegalArgumentException("the server has tablespaces besides pg_default and pg_global, which "
                        + "this backup does not copy: use pg_basebackup (docker/backup) for it");
            }
            Path pgdata = given;
            if (pgdata == null) {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                        "select current_setting('data_directory')")) {
                    rs.next();
                    pgdata = Path.of(rs.getString(1));
                } catch (SQLException e) {
                    throw new IllegalArgumentException("--pgdata is needed: the user may not read the server's "
                            + "data_directory setting (SQLSTATE " + e.getSQLState() + ")");
                }
            }
            Path control = pgdata.resolve("global/pg_control");
            if (!Files.isReadable(control)) {
                throw new IllegalArgumentException("--pgdata must be the server's data directory, readable here (run "
                        + "the backup on the database host as PostgreSQL's OS user), but " + control
                        + " cannot be read");
            }
            byte[] head = new byte[8];
            try (InputStream in = Files.newInputStream(control)) {
                if (in.readNBytes(head, 0, 8) != 8) {
                    throw new IllegalArgumentException(control + " is too short to be a pg_control file");
                }
            }
            String fromFile = Long.toUnsignedString(ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getLong());
            if (!fromFile.equals(systemIdentifier)) {
                throw new IllegalArgumentException("--pgdata " + pgdata + " is not the data directory of the server "
                        + "at JEEX_DB_MIGRATION_URL (its system identifier is " + fromFile + ", the server's "
                        + systemIdentifier + ")");
            }
            runningOn(c, pgdata);
            return new Server(pgdata, version, systemIdentifier, segmentSize);
        }

        /**
         * A stopped copy of the data directory (a restore, a standby's folder) has the server's
         * system identifier too: the folder must be the one the server runs on, whose
         * postmaster.pid names the port the server listens on.
         */
        private static void runningOn(Connection c, Path pgdata) throws SQLException, IOException {
            Path pid = pgdata.resolve("postmaster.pid");
            if (!Files.isRegularFile(pid)) {
                throw new IllegalArgumentException("--pgdata " + pgdata + " is not the data directory the server at "
                        + "JEEX_DB_MIGRATION_URL runs on: it holds no postmaster.pid (a stopped copy or a standby's "
                        + "folder has the same system identifier): give the running server's data directory");
            }
            List<String> lines = Files.readAllLines(pid);
            String port;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select current_setting('port')")) {
                rs.next();
                port = rs.getString(1);
            }
            if (lines.size() < 4 || !lines.get(3).strip().equals(port)) {
                throw new IllegalArgumentException("--pgdata " + pgdata + " is not the data directory the server at "
                        + "JEEX_DB_MIGRATION_URL runs on: its postmaster.pid is of a server on port "
                        + (lines.size() < 4 ? "<none>" : lines.get(3).strip()) + ", this one listens on port " + port
                        + ": give the running server's data directory");
            }
        }
    }

    private static String walFileName(Connection c, String lsn) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select pg_walfile_name(?::pg_lsn)")) {
            ps.setString(1, lsn);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    /** The tar of the data directory, then pg_backup_stop; returns {lsn, labelfile, stop time, stop wal}. */
    private static String[] writeBase(Connection c, Statement s, Path pgdata, Path base, Path keyFile,
                                      Map<String, String> contents, long[] bytes) throws IOException, SQLException {
        Age.Run age = keyFile == null ? null : Age.encrypt(keyFile, base);
        try (OutputStream file = age == null ? Files.newOutputStream(base) : age.in();
             TarArchiveOutputStream tar = new TarArchiveOutputStream(new java.io.BufferedOutputStream(file, 1 << 16))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            copyTree(pgdata, pgdata, tar, contents, bytes);
            String[] stop = new String[4];
            try (ResultSet rs = s.executeQuery("select lsn::text, labelfile, spcmapfile, clock_timestamp() "
                    + "from pg_backup_stop(true)")) {
                rs.next();
                stop[0] = rs.getString(1);
                stop[1] = rs.getString(2);
                stop[2] = rs.getTimestamp(4).toInstant().toString();
            }
            stop[3] = walFileName(c, stop[0]);
            byte[] label = stop[1].getBytes(StandardCharsets.UTF_8);
            addBytes(tar, "backup_label", label);
            MessageDigest d = BackupSet.sha256();
            d.update(label);
            contents.put("backup_label", BackupSet.hex(d));
            tar.finish();
            return stop;
        } finally {
            if (age != null) {
                age.finish();
                age.close();
            }
        }
    }

    private static void copyTree(Path root, Path dir, TarArchiveOutputStream tar, Map<String, String> contents,
                                 long[] bytes) throws IOException {
        List<Path> children;
        try (Stream<Path> list = Files.list(dir)) {
            children = list.sorted().toList();
        } catch (NoSuchFileException e) {
            return;
        }
        for (Path p : children) {
            UndoOnSignal.checkpoint();
            String name = root.relativize(p).toString().replace('\\', '/');
            String file = p.getFileName().toString();
            BasicFileAttributes a;
            try {
                a = Files.readAttributes(p, BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                continue;    // removed while the backup runs: WAL replay recreates what matters
            }
            if (a.isDirectory()) {
                TarArchiveEntry entry = new TarArchiveEntry(name + "/");
                entry.setMode(0700);
                tar.putArchiveEntry(entry);
                tar.closeArchiveEntry();
                if (!file.startsWith("pgsql_tmp") && !(dir.equals(root) && EMPTY_DIRECTORIES.contains(file))) {
                    copyTree(root, p, tar, contents, bytes);
                }
            } else if (a.isRegularFile() && !SKIPPED_FILES.contains(file) && !file.startsWith("pgsql_tmp")) {
                copyFile(p, name, a.size(), tar, contents);
                bytes[0] += a.size();
            }
        }
    }

    /** Copies a file as long as it was when listed: a file that grows is cut, one that shrinks is padded. */
    private static void copyFile(Path p, String name, long size, TarArchiveOutputStream tar,
                                 Map<String, String> contents) throws IOException {
        InputStream in;
        try {
            in = Files.newInputStream(p);
        } catch (NoSuchFileException e) {
            return;
        }
        MessageDigest digest = BackupSet.sha256();
        try (in) {
            TarArchiveEntry entry = new TarArchiveEntry(name);
            entry.setSize(size);
            entry.setMode(0600);
            tar.putArchiveEntry(entry);
            byte[] buffer = new byte[1 << 16];
            long left = size;
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    java.util.Arrays.fill(buffer, (byte) 0);
                    n = (int) Math.min(buffer.length, left);
                }
                tar.write(buffer, 0, n);
                digest.update(buffer, 0, n);
                left -= n;
            }
            tar.closeArchiveEntry();
        }
        contents.put(name, BackupSet.hex(digest));
    }

    private static void addBytes(TarArchiveOutputStream tar, String name, byte[] data) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(data.length);
        entry.setMode(0600);
        tar.putArchiveEntry(entry);
        tar.write(data);
        tar.closeArchiveEntry();
    }

    /** The WAL from the backup's start to its end, and every timeline history file, from the archive. */
    private static List<String> copyWal(Path archive, Path wal, String startWal, String stopWal, long segmentSize,
                                        Path keyFile) throws IOException {
        List<String> copied = new ArrayList<>();
        List<String> names = new ArrayList<>(WalFiles.range(startWal, stopWal, segmentSize));
        try (Stream<Path> files = Files.list(archive)) {
            files.map(p -> p.getFileName().toString()).filter(WalFiles::isHistory)
                    .map(f -> f.endsWith(BackupSet.AGE_SUFFIX) ? f.substring(0, f.length() - 4) : f).sorted()
                    .forEach(names::add);
        }
        for (String name : names) {
            UndoOnSignal.checkpoint();
            Path plain = archive.resolve(name);
            Path sealed = archive.resolve(name + BackupSet.AGE_SUFFIX);
            if (Files.isRegularFile(sealed)) {
                Files.copy(sealed, wal.resolve(name + BackupSet.AGE_SUFFIX));
            } else if (!Files.isRegularFile(plain)) {
                throw new IllegalStateException("the WAL archive " + archive + " lacks " + name + ", which the backup "
                        + "needs: does archive_command copy into --wal-archive, and does pg_stat_archiver show "
                        + "failures?");
            } else if (keyFile != null) {
                Age.Run age = Age.encrypt(keyFile, wal.resolve(name + BackupSet.AGE_SUFFIX));
                try (OutputStream out = age.in()) {
                    Files.copy(plain, out);
                }
                age.finish();
                age.close();
            } else {
                Files.copy(plain, wal.resolve(name));
            }
            copied.add(name);
        }
        return copied;
    }

    /**
     * Reads the backup back: every file against manifest.sha256, and the files inside the base
     * archive against contents.sha256 (decrypted when the key file can decrypt).
     *
     * @return what was checked, in words
     * @throws IllegalStateException if anything differs
     */
    static String verify(BackupSet set, Path keyFile) throws IOException {
        List<String> problems = set.verify();
        if (!problems.isEmpty()) {
            throw new IllegalStateException("the backup " + set.dir() + " does not match its manifest: "
                    + String.join("; ", problems));
        }
        if (set.encrypted() && (keyFile == null || !Age.isIdentity(keyFile))) {
            return "checksums of every file (the encrypted contents are checked on restore: the key file holds no "
                    + "identity)";
        }
        Map<String, String> expected = BackupSet.readSums(set.dir().resolve(BackupSet.CONTENTS));
        Map<String, String> found = new TreeMap<>();
        Age.Run age = set.encrypted() ? Age.decrypt(keyFile, set.base()) : null;
        try (InputStream in = age == null ? Files.newInputStream(set.base()) : age.out();
             TarArchiveInputStream tar = new TarArchiveInputStream(new java.io.BufferedInputStream(in, 1 << 16))) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                if (!e.isDirectory()) {
                    MessageDigest d = BackupSet.sha256();
                    byte[] buffer = new byte[1 << 16];
                    for (int n; (n = tar.read(buffer)) > 0; ) {
                        d.update(buffer, 0, n);
                    }
                    found.put(e.getName(), BackupSet.hex(d));
                }
            }
        } finally {
            if (age != null) {
                age.finish();
                age.close();
            }
        }
        if (!found.equals(expected)) {
            throw new IllegalStateException("the base archive of " + set.dir() + " does not hold what "
                    + BackupSet.CONTENTS + " lists");
        }
        return "checksums of every file and of the " + found.size() + " files in the base archive"
                + (set.encrypted() ? " (decrypted)" : "");
    }

    /**
     * Keeps the newest backups, removes the older ones and the archived WAL only they need (what
     * precedes the oldest kept backup's first segment, as pg_archivecleanup decides; timeline
     * history files stay).
     *
     * @param root the folder of backups
     * @param walArchive the WAL archive
     * @param keep how many backups to keep, at least 1
     * @return {removed backups, removed WAL files}
     */
    static int[] retain(Path root, Path walArchive, int keep) throws IOException {
        List<BackupSet> sets = BackupSet.list(root);
        int removed = 0;
        for (int i = 0; i < sets.size() - keep; i++) {
            if (Files.exists(sets.get(i).dir())) { // another --keep at the same time may have removed it
                Restore.deleteTree(sets.get(i).dir());
                removed++;
            }
        }
        List<BackupSet> kept = sets.subList(Math.max(0, sets.size() - keep), sets.size());
        int wal = 0;
        if (!kept.isEmpty()) {
            // the first segment that a kept backup, or one still being taken, needs
            List<String> starts = new ArrayList<>();
            kept.forEach(b -> starts.add(b.get("start.wal")));
            try (Stream<Path> dirs = Files.list(root)) {
                for (Path d : (Iterable<Path>) dirs::iterator) {
                    Path start = d.resolve(IN_FLIGHT_START);
                    if (d.getFileName().toString().endsWith(BackupSet.PARTIAL_SUFFIX) && Files.isRegularFile(start)) {
                        try {
                            starts.add(Files.readString(start).strip());
                        } catch (java.nio.file.NoSuchFileException finished) {
                            // that backup has just ended (moved or removed)
                        }
                    }
                }
            }
            String oldest = starts.stream().filter(WalFiles::isSegment).reduce((a, b) -> WalFiles.isBefore(b, a) ? b : a)
                    .orElse(kept.get(0).get("start.wal"));
            try (Stream<Path> files = Files.list(walArchive)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    if (WalFiles.isBefore(p.getFileName().toString(), oldest)) {
                        Files.delete(p);
                        wal++;
                    }
                }
            }
        }
        return new int[] {removed, wal};
    }
}
