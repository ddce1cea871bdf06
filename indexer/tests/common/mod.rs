//! Checks shared by the integration tests: what the database must hold after indexing a
//! generated chain, computed from what the generator put on the chain.

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use mesi_common::events::AnyEvent;
use mesi_indexer::ingest::{IngestOptions, ProgressMode};
use mesi_indexer::retry::Backoff;
use mesi_indexer::source::RpcClient;
use mesi_indexer::store::Store;
use mesi_indexer::testkit::chain::ExpectedEvent;
use mesi_indexer::testkit::Chain;
use sqlx::PgPool;

/// Options for tests: quick retries, small batches so that many commits happen.
pub fn test_options(stop_at: u64) -> IngestOptions {
    IngestOptions {
        start_height: 1,
        stop_at: Some(stop_at),
        prefetch: 8,
        max_batch_blocks: 25,
        max_batch_rows: 200,
        poll_interval: Duration::from_millis(20),
        backoff: Backoff {
            first: Duration::from_millis(5),
            max: Duration::from_millis(200),
            max_attempts: None,
        },
        progress: ProgressMode::Quiet,
        ..IngestOptions::default()
    }
}

pub async fn ingest(
    chain: &Chain,
    rpc_url: &str,
    database_url: &str,
    options: IngestOptions,
) -> mesi_indexer::ingest::IngestSummary {
    let source = RpcClient::new(rpc_url, Duration::from_millis(500)).unwrap();
    ingest_from(chain, source, database_url, options).await
}

/// [`ingest`] from a given client (for example one with several nodes).
pub async fn ingest_from(
    chain: &Chain,
    source: RpcClient,
    database_url: &str,
    options: IngestOptions,
) -> mesi_indexer::ingest::IngestSummary {
    let store = Store::connect(database_url).await.unwrap();
    store.migrate().await.unwrap();
    mesi_indexer::ingest::run(source, store, Arc::new(chain.contracts.clone()), options)
        .await
        .unwrap()
}

/// Asserts that the database holds exactly what `chain` must give, up to `height`.
pub async fn assert_database_matches(pool: &PgPool, chain: &Chain, height: u64) {
    let expected: Vec<&ExpectedEvent> = chain
        .expected
        .events
        .iter()
        .filter(|e| e.height <= height)
        .collect();

    let cursor: i64 = sqlx::query_scalar("SELECT height FROM ingest_cursor")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(cursor as u64, height, "cursor");

    // The raw log: the same positions, and attributes that decode back to the same events.
    let rows: Vec<(i64, i32, Option<String>, String, String, String)> =
        sqlx::query_as("SELECT height, seq, tx_hash, contract, event_type, attributes::text FROM events ORDER BY height, seq")
            .fetch_all(pool)
            .await
            .unwrap();
    assert_eq!(rows.len(), expected.len(), "number of stored events");
    for (row, want) in rows.iter().zip(&expected) {
        assert_eq!(
            (row.0 as u64, row.1 as u32),
            (want.height, want.seq),
            "event position"
        );
        assert_eq!(
            row.2, want.tx_hash,
            "tx hash at {}/{}",
            want.height, want.seq
        );
        assert_eq!(row.3, want.contract);
        assert_eq!(row.4, want.event.type_name());
        let pairs: Vec<(String, String)> = serde_json::from_str(&row.5).unwrap();
        let borrowed: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let decoded = AnyEvent::decode(&row.4, &borrowed).unwrap().unwrap();
        assert_eq!(decoded, want.event, "event at {}/{}", want.height, want.seq);
    }
    let times_match: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM events e JOIN UNNEST($1::bigint[], $2::int[], $3::text[]) AS x(h, s, t)
         ON e.height = x.h AND e.seq = x.s AND e.block_time = x.t::timestamptz",
    )
    .bind(expected.iter().map(|e| e.height as i64).collect::<Vec<_>>())
    .bind(expected.iter().map(|e| e.seq as i32).collect::<Vec<_>>())
    .bind(expected.iter().map(|e| e.block_time.clone()).collect::<Vec<_>>())
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(times_match as usize, expected.len(), "block times");

    let dead: BTreeSet<(i64, i32)> = sqlx::query_as("SELECT height, seq FROM dead_letters")
        .fetch_all(pool)
        .await
        .unwrap()
        .into_iter()
        .collect();
    let want_dead: BTreeSet<(i64, i32)> = chain
        .expected
        .dead_letters
        .iter()
        .filter(|(h, _)| *h <= height)
        .map(|(h, s)| (*h as i64, *s as i32))
        .collect();
    assert_eq!(dead, want_dead, "dead letters");

    assert_tips(pool, &expected).await;
}

