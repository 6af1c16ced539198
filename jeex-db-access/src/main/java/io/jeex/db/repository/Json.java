package io.jeex.db.repository;

import io.jeex.db.error.InvalidInputException;

/**
 * A JSON object as text, checked when created to be a well-formed object that PostgreSQL's
 * {@code jsonb} stores as written. The JSONB columns of the schema (profile data, metadata,
 * agent input and output, export manifests) hold objects only. Refused, besides malformed
 * JSON and non-objects: a key repeated within one object ({@code jsonb} would silently keep
 * only the last value), the escape <code>&#92;u0000</code> (PostgreSQL text cannot hold NUL)
 * and unpaired UTF-16 surrogates, escaped or raw (not Unicode characters). The text is kept
 * as given; {@code jsonb} normalises whitespace and key order when storing it.
 *
 * @param text the JSON text
 */
public record Json(String text) {

    /** The empty object. */
    public static final Json EMPTY = new Json("{}");

    /**
     * Checks the text.
     *
     * @throws InvalidInputException if it is null or not a well-formed JSON object, or breaks
     *     one of the rules above, nesting deeper than 256 levels included (the message names the
     *     rule, never the text or a key of it)
     */
    public Json {
        if (text == null) {
            throw new InvalidInputException(null, "json", "must not be null");
        }
        String problem = JsonRules.problem(text);
        if (problem != null) {
            throw new InvalidInputException(null, "json", problem);
        }
    }

    /**
     * Parses a JSON object.
     *
     * @param text JSON text such as {@code {"theme": "dark"}}
     * @return the value
     * @throws InvalidInputException if the text is null or not a well-formed JSON object, or
     *     breaks one of the rules of {@link Json}
     */
    public static Json of(String text) {
        return new Json(text);
    }

    static boolean isObject(String text) {
        return JsonRules.isObject(text);
    }

    @Override
    public String toString() {
        return text;
    }
}
