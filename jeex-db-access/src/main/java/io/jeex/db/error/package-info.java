/**
 * The typed errors of jeex-db: one unchecked root, {@link io.jeex.db.error.JeexDbException},
 * and a subclass per category a caller reacts to differently (a duplicate, a missing row, a
 * lost race, an unavailable database...). Each carries the SQLSTATE, constraint, table and
 * column where PostgreSQL reports them, and the number of attempts the transaction made.
 *
 * <p>Messages never contain PostgreSQL's DETAIL (row values, often personal data) unless
 * {@code JeexDbConfig.includeErrorDetail()} is set; neither do the causes of a data error
 * (SQLSTATE class 22), whose server text echoes the rejected value. Parameters and return values in this
 * package are non-null unless documented otherwise.
 */
package io.jeex.db.error;
