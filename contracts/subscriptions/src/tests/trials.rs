//! Free trials: once per fan per creator, and paying on top of one.

use cosmwasm_std::Uint128;
use mesi_common::events::subscriptions::SubscriptionAction;

use super::subscribe::carol_tiers;
use super::*;

#[test]
fn trial_once_per_fan_per_creator() {
    let mut suite = Suite::new();
    carol_tiers(&mut suite);
    let dave = suite.dave.clone();
    suite
        .create_tier(
            &dave,
            1,
            suite.usdc(),
            30,
            TierTerms {
                trial_seconds: Some(DAY),
                ..terms(10)
            },
        )
        .unwrap();
    let (carol, fan) = (suite.carol.clone(), suite.fan(0));
    let trial = |creator: &Addr, tier| ExecuteMsg::Trial {
        creator: creator.to_string(),
        tier,
    };

    assert_eq!(
        suite.exec(&fan, &trial(&carol, 2), &[]).unwrap_err(),
        ContractError::NoTrial(2)
    );
    let start = suite.now();
    let res = suite.exec(&fan, &trial(&carol, 1), &[]).unwrap();
    let ev = subscription_event(&res);
    assert_eq!(ev.action, SubscriptionAction::Trial);
    assert_eq!(
        (ev.amount, ev.fee, ev.payout, ev.periods),
        (Uint128::zero(), Uint128::zero(), None, 0)
    );
    assert_eq!((ev.on_trial, ev.auto_renew), (true, false));
    assert_eq!(ev.expires_at, start.plus_seconds(7 * DAY));
    assert!(
        res.events.iter().all(|e| e.ty != "transfer"),
        "a trial moves no funds"
    );
    assert_eq!(
        suite.status(&carol, &fan),
        SubscriptionStatus {
            active: true,
            tier: Some(1),
            expires_at: Some(start.plus_seconds(7 * DAY)),
            auto_renew: false
        }
    );
    assert_eq!(
        suite.exec(&fan, &trial(&carol, 1), &[]).unwrap_err(),
        ContractError::TrialUsed
    );
    // Another creator's trial is separate.
    suite.exec(&fan, &trial(&dave, 1), &[]).unwrap();

    suite.advance(7 * DAY);
    assert!(!suite.status(&carol, &fan).active);
    assert_eq!(
        suite.exec(&fan, &trial(&carol, 1), &[]).unwrap_err(),
        ContractError::TrialUsed
    );
    // Paying after a trial keeps the trial used.
    suite.subscribe_native(&fan, &carol, 1, 1, 1_000).unwrap();
    suite.advance(30 * DAY);
    assert_eq!(
        suite.exec(&fan, &trial(&carol, 1), &[]).unwrap_err(),
        ContractError::TrialUsed
    );
    assert!(suite.subscription(&carol, &fan).unwrap().trial_used);

    // A paying subscriber never had a trial but cannot take one while active.
    let other = suite.fan(1);
    suite.subscribe_native(&other, &carol, 1, 1, 1_000).unwrap();
    assert_eq!(
        suite.exec(&other, &trial(&carol, 1), &[]).unwrap_err(),
        ContractError::TrialWhileActive
    );
    suite.advance(30 * DAY);
    suite.exec(&other, &trial(&carol, 1), &[]).unwrap();
}

#[test]
fn paying_during_a_trial_stacks_on_it() {
    let mut suite = Suite::new();
    carol_tiers(&mut suite);
    let (carol, fan) = (suite.carol.clone(), suite.fan(0));
    let start = suite.now();
    suite
        .exec(
            &fan,
            &ExecuteMsg::Trial {
                creator: carol.to_string(),
                tier: 1,
            },
            &[],
        )
        .unwrap();
    suite.advance(DAY);
    let ev = subscription_event(&suite.subscribe_native(&fan, &carol, 1, 1, 1_000).unwrap());
    assert_eq!(ev.expires_at, start.plus_seconds(37 * DAY));
    assert!(!ev.on_trial);
    assert_eq!(suite.tier(&carol, 1).counted_subscribers, 1);
}
