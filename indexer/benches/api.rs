//! API latency and throughput, against a real server on a local port and PostgreSQL:
//!
//! 1. `can-message` and `/health` in the same run, each under 64 concurrent keep-alive
//!    connections for a fixed time: requests per second, p50 and p99 latency. Each
//!    `can-message` evaluates a four-leaf rule (subscription, tips in two assets, surprise) for
//!    a random pair out of 2,000 creators and 50,000 fans. `can-message` runs twice: first
//!    with the API's gating cache cold (it loads each creator once), then warm; the ratio to
//!    `/health` is the warm run's. No blocks are committed meanwhile, so the warm run shows the
//!    cost of the version check every answer waits for, not of reloading.
//! 2. Feed page latency (p50 / p99 of sequential requests) with 1 million and then 10 million
//!    indexed events in the log: global, creator and fan feeds, a kind filter, and a deep page
//!    (a cursor in the middle of the log). Rows are made in PostgreSQL with generate_series.
//!
//! ```sh
//! eval "$(scripts/pg-start)"
//! cargo bench -p mesi-indexer --bench api
//! ```
//!
//! MESI_BENCH_SECONDS sets each load phase (default 10); MESI_BENCH_FEED_ROWS the feed sizes
//! (default `1000000,10000000`; empty skips the feed part).

use std::sync::Arc;
use std::time::{Duration, Instant};

use cosmwasm_std::{Addr, Uint128};
use mesi_common::chat_rule::ChatRule;
use mesi_common::AssetInfo;
use mesi_indexer::api::http::limits::LimitsConfig;
use mesi_indexer::api::{self, ApiConfig, ApiContext};
use mesi_indexer::store::Store;
use mesi_indexer::testkit::TestDb;
use tokio::net::TcpListener;

const CREATORS: i64 = 2_000;
const FANS: i64 = 50_000;
const CONCURRENCY: usize = 64;

/// A fake but well-formed bech32 address for `name`.
fn address(prefix: &str, n: i64) -> String {
    let hrp = bech32::Hrp::parse("wasm").expect("hrp");
    let mut data = [0u8; 20];
    data[..prefix.len()].copy_from_slice(prefix.as_bytes());
    data[12..].copy_from_slice(&n.to_be_bytes());
    bech32::encode::<bech32::Bech32>(hrp, &data).expect("encode")
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

struct Load {
    requests: usize,
    errors: usize,
    seconds: f64,
    p50: Duration,
    p99: Duration,
}

impl Load {
    fn print(&self, what: &str) {
        println!(
            "{what:<28} {:>9.0} req/s  p50 {:>8.3} ms  p99 {:>8.3} ms  ({} requests, {} errors)",
            self.requests as f64 / self.seconds,
            self.p50.as_secs_f64() * 1e3,
            self.p99.as_secs_f64() * 1e3,
            self.requests,
            self.errors
        );
    }
}

/// `CONCURRENCY` connections, each sending requests one after another for `duration`.
async fn load(
    base: &str,
    duration: Duration,
    path: impl Fn(usize) -> String + Send + Sync + 'static,
) -> Load {
    let path = Arc::new(path);
    let started = Instant::now();
    let mut tasks = vec![];
    for worker in 0..CONCURRENCY {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(1)
            .build()
            .expect("client");
        let (base, path) = (base.to_owned(), path.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0;
            let mut i = worker;
            while started.elapsed() < duration {
                let url = format!("{base}{}", path(i));
                i += CONCURRENCY;
                let sent = Instant::now();
                match client.get(&url).send().await {
                    Ok(response) if response.status().is_success() => {
                        let _ = response.bytes().await;
                        latencies.push(sent.elapsed());
                    }
                    _ => errors += 1,
                }
            }
            (latencies, errors)
        }));
    }
    let mut latencies = vec![];
    let mut errors = 0;
    for task in tasks {
        let (l, e) = task.await.expect("worker");
        latencies.extend(l);
        errors += e;
    }
    let seconds = started.elapsed().as_secs_f64();
    latencies.sort();
    Load {
        requests: latencies.len(),
        errors,
        seconds,
        p50: percentile(&latencies, 0.5),
        p99: percentile(&latencies, 0.99),
    }
}

