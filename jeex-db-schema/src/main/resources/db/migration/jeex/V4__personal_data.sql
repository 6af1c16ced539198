-- V4: personal data marked in the schema, and how long rows are kept.
--
-- A column that can hold personal data (what a person typed, or what was generated from it)
-- carries a tag at the end of its comment: [pii:<kind>], one of
--   email  an email address: masked to a unique pseudonym that keeps the case-insensitive rule;
--   name   a person's display name;
--   text   free text (document content, project names, error messages, file paths);
--   json   a JSON object whose values can be personal: masked to an object of the same shape.
-- The tags are read from the catalog (col_description) by the masking command (jeex-db mask),
-- which makes a copy for non-production use, and they show in the generated jOOQ javadoc.
-- Ids, timestamps, statuses, languages, document and agent types carry no personal content and
-- stay untagged; a test (PersonalDataTagsTest) fails when a new text or JSON column is neither
-- tagged nor listed as not personal.
--
-- Retention is documented on the tables it applies to: agent executions and exports are purged
-- in bounded, resumable batches by the library's system mode (agentExecutions().purgeFinished,
-- exports().purgeExpired); everything else lives as long as its user (erasure cascades).
-- Only comments change: no lock beyond a brief one per commented object, no data touched.

COMMENT ON COLUMN users.email IS 'Sign-in email address, unique without regard to case. [pii:email]';
COMMENT ON COLUMN users.name IS 'Display name, never blank. [pii:name]';
COMMENT ON COLUMN users.profile_data IS 'Free-form profile settings, always a JSON object. [pii:json]';

COMMENT ON COLUMN projects.name IS 'Project name, never blank. [pii:text]';

COMMENT ON COLUMN document_versions.content IS 'The document text. [pii:text]';
COMMENT ON COLUMN document_versions.metadata IS 'Free-form metadata about this version, always a JSON object. [pii:json]';

COMMENT ON TABLE agent_executions IS 'One run of an AI agent for a project, from start to a terminal state. '
    'Kept for 90 days after it started once it is terminal (AgentExecutionRepository.DEFAULT_RETENTION), '
    'then purged in system mode; a live execution is never purged.';
COMMENT ON COLUMN agent_executions.input_data IS 'The agent''s input, a JSON object, or null. [pii:json]';
COMMENT ON COLUMN agent_executions.output_data IS 'The agent''s output, a JSON object, or null until it completes. [pii:json]';
COMMENT ON COLUMN agent_executions.error_message IS 'Why the execution failed, or null. [pii:text]';

COMMENT ON TABLE exports IS 'An export of a project''s documents to a downloadable file, kept until it expires, '
    'then purged in system mode (ExportRepository.purgeExpired hands over the file paths to delete).';
COMMENT ON COLUMN exports.file_path IS 'Where the exported file is stored; set once the export has completed. [pii:text]';
COMMENT ON COLUMN exports.manifest IS 'What the export contains, always a JSON object. [pii:json]';
