//! CometBFT 0.38 JSON shapes of the devnet's blocks and transactions (as recorded from real
//! nodes in the indexer's fixtures): heights and gas as strings, hashes as upper-case hex,
//! transaction bytes and data as base64, event attributes as plain text with `index`.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use mesi_chain::Event;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::node::{BlockRecord, TxOutcome, TxRecord};

/// The CometBFT version the devnet speaks (cosmjs picks its 0.38 client from it).
pub const COMETBFT_VERSION: &str = "0.38.17";

/// The devnet's validator and node identity: fixed, derived from the chain id.
#[derive(Clone, Debug)]
pub struct Identity {
    /// 20-byte validator address.
    pub validator_address: [u8; 20],
    /// 32-byte ed25519 public key (not a real key: nothing verifies it).
    pub validator_pub_key: [u8; 32],
    pub node_id: [u8; 20],
}

impl Identity {
    pub fn for_chain(chain_id: &str) -> Self {
        let seed = Sha256::digest(format!("mesi-devnet validator {chain_id}"));
        let pub_key: [u8; 32] = seed.into();
        let address = Sha256::digest(pub_key);
        let node = Sha256::digest(format!("mesi-devnet node {chain_id}"));
        Identity {
            validator_address: address[..20].try_into().expect("20 bytes"),
            validator_pub_key: pub_key,
            node_id: node[..20].try_into().expect("20 bytes"),
        }
    }

    fn signature(&self, block: &BlockRecord) -> String {
        let mut h = Sha256::new();
        h.update(self.validator_pub_key);
        h.update(block.hash);
        let half: [u8; 32] = h.finalize().into();
        STANDARD.encode([half, half].concat())
    }
}

fn hex(bytes: &[u8]) -> String {
    hex::encode_upper(bytes)
}

/// RFC 3339 in UTC with nanoseconds as Go prints them (`time.RFC3339Nano`: trailing zeros
/// dropped).
pub fn rfc3339(nanos: u64) -> String {
    let seconds = nanos / 1_000_000_000;
    let fraction = nanos % 1_000_000_000;
    let days = (seconds / 86_400) as i64;
    let rem = seconds % 86_400;
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let mut text = format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60
    );
    if fraction > 0 {
        let digits = format!("{fraction:09}");
        text.push('.');
        text.push_str(digits.trim_end_matches('0'));
    }
    text.push('Z');
    text
}

