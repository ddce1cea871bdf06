use cosmwasm_std::{StdError, Timestamp, Uint128};
use cw721::error::Cw721ContractError;
use mesi_common::{AssetError, AssetInfo};
use thiserror::Error;

use crate::msg::SurpriseState;

#[derive(Error, Debug, PartialEq)]
pub enum ContractError {
    #[error("{0}")]
    Std(#[from] StdError),
    #[error("{0}")]
    Ownership(#[from] cw_ownable::OwnershipError),
    #[error("{0}")]
    Asset(#[from] AssetError),
    #[error("{0}")]
    Cw721(#[from] Cw721ContractError),
    #[error("only the {allowed} may {action}")]
    Unauthorized {
        action: &'static str,
        allowed: &'static str,
    },
    #[error("{creator} cannot mint: not a registered creator ({reason})")]
    NotACreator { creator: String, reason: String },
    #[error("{0} is not an active creator")]
    CreatorInactive(String),
    #[error("token id {token_id:?} must be {prefix}<label> with a label of 1 to {max_label} characters A-Z a-z 0-9 - _")]
    InvalidTokenId {
        token_id: String,
        prefix: String,
        max_label: usize,
    },
    #[error("token {0} already exists")]
    TokenExists(String),
    #[error("{field} must be 1 to {max} bytes without control characters{extra}")]
    InvalidText {
        field: &'static str,
        max: usize,
        extra: &'static str,
    },
    #[error("at most {max} hints are allowed")]
    TooManyHints { max: usize },
    #[error("royalty of {bps} bps is above the maximum of {max} bps")]
    RoyaltyTooHigh { bps: u16, max: u16 },
    #[error("{field} must be 32 bytes")]
    InvalidHash { field: &'static str },
    #[error("creator recheck interval must be at most {max} seconds")]
    InvalidRecheckInterval { max: u64 },
    #[error("reveal window must be {min} to {max} seconds")]
    InvalidRevealWindow { min: u64, max: u64 },
    #[error("cannot {action} surprise {token_id}: it is {state}")]
    WrongState {
        action: &'static str,
        token_id: String,
        state: SurpriseState,
    },
    #[error("surprise {0} is not listed")]
    NotListed(String),
    #[error("the listing expired at {0}")]
    ListingExpired(Timestamp),
    #[error("a listing must expire in the future")]
    ExpiryNotInFuture,
    #[error("price must be greater than zero")]
    ZeroPrice,
    #[error("pay exactly the price of {price}, got {paid}")]
    WrongAmount { price: Uint128, paid: Uint128 },
    #[error("this listing is priced in {0}: pay with a CW20 Send to this contract")]
    PayWithCw20(AssetInfo),
    #[error("the seller cannot buy their own listing")]
    OwnListing,
    #[error("the reveal deadline passed at {0}")]
    RevealDeadlinePassed(Timestamp),
    #[error("the creator may reveal until {0}; the bond can be claimed after it")]
    RevealStillOpen(Timestamp),
    #[error("salt and content hash do not match the commitment")]
    CommitmentMismatch,
}