/// Sequential requests: latency of one page with the server otherwise idle.
async fn sequential(
    base: &str,
    count: usize,
    path: impl Fn(usize) -> String,
) -> (Duration, Duration) {
    let client = reqwest::Client::new();
    let mut latencies = vec![];
    for i in 0..count {
        let sent = Instant::now();
        let response = client
            .get(format!("{base}{}", path(i)))
            .send()
            .await
            .expect("request");
        assert!(response.status().is_success(), "{}", path(i));
        let _ = response.bytes().await;
        latencies.push(sent.elapsed());
    }
    latencies.sort();
    (percentile(&latencies, 0.5), percentile(&latencies, 0.99))
}

async fn seed_gating(pool: &sqlx::PgPool) -> anyhow::Result<()> {
    let usdc = AssetInfo::native("uusdc");
    let mesi = AssetInfo::cw20(Addr::unchecked(address("token", 1)));
    let rule = ChatRule::Any {
        rules: vec![
            ChatRule::Subscriber { min_tier: 2 },
            ChatRule::TippedAtLeast {
                asset: usdc.clone(),
                amount: Uint128::new(5_000_000),
            },
            ChatRule::TippedAtLeast {
                asset: mesi.clone(),
                amount: Uint128::new(50_000_000),
            },
            ChatRule::HoldsSurprise,
        ],
    };
    let registry = address("registry", 1);
    let siblings = serde_json::json!({
        "tips": address("tips", 1), "subscriptions": address("subs", 1), "ppv": address("ppv", 1),
        "surprises": address("surprises", 1), "meetings": address("meetings", 1),
    });
    sqlx::query(
        "INSERT INTO platform_config VALUES ($1, 't', '{}', '[]', '[]', 'a', $2::jsonb, 1, 0)",
    )
    .bind(&registry)
    .bind(siblings.to_string())
    .execute(pool)
    .await?;
    let creators: Vec<String> = (0..CREATORS).map(|n| address("creator", n)).collect();
    let fans: Vec<String> = (0..FANS).map(|n| address("fan", n)).collect();
    sqlx::query(
        "INSERT INTO creators SELECT $1, c, 'name', c, '[]', '[]', $2::jsonb, true, now(), 'registered', 1, 0 \
         FROM unnest($3::text[]) AS c",
    )
    .bind(&registry)
    .bind(serde_json::to_string(&rule)?)
    .bind(&creators)
    .execute(pool)
    .await?;
    // Every fan tipped 3 creators in both assets; every 4th subscribes to one; every 10th holds a surprise.
    sqlx::query(
        "INSERT INTO tip_totals \
         SELECT ($1::text[])[1 + (f * 7 + k * 131) % $3], ($2::text[])[1 + f], a, (f * 977 + k) % 9000000, 1, 1 \
         FROM generate_series(0, $4 - 1) f, generate_series(0, 2) k, unnest(ARRAY['native:uusdc', $5]) a \
         ON CONFLICT DO NOTHING",
    )
    .bind(&creators)
    .bind(&fans)
    .bind(CREATORS)
    .bind(FANS)
    .bind(mesi.key())
    .execute(pool)
    .await?;
    sqlx::query(
        "INSERT INTO subscriptions \
         SELECT $1, ($2::text[])[1 + (f * 7) % $4], ($3::text[])[1 + f], 1 + f % 3, 'native:uusdc', \
                now() + interval '30 days', false, 0, false, 'subscribed', 1, 0 \
         FROM generate_series(0, $5 - 1, 4) f",
    )
    .bind(address("subs", 1))
    .bind(&creators)
    .bind(&fans)
    .bind(CREATORS)
    .bind(FANS)
    .execute(pool)
    .await?;
    sqlx::query(
        "INSERT INTO surprises \
         SELECT $1, f::text, ($2::text[])[1 + (f * 7) % $4], ($3::text[])[1 + f], 't', '[]', 'c', NULL, 'x', 0, NULL, 0, 0, \
                'sealed', NULL, NULL, NULL, 1, 1, 0 \
         FROM generate_series(0, $5 - 1, 10) f",
    )
    .bind(address("surprises", 1))
    .bind(&creators)
    .bind(&fans)
    .bind(CREATORS)
    .bind(FANS)
    .execute(pool)
    .await?;
    sqlx::query("INSERT INTO chain_heads (height, block_time) VALUES (1, now())")
        .execute(pool)
        .await?;
    sqlx::query("ANALYZE").execute(pool).await?;
    Ok(())
}

