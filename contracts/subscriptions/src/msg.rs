use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Timestamp, Uint128};
use cw20::Cw20ReceiveMsg;
use mesi_common::events::subscriptions::PrepaidBundle;
use mesi_common::AssetInfo;

#[cw_serde]
pub struct InstantiateMsg {
    /// The `creators` registry: payment terms, fees and accepted assets come from it.
    pub creators: String,
}

/// Most bytes in a tier's name.
pub const MAX_TIER_NAME_BYTES: usize = 64;
/// Shortest free trial a tier may offer: one hour.
pub const MIN_TRIAL_SECONDS: u64 = 3_600;
/// Longest free trial a tier may offer: 90 days.
pub const MAX_TRIAL_SECONDS: u64 = 90 * 86_400;
/// Most prepaid bundles in one tier.
pub const MAX_BUNDLES: usize = 6;
/// Most periods in one prepaid bundle (the fewest is 2).
pub const MAX_BUNDLE_PERIODS: u32 = 36;
/// Largest bundle discount: 90%.
pub const MAX_BUNDLE_DISCOUNT_BPS: u16 = 9_000;

/// The terms of a tier a creator may change after creating it. The asset and the period length
/// are fixed at creation, because existing subscriptions are measured in them.
#[cw_serde]
pub struct TierTerms {
    /// 1 to 64 bytes, no control characters.
    pub name: String,
    /// Price of one period; greater than zero. A new price applies to new purchases and to
    /// renewals of fans whose `max_price_per_period` covers it.
    pub price: Uint128,
    /// At most this many active subscribers (trials included); `None` for no cap.
    pub subscriber_cap: Option<u32>,
    /// Prepaid bundles: 2 to 36 periods each, distinct, discount at most 90%, at most 6.
    pub bundles: Vec<PrepaidBundle>,
    /// A free trial of this many seconds (1 hour to 90 days), once per fan per creator.
    pub trial_seconds: Option<u64>,
}

/// The messages that pay: sent with native funds as `ExecuteMsg`, or with CW20 tokens as the
/// `msg` of a CW20 `Send` (the same JSON).
#[cw_serde]
pub enum ReceiveMsg {
    Subscribe {
        creator: String,
        tier: u32,
        periods: u32,
        max_price_per_period: Uint128,
        auto_renew: bool,
    },
    Extend {
        creator: String,
        periods: u32,
        max_price_per_period: Uint128,
    },
    Upgrade {
        creator: String,
        to_tier: u32,
        max_price_per_period: Uint128,
    },
}

/// Most tiers a creator may have that are not retired.
pub const MAX_LIVE_TIERS: u32 = 10;
/// Shortest tier period: one day.
pub const MIN_PERIOD_SECONDS: u64 = 86_400;
/// Longest tier period: 366 days.
pub const MAX_PERIOD_SECONDS: u64 = 366 * 86_400;

#[cw_serde]
pub enum ExecuteMsg {
    /// The sender, a registered creator, adds a tier. At most 10 live tiers per creator.
    CreateTier {
        /// The tier level, at least 1; higher is better. Levels are never reused.
        tier: u32,
        /// Must be an asset the creator accepts.
        asset: AssetInfo,
        /// 1 day to 366 days.
        period_seconds: u64,
        terms: TierTerms,
    },
    /// The sender changes the terms of one of their live tiers.
    UpdateTier { tier: u32, terms: TierTerms },
    /// The sender stops selling one of their tiers (subscribe, trial, extend, upgrade to it and
    /// renewals are refused). Its subscribers keep access to their expiry. Final.
    RetireTier { tier: u32 },
    /// Buys `periods` (1 or a bundle size) of `tier`, paying exactly the price. Without an
    /// active subscription the periods start now; with an active one to the same tier they stack
    /// on its expiry. Sets the renewal terms. Refused while active on another tier (upgrade).
    /// `auto_renew` needs a CW20 tier.
    Subscribe {
        creator: String,
        tier: u32,
        periods: u32,
        max_price_per_period: Uint128,
        auto_renew: bool,
    },
    /// Buys `periods` more of the fan's current tier: stacked on the expiry, or from now if
    /// expired. Renewal terms stay as they are.
    Extend {
        creator: String,
        periods: u32,
        max_price_per_period: Uint128,
    },
    /// Moves an active subscription to a higher tier in the same asset, paying the pro-rata
    /// difference for the remaining time (rounded up); any overpayment is refunded. The expiry
    /// stays; `max_price_per_period` becomes the renewal limit.
    Upgrade {
        creator: String,
        to_tier: u32,
        max_price_per_period: Uint128,
    },
    /// A free trial of `tier`: once per fan per creator, only without an active subscription.
    Trial { creator: String, tier: u32 },
    /// No more renewals; access lasts to expiry.
    Cancel { creator: String },
    /// Anyone renews one period of an auto-renewing CW20 subscription from the fan's allowance,
    /// inside the renewal window, if the price is within the fan's maximum.
    Renew { creator: String, fan: String },
    /// Anyone stops expired subscribers of a tier from counting towards its cap (at most
    /// `limit`, default 10, max 100).
    ReleaseExpired {
        creator: String,
        tier: u32,
        limit: Option<u32>,
    },
    /// CW20 payment: `msg` is a [`ReceiveMsg`].
    Receive(Cw20ReceiveMsg),
}

