package io.jeex.db.repository;

import static io.jeex.db.internal.tx.RetryPolicy.Mode.LIBRARY_READ;
import static io.jeex.db.internal.tx.RetryPolicy.Mode.LIBRARY_WRITE;

import static io.jeex.db.codegen.Tables.USERS;
import static java.util.Objects.requireNonNull;

import io.jeex.db.codegen.tables.records.UsersRecord;
import io.jeex.db.internal.tx.Transactions;
import io.jeex.db.error.NotFoundException;
import io.jeex.db.tx.TxOptions;
import java.util.Optional;
import java.util.UUID;
import org.jooq.impl.DSL;

/**
 * Users: create, find, update, record sign-ins, delete. Each method runs in its own
 * transaction, or joins the caller's when called inside {@link io.jeex.db.JeexDatabase#transaction}.
 * Deleting a user deletes their projects and everything in them; document versions they
 * wrote in other users' projects stay, without an author.
 *
 * <p>Every operation but {@link #byEmail} is user-scoped: on {@code db.actingAs(id)} it reaches the
 * acting user's own row only (another user's id is not found), on {@code db.system()} any user's.
 * {@link #byEmail} is system-scoped (a sign-in lookup crosses users).
 */
public final class UserRepository {

    private static final String TABLE = "users";
    private static final TxOptions CREATE = Tx.one("users.create");
    private static final TxOptions BY_ID = Tx.read("users.byId");
    private static final Prepared<User> INSERT = Prepared.of(DSL.insertInto(USERS)
            .set(USERS.ID, DSL.param("id", USERS.ID.getDataType()))
            .set(USERS.EMAIL, DSL.param("email", USERS.EMAIL.getDataType()))
            .set(USERS.NAME, DSL.param("name", USERS.NAME.getDataType()))
            .set(USERS.PROFILE_DATA, DSL.param("profile", USERS.PROFILE_DATA.getDataType()))
            .returning(), UserRepository::map);
    private static final Prepared<User> SELECT_BY_ID = Prepared.of(DSL.selectFrom(USERS)
            .where(USERS.ID.eq(DSL.param("id", USERS.ID.getDataType()))), UserRepository::map);
    private final Transactions engine;
    private final Scope scope;

    UserRepository(Transactions engine, Scope scope) {
        this.engine = requireNonNull(engine, "engine");
        this.scope = requireNonNull(scope, "scope");
    }

    /**
     * Creates a user with an empty profile: see {@link #create(String, String, Json)}.
     *
     * @param email sign-in email, stored stripped of leading and trailing white space; compared
     *     without regard to case
     * @param name display name, stored stripped of leading and trailing white space, at most 255
     *     characters
     * @return the stored user
     * @throws io.jeex.db.error.InvalidInputException if the email or name is blank, too long or malformed
     * @throws io.jeex.db.error.UniqueViolationException if a user with this email (in any case) exists
     */
    public User create(String email, String name) {
        return create(email, name, Json.EMPTY);
    }

    /**
     * Creates a user. User-scoped: it creates the acting user's own row, whose id is the acting
     * user ({@code db.actingAsNewUser()} makes a new id for a sign-up), so a sign-up needs no system
     * mode: the users policy lets a user insert their own row and no other. In system mode it
     * creates a user with a new id.
     *
     * @param email sign-in email, stored stripped of leading and trailing white space; compared
     *     without regard to case
     * @param name display name, stored stripped of leading and trailing white space, at most 255
     *     characters
     * @param profile profile settings
     * @return the stored user
     * @throws io.jeex.db.error.InvalidInputException if a value breaks a rule
     * @throws io.jeex.db.error.UniqueViolationException if a user with this email (in any case)
     *     exists, or the acting user exists already
     */
    public User create(String email, String name, Json profile) {
        String e = Check.email(TABLE, email);
        String n = Check.text(TABLE, "name", name, Check.MAX_NAME);
        Json p = Check.json(TABLE, "profile_data", profile, false);
        UUID id = scope.system() ? Ids.next() : scope.user();
        return engine.run(scope.apply(CREATE), LIBRARY_WRITE, tx -> tx.attempt() == 1
                ? INSERT.one(tx, ps -> {
                    ps.setObject(1, id);
                    ps.setString(2, e);
                    ps.setString(3, n);
                    ps.setString(4, p.text());
                })
                : map(Inserts.once(tx.dsl(), tx.dsl().insertInto(USERS).set(USERS.ID, id).set(USERS.EMAIL, e)
                        .set(USERS.NAME, n).set(USERS.PROFILE_DATA, p.jsonb()), USERS, USERS.ID, id, true)));
    }

    /**
     * Finds a user by id. User-scoped: finds the acting user only (another id is empty). One round
     * trip: the acting user travels with the SELECT.
     *
     * @param id the id
     * @return the user, or empty
     * @throws io.jeex.db.error.InvalidInputException if the id is null
     */
    public Optional<User> byId(UUID id) {
        UUID key = Check.id(TABLE, "id", id);
        return engine.run(scope.apply(BY_ID), LIBRARY_READ, tx -> SELECT_BY_ID.optional(tx, ps -> ps.setObject(1, key)));
    }

