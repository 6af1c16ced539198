-- V3: row-level security per acting user.
--
-- Every table becomes reachable only through the acting user of the transaction, read with
-- jeex_acting_user_id() (V2), which is NULL when no acting user is set:
--   users                                         a user reaches their own row;
--   projects                                      a user reaches the projects they own;
--   document_versions, agent_executions, exports  a user reaches the rows of the projects they own.
-- Every policy compares with jeex_acting_user_id(), and a comparison with NULL is never true, so
-- the policies fail closed: without an acting user no row is visible and every write is refused.
--
-- ENABLE makes the policies apply to every role that has no BYPASSRLS attribute; FORCE makes
-- them apply to the tables' owner (the migration role) too, so a service that is misconfigured to
-- connect as the owner is still restricted. Work that must cross users (purges, erasure by an
-- operator, the masking copy, data migrations) runs in the library's system mode
-- (TxOptions.asSystem(), JeexDatabase.system()): as the migration role, which must bypass
-- row-level security (docker/postgres/initdb/10-roles.sql gives jeex_owner BYPASSRLS; it owns
-- the tables, so it could switch the policies off anyway). The application role (jeex_user)
-- owns nothing and has no BYPASSRLS: it can neither switch the policies off (ALTER TABLE,
-- CREATE/ALTER/DROP POLICY need ownership) nor bypass them (with SET row_security = off, a
-- query that a policy would filter fails instead of running unfiltered).
--
-- What a policy trusts: jeex.acting_user_id is a custom setting, and any SQL of a session can
-- set it (SET, set_config). The policies therefore protect the data from mistakes in queries (a
-- forgotten WHERE, a wrong id, a join that reaches too far), not from a compromised application
-- role running SQL of its own choice: that role is trusted to run only the library's SQL, which
-- sets the acting user per transaction from JeexDatabase.actingAs / TxOptions.withActingUser.
--
-- Shape: one permissive policy FOR ALL per table (SELECT, INSERT, UPDATE, DELETE), for every
-- role. USING says which existing rows a statement may see, update or delete; WITH CHECK says
-- which rows it may leave behind (an inserted row, an updated row's new version). Both are the
-- same ownership rule, so no statement can move a row to another user or create one for them.
-- Referential actions (ON DELETE CASCADE / SET NULL) and constraint checks are not subject to
-- row-level security: erasing a user removes everything the foreign keys promise, whoever owns
-- the dependent rows.

-- ---------------------------------------------------------------------------
-- users
-- ---------------------------------------------------------------------------
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;

-- A user reaches only their own row. WITH CHECK the same rule: a sign-up inserts the row whose id
-- is the acting user (the library makes the new user's id and acts as it), so signing up needs no
-- system mode, and nobody can create, or take over by changing its id, another user's row.
-- The case-insensitive unique email index still spans every row: a sign-up with a taken email is
-- refused (23505) although the other user's row stays invisible.
CREATE POLICY users_self ON users
    USING (id = jeex_acting_user_id())
    WITH CHECK (id = jeex_acting_user_id());

COMMENT ON POLICY users_self ON users IS
    'A user reaches their own row only (id = jeex_acting_user_id()); without an acting user, none.';

-- ---------------------------------------------------------------------------
-- projects
-- ---------------------------------------------------------------------------
ALTER TABLE projects ENABLE ROW LEVEL SECURITY;
ALTER TABLE projects FORCE ROW LEVEL SECURITY;

-- A user reaches the projects they own. WITH CHECK: a project is created for, and stays with, the
-- acting user (created_by cannot be set or changed to someone else). Served by the indexes that
-- lead with created_by (idx_projects_user_status, idx_projects_user_updated) and, for a lookup by
-- id, by the primary key with this as a filter.
CREATE POLICY projects_owner ON projects
    USING (created_by = jeex_acting_user_id())
    WITH CHECK (created_by = jeex_acting_user_id());

COMMENT ON POLICY projects_owner ON projects IS
    'A user reaches the projects they own (created_by = jeex_acting_user_id()); without an acting user, none.';

-- ---------------------------------------------------------------------------
-- document_versions
-- ---------------------------------------------------------------------------
ALTER TABLE document_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE document_versions FORCE ROW LEVEL SECURITY;

-- A user reaches every version of the documents of the projects they own, whoever wrote it. The
-- ownership test is an EXISTS on projects by primary key, written out here rather than in a
-- function so that the planner can inline it (a hashed subplan or a semi-join for many rows, one
-- index probe for one). WITH CHECK also requires that a version a user writes names them as the
-- author, or nobody: a user cannot attribute text to another user (versions by other authors,
-- such as collaborators, are written in system mode). Versions are never updated; the check also
-- keeps an UPDATE from moving one to another project.
CREATE POLICY document_versions_owner ON document_versions
    USING (EXISTS (SELECT 1 FROM projects p
                    WHERE p.id = document_versions.project_id AND p.created_by = jeex_acting_user_id()))
    WITH CHECK (EXISTS (SELECT 1 FROM projects p
                         WHERE p.id = document_versions.project_id AND p.created_by = jeex_acting_user_id())
                AND (document_versions.created_by IS NULL OR document_versions.created_by = jeex_acting_user_id()));

COMMENT ON POLICY document_versions_owner ON document_versions IS
    'A user reaches the versions of the projects they own, and writes versions authored by themselves or nobody.';

-- ---------------------------------------------------------------------------
-- agent_executions
-- ---------------------------------------------------------------------------
ALTER TABLE agent_executions ENABLE ROW LEVEL SECURITY;
ALTER TABLE agent_executions FORCE ROW LEVEL SECURITY;

-- A user reaches the executions of the projects they own; an agent working for a project acts as
-- the project's owner. Same EXISTS as for document_versions, for the same reasons.
CREATE POLICY agent_executions_owner ON agent_executions
    USING (EXISTS (SELECT 1 FROM projects p
                    WHERE p.id = agent_executions.project_id AND p.created_by = jeex_acting_user_id()))
    WITH CHECK (EXISTS (SELECT 1 FROM projects p
                         WHERE p.id = agent_executions.project_id AND p.created_by = jeex_acting_user_id()));

COMMENT ON POLICY agent_executions_owner ON agent_executions IS
    'A user reaches the agent executions of the projects they own.';

-- ---------------------------------------------------------------------------
-- exports
-- ---------------------------------------------------------------------------
ALTER TABLE exports ENABLE ROW LEVEL SECURITY;
ALTER TABLE exports FORCE ROW LEVEL SECURITY;

-- A user reaches the exports of the projects they own. The purge of expired exports crosses
-- users and runs in system mode.
CREATE POLICY exports_owner ON exports
    USING (EXISTS (SELECT 1 FROM projects p
                    WHERE p.id = exports.project_id AND p.created_by = jeex_acting_user_id()))
    WITH CHECK (EXISTS (SELECT 1 FROM projects p
                         WHERE p.id = exports.project_id AND p.created_by = jeex_acting_user_id()));

COMMENT ON POLICY exports_owner ON exports IS
    'A user reaches the exports of the projects they own.';
