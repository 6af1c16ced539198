package io.jeex.db;

import io.jeex.db.codegen.DefaultSchema;
import java.util.List;
import org.jooq.Delete;
import org.jooq.Insert;
import org.jooq.Query;
import org.jooq.Select;
import org.jooq.Table;
import org.jooq.Update;
import org.jooq.impl.QOM;

/**
 * The operation and the target table of a statement, for metric tags with a bounded set of
 * values: the operation is {@code SELECT}, {@code INSERT}, {@code UPDATE}, {@code DELETE} or
 * {@code OTHER}; the table is the first target ({@code INSERT INTO t}, {@code UPDATE t},
 * {@code DELETE FROM t}) or the first {@code FROM} table of a {@code SELECT} when it is one of the
 * JEEX schema's tables (read from the generated schema, {@link DefaultSchema}), else {@code other}.
 *
 * <p>Two sources, one answer:
 * <ul>
 *   <li>a typed jOOQ query is read from jOOQ's query object model ({@link #of(Query, String)}):
 *       no text is scanned; the repositories' pre-rendered statements ({@link Prepared}) are read
 *       once, when they are built;</li>
 *   <li>plain SQL (a service's {@code dsl.execute("...")}, which jOOQ does not model) is read
 *       from its text by one documented rule ({@link #of(String)}): the first keyword at the top
 *       level (after a {@code WITH} clause) is the operation, and the table is the name after
 *       {@code INTO} / {@code UPDATE} / {@code FROM} (possibly schema-qualified, quoted, or after
 *       {@code ONLY}); quoted text, comments and parentheses are skipped. A scanner without
 *       regular expression or allocation.</li>
 * </ul>
 */
final class SqlShape {

    /** The operations, in tag order. */
    public static final String[] OPERATIONS = {"SELECT", "INSERT", "UPDATE", "DELETE", "OTHER"};
    /** The JEEX schema's tables (from the generated schema, by name), and {@code other} last. */
    public static final String[] TABLES = tables();
    /** The generated record type of each of {@link #TABLES} but {@code other}. */
    private static final Class<?>[] RECORD_TYPES = recordTypes();

    static final int SELECT = 0;
    static final int INSERT = 1;
    static final int UPDATE = 2;
    static final int DELETE = 3;
    static final int OTHER = 4;
    static final int OTHER_TABLE = TABLES.length - 1;

    private SqlShape() {
    }

    private static List<Table<?>> generated() {
        return DefaultSchema.DEFAULT_SCHEMA.getTables().stream()
                .sorted(java.util.Comparator.comparing(Table::getName)).toList();
    }

    private static String[] tables() {
        List<Table<?>> generated = generated();
        String[] all = new String[generated.size() + 1];
        for (int i = 0; i < generated.size(); i++) {
            all[i] = generated.get(i).getName();
        }
        all[generated.size()] = "other";
        return all;
    }

    private static Class<?>[] recordTypes() {
        return generated().stream().map(Table::getRecordType).toArray(Class<?>[]::new);
    }

    /**
     * The shape of a statement that jOOQ runs: from its query object model when it is a typed
     * query, else (plain SQL) from its text.
     *
     * @param query the query, or null
     * @param sql the SQL sent for it, for plain SQL
     * @return {@code operation * TABLES.length + table}, indexes into {@link #OPERATIONS} and {@link #TABLES}
     */
    static int of(Query query, String sql) {
        if (query instanceof Select<?> select) {
            return SELECT * TABLES.length + first(select.$from());
        }
        if (query instanceof QOM.InsertReturning<?> returning) {
            return of(returning.$insert(), sql);
        }
        if (query instanceof QOM.UpdateReturning<?> returning) {
            return of(returning.$update(), sql);
        }
        if (query instanceof QOM.DeleteReturning<?> returning) {
            return of(returning.$delete(), sql);
        }
        if (query instanceof Insert<?> insert && insert instanceof QOM.Insert<?> model) {
            return INSERT * TABLES.length + table(model.$into());
        }
        if (query instanceof Update<?> update && update instanceof QOM.Update<?> model) {
            return UPDATE * TABLES.length + table(model.$table());
        }
        if (query instanceof Delete<?> delete && delete instanceof QOM.Delete<?> model) {
            return DELETE * TABLES.length + table(model.$from());
        }
        return of(sql);
    }

    private static int first(List<? extends Table<?>> from) {
        return from.isEmpty() ? OTHER_TABLE : table(from.get(0));
    }

