//! Subscriber caps: counting active subscribers and releasing expired ones.

use mesi_common::events::subscriptions::SubscribersReleased;
use mesi_common::events::AnyEvent;

use super::*;

#[test]
fn subscriber_cap_counts_active_subscribers() {
    let mut suite = Suite::with_fans(4);
    let carol = suite.carol.clone();
    let capped = TierTerms {
        subscriber_cap: Some(2),
        ..terms(100)
    };
    suite
        .create_tier(&carol, 1, suite.usdc(), 30, capped.clone())
        .unwrap();
    let start = suite.now();
    suite
        .subscribe_native(&suite.fan(0), &carol, 1, 1, 100)
        .unwrap();
    suite.advance(DAY / 2);
    suite
        .subscribe_native(&suite.fan(1), &carol, 1, 1, 100)
        .unwrap();
    assert_eq!(
        suite
            .subscribe_native(&suite.fan(2), &carol, 1, 1, 100)
            .unwrap_err(),
        ContractError::CapReached { cap: 2 }
    );
    // Stacking keeps one's own slot.
    suite
        .subscribe_native(&suite.fan(1), &carol, 1, 1, 100)
        .unwrap();
    assert_eq!(suite.tier(&carol, 1).counted_subscribers, 2);

    // Fan 0's period ends exactly now: its slot is released by the next purchase.
    suite.set_time(start.plus_seconds(30 * DAY));
    suite
        .subscribe_native(&suite.fan(2), &carol, 1, 1, 100)
        .unwrap();
    assert_eq!(suite.tier(&carol, 1).counted_subscribers, 2);
    assert_eq!(
        suite
            .subscribe_native(&suite.fan(3), &carol, 1, 1, 100)
            .unwrap_err(),
        ContractError::CapReached { cap: 2 }
    );
    // The released subscriber comes back: still full.
    assert_eq!(
        suite
            .subscribe_native(&suite.fan(0), &carol, 1, 1, 100)
            .unwrap_err(),
        ContractError::CapReached { cap: 2 }
    );

    // Raising the cap makes room at once.
    let raised = TierTerms {
        subscriber_cap: Some(3),
        ..capped
    };
    suite
        .exec(
            &carol,
            &ExecuteMsg::UpdateTier {
                tier: 1,
                terms: raised,
            },
            &[],
        )
        .unwrap();
    suite
        .subscribe_native(&suite.fan(3), &carol, 1, 1, 100)
        .unwrap();
    assert_eq!(suite.tier(&carol, 1).counted_subscribers, 3);
    suite.assert_holds_nothing();
}

#[test]
fn free_trials_never_take_a_capped_seat() {
    let mut suite = Suite::with_fans(4);
    let carol = suite.carol.clone();
    let capped_with_trial = TierTerms {
        subscriber_cap: Some(2),
        trial_seconds: Some(7 * DAY),
        ..terms(100)
    };
    // A capped tier offers no trial, neither when created nor when changed.
    assert_eq!(
        suite
            .create_tier(&carol, 1, suite.usdc(), 30, capped_with_trial.clone())
            .unwrap_err(),
        ContractError::TrialOnCappedTier
    );
    suite
        .create_tier(
            &carol,
            1,
            suite.usdc(),
            30,
            TierTerms {
                trial_seconds: None,
                ..capped_with_trial.clone()
            },
        )
        .unwrap();
    suite
        .create_tier(
            &carol,
            2,
            suite.usdc(),
            30,
            TierTerms {
                subscriber_cap: None,
                ..capped_with_trial.clone()
            },
        )
        .unwrap();
    assert_eq!(
        suite
            .exec(
                &carol,
                &ExecuteMsg::UpdateTier {
                    tier: 2,
                    terms: capped_with_trial.clone()
                },
                &[]
            )
            .unwrap_err(),
        ContractError::TrialOnCappedTier
    );

    // A tier stored with both (before the rule) gives no trials either.
    {
        let mut storage = suite.platform.app.contract_storage_mut(&suite.subs);
        let mut tier = crate::state::TIERS.load(&*storage, (&carol, 1)).unwrap();
        tier.trial_seconds = Some(7 * DAY);
        crate::state::TIERS
            .save(&mut *storage, (&carol, 1), &tier)
            .unwrap();
    }
    // Fresh addresses cost nothing; however many try, the seats stay with paying fans.
    for i in 0..20 {
        let fresh = suite.addr(&format!("fresh{i}"));
        assert_eq!(
            suite.trial(&fresh, &carol, 1).unwrap_err(),
            ContractError::TrialOnCappedTier
        );
    }
    assert_eq!(suite.tier(&carol, 1).counted_subscribers, 0);
    suite
        .subscribe_native(&suite.fan(0), &carol, 1, 1, 100)
        .unwrap();
    suite
        .subscribe_native(&suite.fan(1), &carol, 1, 1, 100)
        .unwrap();
    assert_eq!(suite.tier(&carol, 1).counted_subscribers, 2);
    // The uncapped tier still offers its trial.
    suite.trial(&suite.fan(2), &carol, 2).unwrap();
}

