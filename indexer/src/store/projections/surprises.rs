//! `surprises` (each token's current state), `surprise_owners` (every change of owner),
//! `surprise_listings` (open listings) and `surprise_sales`.
//!
//! Mints insert full rows; later events change parts of a token, so each batch folds them
//! per token (the latest value of each field wins) and applies one update per token. A token
//! minted before the indexer's start height is not in `surprises`, and its later events change
//! nothing there (they are still in the raw log, the owner history and the sales).

use mesi_common::events::AnyEvent;
use sqlx::PgConnection;

use super::{json, origin_columns, text, time, Columns, Keyed};
use crate::config::ContractKind;
use crate::decode::StoredEvent;

pub async fn apply(conn: &mut PgConnection, events: &[&StoredEvent]) -> Result<(), sqlx::Error> {
    let mut mints = Columns::<17>::default();
    // contract, token_id, owner, state, reveal_deadline, salt, content_hash, updated_height, updated_seq
    let mut changes = Keyed::<9>::default();
    let mut owners = Columns::<9>::default();
    // contract, token_id, present, seller, asset, price, expires_at, listed_height, listed_seq
    let mut listings = Keyed::<9>::default();
    let mut sales = Columns::<14>::default();
    for stored in events
        .iter()
        .filter(|e| e.origin.kind == ContractKind::Surprises)
    {
        let o = &stored.origin;
        let key = |token_id: &str| format!("{}/{token_id}", o.contract);
        let change =
            |token_id: &str, owner: Option<String>, state: Option<&str>, deadline, salt, hash| {
                [
                    text(&o.contract),
                    text(token_id),
                    owner,
                    state.map(str::to_owned),
                    deadline,
                    salt,
                    hash,
                    text(o.height),
                    text(o.position.seq),
                ]
            };
        let unlisted = |token_id: &str| {
            [
                text(&o.contract),
                text(token_id),
                text(false),
                None,
                None,
                None,
                None,
                None,
                None,
            ]
        };
        let owner_row = |token_id: &str, from: Option<String>, to: String, reason: &str| {
            let [height, seq, tx_hash, block_time, contract] = origin_columns(o);
            [
                height,
                seq,
                tx_hash,
                block_time,
                contract,
                text(token_id),
                from,
                Some(to),
                text(reason),
            ]
        };
        match &stored.event {
            AnyEvent::SurpriseMinted(e) => {
                mints.push([
                    text(&o.contract),
                    text(&e.token_id),
                    text(&e.creator),
                    text(&e.owner),
                    text(&e.title),
                    json(&e.hints),
                    text(&e.category),
                    e.preview_uri.clone(),
                    text(&e.commitment),
                    text(e.royalty_bps),
                    e.bond_asset.as_ref().map(|a| a.key()),
                    text(e.bond),
                    text(e.reveal_window),
                    text("sealed"),
                    text(o.height),
                    text(o.height),
                    text(o.position.seq),
                ]);
                owners.push(owner_row(&e.token_id, None, e.owner.to_string(), "mint"));
            }
            AnyEvent::SurpriseTransferred(e) => {
                changes.merge(
                    key(&e.token_id),
                    change(&e.token_id, text(&e.to), None, None, None, None),
                );
                owners.push(owner_row(
                    &e.token_id,
                    text(&e.from),
                    e.to.to_string(),
                    "transfer",
                ));
                if e.delisted {
                    listings.replace(key(&e.token_id), unlisted(&e.token_id));
                }
            }
            AnyEvent::SurpriseSold(e) => {
                changes.merge(
                    key(&e.token_id),
                    change(&e.token_id, text(&e.buyer), None, None, None, None),
                );
                owners.push(owner_row(
                    &e.token_id,
                    text(&e.seller),
                    e.buyer.to_string(),
                    "sale",
                ));
                listings.replace(key(&e.token_id), unlisted(&e.token_id));
                let [height, seq, tx_hash, block_time, contract] = origin_columns(o);
                sales.push([
                    height,
                    seq,
                    tx_hash,
                    block_time,
                    contract,
                    text(&e.token_id),
                    text(&e.seller),
                    text(&e.buyer),
                    text(&e.creator),
                    text(e.asset.key()),
                    text(e.price),
                    text(e.fee),
                    text(e.royalty),
                    text(e.seller_amount),
                ]);
            }
            AnyEvent::SurpriseListed(e) => listings.replace(
                key(&e.token_id),
                [
                    text(&o.contract),
                    text(&e.token_id),
                    text(true),
                    text(&e.seller),
                    text(e.asset.key()),
                    text(e.price),
                    e.expires_at.and_then(time),
                    text(o.height),
                    text(o.position.seq),
                ],
            ),
            AnyEvent::SurpriseDelisted(e) => {
                listings.replace(key(&e.token_id), unlisted(&e.token_id))
            }
            AnyEvent::SurpriseUnlocked(e) => {
                changes.merge(
                    key(&e.token_id),
                    change(
                        &e.token_id,
                        None,
                        Some("unlocked"),
                        time(e.reveal_deadline),
                        None,
                        None,
                    ),
                );
                if e.delisted {
                    listings.replace(key(&e.token_id), unlisted(&e.token_id));
                }
            }
            AnyEvent::SurpriseRevealed(e) => changes.merge(
                key(&e.token_id),
                change(
                    &e.token_id,
                    None,
                    Some("revealed"),
                    None,
                    text(&e.salt),
                    text(&e.content_hash),
                ),
            ),
            AnyEvent::SurpriseForfeited(e) => changes.merge(
                key(&e.token_id),
                change(&e.token_id, None, Some("forfeited"), None, None, None),
            ),
            _ => {}
        }
    }
    mints.execute(conn, INSERT_MINTS).await?;
    changes.into_columns().execute(conn, APPLY_CHANGES).await?;
    owners.copy_into(conn, OWNERS).await?;
    let (mut open, mut closed) = (Columns::<9>::default(), Columns::<2>::default());
    for row in listings.into_rows() {
        if row[2].as_deref() == Some("true") {
            open.push(row);
        } else {
            let [contract, token_id, ..] = row;
            closed.push([contract, token_id]);
        }
    }
    closed.execute(conn, DELETE_LISTINGS).await?;
    open.execute(conn, UPSERT_LISTINGS).await?;
    sales.copy_into(conn, SALES).await?;
    Ok(())
}

