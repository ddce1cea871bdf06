//! The pay-per-view contract's queries.

use cosmwasm_std::{Addr, Deps, Order, StdError, StdResult};
use cw_storage_plus::Bound;
use mesi_common::interfaces::subscriptions::{SubscriptionStatus, SubscriptionsQuery};
use mesi_common::interfaces::TotalResponse;
use mesi_common::pagination::page_limit;
use mesi_common::AssetInfo;

use crate::error::ContractError;
use crate::msg::{
    AccessReason, AccessResponse, BuyerInfo, BuyersResponse, ConfigResponse, CreatorContent,
    ItemsResponse, PurchaseInfo, PurchasesResponse,
};
use crate::state::{load_item, ContentItem, BUYERS, CONFIG, ITEMS, PURCHASES, SPENT};

pub fn query_config(deps: Deps) -> StdResult<ConfigResponse> {
    let config = CONFIG.load(deps.storage)?;
    Ok(ConfigResponse {
        creators: config.creators,
        subscriptions: config.subscriptions,
    })
}

pub fn query_item(deps: Deps, creator: String, content_id: String) -> StdResult<ContentItem> {
    let creator = deps.api.addr_validate(&creator)?;
    load_item(deps.storage, &creator, &content_id).map_err(std_error)
}

pub fn query_items(
    deps: Deps,
    creator: String,
    start_after: Option<String>,
    limit: Option<u32>,
) -> StdResult<ItemsResponse> {
    let creator = deps.api.addr_validate(&creator)?;
    let start = start_after.as_deref().map(Bound::exclusive);
    let items = ITEMS
        .prefix(&creator)
        .range(deps.storage, start, None, Order::Ascending)
        .take(page_limit(limit))
        .map(|entry| entry.map(|(_, item)| item))
        .collect::<StdResult<_>>()?;
    Ok(ItemsResponse { items })
}

pub fn query_has_access(
    deps: Deps,
    viewer: String,
    creator: String,
    content_id: String,
) -> StdResult<AccessResponse> {
    let viewer = deps.api.addr_validate(&viewer)?;
    let creator = deps.api.addr_validate(&creator)?;
    let item = load_item(deps.storage, &creator, &content_id).map_err(std_error)?;
    let reason = if viewer == item.creator {
        AccessReason::Creator
    } else if PURCHASES.has(deps.storage, (&viewer, &creator, &content_id)) {
        AccessReason::Purchased
    } else {
        match item.free_for_tier.filter(|_| item.listed) {
            Some(min_tier) => match subscription_tier(deps, &item.creator, &viewer)? {
                Some(tier) if tier >= min_tier => AccessReason::SubscriptionTier { tier },
                _ => AccessReason::None,
            },
            None => AccessReason::None,
        }
    };
    Ok(AccessResponse {
        allowed: reason != AccessReason::None,
        reason,
    })
}

pub fn query_spent_total(
    deps: Deps,
    creator: String,
    fan: String,
    asset: AssetInfo,
) -> StdResult<TotalResponse> {
    let creator = deps.api.addr_validate(&creator)?;
    let fan = deps.api.addr_validate(&fan)?;
    let amount = SPENT
        .may_load(deps.storage, (&creator, &fan, &asset.key()))?
        .unwrap_or_default();
    Ok(TotalResponse { amount })
}

pub fn query_purchases(
    deps: Deps,
    fan: String,
    start_after: Option<CreatorContent>,
    limit: Option<u32>,
) -> StdResult<PurchasesResponse> {
    let fan = deps.api.addr_validate(&fan)?;
    let start_after = start_after
        .map(|c| StdResult::Ok((deps.api.addr_validate(&c.creator)?, c.content_id)))
        .transpose()?;
    let start = start_after
        .as_ref()
        .map(|(creator, content_id)| Bound::exclusive((creator, content_id.as_str())));
    let purchases = PURCHASES
        .sub_prefix(&fan)
        .range(deps.storage, start, None, Order::Ascending)
        .take(page_limit(limit))
        .map(|entry| {
            let ((creator, content_id), p) = entry?;
            Ok(PurchaseInfo {
                content_id,
                creator,
                asset: p.asset,
                price: p.price,
                purchased_at: p.purchased_at,
            })
        })
        .collect::<StdResult<_>>()?;
    Ok(PurchasesResponse { purchases })
}

pub fn query_buyers(
    deps: Deps,
    creator: String,
    content_id: String,
    start_after: Option<String>,
    limit: Option<u32>,
) -> StdResult<BuyersResponse> {
    let creator = deps.api.addr_validate(&creator)?;
    let start_after = start_after
        .map(|addr| deps.api.addr_validate(&addr))
        .transpose()?;
    let start = start_after.as_ref().map(Bound::exclusive);
    let buyers = BUYERS
        .prefix((&creator, &content_id))
        .range(deps.storage, start, None, Order::Ascending)
        .take(page_limit(limit))
        .map(|entry| {
            entry.map(|(buyer, purchased_at)| BuyerInfo {
                buyer,
                purchased_at,
            })
        })
        .collect::<StdResult<_>>()?;
    Ok(BuyersResponse { buyers })
}

/// The viewer's active subscription tier with the creator, if any.
fn subscription_tier(deps: Deps, creator: &Addr, viewer: &Addr) -> StdResult<Option<u32>> {
    let subscriptions = CONFIG.load(deps.storage)?.subscriptions;
    let query = SubscriptionsQuery::Status {
        creator: creator.to_string(),
        fan: viewer.to_string(),
    };
    let status: SubscriptionStatus = deps.querier.query_wasm_smart(subscriptions, &query)?;
    Ok(status.active_tier())
}

/// A query fails with a `StdError`; the contract's own errors keep their message.
fn std_error(err: ContractError) -> StdError {
    match err {
        ContractError::Std(err) => err,
        other => StdError::generic_err(other.to_string()),
    }
}
