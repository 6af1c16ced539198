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
 * <p>Values the repositories read back are taken as PostgreSQL returns them ({@link
 * #ofStored}): {@code jsonb}'s output cannot break those rules, and a value a service stored
 * with its own SQL, nested deeper than the input limit say, is read rather than refused.
 *
 * <p>Immutable; equal when the texts are equal (the same object written with other whitespace
 * or key order is another text).
 */
public final class Json {

    /** The empty object. */
    public static final Json EMPTY = new Json("{}");

    private final String text;

    /**
     * Checks the text.
     *
     * @param text the JSON text
     * @throws InvalidInputException if it is null or not a well-formed JSON object, or breaks
     *     one of the rules above, nesting deeper than 256 levels included (the message names the
     *     rule, never the text or a key of it)
     */
    public Json(String text) {
        String problem = JsonRules.problem(present(text));
        if (problem != null) {
            throw new InvalidInputException(null, "json", problem);
        }
        this.text = text;
    }

    private Json(String text, boolean stored) {
        this.text = text;
    }

    private static String present(String text) {
        if (text == null) {
            throw new InvalidInputException(null, "json", "must not be null");
        }
        return text;
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

    /**
     * A {@code jsonb} object as PostgreSQL returned it, for a service's own reads of JSONB
     * columns (its generated classes, {@code JSONB.data()}); the repositories read theirs so.
     * Only its first character is checked: PostgreSQL's {@code jsonb} output is well-formed and
     * has no repeated key, NUL or unpaired surrogate, whatever SQL stored it. For any other
     * text, input above all, use {@link #of}, which checks every rule.
     *
     * @param jsonbText the text of a {@code jsonb} value holding an object, as the driver
     *     returns it
     * @return the value, its text as given
     * @throws InvalidInputException if the text is null or does not start with <code>{</code>
     *     (the value is not an object)
     */
    public static Json ofStored(String jsonbText) {
        if (present(jsonbText).isEmpty() || jsonbText.charAt(0) != '{') {
            throw new InvalidInputException(null, "json", JsonRules.NOT_AN_OBJECT);
        }
        return new Json(jsonbText, true);
    }

    /** @return the JSON text, as given */
    public String text() {
        return text;
    }

    static boolean isObject(String text) {
        return JsonRules.isObject(text);
    }

    /** @return whether {@code o} is a {@code Json} with the same text */
    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof Json other && text.equals(other.text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    /** @return the JSON text */
    @Override
    public String toString() {
        return text;
    }
}