    /**
     * Finds a user by email, without regard to case (uses the unique index on lower(email)).
     * System-scoped: a sign-in lookup, before anyone acts as the user, so only on
     * {@code db.system()}; it opens a connection of its own.
     *
     * @param email the email; leading and trailing white space is ignored
     * @return the user, or empty
     * @throws io.jeex.db.error.InvalidInputException if the email is blank or too long
     * @throws io.jeex.db.error.WrongScopeException if called on the repositories of a user
     */
    public Optional<User> byEmail(String email) {
        scope.requireSystem("users.byEmail");
        String e = Check.text(TABLE, "email", email, Check.MAX_EMAIL);
        return engine.run(scope.apply(Tx.read("users.byEmail")), LIBRARY_READ, tx -> tx.dsl().selectFrom(USERS)
                .where(DSL.lower(USERS.EMAIL).eq(DSL.lower(DSL.val(e)))).fetchOptional().map(UserRepository::map));
    }

    /**
     * Renames a user. User-scoped.
     *
     * @param id the user
     * @param name the new display name, stored stripped of leading and trailing white space, at
     *     most 255 characters
     * @return the updated user
     * @throws io.jeex.db.error.InvalidInputException if the id is null or the name breaks a rule
     * @throws NotFoundException if there is no such user (or it is not the acting user)
     */
    public User updateName(UUID id, String name) {
        UUID key = Check.id(TABLE, "id", id);
        String n = Check.text(TABLE, "name", name, Check.MAX_NAME);
        return engine.run(scope.apply(Tx.one("users.updateName")), LIBRARY_WRITE, tx -> found(key, tx.dsl().update(USERS)
                .set(USERS.NAME, n).where(USERS.ID.eq(key)).returning().fetchOptional()));
    }

    /**
     * Replaces a user's profile settings. User-scoped.
     *
     * @param id the user
     * @param profile the new profile
     * @return the updated user
     * @throws io.jeex.db.error.InvalidInputException if the id or profile is null or the profile is
     *     too large
     * @throws NotFoundException if there is no such user (or it is not the acting user)
     */
    public User updateProfile(UUID id, Json profile) {
        UUID key = Check.id(TABLE, "id", id);
        Json p = Check.json(TABLE, "profile_data", profile, false);
        return engine.run(scope.apply(Tx.one("users.updateProfile")), LIBRARY_WRITE, tx -> found(key, tx.dsl().update(USERS)
                .set(USERS.PROFILE_DATA, p.jsonb()).where(USERS.ID.eq(key)).returning().fetchOptional()));
    }

    /**
     * Records a sign-in now (the database's clock). User-scoped.
     *
     * @param id the user
     * @return the updated user
     * @throws io.jeex.db.error.InvalidInputException if the id is null
     * @throws NotFoundException if there is no such user (or it is not the acting user)
     */
    public User recordLogin(UUID id) {
        UUID key = Check.id(TABLE, "id", id);
        return engine.run(scope.apply(Tx.one("users.recordLogin")), LIBRARY_WRITE, tx -> found(key, tx.dsl().update(USERS)
                .set(USERS.LAST_LOGIN_AT, DSL.currentInstant()).where(USERS.ID.eq(key)).returning().fetchOptional()));
    }

    /**
     * Deletes a user, their projects and everything in those projects (right to erasure; the
     * foreign keys' ON DELETE rules remove the rest whoever's rows they are, and document versions
     * the user wrote elsewhere stay without an author). User-scoped: a user erases themselves; in
     * system mode, an operator erases anyone. The files of the user's exports are not the
     * database's: read their paths before, if they must go too.
     *
     * @param id the user
     * @return true if the user existed; after a lost connection, also when an earlier attempt of
     *     this call already deleted it (the library cannot tell that from a user that never
     *     existed)
     * @throws io.jeex.db.error.InvalidInputException if the id is null
     */
    public boolean delete(UUID id) {
        UUID key = Check.id(TABLE, "id", id);
        return engine.run(scope.apply(Tx.one("users.delete")), LIBRARY_WRITE,
                tx -> tx.dsl().deleteFrom(USERS).where(USERS.ID.eq(key)).execute() == 1 || tx.attempt() > 1);
    }

    private static User found(UUID id, Optional<UsersRecord> record) {
        return map(NotFoundException.requireFound(record, TABLE, "user " + id));
    }

    static User map(java.sql.ResultSet row) throws java.sql.SQLException {
        return new User(Prepared.uuid(row, "id"), row.getString("email"), row.getString("name"),
                Json.fromDb(row.getString("profile_data")), Prepared.instant(row, "created_at"),
                Optional.ofNullable(Prepared.instant(row, "last_login_at")), Prepared.instant(row, "updated_at"));
    }

    static User map(UsersRecord r) {
        return new User(r.getId(), r.getEmail(), r.getName(), Json.fromJsonb(r.getProfileData()), r.getCreatedAt(),
                Optional.ofNullable(r.getLastLoginAt()), r.getUpdatedAt());
    }
}
