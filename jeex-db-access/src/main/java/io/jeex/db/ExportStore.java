package io.jeex.db;

import static io.jeex.db.RetryPolicy.Mode.LIBRARY_READ;
import static io.jeex.db.RetryPolicy.Mode.LIBRARY_WRITE;
import static io.jeex.db.codegen.Tables.EXPORTS;
import static java.util.Objects.requireNonNull;

import io.jeex.db.codegen.tables.records.ExportsRecord;
import io.jeex.db.error.IllegalTransitionException;
import io.jeex.db.error.InvalidInputException;
import io.jeex.db.error.NotFoundException;
import io.jeex.db.repository.Export;
import io.jeex.db.repository.ExportRepository;
import io.jeex.db.repository.ExportStatus;
import io.jeex.db.repository.Json;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.jooq.Field;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/** The implementation of {@link ExportRepository}. */
final class ExportStore implements ExportRepository {

    private static final String TABLE = "exports";
    /** Shortest lifetime: below it, the expiry would round to the creation instant. */
    private static final Duration MIN_TTL = Duration.ofMillis(1);
    private static final Duration MAX_TTL = Duration.ofDays(365);
    private final Transactions engine;

    private final Scope scope;
    private final PurgeMetrics purges;

    ExportStore(Transactions engine, Scope scope, PurgeMetrics purges) {
        this.engine = requireNonNull(engine, "engine");
        this.scope = requireNonNull(scope, "scope");
        this.purges = requireNonNull(purges, "purges");
    }

    @Override
    public Export create(UUID projectId, Json manifest) {
        return create(projectId, manifest, DEFAULT_TTL);
    }

    @Override
    public Export create(UUID projectId, Json manifest, Duration ttl) {
        UUID project = Check.id(TABLE, "project_id", projectId);
        Json m = Check.json(TABLE, "manifest", manifest, false);
        if (ttl == null || ttl.compareTo(MIN_TTL) < 0 || ttl.compareTo(MAX_TTL) > 0) {
            throw new InvalidInputException(TABLE, "ttl", "must be at least 1 ms and at most 365 days");
        }
        // in whole microseconds, the database's resolution
        Field<java.time.Instant> expires = DSL.field("now() + make_interval(secs => {0})", SQLDataType.INSTANT,
                DSL.val(ttl.truncatedTo(ChronoUnit.MICROS).toNanos() / 1e9));
        UUID id = Ids.next();
        return engine.run(scope.apply(Tx.one("exports.create")), LIBRARY_WRITE, tx -> map(Inserts.once(tx.dsl(),
                tx.dsl().insertInto(EXPORTS).set(EXPORTS.ID, id).set(EXPORTS.PROJECT_ID, project)
                        .set(EXPORTS.MANIFEST, JsonColumns.jsonb(m)).set(EXPORTS.EXPIRES_AT, expires),
                EXPORTS, tx.attempt() > 1, List.of(Inserts.key(EXPORTS.ID, id),
                        Inserts.key(EXPORTS.PROJECT_ID, project)))));
    }

    @Override
    public Optional<Export> byId(UUID id) {
        UUID key = Check.id(TABLE, "id", id);
        return engine.run(scope.apply(Tx.read("exports.byId")), LIBRARY_READ, tx -> tx.dsl().selectFrom(EXPORTS)
                .where(EXPORTS.ID.eq(key)).fetchOptional().map(ExportStore::map));
    }

    @Override
    public Export markProcessing(UUID id) {
        return move(id, ExportStatus.PROCESSING, List.of(ExportStatus.PENDING), null, null, "exports.markProcessing");
    }

    @Override
    public Export markCompleted(UUID id, String filePath, Json manifest) {
        String path = Check.text(TABLE, "file_path", filePath, Check.MAX_FILE_PATH);
        Json m = Check.json(TABLE, "manifest", manifest, false);
        return move(id, ExportStatus.COMPLETED, List.of(ExportStatus.PENDING, ExportStatus.PROCESSING), path, m,
                "exports.markCompleted");
    }

    @Override
    public Export markFailed(UUID id) {
        return move(id, ExportStatus.FAILED, List.of(ExportStatus.PENDING, ExportStatus.PROCESSING), null, null,
                "exports.markFailed");
    }

