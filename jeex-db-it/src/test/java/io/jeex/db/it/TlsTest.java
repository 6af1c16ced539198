package io.jeex.db.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jeex.db.JeexDatabase;
import io.jeex.db.JeexDbConfig;
import io.jeex.db.error.DatabaseUnavailableException;
import io.jeex.db.error.JeexDbException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jooq.Record;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL with TLS required: {@code ssl = on}, and pg_hba.conf accepting only
 * {@code hostssl} (SCRAM) while {@code hostnossl} is rejected. The library connects with
 * {@code sslmode=verify-full}, which checks the chain against the given CA and the host name.
 */
class TlsTest {

    private static final String PASSWORD = "tls-" + UUID.randomUUID();

    private static Path dir;
    private static Certificates right;
    private static Certificates wrong;
    private static ItServer server;

    @BeforeAll
    static void startWithTls() {
        dir = TempDirs.create("jeex-tls");
        right = Certificates.create(dir, "right");
        wrong = Certificates.create(dir, "wrong");
        server = ItServer.start(Map.of("ssl", "on", "ssl_cert_file", "server.crt", "ssl_key_file", "server.key",
                        "ssl_min_protocol_version", "TLSv1.2"),
                List.of("local all all trust",
                        "hostssl all postgres 127.0.0.1/32 trust",
                        "hostssl all postgres ::1/128 trust",
                        "hostssl all all 127.0.0.1/32 scram-sha-256",
                        "hostssl all all ::1/128 scram-sha-256",
                        "hostnossl all all 0.0.0.0/0 reject",
                        "hostnossl all all ::/0 reject"),
                dataDir -> {
                    try {
                        Files.copy(right.serverCert, dataDir.resolve("server.crt"), StandardCopyOption.REPLACE_EXISTING);
                        Path key = dataDir.resolve("server.key");
                        Files.copy(right.serverKey, key, StandardCopyOption.REPLACE_EXISTING);
                        // PostgreSQL refuses a key readable by others
                        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
        server.execute("postgres", "CREATE ROLE jeex_tls LOGIN PASSWORD '" + PASSWORD + "'");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        TempDirs.deleteQuietly(dir);
    }

    private static JeexDbConfig config(String query) {
        return JeexDbConfig.builder("jdbc:postgresql://localhost:" + server.port() + "/postgres?" + query)
                .name("it-tls")
                .user("jeex_tls")
                .password(PASSWORD)
                .poolSize(0)
                .maxOverflow(1)
                .retryMaxAttempts(1)
                .acquireTimeout(Duration.ofSeconds(3))
                .connectTimeout(Duration.ofSeconds(3))
                .build();
    }

    @Test
    void verifyFullConnectsWithTheRightCa() {
        try (JeexDatabase db = JeexDatabase.create(config("sslmode=verify-full&sslrootcert=" + right.caCert))) {
            Record ssl = db.readOnly(tx -> tx.dsl().fetchOne(
                    "SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()"));

            assertThat(ssl.get(0, Boolean.class)).isTrue();
            assertThat(ssl.get(1, String.class)).startsWith("TLSv1.");
        }
    }

    @Test
    void verifyFullFailsWithAnotherCaWithAClearErrorWithoutThePassword() {
        try (JeexDatabase db = JeexDatabase.create(config("sslmode=verify-full&sslrootcert=" + wrong.caCert))) {
            assertThatThrownBy(() -> db.readOnly(tx -> tx.dsl().fetchOne("SELECT 1")))
                    .isInstanceOf(DatabaseUnavailableException.class)
                    .satisfies(e -> assertThat(e.toString()).doesNotContain(PASSWORD))
                    .hasMessageContaining("SSL error")
                    .hasMessageContaining("PKIX path building failed");
        }
    }

    @Test
    void plaintextConnectionIsRefused() {
        try (JeexDatabase db = JeexDatabase.create(config("sslmode=disable"))) {
            assertThatThrownBy(() -> db.readOnly(tx -> tx.dsl().fetchOne("SELECT 1")))
                    .isInstanceOf(JeexDbException.class)
                    .satisfies(e -> assertThat(e.toString()).doesNotContain(PASSWORD))
                    .hasMessageContaining("pg_hba.conf rejects connection")
                    .hasMessageContaining("no encryption");
        }
    }
}
