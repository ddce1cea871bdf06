//! Balances and CW20 payments, for any app (the [`crate::Platform`] methods call these).

use cosmwasm_std::{to_json_binary, Addr, StdResult, Uint128};
use cw20::Cw20ExecuteMsg;
use cw_multi_test::App;
use mesi_common::AssetInfo;
use serde::Serialize;

/// What `who` holds of `asset`.
pub fn balance(app: &App, who: &Addr, asset: &AssetInfo) -> u128 {
    match asset {
        AssetInfo::Native { denom } => native_balance(app, who, denom),
        AssetInfo::Cw20 { contract } => token_balance(app, contract, who),
    }
}

pub fn native_balance(app: &App, who: &Addr, denom: &str) -> u128 {
    app.wrap().query_balance(who, denom).unwrap().amount.u128()
}

pub fn token_balance(app: &App, token: &Addr, who: &Addr) -> u128 {
    let query = cw20::Cw20QueryMsg::Balance {
        address: who.to_string(),
    };
    let response: cw20::BalanceResponse = app.wrap().query_wasm_smart(token, &query).unwrap();
    response.balance.u128()
}

/// The CW20 `Send` that pays `amount` to `contract` with `hook` as its `Receive` message.
pub fn cw20_send<M: Serialize>(
    contract: &Addr,
    amount: u128,
    hook: &M,
) -> StdResult<Cw20ExecuteMsg> {
    Ok(Cw20ExecuteMsg::Send {
        contract: contract.to_string(),
        amount: Uint128::new(amount),
        msg: to_json_binary(hook)?,
    })
}
