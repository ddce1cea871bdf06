//! The CometBFT RPC subset over HTTP: JSON-RPC 2.0 bodies POSTed to `/` (how cosmjs calls)
//! and URI calls `GET /<method>?name=value` (how curl users and the indexer call), with
//! CometBFT's parameter encodings: in URIs strings are quoted and bytes are `0x` hex; in
//! JSON-RPC bodies bytes are base64 (`tx`, `hash`) or hex (`abci_query` `data`).
//!
//! `/websocket` answers the same methods and `subscribe` to `tm.event='NewBlock'` (each new block
//! as CometBFT 0.38 sends it); other subscriptions are refused.
//!
//! Besides CometBFT's methods: `dev_produce_block` (`seconds`: how far the block jumps ahead
//! of the clock) and `dev_info` (accounts, mnemonic, contract addresses).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Map, Value};

use crate::devnet::Devnet;
use crate::node::Node;
use crate::render;
use crate::tx::{hash_hex, SdkError};

/// How long `broadcast_tx_commit` waits for its block (CometBFT's `timeout_broadcast_tx_commit`).
const BROADCAST_COMMIT_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest page of `tx_search` (CometBFT's `maxPerPage`).
const MAX_PER_PAGE: usize = 100;
const DEFAULT_PER_PAGE: usize = 30;

/// A JSON-RPC error (CometBFT puts the useful text in `data`).
#[derive(Debug)]
struct RpcError {
    code: i64,
    message: &'static str,
    data: String,
}

impl RpcError {
    fn invalid_params(data: impl Into<String>) -> Self {
        RpcError {
            code: -32602,
            message: "Invalid params",
            data: data.into(),
        }
    }

    fn internal(data: impl Into<String>) -> Self {
        RpcError {
            code: -32603,
            message: "Internal error",
            data: data.into(),
        }
    }

    fn method_not_found(method: &str) -> Self {
        RpcError {
            code: -32601,
            message: "Method not found",
            data: format!("method {method:?} is not served by the devnet"),
        }
    }
}

/// Named parameters, from a URI query or a JSON-RPC `params` object or array.
struct Params(Map<String, Value>);

/// Positional parameter names of the methods that take any (JSON-RPC allows arrays).
fn param_names(method: &str) -> &'static [&'static str] {
    match method {
        "abci_query" => &["path", "data", "height", "prove"],
        "block" | "block_results" | "commit" => &["height"],
        "tx" => &["hash", "prove"],
        "tx_search" => &["query", "prove", "page", "per_page", "order_by"],
        "broadcast_tx_sync" | "broadcast_tx_async" | "broadcast_tx_commit" => &["tx"],
        "dev_produce_block" => &["seconds"],
        _ => &[],
    }
}

impl Params {
    fn from_json(method: &str, params: Option<Value>) -> Result<Self, RpcError> {
        match params {
            None | Some(Value::Null) => Ok(Params(Map::new())),
            Some(Value::Object(map)) => Ok(Params(map)),
            Some(Value::Array(values)) => Ok(Params(
                param_names(method)
                    .iter()
                    .zip(values)
                    .map(|(name, value)| (name.to_string(), value))
                    .collect(),
            )),
            Some(other) => Err(RpcError::invalid_params(format!(
                "params must be an object or an array, got {other}"
            ))),
        }
    }

    /// URI values: `"quoted"` strings lose their quotes; the rest stays as written (numbers,
    /// booleans, `0x` hex).
    fn from_uri(query: HashMap<String, String>) -> Self {
        Params(
            query
                .into_iter()
                .map(|(name, value)| {
                    let unquoted = value
                        .strip_prefix('"')
                        .and_then(|v| v.strip_suffix('"'))
                        .map(str::to_string);
                    let is_hex = unquoted.is_none() && value.starts_with("0x");
                    let value = match unquoted {
                        Some(text) => json!({ "quoted": text }),
                        None if is_hex => json!({ "hex": value[2..] }),
                        None => Value::String(value),
                    };
                    (name, value)
                })
                .collect(),
        )
    }

