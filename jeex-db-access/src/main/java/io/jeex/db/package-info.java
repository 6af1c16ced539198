/**
 * The jeex-db runtime: the entry point a JEEX service holds ({@link io.jeex.db.JeexDatabase}), its
 * configuration ({@link io.jeex.db.JeexDbConfig}) and the results of its migrations.
 *
 * <p>The engine behind it (pools, the transaction runner and its retry policy, error translation,
 * health probes, meters and observations, migrations, the repositories' implementations) lives in
 * this package too, package-private: it is not API, and no class outside jeex-db can reach it. The
 * API is this package's public types and the packages {@code error}, {@code health},
 * {@code repository} and {@code tx}; {@code api/jeex-db-access.txt} lists it, and a test fails when
 * it changes without that listing (see {@code docs/architecture.md}).
 */
package io.jeex.db;
