package io.jeex.db.repository;

import static java.util.Objects.requireNonNull;

import io.jeex.db.error.InvalidInputException;
import org.jooq.JSONB;

/**
 * A JSON object as text, checked to be well-formed and an object when created. The JSONB
 * columns of the schema (profile data, metadata, agent input and output, export manifests)
 * hold objects only.
 *
 * @param text the JSON text
 */
public record Json(String text) {

    /** The empty object. */
    public static final Json EMPTY = new Json("{}");

    /**
     * Checks the text.
     *
     * @throws InvalidInputException if it is not a well-formed JSON object
     */
    public Json {
        requireNonNull(text, "text");
        if (!isObject(text)) {
            throw new InvalidInputException(null, "json", "must be a JSON object ({...})");
        }
    }

    /**
     * Parses a JSON object.
     *
     * @param text JSON text such as {@code {"theme": "dark"}}
     * @return the value
     * @throws InvalidInputException if the text is not a well-formed JSON object
     */
    public static Json of(String text) {
        return new Json(text);
    }

    static boolean isObject(String text) {
        return JsonSyntax.isObject(text);
    }

    JSONB jsonb() {
        return JSONB.valueOf(text);
    }

    /** A JSONB column's text as read by JDBC, or null. */
    static Json fromDb(String text) {
        return text == null ? null : new Json(text);
    }

    static Json fromJsonb(JSONB value) {
        return value == null ? null : new Json(value.data());
    }

    @Override
    public String toString() {
        return text;
    }
}
