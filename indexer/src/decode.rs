//! From a block's events to what the store writes: our contracts' Mesi events, decoded with
//! mesi-common's types, and dead letters for those that do not decode.
//!
//! An event counts only if x/wasm emitted it (`wasm-` type) with a `_contract_address` that is
//! one of our contracts; x/wasm sets that attribute itself and contracts cannot, so a foreign
//! contract emitting `wasm-mesi.tip.v1` is ignored. Events of failed transactions are ignored
//! (the chain reverted them). Nothing here panics on any input: every problem with one of our
//! events becomes a [`DeadLetter`] and decoding goes on.

use mesi_common::event::WASM_EVENT_PREFIX;
use mesi_common::events::AnyEvent;

use crate::config::{ContractKind, Contracts};
pub use crate::source::CONTRACT_ADDRESS_KEY;
use crate::source::{BlockEvents, BlockHeader, Event, EventPosition};

/// Longest attribute value of ours that is stored; no Mesi field comes near it, and a longer
/// one (a broken or hostile emitter) should not bloat every projection.
pub const MAX_ATTRIBUTE_BYTES: usize = 64 * 1024;

/// An event of one of our contracts, located in its block.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate<'a> {
    pub position: EventPosition,
    pub contract: &'a str,
    pub kind: ContractKind,
    pub event: &'a Event,
}

/// Where a stored row comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub height: u64,
    pub position: EventPosition,
    pub tx_hash: Option<String>,
    pub contract: String,
    pub kind: ContractKind,
    /// RFC 3339.
    pub block_time: String,
}

/// One decoded Mesi event.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    pub origin: Origin,
    /// The type without x/wasm's `wasm-` prefix, e.g. `mesi.tip.v1`.
    pub event_type: String,
    /// As emitted, in order (including `_contract_address`).
    pub attributes: Vec<(String, String)>,
    pub event: AnyEvent,
}

impl StoredEvent {
    /// This event as a dead letter: it decoded, but could not be stored (`error` says why).
    pub fn to_dead_letter(&self, error: String) -> DeadLetter {
        DeadLetter {
            origin: self.origin.clone(),
            event_type: format!("{WASM_EVENT_PREFIX}{}", self.event_type),
            attributes: self
                .attributes
                .iter()
                .map(|(k, v)| (without_nul(k), without_nul(v)))
                .collect(),
            error,
        }
    }
}

/// One of our events that could not be decoded, kept with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    pub origin: Origin,
    /// As emitted (with the `wasm-` prefix).
    pub event_type: String,
    pub attributes: Vec<(String, String)>,
    pub error: String,
}

/// What one block contributes to the store.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DecodedBlock {
    pub height: u64,
    /// RFC 3339; `None` when the block itself was not read.
    pub block_time: Option<String>,
    pub events: Vec<StoredEvent>,
    pub dead_letters: Vec<DeadLetter>,
}

impl DecodedBlock {
    pub fn row_count(&self) -> usize {
        self.events.len() + self.dead_letters.len()
    }
}

/// Our contracts' events in succeeded transactions (and block-level events), in block order.
pub fn select<'a>(block: &'a BlockEvents, contracts: &Contracts) -> Vec<Candidate<'a>> {
    block
        .events()
        .filter(|e| e.succeeded && e.event.kind.starts_with(WASM_EVENT_PREFIX))
        .filter_map(|e| {
            // Any `_contract_address` naming one of ours makes the event ours (and a second one
            // makes it malformed, which `decode` reports).
            let (contract, kind) = e
                .event
                .attributes
                .iter()
                .filter(|(k, _)| k == CONTRACT_ADDRESS_KEY)
                .find_map(|(_, v)| contracts.kind_of(v).map(|kind| (v.as_str(), kind)))?;
            Some(Candidate {
                position: e.position,
                contract,
                kind,
                event: e.event,
            })
        })
        .collect()
}

