//! `ppv_items` (the last state each `mesi.ppv_item.v1` carried, per contract, creator and content
//! id: content ids are per creator), `ppv_purchases` and
//! `ppv_totals` (lifetime spending per creator, buyer and asset, summed like tip totals).

use mesi_common::events::AnyEvent;
use sqlx::PgConnection;

use super::{origin_columns, text, time, Columns, Keyed, Totals};
use crate::config::ContractKind;
use crate::decode::StoredEvent;

pub async fn apply(conn: &mut PgConnection, events: &[&StoredEvent]) -> Result<(), sqlx::Error> {
    let mut items = Keyed::<12>::default();
    let mut purchases = Columns::<14>::default();
    let mut totals = Totals::default();
    for stored in events.iter().filter(|e| e.origin.kind == ContractKind::Ppv) {
        let o = &stored.origin;
        match &stored.event {
            AnyEvent::PpvItem(e) => items.replace(
                format!("{}/{}/{}", o.contract, e.creator, e.content_id),
                [
                    text(&o.contract),
                    text(&e.content_id),
                    text(&e.creator),
                    text(e.price),
                    text(e.asset.key()),
                    e.sale_ends_at.and_then(time),
                    e.free_for_tier.map(|t| t.to_string()),
                    text(e.listed),
                    text(e.revision),
                    text(e.action),
                    text(o.height),
                    text(o.position.seq),
                ],
            ),
            AnyEvent::PpvPurchase(e) => {
                totals.add(
                    [e.creator.to_string(), e.buyer.to_string(), e.asset.key()],
                    e.price.u128(),
                    o.height,
                );
                let [height, seq, tx_hash, block_time, contract] = origin_columns(o);
                purchases.push([
                    height,
                    seq,
                    tx_hash,
                    block_time,
                    contract,
                    text(&e.content_id),
                    text(&e.creator),
                    text(&e.buyer),
                    text(e.asset.key()),
                    text(e.price),
                    text(e.fee),
                    text(e.creator_amount),
                    text(&e.payout),
                    text(e.fan_total),
                ]);
            }
            _ => {}
        }
    }
    items.into_columns().execute(conn, UPSERT_ITEMS).await?;
    purchases.copy_into(conn, PURCHASES).await?;
    totals
        .upsert(
            conn,
            "ppv_totals",
            [
                "creator",
                "buyer",
                "asset",
                "total",
                "purchase_count",
                "last_height",
            ],
        )
        .await?;
    Ok(())
}

const UPSERT_ITEMS: &str = r#"
INSERT INTO ppv_items AS t (contract, content_id, creator, price, asset, sale_ends_at, free_for_tier, listed, revision,
                            last_action, updated_height, updated_seq)
SELECT contract, content_id, creator, price::numeric, asset, sale_ends_at::timestamptz, free_for_tier::bigint,
       listed::boolean, revision::bigint, last_action, updated_height::bigint, updated_seq::integer
FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
            $9::text[], $10::text[], $11::text[], $12::text[])
     AS u(contract, content_id, creator, price, asset, sale_ends_at, free_for_tier, listed, revision, last_action,
          updated_height, updated_seq)
ON CONFLICT (contract, creator, content_id) DO UPDATE
SET price = EXCLUDED.price, asset = EXCLUDED.asset, sale_ends_at = EXCLUDED.sale_ends_at,
    free_for_tier = EXCLUDED.free_for_tier, listed = EXCLUDED.listed, revision = EXCLUDED.revision,
    last_action = EXCLUDED.last_action, updated_height = EXCLUDED.updated_height, updated_seq = EXCLUDED.updated_seq
WHERE (t.updated_height, t.updated_seq) < (EXCLUDED.updated_height, EXCLUDED.updated_seq)
"#;

const PURCHASES: &str = "ppv_purchases (height, seq, tx_hash, block_time, contract, content_id, creator, buyer, asset, \
                         price, fee, creator_amount, payout, fan_total)";
