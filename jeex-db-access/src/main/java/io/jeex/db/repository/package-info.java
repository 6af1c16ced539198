/**
 * Repositories for the five tables, reached through {@link io.jeex.db.repository.Repositories}
 * from {@link io.jeex.db.JeexDatabase}: {@code db.actingAs(userId)} (every call acts as that user,
 * and row-level security lets it reach only their rows), {@code db.actingAsNewUser()} (a sign-up)
 * and {@code db.system()} (system mode, across users); each has {@code users()}, {@code projects()},
 * {@code documents()}, {@code agentExecutions()}, {@code exports()}. Every operation's javadoc says
 * whether it is user-scoped or system-scoped. They validate input before it reaches the database
 * ({@link io.jeex.db.error.InvalidInputException}), run each call in its own managed transaction or
 * join the caller's, and return immutable records.
 */
package io.jeex.db.repository;
