#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    to_json_binary, Addr, Api, Binary, Deps, DepsMut, Env, MessageInfo, Order, Response, StdResult,
    Uint128,
};
use cw_storage_plus::Bound;
use mesi_common::asset::nonpayable;
use mesi_common::chat_rule::{evaluate, CanMessageResponse, ChatRule};
use mesi_common::events::creators::{CreatorProfileSet, PlatformConfigSet};
use mesi_common::fee::MAX_PLATFORM_FEE_BPS;
use mesi_common::interfaces::creators::{Fees, PaymentTerms, Product, SiblingAddrs};
use mesi_common::pagination::page_limit;
use mesi_common::{AssetInfo, MesiEvent};

use crate::error::ContractError;
use crate::gating::ChainFacts;
use crate::msg::{
    ConfigResponse, CreatorProfile, CreatorsResponse, ExecuteMsg, InstantiateMsg, MigrateMsg,
    ProfileInput, QueryMsg, SiblingContracts,
};
use crate::state::{Config, Creator, CHAT_RULES, CONFIG, CREATORS, FIAT_GATEWAYS};

pub const CONTRACT_NAME: &str = "crates.io:mesi-creators";
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Most assets the platform, or one creator, may accept.
pub const MAX_ASSETS: usize = 16;
/// Most fiat gateways.
pub const MAX_GATEWAYS: usize = 16;
pub const MAX_DISPLAY_NAME_CHARS: usize = 64;

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
    nonpayable(&info)?;
    match msg {
        ExecuteMsg::UpdateConfig {
            treasury,
            fees,
            accepted_assets,
            fiat_gateways,
            arbiter,
            contracts,
        } => {
            cw_ownable::assert_owner(deps.storage, &info.sender)?;
            update_config(
                deps,
                &env,
                treasury,
                fees,
                accepted_assets,
                fiat_gateways,
                arbiter,
                contracts,
            )
        }
        ExecuteMsg::UpdateOwnership(action) => Ok(mesi_common::ownership::update_ownership(
            deps,
            &env.block,
            &info.sender,
            action,
        )?),
        ExecuteMsg::RegisterCreator { profile } => register_creator(deps, env, info, profile),
        ExecuteMsg::UpdateCreator { profile } => update_creator(deps, env, info, profile),
        ExecuteMsg::SetChatRule { rule } => set_chat_rule(deps, info, rule),
        ExecuteMsg::DeactivateCreator {} => set_active(deps, info, false),
        ExecuteMsg::ReactivateCreator {} => set_active(deps, info, true),
    }
}

// One argument per field of `ExecuteMsg::UpdateConfig`.
#[allow(clippy::too_many_arguments)]
fn update_config(
    deps: DepsMut,
    env: &Env,
    treasury: Option<String>,
    fees: Option<Fees>,
    accepted_assets: Option<Vec<AssetInfo>>,
    fiat_gateways: Option<Vec<String>>,
    arbiter: Option<String>,
    contracts: Option<SiblingContracts>,
) -> Result<Response, ContractError> {
    let mut config = CONFIG.load(deps.storage)?;
    if let Some(treasury) = treasury {
        config.treasury = deps.api.addr_validate(&treasury)?;
    }
    if let Some(fees) = fees {
        config.fees = validate_fees(fees)?;
    }
    if let Some(assets) = accepted_assets {
        config.accepted_assets = validate_assets(deps.api, &assets)?;
    }
    if let Some(arbiter) = arbiter {
        config.arbiter = deps.api.addr_validate(&arbiter)?;
    }
    if let Some(contracts) = contracts {
        config.contracts = validate_contracts(deps.api, contracts)?;
    }
    ensure_not_platform_contract(env, &config.contracts, &config.treasury, "treasury")?;
    CONFIG.save(deps.storage, &config)?;
    let gateways = match fiat_gateways {
        Some(gateways) => {
            FIAT_GATEWAYS.clear(deps.storage);
            set_gateways(deps, &gateways)?
        }
        None => FIAT_GATEWAYS
            .keys(deps.storage, None, None, Order::Ascending)
            .collect::<StdResult<_>>()?,
    };
    Ok(Response::new().add_event(config_event(config, gateways).to_event()))
}

