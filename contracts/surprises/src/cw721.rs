//! The CW721 interface: transfers, sends and approvals of sealed surprises (unlocked ones can no
//! longer move). A transfer ends the token's listing.

use cosmwasm_std::{Addr, Binary, DepsMut, Env, MessageInfo, Response, StdResult, Storage};
use cw721::error::Cw721ContractError;
use cw721::execute::{check_can_approve, check_can_send};
use cw721::receiver::Cw721ReceiveMsg;
use cw721::{Approval, Expiration};
use mesi_common::events::surprises::{SurpriseApproval, SurpriseTransferred};
use mesi_common::MesiEvent;

use crate::error::ContractError;
use crate::state::{cw721_storage, Phase, Token, TokenPhase, LISTINGS, TOKENS};
use crate::trade::remove_listing;

pub fn execute_transfer_nft(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    recipient: String,
    token_id: String,
) -> Result<Response, ContractError> {
    let recipient = deps.api.addr_validate(&recipient)?;
    let event = transfer_token(deps, &env, &info.sender, token_id, recipient)?;
    Ok(Response::new().add_event(event.to_event()))
}

pub fn execute_send_nft(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    contract: String,
    token_id: String,
    msg: Binary,
) -> Result<Response, ContractError> {
    let contract = deps.api.addr_validate(&contract)?;
    let event = transfer_token(deps, &env, &info.sender, token_id.clone(), contract.clone())?;
    let receive = Cw721ReceiveMsg {
        sender: info.sender.to_string(),
        token_id,
        msg,
    };
    Ok(Response::new()
        .add_message(receive.into_cosmos_msg(contract)?)
        .add_event(event.to_event()))
}

pub fn execute_approve(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    spender: String,
    token_id: String,
    expires: Option<Expiration>,
) -> Result<Response, ContractError> {
    let expires = Some(expires.unwrap_or_default());
    update_approval(deps, env, info, spender, token_id, expires)
}

pub fn execute_revoke(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    spender: String,
    token_id: String,
) -> Result<Response, ContractError> {
    update_approval(deps, env, info, spender, token_id, None)
}

pub fn execute_approve_all(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    operator: String,
    expires: Option<Expiration>,
) -> Result<Response, ContractError> {
    update_operator(deps, env, info, operator, Some(expires.unwrap_or_default()))
}

pub fn execute_revoke_all(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    operator: String,
) -> Result<Response, ContractError> {
    update_operator(deps, env, info, operator, None)
}

/// A CW721 transfer of a sealed surprise by its owner or an approved spender or operator; ends
/// its listing. Reads the token record (and the listing, if listed), nothing else.
fn transfer_token(
    deps: DepsMut,
    env: &Env,
    sender: &Addr,
    token_id: String,
    to: Addr,
) -> Result<SurpriseTransferred, ContractError> {
    let token = cw721_storage().nft_info.load(deps.storage, &token_id)?;
    let delisted = token.extension.phase.check_sealed("transfer", &token_id)?;
    check_can_send(deps.as_ref(), env, sender.as_str(), &token)?;
    if delisted {
        let listing = LISTINGS.load(deps.storage, &token_id)?;
        remove_listing(deps.storage, &token_id, &listing);
    }
    let from = set_owner(deps.storage, &token_id, token, to.clone())?;
    Ok(SurpriseTransferred {
        token_id,
        from,
        to,
        delisted,
    })
}

/// Grants (`expires` set) or revokes a spender's approval for one token. Granting needs a
/// sealed token: an unlocked one can no longer move.
fn update_approval(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    spender: String,
    token_id: String,
    expires: Option<Expiration>,
) -> Result<Response, ContractError> {
    let spender = deps.api.addr_validate(&spender)?;
    let mut token = TOKENS.load(deps.storage, &token_id)?;
    if expires.is_some() {
        token
            .extension
            .phase
            .check_sealed("approve a spender for", &token_id)?;
    }
    check_can_approve(deps.as_ref(), &env, info.sender.as_str(), &token)?;
    token
        .approvals
        .retain(|approval| approval.spender != spender);
    if let Some(expires) = expires {
        if expires.is_expired(&env.block) {
            return Err(Cw721ContractError::Expired {}.into());
        }
        token.approvals.push(Approval {
            spender: spender.clone(),
            expires,
        });
    }
    TOKENS.save(deps.storage, &token_id, &token)?;
    Ok(Response::new()
        .add_event(approval_event(token.owner, spender, Some(token_id), expires).to_event()))
}

/// Grants (`expires` set) or revokes an operator for all of the sender's tokens.
fn update_operator(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    operator: String,
    expires: Option<Expiration>,
) -> Result<Response, ContractError> {
    let operator = deps.api.addr_validate(&operator)?;
    let operators = cw721_storage().operators;
    match expires {
        Some(expires) if expires.is_expired(&env.block) => {
            return Err(Cw721ContractError::Expired {}.into())
        }
        Some(expires) => operators.save(deps.storage, (&info.sender, &operator), &expires)?,
        None => operators.remove(deps.storage, (&info.sender, &operator)),
    }
    Ok(Response::new().add_event(approval_event(info.sender, operator, None, expires).to_event()))
}

fn approval_event(
    owner: Addr,
    spender: Addr,
    token_id: Option<String>,
    expires: Option<Expiration>,
) -> SurpriseApproval {
    let (expires_at_height, expires_at) = match expires {
        Some(Expiration::AtHeight(height)) => (Some(height), None),
        Some(Expiration::AtTime(time)) => (None, Some(time)),
        Some(Expiration::Never {}) | None => (None, None),
    };
    SurpriseApproval {
        owner,
        spender,
        token_id,
        granted: expires.is_some(),
        expires_at_height,
        expires_at,
    }
}

/// Gives a token a new owner as a sealed, unlisted token without approvals, keeping the CW721
/// owner index right. Returns the previous owner.
pub(crate) fn set_owner(
    storage: &mut dyn Storage,
    token_id: &str,
    old: Token,
    owner: Addr,
) -> StdResult<Addr> {
    let new = Token {
        owner,
        approvals: vec![],
        token_uri: None,
        extension: TokenPhase {
            phase: Phase::Sealed,
        },
    };
    cw721_storage()
        .nft_info
        .replace(storage, token_id, Some(&new), Some(&old))?;
    Ok(old.owner)
}
