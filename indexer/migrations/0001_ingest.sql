-- The ingest's own tables: where it is, every event of ours it read, and the ones it could not decode.
-- No column holds wall-clock time or a sequence value, so two runs over the same chain give equal tables.

-- The last height whose rows are stored. Updated in the same transaction as those rows.
CREATE TABLE ingest_cursor (
    id          boolean PRIMARY KEY DEFAULT true CHECK (id),
    chain_id    text   NOT NULL,
    height      bigint NOT NULL CHECK (height >= 0)
);

-- Raw event log: every decoded Mesi event from our contracts, as emitted.
CREATE TABLE events (
    height       bigint      NOT NULL,
    -- Position among all events of the block: begin-block, transactions, end-block, finalize-block.
    seq          integer     NOT NULL,
    tx_index     integer,            -- NULL for block-level events
    event_index  integer     NOT NULL,
    tx_hash      text,
    contract     text        NOT NULL,
    event_type   text        NOT NULL,  -- e.g. mesi.tip.v1
    attributes   jsonb       NOT NULL,  -- [[key, value], ...] in emitted order
    block_time   timestamptz NOT NULL,
    PRIMARY KEY (height, seq)
);
CREATE INDEX events_by_contract ON events (contract, height, seq);
CREATE INDEX events_by_type ON events (event_type, height, seq);

-- Events of our contracts that did not decode: unknown versions, bad values, bad bytes.
CREATE TABLE dead_letters (
    height       bigint      NOT NULL,
    seq          integer     NOT NULL,
    tx_index     integer,
    event_index  integer     NOT NULL,
    tx_hash      text,
    contract     text        NOT NULL,
    event_type   text        NOT NULL,  -- as emitted, with the wasm- prefix
    attributes   jsonb       NOT NULL,
    block_time   timestamptz NOT NULL,
    error        text        NOT NULL,
    PRIMARY KEY (height, seq)
);
