//! `ppv_items` (the last state each `mesi.ppv_item.v1` carried, per contract, creator and content
//! id: content ids are per creator), `ppv_purchases` and
//! `ppv_totals` (lifetime spending per creator, buyer and asset, summed like tip totals).

use mesi_common::events::AnyEvent;
use sqlx::PgConnection;

use super::{origin, row, text, time, Applied, Events, Keyed, OriginRow, Projection, Rows, Totals};
use crate::config::ContractKind;
use crate::decode::StoredEvent;

pub struct Ppv;

impl Projection for Ppv {
    fn name(&self) -> &'static str {
        "ppv"
    }

    fn apply<'a>(&'a self, conn: &'a mut PgConnection, events: Events<'a>) -> Applied<'a> {
        Box::pin(apply(conn, events))
    }
}

row! {
    struct Item {
        contract, content_id, creator, price: numeric, asset, sale_ends_at: timestamptz,
        free_for_tier: bigint, listed: boolean, revision: bigint, last_action,
        updated_height: bigint, updated_seq: integer,
    }
}

row! {
    struct Purchase {
        #[flatten] origin: OriginRow,
        content_id, creator, buyer, asset, price, fee, creator_amount, payout, fan_total,
    }
}

async fn apply(conn: &mut PgConnection, events: &[&StoredEvent]) -> Result<(), sqlx::Error> {
    let mut items = Keyed::default();
    let mut purchases = Rows::default();
    let mut totals = Totals::default();
    for stored in events.iter().filter(|e| e.origin.kind == ContractKind::Ppv) {
        let o = &stored.origin;
        match &stored.event {
            AnyEvent::PpvItem(e) => items.replace(
                format!("{}/{}/{}", o.contract, e.creator, e.content_id),
                Item {
                    contract: text(&o.contract),
                    content_id: text(&e.content_id),
                    creator: text(&e.creator),
                    price: text(e.price),
                    asset: text(e.asset.key()),
                    sale_ends_at: e.sale_ends_at.and_then(time),
                    free_for_tier: e.free_for_tier.map(|t| t.to_string()),
                    listed: text(e.listed),
                    revision: text(e.revision),
                    last_action: text(e.action),
                    updated_height: text(o.height),
                    updated_seq: text(o.position.seq),
                },
            ),
            AnyEvent::PpvPurchase(e) => {
                totals.add(
                    [e.creator.to_string(), e.buyer.to_string(), e.asset.key()],
                    e.price.u128(),
                    o.height,
                );
                purchases.push(Purchase {
                    origin: origin(o),
                    content_id: text(&e.content_id),
                    creator: text(&e.creator),
                    buyer: text(&e.buyer),
                    asset: text(e.asset.key()),
                    price: text(e.price),
                    fee: text(e.fee),
                    creator_amount: text(e.creator_amount),
                    payout: text(&e.payout),
                    fan_total: text(e.fan_total),
                });
            }
            _ => {}
        }
    }
    items
        .into_rows()
        .insert_into(conn, "ppv_items", UPSERT_ITEMS)
        .await?;
    purchases.copy_into(conn, "ppv_purchases").await?;
    let keys = ["creator", "buyer", "asset"];
    totals
        .upsert(conn, "ppv_totals", keys, "total", "purchase_count")
        .await?;
    Ok(())
}

const UPSERT_ITEMS: &str = r#"
ON CONFLICT (contract, creator, content_id) DO UPDATE
SET price = EXCLUDED.price, asset = EXCLUDED.asset, sale_ends_at = EXCLUDED.sale_ends_at,
    free_for_tier = EXCLUDED.free_for_tier, listed = EXCLUDED.listed, revision = EXCLUDED.revision,
    last_action = EXCLUDED.last_action, updated_height = EXCLUDED.updated_height, updated_seq = EXCLUDED.updated_seq
WHERE (t.updated_height, t.updated_seq) < (EXCLUDED.updated_height, EXCLUDED.updated_seq)
"#;
