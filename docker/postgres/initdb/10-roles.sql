-- jeex-db roles, run once by the postgres image's entrypoint as the superuser, connected to
-- the application database (POSTGRES_DB=jeex_idea). Idempotent: safe to run again.
-- Passwords are not set here (no secret in a file of the repository): 20-passwords.sh sets
-- them from Docker secrets; until then the roles cannot log in.
--
--   jeex_owner      owns the database and its schema; runs the Flyway migrations (DDL) and the
--                   library's system mode (purges, operators' work across users): BYPASSRLS, so
--                   the row-level security policies (migration V3) do not restrict it. As the
--                   tables' owner it could switch them off anyway; the attribute adds no power.
--   jeex_user       the application: reads and writes rows; no DDL (temporary tables included),
--                   no TRUNCATE, not a superuser, cannot create roles or databases, cannot write
--                   Flyway's history table; NOBYPASSRLS and owner of nothing, so the policies
--                   restrict it and it can neither switch them off nor bypass them.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'jeex_owner') THEN
        CREATE ROLE jeex_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'jeex_user') THEN
        CREATE ROLE jeex_user LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
    END IF;
END
$$;
-- Also on a database set up by an earlier version of this script (it created jeex_owner without it).
ALTER ROLE jeex_owner BYPASSRLS;
ALTER ROLE jeex_user NOBYPASSRLS;

-- The owner of the database owns the public schema too (pg_database_owner, PostgreSQL 15+),
-- so migrations run as jeex_owner create everything in it.
-- jeex_user may connect, nothing more: no TEMPORARY either (PUBLIC has it by default). A temporary
-- table is DDL, and behind a transaction-pooling PgBouncer it would stay in the server session
-- and reach the next client. The REVOKE from jeex_user cleans up a database set up by an earlier
-- version of this script, which granted it.
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I OWNER TO jeex_owner', current_database());
    EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM jeex_user', current_database());
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO jeex_user', current_database());
END
$$;

REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO jeex_user;

-- Row access on what exists now, and on everything jeex_owner creates later: a table added by
-- a future migration is reachable by the application without a manual GRANT. That would include
-- Flyway's history table (see the event trigger at the end).
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO jeex_user;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO jeex_user;
ALTER DEFAULT PRIVILEGES FOR ROLE jeex_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO jeex_user;
ALTER DEFAULT PRIVILEGES FOR ROLE jeex_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO jeex_user;
ALTER DEFAULT PRIVILEGES FOR ROLE jeex_owner IN SCHEMA public
    GRANT EXECUTE ON FUNCTIONS TO jeex_user;

-- Every migration and rollback starts with a named restore point (JeexDbConfig.migrationRestorePoint,
-- default required), so that the database can be restored to the moment before it
-- (docs/operations.md, "Restore to a restore point"). Creating one is a superuser's right unless
-- granted: the migration role gets this one function, nothing else of the backup API.
GRANT EXECUTE ON FUNCTION pg_create_restore_point(text) TO jeex_owner;

-- Flyway's history table (public.jeex_schema_history, created by the first migration as
-- jeex_owner) is written by migrations only: an application role that could write it could make
-- Flyway skip or repeat migrations. The default privileges above would give jeex_user INSERT,
-- UPDATE and DELETE on it, so an event trigger takes every write privilege on it (INSERT, UPDATE,
-- DELETE, TRUNCATE) back from every role but its owner right after the statement that created or
-- granted it, within the same transaction; SELECT stays (the library's health check reads the
-- schema version). It runs as the role that ran the statement (the table's owner when Flyway
-- creates it), not as a superuser; a no-op when there is nothing to take back.
-- (Not a Flyway afterMigrate callback: Flyway runs callbacks on a connection of their own, and
-- the library's migration pool has two.)
CREATE SCHEMA IF NOT EXISTS jeex_guard AUTHORIZATION CURRENT_USER;
REVOKE ALL ON SCHEMA jeex_guard FROM PUBLIC;
COMMENT ON SCHEMA jeex_guard IS 'jeex-db deployment guards (docker/postgres/initdb/10-roles.sql); not part of the schema';

CREATE OR REPLACE FUNCTION jeex_guard.schema_history_read_only() RETURNS event_trigger
    LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    history regclass := to_regclass('public.jeex_schema_history');
    grantee text;
BEGIN
    IF history IS NULL THEN
        RETURN;
    END IF;
    FOR grantee IN
        SELECT DISTINCT CASE WHEN acl.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(acl.grantee)) END
          FROM pg_class c
         CROSS JOIN LATERAL aclexplode(c.relacl) acl
         WHERE c.oid = history
           AND acl.grantee <> c.relowner
           AND acl.privilege_type IN ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE')
    LOOP
        -- a GRANT-tag command itself: fires this trigger once more, which then finds nothing to do
        EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON TABLE %s FROM %s', history, grantee);
    END LOOP;
END
$$;

DROP EVENT TRIGGER IF EXISTS jeex_schema_history_read_only;
CREATE EVENT TRIGGER jeex_schema_history_read_only ON ddl_command_end
    WHEN TAG IN ('CREATE TABLE', 'GRANT')
    EXECUTE FUNCTION jeex_guard.schema_history_read_only();
