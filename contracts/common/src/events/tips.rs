//! Events of the `tips` contract.
//!
//! A tip has no id of its own: a sequential id would cost a counter read and write on every
//! tip. Readers identify a tip by where its event sits (block height, tx hash, event index).

use cosmwasm_std::{Addr, Uint128};

use crate::asset::AssetInfo;
use crate::interfaces::tips::TipContext;

crate::mesi_event! {
    /// The contract's configuration, after instantiate.
    pub struct TipsConfigSet = "mesi.tips_config.v1" {
        /// The creator registry the contract takes payment terms and fiat gateways from.
        pub creators: Addr,
    }
}

crate::mesi_event! {
    /// A tip paid on chain (native coin or CW20), already split and paid out.
    pub struct TipSent = "mesi.tip.v1" {
        pub creator: Addr,
        pub fan: Addr,
        pub asset: AssetInfo,
        pub amount: Uint128,
        /// Platform fee sent to the treasury; `fee + creator_amount == amount`.
        pub fee: Uint128,
        pub creator_amount: Uint128,
        pub payout: Addr,
        pub context: TipContext,
        pub message: Option<String>,
        /// The fan asked not to be shown publicly; `fan` is still on chain.
        pub anonymous: bool,
        /// Lifetime total of (creator, fan, asset) after this tip.
        pub fan_total: Uint128,
    }
}

crate::mesi_event! {
    /// A fiat tip attested by a payment gateway; no funds moved on chain, and fiat tips do not
    /// count toward the on-chain totals (gating rules name on-chain assets).
    pub struct FiatTipAttested = "mesi.fiat_tip.v1" {
        pub gateway: Addr,
        /// The gateway's payment reference; each is accepted once per gateway.
        pub payment_ref: String,
        pub creator: Addr,
        pub fan: Addr,
        /// ISO 4217 code, e.g. `USD`.
        pub currency: String,
        /// Amount in the currency's minor units (cents).
        pub amount_minor: Uint128,
        pub context: TipContext,
        pub message: Option<String>,
        pub anonymous: bool,
    }
}
