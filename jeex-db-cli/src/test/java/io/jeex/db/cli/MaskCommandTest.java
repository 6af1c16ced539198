package io.jeex.db.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.jeex.db.JeexDatabase;
import io.jeex.db.JeexDbConfig;
import io.jeex.db.repository.AgentExecution;
import io.jeex.db.repository.Export;
import io.jeex.db.repository.Json;
import io.jeex.db.repository.Project;
import io.jeex.db.repository.Repositories;
import io.jeex.db.repository.User;
import io.jeex.db.testkit.JeexPostgres;
import io.jeex.db.testkit.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code jeex-db mask} on a source filled through the library, as an operator runs it (in this
 * JVM through {@link JeexDbCli#run}; {@code MaskProcessTest} runs the jar): the copy has every row,
 * keeps every non-personal value and every constraint, has the same JSON shapes, and holds no
 * original personal value anywhere.
 */
class MaskCommandTest {

    private static final List<String> TABLES = List.of("users", "projects", "document_versions", "agent_executions",
            "exports");
    /** The tagged columns of migration V4, by table. */
    private static final Map<String, List<String>> PERSONAL = Map.of(
            "users", List.of("email", "name", "profile_data"),
            "projects", List.of("name"),
            "document_versions", List.of("content", "metadata"),
            "agent_executions", List.of("input_data", "output_data", "error_message"),
            "exports", List.of("file_path", "manifest"));
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static TestDatabase source;
    private static Path key;
    private static final List<String> created = new ArrayList<>();
    /** The copy made with {@link #key} before the tests, and what the command printed. */
    private static String copy;
    private static Run copied;

    @BeforeAll
    static void aSourceWithPersonalDataEverywhere() throws IOException {
        source = JeexPostgres.shared().newDatabase();
        key = Files.createTempFile("jeex-mask-", ".key");
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        Files.write(key, bytes);
        try (JeexDatabase db = JeexDatabase.create(JeexDbConfig.builder(source.jdbcUrl())
                .user(source.appUser()).password(source.appPassword())
                .credentials(c -> c.withMigrationUser(source.user()).withMigrationPassword(source.password()))
                .build())) {
            String[][] people = {{"Ada.Lovelace@Example.com", "Ada Lovelace"}, {"charles@babbage.org", "Charles Babbage"},
                {"grace.hopper@navy.mil", "Grace Hopper \uD83D\uDE80"}};
            for (String[] person : people) {
                Repositories as = db.actingAsNewUser();
                User u = as.users().create(person[0], person[1], Json.of("{\"city\": \"London " + person[1]
                        + "\", \"phone\": 4420794601, \"tags\": [\"mathematician\", {\"nested\": \"secret-" + person[1]
                        + "\"}], \"verified\": true, \"note\": null, \"score\": 12.75}"));
                Project p = as.projects().create(u.id(), "Memoir of " + person[1], "en");
                as.documents().append(p.id(), "about", "The private life of " + person[1] + ", born in London.",
                        Json.of("{\"author\": \"" + person[1] + "\"}"), u.id());
                as.documents().append(p.id(), "about", "Second draft by " + person[1] + ".", Json.EMPTY, null);
                AgentExecution run = as.agentExecutions().start(p.id(), "writer", UUID.randomUUID(),
                        Json.of("{\"prompt\": \"write about " + person[1] + "\"}"));
                as.agentExecutions().fail(run.id(), "model refused to write about " + person[1]);
                Export e = as.exports().create(p.id(), Json.of("{\"for\": \"" + person[0] + "\"}"));
                as.exports().markCompleted(e.id(), "exports/" + person[0] + ".zip", Json.of("{\"owner\": \""
                        + person[1] + "\"}"));
            }
        }
        copy = target();
        copied = mask(copy, key);
    }

    @AfterAll
    static void dropTheCopies() throws Exception {
        try (Connection admin = admin(source.jdbcUrl()); Statement s = admin.createStatement()) {
            for (String name : created) {
                s.execute("DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
            }
        }
        source.close();
        Files.deleteIfExists(key);
    }

    record Run(int status, String out, String err) {
    }

    static Run mask(String target, Path keyFile, String... more) {
        created.add(target);
        Map<String, String> env = new HashMap<>();
        env.put("JEEX_DB_URL", source.jdbcUrl());
        env.put("JEEX_DB_USER", source.user());
        env.put("JEEX_DB_PASSWORD", source.password());
        List<String> args = new ArrayList<>(List.of("mask", "--target", target, "--key-file", keyFile.toString()));
        args.addAll(List.of(more));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = JeexDbCli.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String target() {
        return "jeex_mask_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    @Test
    void theCopyHasEveryRowAndConstraintNoPersonalValueAndTheSameJsonShapes() throws Exception {
        String target = copy;
        Run run = copied;
        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out()).contains("mask: 18 rows of 5 tables copied into " + target)
                .contains("personal values replaced, schema version " + io.jeex.db.schema.JeexSchema.latestVersion());

        try (Connection from = admin(source.jdbcUrl()); Connection to = admin(Mask.withDatabase(source.jdbcUrl(), target))) {
            for (String table : TABLES) {
                List<Map<String, String>> original = rows(from, table);
                List<Map<String, String>> copy = rows(to, table);
                assertThat(copy).as(table).hasSameSizeAs(original);
                for (int i = 0; i < original.size(); i++) {
                    Map<String, String> o = original.get(i);
                    Map<String, String> c = copy.get(i);
                    assertThat(c.keySet()).isEqualTo(o.keySet());
                    for (String column : o.keySet()) {
                        boolean personal = PERSONAL.get(table).contains(column);
                        if (!personal) {
                            assertThat(c.get(column)).as("%s.%s is copied as it is", table, column).isEqualTo(o.get(column));
                        } else if (o.get(column) == null) {
                            assertThat(c.get(column)).isNull();
                        } else if (isJson(o.get(column))) {
                            assertThat(shape(c.get(column))).as("%s.%s keeps its shape", table, column)
                                    .isEqualTo(shape(o.get(column)));
                        } else {
                            assertThat(c.get(column)).as("%s.%s is replaced", table, column).isNotEqualTo(o.get(column));
                            if (!column.equals("email") && !(table.equals("users") && column.equals("name"))) {
                                assertThat(c.get(column).codePointCount(0, c.get(column).length()))
                                        .as("%s.%s keeps its length", table, column)
                                        .isEqualTo(o.get(column).codePointCount(0, o.get(column).length()));
                            }
                        }
                    }
                }
            }
            assertThat(query(to, "SELECT count(*) FROM users WHERE email ~ '^u[0-9a-f]{24}@example\\.invalid$'"))
                    .isEqualTo("3");
            assertThat(query(to, "SELECT count(DISTINCT lower(email)) FROM users")).isEqualTo("3");
            assertThat(query(to, "SELECT count(*) FROM pg_constraint WHERE connamespace = 'public'::regnamespace "
                    + "AND NOT convalidated")).as("every constraint holds").isEqualTo("0");
            assertThat(query(to, "SELECT count(*) FROM pg_policies p JOIN pg_class c ON c.relname = p.tablename "
                    + "AND c.relnamespace = 'public'::regnamespace WHERE NOT c.relispartition"))
                    .as("the copy is protected like the source").isEqualTo("5");
            assertThat(query(to, "SELECT count(*) FROM pg_inherits i WHERE i.inhparent = 'agent_executions'::regclass "
                    + "AND NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = i.inhrelid)"))
                    .as("every partition of agent_executions (V5) too").isEqualTo("0");

            String everything = everything(to);
            List<String> originals = personalValues(from);
            assertThat(originals).as("emails, names, texts, JSON strings, a phone number").hasSizeGreaterThan(40);
            for (String value : originals) {
                assertThat(everything.toLowerCase(Locale.ROOT)).as("the copy holds no original personal value")
                        .doesNotContain(value.toLowerCase(Locale.ROOT));
            }
        }
    }

    @Test
    void theSameKeyGivesTheSamePseudonymsAnotherKeyOthers() throws Exception {
        String first = copy;
        String second = target();
        String third = target();
        Path otherKey = Files.createTempFile("jeex-mask-other-", ".key");
        try {
            Files.write(otherKey, "another key of at least thirty-two bytes".getBytes(StandardCharsets.UTF_8));
            assertThat(mask(second, key).status()).isZero();
            assertThat(mask(third, otherKey).status()).isZero();
        } finally {
            Files.deleteIfExists(otherKey);
        }
        try (Connection a = admin(Mask.withDatabase(source.jdbcUrl(), first));
             Connection b = admin(Mask.withDatabase(source.jdbcUrl(), second));
             Connection c = admin(Mask.withDatabase(source.jdbcUrl(), third))) {
            assertThat(everything(b)).isEqualTo(everything(a));
            String emails = "SELECT string_agg(email, ',' ORDER BY id) FROM users";
            assertThat(query(c, emails)).isNotEqualTo(query(a, emails));
            assertThat(query(c, "SELECT string_agg(id::text, ',' ORDER BY id) FROM users"))
                    .isEqualTo(query(a, "SELECT string_agg(id::text, ',' ORDER BY id) FROM users"));
        }
    }

    @Test
    void badUsageIsExitTwoAnExistingTargetExitOneAndNoKeyIsEverPrinted() throws Exception {
        Path shortKey = Files.createTempFile("jeex-mask-short-", ".key");
        try {
            Files.writeString(shortKey, "too-short-key-value");
            Run shortRun = mask(target(), shortKey);
        // (the usage errors below are found before any database is touched)
            assertThat(shortRun.status()).isEqualTo(2);
            assertThat(shortRun.err()).contains("at least 32 bytes").contains("openssl rand 32")
                    .doesNotContain("too-short-key-value");
            Run json = mask(target(), shortKey, "--json");
            assertThat(MAPPER.readTree(json.out()).get("error").get("exitCode").asInt()).isEqualTo(2);
        } finally {
            Files.deleteIfExists(shortKey);
        }
        assertThat(mask("Not-A-Name", key).status()).isEqualTo(2);
        assertThat(mask(target(), key.resolveSibling("missing-" + UUID.randomUUID())).status()).isEqualTo(2);

        Run again = mask(copy, key, "--json");
        assertThat(again.status()).isOne();
        assertThat(again.err()).contains("jeex-db mask: ").contains("exists already");
        JsonNode error = MAPPER.readTree(again.out()).get("error");
        assertThat(error.get("exitCode").asInt()).isOne();
        assertThat(error.get("message").asText()).contains("exists already");
        try (Connection c = admin(source.jdbcUrl())) {
            assertThat(query(c, "SELECT count(*) FROM pg_database WHERE datname = '" + copy + "'"))
                    .as("an existing database is left alone").isEqualTo("1");
        }
    }

    /** Every personal value of the source long enough to be recognised: columns and JSON leaves. */
    private static List<String> personalValues(Connection c) throws Exception {
        List<String> values = new ArrayList<>();
        for (Map.Entry<String, List<String>> t : PERSONAL.entrySet()) {
            for (Map<String, String> row : rows(c, t.getKey())) {
                for (String column : t.getValue()) {
                    String v = row.get(column);
                    if (v == null) {
                        continue;
                    }
                    if (isJson(v)) {
                        leaves(MAPPER.readTree(v), values);
                    } else {
                        values.add(v);
                    }
                }
            }
        }
        values.removeIf(v -> v.length() < 4);
        return values;
    }

    /** Strings, and numbers long enough not to turn up by chance in a timestamp or an id. */
    private static void leaves(JsonNode node, List<String> into) {
        if (node.isTextual() || (node.isNumber() && node.asText().length() >= 8)) {
            into.add(node.asText());
        }
        for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
            leaves(it.next(), into);
        }
    }

    private static boolean isJson(String value) {
        return value.startsWith("{");
    }

    /** A JSON value with every string turned into "s" and every number into 0: its shape. */
    private static JsonNode shape(String json) throws IOException {
        return shape(MAPPER.readTree(json));
    }

    private static JsonNode shape(JsonNode node) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (node.isObject()) {
            var o = f.objectNode();
            node.fields().forEachRemaining(e -> o.set(e.getKey(), shape(e.getValue())));
            return o;
        }
        if (node.isArray()) {
            var a = f.arrayNode();
            node.forEach(n -> a.add(shape(n)));
            return a;
        }
        if (node.isTextual()) {
            return f.textNode("s");
        }
        if (node.isIntegralNumber()) {
            return f.numberNode(0);
        }
        if (node.isNumber()) {
            return f.numberNode(0.5);
        }
        return node;
    }

    private static List<Map<String, String>> rows(Connection c, String table) throws SQLException {
        List<Map<String, String>> rows = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM " + table + " ORDER BY id")) {
            while (rs.next()) {
                Map<String, String> row = new LinkedHashMap<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.put(rs.getMetaData().getColumnName(i), rs.getString(i));
                }
                rows.add(row);
            }
        }
        return rows;
    }

    /** Every row of every table as text, in a stable order. */
    private static String everything(Connection c) throws SQLException {
        StringBuilder all = new StringBuilder();
        for (String table : TABLES) {
            all.append(query(c, "SELECT string_agg(t::text, E'\\n' ORDER BY t.id) FROM " + table + " t")).append('\n');
        }
        return all.toString();
    }

    private static String query(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static Connection admin(String url) throws SQLException {
        return DriverManager.getConnection(url, source.user(), source.password());
    }
}
