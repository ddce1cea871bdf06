//! Minting: a registered, active creator mints a sealed surprise under their own token-id
//! prefix, with an optional bond (native here, CW20 through `Receive`).

use cosmwasm_std::{Addr, DepsMut, Env, HexBinary, MessageInfo, Response, Uint128};
use mesi_common::asset::{ensure_accepted, paid_native};
use mesi_common::events::surprises::SurpriseMinted;
use mesi_common::fee::MAX_ROYALTY_BPS;
use mesi_common::interfaces::creators::Product;
use mesi_common::{Asset, AssetInfo, MesiEvent};

use crate::error::ContractError;
use crate::msg::{
    Hints, MintMsg, MAX_CATEGORY_LEN, MAX_HINTS, MAX_HINT_LEN, MAX_LABEL_LEN, MAX_TITLE_LEN,
    MAX_URI_LEN,
};
use crate::state::{
    cw721_storage, token_id_prefix, Config, Creator, Phase, Surprise, Token, TokenPhase, CONFIG,
    CREATORS, CREATOR_COUNT, SURPRISES, TOKENS,
};

/// The bond, if any, is the one native coin sent with the message.
pub fn execute_mint(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: MintMsg,
) -> Result<Response, ContractError> {
    let bond = if info.funds.is_empty() {
        None
    } else {
        Some(paid_native(&info)?)
    };
    mint_surprise(deps, env, info.sender, msg, bond)
}

/// Mints for `creator`, escrowing `bond` (already received, native or CW20).
pub(crate) fn mint_surprise(
    mut deps: DepsMut,
    env: Env,
    creator: Addr,
    msg: MintMsg,
    bond: Option<Asset>,
) -> Result<Response, ContractError> {
    check_hints(&msg.hints)?;
    if msg.royalty_bps > MAX_ROYALTY_BPS {
        return Err(ContractError::RoyaltyTooHigh {
            bps: msg.royalty_bps,
            max: MAX_ROYALTY_BPS,
        });
    }
    if msg.commitment.len() != 32 {
        return Err(ContractError::InvalidHash {
            field: "commitment",
        });
    }
    let owner = match &msg.owner {
        Some(owner) => deps.api.addr_validate(owner)?,
        None => creator.clone(),
    };
    let config = CONFIG.load(deps.storage)?;
    let number = check_creator(deps.branch(), &env, &config, &creator, bond.as_ref())?;
    let prefix = token_id_prefix(number);
    check_token_id(&msg.token_id, &prefix)?;
    if TOKENS.has(deps.storage, &msg.token_id) {
        return Err(ContractError::TokenExists(msg.token_id));
    }

    let cw721 = cw721_storage();
    let token = Token {
        owner: owner.clone(),
        approvals: vec![],
        token_uri: None,
        extension: TokenPhase {
            phase: Phase::Sealed,
        },
    };
    cw721
        .nft_info
        .replace(deps.storage, &msg.token_id, Some(&token), None)?;
    cw721.increment_tokens(deps.storage)?;
    let surprise = Surprise {
        creator,
        hints: msg.hints,
        commitment: msg.commitment.to_vec().into(),
        royalty_bps: msg.royalty_bps,
        bond,
        reveal_window: config.reveal_window,
    };
    SURPRISES.save(deps.storage, &msg.token_id, &surprise)?;

    let (bond_asset, bond) = split_bond(surprise.bond);
    let event = SurpriseMinted {
        token_id: msg.token_id,
        creator: surprise.creator,
        owner,
        title: surprise.hints.title,
        hints: surprise.hints.hints,
        category: surprise.hints.category,
        preview_uri: surprise.hints.preview_uri,
        commitment: HexBinary::from(surprise.commitment.as_slice()).to_hex(),
        royalty_bps: surprise.royalty_bps,
        bond_asset,
        bond,
        reveal_window: surprise.reveal_window,
    };
    Ok(Response::new().add_event(event.to_event()))
}

/// A text field: 1 to `max` bytes without control characters.
pub(crate) fn check_text(
    field: &'static str,
    value: &str,
    max: usize,
) -> Result<(), ContractError> {
    if value.is_empty() || value.len() > max || value.chars().any(char::is_control) {
        return Err(ContractError::InvalidText {
            field,
            max,
            extra: "",
        });
    }
    Ok(())
}

/// A bond as the events carry it: its asset (none without a bond) and amount (zero).
pub(crate) fn split_bond(bond: Option<Asset>) -> (Option<AssetInfo>, Uint128) {
    match bond {
        Some(bond) => (Some(bond.info), bond.amount),
        None => (None, Uint128::zero()),
    }
}

/// Checks that the creator may mint (with this bond) and returns their number, assigned at their
/// first mint.
///
/// Registration cannot be undone and only the creator switches themselves inactive, so an
/// unbonded mint trusts the registry's last "active" for `creator_recheck_interval`: the query
/// costs more than the rest of the mint. A bond needs the accepted assets, so it always asks.
fn check_creator(
    deps: DepsMut,
    env: &Env,
    config: &Config,
    creator: &Addr,
    bond: Option<&Asset>,
) -> Result<u32, ContractError> {
    let known = CREATORS.may_load(deps.storage, creator)?;
    let now = env.block.time;
    if let Some(known) = &known {
        if bond.is_none()
            && now
                < known
                    .active_at
                    .plus_seconds(config.creator_recheck_interval)
        {
            return Ok(known.number);
        }
    }
    let terms = config
        .registry()
        .payment_terms(&deps.querier, creator, Product::SurpriseSales)
        .map_err(|e| ContractError::NotACreator {
            creator: creator.to_string(),
            reason: e.to_string(),
        })?;
    if !terms.active {
        return Err(ContractError::CreatorInactive(creator.to_string()));
    }
    if let Some(bond) = bond {
        ensure_accepted(&bond.info, &terms.accepted_assets)?;
    }
    let number = match known {
        Some(known) => known.number,
        None => {
            let number = CREATOR_COUNT.may_load(deps.storage)?.unwrap_or_default() + 1;
            CREATOR_COUNT.save(deps.storage, &number)?;
            number
        }
    };
    CREATORS.save(
        deps.storage,
        creator,
        &Creator {
            number,
            active_at: now,
        },
    )?;
    Ok(number)
}

fn check_token_id(token_id: &str, prefix: &str) -> Result<(), ContractError> {
    let valid = token_id.strip_prefix(prefix).is_some_and(|label| {
        (1..=MAX_LABEL_LEN).contains(&label.len())
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    });
    if valid {
        Ok(())
    } else {
        Err(ContractError::InvalidTokenId {
            token_id: token_id.into(),
            prefix: prefix.into(),
            max_label: MAX_LABEL_LEN,
        })
    }
}

fn check_hints(hints: &Hints) -> Result<(), ContractError> {
    check_text("title", &hints.title, MAX_TITLE_LEN)?;
    check_text("category", &hints.category, MAX_CATEGORY_LEN)?;
    if hints.hints.len() > MAX_HINTS {
        return Err(ContractError::TooManyHints { max: MAX_HINTS });
    }
    for hint in &hints.hints {
        check_text("hint", hint, MAX_HINT_LEN)?;
    }
    if let Some(uri) = &hints.preview_uri {
        if uri.is_empty()
            || uri.len() > MAX_URI_LEN
            || uri.chars().any(|c| c.is_control() || c.is_whitespace())
        {
            return Err(ContractError::InvalidText {
                field: "preview_uri",
                max: MAX_URI_LEN,
                extra: " or whitespace",
            });
        }
    }
    Ok(())
}