/// Grows the event log (and the feed) to `rows` events: narrow rows, 200 creators' worth of
/// activity spread over 2,000 creators and 50,000 fans, ten events per block.
async fn grow_feed(pool: &sqlx::PgPool, from: i64, rows: i64) -> anyhow::Result<()> {
    let creators: Vec<String> = (0..CREATORS).map(|n| address("creator", n)).collect();
    let fans: Vec<String> = (0..FANS).map(|n| address("fan", n)).collect();
    let kinds = [
        "tip",
        "subscription",
        "ppv_purchase",
        "surprise_mint",
        "meeting_bid",
    ];
    let types = [
        "mesi.tip.v1",
        "mesi.subscription.v1",
        "mesi.ppv_purchase.v1",
        "mesi.surprise_minted.v1",
        "mesi.meeting_bid.v1",
    ];
    const CHUNK: i64 = 1_000_000;
    let mut start = from;
    while start < rows {
        let end = (start + CHUNK).min(rows);
        sqlx::query(
            "INSERT INTO events (height, seq, tx_index, event_index, tx_hash, contract, event_type, attributes, block_time) \
             SELECT 2 + i / 10, (i % 10)::int, 0, (i % 10)::int, NULL, 'wasm1contract', ($3::text[])[1 + i % 5], \
                    '[[\"amount\",\"1000\"]]'::jsonb, timestamptz '2025-01-01' + make_interval(secs => i / 10 * 6) \
             FROM generate_series($1::bigint, $2::bigint - 1) i",
        )
        .bind(start)
        .bind(end)
        .bind(&types[..])
        .execute(pool)
        .await?;
        sqlx::query(
            "INSERT INTO feed_items (height, seq, kind, creator, fan, counterparty) \
             SELECT 2 + i / 10, (i % 10)::int, ($3::text[])[1 + i % 5], ($4::text[])[1 + (i * 7919) % $6], \
                    ($5::text[])[1 + (i * 104729) % $7], NULL \
             FROM generate_series($1::bigint, $2::bigint - 1) i",
        )
        .bind(start)
        .bind(end)
        .bind(&kinds[..])
        .bind(&creators)
        .bind(&fans)
        .bind(CREATORS)
        .bind(FANS)
        .execute(pool)
        .await?;
        start = end;
    }
    sqlx::query("UPDATE ingest_cursor SET height = $1")
        .bind(2 + rows / 10)
        .execute(pool)
        .await?;
    sqlx::query("VACUUM ANALYZE events").execute(pool).await?;
    sqlx::query("VACUUM ANALYZE feed_items")
        .execute(pool)
        .await?;
    Ok(())
}

/// The request path of the i-th request of a case.
type PathFor = Box<dyn Fn(usize) -> String>;

