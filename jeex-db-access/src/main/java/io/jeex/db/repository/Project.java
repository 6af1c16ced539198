package io.jeex.db.repository;

import java.time.Instant;
import java.util.UUID;

/**
 * A project, as stored. {@link #updatedAt()} doubles as the version for optimistic updates
 * ({@link ProjectRepository#changeStep}).
 *
 * @param id time-ordered UUID v7
 * @param name project name
 * @param status lifecycle status
 * @param currentStep wizard step, 1 to 4
 * @param language language of the generated documents, for example en or pt-BR
 * @param ownerId the owning user
 * @param createdAt when the project was created
 * @param updatedAt when the row last changed
 */
public record Project(UUID id, String name, ProjectStatus status, int currentStep, String language, UUID ownerId,
        Instant createdAt, Instant updatedAt) {
}
