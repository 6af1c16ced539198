package io.jeex.db.cli;

/** Texts of {@code --help} that more than one command shows. */
final class Help {

    /** The environment variables, one per line of at most 79 characters (picocli's {@code %n}). */
    static final String ENVIRONMENT = ""
            + "  JEEX_DB_URL              JDBC URL, jdbc:postgresql://host:5432/db; unset:%n"
            + "                           the embedded PostgreSQL 18 (see --data-dir)%n"
            + "  JEEX_DB_USER             user to connect as%n"
            + "  JEEX_DB_PASSWORD(_FILE)  its password, or a file holding it%n"
            + "  JEEX_DB_MIGRATION_URL    direct URL for migrations (never PgBouncer);%n"
            + "                           default JEEX_DB_URL%n"
            + "  JEEX_DB_MIGRATION_USER   the role that owns the schema; default JEEX_DB_USER%n"
            + "  JEEX_DB_MIGRATION_PASSWORD(_FILE)%n"
            + "                           its password; default JEEX_DB_PASSWORD(_FILE)%n"
            + "  JEEX_DB_MIGRATION_LOCK_TIMEOUT%n"
            + "                           lock_timeout of migrations and rollbacks (default 5s)%n"
            + "  JEEX_DB_MIGRATION_RESTORE_POINT%n"
            + "                           required, if_permitted or off (default required)%n"
            + "  JEEX_DB_CONNECT_TIMEOUT  bound of connect and login (default 10s)%n"
            + "  JEEX_DB_HEALTH_TIMEOUT   bound of a health check (default 2s)%n"
            + "  JEEX_DB_PGBOUNCER        true when JEEX_DB_URL goes through PgBouncer%n"
            + "  JEEX_DB_REPLICA_URLS     read replicas, comma-separated (or one in%n"
            + "                           JEEX_DB_REPLICA_URL), checked by health%n"
            + "  JEEX_DB_PARTITION_MONTHS_AHEAD, JEEX_DB_PARTITION_RETENTION_MONTHS%n"
            + "                           partitions: months made ahead (default 3) and%n"
            + "                           whole months kept (default 3)%n"
            + "  JEEX_DB_SERVICE_NAME, JEEX_DB_SERVICE_LOCATIONS%n"
            + "                           a service's own migrations, applied after%n"
            + "                           jeex-db's: its name and Flyway locations, comma-%n"
            + "                           separated (filesystem:/srv/ideas/migrations)%n"
            + "  JEEX_DB_SERVICE_SCHEMA, JEEX_DB_SERVICE_HISTORY_TABLE%n"
            + "                           their schema (public) and history table%n"
            + "                           (<name>_schema_history)%n"
            + "  " + Environment.EMBEDDED_DIR + "     data directory of the embedded PostgreSQL%n"
            + "                           (default ~/.jeex-db/embedded; --data-dir wins)%n"
            + "  Every other JEEX_DB_* setting of JeexDbConfig.fromEnvironment applies too%n"
            + "  (README, \"Using the library\").";

    private Help() {
    }
}
