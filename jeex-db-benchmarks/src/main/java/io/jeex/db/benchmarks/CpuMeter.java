package io.jeex.db.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where the machine's CPU went over a measured window, from Linux's {@code /proc}: the PostgreSQL
 * server (the postmaster, its live children, and the children it reaped meanwhile), PgBouncer,
 * this JVM (the load generator and the library), everything else (other users of the machine),
 * and idle. In cores: CPU seconds per second of wall time.
 */
final class CpuMeter {

    /** Clock ticks per second of /proc's counters (USER_HZ; 100 on Linux/x86). */
    private static final double HZ = 100.0;

    private final long postmaster;
    private final long bouncer;
    private final long self = ProcessHandle.current().pid();

    /** @param bouncer PgBouncer's process id, or -1 without PgBouncer */
    CpuMeter(long postmaster, long bouncer) {
        this.postmaster = postmaster;
        this.bouncer = bouncer;
    }

    /** Counters at one instant, in clock ticks. */
    record Sample(long nanos, long total, long idle, long postgres, long bouncer, long self) {
    }

    /** CPU use between two samples, in cores. */
    record Use(double postgres, double bouncer, double clients, double other, double idle, double cores) {
    }

    Sample sample() {
        long[] cpu = machine();
        return new Sample(System.nanoTime(), cpu[0], cpu[1], postgres(), bouncer < 0 ? 0 : own(bouncer, false), own(self, false));
    }

    static Use between(Sample a, Sample b) {
        double seconds = (b.nanos - a.nanos) / 1e9;
        double total = (b.total - a.total) / HZ / seconds;
        double idle = (b.idle - a.idle) / HZ / seconds;
        double pg = (b.postgres - a.postgres) / HZ / seconds;
        double pgb = (b.bouncer - a.bouncer) / HZ / seconds;
        double jvm = (b.self - a.self) / HZ / seconds;
        return new Use(pg, pgb, jvm, Math.max(0, total - idle - pg - pgb - jvm), idle, total);
    }

    /** @return {all ticks, idle + iowait ticks} of the machine */
    private static long[] machine() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length && i <= 8; i++) { // user nice system idle iowait irq softirq steal
                total += Long.parseLong(f[i]);
            }
            return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("CPU figures need Linux's /proc/stat: " + e, e);
        }
    }

    private long postgres() {
        long sum = own(postmaster, true);
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs.filter(p -> p.getFileName().toString().matches("\\d+"))::iterator) {
                List<String> stat = stat(Long.parseLong(p.getFileName().toString()));
                if (stat != null && Long.parseLong(stat.get(1)) == postmaster) {
                    sum += Long.parseLong(stat.get(11)) + Long.parseLong(stat.get(12));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return sum;
    }

    /** @return utime + stime of a process (with its reaped children's when asked) */
    private static long own(long pid, boolean reapedChildren) {
        List<String> stat = stat(pid);
        if (stat == null) {
            return 0;
        }
        long ticks = Long.parseLong(stat.get(11)) + Long.parseLong(stat.get(12));
        return reapedChildren ? ticks + Long.parseLong(stat.get(13)) + Long.parseLong(stat.get(14)) : ticks;
    }

    /**
     * @return the fields of /proc/pid/stat after the command name (index 0 = state, 1 = ppid,
     *     11 = utime, 12 = stime, 13 = cutime, 14 = cstime), or null when the process is gone
     */
    private static List<String> stat(long pid) {
        try {
            String line = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return List.of(line.substring(line.lastIndexOf(')') + 2).trim().split("\\s+"));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
