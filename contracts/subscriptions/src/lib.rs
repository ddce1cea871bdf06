//! Mesi subscriptions: fans subscribe to creator-defined tiers, paid per period in a native
//! coin or a CW20 token (MESI), with the platform fee split off in the same transaction.
//!
//! Features:
//! - [x] Tiers per creator (at most 10 live): level (higher is better), name, price per period,
//!   asset accepted by the creator in the `creators` registry, period of 1 to 366 days,
//!   optional subscriber cap, up to 6 prepaid bundles (2 to 36 periods at a discount of at most
//!   90%), optional free trial (only in a tier without a cap). Price, name, cap, bundles and
//!   trial may change; asset and period are fixed. Retiring is final and stops all sales of the
//!   tier.
//! - [x] `Subscribe` (1 period or a bundle, exact price), `Extend` (stacks on the expiry, or
//!   starts now when expired), `Upgrade` (the time left at the new price less what is left of
//!   what the fan paid), `Trial` (once per fan per
//!   creator), `Cancel` (no more renewals, access to expiry). Native funds or the CW20 `Send`
//!   hook with the same message ([`msg::ReceiveMsg`]).
//! - [x] `Renew` by anyone from the fan's CW20 allowance, only with `auto_renew`, a CW20 tier,
//!   and the current price at most the fan's `max_price_per_period`.
//! - [x] Fee split with `mesi_common::fee::split` and paid out at once: this contract never
//!   holds funds after a transaction.
//! - [x] `Status` answers `mesi_common::interfaces::subscriptions::SubscriptionsQuery::Status`;
//!   paginated subscribers of a creator, subscriptions of a fan, tiers of a creator.
//! - [x] One typed event per state change (`mesi.tier.v1`, `mesi.subscription.v1`,
//!   `mesi.subscribers_released.v1`), each carrying the state after the change.
//!
//! Decisions:
//! - Active means block time < `expires_at`; access ends exactly at expiry.
//! - Rounding favours the creator: a bundle's discount is rounded down.
//! - Each subscription records what the fan paid for the access to come ([`state::PaidTime`]),
//!   used up evenly from where paid time starts (after a running trial) to the expiry. Stacking
//!   a purchase adds its price to what is left. An upgrade costs
//!   `ceil(remaining_ns * new_price / (new_period * 1e9)) - credit` at the new tier's current
//!   price, where the credit is `floor(paid * paid_time_left / paid_time)`: bundle time counts at
//!   what the bundle cost, trial time at nothing, and both roundings favour the platform. An
//!   upgrade the credit already covers is refused. Subscriptions stored before payments were
//!   recorded are credited at the least they can have cost: the tier's current price less its
//!   largest bundle discount, rounded down (trial-only time at nothing). Because the cost falls
//!   every second, `Upgrade` accepts any payment of at least the cost and refunds the excess in
//!   the same transaction (see the `UpgradeQuote` query).
//!   The fee is `floor(amount * fee_bps / 10_000)`, the creator gets the rest.
//! - `Subscribe` while active on the same tier stacks like `Extend` and also sets the renewal
//!   terms; while active on another tier it is refused (upgrade instead, or wait for expiry).
//!   A trial is only for a fan without an active subscription.
//! - Renewal window: from `min(1 day, period / 2)` before expiry until 7 days after it. Before
//!   expiry the new period stacks on the expiry; after, it runs from the renewal. One renewal
//!   is one period at the current price, paid with two CW20 `TransferFrom`s from the fan to the
//!   treasury and to the creator's payout address (a zero part is left out, as cw20-base
//!   refuses zero transfers). A short allowance or balance makes the token
//!   contract fail, which fails the whole renewal and changes nothing. Renewals stop when the
//!   price rises above the fan's maximum, the fan cancels, the tier retires, or the creator is
//!   inactive.
//! - Subscriber caps count active subscribers in O(1) amortized work: see [`cap`]. A capped
//!   tier offers no free trial (creating or updating one with both is refused, and a tier
//!   stored with both gives no trials): a free seat costs nothing to take, so fresh addresses
//!   could otherwise fill the cap and lock paying fans out. Expired subscribers stop counting when a purchase needs their slot, when they
//!   come back, or when anyone calls `ReleaseExpired`.
//! - New payments and trials need an active creator in the registry; cancelling does not.

pub mod cap;
pub mod contract;
pub mod error;
pub mod msg;
pub mod pricing;
pub mod purchase;
pub mod query;
pub mod renewal;
pub mod state;
pub mod tiers;

#[cfg(test)]
mod tests;
