//! The tips contract's queries.

use cosmwasm_std::{Addr, Deps, Order, StdError, StdResult};
use cw_storage_plus::Bound;
use mesi_common::interfaces::TotalResponse;
use mesi_common::pagination::page_limit;
use mesi_common::{AssetError, AssetInfo};

use crate::msg::{ConfigResponse, CreatorAsset, FanAsset, TipTotal, TotalsResponse};
use crate::state::{CONFIG, FIAT_PAYMENTS, TOTALS, TOTALS_BY_FAN};

pub fn query_config(deps: Deps) -> StdResult<ConfigResponse> {
    Ok(ConfigResponse {
        creators: CONFIG.load(deps.storage)?.creators,
    })
}

pub fn query_tipped_total(
    deps: Deps,
    creator: String,
    fan: String,
    asset: AssetInfo,
) -> StdResult<TotalResponse> {
    let creator = deps.api.addr_validate(&creator)?;
    let fan = deps.api.addr_validate(&fan)?;
    let asset = validated_asset(deps, asset)?;
    let amount = TOTALS
        .may_load(deps.storage, (&creator, &fan, &asset.key()))?
        .unwrap_or_default();
    Ok(TotalResponse { amount })
}

pub fn query_fan_totals(
    deps: Deps,
    creator: String,
    start_after: Option<FanAsset>,
    limit: Option<u32>,
) -> StdResult<TotalsResponse> {
    let creator = deps.api.addr_validate(&creator)?;
    let start = start_after
        .map(|c| page_cursor(deps, &c.fan, c.asset))
        .transpose()?;
    let totals = TOTALS
        .sub_prefix(&creator)
        .range(
            deps.storage,
            start
                .as_ref()
                .map(|(fan, asset)| Bound::exclusive((fan, asset.as_str()))),
            None,
            Order::Ascending,
        )
        .take(page_limit(limit))
        .map(|entry| {
            let ((fan, asset_key), amount) = entry?;
            Ok(TipTotal {
                creator: creator.clone(),
                fan,
                asset: stored_asset(&asset_key)?,
                amount,
            })
        })
        .collect::<StdResult<_>>()?;
    Ok(TotalsResponse { totals })
}

pub fn query_tipped_creators(
    deps: Deps,
    fan: String,
    start_after: Option<CreatorAsset>,
    limit: Option<u32>,
) -> StdResult<TotalsResponse> {
    let fan = deps.api.addr_validate(&fan)?;
    let start = start_after
        .map(|c| page_cursor(deps, &c.creator, c.asset))
        .transpose()?;
    let totals = TOTALS_BY_FAN
        .sub_prefix(&fan)
        .keys(
            deps.storage,
            start
                .as_ref()
                .map(|(creator, asset)| Bound::exclusive((creator, asset.as_str()))),
            None,
            Order::Ascending,
        )
        .take(page_limit(limit))
        .map(|key| {
            let (creator, asset_key) = key?;
            let amount = TOTALS.load(deps.storage, (&creator, &fan, &asset_key))?;
            Ok(TipTotal {
                creator,
                fan: fan.clone(),
                asset: stored_asset(&asset_key)?,
                amount,
            })
        })
        .collect::<StdResult<_>>()?;
    Ok(TotalsResponse { totals })
}

pub fn query_fiat_payment_recorded(
    deps: Deps,
    gateway: String,
    payment_ref: String,
) -> StdResult<bool> {
    let gateway = deps.api.addr_validate(&gateway)?;
    Ok(FIAT_PAYMENTS.has(deps.storage, (&gateway, &payment_ref)))
}

fn validated_asset(deps: Deps, asset: AssetInfo) -> StdResult<AssetInfo> {
    asset.validate(deps.api).map_err(|e| match e {
        AssetError::Std(e) => e,
        other => StdError::generic_err(other.to_string()),
    })
}

/// The (address, asset key) a page starts after.
fn page_cursor(deps: Deps, address: &str, asset: AssetInfo) -> StdResult<(Addr, String)> {
    Ok((
        deps.api.addr_validate(address)?,
        validated_asset(deps, asset)?.key(),
    ))
}

/// Asset keys in storage were written from validated assets.
fn stored_asset(key: &str) -> StdResult<AssetInfo> {
    AssetInfo::from_key(key).map_err(|e| StdError::generic_err(e.to_string()))
}