    /// A parameter as text, whatever its encoding marker.
    fn text(&self, name: &str) -> Option<String> {
        match self.0.get(name)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Object(o) => o
                .get("quoted")
                .and_then(Value::as_str)
                .map(str::to_string)
                .or_else(|| {
                    o.get("hex")
                        .and_then(Value::as_str)
                        .map(|h| format!("0x{h}"))
                }),
            _ => None,
        }
    }

    fn height(&self) -> Result<Option<u64>, RpcError> {
        match self.text("height").filter(|h| !h.is_empty()) {
            None => Ok(None),
            Some(text) => match text.parse::<u64>() {
                Ok(0) => Ok(None),
                Ok(h) => Ok(Some(h)),
                Err(_) => Err(RpcError::invalid_params(format!("invalid height {text:?}"))),
            },
        }
    }

    fn number(&self, name: &str) -> Result<Option<u64>, RpcError> {
        self.text(name)
            .filter(|t| !t.is_empty())
            .map(|t| {
                t.parse()
                    .map_err(|_| RpcError::invalid_params(format!("invalid {name} {t:?}")))
            })
            .transpose()
    }

    /// Bytes: URI `0x` hex or quoted base64; JSON base64 (or hex, where `hex_in_json`).
    fn bytes(&self, name: &str, hex_in_json: bool) -> Result<Vec<u8>, RpcError> {
        let invalid = |e: String| RpcError::invalid_params(format!("invalid {name}: {e}"));
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Object(o)) => match (o.get("hex"), o.get("quoted")) {
                (Some(Value::String(h)), _) => hex::decode(h).map_err(|e| invalid(e.to_string())),
                (_, Some(Value::String(q))) if hex_in_json => {
                    hex::decode(q.trim_start_matches("0x")).map_err(|e| invalid(e.to_string()))
                }
                (_, Some(Value::String(q))) => {
                    STANDARD.decode(q).map_err(|e| invalid(e.to_string()))
                }
                _ => Err(invalid("unexpected value".into())),
            },
            Some(Value::String(s)) if hex_in_json || s.starts_with("0x") => {
                hex::decode(s.trim_start_matches("0x")).map_err(|e| invalid(e.to_string()))
            }
            Some(Value::String(s)) => STANDARD.decode(s).map_err(|e| invalid(e.to_string())),
            Some(other) => Err(invalid(format!("unexpected value {other}"))),
        }
    }

    /// A transaction hash: hex (with or without `0x`, as people paste it) or base64.
    fn hash(&self) -> Result<Vec<u8>, RpcError> {
        if let Some(text) = self.text("hash") {
            let plain = text.trim_start_matches("0x");
            if plain.len() == 64 && plain.chars().all(|c| c.is_ascii_hexdigit()) {
                return Ok(hex::decode(plain).expect("checked hex"));
            }
        }
        self.bytes("hash", false)
    }
}

pub fn router(devnet: Arc<Devnet>) -> Router {
    Router::new()
        .route("/", post(json_rpc).get(index))
        .route("/websocket", get(websocket))
        .route("/{method}", get(uri_call))
        .with_state(devnet)
}

/// Serves `router` on `listener` until `shutdown` resolves.
pub async fn serve(
    devnet: Arc<Devnet>,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(devnet))
        .with_graceful_shutdown(shutdown)
        .await
}

async fn index() -> Json<Value> {
    Json(json!({
        "methods": [
            "abci_info", "abci_query?path=_&data=_&height=_&prove=_", "block?height=_",
            "block_results?height=_", "broadcast_tx_async?tx=_", "broadcast_tx_commit?tx=_",
            "broadcast_tx_sync?tx=_", "genesis", "health", "num_unconfirmed_txs", "status",
            "tx?hash=_&prove=_", "tx_search?query=_&page=_&per_page=_&order_by=_",
            "dev_info", "dev_produce_block?seconds=_", "websocket (subscribe tm.event='NewBlock')",
        ]
    }))
}

