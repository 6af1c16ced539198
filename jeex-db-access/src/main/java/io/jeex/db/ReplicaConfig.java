package io.jeex.db;

import static java.util.Objects.requireNonNull;

import io.jeex.db.schema.JdbcUrlMask;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The read replicas for {@link JeexDatabase#readOnly} work, how stale a replica may be to serve
 * reads, and what reads sent to one may return. Immutable; derive a changed copy with the
 * {@code withX} methods, starting from {@link #DEFAULTS} (no replica).
 *
 * <p>Each replica gets a pool of its own and a background probe that measures its replay lag
 * every {@link #lagProbeInterval()}; a read goes to the replica with the least lag among those
 * whose lag is at most {@link #maxLag()}, and to the primary when none qualifies. With
 * {@link ReadConsistency#READ_YOUR_WRITES} the chosen replica must also have replayed this
 * instance's last write.
 *
 * <p>A replica URL may be one of pgjdbc's multi-host URLs ({@code jdbc:postgresql://r1:5432,r2:5432/jeex}):
 * its pool then gets {@code targetServerType=preferSecondary} unless the URL sets one, so that
 * it prefers a standby among the hosts.
 *
 * <p>Environment variables ({@link JeexDbConfig#fromEnvironment(java.util.Map)}):
 * JEEX_DB_REPLICA_URLS (URLs separated by commas; a comma inside a multi-host URL does not
 * separate, only one before {@code jdbc:}), or JEEX_DB_REPLICA_URL (one URL; not both),
 * JEEX_DB_REPLICA_MAX_LAG, JEEX_DB_REPLICA_LAG_PROBE_INTERVAL, JEEX_DB_REPLICA_READ_CONSISTENCY
 * ({@code read_your_writes} or {@code replica}), JEEX_DB_REPLICA_WAIT_TIMEOUT.
 *
 * @param urls the JDBC URLs of the read replicas, in order (their index names them in health
 *     and meters); empty (the default) for none; each a {@code jdbc:postgresql:} URL whose ports
 *     are from 1 to 65535, none twice
 * @param readConsistency what reads sent to a replica may return; default
 *     {@link ReadConsistency#READ_YOUR_WRITES}: never older than this instance's own committed
 *     writes. Without a replica it has no effect
 * @param waitTimeout with {@link ReadConsistency#READ_YOUR_WRITES}, how long a read waits for the
 *     chosen replica to replay this instance's writes before it runs on the primary instead; zero
 *     sends it to the primary at once; default 100 ms
 * @param maxLag the most replay lag a replica may have to serve reads, as last measured by its
 *     probe; a replica over it is skipped until it is back under it; at least 1 ms; default 1 s
 * @param lagProbeInterval how often each replica's lag is measured (one query on the replica and
 *     one on the primary); at least 10 ms; default 1 s
 */
public record ReplicaConfig(List<String> urls, ReadConsistency readConsistency, Duration waitTimeout,
                            Duration maxLag, Duration lagProbeInterval) {

    /** Default of {@link #maxLag()}: 1 s. */
    public static final Duration DEFAULT_MAX_LAG = Duration.ofSeconds(1);

    /** Default of {@link #lagProbeInterval()}: 1 s. */
    public static final Duration DEFAULT_LAG_PROBE_INTERVAL = Duration.ofSeconds(1);

    /** Default of {@link #waitTimeout()}: 100 ms. */
    public static final Duration DEFAULT_WAIT_TIMEOUT = Duration.ofMillis(100);

    /** No replica; with some, read-your-writes waiting up to 100 ms, lag bound 1 s measured every second. */
    public static final ReplicaConfig DEFAULTS = new ReplicaConfig(List.of(), ReadConsistency.READ_YOUR_WRITES,
            DEFAULT_WAIT_TIMEOUT, DEFAULT_MAX_LAG, DEFAULT_LAG_PROBE_INTERVAL);

    /**
     * Checks every value.
     *
     * @throws IllegalArgumentException if a URL is not a {@code jdbc:postgresql:} URL, a port is
     *     outside 1 to 65535, a URL appears twice, the wait is negative, the lag bound is under
     *     1 ms or the probe interval under 10 ms; the message shows URLs masked
     * @throws NullPointerException if an argument or a URL is null
     */
    public ReplicaConfig {
        requireNonNull(urls, "replicaUrls");
        for (int i = 0; i < urls.size(); i++) {
            ConfigChecks.url("replicaUrls[" + i + "]", urls.get(i)); // a null URL is named by its index
        }
        urls = List.copyOf(urls);
        if (new HashSet<>(urls).size() != urls.size()) {
            throw new IllegalArgumentException("replicaUrls must not list the same URL twice, but was "
                    + masked(urls) + ": remove the repeated one");
        }
        requireNonNull(readConsistency, "replicaReadConsistency");
        ConfigChecks.atLeast("replicaWaitTimeout", waitTimeout, Duration.ZERO);
        ConfigChecks.atLeast("replicaMaxLag", maxLag, Duration.ofMillis(1));
        ConfigChecks.atLeast("replicaLagProbeInterval", lagProbeInterval, Duration.ofMillis(10));
    }

    /**
     * @param urls see {@link #urls()}
     * @return a copy with these replicas
     * @throws IllegalArgumentException see {@link #ReplicaConfig}
     * @throws NullPointerException if the list or a URL is null
     */
    public ReplicaConfig withUrls(List<String> urls) {
        return new ReplicaConfig(urls, readConsistency, waitTimeout, maxLag, lagProbeInterval);
    }

    /**
     * @param url one replica's JDBC URL, or null for none
     * @return a copy with this one replica (or none)
     * @throws IllegalArgumentException if not a {@code jdbc:postgresql:} URL, or a port is outside 1 to 65535
     */
    public ReplicaConfig withUrl(String url) {
        return withUrls(url == null ? List.of() : List.of(url));
    }

    /**
     * @param readConsistency see {@link #readConsistency()}
     * @return a copy with this value
     * @throws NullPointerException if null
     */
    public ReplicaConfig withReadConsistency(ReadConsistency readConsistency) {
        return new ReplicaConfig(urls, readConsistency, waitTimeout, maxLag, lagProbeInterval);
    }

    /**
     * @param waitTimeout see {@link #waitTimeout()}; zero or more
     * @return a copy with this value
     * @throws IllegalArgumentException if negative
     */
    public ReplicaConfig withWaitTimeout(Duration waitTimeout) {
        return new ReplicaConfig(urls, readConsistency, waitTimeout, maxLag, lagProbeInterval);
    }

    /**
     * @param maxLag see {@link #maxLag()}; at least 1 ms
     * @return a copy with this value
     * @throws IllegalArgumentException if under 1 ms
     */
    public ReplicaConfig withMaxLag(Duration maxLag) {
        return new ReplicaConfig(urls, readConsistency, waitTimeout, maxLag, lagProbeInterval);
    }

    /**
     * @param lagProbeInterval see {@link #lagProbeInterval()}; at least 10 ms
     * @return a copy with this value
     * @throws IllegalArgumentException if under 10 ms
     */
    public ReplicaConfig withLagProbeInterval(Duration lagProbeInterval) {
        return new ReplicaConfig(urls, readConsistency, waitTimeout, maxLag, lagProbeInterval);
    }

    /** @return whether at least one replica is configured */
    public boolean hasReplicas() {
        return !urls.isEmpty();
    }

    private static String masked(List<String> urls) {
        return urls.stream().map(JdbcUrlMask::mask).collect(Collectors.joining(", ", "[", "]"));
    }

    /** @return every value, named as in error messages, with passwords in the URLs masked */
    @Override
    public String toString() {
        return "ReplicaConfig[replicaUrls=" + masked(urls) + ", replicaReadConsistency=" + readConsistency
                + ", replicaWaitTimeout=" + waitTimeout + ", replicaMaxLag=" + maxLag + ", replicaLagProbeInterval="
                + lagProbeInterval + "]";
    }
}
