package io.jeex.db;

import static io.jeex.db.RetryPolicy.Mode.LIBRARY_READ;
import static io.jeex.db.RetryPolicy.Mode.LIBRARY_WRITE;
import static io.jeex.db.codegen.Tables.PROJECTS;
import static java.util.Objects.requireNonNull;

import io.jeex.db.codegen.tables.records.ProjectsRecord;
import io.jeex.db.error.ConcurrentUpdateException;
import io.jeex.db.error.IllegalTransitionException;
import io.jeex.db.error.InvalidInputException;
import io.jeex.db.error.NotFoundException;
import io.jeex.db.repository.Page;
import io.jeex.db.repository.Project;
import io.jeex.db.repository.ProjectOrder;
import io.jeex.db.repository.ProjectRepository;
import io.jeex.db.repository.ProjectStatus;
import io.jeex.db.tx.TxOptions;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Param;
import org.jooq.Select;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/** The implementation of {@link ProjectRepository}. */
final class ProjectStore implements ProjectRepository {

    private static final String TABLE = "projects";
    private static final Prepared<Project> SELECT_BY_ID = Prepared.of(DSL.selectFrom(PROJECTS)
            .where(PROJECTS.ID.eq(DSL.param("id", PROJECTS.ID.getDataType()))), ProjectStore::map);
    private static final TxOptions LIST_BY_OWNER_TX = Tx.read("projects.listByOwner");
    /** The shapes of listByOwner, indexed by {@link #listShape}. */
    private static final List<Prepared<Project>> LIST_BY_OWNER = listByOwnerStatements();
    private static final TxOptions CHANGE_STATUS_TX = Tx.one("projects.changeStatus");
    private static final TxOptions CHANGE_STATUS_REFUSED_TX = Tx.one("projects.changeStatus.refused");
    /** The guarded status change to each status, pre-rendered; binds the id. */
    private static final Map<ProjectStatus, Prepared<Project>> CHANGE_STATUS = changeStatusStatements();
    private static final Prepared<String> STATUS_OF = Transitions.statusOf(PROJECTS, PROJECTS.ID, PROJECTS.STATUS);
    private final Transactions engine;

    private final Scope scope;

    ProjectStore(Transactions engine, Scope scope) {
        this.engine = requireNonNull(engine, "engine");
        this.scope = requireNonNull(scope, "scope");
    }

    @Override
    public Project create(UUID ownerId, String name, String language) {
        UUID owner = Check.id(TABLE, "created_by", ownerId);
        String n = Check.text(TABLE, "name", name, Check.MAX_NAME);
        String l = Check.language(language);
        UUID id = Ids.next();
        return engine.run(scope.apply(Tx.one("projects.create")), LIBRARY_WRITE, tx -> map(Inserts.once(tx.dsl(),
                tx.dsl().insertInto(PROJECTS).set(PROJECTS.ID, id)
                        .set(PROJECTS.CREATED_BY, owner).set(PROJECTS.NAME, n).set(PROJECTS.LANGUAGE, l),
                PROJECTS, tx.attempt() > 1, List.of(Inserts.key(PROJECTS.ID, id)))));
    }

    @Override
    public Optional<Project> byId(UUID id) {
        UUID key = Check.id(TABLE, "id", id);
        return engine.run(scope.apply(Tx.read("projects.byId")), LIBRARY_READ,
                tx -> SELECT_BY_ID.optional(tx, ps -> ps.setObject(1, key)));
    }

    @Override
    public Page<Project> listByOwner(UUID ownerId, Optional<ProjectStatus> status, int limit, Optional<String> cursor) {
        return listByOwner(ownerId, status, ProjectOrder.RECENTLY_UPDATED, limit, cursor);
    }

