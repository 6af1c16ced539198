package io.jeex.db.repository;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * A user, as stored.
 *
 * @param id time-ordered UUID v7
 * @param email sign-in email, unique without regard to case
 * @param name display name
 * @param profile profile settings, a JSON object
 * @param createdAt when the user was created
 * @param lastLoginAt when the user last signed in, empty if never
 * @param updatedAt when the row last changed
 */
public record User(UUID id, String email, String name, Json profile, Instant createdAt,
        Optional<Instant> lastLoginAt, Instant updatedAt) {
}
