//! Buying access: `Subscribe` and `Extend` in native coins and through the CW20 hook, bundles,
//! stacking, price limits and who may be paid.

use cosmwasm_std::{Timestamp, Uint128};
use mesi_common::events::subscriptions::SubscriptionAction;

use super::*;

/// Carol sells tier 1 in USDC (1_000 per 30 days, bundles of 3 at 10% and 12 at 25%, a 7-day
/// trial) and tier 2 in MESI (3_000 per 30 days).
pub(super) fn carol_tiers(suite: &mut Suite) {
    let carol = suite.carol.clone();
    let usdc_terms = TierTerms {
        bundles: vec![bundle(3, 1_000), bundle(12, 2_500)],
        trial_seconds: Some(7 * DAY),
        ..terms(1_000)
    };
    suite
        .create_tier(&carol, 1, suite.usdc(), 30, usdc_terms)
        .unwrap();
    suite
        .create_tier(&carol, 2, suite.mesi_asset(), 30, terms(3_000))
        .unwrap();
}

pub(super) fn subscribe_msg(
    creator: &Addr,
    tier: u32,
    periods: u32,
    max: u128,
    auto_renew: bool,
) -> ReceiveMsg {
    ReceiveMsg::Subscribe {
        creator: creator.to_string(),
        tier,
        periods,
        max_price_per_period: Uint128::new(max),
        auto_renew,
    }
}

#[test]
fn native_subscription_pays_out_at_once_and_ends_exactly_at_expiry() {
    let mut suite = Suite::new();
    carol_tiers(&mut suite);
    let (carol, fan) = (suite.carol.clone(), suite.fan(0));
    let start = suite.now();
    let res = suite.subscribe_native(&fan, &carol, 1, 1, 1_000).unwrap();

    assert_eq!(suite.native_balance(&fan, USDC), FAN_FUNDS - 1_000);
    assert_eq!(suite.native_balance(&suite.treasury(), USDC), 100);
    assert_eq!(suite.native_balance(&suite.carol_payout, USDC), 900);
    suite.assert_holds_nothing();

    let expires_at = start.plus_seconds(30 * DAY);
    let ev = subscription_event(&res);
    assert_eq!(ev.action, SubscriptionAction::Subscribed);
    assert_eq!(
        (ev.creator, ev.fan.clone(), ev.sender),
        (carol.clone(), fan.clone(), fan.clone())
    );
    assert_eq!((ev.tier, ev.from_tier, ev.periods), (1, None, 1));
    assert_eq!(ev.asset, suite.usdc());
    assert_eq!(
        (ev.amount, ev.fee, ev.creator_amount),
        (Uint128::new(1_000), Uint128::new(100), Uint128::new(900))
    );
    assert_eq!(ev.payout, Some(suite.carol_payout.clone()));
    assert_eq!(
        (ev.expires_at, ev.auto_renew, ev.on_trial, ev.refunded),
        (expires_at, false, false, None)
    );
    assert_eq!(ev.max_price_per_period, Uint128::MAX);

    let active = SubscriptionStatus {
        active: true,
        tier: Some(1),
        expires_at: Some(expires_at),
        auto_renew: false,
    };
    assert_eq!(suite.status(&carol, &fan), active);
    suite.set_time(expires_at.minus_nanos(1));
    assert_eq!(suite.status(&carol, &fan), active);
    suite.set_time(expires_at);
    assert_eq!(
        suite.status(&carol, &fan),
        SubscriptionStatus {
            active: false,
            ..active
        }
    );
    assert_eq!(
        suite.tier(&carol, 1).counted_subscribers,
        1,
        "released lazily"
    );
}

