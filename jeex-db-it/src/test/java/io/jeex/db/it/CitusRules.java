package io.jeex.db.it;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Citus's rules for a distribution plan, applied to a real PostgreSQL 18 catalog and to the SQL
 * the library really sends. No Citus server installs here, so nothing is asked of Citus: each
 * rule restates a check of Citus 14.0 (branch {@code release-14.0} of citusdata/citus, and the
 * Citus documentation, citusdata/citus_docs) in terms of {@code pg_catalog}, and says where it
 * comes from. docs/scaling.md ("Citus contract test") lists the rules with their sources.
 *
 * <p>A finding is a pair (rule, object) with a detail for the reader; two findings are equal when
 * rule and object are, so a test can compare what it found with what it expects.
 */
final class CitusRules {

    private CitusRules() {
    }

    /** How a table is placed in the cluster. */
    enum Placement { DISTRIBUTED, REFERENCE }

    /**
     * A distribution plan: each table distributed by a column (hash, colocated with the tables of
     * the same column type, Citus's default) or made a reference table.
     */
    record Plan(Map<String, String> distributedBy, Set<String> reference) {

        Plan {
            distributedBy = Map.copyOf(distributedBy);
            reference = Set.copyOf(reference);
        }

        boolean planned(String table) {
            return distributedBy.containsKey(table) || reference.contains(table);
        }

        boolean distributed(String table) {
            return distributedBy.containsKey(table);
        }
    }

    /** One broken rule: which rule, on which object (table.name), and why, for the message. */
    record Finding(String rule, String object, String detail) {

        @Override
        public boolean equals(Object o) {
            return o instanceof Finding f && f.rule.equals(rule) && f.object.equals(object);
        }

        @Override
        public int hashCode() {
            return Objects.hash(rule, object);
        }

        /** @return {@code rule object}, the form of the expected lists */
        String key() {
            return rule + " " + object;
        }

        @Override
        public String toString() {
            return key() + " (" + detail + ")";
        }
    }

    // ---------------------------------------------------------------------------------------
    // The catalog rules
    // ---------------------------------------------------------------------------------------

