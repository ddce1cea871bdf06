use cosmwasm_std::Uint128;
use mesi_common::events::subscriptions::SubscriptionAction;

use super::*;
use crate::msg::QuoteResponse;

/// Carol's tiers. USDC: 1 (1_000 / 30 days, 7-day trial), 3 (2_500 / 30 days),
/// 4 (100_000 / 366 days), 6 (500 / 30 days), 7 (5_000 / 30 days, cap 1).
/// MESI: 5 (3_000 / 30 days), 8 (6_000 / 30 days).
fn carol_tiers(suite: &mut Suite) {
    let carol = suite.carol.clone();
    let (usdc, mesi) = (suite.usdc(), suite.mesi_asset());
    suite
        .create_tier(
            &carol,
            1,
            usdc.clone(),
            30,
            TierTerms {
                trial_seconds: Some(7 * DAY),
                ..terms(1_000)
            },
        )
        .unwrap();
    suite
        .create_tier(&carol, 3, usdc.clone(), 30, terms(2_500))
        .unwrap();
    suite
        .create_tier(&carol, 4, usdc.clone(), 366, terms(100_000))
        .unwrap();
    suite
        .create_tier(&carol, 6, usdc.clone(), 30, terms(500))
        .unwrap();
    suite
        .create_tier(
            &carol,
            7,
            usdc,
            30,
            TierTerms {
                subscriber_cap: Some(1),
                ..terms(5_000)
            },
        )
        .unwrap();
    suite
        .create_tier(&carol, 5, mesi.clone(), 30, terms(3_000))
        .unwrap();
    suite
        .create_tier(&carol, 8, mesi, 30, terms(6_000))
        .unwrap();
}

fn upgrade_msg(creator: &Addr, to_tier: u32) -> ExecuteMsg {
    ExecuteMsg::Upgrade {
        creator: creator.to_string(),
        to_tier,
        max_price_per_period: Uint128::new(1_000_000),
    }
}

fn quote(suite: &Suite, fan: &Addr, to_tier: u32) -> u128 {
    let res: QuoteResponse = suite
        .app
        .wrap()
        .query_wasm_smart(
            &suite.subs,
            &QueryMsg::UpgradeQuote {
                creator: suite.carol.to_string(),
                fan: fan.to_string(),
                to_tier,
            },
        )
        .unwrap();
    res.amount.u128()
}

#[test]
fn upgrade_pays_the_pro_rata_difference_and_keeps_the_expiry() {
    let mut suite = Suite::new();
    carol_tiers(&mut suite);
    let (carol, fan) = (suite.carol.clone(), suite.fan(0));
    let start = suite.now();
    suite.subscribe_native(&fan, &carol, 1, 1, 1_000).unwrap();
    suite.advance(10 * DAY);
    // 20 of 30 days left: ceil(2_500 * 20 / 30) = 1_667 at the new price, less the unused
    // floor(1_000 * 20 / 30) = 666 of what the fan paid.
    assert_eq!(quote(&suite, &fan, 3), 1_001);
    let res = suite
        .exec(&fan, &upgrade_msg(&carol, 3), &[Coin::new(1_001u128, USDC)])
        .unwrap();
    let ev = subscription_event(&res);
    assert_eq!(ev.action, SubscriptionAction::Upgraded);
    assert_eq!((ev.from_tier, ev.tier, ev.periods), (Some(1), 3, 0));
    assert_eq!(
        (ev.amount, ev.fee, ev.creator_amount, ev.refunded),
        (
            Uint128::new(1_001),
            Uint128::new(100),
            Uint128::new(901),
            None
        )
    );
    assert_eq!(ev.expires_at, start.plus_seconds(30 * DAY));
    assert_eq!(ev.max_price_per_period, Uint128::new(1_000_000));
    assert_eq!(
        suite.status(&carol, &fan),
        SubscriptionStatus {
            active: true,
            tier: Some(3),
            expires_at: Some(start.plus_seconds(30 * DAY)),
            auto_renew: false
        }
    );
    assert_eq!(suite.native_balance(&fan, USDC), FAN_FUNDS - 2_001);
    assert_eq!(suite.native_balance(&suite.treasury(), USDC), 200);
    assert_eq!(suite.native_balance(&suite.carol_payout, USDC), 1_801);
    assert_eq!(
        (
            suite.tier(&carol, 1).counted_subscribers,
            suite.tier(&carol, 3).counted_subscribers
        ),
        (0, 1)
    );
    suite.assert_holds_nothing();
}

