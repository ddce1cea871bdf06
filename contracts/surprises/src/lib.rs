//! Mesi surprises: a creator turns a piece of content into a sealed, tradable token with public
//! hints; fans trade it and guess; an owner unlocks it, and the creator proves the content.
//!
//! Implements CW721 (cw721 0.22, the library cw721-base 0.22 is built from) for transfers,
//! sends, approvals, operators and the standard queries, so wallets and marketplaces handle
//! surprises unchanged. Extensions:
//!
//! - [x] Minting by registered, active creators only (`creators` registry `PaymentTerms`).
//! - [x] Public hints (title, hint texts, category, preview URI) and a commitment fixed at mint
//!   (`mesi_common::commitment`: sha256 over contract, token id, creator, a 32-byte salt and the
//!   content's sha256, domain-separated and length-prefixed).
//! - [x] Optional creator bond (native coin or CW20), escrowed from mint to reveal or forfeit.
//! - [x] Fixed-price listings in an accepted asset, with optional expiry; a sale pays platform
//!   fee + creator royalty (at most 10%, fixed at mint) + seller == price exactly.
//! - [x] Unlock by the owner: the token can no longer move or be listed; the creator reveals
//!   before the deadline (bond back) or the unlocker claims the bond after it.
//!   States: Sealed -> Unlocked -> Revealed | Forfeited.
//! - [x] `HoldsSurprise` for chat gating, in one storage seek.
//! - [x] Queries: a surprise with state and listing; surprises by owner; listings by creator and
//!   by price (paginated).
//! - [x] One typed event per state change (`mesi_common::events::surprises`); migrate checks the
//!   cw2 name and refuses downgrades.
//!
//! Decisions:
//! - **One collection for the platform, not one per creator.** Creators are already registered
//!   in one registry, and a per-creator collection would mean a contract instantiation (and a
//!   code-admin decision) per creator, a registry of collections for the indexer, the chat gate
//!   and the frontends, and no single "all surprises" view for marketplaces. Per-creator
//!   identity is kept in the token id instead: a creator's ids start with their number
//!   (`<number>.<label>`), so marketplaces can still group by creator, and `HoldsSurprise` and
//!   `ListingsByCreator` are prefix ranges.
//! - **Token ids** are `<creator number>.<label>`; the creator picks the label, so they know the
//!   id (which the commitment binds) before minting. A creator's number is assigned at their
//!   first mint (`TokenIdPrefix` query).
//! - **Who may mint.** The registry's `PaymentTerms` decides. Registration cannot be undone and
//!   only a creator switches themselves inactive, so a mint without a bond trusts the registry's
//!   last "active" answer for `creator_recheck_interval` seconds (at most a day; 0 asks every
//!   time): the query alone costs more than the rest of a mint. A mint with a bond always asks,
//!   because the bond's asset must be one the creator accepts now.
//! - **Gas.** Tokens stay in the CW721 library's own storage, with a tiny extension (the phase).
//!   A transfer reads the token record once (cw721-base reads it twice) and writes nothing
//!   cw721-base does not; hints and the commitment live in a separate record that transfers
//!   never touch. Writes that keep the owner (list, unlock, approve) skip the owner index. The
//!   records written at every mint and transfer use one-letter JSON keys.
//! - **Funds.** Only `Mint` (optional bond) and `Buy` (the exact price) take funds; CW20
//!   payments arrive through `Receive` and the token contract must be an accepted asset. Payouts
//!   use `BankMsg::Send` or CW20 `Transfer`. The contract holds exactly the bonds of sealed and
//!   unlocked surprises.
//! - **Rounding**: `mesi_common::fee::split_with_royalty` (each cut rounds down; dust goes to the
//!   seller).
//! - A reveal is valid up to and including the deadline; the bond can be claimed after it.
//! - A listing cannot be bought from its `expires_at` on; anyone may clear an expired listing.
//! - Secondary sales continue while a creator is inactive (inactive creators cannot mint), but
//!   only in assets still accepted for the creator.
//! - Not supported: CW721 `Burn` (a surprise is also the record of its reveal), `Mint` in the
//!   CW721 shape, minter management, collection-info updates and withdraw addresses. Events are
//!   the typed Mesi events only, not CW721's `action` attributes.

pub mod config;
pub mod contract;
pub mod cw721;
pub mod error;
pub mod mint;
pub mod msg;
pub mod query;
pub mod reveal;
pub mod state;
pub mod trade;

#[cfg(test)]
mod tests;
