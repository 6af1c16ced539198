package io.jeex.db;

import static io.jeex.db.ConfigChecks.atLeast;

import io.jeex.db.repository.AgentExecutionRepository;

/**
 * How {@link JeexDatabase#maintainPartitions()} keeps the monthly partitions of
 * {@code agent_executions} (migration V5): how many months ahead exist, and how many whole months
 * back are kept before a month's partition is dropped. Immutable; derive a changed copy with the
 * {@code withX} methods, starting from {@link #DEFAULTS}. Months are calendar months in UTC, the
 * month of an execution is that of its UUIDv7 id (when the library made it).
 *
 * <p>Environment variables ({@link JeexDbConfig#fromEnvironment(java.util.Map)}):
 * JEEX_DB_PARTITION_MONTHS_AHEAD, JEEX_DB_PARTITION_RETENTION_MONTHS.
 *
 * @param monthsAhead how many months after the current one have their partition made ahead;
 *     0 to 24; default {@value #DEFAULT_MONTHS_AHEAD}
 * @param retentionMonths how many whole months before the current one are kept: a month's
 *     partition is dropped once the month ended at least this many months before the current
 *     month began (in December with 3: August and older), and only when it holds no pending or
 *     running execution; 1 to 120; default
 *     {@link #DEFAULT_RETENTION_MONTHS}, {@link AgentExecutionRepository#DEFAULT_RETENTION} (90
 *     days) rounded up to whole months of 30 days: 3
 */
public record PartitionConfig(int monthsAhead, int retentionMonths) {

    /** The default of {@link #monthsAhead()}: 3. */
    public static final int DEFAULT_MONTHS_AHEAD = 3;

    /**
     * The default of {@link #retentionMonths()}: {@link AgentExecutionRepository#DEFAULT_RETENTION}
     * rounded up to whole months of 30 days, 3.
     */
    public static final int DEFAULT_RETENTION_MONTHS =
            (int) ((AgentExecutionRepository.DEFAULT_RETENTION.toDays() + 29) / 30);

    /** Every default: partitions three months ahead, three whole months kept. */
    public static final PartitionConfig DEFAULTS = new PartitionConfig(DEFAULT_MONTHS_AHEAD, DEFAULT_RETENTION_MONTHS);

    /**
     * Checks every value.
     *
     * @throws IllegalArgumentException if a value breaks its rule (see the components); the message
     *     names the property, the rule and the value
     */
    public PartitionConfig {
        atLeast("partitionMonthsAhead", monthsAhead, 0);
        atMost("partitionMonthsAhead", monthsAhead, 24);
        atLeast("partitionRetentionMonths", retentionMonths, 1);
        atMost("partitionRetentionMonths", retentionMonths, 120);
    }

    private static void atMost(String property, int value, int max) {
        if (value > max) {
            throw new IllegalArgumentException(property + " must be at most " + max + ", but was " + value);
        }
    }

    /**
     * @param monthsAhead see {@link #monthsAhead()}
     * @return a copy with this value
     * @throws IllegalArgumentException if not from 0 to 24
     */
    public PartitionConfig withMonthsAhead(int monthsAhead) {
        return new PartitionConfig(monthsAhead, retentionMonths);
    }

    /**
     * @param retentionMonths see {@link #retentionMonths()}
     * @return a copy with this value
     * @throws IllegalArgumentException if not from 1 to 120
     */
    public PartitionConfig withRetentionMonths(int retentionMonths) {
        return new PartitionConfig(monthsAhead, retentionMonths);
    }

    /** @return every value, named as in error messages */
    @Override
    public String toString() {
        return "PartitionConfig[partitionMonthsAhead=" + monthsAhead + ", partitionRetentionMonths=" + retentionMonths + "]";
    }
}
