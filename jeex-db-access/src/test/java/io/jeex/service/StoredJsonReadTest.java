package io.jeex.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jeex.db.JeexDatabase;
import io.jeex.db.codegen.Tables;
import io.jeex.db.error.InvalidInputException;
import io.jeex.db.repository.Json;
import io.jeex.db.repository.Repositories;
import io.jeex.db.repository.User;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.junit.JeexDbTest;
import io.jeex.db.tx.TxOptions;
import org.jooq.JSONB;
import org.junit.jupiter.api.Test;

/**
 * A service writes JSONB columns with its own SQL too (its generated classes, a backfill, a
 * migration): what PostgreSQL stored is read back through the repositories as stored, even when
 * the library would not have taken it as input.
 */
@JeexDbTest
class StoredJsonReadTest {

    /** An object nested {@code depth} levels: {"a":{"a":...{}...}}. */
    private static String nested(int depth) {
        return "{\"a\":".repeat(depth - 1) + "{}" + "}".repeat(depth - 1);
    }

    @Test
    void aProfileWrittenBySqlDeeperThanTheInputRuleIsReadAsStored(TestDatabase testDb) {
        String deep = nested(300);
        assertThatThrownBy(() -> Json.of(deep)).as("as input, the rule still holds")
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("256");
        try (JeexDatabase db = JeexDatabase.create(ServiceConfigs.defaults(testDb).build())) {
            Repositories me = db.actingAsNewUser();
            User ada = me.users().create("ada@example.com", "Ada");
            int updated = db.transaction(TxOptions.named("service_backfill").withActingUser(ada.id()),
                    tx -> tx.dsl().update(Tables.USERS).set(Tables.USERS.PROFILE_DATA, JSONB.valueOf(deep))
                            .where(Tables.USERS.ID.eq(ada.id())).execute());
            assertThat(updated).isEqualTo(1);

            User read = me.users().byId(ada.id()).orElseThrow();
            // jsonb's own output of the stored value, as PostgreSQL gives it back
            String stored = db.transaction(TxOptions.named("service_read").withActingUser(ada.id()),
                    tx -> tx.dsl().select(Tables.USERS.PROFILE_DATA).from(Tables.USERS)
                            .where(Tables.USERS.ID.eq(ada.id())).fetchOne(Tables.USERS.PROFILE_DATA).data());
            assertThat(read.profile().text()).isEqualTo(stored);
            assertThat(read.profile().text()).startsWith("{\"a\": {\"a\": ").endsWith("}}");
            assertThat(db.system().users().byEmail("ada@example.com")).map(User::profile).contains(read.profile());
        }
    }

    @Test
    void aValueReadBackEqualsTheSameTextGivenAsInput(TestDatabase testDb) {
        try (JeexDatabase db = JeexDatabase.create(ServiceConfigs.defaults(testDb).build())) {
            Repositories me = db.actingAsNewUser();
            User ada = me.users().create("ada@example.com", "Ada", Json.of("{\"theme\": \"dark\"}"));
            Json read = me.users().byId(ada.id()).orElseThrow().profile();
            assertThat(read).isEqualTo(Json.of("{\"theme\": \"dark\"}"));
            assertThat(read.hashCode()).isEqualTo(Json.of("{\"theme\": \"dark\"}").hashCode());
            assertThat(read).hasToString("{\"theme\": \"dark\"}");
        }
    }

    @Test
    void storedTextThatIsNotAnObjectIsRefusedWithTheRuleNotTheText() {
        assertThatThrownBy(() -> Json.ofStored("[\"secretValueQx\"]")).isInstanceOf(InvalidInputException.class)
                .hasMessage("json must be a JSON object ({...})").hasMessageNotContaining("secretValueQx");
        assertThatThrownBy(() -> Json.ofStored("")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> Json.ofStored(null)).isInstanceOf(InvalidInputException.class)
                .hasMessage("json must not be null");
        assertThat(Json.ofStored("{\"a\": 1}")).isEqualTo(Json.of("{\"a\": 1}"));
    }
}
