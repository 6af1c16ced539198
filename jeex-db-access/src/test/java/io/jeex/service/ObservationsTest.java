package io.jeex.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.JeexDatabase;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.junit.JeexDbTest;
import io.jeex.db.tx.TxOptions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelPropagator;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A service that traces with OpenTelemetry through micrometer-tracing: its transactions become
 * spans, with one child per attempt and a client span per statement in OpenTelemetry's database
 * conventions, never holding a value.
 */
@JeexDbTest
class ObservationsTest {

    private InMemorySpanExporter exporter;
    private SdkTracerProvider tracerProvider;
    private ObservationRegistry observations;

    @BeforeEach
    void tracing() {
        exporter = InMemorySpanExporter.create();
        tracerProvider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
        ContextPropagators propagators = ContextPropagators.create(W3CTraceContextPropagator.getInstance());
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(tracerProvider)
                .setPropagators(propagators).build();
        io.opentelemetry.api.trace.Tracer otel = sdk.getTracer("jeex-db-test");
        OtelTracer tracer = new OtelTracer(otel, new OtelCurrentTraceContext(), event -> { });
        observations = ObservationRegistry.create();
        observations.observationConfig().observationHandler(new ObservationHandler.FirstMatchingCompositeObservationHandler(
                new PropagatingSenderTracingObservationHandler<>(tracer, new OtelPropagator(propagators, otel)),
                new DefaultTracingObservationHandler(tracer)));
    }

    @AfterEach
    void stop() {
        tracerProvider.close();
    }

    private static String attr(SpanData span, String key) {
        return span.getAttributes().get(AttributeKey.stringKey(key));
    }

    private List<SpanData> children(SpanData parent) {
        return exporter.getFinishedSpanItems().stream().filter(s -> s.getParentSpanId().equals(parent.getSpanId()))
                .collect(Collectors.toList());
    }

