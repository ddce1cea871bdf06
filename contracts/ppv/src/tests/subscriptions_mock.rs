//! A stand-in for the `subscriptions` contract: answers `Status` from statuses the test sets.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{to_json_binary, Addr, Binary, Deps, DepsMut, Empty, Env, MessageInfo, Response, StdResult, Timestamp};
use cw_multi_test::{App, ContractWrapper, Executor};
use cw_storage_plus::Map;
use mesi_common::interfaces::subscriptions::{SubscriptionStatus, SubscriptionsQuery};

const SUBSCRIPTIONS: Map<(&str, &str), (u32, Timestamp)> = Map::new("subscriptions");

#[cw_serde]
pub enum MockExecuteMsg {
    Set { creator: String, fan: String, tier: u32, expires_at: Timestamp },
}

fn instantiate_fn(_: DepsMut, _: Env, _: MessageInfo, _: Empty) -> StdResult<Response> {
    Ok(Response::new())
}

fn execute_fn(deps: DepsMut, _: Env, _: MessageInfo, msg: MockExecuteMsg) -> StdResult<Response> {
    let MockExecuteMsg::Set { creator, fan, tier, expires_at } = msg;
    SUBSCRIPTIONS.save(deps.storage, (&creator, &fan), &(tier, expires_at))?;
    Ok(Response::new())
}

fn query_fn(deps: Deps, env: Env, msg: SubscriptionsQuery) -> StdResult<Binary> {
    let SubscriptionsQuery::Status { creator, fan } = msg;
    let status = match SUBSCRIPTIONS.may_load(deps.storage, (&creator, &fan))? {
        Some((tier, expires_at)) => SubscriptionStatus {
            active: env.block.time < expires_at,
            tier: Some(tier),
            expires_at: Some(expires_at),
            auto_renew: false,
        },
        None => SubscriptionStatus { active: false, tier: None, expires_at: None, auto_renew: false },
    };
    to_json_binary(&status)
}

pub fn instantiate(app: &mut App, owner: &Addr) -> Addr {
    let code = app.store_code(Box::new(ContractWrapper::new(execute_fn, instantiate_fn, query_fn)));
    app.instantiate_contract(code, owner.clone(), &Empty {}, &[], "subscriptions", None).unwrap()
}

/// Gives `fan` an active subscription to `creator` at `tier` for `seconds` from now.
pub fn subscribe(app: &mut App, subscriptions: &Addr, creator: &Addr, fan: &Addr, tier: u32, seconds: u64) {
    let expires_at = app.block_info().time.plus_seconds(seconds);
    let msg = MockExecuteMsg::Set { creator: creator.to_string(), fan: fan.to_string(), tier, expires_at };
    app.execute_contract(fan.clone(), subscriptions.clone(), &msg, &[]).unwrap();
}
