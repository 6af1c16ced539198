package io.jeex.db;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * pgjdbc's multi-host URLs ({@code jdbc:postgresql://h1:5432,h2:5432/db}): which server of the
 * list each pool wants. The driver's default, {@code targetServerType=any}, takes the first host
 * that answers, which after a failover may be a standby: the writer's pool (and the migrations'
 * and health's connections to the primary) asks for {@code primary}, a replica's pool for
 * {@code preferSecondary}. A URL that sets {@code targetServerType} itself, or names one host,
 * is left as it is. Pure functions.
 */
final class MultiHostUrls {

    /** The host list: after {@code //}, up to the path, the query or the end. */
    private static final Pattern HOSTS = Pattern.compile("^jdbc:postgresql://([^/?#]*)");

    private MultiHostUrls() {
    }

    /** @return the URL for connections that must reach the primary */
    static String writer(String url) {
        return withTarget(url, "primary");
    }

    /** @return the URL for a replica's pool: a standby preferred */
    static String reader(String url) {
        return withTarget(url, "preferSecondary");
    }

    /** @return whether the URL names more than one host */
    static boolean multiHost(String url) {
        var m = HOSTS.matcher(url);
        return m.find() && m.group(1).contains(",");
    }

    private static String withTarget(String url, String target) {
        if (!multiHost(url) || url.toLowerCase(Locale.ROOT).contains("targetservertype=")) {
            return url;
        }
        int fragment = url.indexOf('#');
        String base = fragment < 0 ? url : url.substring(0, fragment);
        String rest = fragment < 0 ? "" : url.substring(fragment);
        String separator = !base.contains("?") ? "?" : base.endsWith("?") || base.endsWith("&") ? "" : "&";
        return base + separator + "targetServerType=" + target + rest;
    }
}
