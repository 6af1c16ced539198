package io.jeex.db;

import static java.util.Objects.requireNonNull;

import io.jeex.db.schema.JdbcUrlMask;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The checks of single configuration values, shared by the configuration records. Each message
 * names the property, the rule and the value: "{@code poolSize must be at least 0, but was -1}".
 */
final class ConfigChecks {

    /** A user (and password) before the host: {@code //user:password@host}. */
    private static final Pattern USER_INFO = Pattern.compile("^jdbc:postgresql://[^/?#]*@");
    /** A port after a host of the URL's host list ({@code //h1:5432,h2:5433/db}). */
    private static final Pattern PORT = Pattern.compile("(?<=[/,])(?:\\[[^\\]]*\\]|[^/:,?\\[]*):(\\d+)(?=[,/?]|$)");

    private ConfigChecks() {
    }

    static int atLeast(String property, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(property + " must be at least " + min + ", but was " + value);
        }
        return value;
    }

    static Duration atLeast(String property, Duration value, Duration min) {
        requireNonNull(value, property);
        if (value.compareTo(min) < 0) {
            throw new IllegalArgumentException(property + " must be at least " + Durations.ms(min) + ", but was "
                    + Durations.ms(value));
        }
        return value;
    }

    /** Zero (off) or at least {@code min}; the message gives {@code min} in milliseconds. */
    static Duration zeroOrAtLeast(String property, Duration value, Duration min) {
        requireNonNull(value, property);
        if (!value.isZero() && value.compareTo(min) < 0) {
            throw new IllegalArgumentException(property + " must be 0 ms (off) or at least " + Durations.ms(min)
                    + ", but was " + Durations.ms(value));
        }
        return value;
    }

    /** A {@code jdbc:postgresql:} URL whose ports are from 1 to 65535; messages show it masked. */
    static String url(String property, String url) {
        requireNonNull(url, property);
        if (!url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException(property + " must be a PostgreSQL JDBC URL starting with "
                    + "jdbc:postgresql:, but was '" + JdbcUrlMask.mask(url) + "'");
        }
        // pgjdbc has no user info in its URLs: it would take "user:password@host" for a host name
        // and put it, password and all, into the UnknownHostException of every connect
        if (USER_INFO.matcher(url).find()) {
            throw new IllegalArgumentException(property + " must not hold a user or password before the host "
                    + "(user:password@host), which the PostgreSQL driver reads as a host name: set them with user() "
                    + "and password() (JEEX_DB_USER, JEEX_DB_PASSWORD), but was '" + JdbcUrlMask.mask(url) + "'");
        }
        // pgjdbc would only log a warning for such a port and refuse the URL on every connect
        Matcher port = PORT.matcher(url);
        while (port.find()) {
            int n = port.group(1).length() > 5 ? 0 : Integer.parseInt(port.group(1));
            if (n < 1 || n > 65535) {
                throw new IllegalArgumentException(property + " must have a port from 1 to 65535, but was '"
                        + JdbcUrlMask.mask(url) + "'");
            }
        }
        return url;
    }
}
