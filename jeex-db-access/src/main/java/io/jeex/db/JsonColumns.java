package io.jeex.db;

import io.jeex.db.repository.Json;
import org.jooq.JSONB;

/** {@link Json} values to and from the JSONB columns (each read value is validated again by {@link Json}). */
final class JsonColumns {

    private JsonColumns() {
    }

    /** @return the value as jOOQ's JSONB, or null for null */
    static JSONB jsonb(Json value) {
        return value == null ? null : JSONB.valueOf(value.text());
    }

    /** @return a JSONB column's text as read by JDBC, or null */
    static Json fromDb(String text) {
        return text == null ? null : new Json(text);
    }

    /** @return a JSONB column's value as read by jOOQ, or null */
    static Json fromJsonb(JSONB value) {
        return value == null ? null : new Json(value.data());
    }
}
