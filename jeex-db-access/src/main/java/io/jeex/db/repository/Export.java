package io.jeex.db.repository;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * An export of a project's documents.
 *
 * @param id time-ordered UUID v7
 * @param projectId the exported project
 * @param status the status
 * @param filePath where the file is, once completed
 * @param manifest what the export contains, a JSON object
 * @param createdAt when it was requested
 * @param expiresAt when it may be purged
 */
public record Export(UUID id, UUID projectId, ExportStatus status, Optional<String> filePath, Json manifest,
        Instant createdAt, Instant expiresAt) {
}