    @Override
    public Page<Project> listByOwner(UUID ownerId, Optional<ProjectStatus> status, ProjectOrder order, int limit,
            Optional<String> cursor) {
        UUID owner = Check.id(TABLE, "created_by", ownerId);
        Check.notNull(TABLE, "status", status, "must not be null: pass Optional.empty() for every status");
        Check.notNull(TABLE, "order", order, "must not be null: pass ProjectOrder.RECENTLY_UPDATED or NEWEST_FIRST");
        int size = Check.limit(TABLE, limit);
        Optional<Key> after = Check.notNull(TABLE, "cursor", cursor,
                "must not be null: pass Optional.empty() for the first page").map(c -> decode(c, order));
        Prepared<Project> select = LIST_BY_OWNER.get(listShape(order == ProjectOrder.NEWEST_FIRST, status.isPresent(),
                after.isPresent()));
        return engine.run(scope.apply(LIST_BY_OWNER_TX), LIBRARY_READ, tx -> {
            List<Project> rows = select.list(tx, ps -> {
                int i = 1;
                ps.setObject(i++, owner);
                if (status.isPresent()) {
                    ps.setString(i++, status.get().dbValue());
                }
                if (after.isPresent()) {
                    if (order != ProjectOrder.NEWEST_FIRST) {
                        ps.setObject(i++, OffsetDateTime.ofInstant(after.get().updatedAt(), ZoneOffset.UTC));
                    }
                    ps.setObject(i++, after.get().id());
                }
                ps.setObject(i, size + 1);
            });
            Optional<String> next = Optional.empty();
            if (rows.size() > size) {
                rows.remove(size);
                Project last = rows.get(size - 1);
                next = Optional.of(encode(new Key(order, last.updatedAt(), last.id())));
            }
            return new Page<>(rows, next);
        });
    }

    @Override
    public Project rename(UUID id, String name) {
        UUID key = Check.id(TABLE, "id", id);
        String n = Check.text(TABLE, "name", name, Check.MAX_NAME);
        return engine.run(scope.apply(Tx.one("projects.rename")), LIBRARY_WRITE, tx -> map(NotFoundException.requireFound(
                tx.dsl().update(PROJECTS).set(PROJECTS.NAME, n).where(PROJECTS.ID.eq(key)).returning().fetchOptional(),
                TABLE, "project " + key)));
    }

    @Override
    public Project changeStatus(UUID id, ProjectStatus to) {
        UUID key = Check.id(TABLE, "id", id);
        Check.notNull(TABLE, "status", to, "must not be null: pass the status to change to");
        List<String> from = to.previous().stream().map(ProjectStatus::dbValue).toList();
        // As for agent executions (AgentExecutionStore.finish): the guarded UPDATE alone, auto-committed,
        // on the first attempt; the status read only when it changed no row; a later attempt in a
        // transaction, taking the project already in the target status as the change done.
        Optional<Project> changed = engine.run(scope.apply(CHANGE_STATUS_TX), LIBRARY_WRITE, tx -> {
            if (tx.attempt() == 1) {
                return CHANGE_STATUS.get(to).optional(tx, ps -> ps.setObject(1, key));
            }
            Optional<ProjectsRecord> updated = tx.dsl().update(PROJECTS).set(PROJECTS.STATUS, to.dbValue())
                    .where(PROJECTS.ID.eq(key)).and(PROJECTS.STATUS.in(from)).returning().fetchOptional();
            return Optional.of(map(Transitions.require(updated, tx.dsl(), PROJECTS, PROJECTS.ID, PROJECTS.STATUS, key,
                    "project", to.dbValue(), true)));
        });
        if (changed.isPresent()) {
            return changed.get();
        }
        Optional<String> current = engine.run(scope.apply(CHANGE_STATUS_REFUSED_TX), LIBRARY_WRITE,
                tx -> STATUS_OF.optional(tx, ps -> ps.setObject(1, key)));
        throw Transitions.refused(current, TABLE, "project " + key, to.dbValue());
    }

