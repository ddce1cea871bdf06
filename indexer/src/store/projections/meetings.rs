//! Bid-to-Meet: `meeting_auctions` (each auction's current state, folded per batch like
//! surprises), `meeting_bids`, `meetings` (the full state each `mesi.meeting.v1` carried, with
//! its revision), `meeting_reschedules` (the last step of a proposal), `meeting_disputes` and
//! `meeting_payouts`.

use mesi_common::events::AnyEvent;
use sqlx::PgConnection;

use super::{origin, row, text, time, Applied, Events, Keyed, OriginRow, Projection, Rows};
use crate::config::ContractKind;
use crate::decode::StoredEvent;

pub struct Meetings;

impl Projection for Meetings {
    fn name(&self) -> &'static str {
        "meetings"
    }

    fn apply<'a>(&'a self, conn: &'a mut PgConnection, events: Events<'a>) -> Applied<'a> {
        Box::pin(apply(conn, events))
    }
}

row! {
    struct Auction {
        contract, auction_id: numeric, creator, start: timestamptz, duration_secs: numeric,
        time_zone, format, description, asset, reserve: numeric, min_increment_bps: integer,
        ends_at: timestamptz, extension_secs: numeric, buy_now: numeric, fee_bps: integer, state,
        bid_count: bigint, bought_now: boolean, opened_height: bigint, updated_height: bigint,
        updated_seq: integer,
    }
}

row! {
    /// What later events change in an auction; `None` keeps the stored value.
    #[derive(Default)]
    struct AuctionChange {
        contract, auction_id: numeric, ends_at: timestamptz, state, top_bidder, top_bid: numeric,
        bid_count: bigint, winner, price: numeric, bought_now: boolean, updated_height: bigint,
        updated_seq: integer,
    }
}

row! {
    struct Bid {
        #[flatten] origin: OriginRow,
        auction_id, bid_seq, bidder, amount, refunded_bidder, refund,
    }
}

row! {
    struct Meeting {
        contract, meeting_id: numeric, creator, fan, status, revision: bigint, start: timestamptz,
        duration_secs: numeric, escrow: numeric, dispute_deadline: timestamptz,
        fan_no_show: boolean, actor, updated_height: bigint, updated_seq: integer,
    }
}

row! {
    struct Reschedule {
        contract, meeting_id: numeric, action, proposed_by, start: timestamptz,
        duration_secs: numeric, updated_height: bigint, updated_seq: integer,
    }
}

row! {
    struct DisputeOpened { contract, meeting_id: numeric, fan, reason, opened_height: bigint }
}

row! {
    struct DisputeResolved {
        contract, meeting_id: numeric, outcome, arbiter, fan_bps: integer, to_fan: numeric,
        fee: numeric, to_creator: numeric, resolved_height: bigint,
    }
}

row! {
    struct Payout {
        #[flatten] origin: OriginRow,
        meeting_id, asset, fan, to_fan, treasury, fee, payout, to_creator, cancellation_fee,
    }
}

