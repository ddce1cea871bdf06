//! Reading a CometBFT chain: the RPC client ([`client`]), the response shapes
//! ([`rpc_types`]), and the version-independent view of a block's events the decoder reads.
//!
//! Block-level events come from `begin_block_events` / `end_block_events` (0.34, 0.37) or
//! `finalize_block_events` (0.38, 1.x). Events are numbered in the order they ran, the same for
//! every version: begin-block events, then each transaction's events in block order, then
//! end-block events. Cosmos SDK chains mark each of `finalize_block_events` with the phase that
//! emitted it (a `mode` attribute, appended last: `PreBlock`, `BeginBlock`, `EndBlock`); those
//! of `PreBlock` and `BeginBlock` are numbered before the transactions, all others (`EndBlock`,
//! and events without a `mode`, which CometBFT lists after the transactions' results and nothing
//! says ran earlier) after them, each group in its listed order. Events of failed transactions
//! are numbered too (so positions do not depend on which transactions failed) but marked, and
//! the decoder skips them.

pub mod client;
pub mod encoding;
pub mod new_blocks;
pub mod rpc_types;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha2::{Digest, Sha256};

pub use client::{RpcClient, SourceError};
use encoding::AttributeEncoding;

/// The attribute x/wasm adds to every event a contract emits (contracts cannot set it).
pub const CONTRACT_ADDRESS_KEY: &str = "_contract_address";

/// The attribute a Cosmos SDK chain appends to each of `finalize_block_events`: the phase of
/// the block that emitted the event.
pub const MODE_KEY: &str = "mode";

/// What `/status` says about the node and its chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainStatus {
    pub chain_id: String,
    pub latest_height: u64,
    /// The lowest height the node still serves (pruned nodes serve only recent blocks).
    pub earliest_height: u64,
    pub catching_up: bool,
    pub node_version: String,
    /// RFC 3339 time of the head block, when the node reports a valid one.
    pub latest_block_time: Option<String>,
}

impl From<rpc_types::StatusResponse> for ChainStatus {
    fn from(status: rpc_types::StatusResponse) -> Self {
        ChainStatus {
            chain_id: status.node_info.network,
            latest_height: status.sync_info.latest_block_height,
            earliest_height: status.sync_info.earliest_block_height.unwrap_or(1).max(1),
            catching_up: status.sync_info.catching_up,
            node_version: status.node_info.version,
            latest_block_time: status.sync_info.latest_block_time.filter(|t| is_rfc3339(t)),
        }
    }
}

/// The parts of `/block` the indexer keeps: the block time and each transaction's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockHeader {
    pub height: u64,
    pub chain_id: String,
    /// RFC 3339, as the node sent it (checked to be one).
    pub time: String,
    /// Upper-case hex SHA-256 of each transaction, in block order.
    pub tx_hashes: Vec<String>,
}

impl TryFrom<rpc_types::BlockResponse> for BlockHeader {
    type Error = SourceError;

    fn try_from(response: rpc_types::BlockResponse) -> Result<Self, SourceError> {
        let header = response.block.header;
        if !is_rfc3339(&header.time) {
            return Err(SourceError::Invalid(format!(
                "block {} has an invalid time {:?}",
                header.height, header.time
            )));
        }
        let txs = response.block.data.unwrap_or_default().txs;
        let tx_hashes = txs
            .iter()
            .map(|tx| {
                let bytes = STANDARD.decode(tx).map_err(|e| {
                    SourceError::Invalid(format!(
                        "block {}: a transaction is not base64: {e}",
                        header.height
                    ))
                })?;
                Ok(hex_upper(&Sha256::digest(bytes)))
            })
            .collect::<Result<_, SourceError>>()?;
        Ok(BlockHeader {
            height: header.height,
            chain_id: header.chain_id,
            time: header.time,
            tx_hashes,
        })
    }
}

/// Where an event sits in its block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventPosition {
    /// Position among all events of the block (see the module docs for the order).
    pub seq: u32,
    /// `None` for block-level events.
    pub tx_index: Option<u32>,
    /// Position within its transaction or its block-level list.
    pub event_index: u32,
}

/// One event with its attributes decoded to text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub kind: String,
    pub attributes: Vec<(String, String)>,
    /// How this event's attributes were written (decided for each event on its own).
    pub encoding: AttributeEncoding,
    /// Keys of base64 attributes whose bytes are not UTF-8 (their values are shown lossily).
    pub invalid_utf8: Vec<String>,
    /// Set when the attributes could not be read consistently; they then hold a best-effort
    /// reading, and an event of ours becomes a dead letter with this reason.
    pub unreadable: Option<String>,
}

