//! The arithmetic of prices and time: bundle prices, upgrade differences, renewal windows.

use cosmwasm_std::{StdError, Timestamp, Uint128, Uint256};
use mesi_common::fee::{bps_of, BPS_DENOMINATOR};

use crate::error::ContractError;
use crate::state::Tier;

/// Furthest ahead of block time a subscription may be paid (about ten years).
pub const MAX_PREPAID_SECONDS: u64 = 3_660 * 86_400;
/// Longest time before expiry a renewal may happen; shorter for short periods (half a period).
pub const MAX_RENEWAL_LEAD_SECONDS: u64 = 86_400;
/// How long after expiry a renewal may still happen; it then runs from the renewal time.
pub const RENEWAL_GRACE_SECONDS: u64 = 7 * 86_400;

const NANOS_PER_SECOND: u64 = 1_000_000_000;

/// What `periods` periods of `tier` cost: the price for one period, or the bundle total minus
/// its discount. The discount is rounded down, so rounding favours the creator.
pub fn purchase_price(tier: &Tier, periods: u32) -> Result<Uint128, ContractError> {
    if periods == 1 {
        return Ok(tier.price);
    }
    let bundle = tier
        .bundles
        .iter()
        .find(|bundle| bundle.periods == periods)
        .ok_or(ContractError::InvalidPeriods(periods))?;
    let total = tier
        .price
        .checked_mul(Uint128::from(periods))
        .map_err(StdError::from)?;
    Ok(total - bps_of(total, bundle.discount_bps))
}

/// The expiry after adding `seconds` to `start`, refused when it lies more than
/// [`MAX_PREPAID_SECONDS`] after `now`.
pub fn paid_until(
    start: Timestamp,
    now: Timestamp,
    seconds: u64,
) -> Result<Timestamp, ContractError> {
    let expires_at = start.plus_seconds(seconds);
    if expires_at.seconds().saturating_sub(now.seconds()) > MAX_PREPAID_SECONDS {
        return Err(ContractError::PrepaidTooFar {
            max_seconds: MAX_PREPAID_SECONDS,
        });
    }
    Ok(expires_at)
}

/// Price of one period of `price` over `period_seconds`, per-second rate compared exactly.
pub struct Rate {
    pub price: Uint128,
    pub period_seconds: u64,
}

/// What `nanos` of access cost at `rate`: `ceil(price * nanos / (period * 1e9))`, rounded up
/// to the next smallest unit, so a fan never pays less than the exact amount.
pub fn value_of(rate: &Rate, nanos: u64) -> Result<Uint128, StdError> {
    let numerator = Uint256::from(rate.price).checked_mul(Uint256::from(nanos))?;
    let denominator = Uint256::from(rate.period_seconds) * Uint256::from(NANOS_PER_SECOND);
    let value = numerator.checked_add(denominator - Uint256::one())? / denominator;
    Ok(Uint128::try_from(value)?)
}

/// The part of `paid` not used up at `now`, when it pays for `from..until` evenly:
/// `floor(paid * (until - max(now, from)) / (until - from))`, rounded down, so a credit never
/// exceeds what is left. Nothing is left once `now >= until`, or when no time was paid for.
pub fn unused(
    paid: Uint128,
    from: Timestamp,
    until: Timestamp,
    now: Timestamp,
) -> Result<Uint128, StdError> {
    if now >= until || from >= until {
        return Ok(Uint128::zero());
    }
    let span = until.nanos() - from.nanos();
    let left = until.nanos() - now.nanos().max(from.nanos());
    Ok(paid.multiply_ratio(left, span))
}

/// The credit for `nanos` of a subscription stored before payments were recorded: the least a
/// fan can have paid for them, at the tier's price less its largest bundle discount, rounded
/// down: `floor(price * (10_000 - discount) * nanos / (period * 1e9 * 10_000))`.
pub fn unrecorded_credit(tier: &Tier, nanos: u64) -> Result<Uint128, StdError> {
    let discount = tier
        .bundles
        .iter()
        .map(|bundle| bundle.discount_bps)
        .max()
        .unwrap_or(0)
        .min(BPS_DENOMINATOR);
    let numerator = Uint256::from(tier.price)
        * Uint256::from(BPS_DENOMINATOR - discount)
        * Uint256::from(nanos);
    let denominator = Uint256::from(tier.period_seconds)
        * Uint256::from(NANOS_PER_SECOND)
        * Uint256::from(BPS_DENOMINATOR);
    Ok(Uint128::try_from(numerator / denominator)?)
}

