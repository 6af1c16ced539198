package io.jeex.db;

import static java.util.Map.entry;

import java.util.Map;

/**
 * Sentences for the constraints of the JEEX schema (migration V1), so that a caller reads "a
 * user with this email already exists" instead of a constraint name. A constraint missing here
 * gets a generic sentence that names it; a test checks that every constraint of the schema has
 * a sentence.
 */
final class ConstraintMessages {

    private static final Map<String, String> SENTENCES = Map.ofEntries(
            entry("users_pkey", "a user with this id already exists (the repositories of one db.actingAsNewUser() sign up "
                    + "one user: call db.actingAsNewUser() again for each sign-up)"),
            entry("users_email_lower_key", "a user with this email already exists"),
            entry("users_email_format_check", "a user's email must look like name@domain.tld"),
            entry("users_name_not_blank_check", "a user's name must not be blank"),
            entry("users_profile_data_object_check", "a user's profile data must be a JSON object"),
            entry("users_last_login_after_created_check", "a user's last login cannot be before the user was created"),
            entry("projects_pkey", "a project with this id already exists"),
            entry("projects_created_by_fkey", "a project's owner (created_by) must be an existing user"),
            entry("projects_name_not_blank_check", "a project's name must not be blank"),
            entry("projects_status_check", "a project's status must be one of draft, in_progress, completed, archived"),
            entry("projects_current_step_check", "a project's current step must be between 1 and 4"),
            entry("projects_language_check",
                    "a project's language must be an ISO 639 code with an optional region, such as en or pt-BR"),
            entry("document_versions_pkey", "a document version with this id already exists"),
            entry("document_versions_project_id_fkey", "a document version's project must exist"),
            entry("document_versions_created_by_fkey", "a document version's author (created_by) must be an existing user"),
            entry("document_versions_project_type_version_key",
                    "this version of the document already exists in the project"),
            entry("document_versions_document_type_check",
                    "a document type must be a lower-case identifier such as about or architecture"),
            entry("document_versions_version_check", "a document version number must be 1 or more"),
            entry("document_versions_metadata_object_check", "a document version's metadata must be a JSON object"),
            entry("agent_executions_pkey", "an agent execution with this id already exists"),
            entry("agent_executions_project_id_fkey", "an agent execution's project must exist"),
            entry("agent_executions_agent_type_not_blank_check", "an agent execution's agent type must not be blank"),
            entry("agent_executions_status_check",
                    "an agent execution's status must be one of pending, running, completed, failed, cancelled"),
            entry("agent_executions_input_data_object_check", "an agent execution's input must be a JSON object or null"),
            entry("agent_executions_output_data_object_check", "an agent execution's output must be a JSON object or null"),
            entry("agent_executions_completed_after_started_check",
                    "an agent execution cannot complete before it started"),
            entry("agent_executions_completed_at_state_check",
                    "an agent execution has a completion time exactly when its status is completed, failed or cancelled"),
            entry("exports_pkey", "an export with this id already exists"),
            entry("exports_project_id_fkey", "an export's project must exist"),
            entry("exports_status_check", "an export's status must be one of pending, processing, completed, failed"),
            entry("exports_manifest_object_check", "an export's manifest must be a JSON object"),
            entry("exports_completed_has_file_check", "a completed export must have a file path"),
            entry("exports_expires_after_created_check", "an export must expire after it was created"));

    private ConstraintMessages() {
    }

    /**
     * @param constraint a constraint name, or null
     * @return the sentence for a constraint of the JEEX schema, or null when there is none
     */
    public static String sentence(String constraint) {
        return constraint == null ? null : SENTENCES.get(constraint);
    }

    /** @return every constraint that has a sentence */
    public static java.util.Set<String> constraints() {
        return SENTENCES.keySet();
    }
}
