use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, QuerierWrapper, StdResult, Storage, Timestamp, Uint128};
use cw_storage_plus::{Item, Map};
use mesi_common::interfaces::creators::{PaymentTerms, Product, Registry};
use mesi_common::AssetInfo;

use crate::error::ContractError;

#[cw_serde]
pub struct Config {
    /// The registry that answers `PaymentTerms`.
    pub creators: Addr,
    /// Answers `Status` for subscription-included items.
    pub subscriptions: Addr,
}

impl Config {
    /// The registry's terms for `creator`'s pay-per-view sales.
    pub fn payment_terms(
        &self,
        querier: &QuerierWrapper,
        creator: &Addr,
    ) -> StdResult<PaymentTerms> {
        Registry(self.creators.clone()).payment_terms(querier, creator, Product::Ppv)
    }
}

/// A content item for sale, named by its creator and content id (ids are per creator). It stays
/// with its creator after delisting, so a buyer's access never points at other content.
#[cw_serde]
pub struct ContentItem {
    pub content_id: String,
    pub creator: Addr,
    pub price: Uint128,
    pub asset: AssetInfo,
    /// Purchases are refused from this time on.
    pub sale_ends_at: Option<Timestamp>,
    /// Active subscribers at this tier or higher see the item without buying it (while listed).
    pub free_for_tier: Option<u32>,
    /// False after `Delist`: no sales, no subscription access; buyers keep access.
    pub listed: bool,
    /// 1 when first listed; +1 on every change.
    pub revision: u32,
}

/// What a fan paid for an item; kept forever since access is forever. The creator and the
/// content id are the key.
#[cw_serde]
pub struct Purchase {
    pub asset: AssetInfo,
    pub price: Uint128,
    pub purchased_at: Timestamp,
}

pub const CONFIG: Item<Config> = Item::new("config");
/// (creator, content id) -> item; a creator's items are one prefix, read a page at a time.
pub const ITEMS: Map<(&Addr, &str), ContentItem> = Map::new("items_v2");
/// (fan, creator, content id) -> purchase: access checks and a fan's purchases.
pub const PURCHASES: Map<(&Addr, &Addr, &str), Purchase> = Map::new("purchases_v2");
/// (creator, content id, fan) -> purchase time: an item's buyers.
pub const BUYERS: Map<(&Addr, &str, &Addr), Timestamp> = Map::new("buyers_v2");
/// (creator, fan, asset key) -> lifetime pay-per-view spending, for chat gating.
pub const SPENT: Map<(&Addr, &Addr, &str), Uint128> = Map::new("spent");

/// `creator`'s item `content_id`.
pub fn load_item(
    storage: &dyn Storage,
    creator: &Addr,
    content_id: &str,
) -> Result<ContentItem, ContractError> {
    ITEMS
        .may_load(storage, (creator, content_id))?
        .ok_or_else(|| ContractError::ItemNotFound {
            creator: creator.clone(),
            content_id: content_id.to_string(),
        })
}
