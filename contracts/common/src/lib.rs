//! Types that cross the boundaries of the Mesi suite: between the contracts, and between the
//! contracts and the indexer.
//!
//! - [`asset`]: payment assets (a native denom or a CW20 contract), funds validation, payouts.
//! - [`fee`]: splitting a price into platform fee, royalty and payee share, exactly.
//! - [`event`]: the typed-event framework; [`events`] holds one type per event a contract emits.
//!   Contracts build their `Event`s from these types and the indexer decodes with them.
//! - [`chat_rule`]: the chat-gating expression and its evaluator, shared by the `creators`
//!   contract (on-chain `CanMessage`) and the indexer (off-chain `can-message`).
//! - [`commitment`]: the hash a creator commits a surprise's content to at mint, checked at
//!   the reveal (the `mesi-commitment` binary computes it from a file).
//! - [`interfaces`]: the query messages one contract sends another.
//! - [`ownership`]: two-step ownership with its typed event.
//! - [`pagination`]: the page-size rule every paginated query follows.

pub mod asset;
pub mod chat_rule;
pub mod commitment;
pub mod event;
pub mod events;
pub mod fee;
pub mod interfaces;
pub mod ownership;
pub mod pagination;

pub use asset::{Asset, AssetError, AssetInfo};
pub use event::{DecodeError, MesiEvent};
