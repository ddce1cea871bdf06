//! A small CometBFT RPC client over HTTP GET (`/status`, `/block?height=`, `/block_results?height=`).
//! It makes one attempt per call; retrying is the caller's choice ([`crate::retry`]).
//!
//! It may know several nodes of the chain: it asks one at a time, and when that one does not
//! answer (a transport error, an HTTP error status) it moves to the next, so the caller's
//! retry reaches a node that works.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;
use thiserror::Error;

use super::rpc_types::{BlockResponse, BlockResultsResponse, Envelope, StatusResponse};
use super::{BlockEvents, BlockHeader, ChainStatus};

#[derive(Debug, Error)]
pub enum SourceError {
    #[error("request to {url} failed: {source}")]
    Transport { url: String, source: reqwest::Error },
    #[error("{url} answered HTTP {status}")]
    Status { url: String, status: u16 },
    #[error("{url} sent a response that is not the expected JSON: {reason}")]
    Json { url: String, reason: String },
    #[error("{url}: {error}")]
    Rpc { url: String, error: String },
    /// The node does not have this height yet (it is behind, or its `/status` ran ahead).
    #[error("height {height} is not available yet: {detail}")]
    NotYetAvailable { height: u64, detail: String },
    #[error("{0}")]
    Invalid(String),
}

/// Most nodes one indexer may be given.
pub const MAX_ENDPOINTS: usize = 16;

#[derive(Clone)]
pub struct RpcClient {
    /// RPC addresses of nodes of one chain, without trailing slashes.
    endpoints: Arc<[String]>,
    /// The one asked now (shared by the clones).
    current: Arc<AtomicUsize>,
    http: reqwest::Client,
}

impl RpcClient {
    /// `base` is the node's RPC address, e.g. `http://localhost:26657` (a path prefix is kept).
    pub fn new(base: &str, timeout: Duration) -> Result<Self, SourceError> {
        Self::with_endpoints(&[base.to_owned()], timeout)
    }

    /// Several nodes of the same chain, asked in this order: the next when one stops answering.
    pub fn with_endpoints(bases: &[String], timeout: Duration) -> Result<Self, SourceError> {
        if bases.is_empty() || bases.len() > MAX_ENDPOINTS {
            return Err(SourceError::Invalid(format!(
                "give 1 to {MAX_ENDPOINTS} RPC endpoints, not {}",
                bases.len()
            )));
        }
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .pool_idle_timeout(Duration::from_secs(30))
            .user_agent(concat!("mesi-indexer/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|source| SourceError::Transport {
                url: bases[0].clone(),
                source,
            })?;
        Ok(RpcClient {
            endpoints: bases
                .iter()
                .map(|b| b.trim_end_matches('/').to_owned())
                .collect(),
            current: Arc::new(AtomicUsize::new(0)),
            http,
        })
    }

    /// The node asked now.
    pub fn base_url(&self) -> &str {
        &self.endpoints[self.current.load(Ordering::Relaxed)]
    }

    pub fn endpoints(&self) -> &[String] {
        &self.endpoints
    }

    /// Moves from the node at `failed` to the next one (unless another call already moved).
    fn fail_over(&self, failed: usize) {
        let next = (failed + 1) % self.endpoints.len();
        if next != failed
            && self
                .current
                .compare_exchange(failed, next, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            tracing::warn!(
                failed = %self.endpoints[failed],
                next = %self.endpoints[next],
                "the node does not answer; moving to the next RPC endpoint"
            );
        }
    }

    pub async fn status(&self) -> Result<ChainStatus, SourceError> {
        Ok(self.get::<StatusResponse>("status", None).await?.into())
    }

    pub async fn block(&self, height: u64) -> Result<BlockHeader, SourceError> {
        let header =
            BlockHeader::try_from(self.get::<BlockResponse>("block", Some(height)).await?)?;
        if header.height != height {
            return Err(SourceError::Invalid(format!(
                "asked /block for height {height}, got {}",
                header.height
            )));
        }
        Ok(header)
    }

    pub async fn block_results(&self, height: u64) -> Result<BlockEvents, SourceError> {
        let results = self
            .get::<BlockResultsResponse>("block_results", Some(height))
            .await?;
        if results.height != height {
            return Err(SourceError::Invalid(format!(
                "asked /block_results for height {height}, got {}",
                results.height
            )));
        }
        Ok(results.into())
    }

    async fn get<T: DeserializeOwned>(
        &self,
        method: &str,
        height: Option<u64>,
    ) -> Result<T, SourceError> {
        let index = self.current.load(Ordering::Relaxed);
        let result = self.get_from(&self.endpoints[index], method, height).await;
        if matches!(
            result,
            Err(SourceError::Transport { .. } | SourceError::Status { .. })
        ) {
            self.fail_over(index);
        }
        result
    }

    async fn get_from<T: DeserializeOwned>(
        &self,
        base: &str,
        method: &str,
        height: Option<u64>,
    ) -> Result<T, SourceError> {
        let url = match height {
            Some(h) => format!("{base}/{method}?height={h}"),
            None => format!("{base}/{method}"),
        };
        let response =
            self.http
                .get(&url)
                .send()
                .await
                .map_err(|source| SourceError::Transport {
                    url: url.clone(),
                    source,
                })?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|source| SourceError::Transport {
                url: url.clone(),
                source,
            })?;
        // CometBFT answers JSON-RPC errors with HTTP 500 and a JSON body; read it when there is one.
        let envelope: Result<Envelope<T>, _> = serde_json::from_slice(&body);
        match envelope {
            Ok(Envelope {
                error: Some(error), ..
            }) => {
                let text = error.to_string();
                match height {
                    Some(height) if is_not_yet_available(&text) => {
                        Err(SourceError::NotYetAvailable {
                            height,
                            detail: text,
                        })
                    }
                    _ => Err(SourceError::Rpc { url, error: text }),
                }
            }
            _ if !status.is_success() => Err(SourceError::Status {
                url,
                status: status.as_u16(),
            }),
            Ok(Envelope {
                result: Some(result),
                ..
            }) => Ok(result),
            Ok(Envelope { result: None, .. }) => Err(SourceError::Json {
                url,
                reason: "no result and no error".into(),
            }),
            Err(e) => Err(SourceError::Json {
                url,
                reason: e.to_string(),
            }),
        }
    }
}

/// CometBFT's wording when a height is above its own head.
fn is_not_yet_available(error: &str) -> bool {
    error.contains("must be less than or equal to the current blockchain height")
        || error.contains("could not find results for height")
}
