use cosmwasm_std::{Addr, Uint128};
use mesi_common::events::subscriptions::TierAction;
use mesi_common::{AssetError, AssetInfo};

use super::*;
use crate::msg::{TiersResponse, MAX_LIVE_TIERS, MAX_TIER_NAME_BYTES};
use crate::pricing::MAX_PREPAID_SECONDS;

#[test]
fn create_tier_stores_it_and_emits_the_whole_tier() {
    let mut suite = Suite::new();
    let carol = suite.carol.clone();
    let tier_terms = TierTerms {
        name: "Gold".into(),
        price: Uint128::new(5_000),
        subscriber_cap: Some(100),
        bundles: vec![bundle(3, 500), bundle(12, 2_000)],
        trial_seconds: None,
    };
    let res = suite
        .create_tier(&carol, 2, suite.mesi_asset(), 30, tier_terms.clone())
        .unwrap();
    let ev = tier_event(&res);
    assert_eq!(ev.action, TierAction::Created);
    assert_eq!(ev.creator, carol);
    assert_eq!(ev.tier, 2);
    assert_eq!(ev.name, "Gold");
    assert_eq!(ev.price, Uint128::new(5_000));
    assert_eq!(ev.asset, suite.mesi_asset());
    assert_eq!(ev.period_seconds, 30 * DAY);
    assert_eq!(ev.subscriber_cap, Some(100));
    assert_eq!(ev.bundles, tier_terms.bundles);
    assert_eq!(ev.trial_seconds, None);
    assert!(!ev.retired);

    let info = suite.tier(&carol, 2);
    assert_eq!(
        info,
        TierInfo {
            creator: carol.clone(),
            tier: 2,
            name: "Gold".into(),
            price: Uint128::new(5_000),
            asset: suite.mesi_asset(),
            period_seconds: 30 * DAY,
            subscriber_cap: Some(100),
            bundles: tier_terms.bundles,
            trial_seconds: None,
            retired: false,
            counted_subscribers: 0,
        }
    );
    assert_eq!(
        suite
            .create_tier(&carol, 2, suite.usdc(), 30, terms(1))
            .unwrap_err(),
        ContractError::TierExists(2)
    );
}

#[test]
fn tier_terms_are_validated() {
    let mut suite = Suite::new();
    let carol = suite.carol.clone();
    let usdc = suite.usdc();
    let mut create = |level: u32, period_days: u64, t: TierTerms| {
        suite.create_tier(&carol, level, usdc.clone(), period_days, t)
    };

    assert_eq!(
        create(0, 30, terms(1)).unwrap_err(),
        ContractError::InvalidTierLevel
    );
    let period_err = ContractError::InvalidPeriod {
        min: DAY,
        max: 366 * DAY,
    };
    assert_eq!(create(1, 0, terms(1)).unwrap_err(), period_err);
    assert_eq!(create(1, 367, terms(1)).unwrap_err(), period_err);
    let name_err = ContractError::InvalidTierName {
        max: MAX_TIER_NAME_BYTES,
    };
    for name in [
        String::new(),
        "x".repeat(MAX_TIER_NAME_BYTES + 1),
        "a\nb".into(),
    ] {
        assert_eq!(
            create(1, 30, TierTerms { name, ..terms(1) }).unwrap_err(),
            name_err
        );
    }
    assert_eq!(
        create(1, 30, terms(0)).unwrap_err(),
        ContractError::ZeroPrice
    );
    assert_eq!(
        create(
            1,
            30,
            TierTerms {
                subscriber_cap: Some(0),
                ..terms(1)
            }
        )
        .unwrap_err(),
        ContractError::ZeroSubscriberCap
    );
    let trial_err = ContractError::InvalidTrial {
        min: 3_600,
        max: 90 * DAY,
    };
    for trial in [3_599, 90 * DAY + 1] {
        assert_eq!(
            create(
                1,
                30,
                TierTerms {
                    trial_seconds: Some(trial),
                    ..terms(1)
                }
            )
            .unwrap_err(),
            trial_err
        );
    }
    let bad_bundles = [
        vec![bundle(1, 0)],
        vec![bundle(37, 0)],
        vec![bundle(3, 9_001)],
        vec![bundle(3, 100), bundle(3, 200)],
        (2..=8).map(|p| bundle(p, 0)).collect(),
    ];
    for bundles in bad_bundles {
        let err = create(
            1,
            30,
            TierTerms {
                bundles: bundles.clone(),
                ..terms(1)
            },
        )
        .unwrap_err();
        assert!(
            matches!(err, ContractError::InvalidBundles(_)),
            "{bundles:?}: {err:?}"
        );
    }
    // 12 periods of 366 days lie beyond the prepaid limit.
    const { assert!(12 * 366 * DAY > MAX_PREPAID_SECONDS) };
    let err = create(
        1,
        366,
        TierTerms {
            bundles: vec![bundle(12, 0)],
            ..terms(1)
        },
    )
    .unwrap_err();
    assert!(matches!(err, ContractError::InvalidBundles(_)));
    // The limits themselves are fine.
    create(
        1,
        1,
        TierTerms {
            name: "x".repeat(MAX_TIER_NAME_BYTES),
            trial_seconds: Some(3_600),
            ..terms(1)
        },
    )
    .unwrap();
    create(
        2,
        366,
        TierTerms {
            bundles: vec![bundle(9, 9_000)],
            trial_seconds: Some(90 * DAY),
            ..terms(1)
        },
    )
    .unwrap();
}

