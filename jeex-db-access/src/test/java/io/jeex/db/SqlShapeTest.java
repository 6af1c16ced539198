package io.jeex.db;

import static io.jeex.db.codegen.Tables.DOCUMENT_VERSIONS;
import static io.jeex.db.codegen.Tables.EXPORTS;
import static io.jeex.db.codegen.Tables.PROJECTS;
import static io.jeex.db.codegen.Tables.USERS;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

class SqlShapeTest {

    private static final DSLContext PG = DSL.using(SQLDialect.POSTGRES);

    private static String shape(String sql) {
        int s = SqlShape.of(sql);
        return SqlShape.OPERATIONS[s / SqlShape.TABLES.length] + " " + SqlShape.TABLES[s % SqlShape.TABLES.length];
    }

    @Test
    void typedQueriesAsJooqRendersThemGiveOperationAndTable() {
        assertThat(shape(PG.render(PG.select(USERS.ID, USERS.EMAIL).from(USERS).where(USERS.EMAIL.eq("a@b.c")))))
                .isEqualTo("SELECT users");
        assertThat(shape(PG.render(PG.insertInto(PROJECTS).set(PROJECTS.NAME, "x")))).isEqualTo("INSERT projects");
        assertThat(shape(PG.render(PG.update(DOCUMENT_VERSIONS).set(DOCUMENT_VERSIONS.CONTENT, "c")
                .where(DOCUMENT_VERSIONS.ID.eq(UUID.randomUUID()))))).isEqualTo("UPDATE document_versions");
        assertThat(shape(PG.render(PG.deleteFrom(USERS).where(USERS.ID.eq(UUID.randomUUID())))))
                .isEqualTo("DELETE users");
        assertThat(shape(PG.render(PG.select(PROJECTS.NAME, DSL.max(DOCUMENT_VERSIONS.VERSION)).from(PROJECTS)
                .join(DOCUMENT_VERSIONS).on(DOCUMENT_VERSIONS.PROJECT_ID.eq(PROJECTS.ID)).groupBy(PROJECTS.NAME))))
                .isEqualTo("SELECT projects");
    }

    @Test
    void plainSqlIsReadTheSameWay() {
        assertThat(shape("insert into users (email, name) values (?, ?) returning *")).isEqualTo("INSERT users");
        assertThat(shape("  SELECT count(*) FROM public.agent_executions WHERE status = ?"))
                .isEqualTo("SELECT agent_executions");
        assertThat(shape("select extract(epoch from now()) , x from \"public\".\"exports\"")).isEqualTo("SELECT exports");
        assertThat(shape("with t as (select id from users) delete from only projects where id in (select id from t)"))
                .isEqualTo("DELETE projects");
        assertThat(shape("/* c */ update users set name = 'from x' where id = ?")).isEqualTo("UPDATE users");
        assertThat(shape("select 'from users' as s")).isEqualTo("SELECT other");
        assertThat(shape("select * from (select 1) q")).isEqualTo("SELECT other");
        assertThat(shape("select * from users_archive")).isEqualTo("SELECT other");
        assertThat(shape("do $$ begin raise exception 'x'; end $$")).isEqualTo("OTHER other");
        assertThat(shape("SET LOCAL statement_timeout = 5")).isEqualTo("OTHER other");
        assertThat(shape("")).isEqualTo("OTHER other");
        assertThat(shape(null)).isEqualTo("OTHER other");
    }

    private static String modelled(org.jooq.Query query) {
        // the text given is wrong on purpose: a typed query's shape comes from its object model
        int s = SqlShape.of(query, "select 1");
        return SqlShape.OPERATIONS[s / SqlShape.TABLES.length] + " " + SqlShape.TABLES[s % SqlShape.TABLES.length];
    }

