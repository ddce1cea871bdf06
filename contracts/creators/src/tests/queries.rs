//! `PaymentTerms` and the other `CreatorsQuery` messages, `CanMessage` and `Creators` pages.

use cosmwasm_std::{Addr, Uint128};
use mesi_common::chat_rule::{CanMessageResponse, ChatRule, Qualification};
use mesi_common::interfaces::creators::{CreatorsQuery, PaymentTerms, Product};
use mesi_common::AssetInfo;

use super::*;
use crate::msg::{CreatorsResponse, ExecuteMsg, ProfileInput, QueryMsg};

#[test]
fn payment_terms_intersect_creator_and_platform_assets() {
    let mut suite = setup();
    let alice = suite.register("alice");
    let terms = suite.terms(&alice, Product::Ppv);
    assert_eq!(terms.fee_bps, 1500);
    assert_eq!(terms.treasury, suite.addr("treasury"));
    assert_eq!(terms.payout, alice);
    assert_eq!(
        terms.accepted_assets.len(),
        3,
        "empty creator list means every platform asset"
    );
    assert_eq!(terms.tip_minimum(&usdc()), Uint128::new(1_000_000));
    assert_eq!(
        terms.tip_minimum(&AssetInfo::native("uatom")),
        Uint128::zero()
    );

    let only = ProfileInput {
        accepted_assets: vec![usdc(), AssetInfo::native("uatom")],
        ..profile("Alice")
    };
    suite
        .exec(&alice, &ExecuteMsg::UpdateCreator { profile: only })
        .unwrap();
    // The platform drops uatom: it stops being accepted for alice at once.
    let owner = suite.owner.clone();
    let update = ExecuteMsg::UpdateConfig {
        treasury: None,
        fees: None,
        accepted_assets: Some(vec![usdc()]),
        fiat_gateways: None,
        arbiter: None,
        contracts: None,
    };
    suite.exec(&owner, &update).unwrap();
    assert_eq!(
        suite.terms(&alice, Product::Tips).accepted_assets,
        vec![usdc()]
    );

    // The query as other contracts send it.
    let via_interface: PaymentTerms = suite
        .app
        .wrap()
        .query_wasm_smart(
            &suite.registry,
            &CreatorsQuery::PaymentTerms {
                creator: alice.to_string(),
                product: Product::Meetings,
            },
        )
        .unwrap();
    assert_eq!(via_interface.fee_bps, 2000);
    let gateway: bool = suite
        .app
        .wrap()
        .query_wasm_smart(
            &suite.registry,
            &CreatorsQuery::IsFiatGateway {
                address: suite.addr("gateway").into(),
            },
        )
        .unwrap();
    assert!(gateway);
    let arbiter: Addr = suite
        .app
        .wrap()
        .query_wasm_smart(&suite.registry, &CreatorsQuery::Arbiter {})
        .unwrap();
    assert_eq!(arbiter, suite.owner);
    let unknown = suite.app.wrap().query_wasm_smart::<PaymentTerms>(
        &suite.registry,
        &QueryMsg::PaymentTerms {
            creator: suite.addr("bob").into(),
            product: Product::Tips,
        },
    );
    assert!(unknown.unwrap_err().to_string().contains("not found"));
}

#[test]
fn can_message_without_siblings() {
    let mut suite = setup();
    let alice = suite.register("alice");
    let (fan, blocked) = (suite.addr("fan"), suite.addr("blocked"));
    assert!(suite.can_message(&alice, &fan).allowed);

    let rule = ChatRule::Any {
        rules: vec![
            ChatRule::Allowlist {
                addresses: vec![fan.clone()],
            },
            ChatRule::Subscriber { min_tier: 2 },
            ChatRule::Blocklist {
                addresses: vec![blocked.clone()],
            },
        ],
    };
    suite
        .exec(&alice, &ExecuteMsg::SetChatRule { rule })
        .unwrap();
    let answer = suite.can_message(&alice, &fan);
    assert_eq!(
        (answer.allowed, answer.decided_by.as_str()),
        (true, "any[0].allowlist")
    );
    let answer = suite.can_message(&alice, &blocked);
    assert_eq!(
        (answer.allowed, answer.decided_by.as_str(), answer.qualify),
        (false, "any[2].blocklist", None)
    );

    let strict = ChatRule::All {
        rules: vec![
            ChatRule::Subscriber { min_tier: 2 },
            ChatRule::HoldsSurprise,
        ],
    };
    suite
        .exec(&alice, &ExecuteMsg::SetChatRule { rule: strict })
        .unwrap();
    let other = suite.addr("other");
    let answer = suite.can_message(&alice, &other);
    assert!(!answer.allowed);
    assert_eq!(
        answer.qualify,
        Some(Qualification::AllOf {
            items: vec![
                Qualification::Subscribe { min_tier: 2 },
                Qualification::HoldSurprise
            ]
        })
    );
    // The creator may always message themselves.
    assert!(suite.can_message(&alice, &alice).allowed);
    // Unknown creator is an error, not a silent "no".
    let err = suite
        .app
        .wrap()
        .query_wasm_smart::<CanMessageResponse>(
            &suite.registry,
            &QueryMsg::CanMessage {
                creator: fan.to_string(),
                fan: alice.to_string(),
            },
        )
        .unwrap_err();
    assert!(err.to_string().contains("not found"), "{err}");
}

#[test]
fn creators_paginate() {
    let mut suite = setup();
    let mut all: Vec<Addr> = (0..25)
        .map(|i| suite.register(&format!("creator{i}")))
        .collect();
    all.sort();
    let first: CreatorsResponse = suite.query(&QueryMsg::Creators {
        start_after: None,
        limit: None,
    });
    assert_eq!(first.creators.len(), 10);
    let mut seen: Vec<Addr> = first.creators.into_iter().map(|c| c.address).collect();
    loop {
        let page: CreatorsResponse = suite.query(&QueryMsg::Creators {
            start_after: seen.last().map(|a| a.to_string()),
            limit: Some(1_000),
        });
        assert!(page.creators.len() <= 100);
        if page.creators.is_empty() {
            break;
        }
        seen.extend(page.creators.into_iter().map(|c| c.address));
    }
    assert_eq!(seen, all);
}
