package io.jeex.db;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * Who the library connects as: the application role for the pools, and the role that owns the
 * schema for {@link JeexDatabase#migrate()} and system mode. Immutable; derive a changed copy
 * with the {@code withX} methods, starting from {@link #DEFAULTS} (no user and no password: the
 * URL or the server decides). The passwords never appear in {@link #toString()}; a password
 * read from a file ({@code JEEX_DB_PASSWORD_FILE}) is held here like any other.
 *
 * <p>Environment variables ({@link JeexDbConfig#fromEnvironment(java.util.Map)}):
 * JEEX_DB_USER, JEEX_DB_PASSWORD, JEEX_DB_MIGRATION_USER, JEEX_DB_MIGRATION_PASSWORD; instead of a
 * password variable, JEEX_DB_PASSWORD_FILE or JEEX_DB_MIGRATION_PASSWORD_FILE name a file holding
 * it (container secrets), of which one trailing line break is removed; a password variable and
 * its file must not both be set.
 *
 * @param user the user to connect as, or empty when the URL names it; an empty string counts as
 *     none; default empty
 * @param password the password, or empty when the URL or the server needs none; never shown;
 *     default empty
 * @param migrationUser the user that {@link JeexDatabase#migrate()} connects as, the role that owns
 *     the schema (DDL), while {@link #user()} is the application role; empty (the default) for
 *     {@link #user()}, see {@link #effectiveMigrationUser()}
 * @param migrationPassword the password of the migration user; empty (the default) for
 *     {@link #password()}, see {@link #effectiveMigrationPassword()}; never shown
 */
public record Credentials(Optional<String> user, Optional<String> password, Optional<String> migrationUser,
                          Optional<String> migrationPassword) {

    /** No user and no password: the URL or the server decides. */
    public static final Credentials DEFAULTS = new Credentials(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty());

    /**
     * Drops empty user names.
     *
     * @throws NullPointerException if an argument is null (use {@link Optional#empty()})
     */
    public Credentials {
        user = requireNonNull(user, "user").filter(u -> !u.isEmpty());
        requireNonNull(password, "password");
        migrationUser = requireNonNull(migrationUser, "migrationUser").filter(u -> !u.isEmpty());
        requireNonNull(migrationPassword, "migrationPassword");
    }

    /** @return whether a password was configured (without revealing it) */
    public boolean hasPassword() {
        return password.isPresent();
    }

    /**
     * @return the user that {@link JeexDatabase#migrate()} connects as: {@link #migrationUser()},
     *     else {@link #user()}
     */
    public Optional<String> effectiveMigrationUser() {
        return migrationUser.isPresent() ? migrationUser : user;
    }

    /** @return the migration user's password: {@link #migrationPassword()}, else {@link #password()} */
    public Optional<String> effectiveMigrationPassword() {
        return migrationPassword.isPresent() ? migrationPassword : password;
    }

    /**
     * @param user see {@link #user()}; null or empty for none
     * @return a copy with this value
     */
    public Credentials withUser(String user) {
        return new Credentials(Optional.ofNullable(user), password, migrationUser, migrationPassword);
    }

    /**
     * @param password see {@link #password()}; null for none
     * @return a copy with this value
     */
    public Credentials withPassword(String password) {
        return new Credentials(user, Optional.ofNullable(password), migrationUser, migrationPassword);
    }

    /**
     * @param migrationUser see {@link #migrationUser()}; null or empty for {@link #user()}
     * @return a copy with this value
     */
    public Credentials withMigrationUser(String migrationUser) {
        return new Credentials(user, password, Optional.ofNullable(migrationUser), migrationPassword);
    }

    /**
     * @param migrationPassword see {@link #migrationPassword()}; null for {@link #password()}
     * @return a copy with this value
     */
    public Credentials withMigrationPassword(String migrationPassword) {
        return new Credentials(user, password, migrationUser, Optional.ofNullable(migrationPassword));
    }

    /**
     * @return the users, and for each password only whether there is one: {@code ****} when set,
     *     {@code <none>} when not, and {@code <password>} for a migration password that is the main one
     */
    @Override
    public String toString() {
        return "Credentials[user=" + user.orElse(null) + ", password=" + (hasPassword() ? "****" : "<none>")
                + ", migrationUser=" + effectiveMigrationUser().orElse(null) + ", migrationPassword="
                + (migrationPassword.isPresent() ? "****" : hasPassword() ? "<password>" : "<none>") + "]";
    }
}
