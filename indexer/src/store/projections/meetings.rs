//! Bid-to-Meet: `meeting_auctions` (each auction's current state, folded per batch like
//! surprises), `meeting_bids`, `meetings` (the full state each `mesi.meeting.v1` carried, with
//! its revision), `meeting_reschedules` (the last step of a proposal), `meeting_disputes` and
//! `meeting_payouts`.

use mesi_common::events::AnyEvent;
use sqlx::PgConnection;

use super::{origin_columns, text, time, Columns, Keyed};
use crate::config::ContractKind;
use crate::decode::StoredEvent;

pub async fn apply(conn: &mut PgConnection, events: &[&StoredEvent]) -> Result<(), sqlx::Error> {
    let mut opened = Columns::<18>::default();
    // contract, auction_id, ends_at, state, top_bidder, top_bid, bid_count, winner, price, bought_now,
    // updated_height, updated_seq
    let mut auction_changes = Keyed::<12>::default();
    let mut bids = Columns::<11>::default();
    let mut meetings = Keyed::<14>::default();
    let mut reschedules = Keyed::<8>::default();
    let mut disputes_opened = Keyed::<5>::default();
    let mut disputes_resolved = Keyed::<9>::default();
    let mut payouts = Columns::<14>::default();
    for stored in events
        .iter()
        .filter(|e| e.origin.kind == ContractKind::Meetings)
    {
        let o = &stored.origin;
        let key = |id: u64| format!("{}/{id}", o.contract);
        let auction_change = |id: u64, fields: [Option<String>; 8]| {
            let [ends_at, state, top_bidder, top_bid, bid_count, winner, price, bought_now] =
                fields;
            [
                text(&o.contract),
                text(id),
                ends_at,
                state,
                top_bidder,
                top_bid,
                bid_count,
                winner,
                price,
                bought_now,
                text(o.height),
                text(o.position.seq),
            ]
        };
        match &stored.event {
            AnyEvent::MeetingAuction(e) => opened.push([
                text(&o.contract),
                text(e.auction_id),
                text(&e.creator),
                time(e.start),
                text(e.duration_secs),
                text(&e.time_zone),
                text(e.format.as_str()),
                text(&e.description),
                text(e.asset.key()),
                text(e.reserve),
                text(e.min_increment_bps),
                time(e.ends_at),
                text(e.extension_secs),
                e.buy_now.map(|b| b.to_string()),
                text(e.fee_bps),
                text(o.height),
                text(o.height),
                text(o.position.seq),
            ]),
            AnyEvent::MeetingAuctionExtended(e) => auction_changes.merge(
                key(e.auction_id),
                auction_change(
                    e.auction_id,
                    [time(e.ends_at), None, None, None, None, None, None, None],
                ),
            ),
            AnyEvent::MeetingAuctionCancelled(e) => auction_changes.merge(
                key(e.auction_id),
                auction_change(
                    e.auction_id,
                    [None, text("cancelled"), None, None, None, None, None, None],
                ),
            ),
            AnyEvent::MeetingAuctionSettled(e) => auction_changes.merge(
                key(e.auction_id),
                auction_change(
                    e.auction_id,
                    [
                        None,
                        text(e.state.as_str()),
                        None,
                        None,
                        None,
                        e.winner.as_ref().map(|w| w.to_string()),
                        e.price.map(|p| p.to_string()),
                        text(e.bought_now),
                    ],
                ),
            ),
            AnyEvent::MeetingBid(e) => {
                auction_changes.merge(
                    key(e.auction_id),
                    auction_change(
                        e.auction_id,
                        [
                            None,
                            None,
                            text(&e.bidder),
                            text(e.amount),
                            text(e.bid_seq),
                            None,
                            None,
                            None,
                        ],
                    ),
                );
                let [height, seq, tx_hash, block_time, contract] = origin_columns(o);
                bids.push([
                    height,
                    seq,
                    tx_hash,
                    block_time,
                    contract,
                    text(e.auction_id),
                    text(e.bid_seq),
                    text(&e.bidder),
                    text(e.amount),
                    e.refunded_bidder.as_ref().map(|b| b.to_string()),
                    e.refund.map(|r| r.to_string()),
                ]);
            }
            AnyEvent::Meeting(e) => meetings.replace(
                key(e.meeting_id),
                [
                    text(&o.contract),
                    text(e.meeting_id),
                    text(&e.creator),
                    text(&e.fan),
                    text(e.status.as_str()),
                    text(e.revision),
                    time(e.start),
                    text(e.duration_secs),
                    text(e.escrow),
                    e.dispute_deadline.and_then(time),
                    text(e.fan_no_show),
                    text(&e.actor),
                    text(o.height),
                    text(o.position.seq),
                ],
            ),
            AnyEvent::MeetingReschedule(e) => reschedules.replace(
                key(e.meeting_id),
                [
                    text(&o.contract),
                    text(e.meeting_id),
                    text(e.action.as_str()),
                    text(&e.by),
                    e.start.and_then(time),
                    e.duration_secs.map(|d| d.to_string()),
                    text(o.height),
                    text(o.position.seq),
                ],
            ),
            AnyEvent::MeetingDispute(e) => disputes_opened.replace(
                key(e.meeting_id),
                [
                    text(&o.contract),
                    text(e.meeting_id),
                    text(&e.fan),
                    e.reason.clone(),
                    text(o.height),
                ],
            ),
            AnyEvent::MeetingDisputeResolved(e) => disputes_resolved.replace(
                key(e.meeting_id),
                [
                    text(&o.contract),
                    text(e.meeting_id),
                    text(e.outcome.as_str()),
                    text(&e.arbiter),
                    text(e.fan_bps),
                    text(e.to_fan),
                    text(e.fee),
                    text(e.to_creator),
                    text(o.height),
                ],
            ),
            AnyEvent::MeetingPayout(e) => {
                let [height, seq, tx_hash, block_time, contract] = origin_columns(o);
                payouts.push([
                    height,
                    seq,
                    tx_hash,
                    block_time,
                    contract,
                    text(e.meeting_id),
                    text(e.asset.key()),
                    text(&e.fan),
                    text(e.to_fan),
                    e.treasury.as_ref().map(|t| t.to_string()),
                    text(e.fee),
                    e.payout.as_ref().map(|p| p.to_string()),
                    text(e.to_creator),
                    e.cancellation_fee.and_then(text),
                ]);
            }
            _ => {}
        }
    }
    opened.execute(conn, INSERT_AUCTIONS).await?;
    auction_changes
        .into_columns()
        .execute(conn, APPLY_AUCTION_CHANGES)
        .await?;
    bids.copy_into(conn, BIDS).await?;
    meetings
        .into_columns()
        .execute(conn, UPSERT_MEETINGS)
        .await?;
    reschedules
        .into_columns()
        .execute(conn, UPSERT_RESCHEDULES)
        .await?;
    disputes_opened
        .into_columns()
        .execute(conn, UPSERT_DISPUTES)
        .await?;
    disputes_resolved
        .into_columns()
        .execute(conn, RESOLVE_DISPUTES)
        .await?;
    payouts.copy_into(conn, PAYOUTS).await?;
    Ok(())
}