impl Event {
    /// An event read from plain-text attributes, with nothing wrong in them.
    pub fn plain(kind: impl Into<String>, attributes: Vec<(String, String)>) -> Event {
        Event {
            kind: kind.into(),
            attributes,
            encoding: AttributeEncoding::Plain,
            invalid_utf8: Vec::new(),
            unreadable: None,
        }
    }

    /// The value of the first attribute with this key.
    pub fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxEvents {
    /// 0 means success; events of other codes were reverted by the chain.
    pub code: u64,
    pub events: Vec<Event>,
}

/// A `/block_results` response in a form that does not depend on the CometBFT version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockEvents {
    pub height: u64,
    pub begin_block: Vec<Event>,
    pub txs: Vec<TxEvents>,
    pub end_block: Vec<Event>,
    pub finalize_block: Vec<Event>,
}

/// One event as the decoder sees it.
#[derive(Debug, Clone, Copy)]
pub struct PositionedEvent<'a> {
    pub position: EventPosition,
    pub event: &'a Event,
    /// False for events of a failed transaction.
    pub succeeded: bool,
}

impl From<rpc_types::BlockResultsResponse> for BlockEvents {
    fn from(raw: rpc_types::BlockResultsResponse) -> Self {
        let convert =
            |events: Vec<rpc_types::Event>| events.into_iter().map(convert_event).collect();
        BlockEvents {
            height: raw.height,
            begin_block: convert(raw.begin_block_events),
            txs: raw
                .txs_results
                .into_iter()
                .map(|tx| TxEvents {
                    code: tx.code.unwrap_or(0),
                    events: convert(tx.events),
                })
                .collect(),
            end_block: convert(raw.end_block_events),
            finalize_block: convert(raw.finalize_block_events),
        }
    }
}

fn convert_event(raw: rpc_types::Event) -> Event {
    let encoding = encoding::detect(&raw.attributes);
    if encoding == AttributeEncoding::Plain && reads_as_contract_event_only_in_base64(&raw) {
        // x/wasm writes `_contract_address` into every event a contract emits: an event that
        // has it only in base64 is base64 with something in it that is not. Which contract it
        // names must not depend on that, so the event is kept (read as well as it can be) and
        // marked, and an event of ours then becomes a dead letter instead of vanishing.
        return Event {
            kind: raw.kind,
            attributes: raw
                .attributes
                .iter()
                .map(|a| {
                    (
                        encoding::decode_either(&a.key),
                        encoding::decode_either(&a.value),
                    )
                })
                .collect(),
            encoding,
            invalid_utf8: Vec::new(),
            unreadable: Some("attributes are neither all base64 nor all plain text".into()),
        };
    }
    let mut invalid_utf8 = Vec::new();
    let attributes = raw
        .attributes
        .into_iter()
        .map(|attr| {
            let key = encoding::decode_text(encoding, &attr.key).unwrap_or_else(|lossy| lossy);
            let value = encoding::decode_text(encoding, &attr.value).unwrap_or_else(|lossy| {
                invalid_utf8.push(key.clone());
                lossy
            });
            (key, value)
        })
        .collect();
    Event {
        kind: raw.kind,
        attributes,
        encoding,
        invalid_utf8,
        unreadable: None,
    }
}

fn reads_as_contract_event_only_in_base64(raw: &rpc_types::Event) -> bool {
    let base64_key = |key: &str| {
        STANDARD
            .decode(key)
            .is_ok_and(|k| k == CONTRACT_ADDRESS_KEY.as_bytes())
    };
    !raw.attributes.iter().any(|a| a.key == CONTRACT_ADDRESS_KEY)
        && raw.attributes.iter().any(|a| base64_key(&a.key))
}