const INSERT_MINTS: &str = r#"
INSERT INTO surprises (contract, token_id, creator, owner, title, hints, category, preview_uri, commitment, royalty_bps,
                       bond_asset, bond, reveal_window, state, minted_height, updated_height, updated_seq)
SELECT contract, token_id, creator, owner, title, hints::jsonb, category, preview_uri, commitment,
       royalty_bps::integer, bond_asset, bond::numeric, reveal_window::numeric, state, minted_height::bigint,
       updated_height::bigint, updated_seq::integer
FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
            $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[],
            $17::text[])
     AS u(contract, token_id, creator, owner, title, hints, category, preview_uri, commitment, royalty_bps,
          bond_asset, bond, reveal_window, state, minted_height, updated_height, updated_seq)
ON CONFLICT DO NOTHING
"#;

const APPLY_CHANGES: &str = r#"
UPDATE surprises AS s
SET owner = coalesce(c.owner, s.owner),
    state = coalesce(c.state, s.state),
    reveal_deadline = coalesce(c.reveal_deadline::timestamptz, s.reveal_deadline),
    salt = coalesce(c.salt, s.salt),
    content_hash = coalesce(c.content_hash, s.content_hash),
    updated_height = c.updated_height::bigint,
    updated_seq = c.updated_seq::integer
FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
     AS c(contract, token_id, owner, state, reveal_deadline, salt, content_hash, updated_height, updated_seq)
WHERE s.contract = c.contract AND s.token_id = c.token_id
"#;

const DELETE_LISTINGS: &str = r#"
DELETE FROM surprise_listings AS l
USING UNNEST($1::text[], $2::text[]) AS d(contract, token_id)
WHERE l.contract = d.contract AND l.token_id = d.token_id
"#;

const UPSERT_LISTINGS: &str = r#"
INSERT INTO surprise_listings AS t (contract, token_id, seller, asset, price, expires_at, listed_height, listed_seq)
SELECT contract, token_id, seller, asset, price::numeric, expires_at::timestamptz, listed_height::bigint,
       listed_seq::integer
FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
     AS u(contract, token_id, present, seller, asset, price, expires_at, listed_height, listed_seq)
ON CONFLICT (contract, token_id) DO UPDATE
SET seller = EXCLUDED.seller, asset = EXCLUDED.asset, price = EXCLUDED.price, expires_at = EXCLUDED.expires_at,
    listed_height = EXCLUDED.listed_height, listed_seq = EXCLUDED.listed_seq
"#;

const OWNERS: &str = "surprise_owners (height, seq, tx_hash, block_time, contract, token_id, from_owner, to_owner, reason)";

const SALES: &str = "surprise_sales (height, seq, tx_hash, block_time, contract, token_id, seller, buyer, creator, asset, \
                     price, fee, royalty, seller_amount)";