async fn apply(conn: &mut PgConnection, events: &[&StoredEvent]) -> Result<(), sqlx::Error> {
    let mut opened = Rows::default();
    let mut auction_changes = Keyed::default();
    let mut bids = Rows::default();
    let mut meetings = Keyed::default();
    let mut reschedules = Keyed::default();
    let mut disputes_opened = Keyed::default();
    let mut disputes_resolved = Keyed::default();
    let mut payouts = Rows::default();
    for stored in events
        .iter()
        .filter(|e| e.origin.kind == ContractKind::Meetings)
    {
        let o = &stored.origin;
        let key = |id: u64| format!("{}/{id}", o.contract);
        let unchanged = |id: u64| AuctionChange {
            contract: text(&o.contract),
            auction_id: text(id),
            updated_height: text(o.height),
            updated_seq: text(o.position.seq),
            ..AuctionChange::default()
        };
        match &stored.event {
            AnyEvent::MeetingAuction(e) => opened.push(Auction {
                contract: text(&o.contract),
                auction_id: text(e.auction_id),
                creator: text(&e.creator),
                start: time(e.start),
                duration_secs: text(e.duration_secs),
                time_zone: text(&e.time_zone),
                format: text(e.format.as_str()),
                description: text(&e.description),
                asset: text(e.asset.key()),
                reserve: text(e.reserve),
                min_increment_bps: text(e.min_increment_bps),
                ends_at: time(e.ends_at),
                extension_secs: text(e.extension_secs),
                buy_now: e.buy_now.map(|b| b.to_string()),
                fee_bps: text(e.fee_bps),
                state: text("open"),
                bid_count: text(0),
                bought_now: text(false),
                opened_height: text(o.height),
                updated_height: text(o.height),
                updated_seq: text(o.position.seq),
            }),
            AnyEvent::MeetingAuctionExtended(e) => auction_changes.merge(
                key(e.auction_id),
                AuctionChange {
                    ends_at: time(e.ends_at),
                    ..unchanged(e.auction_id)
                },
            ),
            AnyEvent::MeetingAuctionCancelled(e) => auction_changes.merge(
                key(e.auction_id),
                AuctionChange {
                    state: text("cancelled"),
                    ..unchanged(e.auction_id)
                },
            ),
            AnyEvent::MeetingAuctionSettled(e) => auction_changes.merge(
                key(e.auction_id),
                AuctionChange {
                    state: text(e.state.as_str()),
                    winner: e.winner.as_ref().map(|w| w.to_string()),
                    price: e.price.map(|p| p.to_string()),
                    bought_now: text(e.bought_now),
                    ..unchanged(e.auction_id)
                },
            ),
            AnyEvent::MeetingBid(e) => {
                auction_changes.merge(
                    key(e.auction_id),
                    AuctionChange {
                        top_bidder: text(&e.bidder),
                        top_bid: text(e.amount),
                        bid_count: text(e.bid_seq),
                        ..unchanged(e.auction_id)
                    },
                );
                bids.push(Bid {
                    origin: origin(o),
                    auction_id: text(e.auction_id),
                    bid_seq: text(e.bid_seq),
                    bidder: text(&e.bidder),
                    amount: text(e.amount),
                    refunded_bidder: e.refunded_bidder.as_ref().map(|b| b.to_string()),
                    refund: e.refund.map(|r| r.to_string()),
                });
            }
            AnyEvent::Meeting(e) => meetings.replace(
                key(e.meeting_id),
                Meeting {
                    contract: text(&o.contract),
                    meeting_id: text(e.meeting_id),
                    creator: text(&e.creator),
                    fan: text(&e.fan),
                    status: text(e.status.as_str()),
                    revision: text(e.revision),
                    start: time(e.start),
                    duration_secs: text(e.duration_secs),
                    escrow: text(e.escrow),
                    dispute_deadline: e.dispute_deadline.and_then(time),
                    fan_no_show: text(e.fan_no_show),
                    actor: text(&e.actor),
                    updated_height: text(o.height),
                    updated_seq: text(o.position.seq),
                },
            ),
            AnyEvent::MeetingReschedule(e) => reschedules.replace(
                key(e.meeting_id),
                Reschedule {
                    contract: text(&o.contract),
                    meeting_id: text(e.meeting_id),
                    action: text(e.action.as_str()),
                    proposed_by: text(&e.by),
                    start: e.start.and_then(time),
                    duration_secs: e.duration_secs.map(|d| d.to_string()),
                    updated_height: text(o.height),
                    updated_seq: text(o.position.seq),
                },
            ),
            AnyEvent::MeetingDispute(e) => disputes_opened.replace(
                key(e.meeting_id),
                DisputeOpened {
                    contract: text(&o.contract),
                    meeting_id: text(e.meeting_id),
                    fan: text(&e.fan),
                    reason: e.reason.clone(),
                    opened_height: text(o.height),
                },
            ),
            AnyEvent::MeetingDisputeResolved(e) => disputes_resolved.replace(
                key(e.meeting_id),
                DisputeResolved {
                    contract: text(&o.contract),
                    meeting_id: text(e.meeting_id),
                    outcome: text(e.outcome.as_str()),
                    arbiter: text(&e.arbiter),
                    fan_bps: text(e.fan_bps),
                    to_fan: text(e.to_fan),
                    fee: text(e.fee),
                    to_creator: text(e.to_creator),
                    resolved_height: text(o.height),
                },
            ),
            AnyEvent::MeetingPayout(e) => payouts.push(Payout {
                origin: origin(o),
                meeting_id: text(e.meeting_id),
                asset: text(e.asset.key()),
                fan: text(&e.fan),
                to_fan: text(e.to_fan),
                treasury: e.treasury.as_ref().map(|t| t.to_string()),
                fee: text(e.fee),
                payout: e.payout.as_ref().map(|p| p.to_string()),
                to_creator: text(e.to_creator),
                cancellation_fee: e.cancellation_fee.and_then(text),
            }),
            _ => {}
        }
    }
    opened
        .insert_into(conn, "meeting_auctions", "ON CONFLICT DO NOTHING")
        .await?;
    auction_changes
        .into_rows()
        .execute(conn, APPLY_AUCTION_CHANGES)
        .await?;
    bids.copy_into(conn, "meeting_bids").await?;
    meetings
        .into_rows()
        .insert_into(conn, "meetings", UPSERT_MEETINGS)
        .await?;
    reschedules
        .into_rows()
        .insert_into(conn, "meeting_reschedules", UPSERT_RESCHEDULES)
        .await?;
    disputes_opened
        .into_rows()
        .insert_into(conn, "meeting_disputes", UPSERT_DISPUTES)
        .await?;
    disputes_resolved
        .into_rows()
        .execute(conn, RESOLVE_DISPUTES)
        .await?;
    payouts.copy_into(conn, "meeting_payouts").await?;
    Ok(())
}