#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    #[returns(ConfigResponse)]
    Config {},
    /// The fan's subscription to the creator at block time; serializes like
    /// `mesi_common::interfaces::subscriptions::SubscriptionsQuery::Status`.
    #[returns(mesi_common::interfaces::subscriptions::SubscriptionStatus)]
    Status { creator: String, fan: String },
    /// Full details; `null` when the fan never subscribed.
    #[returns(Option<SubscriptionInfo>)]
    Subscription { creator: String, fan: String },
    /// A creator's subscribers by fan address, expired ones included.
    #[returns(SubscriptionsResponse)]
    Subscribers {
        creator: String,
        start_after: Option<String>,
        limit: Option<u32>,
    },
    /// A fan's subscriptions by creator address.
    #[returns(SubscriptionsResponse)]
    FanSubscriptions {
        fan: String,
        start_after: Option<String>,
        limit: Option<u32>,
    },
    #[returns(TierInfo)]
    Tier { creator: String, tier: u32 },
    /// A creator's tiers by level, retired ones included.
    #[returns(TiersResponse)]
    Tiers {
        creator: String,
        start_after: Option<u32>,
        limit: Option<u32>,
    },
    /// What `Subscribe` or `Extend` of `periods` of the tier costs now.
    #[returns(QuoteResponse)]
    PurchaseQuote {
        creator: String,
        tier: u32,
        periods: u32,
    },
    /// What `Upgrade` costs at block time; it costs less a moment later.
    #[returns(QuoteResponse)]
    UpgradeQuote {
        creator: String,
        fan: String,
        to_tier: u32,
    },
}

#[cw_serde]
pub struct ConfigResponse {
    pub creators: Addr,
}

#[cw_serde]
pub struct SubscriptionInfo {
    pub creator: Addr,
    pub fan: Addr,
    pub tier: u32,
    pub expires_at: Timestamp,
    /// Block time is before `expires_at`.
    pub active: bool,
    pub auto_renew: bool,
    pub max_price_per_period: Uint128,
    /// The access up to `expires_at` comes from a free trial only.
    pub on_trial: bool,
    pub trial_used: bool,
}

#[cw_serde]
pub struct SubscriptionsResponse {
    pub subscriptions: Vec<SubscriptionInfo>,
}

#[cw_serde]
pub struct TierInfo {
    pub creator: Addr,
    pub tier: u32,
    pub name: String,
    pub price: Uint128,
    pub asset: AssetInfo,
    pub period_seconds: u64,
    pub subscriber_cap: Option<u32>,
    pub bundles: Vec<PrepaidBundle>,
    pub trial_seconds: Option<u64>,
    pub retired: bool,
    /// Subscribers counted towards the cap: every active one, plus expired ones not yet
    /// released (see `ReleaseExpired`).
    pub counted_subscribers: u32,
}

#[cw_serde]
pub struct TiersResponse {
    pub tiers: Vec<TierInfo>,
}

#[cw_serde]
pub struct QuoteResponse {
    pub asset: AssetInfo,
    pub amount: Uint128,
}

#[cw_serde]
pub struct MigrateMsg {}
