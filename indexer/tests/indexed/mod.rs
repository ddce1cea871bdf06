//! For the tests of the indexed-state endpoints (feeds, gating, access, leaderboards,
//! calendars): a fresh database with the indexer's schema, the API router over it, and ways to
//! fill it through the ingest's own decode and store code: from a cw-multi-test [`Suite`]'s
//! log, or from typed events.

#![allow(dead_code)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use cosmwasm_std::Timestamp;
use http_body_util::BodyExt;
use mesi_common::events::AnyEvent;
use mesi_indexer::api::http::limits::LimitsConfig;
use mesi_indexer::api::{self, ApiConfig, ApiContext};
use mesi_indexer::config::{ContractKind, Contracts};
use mesi_indexer::decode::{self, DecodedBlock};
use mesi_indexer::source::{BlockEvents, BlockHeader, ChainStatus, Event, TxEvents};
use mesi_indexer::store::projections::nanos_to_rfc3339;
use mesi_indexer::store::Store;
use mesi_indexer::testkit::TestDb;
use mesi_multitest::Suite;
use tower::ServiceExt;

pub const CHAIN_ID: &str = "mesi-test-1";

/// A database the indexer writes and the API reads.
pub struct Indexed {
    pub db: TestDb,
    pub store: Store,
    pub ctx: ApiContext,
    pub router: Router,
    pub contracts: Contracts,
    /// The last committed height.
    pub height: u64,
    /// How many of the suite's logged transactions are stored.
    pub synced_txs: usize,
}

impl Indexed {
    /// `None` (the test returns) when there is no `DATABASE_URL`.
    pub async fn new(contracts: Contracts) -> Option<Indexed> {
        let db = TestDb::create().await?;
        let store = Store::connect(&db.url).await.expect("connect");
        store.migrate().await.expect("migrate");
        store.init_cursor(CHAIN_ID, 1).await.expect("cursor");
        let pool = api::connect(&db.url, 8).await.expect("API pool");
        let ctx = ApiContext::new(
            pool,
            ApiConfig {
                limits: LimitsConfig::unlimited(),
                ..ApiConfig::default()
            },
        );
        let router = api::router(ctx.clone());
        Some(Indexed {
            db,
            store,
            ctx,
            router,
            contracts,
            height: 0,
            synced_txs: 0,
        })
    }

    /// The contracts of `suite`, by kind.
    pub fn suite_contracts(suite: &Suite) -> Contracts {
        let mut contracts = Contracts::default();
        for (address, kind) in [
            (&suite.creators, ContractKind::Creators),
            (&suite.tips, ContractKind::Tips),
            (&suite.subscriptions, ContractKind::Subscriptions),
            (&suite.ppv, ContractKind::Ppv),
            (&suite.surprises, ContractKind::Surprises),
            (&suite.meetings, ContractKind::Meetings),
        ] {
            contracts.insert(address.as_str(), kind).unwrap();
        }
        contracts
    }

    /// Commits one block through the ingest's decoding and store: the transactions' events as
    /// x/wasm emits them, at `time`.
    pub async fn commit_txs(&mut self, time: Timestamp, txs: Vec<Vec<Event>>) {
        let height = self.height + 1;
        let block = BlockEvents {
            height,
            begin_block: vec![],
            txs: txs
                .into_iter()
                .map(|events| TxEvents { code: 0, events })
                .collect(),
            end_block: vec![],
            finalize_block: vec![],
        };
        let header = BlockHeader {
            height,
            chain_id: CHAIN_ID.into(),
            time: nanos_to_rfc3339(time.nanos()),
            tx_hashes: (0..block.txs.len())
                .map(|i| format!("{height:032X}{i:032X}"))
                .collect(),
        };
        let decoded = decode::decode_block(&block, Some(&header), &self.contracts);
        assert!(
            decoded.dead_letters.is_empty(),
            "dead letters: {:?}",
            decoded.dead_letters
        );
        self.commit(decoded, time).await;
    }