    @Test
    void typedQueriesAreReadFromJooqsQueryObjectModelNotFromTheirText() {
        assertThat(modelled(PG.select(USERS.ID).from(USERS).where(USERS.EMAIL.eq("a@b.c")))).isEqualTo("SELECT users");
        assertThat(modelled(PG.selectFrom(PROJECTS.as("p")))).as("an alias is its table").isEqualTo("SELECT projects");
        assertThat(modelled(PG.select(PROJECTS.NAME, DSL.max(DOCUMENT_VERSIONS.VERSION)).from(PROJECTS)
                .join(DOCUMENT_VERSIONS).on(DOCUMENT_VERSIONS.PROJECT_ID.eq(PROJECTS.ID)).groupBy(PROJECTS.NAME)))
                .isEqualTo("SELECT projects");
        assertThat(modelled(PG.select(DSL.inline(1)))).isEqualTo("SELECT other");
        assertThat(modelled(PG.selectFrom(DSL.table(DSL.name("users_archive"))))).isEqualTo("SELECT other");
        assertThat(modelled(PG.insertInto(PROJECTS).set(PROJECTS.NAME, "x"))).isEqualTo("INSERT projects");
        assertThat(modelled(PG.insertInto(USERS).set(USERS.NAME, "x").returning())).isEqualTo("INSERT users");
        assertThat(modelled(PG.update(DOCUMENT_VERSIONS).set(DOCUMENT_VERSIONS.CONTENT, "c")
                .where(DOCUMENT_VERSIONS.ID.eq(UUID.randomUUID())))).isEqualTo("UPDATE document_versions");
        assertThat(modelled(PG.update(PROJECTS).set(PROJECTS.NAME, "n").returning(PROJECTS.ID))).isEqualTo("UPDATE projects");
        assertThat(modelled(PG.deleteFrom(USERS).where(USERS.ID.eq(UUID.randomUUID())))).isEqualTo("DELETE users");
        assertThat(modelled(PG.deleteFrom(EXPORTS).returning(EXPORTS.FILE_PATH))).isEqualTo("DELETE exports");
        // plain SQL is not modelled by jOOQ: its text is read
        assertThat(modelled(PG.query("update projects set name = 'x'"))).isEqualTo("SELECT other");
        int plain = SqlShape.of(PG.query("update projects set name = 'x'"), "update projects set name = 'x'");
        assertThat(SqlShape.OPERATIONS[plain / SqlShape.TABLES.length]).isEqualTo("UPDATE");
    }

    @Test
    void theTablesAreTheGeneratedSchemasAndOther() {
        assertThat(SqlShape.TABLES).containsExactlyInAnyOrder("users", "projects", "document_versions",
                "agent_executions", "exports", "other");
        assertThat(SqlShape.TABLES[SqlShape.TABLES.length - 1]).isEqualTo("other");
    }

    @Test
    void anySqlMapsToOneOfThirtyShapes() {
        String[] samples = {"select", "from", "insert into", "update", "delete from \"", "with (", "'unterminated",
                "select * from \"unterminated", "select 1 from users.", "x".repeat(1000)};
        for (String sql : samples) {
            assertThat(SqlShape.of(sql)).isBetween(0, SqlShape.OPERATIONS.length * SqlShape.TABLES.length - 1);
        }
    }

    @Test
    void theLoggedShapeMasksLiteralsButKeepsPlaceholders() {
        assertThat(SqlLiterals.masked("select * from users where email = 'ada@example.com' and id = ?"))
                .isEqualTo("select * from users where email = ? and id = ?");
        assertThat(SqlLiterals.masked("select set_config('jeex.acting_user_id', 'it''s', true)"))
                .isEqualTo("select set_config(?, ?, true)");
        assertThat(SqlLiterals.masked("select \"a'b\" from t")).isEqualTo("select \"a'b\" from t");
    }

    @Test
    void theLoggedShapeMasksNumbersAndDollarQuotedBodiesButKeepsIdentifiersAndParameters() {
        assertThat(SqlLiterals.masked("select t1.id, col_2 from users t1 where t1.age > 42 and t1.score < 0.75 "
                + "and t1.big = 1e-6 and t1.n in (-3, .5, 0x1F, 1_000) and t1.x = $1 limit 10"))
                .isEqualTo("select t1.id, col_2 from users t1 where t1.age > ? and t1.score < ? "
                        + "and t1.big = ? and t1.n in (-?, ?, ?, ?) and t1.x = $1 limit ?");
        assertThat(SqlLiterals.masked("do $body$ begin perform 'secret-1'; end $body$; select $$secret-2$$, 7::int4"))
                .isEqualTo("do ?; select ?, ?::int4");
        assertThat(SqlLiterals.masked("select $a$ $$ nested $$ 4111111111111111 $a$ from document_versions"))
                .isEqualTo("select ? from document_versions");
        assertThat(SqlLiterals.masked("select E'it\\'s secret', e'x' from projects where \"col$1\" = 5"))
                .isEqualTo("select E?, e? from projects where \"col$1\" = ?");
        assertThat(SqlLiterals.masked("update t set v = v + 1 where id = $12")).isEqualTo("update t set v = v + ? where id = $12");
    }

    @Test
    void theLoggedShapeLeavesOutWhatCommentsSay() {
        assertThat(SqlLiterals.masked("select ? /* request ada@example.com */ from users -- by grace@example.com\nwhere 1 = 1"))
                .isEqualTo("select ? /*?*/ from users --?\nwhere ? = ?");
        assertThat(SqlLiterals.masked("select 1 /* outer /* nested secret */ still secret */, 2 -- tail secret"))
                .isEqualTo("select ? /*?*/, ? --?");
        assertThat(SqlLiterals.masked("select '-- not a comment', \"/* nor this */\" from t"))
                .isEqualTo("select ?, \"/* nor this */\" from t");
        assertThat(SqlLiterals.masked("select 5-3, a/b from t /* unterminated secret"))
                .isEqualTo("select ?-?, a/b from t /*?*/");
    }
}
