//! Creator profiles: register, update, chat rule, deactivate and reactivate. Each message acts
//! on the sender's own profile.

use cosmwasm_std::{Addr, Deps, DepsMut, Env, MessageInfo, Response, Timestamp, Uint128};
use mesi_common::asset::ensure_accepted;
use mesi_common::chat_rule::ChatRule;
use mesi_common::events::creators::CreatorProfileSet;
use mesi_common::{AssetInfo, MesiEvent};

use crate::error::ContractError;
use crate::msg::{ProfileInput, MAX_ASSETS, MAX_DISPLAY_NAME_CHARS};
use crate::platform::{ensure_not_platform_contract, validate_assets};
use crate::state::{Creator, CHAT_RULES, CONFIG, CREATORS};

pub fn execute_register_creator(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    profile: ProfileInput,
) -> Result<Response, ContractError> {
    if CREATORS.has(deps.storage, &info.sender) {
        return Err(ContractError::AlreadyRegistered(info.sender.into()));
    }
    let (creator, rule) =
        validate_profile(deps.as_ref(), &env, &info.sender, profile, env.block.time)?;
    save_profile(deps, "registered", &info.sender, creator, Some(rule))
}

/// Replaces the profile; the registration time and the active flag stay.
pub fn execute_update_creator(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    profile: ProfileInput,
) -> Result<Response, ContractError> {
    let existing = load_creator(deps.as_ref(), &info.sender)?;
    let (mut creator, rule) = validate_profile(
        deps.as_ref(),
        &env,
        &info.sender,
        profile,
        existing.registered_at,
    )?;
    creator.active = existing.active;
    save_profile(deps, "updated", &info.sender, creator, Some(rule))
}

pub fn execute_set_chat_rule(
    deps: DepsMut,
    info: MessageInfo,
    rule: ChatRule,
) -> Result<Response, ContractError> {
    let creator = load_creator(deps.as_ref(), &info.sender)?;
    let rule = rule.validate(deps.api)?;
    save_profile(deps, "chat_rule_set", &info.sender, creator, Some(rule))
}

/// `DeactivateCreator` (`active: false`) and `ReactivateCreator` (`active: true`).
pub fn execute_set_active(
    deps: DepsMut,
    info: MessageInfo,
    active: bool,
) -> Result<Response, ContractError> {
    let mut creator = load_creator(deps.as_ref(), &info.sender)?;
    if creator.active == active {
        return Err(ContractError::AlreadyInState(if active {
            "active"
        } else {
            "inactive"
        }));
    }
    creator.active = active;
    save_profile(
        deps,
        if active { "reactivated" } else { "deactivated" },
        &info.sender,
        creator,
        None,
    )
}

/// Saves the profile (and the rule, when given) and emits the full profile.
fn save_profile(
    deps: DepsMut,
    action: &str,
    address: &Addr,
    creator: Creator,
    rule: Option<ChatRule>,
) -> Result<Response, ContractError> {
    CREATORS.save(deps.storage, address, &creator)?;
    let chat_rule = match rule {
        Some(rule) => {
            CHAT_RULES.save(deps.storage, address, &rule)?;
            rule
        }
        None => CHAT_RULES.load(deps.storage, address)?,
    };
    let event = CreatorProfileSet {
        action: action.into(),
        creator: address.clone(),
        display_name: creator.display_name,
        payout: creator.payout,
        accepted_assets: creator.accepted_assets,
        tip_minimums: creator.tip_minimums,
        chat_rule,
        active: creator.active,
        registered_at: creator.registered_at,
    };
    Ok(Response::new().add_event(event.to_event()))
}

fn load_creator(deps: Deps, address: &Addr) -> Result<Creator, ContractError> {
    CREATORS
        .may_load(deps.storage, address)?
        .ok_or_else(|| ContractError::NotACreator(address.to_string()))
}

fn validate_profile(
    deps: Deps,
    env: &Env,
    address: &Addr,
    profile: ProfileInput,
    registered_at: Timestamp,
) -> Result<(Creator, ChatRule), ContractError> {
    let name = profile.display_name.trim();
    let chars = name.chars().count();
    if chars == 0 || chars > MAX_DISPLAY_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(ContractError::InvalidDisplayName {
            max: MAX_DISPLAY_NAME_CHARS,
        });
    }
    let config = CONFIG.load(deps.storage)?;
    let platform = config.accepted_assets;
    let accepted_assets = validate_assets(deps.api, &profile.accepted_assets)?;
    for asset in &accepted_assets {
        ensure_accepted(asset, &platform)?;
    }
    if profile.tip_minimums.len() > MAX_ASSETS {
        return Err(ContractError::TooMany {
            what: "tip minimums",
            max: MAX_ASSETS,
        });
    }
    let mut tip_minimums: Vec<(AssetInfo, Uint128)> =
        Vec::with_capacity(profile.tip_minimums.len());
    for (asset, minimum) in profile.tip_minimums {
        let asset = asset.validate(deps.api)?;
        ensure_accepted(&asset, &platform)?;
        if tip_minimums.iter().any(|(a, _)| a == &asset) {
            return Err(ContractError::Duplicate(asset.key()));
        }
        tip_minimums.push((asset, minimum));
    }
    let payout = match profile.payout {
        Some(payout) => deps.api.addr_validate(&payout)?,
        None => address.clone(),
    };
    ensure_not_platform_contract(env, &config.contracts, &payout, "payout")?;
    let rule = profile.chat_rule.validate(deps.api)?;
    let creator = Creator {
        display_name: name.to_string(),
        payout,
        accepted_assets,
        tip_minimums,
        active: true,
        registered_at,
    };
    Ok((creator, rule))
}
