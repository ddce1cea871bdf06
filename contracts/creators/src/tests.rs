use cosmwasm_std::{coins, Addr, Uint128};
use cw_multi_test::{App, AppResponse, ContractWrapper, Executor};
use mesi_common::chat_rule::{CanMessageResponse, ChatRule, ChatRuleError, Qualification};
use mesi_common::events::creators::CreatorProfileSet;
use mesi_common::events::AnyEvent;
use mesi_common::interfaces::creators::{CreatorsQuery, Fees, PaymentTerms, Product};
use mesi_common::{AssetError, AssetInfo};
use serde::de::DeserializeOwned;

use crate::contract::{execute, instantiate, migrate, query, CONTRACT_NAME, MAX_ASSETS};
use crate::error::ContractError;
use crate::msg::{
    ConfigResponse, CreatorProfile, CreatorsResponse, ExecuteMsg, InstantiateMsg, MigrateMsg,
    ProfileInput, QueryMsg, SiblingContracts,
};

struct Suite {
    app: App,
    registry: Addr,
    owner: Addr,
    code_id: u64,
}

fn fees() -> Fees {
    Fees {
        tips: 500,
        subscriptions: 1000,
        ppv: 1500,
        surprise_sales: 250,
        meetings: 2000,
    }
}

fn usdc() -> AssetInfo {
    AssetInfo::native("uusdc")
}

fn setup() -> Suite {
    let mut app = App::default();
    let owner = app.api().addr_make("owner");
    let code_id = app.store_code(Box::new(
        ContractWrapper::new(execute, instantiate, query).with_migrate(migrate),
    ));
    let msg = InstantiateMsg {
        owner: None,
        treasury: app.api().addr_make("treasury").into(),
        fees: fees(),
        accepted_assets: vec![
            usdc(),
            AssetInfo::native("uatom"),
            AssetInfo::cw20(app.api().addr_make("mesi")),
        ],
        fiat_gateways: vec![app.api().addr_make("gateway").into()],
        arbiter: None,
        contracts: SiblingContracts::default(),
    };
    let registry = app
        .instantiate_contract(
            code_id,
            owner.clone(),
            &msg,
            &[],
            "creators",
            Some(owner.to_string()),
        )
        .unwrap();
    Suite {
        app,
        registry,
        owner,
        code_id,
    }
}

fn profile(name: &str) -> ProfileInput {
    ProfileInput {
        display_name: name.into(),
        payout: None,
        accepted_assets: vec![],
        tip_minimums: vec![(usdc(), Uint128::new(1_000_000))],
        chat_rule: ChatRule::Everyone,
    }
}

impl Suite {
    fn addr(&self, name: &str) -> Addr {
        self.app.api().addr_make(name)
    }

    fn exec(&mut self, sender: &Addr, msg: &ExecuteMsg) -> Result<AppResponse, ContractError> {
        self.app
            .execute_contract(sender.clone(), self.registry.clone(), msg, &[])
            .map_err(|e| e.downcast().unwrap())
    }

    fn register(&mut self, name: &str) -> Addr {
        let creator = self.addr(name);
        self.exec(
            &creator,
            &ExecuteMsg::RegisterCreator {
                profile: profile(name),
            },
        )
        .unwrap();
        creator
    }

    fn query<T: DeserializeOwned>(&self, msg: &QueryMsg) -> T {
        self.app
            .wrap()
            .query_wasm_smart(&self.registry, msg)
            .unwrap()
    }

    fn terms(&self, creator: &Addr, product: Product) -> PaymentTerms {
        self.query(&QueryMsg::PaymentTerms {
            creator: creator.to_string(),
            product,
        })
    }

    fn can_message(&self, creator: &Addr, fan: &Addr) -> CanMessageResponse {
        self.query(&QueryMsg::CanMessage {
            creator: creator.to_string(),
            fan: fan.to_string(),
        })
    }
}

/// The one Mesi event of a response, decoded.
fn mesi_event(res: &AppResponse) -> AnyEvent {
    let mut found: Vec<AnyEvent> = res
        .events
        .iter()
        .filter_map(|e| {
            let attrs: Vec<(&str, &str)> = e
                .attributes
                .iter()
                .map(|a| (a.key.as_str(), a.value.as_str()))
                .collect();
            AnyEvent::decode(&e.ty, &attrs).unwrap()
        })
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected exactly one Mesi event in {:?}",
        res.events
    );
    found.remove(0)
}

#[test]
fn instantiate_stores_config_and_emits_it() {
    let suite = setup();
    let config: ConfigResponse = suite.query(&QueryMsg::Config {});
    assert_eq!(config.treasury, suite.addr("treasury"));
    assert_eq!(config.fees, fees());
    assert_eq!(config.arbiter, suite.owner, "arbiter defaults to the owner");
    assert_eq!(config.fiat_gateways, vec![suite.addr("gateway")]);
    let ownership: cw_ownable::Ownership<Addr> = suite.query(&QueryMsg::Ownership {});
    assert_eq!(ownership.owner, Some(suite.owner.clone()));
}

