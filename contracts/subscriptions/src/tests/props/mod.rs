//! Random sequences of every operation, with time advancing, checked against a model after
//! each step: outcome (accepted or refused), every fan's status, the state rebuilt from events,
//! balances of everyone involved, subscriber counts, and a contract that holds nothing.

mod model;

use std::collections::BTreeMap;

use cosmwasm_std::Uint128;
use mesi_common::events::AnyEvent;
use proptest::prelude::*;

use super::*;
use model::{
    def, op_strategy, tier_terms, Ledger, Model, Op, FANS, NANOS, START_ALLOWANCES, TIER_DEFS,
};

fn execute_op(suite: &mut Suite, model: &Model, op: &Op) -> Result<AppResponse, AnyError> {
    let carol = suite.carol.clone();
    let creator = carol.to_string();
    let now = suite.now().nanos();
    let pay = |suite: &mut Suite,
               fan: usize,
               mesi: bool,
               amount: u128,
               hook: ReceiveMsg,
               msg: ExecuteMsg| {
        let fan = suite.fan(fan);
        if mesi {
            let (mesi, subs) = (suite.mesi(), suite.subs.clone());
            suite.platform.send_cw20(&fan, &mesi, &subs, amount, &hook)
        } else {
            suite.exec_any(&fan, &msg, &[Coin::new(amount, USDC)])
        }
    };
    match *op {
        Op::Subscribe {
            fan,
            tier,
            bundle,
            auto_renew,
            max,
        } => {
            let price = model.price(tier);
            let max = Uint128::new([price - 1, price, price + 3_000][max as usize]);
            let (periods, amount) = model.purchase(tier, bundle);
            let hook = ReceiveMsg::Subscribe {
                creator: creator.clone(),
                tier,
                periods,
                max_price_per_period: max,
                auto_renew,
            };
            let msg = ExecuteMsg::Subscribe {
                creator,
                tier,
                periods,
                max_price_per_period: max,
                auto_renew,
            };
            pay(suite, fan, def(tier).mesi, amount, hook, msg)
        }
        Op::Extend { fan, bundle } => {
            // Without a subscription, pay as for tier 1 (refused either way).
            let tier = model.subs[fan].map_or(1, |s| s.tier);
            let (periods, amount) = model.purchase(tier, bundle);
            let max = Uint128::new(model.price(tier));
            let hook = ReceiveMsg::Extend {
                creator: creator.clone(),
                periods,
                max_price_per_period: max,
            };
            let msg = ExecuteMsg::Extend {
                creator,
                periods,
                max_price_per_period: max,
            };
            pay(suite, fan, def(tier).mesi, amount, hook, msg)
        }
        Op::Upgrade {
            fan,
            to_tier,
            overpay,
        } => {
            let amount = model.upgrade_cost(fan, to_tier, now).unwrap_or(1) + overpay;
            let max = Uint128::MAX;
            let hook = ReceiveMsg::Upgrade {
                creator: creator.clone(),
                to_tier,
                max_price_per_period: max,
            };
            let msg = ExecuteMsg::Upgrade {
                creator,
                to_tier,
                max_price_per_period: max,
            };
            pay(suite, fan, def(to_tier).mesi, amount, hook, msg)
        }
        Op::Trial { fan, tier } => {
            suite.exec_any(&suite.fan(fan), &ExecuteMsg::Trial { creator, tier }, &[])
        }
        Op::Cancel { fan } => suite.exec_any(&suite.fan(fan), &ExecuteMsg::Cancel { creator }, &[]),
        Op::Renew { fan } => {
            let keeper = suite.addr("keeper");
            suite.exec_any(
                &keeper,
                &ExecuteMsg::Renew {
                    creator,
                    fan: suite.fan(fan).to_string(),
                },
                &[],
            )
        }
        Op::SetPrice { tier, price } => suite.exec_any(
            &carol,
            &ExecuteMsg::UpdateTier {
                tier,
                terms: tier_terms(def(tier), price),
            },
            &[],
        ),
        Op::Release { tier } => {
            let keeper = suite.addr("keeper");
            suite.exec_any(
                &keeper,
                &ExecuteMsg::ReleaseExpired {
                    creator,
                    tier,
                    limit: None,
                },
                &[],
            )
        }
        Op::Advance { .. } | Op::AdvanceToExpiry { .. } => {
            unreachable!("time steps are not messages")
        }
    }
}

