package io.jeex.db.maven;

import static java.util.Objects.requireNonNull;

import io.jeex.db.schema.JeexSchema;
import io.jeex.db.schema.ServiceMigrations;
import io.jeex.db.testkit.JeexPostgres;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.TestkitSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jooq.codegen.GenerationTool;
import org.jooq.meta.jaxb.Configuration;
import org.jooq.meta.jaxb.Database;
import org.jooq.meta.jaxb.Jdbc;
import org.jooq.meta.jaxb.Target;

/**
 * One run of the code generation, without Maven: provisions a PostgreSQL 18 through the testkit's
 * provider chain (an external URL, Testcontainers when a Docker engine answers, else embedded),
 * applies jeex-db's migrations and then the service's, and runs jOOQ's generator with the given
 * configuration on that database. Skips, without starting PostgreSQL, when the hash of its inputs
 * (jeex-db's migrations, the service's migrations and settings, the generator configuration,
 * jOOQ's version) equals the one recorded by the last generation and the output still holds its
 * files.
 *
 * <p>For a service, unless the configuration names its own {@code <includes>}, the generator
 * reads only the tables and views that the service's migrations created (not jeex-db's, whose
 * classes are in {@code jeex-db-codegen}, and not the history tables), in the service's schema.
 *
 * @param configuration the jOOQ generator configuration (its JDBC part and target folder are set here)
 * @param output where the sources go
 * @param stateFile where the hash of the last generation is kept
 * @param service the service's migrations, or null to generate jeex-db's own schema
 * @param loader the class loader of {@code classpath:} migration locations (the service's project)
 * @param settings the testkit settings that choose the PostgreSQL provider
 * @param log receives one line per run
 */
