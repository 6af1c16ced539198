package io.jeex.db;

import io.jeex.db.schema.JdbcUrlMask;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A data source that opens a new, unpooled connection on every call, bounded by its own timeout:
 * the TCP connect, TLS and the login together take at most that long (pgjdbc's
 * {@code connectTimeout} and {@code loginTimeout}), so a server that refuses, does not answer or
 * refuses the login fails the call within it, never after a pool's acquire timeout. For the
 * library's own connections: migrations and health checks.
 */
final class DirectDataSource implements DataSource {

    private final String url;
    private final String user;
    private final String password;
    private final String applicationName;
    private final int timeoutSeconds;
    private final int socketTimeoutSeconds;
    private final boolean logServerErrorDetail;
    private final String sessionSetting;
    private final String sessionValue;

    /**
     * @param url the JDBC URL
     * @param user the user, or null for the URL's (or the driver's default)
     * @param password the password, or null
     * @param applicationName shown in {@code pg_stat_activity}
     * @param timeout the bound of connect and login; rounded up to whole seconds (pgjdbc's unit)
     * @param socketTimeout how long a read may block, zero for no limit
     * @param logServerErrorDetail whether pgjdbc's messages may hold PostgreSQL's DETAIL
     */
    public DirectDataSource(String url, String user, String password, String applicationName, Duration timeout,
                            Duration socketTimeout, boolean logServerErrorDetail) {
        this(url, user, password, applicationName, timeout, socketTimeout, logServerErrorDetail, null, null);
    }

    private DirectDataSource(String url, String user, String password, String applicationName, Duration timeout,
                             Duration socketTimeout, boolean logServerErrorDetail, String sessionSetting,
                             String sessionValue) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.applicationName = applicationName;
        this.timeoutSeconds = seconds(timeout);
        this.socketTimeoutSeconds = socketTimeout.isZero() ? 0 : seconds(socketTimeout);
        this.logServerErrorDetail = logServerErrorDetail;
        this.sessionSetting = sessionSetting;
        this.sessionValue = sessionValue;
    }

    private static int seconds(Duration d) {
        return (int) Math.max(1, (d.toMillis() + 999) / 1000);
    }

    /**
     * The same server and credentials with other timeouts and application name, for example for
     * a health check's own connection.
     *
     * @param name the application name
     * @param timeout the bound of connect and login
     * @param socket how long a read may block, zero for no limit
     * @return a new data source
     */
    public DirectDataSource with(String name, Duration timeout, Duration socket) {
        return new DirectDataSource(url, user, password, name, timeout, socket, logServerErrorDetail, sessionSetting,
                sessionValue);
    }

    /**
     * The same data source whose connections set a session setting right after the login, for
     * example {@code lock_timeout} for migrations ({@code set_config(name, value, false)}: one
     * round trip; not a start-up parameter, which a pooler wrongly in the way would refuse before
     * the login could say what is wrong).
     *
     * @param setting the setting's name
     * @param value its value
     * @return a new data source
     */
    public DirectDataSource withSessionSetting(String setting, String value) {
        return new DirectDataSource(url, user, password, applicationName, Duration.ofSeconds(timeoutSeconds),
                socketTimeoutSeconds == 0 ? Duration.ZERO : Duration.ofSeconds(socketTimeoutSeconds),
                logServerErrorDetail, setting, value);
    }

    /** @return the JDBC URL */
    public String url() {
        return url;
    }

    /** @return the user, or null for the URL's */
    public String user() {
        return user;
    }

    /** @return the bound of connect and login, in whole seconds */
    public int timeoutSeconds() {
        return timeoutSeconds;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return open(user, password);
    }

    @Override
    public Connection getConnection(String username, String pw) throws SQLException {
        return open(username, pw);
    }

    private Connection open(String u, String pw) throws SQLException {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(url);
        if (u != null) {
            ds.setUser(u);
        }
        if (pw != null) {
            ds.setPassword(pw);
        }
        ds.setConnectTimeout(timeoutSeconds);
        ds.setLoginTimeout(timeoutSeconds);
        ds.setSocketTimeout(socketTimeoutSeconds);
        ds.setApplicationName(applicationName);
        ds.setLogServerErrorDetail(logServerErrorDetail);
        Connection c = ds.getConnection();
        if (sessionSetting != null) {
            try (java.sql.PreparedStatement ps = c.prepareStatement("select set_config(?, ?, false)")) {
                ps.setString(1, sessionSetting);
                ps.setString(2, sessionValue);
                ps.execute();
            } catch (SQLException e) {
                c.close();
                throw e;
            }
        }
        return c;
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        // no log writer: the library logs through SLF4J
    }

    @Override
    public void setLoginTimeout(int seconds) {
        // fixed at construction
    }

    @Override
    public int getLoginTimeout() {
        return timeoutSeconds;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("no java.util.logging parent logger");
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("not a wrapper of " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }

    /** No password, no credentials in the URL. */
    @Override
    public String toString() {
        return "DirectDataSource[" + io.jeex.db.schema.JdbcUrlMask.mask(url) + "]";
    }
}
