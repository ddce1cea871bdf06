//! A real wallet library against the devnet and against a real wasmd chain: tests/devnet/js
//! (cosmjs's SigningCosmWasmClient with a DirectSecp256k1HdWallet, run by `node --test`) signs
//! and broadcasts a tip, a subscription, a meeting bid, a tip in MESI (CW20) and a failing
//! tip, and reads the contracts back. An indexer follows the same chain over RPC, and the
//! JavaScript test checks that its API's fan feed lists the tip, subscription and bid.
//!
//! The JavaScript tests use the TypeScript SDK (sdk/, `@mesi/sdk`) for the contract messages,
//! and sdk.test.mjs uses it as a frontend does against the indexer: ADR-036 sign-in, a creator
//! page, a tip and the creator's live feed.
//!
//! Needs Node.js and npm (a prerequisite of the repository); builds the SDK when sdk/dist is
//! missing, and installs tests/devnet/js's pinned packages with `npm ci` when its
//! node_modules was not installed from its current package-lock.json. The indexer part needs
//! a PostgreSQL for tests (DATABASE_URL); the wasmd run needs MESI_WASMD (see
//! mesi_devnet::wasmd).

mod support;

use std::path::Path;
use std::process::Command;

use mesi_devnet::devnet::{BlockProduction, DevnetInfo};
use mesi_devnet::wasmd::Wasmd;
use mesi_indexer::testkit::{Follower, TestDb};

/// Builds the SDK and runs `npm ci`, once per test binary: the tests run in parallel, and a
/// second `npm ci` would delete node_modules under the first one's feet.
fn install_js_packages(js: &Path) {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        build_sdk_if_missing(&support::repo_root().join("sdk"));
        install_if_stale(js);
    });
}

fn npm(dir: &Path, args: &[&str]) {
    let status = Command::new("npm")
        .args(args)
        .current_dir(dir)
        .status()
        .expect("npm is installed (Node.js is a prerequisite)");
    assert!(
        status.success(),
        "npm {} failed in {}",
        args.join(" "),
        dir.display()
    );
}

/// tests/devnet/js depends on the SDK as `file:../../../sdk`, a link to sdk/ whose `main` is
/// dist/index.js (built, not committed) and whose own dependencies load from sdk/node_modules
/// (`npm ci` in tests/devnet/js does not install them).
fn build_sdk_if_missing(sdk: &Path) {
    if !sdk.join("node_modules").exists() {
        npm(sdk, &["ci", "--no-audit", "--no-fund"]);
    }
    if !sdk.join("dist/index.js").exists() {
        npm(sdk, &["run", "build"]);
    }
}

/// `npm ci` unless node_modules was installed from the current package-lock.json: a copy of
/// the lock it was installed from is kept beside it.
fn install_if_stale(js: &Path) {
    let lock =
        std::fs::read(js.join("package-lock.json")).expect("tests/devnet/js/package-lock.json");
    let stamp = js.join("node_modules/.mesi-installed-package-lock.json");
    let installed = js.join("node_modules/@cosmjs/cosmwasm-stargate").exists()
        && std::fs::read(&stamp).is_ok_and(|copy| copy == lock);
    if !installed {
        npm(js, &["ci", "--no-audit", "--no-fund"]);
        std::fs::write(&stamp, &lock).expect("node_modules is writable");
    }
}

/// Runs the JavaScript tests (wallet.test.mjs, sdk.test.mjs) against the chain at `rpc`
/// described by `info`, with an indexer following it when a test database is available.
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
