package io.jeex.db;

import io.jeex.db.schema.JdbcUrlMask;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The physical connections of one pool, opened by the PostgreSQL driver, with a memory of how
 * the last attempts went. HikariCP opens its connections through this data source, so every
 * attempt of the pool's own (filling, replacing) is seen; when the latest attempt failed the
 * server is taken as unreachable until one succeeds, and callers fail at once instead of waiting
 * out the acquire timeout ({@link Acquirer}).
 *
 * <p>While the server is unreachable at most one caller at a time probes it with a connection
 * attempt of its own (bounded by the driver's connect and login timeouts), and not more often
 * than every {@link #PROBE_INTERVAL_NANOS}: others fail with the last attempt's error. A probe
 * that succeeds hands its connection to the caller that made it, so the first call after the
 * server is back does not wait for HikariCP's own retry, which backs off up to 5 s.
 *
 * <p>Closing: HikariCP's {@code close()} waits up to {@link #getLoginTimeout()} for its threads
 * that are still opening a connection, which against a server that accepts and never answers is
 * the whole login timeout. Once the pool is closing, this data source opens nothing more, and the
 * pool's attempts under way are aborted: the driver runs each login in a thread of its own and
 * gives up on an interrupt, closing the connection should it still arrive.
 *
 * <p>Holds the password in the driver properties; never prints them.
 */
final class ConnectAttempts implements DataSource {

    /** How often, at most, a caller probes an unreachable server. */
    static final long PROBE_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private record Failure(SQLException error, long atNanos) {
    }

    private final Driver driver = new org.postgresql.Driver();
    private final String url;
    private final Properties properties;
    private final long probeWaitMillis;
    private volatile Failure lastFailure;
    private volatile long lastSuccessNanos = System.nanoTime();
    private final AtomicReference<CompletableFuture<Boolean>> probe = new AtomicReference<>();
    /** The pool's own threads inside the driver's connect (not callers' probes). */
    private final java.util.Set<Thread> opening = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile java.util.function.BooleanSupplier closing = () -> false;

    /**
     * @param url the JDBC URL
     * @param properties the driver properties, user and password included
     * @param probeWaitMillis how long a caller waits for another caller's probe (the connect and
     *     login timeouts, plus a margin)
     */
    ConnectAttempts(String url, Properties properties, long probeWaitMillis) {
        this.url = url;
        this.properties = properties;
        this.probeWaitMillis = probeWaitMillis;
    }

    /**
     * @param closing whether the pool has begun to close (HikariCP's {@code isClosed()})
     */
    void closesWith(java.util.function.BooleanSupplier closing) {
        this.closing = closing;
    }

    /**
     * Opens a physical connection for the pool and records how it went.
     *
     * @throws SQLException 08003 once the pool is closing; the driver's failure otherwise
     */
    @Override
    public Connection getConnection() throws SQLException {
        if (closing.getAsBoolean()) {
            throw new SQLException("the pool is closing: no new connection", "08003");
        }
        Thread me = Thread.currentThread();
        opening.add(me);
        try {
            return connect();
        } finally {
            opening.remove(me);
        }
    }

    private Connection connect() throws SQLException {
        try {
            Connection c = driver.connect(url, properties);
            if (c == null) {
                throw new SQLException("the PostgreSQL driver does not accept the URL " + JdbcUrlMask.mask(url)
                        + "; it must start with jdbc:postgresql:", "08001");
            }
            lastSuccessNanos = System.nanoTime();
            return c;
        } catch (SQLException e) {
            lastFailure = new Failure(e, System.nanoTime());
            throw e;
        } catch (RuntimeException e) {
            SQLException wrapped = new SQLException("opening a connection failed: " + e, "08001", e);
            lastFailure = new Failure(wrapped, System.nanoTime());
            throw wrapped;
        }
    }

    /** @return whether the latest connection attempt failed (and none succeeded since) */
    boolean unreachable() {
        Failure f = lastFailure;
        return f != null && f.atNanos() - lastSuccessNanos > 0;
    }

    /**
     * While the server is unreachable: probes it, or fails with the last attempt's error.
     *
     * @return a new physical connection when this caller's probe succeeded; null when another
     *     caller's probe did (the pool may be used again)
     * @throws SQLException the failure of the probe, or of the last attempt when it is recent or
     *     another caller's probe failed
     */
    Connection probeOrFail() throws SQLException {
        Failure f = lastFailure;
        if (f != null && unreachable() && System.nanoTime() - f.atNanos() < PROBE_INTERVAL_NANOS) {
            throw recent(f);
        }
        CompletableFuture<Boolean> mine = new CompletableFuture<>();
        CompletableFuture<Boolean> running = probe.compareAndExchange(null, mine);
        if (running != null) {
            try {
                running.get(probeWaitMillis, TimeUnit.MILLISECONDS);
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while waiting for a connection attempt", "08001", e);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                Failure latest = lastFailure;
                throw latest != null ? recent(latest)
                        : new SQLException("a connection attempt did not finish in time", "08001", e);
            }
        }
        try {
            Connection c = connect();
            mine.complete(Boolean.TRUE);
            return c;
        } catch (SQLException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            probe.compareAndSet(mine, null);
        }
    }

    /** The last attempt's failure, for a caller that did not make it: same SQLSTATE, its own stack. */
    private static SQLException recent(Failure f) {
        long ago = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - f.atNanos());
        SQLException original = f.error();
        return new SQLException("the database cannot be reached: the last attempt to connect, " + ago
                + " ms ago, failed: " + JdbcUrlMask.mask(String.valueOf(original.getMessage())),
                original.getSQLState() != null ? original.getSQLState() : "08001", original.getErrorCode(), original);
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("the pool's user and password are set in its driver properties");
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        // the driver logs through java.util.logging
    }

    /** Ignored: the driver's loginTimeout and connectTimeout properties bound every attempt. */
    @Override
    public void setLoginTimeout(int seconds) {
        // see the driver properties
    }

    /**
     * HikariCP asks this only in its {@code close()}, once it refuses new work, to know how long to
     * wait for its threads still opening a connection: then those attempts are aborted (an
     * interrupt, which the driver's login thread obeys), and the wait is short.
     *
     * @return the driver's login timeout in seconds; 1 while the pool closes
     */
    @Override
    public int getLoginTimeout() {
        if (closing.getAsBoolean()) {
            opening.forEach(Thread::interrupt);
            return 1;
        }
        return (int) Math.max(1, (probeWaitMillis - 1000) / 1000);
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        throw new SQLException("not a wrapper of " + type.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
        return type.isInstance(this);
    }

    @Override
    public String toString() {
        return "ConnectAttempts[" + JdbcUrlMask.mask(url) + (unreachable() ? ", unreachable" : "") + "]";
    }
}
