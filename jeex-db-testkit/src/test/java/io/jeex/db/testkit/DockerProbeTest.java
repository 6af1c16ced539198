package io.jeex.db.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

class DockerProbeTest {

    private static final Path HOME = Path.of("/home/dev");
    private static final OptionalLong NO_UID = OptionalLong.empty();

    @Test
    void noEndpointAnywhereMeansTestcontainersIsNotAsked() {
        assertThat(DockerProbe.mayHaveDocker(Map.of(), "Linux", HOME, OptionalLong.of(1000), p -> false)).isFalse();
    }

    @Test
    void anyUsualSocketOrSettingMeansItIsAsked() {
        for (Path socket : Set.of(Path.of("/var/run/docker.sock"), HOME.resolve(".docker/run/docker.sock"),
                HOME.resolve(".colima/default/docker.sock"), Path.of("/run/user/1000/docker.sock"),
                Path.of("/run/user/1000/podman/podman.sock"))) {
            assertThat(DockerProbe.mayHaveDocker(Map.of("XDG_RUNTIME_DIR", "/run/user/1000"), "Linux", HOME, NO_UID,
                    socket::equals)).as(socket.toString()).isTrue();
        }
        assertThat(DockerProbe.mayHaveDocker(Map.of("DOCKER_HOST", "tcp://ci:2375"), "Linux", HOME, NO_UID, p -> false))
                .isTrue();
        assertThat(DockerProbe.mayHaveDocker(Map.of(), "Windows 11", HOME, NO_UID, p -> false)).isTrue();
    }

    @Test
    void rootfulPodmansSocketMeansItIsAsked() {
        Path podman = Path.of("/run/podman/podman.sock");
        assertThat(DockerProbe.mayHaveDocker(Map.of(), "Linux", HOME, NO_UID, podman::equals)).isTrue();
    }

    @Test
    void withoutXdgRuntimeDirTheUsersRuntimeDirectoryIsFoundByUid() {
        for (Path socket : Set.of(Path.of("/run/user/1234/docker.sock"), Path.of("/run/user/1234/podman/podman.sock"))) {
            assertThat(DockerProbe.mayHaveDocker(Map.of(), "Linux", HOME, OptionalLong.of(1234), socket::equals))
                    .as(socket.toString()).isTrue();
            assertThat(DockerProbe.mayHaveDocker(Map.of(), "Linux", HOME, OptionalLong.of(1000), socket::equals))
                    .as("another user's " + socket).isFalse();
        }
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void theCurrentUidIsKnownOnLinux(@TempDir Path dir) throws IOException {
        Path created = Files.createFile(dir.resolve("owned-by-this-process"));
        assertThat(DockerProbe.currentUid())
                .hasValue(((Number) Files.getAttribute(created, "unix:uid")).longValue());
    }

    @Test
    void testcontainersPropertiesNamingAnEngineMeanItIsAsked(@TempDir Path home) throws IOException {
        Predicate<Path> onlyFilesInHome = p -> p.startsWith(home) && Files.exists(p);
        Path properties = home.resolve(".testcontainers.properties");

        Files.writeString(properties, "tc.host=tcp://127.0.0.1:41234\n");
        assertThat(DockerProbe.mayHaveDocker(Map.of(), "Linux", home, NO_UID, onlyFilesInHome)).as("tc.host").isTrue();

        Files.writeString(properties, "docker.host=unix:///var/run/custom.sock\n");
        assertThat(DockerProbe.mayHaveDocker(Map.of(), "Linux", home, NO_UID, onlyFilesInHome)).as("docker.host")
                .isTrue();

        Files.writeString(properties, """
                # docker.host=tcp://commented-out:2375
                ryuk.disabled=true
                docker.host=
                """);
        assertThat(DockerProbe.mayHaveDocker(Map.of(), "Linux", home, NO_UID, onlyFilesInHome))
                .as("only comments and empty values").isFalse();
    }
}