#[test]
fn anyone_releases_expired_subscribers() {
    let mut suite = Suite::with_fans(4);
    let carol = suite.carol.clone();
    suite
        .create_tier(&carol, 1, suite.usdc(), 30, terms(100))
        .unwrap();
    let release = |limit| ExecuteMsg::ReleaseExpired {
        creator: carol.to_string(),
        tier: 1,
        limit,
    };
    let keeper = suite.addr("keeper");
    for i in 0..4 {
        suite
            .subscribe_native(&suite.fan(i), &carol, 1, 1, 100)
            .unwrap();
        suite.advance(DAY);
    }
    assert_eq!(
        suite.exec(&keeper, &release(None), &[]).unwrap_err(),
        ContractError::NothingToRelease
    );
    // Two of the four have expired.
    suite.advance(27 * DAY);
    let res = suite.exec(&keeper, &release(Some(1)), &[]).unwrap();
    assert_eq!(
        mesi_events(&res),
        vec![AnyEvent::SubscribersReleased(SubscribersReleased {
            creator: carol.clone(),
            tier: 1,
            released: 1,
            counted: 3
        })]
    );
    let res = suite.exec(&keeper, &release(None), &[]).unwrap();
    assert_eq!(
        mesi_events(&res),
        vec![AnyEvent::SubscribersReleased(SubscribersReleased {
            creator: carol.clone(),
            tier: 1,
            released: 1,
            counted: 2
        })]
    );
    assert_eq!(
        suite.exec(&keeper, &release(None), &[]).unwrap_err(),
        ContractError::NothingToRelease
    );
    assert_eq!(suite.tier(&carol, 1).counted_subscribers, 2);
    // A released fan coming back takes a slot again and the count stays exact.
    suite
        .subscribe_native(&suite.fan(0), &carol, 1, 1, 100)
        .unwrap();
    assert_eq!(suite.tier(&carol, 1).counted_subscribers, 3);
}

#[test]
fn lowered_caps_release_several_expired_entries_at_once() {
    let mut suite = Suite::with_fans(6);
    let carol = suite.carol.clone();
    suite
        .create_tier(&carol, 1, suite.usdc(), 30, terms(100))
        .unwrap();
    for i in 0..5 {
        suite
            .subscribe_native(&suite.fan(i), &carol, 1, 1, 100)
            .unwrap();
    }
    suite
        .exec(
            &carol,
            &ExecuteMsg::UpdateTier {
                tier: 1,
                terms: TierTerms {
                    subscriber_cap: Some(2),
                    ..terms(100)
                },
            },
            &[],
        )
        .unwrap();
    assert_eq!(
        suite
            .subscribe_native(&suite.fan(5), &carol, 1, 1, 100)
            .unwrap_err(),
        ContractError::CapReached { cap: 2 }
    );
    suite.advance(30 * DAY);
    // Four expired entries are released (one more than needed), the last one later.
    suite
        .subscribe_native(&suite.fan(5), &carol, 1, 1, 100)
        .unwrap();
    assert_eq!(suite.tier(&carol, 1).counted_subscribers, 2);
}