    private SpanData named(String name) {
        return exporter.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " among " + exporter.getFinishedSpanItems()));
    }

    @Test
    void aTransactionIsASpanWithItsAttemptAndStatementsInDatabaseConventions(TestDatabase testDb) {
        try (JeexDatabase db = JeexDatabase.create(ServiceConfigs.defaults(testDb).build(), new SimpleMeterRegistry(),
                observations)) {
            java.util.UUID me = java.util.UUID.randomUUID();
            db.transaction(TxOptions.named("signup").withActingUser(me), tx -> {
                tx.dsl().execute("insert into users (id, email, name) values (?, 'secret@example.com', 'Secret Name')",
                        me);
                return tx.dsl().fetch("select count(*) from users where name <> 'Secret Name'");
            });
        }

        SpanData transaction = named("transaction signup");
        assertThat(transaction.getParentSpanId()).isEqualTo(io.opentelemetry.api.trace.SpanId.getInvalid());
        assertThat(attr(transaction, "jeex.db.outcome")).isEqualTo("committed");
        assertThat(attr(transaction, "jeex.db.attempts")).isEqualTo("1");
        assertThat(attr(transaction, "db.system.name")).isEqualTo("postgresql");
        List<SpanData> attempts = children(transaction);
        assertThat(attempts).extracting(SpanData::getName).containsExactly("attempt 1");
        List<SpanData> statements = children(attempts.get(0));
        assertThat(statements).extracting(SpanData::getName).containsExactlyInAnyOrder("INSERT users", "SELECT users");
        SpanData insert = statements.stream().filter(s -> s.getName().equals("INSERT users")).findFirst().orElseThrow();
        assertThat(insert.getKind()).isEqualTo(SpanKind.CLIENT);
        assertThat(attr(insert, "db.system.name")).isEqualTo("postgresql");
        assertThat(attr(insert, "db.operation.name")).isEqualTo("INSERT");
        assertThat(attr(insert, "db.collection.name")).isEqualTo("users");
        assertThat(attr(insert, "db.query.summary")).isEqualTo("INSERT users");
        assertThat(attr(insert, "server.address")).isEqualTo("localhost");
        assertThat(attr(insert, "server.port")).isNotBlank();
        assertThat(attr(insert, "db.query.text")).startsWith("insert into users").doesNotContain("secret")
                .doesNotContain("Secret");
        assertThat(exporter.getFinishedSpanItems().toString()).as("no value anywhere")
                .doesNotContain("secret@example.com").doesNotContain("Secret Name");
    }

    @Test
    void aRetriedTransactionShowsEachAttemptAndWhatEndedIt(TestDatabase testDb) {
        try (JeexDatabase db = JeexDatabase.create(ServiceConfigs.defaults(testDb).build(), new SimpleMeterRegistry(),
                observations)) {
            db.transaction(TxOptions.named("contended"), tx -> {
                if (tx.attempt() == 1) {
                    tx.dsl().execute("do $$ begin raise exception 'lost' using errcode = '40001'; end $$");
                }
                return tx.dsl().selectOne().fetch();
            });
        }

        SpanData transaction = named("transaction contended");
        assertThat(attr(transaction, "jeex.db.attempts")).isEqualTo("2");
        assertThat(attr(transaction, "jeex.db.outcome")).isEqualTo("committed");
        List<SpanData> attempts = children(transaction);
        assertThat(attempts).extracting(SpanData::getName).containsExactlyInAnyOrder("attempt 1", "attempt 2");
        SpanData first = attempts.stream().filter(s -> s.getName().equals("attempt 1")).findFirst().orElseThrow();
        assertThat(attr(first, "jeex.db.outcome")).isEqualTo("retried");
        assertThat(attr(first, "error.type")).isEqualTo("serialization_failure");
        SpanData failed = children(first).get(0);
        assertThat(attr(failed, "error.type")).isEqualTo("40001");
        assertThat(failed.getStatus().getStatusCode()).isEqualTo(io.opentelemetry.api.trace.StatusCode.ERROR);
    }

    @Test
    void withoutARegistryNothingIsObserved(TestDatabase testDb) {
        try (JeexDatabase db = JeexDatabase.create(ServiceConfigs.defaults(testDb).build(), new SimpleMeterRegistry(),
                ObservationRegistry.NOOP)) {
            db.transaction(tx -> tx.dsl().selectOne().fetch());
        }
        assertThat(exporter.getFinishedSpanItems()).isEmpty();
    }

    /**
     * A data error's server text quotes the value it rejected ({@code invalid input syntax for type
     * integer: "..."}): the caller's exception leaves it out, and so must every span, the statement's
     * and the attempt's included, whether the value was bound or written into the SQL.
     */
    @Test
    void aValueTheDatabaseRejectedReachesNoSpan(TestDatabase testDb) {
        try (JeexDatabase db = JeexDatabase.create(ServiceConfigs.defaults(testDb).build(), new SimpleMeterRegistry(),
                observations)) {
            Throwable bound = org.assertj.core.api.Assertions.catchThrowable(() -> db.transaction(
                    TxOptions.named("bad_bound_value"), tx -> tx.dsl().fetch("select ?::int", "alan-secret-42")));
            Throwable written = org.assertj.core.api.Assertions.catchThrowable(() -> db.transaction(
                    TxOptions.named("bad_written_value"), tx -> tx.dsl().fetch("select 'alan-secret-43'::int")));
            assertThat(bound).isInstanceOf(io.jeex.db.error.JeexDbException.class);
            assertThat(written).isInstanceOf(io.jeex.db.error.JeexDbException.class);
        }

        SpanData statement = named("SELECT other");
        assertThat(attr(statement, "error.type")).isEqualTo("22P02");
        assertThat(statement.getStatus().getStatusCode()).isEqualTo(io.opentelemetry.api.trace.StatusCode.ERROR);
        assertThat(statement.getEvents()).as("the exception is still recorded").isNotEmpty();
        String everything = exporter.getFinishedSpanItems().stream()
                .map(s -> s.getName() + " " + s.getAttributes() + " " + s.getStatus() + " " + s.getEvents())
                .collect(Collectors.joining("\n"));
        assertThat(everything).contains("22P02").doesNotContain("alan-secret");
    }

    @Test
    void aCommentInTheSqlReachesNoSpan(TestDatabase testDb) {
        try (JeexDatabase db = JeexDatabase.create(ServiceConfigs.defaults(testDb).build(), new SimpleMeterRegistry(),
                observations)) {
            db.transaction(TxOptions.named("commented"), tx -> tx.dsl().fetch(
                    "select count(*) /* for ada@example.com */ from users -- request 7f3a\n"));
        }
        assertThat(attr(named("SELECT users"), "db.query.text"))
                .isEqualTo("select count(*) /*?*/ from users --?\n");
    }
}
