-- V1 of an operator's service "ideas", given to the tool as a filesystem location.
CREATE TABLE ideas
(
    id         UUID NOT NULL DEFAULT uuidv7(),
    project_id UUID NOT NULL,
    title      TEXT NOT NULL,
    CONSTRAINT ideas_pkey PRIMARY KEY (id),
    CONSTRAINT ideas_project_id_fkey FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE
);
