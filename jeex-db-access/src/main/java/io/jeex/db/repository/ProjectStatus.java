package io.jeex.db.repository;

import io.jeex.db.error.InvalidInputException;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The status of a project and the changes it allows:
 * <pre>
 *   DRAFT ──> IN_PROGRESS ──> COMPLETED ──> ARCHIVED
 *     │            │   ^           │
 *     │            │   └───────────┘ (reopen)
 *     └────────────┴──────────────────────> ARCHIVED
 * </pre>
 * Archived is final: an archived project is read-only history.
 */
public enum ProjectStatus {
    /** Created, not yet worked on. */
    DRAFT,
    /** Being worked through its steps. */
    IN_PROGRESS,
    /** All steps done. */
    COMPLETED,
    /** Put away for good. */
    ARCHIVED;

    /** @return the value stored in {@code projects.status} */
    public String dbValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return the statuses this one may change to */
    public Set<ProjectStatus> next() {
        return switch (this) {
            case DRAFT -> EnumSet.of(IN_PROGRESS, ARCHIVED);
            case IN_PROGRESS -> EnumSet.of(COMPLETED, ARCHIVED);
            case COMPLETED -> EnumSet.of(IN_PROGRESS, ARCHIVED);
            case ARCHIVED -> EnumSet.noneOf(ProjectStatus.class);
        };
    }

    /** @return the statuses from which this one may be reached */
    public Set<ProjectStatus> previous() {
        Set<ProjectStatus> from = EnumSet.noneOf(ProjectStatus.class);
        for (ProjectStatus s : values()) {
            if (s.next().contains(this)) {
                from.add(s);
            }
        }
        return from;
    }

    /**
     * Reads a stored value.
     *
     * @param value for example {@code in_progress}
     * @return the status
     * @throws InvalidInputException if the value names no status
     */
    public static ProjectStatus fromDb(String value) {
        for (ProjectStatus s : values()) {
            if (s.dbValue().equals(value)) {
                return s;
            }
        }
        throw new InvalidInputException("projects", "status", "must be one of draft, in_progress, completed, archived");
    }
}
