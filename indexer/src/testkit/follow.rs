//! An indexer that follows a chain over RPC and serves the API from the current runtime, as
//! `mesi-indexer run --listen` does: for end-to-end tests against a devnet.

use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinHandle;

use crate::api::{ApiConfig, ApiContext};
use crate::config::Contracts;
use crate::ingest::{IngestOptions, IngestSummary, ProgressMode};
use crate::source::RpcClient;
use crate::store::Store;

pub struct Follower {
    /// `http://127.0.0.1:<port>`
    pub api_url: String,
    ingest: JoinHandle<anyhow::Result<IngestSummary>>,
    api: JoinHandle<std::io::Result<()>>,
}

impl Follower {
    /// Migrates `database_url`, then ingests from `rpc_url` (waking on its websocket) the events
    /// of `contracts` (`ADDR=KIND` pairs) and serves the API on a free local port.
    pub async fn start(
        rpc_url: &str,
        database_url: &str,
        contracts: impl IntoIterator<Item = String>,
    ) -> anyhow::Result<Follower> {
        Follower::start_on(&[rpc_url.to_owned()], database_url, contracts).await
    }

    /// [`Follower::start`] with several nodes of the chain, moving to the next when the one
    /// asked stops answering (as `--rpc` given more than once).
    pub async fn start_on(
        rpc_urls: &[String],
        database_url: &str,
        contracts: impl IntoIterator<Item = String>,
    ) -> anyhow::Result<Follower> {
        let mut ours = Contracts::default();
        for pair in contracts {
            ours.insert_pair(&pair)?;
        }
        let store = Store::connect(database_url).await?;
        store.migrate().await?;
        let ingest = tokio::spawn(crate::ingest::run(
            RpcClient::with_endpoints(rpc_urls, Duration::from_secs(10))?,
            store,
            Arc::new(ours),
            IngestOptions {
                poll_interval: Duration::from_millis(50),
                websocket: true,
                progress: ProgressMode::Quiet,
                ..IngestOptions::default()
            },
        ));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let api_url = format!("http://{}", listener.local_addr()?);
        let ctx = ApiContext::new(
            crate::api::connect(database_url, 8).await?,
            ApiConfig {
                limits: crate::api::http::limits::LimitsConfig::unlimited(),
                ..ApiConfig::default()
            },
        );
        let api = tokio::spawn(crate::api::serve(ctx, listener, std::future::pending()));
        Ok(Follower {
            api_url,
            ingest,
            api,
        })
    }

    /// Both the ingest and the API still run (they only stop on an error).
    pub fn is_running(&self) -> bool {
        !self.ingest.is_finished() && !self.api.is_finished()
    }
}

impl Drop for Follower {
    fn drop(&mut self) {
        self.ingest.abort();
        self.api.abort();
    }
}
