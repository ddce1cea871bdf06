//! A test API over a fresh database: wallets that sign in with real secp256k1 keys, requests
//! through the router, SSE readers, and rows for the indexed state the API reads (registered
//! creators, tips, subscriptions, the chain time), written as the ingest would write them.

#![allow(dead_code)]

use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use http_body_util::BodyExt;
use k256::ecdsa::signature::hazmat::PrehashSigner;
use k256::ecdsa::{Signature, SigningKey};
use mesi_indexer::api::http::limits::LimitsConfig;
use mesi_indexer::api::routes::auth::{address_of, adr036_sign_doc, AuthConfig};
use mesi_indexer::api::{self, ApiConfig, ApiContext};
use mesi_indexer::store::Store;
use mesi_indexer::testkit::pg::{table_digests, TestDb};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use tower::ServiceExt;

pub const PREFIX: &str = "wasm";
pub const REGISTRY: u8 = 0xf0;
pub const TIPS: u8 = 0xf1;
pub const SUBSCRIPTIONS: u8 = 0xf2;

/// A bech32 address for contract `n` (any 20 bytes make one).
pub fn contract(n: u8) -> String {
    bech32::encode::<bech32::Bech32>(bech32::Hrp::parse(PREFIX).unwrap(), &[n; 20]).unwrap()
}

