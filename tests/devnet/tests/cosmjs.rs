//! A real wallet library against the devnet: tests/devnet/js (cosmjs's SigningCosmWasmClient
//! with a DirectSecp256k1HdWallet, run by `node --test`) signs and broadcasts a tip, a
//! subscription and a meeting bid, and reads the contracts back.
//!
//! Needs Node.js and npm (a prerequisite of the repository); installs the pinned packages
//! with `npm ci` when tests/devnet/js/node_modules is missing. With a PostgreSQL for tests
//! (DATABASE_URL), an indexer follows the devnet and the JavaScript test also checks that its
//! API's fan feed lists the three transactions.

mod support;

use std::process::Command;

use mesi_devnet::devnet::BlockProduction;
use mesi_indexer::testkit::{Follower, TestDb};

#[test]
fn cosmjs_signs_broadcasts_and_queries() {
    let js = support::repo_root().join("tests/devnet/js");
    if !js.join("node_modules/@cosmjs/cosmwasm-stargate").exists() {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&js)
            .status()
            .expect("npm is installed (Node.js is a prerequisite)");
        assert!(status.success(), "npm ci failed in {}", js.display());
    }
    // Blocks every 300 ms, as a chain makes them on its own schedule: cosmjs polls for its
    // transactions.
    let served = support::serve(support::options(BlockProduction::Every(
        std::time::Duration::from_millis(300),
    )));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let indexer = runtime.block_on(async {
        let db = TestDb::create().await?;
        let contracts = served.devnet.info().deployment.clone()?.contracts;
        let pairs = contracts.indexer_kinds().into_iter();
        let follower =
            Follower::start(&served.url, &db.url, pairs.map(|(a, k)| format!("{a}={k}")))
                .await
                .expect("the indexer starts");
        Some((db, follower))
    });
    let mut node = Command::new("node");
    node.arg("--test")
        .current_dir(&js)
        .env("MESI_DEVNET_RPC", &served.url);
    if let Some((_, follower)) = &indexer {
        node.env("MESI_INDEXER_API", &follower.api_url);
    }
    let output = node.output().expect("node is installed");
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
