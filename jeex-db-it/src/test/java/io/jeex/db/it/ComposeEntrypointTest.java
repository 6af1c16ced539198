package io.jeex.db.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The postgres service's entrypoint of {@code docker/compose.yaml} (and of the TLS override
 * {@code docker/compose.tls.yaml}). No Docker engine runs on our build machines, so this runs
 * the entrypoint's command line as compose would hand it to the container - {@code $$} turned
 * into {@code $}, the service's {@code command} appended - with {@code /bin/sh}, and with
 * stand-ins for {@code chown}, {@code install} and the image's {@code docker-entrypoint.sh} that
 * record their arguments. It checks that the auth-file volume is handed to postgres before the
 * image's entrypoint runs with the command unchanged, and (TLS) that certificate and key land
 * where postgresql-tls.conf looks for them, the key with mode 0600.
 */
class ComposeEntrypointTest {

    @Test
    void composeHandsThePgBouncerAuthVolumeToPostgresThenRunsTheImageEntrypointWithTheCommand(@TempDir Path dir)
            throws Exception {
        Map<String, Object> postgres = Compose.service(Compose.load("compose.yaml"), "postgres");
        String authDir = Compose.mountTarget(postgres, "pgbouncer-auth");
        @SuppressWarnings("unchecked")
        Map<String, Object> env = (Map<String, Object>) postgres.get("environment");
        assertThat((String) env.get("JEEX_PGBOUNCER_USERLIST")).as("20-passwords.sh writes into the volume")
                .startsWith(authDir + "/");

        List<String> calls = runEntrypoint(dir, postgres, false);

        assertThat(calls).containsExactly(
                "chown postgres:postgres " + authDir,
                "docker-entrypoint.sh " + String.join(" ", Compose.strings(postgres.get("command"))));
    }

    @Test
    void whenChownFailsTheImageEntrypointDoesNotRun(@TempDir Path dir) throws Exception {
        Map<String, Object> postgres = Compose.service(Compose.load("compose.yaml"), "postgres");

        assertThat(runEntrypoint(dir, postgres, true)).singleElement().asString().startsWith("chown ");
    }

    @Test
    void tlsOverrideInstallsCertificateAndKeyWherePostgresqlTlsConfLooks(@TempDir Path dir) throws Exception {
        Map<String, Object> base = Compose.service(Compose.load("compose.yaml"), "postgres");
        Map<String, Object> tlsFile = Compose.load("compose.tls.yaml");
        Map<String, Object> tls = Compose.service(tlsFile, "postgres");
        Map<String, String> conf = ItServer.parseConf(ItServer.read(DockerFiles.postgresqlTlsConf()));
        String cert = unquote(conf.get("ssl_cert_file"));
        String key = unquote(conf.get("ssl_key_file"));
        // compose merges the override: entrypoint and command replaced, volumes and secrets added
        List<String> command = Compose.strings(tls.get("command"));
        assertThat(command).contains("config_file=" + Compose.mountTarget(tls, "./postgres/postgresql-tls.conf"));
        assertThat(unquote(conf.get("hba_file"))).isEqualTo(Compose.mountTarget(tls, "./postgres/pg_hba-tls.conf"));
        assertThat(Compose.strings(tls.get("secrets"))).containsExactly("postgres_tls_cert", "postgres_tls_key");
        assertThat(Compose.strings(new ArrayList<>(((Map<?, ?>) tlsFile.get("secrets")).keySet())))
                .containsExactly("postgres_tls_cert", "postgres_tls_key");

        List<String> calls = runEntrypoint(dir, tls, false);

        assertThat(calls).containsExactly(
                "chown postgres:postgres " + Compose.mountTarget(base, "pgbouncer-auth"),
                "install -d -o postgres -g postgres -m 0700 " + Path.of(key).getParent(),
                "install -o postgres -g postgres -m 0644 /run/secrets/postgres_tls_cert " + cert,
                "install -o postgres -g postgres -m 0600 /run/secrets/postgres_tls_key " + key,
                "docker-entrypoint.sh " + String.join(" ", command));
    }

    /** Runs the service's entrypoint + command as compose would, with recording stand-ins; returns their calls. */
    private static List<String> runEntrypoint(Path dir, Map<String, Object> service, boolean failChown)
            throws IOException, InterruptedException {
        Path bin = Files.createDirectory(dir.resolve("bin"));
        Path calls = dir.resolve("calls.txt");
        for (String name : List.of("chown", "install", "docker-entrypoint.sh")) {
            Path stub = bin.resolve(name);
            String exit = name.equals("chown") && failChown ? "exit 1\n" : "";
            Files.writeString(stub, "#!/bin/sh\necho \"" + name + " $*\" >> '" + calls + "'\n" + exit,
                    StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        List<String> commandLine = new ArrayList<>();
        // compose's interpolation: "$$" is a literal "$" (a lone "$" would name a variable)
        Compose.strings(service.get("entrypoint")).forEach(s -> commandLine.add(s.replace("$$", "$")));
        commandLine.addAll(Compose.strings(service.get("command")));
        assertThat(commandLine.get(0)).isEqualTo("/bin/sh");
        ProcessBuilder pb = new ProcessBuilder(commandLine).redirectErrorStream(true)
                .redirectOutput(dir.resolve("output.txt").toFile());
        pb.environment().put("PATH", bin + ":/usr/bin:/bin");
        Process p = pb.start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("the entrypoint finished").isTrue();
        assertThat(p.exitValue()).as("exit status; output: %s", ItServer.read(dir.resolve("output.txt")))
                .isEqualTo(failChown ? 1 : 0);
        return Files.exists(calls) ? Files.readAllLines(calls, StandardCharsets.UTF_8) : List.of();
    }

    private static String unquote(String value) {
        assertThat(value).startsWith("'").endsWith("'");
        return value.substring(1, value.length() - 1);
    }
}
