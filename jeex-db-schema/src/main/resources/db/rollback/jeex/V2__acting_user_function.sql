-- Rollback of V2 (V2__acting_user_function.sql): removes jeex_acting_user_id() and its comment.
--
-- Applied by `jeex-db rollback --to 1` (JeexDatabase.rollback("1")) in one transaction together
-- with the removal of V2's row from jeex_schema_history. No data lives in a function, so nothing
-- is lost; a policy or trigger of a later version that calls the function must be rolled back
-- first (rollback runs newest first, so it is).
DROP FUNCTION jeex_acting_user_id();
