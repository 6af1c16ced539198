package io.jeex.db.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The public API of each library module, compared with the listing committed in {@code api/}: a
 * public or protected type, constructor, method or field that appears, changes or disappears
 * fails this test until the listing is updated in the same change, so that a change of the API
 * is always deliberate (and visible in review). To accept a change, run
 * {@code mvn -B -pl jeex-db-it -am verify -Dtest=ApiListingTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Djeex.api.update=true} and commit the listing.
 *
 * <p>Also fails when a public type sits outside the module's API packages (an {@code internal}
 * package never is one): what is not API is package-private.
 */
class ApiListingTest {

    static Stream<Arguments> modules() {
        return Stream.of(
                Arguments.of("jeex-db-access", io.jeex.db.JeexDatabase.class,
                        Set.of("io.jeex.db", "io.jeex.db.error", "io.jeex.db.health", "io.jeex.db.repository", "io.jeex.db.tx")),
                Arguments.of("jeex-db-schema", io.jeex.db.schema.JeexSchema.class, Set.of("io.jeex.db.schema")),
                Arguments.of("jeex-db-testkit", io.jeex.db.testkit.JeexPostgres.class,
                        Set.of("io.jeex.db.testkit", "io.jeex.db.testkit.junit")),
                Arguments.of("jeex-db-junit", io.jeex.db.junit.ConfigureJeexDatabase.class, Set.of("io.jeex.db.junit")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modules")
    void thePublicApiIsTheCommittedListing(String module, Class<?> anchor, Set<String> apiPackages) throws IOException {
        List<Class<?>> types = publicTypes(anchor);
        assertThat(types.stream().filter(t -> !apiPackages.contains(t.getPackageName())).map(Class::getName))
                .as("public types of %s outside its API packages %s (make them package-private, or add the package "
                        + "to the API deliberately here and in docs/architecture.md)", module, apiPackages).isEmpty();
        String listing = listing(types);
        Path file = repositoryRoot().resolve("api").resolve(module + ".txt");
        if (Boolean.getBoolean("jeex.api.update")) {
            Files.createDirectories(file.getParent());
            Files.writeString(file, listing, StandardCharsets.UTF_8);
        }
        assertThat(file).as("the API listing of %s; create it with -Djeex.api.update=true", module).exists();
        String committed = Files.readString(file, StandardCharsets.UTF_8);
        assertThat(listing).as("the public API of %s differs from api/%s.txt: if the change is deliberate, run "
                + "this test with -Djeex.api.update=true and commit the listing", module, module).isEqualTo(committed);
    }

    /** The public types of the jar or class folder that holds {@code anchor}, nested ones included. */
    static List<Class<?>> publicTypes(Class<?> anchor) {
        Path location;
        try {
            location = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        List<String> names = new ArrayList<>();
        try {
            if (Files.isDirectory(location)) {
                try (Stream<Path> files = Files.walk(location)) {
                    files.map(p -> location.relativize(p).toString().replace('\\', '/')).forEach(names::add);
                }
            } else {
                try (JarFile jar = new JarFile(location.toFile())) {
                    for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                        names.add(e.nextElement().getName());
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Class<?>> types = new ArrayList<>();
        for (String name : names) {
            if (!name.endsWith(".class") || name.endsWith("module-info.class") || name.endsWith("package-info.class")) {
                continue;
            }
            String className = name.substring(0, name.length() - ".class".length()).replace('/', '.');
            Class<?> type;
            try {
                type = Class.forName(className, false, anchor.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                throw new IllegalStateException("cannot load " + className, e);
            }
            if (accessible(type)) {
                types.add(type);
            }
        }
        types.sort((a, b) -> a.getName().compareTo(b.getName()));
        return types;
    }

    private static boolean accessible(Class<?> type) {
        if (type.isSynthetic() || type.isAnonymousClass() || type.isLocalClass()) {
            return false;
        }
        for (Class<?> t = type; t != null; t = t.getDeclaringClass()) {
            if (!Modifier.isPublic(t.getModifiers()) && !(t != type ? false : Modifier.isProtected(t.getModifiers()))) {
                return false;
            }
        }
        return true;
    }

    /** One block per type: its declaration, then its public and protected members, sorted. */
    static String listing(List<Class<?>> types) {
        StringBuilder out = new StringBuilder();
        for (Class<?> type : types) {
            out.append(declaration(type)).append('\n');
            TreeSet<String> members = new TreeSet<>();
            for (Constructor<?> c : type.getDeclaredConstructors()) {
                if (visible(c) && !c.isSynthetic()) {
                    members.add(executable(c));
                }
            }
            for (Method m : type.getDeclaredMethods()) {
                if (visible(m) && !m.isSynthetic() && !m.isBridge()) {
                    members.add(executable(m));
                }
            }
            for (Field f : type.getDeclaredFields()) {
                if (visible(f) && !f.isSynthetic()) {
                    members.add(f.toGenericString().replace(type.getName() + ".", ""));
                }
            }
            members.forEach(m -> out.append("  ").append(m).append('\n'));
            out.append('\n');
        }
        return out.toString();
    }

    private static boolean visible(Member m) {
        return Modifier.isPublic(m.getModifiers()) || Modifier.isProtected(m.getModifiers());
    }

    private static String executable(Executable e) {
        // the declaring type is the block's; drop it from the member's own name
        String s = e.toGenericString();
        String owner = e.getDeclaringClass().getName();
        return s.replace(owner + "." + (e instanceof Constructor ? "" : e.getName()) + "(",
                e instanceof Constructor ? "<init>(" : e.getName() + "(").replace(" " + owner + "<init>(", " <init>(");
    }

    private static String declaration(Class<?> type) {
        int modifiers = type.getModifiers() & (type.isInterface() ? ~Modifier.ABSTRACT & ~Modifier.INTERFACE : ~0);
        String kind = type.isAnnotation() ? "@interface" : type.isInterface() ? "interface" : type.isEnum() ? "enum"
                : type.isRecord() ? "record" : "class";
        StringBuilder d = new StringBuilder();
        String mods = Modifier.toString(modifiers & ~Modifier.STATIC & ~Modifier.INTERFACE);
        if (type.isEnum() || type.isRecord()) {
            mods = mods.replace("final", "").replace("  ", " ").trim();
        }
        d.append(mods.isEmpty() ? "" : mods + " ").append(kind).append(' ').append(type.getName());
        if (type.getTypeParameters().length > 0) {
            d.append(Arrays.stream(type.getTypeParameters()).map(Object::toString).collect(Collectors.joining(", ", "<", ">")));
        }
        if (type.getGenericSuperclass() != null && type.getSuperclass() != Object.class && !type.isEnum()
                && !type.isRecord()) {
            d.append(" extends ").append(type.getGenericSuperclass().getTypeName());
        }
        if (type.getGenericInterfaces().length > 0 && !type.isAnnotation()) {
            d.append(type.isInterface() ? " extends " : " implements ").append(Arrays.stream(type.getGenericInterfaces())
                    .map(java.lang.reflect.Type::getTypeName).collect(Collectors.joining(", ")));
        }
        if (type.isSealed()) {
            d.append(" permits ").append(Arrays.stream(type.getPermittedSubclasses()).map(Class::getName)
                    .collect(Collectors.joining(", ")));
        }
        return d.toString();
    }

    private static Path repositoryRoot() {
        try {
            Path classes = Path.of(ApiListingTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return classes.getParent().getParent().getParent(); // jeex-db-it/target/test-classes
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
