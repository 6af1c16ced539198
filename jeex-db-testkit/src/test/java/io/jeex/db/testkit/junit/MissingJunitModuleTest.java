package io.jeex.db.testkit.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.jeex.db.JeexDatabase;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * A service that asks for a {@code JeexDatabase} with the testkit alone (README's testkit section)
 * learns which dependency injects it, instead of JUnit's "No ParameterResolver registered".
 */
class MissingJunitModuleTest {

    @Test
    void aJeexDatabaseParameterWithoutJeexDbJunitNamesTheDependencyToAdd() {
        Event failed = EngineTestKit.engine("junit-jupiter").selectors(selectClass(WantsAJeexDatabase.class)).execute()
                .testEvents().failed().stream().findFirst().orElseThrow();
        Throwable why = failed.getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow()
                .getThrowable().orElseThrow();
        assertThat(why).hasMessageContaining("needs jeex-db-junit on the test class path")
                .hasMessageContaining("io.jeex:jeex-db-junit");
    }

    @JeexDbTest
    static class WantsAJeexDatabase {
        @Test
        void usesIt(JeexDatabase db) {
            throw new AssertionError("not reached: the parameter cannot be resolved");
        }
    }
}
