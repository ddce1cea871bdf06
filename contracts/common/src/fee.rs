//! Splitting a price between the platform, a royalty holder and the payee.
//!
//! Rounding: each cut is `floor(amount * bps / 10_000)`; the payee gets the remainder. So the
//! parts always add up to the amount exactly, and any rounding dust goes to the payee (the
//! creator or seller), never to the platform.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{StdError, Uint128};

/// 100% in basis points.
pub const BPS_DENOMINATOR: u16 = 10_000;
/// The highest platform fee any product may be configured with (20%).
pub const MAX_PLATFORM_FEE_BPS: u16 = 2_000;
/// The highest creator royalty on secondary sales (10%).
pub const MAX_ROYALTY_BPS: u16 = 1_000;

/// The parts of one payment. `fee + royalty + payee == amount`.
#[cw_serde]
#[derive(Copy, Default, Eq)]
pub struct Split {
    pub fee: Uint128,
    pub royalty: Uint128,
    pub payee: Uint128,
}

/// `floor(amount * bps / 10_000)`, computed without overflow for any `Uint128`.
pub fn bps_of(amount: Uint128, bps: u16) -> Uint128 {
    amount.multiply_ratio(bps, BPS_DENOMINATOR)
}

/// `ceil(amount * bps / 10_000)`, for minimum increments that must never round to zero.
pub fn bps_of_ceil(amount: Uint128, bps: u16) -> Uint128 {
    amount.mul_ceil(cosmwasm_std::Decimal::from_ratio(bps, BPS_DENOMINATOR))
}

/// Splits `amount` into a platform fee and the payee's share.
pub fn split(amount: Uint128, fee_bps: u16) -> Result<Split, StdError> {
    split_with_royalty(amount, fee_bps, 0)
}

/// Splits `amount` into platform fee, royalty and the payee's share.
pub fn split_with_royalty(
    amount: Uint128,
    fee_bps: u16,
    royalty_bps: u16,
) -> Result<Split, StdError> {
    if u32::from(fee_bps) + u32::from(royalty_bps) > u32::from(BPS_DENOMINATOR) {
        return Err(StdError::generic_err("fee and royalty exceed 100%"));
    }
    let fee = bps_of(amount, fee_bps);
    let royalty = bps_of(amount, royalty_bps);
    // Cannot underflow: fee + royalty <= amount * (fee_bps + royalty_bps) / 10_000 <= amount.
    let payee = amount - fee - royalty;
    Ok(Split {
        fee,
        royalty,
        payee,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rounding_goes_to_the_payee() {
        let s = split(Uint128::new(999), 250).unwrap();
        assert_eq!(
            s,
            Split {
                fee: Uint128::new(24),
                royalty: Uint128::zero(),
                payee: Uint128::new(975)
            }
        );
        let s = split_with_royalty(Uint128::new(1), 2_000, 1_000).unwrap();
        assert_eq!(s.payee, Uint128::new(1));
        assert!(split_with_royalty(Uint128::new(1), 9_000, 1_001).is_err());
    }

    #[test]
    fn ceil_never_rounds_a_positive_increment_to_zero() {
        assert_eq!(bps_of_ceil(Uint128::new(1), 1), Uint128::new(1));
        assert_eq!(bps_of_ceil(Uint128::new(10_000), 500), Uint128::new(500));
        assert_eq!(bps_of_ceil(Uint128::new(10_001), 500), Uint128::new(501));
    }

    proptest! {
        #[test]
        fn parts_add_up_exactly(amount in any::<u128>(), fee in 0u16..=MAX_PLATFORM_FEE_BPS, royalty in 0u16..=MAX_ROYALTY_BPS) {
            let amount = Uint128::new(amount);
            let s = split_with_royalty(amount, fee, royalty).unwrap();
            prop_assert_eq!(s.fee + s.royalty + s.payee, amount);
            prop_assert!(s.fee <= bps_of(amount, fee));
            prop_assert_eq!(s.fee.u128(), primitive_floor(amount.u128(), fee));
        }
    }

    /// Independent floor(amount * bps / 10_000) using 256-bit arithmetic by hand on halves.
    fn primitive_floor(amount: u128, bps: u16) -> u128 {
        let bps = bps as u128;
        let (hi, lo) = (amount / 10_000, amount % 10_000);
        hi * bps + lo * bps / 10_000
    }
}
