//! The deployment's messages against the committed schema, and `scripts/deploy --cli` through
//! a stand-in for a wasmd-style CLI (tests/fixtures/fake-wasmd): the calls it makes, in order,
//! with the messages `mesi-devnet deploy-msg` builds.

mod support;

use std::process::Command;

use mesi_devnet::deploy::{instantiate_message, wire_message, Contracts, DeployParams};
use serde_json::Value;

fn params() -> DeployParams {
    DeployParams {
        owner: "wasm1owner".into(),
        treasury: "wasm1treasury".into(),
        fiat_gateways: vec!["wasm1gateway".into()],
        stable_denom: "uusdc".into(),
        mesi_balances: vec![("wasm1owner".into(), 5)],
    }
}

fn contracts() -> Contracts {
    Contracts {
        mesi_token: "wasm1token".into(),
        creators: "wasm1creators".into(),
        tips: "wasm1tips".into(),
        subscriptions: "wasm1subscriptions".into(),
        ppv: "wasm1ppv".into(),
        surprises: "wasm1surprises".into(),
        meetings: "wasm1meetings".into(),
    }
}

fn schema(contract: &str) -> Value {
    let path = support::repo_root()
        .join("schema")
        .join(contract)
        .join(format!("mesi-{contract}.json"));
    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
}

/// `msg` has every required property of the object schema and none it does not list.
fn assert_fits(object_schema: &Value, msg: &Value, what: &str) {
    let properties = object_schema["properties"].as_object().unwrap();
    let fields = msg.as_object().unwrap();
    for required in object_schema["required"].as_array().into_iter().flatten() {
        assert!(
            fields.contains_key(required.as_str().unwrap()),
            "{what}: {required} is missing"
        );
    }
    for key in fields.keys() {
        assert!(
            properties.contains_key(key),
            "{what}: {key} is not in the schema"
        );
    }
}

#[test]
fn instantiate_and_wiring_messages_follow_the_committed_schema() {
    for contract in [
        "creators",
        "tips",
        "subscriptions",
        "ppv",
        "surprises",
        "meetings",
    ] {
        let msg = instantiate_message(contract, &params(), &contracts()).unwrap();
        assert_fits(&schema(contract)["instantiate"], &msg, contract);
    }
    let wire = wire_message(&contracts()).unwrap();
    let execute = schema("creators")["execute"].clone();
    let update_config = execute["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .find(|variant| variant["required"][0] == "update_config")
        .expect("update_config in the schema")
        .clone();
    assert_fits(&update_config, &wire, "wire");
    assert_fits(
        &update_config["properties"]["update_config"],
        &wire["update_config"],
        "wire",
    );
    // A contract that needs an address instantiated before it says which.
    let missing = instantiate_message("ppv", &params(), &Contracts::default()).unwrap_err();
    assert!(missing.to_string().contains("creators"), "{missing}");
}

#[test]
fn scripts_deploy_cli_stores_instantiates_and_wires_through_the_chain_cli() {
    let root = support::repo_root();
    let state = std::env::temp_dir().join(format!("fake-wasmd-{}.json", std::process::id()));
    std::fs::remove_file(&state).ok();
    let output = Command::new(root.join("scripts/deploy"))
        .args([
            "--cli",
            "--from",
            "deployer",
            "--chain-id",
            "test-1",
            "--node",
            "http://127.0.0.1:1",
            "--keyring-backend",
            "test",
        ])
        .env(
            "CHAIN_BIN",
            root.join("tests/devnet/tests/fixtures/fake-wasmd"),
        )
        .env("FAKE_WASMD_STATE", &state)
        .env("MESI_DEVNET_BIN", env!("CARGO_BIN_EXE_mesi-devnet"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let result: Value = serde_json::from_slice(&output.stdout).unwrap();
    let log: Value = serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap();
    std::fs::remove_file(&state).ok();
    let calls: Vec<Vec<String>> = serde_json::from_value(log["log"].clone()).unwrap();
    let txs: Vec<&Vec<String>> = calls.iter().filter(|c| c[0] == "tx").collect();
    // 7 uploads, 7 instantiations, the wiring; each signed by the key, with gas prices.
    assert_eq!(txs.len(), 15);
    assert!(txs[..7].iter().all(|c| c[2] == "store"));
    assert!(txs[0][3].ends_with("artifacts/anchors/cw20_base.wasm"));
    assert!(txs[7..14].iter().all(|c| c[2] == "instantiate"));
    assert_eq!(txs[14][2], "execute");
    for call in &txs {
        let joined = call.join(" ");
        assert!(joined.contains("--from deployer"), "{joined}");
        assert!(joined.contains("--chain-id test-1"), "{joined}");
        assert!(joined.contains("--keyring-backend test"), "{joined}");
    }
    // The registry gets the token's address; the products get the registry's.
    let token = result["contracts"]["mesi_token"].as_str().unwrap();
    let creators = result["contracts"]["creators"].as_str().unwrap();
    let creators_msg: Value = serde_json::from_str(&txs[8][4]).unwrap();
    assert!(creators_msg["accepted_assets"].to_string().contains(token));
    let tips_msg: Value = serde_json::from_str(&txs[9][4]).unwrap();
    assert_eq!(tips_msg["creators"], creators);
    assert_eq!(txs[14][3], creators);
    let wire: Value = serde_json::from_str(&txs[14][4]).unwrap();
    assert_eq!(
        wire["update_config"]["contracts"]["meetings"],
        result["contracts"]["meetings"]
    );
}
