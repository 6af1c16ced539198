-- V6: document_versions and exports get PRIMARY KEY (id, project_id), as agent_executions did in V5.
--
-- Why: the decision in docs/scaling.md ("Key changes: decision"). Citus, the engine a JEEX
-- deployment would move to past one primary, needs the distribution column (project_id) in every
-- primary and unique key; the change only gets dearer with data, and 0.1.0 is unreleased. id stays
-- first, so the key still serves every lookup by id alone (byId, the guarded status changes, the
-- retry's outcome checks). What is lost: the database no longer refuses the same id in two
-- projects; ids are UUIDv7 made by the library, and no foreign key references these ids.
-- The constraint names stay (ConstraintMessages maps them). Each key's index is rebuilt under an
-- ACCESS EXCLUSIVE lock on its table, bounded by the migration's lock_timeout; both tables are small
-- next to agent_executions. squawk's two findings are taken knowingly: the lock-free form
-- (CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... PRIMARY KEY USING INDEX) needs a
-- migration outside a transaction, which none of ours is (.squawk.toml, assume_in_transaction),
-- and still takes the ACCESS EXCLUSIVE lock to swap the key; before 0.1.0 no installation holds
-- enough rows for the index build to matter.
ALTER TABLE document_versions DROP CONSTRAINT document_versions_pkey,
    -- squawk-ignore adding-serial-primary-key-field, constraint-missing-not-valid
    ADD CONSTRAINT document_versions_pkey PRIMARY KEY (id, project_id);
ALTER TABLE exports DROP CONSTRAINT exports_pkey,
    -- squawk-ignore adding-serial-primary-key-field, constraint-missing-not-valid
    ADD CONSTRAINT exports_pkey PRIMARY KEY (id, project_id);
