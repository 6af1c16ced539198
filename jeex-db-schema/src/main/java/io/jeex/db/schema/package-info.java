/**
 * The JEEX schema: Flyway SQL migrations under {@code db/migration/jeex} and the single
 * Flyway configuration that applies them ({@link io.jeex.db.schema.JeexSchema}).
 */
package io.jeex.db.schema;
