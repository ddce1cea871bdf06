//! Recorded responses of real CometBFT nodes (0.34, 0.37, 0.38; gaia and osmosis blocks), one
//! test per response: each is read by the RPC client over HTTP and by `inspect`, and its events
//! per type match a count made by walking the JSON directly.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use mesi_indexer::config::Contracts;
use mesi_indexer::decode;
use mesi_indexer::inspect;
use mesi_indexer::source::encoding::AttributeEncoding;
use mesi_indexer::source::{BlockEvents, RpcClient};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/cometbft")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Counts events per type straight from the JSON, without the indexer's types.
fn count_by_type(json: &[u8]) -> BTreeMap<String, usize> {
    let value: Value = serde_json::from_slice(json).unwrap();
    let result = &value["result"];
    let mut counts = BTreeMap::new();
    let mut add = |events: &Value| {
        for event in events.as_array().into_iter().flatten() {
            *counts
                .entry(event["type"].as_str().unwrap_or_default().to_string())
                .or_insert(0) += 1;
        }
    };
    for list in [
        "begin_block_events",
        "end_block_events",
        "finalize_block_events",
    ] {
        add(&result[list]);
    }
    for tx in result["txs_results"].as_array().into_iter().flatten() {
        add(&tx["events"]);
    }
    counts
}

fn counts_of(block: &BlockEvents) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for e in block.events() {
        *counts.entry(e.event.kind.clone()).or_insert(0) += 1;
    }
    counts
}

/// Serves one file as the answer to every request.
async fn serve(body: Vec<u8>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let body = body.clone();
            tokio::spawn(async move {
                let mut request = vec![0u8; 8192];
                let _ = stream.read(&mut request).await;
                let head = format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
                let _ = stream.write_all(head.as_bytes()).await;
                let _ = stream.write_all(&body).await;
            });
        }
    });
    url
}

async fn client_for(name: &str) -> RpcClient {
    RpcClient::new(&serve(fixture(name)).await, Duration::from_secs(5)).unwrap()
}

async fn check_block_results(
    name: &str,
    height: u64,
    total: usize,
    encoding: AttributeEncoding,
) -> BlockEvents {
    let json = fixture(name);
    let block = client_for(name).await.block_results(height).await.unwrap();
    assert_eq!(block.height, height);
    assert_eq!(
        counts_of(&block),
        count_by_type(&json),
        "{name}: events per type"
    );
    assert_eq!(block.events().count(), total, "{name}: all events");
    assert!(
        block
            .events()
            .all(|e| e.event.attributes.is_empty() || e.event.encoding == encoding),
        "{name}: attributes {encoding:?}"
    );
    assert_eq!(
        inspect::parse_block_results(&json).unwrap(),
        block,
        "inspect reads it the same way"
    );
    // No configured contract: nothing to store, and nothing breaks.
    assert_eq!(
        decode::decode_block(&block, None, &Contracts::default()).row_count(),
        0
    );
    block
}

#[tokio::test]
async fn gaia_block_results_at_height_4555980() {
    let block = check_block_results(
        "gaia_block_results_at_height_4555980.json",
        4_555_980,
        101,
        AttributeEncoding::Base64,
    )
    .await;
    assert_eq!(block.txs.len(), 4);
    assert!(block.txs.iter().all(|tx| tx.code == 0));
    assert_eq!(
        (
            block.begin_block.len(),
            block.end_block.len(),
            block.finalize_block.len()
        ),
        (62, 1, 0)
    );
    let spent = block.txs[0]
        .events
        .iter()
        .find(|e| e.kind == "coin_spent")
        .unwrap();
    assert_eq!(
        spent.attribute("spender"),
        Some("inj1x2ck0ql2ngyxqtw8jteyc0tchwnwxv7npaungt")
    );
    assert_eq!(spent.attribute("amount"), Some("60673500000000inj"));
}

