package io.jeex.db.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * PostgreSQL's WAL file names: {@code TTTTTTTTXXXXXXXXYYYYYYYY}, timeline, then the segment number
 * split in a high part ("log") and a low part, in hexadecimal; the archive may add a suffix
 * ({@code .age}, {@code .partial}, {@code .00000028.backup}).
 */
final class WalFiles {

    private static final Pattern SEGMENT = Pattern.compile("[0-9A-F]{24}(\\..*)?");

    private WalFiles() {
    }

    /** @return whether the archive file is (a variant of) a WAL segment, not a timeline history file */
    static boolean isSegment(String fileName) {
        return SEGMENT.matcher(fileName).matches();
    }

    /** @return whether the archive file is a timeline history file ({@code 00000002.history}, maybe .age) */
    static boolean isHistory(String fileName) {
        return fileName.matches("[0-9A-F]{8}\\.history(\\.age)?");
    }

    /**
     * @param start the first segment's name
     * @param stop the last segment's name (same timeline)
     * @param segmentSize {@code wal_segment_size} in bytes
     * @return every segment name from start to stop
     */
    static List<String> range(String start, String stop, long segmentSize) {
        long perLog = 0x100000000L / segmentSize;
        long from = segno(start, perLog);
        long to = segno(stop, perLog);
        List<String> names = new ArrayList<>();
        for (long n = from; n <= to; n++) {
            names.add(start.substring(0, 8) + String.format(Locale.ROOT, "%08X%08X", n / perLog, n % perLog));
        }
        return names;
    }

    private static long segno(String name, long perLog) {
        return Long.parseLong(name.substring(8, 16), 16) * perLog + Long.parseLong(name.substring(16, 24), 16);
    }

    /**
     * Whether an archive file is older than a segment, ignoring the timeline, as
     * {@code pg_archivecleanup} decides.
     *
     * @param fileName an archive file
     * @param oldestKept the oldest segment a kept backup needs
     * @return true for a segment (or its .partial/.backup/.age variant) logically before it
     */
    static boolean isBefore(String fileName, String oldestKept) {
        return isSegment(fileName) && fileName.substring(8, 24).compareTo(oldestKept.substring(8, 24)) < 0;
    }
}
