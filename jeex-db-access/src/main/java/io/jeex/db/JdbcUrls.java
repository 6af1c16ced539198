package io.jeex.db;

import java.util.regex.Pattern;

/** Masks credentials in JDBC URLs before they reach a log line, a message or {@code toString()}. */
public final class JdbcUrls {

    private static final Pattern QUERY_PASSWORD = Pattern.compile("(?i)([?&;][a-z_.]*password=)[^&;#]*");
    private static final Pattern USER_INFO = Pattern.compile("(//[^/@:?]+):[^/@?]*@");

    private JdbcUrls() {
    }

    /**
     * Masks a password given as a URL parameter ({@code ?password=}, {@code &sslpassword=}) or as
     * user info ({@code //user:secret@host}).
     *
     * @param url a JDBC URL, or null
     * @return the URL with every password replaced by {@code ****}; null for null
     */
    public static String mask(String url) {
        if (url == null) {
            return null;
        }
        String masked = QUERY_PASSWORD.matcher(url).replaceAll("$1****");
        return USER_INFO.matcher(masked).replaceAll("$1:****@");
    }
}
