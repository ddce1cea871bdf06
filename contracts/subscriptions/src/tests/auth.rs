use cosmwasm_std::testing::{mock_dependencies, mock_env};
use cosmwasm_std::Uint128;

use super::*;
use crate::contract::{migrate, CONTRACT_NAME, CONTRACT_VERSION};
use crate::msg::MigrateMsg;

/// Carol owns tier 1 (MESI); fan 0 holds an auto-renewing subscription to it.
fn setup() -> (Suite, Addr, Addr) {
    let mut suite = Suite::new();
    let (carol, fan, mesi) = (suite.carol.clone(), suite.fan(0), suite.mesi());
    suite
        .create_tier(&carol, 1, suite.mesi_asset(), 30, terms(1_000))
        .unwrap();
    let subscribe = ReceiveMsg::Subscribe {
        creator: carol.to_string(),
        tier: 1,
        periods: 1,
        max_price_per_period: Uint128::new(1_000),
        auto_renew: true,
    };
    suite.send_cw20(&mesi, &fan, 1_000, &subscribe).unwrap();
    (suite, carol, fan)
}

#[test]
fn only_the_creator_manages_their_tiers() {
    let (mut suite, carol, fan) = setup();
    let before = suite.tier(&carol, 1);
    let wrong_parties = [
        suite.dave.clone(),
        fan.clone(),
        suite.owner.clone(),
        suite.registry.clone(),
    ];
    for sender in &wrong_parties {
        // Tier messages act on the sender's own tiers, so someone else's tier is not found.
        assert_eq!(
            suite
                .exec(
                    sender,
                    &ExecuteMsg::UpdateTier {
                        tier: 1,
                        terms: terms(1)
                    },
                    &[]
                )
                .unwrap_err(),
            ContractError::TierNotFound(1),
            "{sender}"
        );
        assert_eq!(
            suite
                .exec(sender, &ExecuteMsg::RetireTier { tier: 1 }, &[])
                .unwrap_err(),
            ContractError::TierNotFound(1),
            "{sender}"
        );
    }
    assert_eq!(suite.tier(&carol, 1), before);
    // Someone who is not a registered creator cannot create tiers.
    for sender in [fan.clone(), suite.owner.clone()] {
        let err = suite
            .create_tier(&sender, 1, suite.mesi_asset(), 30, terms(1))
            .unwrap_err();
        assert!(
            matches!(err, ContractError::NoPaymentTerms { ref creator, .. } if *creator == sender.to_string()),
            "{err:?}"
        );
    }
}

#[test]
fn only_the_fan_cancels_extends_or_upgrades_their_subscription() {
    let (mut suite, carol, fan) = setup();
    let carol_str = carol.to_string();
    let mesi = suite.mesi();
    suite
        .create_tier(&carol, 2, suite.mesi_asset(), 30, terms(2_000))
        .unwrap();
    let before = suite.subscription(&carol, &fan).unwrap();
    let wrong_parties = [
        suite.fan(1),
        carol.clone(),
        suite.dave.clone(),
        suite.owner.clone(),
    ];
    for sender in &wrong_parties {
        assert_eq!(
            suite
                .exec(
                    sender,
                    &ExecuteMsg::Cancel {
                        creator: carol_str.clone()
                    },
                    &[]
                )
                .unwrap_err(),
            ContractError::NoSubscription,
            "{sender}"
        );
    }
    // A payment always acts for its payer: another fan's extend or upgrade finds nothing.
    let other = suite.fan(1);
    let extend = ReceiveMsg::Extend {
        creator: carol_str.clone(),
        periods: 1,
        max_price_per_period: Uint128::new(1_000),
    };
    assert_eq!(
        suite.send_cw20(&mesi, &other, 1_000, &extend).unwrap_err(),
        ContractError::NoSubscription
    );
    let upgrade = ReceiveMsg::Upgrade {
        creator: carol_str,
        to_tier: 2,
        max_price_per_period: Uint128::new(2_000),
    };
    assert_eq!(
        suite.send_cw20(&mesi, &other, 1_000, &upgrade).unwrap_err(),
        ContractError::NoSubscription
    );
    assert_eq!(suite.subscription(&carol, &fan).unwrap(), before);
    suite.assert_holds_nothing();
}

#[test]
fn migrate_only_by_the_admin() {
    let (mut suite, _, fan) = setup();
    let (subs, code_id) = (suite.subs.clone(), suite.code_id);
    assert!(suite
        .app
        .migrate_contract(fan, subs.clone(), &MigrateMsg {}, code_id)
        .is_err());
    let owner = suite.owner.clone();
    suite
        .app
        .migrate_contract(owner, subs.clone(), &MigrateMsg {}, code_id)
        .unwrap();
    let version = cw2::query_contract_info(&suite.app.wrap(), subs).unwrap();
    assert_eq!(
        (version.contract.as_str(), version.version.as_str()),
        (CONTRACT_NAME, CONTRACT_VERSION)
    );
}

#[test]
fn migrate_checks_the_contract_name_and_refuses_downgrades() {
    let mut deps = mock_dependencies();
    cw2::set_contract_version(&mut deps.storage, "crates.io:mesi-tips", CONTRACT_VERSION).unwrap();
    let err = migrate(deps.as_mut(), mock_env(), MigrateMsg {}).unwrap_err();
    assert!(
        err.to_string()
            .contains("Cannot migrate from crates.io:mesi-tips"),
        "{err}"
    );

    cw2::set_contract_version(&mut deps.storage, CONTRACT_NAME, "999.0.0").unwrap();
    let err = migrate(deps.as_mut(), mock_env(), MigrateMsg {}).unwrap_err();
    assert!(err.to_string().contains("newer version"), "{err}");

    cw2::set_contract_version(&mut deps.storage, CONTRACT_NAME, "0.0.1").unwrap();
    migrate(deps.as_mut(), mock_env(), MigrateMsg {}).unwrap();
    assert_eq!(
        cw2::get_contract_version(&deps.storage).unwrap().version,
        CONTRACT_VERSION
    );
}