pub fn events(events: &[Event]) -> Value {
    Value::Array(
        events
            .iter()
            .map(|e| {
                json!({
                    "type": e.ty,
                    "attributes": e.attributes.iter().map(|a| json!({
                        "key": a.key,
                        "value": a.value,
                        "index": true,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}

/// `ExecTxResult`.
pub fn tx_result(outcome: &TxOutcome) -> Value {
    json!({
        "code": outcome.code,
        "data": if outcome.data.is_empty() { Value::Null } else { STANDARD.encode(&outcome.data).into() },
        "log": outcome.log,
        "info": "",
        "gas_wanted": outcome.gas_wanted.to_string(),
        "gas_used": outcome.gas_used.to_string(),
        "events": events(&outcome.events),
        "codespace": outcome.codespace,
    })
}

fn block_id(hash: Option<&[u8; 32]>) -> Value {
    match hash {
        Some(hash) => {
            let parts = Sha256::digest(hash);
            json!({"hash": hex(hash), "parts": {"total": 1, "hash": hex(&parts)}})
        }
        None => json!({"hash": "", "parts": {"total": 0, "hash": ""}}),
    }
}

fn header(block: &BlockRecord, chain_id: &str, identity: &Identity) -> Value {
    let validators_hash = hex(&Sha256::digest(identity.validator_pub_key));
    json!({
        "version": {"block": "11", "app": "1"},
        "chain_id": chain_id,
        "height": block.height.to_string(),
        "time": rfc3339(block.time_nanos),
        "last_block_id": block_id(block.last_block_hash.as_ref()),
        "last_commit_hash": hex(&Sha256::digest(block.last_block_hash.unwrap_or_default())),
        "data_hash": hex(&block.data_hash),
        "validators_hash": validators_hash,
        "next_validators_hash": validators_hash,
        "consensus_hash": hex(&Sha256::digest(chain_id.as_bytes())),
        "app_hash": hex(&block.app_hash),
        "last_results_hash": hex(&block.last_results_hash),
        "evidence_hash": hex(&Sha256::digest([])),
        "proposer_address": hex(&identity.validator_address),
    })
}

/// `/block`; `previous` is the block before (its commit is this block's `last_commit`).
pub fn block(
    block: &BlockRecord,
    previous: Option<&BlockRecord>,
    chain_id: &str,
    identity: &Identity,
) -> Value {
    let last_commit = match previous {
        Some(previous) => json!({
            "height": previous.height.to_string(),
            "round": 0,
            "block_id": block_id(Some(&previous.hash)),
            "signatures": [{
                "block_id_flag": 2,
                "validator_address": hex(&identity.validator_address),
                "timestamp": rfc3339(block.time_nanos),
                "signature": identity.signature(previous),
            }],
        }),
        None => json!({
            "height": "0",
            "round": 0,
            "block_id": block_id(None),
            "signatures": [],
        }),
    };
    json!({
        "block_id": block_id(Some(&block.hash)),
        "block": {
            "header": header(block, chain_id, identity),
            "data": {"txs": block.txs.iter().map(|t| STANDARD.encode(&t.bytes)).collect::<Vec<_>>()},
            "evidence": {"evidence": []},
            "last_commit": last_commit,
        },
    })
}

/// `/block_results` in the 0.38 shape (`finalize_block_events`, no begin/end block events).
pub fn block_results(block: &BlockRecord) -> Value {
    json!({
        "height": block.height.to_string(),
        "txs_results": if block.txs.is_empty() {
            Value::Null
        } else {
            block.txs.iter().map(|t| tx_result(&t.outcome)).collect::<Vec<_>>().into()
        },
        "finalize_block_events": [],
        "validator_updates": null,
        "consensus_param_updates": null,
        "app_hash": STANDARD.encode(block.result_app_hash),
    })
}

/// One transaction as `/tx` and `/tx_search` return it.
pub fn tx(record: &TxRecord) -> Value {
    json!({
        "hash": hex(&record.hash),
        "height": record.height.to_string(),
        "index": record.index,
        "tx_result": tx_result(&record.outcome),
        "tx": STANDARD.encode(&record.bytes),
    })
}

/// `/status`.
pub fn status(
    latest: &BlockRecord,
    earliest: &BlockRecord,
    chain_id: &str,
    identity: &Identity,
    listen_addr: &str,
) -> Value {
    json!({
        "node_info": {
            "protocol_version": {"p2p": "8", "block": "11", "app": "1"},
            "id": hex::encode(identity.node_id),
            "listen_addr": listen_addr,
            "network": chain_id,
            "version": COMETBFT_VERSION,
            "channels": "40202122233038606100",
            "moniker": "mesi-devnet",
            "other": {"tx_index": "on", "rpc_address": listen_addr},
        },
        "sync_info": {
            "latest_block_hash": hex(&latest.hash),
            "latest_app_hash": hex(&latest.result_app_hash),
            "latest_block_height": latest.height.to_string(),
            "latest_block_time": rfc3339(latest.time_nanos),
            "earliest_block_hash": hex(&earliest.hash),
            "earliest_app_hash": hex(&earliest.app_hash),
            "earliest_block_height": earliest.height.to_string(),
            "earliest_block_time": rfc3339(earliest.time_nanos),
            "catching_up": false,
        },
        "validator_info": {
            "address": hex(&identity.validator_address),
            "pub_key": {"type": "tendermint/PubKeyEd25519", "value": STANDARD.encode(identity.validator_pub_key)},
            "voting_power": "10",
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_print_as_go_prints_them() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_767_225_600_000_000_000), "2026-01-01T00:00:00Z");
        assert_eq!(
            rfc3339(1_684_332_773_088_875_124),
            "2023-05-17T14:12:53.088875124Z"
        );
        assert_eq!(rfc3339(951_782_400_500_000_000), "2000-02-29T00:00:00.5Z");
    }
}
