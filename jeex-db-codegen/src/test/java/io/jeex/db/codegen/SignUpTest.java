package io.jeex.db.codegen;

import static io.jeex.db.codegen.Tables.USERS;
import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.junit.JeexDbTest;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;

/** The README's downstream-test example, kept compiling and passing by the build. */
@JeexDbTest
class SignUpTest {

    @Test
    void storesTheUser(DSLContext dsl) {            // or DataSource, or TestDatabase
        dsl.insertInto(USERS).set(USERS.EMAIL, "ada@example.com").set(USERS.NAME, "Ada").execute();
        assertThat(dsl.fetchCount(USERS)).isEqualTo(1);
    }

    @Test
    void canUseTheSameEmailAgain(TestDatabase db) { // jdbcUrl(), user(), password(), dataSource()
        db.dsl().insertInto(USERS).set(USERS.EMAIL, "ada@example.com").set(USERS.NAME, "Ada").execute();
        assertThat(db.dsl().fetchCount(USERS)).isEqualTo(1);
    }
}
