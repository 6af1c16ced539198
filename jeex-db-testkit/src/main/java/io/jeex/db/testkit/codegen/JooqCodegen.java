package io.jeex.db.testkit.codegen;

import io.jeex.db.schema.JeexSchema;
import io.jeex.db.testkit.JeexPostgres;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.TestkitSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.jooq.codegen.GenerationTool;
import org.jooq.meta.jaxb.Configuration;
import org.jooq.meta.jaxb.Jdbc;
import org.jooq.meta.jaxb.Target;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Build-time jOOQ code generation for the JEEX schema: provisions a PostgreSQL 18 through the
 * testkit's provider chain, migrates an empty database with {@link JeexSchema}'s Flyway
 * configuration and runs jOOQ's generator on it.
 *
 * <p>Generation is skipped, without starting PostgreSQL, when the hash of the migrations,
 * the generator configuration and the jOOQ version equals the one recorded by the last
 * generation and the output folder still holds its files.
 *
 * <p>Usage (the jeex-db-codegen build runs it in a forked JVM):
 * {@code java io.jeex.db.testkit.codegen.JooqCodegen <generator.xml> <output-dir> <state-file>}
 */
public final class JooqCodegen {

    private static final Logger LOG = LoggerFactory.getLogger(JooqCodegen.class);

    /** Bumped when this class changes what it generates, so that old output is not reused. */
    private static final String REVISION = "1";

    private JooqCodegen() {
    }

    /**
     * Runs the generation (or skips it); exits the JVM with 0 on success, 1 on failure, 2 on
     * bad arguments.
     *
     * @param args generator configuration file, output folder, state file
     */
    public static void main(String[] args) {
        if (args.length != 3) {
            System.err.println("usage: JooqCodegen <generator.xml> <output-dir> <state-file>");
            System.exit(2);
        }
        int status;
        try {
            generate(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]));
            status = 0;
        } catch (Exception e) {
            LOG.error("jOOQ code generation failed: {}", e.toString(), e);
            status = 1;
        }
        System.exit(status);
    }

    /**
     * Generates the classes unless nothing changed since the last generation.
     *
     * @param generatorConfig jOOQ generator XML (its JDBC section and target folder are set here)
     * @param output target folder of the generated sources
     * @param stateFile where the hash of the last generation is kept
     * @return true if it generated, false if it skipped
     * @throws Exception if provisioning, migration or generation fails
     */
    public static boolean generate(Path generatorConfig, Path output, Path stateFile) throws Exception {
        return generate(generatorConfig, output, stateFile, TestkitSettings.fromSystem());
    }

    /**
     * Generates the classes unless nothing changed since the last generation, provisioning
     * PostgreSQL (only when it generates) according to the given settings.
     *
     * @param generatorConfig jOOQ generator XML (its JDBC section and target folder are set here)
     * @param output target folder of the generated sources
     * @param stateFile where the hash of the last generation is kept
     * @param settings the testkit settings that choose the provider
     * @return true if it generated, false if it skipped
     * @throws Exception if provisioning, migration or generation fails
     */
    public static boolean generate(Path generatorConfig, Path output, Path stateFile, TestkitSettings settings)
            throws Exception {
        byte[] configBytes = Files.readAllBytes(generatorConfig);
        String hash = inputsHash(configBytes);
        if (hash.equals(readState(stateFile)) && hasJavaFiles(output)) {
            LOG.info("jOOQ code generation skipped: migrations and generator configuration unchanged (inputs {}), "
                    + "PostgreSQL not started", hash.substring(0, 12));
            return false;
        }
        long started = System.nanoTime();
        Files.deleteIfExists(stateFile);
        JeexPostgres postgres = JeexPostgres.start(settings);
        try (TestDatabase db = postgres.newEmptyDatabase()) {
            JeexSchema.flyway(db.dataSource()).migrate();
            Configuration configuration;
            try (InputStream in = new java.io.ByteArrayInputStream(configBytes)) {
                configuration = GenerationTool.load(in);
            }
            configuration.withJdbc(new Jdbc()
                    .withDriver("org.postgresql.Driver")
                    .withUrl(db.jdbcUrl())
                    .withUser(db.user())
                    .withPassword(db.password()));
            Target target = configuration.getGenerator().getTarget();
            if (target == null) {
                target = new Target();
                configuration.getGenerator().withTarget(target);
            }
            target.withDirectory(output.toAbsolutePath().toString());
            GenerationTool.generate(configuration);
        } finally {
            postgres.shutdown();
        }
        long files;
        try (Stream<Path> walk = Files.walk(output)) {
            files = walk.filter(p -> p.toString().endsWith(".java")).count();
        }
        Files.createDirectories(stateFile.toAbsolutePath().getParent());
        Files.writeString(stateFile, hash + System.lineSeparator(), StandardCharsets.UTF_8);
        LOG.info("jOOQ code generation: {} classes generated from PostgreSQL {} ({}) in {} ms", files,
                postgres.serverVersion(), postgres.provider().name().toLowerCase(java.util.Locale.ROOT),
                (System.nanoTime() - started) / 1_000_000);
        return true;
    }

    /** SHA-256 over the migrations' hash, the generator configuration, jOOQ's version and this tool's revision. */
    static String inputsHash(byte[] generatorConfig) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(JeexSchema.migrationsHash().getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(generatorConfig);
            digest.update((byte) 0);
            digest.update(org.jooq.Constants.FULL_VERSION.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(REVISION.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String readState(Path stateFile) throws IOException {
        return Files.isRegularFile(stateFile) ? Files.readString(stateFile, StandardCharsets.UTF_8).trim() : "";
    }

    private static boolean hasJavaFiles(Path output) throws IOException {
        if (!Files.isDirectory(output)) {
            return false;
        }
        try (Stream<Path> walk = Files.walk(output)) {
            return walk.anyMatch(p -> p.toString().endsWith(".java"));
        }
    }
}
