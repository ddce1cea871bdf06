//! Every query: `contract::query` dispatches each `QueryMsg` variant to one function here.

use cosmwasm_std::{Addr, Deps, Order, StdError, StdResult, Storage, Timestamp};
use cw_storage_plus::Bound;
use mesi_common::interfaces::subscriptions::SubscriptionStatus;
use mesi_common::pagination::page_limit;

use crate::cap;
use crate::error::ContractError;
use crate::msg::{
    ConfigResponse, QuoteResponse, SubscriptionInfo, SubscriptionsResponse, TierInfo, TiersResponse,
};
use crate::pricing::purchase_price;
use crate::purchase::upgrade_price;
use crate::state::{Subscription, Tier, CONFIG, FAN_CREATORS, SUBSCRIPTIONS, TIERS};

pub fn query_config(deps: Deps) -> StdResult<ConfigResponse> {
    Ok(ConfigResponse {
        creators: CONFIG.load(deps.storage)?.creators,
    })
}

pub fn query_status(
    deps: Deps,
    now: Timestamp,
    creator: String,
    fan: String,
) -> StdResult<SubscriptionStatus> {
    let creator = deps.api.addr_validate(&creator)?;
    let fan = deps.api.addr_validate(&fan)?;
    Ok(
        match SUBSCRIPTIONS.may_load(deps.storage, (&creator, &fan))? {
            Some(sub) => SubscriptionStatus {
                active: sub.is_active(now),
                tier: Some(sub.tier),
                expires_at: Some(sub.expires_at),
                auto_renew: sub.auto_renew,
            },
            None => SubscriptionStatus {
                active: false,
                tier: None,
                expires_at: None,
                auto_renew: false,
            },
        },
    )
}

pub fn query_subscription(
    deps: Deps,
    now: Timestamp,
    creator: String,
    fan: String,
) -> StdResult<Option<SubscriptionInfo>> {
    let creator = deps.api.addr_validate(&creator)?;
    let fan = deps.api.addr_validate(&fan)?;
    let sub = SUBSCRIPTIONS.may_load(deps.storage, (&creator, &fan))?;
    Ok(sub.map(|sub| subscription_info(now, creator, fan, sub)))
}

pub fn query_subscribers(
    deps: Deps,
    now: Timestamp,
    creator: String,
    start_after: Option<String>,
    limit: Option<u32>,
) -> StdResult<SubscriptionsResponse> {
    let creator = deps.api.addr_validate(&creator)?;
    let start = start_after
        .map(|fan| deps.api.addr_validate(&fan))
        .transpose()?;
    let subscriptions = SUBSCRIPTIONS
        .prefix(&creator)
        .range(
            deps.storage,
            start.as_ref().map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(page_limit(limit))
        .map(|entry| entry.map(|(fan, sub)| subscription_info(now, creator.clone(), fan, sub)))
        .collect::<StdResult<_>>()?;
    Ok(SubscriptionsResponse { subscriptions })
}

pub fn query_fan_subscriptions(
    deps: Deps,
    now: Timestamp,
    fan: String,
    start_after: Option<String>,
    limit: Option<u32>,
) -> StdResult<SubscriptionsResponse> {
    let fan = deps.api.addr_validate(&fan)?;
    let start = start_after
        .map(|creator| deps.api.addr_validate(&creator))
        .transpose()?;
    let subscriptions = FAN_CREATORS
        .prefix(&fan)
        .keys(
            deps.storage,
            start.as_ref().map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(page_limit(limit))
        .map(|creator| {
            let creator = creator?;
            let sub = SUBSCRIPTIONS.load(deps.storage, (&creator, &fan))?;
            Ok(subscription_info(now, creator, fan.clone(), sub))
        })
        .collect::<StdResult<_>>()?;
    Ok(SubscriptionsResponse { subscriptions })
}

pub fn query_tier(deps: Deps, creator: String, level: u32) -> StdResult<TierInfo> {
    let creator = deps.api.addr_validate(&creator)?;
    let tier = TIERS.load(deps.storage, (&creator, level))?;
    tier_info(deps.storage, &creator, level, tier)
}

pub fn query_tiers(
    deps: Deps,
    creator: String,
    start_after: Option<u32>,
    limit: Option<u32>,
) -> StdResult<TiersResponse> {
    let creator = deps.api.addr_validate(&creator)?;
    let tiers = TIERS
        .prefix(&creator)
        .range(
            deps.storage,
            start_after.map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(page_limit(limit))
        .map(|entry| entry.and_then(|(level, tier)| tier_info(deps.storage, &creator, level, tier)))
        .collect::<StdResult<_>>()?;
    Ok(TiersResponse { tiers })
}

pub fn query_purchase_quote(
    deps: Deps,
    creator: String,
    level: u32,
    periods: u32,
) -> StdResult<QuoteResponse> {
    let creator = deps.api.addr_validate(&creator)?;
    let tier = TIERS.load(deps.storage, (&creator, level))?;
    let amount = purchase_price(&tier, periods).map_err(to_std)?;
    Ok(QuoteResponse {
        asset: tier.asset,
        amount,
    })
}

pub fn query_upgrade_quote(
    deps: Deps,
    now: Timestamp,
    creator: String,
    fan: String,
    to_level: u32,
) -> StdResult<QuoteResponse> {
    let creator = deps.api.addr_validate(&creator)?;
    let fan = deps.api.addr_validate(&fan)?;
    let sub = SUBSCRIPTIONS.load(deps.storage, (&creator, &fan))?;
    let to = TIERS.load(deps.storage, (&creator, to_level))?;
    let (amount, _) =
        upgrade_price(deps.storage, &creator, &sub, to_level, &to, now).map_err(to_std)?;
    Ok(QuoteResponse {
        asset: to.asset,
        amount,
    })
}

fn subscription_info(
    now: Timestamp,
    creator: Addr,
    fan: Addr,
    sub: Subscription,
) -> SubscriptionInfo {
    SubscriptionInfo {
        creator,
        fan,
        tier: sub.tier,
        expires_at: sub.expires_at,
        active: sub.is_active(now),
        auto_renew: sub.auto_renew,
        max_price_per_period: sub.max_price_per_period,
        on_trial: sub.on_trial,
        trial_used: sub.trial_used,
    }
}

fn tier_info(storage: &dyn Storage, creator: &Addr, level: u32, tier: Tier) -> StdResult<TierInfo> {
    Ok(TierInfo {
        creator: creator.clone(),
        tier: level,
        name: tier.name,
        price: tier.price,
        asset: tier.asset,
        period_seconds: tier.period_seconds,
        subscriber_cap: tier.subscriber_cap,
        bundles: tier.bundles,
        trial_seconds: tier.trial_seconds,
        retired: tier.retired,
        counted_subscribers: cap::counted(storage, creator, level)?,
    })
}

/// A contract error as the `StdError` a query returns.
fn to_std(err: ContractError) -> StdError {
    match err {
        ContractError::Std(err) => err,
        other => StdError::generic_err(other.to_string()),
    }
}