    private Export move(UUID id, ExportStatus to, List<ExportStatus> from, String path, Json manifest, String name) {
        UUID key = Check.id(TABLE, "id", id);
        List<String> allowed = from.stream().map(ExportStatus::dbValue).toList();
        return engine.run(scope.apply(Tx.many(name)), LIBRARY_WRITE, tx -> {
            var update = tx.dsl().update(EXPORTS).set(EXPORTS.STATUS, to.dbValue());
            if (path != null) {
                update = update.set(EXPORTS.FILE_PATH, path);
            }
            if (manifest != null) {
                update = update.set(EXPORTS.MANIFEST, JsonColumns.jsonb(manifest));
            }
            Optional<ExportsRecord> updated = update.where(EXPORTS.ID.eq(key)).and(EXPORTS.STATUS.in(allowed))
                    .returning().fetchOptional();
            return map(Transitions.require(updated, tx.dsl(), EXPORTS, EXPORTS.ID, EXPORTS.STATUS, key, "export",
                    to.dbValue(), tx.attempt() > 1));
        });
    }

    @Override
    public List<Export> listExpired(int limit) {
        scope.requireSystem("exports.listExpired");
        int size = Check.limit(TABLE, limit);
        return engine.run(scope.apply(Tx.read("exports.listExpired")), LIBRARY_READ, tx -> tx.dsl().selectFrom(EXPORTS)
                .where(EXPORTS.EXPIRES_AT.le(DSL.currentInstant())).orderBy(EXPORTS.EXPIRES_AT, EXPORTS.ID)
                .limit(size).fetch(ExportStore::map));
    }

    @Override
    public List<String> purgeExpired(int batchSize) {
        List<String> paths = new ArrayList<>();
        purgeExpired(batchSize, paths::addAll);
        return paths;
    }

    @Override
    public long purgeExpired(int batchSize, Consumer<? super List<String>> removed) {
        scope.requireSystem("exports.purgeExpired");
        engine.requireNoTransaction("exports.purgeExpired", "commits batch by batch and hands over the file paths of "
                + "each committed batch (a rollback around it would bring back rows whose files were deleted)");
        int size = Check.limit(TABLE, "batchSize", batchSize);
        Check.notNull(TABLE, "removed", removed, "must not be null: pass a consumer of the removed file paths");
        long deleted = 0;
        while (true) {
            Batch batch = purgeBatch(size);
            deleted += batch.deleted().size();
            purges.batch(PurgeMetrics.EXPORTS, batch.deleted().size(), deleted);
            List<String> paths = batch.deleted().values().stream().flatMap(Optional::stream).toList();
            if (!paths.isEmpty()) {
                removed.accept(paths);
            }
            if (!batch.full()) {
                return deleted;
            }
        }
    }

    /** The exports one batch deleted (id to file path), and whether it was a full batch. */
    private record Batch(Map<UUID, Optional<String>> deleted, boolean full) {
    }

    /**
     * One batch: lock up to {@code size} expired exports (skipping those locked by others), read
     * their paths, delete them, commit. Its paths are known before the DELETE, so when the
     * connection is lost (perhaps while committing) the next attempt finds out which of them are
     * gone and reports those, instead of losing their paths.
     */
    private Batch purgeBatch(int size) {
        Map<UUID, Optional<String>> locked = new LinkedHashMap<>();
        return engine.run(scope.apply(Tx.many("exports.purgeExpired")), LIBRARY_WRITE, tx -> {
            if (!locked.isEmpty()) {
                Set<UUID> still = new HashSet<>(tx.dsl().select(EXPORTS.ID).from(EXPORTS)
                        .where(EXPORTS.ID.in(locked.keySet())).fetch(EXPORTS.ID));
                Map<UUID, Optional<String>> gone = new LinkedHashMap<>(locked);
                gone.keySet().removeAll(still);
                if (!gone.isEmpty()) {
                    return new Batch(gone, locked.size() == size);
                }
                locked.clear(); // the earlier attempt was rolled back: a batch of its own
            }
            tx.dsl().select(EXPORTS.ID, EXPORTS.FILE_PATH).from(EXPORTS)
                    .where(EXPORTS.EXPIRES_AT.le(DSL.currentInstant()))
                    .orderBy(EXPORTS.EXPIRES_AT).limit(size).forUpdate().skipLocked()
                    .fetch().forEach(r -> locked.put(r.value1(), Optional.ofNullable(r.value2())));
            if (locked.isEmpty()) {
                return new Batch(Map.of(), false);
            }
            tx.dsl().deleteFrom(EXPORTS).where(EXPORTS.ID.in(locked.keySet())).execute();
            return new Batch(new LinkedHashMap<>(locked), locked.size() == size);
        });
    }

    static Export map(ExportsRecord r) {
        return new Export(r.getId(), r.getProjectId(), ExportStatus.fromDb(r.getStatus()),
                Optional.ofNullable(r.getFilePath()), JsonColumns.fromJsonb(r.getManifest()), r.getCreatedAt(),
                r.getExpiresAt());
    }
}
