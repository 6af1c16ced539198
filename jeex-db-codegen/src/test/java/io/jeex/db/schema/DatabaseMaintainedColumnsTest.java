package io.jeex.db.schema;

import static io.jeex.db.codegen.Tables.PROJECTS;
import static io.jeex.db.codegen.Tables.USERS;
import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.testkit.junit.JeexDbTest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;

/** updated_at is maintained by the database; ids are time-ordered UUID version 7. */
@JeexDbTest
class DatabaseMaintainedColumnsTest {

    @Test
    void updatedAtMovesOnUpdateWhateverTheCallerSends(DSLContext dsl) {
        UUID user = Rows.user(dsl);
        UUID project = Rows.project(dsl, user);
        Instant before = dsl.select(PROJECTS.UPDATED_AT).from(PROJECTS).where(PROJECTS.ID.eq(project)).fetchOne().value1();
        Instant userBefore = dsl.select(USERS.UPDATED_AT).from(USERS).where(USERS.ID.eq(user)).fetchOne().value1();
        waitForClockToPass(dsl, before);

        // the caller tries to set updated_at into the past: the trigger overrides it
        dsl.update(PROJECTS).set(PROJECTS.NAME, "Renamed").set(PROJECTS.UPDATED_AT, Instant.EPOCH)
                .where(PROJECTS.ID.eq(project)).execute();
        dsl.update(USERS).set(USERS.NAME, "Renamed").where(USERS.ID.eq(user)).execute();

        Instant after = dsl.select(PROJECTS.UPDATED_AT).from(PROJECTS).where(PROJECTS.ID.eq(project)).fetchOne().value1();
        Instant userAfter = dsl.select(USERS.UPDATED_AT).from(USERS).where(USERS.ID.eq(user)).fetchOne().value1();
        assertThat(after).isAfter(before);
        assertThat(userAfter).isAfter(userBefore);
    }

    @Test
    void anUpdateThatChangesNothingLeavesUpdatedAtAlone(DSLContext dsl) {
        UUID user = Rows.user(dsl);
        UUID project = Rows.project(dsl, user);
        Instant before = dsl.select(PROJECTS.UPDATED_AT).from(PROJECTS).where(PROJECTS.ID.eq(project)).fetchOne().value1();
        waitForClockToPass(dsl, before);

        dsl.update(PROJECTS).set(PROJECTS.NAME, PROJECTS.NAME).where(PROJECTS.ID.eq(project)).execute();

        assertThat(dsl.select(PROJECTS.UPDATED_AT).from(PROJECTS).where(PROJECTS.ID.eq(project)).fetchOne().value1())
                .isEqualTo(before);
    }

    @Test
    void idsAreUuidVersion7AndTimeOrdered(DSLContext dsl) {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ids.add(Rows.user(dsl));
        }
        assertThat(ids).allSatisfy(id -> {
            assertThat(id.version()).isEqualTo(7);
            assertThat(id.variant()).isEqualTo(2); // RFC 9562 variant
        });
        // inserted one after another, the ids sort in insertion order (as unsigned 128-bit numbers,
        // which is how PostgreSQL compares uuids)
        List<UUID> sorted = new ArrayList<>(ids);
        sorted.sort(Comparator.comparing(UUID::toString));
        assertThat(sorted).containsExactlyElementsOf(ids);
        Instant embedded = Instant.ofEpochMilli(ids.get(0).getMostSignificantBits() >>> 16);
        Instant now = dsl.select(org.jooq.impl.DSL.currentInstant()).fetchOne().value1();
        assertThat(embedded).isBetween(now.minusSeconds(60), now.plusSeconds(1));
    }

    /** Waits (polling the server's clock) until it has moved past the given instant. */
    private static void waitForClockToPass(DSLContext dsl, Instant instant) {
        Awaitility.await("server clock passes " + instant)
                .atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(1))
                .until(() -> dsl.select(org.jooq.impl.DSL.field("clock_timestamp()", Instant.class)).fetchOne().value1()
                        .isAfter(instant));
    }
}
