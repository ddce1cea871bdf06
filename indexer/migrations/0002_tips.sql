-- Tips paid on chain and fiat tips attested by a gateway, with running totals.
-- A tip has no id on chain: it is identified by where its event sits (height, seq).

CREATE TABLE tips (
    height          bigint      NOT NULL,
    seq             integer     NOT NULL,
    tx_hash         text,
    block_time      timestamptz NOT NULL,
    contract        text        NOT NULL,
    creator         text        NOT NULL,
    fan             text        NOT NULL,
    asset           text        NOT NULL,  -- native:<denom> or cw20:<address>
    amount          numeric     NOT NULL,
    fee             numeric     NOT NULL,
    creator_amount  numeric     NOT NULL,
    payout          text        NOT NULL,
    context         text        NOT NULL,  -- profile, stream:<id> or chat:<thread id>
    message         text,
    anonymous       boolean     NOT NULL,
    fan_total       numeric     NOT NULL,  -- as the contract reported it
    PRIMARY KEY (height, seq)
);
CREATE INDEX tips_by_creator ON tips (creator, height DESC, seq DESC);
CREATE INDEX tips_by_fan ON tips (fan, height DESC, seq DESC);
CREATE INDEX tips_by_context ON tips (context, height DESC, seq DESC) WHERE context <> 'profile';

-- Lifetime on-chain totals per (creator, fan, asset), summed by the indexer.
CREATE TABLE tip_totals (
    creator      text    NOT NULL,
    fan          text    NOT NULL,
    asset        text    NOT NULL,
    total        numeric NOT NULL,
    tip_count    bigint  NOT NULL,
    last_height  bigint  NOT NULL,
    PRIMARY KEY (creator, fan, asset)
);
CREATE INDEX tip_totals_leaderboard ON tip_totals (creator, asset, total DESC);

CREATE TABLE fiat_tips (
    height          bigint      NOT NULL,
    seq             integer     NOT NULL,
    tx_hash         text,
    block_time      timestamptz NOT NULL,
    contract        text        NOT NULL,
    gateway         text        NOT NULL,
    payment_ref     text        NOT NULL,
    creator         text        NOT NULL,
    fan             text        NOT NULL,
    currency        text        NOT NULL,  -- ISO 4217
    amount_minor    numeric     NOT NULL,
    context         text        NOT NULL,
    message         text,
    anonymous       boolean     NOT NULL,
    PRIMARY KEY (height, seq)
);
CREATE INDEX fiat_tips_by_creator ON fiat_tips (creator, height DESC, seq DESC);
CREATE INDEX fiat_tips_by_payment ON fiat_tips (gateway, payment_ref);

-- Fiat totals stay apart from on-chain ones: chat gating names on-chain assets only.
CREATE TABLE fiat_tip_totals (
    creator       text    NOT NULL,
    fan           text    NOT NULL,
    currency      text    NOT NULL,
    total_minor   numeric NOT NULL,
    tip_count     bigint  NOT NULL,
    last_height   bigint  NOT NULL,
    PRIMARY KEY (creator, fan, currency)
);
