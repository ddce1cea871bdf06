-- Login nonces are no longer stored when issued: each one carries its issue and expiry times
-- and a MAC binding them to the address, under the key below (api::auth::LoginNonce). So any
-- number may be issued for any address, each works on its own, and nobody can fill a table or
-- a per-address allowance with them. Only nonces that signed someone in are recorded, until
-- they expire, so each works once.

DROP TABLE auth_nonces;

-- One key for every API process on this database; replacing it voids the nonces not yet used.
-- 366 random bits from gen_random_uuid (pg_strong_random), hashed to 32 bytes.
CREATE TABLE auth_nonce_key (
    id   boolean PRIMARY KEY DEFAULT true CHECK (id),
    key  bytea   NOT NULL CHECK (length(key) = 32)
);
INSERT INTO auth_nonce_key (key)
VALUES (sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8')));

CREATE TABLE auth_used_nonces (
    nonce       text        PRIMARY KEY,
    expires_at  timestamptz NOT NULL
);
CREATE INDEX auth_used_nonces_by_expiry ON auth_used_nonces (expires_at);
