-- Pay-per-view items (current state), purchases, and lifetime spending per (creator, buyer, asset).

CREATE TABLE ppv_items (
    contract         text        NOT NULL,
    content_id       text        NOT NULL,
    creator          text        NOT NULL,
    price            numeric     NOT NULL,
    asset            text        NOT NULL,
    sale_ends_at     timestamptz,
    free_for_tier    bigint,
    listed           boolean     NOT NULL,
    revision         bigint      NOT NULL,
    last_action      text        NOT NULL,
    updated_height   bigint      NOT NULL,
    updated_seq      integer     NOT NULL,
    PRIMARY KEY (contract, content_id)
);
CREATE INDEX ppv_items_by_creator ON ppv_items (creator);

CREATE TABLE ppv_purchases (
    height          bigint      NOT NULL,
    seq             integer     NOT NULL,
    tx_hash         text,
    block_time      timestamptz NOT NULL,
    contract        text        NOT NULL,
    content_id      text        NOT NULL,
    creator         text        NOT NULL,
    buyer           text        NOT NULL,
    asset           text        NOT NULL,
    price           numeric     NOT NULL,
    fee             numeric     NOT NULL,
    creator_amount  numeric     NOT NULL,
    payout          text        NOT NULL,
    fan_total       numeric     NOT NULL,  -- as the contract reported it
    PRIMARY KEY (height, seq)
);
CREATE INDEX ppv_purchases_by_buyer ON ppv_purchases (buyer, content_id);
CREATE INDEX ppv_purchases_by_creator ON ppv_purchases (creator, height DESC, seq DESC);

CREATE TABLE ppv_totals (
    creator         text    NOT NULL,
    buyer           text    NOT NULL,
    asset           text    NOT NULL,
    total           numeric NOT NULL,
    purchase_count  bigint  NOT NULL,
    last_height     bigint  NOT NULL,
    PRIMARY KEY (creator, buyer, asset)
);
