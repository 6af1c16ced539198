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

/** Reads migration (or rollback) scripts from the class path (a folder or a jar) or a file-system folder. */
final class MigrationScripts {

    private MigrationScripts() {
    }

    /** Returns file name to content of the migrations, sorted by name; only {@code .sql} files directly in the folder. */
    static Map<String, byte[]> read() {
        return read(JeexSchema.RESOURCE_FOLDER);
    }

    /**
     * @param folder a class-path folder of jeex-db, for example {@value JeexSchema#ROLLBACK_FOLDER}
     * @return file name to content, sorted by name; only {@code .sql} files directly in the folder
     */
    static Map<String, byte[]> read(String folder) {
        return readClassPath(JeexSchema.class.getClassLoader(), folder, true);
    }

    /**
     * Reads the {@code .sql} scripts of Flyway locations ({@code classpath:folder} or
     * {@code filesystem:folder}, a location without prefix is a class-path folder), keyed by
     * location and file name, sorted.
     *
     * @param loader the class loader of {@code classpath:} locations
     * @param locations the locations
     * @return location + "/" + file name to content
     * @throws UncheckedIOException if a location cannot be read or is missing
     */
    static Map<String, byte[]> read(ClassLoader loader, java.util.List<String> locations) {
        Map<String, byte[]> all = new TreeMap<>();
        for (String location : locations) {
            Map<String, byte[]> scripts;
            if (location.startsWith("filesystem:")) {
                scripts = new TreeMap<>();
                Path folder = Path.of(location.substring("filesystem:".length()));
                try {
                    if (!Files.isDirectory(folder)) {
                        throw new IOException("the migration folder " + folder + " does not exist");
                    }
                    readFolder(folder, scripts);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            } else {
                String folder = location.startsWith("classpath:") ? location.substring("classpath:".length()) : location;
                scripts = readClassPath(loader, folder.startsWith("/") ? folder.substring(1) : folder, false);
            }
            scripts.forEach((name, content) -> all.put(location + "/" + name, content));
        }
        return all;
    }

    private static Map<String, byte[]> readClassPath(ClassLoader loader, String folder, boolean jeex) {
        Map<String, byte[]> scripts = new TreeMap<>();
        try {
            Enumeration<URL> roots = loader.getResources(folder);
            if (!roots.hasMoreElements()) {
                String what = "the class path (" + folder + " not found)";
                throw jeex ? JeexSchema.unreadable(what, null) : new IOException("cannot read the migrations from "
                        + what + ": is the module that holds them on the class path?");
            }
            // Only the first root counts: it is the one Flyway's class-path scan sees first too,
            // and a second copy of the jar on the class path must not double the hash.
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