fn register_creator(
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

fn update_creator(
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

fn set_chat_rule(
    deps: DepsMut,
    info: MessageInfo,
    rule: ChatRule,
) -> Result<Response, ContractError> {
    let creator = load_creator(deps.as_ref(), &info.sender)?;
    let rule = rule.validate(deps.api)?;
    save_profile(deps, "chat_rule_set", &info.sender, creator, Some(rule))
}

fn set_active(deps: DepsMut, info: MessageInfo, active: bool) -> Result<Response, ContractError> {
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

fn validate_fees(fees: Fees) -> Result<Fees, ContractError> {
    let all = [
        ("tips", fees.tips),
        ("subscriptions", fees.subscriptions),
        ("ppv", fees.ppv),
        ("surprise_sales", fees.surprise_sales),
        ("meetings", fees.meetings),
    ];
    for (product, bps) in all {
        if bps > MAX_PLATFORM_FEE_BPS {
            return Err(ContractError::FeeTooHigh {
                product,
                bps,
                max: MAX_PLATFORM_FEE_BPS,
            });
        }
    }
    Ok(fees)
}

fn validate_assets(api: &dyn Api, assets: &[AssetInfo]) -> Result<Vec<AssetInfo>, ContractError> {
    if assets.len() > MAX_ASSETS {
        return Err(ContractError::TooMany {
            what: "accepted assets",
            max: MAX_ASSETS,
        });
    }
    let mut valid: Vec<AssetInfo> = Vec::with_capacity(assets.len());
    for asset in assets {
        let asset = asset.validate(api)?;
        if valid.contains(&asset) {
            return Err(ContractError::Duplicate(asset.key()));
        }
        valid.push(asset);
    }
    Ok(valid)
}

fn validate_contracts(api: &dyn Api, contracts: SiblingContracts) -> StdResult<SiblingAddrs> {
    let check = |addr: Option<String>| addr.map(|a| api.addr_validate(&a)).transpose();
    Ok(SiblingAddrs {
        tips: check(contracts.tips)?,
        subscriptions: check(contracts.subscriptions)?,
        ppv: check(contracts.ppv)?,
        surprises: check(contracts.surprises)?,
        meetings: check(contracts.meetings)?,
    })
}

/// Refuses the registry itself and every sibling contract as a destination of payments: a
/// contract there would keep what it is sent (none of them pays out what it did not escrow).
fn ensure_not_platform_contract(
    env: &Env,
    contracts: &SiblingAddrs,
    address: &Addr,
    what: &'static str,
) -> Result<(), ContractError> {
    if *address == env.contract.address || contracts.contains(address) {
        return Err(ContractError::PlatformContract {
            what,
            address: address.to_string(),
        });
    }
    Ok(())
}

fn set_gateways(deps: DepsMut, gateways: &[String]) -> Result<Vec<Addr>, ContractError> {
    if gateways.len() > MAX_GATEWAYS {
        return Err(ContractError::TooMany {
            what: "fiat gateways",
            max: MAX_GATEWAYS,
        });
    }
    let mut saved = Vec::with_capacity(gateways.len());
    for gateway in gateways {
        let gateway = deps.api.addr_validate(gateway)?;
        if saved.contains(&gateway) {
            return Err(ContractError::Duplicate(gateway.into()));
        }
        FIAT_GATEWAYS.save(deps.storage, &gateway, &())?;
        saved.push(gateway);
    }
    saved.sort();
    Ok(saved)
}

fn config_event(config: Config, fiat_gateways: Vec<Addr>) -> PlatformConfigSet {
    PlatformConfigSet {
        treasury: config.treasury,
        fees: config.fees,
        accepted_assets: config.accepted_assets,
        fiat_gateways,
        arbiter: config.arbiter,
        contracts: config.contracts,
    }
}

fn validate_profile(
    deps: Deps,
    env: &Env,
    address: &Addr,
    profile: ProfileInput,
    registered_at: cosmwasm_std::Timestamp,
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
        mesi_common::asset::ensure_accepted(asset, &platform)?;
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
        mesi_common::asset::ensure_accepted(&asset, &platform)?;
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

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::Config {} => to_json_binary(&query_config(deps)?),
        QueryMsg::Ownership {} => to_json_binary(&cw_ownable::get_ownership(deps.storage)?),
        QueryMsg::Creator { address } => {
            to_json_binary(&query_creator(deps, deps.api.addr_validate(&address)?)?)
        }
        QueryMsg::Creators { start_after, limit } => {
            to_json_binary(&query_creators(deps, start_after, limit)?)
        }
        QueryMsg::PaymentTerms { creator, product } => {
            to_json_binary(&query_payment_terms(deps, &env, creator, product)?)
        }
        QueryMsg::IsFiatGateway { address } => {
            to_json_binary(&FIAT_GATEWAYS.has(deps.storage, &deps.api.addr_validate(&address)?))
        }
        QueryMsg::Arbiter {} => to_json_binary(&CONFIG.load(deps.storage)?.arbiter),
        QueryMsg::CanMessage { creator, fan } => {
            to_json_binary(&query_can_message(deps, env, creator, fan)?)
        }
    }
}

fn query_config(deps: Deps) -> StdResult<ConfigResponse> {
    let config = CONFIG.load(deps.storage)?;
    Ok(ConfigResponse {
        treasury: config.treasury,
        fees: config.fees,
        accepted_assets: config.accepted_assets,
        fiat_gateways: FIAT_GATEWAYS
            .keys(deps.storage, None, None, Order::Ascending)
            .collect::<StdResult<_>>()?,
        arbiter: config.arbiter,
        contracts: config.contracts,
    })
}

fn not_a_creator(address: &Addr) -> cosmwasm_std::StdError {
    cosmwasm_std::StdError::not_found(format!("creator {address}"))
}

fn profile(deps: Deps, address: Addr, creator: Creator) -> StdResult<CreatorProfile> {
    Ok(CreatorProfile {
        chat_rule: CHAT_RULES.load(deps.storage, &address)?,
        address,
        display_name: creator.display_name,
        payout: creator.payout,
        accepted_assets: creator.accepted_assets,
        tip_minimums: creator.tip_minimums,
        active: creator.active,
        registered_at: creator.registered_at,
    })
}

fn query_creator(deps: Deps, address: Addr) -> StdResult<CreatorProfile> {
    let creator = CREATORS
        .may_load(deps.storage, &address)?
        .ok_or_else(|| not_a_creator(&address))?;
    profile(deps, address, creator)
}

fn query_creators(
    deps: Deps,
    start_after: Option<String>,
    limit: Option<u32>,
) -> StdResult<CreatorsResponse> {
    let start = start_after
        .map(|a| deps.api.addr_validate(&a))
        .transpose()?;
    let creators = CREATORS
        .range(
            deps.storage,
            start.as_ref().map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(page_limit(limit))
        .map(|item| item.and_then(|(address, creator)| profile(deps, address, creator)))
        .collect::<StdResult<_>>()?;
    Ok(CreatorsResponse { creators })
}

fn query_payment_terms(
    deps: Deps,
    env: &Env,
    creator: String,
    product: Product,
) -> StdResult<PaymentTerms> {
    let address = deps.api.addr_validate(&creator)?;
    let profile = CREATORS
        .may_load(deps.storage, &address)?
        .ok_or_else(|| not_a_creator(&address))?;
    let config = CONFIG.load(deps.storage)?;
    // A payout saved before its address became a sibling: no payment may go there.
    ensure_not_platform_contract(env, &config.contracts, &profile.payout, "payout")
        .map_err(|e| cosmwasm_std::StdError::generic_err(e.to_string()))?;
    let accepted_assets = if profile.accepted_assets.is_empty() {
        config.accepted_assets
    } else {
        profile
            .accepted_assets
            .into_iter()
            .filter(|a| config.accepted_assets.contains(a))
            .collect()
    };
    Ok(PaymentTerms {
        creator: address,
        payout: profile.payout,
        active: profile.active,
        treasury: config.treasury,
        fee_bps: config.fees.for_product(product),
        accepted_assets,
        tip_minimums: profile.tip_minimums,
    })
}

fn query_can_message(
    deps: Deps,
    _env: Env,
    creator: String,
    fan: String,
) -> StdResult<CanMessageResponse> {
    let creator = deps.api.addr_validate(&creator)?;
    let fan = deps.api.addr_validate(&fan)?;
    let rule = CHAT_RULES
        .may_load(deps.storage, &creator)?
        .ok_or_else(|| not_a_creator(&creator))?;
    if fan == creator {
        return Ok(CanMessageResponse {
            allowed: true,
            decided_by: "creator".into(),
            qualify: None,
            hint: None,
        });
    }
    let contracts = CONFIG.load(deps.storage)?.contracts;
    let mut facts = ChainFacts::new(deps.querier, &contracts, &creator, &fan);
    evaluate(&rule, &fan, &mut facts)
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    // Refuses another contract's state and a downgrade; records the new version.
    let from = cw2::ensure_from_older_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    Ok(Response::new().add_attribute("migrated_from", from.to_string()))
}