async fn feed_pages(base: &str, rows: i64) {
    let creators: Vec<String> = (0..CREATORS).map(|n| address("creator", n)).collect();
    let fans: Vec<String> = (0..FANS).map(|n| address("fan", n)).collect();
    let middle = format!("{}-5", 2 + rows / 20);
    let cases: Vec<(&str, PathFor)> = vec![
        (
            "global, first page",
            Box::new(|_| "/feed?limit=20".to_string()),
        ),
        (
            "global, deep page",
            Box::new(move |_| format!("/feed?limit=20&before={middle}")),
        ),
        (
            "global, kind=meeting_bid",
            Box::new(|_| "/feed?limit=20&kind=meeting_bid".to_string()),
        ),
        (
            "creator, first page",
            Box::new(move |i| {
                format!(
                    "/creators/{}/feed?limit=20",
                    creators[(i * 37) % creators.len()]
                )
            }),
        ),
        (
            "fan, first page",
            Box::new(move |i| format!("/fans/{}/feed?limit=20", fans[(i * 7_919) % fans.len()])),
        ),
    ];
    for (what, path) in cases {
        let _ = sequential(base, 20, &path).await; // warm the cache
        let (p50, p99) = sequential(base, 300, &path).await;
        println!(
            "feed {rows:>9} events  {what:<26} p50 {:>7.3} ms  p99 {:>7.3} ms",
            p50.as_secs_f64() * 1e3,
            p99.as_secs_f64() * 1e3
        );
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if std::env::var("DATABASE_URL").is_err() {
        anyhow::bail!("set DATABASE_URL (eval \"$(scripts/pg-start)\") to run the API bench");
    }
    let seconds: u64 = std::env::var("MESI_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let feed_sizes: Vec<i64> = std::env::var("MESI_BENCH_FEED_ROWS")
        .unwrap_or_else(|_| "1000000,10000000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let db = TestDb::create().await.expect("DATABASE_URL is set");
    let store = Store::connect(&db.url).await?;
    store.migrate().await?;
    store.init_cursor("bench-1", 2).await?;
    let pool = api::connect(&db.url, 32).await?;
    seed_gating(&pool).await?;

    let ctx = ApiContext::new(
        pool.clone(),
        ApiConfig {
            // The bench is one client measuring throughput, not the limiter.
            limits: LimitsConfig::unlimited(),
            ..ApiConfig::default()
        },
    );
    let gating = ctx.gating.clone();
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(api::serve(ctx, listener, std::future::pending()));
    let duration = Duration::from_secs(seconds);

    println!("== can-message next to /health, {CONCURRENCY} connections, {seconds} s each ==");
    let health = load(&base, duration, |_| "/health".to_string()).await;
    let creators: Arc<Vec<String>> =
        Arc::new((0..CREATORS).map(|n| address("creator", n)).collect());
    let fans: Arc<Vec<String>> = Arc::new((0..FANS).map(|n| address("fan", n)).collect());
    let random_pair = move |_| {
        let (c, f) = (
            fastrand::usize(..creators.len()),
            fastrand::usize(..fans.len()),
        );
        format!("/can-message?creator={}&fan={}", creators[c], fans[f])
    };
    // The first run loads each creator's facts into memory (one query per creator); the
    // second is the steady state.
    let cold = load(&base, duration, random_pair.clone()).await;
    let before = gating.stats();
    let gate = load(&base, duration, random_pair).await;
    let after = gating.stats();
    health.print("/health");
    cold.print("/can-message (cold cache)");
    gate.print("/can-message");
    println!(
        "can-message in the second run: {} answers from memory, {} loads, {} version checks ({:.1} answers per check); {} creators with {} fan facts in memory",
        after.hits - before.hits,
        after.loads - before.loads,
        after.checks - before.checks,
        (after.hits + after.loads - before.hits - before.loads) as f64
            / (after.checks - before.checks).max(1) as f64,
        after.entries,
        after.facts
    );
    println!(
        "can-message throughput is {:.0}% of /health's",
        100.0 * gate.requests as f64 / gate.seconds / (health.requests as f64 / health.seconds)
    );

    println!("== feed pages (sequential requests) ==");
    let mut indexed = 0;
    for rows in feed_sizes {
        let started = Instant::now();
        grow_feed(&pool, indexed, rows).await?;
        indexed = rows;
        println!(
            "(made {rows} events in {:.0} s)",
            started.elapsed().as_secs_f64()
        );
        feed_pages(&base, rows).await;
    }
    Ok(())
}
