package io.jeex.db.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The monitoring profile of {@code docker/compose.yaml}, checked as far as a machine without a
 * Docker engine allows: no image is pulled and no container started, but the YAML is read as
 * compose reads it, and what the services mount, publish and reach must exist and agree - the
 * files, the pinned images, the ports of Prometheus's targets and Grafana's datasource, the
 * rule file the alert tests check, the dashboard folder Grafana provisions - and promtool checks
 * the Prometheus configuration the container loads.
 */
class ComposeMonitoringTest {

    private static final Set<String> MONITORING = Set.of("prometheus", "grafana", "postgres-exporter",
            "pgbouncer-exporter");
    private static final Pattern PINNED = Pattern.compile("[a-z0-9./-]+:v?\\d+\\.\\d+(\\.\\d+)?(-[a-z0-9]+)?");

    private final Map<String, Object> compose = Compose.load("compose.yaml");

    @Test
    void theMonitoringServicesRunOnlyInTheirProfileOnPinnedImages() {
        Set<String> inProfile = new TreeSet<>();
        Compose.services(compose).forEach((name, service) -> {
            Object profiles = service.get("profiles");
            if (profiles != null && !Compose.strings(profiles).equals(List.of("backup"))) {
                assertThat(Compose.strings(profiles)).as(name).containsExactly("monitoring");
                inProfile.add(name);
            }
            assertThat(String.valueOf(service.get("image"))).as("%s's image: pinned, never latest", name)
                    .matches(PINNED).doesNotEndWith(":latest");
        });
        assertThat(inProfile).isEqualTo(new TreeSet<>(MONITORING));
        for (Map.Entry<String, Map<String, Object>> exporter : exporters().entrySet()) {
            assertThat(Compose.service(compose, exporter.getKey()).get("image")).as("the image whose metrics "
                    + "exporter-metrics.yml lists").isEqualTo(exporter.getValue().get("image"));
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyFileVolumeAndSecretTheServicesUseExists() {
        Set<String> volumes = ((Map<String, Object>) compose.get("volumes")).keySet();
        Set<String> secrets = ((Map<String, Object>) compose.get("secrets")).keySet();
        String secretsReadme = ItServer.read(DockerFiles.dir().resolve("secrets/README.md"));
        for (String name : MONITORING) {
            Map<String, Object> service = Compose.service(compose, name);
            if (service.containsKey("volumes")) {
                for (String volume : Compose.strings(service.get("volumes"))) {
                    String source = volume.split(":")[0];
                    if (source.startsWith("./")) {
                        assertThat(DockerFiles.dir().resolve(source)).as("%s mounts %s", name, volume).exists();
                    } else {
                        assertThat(volumes).as("%s's named volume", name).contains(source);
                    }
                }
            }
            if (service.containsKey("secrets")) {
                for (String secret : Compose.strings(service.get("secrets"))) {
                    assertThat(secrets).as("%s's secret", name).contains(secret);
                    assertThat(secretsReadme).as("secrets/README.md tells to create it").contains("`" + secret + "`");
                }
            }
        }
    }

    @Test
    void publishedPortsAreDistinctAndEveryAddressTheServicesReachIsAServiceAndItsPort() {
        List<String> published = new ArrayList<>();
        Map<String, Integer> containerPorts = new LinkedHashMap<>();
        Compose.services(compose).forEach((name, service) -> {
            if (service.containsKey("ports")) {
                for (String port : Compose.strings(service.get("ports"))) {
                    String[] parts = port.split(":");
                    published.add(parts[0]);
                    containerPorts.put(name, Integer.valueOf(parts[1]));
                }
            }
        });
        assertThat(published).as("host ports").doesNotHaveDuplicates();
        exporters().forEach((name, exporter) -> containerPorts.put(name, (Integer) exporter.get("port")));
        containerPorts.put("pgbouncer", Integer.valueOf(pgbouncerSetting("listen_port")));

        Map<String, Object> prometheus = new Yaml().load(ItServer.read(prometheusConfig()));
        List<String> addresses = new ArrayList<>();
        Matcher targets = Pattern.compile("targets: \\[\"([^\"]+)\"]").matcher(ItServer.read(prometheusConfig()));
        while (targets.find()) {
            addresses.add(targets.group(1));
        }
        assertThat(addresses).as("prometheus.yml's static targets").hasSize(2);
        assertThat(prometheus).containsKey("scrape_configs");
        Matcher grafana = Pattern.compile("url: http://([^/\\s]+)").matcher(ItServer.read(DockerFiles.monitoring()
                .resolve("grafana/provisioning/datasources/prometheus.yml")));
        assertThat(grafana.find()).isTrue();
        addresses.add(grafana.group(1));
        @SuppressWarnings("unchecked")
        Map<String, Object> env = (Map<String, Object>) Compose.service(compose, "postgres-exporter").get("environment");
        addresses.add(String.valueOf(env.get("DATA_SOURCE_URI")).split("/")[0]);
        Matcher bouncer = Pattern.compile("host=(\\S+) port=(\\d+)").matcher(String.join(" ",
                Compose.strings(Compose.service(compose, "pgbouncer-exporter").get("entrypoint"))));
        assertThat(bouncer.find()).isTrue();
        addresses.add(bouncer.group(1) + ":" + bouncer.group(2));

        for (String address : addresses) {
            String[] hostPort = address.split(":");
            assertThat(containerPorts).as("%s names a compose service and the port it listens on", address)
                    .containsEntry(hostPort[0], Integer.valueOf(hostPort[1]));
        }
        assertThat(containerPorts).containsEntry("postgres", 5432);
    }

    @Test
    void pgBouncerLetsItsExporterReadTheStatistics() {
        Matcher user = Pattern.compile("user=(\\S+)").matcher(String.join(" ",
                Compose.strings(Compose.service(compose, "pgbouncer-exporter").get("entrypoint"))));
        assertThat(user.find()).isTrue();
        assertThat(pgbouncerSetting("stats_users")).isEqualTo(user.group(1));
    }

    @Test
    @SuppressWarnings("unchecked")
    void prometheusLoadsTheRulesTheAlertTestsCheckAndItsConfigurationPassesPromtool() {
        Map<String, Object> service = Compose.service(compose, "prometheus");
        assertThat(Compose.mountTarget(service, "./monitoring/prometheus")).isEqualTo("/etc/prometheus");
        assertThat(Compose.strings(service.get("command"))).contains("--config.file=/etc/prometheus/prometheus.yml");
        Map<String, Object> config = new Yaml().load(ItServer.read(prometheusConfig()));
        List<Path> rules = Compose.strings(config.get("rule_files")).stream()
                .map(f -> prometheusConfig().getParent().resolve(f).normalize()).toList();
        assertThat(rules).containsExactly(DockerFiles.alertRules().normalize());
        for (Map<String, Object> job : (List<Map<String, Object>>) config.get("scrape_configs")) {
            for (Map<String, Object> sd : (List<Map<String, Object>>) job.getOrDefault("file_sd_configs", List.of())) {
                for (String file : Compose.strings(sd.get("files"))) {
                    assertThat(prometheusConfig().getParent().resolve(file)).exists();
                }
            }
        }
        Prometheus.Run check = Prometheus.promtool(prometheusConfig().getParent(), null, "check", "config",
                "prometheus.yml");
        assertThat(check.exitCode()).as(check.output()).isZero();
    }

    @Test
    @SuppressWarnings("unchecked")
    void grafanaProvisionsTheDashboardFromTheFolderComposeMounts() {
        Map<String, Object> grafana = Compose.service(compose, "grafana");
        assertThat(Compose.mountTarget(grafana, "./monitoring/grafana/provisioning")).isEqualTo("/etc/grafana/provisioning");
        String dashboards = Compose.mountTarget(grafana, "./monitoring/grafana/dashboards");
        Map<String, Object> provider = new Yaml().load(ItServer.read(DockerFiles.monitoring()
                .resolve("grafana/provisioning/dashboards/jeex-db.yml")));
        Map<String, Object> first = ((List<Map<String, Object>>) provider.get("providers")).get(0);
        assertThat(((Map<String, Object>) first.get("options")).get("path")).isEqualTo(dashboards);
        assertThat(DockerFiles.dashboard().getParent()).isEqualTo(DockerFiles.monitoring().resolve("grafana/dashboards"));
        assertThat(Files.isRegularFile(DockerFiles.dashboard())).isTrue();
    }

    private static String pgbouncerSetting(String name) {
        Matcher m = Pattern.compile("(?m)^\\s*" + name + "\\s*=\\s*(\\S*)\\s*$")
                .matcher(ItServer.read(DockerFiles.pgbouncerIni()));
        assertThat(m.find()).as("pgbouncer.ini sets %s", name).isTrue();
        return m.group(1);
    }

    private static Path prometheusConfig() {
        return DockerFiles.monitoring().resolve("prometheus/prometheus.yml");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> exporters() {
        Map<String, Object> file = new Yaml().load(ItServer.read(DockerFiles.exporterMetrics()));
        return (Map<String, Map<String, Object>>) file.get("exporters");
    }
}