#[tokio::test]
async fn osmosis_block_results_at_height_10499831() {
    let name = "osmosis_block_results_at_height_10499831.json";
    let block = check_block_results(name, 10_499_831, 562, AttributeEncoding::Base64).await;
    assert_eq!(block.txs.len(), 8);
    assert_eq!(block.begin_block.len(), 308);
    assert!(block.end_block.is_empty());
    // Seven x/wasm events from three contracts; none of them is a Mesi type.
    let wasm: Vec<_> = block.events().filter(|e| e.event.kind == "wasm").collect();
    assert_eq!(wasm.len(), 7);
    let vault = "osmo1zacxlu90sl6j2zf90uctpddhfmux84ryrw794ywnlcwx2zeh5a4q67qtc9";
    assert_eq!(
        wasm.iter()
            .filter(|e| e.event.attribute("_contract_address") == Some(vault))
            .count(),
        4
    );
    let mut contracts = Contracts::default();
    contracts.insert_pair(&format!("{vault}=tips")).unwrap();
    assert_eq!(
        decode::select(&block, &contracts).len(),
        0,
        "a plain `wasm` event is not a custom event"
    );
}

const OSMOSIS_VAULT: &str = "osmo1zacxlu90sl6j2zf90uctpddhfmux84ryrw794ywnlcwx2zeh5a4q67qtc9";

fn osmosis_tip() -> mesi_common::events::tips::TipSent {
    use cosmwasm_std::{Addr, Uint128};
    use mesi_common::interfaces::tips::TipContext;
    use mesi_common::AssetInfo;

    mesi_common::events::tips::TipSent {
        creator: Addr::unchecked("osmo1creator"),
        fan: Addr::unchecked("osmo1fan"),
        asset: AssetInfo::native("uosmo"),
        amount: Uint128::new(1000),
        fee: Uint128::new(50),
        creator_amount: Uint128::new(950),
        payout: Addr::unchecked("osmo1creator"),
        context: TipContext::Stream {
            id: "live-1".into(),
        },
        message: Some("gm".into()),
        anonymous: false,
        fan_total: Uint128::new(1000),
    }
}

/// A base64 attribute as 0.34 writes it.
fn base64_attribute(key: &str, value: &str) -> Value {
    serde_json::json!({"key": STANDARD.encode(key), "value": STANDARD.encode(value), "index": true})
}

