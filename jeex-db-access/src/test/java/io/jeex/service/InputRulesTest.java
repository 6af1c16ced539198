package io.jeex.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.jeex.db.JeexDatabase;
import io.jeex.db.error.InvalidInputException;
import io.jeex.db.repository.AgentExecution;
import io.jeex.db.repository.Json;
import io.jeex.db.repository.NewAgentExecution;
import io.jeex.db.repository.Project;
import io.jeex.db.repository.Repositories;
import io.jeex.db.repository.User;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.junit.JeexDbTest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What a service's users type reaches the library: refused input names the rule, never the
 * value; lengths count characters as PostgreSQL's {@code varchar(n)} does (code points).
 */
@JeexDbTest
class InputRulesTest {

    /** Every message of the error and its causes (the stack trace's line numbers are not data). */
    private static String printed(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            b.append(t).append('\n');
            for (Throwable s : t.getSuppressed()) {
                b.append(s).append('\n');
            }
        }
        return b.toString();
    }

    @Test
    void refusedNumbersAndKeysAreNotEchoed(TestDatabase testDb) {
        try (JeexDatabase db = JeexDatabase.create(ServiceConfigs.defaults(testDb).build())) {
            Repositories me = db.actingAsNewUser();
            User ada = me.users().create("ada@example.com", "Ada");
            Project p = me.projects().create(ada.id(), "Engine", "en");

            InvalidInputException step = catchThrowableOfType(InvalidInputException.class,
                    () -> me.projects().changeStep(p.id(), 987654, p.updatedAt()));
            InvalidInputException limit = catchThrowableOfType(InvalidInputException.class,
                    () -> me.projects().listByOwner(ada.id(), Optional.empty(), 987655, Optional.empty()));
            InvalidInputException version = catchThrowableOfType(InvalidInputException.class,
                    () -> me.documents().byNumber(p.id(), "about", -987656));
            InvalidInputException key = catchThrowableOfType(InvalidInputException.class,
                    () -> Json.of("{\"secretKeyName\": 1, \"secretKeyName\": 2}"));

            assertThat(printed(step)).contains("current_step").doesNotContain("987654");
            assertThat(printed(limit)).contains("limit").doesNotContain("987655");
            assertThat(printed(version)).contains("version").doesNotContain("987656");
            assertThat(printed(key)).contains("repeat").doesNotContain("secretKeyName");
        }
    }

    @Test
    void lengthsCountCodePointsLikeVarchar(TestDatabase testDb) {
        try (JeexDatabase db = JeexDatabase.create(ServiceConfigs.defaults(testDb).build())) {
            String emoji200 = "\uD83D\uDE00".repeat(200); // 200 characters for PostgreSQL, 400 Java chars
            Repositories me = db.actingAsNewUser();
            User u = me.users().create("emoji@example.com", emoji200);
            assertThat(u.name()).isEqualTo(emoji200);

            InvalidInputException tooLong = catchThrowableOfType(InvalidInputException.class,
                    () -> me.users().create("emoji2@example.com", "\uD83D\uDE00".repeat(256)));
            assertThat(tooLong.getMessage()).contains("at most 255").doesNotContain("512").doesNotContain("256");
        }
    }

    @Test
    void jsonNestedPastTheLimitSaysSo() {
        String deep = "{\"a\":".repeat(300) + "1" + "}".repeat(300);
        InvalidInputException e = catchThrowableOfType(InvalidInputException.class, () -> Json.of(deep));
        assertThat(e.getMessage()).containsIgnoringCase("nest");
    }

    @Test
    void anExportLifetimeBelowTheDatabasesResolutionIsInvalidInput(TestDatabase testDb) {
        try (JeexDatabase db = JeexDatabase.create(ServiceConfigs.defaults(testDb).build())) {
            Repositories me = db.actingAsNewUser();
            User ada = me.users().create("ada@example.com", "Ada");
            Project p = me.projects().create(ada.id(), "Engine", "en");
            InvalidInputException e = catchThrowableOfType(InvalidInputException.class,
                    () -> me.exports().create(p.id(), Json.EMPTY, Duration.ofNanos(1)));
            assertThat(e).isNotNull();
            assertThat(e.field()).isEqualTo("ttl");
        }
    }

    @Test
    void batchInstantsAreStoredTruncatedToTheMicrosecond(TestDatabase testDb) {
        try (JeexDatabase db = JeexDatabase.create(ServiceConfigs.defaults(testDb).build())) {
            Repositories me = db.actingAsNewUser();
            User ada = me.users().create("ada@example.com", "Ada");
            Project p = me.projects().create(ada.id(), "Engine", "en");
            UUID correlation = UUID.randomUUID();
            Instant start = Instant.parse("2026-01-01T00:00:00.000000999Z"); // would round up, not down
            me.agentExecutions().insertBatch(List.of(NewAgentExecution.completed(p.id(), "writer", correlation,
                    null, null, start, start.plusNanos(1))));
            AgentExecution stored = me.agentExecutions().byCorrelationId(correlation).get(0);
            assertThat(stored.startedAt()).isEqualTo(start.truncatedTo(ChronoUnit.MICROS));
            assertThat(stored.completedAt()).contains(start.plusNanos(1).truncatedTo(ChronoUnit.MICROS));
        }
    }
}
