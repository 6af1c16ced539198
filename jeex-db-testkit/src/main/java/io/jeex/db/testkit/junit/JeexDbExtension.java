package io.jeex.db.testkit.junit;

import io.jeex.db.testkit.JeexPostgres;
import io.jeex.db.testkit.ProviderKind;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.TestkitSettings;
import java.lang.reflect.Executable;
import java.lang.reflect.Modifier;
import java.util.Locale;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Optional;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JUnit 5 extension behind {@link JeexDbTest}: resolves {@link DataSource},
 * {@link DSLContext} and {@link TestDatabase} parameters to a database cloned from the
 * migrated template, created on first use per test method (or per class), dropped after
 * it, or kept and logged when the test failed and keeping was asked for. The settings come
 * from the nearest {@link JeexDbTest}, also on an enclosing class of a {@code @Nested} class.
 *
 * <p>The log line of a kept database shows its URL with passwords masked, and says how long
 * it lasts: with the embedded or the Testcontainers provider only until the test JVM exits.
 */
public final class JeexDbExtension implements ParameterResolver, AfterEachCallback, AfterAllCallback {

    private static final Logger LOG = LoggerFactory.getLogger(JeexDbExtension.class);
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(JeexDbExtension.class);
    private static final String DATABASE = "database";
    private static final String FAILED = "failed";
    private static final String RESOURCES = "resources";
    /** The type jeex-db-junit's provider injects; named here only to say what is missing without it. */
    private static final String JEEX_DATABASE = "io.jeex.db.JeexDatabase";

