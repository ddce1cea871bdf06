use cosmwasm_std::StdError;
use mesi_common::chat_rule::ChatRuleError;
use mesi_common::AssetError;
use thiserror::Error;

#[derive(Error, Debug, PartialEq)]
pub enum ContractError {
    #[error("{0}")]
    Std(#[from] StdError),
    #[error("{0}")]
    Ownership(#[from] cw_ownable::OwnershipError),
    #[error("{0}")]
    Asset(#[from] AssetError),
    #[error("{0}")]
    ChatRule(#[from] ChatRuleError),
    #[error("fee for {product} is {bps} bps; at most {max} bps are allowed")]
    FeeTooHigh {
        product: &'static str,
        bps: u16,
        max: u16,
    },
    #[error("{what}: at most {max} entries are allowed")]
    TooMany { what: &'static str, max: usize },
    #[error("{0} is listed twice")]
    Duplicate(String),
    #[error("display name must be 1 to {max} characters without control characters")]
    InvalidDisplayName { max: usize },
    #[error("{0} is already a registered creator")]
    AlreadyRegistered(String),
    #[error("{0} is not a registered creator")]
    NotACreator(String),
    #[error("{what} {address} is one of the platform's contracts, which would keep the funds")]
    PlatformContract { what: &'static str, address: String },
    #[error("creator is already {0}")]
    AlreadyInState(&'static str),
}