fn envelope(id: Value, result: Result<Value, RpcError>) -> Value {
    match result {
        Ok(result) => json!({"jsonrpc": "2.0", "id": id, "result": result}),
        Err(error) => json!({
            "jsonrpc": "2.0",
            "id": id,
            "error": {"code": error.code, "message": error.message, "data": error.data},
        }),
    }
}

async fn uri_call(
    State(devnet): State<Arc<Devnet>>,
    Path(method): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let result = call(&devnet, &method, Params::from_uri(query)).await;
    // CometBFT answers URI calls that fail with HTTP 500 and the JSON-RPC error.
    let status = if result.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::INTERNAL_SERVER_ERROR
    };
    (status, Json(envelope(json!(-1), result))).into_response()
}

async fn json_rpc(State(devnet): State<Arc<Devnet>>, body: Bytes) -> Response {
    let request: Value = match serde_json::from_slice(&body) {
        Ok(value) => value,
        Err(err) => {
            let error = RpcError {
                code: -32700,
                message: "Parse error",
                data: err.to_string(),
            };
            return Json(envelope(Value::Null, Err(error))).into_response();
        }
    };
    match request {
        Value::Array(batch) => {
            let mut responses = Vec::with_capacity(batch.len());
            for request in batch {
                responses.push(one_request(&devnet, request).await);
            }
            Json(Value::Array(responses)).into_response()
        }
        request => Json(one_request(&devnet, request).await).into_response(),
    }
}

async fn one_request(devnet: &Arc<Devnet>, request: Value) -> Value {
    let id = request.get("id").cloned().unwrap_or(Value::Null);
    let Some(method) = request.get("method").and_then(Value::as_str) else {
        let error = RpcError {
            code: -32600,
            message: "Invalid Request",
            data: "no method".into(),
        };
        return envelope(id, Err(error));
    };
    let result = match Params::from_json(method, request.get("params").cloned()) {
        Ok(params) => call(devnet, method, params).await,
        Err(err) => Err(err),
    };
    envelope(id, result)
}

const NEW_BLOCK_QUERY: &str = "tm.event='NewBlock'";

async fn websocket(State(devnet): State<Arc<Devnet>>, upgrade: WebSocketUpgrade) -> Response {
    upgrade.on_upgrade(move |socket| websocket_session(devnet, socket))
}

/// One websocket client: JSON-RPC calls, and new blocks once it subscribed.
async fn websocket_session(devnet: Arc<Devnet>, mut socket: WebSocket) {
    let mut heights = devnet.subscribe_heights();
    // The subscription's request id and the last height sent.
    let mut subscription: Option<(Value, u64)> = None;
    loop {
        tokio::select! {
            message = socket.recv() => {
                let Some(Ok(message)) = message else { return };
                let Message::Text(text) = message else { continue };
                let request: Value = serde_json::from_str(text.as_str()).unwrap_or(Value::Null);
                let id = request.get("id").cloned().unwrap_or(Value::Null);
                let method = request.get("method").and_then(Value::as_str).unwrap_or_default();
                let reply = match method {
                    "subscribe" => {
                        let query = request["params"]["query"].as_str().unwrap_or_default();
                        if query.replace(' ', "") == NEW_BLOCK_QUERY {
                            subscription = Some((id.clone(), *heights.borrow_and_update()));
                            envelope(id, Ok(json!({})))
                        } else {
                            envelope(id, Err(RpcError::invalid_params(format!(
                                "the devnet only serves the subscription {NEW_BLOCK_QUERY}, not {query:?}"
                            ))))
                        }
                    }
                    "unsubscribe" | "unsubscribe_all" => {
                        subscription = None;
                        envelope(id, Ok(json!({})))
                    }
                    _ => one_request(&devnet, request).await,
                };
                if socket.send(Message::text(reply.to_string())).await.is_err() {
                    return;
                }
            }
            changed = heights.changed() => {
                if changed.is_err() {
                    return;
                }
                let latest = *heights.borrow_and_update();
                let Some((id, sent)) = subscription.as_mut() else { continue };
                let from = *sent + 1;
                *sent = latest;
                let id = id.clone();
                let events = with_node(&devnet, move |devnet, node| {
                    (from..=latest)
                        .filter_map(|height| new_block_event(devnet, node, height))
                        .collect::<Vec<_>>()
                })
                .await
                .unwrap_or_default();
                for event in events {
                    let message = json!({"jsonrpc": "2.0", "id": id, "result": event});
                    if socket.send(Message::text(message.to_string())).await.is_err() {
                        return;
                    }
                }
            }
        }
    }
}

