package io.jeex.db;

import static io.jeex.db.RetryPolicy.Mode.LIBRARY_READ;
import static io.jeex.db.RetryPolicy.Mode.LIBRARY_WRITE;
import static io.jeex.db.codegen.Tables.USERS;
import static java.util.Objects.requireNonNull;

import io.jeex.db.codegen.tables.records.UsersRecord;
import io.jeex.db.error.NotFoundException;
import io.jeex.db.repository.Json;
import io.jeex.db.repository.User;
import io.jeex.db.repository.UserRepository;
import io.jeex.db.tx.TxOptions;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.impl.DSL;

/** The implementation of {@link UserRepository}. */
final class UserStore implements UserRepository {

    private static final String TABLE = "users";
    private static final TxOptions CREATE = Tx.one("users.create");
    private static final TxOptions BY_ID = Tx.read("users.byId");
    private static final Prepared<User> INSERT = Prepared.of(DSL.insertInto(USERS)
            .set(USERS.ID, DSL.param("id", USERS.ID.getDataType()))
            .set(USERS.EMAIL, DSL.param("email", USERS.EMAIL.getDataType()))
            .set(USERS.NAME, DSL.param("name", USERS.NAME.getDataType()))
            .set(USERS.PROFILE_DATA, DSL.param("profile", USERS.PROFILE_DATA.getDataType()))
            .returning(), UserStore::map);
    private static final Prepared<User> SELECT_BY_ID = Prepared.of(DSL.selectFrom(USERS)
            .where(USERS.ID.eq(DSL.param("id", USERS.ID.getDataType()))), UserStore::map);
    private final Transactions engine;
    private final Scope scope;

    UserStore(Transactions engine, Scope scope) {
        this.engine = requireNonNull(engine, "engine");
        this.scope = requireNonNull(scope, "scope");
    }

    @Override
    public User create(String email, String name) {
        return create(email, name, Json.EMPTY);
    }

    @Override
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
                        .set(USERS.NAME, n).set(USERS.PROFILE_DATA, JsonColumns.jsonb(p)), USERS, true, List.of(Inserts.key(USERS.ID, id)))));
    }

    @Override
    public Optional<User> byId(UUID id) {
        UUID key = Check.id(TABLE, "id", id);
        return engine.run(scope.apply(BY_ID), LIBRARY_READ, tx -> SELECT_BY_ID.optional(tx, ps -> ps.setObject(1, key)));
    }

    @Override
    public Optional<User> byEmail(String email) {
        scope.requireSystem("users.byEmail");
        String e = Check.text(TABLE, "email", email, Check.MAX_EMAIL);
        return engine.run(scope.apply(Tx.read("users.byEmail")), LIBRARY_READ, tx -> tx.dsl().selectFrom(USERS)
                .where(DSL.lower(USERS.EMAIL).eq(DSL.lower(DSL.val(e)))).fetchOptional().map(UserStore::map));
    }

    @Override
    public User updateName(UUID id, String name) {
        UUID key = Check.id(TABLE, "id", id);
        String n = Check.text(TABLE, "name", name, Check.MAX_NAME);
        return engine.run(scope.apply(Tx.one("users.updateName")), LIBRARY_WRITE, tx -> found(key, tx.dsl().update(USERS)
                .set(USERS.NAME, n).where(USERS.ID.eq(key)).returning().fetchOptional()));
    }

    @Override
    public User updateProfile(UUID id, Json profile) {
        UUID key = Check.id(TABLE, "id", id);
        Json p = Check.json(TABLE, "profile_data", profile, false);
        return engine.run(scope.apply(Tx.one("users.updateProfile")), LIBRARY_WRITE, tx -> found(key, tx.dsl().update(USERS)
                .set(USERS.PROFILE_DATA, JsonColumns.jsonb(p)).where(USERS.ID.eq(key)).returning().fetchOptional()));
    }

    @Override
    public User recordLogin(UUID id) {
        UUID key = Check.id(TABLE, "id", id);
        return engine.run(scope.apply(Tx.one("users.recordLogin")), LIBRARY_WRITE, tx -> found(key, tx.dsl().update(USERS)
                .set(USERS.LAST_LOGIN_AT, DSL.currentInstant()).where(USERS.ID.eq(key)).returning().fetchOptional()));
    }

    @Override
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
                JsonColumns.fromDb(row.getString("profile_data")), Prepared.instant(row, "created_at"),
                Optional.ofNullable(Prepared.instant(row, "last_login_at")), Prepared.instant(row, "updated_at"));
    }

    static User map(UsersRecord r) {
        return new User(r.getId(), r.getEmail(), r.getName(), JsonColumns.fromJsonb(r.getProfileData()), r.getCreatedAt(),
                Optional.ofNullable(r.getLastLoginAt()), r.getUpdatedAt());
    }
}
