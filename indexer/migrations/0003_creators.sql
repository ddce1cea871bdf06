-- Creator profiles with their chat rules, the platform configuration, contract ownership, and
-- each contract's configuration. Each row holds the last state an event carried.

CREATE TABLE creators (
    contract         text        NOT NULL,
    creator          text        NOT NULL,
    display_name     text        NOT NULL,
    payout           text        NOT NULL,
    accepted_assets  jsonb       NOT NULL,  -- ["native:uusdc", ...]
    tip_minimums     jsonb       NOT NULL,  -- [["native:uusdc", "1000"], ...]
    chat_rule        jsonb       NOT NULL,  -- mesi_common::chat_rule::ChatRule as JSON
    active           boolean     NOT NULL,
    registered_at    timestamptz NOT NULL,
    last_action      text        NOT NULL,  -- registered, updated, chat_rule_set, deactivated, reactivated
    updated_height   bigint      NOT NULL,
    updated_seq      integer     NOT NULL,
    PRIMARY KEY (contract, creator)
);
CREATE INDEX creators_by_creator ON creators (creator);

CREATE TABLE platform_config (
    contract         text    NOT NULL PRIMARY KEY,
    treasury         text    NOT NULL,
    fees             jsonb   NOT NULL,  -- basis points per product
    accepted_assets  jsonb   NOT NULL,
    fiat_gateways    jsonb   NOT NULL,
    arbiter          text    NOT NULL,
    contracts        jsonb   NOT NULL,  -- sibling contract addresses
    updated_height   bigint  NOT NULL,
    updated_seq      integer NOT NULL
);

-- Two-step ownership of any of our contracts.
CREATE TABLE contract_owners (
    contract         text    NOT NULL PRIMARY KEY,
    owner            text,
    pending_owner    text,
    last_action      text    NOT NULL,  -- proposed, accepted, renounced, cancelled
    updated_height   bigint  NOT NULL,
    updated_seq      integer NOT NULL
);

-- The last *_config event of each contract, as JSON.
CREATE TABLE contract_configs (
    contract         text    NOT NULL PRIMARY KEY,
    event_type       text    NOT NULL,
    config           jsonb   NOT NULL,
    updated_height   bigint  NOT NULL,
    updated_seq      integer NOT NULL
);