/// A `NewBlock` event as CometBFT 0.38 sends it to subscribers.
fn new_block_event(devnet: &Devnet, node: &Node, height: u64) -> Option<Value> {
    let block = node.block(height)?;
    let previous = height.checked_sub(1).and_then(|h| node.block(h));
    let rendered = render::block(block, previous, &node.config().chain_id, devnet.identity());
    let results = render::block_results(block);
    Some(json!({
        "query": NEW_BLOCK_QUERY,
        "data": {
            "type": "tendermint/event/NewBlock",
            "value": {
                "block": rendered["block"],
                "block_id": rendered["block_id"],
                "result_finalize_block": {
                    "events": results["finalize_block_events"],
                    "tx_results": results["txs_results"],
                    "app_hash": results["app_hash"],
                },
            },
        },
        "events": {"tm.event": ["NewBlock"]},
    }))
}

/// Runs `read` on the node in a blocking thread (contract queries run wasm).
async fn with_node<T: Send + 'static>(
    devnet: &Arc<Devnet>,
    read: impl FnOnce(&Devnet, &mut Node) -> T + Send + 'static,
) -> Result<T, RpcError> {
    let devnet = devnet.clone();
    tokio::task::spawn_blocking(move || {
        let mut node = devnet.node();
        read(&devnet, &mut node)
    })
    .await
    .map_err(|err| RpcError::internal(format!("the node failed: {err}")))
}

fn block_at(node: &Node, height: Option<u64>) -> Result<u64, RpcError> {
    let latest = node.latest_height();
    match height {
        None => Ok(latest),
        Some(h) if h > latest => Err(RpcError::internal(format!(
            "height {h} must be less than or equal to the current blockchain height {latest}"
        ))),
        Some(h) => Ok(h),
    }
}

fn check_tx_json(result: &Result<u64, SdkError>) -> Value {
    match result {
        Ok(gas_wanted) => json!({
            "code": 0, "data": null, "log": "", "info": "", "gas_wanted": gas_wanted.to_string(),
            "gas_used": "0", "events": [], "codespace": "",
        }),
        Err(err) => json!({
            "code": err.code, "data": null, "log": err.log, "info": "", "gas_wanted": "0",
            "gas_used": "0", "events": [], "codespace": err.codespace,
        }),
    }
}

