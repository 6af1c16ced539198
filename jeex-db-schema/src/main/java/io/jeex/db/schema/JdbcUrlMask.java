package io.jeex.db.schema;

import java.util.regex.Pattern;

/**
 * Masks the secrets of a JDBC URL before it reaches a log line, an exception message or a
 * {@code toString()}: the one masker of jeex-db, used by every module.
 *
 * <p>Two kinds of secret are replaced by {@code ****}, and nothing else changes:
 * <ul>
 *   <li>the value of every parameter whose name ends (case-insensitively) in {@code password},
 *       {@code passwd}, {@code pwd}, {@code secret} or {@code token}, such as {@code password},
 *       {@code sslpassword} or {@code access_token}. The value runs to the next {@code &} or to the
 *       end, as the PostgreSQL driver reads it, so a {@code ;} or {@code #} in a password is masked
 *       too;</li>
 *   <li>the password of user info ({@code //user:secret@host}), up to the last {@code @} before the
 *       host; the user's name stays.</li>
 * </ul>
 *
 * <pre>{@code
 * JdbcUrlMask.mask("jdbc:postgresql://db:5432/jeex?user=app&password=s3cr3t&ssl=true")
 *     // jdbc:postgresql://db:5432/jeex?user=app&password=****&ssl=true
 * JdbcUrlMask.mask("jdbc:postgresql://app:s3cr3t@db/jeex")
 *     // jdbc:postgresql://app:****@db/jeex
 * JdbcUrlMask.mask("jdbc:postgresql://db/jeex?sslpassword=k3y")
 *     // jdbc:postgresql://db/jeex?sslpassword=****
 * }</pre>
 *
 * <p>It also masks URLs inside a longer text, such as a driver's exception message; there the rest
 * of the text after a masked parameter is masked up to the next {@code &}, since a password may hold
 * spaces.
 */
public final class JdbcUrlMask {

    /** What replaces each secret. */
    public static final String MASK = "****";

    /** A secret-looking parameter name, {@code =}, and its value up to the next {@code &}. */
    private static final Pattern SECRET_PARAMETER = Pattern.compile(
            "(?i)([a-z0-9_.\\-]*(?:password|passwd|pwd|secret|token)=)[^&]*");

    /** {@code //user:password@}: the password may hold {@code @} and {@code :}, not {@code / ? #} or space. */
    private static final Pattern USER_INFO = Pattern.compile("(//[^/?#@:\\s]*):[^/?#\\s]*@");

    private JdbcUrlMask() {
    }

    /**
     * Returns the URL with every secret replaced by {@value #MASK}.
     *
     * @param url a JDBC URL, a text containing one, or null
     * @return the masked URL; null for null
     */
    public static String mask(String url) {
        if (url == null) {
            return null;
        }
        String masked = USER_INFO.matcher(url).replaceAll("$1:" + MASK + "@");
        return SECRET_PARAMETER.matcher(masked).replaceAll("$1" + MASK);
    }
}
