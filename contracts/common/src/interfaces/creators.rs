//! What the product contracts ask the `creators` registry.

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, CosmosMsg, CustomQuery, QuerierWrapper, StdError, StdResult, Uint128};

use crate::asset::AssetInfo;
use crate::fee::{split, Split};

/// Platform fee per product, in basis points; each at most `mesi_common::fee::MAX_PLATFORM_FEE_BPS`.
#[cw_serde]
#[derive(Copy, Default)]
pub struct Fees {
    pub tips: u16,
    pub subscriptions: u16,
    pub ppv: u16,
    pub surprise_sales: u16,
    pub meetings: u16,
}

impl Fees {
    pub fn for_product(&self, product: Product) -> u16 {
        match product {
            Product::Tips => self.tips,
            Product::Subscriptions => self.subscriptions,
            Product::Ppv => self.ppv,
            Product::SurpriseSales => self.surprise_sales,
            Product::Meetings => self.meetings,
        }
    }
}

/// Addresses of the sibling contracts, as the registry stores them.
#[cw_serde]
#[derive(Default)]
pub struct SiblingAddrs {
    pub tips: Option<Addr>,
    pub subscriptions: Option<Addr>,
    pub ppv: Option<Addr>,
    pub surprises: Option<Addr>,
    pub meetings: Option<Addr>,
}

impl SiblingAddrs {
    /// Whether `address` is one of the sibling contracts.
    pub fn contains(&self, address: &Addr) -> bool {
        [
            &self.tips,
            &self.subscriptions,
            &self.ppv,
            &self.surprises,
            &self.meetings,
        ]
        .into_iter()
        .any(|sibling| sibling.as_ref() == Some(address))
    }
}

/// The products that carry a platform fee.
#[cw_serde]
#[derive(Copy, Eq)]
pub enum Product {
    Tips,
    Subscriptions,
    Ppv,
    SurpriseSales,
    Meetings,
}

#[cw_serde]
#[derive(QueryResponses)]
pub enum CreatorsQuery {
    /// Everything a product contract needs to take a payment for `creator`, in one query.
    #[returns(PaymentTerms)]
    PaymentTerms { creator: String, product: Product },
    /// Whether `address` may attest fiat payments.
    #[returns(bool)]
    IsFiatGateway { address: String },
    /// The platform arbiter for meeting disputes.
    #[returns(Addr)]
    Arbiter {},
}

/// The `creators` registry as the product contracts call it (like cw20's `Cw20Contract`): one
/// place that spells out each query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registry(pub Addr);

impl Registry {
    /// The terms on which `creator` is paid for `product`.
    pub fn payment_terms<C: CustomQuery>(
        &self,
        querier: &QuerierWrapper<C>,
        creator: &Addr,
        product: Product,
    ) -> StdResult<PaymentTerms> {
        let query = CreatorsQuery::PaymentTerms {
            creator: creator.to_string(),
            product,
        };
        querier.query_wasm_smart(&self.0, &query)
    }

    /// Whether `address` may attest fiat payments.
    pub fn is_fiat_gateway<C: CustomQuery>(
        &self,
        querier: &QuerierWrapper<C>,
        address: &Addr,
    ) -> StdResult<bool> {
        let query = CreatorsQuery::IsFiatGateway {
            address: address.to_string(),
        };
        querier.query_wasm_smart(&self.0, &query)
    }

    /// The platform arbiter for meeting disputes.
    pub fn arbiter<C: CustomQuery>(&self, querier: &QuerierWrapper<C>) -> StdResult<Addr> {
        querier.query_wasm_smart(&self.0, &CreatorsQuery::Arbiter {})
    }
}

/// How a payment to a creator is taken and split.
#[cw_serde]
pub struct PaymentTerms {
    pub creator: Addr,
    /// Where the creator's share goes.
    pub payout: Addr,
    /// Whether the creator profile is active; inactive creators take no new payments.
    pub active: bool,
    pub treasury: Addr,
    pub fee_bps: u16,
    /// Assets both the platform and this creator accept.
    pub accepted_assets: Vec<AssetInfo>,
    /// The creator's smallest tip per asset (tips only; zero when unset).
    pub tip_minimums: Vec<(AssetInfo, Uint128)>,
}

impl PaymentTerms {
    /// Splits `amount` of `asset` into the platform fee and the creator's share and returns the
    /// messages that pay them to the treasury and the payout address (zero parts are skipped).
    pub fn pay(
        &self,
        asset: &AssetInfo,
        amount: Uint128,
    ) -> Result<(Vec<CosmosMsg>, Split), StdError> {
        let parts = split(amount, self.fee_bps)?;
        let messages = [
            asset.payout(&self.treasury, parts.fee)?,
            asset.payout(&self.payout, parts.payee)?,
        ];
        Ok((messages.into_iter().flatten().collect(), parts))
    }

    /// The creator's minimum tip in `asset`, zero when unset.
    pub fn tip_minimum(&self, asset: &AssetInfo) -> Uint128 {
        self.tip_minimums
            .iter()
            .find(|(a, _)| a == asset)
            .map(|(_, m)| *m)
            .unwrap_or_default()
    }
}