async fn call(devnet: &Arc<Devnet>, method: &str, params: Params) -> Result<Value, RpcError> {
    match method {
        "health" => Ok(json!({})),
        "status" => {
            with_node(devnet, |devnet, node| {
                let latest = node.latest_block().expect("block 1 is made at start");
                let earliest = node.block(1).expect("block 1 is made at start");
                render::status(
                    latest,
                    earliest,
                    &node.config().chain_id,
                    devnet.identity(),
                    "tcp://127.0.0.1:26656",
                )
            })
            .await
        }
        "abci_info" => {
            with_node(devnet, |_, node| {
                let latest = node.latest_block().expect("block 1 is made at start");
                json!({"response": {
                    "data": "mesi-devnet",
                    "version": env!("CARGO_PKG_VERSION"),
                    "app_version": "1",
                    "last_block_height": latest.height.to_string(),
                    "last_block_app_hash": STANDARD.encode(latest.result_app_hash),
                }})
            })
            .await
        }
        "abci_query" => {
            let path = params
                .text("path")
                .ok_or_else(|| RpcError::invalid_params("path is required"))?;
            let data = params.bytes("data", true)?;
            let height = params.height()?;
            with_node(devnet, move |_, node| {
                let latest = node.latest_height();
                if height.is_some_and(|h| h != latest) {
                    // The devnet keeps only the latest state, as a pruning node would.
                    let error = SdkError::invalid_request(format!(
                        "cannot query with height {} (the devnet keeps only the latest state, {latest})",
                        height.unwrap_or_default()
                    ));
                    return abci_query_json(Err(error), latest);
                }
                abci_query_json(crate::abci::query(node, &path, &data), latest)
            })
            .await
        }
        "block" => {
            let height = params.height()?;
            with_node(devnet, move |devnet, node| {
                let height = block_at(node, height)?;
                let block = node.block(height).expect("heights from 1 to latest exist");
                let previous = height.checked_sub(1).and_then(|h| node.block(h));
                Ok(render::block(
                    block,
                    previous,
                    &node.config().chain_id,
                    devnet.identity(),
                ))
            })
            .await?
        }
        "block_results" => {
            let height = params.height()?;
            with_node(devnet, move |_, node| {
                let height = block_at(node, height)?;
                Ok(render::block_results(
                    node.block(height).expect("heights from 1 to latest exist"),
                ))
            })
            .await?
        }
        "genesis" => with_node(devnet, |_, node| genesis_json(node)).await,
        "tx" => {
            let hash = params.hash()?;
            with_node(devnet, move |_, node| {
                node.tx(&hash).map(render::tx).ok_or_else(|| {
                    RpcError::internal(format!("tx ({}) not found", hash_hex(&hash)))
                })
            })
            .await?
        }
        "tx_search" => {
            let query = params
                .text("query")
                .ok_or_else(|| RpcError::invalid_params("query is required"))?;
            let conditions = crate::search::parse(&query).map_err(RpcError::invalid_params)?;
            let per_page = params
                .number("per_page")?
                .map_or(DEFAULT_PER_PAGE, |n| (n as usize).clamp(1, MAX_PER_PAGE));
            let page = params.number("page")?.unwrap_or(1).max(1) as usize;
            let descending = params.text("order_by").is_some_and(|o| o == "desc");
            with_node(devnet, move |_, node| {
                let mut found: Vec<Value> = node
                    .blocks()
                    .iter()
                    .flat_map(|b| b.txs.iter())
                    .filter(|t| crate::search::matches(&conditions, t))
                    .map(render::tx)
                    .collect();
                if descending {
                    found.reverse();
                }
                let total = found.len();
                let pages = total.div_ceil(per_page).max(1);
                if page > pages {
                    return Err(RpcError::invalid_params(format!(
                        "page should be within [1, {pages}] range, given {page}"
                    )));
                }
                let txs: Vec<Value> = found
                    .into_iter()
                    .skip((page - 1) * per_page)
                    .take(per_page)
                    .collect();
                Ok(json!({"txs": txs, "total_count": total.to_string()}))
            })
            .await?
        }
        "num_unconfirmed_txs" => {
            with_node(devnet, |_, node| {
                let n = node.mempool_len().to_string();
                json!({"n_txs": n, "total": n, "total_bytes": "0", "txs": null})
            })
            .await
        }
        "broadcast_tx_sync" | "broadcast_tx_async" => {
            let tx = params.bytes("tx", false)?;
            let devnet = devnet.clone();
            let outcome = tokio::task::spawn_blocking(move || devnet.broadcast(&tx))
                .await
                .map_err(|err| RpcError::internal(err.to_string()))?;
            let mut result = check_tx_json(&outcome.result);
            let fields = result.as_object_mut().expect("an object");
            fields.retain(|k, _| matches!(k.as_str(), "code" | "data" | "log" | "codespace"));
            fields.insert("hash".into(), hash_hex(&outcome.hash).into());
            Ok(result)
        }
        "broadcast_tx_commit" => {
            let tx = params.bytes("tx", false)?;
            let broadcaster = devnet.clone();
            let outcome = tokio::task::spawn_blocking(move || broadcaster.broadcast(&tx))
                .await
                .map_err(|err| RpcError::internal(err.to_string()))?;
            let check_tx = check_tx_json(&outcome.result);
            let hash = hash_hex(&outcome.hash);
            if outcome.result.is_err() {
                return Ok(json!({
                    "check_tx": check_tx, "tx_result": {}, "hash": hash, "height": "0",
                }));
            }
            match devnet
                .wait_for_tx(outcome.hash, BROADCAST_COMMIT_TIMEOUT)
                .await
            {
                Some(record) => Ok(json!({
                    "check_tx": check_tx,
                    "tx_result": render::tx_result(&record.outcome),
                    "hash": hash,
                    "height": record.height.to_string(),
                })),
                None => Err(RpcError::internal(
                    "timed out waiting for tx to be included in a block",
                )),
            }
        }
        "dev_produce_block" => {
            let seconds = params.number("seconds")?.unwrap_or(0);
            let producer = devnet.clone();
            let height = tokio::task::spawn_blocking(move || producer.produce_block(seconds))
                .await
                .map_err(|err| RpcError::internal(err.to_string()))?;
            with_node(devnet, move |_, node| {
                let block = node.block(height).expect("just made");
                json!({
                    "height": height.to_string(),
                    "time": render::rfc3339(block.time_nanos),
                    "txs": block.txs.len(),
                })
            })
            .await
        }
        "dev_info" => Ok(serde_json::to_value(devnet.info()).expect("info serializes")),
        other => Err(RpcError::method_not_found(other)),
    }
}