#[test]
fn upgrade_cost_rounds_in_the_platforms_favour() {
    let mut suite = Suite::new();
    carol_tiers(&mut suite);
    let (carol, fan) = (suite.carol.clone(), suite.fan(0));
    suite.subscribe_native(&fan, &carol, 1, 1, 1_000).unwrap();
    suite.advance(10 * DAY + 1);
    // The time left at the new price, 2_500 * 1_727_999 / 2_592_000 = 1_666.66..., rounds up to
    // 1_667; the credit, 1_000 * 1_727_999 / 2_592_000 = 666.66..., rounds down to 666.
    assert_eq!(quote(&suite, &fan, 3), 1_001);
    assert_eq!(
        suite
            .exec(&fan, &upgrade_msg(&carol, 3), &[Coin::new(1_000u128, USDC)])
            .unwrap_err(),
        ContractError::InsufficientPayment {
            required: Uint128::new(1_001),
            paid: Uint128::new(1_000)
        }
    );
    // Across period lengths, with 19 days left: ceil(19 * 100_000 / 366) = 5_192 less
    // floor(19 * 1_000 / 30) = 633.
    suite.advance(DAY - 1);
    let expected = (19u128 * 100_000).div_ceil(366) - 19 * 1_000 / 30;
    assert_eq!(expected, 4_559);
    assert_eq!(quote(&suite, &fan, 4), expected);
    suite
        .exec(&fan, &upgrade_msg(&carol, 4), &[Coin::new(expected, USDC)])
        .unwrap();
    assert_eq!(suite.status(&carol, &fan).tier, Some(4));
}

#[test]
fn overpayment_is_refunded_in_the_same_transaction() {
    let mut suite = Suite::new();
    carol_tiers(&mut suite);
    let (carol, fan) = (suite.carol.clone(), suite.fan(0));
    suite.subscribe_native(&fan, &carol, 1, 1, 1_000).unwrap();
    suite.advance(10 * DAY);
    let res = suite
        .exec(&fan, &upgrade_msg(&carol, 3), &[Coin::new(1_600u128, USDC)])
        .unwrap();
    let ev = subscription_event(&res);
    assert_eq!(
        (ev.amount, ev.refunded),
        (Uint128::new(1_001), Some(Uint128::new(599)))
    );
    assert_eq!(suite.native_balance(&fan, USDC), FAN_FUNDS - 2_001);
    suite.assert_holds_nothing();
}

#[test]
fn cw20_upgrade_through_the_hook_with_refund() {
    let mut suite = Suite::new();
    carol_tiers(&mut suite);
    let (carol, fan, mesi) = (suite.carol.clone(), suite.fan(0), suite.mesi());
    let subscribe = ReceiveMsg::Subscribe {
        creator: carol.to_string(),
        tier: 5,
        periods: 1,
        max_price_per_period: Uint128::new(3_000),
        auto_renew: true,
    };
    suite.send_cw20(&mesi, &fan, 3_000, &subscribe).unwrap();
    suite.advance(15 * DAY);
    let upgrade = ReceiveMsg::Upgrade {
        creator: carol.to_string(),
        to_tier: 8,
        max_price_per_period: Uint128::new(6_000),
    };
    // Half the period left: 3_000 / 2 = 1_500.
    let ev = subscription_event(&suite.send_cw20(&mesi, &fan, 2_000, &upgrade).unwrap());
    assert_eq!(
        (ev.amount, ev.refunded, ev.tier),
        (Uint128::new(1_500), Some(Uint128::new(500)), 8)
    );
    assert_eq!(
        (ev.auto_renew, ev.max_price_per_period),
        (true, Uint128::new(6_000))
    );
    assert_eq!(suite.token_balance(&mesi, &fan), FAN_FUNDS - 4_500);
    assert_eq!(suite.token_balance(&mesi, &suite.treasury()), 450);
    assert_eq!(suite.token_balance(&mesi, &suite.carol_payout), 4_050);
    suite.assert_holds_nothing();
}

