/**
 * Repositories for the five tables, reached from {@link io.jeex.db.JeexDatabase}:
 * {@code users()}, {@code projects()}, {@code documents()}, {@code agentExecutions()},
 * {@code exports()}. They validate input before it reaches the database
 * ({@link io.jeex.db.error.InvalidInputException}), run each call in its own managed
 * transaction or join the caller's, and return immutable records.
 */
package io.jeex.db.repository;
