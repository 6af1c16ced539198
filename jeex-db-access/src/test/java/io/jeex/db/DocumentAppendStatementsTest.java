package io.jeex.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.repository.DocumentVersion;
import io.jeex.db.repository.Json;
import io.jeex.db.repository.Project;
import io.jeex.db.repository.Repositories;
import io.jeex.db.repository.User;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.junit.JeexDbTest;
import io.jeex.db.tx.IsolationLevel;
import io.jeex.db.tx.TxOptions;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code documents().append} on the pre-rendered plain-JDBC statements: the lock and the
 * {@code INSERT ... SELECT} as an acting user under row-level security, with and without an author
 * and metadata, and the metric tags they are counted under (as the jOOQ statements were: the lock
 * as {@code SELECT} on {@code other}, the insert as {@code INSERT} on {@code document_versions}).
 */
@JeexDbTest
class DocumentAppendStatementsTest {

    @Test
    void appendsNumberedVersionsAndCountsTheLockAndTheInsert(TestDatabase test) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (JeexDatabase db = JeexDatabase.create(TestConfigs.asApplication(test).build(), registry)) {
            User owner = db.actingAsNewUser().users().create("owner@example.com", "Owner");
            Repositories mine = db.actingAs(owner.id());
            Project p = mine.projects().create(owner.id(), "P", "en");
            long locks = count(registry, "SELECT", "other");
            long inserts = count(registry, "INSERT", "document_versions");
            DocumentVersion first = mine.documents().append(p.id(), "prd", "one", Json.of("{\"a\": [1, \"x\"]}"),
                    owner.id());
            DocumentVersion second = mine.documents().append(p.id(), "prd", "two", Json.EMPTY, null);
            assertThat(first.version()).isOne();
            assertThat(second.version()).isEqualTo(2);
            assertThat(first.authorId()).contains(owner.id());
            assertThat(second.authorId()).isEmpty();
            assertThat(mine.documents().latest(p.id(), "prd")).contains(second);
            assertThat(mine.documents().byNumber(p.id(), "prd", 1)).contains(first);
            // REPEATABLE READ takes the try-lock statement
            DocumentVersion third = db.transaction(TxOptions.named("rr").withIsolation(IsolationLevel.REPEATABLE_READ),
                    tx -> db.actingAs(owner.id()).documents().append(p.id(), "prd", "three", Json.EMPTY, null));
            assertThat(third.version()).isEqualTo(3);
            assertThat(count(registry, "SELECT", "other") - locks).isEqualTo(3);
            assertThat(count(registry, "INSERT", "document_versions") - inserts).isEqualTo(3);
            assertThat(mine.documents().byNumber(p.id(), "prd", 4)).isEqualTo(Optional.empty());
        }
        assertThat(DocumentStore.appendSql()).allSatisfy(sql -> assertThat(sql).doesNotContain("'"));
    }

    private static long count(SimpleMeterRegistry registry, String op, String table) {
        Timer t = registry.find("db.client.operation.duration").tag("db.operation.name", op)
                .tag("db.collection.name", table).tag("error.type", "none").timer();
        return t == null ? 0 : t.count();
    }
}