public record CodeGeneration(Configuration configuration, Path output, Path stateFile, ServiceMigrations service,
                             ClassLoader loader, TestkitSettings settings, Consumer<String> log) {

    /** Bumped when this class changes what it generates, so that old output is not reused. */
    static final String REVISION = "2";

    /**
     * @throws NullPointerException if an argument other than {@code service} is null
     */
    public CodeGeneration {
        requireNonNull(configuration, "configuration");
        requireNonNull(output, "output");
        requireNonNull(stateFile, "stateFile");
        requireNonNull(loader, "loader");
        requireNonNull(settings, "settings");
        requireNonNull(log, "log");
    }

    /**
     * Generates, unless nothing changed since the last generation.
     *
     * @return true if it generated, false if it skipped
     * @throws Exception if provisioning, a migration or the generator fails
     */
    public boolean run() throws Exception {
        String hash = inputsHash();
        if (hash.equals(readState()) && hasJavaFiles()) {
            log.accept("jOOQ code generation skipped: migrations and generator configuration unchanged (inputs "
                    + hash.substring(0, 12) + "), PostgreSQL not started");
            return false;
        }
        long started = System.nanoTime();
        Files.deleteIfExists(stateFile);
        // Flyway and the driver log through java.util.logging in a build: only their warnings show
        java.util.logging.Logger flyway = java.util.logging.Logger.getLogger("org.flywaydb");
        java.util.logging.Logger driver = java.util.logging.Logger.getLogger("org.postgresql");
        flyway.setLevel(java.util.logging.Level.WARNING);
        driver.setLevel(java.util.logging.Level.WARNING);
        JeexPostgres postgres = JeexPostgres.start(settings);
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try (TestDatabase db = postgres.newEmptyDatabase()) {
            JeexSchema.flyway(db.dataSource()).migrate();
            Configuration generate = copy(configuration);
            if (service != null) {
                Set<String> jeex = relations(db, service.schema());
                service.flywayConfiguration(db.dataSource(), loader).load().migrate();
                Set<String> own = relations(db, service.schema());
                own.removeAll(jeex);
                own.remove(service.historyTable());
                restrictToService(generate, own);
            }
            generate.withJdbc(new Jdbc().withDriver("org.postgresql.Driver").withUrl(db.jdbcUrl())
                    .withUser(db.user()).withPassword(db.password()));
            Target target = generate.getGenerator().getTarget();
            if (target == null) {
                target = new Target();
                generate.getGenerator().withTarget(target);
            }
            target.withDirectory(output.toAbsolutePath().toString());
            // jOOQ's banner and tips are not build output
            System.setProperty("org.jooq.no-logo", "true");
            System.setProperty("org.jooq.no-tips", "true");
            GenerationTool.generate(generate);
        } finally {
            thread.setContextClassLoader(previous);
            postgres.shutdown();
        }
        long files;
        try (Stream<Path> walk = Files.walk(output)) {
            files = walk.filter(p -> p.toString().endsWith(".java")).count();
        }
        Files.createDirectories(stateFile.toAbsolutePath().getParent());
        Files.writeString(stateFile, hash + System.lineSeparator(), StandardCharsets.UTF_8);
        log.accept("jOOQ code generation: " + files + " classes generated from PostgreSQL " + postgres.serverVersion()
                + " (" + postgres.provider().name().toLowerCase(Locale.ROOT) + ")"
                + (service == null ? "" : " for the tables of " + service.name()) + " in "
                + (System.nanoTime() - started) / 1_000_000 + " ms");
        return true;
    }

    /**
     * The service's schema and, unless the configuration names them, its own relations only;
     * the history tables are never generated.
     */
    private void restrictToService(Configuration generate, Set<String> own) {
        Database database = generate.getGenerator().getDatabase();
        if (database == null) {
            database = new Database().withName("org.jooq.meta.postgres.PostgresDatabase");
            generate.getGenerator().withDatabase(database);
        }
        if ((database.getInputSchema() == null || database.getInputSchema().isBlank()) && database.getSchemata().isEmpty()) {
            database.withInputSchema(service.schema());
            // beside jeex-db's tables in public, the classes name no schema (as jeex-db-codegen's);
            // in a schema of the service's own, they name it
            database.withOutputSchemaToDefault(ServiceMigrations.DEFAULT_SCHEMA.equals(service.schema()));
        }
        if (database.getIncludes() == null || database.getIncludes().isBlank() || database.getIncludes().equals(".*")) {
            if (own.isEmpty()) {
                throw new IllegalStateException("the migrations of " + service.name() + " created no table or view in "
                        + "schema " + service.schema() + ": nothing to generate (check <service><locations>, or set "
                        + "<includes> in the generator configuration)");
            }
            database.withIncludes(own.stream().map(java.util.regex.Pattern::quote).collect(Collectors.joining("|")));
        }
        String history = java.util.regex.Pattern.quote(service.historyTable()) + "|"
                + java.util.regex.Pattern.quote(JeexSchema.HISTORY_TABLE);
        database.withExcludes(database.getExcludes() == null || database.getExcludes().isBlank() ? history
                : database.getExcludes() + "|" + history);
    }

    private static Set<String> relations(TestDatabase db, String schema) {
        return new LinkedHashSet<>(db.dsl().fetchValues("select c.relname from pg_catalog.pg_class c "
                + "join pg_catalog.pg_namespace n on n.oid = c.relnamespace "
                + "where n.nspname = ? and c.relkind in ('r', 'p', 'v', 'm') order by c.relname", schema)
                .stream().map(String::valueOf).toList());
    }

    /** A deep copy through jOOQ's own XML form, so the caller's configuration is left as it was. */
    private static Configuration copy(Configuration configuration) {
        return org.jooq.util.jaxb.tools.MiniJAXB.unmarshal(xml(configuration), Configuration.class);
    }

    /** jOOQ's own XML form of the configuration (what its generator reads from a file). */
    private static String xml(Configuration configuration) {
        return org.jooq.util.jaxb.tools.MiniJAXB.marshal(configuration);
    }

    /** SHA-256 over jeex-db's migrations, the service's, the generator configuration, jOOQ's version and the revision. */
    String inputsHash() {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(JeexSchema.migrationsHash().getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            if (service != null) {
                digest.update(service.hash(loader).getBytes(StandardCharsets.UTF_8));
            }
            digest.update((byte) 0);
            digest.update(xml(configuration).getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(org.jooq.Constants.FULL_VERSION.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(REVISION.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private String readState() throws IOException {
        return Files.isRegularFile(stateFile) ? Files.readString(stateFile, StandardCharsets.UTF_8).trim() : "";
    }

    private boolean hasJavaFiles() throws IOException {
        if (!Files.isDirectory(output)) {
            return false;
        }
        try (Stream<Path> walk = Files.walk(output)) {
            return walk.anyMatch(p -> p.toString().endsWith(".java"));
        }
    }
}
