-- Live feeds send chat messages and stream comments by id: "every row after the last id this
-- client got". A `bigserial` id is taken when a row is inserted, not when it commits, so two
-- writers can commit out of id order, and a feed that already sent the larger id would skip
-- the smaller one for good. These triggers make id order commit order within every feed:
--
-- - An insert first takes a transaction-scoped advisory lock per feed the row belongs to (a
--   chat message: both sides of its thread, whose feeds span all their threads; a comment:
--   its stream), then takes its id. The lock is held until the transaction ends, so the next
--   writer to the same feed gets a larger id and becomes visible after it. Keys are locked in
--   sorted order, so two writers never wait on each other in a cycle.
-- - Ending a stream takes the stream's lock too, and a comment re-checks the end under it: a
--   feed that saw the end has seen every comment, and no comment commits after the end.
--
-- Writers hold the lock only from their insert to their commit (the API inserts last).

CREATE FUNCTION lock_feed_order(keys text[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    k bigint;
BEGIN
    FOR k IN SELECT DISTINCT hashtextextended('feed_order:' || key, 0) FROM unnest(keys) AS key ORDER BY 1 LOOP
        PERFORM pg_advisory_xact_lock(k);
    END LOOP;
END $$;

CREATE FUNCTION order_chat_message() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM lock_feed_order(ARRAY['chat:' || t.creator, 'chat:' || t.fan])
    FROM chat_threads t WHERE t.thread_id = NEW.thread_id;
    NEW.id := nextval(pg_get_serial_sequence('chat_messages', 'id'));
    RETURN NEW;
END $$;
CREATE TRIGGER chat_message_ordered BEFORE INSERT ON chat_messages
    FOR EACH ROW EXECUTE FUNCTION order_chat_message();

CREATE FUNCTION order_stream_comment() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM lock_feed_order(ARRAY['stream:' || NEW.stream_id]);
    -- A new snapshot: an end committed while this insert waited is seen here.
    IF EXISTS (SELECT 1 FROM streams WHERE stream_id = NEW.stream_id AND ended_at IS NOT NULL) THEN
        RETURN NULL;
    END IF;
    NEW.id := nextval(pg_get_serial_sequence('stream_comments', 'id'));
    RETURN NEW;
END $$;
CREATE TRIGGER stream_comment_ordered BEFORE INSERT ON stream_comments
    FOR EACH ROW EXECUTE FUNCTION order_stream_comment();

CREATE FUNCTION order_stream_end() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM lock_feed_order(ARRAY['stream:' || NEW.stream_id]);
    RETURN NEW;
END $$;
CREATE TRIGGER stream_end_ordered BEFORE UPDATE OF ended_at ON streams
    FOR EACH ROW WHEN (OLD.ended_at IS NULL AND NEW.ended_at IS NOT NULL)
    EXECUTE FUNCTION order_stream_end();