#[test]
fn a_trial_is_worth_nothing_when_upgrading() {
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
    suite.advance(DAY);
    // 6 days of tier 3: 2_500 * 6 / 30 = 500.
    assert_eq!(quote(&suite, &fan, 3), 500);
    let ev = subscription_event(
        &suite
            .exec(&fan, &upgrade_msg(&carol, 3), &[Coin::new(500u128, USDC)])
            .unwrap(),
    );
    assert!(!ev.on_trial);
    assert!(suite.subscription(&carol, &fan).unwrap().trial_used);
}

#[test]
fn upgrade_refusals() {
    let mut suite = Suite::new();
    carol_tiers(&mut suite);
    let (carol, fan, other) = (suite.carol.clone(), suite.fan(0), suite.fan(1));
    let pay = |amount: u128| vec![Coin::new(amount, USDC)];
    assert_eq!(
        suite
            .exec(&fan, &upgrade_msg(&carol, 3), &pay(1_000))
            .unwrap_err(),
        ContractError::NoSubscription
    );
    suite.subscribe_native(&fan, &carol, 3, 1, 2_500).unwrap();
    assert_eq!(
        suite
            .exec(&fan, &upgrade_msg(&carol, 1), &pay(1_000))
            .unwrap_err(),
        ContractError::NotAnUpgrade(3)
    );
    assert_eq!(
        suite
            .exec(&fan, &upgrade_msg(&carol, 3), &pay(1_000))
            .unwrap_err(),
        ContractError::NotAnUpgrade(3)
    );
    assert_eq!(
        suite
            .exec(&fan, &upgrade_msg(&carol, 5), &pay(1_000))
            .unwrap_err(),
        ContractError::UpgradeAssetMismatch(suite.usdc())
    );
    assert_eq!(
        suite
            .exec(&fan, &upgrade_msg(&carol, 6), &pay(1_000))
            .unwrap_err(),
        ContractError::UpgradeNotDearer { from: 3, to: 6 }
    );
    assert_eq!(
        suite
            .exec(&fan, &upgrade_msg(&carol, 9), &pay(1_000))
            .unwrap_err(),
        ContractError::TierNotFound(9)
    );
    let capped_max = ExecuteMsg::Upgrade {
        creator: carol.to_string(),
        to_tier: 7,
        max_price_per_period: Uint128::new(4_999),
    };
    assert_eq!(
        suite.exec(&fan, &capped_max, &pay(5_000)).unwrap_err(),
        ContractError::PriceAboveMax {
            price: Uint128::new(5_000),
            max: Uint128::new(4_999)
        }
    );
    // The target tier's cap applies.
    suite.subscribe_native(&other, &carol, 7, 1, 5_000).unwrap();
    assert_eq!(
        suite
            .exec(&fan, &upgrade_msg(&carol, 7), &pay(5_000))
            .unwrap_err(),
        ContractError::CapReached { cap: 1 }
    );
    suite
        .exec(&carol, &ExecuteMsg::RetireTier { tier: 4 }, &[])
        .unwrap();
    assert_eq!(
        suite
            .exec(&fan, &upgrade_msg(&carol, 4), &pay(100_000))
            .unwrap_err(),
        ContractError::TierRetired(4)
    );
    suite.advance(30 * DAY);
    assert_eq!(
        suite
            .exec(&fan, &upgrade_msg(&carol, 7), &pay(5_000))
            .unwrap_err(),
        ContractError::NotActive
    );
}

