-- Surprises (current state), their owner history, open listings and sales.

CREATE TABLE surprises (
    contract         text        NOT NULL,
    token_id         text        NOT NULL,
    creator          text        NOT NULL,
    owner            text        NOT NULL,
    title            text        NOT NULL,
    hints            jsonb       NOT NULL,
    category         text        NOT NULL,
    preview_uri      text,
    commitment       text        NOT NULL,
    royalty_bps      integer     NOT NULL,
    bond_asset       text,
    bond             numeric     NOT NULL,
    reveal_window    numeric     NOT NULL,  -- seconds
    state            text        NOT NULL,  -- sealed, unlocked, revealed, forfeited
    reveal_deadline  timestamptz,
    salt             text,
    content_hash     text,
    minted_height    bigint      NOT NULL,
    updated_height   bigint      NOT NULL,
    updated_seq      integer     NOT NULL,
    PRIMARY KEY (contract, token_id)
);
CREATE INDEX surprises_by_owner ON surprises (owner);
CREATE INDEX surprises_by_creator ON surprises (creator);

-- Every change of owner: mint, transfer (CW721 transfer or send) or sale.
CREATE TABLE surprise_owners (
    height      bigint      NOT NULL,
    seq         integer     NOT NULL,
    tx_hash     text,
    block_time  timestamptz NOT NULL,
    contract    text        NOT NULL,
    token_id    text        NOT NULL,
    from_owner  text,                  -- NULL at mint
    to_owner    text        NOT NULL,
    reason      text        NOT NULL,  -- mint, transfer, sale
    PRIMARY KEY (height, seq)
);
CREATE INDEX surprise_owners_by_token ON surprise_owners (contract, token_id, height, seq);

CREATE TABLE surprise_listings (
    contract        text        NOT NULL,
    token_id        text        NOT NULL,
    seller          text        NOT NULL,
    asset           text        NOT NULL,
    price           numeric     NOT NULL,
    expires_at      timestamptz,
    listed_height   bigint      NOT NULL,
    listed_seq      integer     NOT NULL,
    PRIMARY KEY (contract, token_id)
);

CREATE TABLE surprise_sales (
    height          bigint      NOT NULL,
    seq             integer     NOT NULL,
    tx_hash         text,
    block_time      timestamptz NOT NULL,
    contract        text        NOT NULL,
    token_id        text        NOT NULL,
    seller          text        NOT NULL,
    buyer           text        NOT NULL,
    creator         text        NOT NULL,
    asset           text        NOT NULL,
    price           numeric     NOT NULL,
    fee             numeric     NOT NULL,
    royalty         numeric     NOT NULL,
    seller_amount   numeric     NOT NULL,
    PRIMARY KEY (height, seq)
);
