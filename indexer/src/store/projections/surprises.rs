//! `surprises` (each token's current state), `surprise_owners` (every change of owner),
//! `surprise_listings` (open listings) and `surprise_sales`.
//!
//! Mints insert full rows; later events change parts of a token, so each batch folds them
//! per token (the latest value of each field wins) and applies one update per token. A token
//! minted before the indexer's start height is not in `surprises`, and its later events change
//! nothing there (they are still in the raw log, the owner history and the sales).

use cosmwasm_std::Addr;
use mesi_common::events::AnyEvent;
use sqlx::PgConnection;

use super::{json, origin, row, text, time, Applied, Events, Keyed, OriginRow, Projection, Rows};
use crate::config::ContractKind;
use crate::decode::StoredEvent;

pub struct Surprises;

impl Projection for Surprises {
    fn name(&self) -> &'static str {
        "surprises"
    }

    fn apply<'a>(&'a self, conn: &'a mut PgConnection, events: Events<'a>) -> Applied<'a> {
        Box::pin(apply(conn, events))
    }
}

row! {
    struct Mint {
        contract, token_id, creator, owner, title, hints: jsonb, category, preview_uri, commitment,
        royalty_bps: integer, bond_asset, bond: numeric, reveal_window: numeric, state,
        minted_height: bigint, updated_height: bigint, updated_seq: integer,
    }
}

row! {
    /// What later events change in a token; `None` keeps the stored value.
    #[derive(Default)]
    struct TokenChange {
        contract, token_id, owner, state, reveal_deadline: timestamptz, salt, content_hash,
        updated_height: bigint, updated_seq: integer,
    }
}

row! {
    struct OwnerChange {
        #[flatten] origin: OriginRow,
        token_id, from_owner, to_owner, reason,
    }
}

row! {
    struct Listing {
        contract, token_id, seller, asset, price: numeric, expires_at: timestamptz,
        listed_height: bigint, listed_seq: integer,
    }
}

row! {
    struct Token { contract, token_id }
}

row! {
    struct Sale {
        #[flatten] origin: OriginRow,
        token_id, seller, buyer, creator, asset, price, fee, royalty, seller_amount,
    }
}

/// A token's listing at the end of the batch.
enum ListingState {
    Open(Listing),
    Closed(Token),
}

