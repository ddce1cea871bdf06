-- Subscription tiers and subscriptions (current state), and every subscription change.

CREATE TABLE subscription_tiers (
    contract         text    NOT NULL,
    creator          text    NOT NULL,
    tier             bigint  NOT NULL,
    name             text    NOT NULL,
    price            numeric NOT NULL,  -- per period, before bundle discounts
    asset            text    NOT NULL,
    period_seconds   numeric NOT NULL,
    subscriber_cap   bigint,
    bundles          jsonb   NOT NULL,  -- [{"periods": 3, "discount_bps": 500}, ...]
    trial_seconds    numeric,
    retired          boolean NOT NULL,
    last_action      text    NOT NULL,
    updated_height   bigint  NOT NULL,
    updated_seq      integer NOT NULL,
    PRIMARY KEY (contract, creator, tier)
);

CREATE TABLE subscriptions (
    contract              text        NOT NULL,
    creator               text        NOT NULL,
    fan                   text        NOT NULL,
    tier                  bigint      NOT NULL,
    asset                 text        NOT NULL,
    expires_at            timestamptz NOT NULL,  -- active while block time is before it
    auto_renew            boolean     NOT NULL,
    max_price_per_period  numeric     NOT NULL,
    on_trial              boolean     NOT NULL,
    last_action           text        NOT NULL,
    updated_height        bigint      NOT NULL,
    updated_seq           integer     NOT NULL,
    PRIMARY KEY (contract, creator, fan)
);
CREATE INDEX subscriptions_by_fan ON subscriptions (fan);
CREATE INDEX subscriptions_by_creator_expiry ON subscriptions (creator, expires_at);

CREATE TABLE subscription_changes (
    height          bigint      NOT NULL,
    seq             integer     NOT NULL,
    tx_hash         text,
    block_time      timestamptz NOT NULL,
    contract        text        NOT NULL,
    action          text        NOT NULL,
    creator         text        NOT NULL,
    fan             text        NOT NULL,
    sender          text        NOT NULL,
    tier            bigint      NOT NULL,
    from_tier       bigint,
    periods         bigint      NOT NULL,
    asset           text        NOT NULL,
    amount          numeric     NOT NULL,
    fee             numeric     NOT NULL,
    creator_amount  numeric     NOT NULL,
    payout          text,
    refunded        numeric,
    expires_at      timestamptz NOT NULL,
    PRIMARY KEY (height, seq)
);
CREATE INDEX subscription_changes_by_creator ON subscription_changes (creator, height DESC, seq DESC);
CREATE INDEX subscription_changes_by_fan ON subscription_changes (fan, height DESC, seq DESC);
