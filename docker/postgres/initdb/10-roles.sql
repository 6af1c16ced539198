-- jeex-db roles, run once by the postgres image's entrypoint as the superuser, connected to
-- the application database (POSTGRES_DB=jeex_idea). Idempotent: safe to run again.
-- Passwords are not set here (no secret in a file of the repository): 20-passwords.sh sets
-- them from Docker secrets; until then the roles cannot log in.
--
--   jeex_owner      owns the database and its schema; runs the Flyway migrations (DDL).
--   jeex_user       the application: reads and writes rows; no DDL, no TRUNCATE, not a
--                   superuser, cannot create roles or databases.

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

-- The owner of the database owns the public schema too (pg_database_owner, PostgreSQL 15+),
-- so migrations run as jeex_owner create everything in it.
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I OWNER TO jeex_owner', current_database());
    EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO jeex_user', current_database());
END
$$;

REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO jeex_user;

-- Row access on what exists now, and on everything jeex_owner creates later: a table added by
-- a future migration is reachable by the application without a manual GRANT.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO jeex_user;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO jeex_user;
ALTER DEFAULT PRIVILEGES FOR ROLE jeex_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO jeex_user;
ALTER DEFAULT PRIVILEGES FOR ROLE jeex_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO jeex_user;
ALTER DEFAULT PRIVILEGES FOR ROLE jeex_owner IN SCHEMA public
    GRANT EXECUTE ON FUNCTIONS TO jeex_user;