async fn apply(conn: &mut PgConnection, events: &[&StoredEvent]) -> Result<(), sqlx::Error> {
    let mut mints = Rows::default();
    let mut changes = Keyed::default();
    let mut owners = Rows::default();
    let mut listings = Keyed::default();
    let mut sales = Rows::default();
    for stored in events
        .iter()
        .filter(|e| e.origin.kind == ContractKind::Surprises)
    {
        let o = &stored.origin;
        let key = |token_id: &str| format!("{}/{token_id}", o.contract);
        let unchanged = |token_id: &str| TokenChange {
            contract: text(&o.contract),
            token_id: text(token_id),
            updated_height: text(o.height),
            updated_seq: text(o.position.seq),
            ..TokenChange::default()
        };
        let closed = |token_id: &str| {
            ListingState::Closed(Token {
                contract: text(&o.contract),
                token_id: text(token_id),
            })
        };
        let owner_change =
            |token_id: &str, from_owner, to_owner: &Addr, reason: &str| OwnerChange {
                origin: origin(o),
                token_id: text(token_id),
                from_owner,
                to_owner: text(to_owner),
                reason: text(reason),
            };
        match &stored.event {
            AnyEvent::SurpriseMinted(e) => {
                mints.push(Mint {
                    contract: text(&o.contract),
                    token_id: text(&e.token_id),
                    creator: text(&e.creator),
                    owner: text(&e.owner),
                    title: text(&e.title),
                    hints: json(&e.hints),
                    category: text(&e.category),
                    preview_uri: e.preview_uri.clone(),
                    commitment: text(&e.commitment),
                    royalty_bps: text(e.royalty_bps),
                    bond_asset: e.bond_asset.as_ref().map(|a| a.key()),
                    bond: text(e.bond),
                    reveal_window: text(e.reveal_window),
                    state: text("sealed"),
                    minted_height: text(o.height),
                    updated_height: text(o.height),
                    updated_seq: text(o.position.seq),
                });
                owners.push(owner_change(&e.token_id, None, &e.owner, "mint"));
            }
            AnyEvent::SurpriseTransferred(e) => {
                changes.merge(
                    key(&e.token_id),
                    TokenChange {
                        owner: text(&e.to),
                        ..unchanged(&e.token_id)
                    },
                );
                owners.push(owner_change(&e.token_id, text(&e.from), &e.to, "transfer"));
                if e.delisted {
                    listings.replace(key(&e.token_id), closed(&e.token_id));
                }
            }
            AnyEvent::SurpriseSold(e) => {
                changes.merge(
                    key(&e.token_id),
                    TokenChange {
                        owner: text(&e.buyer),
                        ..unchanged(&e.token_id)
                    },
                );
                owners.push(owner_change(&e.token_id, text(&e.seller), &e.buyer, "sale"));
                listings.replace(key(&e.token_id), closed(&e.token_id));
                sales.push(Sale {
                    origin: origin(o),
                    token_id: text(&e.token_id),
                    seller: text(&e.seller),
                    buyer: text(&e.buyer),
                    creator: text(&e.creator),
                    asset: text(e.asset.key()),
                    price: text(e.price),
                    fee: text(e.fee),
                    royalty: text(e.royalty),
                    seller_amount: text(e.seller_amount),
                });
            }
            AnyEvent::SurpriseListed(e) => listings.replace(
                key(&e.token_id),
                ListingState::Open(Listing {
                    contract: text(&o.contract),
                    token_id: text(&e.token_id),
                    seller: text(&e.seller),
                    asset: text(e.asset.key()),
                    price: text(e.price),
                    expires_at: e.expires_at.and_then(time),
                    listed_height: text(o.height),
                    listed_seq: text(o.position.seq),
                }),
            ),
            AnyEvent::SurpriseDelisted(e) => {
                listings.replace(key(&e.token_id), closed(&e.token_id))
            }
            AnyEvent::SurpriseUnlocked(e) => {
                changes.merge(
                    key(&e.token_id),
                    TokenChange {
                        state: text("unlocked"),
                        reveal_deadline: time(e.reveal_deadline),
                        ..unchanged(&e.token_id)
                    },
                );
                if e.delisted {
                    listings.replace(key(&e.token_id), closed(&e.token_id));
                }
            }
            AnyEvent::SurpriseRevealed(e) => changes.merge(
                key(&e.token_id),
                TokenChange {
                    state: text("revealed"),
                    salt: text(&e.salt),
                    content_hash: text(&e.content_hash),
                    ..unchanged(&e.token_id)
                },
            ),
            AnyEvent::SurpriseForfeited(e) => changes.merge(
                key(&e.token_id),
                TokenChange {
                    state: text("forfeited"),
                    ..unchanged(&e.token_id)
                },
            ),
            _ => {}
        }
    }
    mints
        .insert_into(conn, "surprises", "ON CONFLICT DO NOTHING")
        .await?;
    changes.into_rows().execute(conn, APPLY_CHANGES).await?;
    owners.copy_into(conn, "surprise_owners").await?;
    let (mut open, mut closed) = (Rows::default(), Rows::default());
    for listing in listings.into_rows().0 {
        match listing {
            ListingState::Open(listing) => open.push(listing),
            ListingState::Closed(token) => closed.push(token),
        }
    }
    closed.execute(conn, DELETE_LISTINGS).await?;
    open.insert_into(conn, "surprise_listings", UPSERT_LISTINGS)
        .await?;
    sales.copy_into(conn, "surprise_sales").await?;
    Ok(())
}

const APPLY_CHANGES: &str = r#"
UPDATE surprises AS s
SET owner = coalesce(u.owner, s.owner),
    state = coalesce(u.state, s.state),
    reveal_deadline = coalesce(u.reveal_deadline, s.reveal_deadline),
    salt = coalesce(u.salt, s.salt),
    content_hash = coalesce(u.content_hash, s.content_hash),
    updated_height = u.updated_height,
    updated_seq = u.updated_seq
FROM {rows}
WHERE s.contract = u.contract AND s.token_id = u.token_id
"#;

const DELETE_LISTINGS: &str = r#"
DELETE FROM surprise_listings AS l
USING {rows}
WHERE l.contract = u.contract AND l.token_id = u.token_id
"#;

const UPSERT_LISTINGS: &str = r#"
ON CONFLICT (contract, token_id) DO UPDATE
SET seller = EXCLUDED.seller, asset = EXCLUDED.asset, price = EXCLUDED.price, expires_at = EXCLUDED.expires_at,
    listed_height = EXCLUDED.listed_height, listed_seq = EXCLUDED.listed_seq
"#;
