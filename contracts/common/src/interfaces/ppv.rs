//! What other contracts ask the `ppv` contract.

use cosmwasm_schema::{cw_serde, QueryResponses};

use crate::asset::AssetInfo;

#[cw_serde]
#[derive(QueryResponses)]
pub enum PpvQuery {
    /// Lifetime pay-per-view spending of `fan` with `creator` in `asset`.
    #[returns(super::TotalResponse)]
    SpentTotal {
        creator: String,
        fan: String,
        asset: AssetInfo,
    },
}
