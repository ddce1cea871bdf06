//! `feed_items`: who each feed-worthy event concerns (creator, fan, the other fan), for the
//! API's creator, fan and global feeds. Runs after the other projections of the batch, so a bid
//! or a surprise event that names no creator finds it in `meeting_auctions` or `surprises`.

use mesi_common::events::AnyEvent;
use sqlx::PgConnection;

use super::{text, Columns};
use crate::decode::StoredEvent;

/// Every feed kind, in the order the API documents them.
pub const KINDS: &[&str] = &[
    "tip",
    "fiat_tip",
    "subscription",
    "ppv_purchase",
    "surprise_mint",
    "surprise_listing",
    "surprise_sale",
    "surprise_transfer",
    "surprise_unlock",
    "surprise_reveal",
    "surprise_forfeit",
    "meeting_auction",
    "meeting_auction_cancelled",
    "meeting_auction_settled",
    "meeting_bid",
    "meeting",
];

/// One row: kind, creator, fan, counterparty, and the key to find a missing creator (or fan)
/// by: a meeting auction id or a surprise token id.
struct Entry {
    kind: &'static str,
    creator: Option<String>,
    fan: Option<String>,
    counterparty: Option<String>,
    auction_id: Option<String>,
    token_id: Option<String>,
}

impl Entry {
    fn new(kind: &'static str, creator: impl ToString, fan: Option<String>) -> Entry {
        Entry {
            kind,
            creator: text(creator),
            fan,
            counterparty: None,
            auction_id: None,
            token_id: None,
        }
    }

    /// An event about a surprise that may not name its creator.
    fn surprise(kind: &'static str, token_id: &str, fan: Option<String>) -> Entry {
        Entry {
            kind,
            creator: None,
            fan,
            counterparty: None,
            auction_id: None,
            token_id: text(token_id),
        }
    }
}

fn entry(event: &AnyEvent) -> Option<Entry> {
    let addr = |a: &cosmwasm_std::Addr| Some(a.to_string());
    Some(match event {
        AnyEvent::Tip(e) => {
            Entry::new("tip", &e.creator, (!e.anonymous).then(|| e.fan.to_string()))
        }
        AnyEvent::FiatTip(e) => Entry::new(
            "fiat_tip",
            &e.creator,
            (!e.anonymous).then(|| e.fan.to_string()),
        ),
        AnyEvent::Subscription(e) => Entry::new("subscription", &e.creator, addr(&e.fan)),
        AnyEvent::PpvPurchase(e) => Entry::new("ppv_purchase", &e.creator, addr(&e.buyer)),
        AnyEvent::SurpriseMinted(e) => Entry {
            token_id: text(&e.token_id),
            ..Entry::new("surprise_mint", &e.creator, addr(&e.owner))
        },
        AnyEvent::SurpriseListed(e) => {
            Entry::surprise("surprise_listing", &e.token_id, addr(&e.seller))
        }
        AnyEvent::SurpriseSold(e) => Entry {
            counterparty: addr(&e.seller),
            token_id: text(&e.token_id),
            ..Entry::new("surprise_sale", &e.creator, addr(&e.buyer))
        },
        AnyEvent::SurpriseTransferred(e) => Entry {
            counterparty: addr(&e.from),
            ..Entry::surprise("surprise_transfer", &e.token_id, addr(&e.to))
        },
        AnyEvent::SurpriseUnlocked(e) => Entry {
            token_id: text(&e.token_id),
            ..Entry::new("surprise_unlock", &e.creator, addr(&e.owner))
        },
        // The owner who sees the content: the token's owner, looked up.
        AnyEvent::SurpriseRevealed(e) => Entry {
            creator: addr(&e.creator),
            ..Entry::surprise("surprise_reveal", &e.token_id, None)
        },
        AnyEvent::SurpriseForfeited(e) => Entry {
            token_id: text(&e.token_id),
            ..Entry::new("surprise_forfeit", &e.creator, addr(&e.unlocker))
        },
        AnyEvent::MeetingAuction(e) => Entry::new("meeting_auction", &e.creator, None),
        AnyEvent::MeetingAuctionCancelled(e) => {
            Entry::new("meeting_auction_cancelled", &e.creator, None)
        }
        AnyEvent::MeetingAuctionSettled(e) => Entry::new(
            "meeting_auction_settled",
            &e.creator,
            e.winner.as_ref().map(ToString::to_string),
        ),
        AnyEvent::MeetingBid(e) => Entry {
            kind: "meeting_bid",
            creator: None,
            fan: addr(&e.bidder),
            counterparty: e.refunded_bidder.as_ref().map(ToString::to_string),
            auction_id: text(e.auction_id),
            token_id: None,
        },
        AnyEvent::Meeting(e) => Entry::new("meeting", &e.creator, addr(&e.fan)),
        _ => return None,
    })
}

pub async fn apply(conn: &mut PgConnection, events: &[&StoredEvent]) -> Result<(), sqlx::Error> {
    let mut rows = Columns::<9>::default();
    for stored in events {
        if let Some(e) = entry(&stored.event) {
            rows.push([
                text(stored.origin.height),
                text(stored.origin.position.seq),
                text(e.kind),
                e.creator,
                e.fan,
                e.counterparty,
                text(&stored.origin.contract),
                e.auction_id,
                e.token_id,
            ]);
        }
    }
    rows.execute(
        conn,
        "INSERT INTO feed_items (height, seq, kind, creator, fan, counterparty) \
         SELECT v.height::bigint, v.seq::integer, v.kind, coalesce(v.creator, a.creator, s.creator), \
                coalesce(v.fan, CASE WHEN v.kind = 'surprise_reveal' THEN s.owner END), v.counterparty \
         FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[]) \
              AS v(height, seq, kind, creator, fan, counterparty, contract, auction_id, token_id) \
         LEFT JOIN meeting_auctions a ON a.contract = v.contract AND a.auction_id = v.auction_id::numeric \
         LEFT JOIN surprises s ON s.contract = v.contract AND s.token_id = v.token_id",
    )
    .await
}
