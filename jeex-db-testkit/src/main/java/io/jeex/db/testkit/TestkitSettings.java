package io.jeex.db.testkit;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The testkit's settings, each read from a system property or, when that is not set, from
 * the environment variable of the same name in upper case with underscores
 * ({@code jeex.db.test.url} → {@code JEEX_DB_TEST_URL}).
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>property</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@value #PROVIDER}</td><td>{@code auto}</td><td>force {@code external},
 *       {@code testcontainers} or {@code embedded}</td></tr>
 *   <tr><td>{@value #URL}</td><td>none</td><td>JDBC URL of an existing PostgreSQL 18 (any
 *       database on it; the user must be allowed to create databases); selects the external
 *       provider</td></tr>
 *   <tr><td>{@value #USER}</td><td>{@code postgres}</td><td>user for {@value #URL}</td></tr>
 *   <tr><td>{@value #PASSWORD}</td><td>empty</td><td>password for {@value #URL}</td></tr>
 *   <tr><td>{@value #IMAGE}</td><td>{@value #DEFAULT_IMAGE}</td><td>container image</td></tr>
 *   <tr><td>{@value #PREFETCH}</td><td>{@value #DEFAULT_PREFETCH}</td><td>clones prepared ahead
 *       in the background; 0 turns prefetching off</td></tr>
 *   <tr><td>{@value #KEEP_FAILED}</td><td>{@code false}</td><td>keep the database of a failed
 *       test and log its URL; it lasts until the test JVM exits unless the server is external</td></tr>
 * </table>
 *
 * @param source looks up a setting by property name; returns null when unset
 */
public record TestkitSettings(Function<String, String> source) {

    /** Forces a provider: {@code external}, {@code testcontainers}, {@code embedded} or {@code auto}. */
    public static final String PROVIDER = "jeex.db.test.provider";
    /** JDBC URL of an existing server; selects the external provider. */
    public static final String URL = "jeex.db.test.url";
    /** User for the external server. */
    public static final String USER = "jeex.db.test.user";
    /** Password for the external server. */
    public static final String PASSWORD = "jeex.db.test.password";
    /** Container image for the Testcontainers provider. */
    public static final String IMAGE = "jeex.db.test.image";
    /** Number of clones prepared ahead. */
    public static final String PREFETCH = "jeex.db.test.prefetch";
    /** Keep failed tests' databases. */
    public static final String KEEP_FAILED = "jeex.db.test.keep-failed";

    /** The pinned PostgreSQL image; the same major version as the embedded binaries and the compose file. */
    public static final String DEFAULT_IMAGE = "postgres:18.3";
    /** Default number of clones prepared ahead. */
    public static final int DEFAULT_PREFETCH = 2;
    /** Default user of an external server. */
    public static final String DEFAULT_USER = "postgres";

    /**
     * Creates settings over a lookup function.
     *
     * @throws NullPointerException if {@code source} is null
     */
    public TestkitSettings {
        requireNonNull(source, "source");
    }

    /**
     * Settings of this JVM: system properties first, then environment variables.
     *
     * @return the settings
     */
    public static TestkitSettings fromSystem() {
        return new TestkitSettings(name -> {
            String value = System.getProperty(name);
            return value != null ? value : System.getenv(environmentName(name));
        });
    }

    /**
     * Settings from fixed maps, for tests and tools: {@code properties} first, then
     * {@code environment} under the environment-variable names.
     *
     * @param properties system-property style names to values
     * @param environment environment variable names to values
     * @return the settings
     */
    public static TestkitSettings of(Map<String, String> properties, Map<String, String> environment) {
        Map<String, String> props = Map.copyOf(properties);
        Map<String, String> env = Map.copyOf(environment);
        return new TestkitSettings(name -> {
            String value = props.get(name);
            return value != null ? value : env.get(environmentName(name));
        });
    }

    /**
     * The environment-variable name of a property: upper case, dots and dashes as underscores.
     *
     * @param property a property name such as {@value #URL}
     * @return for example {@code JEEX_DB_TEST_URL}
     */
    public static String environmentName(String property) {
        return property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** Returns the trimmed value of a setting, empty when unset or blank. */
    Optional<String> get(String name) {
        String value = source.apply(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    /** The forced provider, empty for automatic choice. */
    Optional<ProviderKind> forcedProvider() {
        return get(PROVIDER).filter(v -> !v.equalsIgnoreCase("auto")).map(ProviderKind::parse);
    }

    Optional<String> externalUrl() {
        return get(URL);
    }

    String user() {
        return get(USER).orElse(DEFAULT_USER);
    }

    String password() {
        String value = source.apply(PASSWORD);
        return value == null ? "" : value;
    }

    String image() {
        return get(IMAGE).orElse(DEFAULT_IMAGE);
    }

    int prefetch() {
        String raw = get(PREFETCH).orElse(null);
        if (raw == null) {
            return DEFAULT_PREFETCH;
        }
        try {
            int value = Integer.parseInt(raw);
            if (value < 0 || value > 16) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(PREFETCH + " must be an integer from 0 to 16, but was '" + raw + "'");
        }
    }

    boolean keepFailed() {
        return get(KEEP_FAILED).map(Boolean::parseBoolean).orElse(false);
    }

    @Override
    public String toString() {
        return "TestkitSettings[provider=" + get(PROVIDER).orElse("auto")
                + ", url=" + get(URL).map(JdbcUrls::mask).orElse("none") + "]";
    }
}
