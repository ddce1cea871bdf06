//! `migrate` and its cw2 checks.

use cw_multi_test::Executor;

use super::*;
use crate::contract::CONTRACT_NAME;
use crate::msg::MigrateMsg;

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
