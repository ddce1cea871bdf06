//! Prometheus metrics: request latencies measured here, and the ingest's height, lag and event
//! counts read from the database at each scrape (the ingest may be another process).

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntGauge, Opts, Registry, TextEncoder,
};

use crate::api::state::IngestState;
use crate::api::ApiContext;

pub struct Metrics {
    registry: Registry,
    requests: HistogramVec,
    indexed_height: IntGauge,
    head_height: IntGauge,
    lag: IntGauge,
    events: IntCounter,
    dead_letters: IntCounter,
}

/// Buckets from 0.1 ms to 10 s: the API answers most requests in well under a millisecond of
/// its own time, and the interesting tail is database time.
const LATENCY_BUCKETS: &[f64] = &[
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0, 10.0,
];

impl Metrics {
    pub fn new() -> Metrics {
        let registry = Registry::new();
        let requests = HistogramVec::new(
            HistogramOpts::new(
                "mesi_api_request_duration_seconds",
                "Time to answer an API request",
            )
            .buckets(LATENCY_BUCKETS.to_vec()),
            &["method", "route", "status"],
        )
        .expect("valid histogram");
        let gauge = |name: &str, help: &str| IntGauge::new(name, help).expect("valid gauge");
        let counter = |name: &str, help: &str| {
            IntCounter::with_opts(Opts::new(name, help)).expect("valid counter")
        };
        let metrics = Metrics {
            indexed_height: gauge(
                "mesi_indexer_height",
                "Last block height the ingest committed",
            ),
            head_height: gauge(
                "mesi_indexer_chain_head",
                "Latest block height the node reported to the ingest",
            ),
            lag: gauge(
                "mesi_indexer_lag_blocks",
                "Blocks between the node's head and the indexed height",
            ),
            events: counter(
                "mesi_indexer_events_ingested_total",
                "Mesi events stored by the ingest",
            ),
            dead_letters: counter(
                "mesi_indexer_dead_letters_total",
                "Events of our contracts that did not decode",
            ),
            requests,
            registry,
        };
        for collector in [
            Box::new(metrics.requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(metrics.indexed_height.clone()),
            Box::new(metrics.head_height.clone()),
            Box::new(metrics.lag.clone()),
            Box::new(metrics.events.clone()),
            Box::new(metrics.dead_letters.clone()),
        ] {
            metrics
                .registry
                .register(collector)
                .expect("unique metric names");
        }
        metrics
    }

    /// The text exposition format, with the ingest's figures as of `state`.
    pub fn render(&self, state: &IngestState) -> String {
        self.indexed_height.set(state.cursor.unwrap_or(0));
        self.head_height.set(state.head.unwrap_or(0));
        self.lag.set(state.lag().unwrap_or(0));
        // Counters only go up: add what was stored since the last scrape.
        let advance = |counter: &IntCounter, total: i64| {
            let total = total.max(0) as u64;
            if total > counter.get() {
                counter.inc_by(total - counter.get());
            }
        };
        advance(&self.events, state.events);
        advance(&self.dead_letters, state.dead_letters);
        let mut out = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut out)
            .expect("text encoding");
        String::from_utf8(out).expect("text exposition is UTF-8")
    }

    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        self.requests
            .with_label_values(&[method, route, &status.to_string()])
            .observe(seconds);
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

/// The methods with a label of their own; any other method a client sends is `other`.
const METHODS: [&str; 9] = [
    "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE",
];

/// The method's label, from the closed set [`METHODS`] and `other`: a client may send any
/// token as a method, and each label value is a series kept for the life of the process.
fn method_label(method: &Method) -> &'static str {
    METHODS
        .into_iter()
        .find(|m| *m == method.as_str())
        .unwrap_or("other")
}

/// Middleware timing every request. Every label comes from a closed set, whatever clients
/// send: the method is one of [`METHODS`] or `other`, the route is the matched route's pattern
/// (not the raw path, which would make one series per address) or `unmatched` for every path
/// no route matches, and the status is one the API answers with.
pub async fn track(State(ctx): State<ApiContext>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(request.method());
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(request).await;
    ctx.metrics.observe(
        method,
        &route,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_outside_the_standard_ones_share_one_label() {
        for method in METHODS {
            assert_eq!(
                method_label(&Method::from_bytes(method.as_bytes()).unwrap()),
                method
            );
        }
        for made_up in ["get", "FOO", "PROPFIND", &"X".repeat(60_000)] {
            assert_eq!(
                method_label(&Method::from_bytes(made_up.as_bytes()).unwrap()),
                "other"
            );
        }
    }
}
