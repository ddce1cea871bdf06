//! The platform configuration: instantiate, `UpdateConfig`, ownership, and payment
//! destinations that are platform contracts.

use cosmwasm_std::Addr;
use cw_multi_test::{App, ContractWrapper, Executor};
use mesi_common::events::AnyEvent;
use mesi_common::interfaces::creators::{Fees, PaymentTerms, Product};
use mesi_common::{AssetError, AssetInfo};

use super::*;
use crate::contract::{execute, instantiate, query};
use crate::error::ContractError;
use crate::msg::{
    ConfigResponse, ExecuteMsg, InstantiateMsg, QueryMsg, SiblingContracts, MAX_ASSETS,
};

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