    /** Every table of the schema has a place in the plan (a new table needs a decision). */
    static final String UNPLANNED_TABLE = "table-not-in-plan";
    /** The distribution column exists (create_distributed_table's first check). */
    static final String NO_DISTRIBUTION_COLUMN = "distribution-column-missing";
    /**
     * PRIMARY KEY, UNIQUE and EXCLUDE constraints (and unique indexes) of a distributed table
     * include the distribution column (EXCLUDE: with an equality operator). citus table.c
     * ErrorIfUnsupportedConstraint ("Distributed relations cannot have UNIQUE, EXCLUDE, or PRIMARY
     * KEY constraints that do not include the partition column"), index.c
     * ErrorIfUnsupportedIndexStmt; citus_docs develop/reference_ddl.rst "Adding/Removing
     * Constraints" and reference/common_errors.rst "Cannot create uniqueness constraint".
     * Reference tables are exempt (one shard).
     */
    static final String UNIQUE_WITHOUT_DISTRIBUTION_COLUMN = "unique-without-distribution-column";
    /**
     * A foreign key between two distributed tables joins the distribution columns of both sides
     * at the same position of the key. citus foreign_constraint.c
     * ErrorIfUnsupportedForeignConstraintExists ("Foreign keys are supported in two cases, either in
     * between two colocated tables including partition column in the same ordinal in the both
     * tables or from distributed to reference tables").
     */
    static final String FK_WITHOUT_DISTRIBUTION_COLUMN = "fk-without-distribution-column";
    /** ... and the two tables are colocated: same distribution column type (default colocation). Same source. */
    static final String FK_NOT_COLOCATED = "fk-between-non-colocated-tables";
    /** No foreign key from a reference table to a distributed table. Same source; reference_ddl.rst. */
    static final String FK_REFERENCE_TO_DISTRIBUTED = "fk-from-reference-to-distributed";
    /** A planned table references only planned tables. Same source ("referenced table must be a distributed table or a reference table"). */
    static final String FK_TO_LOCAL = "fk-to-local-table";
    /**
     * When the referencing columns include the distribution column: no ON DELETE SET NULL / SET
     * DEFAULT, no ON UPDATE SET NULL / SET DEFAULT / CASCADE. citus foreign_constraint.c
     * EnsureSupportedFKeyOnDistKey.
     */
    static final String FK_ACTION_ON_DISTRIBUTION_COLUMN = "fk-action-on-distribution-column";
    /**
     * No subquery in a policy of a Citus table. citus policy.c ErrorIfUnsupportedPolicyExpr
     * ("Subqueries are not supported in policies on distributed tables"), called by
     * create_distributed_table / create_reference_table.
     */
    static final String POLICY_WITH_SUBQUERY = "policy-with-subquery";
    /**
     * No VOLATILE function in a policy: the policy becomes part of every UPDATE and DELETE, and
     * "functions used in UPDATE queries on distributed tables must not be VOLATILE" (citus
     * multi_router_planner.c; citus_docs develop/reference_workarounds.rst "Limitations").
     */
    static final String POLICY_WITH_VOLATILE_FUNCTION = "policy-with-volatile-function";
    /**
     * No trigger on a distributed or reference table unless {@code citus.enable_unsafe_triggers}
     * is on ("triggers are not supported on distributed tables", citus trigger.c
     * ErrorOutForTriggerIfNotSupported).
     */
    static final String TRIGGER = "trigger-on-citus-table";
    /**
     * A function of the schema that reads a custom setting runs on the workers too (in the
     * shards' policies and triggers), where the setting is there only if the coordinator sends it:
     * Citus sends {@code SET LOCAL} only with {@code citus.propagate_set_commands = 'local'}
     * (default 'none'), and never a {@code set_config()} call (citus commands/variableset.c
     * ShouldPropagateSetCommand; citus_docs develop/api_guc.rst).
     */
    static final String FUNCTION_READS_SETTING = "function-reads-setting";
    /**
     * A sequence or identity column is BIGINT: Citus makes worker-side values unique by putting
     * the node id into the high bits, which smaller types cannot hold (citus_docs
     * develop/reference_workarounds.rst "Limitations").
     */
    static final String SMALL_SEQUENCE = "sequence-smaller-than-bigint";
    /**
     * A partitioned table is hash-distributed (not a reference table) and has one level of
     * partitions (citus create_distributed_table.c EnsureRelationCanBeDistributed: "distributing
     * partitioned tables in only supported for hash-distributed tables", "distributing multi-level
     * partitioned tables is not supported"). Its unique constraints hold the distribution column
     * by {@link #UNIQUE_WITHOUT_DISTRIBUTION_COLUMN}, and the partition key by PostgreSQL's own rule.
     */
    static final String PARTITIONING = "partitioning-not-distributable";

