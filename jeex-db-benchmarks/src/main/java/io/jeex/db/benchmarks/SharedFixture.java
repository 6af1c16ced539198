package io.jeex.db.benchmarks;

import io.jeex.db.JeexDatabase;
import io.jeex.db.benchmarks.peers.Workload;
import io.jeex.db.repository.NewAgentExecution;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every thread of a workload reads: 1000 users to look up, an owner with 200 projects and
 * the position of its second page, the rows of a batch insert, and the source of new emails.
 */
final class SharedFixture {

    final List<UUID> users;
    final UUID pageOwner;
    final Workload.PageKey secondPage;
    final List<NewAgentExecution> batch;
    private final AtomicLong emails = new AtomicLong();

    SharedFixture(JeexDatabase db) {
        Fixtures fixtures = new Fixtures(db);
        users = fixtures.users(1000);
        pageOwner = fixtures.user("owner");
        secondPage = fixtures.secondPage(pageOwner, 200);
        batch = fixtures.runningExecutions(fixtures.project(fixtures.user("batch")), BatchInsertBenchmark.ROWS,
                UUID.randomUUID(), true);
        fixtures.analyze();
    }

    String nextEmail() {
        return "bench" + emails.incrementAndGet() + "@example.com";
    }

    UUID anyUser() {
        return users.get(ThreadLocalRandom.current().nextInt(users.size()));
    }
}