impl BlockEvents {
    /// Every event of the block in the documented order, with its position.
    pub fn events(&self) -> impl Iterator<Item = PositionedEvent<'_>> {
        let txs = self.txs.iter().enumerate().flat_map(|(tx_index, tx)| {
            tx.events
                .iter()
                .enumerate()
                .map(move |(i, e)| (Some(tx_index as u32), i as u32, e, tx.code == 0))
        });
        let finalize = |before_txs: bool| {
            block_level(&self.finalize_block)
                .filter(move |(_, _, e, _)| ran_before_transactions(e) == before_txs)
        };
        block_level(&self.begin_block)
            .chain(finalize(true))
            .chain(txs)
            .chain(block_level(&self.end_block))
            .chain(finalize(false))
            .enumerate()
            .map(
                |(seq, (tx_index, event_index, event, succeeded))| PositionedEvent {
                    position: EventPosition {
                        seq: seq as u32,
                        tx_index,
                        event_index,
                    },
                    event,
                    succeeded,
                },
            )
    }

    /// How many events were read as base64 and how many as plain text.
    pub fn encodings(&self) -> (usize, usize) {
        let events = self.events().filter(|e| !e.event.attributes.is_empty());
        events.fold((0, 0), |(base64, plain), e| match e.event.encoding {
            AttributeEncoding::Base64 => (base64 + 1, plain),
            AttributeEncoding::Plain => (base64, plain + 1),
        })
    }
}

/// Whether a finalize-block event ran before the block's transactions, by the phase the chain
/// marked it with (the last `mode`, which the chain appends after the emitter's attributes).
fn ran_before_transactions(event: &Event) -> bool {
    let mode = event.attributes.iter().rev().find(|(k, _)| k == MODE_KEY);
    matches!(
        mode.map(|(_, v)| v.as_str()),
        Some("PreBlock" | "BeginBlock")
    )
}

fn block_level(events: &[Event]) -> impl Iterator<Item = (Option<u32>, u32, &Event, bool)> {
    events
        .iter()
        .enumerate()
        .map(|(i, e)| (None, i as u32, e, true))
}

fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, the form CometBFT writes and PostgreSQL reads.
pub fn is_rfc3339(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        b.get(range)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    };
    if b.len() < 20
        || !digits(0..4)
        || b[4] != b'-'
        || !digits(5..7)
        || b[7] != b'-'
        || !digits(8..10)
    {
        return false;
    }
    if !matches!(b[10], b'T' | b't')
        || !digits(11..13)
        || b[13] != b':'
        || !digits(14..16)
        || b[16] != b':'
        || !digits(17..19)
    {
        return false;
    }
    let mut rest = &b[19..];
    if let Some(fraction) = rest.strip_prefix(b".") {
        let n = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 || n > 9 {
            return false;
        }
        rest = &fraction[n..];
    }
    match rest {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit()),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finalize_block_events_are_numbered_in_the_order_they_ran() {
        let event = |kind: &str, mode: Option<&str>| {
            let mut attributes = vec![serde_json::json!({"key": "amount", "value": "1"})];
            if let Some(mode) = mode {
                // A contract's own `mode` does not count: the chain's comes last.
                attributes.insert(0, serde_json::json!({"key": "mode", "value": "EndBlock"}));
                attributes.push(serde_json::json!({"key": "mode", "value": mode}));
            }
            serde_json::json!({"type": kind, "attributes": attributes})
        };
        let raw: rpc_types::BlockResultsResponse = serde_json::from_value(serde_json::json!({
            "height": "5",
            "txs_results": [{"events": [event("tx0", None)]}, {"events": [event("tx1", None)]}],
            "finalize_block_events": [
                event("pre", Some("PreBlock")),
                event("begin", Some("BeginBlock")),
                event("end", Some("EndBlock")),
                event("unmarked", None),
                event("end2", Some("EndBlock")),
            ]
        }))
        .unwrap();
        let block = BlockEvents::from(raw);
        let order: Vec<_> = block
            .events()
            .map(|e| {
                let p = e.position;
                (e.event.kind.as_str(), p.seq, p.tx_index, p.event_index)
            })
            .collect();
        assert_eq!(
            order,
            [
                ("pre", 0, None, 0),
                ("begin", 1, None, 1),
                ("tx0", 2, Some(0), 0),
                ("tx1", 3, Some(1), 0),
                ("end", 4, None, 2),
                ("unmarked", 5, None, 3),
                ("end2", 6, None, 4),
            ]
        );
    }

    #[test]
    fn rfc3339_check() {
        assert!(is_rfc3339("2022-09-22T18:57:27.243575136Z"));
        assert!(is_rfc3339("2022-09-22T18:57:27Z"));
        assert!(is_rfc3339("2022-09-22T18:57:27+02:00"));
        assert!(!is_rfc3339("2022-09-22 18:57:27Z"));
        assert!(!is_rfc3339("2022-09-22T18:57:27.Z"));
        assert!(!is_rfc3339("yesterday"));
        assert!(!is_rfc3339(""));
    }
}
