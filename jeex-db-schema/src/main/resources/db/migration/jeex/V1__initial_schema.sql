-- V1: the first JEEX schema.
--
-- Creates users, projects, document_versions, agent_executions and exports with
-- the columns and indexes of the original design, corrected as follows (each
-- correction is explained where it is made):
--   * TIMESTAMPTZ everywhere: every column records an instant, not a wall-clock reading.
--   * ids default to uuidv7() (built into PostgreSQL 18): time-ordered, so new rows
--     land at the right edge of the primary-key index instead of at random pages.
--   * foreign keys to projects are NOT NULL; every foreign key has an explicit,
--     documented ON DELETE rule.
--   * one case-insensitive unique index on users' email (the original declared the
--     unique email twice, both case-sensitive).
--   * CHECK constraints on status values, current_step, language codes, versions,
--     JSONB shapes and completion times.
--   * updated_at is maintained by a trigger, not by every caller.
--   * comments on every table and column (they become javadoc in generated code).

-- Keeps updated_at honest: set by the database on every update that changes the row,
-- whatever the caller sent. now() is the transaction's start time, so all rows
-- touched by one transaction carry the same instant.
CREATE FUNCTION jeex_touch_updated_at() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

COMMENT ON FUNCTION jeex_touch_updated_at() IS
    'Trigger function: sets updated_at to now() on every UPDATE that changes a row.';

-- ---------------------------------------------------------------------------
-- users
-- ---------------------------------------------------------------------------
CREATE TABLE users
(
    id            UUID         NOT NULL DEFAULT uuidv7(),
    email         VARCHAR(255) NOT NULL,
    name          VARCHAR(255) NOT NULL,
    profile_data  JSONB        NOT NULL DEFAULT '{}'::jsonb,
    created_at    TIMESTAMPTZ  NOT NULL DEFAULT now(),
    last_login_at TIMESTAMPTZ,
    updated_at    TIMESTAMPTZ  NOT NULL DEFAULT now(),
    CONSTRAINT users_pkey PRIMARY KEY (id),
    -- A deliberately loose shape check (one @, no blanks, a dot in the domain): the
    -- application validates properly; this only keeps obvious garbage out.
    CONSTRAINT users_email_format_check CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$'),
    CONSTRAINT users_name_not_blank_check CHECK (btrim(name) <> ''),
    CONSTRAINT users_profile_data_object_check CHECK (jsonb_typeof(profile_data) = 'object'),
    CONSTRAINT users_last_login_after_created_check CHECK (last_login_at IS NULL OR last_login_at >= created_at)
);

-- Email addresses are compared case-insensitively: Alice@x.io and alice@x.io are one user.
-- This single index replaces the original's UNIQUE column constraint plus a second
-- unique index on the same column.
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));

CREATE TRIGGER users_touch_updated_at
    BEFORE UPDATE ON users
    FOR EACH ROW
    WHEN (OLD.* IS DISTINCT FROM NEW.*)
EXECUTE FUNCTION jeex_touch_updated_at();

COMMENT ON TABLE users IS 'A person who signs in to JEEX and owns projects.';
COMMENT ON COLUMN users.id IS 'Primary key, a time-ordered UUID version 7.';
COMMENT ON COLUMN users.email IS 'Sign-in email address, unique without regard to case.';
COMMENT ON COLUMN users.name IS 'Display name, never blank.';
COMMENT ON COLUMN users.profile_data IS 'Free-form profile settings, always a JSON object.';
COMMENT ON COLUMN users.created_at IS 'When the user was created.';
COMMENT ON COLUMN users.last_login_at IS 'When the user last signed in, or null if never.';
COMMENT ON COLUMN users.updated_at IS 'When the row last changed; maintained by the database.';

-- ---------------------------------------------------------------------------
-- projects
-- ---------------------------------------------------------------------------
CREATE TABLE projects
(
    id           UUID         NOT NULL DEFAULT uuidv7(),
    name         VARCHAR(255) NOT NULL,
    status       VARCHAR(50)  NOT NULL DEFAULT 'draft',
    current_step INTEGER      NOT NULL DEFAULT 1,
    language     VARCHAR(10)  NOT NULL DEFAULT 'en',
    created_by   UUID         NOT NULL,
    created_at   TIMESTAMPTZ  NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ  NOT NULL DEFAULT now(),
    CONSTRAINT projects_pkey PRIMARY KEY (id),
    -- ON DELETE CASCADE: a project belongs to the user who created it; erasing a user
    -- (for example on a right-to-erasure request) erases their projects and, through
    -- the cascades below, everything in them.
    CONSTRAINT projects_created_by_fkey FOREIGN KEY (created_by) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT projects_name_not_blank_check CHECK (btrim(name) <> ''),
    CONSTRAINT projects_status_check CHECK (status IN ('draft', 'in_progress', 'completed', 'archived')),
    CONSTRAINT projects_current_step_check CHECK (current_step BETWEEN 1 AND 4),
    -- ISO 639-1/639-2 language, optionally with an ISO 3166 region: en, de, fil, pt-BR.
    CONSTRAINT projects_language_check CHECK (language ~ '^[a-z]{2,3}(-[A-Z]{2})?$')
);

