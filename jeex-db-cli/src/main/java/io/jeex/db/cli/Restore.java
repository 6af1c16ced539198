package io.jeex.db.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Restores a base backup into a new data directory, ready for PostgreSQL to start on: checks every
 * file of the backup against its manifest first, unpacks the data directory checking each file
 * against its checksum (decrypting with age), puts the backup's WAL into {@code pg_wal}, and for a
 * point in time writes the recovery settings ({@code restore_command} reading the WAL archive,
 * {@code recovery_target_time} or {@code recovery_target_name}, {@code recovery_target_action})
 * into {@code postgresql.auto.conf} with a {@code recovery.signal}. It never writes into a
 * directory that holds anything.
 */
final class Restore {

    private static final DateTimeFormatter PG_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS'+00'")
            .withZone(ZoneOffset.UTC);
    /** Characters that would need quoting in restore_command's shell line or in postgresql.auto.conf. */
    private static final String UNSAFE = "'\"$`\\\n\r";

    /**
     * What to restore, and to which point.
     *
     * @param backup the backup directory
     * @param pgdata the new data directory (absent or empty)
     * @param walArchive the WAL archive for restore_command, or null to restore to the backup's end
     * @param targetTime restore up to this commit time, or null
     * @param targetName restore up to this restore point, or null
     * @param targetAction what the server does at the target: promote, pause or shutdown
     * @param keyFile the age identity of an encrypted backup (and archive), or null
     */
    record Request(Path backup, Path pgdata, Path walArchive, Instant targetTime, String targetName,
                   String targetAction, Path keyFile) {
    }

    /**
     * @param set the backup
     * @param files files restored
     * @param took how long it took
     * @param recovery the recovery settings written, or an empty map (to the backup's end)
     */
    record Result(BackupSet set, int files, Duration took, Map<String, String> recovery) {
    }

    private Restore() {
    }

    static Result restore(Request r) throws IOException {
        long started = System.nanoTime();
        BackupSet set = BackupSet.open(r.backup());
        if (set.encrypted() && r.keyFile() == null) {
            throw new IllegalArgumentException("the backup " + r.backup() + " is encrypted: --key-file must name the "
                    + "age identity file it was encrypted for");
        }
        if (r.keyFile() != null) {
            Age.check(r.keyFile(), true);
        }
        boolean toPoint = r.targetTime() != null || r.targetName() != null;
        if (toPoint && r.walArchive() == null) {
            throw new IllegalArgumentException("--wal-archive must be given with --target-time or --target-name: "
                    + "recovery reads the WAL after the backup from the archive");
        }
        if (r.targetTime() != null && r.targetTime().isBefore(set.stopTime())) {
            throw new IllegalArgumentException("--target-time " + r.targetTime() + " is before the backup " + set.id()
                    + " ended (" + set.stopTime() + "): restore from an older backup");
        }
        if (r.walArchive() != null && !Files.isDirectory(r.walArchive())) {
            throw new IllegalArgumentException("--wal-archive must be a folder, but " + r.walArchive() + " is not");
        }
        safe("--wal-archive", r.walArchive());
        safe("--key-file", r.keyFile());
        if (r.targetName() != null && (r.targetName().isBlank() || r.targetName().chars().anyMatch(ch -> UNSAFE
                .indexOf(ch) >= 0))) {
            throw new IllegalArgumentException("--target-name must be a restore point's name, without quotes, "
                    + "backslashes or line breaks");
        }
        if (Files.exists(r.pgdata())) {
            try (Stream<Path> any = Files.list(r.pgdata())) {
                if (any.findAny().isPresent()) {
                    throw new IllegalArgumentException("--pgdata must be a new or empty folder, but " + r.pgdata()
                            + " holds files: restore never overwrites a data directory");
                }
            }
        }
        List<String> problems = set.verify();
        if (!problems.isEmpty()) {
            throw new IllegalStateException("the backup " + set.dir() + " is damaged, nothing was restored: "
                    + String.join("; ", problems));
        }
        Files.createDirectories(r.pgdata());
        Files.setPosixFilePermissions(r.pgdata(), PosixFilePermissions.fromString("rwx------"));
        int files;
        UndoOnSignal undo = UndoOnSignal.register("restore", 20, () -> {
            try (Stream<Path> left = Files.list(r.pgdata())) {
                if (left.findAny().isEmpty()) {
                    return null;
                }
            }
            clear(r.pgdata());
            return "emptied " + r.pgdata();
        });
        try {
            files = unpack(set, r.pgdata(), r.keyFile());
            copyWal(set, r.pgdata().resolve("pg_wal"), r.keyFile());
            UndoOnSignal.checkpoint();
            Map<String, String> recovery = recover(r, set, toPoint);
            undo.completed();
            return new Result(set, files, Duration.ofNanos(System.nanoTime() - started), recovery);
        } catch (IOException | RuntimeException e) {
            // half a data directory, or one without its recovery settings, must not be started
            clear(r.pgdata());
            throw e;
        } finally {
            undo.close();
        }
    }

