//! What other contracts ask the `surprises` contract.

use cosmwasm_schema::{cw_serde, QueryResponses};

#[cw_serde]
#[derive(QueryResponses)]
pub enum SurprisesQuery {
    /// Whether `owner` holds at least one surprise minted by `creator`.
    #[returns(HoldsSurpriseResponse)]
    HoldsSurprise { owner: String, creator: String },
}

#[cw_serde]
pub struct HoldsSurpriseResponse {
    pub holds: bool,
}