fn run_sequence(fee_bps: u16, ops: Vec<Op>) {
    let mut suite = Suite::with_fans(FANS);
    suite.set_fee(fee_bps);
    let carol = suite.carol.clone();
    for d in &TIER_DEFS {
        let asset = if d.mesi {
            suite.mesi_asset()
        } else {
            suite.usdc()
        };
        suite
            .create_tier(
                &carol,
                d.level,
                asset,
                d.period_days,
                tier_terms(d, d.price),
            )
            .unwrap();
    }
    for (i, allowance) in START_ALLOWANCES.iter().enumerate() {
        suite.approve(&suite.fan(i), *allowance);
    }
    let mut model = Model {
        fee_bps,
        prices: TIER_DEFS.map(|d| d.price),
        subs: [None; FANS],
        counted: Default::default(),
        allowances: START_ALLOWANCES,
        ledger: Ledger::default(),
        fans: suite.fans.clone(),
    };
    // (tier, expires_at, auto_renew) per fan, rebuilt from events only.
    let mut from_events: BTreeMap<Addr, (u32, Timestamp, bool)> = BTreeMap::new();

    // Everyone starts with something to renew, extend, upgrade or cancel.
    let opening = [
        Op::Subscribe {
            fan: 0,
            tier: 1,
            bundle: false,
            auto_renew: true,
            max: 2,
        },
        Op::Subscribe {
            fan: 1,
            tier: 2,
            bundle: false,
            auto_renew: true,
            max: 1,
        },
        Op::Trial { fan: 2, tier: 2 },
        Op::Subscribe {
            fan: 3,
            tier: 3,
            bundle: true,
            auto_renew: false,
            max: 2,
        },
    ];
    for (step, op) in opening.iter().chain(&ops).enumerate() {
        match *op {
            Op::Advance { seconds } => suite.advance(seconds),
            Op::AdvanceToExpiry {
                fan,
                offset_seconds,
            } => {
                if let Some(sub) = model.subs[fan] {
                    let target = sub
                        .expires
                        .saturating_add_signed(offset_seconds * NANOS as i64);
                    if target > suite.now().nanos() {
                        suite.set_time(Timestamp::from_nanos(target));
                    }
                }
            }
            _ => {
                let now = suite.now().nanos();
                // Payments are computed from the state before the operation.
                let result = execute_op(&mut suite, &model, op);
                let expected = model.apply(op, now);
                assert_eq!(
                    result.is_ok(),
                    expected,
                    "step {step}: {op:?} -> {result:?}"
                );
                if let Ok(res) = result {
                    for ev in mesi_events(&res) {
                        if let AnyEvent::Subscription(ev) = ev {
                            assert_eq!(ev.fee + ev.creator_amount, ev.amount);
                            from_events.insert(ev.fan, (ev.tier, ev.expires_at, ev.auto_renew));
                        }
                    }
                }
            }
        }
        check(&suite, &model, &from_events, step, op);
    }
}

fn check(
    suite: &Suite,
    model: &Model,
    from_events: &BTreeMap<Addr, (u32, Timestamp, bool)>,
    step: usize,
    op: &Op,
) {
    suite.assert_holds_nothing();
    let now = suite.now().nanos();
    let carol = &suite.carol;
    for (i, fan) in suite.fans.iter().enumerate() {
        let status = suite.status(carol, fan);
        let expected = match model.subs[i] {
            Some(s) => SubscriptionStatus {
                active: now < s.expires,
                tier: Some(s.tier),
                expires_at: Some(Timestamp::from_nanos(s.expires)),
                auto_renew: s.auto_renew,
            },
            None => SubscriptionStatus {
                active: false,
                tier: None,
                expires_at: None,
                auto_renew: false,
            },
        };
        assert_eq!(status, expected, "step {step} after {op:?}: fan {i}");
        let rebuilt = from_events
            .get(fan)
            .map(|(tier, expires_at, auto_renew)| (Some(*tier), Some(*expires_at), *auto_renew));
        assert_eq!(
            rebuilt.unwrap_or((None, None, false)),
            (status.tier, status.expires_at, status.auto_renew)
        );
        assert_eq!(
            suite.allowance(fan),
            model.allowances[i],
            "step {step}: allowance of fan {i}"
        );
        let spent = model.ledger.fan_spent[i];
        assert_eq!(
            suite.native_balance(fan, USDC),
            FAN_FUNDS - spent[0],
            "step {step}: USDC of fan {i}"
        );
        assert_eq!(
            suite.token_balance(&suite.mesi(), fan),
            FAN_FUNDS - spent[1],
            "step {step}: MESI of fan {i}"
        );
    }
    assert_eq!(
        suite.native_balance(&suite.treasury(), USDC),
        model.ledger.treasury[0]
    );
    assert_eq!(
        suite.token_balance(&suite.mesi(), &suite.treasury()),
        model.ledger.treasury[1]
    );
    assert_eq!(
        suite.native_balance(&suite.carol_payout, USDC),
        model.ledger.payout[0]
    );
    assert_eq!(
        suite.token_balance(&suite.mesi(), &suite.carol_payout),
        model.ledger.payout[1]
    );
    for d in &TIER_DEFS {
        let counted = &model.counted[d.level as usize - 1];
        assert_eq!(
            suite.tier(carol, d.level).counted_subscribers,
            counted.len() as u32,
            "step {step}: tier {}",
            d.level
        );
        if let Some(cap) = d.cap {
            assert!(model.active_in(d.level, now) <= cap, "cap exceeded");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_operations_match_the_model(
        fee_bps in prop::sample::select(vec![0u16, 250, 1_000, 2_000]),
        ops in prop::collection::vec(op_strategy(), 1..60),
    ) {
        run_sequence(fee_bps, ops);
    }
}
