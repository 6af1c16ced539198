package io.jeex.db.repository;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.io.IOException;

/**
 * Checks that a text is one JSON object that PostgreSQL's {@code jsonb} stores as written, with
 * jackson-core's streaming parser (no tree is built): well-formed (RFC 8259, nothing before or
 * after the object); no key repeated within one object ({@code jsonb} keeps only the last value;
 * escapes are decoded first, so {@code "a"} and <code>"&#92;u0061"</code> are the same key);
 * nesting at most {@value #MAX_DEPTH} levels; and two rules of PostgreSQL's text type on every
 * key and string: no NUL, no unpaired UTF-16 surrogate (escaped or raw).
 *
 * <p>Every rule is worded to follow the field name ("must ..."); none shows the text, a key or a
 * position (the parser's own messages do, so they are not passed on).
 */
final class JsonRules {

    static final int MAX_DEPTH = 256;

    static final String NOT_AN_OBJECT = "must be a JSON object ({...})";

    static final String REPEATED_KEY = "must not repeat a key within one object (PostgreSQL would keep only the "
            + "last value)";

    static final String TOO_DEEP = "must not nest objects and arrays deeper than " + MAX_DEPTH + " levels";

    static final String NUL = "must not contain \\u0000: PostgreSQL cannot store the NUL character";

    static final String SURROGATE = "must not contain an unpaired UTF-16 surrogate (U+D800 to U+DFFF without"
            + " its pair, escaped or not): it is not a Unicode character";

    /**
     * Only the nesting depth is limited: jsonb takes numbers, strings and keys of any length, and
     * the repositories bound the whole text.
     */
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxNumberLength(Integer.MAX_VALUE)
                    .maxStringLength(Integer.MAX_VALUE)
                    .maxNameLength(Integer.MAX_VALUE)
                    .build())
            .build();

    private JsonRules() {
    }

    static boolean isObject(String text) {
        return problem(text) == null;
    }

    /**
     * @param text the text to check
     * @return null if the text is one JSON object {@code jsonb} stores as written, else the rule
     *     it breaks
     */
    static String problem(String text) {
        try (JsonParser p = FACTORY.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return NOT_AN_OBJECT;
            }
            for (JsonToken t = p.nextToken(); ; t = p.nextToken()) {
                if (t == null) {
                    return NOT_AN_OBJECT;
                }
                if (t == JsonToken.FIELD_NAME || t == JsonToken.VALUE_STRING) {
                    String problem = storable(p.getText());
                    if (problem != null) {
                        return problem;
                    }
                } else if (t == JsonToken.END_OBJECT && p.getParsingContext().inRoot()) {
                    break;
                }
            }
            return p.nextToken() == null ? null : NOT_AN_OBJECT;
        } catch (StreamConstraintsException e) {
            return TOO_DEEP;
        } catch (JsonParseException e) {
            return String.valueOf(e.getOriginalMessage()).startsWith("Duplicate field") ? REPEATED_KEY : NOT_AN_OBJECT;
        } catch (IOException e) {
            return NOT_AN_OBJECT;
        }
    }

    /** The PostgreSQL text rules: no NUL, every surrogate paired. */
    private static String storable(String s) {
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            if (c == 0) {
                return NUL;
            }
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && k + 1 < s.length() && Character.isLowSurrogate(s.charAt(k + 1))) {
                    k++;
                } else {
                    return SURROGATE;
                }
            }
        }
        return null;
    }
}
