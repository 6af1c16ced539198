/**
 * Not API: classification of failures by SQLSTATE over the cause chain, and their translation
 * into the typed errors of {@code io.jeex.db.error}.
 */
package io.jeex.db.internal.error;
