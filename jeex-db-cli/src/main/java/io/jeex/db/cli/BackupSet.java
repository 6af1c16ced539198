package io.jeex.db.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * One base backup on disk, a directory named by its start time ({@code 20260102T030405Z}):
 * <pre>
 *   backup.properties   what the server said: LSNs, WAL files, times, timeline, system identifier
 *   base.tar            the data directory with backup_label (base.tar.age when encrypted)
 *   wal/                the WAL segments from the backup's start to its end, and the timeline
 *                       history files (each .age when encrypted)
 *   contents.sha256     SHA-256 of every file in base.tar, as it is in the data directory
 *   manifest.sha256     SHA-256 of every other file of the backup (sha256sum -c reads it)
 * </pre>
 * Both checksum files use {@code sha256sum}'s format, so an operator can check a backup by hand
 * ({@code cd <backup> && sha256sum -c manifest.sha256}).
 */
final class BackupSet {

    static final String PROPERTIES = "backup.properties";
    static final String BASE = "base.tar";
    static final String WAL = "wal";
    static final String CONTENTS = "contents.sha256";
    static final String MANIFEST = "manifest.sha256";
    static final String AGE_SUFFIX = ".age";
    /** A backup being taken: {@code <id>.partial}, renamed to {@code <id>} once complete. */
    static final String PARTIAL_SUFFIX = ".partial";
    /** A backup stopped by a signal, renamed from {@code <id>.partial} before it is deleted. */
    static final String ABORTED_SUFFIX = ".aborted";
    /** The format of this directory; a newer tool refuses what it does not know. */
    static final String FORMAT = "jeex-db-backup-1";

    private final Path dir;
    private final Properties properties;

    private BackupSet(Path dir, Properties properties) {
        this.dir = dir;
        this.properties = properties;
    }

    /**
     * @param dir a backup directory
     * @return the backup
     * @throws IllegalArgumentException if it is not a jeex-db backup of a known format
     */
    static BackupSet open(Path dir) {
        Path file = dir.resolve(PROPERTIES);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--from must be a backup folder made by jeex-db backup (holding "
                    + PROPERTIES + "), but " + dir + " is not");
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!FORMAT.equals(p.getProperty("format"))) {
            throw new IllegalArgumentException(dir + " is a backup of format " + p.getProperty("format")
                    + ", which this jeex-db does not know (it reads " + FORMAT + ")");
        }
        return new BackupSet(dir, p);
    }

    /**
     * @return the complete backups under a root, oldest first: folders with their properties,
     *     manifest and base archive (an unfinished {@code <id>.partial}, or a folder that lost its
     *     base archive, is none)
     */
    static List<BackupSet> list(Path root) {
        List<BackupSet> sets = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return sets;
        }
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path d : (Iterable<Path>) dirs.sorted()::iterator) {
                if (complete(d)) {
                    sets.add(open(d));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sets;
    }

    private static boolean complete(Path d) {
        String name = d.getFileName().toString();
        return !name.endsWith(PARTIAL_SUFFIX) && !name.endsWith(ABORTED_SUFFIX) && Files.isRegularFile(d.resolve(PROPERTIES))
                && Files.isRegularFile(d.resolve(MANIFEST))
                && (Files.isRegularFile(d.resolve(BASE)) || Files.isRegularFile(d.resolve(BASE + AGE_SUFFIX)));
    }

    Path dir() {
        return dir;
    }

    String get(String key) {
        return properties.getProperty(key);
    }

    String id() {
        return get("id");
    }

    boolean encrypted() {
        return Boolean.parseBoolean(get("encrypted"));
    }

    Instant stopTime() {
        return Instant.parse(get("stop.time"));
    }

    /** @return the archive file of the base: base.tar or base.tar.age */
    Path base() {
        return dir.resolve(encrypted() ? BASE + AGE_SUFFIX : BASE);
    }

    /**
     * Checks every file of the backup against manifest.sha256.
     *
     * @return the problems, empty when the backup is whole
     */
    List<String> verify() {
        List<String> problems = new ArrayList<>();
        Map<String, String> expected = readSums(dir.resolve(MANIFEST));
        Map<String, String> found = new TreeMap<>();
        for (String file : files(dir)) {
            if (!file.equals(MANIFEST)) {
                found.put(file, sha256(dir.resolve(file)));
            }
        }
        expected.forEach((file, sum) -> {
            String actual = found.get(file);
            if (actual == null) {
                problems.add(file + " is missing");
            } else if (!actual.equals(sum)) {
                problems.add(file + " is damaged (its SHA-256 differs from " + MANIFEST + ")");
            }
        });
        found.keySet().stream().filter(f -> !expected.containsKey(f)).forEach(f -> problems.add(f + " is not in "
                + MANIFEST));
        if (expected.isEmpty()) {
            problems.add(MANIFEST + " lists no file");
        }
        return problems;
    }

    /** Writes manifest.sha256 over every other file of the directory. */
    static void writeManifest(Path dir) {
        Map<String, String> sums = new TreeMap<>();
        for (String file : files(dir)) {
            if (!file.equals(MANIFEST)) {
                sums.put(file, sha256(dir.resolve(file)));
            }
        }
        writeSums(dir.resolve(MANIFEST), sums);
    }

    /** @return the regular files below the directory, relative, with '/' */
    static List<String> files(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString().replace('\\', '/'))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void writeSums(Path file, Map<String, String> sums) {
        StringBuilder text = new StringBuilder();
        sums.forEach((name, sum) -> text.append(sum).append("  ").append(name).append('\n'));
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, String> readSums(Path file) {
        Map<String, String> sums = new TreeMap<>();
        if (!Files.isRegularFile(file)) {
            return sums;
        }
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.length() > 66 && line.charAt(64) == ' ') {
                    sums.put(line.substring(66), line.substring(0, 64));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sums;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }

    static String sha256(Path file) {
        MessageDigest digest = sha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return hex(digest);
    }

    /** Writes backup.properties. */
    static void writeProperties(Path dir, Map<String, String> values) {
        Properties p = new Properties();
        values.forEach(p::setProperty);
        p.setProperty("format", FORMAT);
        try (OutputStream out = Files.newOutputStream(dir.resolve(PROPERTIES))) {
            p.store(out, "jeex-db base backup");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
