package io.jeex.db.repository;

import static io.jeex.db.internal.tx.RetryPolicy.Mode.LIBRARY_READ;
import static io.jeex.db.internal.tx.RetryPolicy.Mode.LIBRARY_WRITE;

import static io.jeex.db.codegen.Tables.EXPORTS;
import static java.util.Objects.requireNonNull;

import io.jeex.db.codegen.tables.records.ExportsRecord;
import io.jeex.db.internal.metrics.PurgeMetrics;
import io.jeex.db.internal.tx.Transactions;
import io.jeex.db.error.IllegalTransitionException;
import io.jeex.db.error.InvalidInputException;
import io.jeex.db.error.NotFoundException;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.jooq.Field;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * Exports: create (expiring after 24 hours by default), mark processing, completed (with the
 * file path and manifest) or failed, list the expired ones, and purge them in bounded batches,
 * handing over the paths of the files to delete.
 *
 * <p>{@link #listExpired} and the {@code purgeExpired} methods are system-scoped (they cross
 * users: on {@code db.system()} only); every other operation is user-scoped: on
 * {@code db.actingAs(id)} it reaches the exports of the projects that user owns, on
 * {@code db.system()} every export.
 *
 * <p>Retention: an export is kept until its {@code expires_at} ({@link #DEFAULT_TTL} after it was
 * requested unless given), then the purge deletes it and hands over its file's path.
 */
public final class ExportRepository {

    /** Default time an export is kept: 24 hours, as the schema's default. */
    public static final Duration DEFAULT_TTL = Duration.ofHours(24);

    private static final String TABLE = "exports";
    /** Shortest lifetime: below it, the expiry would round to the creation instant. */
    private static final Duration MIN_TTL = Duration.ofMillis(1);
    private static final Duration MAX_TTL = Duration.ofDays(365);
    private final Transactions engine;

    private final Scope scope;
    private final PurgeMetrics purges;

    ExportRepository(Transactions engine, Scope scope, PurgeMetrics purges) {
        this.engine = requireNonNull(engine, "engine");
        this.scope = requireNonNull(scope, "scope");
        this.purges = requireNonNull(purges, "purges");
    }

    /**
     * Requests an export that expires after {@link #DEFAULT_TTL}.
     *
     * @param projectId the project
     * @param manifest what it will contain
     * @return the stored export, status pending
     * @throws InvalidInputException if the project id or manifest is null, or the manifest is too
     *     large
     * @throws io.jeex.db.error.ForeignKeyViolationException if the project does not exist
     */
    public Export create(UUID projectId, Json manifest) {
        return create(projectId, manifest, DEFAULT_TTL);
    }

    /**
     * Requests an export.
     *
     * @param projectId the project
     * @param manifest what it will contain
     * @param ttl how long to keep it, from now; at least 1 ms, at most 365 days
     * @return the stored export, status pending
     * @throws InvalidInputException if a value breaks a rule
     * @throws io.jeex.db.error.ForeignKeyViolationException if the project does not exist
     * @throws io.jeex.db.error.RowSecurityException if the project is not the acting user's
     */
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
                        .set(EXPORTS.MANIFEST, m.jsonb()).set(EXPORTS.EXPIRES_AT, expires),
                EXPORTS, EXPORTS.ID, id, tx.attempt() > 1)));
    }

    /**
     * Finds an export.
     *
     * @param id the id
     * @return the export, or empty
     * @throws InvalidInputException if the id is null
     */
    public Optional<Export> byId(UUID id) {
        UUID key = Check.id(TABLE, "id", id);
        return engine.run(scope.apply(Tx.read("exports.byId")), LIBRARY_READ, tx -> tx.dsl().selectFrom(EXPORTS)
                .where(EXPORTS.ID.eq(key)).fetchOptional().map(ExportRepository::map));
    }

    /**
     * Marks a pending export as being written.
     *
     * @param id the export
     * @return the updated export
     * @throws InvalidInputException if the id is null
     * @throws NotFoundException if there is no such export
     * @throws IllegalTransitionException if it is not pending
     */
    public Export markProcessing(UUID id) {
        return move(id, ExportStatus.PROCESSING, List.of(ExportStatus.PENDING), null, null, "exports.markProcessing");
    }

    /**
     * Marks an export as written.
     *
     * @param id the export
     * @param filePath where the file is, stored stripped of leading and trailing white space, at
     *     most 4096 characters
     * @param manifest what it contains
     * @return the updated export
     * @throws InvalidInputException if the id or manifest is null, or the path is blank, too long
     *     or holds a NUL character or an unpaired surrogate
     * @throws NotFoundException if there is no such export
     * @throws IllegalTransitionException if it is not pending or processing
     */
    public Export markCompleted(UUID id, String filePath, Json manifest) {
        String path = Check.text(TABLE, "file_path", filePath, Check.MAX_FILE_PATH);
        Json m = Check.json(TABLE, "manifest", manifest, false);
        return move(id, ExportStatus.COMPLETED, List.of(ExportStatus.PENDING, ExportStatus.PROCESSING), path, m,
                "exports.markCompleted");
    }

    /**
     * Marks an export as failed.
     *
     * @param id the export
     * @return the updated export
     * @throws InvalidInputException if the id is null
     * @throws NotFoundException if there is no such export
     * @throws IllegalTransitionException if it is not pending or processing
     */
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
                update = update.set(EXPORTS.MANIFEST, manifest.jsonb());
            }
            Optional<ExportsRecord> updated = update.where(EXPORTS.ID.eq(key)).and(EXPORTS.STATUS.in(allowed))
                    .returning().fetchOptional();
            return map(Transitions.require(updated, tx.dsl(), EXPORTS, EXPORTS.ID, EXPORTS.STATUS, key, "export",
                    to.dbValue(), tx.attempt() > 1));
        });
    }

    /**
     * Exports whose time is up (expires_at at or before the database's now), oldest first.
     *
     * @param limit how many at most, 1 to 1000
     * @return the expired exports
     * @throws InvalidInputException if the limit is out of range
     * @throws io.jeex.db.error.WrongScopeException if called on the repositories of a user
     */
    public List<Export> listExpired(int limit) {
        scope.requireSystem("exports.listExpired");
        int size = Check.limit(TABLE, limit);
        return engine.run(scope.apply(Tx.read("exports.listExpired")), LIBRARY_READ, tx -> tx.dsl().selectFrom(EXPORTS)
                .where(EXPORTS.EXPIRES_AT.le(DSL.currentInstant())).orderBy(EXPORTS.EXPIRES_AT, EXPORTS.ID)
                .limit(size).fetch(ExportRepository::map));
    }

    /**
     * Deletes every expired export, in transactions of at most {@code batchSize} rows (short
     * locks, bounded WAL per commit; rows locked by someone else are skipped and taken by a
     * later purge), and returns the file paths of the deleted exports that had a file, for
     * the caller to delete from storage.
     *
     * <p>Built on {@link #purgeExpired(int, Consumer)}, collecting the paths in a list. If a
     * batch fails part way through the purge (the database becomes unreachable, a timeout...),
     * the exception propagates and the paths of the batches committed before it are lost to the
     * caller although their rows are gone: those files are orphaned. Where that matters, use
     * {@link #purgeExpired(int, Consumer)}, which hands over each batch's paths as soon as it has
     * committed.
     *
     * @param batchSize rows per transaction, 1 to 1000
     * @return paths of the removed files, batch after batch (within a batch, in no particular order)
     * @throws InvalidInputException if the batch size is out of range
     * @throws io.jeex.db.error.WrongScopeException if called on the repositories of a user
     */
    public List<String> purgeExpired(int batchSize) {
        List<String> paths = new ArrayList<>();
        purgeExpired(batchSize, paths::addAll);
        return paths;
    }

    /**
     * Deletes every expired export, in transactions of at most {@code batchSize} rows (short
     * locks, bounded WAL per commit; rows locked by someone else are skipped and taken by a
     * later purge), and hands the file paths of each batch's deleted exports that had a file
     * to {@code removed} right after that batch has committed, before the
     * next batch starts. A batch that deleted no file is not reported.
     *
     * <p>So whenever this method throws, every path of a deletion that committed has already been
     * delivered. A batch whose connection was lost (even while it committed) is resolved on the
     * next attempt: the paths of its exports that are gone are delivered, at least once (rarely
     * twice, when another purge deleted the same rows after this batch was rolled back). If
     * {@code removed} itself throws, purging stops and its exception reaches the
     * caller unchanged; the batch whose paths it was given stays deleted, later batches are not
     * started.
     *
     * <p>Call it outside any transaction: inside one ({@link io.jeex.db.JeexDatabase#transaction}) the
     * batches join it, nothing commits until it does, and {@code removed} would receive paths of
     * deletions that may still roll back.
     *
     * <p>System-scoped: it runs in system mode, on {@code db.system()} only. After each committed
     * batch, {@code jeex.db.purge.rows} (tags {@code pool}, {@code table=exports}) counts its rows
     * and one INFO line says how many (counts only). Bounded and resumable: a purge that stops
     * loses nothing, the next one continues with what is still expired.
     *
     * @param batchSize rows per transaction, 1 to 1000
     * @param removed receives the file paths of each committed batch, never an empty list
     * @return how many exports were deleted
     * @throws InvalidInputException if the batch size is out of range or {@code removed} is null
     * @throws io.jeex.db.error.WrongScopeException if called on the repositories of a user
     */
    public long purgeExpired(int batchSize, Consumer<? super List<String>> removed) {
        scope.requireSystem("exports.purgeExpired");
        int size = Check.limit(TABLE, batchSize);
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
                Optional.ofNullable(r.getFilePath()), Json.fromJsonb(r.getManifest()), r.getCreatedAt(),
                r.getExpiresAt());
    }
}
