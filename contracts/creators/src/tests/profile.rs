//! Creator profiles: register, update, (de)activate, validation and who may send what.

use cosmwasm_std::{coins, Uint128};
use cw_multi_test::Executor;
use mesi_common::chat_rule::{ChatRule, ChatRuleError};
use mesi_common::events::creators::CreatorProfileSet;
use mesi_common::events::AnyEvent;
use mesi_common::interfaces::creators::Product;
use mesi_common::{AssetError, AssetInfo};

use super::*;
use crate::error::ContractError;
use crate::msg::{CreatorProfile, ExecuteMsg, ProfileInput, QueryMsg};

#[test]
fn register_update_deactivate_reactivate() {
    let mut suite = setup();
    let alice = suite.addr("alice");
    let res = suite
        .exec(
            &alice,
            &ExecuteMsg::RegisterCreator {
                profile: profile("  Alice  "),
            },
        )
        .unwrap();
    let AnyEvent::CreatorProfile(event) = mesi_event(&res) else {
        panic!("wrong event")
    };
    assert_eq!(
        (
            event.action.as_str(),
            event.display_name.as_str(),
            &event.payout,
            event.active
        ),
        ("registered", "Alice", &alice, true)
    );

    let again = suite.exec(
        &alice,
        &ExecuteMsg::RegisterCreator {
            profile: profile("Alice"),
        },
    );
    assert_eq!(
        again.unwrap_err(),
        ContractError::AlreadyRegistered(alice.to_string())
    );

    let payout = suite.addr("alice-payout");
    let update = ProfileInput {
        payout: Some(payout.to_string()),
        accepted_assets: vec![usdc()],
        ..profile("Alice B")
    };
    suite
        .exec(&alice, &ExecuteMsg::UpdateCreator { profile: update })
        .unwrap();
    let stored: CreatorProfile = suite.query(&QueryMsg::Creator {
        address: alice.to_string(),
    });
    assert_eq!(
        (stored.display_name.as_str(), &stored.payout),
        ("Alice B", &payout)
    );

    let res = suite
        .exec(&alice, &ExecuteMsg::DeactivateCreator {})
        .unwrap();
    let AnyEvent::CreatorProfile(CreatorProfileSet {
        action,
        active,
        display_name,
        ..
    }) = mesi_event(&res)
    else {
        panic!("wrong event")
    };
    assert_eq!(
        (action.as_str(), active, display_name.as_str()),
        ("deactivated", false, "Alice B")
    );
    assert!(!suite.terms(&alice, Product::Tips).active);
    assert_eq!(
        suite
            .exec(&alice, &ExecuteMsg::DeactivateCreator {})
            .unwrap_err(),
        ContractError::AlreadyInState("inactive")
    );
    // An update keeps the creator inactive.
    suite
        .exec(
            &alice,
            &ExecuteMsg::UpdateCreator {
                profile: profile("Alice C"),
            },
        )
        .unwrap();
    assert!(!suite.terms(&alice, Product::Tips).active);
    suite
        .exec(&alice, &ExecuteMsg::ReactivateCreator {})
        .unwrap();
    assert!(suite.terms(&alice, Product::Tips).active);
}

#[test]
fn profile_validation() {
    let mut suite = setup();
    let alice = suite.addr("alice");
    let mut attempt = |p: ProfileInput| {
        suite
            .exec(&alice, &ExecuteMsg::RegisterCreator { profile: p })
            .unwrap_err()
    };
    assert_eq!(
        attempt(profile("   ")),
        ContractError::InvalidDisplayName { max: 64 }
    );
    assert_eq!(
        attempt(profile(&"x".repeat(65))),
        ContractError::InvalidDisplayName { max: 64 }
    );
    assert_eq!(
        attempt(profile("a\u{7}b")),
        ContractError::InvalidDisplayName { max: 64 }
    );
    let foreign = ProfileInput {
        accepted_assets: vec![AssetInfo::native("uosmo")],
        ..profile("A")
    };
    assert_eq!(
        attempt(foreign),
        ContractError::Asset(AssetError::NotAccepted(AssetInfo::native("uosmo")))
    );
    let dup_min = ProfileInput {
        tip_minimums: vec![(usdc(), Uint128::new(1)), (usdc(), Uint128::new(2))],
        ..profile("A")
    };
    assert_eq!(
        attempt(dup_min),
        ContractError::Duplicate("native:uusdc".into())
    );
    let deep = ProfileInput {
        chat_rule: (0..6).fold(ChatRule::Everyone, |r, _| ChatRule::Not {
            rule: Box::new(r),
        }),
        ..profile("A")
    };
    assert_eq!(
        attempt(deep),
        ContractError::ChatRule(ChatRuleError::TooDeep { depth: 6 })
    );
    let bad_payout = ProfileInput {
        payout: Some("nope".into()),
        ..profile("A")
    };
    assert!(matches!(attempt(bad_payout), ContractError::Std(_)));
}

#[test]
fn authorization_matrix() {
    let mut suite = setup();
    let alice = suite.register("alice");
    let stranger = suite.addr("stranger");
    let gateway = suite.addr("gateway");
    let treasury = suite.addr("treasury");
    let update = ExecuteMsg::UpdateConfig {
        treasury: Some(stranger.to_string()),
        fees: None,
        accepted_assets: None,
        fiat_gateways: None,
        arbiter: None,
        contracts: None,
    };
    let transfer = ExecuteMsg::UpdateOwnership(cw_ownable::Action::TransferOwnership {
        new_owner: stranger.to_string(),
        expiry: None,
    });
    for wrong in [&alice, &stranger, &gateway, &treasury] {
        assert_eq!(
            suite.exec(wrong, &update).unwrap_err(),
            ContractError::Ownership(cw_ownable::OwnershipError::NotOwner)
        );
        assert_eq!(
            suite.exec(wrong, &transfer).unwrap_err(),
            ContractError::Ownership(cw_ownable::OwnershipError::NotOwner)
        );
    }
    // Creator-only messages from someone who is not a creator.
    for msg in [
        ExecuteMsg::UpdateCreator {
            profile: profile("x"),
        },
        ExecuteMsg::SetChatRule {
            rule: ChatRule::Everyone,
        },
        ExecuteMsg::DeactivateCreator {},
        ExecuteMsg::ReactivateCreator {},
    ] {
        assert_eq!(
            suite.exec(&stranger, &msg).unwrap_err(),
            ContractError::NotACreator(stranger.to_string())
        );
    }
    // The owner cannot touch a creator's profile either: creator messages act on the sender.
    let owner = suite.owner.clone();
    assert_eq!(
        suite
            .exec(&owner, &ExecuteMsg::DeactivateCreator {})
            .unwrap_err(),
        ContractError::NotACreator(owner.to_string())
    );
    assert!(suite.terms(&alice, Product::Tips).active);
}

#[test]
fn every_message_is_nonpayable() {
    let mut suite = setup();
    let alice = suite.addr("alice");
    suite
        .app
        .init_modules(|router, _, storage| {
            router
                .bank
                .init_balance(storage, &alice, coins(10, "uusdc"))
        })
        .unwrap();
    let err = suite
        .app
        .execute_contract(
            alice.clone(),
            suite.registry.clone(),
            &ExecuteMsg::RegisterCreator {
                profile: profile("A"),
            },
            &coins(1, "uusdc"),
        )
        .unwrap_err();
    assert_eq!(
        err.downcast::<ContractError>().unwrap(),
        ContractError::Asset(AssetError::UnexpectedFunds)
    );
}
