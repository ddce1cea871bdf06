#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{to_json_binary, Binary, Deps, DepsMut, Env, MessageInfo, Response, StdResult};
use mesi_common::asset::nonpayable;
use mesi_common::events::tips::TipsConfigSet;
use mesi_common::MesiEvent;

use crate::error::ContractError;
use crate::fiat::execute_attest_fiat_tip;
use crate::msg::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};
use crate::query::{
    query_config, query_fan_totals, query_fiat_payment_recorded, query_tipped_creators,
    query_tipped_total,
};
use crate::state::{Config, CONFIG};
use crate::tip::{execute_receive, execute_tip};

pub const CONTRACT_NAME: &str = "crates.io:mesi-tips";
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
    Ok(Response::new().add_event(TipsConfigSet { creators }.to_event()))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    // A native tip is the only message that takes funds; CW20 tips arrive through `Receive`.
    if !matches!(msg, ExecuteMsg::Tip { .. }) {
        nonpayable(&info)?;
    }
    match msg {
        ExecuteMsg::Tip {
            creator,
            context,
            message,
            anonymous,
        } => execute_tip(deps, &env, info, creator, context, message, anonymous),
        ExecuteMsg::Receive(wrapper) => execute_receive(deps, &env, info, wrapper),
        ExecuteMsg::AttestFiatTip {
            payment_ref,
            creator,
            fan,
            currency,
            amount_minor,
            context,
            message,
            anonymous,
        } => execute_attest_fiat_tip(
            deps,
            info,
            payment_ref,
            creator,
            fan,
            currency,
            amount_minor,
            context,
            message,
            anonymous,
        ),
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, _env: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::Config {} => to_json_binary(&query_config(deps)?),
        QueryMsg::TippedTotal {
            creator,
            fan,
            asset,
        } => to_json_binary(&query_tipped_total(deps, creator, fan, asset)?),
        QueryMsg::FanTotals {
            creator,
            start_after,
            limit,
        } => to_json_binary(&query_fan_totals(deps, creator, start_after, limit)?),
        QueryMsg::TippedCreators {
            fan,
            start_after,
            limit,
        } => to_json_binary(&query_tipped_creators(deps, fan, start_after, limit)?),
        QueryMsg::FiatPaymentRecorded {
            gateway,
            payment_ref,
        } => to_json_binary(&query_fiat_payment_recorded(deps, gateway, payment_ref)?),
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    // Refuses another contract's state and a downgrade.
    cw2::ensure_from_older_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    Ok(Response::new())
}