    /**
     * The index of a jOOQ table in {@link #TABLES}: a generated table by its record type (so that
     * an alias, {@code PROJECTS.as("p")}, counts as its table), any other by its name; a join is
     * its first table.
     */
    private static int table(Table<?> table) {
        Table<?> t = table;
        while (t instanceof QOM.TableAlias<?> || t instanceof QOM.JoinTable<?, ?>) {
            t = t instanceof QOM.TableAlias<?> alias ? alias.$table() : ((QOM.JoinTable<?, ?>) t).$table1();
        }
        if (t == null) {
            return OTHER_TABLE;
        }
        Class<?> type = t.getRecordType();
        for (int i = 0; i < OTHER_TABLE; i++) {
            if (RECORD_TYPES[i] == type) {
                return i;
            }
        }
        String name = t.getName();
        for (int i = 0; i < OTHER_TABLE; i++) {
            if (TABLES[i].equals(name)) {
                return i;
            }
        }
        return OTHER_TABLE;
    }

    /**
     * The shape of plain SQL, by the rule of the class comment.
     *
     * @param sql the statement's SQL
     * @return {@code operation * TABLES.length + table}, indexes into {@link #OPERATIONS} and {@link #TABLES}
     */
    public static int of(String sql) {
        if (sql == null) {
            return OTHER * TABLES.length + OTHER_TABLE;
        }
        int n = sql.length();
        int depth = 0;
        int op = -1;
        boolean with = false;
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '\'' || c == '"') {
                i = skipQuoted(sql, i, c);
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                while (i < n && sql.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else if (c == '(') {
                depth++;
                i++;
            } else if (c == ')') {
                depth--;
                i++;
            } else if (isWordStart(c)) {
                int end = i;
                while (end < n && isWordPart(sql.charAt(end))) {
                    end++;
                }
                if (depth == 0) {
                    if (op < 0) {
                        op = operation(sql, i, end);
                        if (op == OTHER) {
                            if (!with && !word(sql, i, end, "with")) {
                                return OTHER * TABLES.length + OTHER_TABLE;
                            }
                            // WITH: the operation is the next top-level keyword after the CTEs
                            with = true;
                            op = -1;
                            i = end;
                            continue;
                        }
                        if (op == UPDATE) {
                            return op * TABLES.length + table(sql, end);
                        }
                    } else if ((op == INSERT && word(sql, i, end, "into"))
                            || ((op == SELECT || op == DELETE) && word(sql, i, end, "from"))) {
                        return op * TABLES.length + table(sql, end);
                    }
                }
                i = end;
            } else {
                i++;
            }
        }
        return (op < 0 ? OTHER : op) * TABLES.length + OTHER_TABLE;
    }

    private static int operation(String sql, int start, int end) {
        if (word(sql, start, end, "select")) {
            return SELECT;
        }
        if (word(sql, start, end, "insert")) {
            return INSERT;
        }
        if (word(sql, start, end, "update")) {
            return UPDATE;
        }
        if (word(sql, start, end, "delete")) {
            return DELETE;
        }
        return OTHER;
    }

    /** The table named at {@code from} (after whitespace): {@code t}, {@code s.t}, {@code "s"."t"}. */
    private static int table(String sql, int from) {
        int n = sql.length();
        int i = from;
        int start = -1;
        int end = -1;
        while (true) {
            while (i < n && Character.isWhitespace(sql.charAt(i))) {
                i++;
            }
            if (i >= n) {
                break;
            }
            char c = sql.charAt(i);
            if (c == '"') {
                int close = sql.indexOf('"', i + 1);
                if (close < 0) {
                    return OTHER_TABLE;
                }
                start = i + 1;
                end = close;
                i = close + 1;
            } else if (isWordStart(c)) {
                int e = i;
                while (e < n && isWordPart(sql.charAt(e))) {
                    e++;
                }
                if (word(sql, i, e, "only")) { // DELETE FROM ONLY t, SELECT ... FROM ONLY t
                    i = e;
                    continue;
                }
                start = i;
                end = e;
                i = e;
            } else {
                break;
            }
            if (i < n && sql.charAt(i) == '.') {
                i++; // schema-qualified: the last part is the table
                continue;
            }
            break;
        }
        if (start < 0) {
            return OTHER_TABLE;
        }
        for (int t = 0; t < OTHER_TABLE; t++) {
            if (word(sql, start, end, TABLES[t])) {
                return t;
            }
        }
        return OTHER_TABLE;
    }

    static int skipQuoted(String sql, int i, char quote) {
        int n = sql.length();
        int j = i + 1;
        while (j < n) {
            if (sql.charAt(j) == quote) {
                if (j + 1 < n && sql.charAt(j + 1) == quote) {
                    j += 2; // doubled quote inside
                    continue;
                }
                return j + 1;
            }
            j++;
        }
        return n;
    }

    private static boolean word(String sql, int start, int end, String word) {
        return end - start == word.length() && sql.regionMatches(true, start, word, 0, word.length());
    }

    static boolean isWordStart(char c) {
        return Character.isLetter(c) || c == '_';
    }

    static boolean isWordPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }
}
