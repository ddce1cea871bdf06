//! A small CometBFT RPC client over HTTP GET (`/status`, `/block?height=`, `/block_results?height=`).
//! It makes one attempt per call; retrying is the caller's choice ([`crate::retry`]).

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

#[derive(Clone)]
pub struct RpcClient {
    base: String,
    http: reqwest::Client,
}

impl RpcClient {
    /// `base` is the node's RPC address, e.g. `http://localhost:26657` (a path prefix is kept).
    pub fn new(base: &str, timeout: Duration) -> Result<Self, SourceError> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .pool_idle_timeout(Duration::from_secs(30))
            .user_agent(concat!("mesi-indexer/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|source| SourceError::Transport {
                url: base.into(),
                source,
            })?;
        Ok(RpcClient {
            base: base.trim_end_matches('/').to_owned(),
            http,
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base
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
        let url = match height {
            Some(h) => format!("{}/{method}?height={h}", self.base),
            None => format!("{}/{method}", self.base),
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
