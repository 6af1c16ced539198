package io.jeex.db.repository;

import io.jeex.db.error.InvalidInputException;
import java.util.Locale;

/** The status of an export: pending → processing → completed or failed. */
public enum ExportStatus {
    /** Requested, not started. */
    PENDING,
    /** Being written. */
    PROCESSING,
    /** Written; the file is at its path until the export expires. */
    COMPLETED,
    /** Could not be written. */
    FAILED;

    /** @return the value stored in {@code exports.status} */
    public String dbValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Reads a stored value.
     *
     * @param value for example {@code completed}
     * @return the status
     * @throws InvalidInputException if the value names no status
     */
    public static ExportStatus fromDb(String value) {
        for (ExportStatus s : values()) {
            if (s.dbValue().equals(value)) {
                return s;
            }
        }
        throw new InvalidInputException("exports", "status", "must be one of pending, processing, completed, failed");
    }
}