#[test]
fn instantiate_rejects_bad_config() {
    let mut app = App::default();
    let owner = app.api().addr_make("owner");
    let code_id = app.store_code(Box::new(ContractWrapper::new(execute, instantiate, query)));
    let base = InstantiateMsg {
        owner: None,
        treasury: app.api().addr_make("treasury").into(),
        fees: fees(),
        accepted_assets: vec![usdc()],
        fiat_gateways: vec![],
        arbiter: None,
        contracts: SiblingContracts::default(),
    };
    let mut attempt = |msg: InstantiateMsg| -> ContractError {
        app.instantiate_contract(code_id, owner.clone(), &msg, &[], "x", None)
            .unwrap_err()
            .downcast()
            .unwrap()
    };
    let too_high = InstantiateMsg {
        fees: Fees {
            meetings: 2001,
            ..fees()
        },
        ..base.clone()
    };
    assert_eq!(
        attempt(too_high),
        ContractError::FeeTooHigh {
            product: "meetings",
            bps: 2001,
            max: 2000
        }
    );
    let dup = InstantiateMsg {
        accepted_assets: vec![usdc(), usdc()],
        ..base.clone()
    };
    assert_eq!(
        attempt(dup),
        ContractError::Duplicate("native:uusdc".into())
    );
    let many = InstantiateMsg {
        accepted_assets: (0..=MAX_ASSETS)
            .map(|i| AssetInfo::native(format!("denom{i}")))
            .collect(),
        ..base.clone()
    };
    assert_eq!(
        attempt(many),
        ContractError::TooMany {
            what: "accepted assets",
            max: MAX_ASSETS
        }
    );
    let bad_treasury = InstantiateMsg {
        treasury: "Not-An-Address".into(),
        ..base.clone()
    };
    assert!(matches!(attempt(bad_treasury), ContractError::Std(_)));
    let treasury_is_sibling = InstantiateMsg {
        contracts: SiblingContracts {
            meetings: Some(base.treasury.clone()),
            ..Default::default()
        },
        ..base.clone()
    };
    assert_eq!(
        attempt(treasury_is_sibling),
        ContractError::PlatformContract {
            what: "treasury",
            address: base.treasury.clone()
        }
    );
    let bad_cw20 = InstantiateMsg {
        accepted_assets: vec![AssetInfo::cw20(Addr::unchecked("bad"))],
        ..base
    };
    assert!(matches!(
        attempt(bad_cw20),
        ContractError::Asset(AssetError::Std(_))
    ));
}

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
fn ownership_moves_in_two_steps() {
    let mut suite = setup();
    let (owner, next, stranger) = (
        suite.owner.clone(),
        suite.addr("next"),
        suite.addr("stranger"),
    );
    let transfer = ExecuteMsg::UpdateOwnership(cw_ownable::Action::TransferOwnership {
        new_owner: next.to_string(),
        expiry: None,
    });
    let res = suite.exec(&owner, &transfer).unwrap();
    let AnyEvent::Ownership(event) = mesi_event(&res) else {
        panic!("wrong event")
    };
    assert_eq!(
        (event.action.as_str(), event.pending_owner.as_ref()),
        ("proposed", Some(&next))
    );
    // Still the old owner until accepted.
    let ownership: cw_ownable::Ownership<Addr> = suite.query(&QueryMsg::Ownership {});
    assert_eq!(ownership.owner, Some(owner.clone()));
    let accept = ExecuteMsg::UpdateOwnership(cw_ownable::Action::AcceptOwnership);
    assert_eq!(
        suite.exec(&stranger, &accept).unwrap_err(),
        ContractError::Ownership(cw_ownable::OwnershipError::NotPendingOwner)
    );
    suite.exec(&next, &accept).unwrap();
    let ownership: cw_ownable::Ownership<Addr> = suite.query(&QueryMsg::Ownership {});
    assert_eq!(ownership.owner, Some(next.clone()));
    let update = ExecuteMsg::UpdateConfig {
        treasury: None,
        fees: Some(Fees::default()),
        accepted_assets: None,
        fiat_gateways: None,
        arbiter: None,
        contracts: None,
    };
    assert!(suite.exec(&owner, &update).is_err());
    suite.exec(&next, &update).unwrap();
}