#[test]
fn tier_asset_must_be_accepted() {
    let mut suite = Suite::new();
    let carol = suite.carol.clone();
    let other = AssetInfo::cw20(suite.token("OTHER"));
    assert_eq!(
        suite
            .create_tier(&carol, 1, other.clone(), 30, terms(1))
            .unwrap_err(),
        ContractError::Asset(AssetError::NotAccepted(other))
    );
    assert_eq!(
        suite
            .create_tier(&carol, 1, AssetInfo::native(JUNK), 30, terms(1))
            .unwrap_err(),
        ContractError::Asset(AssetError::NotAccepted(AssetInfo::native(JUNK)))
    );
    let err = suite
        .create_tier(&carol, 1, AssetInfo::native("x"), 30, terms(1))
        .unwrap_err();
    assert!(
        matches!(err, ContractError::Asset(AssetError::Std(_))),
        "{err:?}"
    );
    let err = suite
        .create_tier(
            &carol,
            1,
            AssetInfo::cw20(Addr::unchecked("not an address")),
            30,
            terms(1),
        )
        .unwrap_err();
    assert!(
        matches!(err, ContractError::Asset(AssetError::Std(_))),
        "{err:?}"
    );
}

#[test]
fn live_tiers_are_bounded_and_retiring_frees_a_place() {
    let mut suite = Suite::new();
    let carol = suite.carol.clone();
    for level in 1..=MAX_LIVE_TIERS {
        suite
            .create_tier(&carol, level, suite.usdc(), 30, terms(level.into()))
            .unwrap();
    }
    assert_eq!(
        suite
            .create_tier(&carol, 99, suite.usdc(), 30, terms(1))
            .unwrap_err(),
        ContractError::TooManyTiers {
            max: MAX_LIVE_TIERS
        }
    );
    // Another creator has their own budget.
    let dave = suite.dave.clone();
    suite
        .create_tier(&dave, 1, suite.usdc(), 30, terms(1))
        .unwrap();

    suite
        .exec(&carol, &ExecuteMsg::RetireTier { tier: 3 }, &[])
        .unwrap();
    suite
        .create_tier(&carol, 99, suite.usdc(), 30, terms(1))
        .unwrap();
    // A retired level is never reused.
    assert_eq!(
        suite
            .create_tier(&carol, 3, suite.usdc(), 30, terms(1))
            .unwrap_err(),
        ContractError::TierExists(3)
    );

    let page: TiersResponse = suite
        .app
        .wrap()
        .query_wasm_smart(
            &suite.subs,
            &QueryMsg::Tiers {
                creator: carol.to_string(),
                start_after: Some(8),
                limit: None,
            },
        )
        .unwrap();
    let levels: Vec<u32> = page.tiers.iter().map(|t| t.tier).collect();
    assert_eq!(levels, vec![9, 10, 99]);
    let all: TiersResponse = suite
        .app
        .wrap()
        .query_wasm_smart(
            &suite.subs,
            &QueryMsg::Tiers {
                creator: carol.to_string(),
                start_after: None,
                limit: Some(100),
            },
        )
        .unwrap();
    assert_eq!(all.tiers.len(), 11);
    assert!(all.tiers.iter().find(|t| t.tier == 3).unwrap().retired);
}

