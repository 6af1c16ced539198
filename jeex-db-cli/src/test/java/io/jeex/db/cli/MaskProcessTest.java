package io.jeex.db.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jeex.db.JeexDatabase;
import io.jeex.db.JeexDbConfig;
import io.jeex.db.cli.CliProcess.Run;
import io.jeex.db.repository.Repositories;
import io.jeex.db.testkit.JeexPostgres;
import io.jeex.db.testkit.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@code java -jar jeex-db.jar mask --json} as an operator runs it (the in-process
 * {@code MaskCommandTest} checks the copy itself): exactly one JSON document on stdout, exit 0,
 * the key and the password nowhere in the output.
 */
class MaskProcessTest {

    @Test
    void theJarMakesAMaskedCopyAndReportsItAsOneJsonDocument() throws Exception {
        Path key = Files.createTempFile("jeex-mask-", ".key");
        String target = "jeex_mask_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String keyText = "process-test key: " + UUID.randomUUID();
        Files.writeString(key, keyText);
        try (TestDatabase source = JeexPostgres.shared().newDatabase()) {
            try (JeexDatabase db = JeexDatabase.create(JeexDbConfig.builder(source.jdbcUrl())
                    .user(source.appUser()).password(source.appPassword()).build())) {
                Repositories as = db.actingAsNewUser();
                as.users().create("ada@example.com", "Ada Lovelace");
            }
            try {
                Run run = CliProcess.run(Map.of("JEEX_DB_URL", source.jdbcUrl(), "JEEX_DB_USER", source.user(),
                        "JEEX_DB_PASSWORD", source.password()), "mask", "--target", target, "--key-file", key.toString(),
                        "--json");
                assertThat(run.status()).as("%s", run).isZero();
                JsonNode json = run.json();
                assertThat(json.get("command").asText()).isEqualTo("mask");
                assertThat(json.get("ok").asBoolean()).isTrue();
                assertThat(json.get("target").asText()).isEqualTo(target);
                assertThat(json.get("rows").asInt()).isOne();
                assertThat(json.get("masked").asInt()).isEqualTo(3);
                assertThat(json.get("maskedColumns")).hasSize(11);
                assertThat(run.out() + run.err()).doesNotContain(keyText).doesNotContain("ada@example.com")
                        .doesNotContain("Ada Lovelace");
            } finally {
                try (Connection admin = DriverManager.getConnection(source.jdbcUrl(), source.user(), source.password());
                     Statement s = admin.createStatement()) {
                    s.execute("DROP DATABASE IF EXISTS " + target + " WITH (FORCE)");
                }
            }
        } finally {
            Files.deleteIfExists(key);
        }
    }
}
