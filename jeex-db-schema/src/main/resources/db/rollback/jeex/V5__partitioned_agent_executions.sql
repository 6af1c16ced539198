-- Rollback of V5 (V5__partitioned_agent_executions.sql): agent_executions becomes a plain table
-- again, with V4's key (id), constraints, indexes, policy and comments, and every row of every
-- partition (the DEFAULT partition's included) moved into it, in this script's one transaction.
-- The partitioned table, its partitions and V5's functions are dropped. Rows whose ids are equal in
-- two projects (the key (id, project_id) allowed them; the library never makes them) fail the
-- copy with agent_executions_pkey, and nothing is rolled back.
-- The rename and the drop below happen in this one transaction: no client ever sees the table
-- missing or under another name; after the commit agent_executions is the new table.
-- squawk-ignore renaming-table
ALTER TABLE agent_executions RENAME TO agent_executions_v5;
ALTER TABLE agent_executions_v5 RENAME CONSTRAINT agent_executions_pkey TO agent_executions_v5_pkey;
ALTER INDEX idx_executions_project RENAME TO idx_executions_v5_project;
ALTER INDEX idx_executions_correlation RENAME TO idx_executions_v5_correlation;
ALTER INDEX idx_executions_status RENAME TO idx_executions_v5_status;

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
    CONSTRAINT agent_executions_project_id_fkey FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE,
    CONSTRAINT agent_executions_agent_type_not_blank_check CHECK (btrim(agent_type) <> ''),
    CONSTRAINT agent_executions_status_check CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
    CONSTRAINT agent_executions_input_data_object_check CHECK (input_data IS NULL OR jsonb_typeof(input_data) = 'object'),
    CONSTRAINT agent_executions_output_data_object_check CHECK (output_data IS NULL OR jsonb_typeof(output_data) = 'object'),
    CONSTRAINT agent_executions_completed_after_started_check CHECK (completed_at IS NULL OR completed_at >= started_at),
    CONSTRAINT agent_executions_completed_at_state_check
        CHECK ((status IN ('completed', 'failed', 'cancelled')) = (completed_at IS NOT NULL))
);

INSERT INTO agent_executions (id, project_id, agent_type, correlation_id, input_data, output_data, status,
                              error_message, started_at, completed_at)
SELECT id, project_id, agent_type, correlation_id, input_data, output_data, status,
       error_message, started_at, completed_at
  FROM agent_executions_v5;

-- squawk-ignore ban-drop-table
DROP TABLE agent_executions_v5;
DROP FUNCTION jeex_agent_executions_add_partition(date);
DROP FUNCTION jeex_agent_executions_secure_partition(text);
DROP FUNCTION jeex_uuidv7_lower_bound(timestamptz);

-- after the copy: one index build each instead of one update per row
CREATE INDEX idx_executions_project ON agent_executions (project_id, started_at DESC);
CREATE INDEX idx_executions_correlation ON agent_executions (correlation_id);
CREATE INDEX idx_executions_status ON agent_executions (status, started_at);

ALTER TABLE agent_executions ENABLE ROW LEVEL SECURITY;
ALTER TABLE agent_executions FORCE ROW LEVEL SECURITY;

CREATE POLICY agent_executions_owner ON agent_executions
    USING (EXISTS (SELECT 1 FROM projects p
                    WHERE p.id = agent_executions.project_id AND p.created_by = jeex_acting_user_id()))
    WITH CHECK (EXISTS (SELECT 1 FROM projects p
                         WHERE p.id = agent_executions.project_id AND p.created_by = jeex_acting_user_id()));

COMMENT ON POLICY agent_executions_owner ON agent_executions IS
    'A user reaches the agent executions of the projects they own.';

COMMENT ON TABLE agent_executions IS 'One run of an AI agent for a project, from start to a terminal state. '
    'Kept for 90 days after it started once it is terminal (AgentExecutionRepository.DEFAULT_RETENTION), '
    'then purged in system mode; a live execution is never purged.';
COMMENT ON COLUMN agent_executions.id IS 'Primary key, a time-ordered UUID version 7.';
COMMENT ON COLUMN agent_executions.project_id IS 'The project; deleting the project deletes its executions.';
COMMENT ON COLUMN agent_executions.agent_type IS 'Which agent ran, for example business_analyst.';
COMMENT ON COLUMN agent_executions.correlation_id IS 'Correlates the executions of one request across agents and services.';
COMMENT ON COLUMN agent_executions.input_data IS 'The agent''s input, a JSON object, or null. [pii:json]';
COMMENT ON COLUMN agent_executions.output_data IS 'The agent''s output, a JSON object, or null until it completes. [pii:json]';
COMMENT ON COLUMN agent_executions.status IS 'One of pending, running, completed, failed, cancelled; the last three are terminal.';
COMMENT ON COLUMN agent_executions.error_message IS 'Why the execution failed, or null. [pii:text]';
COMMENT ON COLUMN agent_executions.started_at IS 'When the execution started.';
COMMENT ON COLUMN agent_executions.completed_at IS 'When the execution reached a terminal state; null while it runs; never before started_at.';
