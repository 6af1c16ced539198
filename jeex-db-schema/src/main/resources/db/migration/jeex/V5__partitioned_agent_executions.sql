-- V5: agent_executions becomes a table range-partitioned by month on the time inside its id.
--
-- Why partitions: agent_executions grows without bound (every agent run), and its retention was a
-- DELETE that bloats the table and its indexes. With one partition per month, retention drops a
-- whole month (JeexDatabase.maintainPartitions), which frees its space at once and writes no WAL
-- per row.
--
-- Why by the id (PARTITION BY RANGE (id)) and not by started_at: ids are UUIDv7, whose first 48
-- bits are the Unix time in milliseconds at which the library (Ids) made them, so a range of ids is
-- a range of time. Most calls name an execution by its id alone (complete, fail, byId, the retry's
-- outcome checks): partitioned by id, the planner prunes them to one partition; partitioned by
-- started_at, every one of them would probe the primary-key index of every partition. Checked
-- with EXPLAIN (PartitionPlansTest, docs/scaling.md "Partitioned agent executions"). The month of
-- a row is the month its id was made: for start() the moment it started; for insertBatch with an
-- earlier started_at, the moment the batch was stored.
--
-- The key: PRIMARY KEY (id, project_id). A partitioned table's key must hold the partition key
-- (id), and the decision in docs/scaling.md ("Key changes: decision") puts project_id, Citus's
-- distribution column, into every key now; id first keeps every lookup by id alone on the key.
--
-- Bounds: a month's partition holds the ids from the UUID whose first 48 bits are the month's first
-- millisecond (UTC) and whose other bits are 0, up to that of the next month: computed by
-- jeex_uuidv7_lower_bound(timestamptz). Named agent_executions_yYYYYmMM.
--
-- A DEFAULT partition (agent_executions_default) takes a row whose month has no partition yet (a
-- maintenance that did not run, an id that is not a UUIDv7, a clock far off), so that an insert
-- never fails for want of maintenance; the maintenance moves such rows into the month partitions
-- it creates (jeex_agent_executions_add_partition does both). The migration creates the months
-- that hold rows, the current month and the three months ahead.
--
-- Every partition carries what the parent has: the CHECK and NOT NULL constraints and the foreign
-- key to projects (same names, inherited), the primary key and the three indexes (as partitions of
-- the parent's indexes), and row-level security: ENABLE and FORCE with the parent's policy, so a
-- role that reached a partition directly would still be bound by it. The application role is
-- meant never to reach one directly: jeex_agent_executions_secure_partition revokes every
-- privilege on a partition from every role but its owner (the deployments' default privileges
-- would otherwise grant them, docker/postgres/initdb/10-roles.sql); the application reads and
-- writes through agent_executions only. Comments, the [pii:...] tags of V4 included, are on the
-- parent, which is what the masking command and the generated code read.
--
-- The data moves without loss: the old table is renamed, the new one created, the partitions made,
-- the rows copied with INSERT ... SELECT, the old table dropped; all in this migration's one
-- transaction. The old table is locked (ACCESS EXCLUSIVE) for as long as the copy takes.

-- The smallest UUIDv7 made at the given instant: its first 48 bits are the instant's Unix time in
-- milliseconds, the rest 0. Partition bounds are these values of months' first instants.
CREATE FUNCTION jeex_uuidv7_lower_bound(at timestamptz) RETURNS uuid
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN (lpad(to_hex(floor(extract(epoch FROM at) * 1000)::bigint), 12, '0') || '00000000000000000000')::uuid;

COMMENT ON FUNCTION jeex_uuidv7_lower_bound(timestamptz) IS
    'The smallest UUID version 7 made at the given instant (its millisecond, other bits 0): the bounds of the agent_executions partitions.';

-- The rename and the drop below happen in this one transaction: no client ever sees the table
-- missing or under another name; after the commit agent_executions is the new table.
-- squawk-ignore renaming-table
ALTER TABLE agent_executions RENAME TO agent_executions_v4;
ALTER TABLE agent_executions_v4 RENAME CONSTRAINT agent_executions_pkey TO agent_executions_v4_pkey;
ALTER TABLE agent_executions_v4 RENAME CONSTRAINT agent_executions_project_id_fkey TO agent_executions_v4_project_id_fkey;
ALTER INDEX idx_executions_project RENAME TO idx_executions_v4_project;
ALTER INDEX idx_executions_correlation RENAME TO idx_executions_v4_correlation;
ALTER INDEX idx_executions_status RENAME TO idx_executions_v4_status;
DROP POLICY agent_executions_owner ON agent_executions_v4;

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
    CONSTRAINT agent_executions_pkey PRIMARY KEY (id, project_id),
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
) PARTITION BY RANGE (id);

CREATE INDEX idx_executions_project ON agent_executions (project_id, started_at DESC);
CREATE INDEX idx_executions_correlation ON agent_executions (correlation_id);
CREATE INDEX idx_executions_status ON agent_executions (status, started_at);

ALTER TABLE agent_executions ENABLE ROW LEVEL SECURITY;
ALTER TABLE agent_executions FORCE ROW LEVEL SECURITY;

-- As V3: a user reaches the executions of the projects they own.
CREATE POLICY agent_executions_owner ON agent_executions
    USING (EXISTS (SELECT 1 FROM projects p
                    WHERE p.id = agent_executions.project_id AND p.created_by = jeex_acting_user_id()))
    WITH CHECK (EXISTS (SELECT 1 FROM projects p
                         WHERE p.id = agent_executions.project_id AND p.created_by = jeex_acting_user_id()));

