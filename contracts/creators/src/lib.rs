//! The Mesi creator registry.
//!
//! Holds the platform configuration every product contract reads (treasury, fee per product,
//! accepted assets, fiat gateways, dispute arbiter, sibling contract addresses) and the creator
//! profiles (display name, payout address, accepted assets, tip minimums, chat rule).
//!
//! - [x] Platform config, owner only; ownership moves in two steps (cw-ownable).
//! - [x] Fee per product capped at `mesi_common::fee::MAX_PLATFORM_FEE_BPS`.
//! - [x] Register, update, deactivate and reactivate a creator profile.
//! - [x] `PaymentTerms`: one query gives a product contract everything it needs to take a
//!   payment (payout, fee, treasury, accepted assets, tip minimums).
//! - [x] `CanMessage`: evaluates the creator's chat rule on chain, reading facts from the tips,
//!   subscriptions, ppv and surprises contracts (each read at most once per query).
//!
//! Decisions:
//! - A creator's accepted assets are intersected with the platform's at query time, so an asset
//!   the platform drops stops being accepted for every creator at once.
//! - A deactivated creator takes no new payments, but its chat rule still answers `CanMessage`.
//! - A creator may always message themselves; an unregistered creator is an error.
//! - The contract never holds funds: every message is non-payable.

pub mod contract;
pub mod error;
pub mod gating;
pub mod msg;
pub mod platform;
pub mod profile;
pub mod query;
pub mod state;

#[cfg(test)]
mod tests;
