-- Which creators' chat-gating facts changed, so the API can keep those facts in memory and
-- still answer `can-message` exactly as a fresh read would (api::gating_cache).
--
-- Every statement that changes a table `can-message` reads (creators, platform_config,
-- subscriptions, tip_totals, ppv_totals, surprises), whoever runs it, takes the next version
-- and logs the creators whose rows it touched under it; a platform configuration change or a
-- TRUNCATE logs NULL, meaning every creator. Versions come from one row updated in the writing
-- transaction, so they become visible in commit order: a reader that sees version v also sees
-- every change logged at or below v. The log keeps the last LOG_VERSIONS versions; a reader
-- further behind forgets everything instead.
--
-- Both tables depend on how the ingest batches blocks, so table digests leave them out.

CREATE TABLE gating_version (
    id       boolean PRIMARY KEY DEFAULT true CHECK (id),
    version  bigint  NOT NULL
);
INSERT INTO gating_version (version) VALUES (0);

CREATE TABLE gating_changes (
    version  bigint NOT NULL,
    creator  text              -- NULL: every creator
);
CREATE INDEX gating_changes_by_version ON gating_changes (version);

CREATE FUNCTION log_gating_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v bigint;
BEGIN
    IF TG_OP = 'TRUNCATE' OR TG_TABLE_NAME = 'platform_config' THEN
        UPDATE gating_version SET version = version + 1 RETURNING version INTO v;
        INSERT INTO gating_changes (version, creator) VALUES (v, NULL);
    ELSIF TG_OP = 'INSERT' THEN
        IF NOT EXISTS (SELECT 1 FROM new_rows) THEN RETURN NULL; END IF;
        UPDATE gating_version SET version = version + 1 RETURNING version INTO v;
        INSERT INTO gating_changes (version, creator) SELECT DISTINCT v, creator FROM new_rows;
    ELSIF TG_OP = 'UPDATE' THEN
        IF NOT EXISTS (SELECT 1 FROM new_rows) THEN RETURN NULL; END IF;
        UPDATE gating_version SET version = version + 1 RETURNING version INTO v;
        INSERT INTO gating_changes (version, creator)
        SELECT v, creator FROM (SELECT creator FROM new_rows UNION SELECT creator FROM old_rows) c;
    ELSE
        IF NOT EXISTS (SELECT 1 FROM old_rows) THEN RETURN NULL; END IF;
        UPDATE gating_version SET version = version + 1 RETURNING version INTO v;
        INSERT INTO gating_changes (version, creator) SELECT DISTINCT v, creator FROM old_rows;
    END IF;
    -- LOG_VERSIONS = 1000 (api::gating_cache relies on it).
    DELETE FROM gating_changes WHERE version <= v - 1000;
    RETURN NULL;
END $$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['creators', 'subscriptions', 'tip_totals', 'ppv_totals', 'surprises'] LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION log_gating_change()', t || '_gating_inserted', t);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION log_gating_change()', t || '_gating_updated', t);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION log_gating_change()', t || '_gating_deleted', t);
        EXECUTE format('CREATE TRIGGER %I AFTER TRUNCATE ON %I '
                       'FOR EACH STATEMENT EXECUTE FUNCTION log_gating_change()', t || '_gating_truncated', t);
    END LOOP;
END $$;

CREATE TRIGGER platform_config_gating_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON platform_config
    FOR EACH STATEMENT EXECUTE FUNCTION log_gating_change();