#[test]
fn cw20_subscription_through_the_receive_hook() {
    let mut suite = Suite::new();
    carol_tiers(&mut suite);
    let (carol, fan, mesi) = (suite.carol.clone(), suite.fan(0), suite.mesi());
    let start = suite.now();
    suite
        .send_cw20(
            &mesi,
            &fan,
            3_000,
            &subscribe_msg(&carol, 2, 1, 3_000, true),
        )
        .unwrap();
    assert_eq!(suite.token_balance(&mesi, &fan), FAN_FUNDS - 3_000);
    assert_eq!(suite.token_balance(&mesi, &suite.treasury()), 300);
    assert_eq!(suite.token_balance(&mesi, &suite.carol_payout), 2_700);
    suite.assert_holds_nothing();
    assert_eq!(
        suite.status(&carol, &fan),
        SubscriptionStatus {
            active: true,
            tier: Some(2),
            expires_at: Some(start.plus_seconds(30 * DAY)),
            auto_renew: true
        }
    );
    let info = suite.subscription(&carol, &fan).unwrap();
    assert_eq!(info.max_price_per_period, Uint128::new(3_000));
}

#[test]
fn auto_renew_needs_a_cw20_tier() {
    let mut suite = Suite::new();
    carol_tiers(&mut suite);
    let (carol, fan) = (suite.carol.clone(), suite.fan(0));
    let msg = ExecuteMsg::Subscribe {
        creator: carol.to_string(),
        tier: 1,
        periods: 1,
        max_price_per_period: Uint128::new(1_000),
        auto_renew: true,
    };
    assert_eq!(
        suite
            .exec(&fan, &msg, &[Coin::new(1_000u128, USDC)])
            .unwrap_err(),
        ContractError::AutoRenewNeedsCw20(suite.usdc())
    );
}

#[test]
fn bundles_are_discounted_and_stack() {
    let mut suite = Suite::new();
    carol_tiers(&mut suite);
    let (carol, fan) = (suite.carol.clone(), suite.fan(0));
    let start = suite.now();
    // 3 periods: 3_000 - 10% = 2_700.
    assert_eq!(
        suite
            .subscribe_native(&fan, &carol, 1, 3, 3_000)
            .unwrap_err(),
        ContractError::WrongAmount {
            expected: Uint128::new(2_700),
            paid: Uint128::new(3_000)
        }
    );
    let res = suite.subscribe_native(&fan, &carol, 1, 3, 2_700).unwrap();
    let ev = subscription_event(&res);
    assert_eq!(
        (ev.periods, ev.amount, ev.fee),
        (3, Uint128::new(2_700), Uint128::new(270))
    );
    assert_eq!(ev.expires_at, start.plus_seconds(90 * DAY));
    // 12 more, stacked: 12_000 - 25% = 9_000.
    suite.advance(DAY);
    let ev = subscription_event(&suite.subscribe_native(&fan, &carol, 1, 12, 9_000).unwrap());
    assert_eq!(ev.expires_at, start.plus_seconds(450 * DAY));
    assert_eq!(suite.native_balance(&fan, USDC), FAN_FUNDS - 11_700);
    assert_eq!(
        suite.native_balance(&suite.treasury(), USDC)
            + suite.native_balance(&suite.carol_payout, USDC),
        11_700
    );
    for periods in [0, 2, 6] {
        assert_eq!(
            suite
                .subscribe_native(&fan, &carol, 1, periods, 1_000)
                .unwrap_err(),
            ContractError::InvalidPeriods(periods)
        );
    }
    suite.assert_holds_nothing();
}

#[test]
fn prepaying_is_limited_to_about_ten_years() {
    let mut suite = Suite::new();
    let carol = suite.carol.clone();
    let fan = suite.fan(0);
    suite
        .create_tier(
            &carol,
            1,
            suite.usdc(),
            366,
            TierTerms {
                bundles: vec![bundle(9, 0)],
                ..terms(1)
            },
        )
        .unwrap();
    suite.subscribe_native(&fan, &carol, 1, 9, 9).unwrap();
    // 10 periods of 366 days are exactly the limit; one more period is not.
    suite.subscribe_native(&fan, &carol, 1, 1, 1).unwrap();
    assert_eq!(
        suite.subscribe_native(&fan, &carol, 1, 1, 1).unwrap_err(),
        ContractError::PrepaidTooFar {
            max_seconds: crate::pricing::MAX_PREPAID_SECONDS
        }
    );
}

