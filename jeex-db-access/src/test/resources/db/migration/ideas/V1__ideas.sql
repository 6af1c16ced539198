-- V1 of the test service "ideas": one table of its own, next to jeex-db's, referring to them.
CREATE TABLE ideas
(
    id         UUID        NOT NULL DEFAULT uuidv7(),
    project_id UUID        NOT NULL,
    title      TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT ideas_pkey PRIMARY KEY (id),
    CONSTRAINT ideas_project_id_fkey FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
);
COMMENT ON TABLE ideas IS 'Ideas about a project (the test service''s own table).';
