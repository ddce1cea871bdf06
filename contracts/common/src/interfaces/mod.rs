//! Query messages that one Mesi contract sends another, with their responses.
//!
//! Each enum here is a subset of the named contract's `QueryMsg` and serializes identically, so
//! a caller depends on these types and not on the contract crate. The contract's own tests check
//! that its `QueryMsg` accepts these messages.

pub mod creators;
pub mod ppv;
pub mod subscriptions;
pub mod surprises;
pub mod tips;

use cosmwasm_schema::cw_serde;
use cosmwasm_std::Uint128;

/// An amount answered by a totals query.
#[cw_serde]
pub struct TotalResponse {
    pub amount: Uint128,
}
