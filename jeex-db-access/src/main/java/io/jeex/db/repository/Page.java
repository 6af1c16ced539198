package io.jeex.db.repository;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * One page of a keyset-paginated list.
 *
 * @param items the rows of this page, in list order
 * @param nextCursor the cursor of the next page; empty on the last page
 * @param <T> the row type
 */
public record Page<T>(List<T> items, Optional<String> nextCursor) {

    /**
     * Creates a page.
     *
     * @throws NullPointerException if an argument is null
     */
    public Page {
        items = List.copyOf(requireNonNull(items, "items"));
        requireNonNull(nextCursor, "nextCursor");
    }

    /** @return whether a next page may exist */
    public boolean hasNext() {
        return nextCursor.isPresent();
    }
}
