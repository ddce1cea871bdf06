//! What one client may ask of the API, and how many live feeds are open.
//!
//! - **The client** is the TCP peer's address; when the peer is one of the configured trusted
//!   proxies, it is the rightmost `X-Forwarded-For` entry that is not a trusted proxy (the
//!   header is ignored from anyone else, so it cannot be forged to dodge a limit). An IPv6
//!   client counts by its /64, which one subscriber line usually holds whole.
//! - **Request rates**: a token bucket per client for every request, and a stricter one for
//!   signing in and opening chat threads ([`SIGN_IN_ROUTES`]). Over either: 429 with
//!   `Retry-After`.
//! - **Live feeds** (every SSE route): at most [`LimitsConfig::live_per_client`] open per
//!   client (429) and [`LimitsConfig::live_total`] in all (503), each with `Retry-After`.
//! - **Replay**: a live feed resumed from a position more than [`LimitsConfig::max_replay`]
//!   items back is refused (410); the paged routes serve history.
//! - **Memory**: the buckets of at most [`LimitsConfig::max_clients`] clients are kept; a
//!   full bucket is the same as none and is forgotten first. When every kept client is still
//!   refilling, a new client waits like one over its limit. Live counts hold only open feeds.

mod client;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub use client::{Cidr, Client};

use crate::api::{ApiContext, Error};

/// Routes (method and path) under the sign-in bucket: what a stranger can call to make rows
/// or work for us without a wallet that costs anything.
pub const SIGN_IN_ROUTES: &[(Method, &str)] = &[
    (Method::POST, "/auth/nonce"),
    (Method::POST, "/auth/login"),
    (Method::POST, "/chat/threads"),
];
/// What a client over a live-feed cap is told to wait.
const LIVE_RETRY_AFTER_SECS: u64 = 10;
/// How often a full client table may be swept for forgettable entries.
const SWEEP_INTERVAL: Duration = Duration::from_secs(1);

/// A sustained rate and the burst above it; `per_minute` 0 means no limit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub per_minute: u32,
    pub burst: u32,
}

impl Rate {
    pub const UNLIMITED: Rate = Rate {
        per_minute: 0,
        burst: 0,
    };

    fn per_second(self) -> f64 {
        f64::from(self.per_minute) / 60.0
    }

    fn capacity(self) -> f64 {
        f64::from(self.burst.max(1))
    }
}

#[derive(Debug, Clone)]
pub struct LimitsConfig {
    /// Peers whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<Cidr>,
    /// Every request, per client.
    pub requests: Rate,
    /// [`SIGN_IN_ROUTES`], per client.
    pub sign_in: Rate,
    /// Live feeds one client may hold open.
    pub live_per_client: usize,
    /// Live feeds open in this process.
    pub live_total: usize,
    /// Most items a resumed live feed replays.
    pub max_replay: i64,
    /// Clients whose buckets are kept.
    pub max_clients: usize,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            trusted_proxies: Vec::new(),
            requests: Rate {
                per_minute: 1200,
                burst: 200,
            },
            sign_in: Rate {
                per_minute: 20,
                burst: 10,
            },
            live_per_client: 8,
            live_total: 5000,
            max_replay: 1000,
            max_clients: 100_000,
        }
    }
}

impl LimitsConfig {
    /// No rate limits and caps far above any test; for tests and benches that measure
    /// something else.
    pub fn unlimited() -> LimitsConfig {
        LimitsConfig {
            requests: Rate::UNLIMITED,
            sign_in: Rate::UNLIMITED,
            live_per_client: usize::MAX,
            live_total: usize::MAX,
            max_replay: i64::MAX,
            ..LimitsConfig::default()
        }
    }
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Token buckets per client, at most `max_clients` of them.
struct Buckets {
    rate: Rate,
    max_clients: usize,
    state: Mutex<BucketsState>,
}

struct BucketsState {
    buckets: HashMap<Client, Bucket>,
    swept_at: Option<Instant>,
}

impl Buckets {
    fn new(rate: Rate, max_clients: usize) -> Buckets {
        Buckets {
            rate,
            max_clients: max_clients.max(1),
            state: Mutex::new(BucketsState {
                buckets: HashMap::new(),
                swept_at: None,
            }),
        }
    }