CREATE INDEX idx_projects_created ON projects (created_at DESC);
-- The owner's project list, filtered by status, most recently updated first; id breaks
-- ties so that keyset pagination is exact. Also serves the created_by foreign key.
CREATE INDEX idx_projects_user_status ON projects (created_by, status, updated_at DESC, id DESC);
-- The owner's project list without a status filter (keyset pagination as above).
CREATE INDEX idx_projects_user_updated ON projects (created_by, updated_at DESC, id DESC);

CREATE TRIGGER projects_touch_updated_at
    BEFORE UPDATE ON projects
    FOR EACH ROW
    WHEN (OLD.* IS DISTINCT FROM NEW.*)
EXECUTE FUNCTION jeex_touch_updated_at();

COMMENT ON TABLE projects IS 'A JEEX idea project, worked through four steps, in one language.';
COMMENT ON COLUMN projects.id IS 'Primary key, a time-ordered UUID version 7.';
COMMENT ON COLUMN projects.name IS 'Project name, never blank.';
COMMENT ON COLUMN projects.status IS 'One of draft, in_progress, completed, archived.';
COMMENT ON COLUMN projects.current_step IS 'The wizard step the project is at, 1 to 4.';
COMMENT ON COLUMN projects.language IS 'Language of the generated documents: ISO 639 code with optional ISO 3166 region, for example en or pt-BR.';
COMMENT ON COLUMN projects.created_by IS 'The owning user; deleting the user deletes the project.';
COMMENT ON COLUMN projects.created_at IS 'When the project was created.';
COMMENT ON COLUMN projects.updated_at IS 'When the row last changed; maintained by the database.';

-- ---------------------------------------------------------------------------
-- document_versions
-- ---------------------------------------------------------------------------
CREATE TABLE document_versions
(
    id            UUID        NOT NULL DEFAULT uuidv7(),
    project_id    UUID        NOT NULL,
    document_type VARCHAR(50) NOT NULL,
    version       INTEGER     NOT NULL,
    content       TEXT        NOT NULL,
    metadata      JSONB       NOT NULL DEFAULT '{}'::jsonb,
    created_by    UUID,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT document_versions_pkey PRIMARY KEY (id),
    -- ON DELETE CASCADE: versions are part of their project and mean nothing without it.
    CONSTRAINT document_versions_project_id_fkey FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE,
    -- ON DELETE SET NULL: a version written by a collaborator outlives that collaborator's
    -- account; the history stays, only the author is forgotten.
    CONSTRAINT document_versions_created_by_fkey FOREIGN KEY (created_by) REFERENCES users (id) ON DELETE SET NULL,
    -- Versions are numbered 1, 2, 3... per project and document type. This constraint
    -- (its index) also serves every lookup by (project_id, document_type), which is why
    -- the original's separate index on those two columns is not created.
    CONSTRAINT document_versions_project_type_version_key UNIQUE (project_id, document_type, version),
    CONSTRAINT document_versions_document_type_check CHECK (document_type ~ '^[a-z][a-z0-9_]{0,49}$'),
    CONSTRAINT document_versions_version_check CHECK (version > 0),
    CONSTRAINT document_versions_metadata_object_check CHECK (jsonb_typeof(metadata) = 'object')
);

CREATE INDEX idx_documents_project_version ON document_versions (project_id, version DESC);
-- Serves the created_by foreign key (SET NULL on user deletion would otherwise scan).
CREATE INDEX idx_documents_created_by ON document_versions (created_by) WHERE created_by IS NOT NULL;

COMMENT ON TABLE document_versions IS 'Immutable versions of a project''s documents, numbered per project and document type.';
COMMENT ON COLUMN document_versions.id IS 'Primary key, a time-ordered UUID version 7.';
COMMENT ON COLUMN document_versions.project_id IS 'The project; deleting the project deletes its versions.';
COMMENT ON COLUMN document_versions.document_type IS 'Kind of document, a lower-case identifier such as about or architecture.';
COMMENT ON COLUMN document_versions.version IS 'Version number, 1 for the first version, unique per project and document type.';
COMMENT ON COLUMN document_versions.content IS 'The document text.';
COMMENT ON COLUMN document_versions.metadata IS 'Free-form metadata about this version, always a JSON object.';
COMMENT ON COLUMN document_versions.created_by IS 'The author, or null when unknown or the author''s account was deleted.';
COMMENT ON COLUMN document_versions.created_at IS 'When the version was written.';

