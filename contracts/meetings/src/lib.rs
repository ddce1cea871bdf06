//! Mesi Bid-to-Meet: fans bid for a personal meeting slot with a creator; the winning bid stays in
//! escrow until the meeting has happened.
//!
//! - [x] A registered, active creator opens an auction: slot (start, duration, time-zone label),
//!   format, description, asset (accepted by platform and creator), reserve, minimum
//!   increment, bidding end, anti-sniping extension, optional buy-now price. At most
//!   `max_open_auctions` open auctions per creator.
//! - [x] Bids are escrowed; the outbid bid is refunded in the same transaction (`BankMsg::Send`
//!   or CW20 `Transfer`, never `Send`). Native coins or CW20 through the Receive hook, only
//!   in the auction's asset. The creator cannot bid.
//! - [x] Anyone settles after the end: no bid closes the auction, a winner gets a Scheduled meeting.
//! - [x] The creator marks the meeting held (or the fan absent) after the slot; the fan confirms
//!   (paid at once) or disputes inside the window; the creator claims after the window.
//! - [x] The platform arbiter (from the `creators` registry) resolves a dispute: refund,
//!   release or split.
//! - [x] The creator cancels a scheduled meeting, paying the cancellation fee to the treasury: the
//!   fan gets the full price back.
//! - [x] Reschedule: one side proposes, the other accepts (or either drops the proposal).
//! - [x] Every change of a meeting's time or status raises its `revision` (the calendar's
//!   SEQUENCE) and emits a `MeetingChanged` event with the full state.
//! - [x] Queries: auctions by creator, by state (in end-time order), bids of an auction, meetings
//!   of a creator and of a fan; all paginated.
//!
//! Decisions:
//! - Minimum increment: a bid must beat the top bid by `ceil(top * bps / 10_000)`, and by at
//!   least 1, so a raise is never zero. The first bid must reach the reserve (and be non-zero).
//! - Buy-now: a bid of exactly the buy-now price wins at once (the previous top bid is refunded
//!   and the meeting scheduled in the same transaction); a bid above it is refused, so nobody
//!   overpays. Bids below it follow the normal rules.
//! - Anti-sniping: a bid less than `extension_secs` before the end moves the end to the bid's
//!   time plus `extension_secs`, but never past the slot's start. So that a first extension
//!   always fits whole, bidding must end at least `extension_secs` before the slot starts, and a
//!   window is 0 (off, said explicitly) or 60 s to 1 hour.
//! - Cancelling an auction is possible only while it has no bid (before or after the bidding
//!   end). After the first bid the auction binds the creator: it runs to its end, and a creator
//!   who cannot meet the winner cancels the scheduled meeting, which refunds the winner in full
//!   and costs the creator the cancellation fee: `ceil(price * cancellation_fee_bps / 10_000)`
//!   (owner-set, 1 to 5_000 bps, 1_000 by default, the rate at the time of cancelling), paid
//!   with the cancellation and sent on to the treasury. It never goes to the fan, who may be the
//!   creator's own wallet: a winning bid from a second wallet (a hidden reserve) always costs.
//! - A meeting can be marked held, confirmed, or disputed without a mark only once its slot has
//!   ended. A fan may dispute a meeting the creator never marked held (a creator no-show), so
//!   escrow never depends on the creator acting.
//! - Fees: the platform fee (bps) is fixed when the auction opens; the treasury and the
//!   creator's payout address are read from the registry when the creator is paid. Fees are
//!   rounded down (dust to the creator). In a split, the fan's share is `floor(price * fan_bps
//!   / 10_000)`; the fee is taken from the creator's part only. Refunds carry no fee. Every
//!   payout pays the whole escrow: `to_fan + fee + to_creator == price`.
//! - A deactivated creator cannot open auctions; auctions already open take bids to their end,
//!   and escrowed meetings run to completion.
//! - The contract holds, per asset, exactly the top bids of open auctions plus the prices of
//!   Scheduled, Held and Disputed meetings.

mod auction;
mod config;
pub mod contract;
pub mod error;
mod meeting;
pub mod msg;
mod payout;
mod query;
pub mod state;
mod validate;

#[cfg(test)]
mod tests;