#[test]
fn upgrade_from_a_retired_tier_is_allowed() {
    let mut suite = Suite::new();
    carol_tiers(&mut suite);
    let (carol, fan) = (suite.carol.clone(), suite.fan(0));
    suite.subscribe_native(&fan, &carol, 1, 1, 1_000).unwrap();
    suite
        .exec(&carol, &ExecuteMsg::RetireTier { tier: 1 }, &[])
        .unwrap();
    suite.advance(15 * DAY);
    suite
        .exec(&fan, &upgrade_msg(&carol, 3), &[Coin::new(750u128, USDC)])
        .unwrap();
    assert_eq!(suite.status(&carol, &fan).tier, Some(3));
}

/// Tier 1 of Carol with a 36-period bundle at 90% off.
fn discounted_tier_one(suite: &mut Suite) {
    let carol = suite.carol.clone();
    suite
        .exec(
            &carol,
            &ExecuteMsg::UpdateTier {
                tier: 1,
                terms: TierTerms {
                    bundles: vec![bundle(36, 9_000)],
                    trial_seconds: Some(7 * DAY),
                    ..terms(1_000)
                },
            },
            &[],
        )
        .unwrap();
}

#[test]
fn an_upgrade_credits_what_a_bundle_cost_not_the_list_price() {
    let mut suite = Suite::new();
    carol_tiers(&mut suite);
    discounted_tier_one(&mut suite);
    let (carol, fan) = (suite.carol.clone(), suite.fan(0));
    // 36 periods for 36_000 less 90% = 3_600.
    suite.subscribe_native(&fan, &carol, 1, 36, 3_600).unwrap();
    // At once: 36 periods of tier 3 cost 90_000; the fan paid 3_600 for them.
    assert_eq!(quote(&suite, &fan, 3), 90_000 - 3_600);
    // One period later: 35 of 36 periods left, so 3_500 of what was paid is unused.
    suite.advance(30 * DAY);
    assert_eq!(quote(&suite, &fan, 3), 35 * 2_500 - 3_500);
    let ev = subscription_event(
        &suite
            .exec(
                &fan,
                &upgrade_msg(&carol, 3),
                &[Coin::new(84_000u128, USDC)],
            )
            .unwrap(),
    );
    assert_eq!((ev.tier, ev.amount), (3, Uint128::new(84_000)));
    // After the upgrade the time left is paid at tier 3's price: a further upgrade credits it.
    suite.advance(5 * 30 * DAY);
    // 30 periods left: worth 30 * 2_500 = 75_000 of tier 3, ceil(30 * 100_000 * 30 / 366) of tier 4.
    assert_eq!(
        quote(&suite, &fan, 4),
        (30u128 * 30 * 100_000).div_ceil(366) - 75_000
    );
    // An upgrade whose value the credit covers is refused.
    suite
        .create_tier(&carol, 9, suite.usdc(), 30, terms(2_000))
        .unwrap();
    assert_eq!(
        suite
            .exec(&fan, &upgrade_msg(&carol, 9), &[Coin::new(1u128, USDC)])
            .unwrap_err(),
        ContractError::UpgradeNotDearer { from: 3, to: 9 }
    );
    suite.assert_holds_nothing();
}

#[test]
fn trial_days_stay_worthless_after_paid_time_is_stacked_on_them() {
    let mut suite = Suite::new();
    carol_tiers(&mut suite);
    let (carol, fan) = (suite.carol.clone(), suite.fan(0));
    suite.trial(&fan, &carol, 1).unwrap();
    suite.advance(DAY);
    // One paid period stacked after the 6 trial days left.
    suite
        .exec(
            &fan,
            &ExecuteMsg::Extend {
                creator: carol.to_string(),
                periods: 1,
                max_price_per_period: Uint128::new(1_000),
            },
            &[Coin::new(1_000u128, USDC)],
        )
        .unwrap();
    // 36 days left: 3_000 at tier 3, less the 1_000 paid (its time has not begun).
    assert_eq!(quote(&suite, &fan, 3), 3_000 - 1_000);
    // Halfway through the paid period: 15 trial-free days, half of what was paid left.
    suite.advance(6 * DAY + 15 * DAY);
    assert_eq!(quote(&suite, &fan, 3), 1_250 - 500);
}

