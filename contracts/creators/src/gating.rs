//! Facts for the chat-rule evaluator, read from the sibling contracts with smart queries.

use cosmwasm_std::{Addr, QuerierWrapper, StdResult, Uint128};
use mesi_common::chat_rule::GatingFacts;
use mesi_common::interfaces::creators::SiblingAddrs;
use mesi_common::interfaces::ppv::PpvQuery;
use mesi_common::interfaces::subscriptions::{SubscriptionStatus, SubscriptionsQuery};
use mesi_common::interfaces::surprises::{HoldsSurpriseResponse, SurprisesQuery};
use mesi_common::interfaces::tips::TipsQuery;
use mesi_common::interfaces::TotalResponse;
use mesi_common::AssetInfo;

/// Reads each fact on first use. A sibling contract that is not configured has no facts:
/// no subscription, nothing tipped or spent, no surprise held.
pub struct ChainFacts<'a> {
    pub querier: QuerierWrapper<'a>,
    pub contracts: &'a SiblingAddrs,
    pub creator: &'a Addr,
    pub fan: &'a Addr,
    tier: Option<Option<u32>>,
    holds: Option<bool>,
}

impl<'a> ChainFacts<'a> {
    pub fn new(
        querier: QuerierWrapper<'a>,
        contracts: &'a SiblingAddrs,
        creator: &'a Addr,
        fan: &'a Addr,
    ) -> Self {
        ChainFacts {
            querier,
            contracts,
            creator,
            fan,
            tier: None,
            holds: None,
        }
    }
}

impl GatingFacts for ChainFacts<'_> {
    type Error = cosmwasm_std::StdError;

    fn subscription_tier(&mut self) -> StdResult<Option<u32>> {
        if let Some(tier) = self.tier {
            return Ok(tier);
        }
        let tier = match &self.contracts.subscriptions {
            None => None,
            Some(contract) => {
                let msg = SubscriptionsQuery::Status {
                    creator: self.creator.to_string(),
                    fan: self.fan.to_string(),
                };
                self.querier
                    .query_wasm_smart::<SubscriptionStatus>(contract, &msg)?
                    .active_tier()
            }
        };
        self.tier = Some(tier);
        Ok(tier)
    }

    fn tipped(&mut self, asset: &AssetInfo) -> StdResult<Uint128> {
        let Some(contract) = &self.contracts.tips else {
            return Ok(Uint128::zero());
        };
        let msg = TipsQuery::TippedTotal {
            creator: self.creator.to_string(),
            fan: self.fan.to_string(),
            asset: asset.clone(),
        };
        Ok(self
            .querier
            .query_wasm_smart::<TotalResponse>(contract, &msg)?
            .amount)
    }

    fn ppv_spent(&mut self, asset: &AssetInfo) -> StdResult<Uint128> {
        let Some(contract) = &self.contracts.ppv else {
            return Ok(Uint128::zero());
        };
        let msg = PpvQuery::SpentTotal {
            creator: self.creator.to_string(),
            fan: self.fan.to_string(),
            asset: asset.clone(),
        };
        Ok(self
            .querier
            .query_wasm_smart::<TotalResponse>(contract, &msg)?
            .amount)
    }

    fn holds_surprise(&mut self) -> StdResult<bool> {
        if let Some(holds) = self.holds {
            return Ok(holds);
        }
        let holds = match &self.contracts.surprises {
            None => false,
            Some(contract) => {
                let msg = SurprisesQuery::HoldsSurprise {
                    owner: self.fan.to_string(),
                    creator: self.creator.to_string(),
                };
                self.querier
                    .query_wasm_smart::<HoldsSurpriseResponse>(contract, &msg)?
                    .holds
            }
        };
        self.holds = Some(holds);
        Ok(holds)
    }
}
