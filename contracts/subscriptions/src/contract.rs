//! The entry points: `execute` refuses funds to every message but the native purchases and
//! dispatches each message to its handler in `tiers`, `purchase` or `renewal`; `query`
//! dispatches to `query`.

#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{to_json_binary, Binary, Deps, DepsMut, Env, MessageInfo, Response, StdResult};
use mesi_common::asset::nonpayable;

use crate::error::ContractError;
use crate::msg::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};
use crate::purchase::{
    execute_extend, execute_receive, execute_subscribe, execute_trial, execute_upgrade, Payment,
};
use crate::query::{
    query_config, query_fan_subscriptions, query_purchase_quote, query_status, query_subscribers,
    query_subscription, query_tier, query_tiers, query_upgrade_quote,
};
use crate::renewal::{execute_cancel, execute_renew};
use crate::state::{Config, CONFIG};
use crate::tiers::{
    execute_create_tier, execute_release_expired, execute_retire_tier, execute_update_tier,
};

pub const CONTRACT_NAME: &str = "crates.io:mesi-subscriptions";
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    deps: DepsMut,
    _env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    let creators = deps.api.addr_validate(&msg.creators)?;
    CONFIG.save(
        deps.storage,
        &Config {
            creators: creators.clone(),
        },
    )?;
    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("creators", creators))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    // Native purchases are the only messages that take funds; CW20 ones come through `Receive`.
    if !matches!(
        msg,
        ExecuteMsg::Subscribe { .. } | ExecuteMsg::Extend { .. } | ExecuteMsg::Upgrade { .. }
    ) {
        nonpayable(&info)?;
    }
    match msg {
        ExecuteMsg::CreateTier {
            tier,
            asset,
            period_seconds,
            terms,
        } => execute_create_tier(deps, info.sender, tier, asset, period_seconds, terms),
        ExecuteMsg::UpdateTier { tier, terms } => {
            execute_update_tier(deps, info.sender, tier, terms)
        }
        ExecuteMsg::RetireTier { tier } => execute_retire_tier(deps, info.sender, tier),
        ExecuteMsg::Subscribe {
            creator,
            tier,
            periods,
            max_price_per_period,
            auto_renew,
        } => execute_subscribe(
            deps,
            env,
            Payment::native(&info)?,
            creator,
            tier,
            periods,
            max_price_per_period,
            auto_renew,
        ),
        ExecuteMsg::Extend {
            creator,
            periods,
            max_price_per_period,
        } => {
            let payment = Payment::native(&info)?;
            execute_extend(deps, env, payment, creator, periods, max_price_per_period)
        }
        ExecuteMsg::Upgrade {
            creator,
            to_tier,
            max_price_per_period,
        } => {
            let payment = Payment::native(&info)?;
            execute_upgrade(deps, env, payment, creator, to_tier, max_price_per_period)
        }
        ExecuteMsg::Trial { creator, tier } => execute_trial(deps, env, info.sender, creator, tier),
        ExecuteMsg::Cancel { creator } => execute_cancel(deps, info.sender, creator),
        ExecuteMsg::Renew { creator, fan } => execute_renew(deps, env, info.sender, creator, fan),
        ExecuteMsg::ReleaseExpired {
            creator,
            tier,
            limit,
        } => execute_release_expired(deps, env, creator, tier, limit),
        ExecuteMsg::Receive(wrapper) => execute_receive(deps, env, info, wrapper),
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> StdResult<Binary> {
    let now = env.block.time;
    match msg {
        QueryMsg::Config {} => to_json_binary(&query_config(deps)?),
        QueryMsg::Status { creator, fan } => {
            to_json_binary(&query_status(deps, now, creator, fan)?)
        }
        QueryMsg::Subscription { creator, fan } => {
            to_json_binary(&query_subscription(deps, now, creator, fan)?)
        }
        QueryMsg::Subscribers {
            creator,
            start_after,
            limit,
        } => to_json_binary(&query_subscribers(deps, now, creator, start_after, limit)?),
        QueryMsg::FanSubscriptions {
            fan,
            start_after,
            limit,
        } => to_json_binary(&query_fan_subscriptions(
            deps,
            now,
            fan,
            start_after,
            limit,
        )?),
        QueryMsg::Tier { creator, tier } => to_json_binary(&query_tier(deps, creator, tier)?),
        QueryMsg::Tiers {
            creator,
            start_after,
            limit,
        } => to_json_binary(&query_tiers(deps, creator, start_after, limit)?),
        QueryMsg::PurchaseQuote {
            creator,
            tier,
            periods,
        } => to_json_binary(&query_purchase_quote(deps, creator, tier, periods)?),
        QueryMsg::UpgradeQuote {
            creator,
            fan,
            to_tier,
        } => to_json_binary(&query_upgrade_quote(deps, now, creator, fan, to_tier)?),
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    let from = cw2::ensure_from_older_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    Ok(Response::new()
        .add_attribute("action", "migrate")
        .add_attribute("from_version", from.to_string()))
}
