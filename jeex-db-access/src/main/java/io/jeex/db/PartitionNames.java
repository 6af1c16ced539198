package io.jeex.db;

import java.util.regex.Pattern;

/**
 * The partitions of agent_executions (migration V5: {@code agent_executions_yYYYYmMM} and
 * {@code agent_executions_default}) as the server names them in an error: a row routed into a
 * partition breaks the partition's primary key ({@code agent_executions_y2026m12_pkey}) and is
 * reported on the partition's table. Callers see the table they wrote to and the constraint names
 * of the schema ({@link ConstraintMessages}), never a partition's.
 */
final class PartitionNames {

    private static final Pattern PARTITION = Pattern.compile("agent_executions_(?:y\\d{4}m\\d{2}|default)");

    private PartitionNames() {
    }

    /** @return the partitioned table for a partition's name, else the name itself (null stays null) */
    static String table(String table) {
        return table != null && PARTITION.matcher(table).matches() ? "agent_executions" : table;
    }

    /** @return the parent's key for a partition's primary key, else the name itself (null stays null) */
    static String constraint(String constraint) {
        if (constraint != null && constraint.endsWith("_pkey")
                && PARTITION.matcher(constraint.substring(0, constraint.length() - 5)).matches()) {
            return "agent_executions_pkey";
        }
        return constraint;
    }
}
