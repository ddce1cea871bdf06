//! The Markdown tables `scripts/bench-gas` puts in the README.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::flows::Outcome;

pub type Results = BTreeMap<&'static str, Outcome>;

/// (our action, its key, the comparable anchor action, its key)
const ROWS: &[(&str, &str, &str, &str)] = &[
    (
        "tip (native)",
        "tip_native",
        "cw20-base transfer",
        "cw20_transfer",
    ),
    (
        "tip (CW20 send + hook)",
        "tip_cw20",
        "cw20-base transfer",
        "cw20_transfer",
    ),
    (
        "subscribe",
        "subscribe",
        "cw20-base transfer",
        "cw20_transfer",
    ),
    ("extend", "extend", "cw20-base transfer", "cw20_transfer"),
    ("upgrade", "upgrade", "cw20-base transfer", "cw20_transfer"),
    ("PPV buy", "ppv_buy", "cw20-base transfer", "cw20_transfer"),
    (
        "surprise mint (registry answer cached)",
        "surprise_mint",
        "cw721-base mint",
        "cw721_mint",
    ),
    (
        "surprise mint, registry asked",
        "surprise_mint_recheck",
        "cw721-base mint",
        "cw721_mint",
    ),
    (
        "surprise transfer",
        "surprise_transfer",
        "cw721-base transfer_nft",
        "cw721_transfer_nft",
    ),
    (
        "surprise list",
        "surprise_list",
        "cw721-base transfer_nft",
        "cw721_transfer_nft",
    ),
    (
        "surprise buy",
        "surprise_buy",
        "cw721-base transfer_nft",
        "cw721_transfer_nft",
    ),
    (
        "surprise unlock",
        "surprise_unlock",
        "cw721-base transfer_nft",
        "cw721_transfer_nft",
    ),
    (
        "surprise reveal",
        "surprise_reveal",
        "cw721-base transfer_nft",
        "cw721_transfer_nft",
    ),
    (
        "meeting bid",
        "meeting_bid",
        "cw20-base transfer",
        "cw20_transfer",
    ),
    (
        "meeting outbid (refund)",
        "meeting_outbid",
        "cw20-base transfer",
        "cw20_transfer",
    ),
    (
        "meeting settle",
        "meeting_settle",
        "cw721-base mint",
        "cw721_mint",
    ),
    (
        "meeting confirmed by the fan (payout)",
        "meeting_confirm",
        "cw20-base transfer",
        "cw20_transfer",
    ),
];

/// Queries: the engine's figures only, since a node reports no gas for a query.
const QUERY_ROWS: &[(&str, &str)] = &[
    ("CanMessage query (2 sibling queries)", "can_message"),
    ("HasAccess query (subscription query)", "has_access"),
    ("cw20-base balance query", "cw20_balance_query"),
    ("cw721-base owner_of query", "cw721_owner_of_query"),
];

const ANCHOR_ROWS: &[(&str, &str)] = &[
    ("floor: pay, two bank sends, one event", "floor_pay"),
    ("cw20-base transfer", "cw20_transfer"),
    ("cw721-base mint", "cw721_mint"),
    ("cw721-base transfer_nft", "cw721_transfer_nft"),
];

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn gas_of(results: &Results, key: &str) -> Option<u64> {
    match results.get(key) {
        Some(Outcome::Measured(m)) => Some(m.gas),
        _ => None,
    }
}

fn cell(results: &Results, key: &str) -> String {
    match results.get(key) {
        Some(Outcome::Measured(m)) => thousands(m.gas),
        Some(Outcome::NoGas) => "not reported".into(),
        Some(Outcome::Missing(artifact)) => format!("not built ({artifact})"),
        Some(Outcome::Failed(_)) => "failed".into(),
        None => "not measured".into(),
    }
}

fn ratio(ours: Option<u64>, base: Option<u64>) -> String {
    match (ours, base) {
        (Some(ours), Some(base)) if base > 0 => format!("{:.2}", ours as f64 / base as f64),
        _ => "–".into(),
    }
}

/// The main table: every action's gas on `chain`, against its anchor and the floor.
pub fn gas_table(out: &mut String, results: &Results) {
    out.push_str(
        "| Action | Gas | Comparable anchor action | Anchor gas | Ratio | Of the floor |\n",
    );
    out.push_str("| --- | ---: | --- | ---: | ---: | ---: |\n");
    let floor = gas_of(results, "floor_pay");
    for (label, key, anchor_label, anchor_key) in ROWS {
        let ours = gas_of(results, key);
        let _ = writeln!(
            out,
            "| {label} | {} | {anchor_label} | {} | {} | {} |",
            cell(results, key),
            cell(results, anchor_key),
            ratio(ours, gas_of(results, anchor_key)),
            ratio(ours, floor),
        );
    }
    for (label, key) in ANCHOR_ROWS {
        let _ = writeln!(
            out,
            "| {label} | {} | | | | {} |",
            cell(results, key),
            ratio(gas_of(results, key), floor)
        );
    }
}

