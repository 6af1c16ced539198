package io.jeex.db.repository;

import java.util.HashSet;
import java.util.Set;

/**
 * A strict JSON (RFC 8259) syntax check answering whether a text is one well-formed JSON
 * object that PostgreSQL's {@code jsonb} stores exactly as written, and if not, why. Beyond
 * the grammar it refuses what {@code jsonb} would reject with an uncategorized error or change
 * silently:
 * <ul>
 *   <li>a key repeated in one object (after unescaping: {@code "a"} and <code>"&#92;u0061"</code> are
 *       the same key), which {@code jsonb} would collapse to the last value;</li>
 *   <li>the escape <code>&#92;u0000</code> (SQLSTATE 22P05: PostgreSQL text cannot hold NUL);</li>
 *   <li>an unpaired UTF-16 surrogate, escaped (<code>&#92;uD800</code> alone, 22P05) or raw in the Java
 *       string (the driver would send it as {@code ?}).</li>
 * </ul>
 * Nesting deeper than {@value #MAX_DEPTH} levels is refused rather than risking the stack.
 * Allocation is limited to one key set per object of two or more keys.
 */
final class JsonSyntax {

    static final int MAX_DEPTH = 256;
    static final String NOT_AN_OBJECT = "must be a JSON object ({...})";
    static final String NUL = "must not contain \\u0000: PostgreSQL cannot store the NUL character";
    static final String SURROGATE = "must not contain an unpaired UTF-16 surrogate (U+D800 to U+DFFF without"
            + " its pair, escaped or not): it is not a Unicode character";
    /** How much of a repeated key the message shows. */
    private static final int MAX_KEY_SHOWN = 64;

    private final String s;
    private int i;
    private String problem;

    private JsonSyntax(String s) {
        this.s = s;
    }

    static boolean isObject(String text) {
        return problem(text) == null;
    }

    /**
     * @param text the text to check
     * @return null if the text is one JSON object {@code jsonb} stores as written, else the rule
     *     it breaks, worded to follow the field name ("must be ...")
     */
    static String problem(String text) {
        JsonSyntax p = new JsonSyntax(text);
        p.space();
        if (!p.peek('{') || !p.value(0)) {
            return p.problem == null ? NOT_AN_OBJECT : p.problem;
        }
        p.space();
        return p.i == text.length() ? null : NOT_AN_OBJECT;
    }

    private boolean fail(String rule) {
        if (problem == null) {
            problem = rule;
        }
        return false;
    }

    private boolean value(int depth) {
        if (depth > MAX_DEPTH || i >= s.length()) {
            return false;
        }
        char c = s.charAt(i);
        return switch (c) {
            case '{' -> object(depth + 1);
            case '[' -> array(depth + 1);
            case '"' -> string(null);
            case 't' -> literal("true");
            case 'f' -> literal("false");
            case 'n' -> literal("null");
            default -> number();
        };
    }

    private boolean object(int depth) {
        i++; // {
        space();
        if (peek('}')) {
            i++;
            return true;
        }
        Set<String> keys = null;
        String firstKey = null;
        StringBuilder key = new StringBuilder();
        while (true) {
            space();
            key.setLength(0);
            if (!peek('"') || !string(key)) {
                return false;
            }
            String k = key.toString();
            if (firstKey == null) {
                firstKey = k;
            } else {
                if (keys == null) {
                    keys = new HashSet<>();
                    keys.add(firstKey);
                }
                if (!keys.add(k)) {
                    return fail("must not repeat a key within one object, but has the key \"" + shown(k)
                            + "\" twice (PostgreSQL would keep only the last value)");
                }
            }
            space();
            if (!peek(':')) {
                return false;
            }
            i++;
            space();
            if (!value(depth)) {
                return false;
            }
            space();
            if (peek(',')) {
                i++;
            } else if (peek('}')) {
                i++;
                return true;
            } else {
                return false;
            }
        }
    }

