package io.jeex.db.testkit;

import static java.util.Objects.requireNonNull;

import java.util.function.BooleanSupplier;

/**
 * The provider chain's decision, isolated from the environment so that it can be tested:
 * a forced provider wins; otherwise an external URL selects {@link ProviderKind#EXTERNAL};
 * otherwise Testcontainers when a Docker engine answers; otherwise the embedded server.
 *
 * @param kind the chosen provider
 * @param reason why, in a few words, for the one log line that announces the choice
 */
public record ProviderSelection(ProviderKind kind, String reason) {

    /**
     * Creates a selection.
     *
     * @throws NullPointerException if an argument is null
     */
    public ProviderSelection {
        requireNonNull(kind, "kind");
        requireNonNull(reason, "reason");
    }

    /**
     * Chooses a provider.
     *
     * @param settings the settings ({@link TestkitSettings#PROVIDER}, {@link TestkitSettings#URL})
     * @param dockerAvailable asked only when neither a forced provider nor a URL decides
     * @return the choice and its reason
     * @throws IllegalArgumentException if the forced provider is unknown, or {@code external}
     *     is forced without a URL
     */
    public static ProviderSelection choose(TestkitSettings settings, BooleanSupplier dockerAvailable) {
        var forced = settings.forcedProvider();
        if (forced.isPresent()) {
            ProviderKind kind = forced.get();
            if (kind == ProviderKind.EXTERNAL && settings.externalUrl().isEmpty()) {
                throw new IllegalArgumentException(TestkitSettings.PROVIDER + "=external needs a server: set "
                        + TestkitSettings.URL + " (or " + TestkitSettings.environmentName(TestkitSettings.URL)
                        + ") to its JDBC URL, for example jdbc:postgresql://localhost:5432/postgres");
            }
            return new ProviderSelection(kind, "forced by " + TestkitSettings.PROVIDER);
        }
        if (settings.externalUrl().isPresent()) {
            return new ProviderSelection(ProviderKind.EXTERNAL, TestkitSettings.URL + " is set");
        }
        if (dockerAvailable.getAsBoolean()) {
            return new ProviderSelection(ProviderKind.TESTCONTAINERS, "a Docker engine answered");
        }
        return new ProviderSelection(ProviderKind.EMBEDDED, "no Docker engine answered");
    }
}
