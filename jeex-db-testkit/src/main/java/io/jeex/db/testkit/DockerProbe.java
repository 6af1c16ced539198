package io.jeex.db.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A quick look for a Docker endpoint before asking Testcontainers, which takes about half a
 * second to say "no Docker" and loads native code (JNA) while doing so (Java 22+ warns about
 * that). When no endpoint can exist, Testcontainers is not asked at all; when one might, it is.
 * Windows (named pipes) is always asked.
 */
final class DockerProbe {

    private DockerProbe() {
    }

    /**
     * Whether a Docker engine may be reachable: DOCKER_HOST is set, Testcontainers is configured
     * with a docker.host, or one of the usual sockets exists.
     */
    static boolean mayHaveDocker(Map<String, String> env, String osName, Path home, Predicate<Path> exists) {
        if (osName.toLowerCase(Locale.ROOT).contains("win")) {
            return true;
        }
        if (notBlank(env.get("DOCKER_HOST")) || notBlank(env.get("TESTCONTAINERS_HOST_OVERRIDE"))
                || notBlank(env.get("TESTCONTAINERS_DOCKER_SOCKET_OVERRIDE"))) {
            return true;
        }
        Path properties = home.resolve(".testcontainers.properties");
        if (exists.test(properties) && mentionsDockerHost(properties)) {
            return true;
        }
        String runtimeDir = env.get("XDG_RUNTIME_DIR");
        List<Path> sockets = new java.util.ArrayList<>(List.of(
                Path.of("/var/run/docker.sock"),
                Path.of("/run/docker.sock"),
                home.resolve(".docker/run/docker.sock"),
                home.resolve(".docker/desktop/docker.sock"),
                home.resolve(".colima/default/docker.sock"),
                home.resolve(".colima/docker.sock"),
                home.resolve(".rd/docker.sock"),
                home.resolve(".orbstack/run/docker.sock")));
        if (notBlank(runtimeDir)) {
            sockets.add(Path.of(runtimeDir, "docker.sock"));
            sockets.add(Path.of(runtimeDir, "podman/podman.sock"));
        }
        return sockets.stream().anyMatch(exists);
    }

    /** This machine's answer. */
    static boolean mayHaveDocker() {
        return mayHaveDocker(System.getenv(), System.getProperty("os.name", ""),
                Path.of(System.getProperty("user.home", ".")), Files::exists);
    }

    private static boolean mentionsDockerHost(Path properties) {
        try {
            return Files.readString(properties).contains("docker.host");
        } catch (java.io.IOException | RuntimeException e) {
            return true; // unreadable: let Testcontainers decide
        }
    }

    private static boolean notBlank(String value) {
        return value != null && !value.isBlank();
    }
}