    /** The providers of more parameter types ({@link ParameterProvider}), found once. */
    private static final List<ParameterProvider> PROVIDERS = ServiceLoader.load(ParameterProvider.class,
            JeexDbExtension.class.getClassLoader()).stream().map(ServiceLoader.Provider::get).toList();

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        if (type.getName().equals(JEEX_DATABASE) && provider(type).isEmpty()) {
            // JUnit's own message ("No ParameterResolver registered") would not say what is missing
            throw new ParameterResolutionException("a " + JEEX_DATABASE + " parameter needs jeex-db-junit on the test "
                    + "class path: add the dependency io.jeex:jeex-db-junit (test scope), which brings the testkit too");
        }
        return type == DataSource.class || type == DSLContext.class || type == TestDatabase.class
                || provider(type).isPresent();
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext context) {
        TestDatabase db = database(parameterContext.getDeclaringExecutable(), context);
        Class<?> type = parameterContext.getParameter().getType();
        if (type == DataSource.class) {
            return db.dataSource();
        }
        if (type == DSLContext.class) {
            return db.dsl();
        }
        if (type == TestDatabase.class) {
            return db;
        }
        ParameterProvider provider = provider(type).orElseThrow();
        // kept beside the database, in the same scope, and closed before it is dropped
        Resources resources = owner(parameterContext.getDeclaringExecutable(), context).getStore(NAMESPACE)
                .getOrComputeIfAbsent(RESOURCES, key -> new Resources(), Resources.class);
        return resources.objects.computeIfAbsent(type, t -> provider.create(t, db, context));
    }

    private static Optional<ParameterProvider> provider(Class<?> type) {
        return PROVIDERS.stream().filter(p -> p.supports(type)).findFirst();
    }

    /** Objects made by providers for one database, closed in reverse order of creation. */
    private static final class Resources {
        final Map<Class<?>, Object> objects = new LinkedHashMap<>();

        void close() {
            List<Object> all = new ArrayList<>(objects.values());
            java.util.Collections.reverse(all);
            RuntimeException first = null;
            for (Object o : all) {
                if (o instanceof AutoCloseable c) {
                    try {
                        c.close();
                    } catch (Exception e) {
                        if (first == null) {
                            first = new IllegalStateException("closing a test resource failed: " + e, e);
                        }
                    }
                }
            }
            objects.clear();
            if (first != null) {
                throw first;
            }
        }
    }

    private ExtensionContext owner(Executable executable, ExtensionContext context) {
        return settings(context).lifecycle() == JeexDbTest.Lifecycle.PER_CLASS ? classContext(context) : context;
    }

    private TestDatabase database(Executable executable, ExtensionContext context) {
        JeexDbTest settings = settings(context);
        ExtensionContext owner;
        if (settings.lifecycle() == JeexDbTest.Lifecycle.PER_CLASS) {
            owner = classContext(context);
        } else {
            if (context.getTestMethod().isEmpty()) {
                throw new ParameterResolutionException("@JeexDbTest gives one database per test method, so "
                        + executable + " (outside a test method) cannot receive one. Use "
                        + "@JeexDbTest(lifecycle = Lifecycle.PER_CLASS) to share one database across the class.");
            }
            owner = context;
        }
        return owner.getStore(NAMESPACE).getOrComputeIfAbsent(DATABASE,
                key -> JeexPostgres.shared().newDatabase(), TestDatabase.class);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        boolean failed = context.getExecutionException().isPresent();
        if (failed) {
            // every enclosing class level: a PER_CLASS database of an outer class may serve @Nested tests
            for (Optional<ExtensionContext> c = Optional.of(classContext(context));
                    c.isPresent() && c.get().getTestClass().isPresent(); c = c.get().getParent()) {
                c.get().getStore(NAMESPACE).put(FAILED, Boolean.TRUE);
            }
        }
        closeResources(context);
        release(context.getStore(NAMESPACE).remove(DATABASE, TestDatabase.class), failed, context);
    }

    private static void closeResources(ExtensionContext context) {
        Resources resources = context.getStore(NAMESPACE).remove(RESOURCES, Resources.class);
        if (resources != null) {
            resources.close();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        boolean failed = context.getExecutionException().isPresent()
                || Boolean.TRUE.equals(context.getStore(NAMESPACE).get(FAILED, Boolean.class));
        closeResources(context);
        release(context.getStore(NAMESPACE).remove(DATABASE, TestDatabase.class), failed, context);
    }

    private void release(TestDatabase db, boolean failed, ExtensionContext context) {
        if (db == null) {
            return;
        }
        if (failed && keepOnFailure(context)) {
            db.keep();
            LOG.warn(keptMessage(context.getDisplayName(), db, JeexPostgres.shared().provider()));
        }
        db.close();
    }

    /** The log line of a kept database: its URL with passwords masked, and how long it lasts. */
    static String keptMessage(String test, TestDatabase db, ProviderKind provider) {
        return "jeex-db testkit: kept the database of failed test " + test + ": " + db.maskedJdbcUrl() + " (user "
                + db.user() + "); " + lifetime(provider) + "; drop it with: DROP DATABASE " + db.name() + ";";
    }

    /** How long a kept database lasts: as long as its server. */
    static String lifetime(ProviderKind provider) {
        if (provider == ProviderKind.EXTERNAL) {
            return "it stays on that server until dropped";
        }
        return "the URL is valid only until this test JVM exits, when the testkit stops its "
                + provider.name().toLowerCase(Locale.ROOT) + " server; to keep failed databases longer, run "
                + "the tests against a server of your own with -D" + TestkitSettings.URL
                + "=jdbc:postgresql://localhost:5432/postgres (or " + TestkitSettings.environmentName(TestkitSettings.URL)
                + ")";
    }

    private static boolean keepOnFailure(ExtensionContext context) {
        return settings(context).keepOnFailure()
                || Boolean.parseBoolean(context.getConfigurationParameter(TestkitSettings.KEEP_FAILED).orElse(
                        Optional.ofNullable(System.getProperty(TestkitSettings.KEEP_FAILED))
                                .orElse(System.getenv(TestkitSettings.environmentName(TestkitSettings.KEEP_FAILED)))));
    }

    private static ExtensionContext classContext(ExtensionContext context) {
        ExtensionContext c = context;
        while (c.getTestMethod().isPresent() && c.getParent().isPresent()) {
            c = c.getParent().get();
        }
        return c;
    }

    private static JeexDbTest settings(ExtensionContext context) {
        return context.getTestClass()
                .flatMap(JeexDbExtension::findSettings)
                .orElseThrow(() -> new ParameterResolutionException(
                        "JeexDbExtension needs @JeexDbTest on the test class; register it through the annotation"));
    }

    /**
     * The nearest {@link JeexDbTest}: on the class, its superclasses and meta-annotations, and
     * for a {@code @Nested} (inner) class, on its enclosing classes, innermost first.
     */
    static Optional<JeexDbTest> findSettings(Class<?> type) {
        for (Class<?> c = type; c != null; c = isInner(c) ? c.getEnclosingClass() : null) {
            Optional<JeexDbTest> found = AnnotationSupport.findAnnotation(c, JeexDbTest.class);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    private static boolean isInner(Class<?> type) {
        return type.getEnclosingClass() != null && !Modifier.isStatic(type.getModifiers());
    }
}
