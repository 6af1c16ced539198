/**
 * Build-time jOOQ code generation from a database provisioned by the testkit; used by the
 * jeex-db-codegen build. Needs jooq-codegen on the class path (an optional dependency).
 */
package io.jeex.db.testkit.codegen;