COMMENT ON POLICY agent_executions_owner ON agent_executions IS
    'A user reaches the agent executions of the projects they own.';

COMMENT ON TABLE agent_executions IS 'One run of an AI agent for a project, from start to a terminal state. '
    'Partitioned by the month (UTC) of its UUIDv7 id. A month is dropped whole by the partition maintenance '
    '(JeexDatabase.maintainPartitions) once it is past the partition retention (PartitionConfig) and holds no live '
    'execution; within the months kept, a terminal execution is purged in system mode 90 days after it started '
    '(AgentExecutionRepository.DEFAULT_RETENTION); a live execution is never purged.';
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

-- Row-level security (ENABLE, FORCE, the parent's policy) on one partition, and no privilege on it
-- for any role but its owner: the application reaches the rows through agent_executions only.
CREATE FUNCTION jeex_agent_executions_secure_partition(partition_name text) RETURNS void
    LANGUAGE plpgsql AS
$$
DECLARE
    grantee text;
BEGIN
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY', partition_name);
    EXECUTE format('CREATE POLICY agent_executions_owner ON %1$I '
                   'USING (EXISTS (SELECT 1 FROM projects p WHERE p.id = %1$I.project_id '
                   'AND p.created_by = jeex_acting_user_id())) '
                   'WITH CHECK (EXISTS (SELECT 1 FROM projects p WHERE p.id = %1$I.project_id '
                   'AND p.created_by = jeex_acting_user_id()))', partition_name);
    FOR grantee IN
        SELECT DISTINCT CASE WHEN acl.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(acl.grantee)) END
          FROM pg_class c, aclexplode(c.relacl) acl
         WHERE c.oid = partition_name::regclass AND acl.grantee <> c.relowner
    LOOP
        EXECUTE format('REVOKE ALL ON TABLE %I FROM %s', partition_name, grantee);
    END LOOP;
END;
$$;

COMMENT ON FUNCTION jeex_agent_executions_secure_partition(text) IS
    'Row-level security with the parent''s policy on one agent_executions partition, and no privilege on it but its owner''s.';

-- The partition of the month that holds the given day (UTC), made if it is missing: rows of that
-- month waiting in the DEFAULT partition move into it, in this transaction. Made as a table of its
-- own and then attached (ATTACH PARTITION takes SHARE UPDATE EXCLUSIVE on agent_executions, where
-- CREATE TABLE ... PARTITION OF would take ACCESS EXCLUSIVE and stop every reader for its
-- duration); attaching scans the DEFAULT partition, which holds few rows when maintenance runs.
-- Returns the rows moved, or NULL when the partition was there already.
CREATE FUNCTION jeex_agent_executions_add_partition(day date) RETURNS bigint
    LANGUAGE plpgsql AS
$$
DECLARE
    first_day date := date_trunc('month', day)::date;
    lower_bound uuid := jeex_uuidv7_lower_bound(first_day::timestamp AT TIME ZONE 'UTC');
    upper_bound uuid := jeex_uuidv7_lower_bound((first_day + INTERVAL '1 month') AT TIME ZONE 'UTC');
    partition_name text := 'agent_executions_' || to_char(first_day, '"y"YYYY"m"MM');
    moved bigint;
BEGIN
    IF to_regclass(quote_ident(partition_name)) IS NOT NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE format('CREATE TABLE %I (LIKE agent_executions INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', partition_name);
    EXECUTE format('WITH moved AS (DELETE FROM agent_executions_default WHERE id >= $1 AND id < $2 RETURNING *) '
                   'INSERT INTO %I SELECT * FROM moved', partition_name) USING lower_bound, upper_bound;
    GET DIAGNOSTICS moved = ROW_COUNT;
    EXECUTE format('ALTER TABLE agent_executions ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                   partition_name, lower_bound, upper_bound);
    PERFORM jeex_agent_executions_secure_partition(partition_name);
    RETURN moved;
END;
$$;

COMMENT ON FUNCTION jeex_agent_executions_add_partition(date) IS
    'Makes the agent_executions partition of the month (UTC) of the given day if it is missing, moving that month''s rows out of the DEFAULT partition; returns the rows moved, or null if it existed.';

CREATE TABLE agent_executions_default PARTITION OF agent_executions DEFAULT;
SELECT jeex_agent_executions_secure_partition('agent_executions_default');

-- The months that hold rows (ids that are UUIDv7; any other id waits in the DEFAULT partition),
-- the current month and the three ahead.
SELECT jeex_agent_executions_add_partition(month)
  FROM (SELECT DISTINCT date_trunc('month', uuid_extract_timestamp(id) AT TIME ZONE 'UTC')::date AS month
          FROM agent_executions_v4 WHERE uuid_extract_version(id) = 7
         UNION
        SELECT (date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => ahead))::date
          FROM generate_series(0, 3) ahead) months
 ORDER BY month;

INSERT INTO agent_executions (id, project_id, agent_type, correlation_id, input_data, output_data, status,
                              error_message, started_at, completed_at)
SELECT id, project_id, agent_type, correlation_id, input_data, output_data, status,
       error_message, started_at, completed_at
  FROM agent_executions_v4;

-- squawk-ignore ban-drop-table
DROP TABLE agent_executions_v4;
