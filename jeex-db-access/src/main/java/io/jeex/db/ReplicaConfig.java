package io.jeex.db;

import static java.util.Objects.requireNonNull;

import io.jeex.db.schema.JdbcUrlMask;
import java.time.Duration;
import java.util.Optional;

/**
 * The read replica for {@link JeexDatabase#readOnly} work, and what reads sent to it may return.
 * Immutable; derive a changed copy with the {@code withX} methods, starting from {@link #DEFAULTS}
 * (no replica).
 *
 * <p>Environment variables ({@link JeexDbConfig#fromEnvironment(java.util.Map)}):
 * JEEX_DB_REPLICA_URL, JEEX_DB_REPLICA_READ_CONSISTENCY ({@code read_your_writes} or
 * {@code replica}), JEEX_DB_REPLICA_WAIT_TIMEOUT.
 *
 * @param url the JDBC URL of a read replica, or empty (the default) for none; a
 *     {@code jdbc:postgresql:} URL whose ports are from 1 to 65535
 * @param readConsistency what reads sent to the replica may return; default
 *     {@link ReadConsistency#READ_YOUR_WRITES}: never older than this instance's own committed
 *     writes. Without a replica it has no effect
 * @param waitTimeout with {@link ReadConsistency#READ_YOUR_WRITES}, how long a read waits for the
 *     replica to replay this instance's writes before it runs on the primary instead; zero sends it
 *     to the primary at once; default 100 ms
 */
public record ReplicaConfig(Optional<String> url, ReadConsistency readConsistency, Duration waitTimeout) {

    /** No replica; with one, read-your-writes, waiting up to 100 ms for it. */
    public static final ReplicaConfig DEFAULTS = new ReplicaConfig(Optional.empty(), ReadConsistency.READ_YOUR_WRITES,
            Duration.ofMillis(100));

    /**
     * Checks every value.
     *
     * @throws IllegalArgumentException if the URL is not a {@code jdbc:postgresql:} URL, a port is
     *     outside 1 to 65535, or the wait is negative; the message shows the URL masked
     * @throws NullPointerException if an argument is null
     */
    public ReplicaConfig {
        requireNonNull(url, "replicaUrl").ifPresent(u -> ConfigChecks.url("replicaUrl", u));
        requireNonNull(readConsistency, "replicaReadConsistency");
        ConfigChecks.atLeast("replicaWaitTimeout", waitTimeout, Duration.ZERO);
    }

    /**
     * @param url see {@link #url()}; null for none
     * @return a copy with this value
     * @throws IllegalArgumentException if not a {@code jdbc:postgresql:} URL, or a port is outside 1 to 65535
     */
    public ReplicaConfig withUrl(String url) {
        return new ReplicaConfig(Optional.ofNullable(url), readConsistency, waitTimeout);
    }

    /**
     * @param readConsistency see {@link #readConsistency()}
     * @return a copy with this value
     * @throws NullPointerException if null
     */
    public ReplicaConfig withReadConsistency(ReadConsistency readConsistency) {
        return new ReplicaConfig(url, readConsistency, waitTimeout);
    }

    /**
     * @param waitTimeout see {@link #waitTimeout()}; zero or more
     * @return a copy with this value
     * @throws IllegalArgumentException if negative
     */
    public ReplicaConfig withWaitTimeout(Duration waitTimeout) {
        return new ReplicaConfig(url, readConsistency, waitTimeout);
    }

    /** @return every value, named as in error messages, with a password in the URL masked */
    @Override
    public String toString() {
        return "ReplicaConfig[replicaUrl=" + url.map(JdbcUrlMask::mask).orElse(null) + ", replicaReadConsistency="
                + readConsistency + ", replicaWaitTimeout=" + waitTimeout + "]";
    }
}
