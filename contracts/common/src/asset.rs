//! Payment assets: a native coin (`BankMsg`) or a CW20 token (`Cw20ExecuteMsg::Transfer`).

use std::fmt;

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{
    from_json, to_json_binary, Addr, Api, BankMsg, Coin, CosmosMsg, MessageInfo, StdError, Uint128,
    WasmMsg,
};
use cw20::Cw20ReceiveMsg;
use serde::de::DeserializeOwned;
use thiserror::Error;

/// What a payment is made in. Stored and compared in validated form; an address received in a
/// message is checked with [`AssetInfo::validate`] before use.
#[cw_serde]
#[derive(Eq, PartialOrd, Ord, Hash)]
pub enum AssetInfo {
    Native { denom: String },
    Cw20 { contract: Addr },
}

/// An amount of an asset.
#[cw_serde]
pub struct Asset {
    pub info: AssetInfo,
    pub amount: Uint128,
}

#[derive(Error, Debug, PartialEq)]
pub enum AssetError {
    #[error("{0}")]
    Std(#[from] StdError),
    #[error("no funds sent")]
    NoFunds,
    #[error("send exactly one coin, got {0}")]
    MultipleCoins(usize),
    #[error("amount must be greater than zero")]
    ZeroAmount,
    #[error("asset {0} is not accepted here")]
    NotAccepted(AssetInfo),
    #[error("this message takes no funds")]
    UnexpectedFunds,
    #[error("invalid asset key {0:?}: expected native:<denom> or cw20:<address>")]
    InvalidKey(String),
}

impl AssetInfo {
    pub fn native(denom: impl Into<String>) -> Self {
        AssetInfo::Native {
            denom: denom.into(),
        }
    }

    pub fn cw20(contract: Addr) -> Self {
        AssetInfo::Cw20 { contract }
    }

    /// Checks the CW20 address and the denom; returns the asset with a validated address.
    pub fn validate(&self, api: &dyn Api) -> Result<AssetInfo, AssetError> {
        match self {
            AssetInfo::Native { denom } => {
                // Bank denoms: 3..=128 chars, start with a letter (x/bank's rule).
                let ok = (3..=128).contains(&denom.len())
                    && denom.starts_with(|c: char| c.is_ascii_alphabetic())
                    && denom
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "/:._-".contains(c));
                if !ok {
                    return Err(StdError::generic_err(format!("invalid denom {denom:?}")).into());
                }
                Ok(self.clone())
            }
            AssetInfo::Cw20 { contract } => Ok(AssetInfo::Cw20 {
                contract: api.addr_validate(contract.as_str())?,
            }),
        }
    }

    /// A compact, unique text form (`native:<denom>`, `cw20:<address>`), used as a storage key
    /// and as an event attribute.
    pub fn key(&self) -> String {
        self.to_string()
    }

    /// Parses [`AssetInfo::key`]. Does not validate the address: callers with an `Api` should.
    pub fn from_key(key: &str) -> Result<Self, AssetError> {
        match key.split_once(':') {
            Some(("native", denom)) if !denom.is_empty() => Ok(AssetInfo::native(denom)),
            Some(("cw20", addr)) if !addr.is_empty() => Ok(AssetInfo::cw20(Addr::unchecked(addr))),
            _ => Err(AssetError::InvalidKey(key.to_string())),
        }
    }

    /// A message that pays `amount` of this asset to `recipient`; `None` for a zero amount.
    /// CW20 payouts use `Transfer`, never `Send`, so a recipient contract cannot make the payout fail.
    pub fn payout(&self, recipient: &Addr, amount: Uint128) -> Result<Option<CosmosMsg>, StdError> {
        if amount.is_zero() {
            return Ok(None);
        }
        Ok(Some(match self {
            AssetInfo::Native { denom } => BankMsg::Send {
                to_address: recipient.to_string(),
                amount: vec![Coin {
                    denom: denom.clone(),
                    amount,
                }],
            }
            .into(),
            AssetInfo::Cw20 { contract } => WasmMsg::Execute {
                contract_addr: contract.to_string(),
                msg: to_json_binary(&cw20::Cw20ExecuteMsg::Transfer {
                    recipient: recipient.to_string(),
                    amount,
                })?,
                funds: vec![],
            }
            .into(),
        }))
    }

