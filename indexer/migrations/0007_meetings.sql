-- Bid-to-Meet: auctions (current state), bids, meetings (current state with revision),
-- the last reschedule step of each meeting, disputes and payouts.

CREATE TABLE meeting_auctions (
    contract           text        NOT NULL,
    auction_id         numeric     NOT NULL,
    creator            text        NOT NULL,
    start              timestamptz NOT NULL,
    duration_secs      numeric     NOT NULL,
    time_zone          text        NOT NULL,
    format             text        NOT NULL,  -- video, audio, in_person
    description        text        NOT NULL,
    asset              text        NOT NULL,
    reserve            numeric     NOT NULL,
    min_increment_bps  integer     NOT NULL,
    ends_at            timestamptz NOT NULL,
    extension_secs     numeric     NOT NULL,
    buy_now            numeric,
    fee_bps            integer     NOT NULL,
    state              text        NOT NULL,  -- open, cancelled, closed, sold
    top_bidder         text,
    top_bid            numeric,
    bid_count          bigint      NOT NULL,
    winner             text,
    price              numeric,
    bought_now         boolean     NOT NULL,
    opened_height      bigint      NOT NULL,
    updated_height     bigint      NOT NULL,
    updated_seq        integer     NOT NULL,
    PRIMARY KEY (contract, auction_id)
);
CREATE INDEX meeting_auctions_by_creator ON meeting_auctions (creator, state);

CREATE TABLE meeting_bids (
    height           bigint      NOT NULL,
    seq              integer     NOT NULL,
    tx_hash          text,
    block_time       timestamptz NOT NULL,
    contract         text        NOT NULL,
    auction_id       numeric     NOT NULL,
    bid_seq          bigint      NOT NULL,
    bidder           text        NOT NULL,
    amount           numeric     NOT NULL,
    refunded_bidder  text,
    refund           numeric,
    PRIMARY KEY (height, seq)
);
CREATE INDEX meeting_bids_by_auction ON meeting_bids (contract, auction_id, bid_seq);
CREATE INDEX meeting_bids_by_bidder ON meeting_bids (bidder);

-- A meeting has the id of the auction it was sold in.
CREATE TABLE meetings (
    contract          text        NOT NULL,
    meeting_id        numeric     NOT NULL,
    creator           text        NOT NULL,
    fan               text        NOT NULL,
    status            text        NOT NULL,
    revision          bigint      NOT NULL,
    start             timestamptz NOT NULL,
    duration_secs     numeric     NOT NULL,
    escrow            numeric     NOT NULL,
    dispute_deadline  timestamptz,
    fan_no_show       boolean     NOT NULL,
    actor             text        NOT NULL,
    updated_height    bigint      NOT NULL,
    updated_seq       integer     NOT NULL,
    PRIMARY KEY (contract, meeting_id)
);
CREATE INDEX meetings_by_creator ON meetings (creator, start);
CREATE INDEX meetings_by_fan ON meetings (fan, start);

CREATE TABLE meeting_reschedules (
    contract        text        NOT NULL,
    meeting_id      numeric     NOT NULL,
    action          text        NOT NULL,  -- proposed, withdrawn, declined
    proposed_by     text        NOT NULL,
    start           timestamptz,
    duration_secs   numeric,
    updated_height  bigint      NOT NULL,
    updated_seq     integer     NOT NULL,
    PRIMARY KEY (contract, meeting_id)
);

CREATE TABLE meeting_disputes (
    contract         text        NOT NULL,
    meeting_id       numeric     NOT NULL,
    fan              text        NOT NULL,
    reason           text,
    opened_height    bigint      NOT NULL,
    outcome          text,                  -- refund, release, split; NULL while open
    arbiter          text,
    fan_bps          integer,
    to_fan           numeric,
    fee              numeric,
    to_creator       numeric,
    resolved_height  bigint,
    PRIMARY KEY (contract, meeting_id)
);

CREATE TABLE meeting_payouts (
    height      bigint      NOT NULL,
    seq         integer     NOT NULL,
    tx_hash     text,
    block_time  timestamptz NOT NULL,
    contract    text        NOT NULL,
    meeting_id  numeric     NOT NULL,
    asset       text        NOT NULL,
    fan         text        NOT NULL,
    to_fan      numeric     NOT NULL,
    treasury    text,
    fee         numeric     NOT NULL,
    payout      text,
    to_creator  numeric     NOT NULL,
    PRIMARY KEY (height, seq)
);
