-- What the API reads about the ingest besides the projections: the node's head as the ingest
-- last saw it, counts of stored rows, and a notification when a block commits.

-- Heads the node's /status reported, recorded by the ingest as it polls. Used for readiness and
-- lag, and for the block time of the latest indexed block (see api::state). The ingest keeps
-- only recent rows. `observed_at` is wall-clock time, so table digests leave this table out.
CREATE TABLE chain_heads (
    height       bigint      PRIMARY KEY,
    block_time   timestamptz,
    observed_at  timestamptz NOT NULL DEFAULT now()
);

-- Rows the ingest stored, counted by statement triggers (COPY fires them too), so /metrics
-- does not count millions of rows per scrape. A rolled-back batch rolls its counts back.
CREATE TABLE ingest_stats (
    id            boolean PRIMARY KEY DEFAULT true CHECK (id),
    events        bigint  NOT NULL,
    dead_letters  bigint  NOT NULL
);
INSERT INTO ingest_stats (events, dead_letters)
SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM dead_letters);

CREATE FUNCTION count_stored_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE ingest_stats SET events = events + (SELECT count(*) FROM inserted);
    RETURN NULL;
END $$;
CREATE TRIGGER events_counted AFTER INSERT ON events
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION count_stored_events();

CREATE FUNCTION count_stored_dead_letters() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE ingest_stats SET dead_letters = dead_letters + (SELECT count(*) FROM inserted);
    RETURN NULL;
END $$;
CREATE TRIGGER dead_letters_counted AFTER INSERT ON dead_letters
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION count_stored_dead_letters();

-- Every commit of the ingest moves the cursor in the same transaction; PostgreSQL delivers the
-- notification when that transaction commits, to every process listening (the API's live feeds,
-- whether `serve` runs alone or inside `run`).
CREATE FUNCTION notify_cursor_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('mesi_cursor', NEW.height::text);
    RETURN NULL;
END $$;
CREATE TRIGGER cursor_moved AFTER INSERT OR UPDATE ON ingest_cursor
    FOR EACH ROW EXECUTE FUNCTION notify_cursor_moved();
