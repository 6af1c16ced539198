package io.jeex.db.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DockerProbeTest {

    private static final Path HOME = Path.of("/home/dev");

    @Test
    void noEndpointAnywhereMeansTestcontainersIsNotAsked() {
        assertThat(DockerProbe.mayHaveDocker(Map.of(), "Linux", HOME, p -> false)).isFalse();
    }

    @Test
    void anyUsualSocketOrSettingMeansItIsAsked() {
        for (Path socket : Set.of(Path.of("/var/run/docker.sock"), HOME.resolve(".docker/run/docker.sock"),
                HOME.resolve(".colima/default/docker.sock"), Path.of("/run/user/1000/docker.sock"))) {
            assertThat(DockerProbe.mayHaveDocker(Map.of("XDG_RUNTIME_DIR", "/run/user/1000"), "Linux", HOME,
                    socket::equals)).as(socket.toString()).isTrue();
        }
        assertThat(DockerProbe.mayHaveDocker(Map.of("DOCKER_HOST", "tcp://ci:2375"), "Linux", HOME, p -> false))
                .isTrue();
        assertThat(DockerProbe.mayHaveDocker(Map.of(), "Windows 11", HOME, p -> false)).isTrue();
    }
}
