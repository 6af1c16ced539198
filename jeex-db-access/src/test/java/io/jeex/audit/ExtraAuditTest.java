package io.jeex.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.jeex.db.JeexDatabase;
import io.jeex.db.JeexDbConfig;
import io.jeex.db.error.ForeignKeyViolationException;
import io.jeex.db.repository.Json;
import io.jeex.db.repository.Project;
import io.jeex.db.repository.User;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.junit.JeexDbTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@JeexDbTest
class ExtraAuditTest {

    @Test
    void foreignKeyViolationsAreTyped(TestDatabase database) {
        try (JeexDatabase db = AuditDb.open(database)) {
            Throwable t = catchThrowable(() -> db.system().projects().create(UUID.randomUUID(), "Orphan Zq", "en"));
            assertThat(t).isInstanceOf(ForeignKeyViolationException.class);
            assertThat(t.getMessage()).doesNotContain("Orphan Zq");
            User ada = db.actingAsNewUser().users().create("ada@example.com", "Ada");
            Project p = db.actingAs(ada.id()).projects().create(ada.id(), "P", "en");
            Throwable a = catchThrowable(() -> db.system().documents().append(p.id(), "about", "x", Json.EMPTY, UUID.randomUUID()));
            assertThat(a).isInstanceOf(ForeignKeyViolationException.class);
        }
    }

    @Test
    void healthJsonCarriesTheDocumentedParts(TestDatabase database) {
        try (JeexDatabase db = AuditDb.open(database)) {
            String json = db.health().toJson();
            assertThat(json).contains("\"name\":\"jeex-db\"").contains("latency").contains("pool")
                    .containsIgnoringCase("server").contains("migration").contains("breaker");
        }
    }

    @Test
    void passwordFilesLoseOneTrailingLineBreak(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("pw");
        Files.writeString(f, "FilePw123\n");
        JeexDbConfig c = JeexDbConfig.fromEnvironment(Map.of("JEEX_DB_URL", "jdbc:postgresql://db:5432/jeex",
                "JEEX_DB_PASSWORD_FILE", f.toString()));
        assertThat(c.credentials().password()).contains("FilePw123");
        assertThat(c.toString()).doesNotContain("FilePw123");
        Throwable missing = catchThrowable(() -> JeexDbConfig.fromEnvironment(Map.of("JEEX_DB_URL",
                "jdbc:postgresql://db:5432/jeex", "JEEX_DB_PASSWORD_FILE", dir.resolve("nope").toString())));
        assertThat(missing).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("JEEX_DB_PASSWORD_FILE");
    }
}
