//! Crash safety: the real `mesi-indexer` binary is killed (SIGKILL) at random points of a
//! backfill and its database connections are cut under it; after it is restarted to the end,
//! every table equals that of one clean run.

mod common;

use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use common::{assert_database_matches, ingest, test_options};
use mesi_indexer::testkit::{
    table_digests, Chain, ChainSpec, Faults, RpcServer, ServerOptions, TestDb,
};
use sqlx::PgPool;
use tokio::process::{Child, Command};

async fn cursor(pool: &PgPool) -> u64 {
    // Before the first run has migrated, the table does not exist yet.
    sqlx::query_scalar::<_, i64>("SELECT height FROM ingest_cursor")
        .fetch_optional(pool)
        .await
        .ok()
        .flatten()
        .unwrap_or(0) as u64
}

fn spawn_indexer(chain: &Chain, rpc: &str, database_url: &str, log: &std::path::Path) -> Child {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_mesi-indexer"));
    command
        .args([
            "run",
            "--rpc",
            rpc,
            "--database-url",
            database_url,
            "--stop-at",
            &chain.head().to_string(),
        ])
        .args([
            "--prefetch",
            "8",
            "--batch-blocks",
            "15",
            "--batch-rows",
            "150",
            "--progress",
            "log",
        ])
        .args([
            "--rpc-timeout",
            "1",
            "--max-backoff-ms",
            "200",
            "--poll-interval-ms",
            "20",
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(log)
        .kill_on_drop(true);
    for flag in chain.contract_flags() {
        command.args(["--contract", &flag]);
    }
    command.spawn().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_and_disconnected_ingest_ends_with_the_tables_of_a_clean_run() {
    let Some(clean) = TestDb::create().await else {
        return;
    };
    let crashed = TestDb::create().await.unwrap();
    let chain = Arc::new(Chain::generate(ChainSpec {
        seed: 42,
        blocks: 400,
        max_txs_per_block: 6,
        ..ChainSpec::default()
    }));
    let faults = Faults {
        http_500: 0.02,
        truncated: 0.02,
        drop_connection: 0.02,
        slow: 0.1,
        slow_delay: Duration::from_millis(20),
        ..Faults::default()
    };
    let server = RpcServer::start(
        chain.clone(),
        ServerOptions {
            faults,
            ..ServerOptions::default()
        },
    )
    .await
    .unwrap();

    ingest(
        &chain,
        &server.url(),
        &clean.url,
        test_options(chain.head()),
    )
    .await;
    let clean_pool = clean.pool().await;
    assert_database_matches(&clean_pool, &chain, chain.head()).await;

    let pool = crashed.pool().await;
    let log = std::env::temp_dir().join(format!("mesi-indexer-crash-{:x}.log", fastrand::u64(..)));
    let mut rng = fastrand::Rng::with_seed(42);
    let (mut kills, mut kills_mid_backfill, mut cut_connections) = (0, 0, 0);
    while kills < 10 {
        let before = cursor(&pool).await;
        let mut child = spawn_indexer(&chain, &server.url(), &crashed.url, &log);
        // Let it get a random distance further (or finish), then strike.
        let target = before + rng.u64(1..=30);
        while child.try_wait().unwrap().is_none() && cursor(&pool).await < target {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        if rng.bool() {
            // Cut its database connections mid-work; it must reconnect and go on.
            let cut: i64 = sqlx::query_scalar(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                 WHERE application_name = 'mesi-indexer' AND datname = current_database()",
            )
            .fetch_one(&pool)
            .await
            .unwrap();
            cut_connections += cut;
            tokio::time::sleep(Duration::from_millis(rng.u64(0..40))).await;
        }
        tokio::time::sleep(Duration::from_micros(rng.u64(0..20_000))).await;
        if child.try_wait().unwrap().is_some() {
            break; // it finished the backfill before the blow
        }
        child.kill().await.unwrap();
        kills += 1;
        let after = cursor(&pool).await;
        if after > 0 && after < chain.head() {
            kills_mid_backfill += 1;
        }
    }
    // Restart until done.
    let status = spawn_indexer(&chain, &server.url(), &crashed.url, &log)
        .wait()
        .await
        .unwrap();
    let output = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_file(&log);
    assert!(status.success(), "the last run failed:\n{output}");
    assert!(
        kills_mid_backfill >= 3,
        "only {kills_mid_backfill} kills landed mid-backfill"
    );
    eprintln!("{kills} kills ({kills_mid_backfill} mid-backfill), {cut_connections} database connections cut");

    assert_database_matches(&pool, &chain, chain.head()).await;
    assert_eq!(table_digests(&clean_pool).await, table_digests(&pool).await);
}
