package io.jeex.db.cli;

import io.jeex.db.JeexDatabase;
import io.jeex.db.schema.Catalog;
import io.jeex.db.schema.JeexSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Drift: what the live catalog holds that the migrations do not make, or lacks, or holds otherwise
 * (a hotfix index, a changed default, a dropped constraint). The migrations are applied, up to the
 * live database's version, to a scratch database on a throw-away embedded PostgreSQL 18 (the
 * tool's own binaries, in a temporary directory deleted at the end), which never touches the live
 * server; the roles of the live server are created there first (without login or password), so
 * that migrations that name roles apply. The service's own migrations, when the configuration has
 * them, are applied after jeex-db's, up to their live version. Then both catalogs are read ({@link Catalog}) and compared.
 */
final class Drift {

    /**
     * The comparison.
     *
     * @param version the schema version both are at
     * @param differences every difference, by object
     */
    record Report(String version, List<Catalog.Difference> differences) {
    }

    private Drift() {
    }

    /**
     * @param db the live database
     * @param version its schema version (applied migrations valid)
     * @param serviceVersion the version of the service's own migrations
     *     ({@link io.jeex.db.JeexDbConfig#serviceMigrations()}), applied after jeex-db's, or null
     * @return the differences
     * @throws SQLException if a catalog cannot be read
     */
    static Report compare(JeexDatabase db, String version, String serviceVersion) throws SQLException {
        Catalog live;
        List<String> roles = new ArrayList<>();
        try (Connection c = db.migrationDataSource().getConnection()) {
            live = Catalog.read(c);
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "select rolname from pg_roles where rolname !~ '^pg_' order by 1")) {
                while (rs.next()) {
                    roles.add(rs.getString(1));
                }
            }
        }
        try (EmbeddedServer scratch = EmbeddedServer.throwAway()) {
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setURL(scratch.jdbcUrl(EmbeddedServer.DATABASE));
            ds.setUser(scratch.user());
            try (Connection c = ds.getConnection()) {
                for (String role : roles) {
                    try (PreparedStatement ps = c.prepareStatement("select 1 from pg_roles where rolname = ?")) {
                        ps.setString(1, role);
                        try (ResultSet rs = ps.executeQuery()) {
                            if (rs.next()) {
                                continue;
                            }
                        }
                    }
                    try (Statement s = c.createStatement()) {
                        s.execute("create role \"" + role.replace("\"", "\"\"") + "\" nologin");
                    }
                }
            }
            JeexSchema.flywayConfiguration(ds).target(version).load().migrate();
            if (serviceVersion != null) {
                db.config().serviceMigrations().orElseThrow()
                        .flywayConfiguration(ds)
                        .target(serviceVersion).load().migrate();
            }
            try (Connection c = ds.getConnection()) {
                return new Report(serviceVersion == null ? version : version + ", "
                        + db.config().serviceMigrations().orElseThrow().name() + " " + serviceVersion, Catalog.read(c).differencesTo(live));
            }
        }
    }
}