    /// Takes one token for `client`, or says how long until one is there.
    fn take(&self, client: Client, now: Instant) -> Result<(), Duration> {
        if self.rate.per_minute == 0 {
            return Ok(());
        }
        let (rate, capacity) = (self.rate.per_second(), self.rate.capacity());
        let level = |b: &Bucket| {
            (b.tokens + now.saturating_duration_since(b.at).as_secs_f64() * rate).min(capacity)
        };
        let mut state = self.state.lock().expect("rate limit state");
        if !state.buckets.contains_key(&client) && state.buckets.len() >= self.max_clients {
            let may_sweep = state
                .swept_at
                .is_none_or(|at| now.saturating_duration_since(at) >= SWEEP_INTERVAL);
            if may_sweep {
                state.swept_at = Some(now);
                state.buckets.retain(|_, b| level(b) < capacity);
            }
            if state.buckets.len() >= self.max_clients {
                return Err(SWEEP_INTERVAL);
            }
        }
        let bucket = state.buckets.entry(client).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        let tokens = level(bucket);
        bucket.at = now;
        if tokens >= 1.0 {
            bucket.tokens = tokens - 1.0;
            Ok(())
        } else {
            bucket.tokens = tokens;
            Err(Duration::from_secs_f64((1.0 - tokens) / rate))
        }
    }

    #[cfg(test)]
    fn tracked(&self) -> usize {
        self.state.lock().unwrap().buckets.len()
    }
}

/// The live feeds open now, per client and in all.
#[derive(Default)]
struct LiveCounts {
    total: usize,
    per_client: HashMap<Client, usize>,
}

/// The limits of one API process.
pub struct Limits {
    config: LimitsConfig,
    requests: Buckets,
    sign_in: Buckets,
    live: Mutex<LiveCounts>,
}

impl Limits {
    pub fn new(config: LimitsConfig) -> Limits {
        Limits {
            requests: Buckets::new(config.requests, config.max_clients),
            sign_in: Buckets::new(config.sign_in, config.max_clients),
            live: Mutex::default(),
            config,
        }
    }

    pub fn config(&self) -> &LimitsConfig {
        &self.config
    }

    /// Checks one request of `client` to `method path` against the rate limits.
    pub fn check_request(&self, client: Client, method: &Method, path: &str) -> Result<(), Error> {
        let now = Instant::now();
        let sign_in = SIGN_IN_ROUTES
            .iter()
            .any(|(m, p)| m == method && *p == path);
        self.requests
            .take(client, now)
            .and_then(|()| {
                if sign_in {
                    self.sign_in.take(client, now)
                } else {
                    Ok(())
                }
            })
            .map_err(|wait| Error::RateLimited {
                retry_after_secs: wait.as_secs_f64().ceil().max(1.0) as u64,
            })
    }

    /// Counts one more live feed of `client` until the slot drops, within the caps.
    pub fn open_live(self: &Arc<Self>, client: Client) -> Result<LiveSlot, Error> {
        let mut live = self.live.lock().expect("live counts");
        if live.total >= self.config.live_total {
            return Err(Error::Busy {
                retry_after_secs: LIVE_RETRY_AFTER_SECS,
            });
        }
        let mine = live.per_client.entry(client).or_default();
        if *mine >= self.config.live_per_client {
            return Err(Error::RateLimited {
                retry_after_secs: LIVE_RETRY_AFTER_SECS,
            });
        }
        *mine += 1;
        live.total += 1;
        Ok(LiveSlot {
            limits: Arc::clone(self),
            client,
        })
    }

    /// Live feeds open now.
    pub fn live_open(&self) -> usize {
        self.live.lock().expect("live counts").total
    }

    /// Refuses a resume that would replay more than the configured number of items;
    /// `pending` is the count of items after the resume point, read with a limit just above it.
    pub fn check_replay(&self, pending: i64) -> Result<(), Error> {
        let max = self.config.max_replay;
        if pending > max {
            return Err(Error::ReplayTooLong { max });
        }
        Ok(())
    }

