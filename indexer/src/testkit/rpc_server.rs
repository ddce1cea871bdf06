//! A local CometBFT RPC server over a generated [`Chain`], written on plain TCP so that it can
//! misbehave at the transport level: HTTP 500 and 429, JSON-RPC errors, requests that never
//! get an answer, truncated bodies, dropped connections, slow answers, and a head that lags
//! (or runs ahead of what the node can serve).
//!
//! It serves `GET /status`, `GET /block?height=N` and `GET /block_results?height=N` with
//! keep-alive. The node's height starts at `initial_height` and grows on each `/status`, and
//! every `produce_every` if set. `GET /websocket` takes a `subscribe` and sends a `NewBlock`
//! event whenever the height grows.

use std::borrow::Cow;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

use super::chain::Chain;

/// Probabilities (0..1) of each misbehaviour, per request.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    pub http_500: f64,
    pub http_429: f64,
    /// A JSON-RPC error in a 500 response, as CometBFT sends for internal errors.
    pub rpc_error: f64,
    /// No answer until `hang_for` has passed, then the connection closes.
    pub timeout: f64,
    /// A 200 whose JSON body is cut short.
    pub truncated: f64,
    /// The connection closes without an answer.
    pub drop_connection: f64,
    /// The answer comes after `slow_delay`.
    pub slow: f64,
    /// `/status` reports a head up to 3 blocks above what `/block_results` serves, or up to 5
    /// below the last head reported.
    pub lagging_head: f64,
    pub hang_for: Duration,
    pub slow_delay: Duration,
}

impl Faults {
    /// Every fault, often enough to be hit many times in a few hundred requests.
    pub fn all() -> Faults {
        Faults {
            http_500: 0.04,
            http_429: 0.03,
            rpc_error: 0.03,
            timeout: 0.01,
            truncated: 0.04,
            drop_connection: 0.03,
            slow: 0.03,
            lagging_head: 0.3,
            hang_for: Duration::from_millis(1500),
            slow_delay: Duration::from_millis(150),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ServerOptions {
    pub faults: Faults,
    /// The node's height when the server starts.
    pub initial_height: u64,
    /// Each `/status` grows the node's height by 0 to this many blocks.
    pub growth_per_status: u64,
    /// The node makes a block this often (starting when a websocket client subscribes, or
    /// after two seconds).
    pub produce_every: Option<Duration>,
    pub seed: u64,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            faults: Faults::default(),
            initial_height: u64::MAX,
            growth_per_status: 0,
            produce_every: None,
            seed: 7,
        }
    }
}

/// How often each fault was injected, and how many requests were answered normally.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FaultCounts {
    pub ok: u64,
    pub http_500: u64,
    pub http_429: u64,
    pub rpc_error: u64,
    pub timeout: u64,
    pub truncated: u64,
    pub drop_connection: u64,
    pub slow: u64,
    pub lagging_head: u64,
    /// Requests for a height above the node's, answered with CometBFT's error.
    pub not_yet_available: u64,
    /// `NewBlock` events sent to websocket subscribers.
    pub new_block_messages: u64,
}

struct Shared {
    chain: Arc<Chain>,
    /// Pre-rendered `/block` and `/block_results` bodies per height (index height - 1).
    blocks: Vec<Vec<u8>>,
    block_results: Vec<Vec<u8>>,
    options: ServerOptions,
    height: AtomicU64,
    /// The highest head `/status` reported; a lagging head that ran ahead is served soon after
    /// (as a replica behind a load balancer catches up), so retries do not wait forever.
    reported: AtomicU64,
    /// The height, for websocket subscribers.
    new_blocks: watch::Sender<u64>,
    rng: Mutex<fastrand::Rng>,
    counts: Mutex<FaultCounts>,
    /// After [`RpcServer::stop`]: every connection, open or new, is closed unanswered.
    down: AtomicBool,
}

pub struct RpcServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    tasks: Vec<JoinHandle<()>>,
}

