//! Ingest from a local RPC server over a generated chain, against a real PostgreSQL.

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use common::{assert_database_matches, ingest, ingest_from, test_options};
use cosmwasm_std::{Addr, Uint128};
use mesi_common::events::surprises::SurpriseMinted;
use mesi_common::events::AnyEvent;
use mesi_indexer::api::state::CHAIN_TIME_SQL;
use mesi_indexer::config::ContractKind;
use mesi_indexer::source::RpcClient;
use mesi_indexer::store::Store;
use mesi_indexer::testkit::{
    table_digests, Chain, ChainSpec, Dialect, Faults, RpcServer, ServerOptions, TestDb,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faulty_node_and_growing_head_give_exact_projections() {
    let Some(db) = TestDb::create().await else {
        return;
    };
    let chain = Arc::new(Chain::generate(ChainSpec {
        seed: 11,
        blocks: 300,
        ..ChainSpec::default()
    }));
    let mut faults = Faults::all();
    faults.timeout = 0.005;
    let server = RpcServer::start(
        chain.clone(),
        ServerOptions {
            faults,
            initial_height: 40,
            growth_per_status: 4,
            seed: 3,
            ..ServerOptions::default()
        },
    )
    .await
    .unwrap();

    let summary = ingest(&chain, &server.url(), &db.url, test_options(chain.head())).await;

    assert_eq!(summary.last_height, chain.head());
    assert_eq!(
        summary.events as usize + summary.dead_letters as usize,
        chain.expected.events.len() + chain.expected.dead_letters.len()
    );
    assert_database_matches(&db.pool().await, &chain, chain.head()).await;
    // The run met every kind of trouble on its way.
    let counts = server.counts();
    for (what, n) in [
        ("HTTP 500", counts.http_500),
        ("HTTP 429", counts.http_429),
        ("JSON-RPC error", counts.rpc_error),
        ("truncated body", counts.truncated),
        ("dropped connection", counts.drop_connection),
        ("slow answer", counts.slow),
        ("lagging head", counts.lagging_head),
        ("height not yet available", counts.not_yet_available),
    ] {
        assert!(n > 0, "no {what} was injected: {counts:?}");
    }
    assert!(chain.expected.ignored_mesi_events > 0 && !chain.expected.dead_letters.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_that_stops_answering_is_replaced_by_the_next() {
    let Some(db) = TestDb::create().await else {
        return;
    };
    let chain = Arc::new(Chain::generate(ChainSpec {
        seed: 23,
        blocks: 240,
        ..ChainSpec::default()
    }));
    // Two nodes of the chain, both growing from height 30 as a chain does.
    let node = || ServerOptions {
        initial_height: 30,
        produce_every: Some(Duration::from_millis(10)),
        ..ServerOptions::default()
    };
    let mut first = RpcServer::start(chain.clone(), node()).await.unwrap();
    let second = RpcServer::start(chain.clone(), node()).await.unwrap();
    let source =
        RpcClient::with_endpoints(&[first.url(), second.url()], Duration::from_millis(500))
            .unwrap();
    let run = tokio::spawn({
        let (chain, url) = (chain.clone(), db.url.clone());
        async move { ingest_from(&chain, source, &url, test_options(chain.head())).await }
    });

    // The first node stops in the middle of the run.
    let pool = db.pool().await;
    let stopped_at = loop {
        // (an error until the run has migrated the database)
        let height: Option<i64> = sqlx::query_scalar("SELECT height FROM ingest_cursor")
            .fetch_optional(&pool)
            .await
            .ok()
            .flatten();
        if let Some(height) = height.filter(|h| *h >= 60) {
            break height as u64;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    first.stop();
    let summary = tokio::time::timeout(Duration::from_secs(60), run)
        .await
        .expect("the run ends on the second node after the first stopped")
        .unwrap();

    assert!(stopped_at < chain.head(), "the stop came before the end");
    assert_eq!(summary.last_height, chain.head());
    assert_database_matches(&pool, &chain, chain.head()).await;
    assert!(
        second.counts().ok > 0,
        "the second node answered: {:?}",
        second.counts()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_dialect_alone() {
    let Some(_guard) = TestDb::create().await else {
        return;
    };
    for (i, dialect) in [Dialect::V034, Dialect::V037, Dialect::V038]
        .into_iter()
        .enumerate()
    {
        let db = TestDb::create().await.unwrap();
        let spec = ChainSpec {
            seed: 20 + i as u64,
            blocks: 60,
            dialects: vec![dialect],
            ..ChainSpec::default()
        };
        let chain = Arc::new(Chain::generate(spec));
        let server = RpcServer::start(chain.clone(), ServerOptions::default())
            .await
            .unwrap();
        ingest(&chain, &server.url(), &db.url, test_options(chain.head())).await;
        assert_database_matches(&db.pool().await, &chain, chain.head()).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resuming_in_steps_equals_one_run() {
    let Some(whole) = TestDb::create().await else {
        return;
    };
    let stepped = TestDb::create().await.unwrap();
    let chain = Arc::new(Chain::generate(ChainSpec {
        seed: 5,
        blocks: 150,
        ..ChainSpec::default()
    }));
    let server = RpcServer::start(chain.clone(), ServerOptions::default())
        .await
        .unwrap();

    ingest(&chain, &server.url(), &whole.url, test_options(150)).await;
    for stop in [1, 2, 37, 38, 100, 150] {
        let summary = ingest(&chain, &server.url(), &stepped.url, test_options(stop)).await;
        assert_eq!(summary.last_height, stop);
        assert_database_matches(&stepped.pool().await, &chain, stop).await;
    }
    // Asking again for a height already indexed does nothing.
    let again = ingest(&chain, &server.url(), &stepped.url, test_options(100)).await;
    assert_eq!(again.blocks, 0);
    assert_eq!(
        table_digests(&whole.pool().await).await,
        table_digests(&stepped.pool().await).await
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_becomes_dead_letters_and_ingest_goes_on() {
    let Some(db) = TestDb::create().await else {
        return;
    };
    // Mostly broken events, in base64 (where invalid UTF-8 can travel) and in plain text.
    let spec = ChainSpec {
        seed: 99,
        blocks: 120,
        malformed_ratio: 0.6,
        max_mesi_events_per_tx: 5,
        dialects: vec![Dialect::V034, Dialect::V038],
        ..ChainSpec::default()
    };
    let chain = Arc::new(Chain::generate(spec));
    let server = RpcServer::start(chain.clone(), ServerOptions::default())
        .await
        .unwrap();
    ingest(&chain, &server.url(), &db.url, test_options(chain.head())).await;
    let pool = db.pool().await;
    assert_database_matches(&pool, &chain, chain.head()).await;

    let errors: Vec<String> = sqlx::query_scalar("SELECT error FROM dead_letters")
        .fetch_all(&pool)
        .await
        .unwrap();
    for needle in [
        "not valid UTF-8",
        "NUL character",
        "unknown Mesi event type \"mesi.tip.v2\"",
        "more than 65536",
        "attribute \"amount\" has invalid value",
        "missing attribute \"fan\"",
        "appears more than once",
        "2 _contract_address",
        "invalid asset key",
    ] {
        assert!(
            errors.iter().any(|e| e.contains(needle)),
            "no dead letter says {needle:?}: {errors:#?}"
        );
    }
    // The raw event is kept: a NUL shows as U+FFFD, a huge value in full.
    let huge: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM dead_letters WHERE length(attributes::text) > 300000",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(huge > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_indexer_cannot_double_count() {
    let Some(db) = TestDb::create().await else {
        return;
    };
    let chain = Arc::new(Chain::generate(ChainSpec {
        seed: 8,
        blocks: 200,
        ..ChainSpec::default()
    }));
    let faults = Faults {
        slow: 0.2,
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
    let store = Store::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();

    let run = |url: String, db_url: String, chain: Arc<Chain>| async move {
        let source = mesi_indexer::source::RpcClient::new(&url, Duration::from_secs(2)).unwrap();
        let store = Store::connect(&db_url).await.unwrap();
        mesi_indexer::ingest::run(
            source,
            store,
            Arc::new(chain.contracts.clone()),
            test_options(chain.head()),
        )
        .await
    };
    let (a, b) = tokio::join!(
        run(server.url(), db.url.clone(), chain.clone()),
        run(server.url(), db.url.clone(), chain.clone())
    );
    // One may finish or both may stop on seeing the other; neither writes a block twice.
    for result in [&a, &b] {
        if let Err(e) = result {
            assert!(
                e.to_string().contains("is another indexer writing"),
                "{e:#}"
            );
        }
    }
    ingest(&chain, &server.url(), &db.url, test_options(chain.head())).await;
    assert_database_matches(&db.pool().await, &chain, chain.head()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refuses_a_database_of_another_chain() {
    let Some(db) = TestDb::create().await else {
        return;
    };
    let chain = Arc::new(Chain::generate(ChainSpec {
        blocks: 5,
        ..ChainSpec::default()
    }));
    let server = RpcServer::start(chain.clone(), ServerOptions::default())
        .await
        .unwrap();
    let store = Store::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    store.init_cursor("some-other-chain", 1).await.unwrap();

    let source =
        mesi_indexer::source::RpcClient::new(&server.url(), Duration::from_secs(2)).unwrap();
    let error = mesi_indexer::ingest::run(
        source,
        store,
        Arc::new(chain.contracts.clone()),
        test_options(5),
    )
    .await
    .unwrap_err();
    assert!(error.to_string().contains("some-other-chain"), "{error:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websocket_new_blocks_wake_the_follower() {
    let Some(db) = TestDb::create().await else {
        return;
    };
    let chain = Arc::new(Chain::generate(ChainSpec {
        seed: 31,
        blocks: 30,
        ..ChainSpec::default()
    }));
    let server = RpcServer::start(
        chain.clone(),
        ServerOptions {
            initial_height: 5,
            produce_every: Some(Duration::from_millis(50)),
            ..ServerOptions::default()
        },
    )
    .await
    .unwrap();
    // Polling alone would take a minute per block: only the websocket keeps it moving.
    let mut options = test_options(chain.head());
    options.poll_interval = Duration::from_secs(60);
    options.websocket = true;
    let summary = ingest(&chain, &server.url(), &db.url, options).await;

    assert_eq!(summary.last_height, chain.head());
    assert!(summary.websocket_wakeups > 0, "{summary:?}");
    assert!(server.counts().new_block_messages > 0);
    assert_database_matches(&db.pool().await, &chain, chain.head()).await;
}

/// Surprises whose hints are JSON with `\u0000` decode (the attribute holds no NUL byte), but
/// PostgreSQL's jsonb cannot hold them: they go to the dead letters with its reason, and every
/// other row of their block and batch is stored, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_the_database_refuses_becomes_a_dead_letter() {
    let Some(db) = TestDb::create().await else {
        return;
    };
    let mint = |token: &str, hint: &str| -> AnyEvent {
        SurpriseMinted {
            token_id: token.into(),
            creator: Addr::unchecked("wasm1alice"),
            owner: Addr::unchecked("wasm1alice"),
            title: format!("Surprise {token}"),
            hints: vec![hint.into()],
            category: "audio".into(),
            preview_uri: None,
            commitment: "ab".repeat(32),
            royalty_bps: 500,
            bond_asset: None,
            bond: Uint128::zero(),
            reveal_window: 86_400,
        }
        .into()
    };
    let refused = [mint("s1", "a\u{0}b"), mint("s3", "\u{0}")];
    let script = vec![
        vec![
            (ContractKind::Surprises, refused[0].clone()),
            (ContractKind::Surprises, mint("s2", "fine")),
        ],
        vec![(ContractKind::Surprises, refused[1].clone())],
        vec![(ContractKind::Surprises, mint("s4", "also fine"))],
    ];
    let mut chain = Chain::scripted(
        ChainSpec {
            seed: 12,
            blocks: 40,
            ..ChainSpec::default()
        },
        script,
    );
    // What the database must hold: the refused ones as dead letters.
    let (kept, dead): (Vec<_>, Vec<_>) = std::mem::take(&mut chain.expected.events)
        .into_iter()
        .partition(|e| !refused.contains(&e.event));
    assert_eq!(dead.len(), 2);
    chain.expected.events = kept;
    chain
        .expected
        .dead_letters
        .extend(dead.iter().map(|e| (e.height, e.seq)));
    let chain = Arc::new(chain);
    let server = RpcServer::start(chain.clone(), ServerOptions::default())
        .await
        .unwrap();

    let summary = ingest(&chain, &server.url(), &db.url, test_options(chain.head())).await;

    let pool = db.pool().await;
    assert_database_matches(&pool, &chain, chain.head()).await;
    assert_eq!(
        summary.dead_letters as usize,
        chain.expected.dead_letters.len()
    );
    let tokens: Vec<String> = sqlx::query_scalar("SELECT token_id FROM surprises ORDER BY 1")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(tokens, ["s2", "s4"]);
    let letters: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT event_type, attributes::text, error FROM dead_letters d
         JOIN UNNEST($1::bigint[], $2::int[]) AS x(h, s) ON d.height = x.h AND d.seq = x.s",
    )
    .bind(dead.iter().map(|e| e.height as i64).collect::<Vec<_>>())
    .bind(dead.iter().map(|e| e.seq as i32).collect::<Vec<_>>())
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(letters.len(), 2);
    for (event_type, attributes, error) in letters {
        assert_eq!(event_type, "wasm-mesi.surprise_minted.v1");
        assert!(attributes.contains("\\\\u0000"), "{attributes}");
        assert!(error.contains("PostgreSQL refused"), "{error}");
    }
}

/// The API answers at the time of the last indexed block, whether or not it held an event of
/// ours and however far ahead the node's head is (its recorded heads are all above the cursor).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_block_time_is_the_last_indexed_blocks() {
    let Some(db) = TestDb::create().await else {
        return;
    };
    let chain = Arc::new(Chain::generate(ChainSpec {
        seed: 41,
        blocks: 120,
        ..ChainSpec::default()
    }));
    let server = RpcServer::start(chain.clone(), ServerOptions::default())
        .await
        .unwrap();
    let with_rows: BTreeSet<u64> = (chain.expected.events.iter().map(|e| e.height))
        .chain(chain.expected.dead_letters.iter().map(|(h, _)| *h))
        .collect();
    // A block without rows of ours right after one with: the newest event is older than it.
    let quiet = (2..chain.head())
        .find(|h| !with_rows.contains(h) && with_rows.contains(&(h - 1)))
        .expect("the chain has a quiet block after a busy one");
    let pool = db.pool().await;
    for stop in [1, quiet] {
        ingest(&chain, &server.url(), &db.url, test_options(stop)).await;
        let time = &chain.block(stop).unwrap().time;
        let same: Option<bool> =
            sqlx::query_scalar(&format!("SELECT {CHAIN_TIME_SQL} = $1::timestamptz"))
                .bind(time)
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!(same, Some(true), "block time at height {stop}, {time}");
    }
}
