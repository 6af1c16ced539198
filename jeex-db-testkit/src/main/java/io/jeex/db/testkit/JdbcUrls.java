package io.jeex.db.testkit;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Small helpers for PostgreSQL JDBC URLs. */
final class JdbcUrls {

    private static final Pattern URL = Pattern.compile("^(jdbc:postgresql://[^/?]*)(/[^?]*)?(\\?.*)?$");
    private static final Pattern SECRET = Pattern.compile("(?i)(password|sslpassword)=[^&]*");

    private JdbcUrls() {
    }

    /** Returns the URL with its database replaced, keeping hosts and parameters. */
    static String withDatabase(String jdbcUrl, String database) {
        Matcher m = URL.matcher(jdbcUrl);
        if (!m.matches()) {
            throw new IllegalArgumentException(TestkitSettings.URL
                    + " must be a PostgreSQL JDBC URL like jdbc:postgresql://host:5432/postgres, but was '"
                    + mask(jdbcUrl) + "'");
        }
        return m.group(1) + "/" + database + (m.group(3) == null ? "" : m.group(3));
    }

    /** Returns the URL with password parameters masked, safe to log. */
    static String mask(String jdbcUrl) {
        return SECRET.matcher(jdbcUrl).replaceAll("$1=****");
    }
}
