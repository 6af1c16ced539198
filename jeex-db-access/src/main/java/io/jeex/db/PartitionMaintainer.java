package io.jeex.db;

import static java.util.Objects.requireNonNull;

import io.jeex.db.error.MigrationException;
import io.jeex.db.tx.TxOptions;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jooq.DSLContext;

/**
 * The maintenance of the monthly partitions of agent_executions (migration V5), in one system
 * transaction (the migration role owns the table) under a transaction-scoped advisory lock, so
 * that instances running it at once take turns and each finds the work of the one before done:
 * <ol>
 *   <li>makes the partitions of the current month and the months ahead, and of every month whose
 *       rows wait in the DEFAULT partition, moving those rows into them
 *       ({@code jeex_agent_executions_add_partition});</li>
 *   <li>detaches and drops each partition wholly past the retention, unless it still holds a
 *       pending or running execution (checked after the detach, under its lock; a partition found
 *       live is attached again by rolling back to a savepoint).</li>
 * </ol>
 * The detach is the plain one: {@code DETACH PARTITION ... CONCURRENTLY} cannot run inside a
 * transaction (so neither under the advisory lock nor together with the check for live rows) and
 * PostgreSQL refuses it while a DEFAULT partition exists. The plain detach and the attach of a new
 * partition take their locks within the migration lock timeout ({@code lock_timeout}, set local).
 */
final class PartitionMaintainer {

    /** The advisory lock's text ({@code hashtextextended(text, 0)}). */
    static final String LOCK_KEY = "jeex.agent_executions.partitions";
    private static final TxOptions TX = TxOptions.named("agentExecutions.maintainPartitions").asSystem()
            .withIdempotent(true);
    private static final Pattern MONTH = Pattern.compile("agent_executions_y(\\d{4})m(\\d{2})");

    private final Transactions engine;
    private final PartitionConfig config;
    private final Duration lockTimeout;

    PartitionMaintainer(Transactions engine, PartitionConfig config, Duration lockTimeout) {
        this.engine = requireNonNull(engine, "engine");
        this.config = requireNonNull(config, "config");
        this.lockTimeout = requireNonNull(lockTimeout, "lockTimeout");
    }

    /** @return the name of a month's partition, {@code agent_executions_yYYYYmMM} */
    static String partition(YearMonth month) {
        return "agent_executions_y%04dm%02d".formatted(month.getYear(), month.getMonthValue());
    }

    PartitionMaintenance run() {
        return engine.run(TX, RetryPolicy.Mode.LIBRARY_WRITE, tx -> maintain(tx.dsl(), YearMonth.now(ZoneOffset.UTC)));
    }

    private PartitionMaintenance maintain(DSLContext dsl, YearMonth now) {
        if (dsl.fetchValue("select to_regclass('agent_executions_default')") == null) {
            throw new MigrationException("agent_executions is not partitioned in this database (migration 5, "
                    + "partitioned agent executions, is not applied): migrate first", Migrations.context(null), null);
        }
        dsl.fetch("select set_config('lock_timeout', ?, true)", lockTimeout.toMillis() + "ms");
        dsl.fetch("select pg_advisory_xact_lock(hashtextextended(?, 0))", LOCK_KEY);

        TreeSet<YearMonth> months = new TreeSet<>();
        for (int ahead = 0; ahead <= config.monthsAhead(); ahead++) {
            months.add(now.plusMonths(ahead));
        }
        // rows of months without a partition (UUIDv7 ids only; any other id stays in DEFAULT)
        dsl.fetch("""
                select distinct to_char(uuid_extract_timestamp(id) at time zone 'UTC', 'YYYY-MM')
                  from agent_executions_default
                 where uuid_extract_version(id) = 7 and uuid_extract_timestamp(id) < '9999-01-01'""")
                .forEach(r -> months.add(YearMonth.parse(r.get(0, String.class))));
        List<String> created = new ArrayList<>();
        long moved = 0;
        for (YearMonth month : months) {
            Long n = dsl.fetchOne("select jeex_agent_executions_add_partition(?::date)", month.atDay(1).toString())
                    .get(0, Long.class);
            if (n != null) {
                created.add(partition(month));
                moved += n;
            }
        }

        YearMonth oldestKept = now.minusMonths(config.retentionMonths());
        List<String> dropped = new ArrayList<>();
        List<String> keptLive = new ArrayList<>();
        List<String> partitions = dsl.fetch("select c.relname::text from pg_inherits i join pg_class c on c.oid = "
                + "i.inhrelid where i.inhparent = 'agent_executions'::regclass order by 1").map(r -> r.get(0, String.class));
        for (String name : partitions) {
            Matcher m = MONTH.matcher(name);
            if (!m.matches() || !YearMonth.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)))
                    .isBefore(oldestKept)) {
                continue;
            }
            // the name matched the pattern above: safe to write into the statement
            dsl.execute("savepoint jeex_partition_drop");
            dsl.execute("alter table agent_executions detach partition " + name);
            boolean live = dsl.fetchOne("select exists (select 1 from " + name
                    + " where status in ('pending', 'running'))").get(0, Boolean.class);
            if (live) {
                dsl.execute("rollback to savepoint jeex_partition_drop");
                keptLive.add(name);
            } else {
                dsl.execute("drop table " + name);
                dsl.execute("release savepoint jeex_partition_drop");
                dropped.add(name);
            }
        }
        return new PartitionMaintenance(created, moved, dropped, keptLive);
    }
}