/// The engine's figure next to the node's, for every transaction both ran.
pub fn comparison_table(out: &mut String, node: &Results, engine: &Results) {
    out.push_str("| Action | wasmd | Engine | wasmd − engine |\n| --- | ---: | ---: | ---: |\n");
    let rows = ROWS
        .iter()
        .map(|(label, key, _, _)| (*label, *key))
        .chain(ANCHOR_ROWS.iter().copied());
    for (label, key) in rows {
        let difference = match (gas_of(node, key), gas_of(engine, key)) {
            (Some(n), Some(e)) if n >= e => thousands(n - e),
            (Some(n), Some(e)) => format!("−{}", thousands(e - n)),
            _ => "–".into(),
        };
        let _ = writeln!(
            out,
            "| {label} | {} | {} | {difference} |",
            cell(node, key),
            cell(engine, key)
        );
    }
}

pub fn targets(out: &mut String, results: &Results, sizes: &[(String, Option<u64>)]) {
    let target = |out: &mut String, text: &str, ours: Option<u64>, limit: Option<f64>| {
        let verdict = match (ours, limit) {
            (Some(ours), Some(limit)) if ours as f64 <= limit => {
                format!("met ({} ≤ {})", thousands(ours), thousands(limit as u64))
            }
            (Some(ours), Some(limit)) => format!(
                "**missed** ({} > {})",
                thousands(ours),
                thousands(limit as u64)
            ),
            _ => "not measured".into(),
        };
        let _ = writeln!(out, "- {text}: {verdict}");
    };
    let anchor = |key: &str| gas_of(results, key).map(|g| g as f64);
    target(
        out,
        "native tip ≤ cw20-base transfer",
        gas_of(results, "tip_native"),
        anchor("cw20_transfer"),
    );
    target(
        out,
        "surprise transfer ≤ cw721-base transfer_nft",
        gas_of(results, "surprise_transfer"),
        anchor("cw721_transfer_nft"),
    );
    target(
        out,
        "surprise mint ≤ 1.2 × cw721-base mint",
        gas_of(results, "surprise_mint"),
        anchor("cw721_mint").map(|g| g * 1.2),
    );
    let cw721_size = sizes
        .iter()
        .find(|(name, _)| name == "anchors/cw721_base.wasm")
        .and_then(|(_, s)| *s);
    let too_big: Vec<String> = sizes
        .iter()
        .filter(|(name, _)| !name.starts_with("anchors/"))
        .filter_map(|(name, size)| match (size, cw721_size) {
            (Some(size), Some(limit)) if *size >= limit => {
                Some(format!("{name} ({})", thousands(*size)))
            }
            _ => None,
        })
        .collect();
    let _ = writeln!(
        out,
        "- every artifact smaller than cw721-base ({} bytes): {}",
        cw721_size.map_or("?".into(), thousands),
        if too_big.is_empty() {
            "met".to_string()
        } else {
            format!("**missed**: {}", too_big.join(", "))
        }
    );
}

pub fn sizes_table(out: &mut String, sizes: &[(String, Option<u64>)]) {
    let cw721_size = sizes
        .iter()
        .find(|(name, _)| name == "anchors/cw721_base.wasm")
        .and_then(|(_, s)| *s);
    out.push_str("| Artifact | Bytes | Of cw721-base |\n| --- | ---: | ---: |\n");
    for (name, size) in sizes {
        let share = match (size, cw721_size) {
            (Some(size), Some(limit)) => format!("{:.0}%", *size as f64 * 100.0 / limit as f64),
            _ => "–".into(),
        };
        let _ = writeln!(
            out,
            "| {name} | {} | {share} |",
            size.map_or("not built".into(), thousands)
        );
    }
}

/// Where the engine says the gas of each action went.
pub fn breakdown_table(out: &mut String, engine: &Results) {
    out.push_str(
        "| Action | Total | Setup | Wasm | Contract reads | Contract writes | Module storage | Events | Result decoding | In queries (count) |\n",
    );
    out.push_str("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    let rows = ROWS
        .iter()
        .map(|(label, key, _, _)| (*label, *key))
        .chain(QUERY_ROWS.iter().copied())
        .chain(ANCHOR_ROWS.iter().copied());
    for (label, key) in rows {
        let Some(Outcome::Measured(m)) = engine.get(key) else {
            continue;
        };
        let Some(b) = &m.breakdown else {
            continue;
        };
        let p = &b.parts;
        let _ = writeln!(
            out,
            "| {label} | {} | {} | {} | {} | {} | {} | {} | {} | {} ({}) |",
            thousands(m.gas),
            thousands(p.setup),
            thousands(p.wasm),
            thousands(p.contract_reads),
            thousands(p.contract_writes),
            thousands(p.module_storage),
            thousands(p.events),
            thousands(p.response),
            thousands(b.in_sub_queries),
            b.sub_queries
        );
    }
}