#[test]
fn subscribe_while_active_stacks_on_the_same_tier_only() {
    let mut suite = Suite::new();
    carol_tiers(&mut suite);
    let (carol, fan, mesi) = (suite.carol.clone(), suite.fan(0), suite.mesi());
    let start = suite.now();
    suite.subscribe_native(&fan, &carol, 1, 1, 1_000).unwrap();
    assert_eq!(
        suite
            .send_cw20(
                &mesi,
                &fan,
                3_000,
                &subscribe_msg(&carol, 2, 1, 3_000, false)
            )
            .unwrap_err(),
        ContractError::SubscribedToOtherTier(1)
    );
    suite.advance(10 * DAY);
    suite.subscribe_native(&fan, &carol, 1, 1, 1_000).unwrap();
    assert_eq!(
        suite.status(&carol, &fan).expires_at,
        Some(start.plus_seconds(60 * DAY))
    );
    assert_eq!(suite.tier(&carol, 1).counted_subscribers, 1);

    // After expiry another tier starts now.
    suite.set_time(start.plus_seconds(60 * DAY));
    let now = suite.now();
    suite
        .send_cw20(
            &mesi,
            &fan,
            3_000,
            &subscribe_msg(&carol, 2, 1, 3_000, false),
        )
        .unwrap();
    assert_eq!(suite.status(&carol, &fan).tier, Some(2));
    assert_eq!(
        suite.status(&carol, &fan).expires_at,
        Some(now.plus_seconds(30 * DAY))
    );
    assert_eq!(suite.tier(&carol, 1).counted_subscribers, 0);
    assert_eq!(suite.tier(&carol, 2).counted_subscribers, 1);
}

#[test]
fn the_fan_states_the_highest_price_they_accept() {
    let mut suite = Suite::new();
    carol_tiers(&mut suite);
    let (carol, fan) = (suite.carol.clone(), suite.fan(0));
    // The creator raises the price just before the fan's purchase lands.
    suite
        .exec(
            &carol,
            &ExecuteMsg::UpdateTier {
                tier: 1,
                terms: terms(1_200),
            },
            &[],
        )
        .unwrap();
    let msg = |periods, max| ExecuteMsg::Subscribe {
        creator: carol.to_string(),
        tier: 1,
        periods,
        max_price_per_period: Uint128::new(max),
        auto_renew: false,
    };
    assert_eq!(
        suite
            .exec(&fan, &msg(1, 1_000), &[Coin::new(1_200u128, USDC)])
            .unwrap_err(),
        ContractError::PriceAboveMax {
            price: Uint128::new(1_200),
            max: Uint128::new(1_000)
        }
    );
    suite
        .exec(&fan, &msg(1, 1_200), &[Coin::new(1_200u128, USDC)])
        .unwrap();
    let extend = |max| ExecuteMsg::Extend {
        creator: carol.to_string(),
        periods: 1,
        max_price_per_period: Uint128::new(max),
    };
    assert_eq!(
        suite
            .exec(&fan, &extend(1_199), &[Coin::new(1_200u128, USDC)])
            .unwrap_err(),
        ContractError::PriceAboveMax {
            price: Uint128::new(1_200),
            max: Uint128::new(1_199)
        }
    );
}

#[test]
fn extend_stacks_or_restarts_and_keeps_renewal_terms() {
    let mut suite = Suite::new();
    carol_tiers(&mut suite);
    let (carol, fan, mesi) = (suite.carol.clone(), suite.fan(0), suite.mesi());
    let extend = |periods| ReceiveMsg::Extend {
        creator: carol.to_string(),
        periods,
        max_price_per_period: Uint128::new(3_000),
    };
    assert_eq!(
        suite.send_cw20(&mesi, &fan, 3_000, &extend(1)).unwrap_err(),
        ContractError::NoSubscription
    );

    let start = suite.now();
    suite
        .send_cw20(
            &mesi,
            &fan,
            3_000,
            &subscribe_msg(&carol, 2, 1, 3_500, true),
        )
        .unwrap();
    suite.advance(5 * DAY);
    let res = suite.send_cw20(&mesi, &fan, 3_000, &extend(1)).unwrap();
    let ev = subscription_event(&res);
    assert_eq!(ev.action, SubscriptionAction::Extended);
    assert_eq!(
        (ev.periods, ev.expires_at),
        (1, start.plus_seconds(60 * DAY))
    );
    assert_eq!(
        (ev.auto_renew, ev.max_price_per_period),
        (true, Uint128::new(3_500)),
        "renewal terms unchanged"
    );

    suite.set_time(start.plus_seconds(100 * DAY));
    let now = suite.now();
    let ev = subscription_event(&suite.send_cw20(&mesi, &fan, 3_000, &extend(1)).unwrap());
    assert_eq!(
        ev.expires_at,
        now.plus_seconds(30 * DAY),
        "expired: starts now"
    );
    assert_eq!(suite.tier(&carol, 2).counted_subscribers, 1);
    assert_eq!(suite.token_balance(&mesi, &fan), FAN_FUNDS - 9_000);
    suite.assert_holds_nothing();
}

