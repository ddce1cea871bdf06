-- Chat between a fan and a creator: threads, messages, the creator's off-chain block list and
-- price per message. Off-chain state written by the API; wall-clock times are fine here.

-- One thread per (creator, fan). The id is random and valid as a tip context id, so a fan
-- pays for messages with a tip whose context is chat:<thread_id>.
CREATE TABLE chat_threads (
    thread_id     text        PRIMARY KEY,
    creator       text        NOT NULL,
    fan           text        NOT NULL CHECK (fan <> creator),
    -- Price of one fan message here; NULL falls back to the creator's price.
    price_asset   text,
    price_amount  numeric     CHECK (price_amount > 0),
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK ((price_asset IS NULL) = (price_amount IS NULL)),
    UNIQUE (creator, fan)
);
CREATE INDEX chat_threads_by_fan ON chat_threads (fan);

-- A creator's default price of one fan message, in any thread without its own price.
CREATE TABLE chat_prices (
    creator       text        PRIMARY KEY,
    price_asset   text        NOT NULL,
    price_amount  numeric     NOT NULL CHECK (price_amount > 0),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Fans a creator blocked; consulted before the creator's on-chain chat rule.
CREATE TABLE chat_blocks (
    creator     text        NOT NULL,
    fan         text        NOT NULL,
    blocked_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (creator, fan)
);

-- `charged_*` is what the message cost the fan (pay-per-message), taken from the fan's chat
-- tips in this thread: a fan's unspent credit is those tips minus what their messages cost.
CREATE TABLE chat_messages (
    id              bigserial   PRIMARY KEY,
    thread_id       text        NOT NULL REFERENCES chat_threads (thread_id),
    sender          text        NOT NULL,
    body            text        NOT NULL,
    charged_asset   text,
    charged_amount  numeric,
    sent_at         timestamptz NOT NULL DEFAULT now(),
    CHECK ((charged_asset IS NULL) = (charged_amount IS NULL))
);
CREATE INDEX chat_messages_by_thread ON chat_messages (thread_id, id);
-- Rate limits count a sender's recent messages.
CREATE INDEX chat_messages_by_sender ON chat_messages (sender, sent_at);

-- Live feeds in every API process hear about new messages (see api::signals); the payload
-- names both sides so a feed can tell, without a query, whether the message is for its user.
CREATE FUNCTION notify_chat_message() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('mesi_chat', t.thread_id || ' ' || t.creator || ' ' || t.fan)
    FROM chat_threads t WHERE t.thread_id = NEW.thread_id;
    RETURN NULL;
END $$;
CREATE TRIGGER chat_message_posted AFTER INSERT ON chat_messages
    FOR EACH ROW EXECUTE FUNCTION notify_chat_message();