    private static final Pattern SETTING_READ = Pattern.compile("current_setting\\s*\\(\\s*'([^']+)'",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern FUNCTION_IN_NODE_TREE = Pattern.compile(":(?:funcid|opfuncid) (\\d+)");

    /**
     * Applies the catalog rules to the tables of one schema.
     *
     * @param c a connection to a migrated database
     * @param schema the schema whose tables the plan places
     * @param ignored tables that are not the schema's own (Flyway's history table)
     * @return the findings, sorted by rule and object
     */
    static List<Finding> schemaFindings(Connection c, String schema, Plan plan, Set<String> ignored) throws SQLException {
        Set<Finding> out = new LinkedHashSet<>();
        Map<String, Table> tables = tables(c, schema, ignored);
        for (Table t : tables.values()) {
            if (!plan.planned(t.name)) {
                out.add(new Finding(UNPLANNED_TABLE, t.name, "neither distributed nor a reference table in the plan"));
            }
        }
        for (Map.Entry<String, String> e : plan.distributedBy.entrySet()) {
            Table t = tables.get(e.getKey());
            if (t != null && !t.columns.containsKey(e.getValue())) {
                out.add(new Finding(NO_DISTRIBUTION_COLUMN, t.name, "no column " + e.getValue()));
            }
        }
        uniqueConstraints(c, schema, plan, tables, out);
        foreignKeys(c, schema, plan, tables, out);
        policies(c, schema, plan, out);
        triggers(c, schema, plan, out);
        functions(c, schema, out);
        sequences(c, schema, plan, out);
        partitioning(c, schema, plan, tables, out);
        return sorted(out);
    }

    /** A table of the schema with its columns (name to attnum and type). */
    private record Table(long oid, String name, char kind, Map<String, Column> columns) {
    }

    private record Column(int attnum, long type, String typeName) {
    }

    private static Map<String, Table> tables(Connection c, String schema, Set<String> ignored) throws SQLException {
        Map<String, Table> tables = new TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                select t.oid, t.relname, t.relkind, a.attname, a.attnum, a.atttypid, format_type(a.atttypid, a.atttypmod)
                  from pg_class t
                  join pg_attribute a on a.attrelid = t.oid and a.attnum > 0 and not a.attisdropped
                 where t.relnamespace = ?::regnamespace and t.relkind in ('r', 'p') and not t.relispartition
                 order by t.relname, a.attnum""")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(2);
                    if (ignored.contains(name)) {
                        continue;
                    }
                    long oid = rs.getLong(1);
                    char kind = rs.getString(3).charAt(0);
                    tables.computeIfAbsent(name, n -> new Table(oid, n, kind, new LinkedHashMap<>())).columns
                            .put(rs.getString(4), new Column(rs.getInt(5), rs.getLong(6), rs.getString(7)));
                }
            }
        }
        return tables;
    }

    private static void uniqueConstraints(Connection c, String schema, Plan plan, Map<String, Table> tables,
                                          Set<Finding> out) throws SQLException {
        // indkey holds the key columns first (indnkeyatts of them), then INCLUDE columns, which
        // enforce nothing; 0 is an expression. An index that backs a constraint is named by it.
        try (PreparedStatement ps = c.prepareStatement("""
                select t.relname, coalesce(con.conname, i.indexrelid::regclass::text) as name,
                       i.indisexclusion, i.indnkeyatts, i.indkey::text as keys, pg_get_indexdef(i.indexrelid) as def,
                       (select array_agg(o.oprname::text order by x.n)
                          from unnest(con.conexclop) with ordinality as x(op, n) join pg_operator o on o.oid = x.op) as ops
                  from pg_index i
                  join pg_class t on t.oid = i.indrelid
                  left join pg_constraint con on con.conindid = i.indexrelid and con.conrelid = i.indrelid
                 where t.relnamespace = ?::regnamespace and (i.indisunique or i.indisexclusion)
                 order by 1, 2""")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String table = rs.getString(1);
                    if (!plan.distributed(table) || !tables.containsKey(table)) {
                        continue;
                    }
                    Column dist = tables.get(table).columns.get(plan.distributedBy.get(table));
                    if (dist == null) {
                        continue;
                    }
                    boolean exclusion = rs.getBoolean(3);
                    int keyCount = rs.getInt(4);
                    int[] keys = Arrays.stream(rs.getString(5).trim().split("\\s+")).limit(keyCount)
                            .mapToInt(Integer::parseInt).toArray();
                    String[] ops = strings(rs.getArray(7));
                    boolean holds = false;
                    for (int k = 0; k < keys.length; k++) {
                        if (keys[k] == dist.attnum && (!exclusion || (ops.length > k && "=".equals(ops[k])))) {
                            holds = true;
                        }
                    }
                    if (!holds) {
                        out.add(new Finding(UNIQUE_WITHOUT_DISTRIBUTION_COLUMN, table + "." + rs.getString(2),
                                rs.getString(6).replaceFirst("^.* USING ", "") + " lacks "
                                        + plan.distributedBy.get(table)));
                    }
                }
            }
        }
    }

    private static void foreignKeys(Connection c, String schema, Plan plan, Map<String, Table> tables,
                                    Set<Finding> out) throws SQLException {
        // conparentid <> 0: the copy of a partitioned table's key on one partition
        try (PreparedStatement ps = c.prepareStatement("""
                select con.conname, a.relname, b.relname, string_to_array(array_to_string(con.conkey, ' '), ' ')::int[],
                       string_to_array(array_to_string(con.confkey, ' '), ' ')::int[], con.confdeltype, con.confupdtype,
                       pg_get_constraintdef(con.oid)
                  from pg_constraint con
                  join pg_class a on a.oid = con.conrelid
                  join pg_class b on b.oid = con.confrelid
                 where con.contype = 'f' and con.connamespace = ?::regnamespace and con.conparentid = 0
                 order by 2, 1""")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(2) + "." + rs.getString(1);
                    String from = rs.getString(2);
                    String to = rs.getString(3);
                    int[] fromKeys = ints(rs.getArray(4));
                    int[] toKeys = ints(rs.getArray(5));
                    char onDelete = rs.getString(6).charAt(0);
                    char onUpdate = rs.getString(7).charAt(0);
                    String def = rs.getString(8);
                    if (!plan.planned(from)) {
                        continue;
                    }
                    if (!plan.planned(to)) {
                        out.add(new Finding(FK_TO_LOCAL, name, def + ": " + to + " is not in the plan"));
                        continue;
                    }
                    if (plan.reference.contains(from) && plan.distributed(to)) {
                        out.add(new Finding(FK_REFERENCE_TO_DISTRIBUTED, name, def));
                        continue;
                    }
                    if (!plan.distributed(from)) {
                        continue; // reference to reference: any key, any action
                    }
                    Column fromDist = column(tables, plan, from);
                    if (fromDist == null) {
                        continue;
                    }
                    boolean fromHoldsDist = Arrays.stream(fromKeys).anyMatch(k -> k == fromDist.attnum);
                    if (fromHoldsDist && ("nd".indexOf(onDelete) >= 0 || "ndc".indexOf(onUpdate) >= 0)) {
                        out.add(new Finding(FK_ACTION_ON_DISTRIBUTION_COLUMN, name, def));
                    }
                    if (plan.distributed(to)) {
                        Column toDist = column(tables, plan, to);
                        if (toDist == null) {
                            continue;
                        }
                        if (toDist.type != fromDist.type) {
                            out.add(new Finding(FK_NOT_COLOCATED, name, fromDist.typeName + " against " + toDist.typeName));
                        }
                        boolean same = false;
                        for (int i = 0; i < fromKeys.length; i++) {
                            same |= fromKeys[i] == fromDist.attnum && toKeys[i] == toDist.attnum;
                        }
                        if (!same) {
                            out.add(new Finding(FK_WITHOUT_DISTRIBUTION_COLUMN, name, def + " does not join "
                                    + plan.distributedBy.get(from) + " to " + plan.distributedBy.get(to)));
                        }
                    }
                }
            }
        }
    }

    private static void policies(Connection c, String schema, Plan plan, Set<Finding> out) throws SQLException {
        // pg_node_tree's text form: a subquery is a {SUBLINK ...} node, a call a {FUNCEXPR :funcid n ...}
        try (PreparedStatement ps = c.prepareStatement("""
                select t.relname, p.polname, coalesce(p.polqual::text, '') || ' ' || coalesce(p.polwithcheck::text, '')
                  from pg_policy p join pg_class t on t.oid = p.polrelid
                 where t.relnamespace = ?::regnamespace order by 1, 2""");
             PreparedStatement volatility = c.prepareStatement(
                     "select proname::text from pg_proc where oid = ? and provolatile = 'v'")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String table = rs.getString(1);
                    if (!plan.planned(table)) {
                        continue;
                    }
                    String name = table + "." + rs.getString(2);
                    String tree = rs.getString(3);
                    if (tree.contains("{SUBLINK ")) {
                        out.add(new Finding(POLICY_WITH_SUBQUERY, name, "USING or WITH CHECK holds a subquery"));
                    }
                    Matcher m = FUNCTION_IN_NODE_TREE.matcher(tree);
                    Set<String> volatileOnes = new LinkedHashSet<>();
                    while (m.find()) {
                        volatility.setLong(1, Long.parseLong(m.group(1)));
                        try (ResultSet v = volatility.executeQuery()) {
                            if (v.next()) {
                                volatileOnes.add(v.getString(1) + "()");
                            }
                        }
                    }
                    if (!volatileOnes.isEmpty()) {
                        out.add(new Finding(POLICY_WITH_VOLATILE_FUNCTION, name, "calls " + volatileOnes));
                    }
                }
            }
        }
    }

    private static void triggers(Connection c, String schema, Plan plan, Set<Finding> out) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                select t.relname, g.tgname, (select proname || '()' from pg_proc where oid = g.tgfoid)
                  from pg_trigger g join pg_class t on t.oid = g.tgrelid
                 where t.relnamespace = ?::regnamespace and not g.tgisinternal and g.tgparentid = 0
                 order by 1, 2""")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (plan.planned(rs.getString(1))) {
                        out.add(new Finding(TRIGGER, rs.getString(1) + "." + rs.getString(2), "runs " + rs.getString(3)));
                    }
                }
            }
        }
    }

    private static void functions(Connection c, String schema, Set<Finding> out) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                select p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')', p.prosrc from pg_proc p
                 where p.pronamespace = ?::regnamespace order by 1""")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Matcher m = SETTING_READ.matcher(rs.getString(2));
                    Set<String> settings = new LinkedHashSet<>();
                    while (m.find()) {
                        settings.add(m.group(1));
                    }
                    if (!settings.isEmpty()) {
                        out.add(new Finding(FUNCTION_READS_SETTING, rs.getString(1), "reads " + String.join(", ", settings)));
                    }
                }
            }
        }
    }

    private static void sequences(Connection c, String schema, Plan plan, Set<Finding> out) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                select t.relname, a.attname, format_type(a.atttypid, a.atttypmod),
                       a.attidentity <> '' as identity, coalesce(pg_get_expr(d.adbin, d.adrelid), '') as def
                  from pg_attribute a
                  join pg_class t on t.oid = a.attrelid
                  left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
                 where t.relnamespace = ?::regnamespace and t.relkind in ('r', 'p') and a.attnum > 0
                   and not a.attisdropped and a.atttypid <> 'int8'::regtype
                   and (a.attidentity <> '' or pg_get_expr(d.adbin, d.adrelid) like 'nextval(%')
                 order by 1, 2""")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (plan.planned(rs.getString(1))) {
                        out.add(new Finding(SMALL_SEQUENCE, rs.getString(1) + "." + rs.getString(2), rs.getString(3) + " "
                                + (rs.getBoolean(4) ? "identity" : rs.getString(5))));
                    }
                }
            }
        }
    }

    private static void partitioning(Connection c, String schema, Plan plan, Map<String, Table> tables,
                                     Set<Finding> out) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                select r.relname, k.relname, p.relname
                  from pg_inherits i
                  join pg_class p on p.oid = i.inhparent
                  join pg_class k on k.oid = i.inhrelid
                  join pg_class r on r.oid = pg_partition_root(k.oid)
                 where p.relnamespace = ?::regnamespace and p.relkind = 'p' and k.relkind = 'p'
                 order by 1, 2""")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (plan.planned(rs.getString(1))) {
                        out.add(new Finding(PARTITIONING, rs.getString(2), "a partition of " + rs.getString(3)
                                + " that is partitioned itself (multi-level partitioning)"));
                    }
                }
            }
        }
        for (Table t : tables.values()) {
            if (t.kind == 'p' && plan.reference.contains(t.name)) {
                out.add(new Finding(PARTITIONING, t.name, "a partitioned reference table"));
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // The statement rules: the SQL the library sends, as pg_stat_statements normalised it
    // ---------------------------------------------------------------------------------------

    /**
     * {@code pg_advisory_xact_lock} and its kin take the lock on the node that runs the call: the
     * coordinator the statement reached (a SELECT of no table is not routed to a shard). Two
     * appends reaching two coordinators (Citus runs queries from any node) do not exclude each
     * other. Citus source: a function call without a distributed table is planned locally.
     */
    static final String ADVISORY_LOCK = "advisory-lock-is-node-local";
    /**
     * {@code SELECT ... FOR UPDATE/SHARE} runs in single-shard queries only: "could not run
     * distributed query with FOR UPDATE/SHARE commands" (citus multi_logical_planner.c;
     * citus_docs reference_workarounds.rst "Cross-Node SQL Queries").
     */
    static final String FOR_UPDATE_ACROSS_SHARDS = "for-update-across-shards";
    /**
     * {@code INSERT ... VALUES ((SELECT ...))}: "subqueries are not supported within INSERT
     * queries" (citus multi_router_planner.c; reference_workarounds.rst "Subqueries within INSERT
     * queries": rewrite as INSERT ... SELECT).
     */
    static final String SUBQUERY_IN_INSERT = "subquery-in-insert-values";
    /**
     * The acting user reaches the shards only as {@code SET LOCAL} with
     * {@code citus.propagate_set_commands = 'local'}; a {@code set_config()} call never does
     * (variableset.c). Without it the shards' policies see no acting user and fail closed.
     */
    static final String SETTING_NOT_PROPAGATED = "acting-user-not-propagated";
    /**
     * A statement on a distributed table without an equality on its distribution column runs on
     * every shard (a multi-shard query: parallel, 2PC for writes, no snapshot across shards,
     * citus_docs develop/reference_dml.rst). Not an error: a cost, and the list of API calls that
     * lose a single-shard route.
     */
    static final String ALL_SHARDS = "statement-on-all-shards";

    private static final Pattern ADVISORY = Pattern.compile("\\b(pg_(?:try_)?advisory(?:_xact)?_lock(?:_shared)?)\\s*\\(");
    private static final Pattern LOCKING = Pattern.compile("\\bfor\\s+(?:no\\s+key\\s+)?(?:update|share|key\\s+share)\\b");
    private static final Pattern FIRST_TABLE = Pattern.compile(
            "^\\s*(select|update|delete|insert)\\b.*?\\b(?:from|update|into)\\s+(?:\"?public\"?\\.)?\"?([a-z_]+)\"?",
            Pattern.DOTALL);
    private static final Pattern UPDATE_TABLE = Pattern.compile("^\\s*update\\s+(?:\"?public\"?\\.)?\"?([a-z_]+)\"?");
    private static final Pattern INSERT_VALUES_SUBQUERY = Pattern.compile(
            "^\\s*insert\\s+into\\s+(?:\"?public\"?\\.)?\"?([a-z_]+)\"?.*?\\bvalues\\b.*\\(\\s*select\\b", Pattern.DOTALL);

    /**
     * Applies the statement rules to what a workload sent.
     *
     * @param statements the normalised texts ({@code pg_stat_statements.query}), any case
     * @return the findings, sorted by rule and object
     */
    static List<Finding> statementFindings(List<String> statements, Plan plan) {
        Set<Finding> out = new LinkedHashSet<>();
        for (String original : statements) {
            String sql = original.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ").trim();
            String shown = sql.length() > 160 ? sql.substring(0, 160) + "..." : sql;
            Matcher advisory = ADVISORY.matcher(sql);
            while (advisory.find()) {
                out.add(new Finding(ADVISORY_LOCK, advisory.group(1), shown));
            }
            if (sql.matches("^select set_config\\(.*")) {
                // pg_stat_statements shows the setting's name as $1: the library's only set_config is the acting user's
                out.add(new Finding(SETTING_NOT_PROPAGATED, "set_config()",
                        "a function call: never propagated to the workers"));
            }
            if (sql.matches("^set local \"?jeex\\.acting_user_id\"?\\s*=.*")) {
                out.add(new Finding(SETTING_NOT_PROPAGATED, "set local jeex.acting_user_id",
                        "propagated only with citus.propagate_set_commands = 'local'"));
            }
            Matcher insert = INSERT_VALUES_SUBQUERY.matcher(sql);
            if (insert.find() && plan.distributed(insert.group(1))) {
                out.add(new Finding(SUBQUERY_IN_INSERT, insert.group(1), shown));
            }
            Matcher m = UPDATE_TABLE.matcher(sql);
            String verb;
            String table;
            if (m.find()) {
                verb = "update";
                table = m.group(1);
            } else {
                Matcher first = FIRST_TABLE.matcher(sql);
                if (!first.find()) {
                    continue;
                }
                verb = first.group(1);
                table = first.group(2);
            }
            if (!plan.distributed(table) || verb.equals("insert")) {
                continue; // INSERT ... VALUES routes by the row's distribution column; INSERT ... SELECT via the coordinator
            }
            if (routesToOneShard(sql, table, plan.distributedBy.get(table))) {
                continue;
            }
            if (LOCKING.matcher(sql).find()) {
                out.add(new Finding(FOR_UPDATE_ACROSS_SHARDS, table, shown));
            } else {
                out.add(new Finding(ALL_SHARDS, verb + " " + table, shown));
            }
        }
        return sorted(out);
    }

    /** Whether the statement's WHERE pins the table's distribution column to one value. */
    static boolean routesToOneShard(String sql, String table, String column) {
        Pattern equality = Pattern.compile("(?:(?:\"?public\"?\\.)?\"?([a-z_]+)\"?\\.)?\"?" + Pattern.quote(column)
                + "\"?\\s*=\\s*(?:\\$\\d+|'[^']*'|cast\\(\\$\\d+)");
        Set<String> names = new LinkedHashSet<>(List.of(table));
        Matcher alias = Pattern.compile("\\b(?:from|join)\\s+(?:\"?public\"?\\.)?\"?" + Pattern.quote(table)
                + "\"?\\s+(?:as\\s+)?\"?([a-z_]+)\"?").matcher(sql);
        while (alias.find()) {
            names.add(alias.group(1));
        }
        Matcher m = equality.matcher(sql);
        while (m.find()) {
            if (m.group(1) == null || names.contains(m.group(1))) {
                return true;
            }
        }
        return false;
    }

    private static List<Finding> sorted(Set<Finding> findings) {
        List<Finding> list = new ArrayList<>(findings);
        list.sort((a, b) -> a.key().compareTo(b.key()));
        return list;
    }

    private static Column column(Map<String, Table> tables, Plan plan, String table) {
        Table t = tables.get(table);
        return t == null ? null : t.columns.get(plan.distributedBy.get(table));
    }

    private static int[] ints(Array array) throws SQLException {
        if (array == null) {
            return new int[0];
        }
        Object[] values = (Object[]) array.getArray();
        return Arrays.stream(values).mapToInt(v -> ((Number) v).intValue()).toArray();
    }

    private static String[] strings(Array array) throws SQLException {
        if (array == null) {
            return new String[0];
        }
        return Arrays.stream((Object[]) array.getArray()).map(String::valueOf).toArray(String[]::new);
    }
}
