//! migrate: cw2 name and version checks.

use cosmwasm_std::testing::{mock_dependencies, mock_env};

use super::*;
use crate::contract::{migrate, CONTRACT_NAME, CONTRACT_VERSION};
use crate::msg::MigrateMsg;

#[test]
fn migrate_from_an_older_or_the_same_version() {
    let mut deps = mock_dependencies();
    cw2::set_contract_version(deps.as_mut().storage, CONTRACT_NAME, "0.0.1").unwrap();
    migrate(deps.as_mut(), mock_env(), MigrateMsg {}).unwrap();
    assert_eq!(
        cw2::get_contract_version(&deps.storage).unwrap().version,
        CONTRACT_VERSION
    );
    migrate(deps.as_mut(), mock_env(), MigrateMsg {}).unwrap();
}

#[test]
fn migrate_refuses_another_contract_and_a_downgrade() {
    let mut deps = mock_dependencies();
    cw2::set_contract_version(deps.as_mut().storage, "crates.io:cw20-base", "0.0.1").unwrap();
    let err = migrate(deps.as_mut(), mock_env(), MigrateMsg {}).unwrap_err();
    assert!(
        err.to_string()
            .contains("Cannot migrate from crates.io:cw20-base"),
        "{err}"
    );

    cw2::set_contract_version(deps.as_mut().storage, CONTRACT_NAME, "99.0.0").unwrap();
    let err = migrate(deps.as_mut(), mock_env(), MigrateMsg {}).unwrap_err();
    assert!(
        err.to_string()
            .contains("Cannot migrate from newer version"),
        "{err}"
    );
}

#[test]
fn migrate_through_the_chain_keeps_state() {
    let mut s = Suite::new();
    let (creator, fan) = (s.creator.clone(), s.fan());
    s.list_item(&creator, "clip", 10, s.usdc()).unwrap();
    s.buy_usdc(&fan, "clip", 10).unwrap();
    let (owner, ppv, code) = (s.owner.clone(), s.ppv.clone(), s.ppv_code_id);
    s.app
        .migrate_contract(owner, ppv.clone(), &MigrateMsg {}, code)
        .unwrap();
    // Only the admin may migrate.
    assert!(s
        .app
        .migrate_contract(fan.clone(), ppv, &MigrateMsg {}, code)
        .is_err());
    assert!(s.has_access(&fan, "clip").allowed);
    assert_eq!(s.spent(&creator, &fan, &s.usdc()), 10);
}
