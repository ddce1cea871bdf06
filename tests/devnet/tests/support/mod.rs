//! A devnet served on a free local port for the tests of this crate.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

use mesi_devnet::deploy::default_artifacts_dir;
use mesi_devnet::devnet::{BlockClock, BlockProduction, Devnet, DevnetOptions};
use mesi_devnet::keys::DEV_MNEMONIC;
use mesi_devnet::node::NodeConfig;

pub const CHAIN_ID: &str = "mesi-test-1";
pub const FEE_DENOM: &str = "ustake";
pub const STABLE_DENOM: &str = "uusdc";
pub const MIN_GAS_PRICE: &str = "0.0025";
/// 2026-01-01T00:00:00Z.
pub const GENESIS_SECONDS: u64 = 1_767_225_600;

pub use mesi_devnet::rpc::Background as Served;

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repository root")
}

/// Fails with the command to run when the artifacts are missing (scripts/test builds them).
fn check_artifacts(dir: &Path) {
    for file in [
        "anchors/cw20_base.wasm",
        "mesi_creators.wasm",
        "mesi_meetings.wasm",
    ] {
        assert!(
            dir.join(file).exists(),
            "{} is missing: run scripts/build-wasm and scripts/build-anchors --if-missing",
            dir.join(file).display()
        );
    }
}

pub fn options(production: BlockProduction) -> DevnetOptions {
    let artifacts = default_artifacts_dir();
    check_artifacts(&artifacts);
    DevnetOptions {
        node: NodeConfig {
            chain_id: CHAIN_ID.into(),
            bech32_prefix: "wasm".into(),
            fee_denom: FEE_DENOM.into(),
            min_gas_price: MIN_GAS_PRICE.parse().unwrap(),
            genesis_time_nanos: GENESIS_SECONDS * 1_000_000_000,
            cache_dir: None,
        },
        mnemonic: DEV_MNEMONIC.into(),
        accounts: 12,
        stable_denom: STABLE_DENOM.into(),
        native_balance: 1_000_000_000_000,
        mesi_balance: 1_000_000_000_000,
        artifacts,
        deploy: true,
        production,
        clock: BlockClock::Fixed(5),
    }
}

/// Starts a devnet with `options` and serves it on 127.0.0.1 at a free port.
pub fn serve(options: DevnetOptions) -> Served {
    let devnet = Devnet::start(options).expect("the devnet starts");
    Served::start(devnet, "127.0.0.1:0".parse().unwrap()).expect("the devnet is served")
}

/// Waits until the indexer serving `api` has indexed `height`.
pub fn wait_until_indexed(api: &str, height: u64) {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let ready: Value = reqwest::blocking::get(format!("{api}/ready"))
            .and_then(|r| r.json())
            .unwrap_or_default();
        if ready["height"].as_u64().unwrap_or(0) >= height {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the indexer at {api} did not reach height {height}: {ready}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
