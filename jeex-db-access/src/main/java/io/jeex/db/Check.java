package io.jeex.db;

import io.jeex.db.error.InvalidInputException;
import io.jeex.db.repository.Json;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Input rules of the schema, checked before a statement is sent; messages state the rule and
 * never echo the value (not even a number or a length: what a service's user typed is data).
 * Lengths are counted in code points, as PostgreSQL counts characters.
 * Every string must be one PostgreSQL text can hold as given: no NUL character (SQLSTATE
 * 22021 otherwise) and no unpaired UTF-16 surrogate (the driver would store {@code ?}).
 */
final class Check {

    static final int MAX_NAME = 255;
    static final int MAX_EMAIL = 255;
    static final int MAX_TYPE = 50;
    /** Largest document accepted, in characters (10 Mi): bigger ones belong in object storage. */
    static final int MAX_CONTENT = 10 * 1024 * 1024;
    static final int MAX_ERROR_MESSAGE = 64 * 1024;
    static final int MAX_FILE_PATH = 4096;
    static final int MAX_JSON = 1024 * 1024;
    static final int MAX_PAGE = 1000;

    private static final Pattern EMAIL = Pattern.compile("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$");
    private static final Pattern LANGUAGE = Pattern.compile("^[a-z]{2,3}(-[A-Z]{2})?$");
    private static final Pattern DOCUMENT_TYPE = Pattern.compile("^[a-z][a-z0-9_]{0,49}$");

    private Check() {
    }

    static UUID id(String table, String field, UUID value) {
        if (value == null) {
            throw new InvalidInputException(table, field, "must not be null");
        }
        return value;
    }

    static <T> T notNull(String table, String field, T value, String rule) {
        if (value == null) {
            throw new InvalidInputException(table, field, rule);
        }
        return value;
    }

    /**
     * A name-like value: not blank, stripped of leading and trailing white space
     * ({@link String#strip()}), then at most {@code max} characters.
     */
    static String text(String table, String field, String value, int max) {
        if (value == null || value.isBlank()) {
            throw new InvalidInputException(table, field, "must not be blank");
        }
        String trimmed = value.strip();
        atMost(table, field, trimmed, max);
        return storable(table, field, trimmed);
    }

    /** Free text kept as given: not blank, at most {@code max} characters, not trimmed. */
    static String verbatim(String table, String field, String value, int max) {
        if (value == null || value.isBlank()) {
            throw new InvalidInputException(table, field, "must not be blank");
        }
        atMost(table, field, value, max);
        return storable(table, field, value);
    }

    /**
     * Refuses a value longer than {@code max} characters, counted as PostgreSQL counts them in
     * {@code varchar(n)} and {@code length()}: code points, so an emoji is one character (two
     * Java chars). The message states the rule only: neither the value nor its length.
     */
    static void atMost(String table, String field, String value, int max) {
        if (value.length() > max && value.codePointCount(0, value.length()) > max) {
            throw new InvalidInputException(table, field, "must be at most " + max + " characters");
        }
    }

    /**
     * @return the value, if PostgreSQL text can hold it exactly: no NUL and every UTF-16
     *     surrogate paired
     */
    static String storable(String table, String field, String value) {
        for (int k = 0; k < value.length(); k++) {
            char c = value.charAt(k);
            if (c == 0) {
                throw new InvalidInputException(table, field,
                        "must not contain the NUL character (U+0000): PostgreSQL text cannot store it");
            }
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && k + 1 < value.length()
                        && Character.isLowSurrogate(value.charAt(k + 1))) {
                    k++;
                } else {
                    throw new InvalidInputException(table, field, "must not contain an unpaired UTF-16 surrogate"
                            + " (U+D800 to U+DFFF without its pair): it is not a Unicode character and would be"
                            + " stored as '?'");
                }
            }
        }
        return value;
    }

    static String email(String table, String value) {
        String email = text(table, "email", value, MAX_EMAIL);
        if (!EMAIL.matcher(email).matches()) {
            throw new InvalidInputException(table, "email", "must be an email address like name@example.com");
        }
        return email;
    }

    static String language(String value) {
        String language = text("projects", "language", value, 10);
        if (!LANGUAGE.matcher(language).matches()) {
            throw new InvalidInputException("projects", "language",
                    "must be an ISO 639 language code with an optional ISO 3166 region, like en or pt-BR");
        }
        return language;
    }

    static String documentType(String value) {
        if (value == null || !DOCUMENT_TYPE.matcher(value).matches()) {
            throw new InvalidInputException("document_versions", "document_type",
                    "must be a lower-case identifier of 1 to 50 letters, digits and underscores, starting with a letter");
        }
        return value;
    }

    static String content(String value) {
        if (value == null) {
            throw new InvalidInputException("document_versions", "content", "must not be null");
        }
        atMost("document_versions", "content", value, MAX_CONTENT);
        return storable("document_versions", "content", value);
    }

    static Json json(String table, String field, Json value, boolean nullable) {
        if (value == null) {
            if (nullable) {
                return null;
            }
            throw new InvalidInputException(table, field, "must not be null");
        }
        if (value.text().length() > MAX_JSON) {
            throw new InvalidInputException(table, field, "must be at most " + MAX_JSON + " characters of JSON");
        }
        return value;
    }

    static int step(int value) {
        if (value < 1 || value > 4) {
            throw new InvalidInputException("projects", "current_step", "must be between 1 and 4");
        }
        return value;
    }

    static int limit(String table, int value) {
        return limit(table, "limit", value);
    }

    /**
     * @param table the table, for the message
     * @param parameter the parameter's name as its javadoc gives it ({@code limit}, {@code batchSize})
     * @param value the value
     * @return the value, 1 to {@link #MAX_PAGE}
     */
    static int limit(String table, String parameter, int value) {
        if (value < 1 || value > MAX_PAGE) {
            throw new InvalidInputException(table, parameter, "must be between 1 and " + MAX_PAGE);
        }
        return value;
    }
}