    /// The native coin paid with `info`, which must be exactly one non-zero coin of this asset.
    pub fn must_pay_native(&self, info: &MessageInfo) -> Result<Uint128, AssetError> {
        // A CW20 payment arrives through the Receive hook, never as funds.
        if matches!(self, AssetInfo::Cw20 { .. }) {
            return Err(AssetError::UnexpectedFunds);
        }
        let paid = paid_native(info)?;
        if &paid.info != self {
            return Err(AssetError::NotAccepted(paid.info));
        }
        Ok(paid.amount)
    }
}

impl fmt::Display for AssetInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AssetInfo::Native { denom } => write!(f, "native:{denom}"),
            AssetInfo::Cw20 { contract } => write!(f, "cw20:{contract}"),
        }
    }
}

impl fmt::Display for Asset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.info)
    }
}

/// The one native coin sent with a message: exactly one coin, non-zero.
pub fn paid_native(info: &MessageInfo) -> Result<Asset, AssetError> {
    match info.funds.as_slice() {
        [] => Err(AssetError::NoFunds),
        [coin] if coin.amount.is_zero() => Err(AssetError::ZeroAmount),
        [coin] => Ok(Asset {
            info: AssetInfo::native(coin.denom.clone()),
            amount: coin.amount,
        }),
        coins => Err(AssetError::MultipleCoins(coins.len())),
    }
}

/// A CW20 payment that arrived through the `Receive` hook.
#[derive(Debug, PartialEq)]
pub struct Cw20Payment<T> {
    /// Who sent the tokens (the hook's `sender`), validated.
    pub payer: Addr,
    /// The token is `info.sender`: any contract can call `Receive` claiming any amount, so the
    /// caller must still check that this token is one it accepts here.
    pub paid: Asset,
    /// The hook message, decoded.
    pub msg: T,
}

/// Reads a CW20 `Receive` hook: no native funds alongside (they would be stuck), a non-zero
/// amount, a valid payer and a hook message of type `T`. Address and message errors stay
/// `StdError`s, as they would be from `addr_validate` and `from_json` in the contract.
pub fn paid_cw20<T, E>(
    api: &dyn Api,
    info: &MessageInfo,
    wrapper: &Cw20ReceiveMsg,
) -> Result<Cw20Payment<T>, E>
where
    T: DeserializeOwned,
    E: From<AssetError> + From<StdError>,
{
    nonpayable(info)?;
    if wrapper.amount.is_zero() {
        return Err(AssetError::ZeroAmount.into());
    }
    Ok(Cw20Payment {
        payer: api.addr_validate(&wrapper.sender)?,
        paid: Asset {
            info: AssetInfo::cw20(info.sender.clone()),
            amount: wrapper.amount,
        },
        msg: from_json(&wrapper.msg)?,
    })
}

/// Rejects any funds on a message that takes none.
pub fn nonpayable(info: &MessageInfo) -> Result<(), AssetError> {
    if info.funds.is_empty() {
        Ok(())
    } else {
        Err(AssetError::UnexpectedFunds)
    }
}