impl RpcServer {
    pub async fn start(chain: Arc<Chain>, options: ServerOptions) -> std::io::Result<RpcServer> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let render = |value: serde_json::Value| {
            serde_json::to_vec(&json!({"jsonrpc": "2.0", "id": -1, "result": value})).expect("JSON")
        };
        let blocks = chain
            .blocks
            .iter()
            .map(|b| render(chain.block_json(b)))
            .collect();
        let block_results = chain
            .blocks
            .iter()
            .map(|b| render(chain.block_results_json(b)))
            .collect();
        let initial_height = options.initial_height.min(chain.head());
        let shared = Arc::new(Shared {
            height: AtomicU64::new(initial_height),
            reported: AtomicU64::new(initial_height),
            new_blocks: watch::channel(initial_height).0,
            rng: Mutex::new(fastrand::Rng::with_seed(options.seed)),
            counts: Mutex::new(FaultCounts::default()),
            down: AtomicBool::new(false),
            chain,
            blocks,
            block_results,
            options,
        });
        let accept = shared.clone();
        let mut tasks = vec![tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let _ = stream.set_nodelay(true);
                tokio::spawn(serve_connection(stream, accept.clone()));
            }
        })];
        if let Some(every) = shared.options.produce_every {
            tasks.push(tokio::spawn(produce_blocks(shared.clone(), every)));
        }
        Ok(RpcServer {
            addr,
            shared,
            tasks,
        })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn counts(&self) -> FaultCounts {
        self.shared.counts.lock().expect("counts").clone()
    }

    /// The node's current height.
    pub fn height(&self) -> u64 {
        self.shared.height.load(Ordering::Relaxed)
    }

    /// The node stops answering, as a crashed node does: it accepts no connection, and the
    /// open ones close at their next request.
    pub fn stop(&mut self) {
        self.shared.down.store(true, Ordering::SeqCst);
        for task in self.tasks.drain(..) {
            task.abort();
        }
    }
}

impl Drop for RpcServer {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

enum Fault {
    None,
    Http500,
    Http429,
    RpcError,
    Timeout,
    Truncated,
    Drop,
    Slow,
}

impl Shared {
    fn roll(&self, chance: f64) -> bool {
        chance > 0.0 && self.rng.lock().expect("rng").f64() < chance
    }

    fn pick_fault(&self) -> Fault {
        let f = &self.options.faults;
        let mut counts = self.counts.lock().expect("counts");
        let (fault, counter) = if self.roll(f.http_500) {
            (Fault::Http500, &mut counts.http_500)
        } else if self.roll(f.http_429) {
            (Fault::Http429, &mut counts.http_429)
        } else if self.roll(f.rpc_error) {
            (Fault::RpcError, &mut counts.rpc_error)
        } else if self.roll(f.timeout) {
            (Fault::Timeout, &mut counts.timeout)
        } else if self.roll(f.truncated) {
            (Fault::Truncated, &mut counts.truncated)
        } else if self.roll(f.drop_connection) {
            (Fault::Drop, &mut counts.drop_connection)
        } else if self.roll(f.slow) {
            (Fault::Slow, &mut counts.slow)
        } else {
            (Fault::None, &mut counts.ok)
        };
        *counter += 1;
        fault
    }

    /// The body for a request path, as (HTTP status, JSON).
    fn answer(&self, path: &str) -> (u16, Cow<'_, [u8]>) {
        let (method, query) = path.split_once('?').unwrap_or((path, ""));
        let height = query
            .split('&')
            .find_map(|kv| kv.strip_prefix("height="))
            .and_then(|h| h.parse::<u64>().ok());
        match method {
            "/status" => (200, Cow::Owned(self.status())),
            "/block" | "/block_results" => {
                let node_height = self.height.load(Ordering::Relaxed);
                let Some(height) = height.filter(|h| *h >= 1) else {
                    return owned(rpc_error(
                        -32603,
                        "Internal error",
                        "height must be greater than 0",
                    ));
                };
                if height > node_height {
                    self.counts.lock().expect("counts").not_yet_available += 1;
                    let promised = self.reported.load(Ordering::Relaxed).min(self.chain.head());
                    self.height.fetch_max(promised, Ordering::Relaxed);
                    let detail = format!("height {height} must be less than or equal to the current blockchain height {node_height}");
                    return owned(rpc_error(-32603, "Internal error", &detail));
                }
                let bodies = if method == "/block" {
                    &self.blocks
                } else {
                    &self.block_results
                };
                (200, Cow::Borrowed(&bodies[(height - 1) as usize]))
            }
            _ => owned(rpc_error(-32601, "Method not found", path)),
        }
    }