    async fn commit(&mut self, block: DecodedBlock, time: Timestamp) {
        self.store
            .commit(self.height, &[block])
            .await
            .expect("commit");
        self.height += 1;
        // The ingest records each head it polls; following the chain, that is every block.
        self.store
            .record_head(&ChainStatus {
                chain_id: CHAIN_ID.into(),
                latest_height: self.height,
                earliest_height: 1,
                catching_up: false,
                node_version: "test".into(),
                latest_block_time: Some(nanos_to_rfc3339(time.nanos())),
            })
            .await;
    }

    /// Typed events of one contract in one transaction.
    pub async fn commit_events(&mut self, time: Timestamp, contract: &str, events: &[AnyEvent]) {
        let events = events
            .iter()
            .map(|e| wasm_event(contract, &e.to_event()))
            .collect();
        self.commit_txs(time, vec![events]).await;
    }

    /// Stores the suite's transactions logged since the last sync, one block each, then an
    /// empty block at the suite's current time: the chain keeps making blocks, and the indexer
    /// follows it.
    pub async fn sync(&mut self, suite: &Suite) {
        let new: Vec<_> = suite.log[self.synced_txs..].to_vec();
        self.synced_txs = suite.log.len();
        for tx in new {
            let events = tx
                .events
                .iter()
                .map(|e| {
                    let attributes = e
                        .attributes
                        .iter()
                        .map(|a| (a.key.clone(), a.value.clone()))
                        .collect();
                    Event::plain(e.ty.clone(), attributes)
                })
                .collect();
            self.commit_txs(tx.time, vec![events]).await;
        }
        self.commit_txs(suite.now(), vec![]).await;
    }

    /// `GET path`: status and body.
    pub async fn get(&self, path: &str) -> (StatusCode, String) {
        self.request(Request::get(path).body(Body::empty()).unwrap())
            .await
    }

    pub async fn request(&self, request: Request<Body>) -> (StatusCode, String) {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    /// `GET path`, expecting 200 and JSON.
    pub async fn get_json(&self, path: &str) -> serde_json::Value {
        let (status, body) = self.get(path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        serde_json::from_str(&body).unwrap()
    }

    /// Checks every item of the global feed against the schema `/openapi.json` gives its
    /// kind: the item's and its data's fields are documented, and the required ones present.
    /// Answers the kinds seen.
    pub async fn assert_feed_matches_openapi(&self) -> std::collections::BTreeSet<String> {
        let doc = self.get_json("/openapi.json").await;
        let schemas = &doc["components"]["schemas"];
        let mapping = &schemas["FeedItem"]["discriminator"]["mapping"];
        let mut kinds = std::collections::BTreeSet::new();
        let feed = self.get_json("/feed?limit=100").await;
        for item in feed["items"].as_array().unwrap() {
            let kind = item["kind"].as_str().unwrap();
            let reference = mapping[kind]
                .as_str()
                .unwrap_or_else(|| panic!("{kind} undocumented"));
            let schema = &schemas[reference.rsplit('/').next().unwrap()];
            assert_conforms(schema, item, kind);
            assert_conforms(&schema["properties"]["data"], &item["data"], kind);
            assert_eq!(schema["properties"]["kind"]["enum"][0], kind);
            kinds.insert(kind.to_owned());
        }
        kinds
    }
}

/// `value`'s fields are all among `schema`'s properties, and its required ones present.
fn assert_conforms(schema: &serde_json::Value, value: &serde_json::Value, what: &str) {
    let properties = schema["properties"].as_object().unwrap();
    let fields = value.as_object().unwrap();
    for key in fields.keys() {
        assert!(
            properties.contains_key(key),
            "{what}: {key} undocumented in {schema}"
        );
    }
    for required in schema["required"].as_array().into_iter().flatten() {
        let key = required.as_str().unwrap();
        assert!(
            fields.contains_key(key),
            "{what}: required {key} missing from {value}"
        );
    }
}

/// A contract's custom event as x/wasm emits it: `wasm-<type>`, `_contract_address` first.
pub fn wasm_event(contract: &str, event: &cosmwasm_std::Event) -> Event {
    let mut attributes = vec![("_contract_address".to_string(), contract.to_string())];
    attributes.extend(
        event
            .attributes
            .iter()
            .map(|a| (a.key.clone(), a.value.clone())),
    );
    Event::plain(format!("wasm-{}", event.ty), attributes)
}