#[test]
fn update_changes_terms_for_new_purchases_only() {
    let mut suite = Suite::new();
    let carol = suite.carol.clone();
    let fan = suite.fan(0);
    suite
        .create_tier(&carol, 1, suite.usdc(), 30, terms(1_000))
        .unwrap();
    suite.subscribe_native(&fan, &carol, 1, 1, 1_000).unwrap();
    let before = suite.subscription(&carol, &fan).unwrap();

    let new_terms = TierTerms {
        name: "Silver".into(),
        price: Uint128::new(1_500),
        subscriber_cap: Some(5),
        bundles: vec![bundle(6, 1_000)],
        trial_seconds: None,
    };
    let res = suite
        .exec(
            &carol,
            &ExecuteMsg::UpdateTier {
                tier: 1,
                terms: new_terms.clone(),
            },
            &[],
        )
        .unwrap();
    let ev = tier_event(&res);
    assert_eq!(ev.action, TierAction::Updated);
    assert_eq!(
        (ev.name.as_str(), ev.price, ev.subscriber_cap),
        ("Silver", Uint128::new(1_500), Some(5))
    );
    assert_eq!(ev.asset, suite.usdc(), "asset is fixed");
    assert_eq!(ev.period_seconds, 30 * DAY, "period is fixed");
    assert_eq!(suite.tier(&carol, 1).bundles, new_terms.bundles);
    // The existing subscription is untouched; the next purchase pays the new price.
    assert_eq!(suite.subscription(&carol, &fan).unwrap(), before);
    assert_eq!(
        suite
            .subscribe_native(&fan, &carol, 1, 1, 1_000)
            .unwrap_err(),
        ContractError::WrongAmount {
            expected: Uint128::new(1_500),
            paid: Uint128::new(1_000)
        }
    );
    suite.subscribe_native(&fan, &carol, 1, 1, 1_500).unwrap();

    let err = suite
        .exec(
            &carol,
            &ExecuteMsg::UpdateTier {
                tier: 1,
                terms: TierTerms {
                    bundles: vec![bundle(40, 0)],
                    ..terms(1)
                },
            },
            &[],
        )
        .unwrap_err();
    assert!(matches!(err, ContractError::InvalidBundles(_)));
    assert_eq!(
        suite
            .exec(
                &carol,
                &ExecuteMsg::UpdateTier {
                    tier: 2,
                    terms: terms(1)
                },
                &[]
            )
            .unwrap_err(),
        ContractError::TierNotFound(2)
    );
}

#[test]
fn retiring_stops_sales_but_not_access() {
    let mut suite = Suite::new();
    let carol = suite.carol.clone();
    let (fan, late) = (suite.fan(0), suite.fan(1));
    suite
        .create_tier(
            &carol,
            1,
            suite.usdc(),
            30,
            TierTerms {
                trial_seconds: Some(DAY),
                ..terms(1_000)
            },
        )
        .unwrap();
    suite.subscribe_native(&fan, &carol, 1, 1, 1_000).unwrap();

    let res = suite
        .exec(&carol, &ExecuteMsg::RetireTier { tier: 1 }, &[])
        .unwrap();
    let ev = tier_event(&res);
    assert_eq!(
        (ev.action, ev.retired, ev.price),
        (TierAction::Retired, true, Uint128::new(1_000))
    );
    assert!(suite.tier(&carol, 1).retired);

    assert!(suite.status(&carol, &fan).active, "access lasts to expiry");
    assert_eq!(
        suite
            .subscribe_native(&late, &carol, 1, 1, 1_000)
            .unwrap_err(),
        ContractError::TierRetired(1)
    );
    assert_eq!(
        suite
            .exec(
                &late,
                &ExecuteMsg::Trial {
                    creator: carol.to_string(),
                    tier: 1
                },
                &[]
            )
            .unwrap_err(),
        ContractError::TierRetired(1)
    );
    let extend = ExecuteMsg::Extend {
        creator: carol.to_string(),
        periods: 1,
        max_price_per_period: Uint128::new(1_000),
    };
    assert_eq!(
        suite
            .exec(&fan, &extend, &[Coin::new(1_000u128, USDC)])
            .unwrap_err(),
        ContractError::TierRetired(1)
    );
    assert_eq!(
        suite
            .exec(&carol, &ExecuteMsg::RetireTier { tier: 1 }, &[])
            .unwrap_err(),
        ContractError::TierRetired(1)
    );
    assert_eq!(
        suite
            .exec(
                &carol,
                &ExecuteMsg::UpdateTier {
                    tier: 1,
                    terms: terms(5)
                },
                &[]
            )
            .unwrap_err(),
        ContractError::TierRetired(1)
    );
    suite.advance(30 * DAY);
    assert!(!suite.status(&carol, &fan).active);
}
