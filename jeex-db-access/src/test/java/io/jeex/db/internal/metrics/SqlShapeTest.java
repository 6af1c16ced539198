package io.jeex.db.internal.metrics;

import static io.jeex.db.codegen.Tables.DOCUMENT_VERSIONS;
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
        assertThat(SqlShape.masked("select * from users where email = 'ada@example.com' and id = ?"))
                .isEqualTo("select * from users where email = ? and id = ?");
        assertThat(SqlShape.masked("select set_config('jeex.acting_user_id', 'it''s', true)"))
                .isEqualTo("select set_config(?, ?, true)");
        assertThat(SqlShape.masked("select \"a'b\" from t")).isEqualTo("select \"a'b\" from t");
    }
}
