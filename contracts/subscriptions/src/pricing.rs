//! The arithmetic of prices and time: bundle prices, upgrade differences, renewal windows.

use cosmwasm_std::{StdError, Timestamp, Uint128, Uint256};
use mesi_common::fee::bps_of;

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

/// The upgrade difference for `remaining_nanos` of access: the new tier's rate minus the old
/// one's, times the remaining time, rounded up to the next smallest unit (in the creator's
/// favour). `None` when the new rate is not higher.
///
/// `ceil(remaining_ns * (to.price / to.period - from.price / from.period) / 1e9)`, computed
/// exactly in 256-bit integers.
pub fn upgrade_cost(
    from: &Rate,
    to: &Rate,
    remaining_nanos: u64,
) -> Result<Option<Uint128>, StdError> {
    let gain = Uint256::from(to.price) * Uint256::from(from.period_seconds);
    let loss = Uint256::from(from.price) * Uint256::from(to.period_seconds);
    if gain <= loss {
        return Ok(None);
    }
    let numerator = (gain - loss).checked_mul(Uint256::from(remaining_nanos))?;
    let denominator = Uint256::from(from.period_seconds)
        * Uint256::from(to.period_seconds)
        * Uint256::from(NANOS_PER_SECOND);
    let cost = numerator.checked_add(denominator - Uint256::one())? / denominator;
    Ok(Some(Uint128::try_from(cost)?))
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
    fn upgrade_cost_examples() {
        let month = 30 * DAY;
        let ten = Rate {
            price: Uint128::new(10_000),
            period_seconds: month,
        };
        let twenty_five = Rate {
            price: Uint128::new(25_000),
            period_seconds: month,
        };
        // Half a period left: half of the 15_000 difference.
        assert_eq!(
            upgrade_cost(&ten, &twenty_five, month / 2 * NANOS_PER_SECOND).unwrap(),
            Some(Uint128::new(7_500))
        );
        // One second left: 15_000 / 2_592_000 per second, rounded up to 1.
        assert_eq!(
            upgrade_cost(&ten, &twenty_five, NANOS_PER_SECOND).unwrap(),
            Some(Uint128::new(1))
        );
        // One third of a period: 5_000 exactly; one nanosecond more rounds up.
        assert_eq!(
            upgrade_cost(&ten, &twenty_five, month / 3 * NANOS_PER_SECOND).unwrap(),
            Some(Uint128::new(5_000))
        );
        assert_eq!(
            upgrade_cost(&ten, &twenty_five, month / 3 * NANOS_PER_SECOND + 1).unwrap(),
            Some(Uint128::new(5_001))
        );
        // Different periods compare per second: 10_000 per 30 days vs 100_000 per 366 days.
        let yearly = Rate {
            price: Uint128::new(100_000),
            period_seconds: 366 * DAY,
        };
        assert_eq!(
            upgrade_cost(&ten, &yearly, month * NANOS_PER_SECOND).unwrap(),
            None
        );
        assert_eq!(upgrade_cost(&ten, &ten, NANOS_PER_SECOND).unwrap(), None);
        // From a trial (worth nothing) the whole new rate is paid.
        let free = Rate {
            price: Uint128::zero(),
            period_seconds: month,
        };
        assert_eq!(
            upgrade_cost(&free, &ten, month * NANOS_PER_SECOND).unwrap(),
            Some(Uint128::new(10_000))
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
        /// The cost is the smallest amount that covers the exact difference, and it never
        /// exceeds the whole new price for the time left.
        #[test]
        fn upgrade_cost_is_the_exact_ceiling(
            from_price in 0u128..1_000_000_000_000,
            to_price in 1u128..1_000_000_000_000,
            from_days in 1u64..=366,
            to_days in 1u64..=366,
            remaining in 1u64..(3_660 * DAY * NANOS_PER_SECOND),
        ) {
            let (from_period, to_period) = (from_days * DAY, to_days * DAY);
            let from = Rate { price: Uint128::new(from_price), period_seconds: from_period };
            let to = Rate { price: Uint128::new(to_price), period_seconds: to_period };
            // Exact cost as a fraction owed / per_unit.
            let gain = Uint256::from(to_price) * Uint256::from(from_period);
            let loss = Uint256::from(from_price) * Uint256::from(to_period);
            let per_unit = Uint256::from(from_period) * Uint256::from(to_period) * Uint256::from(NANOS_PER_SECOND);
            match upgrade_cost(&from, &to, remaining).unwrap() {
                None => prop_assert!(gain <= loss),
                Some(cost) => {
                    prop_assert!(gain > loss);
                    let owed = (gain - loss) * Uint256::from(remaining);
                    let cost = Uint256::from(cost);
                    prop_assert!(cost * per_unit >= owed);
                    prop_assert!((cost - Uint256::one()) * per_unit < owed);
                }
            }
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
