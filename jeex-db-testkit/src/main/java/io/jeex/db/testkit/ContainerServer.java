package io.jeex.db.testkit;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * PostgreSQL 18 in a container started through Testcontainers, with the same speed settings
 * as the embedded server. Testcontainers' Ryuk removes the container if the JVM dies.
 */
final class ContainerServer implements PostgresServer {

    private final PostgreSQLContainer container;

    private ContainerServer(PostgreSQLContainer container) {
        this.container = container;
    }

    /** Whether a Docker engine answers; Testcontainers caches the answer for the JVM. */
    static boolean dockerAvailable() {
        if (!DockerProbe.mayHaveDocker()) {
            return false;
        }
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    static ContainerServer start(String image) {
        DockerImageName name = DockerImageName.parse(image).asCompatibleSubstituteFor("postgres");
        PostgreSQLContainer container = new PostgreSQLContainer(name)
                .withDatabaseName("postgres")
                .withUsername("postgres")
                .withPassword("jeex-testkit");
        container.withCommand("postgres",
                "-c", "fsync=off",
                "-c", "synchronous_commit=off",
                "-c", "full_page_writes=off",
                "-c", "max_connections=300",
                "-c", "timezone=UTC");
        container.start();
        return new ContainerServer(container);
    }

    @Override
    public String jdbcUrl(String database) {
        return PostgresServer.withDatabase(container.getJdbcUrl(), database);
    }

    @Override
    public String adminDatabase() {
        return "postgres";
    }

    @Override
    public String user() {
        return container.getUsername();
    }

    @Override
    public String password() {
        return container.getPassword();
    }

    @Override
    public String description() {
        return "container " + container.getDockerImageName() + " on " + container.getHost() + ":"
                + container.getMappedPort(PostgreSQLContainer.POSTGRESQL_PORT);
    }

    @Override
    public void close() {
        container.stop();
    }
}
