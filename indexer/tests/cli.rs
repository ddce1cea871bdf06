//! The `mesi-indexer` command line end to end: `migrate`, `status`, and `run` configured by a
//! TOML file, against the local RPC server and a real PostgreSQL; `openapi` with neither.

mod common;

use std::process::Output;
use std::sync::Arc;

use common::assert_database_matches;
use mesi_indexer::testkit::{Chain, ChainSpec, RpcServer, ServerOptions, TestDb};

async fn indexer(args: &[&str]) -> Output {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_mesi-indexer"))
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("MESI_CONTRACTS")
        .env("RUST_LOG", "warn")
        .output()
        .await
        .unwrap();
    assert!(
        output.status.success(),
        "mesi-indexer {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_status_and_run_from_a_config_file() {
    let Some(db) = TestDb::create().await else {
        return;
    };
    let chain = Arc::new(Chain::generate(ChainSpec {
        seed: 64,
        blocks: 40,
        ..ChainSpec::default()
    }));
    let server = RpcServer::start(chain.clone(), ServerOptions::default())
        .await
        .unwrap();
    let contracts: String = chain
        .contracts
        .iter()
        .map(|(address, kind)| format!("\"{address}\" = \"{kind}\"\n"))
        .collect();
    let config = std::env::temp_dir().join(format!("mesi-indexer-{:x}.toml", fastrand::u64(..)));
    std::fs::write(
        &config,
        format!(
            "rpc = \"{}\"\ndatabase_url = \"{}\"\n\n[contracts]\n{contracts}",
            server.url(),
            db.url
        ),
    )
    .unwrap();
    let config = config.to_str().unwrap();

    let migrated = indexer(&["migrate", "--database-url", &db.url]).await;
    assert_eq!(
        String::from_utf8_lossy(&migrated.stdout).trim(),
        "migrations applied"
    );

    let before = indexer(&["status", "--config", config]).await;
    let before = String::from_utf8(before.stdout).unwrap();
    assert!(before.contains("cursor: none"), "{before}");
    assert!(before.contains("head 40"), "{before}");

    indexer(&[
        "run",
        "--config",
        config,
        "--exit-when-caught-up",
        "--progress",
        "quiet",
        "--no-websocket",
    ])
    .await;
    let after = String::from_utf8(indexer(&["status", "--config", config]).await.stdout).unwrap();
    assert!(after.contains("cursor: 40"), "{after}");
    assert!(after.contains("lag:    0 blocks"), "{after}");
    let _ = std::fs::remove_file(config);

    assert_database_matches(&db.pool().await, &chain, chain.head()).await;
}

/// `openapi` prints the document the API serves at `/openapi.json`, with no database and no node
/// configured, so clients can be generated offline.
#[tokio::test]
async fn openapi_prints_the_served_document_without_a_database() {
    let printed = indexer(&["openapi"]).await;
    let printed: serde_json::Value =
        serde_json::from_slice(&printed.stdout).expect("the document as JSON on stdout");
    let served = mesi_indexer::api::openapi().to_json().unwrap();
    assert_eq!(
        printed,
        serde_json::from_str::<serde_json::Value>(&served).unwrap()
    );
    assert!(printed["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/feed",
        "/can-message",
        "/auth/login",
        "/chat/threads",
        "/streams/{stream_id}/comments",
    ] {
        assert!(
            printed["paths"].get(path).is_some(),
            "{path} is not documented"
        );
    }
}
