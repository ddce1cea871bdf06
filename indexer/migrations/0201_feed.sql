-- The activity feeds: one row per event worth showing, naming the creator and the fans it
-- concerns, so creator, fan and global feeds (with a kind filter) are index range scans in
-- (height, seq) order. The event itself is the `events` row at the same (height, seq).
CREATE TABLE feed_items (
    height        bigint  NOT NULL,
    seq           integer NOT NULL,
    kind          text    NOT NULL,  -- tip, subscription, ppv_purchase, surprise_mint, ... (api::feeds::KINDS)
    creator       text,
    fan           text,              -- NULL for anonymous tips
    counterparty  text,              -- the other fan: seller of a sale, sender of a transfer, outbid bidder
    PRIMARY KEY (height, seq)
);
CREATE INDEX feed_items_by_creator ON feed_items (creator, height DESC, seq DESC);
CREATE INDEX feed_items_by_fan ON feed_items (fan, height DESC, seq DESC);
CREATE INDEX feed_items_by_counterparty ON feed_items (counterparty, height DESC, seq DESC)
    WHERE counterparty IS NOT NULL;
CREATE INDEX feed_items_by_kind ON feed_items (kind, height DESC, seq DESC);
