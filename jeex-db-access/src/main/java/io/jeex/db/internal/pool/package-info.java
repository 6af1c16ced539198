/** Not API: HikariCP pools and direct data sources built from the configuration. */
package io.jeex.db.internal.pool;
