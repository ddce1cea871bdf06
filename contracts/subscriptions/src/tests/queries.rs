use cosmwasm_std::{from_json, to_json_vec, Uint128};
use mesi_common::chat_rule::{CanMessageResponse, ChatRule, Qualification};
use mesi_common::interfaces::subscriptions::SubscriptionsQuery;

use super::*;
use crate::msg::{ConfigResponse, QuoteResponse, SubscriptionsResponse};

#[test]
fn status_query_serializes_like_the_shared_interface() {
    let ours = QueryMsg::Status {
        creator: "c".into(),
        fan: "f".into(),
    };
    let shared = SubscriptionsQuery::Status {
        creator: "c".into(),
        fan: "f".into(),
    };
    assert_eq!(to_json_vec(&ours).unwrap(), to_json_vec(&shared).unwrap());
    assert_eq!(
        from_json::<QueryMsg>(to_json_vec(&shared).unwrap()).unwrap(),
        ours
    );
    assert_eq!(
        from_json::<SubscriptionsQuery>(to_json_vec(&ours).unwrap()).unwrap(),
        shared
    );

    // And another contract sending the shared message gets the shared answer.
    let mut suite = Suite::new();
    let (carol, fan) = (suite.carol.clone(), suite.fan(0));
    suite
        .create_tier(&carol, 4, suite.usdc(), 30, terms(10))
        .unwrap();
    let shared = SubscriptionsQuery::Status {
        creator: carol.to_string(),
        fan: fan.to_string(),
    };
    let never: SubscriptionStatus = suite
        .app
        .wrap()
        .query_wasm_smart(&suite.subs, &shared)
        .unwrap();
    assert_eq!(
        never,
        SubscriptionStatus {
            active: false,
            tier: None,
            expires_at: None,
            auto_renew: false
        }
    );
    assert_eq!(never.active_tier(), None);
    suite.subscribe_native(&fan, &carol, 4, 1, 10).unwrap();
    let status: SubscriptionStatus = suite
        .app
        .wrap()
        .query_wasm_smart(&suite.subs, &shared)
        .unwrap();
    assert_eq!(status.active_tier(), Some(4));
}

#[test]
fn the_registry_gates_chat_on_subscription_tiers() {
    let mut suite = Suite::new();
    let (carol, fan) = (suite.carol.clone(), suite.fan(0));
    suite
        .platform
        .update_registry(mesi_creators::msg::ExecuteMsg::UpdateConfig {
            treasury: None,
            fees: None,
            accepted_assets: None,
            fiat_gateways: None,
            arbiter: None,
            contracts: Some(mesi_creators::msg::SiblingContracts {
                subscriptions: Some(suite.subs.to_string()),
                ..Default::default()
            }),
        });
    let rule = mesi_creators::msg::ExecuteMsg::SetChatRule {
        rule: ChatRule::Subscriber { min_tier: 2 },
    };
    let registry = suite.registry.clone();
    suite
        .app
        .execute_contract(carol.clone(), registry, &rule, &[])
        .unwrap();
    suite
        .create_tier(&carol, 1, suite.usdc(), 30, terms(10))
        .unwrap();
    suite
        .create_tier(&carol, 2, suite.usdc(), 30, terms(20))
        .unwrap();
    let can_message = |suite: &Suite| -> CanMessageResponse {
        let msg = mesi_creators::msg::QueryMsg::CanMessage {
            creator: carol.to_string(),
            fan: fan.to_string(),
        };
        suite
            .app
            .wrap()
            .query_wasm_smart(&suite.registry, &msg)
            .unwrap()
    };
    assert!(!can_message(&suite).allowed);
    suite.subscribe_native(&fan, &carol, 1, 1, 10).unwrap();
    let denied = can_message(&suite);
    assert!(!denied.allowed);
    assert_eq!(
        denied.qualify,
        Some(Qualification::Subscribe { min_tier: 2 })
    );
    suite.advance(10 * DAY);
    let upgrade = ExecuteMsg::Upgrade {
        creator: carol.to_string(),
        to_tier: 2,
        max_price_per_period: Uint128::new(20),
    };
    suite
        .exec(&fan, &upgrade, &[Coin::new(8u128, USDC)])
        .unwrap();
    assert!(can_message(&suite).allowed);
    suite.advance(20 * DAY);
    assert!(
        !can_message(&suite).allowed,
        "expired subscriptions do not count"
    );
}

#[test]
fn subscription_details_and_config() {
    let mut suite = Suite::new();
    let (carol, fan) = (suite.carol.clone(), suite.fan(0));
    let config: ConfigResponse = suite
        .app
        .wrap()
        .query_wasm_smart(&suite.subs, &QueryMsg::Config {})
        .unwrap();
    assert_eq!(config.creators, suite.registry);
    assert_eq!(suite.subscription(&carol, &fan), None);
    suite
        .create_tier(
            &carol,
            1,
            suite.usdc(),
            30,
            TierTerms {
                trial_seconds: Some(DAY),
                ..terms(10)
            },
        )
        .unwrap();
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
    assert_eq!(
        suite.subscription(&carol, &fan),
        Some(SubscriptionInfo {
            creator: carol.clone(),
            fan: fan.clone(),
            tier: 1,
            expires_at: start.plus_seconds(DAY),
            active: true,
            auto_renew: false,
            max_price_per_period: Uint128::zero(),
            on_trial: true,
            trial_used: true,
        })
    );
}

