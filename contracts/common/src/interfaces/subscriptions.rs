//! What other contracts ask the `subscriptions` contract.

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::Timestamp;

#[cw_serde]
#[derive(QueryResponses)]
pub enum SubscriptionsQuery {
    /// The fan's subscription to the creator at the current block time.
    #[returns(SubscriptionStatus)]
    Status { creator: String, fan: String },
}

#[cw_serde]
pub struct SubscriptionStatus {
    /// True while block time is before `expires_at`.
    pub active: bool,
    /// The tier level (higher is better); `None` when the fan never subscribed.
    pub tier: Option<u32>,
    pub expires_at: Option<Timestamp>,
    /// False once the fan cancelled: access lasts to expiry, nothing renews.
    pub auto_renew: bool,
}

impl SubscriptionStatus {
    /// The tier that counts for gating and access: only an active subscription has one.
    pub fn active_tier(&self) -> Option<u32> {
        if self.active {
            self.tier
        } else {
            None
        }
    }
}