async fn assert_tips(pool: &PgPool, expected: &[&ExpectedEvent]) {
    // Rows as JSON arrays: tuples this wide have no Eq or Debug.
    let rows: Vec<serde_json::Value> = sqlx::query_scalar::<_, String>(
        "SELECT json_build_array(height, seq, creator, fan, asset, amount::text, fee::text, creator_amount::text, payout,
                                 context, message, anonymous, fan_total::text)::text
         FROM tips ORDER BY height, seq",
    )
    .fetch_all(pool)
    .await
    .unwrap()
    .iter()
    .map(|row| serde_json::from_str(row).unwrap())
    .collect();
    let mut want_rows = Vec::new();
    let mut totals: BTreeMap<(String, String, String), (u128, i64, i64)> = BTreeMap::new();
    let mut fiat_rows = Vec::new();
    let mut fiat_totals: BTreeMap<(String, String, String), (u128, i64, i64)> = BTreeMap::new();
    for e in expected {
        match &e.event {
            AnyEvent::Tip(t) => {
                want_rows.push(serde_json::json!([
                    e.height,
                    e.seq,
                    t.creator,
                    t.fan,
                    t.asset.to_string(),
                    t.amount.to_string(),
                    t.fee.to_string(),
                    t.creator_amount.to_string(),
                    t.payout,
                    t.context.to_string(),
                    t.message,
                    t.anonymous,
                    t.fan_total.to_string(),
                ]));
                let total = totals
                    .entry((
                        t.creator.to_string(),
                        t.fan.to_string(),
                        t.asset.to_string(),
                    ))
                    .or_default();
                total.0 += t.amount.u128();
                total.1 += 1;
                total.2 = e.height as i64;
                assert_eq!(
                    total.0,
                    t.fan_total.u128(),
                    "the generator's fan_total is a running total"
                );
            }
            AnyEvent::FiatTip(t) => {
                fiat_rows.push((
                    e.height as i64,
                    e.seq as i32,
                    t.payment_ref.clone(),
                    t.amount_minor.to_string(),
                ));
                let total = fiat_totals
                    .entry((t.creator.to_string(), t.fan.to_string(), t.currency.clone()))
                    .or_default();
                total.0 += t.amount_minor.u128();
                total.1 += 1;
                total.2 = e.height as i64;
            }
            _ => {}
        }
    }
    assert_eq!(rows, want_rows, "tips");

    let rows: Vec<(String, String, String, String, i64, i64)> =
        sqlx::query_as("SELECT creator, fan, asset, total::text, tip_count, last_height FROM tip_totals ORDER BY 1, 2, 3")
            .fetch_all(pool)
            .await
            .unwrap();
    let want: Vec<_> = totals
        .into_iter()
        .map(|((c, f, a), (sum, n, h))| (c, f, a, sum.to_string(), n, h))
        .collect();
    assert_eq!(rows, want, "tip totals");

    let rows: Vec<(i64, i32, String, String)> = sqlx::query_as(
        "SELECT height, seq, payment_ref, amount_minor::text FROM fiat_tips ORDER BY height, seq",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(rows, fiat_rows, "fiat tips");
    let rows: Vec<(String, String, String, String, i64, i64)> = sqlx::query_as(
        "SELECT creator, fan, currency, total_minor::text, tip_count, last_height FROM fiat_tip_totals ORDER BY 1, 2, 3",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let want: Vec<_> = fiat_totals
        .into_iter()
        .map(|((c, f, a), (sum, n, h))| (c, f, a, sum.to_string(), n, h))
        .collect();
    assert_eq!(rows, want, "fiat tip totals");
}
