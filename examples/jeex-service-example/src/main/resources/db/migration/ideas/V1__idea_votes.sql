-- V1 of the idea service's own schema: votes on projects' ideas, beside jeex-db's tables (and
-- referring to them). Applied by JeexDatabase.migrate() after jeex-db's migrations, recorded in
-- ideas_schema_history; the build generates jOOQ classes for it (jeex-db-maven-plugin).
CREATE TABLE idea_votes
(
    id         UUID        NOT NULL DEFAULT uuidv7(),
    project_id UUID        NOT NULL,
    voter_id   UUID        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT idea_votes_pkey PRIMARY KEY (id),
    CONSTRAINT idea_votes_project_id_fkey FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE,
    CONSTRAINT idea_votes_voter_id_fkey FOREIGN KEY (voter_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT idea_votes_one_per_voter_key UNIQUE (project_id, voter_id)
);
COMMENT ON TABLE idea_votes IS 'One vote of a user for a project''s idea.';
