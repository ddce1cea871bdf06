//! The platform configuration: treasury, fees, accepted assets, fiat gateways, arbiter and the
//! sibling contracts. Owner only.

use cosmwasm_std::{Addr, Api, DepsMut, Env, MessageInfo, Order, Response, StdResult};
use mesi_common::events::creators::PlatformConfigSet;
use mesi_common::fee::MAX_PLATFORM_FEE_BPS;
use mesi_common::interfaces::creators::{Fees, SiblingAddrs};
use mesi_common::{AssetInfo, MesiEvent};

use crate::error::ContractError;
use crate::msg::{SiblingContracts, MAX_ASSETS, MAX_GATEWAYS};
use crate::state::{Config, CONFIG, FIAT_GATEWAYS};

/// Replaces the fields given; the fiat gateways as a whole list.
// One argument per field of `ExecuteMsg::UpdateConfig`.
#[allow(clippy::too_many_arguments)]
pub fn execute_update_config(
    deps: DepsMut,
    env: &Env,
    info: MessageInfo,
    treasury: Option<String>,
    fees: Option<Fees>,
    accepted_assets: Option<Vec<AssetInfo>>,
    fiat_gateways: Option<Vec<String>>,
    arbiter: Option<String>,
    contracts: Option<SiblingContracts>,
) -> Result<Response, ContractError> {
    cw_ownable::assert_owner(deps.storage, &info.sender)?;
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

pub(crate) fn validate_fees(fees: Fees) -> Result<Fees, ContractError> {
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

/// Validated assets, at most `MAX_ASSETS`, none twice (the platform's or one creator's list).
pub(crate) fn validate_assets(
    api: &dyn Api,
    assets: &[AssetInfo],
) -> Result<Vec<AssetInfo>, ContractError> {
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

pub(crate) fn validate_contracts(
    api: &dyn Api,
    contracts: SiblingContracts,
) -> StdResult<SiblingAddrs> {
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
pub(crate) fn ensure_not_platform_contract(
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

pub(crate) fn set_gateways(deps: DepsMut, gateways: &[String]) -> Result<Vec<Addr>, ContractError> {
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

pub(crate) fn config_event(config: Config, fiat_gateways: Vec<Addr>) -> PlatformConfigSet {
    PlatformConfigSet {
        treasury: config.treasury,
        fees: config.fees,
        accepted_assets: config.accepted_assets,
        fiat_gateways,
        arbiter: config.arbiter,
        contracts: config.contracts,
    }
}
