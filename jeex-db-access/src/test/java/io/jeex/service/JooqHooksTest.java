package io.jeex.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.jeex.db.JeexDatabase;
import io.jeex.db.error.UncategorizedDatabaseException;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.junit.JeexDbTest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jooq.ExecuteContext;
import org.jooq.ExecuteListener;
import org.jooq.conf.RenderKeywordCase;
import org.jooq.conf.Settings;
import org.jooq.impl.DefaultExecuteListenerProvider;
import org.junit.jupiter.api.Test;

/**
 * A service's own jOOQ settings and execute listeners: they apply to {@code db.dsl()} and to the
 * context of every transaction, and the library keeps its statement meters and error translation.
 */
@JeexDbTest
class JooqHooksTest {

    @Test
    void theServicesSettingsAndListenersApplyEverywhereBesideTheLibrarysOwn(TestDatabase testDb) {
        List<String> seen = new CopyOnWriteArrayList<>();
        ExecuteListener audit = new ExecuteListener() {
            @Override
            public void executeStart(ExecuteContext ctx) {
                seen.add(ctx.sql());
            }
        };
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (JeexDatabase db = JeexDatabase.create(ServiceConfigs.defaults(testDb)
                .jooqSettings(new Settings().withRenderKeywordCase(RenderKeywordCase.UPPER))
                .executeListeners(new DefaultExecuteListenerProvider(audit)).build(), registry)) {
            db.dsl().selectOne().fetch();
            db.transaction(tx -> tx.dsl().selectOne().fetch());

            assertThat(seen).hasSize(2).allSatisfy(sql -> assertThat(sql).startsWith("SELECT 1"));
            assertThat(registry.find("db.client.operation.duration").timers()).as("the library's meters")
                    .isNotEmpty();
            Throwable e = catchThrowable(() -> db.transaction(tx -> tx.dsl().fetch("select * from no_such_table")));
            assertThat(e).as("the library's error translation").isInstanceOf(UncategorizedDatabaseException.class);
            Throwable d = catchThrowable(() -> db.dsl().fetch("select * from no_such_table"));
            assertThat(d).isInstanceOf(UncategorizedDatabaseException.class);
        }
    }

    @Test
    void theConfigurationKeepsItsOwnCopyOfTheSettings(TestDatabase testDb) {
        Settings settings = new Settings().withRenderKeywordCase(RenderKeywordCase.UPPER);
        var config = ServiceConfigs.defaults(testDb).jooqSettings(settings).build();
        settings.withRenderKeywordCase(RenderKeywordCase.LOWER);
        assertThat(config.jooqSettings()).hasValueSatisfying(s ->
                assertThat(s.getRenderKeywordCase()).isEqualTo(RenderKeywordCase.UPPER));
    }
}
