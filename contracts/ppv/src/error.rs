use cosmwasm_std::{Addr, StdError, Timestamp, Uint128};
use mesi_common::AssetError;
use thiserror::Error;

use crate::msg::MAX_CONTENT_ID_LEN;

#[derive(Error, Debug, PartialEq)]
pub enum ContractError {
    #[error("{0}")]
    Std(#[from] StdError),
    #[error("{0}")]
    Asset(#[from] AssetError),
    #[error("content id must be 1 to {MAX_CONTENT_ID_LEN} bytes of ASCII letters, digits, '-', '_' and '.'")]
    InvalidContentId,
    #[error("price must be greater than zero")]
    ZeroPrice,
    #[error("the end of sale must be after the current block time")]
    SaleEndNotInFuture,
    #[error("item {0:?} is already listed")]
    AlreadyListed(String),
    #[error("creator {creator} has no item {content_id:?}")]
    ItemNotFound { creator: Addr, content_id: String },
    #[error("item {0:?} is not listed")]
    NotListed(String),
    #[error("creator {0} takes no new payments")]
    CreatorInactive(Addr),
    #[error("the sale of item {content_id:?} ended at {ended_at}")]
    SaleEnded {
        content_id: String,
        ended_at: Timestamp,
    },
    #[error("item {content_id:?} is priced in the CW20 token {token}: send the tokens with a Buy hook message")]
    PayWithToken { content_id: String, token: Addr },
    #[error("the price is {price}, but {paid} was paid")]
    WrongAmount { price: Uint128, paid: Uint128 },
    #[error("{0} already has access to this item")]
    AlreadyHasAccess(Addr),
}
