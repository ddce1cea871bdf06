-- Live streams: sessions a creator starts and ends, and the comments fans post while live.
-- Tips to a stream are indexed (tips.context = 'stream:<stream_id>'). Off-chain state written
-- by the API; wall-clock times are fine here.

-- The id is random and valid as a tip context id. The playback URL is opaque: it comes from
-- whatever media server the platform uses.
CREATE TABLE streams (
    stream_id         text        PRIMARY KEY,
    creator           text        NOT NULL,
    title             text        NOT NULL,
    playback_url      text        NOT NULL,
    subscribers_only  boolean     NOT NULL,
    min_tier          bigint      NOT NULL DEFAULT 0,  -- for subscribers-only comments
    started_at        timestamptz NOT NULL DEFAULT now(),
    ended_at          timestamptz,
    -- Most SSE clients watching the stream's feed at once, as counted by the API processes.
    peak_viewers      integer     NOT NULL DEFAULT 0
);
-- At most one live stream per creator.
CREATE UNIQUE INDEX streams_live_per_creator ON streams (creator) WHERE ended_at IS NULL;
CREATE INDEX streams_by_creator ON streams (creator, started_at DESC);

CREATE TABLE stream_comments (
    id         bigserial   PRIMARY KEY,
    stream_id  text        NOT NULL REFERENCES streams (stream_id),
    author     text        NOT NULL,
    body       text        NOT NULL,
    posted_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stream_comments_by_stream ON stream_comments (stream_id, id);
-- Rate limits count an author's recent comments.
CREATE INDEX stream_comments_by_author ON stream_comments (author, posted_at);

-- Live feeds in every API process hear about comments, starts and ends (see api::signals).
CREATE FUNCTION notify_stream_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('mesi_stream', NEW.stream_id);
    RETURN NULL;
END $$;
CREATE TRIGGER stream_comment_posted AFTER INSERT ON stream_comments
    FOR EACH ROW EXECUTE FUNCTION notify_stream_change();
CREATE TRIGGER stream_changed AFTER INSERT OR UPDATE OF ended_at ON streams
    FOR EACH ROW EXECUTE FUNCTION notify_stream_change();
