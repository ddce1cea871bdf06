#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{to_json_binary, Binary, Deps, DepsMut, Env, MessageInfo, Response, StdResult};
use mesi_common::asset::nonpayable;
use mesi_common::MesiEvent;

use crate::error::ContractError;
use crate::msg::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};
use crate::platform::{
    config_event, ensure_not_platform_contract, execute_update_config, set_gateways,
    validate_assets, validate_contracts, validate_fees,
};
use crate::profile::{
    execute_register_creator, execute_set_active, execute_set_chat_rule, execute_update_creator,
};
use crate::query::{
    query_arbiter, query_can_message, query_config, query_creator, query_creators,
    query_is_fiat_gateway, query_payment_terms,
};
use crate::state::{Config, CONFIG};

pub const CONTRACT_NAME: &str = "crates.io:mesi-creators";
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    let owner = match msg.owner {
        Some(owner) => deps.api.addr_validate(&owner)?,
        None => info.sender.clone(),
    };
    cw_ownable::initialize_owner(deps.storage, deps.api, Some(owner.as_str()))?;
    let config = Config {
        treasury: deps.api.addr_validate(&msg.treasury)?,
        fees: validate_fees(msg.fees)?,
        accepted_assets: validate_assets(deps.api, &msg.accepted_assets)?,
        arbiter: match msg.arbiter {
            Some(arbiter) => deps.api.addr_validate(&arbiter)?,
            None => owner,
        },
        contracts: validate_contracts(deps.api, msg.contracts)?,
    };
    ensure_not_platform_contract(&env, &config.contracts, &config.treasury, "treasury")?;
    CONFIG.save(deps.storage, &config)?;
    let gateways = set_gateways(deps, &msg.fiat_gateways)?;
    Ok(Response::new().add_event(config_event(config, gateways).to_event()))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    // The registry never holds funds: no message takes any.
    nonpayable(&info)?;
    match msg {
        ExecuteMsg::UpdateConfig {
            treasury,
            fees,
            accepted_assets,
            fiat_gateways,
            arbiter,
            contracts,
        } => execute_update_config(
            deps,
            &env,
            info,
            treasury,
            fees,
            accepted_assets,
            fiat_gateways,
            arbiter,
            contracts,
        ),
        ExecuteMsg::UpdateOwnership(action) => Ok(mesi_common::ownership::update_ownership(
            deps,
            &env.block,
            &info.sender,
            action,
        )?),
        ExecuteMsg::RegisterCreator { profile } => {
            execute_register_creator(deps, env, info, profile)
        }
        ExecuteMsg::UpdateCreator { profile } => execute_update_creator(deps, env, info, profile),
        ExecuteMsg::SetChatRule { rule } => execute_set_chat_rule(deps, info, rule),
        ExecuteMsg::DeactivateCreator {} => execute_set_active(deps, info, false),
        ExecuteMsg::ReactivateCreator {} => execute_set_active(deps, info, true),
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::Config {} => to_json_binary(&query_config(deps)?),
        QueryMsg::Ownership {} => to_json_binary(&cw_ownable::get_ownership(deps.storage)?),
        QueryMsg::Creator { address } => to_json_binary(&query_creator(deps, address)?),
        QueryMsg::Creators { start_after, limit } => {
            to_json_binary(&query_creators(deps, start_after, limit)?)
        }
        QueryMsg::PaymentTerms { creator, product } => {
            to_json_binary(&query_payment_terms(deps, &env, creator, product)?)
        }
        QueryMsg::IsFiatGateway { address } => {
            to_json_binary(&query_is_fiat_gateway(deps, address)?)
        }
        QueryMsg::Arbiter {} => to_json_binary(&query_arbiter(deps)?),
        QueryMsg::CanMessage { creator, fan } => {
            to_json_binary(&query_can_message(deps, creator, fan)?)
        }
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    // Refuses another contract's state and a downgrade; records the new version.
    let from = cw2::ensure_from_older_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    Ok(Response::new().add_attribute("migrated_from", from.to_string()))
}