pub struct TestApp {
    pub pool: PgPool,
    pub router: Router,
    pub ctx: ApiContext,
    _db: TestDb,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl TestApp {
    /// `None` (the test then does nothing) without `DATABASE_URL`; see `TestDb::create`.
    pub async fn new() -> Option<TestApp> {
        TestApp::with_auth(AuthConfig::new(PREFIX)).await
    }

    /// Like [`TestApp::new`], with these login settings (say, a short session lifetime).
    pub async fn with_auth(auth: AuthConfig) -> Option<TestApp> {
        TestApp::with_config(ApiConfig {
            auth,
            // Tests that are not about limits send many requests as one client.
            limits: LimitsConfig::unlimited(),
            ..ApiConfig::default()
        })
        .await
    }

    /// Like [`TestApp::new`], with this configuration.
    pub async fn with_config(config: ApiConfig) -> Option<TestApp> {
        let db = TestDb::create().await?;
        Store::connect(&db.url)
            .await
            .expect("connect")
            .migrate()
            .await
            .expect("migrate");
        let pool = db.pool().await;
        let ctx = ApiContext::new(pool.clone(), config);
        let router = api::router(ctx.clone());
        let app = TestApp {
            pool,
            router,
            ctx,
            _db: db,
        };
        app.register_registry().await;
        Some(app)
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn call(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        self.send(request(method, uri, token, body)).await
    }

    pub async fn get(&self, uri: &str, token: Option<&str>) -> Reply {
        self.call(Method::GET, uri, token, None).await
    }

    pub async fn post(&self, uri: &str, token: Option<&str>, body: Value) -> Reply {
        self.call(Method::POST, uri, token, Some(body)).await
    }

    /// Opens an SSE stream; the response must be 200.
    pub async fn sse(
        &self,
        uri: &str,
        token: Option<&str>,
        last_event_id: Option<&str>,
    ) -> SseReader {
        let mut request = request(Method::GET, uri, token, None);
        if let Some(id) = last_event_id {
            request
                .headers_mut()
                .insert("last-event-id", id.parse().unwrap());
        }
        self.sse_request(request).await
    }

    /// Opens an SSE stream with this request; the response must be 200.
    pub async fn sse_request(&self, request: Request<Body>) -> SseReader {
        let uri = request.uri().to_string();
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible");
        assert_eq!(response.status(), StatusCode::OK, "SSE {uri}");
        SseReader {
            body: response.into_body(),
            buffer: String::new(),
        }
    }

    /// Row counts and digests of every table.
    pub async fn digests(&self) -> std::collections::BTreeMap<String, (i64, String)> {
        table_digests(&self.pool).await
    }

    async fn register_registry(&self) {
        let contracts = json!({"tips": contract(TIPS), "subscriptions": contract(SUBSCRIPTIONS)});
        sqlx::query(
            "INSERT INTO platform_config (contract, treasury, fees, accepted_assets, fiat_gateways, \
             arbiter, contracts, updated_height, updated_seq) \
             VALUES ($1, $1, '{}', '[]', '[]', $1, $2, 1, 0)",
        )
        .bind(contract(REGISTRY))
        .bind(contracts)
        .execute(&self.pool)
        .await
        .expect("platform config");
    }

    /// Registers `creator` with a chat rule given as the contract's JSON.
    pub async fn register_creator(&self, creator: &str, chat_rule: Value) {
        sqlx::query(
            "INSERT INTO creators (contract, creator, display_name, payout, accepted_assets, \
             tip_minimums, chat_rule, active, registered_at, last_action, updated_height, updated_seq) \
             VALUES ($1, $2, 'c', $2, '[]', '[]', $3, true, now(), 'registered', 1, 0) \
             ON CONFLICT (contract, creator) DO UPDATE SET chat_rule = EXCLUDED.chat_rule",
        )
        .bind(contract(REGISTRY))
        .bind(creator)
        .bind(chat_rule)
        .execute(&self.pool)
        .await
        .expect("register creator");
    }

    /// The indexed chain is at `height` with block time `unix_secs`.
    pub async fn set_chain_time(&self, height: i64, unix_secs: i64) {
        sqlx::query(
            "INSERT INTO ingest_cursor (chain_id, height, block_time) VALUES ('test', $1, to_timestamp($2)) \
             ON CONFLICT (id) DO UPDATE SET height = EXCLUDED.height, block_time = EXCLUDED.block_time",
        )
        .bind(height)
        .bind(unix_secs as f64)
        .execute(&self.pool)
        .await
        .expect("cursor");
        sqlx::query(
            "INSERT INTO chain_heads (height, block_time) VALUES ($1, to_timestamp($2)) \
             ON CONFLICT (height) DO UPDATE SET block_time = EXCLUDED.block_time",
        )
        .bind(height)
        .bind(unix_secs as f64)
        .execute(&self.pool)
        .await
        .expect("head");
    }

    /// An indexed on-chain tip at (height, seq); wakes the live feeds as a commit would.
    #[allow(clippy::too_many_arguments)]
    pub async fn add_tip(
        &self,
        position: (i64, i32),
        creator: &str,
        fan: &str,
        asset: &str,
        amount: u128,
        context: &str,
        message: Option<&str>,
        anonymous: bool,
    ) {
        sqlx::query(
            "INSERT INTO tips (height, seq, tx_hash, block_time, contract, creator, fan, asset, amount, \
             fee, creator_amount, payout, context, message, anonymous, fan_total) \
             VALUES ($1, $2, 'ABCD', now(), $3, $4, $5, $6, $7::numeric, 0, $7::numeric, $4, $8, $9, $10, $7::numeric)",
        )
        .bind(position.0)
        .bind(position.1)
        .bind(contract(TIPS))
        .bind(creator)
        .bind(fan)
        .bind(asset)
        .bind(amount.to_string())
        .bind(context)
        .bind(message)
        .bind(anonymous)
        .execute(&self.pool)
        .await
        .expect("tip");
        sqlx::query("SELECT pg_notify('mesi_cursor', $1)")
            .bind(position.0.to_string())
            .execute(&self.pool)
            .await
            .expect("notify");
    }

    /// An indexed subscription of `fan` to `creator` at `tier`, active until `expires_unix`.
    pub async fn add_subscription(&self, creator: &str, fan: &str, tier: i64, expires_unix: i64) {
        sqlx::query(
            "INSERT INTO subscriptions (contract, creator, fan, tier, asset, expires_at, auto_renew, \
             max_price_per_period, on_trial, last_action, updated_height, updated_seq) \
             VALUES ($1, $2, $3, $4, 'native:uusdc', to_timestamp($5), false, 0, false, 'subscribed', 1, 0)",
        )
        .bind(contract(SUBSCRIPTIONS))
        .bind(creator)
        .bind(fan)
        .bind(tier)
        .bind(expires_unix as f64)
        .execute(&self.pool)
        .await
        .expect("subscription");
    }
}

/// `request` as if it came over TCP from `ip` (what the server's connection info says).
pub fn from_peer(mut request: Request<Body>, ip: &str) -> Request<Body> {
    let peer = std::net::SocketAddr::new(ip.parse().expect("an IP address"), 40000);
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(peer));
    request
}

pub fn request(
    method: Method,
    uri: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(uri);
    if let Some(token) = token {
        builder = builder.header("authorization", format!("Bearer {token}"));
    }
    match body {
        Some(body) => builder
            .header("content-type", "application/json")
            .body(Body::from(body.to_string())),
        None => builder.body(Body::empty()),
    }
    .expect("request")
}

/// A wallet with a fixed secp256k1 key, as Keplr holds one.
pub struct Wallet {
    key: SigningKey,
    pub address: String,
}

impl Wallet {
    /// Key bytes `[seed; 32]` (seed 1..=200 make valid keys).
    pub fn new(seed: u8) -> Wallet {
        let key = SigningKey::from_slice(&[seed; 32]).expect("valid key");
        let address = address_of(PREFIX, &Self::pubkey_bytes(&key)).unwrap();
        Wallet { key, address }
    }

