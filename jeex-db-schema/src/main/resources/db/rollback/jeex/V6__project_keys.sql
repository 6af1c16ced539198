-- Rollback of V6 (V6__project_keys.sql): document_versions and exports get back PRIMARY KEY (id).
-- Fails with 23505 (and changes nothing) if two rows of one table share an id in different
-- projects, which the key (id, project_id) allowed and the library never makes.
ALTER TABLE document_versions DROP CONSTRAINT document_versions_pkey,
    -- squawk-ignore adding-serial-primary-key-field, constraint-missing-not-valid
    ADD CONSTRAINT document_versions_pkey PRIMARY KEY (id);
ALTER TABLE exports DROP CONSTRAINT exports_pkey,
    -- squawk-ignore adding-serial-primary-key-field, constraint-missing-not-valid
    ADD CONSTRAINT exports_pkey PRIMARY KEY (id);