    /** Writes the recovery settings and recovery.signal (with a WAL archive); returns the settings. */
    private static Map<String, String> recover(Request r, BackupSet set, boolean toPoint) throws IOException {
        Map<String, String> recovery = new java.util.LinkedHashMap<>();
        if (r.walArchive() != null) {
            Path archive = r.walArchive().toAbsolutePath();
            String cp = "cp \"" + archive + "/%f\" \"%p\"";
            recovery.put("restore_command", r.keyFile() == null ? cp : "if [ -f \"" + archive + "/%f.age\" ]; then age "
                    + "--decrypt --identity \"" + r.keyFile().toAbsolutePath() + "\" --output \"%p\" \"" + archive
                    + "/%f.age\"; else " + cp + "; fi");
            recovery.put("recovery_target_timeline", "latest");
            if (r.targetTime() != null) {
                recovery.put("recovery_target_time", PG_TIME.format(r.targetTime()));
            }
            if (r.targetName() != null) {
                recovery.put("recovery_target_name", r.targetName());
            }
            if (toPoint) {
                recovery.put("recovery_target_action", r.targetAction());
            }
            StringBuilder conf = new StringBuilder("\n# jeex-db restore from backup ").append(set.id())
                    .append(" at ").append(Instant.now()).append('\n');
            recovery.forEach((k, v) -> conf.append(k).append(" = '").append(v).append("'\n"));
            Files.writeString(r.pgdata().resolve("postgresql.auto.conf"), conf, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            Files.writeString(r.pgdata().resolve("recovery.signal"), "");
        }
        return recovery;
    }

    private static void safe(String option, Path path) {
        if (path != null && path.toAbsolutePath().toString().chars().anyMatch(ch -> UNSAFE.indexOf(ch) >= 0)) {
            throw new IllegalArgumentException(option + " must be a path without quotes, $, backquotes, backslashes "
                    + "or line breaks (it goes into restore_command), but was " + path);
        }
    }

    private static int unpack(BackupSet set, Path pgdata, Path keyFile) throws IOException {
        Map<String, String> expected = BackupSet.readSums(set.dir().resolve(BackupSet.CONTENTS));
        Set<String> seen = new HashSet<>();
        Age.Run age = set.encrypted() ? Age.decrypt(keyFile, set.base()) : null;
        try (InputStream in = age == null ? Files.newInputStream(set.base()) : age.out();
             TarArchiveInputStream tar = new TarArchiveInputStream(new java.io.BufferedInputStream(in, 1 << 16))) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                UndoOnSignal.checkpoint();
                Path target = pgdata.resolve(e.getName()).normalize();
                if (!target.startsWith(pgdata)) {
                    throw new IllegalStateException("the backup holds a path outside the data directory: " + e.getName());
                }
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwx------"));
                    continue;
                }
                Files.createDirectories(target.getParent());
                MessageDigest d = BackupSet.sha256();
                try (OutputStream out = new DigestOutputStream(Files.newOutputStream(target), d)) {
                    tar.transferTo(out);
                }
                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-------"));
                String sum = expected.get(e.getName());
                if (sum == null || !sum.equals(BackupSet.hex(d))) {
                    throw new IllegalStateException("the backup's " + e.getName() + " does not match "
                            + BackupSet.CONTENTS + ": the backup is damaged, nothing was restored");
                }
                seen.add(e.getName());
            }
        } finally {
            if (age != null) {
                age.finish();
                age.close();
            }
        }
        if (!seen.equals(expected.keySet())) {
            throw new IllegalStateException("the backup's base archive lacks files that " + BackupSet.CONTENTS
                    + " lists: the backup is damaged, nothing was restored");
        }
        Files.createDirectories(pgdata.resolve("pg_wal/archive_status"));
        return seen.size();
    }

    private static void copyWal(BackupSet set, Path pgWal, Path keyFile) throws IOException {
        Files.createDirectories(pgWal);
        try (Stream<Path> files = Files.list(set.dir().resolve(BackupSet.WAL))) {
            for (Path p : (Iterable<Path>) files.sorted()::iterator) {
                UndoOnSignal.checkpoint();
                String name = p.getFileName().toString();
                if (name.endsWith(BackupSet.AGE_SUFFIX)) {
                    Age.Run age = Age.decrypt(keyFile, p);
                    try (InputStream in = age.out()) {
                        Files.copy(in, pgWal.resolve(name.substring(0, name.length() - 4)));
                    }
                    age.finish();
                    age.close();
                } else {
                    Files.copy(p, pgWal.resolve(name));
                }
            }
        }
    }

    private static void clear(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                deleteTree(p);
            }
        }
    }

    /** Deletes a file or a folder with everything in it; nothing when absent. */
    static void deleteTree(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> all = Files.walk(p)) {
            for (Path f : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(f); // another remover (a second --keep, a shutdown hook) may be first
            }
        } catch (java.nio.file.NoSuchFileException gone) {
            // the folder went while it was listed: someone else removed it
        } catch (UncheckedIOException e) {
            if (!(e.getCause() instanceof java.nio.file.NoSuchFileException)) {
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