#[test]
fn inactive_creators_take_no_new_payments_but_fans_may_cancel() {
    let mut suite = Suite::new();
    carol_tiers(&mut suite);
    let (carol, fan, mesi) = (suite.carol.clone(), suite.fan(0), suite.mesi());
    suite
        .send_cw20(
            &mesi,
            &fan,
            3_000,
            &subscribe_msg(&carol, 2, 1, 3_000, true),
        )
        .unwrap();
    suite.set_creator_active(&carol, false);
    let inactive = ContractError::CreatorInactive(carol.to_string());
    assert_eq!(
        suite
            .subscribe_native(&suite.fan(1), &carol, 1, 1, 1_000)
            .unwrap_err(),
        inactive
    );
    assert_eq!(
        suite
            .exec(
                &suite.fan(1),
                &ExecuteMsg::Trial {
                    creator: carol.to_string(),
                    tier: 1
                },
                &[]
            )
            .unwrap_err(),
        inactive
    );
    let extend = ReceiveMsg::Extend {
        creator: carol.to_string(),
        periods: 1,
        max_price_per_period: Uint128::new(3_000),
    };
    assert_eq!(
        suite.send_cw20(&mesi, &fan, 3_000, &extend).unwrap_err(),
        inactive
    );
    assert!(suite.status(&carol, &fan).active);
    suite
        .exec(
            &fan,
            &ExecuteMsg::Cancel {
                creator: carol.to_string(),
            },
            &[],
        )
        .unwrap();
    suite.set_creator_active(&carol, true);
    suite
        .subscribe_native(&suite.fan(1), &carol, 1, 1, 1_000)
        .unwrap();
}

#[test]
fn unknown_creators_and_tiers() {
    let mut suite = Suite::new();
    carol_tiers(&mut suite);
    let fan = suite.fan(0);
    let stranger = suite.addr("stranger");
    assert_eq!(
        suite
            .subscribe_native(&fan, &stranger, 1, 1, 1_000)
            .unwrap_err(),
        ContractError::TierNotFound(1)
    );
    assert_eq!(
        suite
            .subscribe_native(&fan, &suite.carol.clone(), 7, 1, 1_000)
            .unwrap_err(),
        ContractError::TierNotFound(7)
    );
    let err = suite
        .subscribe_native(&fan, &Addr::unchecked("not an address"), 1, 1, 1_000)
        .unwrap_err();
    assert!(matches!(err, ContractError::Std(_)), "{err:?}");
}

#[test]
fn status_flips_exactly_at_expiry_after_each_kind_of_purchase() {
    let mut suite = Suite::new();
    carol_tiers(&mut suite);
    let (carol, fan) = (suite.carol.clone(), suite.fan(0));
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
    let check_flip = |suite: &mut Suite| {
        let expires_at: Timestamp = suite.status(&carol, &fan).expires_at.unwrap();
        suite.set_time(expires_at.minus_nanos(1));
        assert!(suite.status(&carol, &fan).active);
        suite.set_time(expires_at);
        assert!(!suite.status(&carol, &fan).active);
    };
    check_flip(&mut suite);
    suite.subscribe_native(&fan, &carol, 1, 3, 2_700).unwrap();
    check_flip(&mut suite);
    let extend = ExecuteMsg::Extend {
        creator: carol.to_string(),
        periods: 12,
        max_price_per_period: Uint128::new(1_000),
    };
    suite
        .exec(&fan, &extend, &[Coin::new(9_000u128, USDC)])
        .unwrap();
    check_flip(&mut suite);
}
