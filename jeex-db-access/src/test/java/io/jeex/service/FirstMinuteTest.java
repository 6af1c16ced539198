package io.jeex.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.JeexDatabase;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.junit.JeexDbTest;
import io.jeex.db.tx.TxOptions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What a service sees before anything went wrong: meters exist, the acting user reads as NULL. */
@JeexDbTest
class FirstMinuteTest {

    @Test
    void theRetryCounterExistsFromTheStartAtZero(TestDatabase testDb) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (JeexDatabase db = JeexDatabase.create(ServiceConfigs.defaults(testDb).build(), registry)) {
            Counter retries = registry.find("jeex.db.transaction.retries").tag("pool", "service").counter();
            assertThat(retries).as("a dashboard sees 0, not no series").isNotNull();
            assertThat(retries.count()).isZero();
            db.transaction(tx -> tx.dsl().selectOne().fetch());
            assertThat(registry.find("jeex.db.transaction.retries").counters()).isNotEmpty();
        }
    }

    @Test
    void theActingUserFunctionIsNullOutsideAnActingTransactionOnEveryPooledConnection(TestDatabase testDb) {
        try (JeexDatabase db = JeexDatabase.create(ServiceConfigs.defaults(testDb).poolSize(1)
                .pool(p -> p.withMaxOverflow(0)).build())) {
            db.migrate();
            UUID ada = UUID.randomUUID();
            Object inside = db.transaction(TxOptions.named("acting").withActingUser(ada),
                    tx -> tx.dsl().fetchValue("select jeex_acting_user_id()"));
            assertThat(inside).isEqualTo(ada);
            // the same (only) pooled connection, after a transaction that set the acting user
            Object after = db.transaction(tx -> tx.dsl().fetchValue("select jeex_acting_user_id()"));
            assertThat(after).isNull();
            Object raw = db.transaction(tx -> tx.dsl().fetchValue(
                    "select current_setting('jeex.acting_user_id', true)"));
            assertThat(raw).as("why the function exists: the raw setting reads as ''").isIn("", null);
        }
    }
}
