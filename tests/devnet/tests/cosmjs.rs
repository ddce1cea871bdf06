//! A real wallet library against the devnet and against a real wasmd chain: tests/devnet/js
//! (cosmjs's SigningCosmWasmClient with a DirectSecp256k1HdWallet, run by `node --test`) signs
//! and broadcasts a tip, a subscription, a meeting bid and a failing tip, and reads the
//! contracts back. An indexer follows the same chain over RPC, and the JavaScript test checks
//! that its API's fan feed lists the three transactions.
//!
//! Needs Node.js and npm (a prerequisite of the repository); installs the pinned packages
//! with `npm ci` when tests/devnet/js/node_modules is missing. The indexer part needs a
//! PostgreSQL for tests (DATABASE_URL); the wasmd run needs MESI_WASMD (see mesi_devnet::wasmd).

mod support;

use std::path::Path;
use std::process::Command;

use mesi_devnet::devnet::{BlockProduction, DevnetInfo};
use mesi_devnet::wasmd::Wasmd;
use mesi_indexer::testkit::{Follower, TestDb};

/// `npm ci` once per test binary: the tests run in parallel, and a second `npm ci` would
/// delete node_modules under the first one's feet.
fn install_js_packages(js: &Path) {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| install_if_missing(js));
}

fn install_if_missing(js: &Path) {
    if !js.join("node_modules/@cosmjs/cosmwasm-stargate").exists() {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(js)
            .status()
            .expect("npm is installed (Node.js is a prerequisite)");
        assert!(status.success(), "npm ci failed in {}", js.display());
    }
}

/// Runs the JavaScript wallet test against the chain at `rpc` described by `info`, with an
/// indexer following it when a test database is available.
fn run_wallet_test(rpc: &str, info: &DevnetInfo) {
    let js = support::repo_root().join("tests/devnet/js");
    install_js_packages(&js);
    // One file per chain: the tests run in parallel in one process.
    let info_file = tempfile_path(&format!("{}.json", info.chain_id));
    std::fs::write(&info_file, serde_json::to_vec(info).unwrap()).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let indexer = runtime.block_on(async {
        let db = TestDb::create().await?;
        let contracts = info.deployment.clone()?.contracts;
        let pairs = contracts.indexer_kinds().into_iter();
        let follower = Follower::start(rpc, &db.url, pairs.map(|(a, k)| format!("{a}={k}")))
            .await
            .expect("the indexer starts");
        Some((db, follower))
    });
    let mut node = Command::new("node");
    node.arg("--test")
        .current_dir(&js)
        .env("MESI_CHAIN_RPC", rpc)
        .env("MESI_CHAIN_INFO", &info_file);
    if let Some((_, follower)) = &indexer {
        node.env("MESI_INDEXER_API", &follower.api_url);
    }
    let output = node.output().expect("node is installed");
    let _ = std::fs::remove_file(&info_file);
    let stdout = String::from_utf8_lossy(&output.stdout);
    println!("{stdout}");
    eprintln!("{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "node --test failed");
    assert!(stdout.contains("# fail 0"), "{stdout}");
    if let Some((_, follower)) = &indexer {
        assert!(stdout.contains("# skipped 0"), "{stdout}");
        assert!(follower.is_running(), "the indexer stopped");
    }
}

fn tempfile_path(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("mesi-cosmjs-{}-{name}", std::process::id()))
}

#[test]
fn cosmjs_on_the_devnet() {
    // Blocks every 300 ms, as a chain makes them on its own schedule: cosmjs polls for its
    // transactions.
    let served = support::serve(support::options(BlockProduction::Every(
        std::time::Duration::from_millis(300),
    )));
    run_wallet_test(&served.url, served.devnet.info());
}

#[test]
fn cosmjs_on_wasmd() {
    let Some(wasmd) = Wasmd::start_or_skip(12) else {
        return;
    };
    let info = wasmd.deploy().expect("the suite deploys to wasmd");
    run_wallet_test(&wasmd.rpc, &info);
}
