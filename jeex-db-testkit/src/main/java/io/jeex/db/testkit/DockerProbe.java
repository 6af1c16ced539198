package io.jeex.db.testkit;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
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
     * Whether a Docker engine may be reachable: DOCKER_HOST or a Testcontainers override is
     * set, {@code ~/.testcontainers.properties} names a {@code docker.host} or a
     * {@code tc.host} (Testcontainers Cloud / Desktop), or one of the usual sockets exists:
     * Docker (rootful and rootless), Docker Desktop, Colima, Rancher Desktop, OrbStack, and
     * Podman (rootful and rootless).
     *
     * @param env the environment
     * @param osName the {@code os.name} system property
     * @param home the user's home directory
     * @param uid the user's numeric id, for {@code /run/user/<uid>} when XDG_RUNTIME_DIR is unset
     * @param exists whether a path exists (the properties file is read only if it does)
     */
    static boolean mayHaveDocker(Map<String, String> env, String osName, Path home, OptionalLong uid,
            Predicate<Path> exists) {
        if (osName.toLowerCase(Locale.ROOT).contains("win")) {
            return true;
        }
        if (notBlank(env.get("DOCKER_HOST")) || notBlank(env.get("TESTCONTAINERS_HOST_OVERRIDE"))
                || notBlank(env.get("TESTCONTAINERS_DOCKER_SOCKET_OVERRIDE"))) {
            return true;
        }
        Path properties = home.resolve(".testcontainers.properties");
        if (exists.test(properties) && namesAnEngine(properties)) {
            return true;
        }
        List<Path> sockets = new ArrayList<>(List.of(
                Path.of("/var/run/docker.sock"),
                Path.of("/run/docker.sock"),
                Path.of("/run/podman/podman.sock"),        // rootful Podman
                Path.of("/var/run/podman/podman.sock"),
                home.resolve(".docker/run/docker.sock"),
                home.resolve(".docker/desktop/docker.sock"),
                home.resolve(".colima/default/docker.sock"),
                home.resolve(".colima/docker.sock"),
                home.resolve(".rd/docker.sock"),
                home.resolve(".orbstack/run/docker.sock")));
        // rootless Docker and Podman live in the user's runtime directory; without
        // XDG_RUNTIME_DIR (cron, su, some CI agents) it is still /run/user/<uid>
        List<Path> runtimeDirs = new ArrayList<>();
        String runtimeDir = env.get("XDG_RUNTIME_DIR");
        if (notBlank(runtimeDir)) {
            runtimeDirs.add(Path.of(runtimeDir));
        }
        uid.ifPresent(id -> runtimeDirs.add(Path.of("/run/user", Long.toString(id))));
        for (Path dir : runtimeDirs) {
            sockets.add(dir.resolve("docker.sock"));
            sockets.add(dir.resolve("podman/podman.sock"));
        }
        return sockets.stream().anyMatch(exists);
    }

    /** This machine's answer. */
    static boolean mayHaveDocker() {
        return mayHaveDocker(System.getenv(), System.getProperty("os.name", ""),
                Path.of(System.getProperty("user.home", ".")), currentUid(), Files::exists);
    }

    /** The process's user id on Linux (the owner of /proc/self), empty elsewhere. */
    static OptionalLong currentUid() {
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return uid instanceof Integer id ? OptionalLong.of(id) : OptionalLong.empty();
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty(); // no /proc, or no unix attribute view
        }
    }

    private static boolean namesAnEngine(Path file) {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            properties.load(in);
        } catch (IOException | RuntimeException e) {
            return true; // unreadable: let Testcontainers decide
        }
        return notBlank(properties.getProperty("docker.host")) || notBlank(properties.getProperty("tc.host"));
    }

    private static boolean notBlank(String value) {
        return value != null && !value.isBlank();
    }
}