/// Decodes the selected events. `header` must be the block's (for its time and tx hashes).
pub fn decode(
    height: u64,
    candidates: &[Candidate<'_>],
    header: Option<&BlockHeader>,
) -> DecodedBlock {
    let mut block = DecodedBlock {
        height,
        block_time: header.map(|h| h.time.clone()),
        ..DecodedBlock::default()
    };
    for candidate in candidates {
        let origin = Origin {
            height,
            position: candidate.position,
            tx_hash: candidate
                .position
                .tx_index
                .and_then(|i| header?.tx_hashes.get(i as usize).cloned()),
            contract: candidate.contract.to_owned(),
            kind: candidate.kind,
            block_time: header.map(|h| h.time.clone()).unwrap_or_default(),
        };
        match decode_event(candidate.event) {
            Ok(Some(event)) => block.events.push(StoredEvent {
                origin,
                event_type: event.type_name().to_owned(),
                attributes: candidate.event.attributes.clone(),
                event,
            }),
            // An x/wasm event of ours that is not a Mesi type (`wasm`, `wasm-something`).
            Ok(None) => {}
            Err(error) => block.dead_letters.push(DeadLetter {
                origin,
                event_type: without_nul(&candidate.event.kind),
                attributes: candidate
                    .event
                    .attributes
                    .iter()
                    .map(|(k, v)| (without_nul(k), without_nul(v)))
                    .collect(),
                error,
            }),
        }
    }
    block
}

/// Selects and decodes in one step, for tools that have the whole block at hand.
pub fn decode_block(
    block: &BlockEvents,
    header: Option<&BlockHeader>,
    contracts: &Contracts,
) -> DecodedBlock {
    decode(block.height, &select(block, contracts), header)
}

fn decode_event(event: &Event) -> Result<Option<AnyEvent>, String> {
    if let Some(reason) = &event.unreadable {
        return Err(reason.clone());
    }
    if !event.invalid_utf8.is_empty() {
        return Err(format!(
            "attribute values are not valid UTF-8: {}",
            event.invalid_utf8.join(", ")
        ));
    }
    // PostgreSQL text cannot hold NUL, and no Mesi value contains one.
    if event.kind.contains('\0')
        || event
            .attributes
            .iter()
            .any(|(k, v)| k.contains('\0') || v.contains('\0'))
    {
        return Err("the event contains a NUL character".into());
    }
    if let Some((key, value)) = event
        .attributes
        .iter()
        .find(|(_, v)| v.len() > MAX_ATTRIBUTE_BYTES)
    {
        return Err(format!(
            "attribute {key:?} is {} bytes, more than {MAX_ATTRIBUTE_BYTES}",
            value.len()
        ));
    }
    let addresses = event
        .attributes
        .iter()
        .filter(|(k, _)| k == CONTRACT_ADDRESS_KEY)
        .count();
    if addresses != 1 {
        return Err(format!("{addresses} {CONTRACT_ADDRESS_KEY} attributes"));
    }
    let pairs: Vec<(&str, &str)> = event
        .attributes
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    AnyEvent::decode(&event.kind, &pairs).map_err(|e| e.to_string())
}

fn without_nul(text: &str) -> String {
    text.replace('\0', "\u{FFFD}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::TxEvents;

    fn event(kind: &str, attrs: &[(&str, &str)]) -> Event {
        let attributes = attrs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Event::plain(kind, attributes)
    }

    fn block(txs: Vec<TxEvents>) -> BlockEvents {
        BlockEvents {
            height: 7,
            begin_block: vec![],
            txs,
            end_block: vec![],
            finalize_block: vec![],
        }
    }

    fn contracts() -> Contracts {
        let mut c = Contracts::default();
        c.insert_pair("wasm1tips=tips").unwrap();
        c
    }

    #[test]
    fn ignores_foreign_failed_and_non_mesi_events() {
        let ours = event("wasm-mesi.nope.v1", &[("_contract_address", "wasm1tips")]);
        let b = block(vec![
            TxEvents {
                code: 5,
                events: vec![ours.clone()],
            },
            TxEvents {
                code: 0,
                events: vec![
                    event("wasm-mesi.nope.v1", &[("_contract_address", "wasm1spoof")]),
                    event("execute", &[("_contract_address", "wasm1tips")]),
                    event(
                        "wasm",
                        &[("_contract_address", "wasm1tips"), ("action", "tip")],
                    ),
                    event("mesi.nope.v1", &[("_contract_address", "wasm1tips")]),
                ],
            },
        ]);
        let decoded = decode_block(&b, None, &contracts());
        assert!(decoded.events.is_empty());
        assert!(decoded.dead_letters.is_empty());
    }

    #[test]
    fn unknown_type_and_bad_bytes_become_dead_letters() {
        let mut bad_utf8 = event(
            "wasm-mesi.tip.v1",
            &[("_contract_address", "wasm1tips"), ("fan", "\u{FFFD}")],
        );
        bad_utf8.invalid_utf8.push("fan".into());
        let b = block(vec![TxEvents {
            code: 0,
            events: vec![
                event("wasm-mesi.tip.v9", &[("_contract_address", "wasm1tips")]),
                bad_utf8,
                event(
                    "wasm-mesi.tip.v1",
                    &[("_contract_address", "wasm1tips"), ("fan", "a\0b")],
                ),
                event(
                    "wasm-mesi.tip.v1",
                    &[
                        ("_contract_address", "wasm1tips"),
                        ("_contract_address", "wasm1x"),
                    ],
                ),
            ],
        }]);
        let decoded = decode_block(&b, None, &contracts());
        let errors: Vec<_> = decoded
            .dead_letters
            .iter()
            .map(|d| d.error.as_str())
            .collect();
        assert_eq!(errors.len(), 4, "{errors:?}");
        assert!(errors[0].contains("unknown Mesi event type"));
        assert!(errors[1].contains("UTF-8"));
        assert!(errors[2].contains("NUL"));
        assert!(errors[3].contains("2 _contract_address"));
        assert_eq!(decoded.dead_letters[2].attributes[1].1, "a\u{FFFD}b");
        assert_eq!(decoded.dead_letters[1].origin.position.seq, 1);
    }
}
