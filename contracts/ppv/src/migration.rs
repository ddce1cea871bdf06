//! Moves state written before content ids were per creator (version 0.1.x: items, purchases
//! and buyers keyed by the content id alone) into the per-creator layout of `state`.
//!
//! The move runs in one `migrate` and holds the old entries in memory while it writes the new
//! ones, so its gas grows with the number of items and purchases. That suits the state that
//! exists in this layout (development chains, a few thousand entries at most); a contract with
//! far more would need the move split over several calls.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Order, StdResult, Storage, Timestamp, Uint128};
use cw_storage_plus::Map;
use mesi_common::AssetInfo;

use crate::state::{ContentItem, Purchase, BUYERS, ITEMS, PURCHASES};

/// A purchase as 0.1.x stored it, with the item's creator in the value.
#[cw_serde]
struct PurchaseV1 {
    creator: Addr,
    asset: AssetInfo,
    price: Uint128,
    purchased_at: Timestamp,
}

/// content id -> item.
const ITEMS_V1: Map<&str, ContentItem> = Map::new("items");
/// (creator, content id): the creator's items (the same keys as `ITEMS_V1`).
const CREATOR_ITEMS_V1: Map<(&Addr, &str), ()> = Map::new("creator_items");
/// (fan, content id) -> purchase.
const PURCHASES_V1: Map<(&Addr, &str), PurchaseV1> = Map::new("purchases");
/// (content id, fan) -> purchase time (the same entries as `PURCHASES_V1`).
const BUYERS_V1: Map<(&str, &Addr), Timestamp> = Map::new("buyers");

/// How many entries a migration moved.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Moved {
    pub items: usize,
    pub purchases: usize,
}

/// Re-keys every item, purchase and buyer of the 0.1.x layout by (creator, content id) and
/// removes the old entries. State already in the new layout is left as it is, so running it
/// again moves nothing.
pub fn move_to_per_creator_ids(storage: &mut dyn Storage) -> StdResult<Moved> {
    let items: Vec<(String, ContentItem)> = ITEMS_V1
        .range(storage, None, None, Order::Ascending)
        .collect::<StdResult<_>>()?;
    for (content_id, item) in &items {
        ITEMS.save(storage, (&item.creator, content_id), item)?;
        ITEMS_V1.remove(storage, content_id);
        CREATOR_ITEMS_V1.remove(storage, (&item.creator, content_id));
    }
    // 0.1.x wrote a purchase and its buyer entry together, with the same time.
    let purchases: Vec<((Addr, String), PurchaseV1)> = PURCHASES_V1
        .range(storage, None, None, Order::Ascending)
        .collect::<StdResult<_>>()?;
    for ((fan, content_id), old) in &purchases {
        let purchase = Purchase {
            asset: old.asset.clone(),
            price: old.price,
            purchased_at: old.purchased_at,
        };
        PURCHASES.save(storage, (fan, &old.creator, content_id), &purchase)?;
        BUYERS.save(storage, (&old.creator, content_id, fan), &old.purchased_at)?;
        PURCHASES_V1.remove(storage, (fan, content_id));
        BUYERS_V1.remove(storage, (content_id, fan));
    }
    Ok(Moved {
        items: items.len(),
        purchases: purchases.len(),
    })
}
