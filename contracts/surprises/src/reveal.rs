//! Unlock and reveal: the owner unlocks a sealed surprise (it stops moving and the deadline
//! runs); the creator reveals before the deadline (bond back to them) or the unlocker claims the
//! bond after it. Sealed -> Unlocked -> Revealed | Forfeited.

use cosmwasm_std::{Addr, DepsMut, Env, HexBinary, MessageInfo, Response, StdResult, Uint128};
use mesi_common::commitment::{CommitmentInput, Hash};
use mesi_common::events::surprises::{SurpriseForfeited, SurpriseRevealed, SurpriseUnlocked};
use mesi_common::{Asset, AssetInfo, MesiEvent};

use crate::error::ContractError;
use crate::mint::split_bond;
use crate::state::{Phase, Reveal, Unlock, LISTINGS, SURPRISES, TOKENS, UNLOCKS};
use crate::trade::remove_listing;

pub fn execute_unlock(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    token_id: String,
) -> Result<Response, ContractError> {
    let mut token = TOKENS.load(deps.storage, &token_id)?;
    if token.owner != info.sender {
        return Err(ContractError::Unauthorized {
            action: "unlock",
            allowed: "owner",
        });
    }
    let delisted = token.extension.phase.check_sealed("unlock", &token_id)?;
    if delisted {
        let listing = LISTINGS.load(deps.storage, &token_id)?;
        remove_listing(deps.storage, &token_id, &listing);
    }
    let surprise = SURPRISES.load(deps.storage, &token_id)?;
    let deadline = env.block.time.plus_seconds(surprise.reveal_window);
    UNLOCKS.save(
        deps.storage,
        &token_id,
        &Unlock {
            unlocker: info.sender.clone(),
            deadline,
            revealed: None,
        },
    )?;
    token.approvals.clear();
    token.extension.phase = Phase::Unlocked;
    TOKENS.save(deps.storage, &token_id, &token)?;
    let event = SurpriseUnlocked {
        token_id,
        owner: info.sender,
        creator: surprise.creator,
        reveal_deadline: deadline,
        delisted,
    };
    Ok(Response::new().add_event(event.to_event()))
}

pub fn execute_reveal(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    token_id: String,
    salt: HexBinary,
    content_hash: HexBinary,
) -> Result<Response, ContractError> {
    let surprise = SURPRISES.load(deps.storage, &token_id)?;
    if info.sender != surprise.creator {
        return Err(ContractError::Unauthorized {
            action: "reveal",
            allowed: "creator",
        });
    }
    let mut token = TOKENS.load(deps.storage, &token_id)?;
    token.extension.phase.check_unlocked("reveal", &token_id)?;
    let mut unlock = UNLOCKS.load(deps.storage, &token_id)?;
    if env.block.time > unlock.deadline {
        return Err(ContractError::RevealDeadlinePassed(unlock.deadline));
    }
    let salt_bytes: Hash = salt
        .to_array()
        .map_err(|_| ContractError::InvalidHash { field: "salt" })?;
    let hash_bytes: Hash = content_hash
        .to_array()
        .map_err(|_| ContractError::InvalidHash {
            field: "content_hash",
        })?;
    let expected = CommitmentInput {
        contract: env.contract.address.as_str(),
        token_id: &token_id,
        creator: surprise.creator.as_str(),
        salt: &salt_bytes,
        content_hash: &hash_bytes,
    }
    .commitment();
    if expected.as_slice() != surprise.commitment.as_slice() {
        return Err(ContractError::CommitmentMismatch);
    }

    unlock.revealed = Some(Reveal {
        salt: salt.clone(),
        content_hash: content_hash.clone(),
    });
    UNLOCKS.save(deps.storage, &token_id, &unlock)?;
    token.extension.phase = Phase::Revealed;
    TOKENS.save(deps.storage, &token_id, &token)?;
    let (response, bond_asset, bond) = pay_bond(surprise.bond, &surprise.creator)?;
    let event = SurpriseRevealed {
        token_id,
        creator: surprise.creator,
        salt: salt.to_hex(),
        content_hash: content_hash.to_hex(),
        bond_asset,
        bond_returned: bond,
    };
    Ok(response.add_event(event.to_event()))
}

pub fn execute_claim_bond(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    token_id: String,
) -> Result<Response, ContractError> {
    let mut token = TOKENS.load(deps.storage, &token_id)?;
    token
        .extension
        .phase
        .check_unlocked("claim the bond of", &token_id)?;
    let unlock = UNLOCKS.load(deps.storage, &token_id)?;
    if info.sender != unlock.unlocker {
        return Err(ContractError::Unauthorized {
            action: "claim the bond",
            allowed: "unlocker",
        });
    }
    if env.block.time <= unlock.deadline {
        return Err(ContractError::RevealStillOpen(unlock.deadline));
    }
    let surprise = SURPRISES.load(deps.storage, &token_id)?;
    token.extension.phase = Phase::Forfeited;
    TOKENS.save(deps.storage, &token_id, &token)?;
    let (response, bond_asset, bond) = pay_bond(surprise.bond, &unlock.unlocker)?;
    let event = SurpriseForfeited {
        token_id,
        unlocker: unlock.unlocker,
        creator: surprise.creator,
        bond_asset,
        bond_claimed: bond,
    };
    Ok(response.add_event(event.to_event()))
}

/// A response paying the escrowed bond (if any) to `recipient`, and the bond as the events
/// carry it.
fn pay_bond(
    bond: Option<Asset>,
    recipient: &Addr,
) -> StdResult<(Response, Option<AssetInfo>, Uint128)> {
    let (bond_asset, amount) = split_bond(bond);
    let mut response = Response::new();
    if let Some(msg) = bond_asset
        .as_ref()
        .map(|asset| asset.payout(recipient, amount))
        .transpose()?
        .flatten()
    {
        response = response.add_message(msg);
    }
    Ok((response, bond_asset, amount))
}
