package io.jeex.db;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What one {@link JeexDatabase#maintainPartitions()} did to the monthly partitions of
 * {@code agent_executions}. Partitions are named {@code agent_executions_yYYYYmMM}. Immutable.
 *
 * @param created the partitions made, oldest first: the months ahead that were missing, and the
 *     months of rows that waited in the DEFAULT partition
 * @param movedFromDefault the rows moved out of the DEFAULT partition into the partitions made
 * @param dropped the partitions detached and dropped, wholly past the retention, oldest first
 * @param keptLive the partitions past the retention that were kept because they still hold a
 *     pending or running execution, oldest first; a later run drops them once those have ended
 */
public record PartitionMaintenance(List<String> created, long movedFromDefault, List<String> dropped,
                                   List<String> keptLive) {

    /**
     * Copies the lists.
     *
     * @throws NullPointerException if a list is null
     * @throws IllegalArgumentException if {@code movedFromDefault} is negative
     */
    public PartitionMaintenance {
        created = List.copyOf(requireNonNull(created, "created"));
        dropped = List.copyOf(requireNonNull(dropped, "dropped"));
        keptLive = List.copyOf(requireNonNull(keptLive, "keptLive"));
        if (movedFromDefault < 0) {
            throw new IllegalArgumentException("movedFromDefault must be at least 0, but was " + movedFromDefault);
        }
    }
}
