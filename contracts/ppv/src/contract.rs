#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{to_json_binary, Binary, Deps, DepsMut, Env, MessageInfo, Response, StdResult};
use mesi_common::asset::nonpayable;
use mesi_common::event::MesiEvent;
use mesi_common::events::ppv::PpvConfigSet;

use crate::error::ContractError;
use crate::listing::{execute_delist, execute_list_item, execute_update_item, ItemTerms};
use crate::migration::move_to_per_creator_ids;
use crate::msg::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};
use crate::purchase::{execute_buy, execute_receive};
use crate::query::{
    query_buyers, query_config, query_has_access, query_item, query_items, query_purchases,
    query_spent_total,
};
use crate::state::{Config, CONFIG};

pub const CONTRACT_NAME: &str = "crates.io:mesi-ppv";
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
    let config = Config {
        creators: deps.api.addr_validate(&msg.creators)?,
        subscriptions: deps.api.addr_validate(&msg.subscriptions)?,
    };
    CONFIG.save(deps.storage, &config)?;
    let event = PpvConfigSet {
        creators: config.creators,
        subscriptions: config.subscriptions,
    };
    Ok(Response::new().add_event(event.to_event()))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    // A native purchase is the only message that takes funds; CW20 ones arrive through `Receive`.
    if !matches!(msg, ExecuteMsg::Buy { .. }) {
        nonpayable(&info)?;
    }
    match msg {
        ExecuteMsg::ListItem {
            content_id,
            price,
            asset,
            sale_ends_at,
            free_for_tier,
        } => {
            let terms = ItemTerms {
                price,
                asset,
                sale_ends_at,
                free_for_tier,
            };
            execute_list_item(deps, env, info, content_id, terms)
        }
        ExecuteMsg::UpdateItem {
            content_id,
            price,
            asset,
            sale_ends_at,
            free_for_tier,
        } => {
            let terms = ItemTerms {
                price,
                asset,
                sale_ends_at,
                free_for_tier,
            };
            execute_update_item(deps, env, info, content_id, terms)
        }
        ExecuteMsg::Delist { content_id } => execute_delist(deps, info, content_id),
        ExecuteMsg::Buy {
            creator,
            content_id,
        } => execute_buy(deps, env, info, creator, content_id),
        ExecuteMsg::Receive(wrapper) => execute_receive(deps, env, info, wrapper),
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, _env: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::Config {} => to_json_binary(&query_config(deps)?),
        QueryMsg::Item {
            creator,
            content_id,
        } => to_json_binary(&query_item(deps, creator, content_id)?),
        QueryMsg::Items {
            creator,
            start_after,
            limit,
        } => to_json_binary(&query_items(deps, creator, start_after, limit)?),
        QueryMsg::HasAccess {
            viewer,
            creator,
            content_id,
        } => to_json_binary(&query_has_access(deps, viewer, creator, content_id)?),
        QueryMsg::SpentTotal {
            creator,
            fan,
            asset,
        } => to_json_binary(&query_spent_total(deps, creator, fan, asset)?),
        QueryMsg::Purchases {
            fan,
            start_after,
            limit,
        } => to_json_binary(&query_purchases(deps, fan, start_after, limit)?),
        QueryMsg::Buyers {
            creator,
            content_id,
            start_after,
            limit,
        } => to_json_binary(&query_buyers(
            deps,
            creator,
            content_id,
            start_after,
            limit,
        )?),
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    let from = cw2::ensure_from_older_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    // State written while content ids were unique across the contract is re-keyed by creator.
    let moved = move_to_per_creator_ids(deps.storage)?;
    Ok(Response::new()
        .add_attribute("migrated_from", from.to_string())
        .add_attribute("items_moved", moved.items.to_string())
        .add_attribute("purchases_moved", moved.purchases.to_string()))
}