fn abci_query_json(result: Result<Vec<u8>, SdkError>, height: u64) -> Value {
    let (code, codespace, log, value) = match result {
        Ok(value) => (
            0,
            String::new(),
            String::new(),
            Some(STANDARD.encode(value)),
        ),
        Err(err) => (err.code, err.codespace, err.log, None),
    };
    json!({"response": {
        "code": code,
        "log": log,
        "info": "",
        "index": "0",
        "key": null,
        "value": value,
        "proofOps": null,
        "height": height.to_string(),
        "codespace": codespace,
    }})
}

fn genesis_json(node: &Node) -> Value {
    let config = node.config();
    let balances: Vec<Value> = node
        .genesis_balances()
        .iter()
        .map(|(address, coins)| {
            json!({
                "address": address,
                "coins": coins.iter().map(|c| json!({"denom": c.denom, "amount": c.amount.to_string()})).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({"genesis": {
        "genesis_time": render::rfc3339(config.genesis_time_nanos),
        "chain_id": config.chain_id,
        "initial_height": "1",
        "consensus_params": {
            "block": {"max_bytes": "22020096", "max_gas": "-1"},
            "evidence": {"max_age_num_blocks": "100000", "max_age_duration": "172800000000000", "max_bytes": "1048576"},
            "validator": {"pub_key_types": ["ed25519"]},
            "version": {"app": "0"},
        },
        "validators": [],
        "app_hash": "",
        "app_state": {"bank": {"balances": balances}},
    }})
}

/// A devnet served from a runtime of its own (for tests and tools that are not async):
/// the server and the block timer stop when this is dropped.
pub struct Background {
    pub devnet: Arc<Devnet>,
    pub url: String,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Background {
    /// Serves `devnet` on `address` (port 0: a free one) and starts its block timer.
    pub fn start(devnet: Arc<Devnet>, address: SocketAddr) -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let listener = runtime.block_on(tokio::net::TcpListener::bind(address))?;
        let url = url(listener.local_addr()?);
        let served = devnet.clone();
        runtime.spawn(async move {
            if let Err(err) = serve(served, listener, std::future::pending()).await {
                eprintln!("mesi-devnet: the RPC server stopped: {err}");
            }
        });
        let _timer = runtime.block_on(async { devnet.spawn_block_timer() });
        Ok(Background {
            devnet,
            url,
            runtime: Some(runtime),
        })
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// The address the devnet listens on, as a URL.
pub fn url(address: SocketAddr) -> String {
    format!("http://{address}")
}