/// Checks that `asset` is one of `accepted`.
pub fn ensure_accepted(asset: &AssetInfo, accepted: &[AssetInfo]) -> Result<(), AssetError> {
    if accepted.contains(asset) {
        Ok(())
    } else {
        Err(AssetError::NotAccepted(asset.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::coins;
    use cosmwasm_std::testing::{message_info, MockApi};

    #[test]
    fn key_round_trips() {
        for asset in [
            AssetInfo::native("uusdc"),
            AssetInfo::cw20(Addr::unchecked("cosmwasm1xyz")),
        ] {
            assert_eq!(AssetInfo::from_key(&asset.key()).unwrap(), asset);
        }
        assert_eq!(
            AssetInfo::from_key("erc20:0x"),
            Err(AssetError::InvalidKey("erc20:0x".into()))
        );
        assert_eq!(
            AssetInfo::from_key("native:"),
            Err(AssetError::InvalidKey("native:".into()))
        );
    }

    #[test]
    fn validate_rejects_bad_denoms_and_addresses() {
        let api = MockApi::default();
        assert!(AssetInfo::native("uusdc").validate(&api).is_ok());
        assert!(AssetInfo::native(
            "ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2"
        )
        .validate(&api)
        .is_ok());
        assert!(AssetInfo::native("u").validate(&api).is_err());
        assert!(AssetInfo::native("1abc").validate(&api).is_err());
        assert!(AssetInfo::cw20(Addr::unchecked("not an address"))
            .validate(&api)
            .is_err());
        let token = api.addr_make("token");
        assert_eq!(
            AssetInfo::cw20(token.clone()).validate(&api).unwrap(),
            AssetInfo::cw20(token)
        );
    }

    #[test]
    fn funds_validation() {
        let sender = MockApi::default().addr_make("fan");
        let usdc = AssetInfo::native("uusdc");
        assert_eq!(
            usdc.must_pay_native(&message_info(&sender, &coins(5, "uusdc"))),
            Ok(Uint128::new(5))
        );
        assert_eq!(
            usdc.must_pay_native(&message_info(&sender, &[])),
            Err(AssetError::NoFunds)
        );
        assert_eq!(
            usdc.must_pay_native(&message_info(&sender, &coins(0, "uusdc"))),
            Err(AssetError::ZeroAmount)
        );
        assert_eq!(
            usdc.must_pay_native(&message_info(&sender, &coins(5, "uatom"))),
            Err(AssetError::NotAccepted(AssetInfo::native("uatom")))
        );
        let two = [Coin::new(1u128, "uusdc"), Coin::new(1u128, "uatom")];
        assert_eq!(
            usdc.must_pay_native(&message_info(&sender, &two)),
            Err(AssetError::MultipleCoins(2))
        );
        assert_eq!(
            nonpayable(&message_info(&sender, &coins(1, "uusdc"))),
            Err(AssetError::UnexpectedFunds)
        );
        assert_eq!(nonpayable(&message_info(&sender, &[])), Ok(()));
    }

    #[test]
    fn payout_skips_zero_and_never_uses_cw20_send() {
        let api = MockApi::default();
        let to = api.addr_make("creator");
        let token = AssetInfo::cw20(api.addr_make("token"));
        assert_eq!(token.payout(&to, Uint128::zero()).unwrap(), None);
        let CosmosMsg::Wasm(WasmMsg::Execute { msg, .. }) =
            token.payout(&to, Uint128::new(7)).unwrap().unwrap()
        else {
            panic!("expected a wasm execute")
        };
        let msg: cw20::Cw20ExecuteMsg = cosmwasm_std::from_json(msg).unwrap();
        assert_eq!(
            msg,
            cw20::Cw20ExecuteMsg::Transfer {
                recipient: to.to_string(),
                amount: Uint128::new(7)
            }
        );
    }

    #[test]
    fn paid_cw20_reads_the_hook_and_refuses_what_would_be_stuck() {
        let api = MockApi::default();
        let token = api.addr_make("token");
        let fan = api.addr_make("fan");
        let hook = |amount: u128, sender: &str| Cw20ReceiveMsg {
            sender: sender.to_string(),
            amount: Uint128::new(amount),
            msg: to_json_binary(&7u32).unwrap(),
        };
        let info = message_info(&token, &[]);
        assert_eq!(
            paid_cw20::<u32, AssetError>(&api, &info, &hook(5, fan.as_str())),
            Ok(Cw20Payment {
                payer: fan.clone(),
                paid: Asset {
                    info: AssetInfo::cw20(token.clone()),
                    amount: Uint128::new(5)
                },
                msg: 7
            })
        );
        assert_eq!(
            paid_cw20::<u32, AssetError>(&api, &info, &hook(0, fan.as_str())),
            Err(AssetError::ZeroAmount)
        );
        let with_coins = message_info(&token, &coins(1, "uusdc"));
        assert_eq!(
            paid_cw20::<u32, AssetError>(&api, &with_coins, &hook(5, fan.as_str())),
            Err(AssetError::UnexpectedFunds)
        );
        assert!(paid_cw20::<u32, AssetError>(&api, &info, &hook(5, "not an address")).is_err());
        assert!(paid_cw20::<String, AssetError>(&api, &info, &hook(5, fan.as_str())).is_err());
    }
}
