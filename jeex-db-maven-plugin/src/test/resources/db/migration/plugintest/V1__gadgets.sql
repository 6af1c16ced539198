-- A service's own table for the plugin's tests, referring to one of jeex-db's.
CREATE TABLE gadgets
(
    id         UUID NOT NULL DEFAULT uuidv7(),
    project_id UUID NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    label      TEXT NOT NULL,
    CONSTRAINT gadgets_pkey PRIMARY KEY (id)
);
