use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Timestamp, Uint128};
use cw_storage_plus::{Item, Map};
use mesi_common::events::subscriptions::PrepaidBundle;
use mesi_common::AssetInfo;

#[cw_serde]
pub struct Config {
    pub creators: Addr,
}

#[cw_serde]
pub struct Tier {
    pub name: String,
    pub price: Uint128,
    pub asset: AssetInfo,
    pub period_seconds: u64,
    pub subscriber_cap: Option<u32>,
    pub bundles: Vec<PrepaidBundle>,
    pub trial_seconds: Option<u64>,
    pub retired: bool,
}

/// One fan's subscription to one creator. Its asset and period are its tier's.
#[cw_serde]
pub struct Subscription {
    pub tier: u32,
    pub expires_at: Timestamp,
    pub auto_renew: bool,
    pub max_price_per_period: Uint128,
    /// The access up to `expires_at` comes from a free trial only; such time is worth nothing
    /// when upgrading.
    pub on_trial: bool,
    /// The fan has had their one free trial with this creator.
    pub trial_used: bool,
    /// What the fan paid for the access still to come; `None` for a subscription stored before
    /// payments were recorded.
    #[serde(default)]
    pub paid: Option<PaidTime>,
}

/// An amount paid for the access from `from` to the subscription's expiry, used up evenly over
/// that time. Access before `from` (a free trial) was not paid for.
#[cw_serde]
pub struct PaidTime {
    pub amount: Uint128,
    pub from: Timestamp,
}

impl Subscription {
    pub fn is_active(&self, now: Timestamp) -> bool {
        now < self.expires_at
    }
}

pub const CONFIG: Item<Config> = Item::new("config");

/// (creator, tier level) -> tier.
pub const TIERS: Map<(&Addr, u32), Tier> = Map::new("tiers");

/// creator -> number of tiers not retired.
pub const LIVE_TIERS: Map<&Addr, u32> = Map::new("live_tiers");

/// (creator, fan) -> subscription.
pub const SUBSCRIPTIONS: Map<(&Addr, &Addr), Subscription> = Map::new("subs");

/// (fan, creator): the index behind the `FanSubscriptions` query, written once per pair.
pub const FAN_CREATORS: Map<(&Addr, &Addr), ()> = Map::new("fan_subs");

/// ((creator, tier), expiry in nanoseconds, fan): the subscribers counted towards a tier's cap,
/// ordered by expiry so the expired ones are found first and released.
pub const COUNTED_BY_EXPIRY: Map<((&Addr, u32), u64, &Addr), ()> = Map::new("cap_queue");

/// (creator, tier) -> number of entries of that tier in [`COUNTED_BY_EXPIRY`].
pub const COUNTED_SUBSCRIBERS: Map<(&Addr, u32), u32> = Map::new("cap_count");
