package io.jeex.db;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.TimeUnit;

/**
 * Borrows connections from one HikariCP pool, failing at once when the server cannot be
 * reached. HikariCP alone waits out the whole acquire timeout (30 s by default) when connection
 * attempts fail; here the wait runs in slices of {@link #SLICE_MILLIS}, and between slices the
 * pool's {@link ConnectAttempts} decide: while the latest attempt to open a connection failed,
 * an idle pooled connection is still used if one answers, else the caller probes the server or
 * fails with the last attempt's error. A caller therefore fails within the connect timeout, not
 * the acquire timeout; waiting for a busy pool is unchanged.
 */
final class Acquirer implements ConnectionSource {

    /** How long one slice of waiting for a pooled connection lasts. */
    static final long SLICE_MILLIS = 100;

    private final HikariDataSource pool;
    private final ConnectAttempts attempts;
    private final AcquireMetrics metrics;
    private final long acquireTimeoutNanos;

    Acquirer(HikariDataSource pool, ConnectAttempts attempts, AcquireMetrics metrics, long acquireTimeoutMillis) {
        this.pool = pool;
        this.attempts = attempts;
        this.metrics = metrics;
        this.acquireTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(acquireTimeoutMillis);
    }

    /** @return the pool */
    public HikariDataSource pool() {
        return pool;
    }

    /**
     * @return whether the latest attempt to open a connection of this pool failed
     */
    public boolean unreachable() {
        return attempts.unreachable();
    }

    /**
     * Borrows a connection.
     *
     * @return a pooled connection, or (once, when a probe found the server back) a new physical
     *     one; closing it returns or closes it
     * @throws SQLException the pool's timeout ({@link SQLTransientConnectionException}), the
     *     failure to connect, or HikariCP's error for a closed pool
     */
    @Override
    public Connection acquire() throws SQLException {
        HikariPool hikari = (HikariPool) pool.getHikariPoolMXBean();
        if (hikari == null) {
            return pool.getConnection(); // closed: HikariCP says so
        }
        AcquireMetrics.Tracker tracker = metrics.tracker();
        long start = System.nanoTime();
        long deadline = start + acquireTimeoutNanos;
        if (tracker != null) {
            tracker.slicing(true);
        }
        try {
            while (true) {
                if (attempts.unreachable()) {
                    Connection pooled = idle(hikari);
                    if (pooled == null) {
                        pooled = attempts.probeOrFail();
                    }
                    if (pooled != null) {
                        acquired(tracker, start);
                        return pooled;
                    }
                    continue; // another caller's probe found the server back: wait for the pool
                }
                long remaining = deadline - System.nanoTime();
                try {
                    Connection c = hikari.getConnection(Math.max(0, Math.min(SLICE_MILLIS,
                            TimeUnit.NANOSECONDS.toMillis(remaining))));
                    acquired(tracker, start);
                    return c;
                } catch (SQLTransientConnectionException e) {
                    if (deadline - System.nanoTime() <= 0) {
                        if (tracker != null) {
                            tracker.timedOut(System.nanoTime() - start);
                        }
                        throw e;
                    }
                }
            }
        } finally {
            if (tracker != null) {
                tracker.slicing(false);
            }
        }
    }

    private static Connection idle(HikariPool hikari) throws SQLException {
        try {
            return hikari.getConnection(0);
        } catch (SQLTransientConnectionException e) {
            return null;
        }
    }

    private static void acquired(AcquireMetrics.Tracker tracker, long start) {
        if (tracker != null) {
            tracker.acquired(System.nanoTime() - start);
        }
    }
}
