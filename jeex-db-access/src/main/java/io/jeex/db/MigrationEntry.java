package io.jeex.db;

/**
 * One migration of the JEEX schema as Flyway sees it in the database, from
 * {@link JeexDatabase#migrations()}.
 *
 * @param version the version, for example {@code 1}
 * @param description the description, from the script's name
 * @param state Flyway's state: {@code Success}, {@code Pending}, {@code Failed}, ...
 * @param applied whether it is applied (successfully or not)
 */
public record MigrationEntry(String version, String description, String state, boolean applied) {
}
