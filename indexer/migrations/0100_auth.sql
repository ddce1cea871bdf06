-- Wallet login: server-issued nonces waiting for an ADR-036 signature, and the sessions that
-- signatures opened. Off-chain state: wall-clock times are fine here.

-- A nonce is deleted when a signature over it is accepted, so it works once.
CREATE TABLE auth_nonces (
    nonce       text        PRIMARY KEY,
    address     text        NOT NULL,
    message     text        NOT NULL,  -- the exact text the wallet signs
    issued_at   timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL
);
CREATE INDEX auth_nonces_by_address ON auth_nonces (address, issued_at DESC);
CREATE INDEX auth_nonces_by_expiry ON auth_nonces (expires_at);

-- Only the sha256 of a session token is kept.
CREATE TABLE auth_sessions (
    token_hash  bytea       PRIMARY KEY CHECK (length(token_hash) = 32),
    address     text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);
CREATE INDEX auth_sessions_by_expiry ON auth_sessions (expires_at);
