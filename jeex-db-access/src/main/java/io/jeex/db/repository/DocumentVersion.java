package io.jeex.db.repository;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * One immutable version of a project's document.
 *
 * @param id time-ordered UUID v7
 * @param projectId the project
 * @param documentType kind of document, a lower-case identifier such as {@code architecture}
 * @param version 1, 2, 3... per project and document type
 * @param content the document text
 * @param metadata metadata of this version, a JSON object
 * @param authorId who wrote it, empty when unknown or the author's account was deleted
 * @param createdAt when it was written
 */
public record DocumentVersion(UUID id, UUID projectId, String documentType, int version, String content,
        Json metadata, Optional<UUID> authorId, Instant createdAt) {
}
