package io.jeex.db;

import io.jeex.db.repository.Json;
import org.jooq.JSONB;

/**
 * {@link Json} values to and from the JSONB columns. A read value is taken as PostgreSQL returned
 * it ({@link Json#ofStored}): {@code jsonb}'s output keeps the input rules by construction, and a
 * value stored by a service's own SQL beyond them (nested deeper than the input limit) is read,
 * not refused.
 */
final class JsonColumns {

    private JsonColumns() {
    }

    /** @return the value as jOOQ's JSONB, or null for null */
    static JSONB jsonb(Json value) {
        return value == null ? null : JSONB.valueOf(value.text());
    }

    /** @return a JSONB column's text as read by JDBC, or null */
    static Json fromDb(String text) {
        return text == null ? null : Json.ofStored(text);
    }

    /** @return a JSONB column's value as read by jOOQ, or null */
    static Json fromJsonb(JSONB value) {
        return value == null ? null : Json.ofStored(value.data());
    }
}