-- ---------------------------------------------------------------------------
-- agent_executions
-- ---------------------------------------------------------------------------
CREATE TABLE agent_executions
(
    id             UUID        NOT NULL DEFAULT uuidv7(),
    project_id     UUID        NOT NULL,
    agent_type     VARCHAR(50) NOT NULL,
    correlation_id UUID        NOT NULL,
    input_data     JSONB,
    output_data    JSONB,
    status         VARCHAR(50) NOT NULL DEFAULT 'pending',
    error_message  TEXT,
    started_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    completed_at   TIMESTAMPTZ,
    CONSTRAINT agent_executions_pkey PRIMARY KEY (id),
    -- ON DELETE CASCADE: the execution log is part of the project.
    CONSTRAINT agent_executions_project_id_fkey FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE,
    CONSTRAINT agent_executions_agent_type_not_blank_check CHECK (btrim(agent_type) <> ''),
    CONSTRAINT agent_executions_status_check CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
    CONSTRAINT agent_executions_input_data_object_check CHECK (input_data IS NULL OR jsonb_typeof(input_data) = 'object'),
    CONSTRAINT agent_executions_output_data_object_check CHECK (output_data IS NULL OR jsonb_typeof(output_data) = 'object'),
    CONSTRAINT agent_executions_completed_after_started_check CHECK (completed_at IS NULL OR completed_at >= started_at),
    -- A terminal execution (completed, failed, cancelled) has a completion time; a live one has none.
    CONSTRAINT agent_executions_completed_at_state_check
        CHECK ((status IN ('completed', 'failed', 'cancelled')) = (completed_at IS NOT NULL))
);

CREATE INDEX idx_executions_project ON agent_executions (project_id, started_at DESC);
CREATE INDEX idx_executions_correlation ON agent_executions (correlation_id);
CREATE INDEX idx_executions_status ON agent_executions (status, started_at);

COMMENT ON TABLE agent_executions IS 'One run of an AI agent for a project, from start to a terminal state.';
COMMENT ON COLUMN agent_executions.id IS 'Primary key, a time-ordered UUID version 7.';
COMMENT ON COLUMN agent_executions.project_id IS 'The project; deleting the project deletes its executions.';
COMMENT ON COLUMN agent_executions.agent_type IS 'Which agent ran, for example business_analyst.';
COMMENT ON COLUMN agent_executions.correlation_id IS 'Correlates the executions of one request across agents and services.';
COMMENT ON COLUMN agent_executions.input_data IS 'The agent''s input, a JSON object, or null.';
COMMENT ON COLUMN agent_executions.output_data IS 'The agent''s output, a JSON object, or null until it completes.';
COMMENT ON COLUMN agent_executions.status IS 'One of pending, running, completed, failed, cancelled; the last three are terminal.';
COMMENT ON COLUMN agent_executions.error_message IS 'Why the execution failed, or null.';
COMMENT ON COLUMN agent_executions.started_at IS 'When the execution started.';
COMMENT ON COLUMN agent_executions.completed_at IS 'When the execution reached a terminal state; null while it runs; never before started_at.';

-- ---------------------------------------------------------------------------
-- exports
-- ---------------------------------------------------------------------------
CREATE TABLE exports
(
    id         UUID        NOT NULL DEFAULT uuidv7(),
    project_id UUID        NOT NULL,
    status     VARCHAR(50) NOT NULL DEFAULT 'pending',
    file_path  TEXT,
    manifest   JSONB       NOT NULL DEFAULT '{}'::jsonb,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at TIMESTAMPTZ NOT NULL DEFAULT (now() + INTERVAL '24 hours'),
    CONSTRAINT exports_pkey PRIMARY KEY (id),
    -- ON DELETE CASCADE: an export is derived from its project. The files on disk are
    -- not the database's to remove; the purge job reads file_path before deleting rows.
    CONSTRAINT exports_project_id_fkey FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE,
    CONSTRAINT exports_status_check CHECK (status IN ('pending', 'processing', 'completed', 'failed')),
    CONSTRAINT exports_manifest_object_check CHECK (jsonb_typeof(manifest) = 'object'),
    CONSTRAINT exports_completed_has_file_check CHECK (status <> 'completed' OR file_path IS NOT NULL),
    CONSTRAINT exports_expires_after_created_check CHECK (expires_at > created_at)
);

CREATE INDEX idx_exports_project ON exports (project_id);
CREATE INDEX idx_exports_expires ON exports (expires_at) WHERE status = 'completed';

COMMENT ON TABLE exports IS 'An export of a project''s documents to a downloadable file, kept until it expires.';
COMMENT ON COLUMN exports.id IS 'Primary key, a time-ordered UUID version 7.';
COMMENT ON COLUMN exports.project_id IS 'The exported project; deleting the project deletes its exports.';
COMMENT ON COLUMN exports.status IS 'One of pending, processing, completed, failed.';
COMMENT ON COLUMN exports.file_path IS 'Where the exported file is stored; set once the export has completed.';
COMMENT ON COLUMN exports.manifest IS 'What the export contains, always a JSON object.';
COMMENT ON COLUMN exports.created_at IS 'When the export was requested.';
COMMENT ON COLUMN exports.expires_at IS 'When the export may be purged; 24 hours after creation by default.';
