//! Mesi indexer: reads the events of the Mesi contracts from a CometBFT chain and keeps them in
//! PostgreSQL, for the API and for anyone who wants to query the suite's history.
//!
//! Data flows one way, one module per step:
//! - [`source`]: CometBFT RPC over HTTP (`/status`, `/block`, `/block_results`), for 0.34 and
//!   0.37 (begin/end-block events), 0.38 and 1.x (finalize-block events), attributes in plain
//!   text or base64 (detected from the data);
//! - [`decode`]: our contracts' events (by `_contract_address`) decoded with mesi-common's
//!   types; anything malformed becomes a dead letter, never a panic;
//! - [`store`]: PostgreSQL via sqlx: migrations, the raw event log, dead letters, projections,
//!   and the cursor, committed together so each block is stored exactly once;
//! - [`ingest`]: parallel prefetch, in-order commits, retries with backoff, following the head;
//! - [`api`]: the HTTP API (axum) dApp frontends use, reading the projections: feeds (live over
//!   SSE), chat gating and access checks with the contracts' semantics, leaderboards, goals,
//!   calendars, wallet login, chat and streams.

pub mod api;
pub mod config;
pub mod decode;
pub mod ingest;
pub mod inspect;
pub mod retry;
pub mod source;
pub mod store;

#[cfg(feature = "testkit")]
pub mod testkit;
