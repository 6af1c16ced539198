package io.jeex.db.it;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a PromQL expression reads: its series selectors (metric name and label matchers, as
 * text that a Prometheus server's series API can take) and every label it names - in matchers,
 * in {@code by}/{@code without}/{@code on}/{@code ignoring}/{@code group_left}/{@code group_right}
 * lists and as the source of {@code label_replace}/{@code label_join} - apart from the labels
 * those two functions create.
 *
 * <p>No Java library parses PromQL, so this is a lexer-level reading, not a parser: it finds
 * selectors and label lists by their tokens. The syntax itself is checked by Prometheus (promtool
 * and the server evaluate every expression); this only has to find names, and
 * {@code PromQlTest} pins what it finds on the constructs our files use.
 */
final class PromQl {

    /** A series selector: the metric name (null for a bare {@code {...}}) and its full text. */
    record Selector(String metric, String text, Set<String> labels) {
    }

    /** Everything an expression reads. */
    record Reads(List<Selector> selectors, Set<String> groupingLabels, Set<String> createdLabels) {
    }

    private static final Set<String> AGGREGATIONS = Set.of("sum", "min", "max", "avg", "group", "stddev", "stdvar",
            "count", "count_values", "bottomk", "topk", "quantile", "limitk", "limit_ratio");
    private static final Set<String> GROUPING = Set.of("by", "without", "on", "ignoring", "group_left", "group_right");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "atan2", "inf", "nan");

    private final String text;
    private int pos;

    private PromQl(String text) {
        this.text = text;
    }

    /** @return what {@code expr} reads */
    static Reads read(String expr) {
        return new PromQl(expr).reads();
    }

    private Reads reads() {
        List<Selector> selectors = new ArrayList<>();
        Set<String> grouping = new LinkedHashSet<>();
        Set<String> created = new LinkedHashSet<>();
        List<String> tokens = tokens();
        for (int i = 0; i < tokens.size(); i++) {
            String t = tokens.get(i);
            String next = i + 1 < tokens.size() ? tokens.get(i + 1) : "";
            if (isIdentifier(t) && GROUPING.contains(t) && next.equals("(")) {
                for (i += 2; i < tokens.size() && !tokens.get(i).equals(")"); i++) {
                    if (isIdentifier(tokens.get(i))) {
                        grouping.add(tokens.get(i));
                    }
                }
            } else if ((t.equals("label_replace") || t.equals("label_join")) && next.equals("(")) {
                List<String> strings = stringArguments(tokens, i + 2);
                // label_replace(v, dst, replacement, src, regex); label_join(v, dst, separator, src...)
                created.add(strings.get(0));
                if (t.equals("label_replace")) {
                    grouping.add(strings.get(2));
                } else {
                    grouping.addAll(strings.subList(2, strings.size()));
                }
            } else if (isIdentifier(t) && !next.equals("(") && !AGGREGATIONS.contains(t) && !GROUPING.contains(t)
                    && !KEYWORDS.contains(t.toLowerCase(java.util.Locale.ROOT))) {
                StringBuilder selector = new StringBuilder(t);
                Set<String> labels = new LinkedHashSet<>();
                if (next.equals("{")) {
                    i = matchers(tokens, i + 1, selector, labels);
                }
                selectors.add(new Selector(t, selector.toString(), labels));
            } else if (t.equals("{")) {
                StringBuilder selector = new StringBuilder();
                Set<String> labels = new LinkedHashSet<>();
                i = matchers(tokens, i, selector, labels);
                selectors.add(new Selector(null, selector.toString(), labels));
            }
        }
        return new Reads(selectors, grouping, created);
    }

    /** Appends the matchers from the {@code {} at {@code open} to {@code selector}; returns the index of {@code }}. */
    private static int matchers(List<String> tokens, int open, StringBuilder selector, Set<String> labels) {
        int i = open;
        for (; i < tokens.size(); i++) {
            String t = tokens.get(i);
            selector.append(t);
            if (t.equals("}")) {
                return i;
            }
            if (isIdentifier(t) && i + 1 < tokens.size() && tokens.get(i + 1).matches("=|!=|=~|!~")) {
                labels.add(t);
            }
        }
        throw new IllegalArgumentException("unclosed { in " + String.join(" ", tokens));
    }

    /** The unquoted string literals among the arguments of the call whose arguments start at {@code from}. */
    private static List<String> stringArguments(List<String> tokens, int from) {
        List<String> out = new ArrayList<>();
        int depth = 1;
        int braces = 0; // strings inside a selector's matchers are no arguments
        for (int i = from; i < tokens.size() && depth > 0; i++) {
            String t = tokens.get(i);
            if (t.equals("(")) {
                depth++;
            } else if (t.equals(")")) {
                depth--;
            } else if (t.equals("{")) {
                braces++;
            } else if (t.equals("}")) {
                braces--;
            } else if (depth == 1 && braces == 0 && (t.startsWith("\"") || t.startsWith("'") || t.startsWith("`"))) {
                out.add(t.substring(1, t.length() - 1));
            }
        }
        return out;
    }

    private static boolean isIdentifier(String t) {
        return !t.isEmpty() && (Character.isLetter(t.charAt(0)) || t.charAt(0) == '_' || t.charAt(0) == ':');
    }

    /** Identifiers, string literals (with their quotes), numbers and durations, and single punctuation tokens. */
    private List<String> tokens() {
        List<String> out = new ArrayList<>();
        int n = text.length();
        while (pos < n) {
            char c = text.charAt(pos);
            int start = pos;
            if (Character.isWhitespace(c)) {
                pos++;
                continue;
            }
            if (c == '#') {
                while (pos < n && text.charAt(pos) != '\n') {
                    pos++;
                }
                continue;
            }
            if (c == '"' || c == '\'' || c == '`') {
                pos++;
                while (pos < n && text.charAt(pos) != c) {
                    pos += text.charAt(pos) == '\\' && c != '`' ? 2 : 1;
                }
                pos++;
            } else if (c == '$') { // a Grafana variable: $pool, ${pool}, $__rate_interval
                pos++;
                while (pos < n && (Character.isLetterOrDigit(text.charAt(pos)) || "_{}".indexOf(text.charAt(pos)) >= 0)) {
                    pos++;
                }
            } else if (isIdentifier(String.valueOf(c))) {
                while (pos < n && (Character.isLetterOrDigit(text.charAt(pos)) || "_:".indexOf(text.charAt(pos)) >= 0)) {
                    pos++;
                }
            } else if (Character.isDigit(c) || c == '.') {
                while (pos < n && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '.')) {
                    pos++;
                }
            } else if (pos + 1 < n && "=!<>".indexOf(c) >= 0 && "=~".indexOf(text.charAt(pos + 1)) >= 0) {
                pos += 2;
            } else {
                pos++;
            }
            out.add(text.substring(start, Math.min(pos, n)));
        }
        return out;
    }
}
