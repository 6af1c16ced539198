package io.jeex.db.repository;

import io.jeex.db.error.IllegalTransitionException;
import io.jeex.db.error.InvalidInputException;
import io.jeex.db.error.NotFoundException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

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
public interface ExportRepository {

    /** Default time an export is kept: 24 hours, as the schema's default. */
    Duration DEFAULT_TTL = Duration.ofHours(24);

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
    Export create(UUID projectId, Json manifest);

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
    Export create(UUID projectId, Json manifest, Duration ttl);

    /**
     * Finds an export.
     *
     * @param id the id
     * @return the export, or empty
     * @throws InvalidInputException if the id is null
     */
    Optional<Export> byId(UUID id);

    /**
     * Marks a pending export as being written.
     *
     * @param id the export
     * @return the updated export
     * @throws InvalidInputException if the id is null
     * @throws NotFoundException if there is no such export
     * @throws IllegalTransitionException if it is not pending
     */
    Export markProcessing(UUID id);

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
    Export markCompleted(UUID id, String filePath, Json manifest);

    /**
     * Marks an export as failed.
     *
     * @param id the export
     * @return the updated export
     * @throws InvalidInputException if the id is null
     * @throws NotFoundException if there is no such export
     * @throws IllegalTransitionException if it is not pending or processing
     */
    Export markFailed(UUID id);

    /**
     * Exports whose time is up (expires_at at or before the database's now), oldest first.
     *
     * @param limit how many at most, 1 to 1000
     * @return the expired exports
     * @throws InvalidInputException if the limit is out of range
     * @throws io.jeex.db.error.WrongScopeException if called on the repositories of a user
     */
    List<Export> listExpired(int limit);

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
     * @throws io.jeex.db.error.WrongScopeException if called on the repositories of a user, or inside
     *     a transaction
     */
    List<String> purgeExpired(int batchSize);

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
     * <p>Call it outside any transaction: inside one ({@link io.jeex.db.JeexDatabase#transaction}, of
     * the pool or in system mode) it is refused, because its batches would join that transaction
     * and {@code removed} would receive paths of deletions that may still roll back.
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
     * @throws io.jeex.db.error.WrongScopeException if called on the repositories of a user, or inside
     *     a transaction
     */
    long purgeExpired(int batchSize, Consumer<? super List<String>> removed);
}
