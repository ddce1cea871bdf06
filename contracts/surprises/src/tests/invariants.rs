//! Randomized sequences of mint (with and without a bond, native or CW20), list, delist, buy,
//! transfer, unlock, reveal and claim, with time advancing. A model predicts which steps
//! succeed and where every coin goes; after every step:
//! - the contract's balance per asset equals the bonds it escrows (sealed and unlocked
//!   surprises), by the model and by the contract's own queries;
//! - every account's balance is exactly what the model expects, so nobody is paid twice and no
//!   payout is missing;
//! - every sale's split adds up to the price;
//! - owner, state and listing of every surprise match the model.

mod model;

use std::collections::BTreeMap;

use cosmwasm_std::Addr;
use mesi_common::AssetInfo;
use proptest::prelude::*;

use super::*;
use crate::msg::SurpriseState;
use model::{op, step, Model, Op, Phase};

fn check(s: &Suite, m: &Model) {
    for ((who, asset), expected) in &m.balances {
        assert_eq!(
            s.balance(who, asset),
            *expected,
            "balance of {who} in {asset}"
        );
    }
    for asset in [usdc(), AssetInfo::cw20(s.mesi.clone())] {
        let escrowed_by_model: u128 = m
            .tokens
            .iter()
            .filter(|t| t.escrows())
            .filter_map(|t| {
                t.bond
                    .as_ref()
                    .filter(|(a, _)| *a == asset)
                    .map(|(_, amount)| amount)
            })
            .sum();
        let escrowed_by_contract: u128 = m
            .tokens
            .iter()
            .map(|t| s.surprise(&t.id))
            .filter(|x| matches!(x.state, SurpriseState::Sealed | SurpriseState::Unlocked))
            .filter_map(|x| x.bond.filter(|b| b.info == asset).map(|b| b.amount.u128()))
            .sum();
        let held = s.balance(&s.surprises, &asset);
        assert_eq!(
            held, escrowed_by_model,
            "contract holds exactly the escrowed bonds in {asset}"
        );
        assert_eq!(
            held, escrowed_by_contract,
            "the contract's own records agree in {asset}"
        );
    }
    for t in &m.tokens {
        let x = s.surprise(&t.id);
        let state = match t.phase {
            Phase::Sealed => SurpriseState::Sealed,
            Phase::Unlocked => SurpriseState::Unlocked,
            Phase::Revealed => SurpriseState::Revealed,
            Phase::Forfeited => SurpriseState::Forfeited,
        };
        assert_eq!((x.owner, x.state), (s.addr(t.owner), state), "{t:?}");
        assert_eq!(
            x.listing.map(|l| (l.asset, l.price.u128())),
            t.listing.as_ref().map(|l| (l.asset.clone(), l.price))
        );
    }
}

fn run(ops: &[Op]) {
    let mut s = Suite::new();
    let mut tracked: Vec<Addr> = ACCOUNTS.iter().map(|name| s.addr(name)).collect();
    tracked.extend([
        s.addr("alice-payout"),
        s.treasury.clone(),
        s.surprises.clone(),
    ]);
    let mut balances = BTreeMap::new();
    for who in tracked {
        for asset in [usdc(), AssetInfo::cw20(s.mesi.clone())] {
            balances.insert((who.clone(), asset.clone()), s.balance(&who, &asset));
        }
    }
    let mut m = Model {
        tokens: vec![],
        balances,
        minted: 0,
    };
    for op in ops {
        step(&mut s, &mut m, op);
        check(&s, &m);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn balances_equal_escrowed_bonds_and_nobody_is_paid_twice(ops in prop::collection::vec(op(), 1..60)) {
        run(&ops);
    }
}

#[test]
fn a_fixed_long_sequence_reaches_every_state() {
    use Op::*;
    let ops = [
        Mint {
            creator: 0,
            bond: Some((false, 1_000)),
            royalty_bps: 1_000,
        },
        Mint {
            creator: 1,
            bond: Some((true, 2_000)),
            royalty_bps: 0,
        },
        Mint {
            creator: 0,
            bond: None,
            royalty_bps: 333,
        },
        List {
            token: 0,
            cw20: true,
            price: 9_999,
            expires_in: Some(3_600),
        },
        Buy {
            token: 0,
            buyer: 2,
            exact: true,
        },
        List {
            token: 1,
            cw20: false,
            price: 7,
            expires_in: None,
        },
        Buy {
            token: 1,
            buyer: 3,
            exact: true,
        },
        List {
            token: 2,
            cw20: false,
            price: 500,
            expires_in: Some(60),
        },
        Advance { seconds: 3_600 },
        Buy {
            token: 2,
            buyer: 4,
            exact: true,
        },
        Delist {
            token: 2,
            by_owner: false,
        },
        Transfer { token: 2, to: 4 },
        Unlock { token: 0 },
        Unlock { token: 1 },
        Unlock { token: 2 },
        Reveal {
            token: 0,
            correct: false,
        },
        Reveal {
            token: 0,
            correct: true,
        },
        Claim { token: 1 },
        Advance {
            seconds: REVEAL_WINDOW,
        },
        Claim { token: 1 },
        Advance { seconds: 1 },
        Claim { token: 1 },
        Claim { token: 1 },
        Claim { token: 2 },
        Reveal {
            token: 2,
            correct: true,
        },
    ];
    run(&ops);
}
