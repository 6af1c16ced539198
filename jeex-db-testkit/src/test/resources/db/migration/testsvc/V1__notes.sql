-- A test service's own table, for the templates that hold a service's migrations.
CREATE TABLE notes
(
    id         UUID NOT NULL DEFAULT uuidv7(),
    project_id UUID NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    body       TEXT NOT NULL,
    CONSTRAINT notes_pkey PRIMARY KEY (id)
);
