-- A test service for recycled test databases: a table with an identity sequence, and a table the
-- migration seeds (its rows are part of every fresh database).
CREATE TABLE ticket_kinds
(
    code  TEXT NOT NULL,
    label TEXT NOT NULL,
    CONSTRAINT ticket_kinds_pkey PRIMARY KEY (code)
);

INSERT INTO ticket_kinds (code, label) VALUES ('bug', 'Bug'), ('task', 'Task');

CREATE TABLE tickets
(
    n          BIGINT GENERATED ALWAYS AS IDENTITY,
    project_id UUID NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL REFERENCES ticket_kinds (code),
    CONSTRAINT tickets_pkey PRIMARY KEY (n)
);
