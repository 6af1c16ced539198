-- V2: one SQL function for the acting user, for row-level security policies and triggers.
--
-- The library sets the acting user of a transaction (TxOptions.withActingUser) with
-- SET LOCAL jeex.acting_user_id = '<uuid>': transaction-scoped, so it never outlives the
-- transaction, safe behind PgBouncer in transaction mode, and not a query, so it does not
-- take the snapshot of a REPEATABLE READ transaction early.
--
-- Read it through this function, never with current_setting() directly: once a session has
-- set the parameter, PostgreSQL keeps it defined with an empty value after the transaction,
-- so current_setting('jeex.acting_user_id', true) is NULL on a fresh connection but '' on a
-- pooled one that served an acting transaction before, and ''::uuid fails (22P02). The
-- function turns both into NULL, so a policy written as "owner = jeex_acting_user_id()" is
-- false (fail closed) whenever no acting user is set, whatever the connection's history.
--
-- STABLE (the value is fixed within a statement) and PARALLEL SAFE, so the planner can
-- evaluate it once per statement; a value that is set but not a UUID raises 22P02 (only the
-- library sets it, always from a java.util.UUID).
CREATE FUNCTION jeex_acting_user_id() RETURNS uuid
    LANGUAGE sql
    STABLE
    PARALLEL SAFE
AS
$$
SELECT nullif(current_setting('jeex.acting_user_id', true), '')::uuid
$$;

COMMENT ON FUNCTION jeex_acting_user_id() IS
    'The acting user of the current transaction (TxOptions.withActingUser), or NULL when none is set.';
