-- Sequences a migration positions: one set back so that its next value is 50 (is_called false,
-- which pg_sequences shows as a NULL last_value), one moved on to 700 (its next value is 701).
CREATE SEQUENCE ticket_numbers;
SELECT setval('ticket_numbers', 50, false);

CREATE SEQUENCE invoice_numbers;
SELECT setval('invoice_numbers', 700);