#[test]
fn update_config_replaces_gateways_and_siblings() {
    let mut suite = setup();
    let owner = suite.owner.clone();
    let (g2, tips) = (suite.addr("gateway2"), suite.addr("tips"));
    let update = ExecuteMsg::UpdateConfig {
        treasury: None,
        fees: None,
        accepted_assets: None,
        fiat_gateways: Some(vec![g2.to_string()]),
        arbiter: Some(suite.addr("arbiter").into()),
        contracts: Some(SiblingContracts {
            tips: Some(tips.to_string()),
            ..Default::default()
        }),
    };
    let res = suite.exec(&owner, &update).unwrap();
    let AnyEvent::PlatformConfig(event) = mesi_event(&res) else {
        panic!("wrong event")
    };
    assert_eq!(event.fiat_gateways, vec![g2.clone()]);
    assert_eq!(event.contracts.tips, Some(tips));
    let is_old: bool = suite.query(&QueryMsg::IsFiatGateway {
        address: suite.addr("gateway").into(),
    });
    let is_new: bool = suite.query(&QueryMsg::IsFiatGateway { address: g2.into() });
    assert_eq!((is_old, is_new), (false, true));
    let arbiter: Addr = suite.query(&QueryMsg::Arbiter {});
    assert_eq!(arbiter, suite.addr("arbiter"));
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

#[test]
fn migrate_checks_name_and_version() {
    let mut suite = setup();
    let owner = suite.owner.clone();
    suite
        .app
        .migrate_contract(
            owner.clone(),
            suite.registry.clone(),
            &MigrateMsg {},
            suite.code_id,
        )
        .unwrap();

    // A newer version stored: a downgrade is refused.
    let registry = suite.registry.clone();
    let mut storage = suite.app.contract_storage_mut(&registry);
    cw2::set_contract_version(storage.as_mut(), CONTRACT_NAME, "99.0.0").unwrap();
    drop(storage);
    let err = suite
        .app
        .migrate_contract(
            owner.clone(),
            registry.clone(),
            &MigrateMsg {},
            suite.code_id,
        )
        .unwrap_err();
    assert!(
        err.root_cause().to_string().contains("newer version"),
        "{err:?}"
    );

    // Another contract's state is refused.
    let mut storage = suite.app.contract_storage_mut(&registry);
    cw2::set_contract_version(storage.as_mut(), "crates.io:cw20-base", "0.1.0").unwrap();
    drop(storage);
    let err = suite
        .app
        .migrate_contract(owner, registry, &MigrateMsg {}, suite.code_id)
        .unwrap_err();
    assert!(
        err.root_cause()
            .to_string()
            .contains("Cannot migrate from crates.io:cw20-base"),
        "{err:?}"
    );
}

#[test]
fn payouts_and_treasury_never_point_at_a_platform_contract() {
    let mut suite = setup();
    let owner = suite.owner.clone();
    let (tips, ppv) = (suite.addr("tips"), suite.addr("ppv"));
    let siblings = |tips: &Addr| SiblingContracts {
        tips: Some(tips.to_string()),
        ..Default::default()
    };
    let config =
        |treasury: Option<&Addr>, contracts: Option<SiblingContracts>| ExecuteMsg::UpdateConfig {
            treasury: treasury.map(Addr::to_string),
            fees: None,
            accepted_assets: None,
            fiat_gateways: None,
            arbiter: None,
            contracts,
        };
    suite
        .exec(&owner, &config(None, Some(siblings(&tips))))
        .unwrap();
    let refused = |address: &Addr, what| ContractError::PlatformContract {
        what,
        address: address.to_string(),
    };

    // A creator's payout: neither a sibling nor the registry itself, at register and update.
    let alice = suite.addr("alice");
    let registry = suite.registry.clone();
    for target in [&tips, &registry] {
        let mut input = profile("alice");
        input.payout = Some(target.to_string());
        let err = suite
            .exec(&alice, &ExecuteMsg::RegisterCreator { profile: input })
            .unwrap_err();
        assert_eq!(err, refused(target, "payout"));
    }
    let alice = suite.register("alice");
    let mut input = profile("alice");
    input.payout = Some(tips.to_string());
    let err = suite
        .exec(&alice, &ExecuteMsg::UpdateCreator { profile: input })
        .unwrap_err();
    assert_eq!(err, refused(&tips, "payout"));

    // The treasury: not a sibling or the registry, whichever of the two changes.
    for target in [&tips, &registry] {
        let err = suite.exec(&owner, &config(Some(target), None)).unwrap_err();
        assert_eq!(err, refused(target, "treasury"));
    }
    let treasury: ConfigResponse = suite.query(&QueryMsg::Config {});
    let err = suite
        .exec(&owner, &config(None, Some(siblings(&treasury.treasury))))
        .unwrap_err();
    assert_eq!(err, refused(&treasury.treasury, "treasury"));

    // A payout set before its address became a sibling is refused when a payment asks.
    let bob = suite.addr("bob");
    let mut input = profile("bob");
    input.payout = Some(ppv.to_string());
    suite
        .exec(&bob, &ExecuteMsg::RegisterCreator { profile: input })
        .unwrap();
    let contracts = SiblingContracts {
        tips: Some(tips.to_string()),
        ppv: Some(ppv.to_string()),
        ..Default::default()
    };
    suite.exec(&owner, &config(None, Some(contracts))).unwrap();
    let err = suite
        .app
        .wrap()
        .query_wasm_smart::<PaymentTerms>(
            &suite.registry,
            &QueryMsg::PaymentTerms {
                creator: bob.to_string(),
                product: Product::Ppv,
            },
        )
        .unwrap_err();
    assert!(
        err.to_string()
            .contains(&refused(&ppv, "payout").to_string()),
        "{err}"
    );
    // Alice's own address is fine.
    assert_eq!(suite.terms(&alice, Product::Tips).payout, alice);
}