    @Override
    public Project changeStep(UUID id, int step, Instant expectedUpdatedAt) {
        UUID key = Check.id(TABLE, "id", id);
        int s = Check.step(step);
        if (expectedUpdatedAt == null) {
            throw new InvalidInputException(TABLE, "updated_at", "must be the updated_at of the project as read");
        }
        Instant expected = expectedUpdatedAt.truncatedTo(ChronoUnit.MICROS);
        return engine.run(scope.apply(Tx.many("projects.changeStep")), LIBRARY_WRITE, tx -> {
            // updated_at is set explicitly so that even a change to the same step bumps the version.
            Optional<ProjectsRecord> updated = tx.dsl().update(PROJECTS)
                    .set(PROJECTS.CURRENT_STEP, s).set(PROJECTS.UPDATED_AT, DSL.currentInstant())
                    .where(PROJECTS.ID.eq(key)).and(PROJECTS.UPDATED_AT.eq(expected))
                    .returning().fetchOptional();
            if (updated.isPresent()) {
                return map(updated.get());
            }
            ProjectsRecord current = NotFoundException.requireFound(currentRow(tx.dsl(), key), TABLE,
                    "project " + key);
            if (tx.attempt() > 1 && current.getCurrentStep() == s && !expected.equals(current.getUpdatedAt())) {
                return map(current); // an earlier attempt of this call, whose connection was lost, made the change
            }
            ConcurrentUpdateException.requireUpdated(0, TABLE, "project " + key);
            throw new IllegalStateException("unreachable");
        });
    }

    @Override
    public boolean delete(UUID id) {
        UUID key = Check.id(TABLE, "id", id);
        return engine.run(scope.apply(Tx.one("projects.delete")), LIBRARY_WRITE,
                tx -> tx.dsl().deleteFrom(PROJECTS).where(PROJECTS.ID.eq(key)).execute() == 1 || tx.attempt() > 1);
    }

    private static int listShape(boolean newestFirst, boolean withStatus, boolean afterCursor) {
        return (newestFirst ? 4 : 0) + (withStatus ? 2 : 0) + (afterCursor ? 1 : 0);
    }

    /**
     * The eight statements of listByOwner (two orders, with or without a status, first page or
     * after a cursor), in {@link #listShape} order. Bind order: owner, status if any, the cursor's
     * updated_at (RECENTLY_UPDATED only) and id if any, then the limit.
     */
    private static List<Prepared<Project>> listByOwnerStatements() {
        List<Prepared<Project>> all = new ArrayList<>();
        for (int shape = 0; shape < 8; shape++) {
            boolean newestFirst = (shape & 4) != 0;
            boolean withStatus = (shape & 2) != 0;
            boolean afterCursor = (shape & 1) != 0;
            Condition where = PROJECTS.CREATED_BY.eq(DSL.param("owner", PROJECTS.CREATED_BY.getDataType()));
            if (withStatus) {
                where = where.and(PROJECTS.STATUS.eq(DSL.param("status", PROJECTS.STATUS.getDataType())));
            }
            Param<UUID> afterId = DSL.param("after_id", PROJECTS.ID.getDataType());
            Param<Integer> limit = DSL.param("limit", SQLDataType.INTEGER);
            Select<ProjectsRecord> query;
            if (newestFirst) {
                if (afterCursor) {
                    where = where.and(PROJECTS.ID.lt(afterId));
                }
                query = DSL.selectFrom(PROJECTS).where(where).orderBy(PROJECTS.ID.desc()).limit(limit);
            } else {
                if (afterCursor) {
                    where = where.and(DSL.row(PROJECTS.UPDATED_AT, PROJECTS.ID).lt(DSL.row(
                            DSL.param("after_updated_at", PROJECTS.UPDATED_AT.getDataType()), afterId)));
                }
                query = DSL.selectFrom(PROJECTS).where(where).orderBy(PROJECTS.UPDATED_AT.desc(), PROJECTS.ID.desc())
                        .limit(limit);
            }
            all.add(Prepared.of(query, ProjectStore::map));
        }
        return List.copyOf(all);
    }

