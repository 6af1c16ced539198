package io.jeex.db.testkit.junit;

import io.jeex.db.testkit.JeexPostgres;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.TestkitSettings;
import java.lang.reflect.Executable;
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
 * it, or kept and logged when the test failed and keeping was asked for.
 */
public final class JeexDbExtension implements ParameterResolver, AfterEachCallback, AfterAllCallback {

    private static final Logger LOG = LoggerFactory.getLogger(JeexDbExtension.class);
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(JeexDbExtension.class);
    private static final String DATABASE = "database";
    private static final String FAILED = "failed";

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        return type == DataSource.class || type == DSLContext.class || type == TestDatabase.class;
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
        return db;
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
            classContext(context).getStore(NAMESPACE).put(FAILED, Boolean.TRUE);
        }
        release(context.getStore(NAMESPACE).remove(DATABASE, TestDatabase.class), failed, context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        boolean failed = context.getExecutionException().isPresent()
                || Boolean.TRUE.equals(context.getStore(NAMESPACE).get(FAILED, Boolean.class));
        release(context.getStore(NAMESPACE).remove(DATABASE, TestDatabase.class), failed, context);
    }

    private void release(TestDatabase db, boolean failed, ExtensionContext context) {
        if (db == null) {
            return;
        }
        if (failed && keepOnFailure(context)) {
            db.keep();
            LOG.warn("jeex-db testkit: kept the database of failed test {}: {} (user {}); drop it with: DROP DATABASE {};",
                    context.getDisplayName(), db.jdbcUrl(), db.user(), db.name());
        }
        db.close();
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
                .flatMap(type -> AnnotationSupport.findAnnotation(type, JeexDbTest.class))
                .orElseThrow(() -> new ParameterResolutionException(
                        "JeexDbExtension needs @JeexDbTest on the test class; register it through the annotation"));
    }
}
