-- Off-chain data creators and fans keep through the API (wall-clock times are fine here).

-- The secret of each meetings.ics feed; only its sha256 is kept. Rotating replaces it.
CREATE TABLE calendar_tokens (
    address     text        NOT NULL,
    owner       text        NOT NULL CHECK (owner IN ('creator', 'fan')),
    token_hash  bytea       NOT NULL CHECK (length(token_hash) = 32),
    rotated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (address, owner)
);

-- Tip goals a creator sets ("200 USDC for a new mic"); progress is summed from `tips`.
CREATE TABLE tip_goals (
    id          bigserial   PRIMARY KEY,
    creator     text        NOT NULL,
    title       text        NOT NULL,
    asset       text        NOT NULL,
    target      numeric     NOT NULL CHECK (target > 0),
    context     text,                   -- only tips with this context (profile, stream:<id>); NULL: all
    starts_at   timestamptz NOT NULL,   -- tips from this block time on count
    ends_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tip_goals_by_creator ON tip_goals (creator, id);
