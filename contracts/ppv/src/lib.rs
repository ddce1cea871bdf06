//! Mesi pay-per-view: a creator lists content items; a fan pays once for access that lasts
//! forever; active subscribers at a high enough tier see included items without paying.
//!
//! - [x] `ListItem`, `UpdateItem`, `Delist`: the sender's own items; the sender must be registered
//!   and active in the `creators` registry and accept the item's asset (`PaymentTerms`).
//! - [x] `Buy` with exactly one native coin equal to the price, or with a CW20 `Send` whose hook
//!   message is `{"buy":{"creator":…,"content_id":…}}`, accepted only from the item's own token
//!   contract.
//! - [x] Platform fee to the treasury and the rest to the creator's payout address in the same
//!   transaction (`mesi_common::fee::split`); the contract never keeps a balance.
//! - [x] Lifetime spending per (creator, fan, asset) for chat gating (`SpentTotal`, the query
//!   `mesi_common::interfaces::ppv::PpvQuery` sends).
//! - [x] `HasAccess`: creator, purchase, or an active subscription at tier >= `free_for_tier`.
//! - [x] Paginated `Items` of a creator, `Purchases` of a fan, `Buyers` of an item.
//! - [x] One typed event per state change (`mesi_common::events::ppv`); cw2 `migrate` checks, and
//!   re-keys state from before per-creator ids (`migration`).
//!
//! Decisions:
//! - Content ids are per creator: an item is named by (creator, content id) in every message,
//!   query and event, so two creators may use the same id and nobody can take another's. A
//!   delisted item can be listed again only by its creator (it is their key), so a buyer's
//!   access never moves to someone else's content.
//! - Rounding: the fee is `floor(price * fee_bps / 10_000)`; the creator gets the remainder.
//! - The sale is open while block time < `sale_ends_at`; a new end of sale must be in the future.
//! - Delisting ends sales and subscription access; buyers keep access. The creator always has
//!   access and cannot buy their own item; a fan who has access through a subscription may buy
//!   it to keep access after the subscription ends.
//! - `Buy` asks the registry again for the creator's terms, so a deactivated creator or an asset
//!   the platform dropped stops sales at once; the fee is the one in force at purchase time.
//! - A creator's items are one key prefix read one page at a time, never as a whole list, so the
//!   number of items per creator needs no cap.

pub mod contract;
pub mod error;
pub mod listing;
pub mod migration;
pub mod msg;
pub mod purchase;
pub mod query;
pub mod state;

#[cfg(test)]
mod tests;
