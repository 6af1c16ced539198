package io.jeex.db.testkit;

import io.jeex.db.schema.JdbcUrlMask;
import io.jeex.db.schema.ServiceMigrations;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The testkit's settings, each read from a system property or, when that is not set, from
 * the environment variable of the same name in upper case with underscores
 * ({@code jeex.db.test.url} → {@code JEEX_DB_TEST_URL}), or else from the file
 * {@value #PROPERTIES_FILE} on the test class path (where a service configures its own
 * migrations once, for every test).
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
 *       in the background at first (0 to 16); then as many as cover the time to make one at the rate
 *       tests ask, {@code clamp(ceil(make / between requests) + 1, 1, 16)}, over a floor that doubles
 *       when a test finds no clone ready; 0 turns prefetching off</td></tr>
 *   <tr><td>{@value #RECYCLE}</td><td>{@code false}</td><td>{@code true}: a closed test database
 *       whose schema the test left unchanged is emptied in the background (one {@code DELETE} per
 *       table, sequences reset, under a new name) and handed out again, instead of dropped and
 *       cloned anew; a changed schema is dropped as before. Saves the checkpoint every
 *       {@code DROP DATABASE} requests. Needs the server's {@code track_counts} (on by default: a
 *       schema change is told by the catalog writes it counts); a recycled database differs from a
 *       fresh one only in its tables' physical size, planner statistics and cumulative statistics</td></tr>
 *   <tr><td>{@value #KEEP_FAILED}</td><td>{@code false}</td><td>keep the database of a failed
 *       test and log its URL; it lasts until the test JVM exits unless the server is external</td></tr>
 *   <tr><td>{@value #SERVICE_NAME}</td><td>none</td><td>the name of the service's own
 *       migrations (with {@value #SERVICE_LOCATIONS}): the template holds them after jeex-db's,
 *       so every test database has the service's tables too</td></tr>
 *   <tr><td>{@value #SERVICE_LOCATIONS}</td><td>none</td><td>their Flyway locations, separated
 *       by commas ({@code classpath:db/migration/ideas})</td></tr>
 *   <tr><td>{@value #SERVICE_SCHEMA}</td><td>{@code public}</td><td>their schema</td></tr>
 *   <tr><td>{@value #SERVICE_HISTORY_TABLE}</td><td>{@code <name>_schema_history}</td><td>their
 *       history table</td></tr>
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
    /** Whether closed test databases with an unchanged schema are emptied and handed out again. */
    public static final String RECYCLE = "jeex.db.test.recycle";
    /** Number of clones prepared ahead until the rates are measured; 0 turns prefetching off. */
    public static final String PREFETCH = "jeex.db.test.prefetch";
    /** Keep failed tests' databases. */
    public static final String KEEP_FAILED = "jeex.db.test.keep-failed";
    /** The name of the service's own migrations, which the template holds after jeex-db's. */
    public static final String SERVICE_NAME = "jeex.db.test.service.name";
    /** Their Flyway locations, comma-separated. */
    public static final String SERVICE_LOCATIONS = "jeex.db.test.service.locations";
    /** Their schema. */
    public static final String SERVICE_SCHEMA = "jeex.db.test.service.schema";
    /** Their history table. */
    public static final String SERVICE_HISTORY_TABLE = "jeex.db.test.service.history-table";
    /** The file on the test class path that holds settings not given as properties or variables. */
    public static final String PROPERTIES_FILE = "jeex-db-test.properties";

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
        java.util.Properties file = propertiesFile();
        return new TestkitSettings(name -> {
            String value = System.getProperty(name);
            if (value == null) {
                value = System.getenv(environmentName(name));
            }
            return value != null ? value : file.getProperty(name);
        });
    }

    /** {@value #PROPERTIES_FILE} from the context class loader, empty when there is none. */
    private static java.util.Properties propertiesFile() {
        java.util.Properties p = new java.util.Properties();
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) {
            loader = TestkitSettings.class.getClassLoader();
        }
        try (java.io.InputStream in = loader.getResourceAsStream(PROPERTIES_FILE)) {
            if (in != null) {
                p.load(new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8));
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + PROPERTIES_FILE + " from the class path", e);
        }
        return p;
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

    /**
     * @return the service's own migrations, when {@value #SERVICE_NAME} and
     *     {@value #SERVICE_LOCATIONS} are set
     * @throws IllegalArgumentException if only one of them is set, or a value breaks its rule
     */
    public Optional<ServiceMigrations> serviceMigrations() {
        Optional<String> name = get(SERVICE_NAME);
        Optional<String> locations = get(SERVICE_LOCATIONS);
        if (name.isEmpty() && locations.isEmpty()) {
            return Optional.empty();
        }
        if (name.isEmpty() || locations.isEmpty()) {
            throw new IllegalArgumentException((name.isEmpty() ? SERVICE_NAME : SERVICE_LOCATIONS) + " must be set "
                    + "together with " + (name.isEmpty() ? SERVICE_LOCATIONS : SERVICE_NAME) + " (in " + PROPERTIES_FILE
                    + " on the test class path, a system property or a variable), but was not set");
        }
        try {
            ServiceMigrations service = ServiceMigrations.of(name.get(), java.util.Arrays.stream(
                    locations.get().split(",")).map(String::trim).filter(l -> !l.isEmpty()).toArray(String[]::new));
            service = get(SERVICE_SCHEMA).map(service::withSchema).orElse(service);
            return Optional.of(get(SERVICE_HISTORY_TABLE).map(service::withHistoryTable).orElse(service));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("jeex.db.test.service.*: the service's migrations: " + e.getMessage(), e);
        }
    }

    boolean recycle() {
        String raw = get(RECYCLE).orElse(null);
        if (raw == null) {
            return false;
        }
        String value = raw.trim().toLowerCase(Locale.ROOT);
        if (!value.equals("true") && !value.equals("false")) {
            throw new IllegalArgumentException(RECYCLE + " must be true or false");
        }
        return value.equals("true");
    }

    boolean keepFailed() {
        return get(KEEP_FAILED).map(Boolean::parseBoolean).orElse(false);
    }

    @Override
    public String toString() {
        return "TestkitSettings[provider=" + get(PROVIDER).orElse("auto")
                + ", url=" + get(URL).map(JdbcUrlMask::mask).orElse("none") + "]";
    }
}
