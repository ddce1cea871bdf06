//! The JSON shapes of CometBFT RPC responses, as lenient as real nodes need: every field may be
//! missing or null, numbers may come as strings or as numbers, and fields this indexer does not
//! read are ignored. 0.34 to 1.x share these shapes except for where block-level events live.

use serde::de::{self, Deserializer};
use serde::Deserialize;

/// A JSON-RPC 2.0 envelope.
#[derive(Debug, Deserialize)]
pub struct Envelope<T> {
    pub result: Option<T>,
    pub error: Option<RpcError>,
}

#[derive(Debug, Deserialize)]
pub struct RpcError {
    #[serde(default)]
    pub code: i64,
    #[serde(default)]
    pub message: String,
    /// CometBFT puts the useful part ("height 11 must be less than or equal to ...") here.
    #[serde(default)]
    pub data: Option<serde_json::Value>,
}

impl std::fmt::Display for RpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "JSON-RPC error {}: {}", self.code, self.message)?;
        match &self.data {
            Some(serde_json::Value::String(data)) => write!(f, ": {data}"),
            Some(data) if !data.is_null() => write!(f, ": {data}"),
            _ => Ok(()),
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct StatusResponse {
    #[serde(default)]
    pub node_info: NodeInfo,
    pub sync_info: SyncInfo,
}

#[derive(Debug, Default, Deserialize)]
pub struct NodeInfo {
    /// The chain id.
    #[serde(default)]
    pub network: String,
    #[serde(default)]
    pub version: String,
}

#[derive(Debug, Deserialize)]
pub struct SyncInfo {
    #[serde(deserialize_with = "u64_lenient")]
    pub latest_block_height: u64,
    #[serde(default, deserialize_with = "opt_u64_lenient")]
    pub earliest_block_height: Option<u64>,
    #[serde(default)]
    pub catching_up: bool,
    #[serde(default)]
    pub latest_block_time: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct BlockResponse {
    pub block: Block,
    #[serde(default)]
    pub block_id: Option<BlockId>,
}

#[derive(Debug, Deserialize)]
pub struct BlockId {
    #[serde(default)]
    pub hash: String,
}

#[derive(Debug, Deserialize)]
pub struct Block {
    pub header: Header,
    #[serde(default)]
    pub data: Option<BlockData>,
}

#[derive(Debug, Deserialize)]
pub struct Header {
    #[serde(deserialize_with = "u64_lenient")]
    pub height: u64,
    #[serde(default)]
    pub chain_id: String,
    pub time: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct BlockData {
    /// Base64 transaction bytes, in block order (the order of `txs_results`).
    #[serde(default, deserialize_with = "null_as_default")]
    pub txs: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct BlockResultsResponse {
    #[serde(deserialize_with = "u64_lenient")]
    pub height: u64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub txs_results: Vec<TxResult>,
    /// 0.34 and 0.37.
    #[serde(default, deserialize_with = "null_as_default")]
    pub begin_block_events: Vec<Event>,
    /// 0.34 and 0.37.
    #[serde(default, deserialize_with = "null_as_default")]
    pub end_block_events: Vec<Event>,
    /// 0.38 and 1.x.
    #[serde(default, deserialize_with = "null_as_default")]
    pub finalize_block_events: Vec<Event>,
}

#[derive(Debug, Deserialize)]
pub struct TxResult {
    /// Omitted (or null) when the transaction succeeded.
    #[serde(default, deserialize_with = "opt_u64_lenient")]
    pub code: Option<u64>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub events: Vec<Event>,
}

#[derive(Debug, Deserialize)]
pub struct Event {
    /// Some nodes omit the type of an event that has none.
    #[serde(rename = "type", default, deserialize_with = "null_as_default")]
    pub kind: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub attributes: Vec<Attribute>,
}

/// Plain text from 0.37 on, base64 in 0.34; either may be null.
#[derive(Debug, Deserialize)]
pub struct Attribute {
    #[serde(default, deserialize_with = "null_as_default")]
    pub key: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub value: String,
}

fn null_as_default<'de, D: Deserializer<'de>, T: Default + Deserialize<'de>>(
    d: D,
) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[derive(Deserialize)]
#[serde(untagged)]
enum NumberOrString {
    Number(u64),
    String(String),
}

fn opt_u64_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    match Option::<NumberOrString>::deserialize(d)? {
        None => Ok(None),
        Some(NumberOrString::Number(n)) => Ok(Some(n)),
        Some(NumberOrString::String(s)) if s.is_empty() => Ok(None),
        Some(NumberOrString::String(s)) => s.parse().map(Some).map_err(de::Error::custom),
    }
}

fn u64_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    opt_u64_lenient(d)?.ok_or_else(|| de::Error::custom("missing number"))
}