    /// The limit to read `pending` with: one more than may be replayed.
    pub fn replay_probe(&self) -> i64 {
        self.config.max_replay.saturating_add(1)
    }
}

/// One open live feed; the count drops with it.
pub struct LiveSlot {
    limits: Arc<Limits>,
    client: Client,
}

impl LiveSlot {
    pub fn client(&self) -> Client {
        self.client
    }
}

impl Drop for LiveSlot {
    fn drop(&mut self) {
        let mut live = self.limits.live.lock().expect("live counts");
        live.total -= 1;
        if let Some(mine) = live.per_client.get_mut(&self.client) {
            *mine -= 1;
            if *mine == 0 {
                live.per_client.remove(&self.client);
            }
        }
    }
}

/// The request's client: known to every handler, since [`limit_requests`] wraps every route.
impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Client, Error> {
        parts
            .extensions
            .get::<Client>()
            .copied()
            .ok_or_else(|| anyhow::anyhow!("the client was not resolved for this route").into())
    }
}

/// A live feed's slot, taken before the feed starts; SSE handlers hold it for the stream.
impl FromRequestParts<ApiContext> for LiveSlot {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, ctx: &ApiContext) -> Result<LiveSlot, Error> {
        let client = Client::from_request_parts(parts, ctx).await?;
        ctx.limits.open_live(client)
    }
}

/// Middleware over every route: resolves the client and applies the rate limits.
pub async fn limit_requests(
    State(ctx): State<ApiContext>,
    mut request: Request,
    next: Next,
) -> Response {
    // Without connection info (a router driven in-process) every request is one client.
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip());
    let client = Client::resolve(peer, request.headers(), &ctx.limits.config.trusted_proxies);
    if let Err(e) = ctx
        .limits
        .check_request(client, request.method(), request.uri().path())
    {
        return e.into_response();
    }
    request.extensions_mut().insert(client);
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn buckets_allow_the_burst_then_the_rate() {
        let buckets = Buckets::new(
            Rate {
                per_minute: 60,
                burst: 3,
            },
            10,
        );
        let a = Client::of(ip("192.0.2.1"));
        let t0 = Instant::now();
        for _ in 0..3 {
            buckets.take(a, t0).unwrap();
        }
        let wait = buckets.take(a, t0).unwrap_err();
        assert_eq!(wait, Duration::from_secs(1));
        // Another client has its own bucket.
        buckets.take(Client::of(ip("192.0.2.2")), t0).unwrap();
        // One token per second comes back.
        buckets.take(a, t0 + Duration::from_secs(1)).unwrap();
        assert!(buckets.take(a, t0 + Duration::from_secs(1)).is_err());
    }

    #[test]
    fn the_client_table_is_bounded() {
        let buckets = Buckets::new(
            Rate {
                per_minute: 60,
                burst: 2,
            },
            2,
        );
        let t0 = Instant::now();
        let client = |n: u8| Client::of(IpAddr::from([192, 0, 2, n]));
        buckets.take(client(1), t0).unwrap();
        buckets.take(client(2), t0).unwrap();
        // Both still refilling: a third client waits, and the table does not grow.
        assert!(buckets.take(client(3), t0).is_err());
        assert_eq!(buckets.tracked(), 2);
        // Once their buckets are full again they are forgotten and make room.
        let later = t0 + Duration::from_secs(5);
        buckets.take(client(3), later).unwrap();
        assert_eq!(buckets.tracked(), 1);
    }

    #[test]
    fn live_slots_are_capped_per_client_and_in_all() {
        let limits = Arc::new(Limits::new(LimitsConfig {
            live_per_client: 2,
            live_total: 3,
            ..LimitsConfig::default()
        }));
        let a = Client::of(ip("192.0.2.1"));
        let b = Client::of(ip("192.0.2.2"));
        let first = limits.open_live(a).unwrap();
        let _second = limits.open_live(a).unwrap();
        assert_eq!(
            limits.open_live(a).err().map(|e| e.code()),
            Some("rate_limited")
        );
        let _third = limits.open_live(b).unwrap();
        assert_eq!(limits.open_live(b).err().map(|e| e.code()), Some("busy"));
        drop(first);
        assert_eq!(limits.live_open(), 2);
        let _again = limits.open_live(a).unwrap();
    }
}
