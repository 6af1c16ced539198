package io.jeex.db;

/**
 * Masks the literals of a statement's SQL for the slow-query log and the traces, by one documented
 * rule (below): jOOQ renders a typed query's values as bind variables already, so this matters for
 * plain SQL, whose text may hold values.
 */
final class SqlLiterals {

    private SqlLiterals() {
    }

    /**
     * The SQL with literals replaced by {@code ?}, for the slow-query log: bind values are
     * {@code ?} already, and literals written into the text are masked too: quoted strings
     * ({@code 'x'}, {@code E'x'}), dollar-quoted bodies ({@code $$x$$}, {@code $tag$x$tag$}) and
     * numbers ({@code 42}, {@code 0.3}, {@code 1e6}, {@code 0x1F}); and what comments say, which
     * often holds request ids or personal data: {@code -- x} becomes {@code --?}, {@code /* x *}{@code /}
     * (nested ones too) {@code /*?*}{@code /}. Identifiers (also those with digits, such as
     * {@code t1}), quoted identifiers and {@code $1} placeholders stay.
     *
     * @param sql the statement's SQL
     * @return the shape to log
     */
    static String masked(String sql) {
        if (sql == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(sql.length());
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '\'') {
                i = SqlShape.skipQuoted(sql, i, c);
                out.append('?');
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? n : end;
                out.append("--?");
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                i = blockCommentEnd(sql, i);
                out.append("/*?*/");
            } else if (c == '"') {
                int end = SqlShape.skipQuoted(sql, i, c);
                out.append(sql, i, end);
                i = end;
            } else if (SqlShape.isWordStart(c)) {
                int end = i + 1;
                while (end < n && SqlShape.isWordPart(sql.charAt(end))) {
                    end++;
                }
                out.append(sql, i, end);
                boolean escapeString = end == i + 1 && (c == 'E' || c == 'e') && end < n && sql.charAt(end) == '\'';
                i = end;
                if (escapeString) {
                    i = skipEscaped(sql, end); // E'...' may escape a quote with a backslash
                    out.append('?');
                }
            } else if (c == '$' && i + 1 < n && Character.isDigit(sql.charAt(i + 1))) {
                int end = i + 1; // a positional parameter: $1
                while (end < n && Character.isDigit(sql.charAt(end))) {
                    end++;
                }
                out.append(sql, i, end);
                i = end;
            } else if (c == '$' && dollarTagEnd(sql, i) > 0) {
                int tagEnd = dollarTagEnd(sql, i);
                String tag = sql.substring(i, tagEnd);
                int close = sql.indexOf(tag, tagEnd);
                i = close < 0 ? n : close + tag.length();
                out.append('?');
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(sql.charAt(i + 1)))) {
                i = numberEnd(sql, i);
                out.append('?');
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** The index after a block comment starting at {@code i}; PostgreSQL's block comments nest. */
    private static int blockCommentEnd(String sql, int i) {
        int n = sql.length();
        int depth = 0;
        int j = i;
        while (j < n) {
            if (sql.startsWith("/*", j)) {
                depth++;
                j += 2;
            } else if (sql.startsWith("*/", j)) {
                depth--;
                j += 2;
                if (depth == 0) {
                    return j;
                }
            } else {
                j++;
            }
        }
        return n;
    }

    /** The index after an escape string constant ({@code E'a\\'b'}) whose opening quote is at {@code i}. */
    private static int skipEscaped(String sql, int i) {
        int n = sql.length();
        int j = i + 1;
        while (j < n) {
            char c = sql.charAt(j);
            if (c == '\\') {
                j += 2;
            } else if (c == '\'' && j + 1 < n && sql.charAt(j + 1) == '\'') {
                j += 2;
            } else if (c == '\'') {
                return j + 1;
            } else {
                j++;
            }
        }
        return n;
    }

    /** The index after the closing {@code $} of a dollar-quote tag starting at {@code i}, or -1. */
    private static int dollarTagEnd(String sql, int i) {
        int n = sql.length();
        int j = i + 1;
        if (j < n && sql.charAt(j) == '$') {
            return j + 1;
        }
        if (j >= n || !SqlShape.isWordStart(sql.charAt(j))) {
            return -1;
        }
        while (j < n && (Character.isLetterOrDigit(sql.charAt(j)) || sql.charAt(j) == '_')) {
            j++;
        }
        return j < n && sql.charAt(j) == '$' ? j + 1 : -1;
    }

    /** The end of a numeric constant: digits, underscores, a fraction, an exponent, hex/octal/binary digits. */
    private static int numberEnd(String sql, int i) {
        int n = sql.length();
        int j = i;
        while (j < n) {
            char c = sql.charAt(j);
            if (Character.isLetterOrDigit(c) || c == '_' || c == '.') {
                j++;
            } else if ((c == '+' || c == '-') && (sql.charAt(j - 1) == 'e' || sql.charAt(j - 1) == 'E')
                    && j + 1 < n && Character.isDigit(sql.charAt(j + 1)) && !isHex(sql, i)) {
                j++; // the sign of an exponent: 1e-5
            } else {
                break;
            }
        }
        return j;
    }

    private static boolean isHex(String sql, int i) {
        return i + 1 < sql.length() && sql.charAt(i) == '0' && (sql.charAt(i + 1) == 'x' || sql.charAt(i + 1) == 'X');
    }
}
