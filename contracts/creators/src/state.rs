use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Timestamp, Uint128};
use cw_storage_plus::{Item, Map};
use mesi_common::chat_rule::ChatRule;
use mesi_common::interfaces::creators::{Fees, SiblingAddrs};
use mesi_common::AssetInfo;

/// Platform settings every payment reads; kept small since `PaymentTerms` loads it each time.
#[cw_serde]
pub struct Config {
    pub treasury: Addr,
    pub fees: Fees,
    pub accepted_assets: Vec<AssetInfo>,
    pub arbiter: Addr,
    pub contracts: SiblingAddrs,
}

/// A creator's profile without the chat rule, which is stored apart because payments never read it.
#[cw_serde]
pub struct Creator {
    pub display_name: String,
    pub payout: Addr,
    pub accepted_assets: Vec<AssetInfo>,
    pub tip_minimums: Vec<(AssetInfo, Uint128)>,
    pub active: bool,
    pub registered_at: Timestamp,
}

pub const CONFIG: Item<Config> = Item::new("config");
pub const FIAT_GATEWAYS: Map<&Addr, ()> = Map::new("gateways");
pub const CREATORS: Map<&Addr, Creator> = Map::new("creators");
pub const CHAT_RULES: Map<&Addr, ChatRule> = Map::new("chat_rules");
