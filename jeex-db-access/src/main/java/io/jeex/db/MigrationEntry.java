package io.jeex.db;

/**
 * One migration as Flyway sees it in the database, from {@link JeexDatabase#migrations()}:
 * jeex-db's, or the service's own.
 *
 * @param version the version, for example {@code 1}
 * @param description the description, from the script's name
 * @param state Flyway's state: {@code Success}, {@code Pending}, {@code Failed}, ...
 * @param applied whether it is applied (successfully or not)
 * @param owner {@value #JEEX} for jeex-db's migrations, else the service's name
 */
public record MigrationEntry(String version, String description, String state, boolean applied, String owner) {

    /** The owner of jeex-db's own migrations. */
    public static final String JEEX = "jeex-db";

    /**
     * One of jeex-db's own migrations.
     *
     * @param version the version
     * @param description the description
     * @param state Flyway's state
     * @param applied whether it is applied
     */
    public MigrationEntry(String version, String description, String state, boolean applied) {
        this(version, description, state, applied, JEEX);
    }
}