    private boolean array(int depth) {
        i++; // [
        space();
        if (peek(']')) {
            i++;
            return true;
        }
        while (true) {
            space();
            if (!value(depth)) {
                return false;
            }
            space();
            if (peek(',')) {
                i++;
            } else if (peek(']')) {
                i++;
                return true;
            } else {
                return false;
            }
        }
    }

    /**
     * Reads a string; when {@code decoded} is not null, appends its unescaped value there.
     */
    private boolean string(StringBuilder decoded) {
        i++; // opening quote
        while (i < s.length()) {
            char c = s.charAt(i++);
            if (c == '"') {
                return true;
            }
            if (c < 0x20) {
                return false;
            }
            if (Character.isSurrogate(c)) {
                if (!Character.isHighSurrogate(c) || i >= s.length() || !Character.isLowSurrogate(s.charAt(i))) {
                    return fail(SURROGATE);
                }
                if (decoded != null) {
                    decoded.append(c).append(s.charAt(i));
                }
                i++;
                continue;
            }
            if (c != '\\') {
                if (decoded != null) {
                    decoded.append(c);
                }
                continue;
            }
            if (i >= s.length()) {
                return false;
            }
            char e = s.charAt(i++);
            if (e == 'u') {
                int u = hex4();
                if (u < 0) {
                    return false;
                }
                if (u == 0) {
                    return fail(NUL);
                }
                if (Character.isLowSurrogate((char) u)) {
                    return fail(SURROGATE);
                }
                if (Character.isHighSurrogate((char) u)) {
                    if (!s.startsWith("\\u", i)) {
                        return fail(SURROGATE);
                    }
                    i += 2;
                    int low = hex4();
                    if (low < 0) {
                        return false;
                    }
                    if (!Character.isLowSurrogate((char) low)) {
                        return fail(SURROGATE);
                    }
                    if (decoded != null) {
                        decoded.append((char) u).append((char) low);
                    }
                } else if (decoded != null) {
                    decoded.append((char) u);
                }
            } else {
                int k = "\"\\/bfnrt".indexOf(e);
                if (k < 0) {
                    return false;
                }
                if (decoded != null) {
                    decoded.append("\"\\/\b\f\n\r\t".charAt(k));
                }
            }
        }
        return false;
    }

    /** Reads four hex digits; their value, or -1. */
    private int hex4() {
        if (i + 4 > s.length()) {
            return -1;
        }
        int v = 0;
        for (int k = 0; k < 4; k++) {
            int d = Character.digit(s.charAt(i++), 16);
            if (d < 0) {
                return -1;
            }
            v = v * 16 + d;
        }
        return v;
    }

    /** A key as the message shows it: at most {@value #MAX_KEY_SHOWN} characters, no control characters. */
    private static String shown(String key) {
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < key.length() && k < MAX_KEY_SHOWN; k++) {
            char c = key.charAt(k);
            b.append(c < 0x20 || c == '"' || c == '\\' ? '?' : c);
        }
        return key.length() > MAX_KEY_SHOWN ? b + "..." : b.toString();
    }

    private boolean number() {
        int start = i;
        if (peek('-')) {
            i++;
        }
        if (peek('0')) {
            i++;
        } else if (!digits()) {
            return false;
        }
        if (peek('.')) {
            i++;
            if (!digits()) {
                return false;
            }
        }
        if (peek('e') || peek('E')) {
            i++;
            if (peek('+') || peek('-')) {
                i++;
            }
            if (!digits()) {
                return false;
            }
        }
        return i > start;
    }

    private boolean digits() {
        int start = i;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            i++;
        }
        return i > start;
    }

    private boolean literal(String word) {
        if (s.startsWith(word, i)) {
            i += word.length();
            return true;
        }
        return false;
    }

    private boolean peek(char c) {
        return i < s.length() && s.charAt(i) == c;
    }

    private void space() {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            i++;
        }
    }
}
