#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{to_json_binary, Binary, Deps, DepsMut, Env, MessageInfo, Response, StdResult};
use cw721::state::{CollectionInfo, MINTER};
use mesi_common::asset::nonpayable;

use crate::config::{execute_update_config, save_config};
use crate::cw721::{
    execute_approve, execute_approve_all, execute_revoke, execute_revoke_all, execute_send_nft,
    execute_transfer_nft,
};
use crate::error::ContractError;
use crate::mint::{check_text, execute_mint};
use crate::msg::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg, MAX_NAME_LEN, MAX_SYMBOL_LEN};
use crate::query::{
    query_all_nft_info, query_all_operators, query_all_tokens, query_approval, query_approvals,
    query_collection_info, query_config, query_creator_ownership, query_holds_surprise,
    query_listings_by_creator, query_listings_by_price, query_minter_ownership, query_nft_info,
    query_num_tokens, query_operator, query_owner_of, query_surprise, query_surprises_by_owner,
    query_token_id_prefix, query_tokens,
};
use crate::reveal::{execute_claim_bond, execute_reveal, execute_unlock};
use crate::state::{cw721_storage, Config};
use crate::trade::{execute_buy, execute_delist, execute_list, execute_receive};

pub const CONTRACT_NAME: &str = "crates.io:mesi-surprises";
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
    check_text("name", &msg.name, MAX_NAME_LEN)?;
    check_text("symbol", &msg.symbol, MAX_SYMBOL_LEN)?;
    let collection = CollectionInfo {
        name: msg.name,
        symbol: msg.symbol,
        updated_at: env.block.time,
    };
    cw721_storage()
        .collection_info
        .save(deps.storage, &collection)?;
    // The platform admin is cw-ownable's owner, which is also CW721's collection creator.
    let owner = match msg.owner {
        Some(owner) => deps.api.addr_validate(&owner)?,
        None => info.sender,
    };
    cw_ownable::initialize_owner(deps.storage, deps.api, Some(owner.as_str()))?;
    // Creators mint, each under their own token-id prefix; there is no single minter.
    MINTER.initialize_owner(deps.storage, deps.api, None)?;
    let config = Config {
        creators: deps.api.addr_validate(&msg.creators)?,
        reveal_window: msg.reveal_window,
        creator_recheck_interval: msg.creator_recheck_interval,
    };
    save_config(deps.storage, config)
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    // Mint takes an optional bond and Buy the price; every other message takes no funds.
    if !matches!(msg, ExecuteMsg::Mint(_) | ExecuteMsg::Buy { .. }) {
        nonpayable(&info)?;
    }
    match msg {
        ExecuteMsg::TransferNft {
            recipient,
            token_id,
        } => execute_transfer_nft(deps, env, info, recipient, token_id),
        ExecuteMsg::SendNft {
            contract,
            token_id,
            msg,
        } => execute_send_nft(deps, env, info, contract, token_id, msg),
        ExecuteMsg::Approve {
            spender,
            token_id,
            expires,
        } => execute_approve(deps, env, info, spender, token_id, expires),
        ExecuteMsg::Revoke { spender, token_id } => {
            execute_revoke(deps, env, info, spender, token_id)
        }
        ExecuteMsg::ApproveAll { operator, expires } => {
            execute_approve_all(deps, env, info, operator, expires)
        }
        ExecuteMsg::RevokeAll { operator } => execute_revoke_all(deps, env, info, operator),
        ExecuteMsg::Mint(mint) => execute_mint(deps, env, info, mint),
        ExecuteMsg::List {
            token_id,
            asset,
            price,
            expires_at,
        } => execute_list(deps, env, info, token_id, asset, price, expires_at),
        ExecuteMsg::Delist { token_id } => execute_delist(deps, env, info, token_id),
        ExecuteMsg::Buy { token_id } => execute_buy(deps, env, info, token_id),
        ExecuteMsg::Unlock { token_id } => execute_unlock(deps, env, info, token_id),
        ExecuteMsg::Reveal {
            token_id,
            salt,
            content_hash,
        } => execute_reveal(deps, env, info, token_id, salt, content_hash),
        ExecuteMsg::ClaimBond { token_id } => execute_claim_bond(deps, env, info, token_id),
        ExecuteMsg::Receive(wrapper) => execute_receive(deps, env, info, wrapper),
        ExecuteMsg::UpdateConfig {
            creators,
            reveal_window,
            creator_recheck_interval,
        } => execute_update_config(
            deps,
            info,
            creators,
            reveal_window,
            creator_recheck_interval,
        ),
        ExecuteMsg::UpdateOwnership(action) => Ok(mesi_common::ownership::update_ownership(
            deps,
            &env.block,
            &info.sender,
            action,
        )?),
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::OwnerOf {
            token_id,
            include_expired,
        } => to_json_binary(&query_owner_of(deps, &env, token_id, include_expired)?),
        QueryMsg::Approval {
            token_id,
            spender,
            include_expired,
        } => to_json_binary(&query_approval(
            deps,
            &env,
            token_id,
            spender,
            include_expired,
        )?),
        QueryMsg::Approvals {
            token_id,
            include_expired,
        } => to_json_binary(&query_approvals(deps, &env, token_id, include_expired)?),
        QueryMsg::Operator {
            owner,
            operator,
            include_expired,
        } => to_json_binary(&query_operator(
            deps,
            &env,
            owner,
            operator,
            include_expired,
        )?),
        QueryMsg::AllOperators {
            owner,
            include_expired,
            start_after,
            limit,
        } => to_json_binary(&query_all_operators(
            deps,
            &env,
            owner,
            include_expired,
            start_after,
            limit,
        )?),
        QueryMsg::NumTokens {} => to_json_binary(&query_num_tokens(deps)?),
        QueryMsg::ContractInfo {} | QueryMsg::GetCollectionInfoAndExtension {} => {
            to_json_binary(&query_collection_info(deps)?)
        }
        QueryMsg::GetMinterOwnership {} => to_json_binary(&query_minter_ownership(deps)?),
        QueryMsg::GetCreatorOwnership {} | QueryMsg::Ownership {} => {
            to_json_binary(&query_creator_ownership(deps)?)
        }
        QueryMsg::NftInfo { token_id } => to_json_binary(&query_nft_info(deps, token_id)?),
        QueryMsg::AllNftInfo {
            token_id,
            include_expired,
        } => to_json_binary(&query_all_nft_info(deps, &env, token_id, include_expired)?),
        QueryMsg::Tokens {
            owner,
            start_after,
            limit,
        } => to_json_binary(&query_tokens(deps, &env, owner, start_after, limit)?),
        QueryMsg::AllTokens { start_after, limit } => {
            to_json_binary(&query_all_tokens(deps, &env, start_after, limit)?)
        }
        QueryMsg::Config {} => to_json_binary(&query_config(deps)?),
        QueryMsg::Surprise { token_id } => to_json_binary(&query_surprise(deps, &env, token_id)?),
        QueryMsg::SurprisesByOwner {
            owner,
            start_after,
            limit,
        } => to_json_binary(&query_surprises_by_owner(
            deps,
            &env,
            owner,
            start_after,
            limit,
        )?),
        QueryMsg::ListingsByCreator {
            creator,
            start_after,
            limit,
        } => to_json_binary(&query_listings_by_creator(
            deps,
            &env,
            creator,
            start_after,
            limit,
        )?),
        QueryMsg::ListingsByPrice {
            asset,
            start_after,
            limit,
        } => to_json_binary(&query_listings_by_price(
            deps,
            &env,
            asset,
            start_after,
            limit,
        )?),
        QueryMsg::HoldsSurprise { owner, creator } => {
            to_json_binary(&query_holds_surprise(deps, owner, creator)?)
        }
        QueryMsg::TokenIdPrefix { creator } => {
            to_json_binary(&query_token_id_prefix(deps, creator)?)
        }
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    cw2::ensure_from_older_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    Ok(Response::new())
}
