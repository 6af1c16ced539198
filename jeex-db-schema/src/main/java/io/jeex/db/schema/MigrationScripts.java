package io.jeex.db.schema;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/** Reads the migration (or rollback) scripts from the class path, in a folder or in a jar. */
final class MigrationScripts {

    private MigrationScripts() {
    }

    /** Returns file name to content of the migrations, sorted by name; only {@code .sql} files directly in the folder. */
    static Map<String, byte[]> read() {
        return read(JeexSchema.RESOURCE_FOLDER);
    }

    /**
     * @param folder a class-path folder, for example {@value JeexSchema#ROLLBACK_FOLDER}
     * @return file name to content, sorted by name; only {@code .sql} files directly in the folder
     */
    static Map<String, byte[]> read(String folder) {
        ClassLoader loader = JeexSchema.class.getClassLoader();
        Map<String, byte[]> scripts = new TreeMap<>();
        try {
            Enumeration<URL> roots = loader.getResources(folder);
            if (!roots.hasMoreElements()) {
                throw JeexSchema.unreadable("the class path (" + folder + " not found)", null);
            }
            // Only the first root counts: it is the one Flyway's class-path scan sees first too,
            // and a second copy of the schema jar on the class path must not double the hash.
            URL root = roots.nextElement();
            switch (root.getProtocol()) {
                case "file" -> readFolder(Path.of(root.toURI()), scripts);
                case "jar" -> readJar(root, folder, scripts);
                default -> throw JeexSchema.unreadable(root.toString(), null);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new UncheckedIOException(JeexSchema.unreadable("a malformed class-path URL", e));
        }
        return scripts;
    }

    private static void readFolder(Path folder, Map<String, byte[]> scripts) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = file.getFileName().toString();
                if (name.endsWith(".sql") && Files.isRegularFile(file)) {
                    scripts.put(name, Files.readAllBytes(file));
                }
            }
        }
    }

    private static void readJar(URL root, String folder, Map<String, byte[]> scripts) throws IOException {
        JarURLConnection connection = (JarURLConnection) root.openConnection();
        connection.setUseCaches(false);
        String prefix = folder + "/";
        try (JarFile jar = connection.getJarFile()) {
            Enumeration<JarEntry> entries = jar.entries();
            while (entries.hasMoreElements()) {
                JarEntry entry = entries.nextElement();
                String name = entry.getName();
                if (!entry.isDirectory() && name.startsWith(prefix) && name.endsWith(".sql")
                        && name.indexOf('/', prefix.length()) < 0) {
                    try (InputStream in = jar.getInputStream(entry)) {
                        scripts.put(name.substring(prefix.length()), in.readAllBytes());
                    }
                }
            }
        }
    }
}