#[test]
fn subscribers_and_fan_subscriptions_paginate() {
    let mut suite = Suite::with_fans(5);
    let (carol, dave) = (suite.carol.clone(), suite.dave.clone());
    suite
        .create_tier(&carol, 1, suite.usdc(), 30, terms(10))
        .unwrap();
    suite
        .create_tier(&carol, 2, suite.usdc(), 30, terms(20))
        .unwrap();
    suite
        .create_tier(&dave, 1, suite.usdc(), 30, terms(5))
        .unwrap();
    for i in 0..5 {
        let tier = if i % 2 == 0 { 1 } else { 2 };
        suite
            .subscribe_native(&suite.fan(i), &carol, tier, 1, 10 * u128::from(tier))
            .unwrap();
        suite.advance(DAY);
    }
    suite
        .subscribe_native(&suite.fan(0), &dave, 1, 1, 5)
        .unwrap();

    let subscribers =
        |suite: &Suite, start_after: Option<String>, limit| -> SubscriptionsResponse {
            let msg = QueryMsg::Subscribers {
                creator: carol.to_string(),
                start_after,
                limit,
            };
            suite
                .app
                .wrap()
                .query_wasm_smart(&suite.subs, &msg)
                .unwrap()
        };
    let mut sorted_fans = suite.fans.clone();
    sorted_fans.sort();
    let first = subscribers(&suite, None, Some(3));
    let fans: Vec<Addr> = first.subscriptions.iter().map(|s| s.fan.clone()).collect();
    assert_eq!(fans, sorted_fans[..3]);
    let rest = subscribers(&suite, Some(fans[2].to_string()), None);
    let rest_fans: Vec<Addr> = rest.subscriptions.iter().map(|s| s.fan.clone()).collect();
    assert_eq!(rest_fans, sorted_fans[3..]);
    for sub in first.subscriptions.iter().chain(&rest.subscriptions) {
        let status = suite.status(&carol, &sub.fan);
        assert_eq!(
            (Some(sub.tier), Some(sub.expires_at), sub.active),
            (status.tier, status.expires_at, status.active)
        );
    }
    assert_eq!(
        subscribers(&suite, None, Some(0)).subscriptions.len(),
        1,
        "limit is at least 1"
    );

    let fan_subs = |suite: &Suite, start_after: Option<String>| -> SubscriptionsResponse {
        let msg = QueryMsg::FanSubscriptions {
            fan: suite.fan(0).to_string(),
            start_after,
            limit: Some(1),
        };
        suite
            .app
            .wrap()
            .query_wasm_smart(&suite.subs, &msg)
            .unwrap()
    };
    let mut creators = [carol.clone(), dave.clone()];
    creators.sort();
    let page = fan_subs(&suite, None);
    assert_eq!(page.subscriptions.len(), 1);
    assert_eq!(page.subscriptions[0].creator, creators[0]);
    let page = fan_subs(&suite, Some(creators[0].to_string()));
    assert_eq!(page.subscriptions[0].creator, creators[1]);
    assert!(fan_subs(&suite, Some(creators[1].to_string()))
        .subscriptions
        .is_empty());
}

#[test]
fn purchase_quotes_match_what_is_charged() {
    let mut suite = Suite::new();
    let (carol, fan) = (suite.carol.clone(), suite.fan(0));
    suite
        .create_tier(
            &carol,
            1,
            suite.usdc(),
            30,
            TierTerms {
                bundles: vec![bundle(6, 1_500)],
                ..terms(333)
            },
        )
        .unwrap();
    let quote = |suite: &Suite, periods| -> QuoteResponse {
        let msg = QueryMsg::PurchaseQuote {
            creator: carol.to_string(),
            tier: 1,
            periods,
        };
        suite
            .app
            .wrap()
            .query_wasm_smart(&suite.subs, &msg)
            .unwrap()
    };
    assert_eq!(
        quote(&suite, 1),
        QuoteResponse {
            asset: suite.usdc(),
            amount: Uint128::new(333)
        }
    );
    // 1_998 - floor(299.7) = 1_699.
    assert_eq!(quote(&suite, 6).amount, Uint128::new(1_699));
    suite.subscribe_native(&fan, &carol, 1, 6, 1_699).unwrap();
    let msg = QueryMsg::PurchaseQuote {
        creator: carol.to_string(),
        tier: 1,
        periods: 4,
    };
    assert!(suite
        .app
        .wrap()
        .query_wasm_smart::<QuoteResponse>(&suite.subs, &msg)
        .is_err());
}
