//! The floor of the gas tables: the least a contract that is paid can cost. `Pay` takes one
//! native coin and forwards it in two bank sends, a 5% fee and the rest, with one event, as a
//! tip does; it reads and writes no state. Not part of the suite: `scripts/build-anchors`
//! builds it with cw20-base and cw721-base, and `scripts/bench-gas` measures next to it.

use cosmwasm_schema::cw_serde;
#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    BankMsg, Coin, DepsMut, Empty, Env, Event, MessageInfo, Response, StdError, Uint128,
};

/// The fee's share, in basis points.
pub const FEE_BPS: u128 = 500;

#[cw_serde]
pub enum ExecuteMsg {
    /// Sends the fee to `fee_to` and the rest to `to`.
    Pay { to: String, fee_to: String },
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum FloorError {
    #[error("{0}")]
    Std(#[from] StdError),
    #[error("send exactly one coin")]
    OneCoin,
    #[error("the payment is too small to split")]
    TooSmall,
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    _deps: DepsMut,
    _env: Env,
    _info: MessageInfo,
    _msg: Empty,
) -> Result<Response, FloorError> {
    Ok(Response::new())
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    _env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, FloorError> {
    let ExecuteMsg::Pay { to, fee_to } = msg;
    let [paid] = info.funds.as_slice() else {
        return Err(FloorError::OneCoin);
    };
    let to = deps.api.addr_validate(&to)?;
    let fee_to = deps.api.addr_validate(&fee_to)?;
    let fee = paid.amount.multiply_ratio(FEE_BPS, 10_000u128);
    let rest = paid.amount - fee;
    if fee.is_zero() || rest.is_zero() {
        return Err(FloorError::TooSmall);
    }
    let send = |to: &cosmwasm_std::Addr, amount: Uint128| BankMsg::Send {
        to_address: to.to_string(),
        amount: vec![Coin::new(amount, paid.denom.clone())],
    };
    Ok(Response::new()
        .add_message(send(&fee_to, fee))
        .add_message(send(&to, rest))
        .add_event(
            Event::new("paid")
                .add_attribute("from", info.sender)
                .add_attribute("to", to.as_str())
                .add_attribute("amount", paid.to_string()),
        ))
}

#[cfg(test)]
mod tests {
    use cosmwasm_std::testing::{message_info, mock_dependencies, mock_env};
    use cosmwasm_std::{coins, CosmosMsg};

    use super::*;

    #[test]
    fn a_payment_is_forwarded_in_a_fee_and_the_rest_with_one_event() {
        let mut deps = mock_dependencies();
        let (fan, creator, treasury) = (
            deps.api.addr_make("fan"),
            deps.api.addr_make("creator"),
            deps.api.addr_make("treasury"),
        );
        let pay = ExecuteMsg::Pay {
            to: creator.to_string(),
            fee_to: treasury.to_string(),
        };
        let info = message_info(&fan, &coins(1_000, "uusdc"));
        let response = execute(deps.as_mut(), mock_env(), info, pay).unwrap();
        let sends: Vec<(String, u128)> = response
            .messages
            .iter()
            .map(|m| match &m.msg {
                CosmosMsg::Bank(BankMsg::Send { to_address, amount }) => {
                    (to_address.clone(), amount[0].amount.u128())
                }
                other => panic!("unexpected message {other:?}"),
            })
            .collect();
        assert_eq!(
            sends,
            vec![(treasury.to_string(), 50), (creator.to_string(), 950)]
        );
        assert_eq!(response.events.len(), 1);
    }

    #[test]
    fn a_payment_is_one_coin_large_enough_to_split() {
        let mut deps = mock_dependencies();
        let to = deps.api.addr_make("creator").to_string();
        let pay = ExecuteMsg::Pay {
            fee_to: to.clone(),
            to,
        };
        let fan = deps.api.addr_make("fan");
        for (funds, error) in [
            (vec![], FloorError::OneCoin),
            (coins(19, "uusdc"), FloorError::TooSmall),
        ] {
            let info = message_info(&fan, &funds);
            let result = execute(deps.as_mut(), mock_env(), info, pay.clone());
            assert_eq!(result.unwrap_err(), error);
        }
    }
}
