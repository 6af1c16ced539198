package io.jeex.db.it;

import java.nio.file.Files;
import java.nio.file.Path;

/** The files of the repository's {@code docker/} directory, which these tests exercise. */
final class DockerFiles {

    private DockerFiles() {
    }

    /** @return {@code docker/} of this repository (tests run in the module directory; found upwards) */
    static Path dir() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("docker/compose.yaml"))) {
                return d.resolve("docker");
            }
        }
        throw new IllegalStateException("docker/compose.yaml not found above " + dir
                + ": run the tests from the jeex-db repository");
    }

    static Path pgbouncerIni() {
        return dir().resolve("pgbouncer/pgbouncer.ini");
    }

    static Path postgresqlConf() {
        return dir().resolve("postgres/postgresql.conf");
    }

    static Path postgresqlTlsConf() {
        return dir().resolve("postgres/postgresql-tls.conf");
    }

    static Path pgHbaTls() {
        return dir().resolve("postgres/pg_hba-tls.conf");
    }

    static Path rolesSql() {
        return dir().resolve("postgres/initdb/10-roles.sql");
    }

    /** @return {@code docker/monitoring/}: alert rules, their tests, the dashboard, the exporters' metrics */
    static Path monitoring() {
        return dir().resolve("monitoring");
    }

    static Path alertRules() {
        return monitoring().resolve("prometheus/alerts/jeex-db.rules.yml");
    }

    static Path alertRuleTests() {
        return monitoring().resolve("tests/jeex-db.rules.test.yml");
    }

    static Path dashboard() {
        return monitoring().resolve("grafana/dashboards/jeex-db.json");
    }

    static Path exporterMetrics() {
        return monitoring().resolve("exporter-metrics.yml");
    }

    /** @return a file of the repository, outside {@code docker/} ({@code README.md}, {@code docs/...}) */
    static Path repository(String file) {
        return dir().getParent().resolve(file);
    }

    static Path passwordsScript() {
        return dir().resolve("postgres/initdb/20-passwords.sh");
    }
}