    private static Map<ProjectStatus, Prepared<Project>> changeStatusStatements() {
        Map<ProjectStatus, Prepared<Project>> all = new EnumMap<>(ProjectStatus.class);
        for (ProjectStatus to : ProjectStatus.values()) {
            all.put(to, Prepared.of(DSL.update(PROJECTS).set(PROJECTS.STATUS, DSL.inline(to.dbValue()))
                    .where(PROJECTS.ID.eq(DSL.param("id", PROJECTS.ID.getDataType())))
                    .and(PROJECTS.STATUS.in(to.previous().stream().map(p -> DSL.inline(p.dbValue())).toList()))
                    .returning(), ProjectStore::map));
        }
        return Collections.unmodifiableMap(all);
    }

    /** @return the SQL of listByOwner's statements, for tests */
    static List<String> listByOwnerSql() {
        return LIST_BY_OWNER.stream().map(Prepared::toString).toList();
    }

    private static Optional<ProjectsRecord> currentRow(DSLContext dsl, UUID id) {
        return dsl.selectFrom(PROJECTS).where(PROJECTS.ID.eq(id)).fetchOptional();
    }

    static Project map(java.sql.ResultSet row) throws java.sql.SQLException {
        return new Project(Prepared.uuid(row, "id"), row.getString("name"), ProjectStatus.fromDb(row.getString("status")),
                row.getInt("current_step"), row.getString("language"), Prepared.uuid(row, "created_by"),
                Prepared.instant(row, "created_at"), Prepared.instant(row, "updated_at"));
    }

    static Project map(ProjectsRecord r) {
        return new Project(r.getId(), r.getName(), ProjectStatus.fromDb(r.getStatus()), r.getCurrentStep(),
                r.getLanguage(), r.getCreatedBy(), r.getCreatedAt(), r.getUpdatedAt());
    }

    /** The position after which a page continues, and the order it belongs to. */
    private record Key(ProjectOrder order, Instant updatedAt, UUID id) {
    }

    /** Cursor tags: the first byte, naming the order. */
    private static final byte RECENTLY_UPDATED = 'U';
    private static final byte NEWEST_FIRST = 'N';
    /** The untagged cursor of earlier versions: updated_at and id, always RECENTLY_UPDATED. */
    private static final int UNTAGGED_LENGTH = 8 + 4 + 16;

    private static String encode(Key key) {
        ByteBuffer b;
        if (key.order() == ProjectOrder.NEWEST_FIRST) {
            b = ByteBuffer.allocate(1 + 16).put(NEWEST_FIRST);
        } else {
            b = ByteBuffer.allocate(1 + UNTAGGED_LENGTH).put(RECENTLY_UPDATED)
                    .putLong(key.updatedAt().getEpochSecond()).putInt(key.updatedAt().getNano());
        }
        b.putLong(key.id().getMostSignificantBits()).putLong(key.id().getLeastSignificantBits());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
    }

    private static Key decode(String cursor, ProjectOrder expected) {
        Key key;
        try {
            ByteBuffer b = ByteBuffer.wrap(Base64.getUrlDecoder().decode(cursor));
            if (b.remaining() == 1 + 16 && b.get(0) == NEWEST_FIRST) {
                b.get();
                key = new Key(ProjectOrder.NEWEST_FIRST, null, new UUID(b.getLong(), b.getLong()));
            } else if (b.remaining() == UNTAGGED_LENGTH
                    || b.remaining() == 1 + UNTAGGED_LENGTH && b.get(0) == RECENTLY_UPDATED) {
                if (b.remaining() > UNTAGGED_LENGTH) {
                    b.get();
                }
                Instant at = Instant.ofEpochSecond(b.getLong(), b.getInt());
                key = new Key(ProjectOrder.RECENTLY_UPDATED, at, new UUID(b.getLong(), b.getLong()));
            } else {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException | java.time.DateTimeException e) {
            throw new InvalidInputException(TABLE, "cursor", "must be a cursor returned by a previous page");
        }
        if (key.order() != expected) {
            throw new InvalidInputException(TABLE, "cursor", "was returned by a listing in " + key.order()
                    + " order, not " + expected + ": pass the order of the listing that returned it, or start"
                    + " again without a cursor");
        }
        return key;
    }
}