const INSERT_AUCTIONS: &str = r#"
INSERT INTO meeting_auctions (contract, auction_id, creator, start, duration_secs, time_zone, format, description, asset,
                              reserve, min_increment_bps, ends_at, extension_secs, buy_now, fee_bps, state, bid_count,
                              bought_now, opened_height, updated_height, updated_seq)
SELECT contract, auction_id::numeric, creator, start::timestamptz, duration_secs::numeric, time_zone, format,
       description, asset, reserve::numeric, min_increment_bps::integer, ends_at::timestamptz,
       extension_secs::numeric, buy_now::numeric, fee_bps::integer, 'open', 0, false, opened_height::bigint,
       updated_height::bigint, updated_seq::integer
FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
            $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[],
            $17::text[], $18::text[])
     AS u(contract, auction_id, creator, start, duration_secs, time_zone, format, description, asset, reserve,
          min_increment_bps, ends_at, extension_secs, buy_now, fee_bps, opened_height, updated_height, updated_seq)
ON CONFLICT DO NOTHING
"#;

const APPLY_AUCTION_CHANGES: &str = r#"
UPDATE meeting_auctions AS a
SET ends_at = coalesce(c.ends_at::timestamptz, a.ends_at),
    state = coalesce(c.state, a.state),
    top_bidder = coalesce(c.top_bidder, a.top_bidder),
    top_bid = coalesce(c.top_bid::numeric, a.top_bid),
    bid_count = coalesce(c.bid_count::bigint, a.bid_count),
    winner = coalesce(c.winner, a.winner),
    price = coalesce(c.price::numeric, a.price),
    bought_now = coalesce(c.bought_now::boolean, a.bought_now),
    updated_height = c.updated_height::bigint,
    updated_seq = c.updated_seq::integer
FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
            $9::text[], $10::text[], $11::text[], $12::text[])
     AS c(contract, auction_id, ends_at, state, top_bidder, top_bid, bid_count, winner, price, bought_now,
          updated_height, updated_seq)
WHERE a.contract = c.contract AND a.auction_id = c.auction_id::numeric
"#;

const UPSERT_MEETINGS: &str = r#"
INSERT INTO meetings AS t (contract, meeting_id, creator, fan, status, revision, start, duration_secs, escrow,
                           dispute_deadline, fan_no_show, actor, updated_height, updated_seq)
SELECT contract, meeting_id::numeric, creator, fan, status, revision::bigint, start::timestamptz,
       duration_secs::numeric, escrow::numeric, dispute_deadline::timestamptz, fan_no_show::boolean, actor,
       updated_height::bigint, updated_seq::integer
FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
            $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[])
     AS u(contract, meeting_id, creator, fan, status, revision, start, duration_secs, escrow, dispute_deadline,
          fan_no_show, actor, updated_height, updated_seq)
ON CONFLICT (contract, meeting_id) DO UPDATE
SET creator = EXCLUDED.creator, fan = EXCLUDED.fan, status = EXCLUDED.status, revision = EXCLUDED.revision,
    start = EXCLUDED.start, duration_secs = EXCLUDED.duration_secs, escrow = EXCLUDED.escrow,
    dispute_deadline = EXCLUDED.dispute_deadline, fan_no_show = EXCLUDED.fan_no_show, actor = EXCLUDED.actor,
    updated_height = EXCLUDED.updated_height, updated_seq = EXCLUDED.updated_seq
WHERE (t.updated_height, t.updated_seq) < (EXCLUDED.updated_height, EXCLUDED.updated_seq)
"#;

const UPSERT_RESCHEDULES: &str = r#"
INSERT INTO meeting_reschedules AS t (contract, meeting_id, action, proposed_by, start, duration_secs, updated_height,
                                      updated_seq)
SELECT contract, meeting_id::numeric, action, proposed_by, start::timestamptz, duration_secs::numeric,
       updated_height::bigint, updated_seq::integer
FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
     AS u(contract, meeting_id, action, proposed_by, start, duration_secs, updated_height, updated_seq)
ON CONFLICT (contract, meeting_id) DO UPDATE
SET action = EXCLUDED.action, proposed_by = EXCLUDED.proposed_by, start = EXCLUDED.start,
    duration_secs = EXCLUDED.duration_secs, updated_height = EXCLUDED.updated_height,
    updated_seq = EXCLUDED.updated_seq
WHERE (t.updated_height, t.updated_seq) < (EXCLUDED.updated_height, EXCLUDED.updated_seq)
"#;

const UPSERT_DISPUTES: &str = r#"
INSERT INTO meeting_disputes (contract, meeting_id, fan, reason, opened_height)
SELECT contract, meeting_id::numeric, fan, reason, opened_height::bigint
FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS u(contract, meeting_id, fan, reason, opened_height)
ON CONFLICT (contract, meeting_id) DO UPDATE
SET fan = EXCLUDED.fan, reason = EXCLUDED.reason, opened_height = EXCLUDED.opened_height, outcome = NULL,
    arbiter = NULL, fan_bps = NULL, to_fan = NULL, fee = NULL, to_creator = NULL, resolved_height = NULL
"#;

const RESOLVE_DISPUTES: &str = r#"
UPDATE meeting_disputes AS d
SET outcome = r.outcome, arbiter = r.arbiter, fan_bps = r.fan_bps::integer, to_fan = r.to_fan::numeric,
    fee = r.fee::numeric, to_creator = r.to_creator::numeric, resolved_height = r.resolved_height::bigint
FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
     AS r(contract, meeting_id, outcome, arbiter, fan_bps, to_fan, fee, to_creator, resolved_height)
WHERE d.contract = r.contract AND d.meeting_id = r.meeting_id::numeric
"#;

const BIDS: &str = "meeting_bids (height, seq, tx_hash, block_time, contract, auction_id, bid_seq, bidder, amount, \
                    refunded_bidder, refund)";

const PAYOUTS: &str =
    "meeting_payouts (height, seq, tx_hash, block_time, contract, meeting_id, asset, fan, to_fan, \
                       treasury, fee, payout, to_creator, cancellation_fee)";
