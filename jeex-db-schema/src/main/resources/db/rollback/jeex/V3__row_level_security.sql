-- Rollback of V3 (V3__row_level_security.sql): removes the row-level security policies and
-- switches row-level security off again on the five tables, which restores the catalog as V2
-- left it (dropping a policy drops its comment).
--
-- No data is lost, but every role with table privileges reaches every row again: roll back only
-- together with a library version that does not rely on the policies.
DROP POLICY exports_owner ON exports;
ALTER TABLE exports NO FORCE ROW LEVEL SECURITY;
ALTER TABLE exports DISABLE ROW LEVEL SECURITY;

DROP POLICY agent_executions_owner ON agent_executions;
ALTER TABLE agent_executions NO FORCE ROW LEVEL SECURITY;
ALTER TABLE agent_executions DISABLE ROW LEVEL SECURITY;

DROP POLICY document_versions_owner ON document_versions;
ALTER TABLE document_versions NO FORCE ROW LEVEL SECURITY;
ALTER TABLE document_versions DISABLE ROW LEVEL SECURITY;

DROP POLICY projects_owner ON projects;
ALTER TABLE projects NO FORCE ROW LEVEL SECURITY;
ALTER TABLE projects DISABLE ROW LEVEL SECURITY;

DROP POLICY users_self ON users;
ALTER TABLE users NO FORCE ROW LEVEL SECURITY;
ALTER TABLE users DISABLE ROW LEVEL SECURITY;
