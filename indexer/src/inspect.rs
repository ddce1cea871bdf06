//! `mesi-indexer inspect`: what the indexer would store from a saved `/block_results` response.

use std::collections::BTreeMap;
use std::fmt::Write;

use anyhow::Context;
use mesi_common::event::{EVENT_PREFIX, WASM_EVENT_PREFIX};
use serde::de::DeserializeOwned;

use crate::config::Contracts;
use crate::decode::{self, Origin, CONTRACT_ADDRESS_KEY};
use crate::source::rpc_types::{BlockResponse, BlockResultsResponse, Envelope};
use crate::source::{BlockEvents, BlockHeader};

/// Reads a saved `/block_results` response (the JSON-RPC envelope or only its `result`).
pub fn parse_block_results(json: &[u8]) -> anyhow::Result<BlockEvents> {
    Ok(parse_result::<BlockResultsResponse>(json)
        .context("not a /block_results response")?
        .into())
}

/// Reads a saved `/block` response (the JSON-RPC envelope or only its `result`).
pub fn parse_block(json: &[u8]) -> anyhow::Result<BlockHeader> {
    Ok(parse_result::<BlockResponse>(json)
        .context("not a /block response")?
        .try_into()?)
}

fn parse_result<T: DeserializeOwned>(json: &[u8]) -> anyhow::Result<T> {
    if let Ok(Envelope {
        result: Some(result),
        ..
    }) = serde_json::from_slice::<Envelope<T>>(json)
    {
        return Ok(result);
    }
    if let Ok(Envelope {
        error: Some(error), ..
    }) = serde_json::from_slice::<Envelope<serde_json::Value>>(json)
    {
        anyhow::bail!("the saved response is an error: {error}");
    }
    Ok(serde_json::from_slice(json)?)
}

/// A readable report: the block's events by type, then the rows the indexer would store.
pub fn report(block: &BlockEvents, header: Option<&BlockHeader>, contracts: &Contracts) -> String {
    let mut out = String::new();
    let failed = block.txs.iter().filter(|tx| tx.code != 0).count();
    let (base64, plain) = block.encodings();
    let _ = writeln!(
        out,
        "height {}, attributes base64 in {base64} events, plain in {plain}",
        block.height
    );
    let _ = writeln!(
        out,
        "{} transactions ({failed} failed), {} begin-block, {} end-block, {} finalize-block events",
        block.txs.len(),
        block.begin_block.len(),
        block.end_block.len(),
        block.finalize_block.len()
    );
    let mut by_type = BTreeMap::<&str, usize>::new();
    for e in block.events() {
        *by_type.entry(e.event.kind.as_str()).or_default() += 1;
    }
    let _ = writeln!(
        out,
        "\nevents by type ({} in all):",
        by_type.values().sum::<usize>()
    );
    for (kind, count) in &by_type {
        let _ = writeln!(
            out,
            "{count:>8}  {}",
            if kind.is_empty() { "(no type)" } else { kind }
        );
    }

    let decoded = decode::decode_block(block, header, contracts);
    let _ = writeln!(
        out,
        "\nevents that would be stored: {}",
        decoded.events.len()
    );
    for event in &decoded.events {
        let _ = writeln!(
            out,
            "  {}  {}",
            origin_line(&event.origin),
            event.event_type
        );
        for (key, value) in event
            .attributes
            .iter()
            .filter(|(k, _)| k != CONTRACT_ADDRESS_KEY)
        {
            let _ = writeln!(out, "      {key} = {value}");
        }
    }
    let _ = writeln!(out, "dead letters: {}", decoded.dead_letters.len());
    for letter in &decoded.dead_letters {
        let _ = writeln!(
            out,
            "  {}  {}\n      error: {}",
            origin_line(&letter.origin),
            letter.event_type,
            letter.error
        );
    }

    let mesi_prefix = format!("{WASM_EVENT_PREFIX}{EVENT_PREFIX}");
    let ignored: Vec<_> = block
        .events()
        .filter(|e| e.event.kind.starts_with(&mesi_prefix))
        .filter(|e| {
            !e.succeeded
                || !e
                    .event
                    .attributes
                    .iter()
                    .any(|(k, v)| k == CONTRACT_ADDRESS_KEY && contracts.kind_of(v).is_some())
        })
        .collect();
    if !ignored.is_empty() {
        let _ = writeln!(
            out,
            "Mesi-typed events ignored (failed transaction, or a contract not configured): {}",
            ignored.len()
        );
        for e in ignored {
            let contract = e.event.attribute(CONTRACT_ADDRESS_KEY).unwrap_or("?");
            let why = if e.succeeded {
                "contract not configured"
            } else {
                "failed transaction"
            };
            let _ = writeln!(
                out,
                "  seq {}  {}  from {contract}  ({why})",
                e.position.seq, e.event.kind
            );
        }
    }
    if header.is_none() && !decoded.events.is_empty() {
        let _ = writeln!(
            out,
            "(without --block, block time and transaction hashes are unknown)"
        );
    }
    out
}

fn origin_line(origin: &Origin) -> String {
    let tx = match (origin.position.tx_index, &origin.tx_hash) {
        (Some(i), Some(hash)) => format!("tx {i} ({hash})"),
        (Some(i), None) => format!("tx {i}"),
        (None, _) => "block-level".into(),
    };
    format!(
        "seq {} {tx} event {}  {} ({})",
        origin.position.seq, origin.position.event_index, origin.contract, origin.kind
    )
}