/// When anyone may renew a subscription expiring at `expires_at`: from `opens` (inclusive) to
/// `closes` (exclusive). It opens `min(1 day, period / 2)` before expiry, so one renewal always
/// moves the expiry past the next opening, and closes [`RENEWAL_GRACE_SECONDS`] after it.
pub fn renewal_window(expires_at: Timestamp, period_seconds: u64) -> (Timestamp, Timestamp) {
    let lead = MAX_RENEWAL_LEAD_SECONDS.min(period_seconds / 2);
    (
        expires_at.minus_seconds(lead),
        expires_at.plus_seconds(RENEWAL_GRACE_SECONDS),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use mesi_common::events::subscriptions::PrepaidBundle;
    use mesi_common::AssetInfo;
    use proptest::prelude::*;

    const DAY: u64 = 86_400;

    fn tier(price: u128, bundles: Vec<PrepaidBundle>) -> Tier {
        Tier {
            name: "t".into(),
            price: Uint128::new(price),
            asset: AssetInfo::native("uusdc"),
            period_seconds: 30 * DAY,
            subscriber_cap: None,
            bundles,
            trial_seconds: None,
            retired: false,
        }
    }

    #[test]
    fn bundle_discount_is_rounded_down() {
        let t = tier(
            333,
            vec![
                PrepaidBundle {
                    periods: 3,
                    discount_bps: 1_000,
                },
                PrepaidBundle {
                    periods: 12,
                    discount_bps: 2_500,
                },
            ],
        );
        assert_eq!(purchase_price(&t, 1).unwrap(), Uint128::new(333));
        // 999 - floor(99.9) = 900
        assert_eq!(purchase_price(&t, 3).unwrap(), Uint128::new(900));
        // 3996 - floor(999) = 2997
        assert_eq!(purchase_price(&t, 12).unwrap(), Uint128::new(2_997));
        assert_eq!(purchase_price(&t, 2), Err(ContractError::InvalidPeriods(2)));
        assert_eq!(purchase_price(&t, 0), Err(ContractError::InvalidPeriods(0)));
    }

    #[test]
    fn value_and_unused_credit_examples() {
        let month = 30 * DAY;
        let rate = Rate {
            price: Uint128::new(2_500),
            period_seconds: month,
        };
        let nanos = |seconds: u64| seconds * NANOS_PER_SECOND;
        // Two thirds of a period: 1_666.66... rounds up.
        assert_eq!(
            value_of(&rate, nanos(20 * DAY)).unwrap(),
            Uint128::new(1_667)
        );
        assert_eq!(value_of(&rate, nanos(month)).unwrap(), Uint128::new(2_500));
        // One nanosecond costs the smallest unit.
        assert_eq!(value_of(&rate, 1).unwrap(), Uint128::new(1));
        assert_eq!(value_of(&rate, 0).unwrap(), Uint128::zero());

        let t = |days: u64| Timestamp::from_seconds(1_000 * DAY + days * DAY);
        let paid = Uint128::new(1_000);
        // Paid for days 0..30: at day 10, 666.66... is left, rounded down.
        assert_eq!(unused(paid, t(0), t(30), t(10)).unwrap(), Uint128::new(666));
        assert_eq!(unused(paid, t(0), t(30), t(0)).unwrap(), paid);
        // Paid time that starts after a trial is whole until it begins.
        assert_eq!(unused(paid, t(7), t(37), t(3)).unwrap(), paid);
        assert_eq!(unused(paid, t(7), t(37), t(22)).unwrap(), Uint128::new(500));
        // Nothing is left at the end, or when no time was paid for.
        assert_eq!(unused(paid, t(0), t(30), t(30)).unwrap(), Uint128::zero());
        assert_eq!(unused(paid, t(30), t(30), t(3)).unwrap(), Uint128::zero());
    }

    #[test]
    fn unrecorded_time_is_credited_at_the_largest_discount() {
        let t = tier(
            1_000,
            vec![
                PrepaidBundle {
                    periods: 3,
                    discount_bps: 1_000,
                },
                PrepaidBundle {
                    periods: 36,
                    discount_bps: 9_000,
                },
            ],
        );
        let twenty_days = 20 * DAY * NANOS_PER_SECOND;
        // floor(1_000 * 10% * 20 / 30) = floor(66.66...)
        assert_eq!(
            unrecorded_credit(&t, twenty_days).unwrap(),
            Uint128::new(66)
        );
        // Without bundles: the list price, rounded down.
        assert_eq!(
            unrecorded_credit(&tier(1_000, vec![]), twenty_days).unwrap(),
            Uint128::new(666)
        );
    }

    #[test]
    fn renewal_window_edges() {
        let expiry = Timestamp::from_seconds(1_000 * DAY);
        assert_eq!(
            renewal_window(expiry, 30 * DAY),
            (
                expiry.minus_seconds(DAY),
                expiry.plus_seconds(RENEWAL_GRACE_SECONDS)
            )
        );
        assert_eq!(renewal_window(expiry, DAY).0, expiry.minus_seconds(DAY / 2));
    }

    #[test]
    fn prepaid_limit() {
        let now = Timestamp::from_seconds(1_000 * DAY);
        assert_eq!(
            paid_until(now, now, MAX_PREPAID_SECONDS).unwrap(),
            now.plus_seconds(MAX_PREPAID_SECONDS)
        );
        assert_eq!(
            paid_until(now.plus_seconds(1), now, MAX_PREPAID_SECONDS),
            Err(ContractError::PrepaidTooFar {
                max_seconds: MAX_PREPAID_SECONDS
            })
        );
    }

    proptest! {
        /// The value is the smallest amount that covers the exact price of the time.
        #[test]
        fn value_is_the_exact_ceiling(
            price in 1u128..1_000_000_000_000,
            days in 1u64..=366,
            nanos in 0u64..(3_660 * DAY * NANOS_PER_SECOND),
        ) {
            let period = days * DAY;
            let rate = Rate { price: Uint128::new(price), period_seconds: period };
            let owed = Uint256::from(price) * Uint256::from(nanos);
            let per_unit = Uint256::from(period) * Uint256::from(NANOS_PER_SECOND);
            let value = Uint256::from(value_of(&rate, nanos).unwrap());
            prop_assert!(value * per_unit >= owed);
            prop_assert!(value.is_zero() || (value - Uint256::one()) * per_unit < owed);
        }

        /// What is left never exceeds what was paid, never grows as time passes, and is the
        /// exact share of the time left, rounded down.
        #[test]
        fn unused_is_the_exact_floor_and_only_falls(
            paid in 0u128..1_000_000_000_000,
            from in 0u64..1_000_000,
            span in 1u64..10_000_000,
            a in 0u64..12_000_000,
            b in 0u64..12_000_000,
        ) {
            let (early, late) = (a.min(b), a.max(b));
            let at = |s: u64| Timestamp::from_seconds(s);
            let paid = Uint128::new(paid);
            let left = |now: u64| unused(paid, at(from), at(from + span), at(now)).unwrap();
            prop_assert!(left(early) <= paid);
            prop_assert!(left(late) <= left(early));
            let remaining = (from + span).saturating_sub(early.max(from));
            let exact = Uint256::from(paid) * Uint256::from(remaining);
            let got = Uint256::from(left(early)) * Uint256::from(span);
            prop_assert!(got <= exact);
            prop_assert!(exact - got < Uint256::from(span));
        }

        #[test]
        fn bundle_price_never_exceeds_the_undiscounted_total(
            price in 1u128..u64::MAX as u128,
            periods in 2u32..=36,
            discount in 0u16..=9_000,
        ) {
            let t = tier(price, vec![PrepaidBundle { periods, discount_bps: discount }]);
            let paid = purchase_price(&t, periods).unwrap();
            let total = price * periods as u128;
            prop_assert!(paid <= Uint128::new(total));
            prop_assert!(!paid.is_zero());
            prop_assert_eq!(paid.u128(), total - total * discount as u128 / 10_000);
        }
    }
}
