//! Random sequences of tips, fee changes and creator (de)activations: every tip splits exactly,
//! lands in the treasury and payout balances, and the contract never keeps anything.

use std::collections::BTreeMap;

use cosmwasm_std::{Addr, Uint128};
use mesi_common::events::AnyEvent;
use mesi_common::fee::MAX_PLATFORM_FEE_BPS;
use mesi_common::interfaces::creators::Product;
use mesi_common::AssetInfo;
use proptest::prelude::*;

use super::*;

#[derive(Debug, Clone)]
enum Op {
    Tip {
        fan: usize,
        creator: usize,
        asset: usize,
        amount: u128,
    },
    SetFee(u16),
    ToggleActive(usize),
}

fn op() -> impl Strategy<Value = Op> {
    let amount = prop_oneof![1u128..=1_000, 1u128..=FAN_FUNDS / 1_000];
    prop_oneof![
        6 => (0usize..3, 0usize..2, 0usize..4, amount).prop_map(|(fan, creator, asset, amount)| Op::Tip { fan, creator, asset, amount }),
        1 => (0..=MAX_PLATFORM_FEE_BPS).prop_map(Op::SetFee),
        1 => (0usize..2).prop_map(Op::ToggleActive),
    ]
}

/// The fee computed independently of mesi-common: floor(amount * bps / 10_000).
fn expected_fee(amount: u128, bps: u16) -> u128 {
    amount * u128::from(bps) / 10_000
}

fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let mut suite = Suite::with_fans(3);
    let creators = [suite.carol.clone(), suite.dave.clone()];
    let payouts: Vec<Addr> = creators
        .iter()
        .map(|c| suite.payment_terms(c, Product::Tips).payout)
        .collect();
    // USDC has a minimum with carol; JUNK is not accepted anywhere.
    let assets = [
        AssetInfo::native(USDC),
        AssetInfo::native(ATOM),
        AssetInfo::cw20(suite.mesi.clone()),
        AssetInfo::native(JUNK),
    ];
    let mut fee_bps = TIP_FEE_BPS;
    let mut active = [true, true];
    let mut totals: BTreeMap<(usize, usize, usize), u128> = BTreeMap::new();

    for op in ops {
        match op {
            Op::SetFee(bps) => {
                suite.set_tip_fee(bps);
                fee_bps = bps;
            }
            Op::ToggleActive(c) => {
                active[c] = !active[c];
                suite.set_creator_active(&creators[c], active[c]);
            }
            Op::Tip {
                fan,
                creator,
                asset,
                amount,
            } => {
                let (fan_addr, creator_addr, info) = (
                    suite.fan(fan),
                    creators[creator].clone(),
                    assets[asset].clone(),
                );
                let before = [&suite.treasury, &payouts[creator], &fan_addr]
                    .map(|who| suite.balance(who, &info));
                let result = match &info {
                    AssetInfo::Native { denom } => {
                        suite.tip_native(&fan_addr, &creator_addr, amount, denom)
                    }
                    AssetInfo::Cw20 { .. } => suite.mesi_tip(&fan_addr, &creator_addr, amount),
                };
                let after = [&suite.treasury, &payouts[creator], &fan_addr]
                    .map(|who| suite.balance(who, &info));

                let below_minimum = creator == 0 && asset == 0 && amount < USDC_MINIMUM;
                let expected_error = if !active[creator] {
                    Some(ContractError::CreatorInactive(creator_addr.clone()))
                } else if asset == 3 {
                    Some(ContractError::Asset(mesi_common::AssetError::NotAccepted(
                        info.clone(),
                    )))
                } else if below_minimum {
                    Some(ContractError::BelowMinimum {
                        minimum: Uint128::new(USDC_MINIMUM),
                        asset: info.clone(),
                    })
                } else {
                    None
                };
                match (result, expected_error) {
                    (Err(err), Some(expected)) => {
                        prop_assert_eq!(err, expected);
                        prop_assert_eq!(after, before, "a refused tip moves nothing");
                    }
                    (Ok(resp), None) => {
                        let fee = expected_fee(amount, fee_bps);
                        prop_assert_eq!(after[0] - before[0], fee);
                        prop_assert_eq!(after[1] - before[1], amount - fee);
                        prop_assert_eq!(before[2] - after[2], amount);
                        let total = totals.entry((creator, fan, asset)).or_default();
                        *total += amount;
                        let AnyEvent::Tip(ev) = single_event(&resp, &suite.tips) else {
                            return Err(TestCaseError::fail("expected a tip event"));
                        };
                        prop_assert_eq!(ev.fee.u128() + ev.creator_amount.u128(), amount);
                        prop_assert_eq!(ev.fee.u128(), fee);
                        prop_assert_eq!(ev.fan_total.u128(), *total);
                    }
                    (result, expected) => {
                        return Err(TestCaseError::fail(format!(
                            "got {result:?}, expected error {expected:?}"
                        )));
                    }
                }
            }
        }
        suite.assert_tips_holds_nothing();
    }

    for (fan, fan_addr) in suite.fans.iter().enumerate() {
        for (creator, creator_addr) in creators.iter().enumerate() {
            for (asset, info) in assets.iter().enumerate() {
                let expected = totals
                    .get(&(creator, fan, asset))
                    .copied()
                    .unwrap_or_default();
                prop_assert_eq!(suite.total(creator_addr, fan_addr, info), expected);
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_tips_split_exactly_and_leave_nothing_behind(ops in prop::collection::vec(op(), 1..25)) {
        run(ops)?;
    }
}
