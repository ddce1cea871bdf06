//! Mesi `tips`: tips to creators in native coins, in CW20 tokens (MESI) and in fiat.
//!
//! - [x] `Tip`: exactly one native coin of an asset the creator accepts, at least the creator's
//!   minimum for that asset, to an active creator (terms from the `creators` registry).
//! - [x] `Receive`: CW20 tips through `Send` with a [`msg::TipHookMsg`]; only from a token
//!   contract the creator accepts (the hook's `info.sender`); the fan is the CW20 sender.
//! - [x] Platform fee to the treasury and the rest to the creator's payout address, in the same
//!   transaction, with `BankMsg::Send` / CW20 `Transfer`. The contract never keeps funds.
//! - [x] `AttestFiatTip`: a fiat gateway of the registry records a tip it took off chain
//!   (ISO 4217 code, amount in minor units). No funds.
//! - [x] Each tip carries a context (profile, stream, chat thread), an optional public message
//!   (at most `MAX_TIP_MESSAGE_LEN` bytes) and an anonymous flag.
//! - [x] Lifetime totals per (creator, fan, asset): `TippedTotal` (the message the registry's
//!   chat gate sends as `TipsQuery::TippedTotal`), `FanTotals` of a creator and `TippedCreators`
//!   of a fan, paginated (default 10, at most 100 entries).
//! - [x] Events: `mesi.tips_config.v1`, `mesi.tip.v1`, `mesi.fiat_tip.v1` (mesi-common).
//! - [x] `migrate` refuses another contract's state and downgrades (cw2).
//!
//! Decisions:
//! - Rounding: fee = floor(amount * fee_bps / 10_000); the creator gets the rest, so
//!   fee + creator share == amount and rounding dust goes to the creator.
//! - Gas: a native or CW20 tip makes one registry query (`PaymentTerms`), reads the config,
//!   reads and writes one total and emits one small event. A fan's first tip to a creator in an
//!   asset also writes one entry of the by-fan index. Tips have no sequential id (it would cost a
//!   counter read and write per tip).
//! - Fiat attestations are idempotent per (gateway, payment reference): repeating one with the
//!   same data succeeds and records nothing (no event; attribute `already_recorded`), reusing the
//!   reference with different data fails with `PaymentRefReused`. Only the sender's gateway status
//!   is checked: the money already moved off chain, so a trusted gateway's record stands even if
//!   the creator deactivated meanwhile.
//! - Fiat tips do not count toward the on-chain totals: chat-gating rules name on-chain assets.
//!   Readers sum `mesi.fiat_tip.v1` events for fiat totals.
//! - An empty tip message counts as no message.
//! - A tip whose payout or treasury address is this contract is refused: the funds would stay
//!   here with no way out.

pub mod contract;
pub mod error;
pub mod fiat;
pub mod msg;
pub mod query;
pub mod state;
pub mod tip;

#[cfg(test)]
mod tests;
