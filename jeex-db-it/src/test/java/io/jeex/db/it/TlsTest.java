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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.jooq.Record;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL with TLS required, as {@code docker/compose.tls.yaml} sets it up: the settings of
 * {@code docker/postgres/postgresql-tls.conf} ({@code postgresql.conf} plus {@code ssl = on}) and
 * the lines of {@code docker/postgres/pg_hba-tls.conf}, which accept only {@code hostssl} (SCRAM)
 * and reject {@code hostnossl}. The library connects with {@code sslmode=verify-full}, which
 * checks the chain against the given CA and the host name.
 *
 * <p>What differs from the container: certificate and key lie in the data directory (the file
 * names of postgresql-tls.conf, without the container's directory {@value #CONTAINER_TLS_DIR}),
 * and pg_hba.conf starts with two lines of the test's own that trust the superuser over TLS from
 * localhost (it sets the test server up; it has no password here).
 */
class TlsTest {

    /** Where compose.tls.yaml's entrypoint puts certificate and key in the container. */
    static final String CONTAINER_TLS_DIR = "/run/jeex-tls/";

    private static final String OWNER_PASSWORD = "owner-" + UUID.randomUUID();
    private static final String PASSWORD = "tls-" + UUID.randomUUID();

    private static Path dir;
    private static Certificates right;
    private static Certificates wrong;
    private static Map<String, String> tlsSettings;
    private static List<String> shippedHba;
    private static ItServer server;

    @BeforeAll
    static void startWithTls() {
        dir = TempDirs.create("jeex-tls");
        right = Certificates.create(dir, "right");
        wrong = Certificates.create(dir, "wrong");
        tlsSettings = new LinkedHashMap<>(ItServer.parseConf(ItServer.read(DockerFiles.postgresqlTlsConf())));
        tlsSettings.replaceAll((k, v) -> v.replace(CONTAINER_TLS_DIR, ""));
        shippedHba = ItServer.parseHba(ItServer.read(DockerFiles.pgHbaTls()));
        List<String> hba = new ArrayList<>(List.of(
                "hostssl all postgres 127.0.0.1/32 trust",
                "hostssl all postgres ::1/128 trust"));
        hba.addAll(shippedHba);
        server = ItServer.startLikeCompose(ItServer.Setup.of(OWNER_PASSWORD, PASSWORD).withHba(hba)
                .withSettings(tlsSettings, dataDir -> {
                    try {
                        Files.copy(right.serverCert, dataDir.resolve(fileName("ssl_cert_file")),
                                StandardCopyOption.REPLACE_EXISTING);
                        Path key = dataDir.resolve(fileName("ssl_key_file"));
                        Files.copy(right.serverKey, key, StandardCopyOption.REPLACE_EXISTING);
                        // PostgreSQL refuses a key readable by others
                        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }));
    }

    private static String fileName(String setting) {
        String value = tlsSettings.get(setting);
        assertThat(value).as(setting + " of postgresql-tls.conf").isNotNull().startsWith("'").endsWith("'");
        return value.substring(1, value.length() - 1);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        TempDirs.deleteQuietly(dir);
    }

    private static JeexDbConfig config(String query) {
        return JeexDbConfig.builder("jdbc:postgresql://localhost:" + server.port() + "/" + ItServer.DATABASE + "?" + query)
                .name("it-tls")
                .user("jeex_user")
                .password(PASSWORD)
                .poolSize(0)
                .pool(p -> p.withMaxOverflow(1))
                .retry(r -> r.withMaxAttempts(1))
                .pool(p -> p.withAcquireTimeout(Duration.ofSeconds(3))
                .withConnectTimeout(Duration.ofSeconds(3)))
                .build();
    }

    @Test
    void theShippedFilesRequireTls() {
        assertThat(tlsSettings).containsEntry("ssl", "on").containsKeys("ssl_cert_file", "ssl_key_file")
                .containsEntry("hba_file", "'/etc/postgresql/pg_hba-tls.conf'");
        assertThat(shippedHba).anyMatch(l -> l.matches("hostssl all all all scram-sha-256"))
                .anyMatch(l -> l.matches("hostnossl all all all reject"))
                .noneMatch(l -> l.startsWith("host ") || l.contains("trust"));
        assertThat(server.queryString("postgres", "SHOW ssl")).isEqualTo("on");
    }

    @Test
    void pgBouncerStartedFromTheShippedIniReachesTheTlsOnlyServerOverTls() throws SQLException {
        try (PgBouncer bouncer = PgBouncer.start(server, server.pgBouncerUserlist(), Map.of(), "jeex_user", PASSWORD)) {
            Properties p = new Properties();
            p.setProperty("user", "jeex_user");
            p.setProperty("password", PASSWORD);
            p.setProperty("prepareThreshold", "0");
            try (Connection c = DriverManager.getConnection(bouncer.url(), p); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getBoolean(1)).as("PgBouncer's server connection uses TLS").isTrue();
            }
        }
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
    void migrateAndHealthReportAWrongCaWithinTheConnectTimeoutNamingTheSettingsToCheck() {
        try (JeexDatabase db = JeexDatabase.create(config("sslmode=verify-full&sslrootcert=" + wrong.caCert))) {
            long start = System.nanoTime();
            Throwable migrate = org.assertj.core.api.Assertions.catchThrowable(db::migrate);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(migrate).isInstanceOf(JeexDbException.class)
                    .hasMessageContaining("TLS failed")
                    .hasMessageContaining("sslmode, sslrootcert and the host name")
                    .satisfies(e -> assertThat(e.toString()).doesNotContain(PASSWORD));
            assertThat(took).as("within the connect timeout (3 s) + 1 s").isLessThan(Duration.ofSeconds(4));
            io.jeex.db.health.HealthReport health = db.health();
            assertThat(health.status()).as("%s", health).isEqualTo(io.jeex.db.health.HealthStatus.DOWN);
            assertThat(health.ready()).isFalse();
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
