//! Ingest throughput: a backfill of a generated chain with at least 100,000 Mesi events served
//! by the local RPC server, next to a raw COPY of the same event rows into the same PostgreSQL.
//!
//!     eval "$(scripts/pg-start)"
//!     cargo bench -p mesi-indexer --bench ingest
//!
//! MESI_BENCH_BLOCKS sets the chain length (default 2,500 blocks, about 130,000 events).

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use mesi_indexer::ingest::{self, IngestOptions, ProgressMode};
use mesi_indexer::source::RpcClient;
use mesi_indexer::store::Store;
use mesi_indexer::testkit::{Chain, ChainSpec, Dialect, RpcServer, ServerOptions, TestDb};
use sqlx::Connection;

const MIN_EVENTS: usize = 100_000;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if std::env::var("DATABASE_URL").is_err() {
        anyhow::bail!("set DATABASE_URL (eval \"$(scripts/pg-start)\") to run the ingest bench");
    }
    let blocks = std::env::var("MESI_BENCH_BLOCKS")
        .ok()
        .and_then(|b| b.parse().ok())
        .unwrap_or(2_500);
    let spec = ChainSpec {
        seed: 2024,
        blocks,
        max_txs_per_block: 20,
        max_mesi_events_per_tx: 10,
        failed_tx_ratio: 0.0,
        malformed_ratio: 0.0,
        spoof_ratio: 0.0,
        dialects: vec![Dialect::V038],
        sdk_noise: false,
        ..ChainSpec::default()
    };
    let chain = Arc::new(Chain::generate(spec));
    let events = chain.expected.events.len();
    if events < MIN_EVENTS {
        anyhow::bail!(
            "the chain has {events} events, fewer than {MIN_EVENTS}: raise MESI_BENCH_BLOCKS"
        );
    }
    let server = RpcServer::start(chain.clone(), ServerOptions::default()).await?;
    let db = TestDb::create().await.expect("DATABASE_URL is set");
    let store = Store::connect(&db.url).await?;
    store.migrate().await?;

    let options = IngestOptions {
        stop_at: Some(chain.head()),
        progress: ProgressMode::Quiet,
        ..IngestOptions::default()
    };
    let source = RpcClient::new(&server.url(), Duration::from_secs(30))?;
    let started = Instant::now();
    let summary = ingest::run(
        source,
        store.clone(),
        Arc::new(chain.contracts.clone()),
        options,
    )
    .await?;
    let ingest_secs = started.elapsed().as_secs_f64();
    assert_eq!(summary.events as usize, events, "every event stored");

    // The same event rows, COPY'd into a table shaped like `events` (same keys and indexes).
    let mut conn = sqlx::PgConnection::connect(&db.url).await?;
    sqlx::query("CREATE TABLE events_copy (LIKE events INCLUDING ALL)")
        .execute(&mut conn)
        .await?;
    let rows: Vec<u8> = conn
        .copy_out_raw("COPY events TO STDOUT")
        .await?
        .try_fold(Vec::new(), |mut all, chunk| async move {
            all.extend_from_slice(&chunk);
            Ok(all)
        })
        .await?;
    let started = Instant::now();
    let mut tx = conn.begin().await?;
    let mut copy = tx.copy_in_raw("COPY events_copy FROM STDIN").await?;
    copy.send(rows).await?;
    let copied = copy.finish().await?;
    tx.commit().await?;
    let copy_secs = started.elapsed().as_secs_f64();
    assert_eq!(copied as usize, events);

    let projection_rows: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM tips) + (SELECT count(*) FROM fiat_tips)
              + (SELECT count(*) FROM tip_totals) + (SELECT count(*) FROM fiat_tip_totals)",
    )
    .fetch_one(&mut conn)
    .await?;
    let ingest_rate = events as f64 / ingest_secs;
    let copy_rate = events as f64 / copy_secs;
    println!("chain: {} blocks, {events} Mesi events", chain.head());
    println!(
        "ingest (RPC fetch + decode + raw log + {projection_rows} projection rows): {ingest_secs:.2} s, {ingest_rate:.0} events/s"
    );
    println!("raw COPY of the same {events} event rows:                     {copy_secs:.2} s, {copy_rate:.0} rows/s");
    println!("ingest / COPY: {:.0}%", 100.0 * ingest_rate / copy_rate);
    Ok(())
}