/// The recorded osmosis block with the first `events.len()` of the vault's x/wasm events
/// replaced, in order, by `events` (type and plain attributes, encoded as the block is);
/// returns the block and the (tx, event) index of each replaced event.
fn osmosis_with_vault_events(
    events: Vec<(&str, Vec<(String, String)>)>,
) -> (Value, Vec<(usize, usize)>) {
    let mut json: Value =
        serde_json::from_slice(&fixture("osmosis_block_results_at_height_10499831.json")).unwrap();
    let mut events = events.into_iter();
    let mut replaced = Vec::new();
    for (tx_index, tx) in json["result"]["txs_results"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .enumerate()
    {
        for (event_index, event) in tx["events"].as_array_mut().unwrap().iter_mut().enumerate() {
            let is_vault = event["attributes"][0]["value"] == STANDARD.encode(OSMOSIS_VAULT);
            if event["type"] == "wasm" && is_vault {
                let Some((kind, attributes)) = events.next() else {
                    continue;
                };
                let attributes: Vec<Value> = attributes
                    .iter()
                    .map(|(k, v)| base64_attribute(k, v))
                    .collect();
                *event = serde_json::json!({"type": kind, "attributes": attributes});
                replaced.push((tx_index, event_index));
            }
        }
    }
    (json, replaced)
}

/// A Mesi event of the vault as x/wasm emits it: `_contract_address` first.
fn vault_event(event: &cosmwasm_std::Event) -> Vec<(String, String)> {
    let mut attributes = vec![("_contract_address".to_string(), OSMOSIS_VAULT.to_string())];
    attributes.extend(
        event
            .attributes
            .iter()
            .map(|a| (a.key.clone(), a.value.clone())),
    );
    attributes
}

fn vault_contracts() -> Contracts {
    let mut contracts = Contracts::default();
    contracts
        .insert_pair(&format!("{OSMOSIS_VAULT}=tips"))
        .unwrap();
    contracts
}

/// The osmosis block with one of the real x/wasm events turned into a Mesi event (keeping
/// base64 encoding and the real contract address): it decodes, or goes to the dead letters.
#[tokio::test]
async fn osmosis_block_with_a_mesi_event_of_ours() {
    use mesi_common::event::MesiEvent;

    let tip = osmosis_tip();
    let whole = vault_event(&tip.to_event());
    let mut without_total = whole.clone();
    without_total.pop(); // the second one loses `fan_total`
    let (json, replaced) = osmosis_with_vault_events(vec![
        ("wasm-mesi.tip.v1", whole),
        ("wasm-mesi.tip.v1", without_total),
    ]);
    let block = inspect::parse_block_results(&serde_json::to_vec(&json).unwrap()).unwrap();
    assert_eq!(block.encodings().1, 0, "every event is base64");
    let decoded = decode::decode_block(&block, None, &vault_contracts());
    assert_eq!(decoded.events.len(), 1);
    assert_eq!(decoded.events[0].event, tip.clone().into());
    assert_eq!(
        decoded.events[0].origin.position.tx_index,
        Some(replaced[0].0 as u32)
    );
    assert_eq!(decoded.dead_letters.len(), 1);
    assert!(
        decoded.dead_letters[0]
            .error
            .contains("missing attribute \"fan_total\""),
        "{}",
        decoded.dead_letters[0].error
    );
}

/// The osmosis block with a key of another contract's event made hostile (a control character:
/// that event no longer reads as base64) next to events of ours: ours are read as written, and
/// one of ours that is itself half base64 becomes a dead letter instead of vanishing.
#[tokio::test]
async fn osmosis_block_with_a_hostile_foreign_attribute() {
    use mesi_common::event::MesiEvent;

    let tip = osmosis_tip();
    let mut half_base64 = vault_event(&tip.to_event());
    half_base64[1].0 = "creator\u{7}".into();
    let (mut json, _) = osmosis_with_vault_events(vec![
        ("wasm-mesi.tip.v1", vault_event(&tip.to_event())),
        ("wasm-mesi.tip.v1", half_base64),
    ]);
    let mut hostile = 0;
    for tx in json["result"]["txs_results"].as_array_mut().unwrap() {
        for event in tx["events"].as_array_mut().unwrap() {
            let foreign = event["type"] == "wasm"
                && event["attributes"][0]["value"] != STANDARD.encode(OSMOSIS_VAULT);
            if foreign && hostile == 0 {
                event["attributes"][1]["key"] = STANDARD.encode("action\u{1}").into();
                hostile += 1;
            }
        }
    }
    assert_eq!(hostile, 1, "the block has another contract's x/wasm event");
    let block = inspect::parse_block_results(&serde_json::to_vec(&json).unwrap()).unwrap();
    let decoded = decode::decode_block(&block, None, &vault_contracts());
    assert_eq!(decoded.events.len(), 1, "{:?}", decoded.dead_letters);
    assert_eq!(decoded.events[0].event, tip.into());
    assert_eq!(decoded.dead_letters.len(), 1);
    assert!(
        decoded.dead_letters[0]
            .error
            .contains("neither all base64 nor all plain"),
        "{}",
        decoded.dead_letters[0].error
    );
    assert_eq!(
        decoded.dead_letters[0].attributes[1].0, "creator\u{7}",
        "the dead letter shows what was written"
    );
}

async fn check_empty_block_results(name: &str) {
    let block = check_block_results(name, 10, 0, AttributeEncoding::Plain).await;
    assert!(block.txs.is_empty());
}

#[tokio::test]
async fn kvstore_v0_34_block_results_at_height_10() {
    check_empty_block_results("kvstore_v0_34_block_results_at_height_10.json").await;
}

#[tokio::test]
async fn kvstore_v0_37_block_results_at_height_10() {
    check_empty_block_results("kvstore_v0_37_block_results_at_height_10.json").await;
}

#[tokio::test]
async fn kvstore_v0_38_block_results_at_height_10() {
    check_empty_block_results("kvstore_v0_38_block_results_at_height_10.json").await;
}

async fn check_block(name: &str, time: &str) {
    let header = client_for(name).await.block(10).await.unwrap();
    assert_eq!(header.height, 10);
    assert_eq!(header.chain_id, "dockerchain");
    assert_eq!(header.time, time);
    assert!(header.tx_hashes.is_empty());
    assert_eq!(inspect::parse_block(&fixture(name)).unwrap(), header);
}

#[tokio::test]
async fn kvstore_v0_34_block_at_height_10() {
    check_block(
        "kvstore_v0_34_block_at_height_10.json",
        "2022-09-22T18:57:27.243575136Z",
    )
    .await;
}

#[tokio::test]
async fn kvstore_v0_37_block_at_height_10() {
    check_block(
        "kvstore_v0_37_block_at_height_10.json",
        "2023-02-27T07:13:08.140032018Z",
    )
    .await;
}

#[tokio::test]
async fn kvstore_v0_38_block_at_height_10() {
    check_block(
        "kvstore_v0_38_block_at_height_10.json",
        "2023-05-17T14:12:53.088875124Z",
    )
    .await;
}

async fn check_status(name: &str, chain_id: &str, version: &str, latest: u64) {
    let status = client_for(name).await.status().await.unwrap();
    assert_eq!(status.chain_id, chain_id);
    assert_eq!(status.node_version, version);
    assert_eq!(status.latest_height, latest);
    assert_eq!(status.earliest_height, 1);
    assert!(!status.catching_up);
}

#[tokio::test]
async fn kvstore_v0_34_status() {
    check_status("kvstore_v0_34_status.json", "dockerchain", "0.34.21", 67).await;
}

#[tokio::test]
async fn kvstore_v0_37_status() {
    check_status(
        "kvstore_v0_37_status.json",
        "dockerchain",
        "0.37.0-alpha.3",
        53,
    )
    .await;
}

#[tokio::test]
async fn kvstore_v0_38_status() {
    check_status(
        "kvstore_v0_38_status.json",
        "dockerchain",
        "0.38.0-alpha.1",
        232,
    )
    .await;
}

#[tokio::test]
async fn gaia_status() {
    check_status("gaia_status.json", "ibc-0", "v0.34.9", 165).await;
}

/// `mesi-indexer inspect` reads every saved `/block_results` and prints its summary.
#[test]
fn inspect_reads_every_fixture() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cometbft");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.contains("block_results") {
            continue;
        }
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_mesi-indexer"))
            .args(["inspect", "--block-results"])
            .arg(&path)
            .args([
                "--contract",
                "osmo1zacxlu90sl6j2zf90uctpddhfmux84ryrw794ywnlcwx2zeh5a4q67qtc9=tips",
            ])
            .env_remove("DATABASE_URL")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let stdout = String::from_utf8(output.stdout).unwrap();
        let block = inspect::parse_block_results(&std::fs::read(&path).unwrap()).unwrap();
        assert!(
            stdout.starts_with(&format!("height {}", block.height)),
            "{name}: {stdout}"
        );
        assert!(
            stdout.contains(&format!(
                "events by type ({} in all)",
                block.events().count()
            )),
            "{name}: {stdout}"
        );
        assert!(
            stdout.contains("events that would be stored: 0"),
            "{name}: {stdout}"
        );
        seen += 1;
    }
    assert_eq!(seen, 5);
}

#[test]
fn kvstore_v0_38_subscribe_newblock_0() {
    let json: Value =
        serde_json::from_slice(&fixture("kvstore_v0_38_subscribe_newblock_0.json")).unwrap();
    assert_eq!(
        mesi_indexer::source::new_blocks::new_block_height(&json["result"]),
        Some(235)
    );
    // The subscription's acknowledgement is not a block.
    assert_eq!(
        mesi_indexer::source::new_blocks::new_block_height(&serde_json::json!({})),
        None
    );
}
