use cosmwasm_std::{Addr, OverflowError, StdError, Uint128};
use mesi_common::{AssetError, AssetInfo};
use thiserror::Error;

#[derive(Error, Debug, PartialEq)]
pub enum ContractError {
    #[error("{0}")]
    Std(#[from] StdError),
    #[error("{0}")]
    Overflow(#[from] OverflowError),
    #[error("{0}")]
    Asset(#[from] AssetError),
    #[error("no payment terms for creator {creator}: {reason}")]
    NoPaymentTerms { creator: Addr, reason: String },
    #[error("creator {0} is not taking payments")]
    CreatorInactive(Addr),
    #[error("the payout or treasury address is the tips contract itself, which keeps no funds")]
    PayoutToTipsContract,
    #[error("tip is below the creator's minimum of {minimum} {asset}")]
    BelowMinimum { minimum: Uint128, asset: AssetInfo },
    #[error("tip message is {len} bytes; at most {max} are allowed")]
    MessageTooLong { len: usize, max: usize },
    #[error("invalid tip context: {0}")]
    InvalidContext(String),
    #[error("only a fiat gateway may attest fiat tips")]
    NotFiatGateway,
    #[error("currency must be an ISO 4217 code of three uppercase letters, got {0:?}")]
    InvalidCurrency(String),
    #[error("payment reference must be 1 to {max} printable ASCII characters")]
    InvalidPaymentRef { max: usize },
    #[error("payment reference {0:?} was already recorded with different data")]
    PaymentRefReused(String),
}
