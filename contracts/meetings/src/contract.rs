#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{to_json_binary, Binary, Deps, DepsMut, Env, MessageInfo, Response, StdResult};
use cw20::Cw20ReceiveMsg;
use mesi_common::asset::{nonpayable, paid_cw20, Cw20Payment};
use mesi_common::MesiEvent;

use crate::auction::{
    execute_bid, execute_bid_cw20, execute_cancel_auction, execute_open_auction, execute_settle,
};
use crate::config::{
    config_event, execute_update_config, validate_dispute_window, validate_max_open_auctions,
};
use crate::error::ContractError;
use crate::meeting::{
    execute_accept_reschedule, execute_cancel_meeting, execute_cancel_meeting_cw20, execute_claim,
    execute_confirm, execute_decline_reschedule, execute_dispute, execute_mark_held,
    execute_propose_reschedule, execute_resolve,
};
use crate::msg::{
    ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg, ReceiveMsg, DEFAULT_CANCELLATION_FEE_BPS,
};
use crate::query::{
    query_auction, query_auctions_by_creator, query_auctions_by_state, query_bids, query_config,
    query_meeting, query_meetings_by_creator, query_meetings_by_fan, query_open_auction_count,
};
use crate::state::{Config, CONFIG, CONFIG_V1, LAST_AUCTION_ID};

pub const CONTRACT_NAME: &str = "crates.io:mesi-meetings";
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
    let owner = match msg.owner {
        Some(owner) => deps.api.addr_validate(&owner)?,
        None => info.sender,
    };
    cw_ownable::initialize_owner(deps.storage, deps.api, Some(owner.as_str()))?;
    let config = Config {
        creators: deps.api.addr_validate(&msg.creators)?,
        max_open_auctions: validate_max_open_auctions(msg.max_open_auctions)?,
        dispute_window_secs: validate_dispute_window(msg.dispute_window_secs)?,
        cancellation_fee_bps: DEFAULT_CANCELLATION_FEE_BPS,
    };
    CONFIG.save(deps.storage, &config)?;
    LAST_AUCTION_ID.save(deps.storage, &0)?;
    Ok(Response::new().add_event(config_event(&config).to_event()))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    // Native bids and cancellation fees are the only messages that take funds.
    if !matches!(
        msg,
        ExecuteMsg::Bid { .. } | ExecuteMsg::CancelMeeting { .. }
    ) {
        nonpayable(&info)?;
    }
    match msg {
        ExecuteMsg::UpdateConfig {
            max_open_auctions,
            dispute_window_secs,
            cancellation_fee_bps,
        } => execute_update_config(
            deps,
            info,
            max_open_auctions,
            dispute_window_secs,
            cancellation_fee_bps,
        ),
        ExecuteMsg::UpdateOwnership(action) => Ok(mesi_common::ownership::update_ownership(
            deps,
            &env.block,
            &info.sender,
            action,
        )?),
        ExecuteMsg::OpenAuction { auction } => execute_open_auction(deps, env, info, auction),
        ExecuteMsg::CancelAuction { auction_id } => execute_cancel_auction(deps, info, auction_id),
        ExecuteMsg::Bid { auction_id } => execute_bid(deps, env, info, auction_id),
        ExecuteMsg::Receive(wrapper) => execute_receive(deps, env, info, wrapper),
        ExecuteMsg::Settle { auction_id } => execute_settle(deps, env, info, auction_id),
        ExecuteMsg::MarkHeld {
            meeting_id,
            fan_no_show,
        } => execute_mark_held(deps, env, info, meeting_id, fan_no_show),
        ExecuteMsg::Confirm { meeting_id } => execute_confirm(deps, env, info, meeting_id),
        ExecuteMsg::Dispute { meeting_id, reason } => {
            execute_dispute(deps, env, info, meeting_id, reason)
        }
        ExecuteMsg::Resolve {
            meeting_id,
            outcome,
        } => execute_resolve(deps, info, meeting_id, outcome),
        ExecuteMsg::Claim { meeting_id } => execute_claim(deps, env, info, meeting_id),
        ExecuteMsg::CancelMeeting { meeting_id } => execute_cancel_meeting(deps, info, meeting_id),
        ExecuteMsg::ProposeReschedule {
            meeting_id,
            start,
            duration_secs,
        } => execute_propose_reschedule(deps, env, info, meeting_id, start, duration_secs),
        ExecuteMsg::AcceptReschedule {
            meeting_id,
            start,
            duration_secs,
        } => execute_accept_reschedule(deps, env, info, meeting_id, start, duration_secs),
        ExecuteMsg::DeclineReschedule { meeting_id } => {
            execute_decline_reschedule(deps, info, meeting_id)
        }
    }
}

/// A CW20 `Send` to this contract: a bid, or a cancellation fee. Each handler checks that the
/// token is the auction's or meeting's own asset.
fn execute_receive(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    wrapper: Cw20ReceiveMsg,
) -> Result<Response, ContractError> {
    let Cw20Payment { payer, paid, msg } =
        paid_cw20::<_, ContractError>(deps.api, &info, &wrapper)?;
    match msg {
        ReceiveMsg::Bid { auction_id } => execute_bid_cw20(deps, env, payer, paid, auction_id),
        ReceiveMsg::CancelMeeting { meeting_id } => {
            execute_cancel_meeting_cw20(deps, payer, paid, meeting_id)
        }
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::Config {} => to_json_binary(&query_config(deps)?),
        QueryMsg::Ownership {} => to_json_binary(&cw_ownable::get_ownership(deps.storage)?),
        QueryMsg::Auction { auction_id } => to_json_binary(&query_auction(deps, env, auction_id)?),
        QueryMsg::AuctionsByCreator {
            creator,
            start_after,
            limit,
        } => to_json_binary(&query_auctions_by_creator(
            deps,
            env,
            creator,
            start_after,
            limit,
        )?),
        QueryMsg::AuctionsByState {
            state,
            start_after,
            ends_before,
            limit,
        } => to_json_binary(&query_auctions_by_state(
            deps,
            env,
            state,
            start_after,
            ends_before,
            limit,
        )?),
        QueryMsg::OpenAuctionCount { creator } => {
            to_json_binary(&query_open_auction_count(deps, creator)?)
        }
        QueryMsg::Bids {
            auction_id,
            start_after,
            limit,
        } => to_json_binary(&query_bids(deps, auction_id, start_after, limit)?),
        QueryMsg::Meeting { meeting_id } => to_json_binary(&query_meeting(deps, meeting_id)?),
        QueryMsg::MeetingsByCreator {
            creator,
            start_after,
            limit,
        } => to_json_binary(&query_meetings_by_creator(
            deps,
            creator,
            start_after,
            limit,
        )?),
        QueryMsg::MeetingsByFan {
            fan,
            start_after,
            limit,
        } => to_json_binary(&query_meetings_by_fan(deps, fan, start_after, limit)?),
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    // Refuses another contract's state and a downgrade; records the new version.
    let from = cw2::ensure_from_older_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    // State written before cancellation fees has a config without one.
    let mut response = Response::new().add_attribute("migrated_from", from.to_string());
    if CONFIG.may_load(deps.storage).is_err() {
        let old = CONFIG_V1.load(deps.storage)?;
        let config = Config {
            creators: old.creators,
            max_open_auctions: old.max_open_auctions,
            dispute_window_secs: old.dispute_window_secs,
            cancellation_fee_bps: DEFAULT_CANCELLATION_FEE_BPS,
        };
        CONFIG.save(deps.storage, &config)?;
        response = response.add_event(config_event(&config).to_event());
    }
    Ok(response)
}
