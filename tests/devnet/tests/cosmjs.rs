//! A real wallet library against the devnet: tests/devnet/js (cosmjs's SigningCosmWasmClient
//! with a DirectSecp256k1HdWallet, run by `node --test`) signs and broadcasts a tip, a
//! subscription and a meeting bid, and reads the contracts back.
//!
//! Needs Node.js and npm (a prerequisite of the repository); installs the pinned packages
//! with `npm ci` when tests/devnet/js/node_modules is missing. MESI_INDEXER_API, when set, is
//! passed on: the JavaScript test then also checks an indexer following this devnet.

mod support;

use std::process::Command;

use mesi_devnet::devnet::BlockProduction;

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
    let output = Command::new("node")
        .arg("--test")
        .current_dir(&js)
        .env("MESI_DEVNET_RPC", &served.url)
        .output()
        .expect("node is installed");
    let stdout = String::from_utf8_lossy(&output.stdout);
    println!("{stdout}");
    eprintln!("{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "node --test failed");
    assert!(stdout.contains("# fail 0"), "{stdout}");
}
