//! Ingest throughput: a backfill of a generated chain with at least 100,000 Mesi events served
//! by the local RPC server, next to a raw COPY of the same rows into the same PostgreSQL: the
//! event rows alone, and every row the ingest wrote (events, projections, totals).
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

    // The same rows, COPY'd into tables shaped like the ingest's (same keys and indexes):
    // first the raw event log alone, then every table the ingest wrote.
    let mut conn = sqlx::PgConnection::connect(&db.url).await?;
    let tables: Vec<(String, i64)> = sqlx::query_as(
        "SELECT relname::text, n_live_tup FROM pg_stat_user_tables
         WHERE relname NOT IN ('ingest_cursor', '_sqlx_migrations') AND n_live_tup > 0 ORDER BY relname = 'events' DESC, relname",
    )
    .fetch_all(&mut conn)
    .await?;
    println!("chain: {} blocks, {events} Mesi events", chain.head());
    println!(
        "ingest: {ingest_secs:.2} s, {:.0} events/s ({:.2} s of it in database transactions)",
        events as f64 / ingest_secs,
        summary.commit_time.as_secs_f64()
    );
    let mut all_secs = 0.0;
    let mut events_secs = 0.0;
    for (table, _) in &tables {
        let (rows, secs) = copy_table(&mut conn, table).await?;
        println!("  raw COPY of the {rows:>7} rows of {table:<16} {secs:.2} s");
        all_secs += secs;
        if table == "events" {
            assert_eq!(rows as usize, events);
            events_secs = secs;
        }
    }
    let ingest_rate = events as f64 / ingest_secs;
    let events_copy_rate = events as f64 / events_secs;
    let all_copy_rate = events as f64 / all_secs;
    println!("raw COPY of the event rows alone:        {events_copy_rate:.0} rows/s; ingest / COPY = {:.0}%", 100.0 * ingest_rate / events_copy_rate);
    println!("raw COPY of every row the ingest wrote:  {all_copy_rate:.0} events/s; ingest / COPY = {:.0}%", 100.0 * ingest_rate / all_copy_rate);
    Ok(())
}

/// COPYs `table` out, then times COPYing it into a fresh table like it; returns (rows, seconds).
async fn copy_table(conn: &mut sqlx::PgConnection, table: &str) -> anyhow::Result<(u64, f64)> {
    sqlx::query(&format!(
        "CREATE TABLE {table}_copy (LIKE {table} INCLUDING ALL)"
    ))
    .execute(&mut *conn)
    .await?;
    let rows: Vec<u8> = conn
        .copy_out_raw(&format!("COPY {table} TO STDOUT"))
        .await?
        .try_fold(Vec::new(), |mut all, chunk| async move {
            all.extend_from_slice(&chunk);
            Ok(all)
        })
        .await?;
    let started = Instant::now();
    let mut tx = conn.begin().await?;
    let mut copy = tx
        .copy_in_raw(&format!("COPY {table}_copy FROM STDIN"))
        .await?;
    copy.send(rows).await?;
    let copied = copy.finish().await?;
    tx.commit().await?;
    Ok((copied, started.elapsed().as_secs_f64()))
}
