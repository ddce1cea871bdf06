use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Timestamp, Uint128};
use cw20::Cw20ReceiveMsg;
use mesi_common::AssetInfo;

use crate::state::ContentItem;

/// Longest content id of `ExecuteMsg::ListItem`, in bytes.
pub const MAX_CONTENT_ID_LEN: usize = 64;

#[cw_serde]
pub struct InstantiateMsg {
    /// The creator registry.
    pub creators: String,
    /// The subscriptions contract, asked about subscription-included items.
    pub subscriptions: String,
}

#[cw_serde]
pub enum ExecuteMsg {
    /// A registered, active creator puts an item up for sale. Content ids are per creator: the
    /// id must be new among the sender's items, or one of the sender's delisted items (which is
    /// listed again with these terms). Other creators' ids do not matter.
    ListItem {
        /// 1 to 64 bytes of ASCII letters, digits, '-', '_' and '.'.
        content_id: String,
        price: Uint128,
        /// One of the assets the creator accepts (per the registry's `PaymentTerms`).
        asset: AssetInfo,
        /// Purchases are refused from this time on; must be in the future.
        sale_ends_at: Option<Timestamp>,
        /// Active subscribers at this tier or higher get access without buying.
        free_for_tier: Option<u32>,
    },
    /// The sender replaces the terms of their listed item `content_id`. Past purchases are
    /// unaffected.
    UpdateItem {
        content_id: String,
        price: Uint128,
        asset: AssetInfo,
        sale_ends_at: Option<Timestamp>,
        free_for_tier: Option<u32>,
    },
    /// The sender stops selling their item `content_id`. Buyers keep access; subscription access
    /// ends.
    Delist { content_id: String },
    /// Buy access to `creator`'s item `content_id` with exactly one native coin: the item's
    /// asset, for exactly its price.
    Buy { creator: String, content_id: String },
    /// Buy access with a CW20 token: the token contract calls this after a `Send` to us.
    Receive(Cw20ReceiveMsg),
}

/// The `msg` of a CW20 `Send` to this contract.
#[cw_serde]
pub enum ReceiveMsg {
    /// Buy access to `creator`'s item `content_id`.
    Buy { creator: String, content_id: String },
}

#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    #[returns(ConfigResponse)]
    Config {},
    /// `creator`'s item `content_id`.
    #[returns(ContentItem)]
    Item { creator: String, content_id: String },
    /// A creator's items (listed and delisted) by content id, paginated.
    #[returns(ItemsResponse)]
    Items {
        creator: String,
        start_after: Option<String>,
        limit: Option<u32>,
    },
    /// Whether `viewer` may see `creator`'s item `content_id`, and why.
    #[returns(AccessResponse)]
    HasAccess {
        viewer: String,
        creator: String,
        content_id: String,
    },
    /// Lifetime pay-per-view spending of `fan` with `creator` in `asset` (same as
    /// `mesi_common::interfaces::ppv::PpvQuery::SpentTotal`).
    #[returns(mesi_common::interfaces::TotalResponse)]
    SpentTotal {
        creator: String,
        fan: String,
        asset: AssetInfo,
    },
    /// A fan's purchases by creator, then content id, paginated.
    #[returns(PurchasesResponse)]
    Purchases {
        fan: String,
        start_after: Option<CreatorContent>,
        limit: Option<u32>,
    },
    /// The buyers of `creator`'s item `content_id` by address, paginated.
    #[returns(BuyersResponse)]
    Buyers {
        creator: String,
        content_id: String,
        start_after: Option<String>,
        limit: Option<u32>,
    },
}

/// Page cursor of `Purchases`: the item of the last purchase on the previous page.
#[cw_serde]
pub struct CreatorContent {
    pub creator: String,
    pub content_id: String,
}

#[cw_serde]
pub struct ConfigResponse {
    pub creators: Addr,
    pub subscriptions: Addr,
}

#[cw_serde]
pub struct ItemsResponse {
    pub items: Vec<ContentItem>,
}

#[cw_serde]
pub struct AccessResponse {
    pub allowed: bool,
    pub reason: AccessReason,
}

/// Why a viewer may (or may not) see an item.
#[cw_serde]
pub enum AccessReason {
    /// The viewer bought it (access lasts forever).
    Purchased,
    /// The viewer has an active subscription at this tier, at least the item's `free_for_tier`.
    SubscriptionTier { tier: u32 },
    /// The viewer is the item's creator.
    Creator,
    /// No purchase and no qualifying subscription.
    None,
}

#[cw_serde]
pub struct PurchaseInfo {
    pub content_id: String,
    pub creator: Addr,
    pub asset: AssetInfo,
    pub price: Uint128,
    pub purchased_at: Timestamp,
}

#[cw_serde]
pub struct PurchasesResponse {
    pub purchases: Vec<PurchaseInfo>,
}

#[cw_serde]
pub struct BuyerInfo {
    pub buyer: Addr,
    pub purchased_at: Timestamp,
}

#[cw_serde]
pub struct BuyersResponse {
    pub buyers: Vec<BuyerInfo>,
}

#[cw_serde]
pub struct MigrateMsg {}