#[test]
fn stacked_purchases_are_credited_at_what_they_cost_together() {
    let mut suite = Suite::new();
    carol_tiers(&mut suite);
    discounted_tier_one(&mut suite);
    let (carol, fan) = (suite.carol.clone(), suite.fan(0));
    suite.subscribe_native(&fan, &carol, 1, 1, 1_000).unwrap();
    suite.subscribe_native(&fan, &carol, 1, 36, 3_600).unwrap();
    // 37 periods paid 4_600 together; after one period 36 / 37 of it is left.
    suite.advance(30 * DAY);
    assert_eq!(quote(&suite, &fan, 3), 36 * 2_500 - 4_600u128 * 36 / 37);
}

/// A subscription as stored before payments were recorded.
#[cosmwasm_schema::cw_serde]
struct UnrecordedSubscription {
    tier: u32,
    expires_at: cosmwasm_std::Timestamp,
    auto_renew: bool,
    max_price_per_period: Uint128,
    on_trial: bool,
    trial_used: bool,
}

const UNRECORDED: cw_storage_plus::Map<(&Addr, &Addr), UnrecordedSubscription> =
    cw_storage_plus::Map::new("subs");

#[test]
fn migrated_subscriptions_are_credited_at_the_least_they_can_have_cost() {
    let mut suite = Suite::new();
    carol_tiers(&mut suite);
    discounted_tier_one(&mut suite);
    let (carol, payer, trialist) = (suite.carol.clone(), suite.fan(0), suite.fan(1));
    suite.subscribe_native(&payer, &carol, 1, 1, 1_000).unwrap();
    let start = suite.now();
    // Records as the previous version wrote them, without what was paid.
    {
        let mut storage = suite.platform.app.contract_storage_mut(&suite.subs);
        for (fan, on_trial) in [(&payer, false), (&trialist, true)] {
            let old = UnrecordedSubscription {
                tier: 1,
                expires_at: start.plus_seconds(30 * DAY),
                auto_renew: false,
                max_price_per_period: Uint128::new(1_000),
                on_trial,
                trial_used: on_trial,
            };
            UNRECORDED.save(&mut *storage, (&carol, fan), &old).unwrap();
        }
        cw2::set_contract_version(&mut *storage, crate::contract::CONTRACT_NAME, "0.1.0").unwrap();
    }
    let (owner, subs, code_id) = (suite.owner.clone(), suite.subs.clone(), suite.code_id);
    suite
        .app
        .migrate_contract(owner, subs.clone(), &crate::msg::MigrateMsg {}, code_id)
        .unwrap();
    let version = cw2::query_contract_info(&suite.app.wrap(), subs).unwrap();
    assert_eq!(version.version, crate::contract::CONTRACT_VERSION);
    assert_ne!(version.version, "0.1.0");

    suite.advance(10 * DAY);
    // 20 days left, credited at tier 1's price less its 90% bundle discount:
    // floor(1_000 * 10% * 20 / 30) = 66.
    assert_eq!(quote(&suite, &payer, 3), 1_667 - 66);
    // Trial time is worth nothing.
    assert_eq!(quote(&suite, &trialist, 3), 1_667);
    // Paying again records the payment: stacking carries the credit over.
    suite.subscribe_native(&payer, &carol, 1, 1, 1_000).unwrap();
    // 50 days left: 66 unused plus 1_000 paid.
    assert_eq!(
        quote(&suite, &payer, 3),
        (50u128 * 2_500).div_ceil(30) - 1_066
    );
    suite
        .exec(
            &payer,
            &upgrade_msg(&carol, 3),
            &[Coin::new(5_000u128, USDC)],
        )
        .unwrap();
    suite.assert_holds_nothing();
}
