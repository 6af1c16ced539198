package io.jeex.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.JeexDatabase;
import io.jeex.db.repository.DocumentVersion;
import io.jeex.db.repository.Json;
import io.jeex.db.repository.Project;
import io.jeex.db.repository.Repositories;
import io.jeex.db.repository.User;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A service with a read replica that lags (replay paused): what it just wrote, it reads back;
 * so does an operator's write in system mode on the same instance; the reads that the replica
 * serves are tagged as the replica's.
 */
class ReplicaReadYourWritesTest {

    @Test
    void aLaggingReplicaNeverHidesTheCallersOwnCommittedWrites() throws Exception {
        try (OwnServer primary = OwnServer.start("ryw-primary");
             OwnServer replica = primary.startReplica("ryw_replica")) {
            MeterRegistry registry = new SimpleMeterRegistry();
            try (JeexDatabase db = JeexDatabase.create(ServiceConfigs.defaults(primary.url(), "postgres", null)
                    .replica(r -> r.withUrl(replica.url())).build(), registry)) {
                db.migrate();
                Repositories mine = db.actingAsNewUser();
                User ada = mine.users().create("ada@example.com", "Ada");
                Project p = mine.projects().create(ada.id(), "Engine", "en");
                awaitReplica(db, ada);

                try (Connection c = DriverManager.getConnection(replica.url(), "postgres", "");
                     Statement s = c.createStatement()) {
                    s.execute("select pg_wal_replay_pause()");
                    try {
                        Repositories bobs = db.actingAsNewUser();
                        User bob = bobs.users().create("bob@example.com", "Bob");
                        assertThat(bobs.users().byId(bob.id())).as("read right after its create").isPresent();
                        assertThat(db.system().users().byEmail("bob@example.com")).isPresent();
                        User renamed = mine.users().updateName(ada.id(), "Ada L.");
                        assertThat(mine.users().byId(ada.id())).get().isEqualTo(renamed);
                        DocumentVersion v = mine.documents().append(p.id(), "about", "text", Json.EMPTY, ada.id());
                        assertThat(mine.documents().latest(p.id(), "about")).get().isEqualTo(v);
                        int users = db.readOnly(tx -> tx.dsl().fetchCount(io.jeex.db.codegen.Tables.USERS));
                        assertThat(users).as("a caller's own read-only work").isEqualTo(2);
                    } finally {
                        s.execute("select pg_wal_replay_resume()");
                    }
                }

                // an operator's writes in system mode on this same instance are its own writes too:
                // the only writes while the replica's replay is paused again
                Repositories carols = db.actingAsNewUser();
                User carol = carols.users().create("carol@example.com", "Carol");
                awaitReplica(db, carol);
                try (Connection c = DriverManager.getConnection(replica.url(), "postgres", "");
                     Statement s = c.createStatement()) {
                    s.execute("select pg_wal_replay_pause()");
                    try {
                        db.system().projects().rename(p.id(), "Renamed by an operator");
                        assertThat(mine.projects().byId(p.id())).get().extracting(Project::name)
                                .as("the owner's read right after a system-mode rename").isEqualTo("Renamed by an operator");
                        assertThat(db.system().users().delete(carol.id())).isTrue();
                        assertThat(carols.users().byId(carol.id())).as("an erased user, read right after").isEmpty();
                    } finally {
                        s.execute("select pg_wal_replay_resume()");
                    }
                }

                awaitReplica(db, ada);
                mine.users().byId(ada.id());
                assertThat(registry.find("db.client.operation.duration").tag("pool", "service-replica").timers())
                        .as("statements the replica served are tagged as its").isNotEmpty();
                assertThat(registry.find("jeex.db.transaction").tag("pool", "service-replica").timers())
                        .as("transactions the replica served are tagged as its").isNotEmpty();
            }
        }
    }

    /** Waits until the replica has replayed everything so far (before it does, it may lack the schema). */
    private static void awaitReplica(JeexDatabase db, User user) {
        Awaitility.await("the replica replays the primary's writes up to " + user.id())
                .atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                    String lsn;
                    try (Connection primary = db.dataSource().getConnection();
                         Statement s = primary.createStatement();
                         var rs = s.executeQuery("select pg_current_wal_lsn()::text")) {
                        rs.next();
                        lsn = rs.getString(1);
                    }
                    return Boolean.TRUE.equals(db.readOnly(tx -> tx.dsl().fetchValue(
                            "select pg_last_wal_replay_lsn() >= ?::pg_lsn", lsn)));
                });
    }
}
