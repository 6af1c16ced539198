package io.jeex.db.repository;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * A version in a document's history: everything but the content (fetch that with
 * {@link DocumentRepository#byNumber}).
 *
 * @param id the version's id
 * @param version its number
 * @param contentLength length of its content in characters
 * @param metadata its metadata, a JSON object
 * @param authorId who wrote it, if known
 * @param createdAt when it was written
 */
public record DocumentVersionInfo(UUID id, int version, int contentLength, Json metadata, Optional<UUID> authorId,
        Instant createdAt) {
}