    fn status(&self) -> Vec<u8> {
        let growth = self.options.growth_per_status;
        let grown = if growth > 0 {
            self.rng.lock().expect("rng").u64(..=growth)
        } else {
            0
        };
        let head = self.chain.head();
        let height = self
            .height
            .fetch_add(grown, Ordering::Relaxed)
            .saturating_add(grown)
            .min(head);
        self.height.store(height, Ordering::Relaxed);
        self.new_blocks
            .send_if_modified(|h| std::mem::replace(h, height) != height);
        let mut reported = height;
        if self.roll(self.options.faults.lagging_head) {
            self.counts.lock().expect("counts").lagging_head += 1;
            let mut rng = self.rng.lock().expect("rng");
            reported = if rng.bool() {
                (height + rng.u64(1..=3)).min(head)
            } else {
                height.saturating_sub(rng.u64(1..=5)).max(1)
            };
        }
        self.reported.fetch_max(reported, Ordering::Relaxed);
        serde_json::to_vec(
            &json!({"jsonrpc": "2.0", "id": -1, "result": self.chain.status_json(reported)}),
        )
        .expect("JSON")
    }
}

fn owned((status, body): (u16, Vec<u8>)) -> (u16, Cow<'static, [u8]>) {
    (status, Cow::Owned(body))
}

fn rpc_error(code: i64, message: &str, data: &str) -> (u16, Vec<u8>) {
    let body = json!({"jsonrpc": "2.0", "id": -1, "error": {"code": code, "message": message, "data": data}});
    (500, serde_json::to_vec(&body).expect("JSON"))
}

/// Grows the node's height by one block every `every`, once someone listens (or after 2 s).
async fn produce_blocks(shared: Arc<Shared>, every: Duration) {
    let waited = tokio::time::Instant::now();
    while shared.new_blocks.receiver_count() == 0 && waited.elapsed() < Duration::from_secs(2) {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    loop {
        tokio::time::sleep(every).await;
        let height = (shared.height.load(Ordering::Relaxed) + 1).min(shared.chain.head());
        shared.height.store(height, Ordering::Relaxed);
        shared
            .new_blocks
            .send_if_modified(|h| std::mem::replace(h, height) != height);
    }
}

/// A CometBFT-style event subscription: answers the `subscribe`, then sends a `NewBlock`
/// event for each new height.
async fn serve_websocket(stream: TcpStream, shared: Arc<Shared>) {
    let Ok(mut socket) = tokio_tungstenite::accept_async(stream).await else {
        return;
    };
    let mut heights = shared.new_blocks.subscribe();
    match socket.next().await {
        Some(Ok(Message::Text(text))) if text.contains("NewBlock") => {
            let ack = json!({"jsonrpc": "2.0", "id": 1, "result": {}}).to_string();
            if socket.send(Message::text(ack)).await.is_err() {
                return;
            }
        }
        _ => return,
    }
    while heights.changed().await.is_ok() {
        if shared.down.load(Ordering::SeqCst) {
            return;
        }
        let height = *heights.borrow_and_update();
        let Some(block) = shared.chain.block(height) else {
            continue;
        };
        let event = json!({"jsonrpc": "2.0", "id": 1, "result": {
            "query": "tm.event='NewBlock'",
            "data": {"type": "tendermint/event/NewBlock", "value": shared.chain.block_json(block)},
            "events": {"tm.event": ["NewBlock"]}
        }});
        if socket.send(Message::text(event.to_string())).await.is_err() {
            return;
        }
        shared.counts.lock().expect("counts").new_block_messages += 1;
    }
}

async fn serve_connection(mut stream: TcpStream, shared: Arc<Shared>) {
    let mut start = [0u8; 14];
    if matches!(stream.peek(&mut start).await, Ok(14)) && &start == b"GET /websocket" {
        return serve_websocket(stream, shared).await;
    }
    let mut buffer = Vec::with_capacity(1024);
    loop {
        let Some(path) = read_request(&mut stream, &mut buffer).await else {
            return;
        };
        if shared.down.load(Ordering::SeqCst) {
            return;
        }
        let (status, body) = shared.answer(&path);
        let written = match shared.pick_fault() {
            Fault::None => respond(&mut stream, status, &body).await,
            Fault::Http500 => respond(&mut stream, 500, b"upstream connect error").await,
            Fault::Http429 => respond(&mut stream, 429, b"Too Many Requests").await,
            Fault::RpcError => {
                respond(
                    &mut stream,
                    500,
                    &rpc_error(-32603, "Internal error", "leveldb: closed").1,
                )
                .await
            }
            Fault::Timeout => {
                tokio::time::sleep(shared.options.faults.hang_for).await;
                return;
            }
            Fault::Truncated => {
                let cut = &body[..body.len() / 2];
                if shared.roll(0.5) {
                    // A complete HTTP message whose JSON ends early.
                    respond(&mut stream, 200, cut).await
                } else {
                    // The connection dies mid-body.
                    let head = format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n", body.len());
                    let _ = stream.write_all(head.as_bytes()).await;
                    let _ = stream.write_all(cut).await;
                    return;
                }
            }
            Fault::Drop => return,
            Fault::Slow => {
                tokio::time::sleep(shared.options.faults.slow_delay).await;
                respond(&mut stream, status, &body).await
            }
        };
        if written.is_err() {
            return;
        }
    }
}

/// Reads one request head; returns its path, or `None` when the connection is done.
async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<String> {
    loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buffer[..end]).into_owned();
            buffer.drain(..end + 4);
            let mut parts = head.lines().next()?.split_whitespace();
            let _method = parts.next()?;
            return parts.next().map(str::to_owned);
        }
        if buffer.len() > 64 * 1024 {
            return None;
        }
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
}

async fn respond(stream: &mut TcpStream, status: u16, body: &[u8]) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        429 => "Too Many Requests",
        _ => "Internal Server Error",
    };
    let head = format!("HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n", body.len());
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body).await?;
    stream.flush().await
}
