use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Uint128};
use cw20::Cw20ReceiveMsg;
pub use mesi_common::interfaces::tips::TipContext;
pub use mesi_common::interfaces::TotalResponse;
use mesi_common::AssetInfo;

/// Longest gateway payment reference of `ExecuteMsg::AttestFiatTip`, in bytes.
pub const MAX_PAYMENT_REF_LEN: usize = 128;

#[cw_serde]
pub struct InstantiateMsg {
    /// The `creators` registry: payment terms per creator and the fiat gateways.
    pub creators: String,
}

#[cw_serde]
pub enum ExecuteMsg {
    /// Tips `creator` with exactly one native coin of an asset the creator accepts, at least the
    /// creator's minimum for it. The sender is the fan.
    Tip {
        creator: String,
        context: TipContext,
        /// Public message, at most `MAX_TIP_MESSAGE_LEN` bytes; an empty one counts as none.
        message: Option<String>,
        anonymous: bool,
    },
    /// CW20 tips: the token's `Send` calls this with a [`TipHookMsg`]. Only accepted from a token
    /// contract the creator accepts; the fan is the CW20 sender.
    Receive(Cw20ReceiveMsg),
    /// A payment gateway records a fiat tip it took off chain. No funds. Repeating an attestation
    /// with the same data succeeds without effect; reusing its `payment_ref` with other data fails.
    AttestFiatTip {
        /// The gateway's own payment id: 1 to `MAX_PAYMENT_REF_LEN` printable ASCII characters.
        payment_ref: String,
        creator: String,
        fan: String,
        /// ISO 4217 code: three uppercase letters, such as `USD`.
        currency: String,
        /// Amount in the currency's minor units (cents for USD); greater than zero.
        amount_minor: Uint128,
        context: TipContext,
        message: Option<String>,
        anonymous: bool,
    },
}

/// The `msg` of a CW20 `Send` to this contract.
#[cw_serde]
pub enum TipHookMsg {
    Tip {
        creator: String,
        context: TipContext,
        message: Option<String>,
        anonymous: bool,
    },
}

#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    #[returns(ConfigResponse)]
    Config {},
    /// Lifetime tips from `fan` to `creator` in `asset` (zero when none). Same message as
    /// `mesi_common::interfaces::tips::TipsQuery::TippedTotal`.
    #[returns(TotalResponse)]
    TippedTotal {
        creator: String,
        fan: String,
        asset: AssetInfo,
    },
    /// The lifetime totals of every fan of `creator`, one entry per (fan, asset), ordered by fan
    /// then asset key.
    #[returns(TotalsResponse)]
    FanTotals {
        creator: String,
        start_after: Option<FanAsset>,
        limit: Option<u32>,
    },
    /// The lifetime totals of `fan` with every creator they tipped, one entry per (creator,
    /// asset), ordered by creator then asset key.
    #[returns(TotalsResponse)]
    TippedCreators {
        fan: String,
        start_after: Option<CreatorAsset>,
        limit: Option<u32>,
    },
    /// Whether `gateway` already recorded a fiat tip under `payment_ref`.
    #[returns(bool)]
    FiatPaymentRecorded {
        gateway: String,
        payment_ref: String,
    },
}

#[cw_serde]
pub struct ConfigResponse {
    pub creators: Addr,
}

/// Page cursor of `FanTotals`: the last entry of the previous page.
#[cw_serde]
pub struct FanAsset {
    pub fan: String,
    pub asset: AssetInfo,
}

/// Page cursor of `TippedCreators`: the last entry of the previous page.
#[cw_serde]
pub struct CreatorAsset {
    pub creator: String,
    pub asset: AssetInfo,
}

#[cw_serde]
pub struct TipTotal {
    pub creator: Addr,
    pub fan: Addr,
    pub asset: AssetInfo,
    pub amount: Uint128,
}

#[cw_serde]
pub struct TotalsResponse {
    pub totals: Vec<TipTotal>,
}

#[cw_serde]
pub struct MigrateMsg {}
