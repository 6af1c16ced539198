package io.jeex.db.repository;

import io.jeex.db.error.InvalidInputException;
import java.util.Optional;
import java.util.UUID;

/**
 * Document versions: append (the next number is allocated atomically), the latest version,
 * a version by number, and the history page by page.
 *
 * <p>Appends to the same project and document type are serialized by a transaction-scoped
 * advisory lock ({@code pg_advisory_xact_lock}, released at commit, safe behind PgBouncer in
 * transaction mode), so concurrent writers get consecutive numbers with no gap, no duplicate
 * and no error; appends to other documents do not wait. Joined to a REPEATABLE READ or
 * SERIALIZABLE transaction of the caller, an append that finds the lock held does not wait inside
 * the transaction (its snapshot, taken before the other append committed, could not see that
 * version): the whole transaction runs again once the lock is free, so numbers stay gap-free and
 * no serialization failure reaches the caller (the caller's work may therefore run more than
 * once, as on any retry).
 *
 * <p>Every operation is user-scoped: on {@code db.actingAs(id)} it reaches the versions of the
 * projects that user owns (those of another user's project are not found), on {@code db.system()}
 * every version.
 */
public interface DocumentRepository {

    /**
     * Appends a new version of a document; its number is one more than the latest (1 for the
     * first).
     *
     * @param projectId the project
     * @param documentType kind of document, a lower-case identifier
     * @param content the text, at most 10 Mi characters, stored as given (not trimmed)
     * @param metadata metadata of this version
     * @param authorId the author, or null when unknown; on a user's repositories the acting user
     *     or null (another author only in system mode)
     * @return the stored version
     * @throws InvalidInputException if a value breaks a rule
     * @throws io.jeex.db.error.ForeignKeyViolationException if the project or author does not exist
     * @throws io.jeex.db.error.RowSecurityException if the project is not the acting user's, or
     *     the author is another user
     */
    DocumentVersion append(UUID projectId, String documentType, String content, Json metadata, UUID authorId);

    /**
     * The latest version of a document.
     *
     * @param projectId the project
     * @param documentType kind of document
     * @return the latest version, or empty if there is none
     * @throws InvalidInputException if the project id is null or the type is not a lower-case
     *     identifier
     */
    Optional<DocumentVersion> latest(UUID projectId, String documentType);

    /**
     * A version by number.
     *
     * @param projectId the project
     * @param documentType kind of document
     * @param version its number, 1 or more
     * @return the version, or empty
     * @throws InvalidInputException if the project id is null, the type is not a lower-case
     *     identifier or the number is below 1
     */
    Optional<DocumentVersion> byNumber(UUID projectId, String documentType, int version);

    /**
     * A document's history, newest first, without contents, one page at a time.
     *
     * @param projectId the project
     * @param documentType kind of document
     * @param limit page size, 1 to 1000
     * @param cursor empty for the first page, else {@link Page#nextCursor()} of the previous page
     * @return the page
     * @throws InvalidInputException if the project id or cursor is null, the type is not a
     *     lower-case identifier, the limit is out of range or the cursor is malformed
     */
    Page<DocumentVersionInfo> history(UUID projectId, String documentType, int limit, Optional<String> cursor);
}
