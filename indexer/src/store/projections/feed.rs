//! `feed_items`: who each feed-worthy event concerns (creator, fan, the other fan), for the
//! API's creator, fan and global feeds. Runs after the other projections of the batch, so a bid
//! or a surprise event that names no creator finds it in `meeting_auctions` or `surprises`.

use mesi_common::events::AnyEvent;
use sqlx::PgConnection;

use super::{row, text, Applied, Events, Projection, Rows};
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

pub struct Feed;

impl Projection for Feed {
    fn name(&self) -> &'static str {
        "feed"
    }

    fn apply<'a>(&'a self, conn: &'a mut PgConnection, events: Events<'a>) -> Applied<'a> {
        Box::pin(apply(conn, events))
    }
}

row! {
    /// An [`Entry`] with its event's position and contract.
    struct Item {
        height: bigint, seq: integer, kind, creator, fan, counterparty, contract,
        auction_id: numeric, token_id,
    }
}

async fn apply(conn: &mut PgConnection, events: &[&StoredEvent]) -> Result<(), sqlx::Error> {
    let mut rows = Rows::default();
    for stored in events {
        if let Some(e) = entry(&stored.event) {
            rows.push(Item {
                height: text(stored.origin.height),
                seq: text(stored.origin.position.seq),
                kind: text(e.kind),
                creator: e.creator,
                fan: e.fan,
                counterparty: e.counterparty,
                contract: text(&stored.origin.contract),
                auction_id: e.auction_id,
                token_id: e.token_id,
            });
        }
    }
    rows.execute(conn, INSERT).await
}

/// Stores the items, and moves each creator's latest activity (the creators list's sort) to
/// their newest item.
const INSERT: &str = r#"
WITH items AS (
    INSERT INTO feed_items (height, seq, kind, creator, fan, counterparty)
    SELECT u.height, u.seq, u.kind, coalesce(u.creator, a.creator, s.creator),
           coalesce(u.fan, CASE WHEN u.kind = 'surprise_reveal' THEN s.owner END), u.counterparty
    FROM {rows}
    LEFT JOIN meeting_auctions a ON a.contract = u.contract AND a.auction_id = u.auction_id
    LEFT JOIN surprises s ON s.contract = u.contract AND s.token_id = u.token_id
    RETURNING height, seq, creator
)
INSERT INTO creator_activity (creator, height, seq)
SELECT DISTINCT ON (creator) creator, height, seq
FROM items WHERE creator IS NOT NULL
ORDER BY creator, height DESC, seq DESC
ON CONFLICT (creator) DO UPDATE SET height = excluded.height, seq = excluded.seq
WHERE (creator_activity.height, creator_activity.seq) < (excluded.height, excluded.seq)
"#;
