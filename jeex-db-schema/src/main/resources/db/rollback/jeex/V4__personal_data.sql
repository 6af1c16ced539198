-- Rollback of V4 (V4__personal_data.sql): puts back the comments V1 wrote, word for word, which
-- removes the [pii:...] tags and the retention notes. Only comments change; no data is touched.
-- The masking command finds no tagged column on a database rolled back to V3 and refuses to copy.
COMMENT ON COLUMN users.email IS 'Sign-in email address, unique without regard to case.';
COMMENT ON COLUMN users.name IS 'Display name, never blank.';
COMMENT ON COLUMN users.profile_data IS 'Free-form profile settings, always a JSON object.';

COMMENT ON COLUMN projects.name IS 'Project name, never blank.';

COMMENT ON COLUMN document_versions.content IS 'The document text.';
COMMENT ON COLUMN document_versions.metadata IS 'Free-form metadata about this version, always a JSON object.';

COMMENT ON TABLE agent_executions IS 'One run of an AI agent for a project, from start to a terminal state.';
COMMENT ON COLUMN agent_executions.input_data IS 'The agent''s input, a JSON object, or null.';
COMMENT ON COLUMN agent_executions.output_data IS 'The agent''s output, a JSON object, or null until it completes.';
COMMENT ON COLUMN agent_executions.error_message IS 'Why the execution failed, or null.';

COMMENT ON TABLE exports IS 'An export of a project''s documents to a downloadable file, kept until it expires.';
COMMENT ON COLUMN exports.file_path IS 'Where the exported file is stored; set once the export has completed.';
COMMENT ON COLUMN exports.manifest IS 'What the export contains, always a JSON object.';