const APPLY_AUCTION_CHANGES: &str = r#"
UPDATE meeting_auctions AS a
SET ends_at = coalesce(u.ends_at, a.ends_at),
    state = coalesce(u.state, a.state),
    top_bidder = coalesce(u.top_bidder, a.top_bidder),
    top_bid = coalesce(u.top_bid, a.top_bid),
    bid_count = coalesce(u.bid_count, a.bid_count),
    winner = coalesce(u.winner, a.winner),
    price = coalesce(u.price, a.price),
    bought_now = coalesce(u.bought_now, a.bought_now),
    updated_height = u.updated_height,
    updated_seq = u.updated_seq
FROM {rows}
WHERE a.contract = u.contract AND a.auction_id = u.auction_id
"#;

const UPSERT_MEETINGS: &str = r#"
ON CONFLICT (contract, meeting_id) DO UPDATE
SET creator = EXCLUDED.creator, fan = EXCLUDED.fan, status = EXCLUDED.status, revision = EXCLUDED.revision,
    start = EXCLUDED.start, duration_secs = EXCLUDED.duration_secs, escrow = EXCLUDED.escrow,
    dispute_deadline = EXCLUDED.dispute_deadline, fan_no_show = EXCLUDED.fan_no_show, actor = EXCLUDED.actor,
    updated_height = EXCLUDED.updated_height, updated_seq = EXCLUDED.updated_seq
WHERE (t.updated_height, t.updated_seq) < (EXCLUDED.updated_height, EXCLUDED.updated_seq)
"#;

const UPSERT_RESCHEDULES: &str = r#"
ON CONFLICT (contract, meeting_id) DO UPDATE
SET action = EXCLUDED.action, proposed_by = EXCLUDED.proposed_by, start = EXCLUDED.start,
    duration_secs = EXCLUDED.duration_secs, updated_height = EXCLUDED.updated_height,
    updated_seq = EXCLUDED.updated_seq
WHERE (t.updated_height, t.updated_seq) < (EXCLUDED.updated_height, EXCLUDED.updated_seq)
"#;

const UPSERT_DISPUTES: &str = r#"
ON CONFLICT (contract, meeting_id) DO UPDATE
SET fan = EXCLUDED.fan, reason = EXCLUDED.reason, opened_height = EXCLUDED.opened_height, outcome = NULL,
    arbiter = NULL, fan_bps = NULL, to_fan = NULL, fee = NULL, to_creator = NULL, resolved_height = NULL
"#;

const RESOLVE_DISPUTES: &str = r#"
UPDATE meeting_disputes AS d
SET outcome = u.outcome, arbiter = u.arbiter, fan_bps = u.fan_bps, to_fan = u.to_fan, fee = u.fee,
    to_creator = u.to_creator, resolved_height = u.resolved_height
FROM {rows}
WHERE d.contract = u.contract AND d.meeting_id = u.meeting_id
"#;
