//! The registry's queries, including the `CreatorsQuery` messages the product contracts send.

use cosmwasm_std::{Addr, Deps, Env, Order, StdError, StdResult};
use cw_storage_plus::Bound;
use mesi_common::chat_rule::{evaluate, CanMessageResponse};
use mesi_common::interfaces::creators::{PaymentTerms, Product};
use mesi_common::pagination::page_limit;

use crate::gating::ChainFacts;
use crate::msg::{ConfigResponse, CreatorProfile, CreatorsResponse};
use crate::platform::ensure_not_platform_contract;
use crate::state::{Creator, CHAT_RULES, CONFIG, CREATORS, FIAT_GATEWAYS};

pub fn query_config(deps: Deps) -> StdResult<ConfigResponse> {
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

pub fn query_creator(deps: Deps, address: String) -> StdResult<CreatorProfile> {
    let address = deps.api.addr_validate(&address)?;
    let creator = CREATORS
        .may_load(deps.storage, &address)?
        .ok_or_else(|| not_a_creator(&address))?;
    profile(deps, address, creator)
}

pub fn query_creators(
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

pub fn query_payment_terms(
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
        .map_err(|e| StdError::generic_err(e.to_string()))?;
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

pub fn query_is_fiat_gateway(deps: Deps, address: String) -> StdResult<bool> {
    let address = deps.api.addr_validate(&address)?;
    Ok(FIAT_GATEWAYS.has(deps.storage, &address))
}

pub fn query_arbiter(deps: Deps) -> StdResult<Addr> {
    Ok(CONFIG.load(deps.storage)?.arbiter)
}

pub fn query_can_message(
    deps: Deps,
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

fn not_a_creator(address: &Addr) -> StdError {
    StdError::not_found(format!("creator {address}"))
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
