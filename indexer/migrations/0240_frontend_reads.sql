-- What the frontend read routes need beyond the projections: each creator's latest activity
-- (kept by the feed projection), the off-chain profile fields a creator sets with a wallet
-- session, and indexes for the lists (by creator, by price, ending soon, by display name).

CREATE TABLE creator_activity (
    creator  text    NOT NULL PRIMARY KEY,
    height   bigint  NOT NULL,  -- position of the creator's latest feed item
    seq      integer NOT NULL
);
INSERT INTO creator_activity (creator, height, seq)
SELECT DISTINCT ON (creator) creator, height, seq
FROM feed_items WHERE creator IS NOT NULL
ORDER BY creator, height DESC, seq DESC;

CREATE TABLE creator_profiles (
    creator     text        NOT NULL PRIMARY KEY,
    bio         text,
    avatar_url  text,
    banner_url  text,
    links       jsonb       NOT NULL DEFAULT '[]',  -- [{"label": "...", "url": "https://..."}]
    updated_at  timestamptz NOT NULL
);

-- Text search on display names: a trigram index serves `ILIKE '%term%'`.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX creators_by_display_name ON creators USING gin (display_name gin_trgm_ops);

CREATE INDEX subscription_tiers_by_creator ON subscription_tiers (creator, tier);
CREATE INDEX ppv_purchases_by_item ON ppv_purchases (creator, content_id, buyer);
CREATE INDEX surprise_listings_by_price ON surprise_listings (asset, price, contract, token_id);
CREATE INDEX surprise_listings_by_recent ON surprise_listings (listed_height DESC, listed_seq DESC);
CREATE INDEX meeting_auctions_by_end ON meeting_auctions (state, ends_at, contract, auction_id);
CREATE INDEX meetings_by_id ON meetings (meeting_id);
CREATE INDEX ppv_purchases_by_buyer_position ON ppv_purchases (buyer, height DESC, seq DESC);
