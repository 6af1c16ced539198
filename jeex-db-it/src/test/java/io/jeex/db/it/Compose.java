package io.jeex.db.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/** The compose files of {@code docker/}, read as compose reads them (YAML). */
final class Compose {

    private Compose() {
    }

    static Map<String, Object> load(String file) {
        Map<String, Object> yaml = new Yaml().load(ItServer.read(DockerFiles.dir().resolve(file)));
        assertThat(yaml).as(file).containsKey("services");
        return yaml;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Object>> services(Map<String, Object> compose) {
        return (Map<String, Map<String, Object>>) compose.get("services");
    }

    static Map<String, Object> service(Map<String, Object> compose, String name) {
        Map<String, Object> service = services(compose).get(name);
        assertThat(service).as("service " + name).isNotNull();
        return new LinkedHashMap<>(service);
    }

    /** @return the container path where the service mounts {@code source} (a volume name or a host path) */
    static String mountTarget(Map<String, Object> service, String source) {
        for (String volume : strings(service.get("volumes"))) {
            String[] parts = volume.split(":");
            if (parts[0].equals(source)) {
                return parts[1];
            }
        }
        throw new AssertionError("the service mounts no " + source + ": " + service.get("volumes"));
    }

    static List<String> strings(Object list) {
        assertThat(list).isInstanceOf(List.class);
        List<String> out = new ArrayList<>();
        for (Object o : (List<?>) list) {
            out.add(String.valueOf(o));
        }
        return out;
    }
}