    fn pubkey_bytes(key: &SigningKey) -> Vec<u8> {
        key.verifying_key()
            .to_encoded_point(true)
            .as_bytes()
            .to_vec()
    }

    pub fn pubkey(&self) -> String {
        STANDARD.encode(Self::pubkey_bytes(&self.key))
    }

    /// What `signArbitrary(chainId, self.address, data)` returns as `signature`: secp256k1
    /// over sha256 of the ADR-036 sign doc, as signer `signer`.
    pub fn sign_as(&self, signer: &str, data: &[u8]) -> String {
        let digest = Sha256::digest(adr036_sign_doc(signer, data).as_bytes());
        let signature: Signature = self.key.sign_prehash(&digest).unwrap();
        STANDARD.encode(signature.to_bytes())
    }

    pub fn sign(&self, data: &[u8]) -> String {
        self.sign_as(&self.address, data)
    }

    /// The nonce message to sign.
    pub async fn nonce(&self, app: &TestApp) -> Value {
        let reply = app
            .post("/auth/nonce", None, json!({"address": self.address}))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.body
    }

    /// Signs in and returns the session token.
    pub async fn login(&self, app: &TestApp) -> String {
        let nonce = self.nonce(app).await;
        let message = nonce["message"].as_str().unwrap();
        let reply = app
            .post(
                "/auth/login",
                None,
                json!({"address": self.address, "nonce": nonce["nonce"], "pubkey": self.pubkey(),
                       "signature": self.sign(message.as_bytes())}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.body["token"].as_str().unwrap().to_owned()
    }
}

/// One parsed Server-Sent Event.
#[derive(Debug, Clone)]
pub struct SseEvent {
    pub event: String,
    pub id: Option<String>,
    pub data: Value,
}

pub struct SseReader {
    body: Body,
    buffer: String,
}

impl SseReader {
    /// The next event (keep-alive comments skipped), or `None` after `wait`.
    pub async fn next(&mut self, wait: Duration) -> Option<SseEvent> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut event = SseEvent {
                    event: "message".into(),
                    id: None,
                    data: Value::Null,
                };
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        event.event = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("id:") {
                        event.id = Some(v.trim().to_owned());
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim_start());
                    }
                }
                if data.is_empty() && event.id.is_none() {
                    continue; // a comment
                }
                event.data = serde_json::from_str(&data).unwrap_or(Value::String(data));
                return Some(event);
            }
            let frame = tokio::time::timeout_at(deadline, self.body.frame())
                .await
                .ok()??;
            if let Ok(bytes) = frame.expect("SSE body").into_data() {
                self.buffer.push_str(&String::from_utf8_lossy(&bytes));
            }
        }
    }
}

/// Two writers whose inserts commit in the opposite order of their ids, as two API requests
/// can: `first` inserts and stays open, then `second` inserts and commits on its own
/// connection. Built by [`insert_out_of_order`]; [`OutOfOrder::finish`] commits `first`.
pub struct OutOfOrder {
    first: sqlx::Transaction<'static, sqlx::Postgres>,
    second: tokio::task::JoinHandle<()>,
    /// Whether `second` committed while `first` was open; otherwise it waits for `first`.
    pub second_committed: bool,
}

/// Runs `first` in an open transaction, then `second` in another that commits, and returns
/// once `second` has either committed or is waiting on a lock `first` holds.
pub async fn insert_out_of_order(pool: &PgPool, first: &str, second: &str) -> OutOfOrder {
    let mut tx = pool.begin().await.expect("begin");
    sqlx::query(first)
        .execute(&mut *tx)
        .await
        .expect("first insert");
    let mut conn = pool.acquire().await.expect("connection");
    let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut *conn)
        .await
        .expect("pid");
    let second_sql = second.to_owned();
    let handle = tokio::spawn(async move {
        let mut tx = sqlx::Connection::begin(&mut *conn).await.expect("begin");
        sqlx::query(&second_sql)
            .execute(&mut *tx)
            .await
            .expect("second insert");
        tx.commit().await.expect("second commit");
    });
    loop {
        if handle.is_finished() {
            break;
        }
        let waiting: bool = sqlx::query_scalar("SELECT cardinality(pg_blocking_pids($1)) > 0")
            .bind(pid)
            .fetch_one(pool)
            .await
            .expect("blocking pids");
        if waiting {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    OutOfOrder {
        second_committed: handle.is_finished(),
        first: tx,
        second: handle,
    }
}

impl OutOfOrder {
    /// Commits `first`, then waits for `second` to commit.
    pub async fn finish(self) {
        self.first.commit().await.expect("first commit");
        self.second.await.expect("second writer");
    }
}
