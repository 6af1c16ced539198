/**
 * Not API: the parts of a {@code JeexDatabase} (pools, circuit breakers, retry, transaction
 * runner, metrics) and small helpers. Later features (repositories, health, metrics) reach them
 * through {@link io.jeex.db.internal.DatabaseRuntime}. May change in any release.
 */
package io.jeex.db.internal;
