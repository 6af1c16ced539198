package io.jeex.db;

import static io.jeex.db.codegen.Tables.PROJECTS;
import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.repository.Page;
import io.jeex.db.repository.Project;
import io.jeex.db.repository.ProjectOrder;
import io.jeex.db.repository.ProjectStatus;
import io.jeex.db.repository.Repositories;
import io.jeex.db.repository.User;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.junit.JeexDbTest;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;

/**
 * Every shape of {@code projects().listByOwner} (two orders, with or without a status, first page
 * or after a cursor: the pre-rendered plain-JDBC statements) against a real database, as an
 * acting user under row-level security, compared with the same listing read by the admin user,
 * and the metrics its statements and transactions are counted under.
 */
@JeexDbTest
class ProjectListingShapesTest {

    @Test
    void everyShapeListsExactlyTheOwnersRowsInOrderAcrossPagesAndIsCountedAsASelectOnProjects(TestDatabase test) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        DSLContext admin = test.dsl();
        try (JeexDatabase db = JeexDatabase.create(TestConfigs.asApplication(test).build(), registry)) {
            User owner = db.actingAsNewUser().users().create("owner@example.com", "Owner");
            User other = db.actingAsNewUser().users().create("other@example.com", "Other");
            Repositories mine = db.actingAs(owner.id());
            for (int i = 0; i < 9; i++) {
                Project p = mine.projects().create(owner.id(), "P" + i, "en");
                if (i % 3 != 0) {
                    mine.projects().changeStatus(p.id(), ProjectStatus.IN_PROGRESS);
                }
            }
            db.actingAs(other.id()).projects().create(other.id(), "not mine", "en");
            // ties on updated_at: one statement that changes several rows gives them the same now()
            admin.update(PROJECTS).set(PROJECTS.CURRENT_STEP, 2)
                    .where(PROJECTS.CREATED_BY.eq(owner.id())).and(PROJECTS.NAME.in("P1", "P2", "P3", "P4")).execute();
            assertThat(admin.fetchCount(PROJECTS, PROJECTS.CREATED_BY.eq(owner.id())
                    .and(PROJECTS.UPDATED_AT.eq(admin.select(PROJECTS.UPDATED_AT).from(PROJECTS)
                            .where(PROJECTS.NAME.eq("P1")).and(PROJECTS.CREATED_BY.eq(owner.id())))))).isEqualTo(4);

            long before = selects(registry);
            long transactionsBefore = transactions(registry);
            int calls = 0;
            for (ProjectOrder order : ProjectOrder.values()) {
                for (Optional<ProjectStatus> status : List.of(Optional.<ProjectStatus>empty(),
                        Optional.of(ProjectStatus.IN_PROGRESS))) {
                    List<Project> expected = expected(admin, owner.id(), status, order);
                    assertThat(expected).hasSizeGreaterThan(4);
                    assertThat(mine.projects().listByOwner(owner.id(), status, order, 100, Optional.empty()).items())
                            .as("%s %s in one page", order, status).isEqualTo(expected);
                    calls++;
                    List<Project> paged = new ArrayList<>();
                    Optional<String> cursor = Optional.empty();
                    do {
                        Page<Project> page = mine.projects().listByOwner(owner.id(), status, order, 2, cursor);
                        calls++;
                        assertThat(page.items()).hasSizeLessThanOrEqualTo(2);
                        paged.addAll(page.items());
                        cursor = page.nextCursor();
                    } while (cursor.isPresent());
                    assertThat(paged).as("%s %s by pages of 2", order, status).isEqualTo(expected);
                    // row-level security: another acting user sees none of the owner's projects
                    assertThat(db.actingAs(other.id()).projects().listByOwner(owner.id(), status, order, 2,
                            Optional.empty()).items()).isEmpty();
                    calls++;
                }
            }
            assertThat(selects(registry) - before).isEqualTo(calls);
            assertThat(transactions(registry) - transactionsBefore).isEqualTo(calls);
        }
    }

    @Test
    void theStatementsAreRenderedWithPlaceholdersOnly() {
        // rendered once from DSL.param(...): no value is inlined, so each shape is one prepared statement
        for (String sql : ProjectStore.listByOwnerSql()) {
            assertThat(sql).startsWith("select").contains("?").doesNotContain("'");
        }
        assertThat(ProjectStore.listByOwnerSql()).hasSize(8).doesNotHaveDuplicates();
    }

    private static List<Project> expected(DSLContext admin, UUID owner, Optional<ProjectStatus> status,
            ProjectOrder order) {
        Condition where = PROJECTS.CREATED_BY.eq(owner);
        if (status.isPresent()) {
            where = where.and(PROJECTS.STATUS.eq(status.get().dbValue()));
        }
        var select = admin.selectFrom(PROJECTS).where(where);
        return (order == ProjectOrder.NEWEST_FIRST ? select.orderBy(PROJECTS.ID.desc())
                : select.orderBy(PROJECTS.UPDATED_AT.desc(), PROJECTS.ID.desc())).fetch(ProjectStore::map);
    }

    private static long selects(SimpleMeterRegistry registry) {
        Timer t = registry.find("db.client.operation.duration").tag("db.operation.name", "SELECT")
                .tag("db.collection.name", "projects").tag("error.type", "none").timer();
        return t == null ? 0 : t.count();
    }

    private static long transactions(SimpleMeterRegistry registry) {
        Timer t = registry.find("jeex.db.transaction").tag("name", "projects.listByOwner").tag("outcome", "committed")
                .tag("category", "none").timer();
        return t == null ? 0 : t.count();
    }
}
