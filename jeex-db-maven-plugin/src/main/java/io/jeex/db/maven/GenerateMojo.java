package io.jeex.db.maven;

import io.jeex.db.schema.ServiceMigrations;
import io.jeex.db.testkit.TestkitSettings;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.apache.maven.model.Resource;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.plugins.annotations.ResolutionScope;
import org.apache.maven.project.MavenProject;
import org.jooq.codegen.GenerationTool;
import org.jooq.meta.jaxb.Configuration;
import org.jooq.meta.jaxb.Generator;

/**
 * Generates jOOQ classes from a real PostgreSQL 18 migrated with jeex-db's migrations and the
 * service's own, into {@code target/generated-sources/jooq}, which becomes a source folder. The
 * generator is configured as with {@code jooq-codegen-maven}: a {@code <configurationFile>} of
 * jOOQ's XML, or an inline {@code <generator>}; the JDBC part is the plugin's (the database it
 * provisions). Skips without starting PostgreSQL when neither the migrations nor the
 * configuration changed since the last generation (one log line).
 *
 * <pre>{@code
 * <plugin>
 *   <groupId>io.jeex</groupId>
 *   <artifactId>jeex-db-maven-plugin</artifactId>
 *   <executions><execution><goals><goal>generate</goal></goals></execution></executions>
 *   <configuration>
 *     <service>
 *       <name>ideas</name>
 *       <locations><location>classpath:db/migration/ideas</location></locations>
 *     </service>
 *     <generator>
 *       <target><packageName>com.example.ideas.db</packageName></target>
 *     </generator>
 *   </configuration>
 * </plugin>
 * }</pre>
 *
 * PostgreSQL comes from the testkit's provider chain: {@code -Djeex.db.test.url=...} for a server
 * of your own, Testcontainers when a Docker engine answers, else an embedded PostgreSQL 18.
 */
@Mojo(name = "generate", defaultPhase = LifecyclePhase.GENERATE_SOURCES,
        requiresDependencyResolution = ResolutionScope.COMPILE, threadSafe = true)
public class GenerateMojo extends AbstractMojo {

    /** A jOOQ code generation configuration file (jooq-codegen-maven's {@code configurationFile}). */
    @Parameter(property = "jeex.codegen.configurationFile")
    private File configurationFile;

    /** An inline jOOQ generator configuration (jooq-codegen-maven's {@code generator}), when there is no file. */
    @Parameter
    private Generator generator;

    /** The service's own migrations; without it, jeex-db's own schema is generated. */
    @Parameter
    private Service service;

    /** Where the sources go. */
    @Parameter(property = "jeex.codegen.outputDirectory", defaultValue = "${project.build.directory}/generated-sources/jooq")
    private File outputDirectory;

    /** Where the hash of the last generation is kept. */
    @Parameter(defaultValue = "${project.build.directory}/jeex-db-codegen.sha256")
    private File stateFile;

    /** Skips the generation altogether. */
    @Parameter(property = "jeex.codegen.skip", defaultValue = "false")
    private boolean skip;

    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    private MavenProject project;

    @Override
    public void execute() throws MojoExecutionException {
        if (skip) {
            getLog().info("jOOQ code generation skipped (jeex.codegen.skip)");
            return;
        }
        ServiceMigrations migrations;
        try {
            migrations = service == null ? null : service.toMigrations();
        } catch (IllegalArgumentException e) {
            throw new MojoExecutionException("jeex-db-maven-plugin: " + e.getMessage(), e);
        }
        Configuration configuration = configuration();
        try (URLClassLoader loader = projectLoader()) {
            new CodeGeneration(configuration, outputDirectory.toPath(), stateFile.toPath(), migrations, loader,
                    TestkitSettings.fromSystem(), getLog()::info).run();
        } catch (MojoExecutionException e) {
            throw e;
        } catch (Exception e) {
            throw new MojoExecutionException("jeex-db-maven-plugin: jOOQ code generation failed: " + e.getMessage(), e);
        }
        project.addCompileSourceRoot(outputDirectory.getAbsolutePath());
    }

    private Configuration configuration() throws MojoExecutionException {
        if (configurationFile != null && generator != null) {
            throw new MojoExecutionException("jeex-db-maven-plugin: set either <configurationFile> or <generator>, "
                    + "not both");
        }
        if (configurationFile != null) {
            try (InputStream in = Files.newInputStream(configurationFile.toPath())) {
                return GenerationTool.load(in);
            } catch (IOException e) {
                throw new MojoExecutionException("jeex-db-maven-plugin: cannot read <configurationFile> "
                        + configurationFile + ": " + e.getMessage(), e);
            }
        }
        if (generator == null) {
            throw new MojoExecutionException("jeex-db-maven-plugin: set <generator> (at least <target><packageName>) "
                    + "or <configurationFile>");
        }
        return new Configuration().withGenerator(generator);
    }

    /** The project's resource folders and compile class path, for {@code classpath:} migration locations. */
    private URLClassLoader projectLoader() throws MojoExecutionException {
        List<URL> urls = new ArrayList<>();
        try {
            for (Resource r : project.getBuild().getResources()) {
                urls.add(new File(r.getDirectory()).toURI().toURL());
            }
            for (String element : project.getCompileClasspathElements()) {
                urls.add(new File(element).toURI().toURL());
            }
        } catch (MalformedURLException | org.apache.maven.artifact.DependencyResolutionRequiredException e) {
            throw new MojoExecutionException("jeex-db-maven-plugin: cannot build the project's class path: "
                    + e.getMessage(), e);
        }
        return new URLClassLoader(urls.toArray(URL[]::new), getClass().getClassLoader());
    }
}
