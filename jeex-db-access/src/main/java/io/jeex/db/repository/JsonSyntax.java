package io.jeex.db.repository;

/**
 * A strict JSON (RFC 8259) syntax check with no allocation, answering whether a text is one
 * well-formed JSON object. Nesting deeper than {@value #MAX_DEPTH} levels is refused rather
 * than risking the stack.
 */
final class JsonSyntax {

    static final int MAX_DEPTH = 256;

    private final String s;
    private int i;

    private JsonSyntax(String s) {
        this.s = s;
    }

    static boolean isObject(String text) {
        JsonSyntax p = new JsonSyntax(text);
        p.space();
        if (!p.peek('{') || !p.value(0)) {
            return false;
        }
        p.space();
        return p.i == text.length();
    }

    private boolean value(int depth) {
        if (depth > MAX_DEPTH || i >= s.length()) {
            return false;
        }
        char c = s.charAt(i);
        return switch (c) {
            case '{' -> object(depth + 1);
            case '[' -> array(depth + 1);
            case '"' -> string();
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
        while (true) {
            space();
            if (!peek('"') || !string()) {
                return false;
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

    private boolean string() {
        i++; // opening quote
        while (i < s.length()) {
            char c = s.charAt(i++);
            if (c == '"') {
                return true;
            }
            if (c < 0x20) {
                return false;
            }
            if (c == '\\') {
                if (i >= s.length()) {
                    return false;
                }
                char e = s.charAt(i++);
                if (e == 'u') {
                    for (int k = 0; k < 4; k++) {
                        if (i >= s.length() || Character.digit(s.charAt(i++), 16) < 0) {
                            return false;
                        }
                    }
                } else if ("\"\\/bfnrt".indexOf(e) < 0) {
                    return false;
                }
            }
        }
        return false;
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
