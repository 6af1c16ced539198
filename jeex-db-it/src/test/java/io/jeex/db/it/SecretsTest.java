package io.jeex.db.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jeex.db.JeexDatabase;
import io.jeex.db.JeexDbConfig;
import io.jeex.db.error.JeexDbException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Passwords come from files (container secrets) or the environment, never from the compose
 * file, and the library never shows them: not in {@code toString()}, not in errors (a failed
 * login through PgBouncer included), not in its log lines.
 */
class SecretsTest {

    private static final String OWNER_PASSWORD = "owner-" + UUID.randomUUID();
    private static final String USER_PASSWORD = "user-" + UUID.randomUUID();

    private static ItServer server;
    private static PgBouncer bouncer;

    @BeforeAll
    static void start() {
        PgBouncer.binary();
        server = ItServer.startLikeCompose(OWNER_PASSWORD, USER_PASSWORD);
        bouncer = PgBouncer.start(server, server.pgBouncerUserlist(), Map.of(), "jeex_user", USER_PASSWORD);
    }

    @AfterAll
    static void stop() {
        if (bouncer != null) {
            bouncer.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void composeFileTakesEveryPasswordFromASecretFile() {
        String compose = ItServer.read(DockerFiles.dir().resolve("compose.yaml"));
        Matcher m = Pattern.compile("(?m)^\\s*([A-Z_]*PASSWORD[A-Z_]*)\\s*:\\s*(\\S.*)$").matcher(compose);
        int variables = 0;
        while (m.find()) {
            variables++;
            assertThat(m.group(1)).as("a password variable of compose.yaml").endsWith("_FILE");
            assertThat(m.group(2)).as(m.group(1)).startsWith("/run/secrets/");
        }
        assertThat(variables).isGreaterThanOrEqualTo(3);
        assertThat(compose).contains("file: ./secrets/jeex_user_password");
        assertThat(ItServer.read(DockerFiles.dir().resolve("secrets/.gitignore"))).contains("*");
    }

    @Test
    void passwordsFromSecretFilesWorkAndNeverShowInToStringErrorsOrLogs(@TempDir Path dir) throws Exception {
        Path userFile = dir.resolve("jeex_user_password");
        Path ownerFile = dir.resolve("jeex_owner_password");
        Files.writeString(userFile, USER_PASSWORD + "\n");
        Files.writeString(ownerFile, OWNER_PASSWORD + "\n");
        JeexDbConfig config = JeexDbConfig.fromEnvironment(Map.of(
                "JEEX_DB_URL", bouncer.url(),
                "JEEX_DB_USER", "jeex_user",
                "JEEX_DB_PASSWORD_FILE", userFile.toString(),
                "JEEX_DB_PGBOUNCER", "true",
                "JEEX_DB_MIGRATION_URL", server.url(ItServer.DATABASE),
                "JEEX_DB_MIGRATION_USER", "jeex_owner",
                "JEEX_DB_MIGRATION_PASSWORD_FILE", ownerFile.toString(),
                "JEEX_DB_POOL_SIZE", "1",
                "JEEX_DB_POOL_MAX_OVERFLOW", "1"));

        String log = capturingLog(() -> {
            try (JeexDatabase db = JeexDatabase.create(config)) {
                db.migrate();
                assertThat(db.actingAsNewUser().users().create("secret@example.com", "Secret").id()).isNotNull();
                // system mode connects as jeex_owner with its password file: no secret in its log line either
                assertThat(db.system().users().byEmail("secret@example.com")).isPresent();
            }
        });

        assertThat(config.toString()).doesNotContain(USER_PASSWORD).doesNotContain(OWNER_PASSWORD)
                .contains("password=****").contains("migrationPassword=****");
        assertThat(log).as("the library's log lines were captured").contains(config.name() + ": started")
                .doesNotContain(USER_PASSWORD).doesNotContain(OWNER_PASSWORD);
    }

    @Test
    void failedLoginThroughPgBouncerNamesTheProblemButNotThePassword() {
        String wrong = "wrong-" + UUID.randomUUID();
        JeexDbConfig config = JeexDbConfig.builder(bouncer.url() + "?sslmode=disable")
                .name("it-secrets")
                .user("jeex_user")
                .password(wrong)
                .pool(p -> p.withPgBouncer(true))
                .migration(m -> m.withUrl(server.url(ItServer.DATABASE)))
                .poolSize(0)
                .pool(p -> p.withMaxOverflow(1))
                .retry(r -> r.withMaxAttempts(1))
                .pool(p -> p.withAcquireTimeout(Duration.ofSeconds(2)))
                .build();
        StringWriter failure = new StringWriter();

        String log = capturingLog(() -> {
            try (JeexDatabase db = JeexDatabase.create(config)) {
                assertThatThrownBy(() -> db.transaction(tx -> tx.dsl().fetchOne("SELECT 1")))
                        .isInstanceOf(JeexDbException.class)
                        .hasMessageContaining("authentication failed")
                        .satisfies(e -> e.printStackTrace(new java.io.PrintWriter(failure)));
            }
        });

        assertThat(failure.toString()).as("the exception, its causes and stack trace").doesNotContain(wrong);
        assertThat(log).doesNotContain(wrong);
        assertThat(bouncer.output()).doesNotContain(wrong);
    }

    @Test
    void aWrongPasswordIsAnAuthenticationFailureNamingTheSettingsAndIsNotRetried() {
        String wrong = "wrong-" + UUID.randomUUID();
        JeexDbConfig config = JeexDbConfig.builder(server.url("jeex_idea"))
                .name("it-wrong-password")
                .user("jeex_user")
                .password(wrong)
                .poolSize(0)
                .pool(p -> p.withMaxOverflow(1)
                .withAcquireTimeout(Duration.ofSeconds(2)))
                .build();
        try (JeexDatabase db = JeexDatabase.create(config)) {
            assertThatThrownBy(() -> db.transaction(tx -> tx.dsl().fetchOne("SELECT 1")))
                    .isInstanceOfSatisfying(io.jeex.db.error.AuthenticationFailedException.class, e -> {
                        assertThat(e.sqlState()).isEqualTo("28P01");
                        assertThat(e.attempts()).as("never retried").isEqualTo(1);
                    })
                    .isInstanceOf(io.jeex.db.error.DatabaseUnavailableException.class)
                    .hasMessageContaining("JEEX_DB_PASSWORD")
                    .hasMessageContaining("password authentication failed")
                    .hasMessageNotContaining(wrong);
        }
    }

    private static String capturingLog(Runnable work) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            work.run();
        } finally {
            System.setErr(original);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        original.print(log);
        return log;
    }
}
