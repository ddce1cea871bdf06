//! The devnet over its RPC: responses in the shapes real CometBFT 0.38 nodes send (the
//! indexer's recorded fixtures) and readable by the indexer's own source types, the SDK's
//! answers to bad transactions, failed transactions recorded and rolled back, and the
//! deployment over RPC (`scripts/deploy --devnet`).
//!
//! One devnet (a block per accepted transaction) serves every test; each test signs with its
//! own account so that sequences do not interfere.

mod support;

use std::sync::OnceLock;
use std::time::Duration;

use mesi_devnet::client::{QueryFailed, RpcClient, TxResponse};
use mesi_devnet::devnet::BlockProduction;
use mesi_devnet::keys::{derive_keys, DevKey, DEV_MNEMONIC};
use mesi_devnet::node::{GasPrice, ANTE_BASE_COST};
use mesi_devnet::sign::{coin, execute_msg, send_msg, sign_tx, SignOptions};
use serde_json::{json, Value};
use support::{Served, CHAIN_ID, FEE_DENOM, MIN_GAS_PRICE, STABLE_DENOM};

static DEVNET: OnceLock<Served> = OnceLock::new();

fn devnet() -> &'static Served {
    DEVNET.get_or_init(|| support::serve(support::options(BlockProduction::PerTx)))
}

fn keys() -> Vec<DevKey> {
    derive_keys(DEV_MNEMONIC, "wasm", 12).unwrap()
}

fn client() -> RpcClient {
    RpcClient::new(&devnet().url).unwrap()
}

fn gas_price() -> GasPrice {
    MIN_GAS_PRICE.parse().unwrap()
}

/// Sign options for `key`'s next transaction as the chain expects it.
fn options_for(client: &RpcClient, key: &DevKey, gas_limit: u64) -> SignOptions {
    let (account_number, sequence) = client.account(&key.address).unwrap();
    SignOptions {
        chain_id: CHAIN_ID.into(),
        account_number,
        sequence,
        gas_limit,
        fee: vec![coin(gas_price().fee_for(gas_limit), FEE_DENOM)],
        memo: String::new(),
        timeout_height: 0,
    }
}

fn balance(address: &str, denom: &str) -> u128 {
    let node = devnet().devnet.node();
    node.chain()
        .balance(address, denom)
        .unwrap()
        .to_string()
        .parse()
        .unwrap()
}

fn refused(client: &RpcClient, tx: &[u8]) -> QueryFailed {
    match client.broadcast_sync(tx).unwrap() {
        Ok(hash) => panic!("transaction {hash} was accepted"),
        Err(failed) => failed,
    }
}

fn deliver(client: &RpcClient, tx: &[u8]) -> TxResponse {
    client
        .broadcast_and_wait(tx, Duration::from_secs(30))
        .unwrap()
}

fn get(path: &str) -> (u16, Value) {
    let response = reqwest::blocking::get(format!("{}{path}", devnet().url)).unwrap();
    (response.status().as_u16(), response.json().unwrap())
}

/// Every key of the recorded `expected` is in `actual`, with the same JSON type (recursively;
/// arrays by their first elements).
fn assert_shape(expected: &Value, actual: &Value, path: &str) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (key, value) in e {
                let Some(ours) = a.get(key) else {
                    panic!("{path}.{key} is missing");
                };
                assert_shape(value, ours, &format!("{path}.{key}"));
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if let (Some(e), Some(a)) = (e.first(), a.first()) {
                assert_shape(e, a, &format!("{path}[0]"));
            }
        }
        (Value::Null, _) => {}
        (e, a) => assert_eq!(
            std::mem::discriminant(e),
            std::mem::discriminant(a),
            "{path}: recorded {e}, devnet {a}"
        ),
    }
}

fn fixture(name: &str) -> Value {
    let path = support::repo_root()
        .join("indexer/tests/fixtures/cometbft")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    serde_json::from_str::<Value>(&text).unwrap()["result"].clone()
}

#[test]
fn responses_have_the_shapes_of_a_cometbft_0_38_node() {
    let (status_code, status) = get("/status");
    assert_eq!(status_code, 200);
    assert_shape(
        &fixture("kvstore_v0_38_status.json"),
        &status["result"],
        "status",
    );
    let (_, block) = get("/block?height=2");
    assert_shape(
        &fixture("kvstore_v0_38_block_at_height_10.json"),
        &block["result"],
        "block",
    );
    let (_, results) = get("/block_results?height=1");
    let results = &results["result"];
    assert_shape(
        &fixture("kvstore_v0_38_block_results_at_height_10.json"),
        results,
        "block_results",
    );
    // A transaction result has every field of a recorded one (fixture from a 0.37 chain; the
    // result shape did not change in 0.38), with plain-text attributes.
    let recorded = fixture("gaia_block_results_at_height_4555980.json");
    let tx_result = &results["txs_results"][0];
    for key in recorded["txs_results"][0].as_object().unwrap().keys() {
        assert!(
            tx_result.get(key).is_some(),
            "txs_results[0].{key} is missing"
        );
    }
    assert_eq!(
        tx_result["gas_used"]
            .as_str()
            .map(|g| g.parse::<u64>().is_ok()),
        Some(true)
    );
    let first_attribute = &tx_result["events"][0]["attributes"][0];
    assert_eq!(first_attribute["key"], "spender");
    assert_eq!(first_attribute["index"], true);
    assert!(results["finalize_block_events"].is_array());
}

#[test]
fn the_indexer_reads_the_devnet_with_its_own_source_types() {
    let url = devnet().url.clone();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        use mesi_indexer::source::encoding::AttributeEncoding;
        let source = mesi_indexer::source::RpcClient::new(&url, Duration::from_secs(10)).unwrap();
        let status = source.status().await.unwrap();
        assert_eq!(status.chain_id, CHAIN_ID);
        assert!(status.latest_height >= 1);
        assert_eq!(status.earliest_height, 1);
        assert!(status.node_version.starts_with("0.38."));
        assert!(status.latest_block_time.is_some());

        // Block 1 holds the deployment: 7 uploads, 7 instantiations, the registry's wiring.
        let header = source.block(1).await.unwrap();
        assert_eq!(header.chain_id, CHAIN_ID);
        assert_eq!(header.time, "2026-01-01T00:00:05Z");
        assert_eq!(header.tx_hashes.len(), 15);
        let events = source.block_results(1).await.unwrap();
        let every_event = events
            .begin_block
            .iter()
            .chain(events.txs.iter().flat_map(|tx| &tx.events))
            .chain(&events.end_block)
            .chain(&events.finalize_block);
        assert!(every_event
            .inspect(|e| assert!(e.unreadable.is_none(), "{e:?}"))
            .all(|e| e.encoding == AttributeEncoding::Plain));
        assert_eq!(events.txs.len(), 15);
        assert!(events.txs.iter().all(|tx| tx.code == 0));

        let deployment = devnet().devnet.info().deployment.clone().unwrap();
        let instantiated: Vec<&str> = events.txs[7..14]
            .iter()
            .filter_map(|tx| {
                tx.events
                    .iter()
                    .find(|e| e.kind == "instantiate")
                    .and_then(|e| e.attribute("_contract_address"))
            })
            .collect();
        assert_eq!(instantiated.len(), 7);
        assert_eq!(instantiated[0], deployment.contracts.mesi_token);
        assert_eq!(instantiated[1], deployment.contracts.creators);
        // Typed Mesi events carry the emitting contract first, as x/wasm sets it.
        let wiring = &events.txs[14];
        let config = wiring
            .events
            .iter()
            .find(|e| e.kind.starts_with("wasm-mesi."))
            .expect("the registry's typed event");
        assert_eq!(config.attributes[0].0, "_contract_address");
        assert_eq!(config.attributes[0].1, deployment.contracts.creators);

        // The hashes in /block are the hashes /tx serves.
        let node_hashes: Vec<String> = {
            let node = devnet().devnet.node();
            node.block(1)
                .unwrap()
                .txs
                .iter()
                .map(|t| hex::encode_upper(t.hash))
                .collect()
        };
        assert_eq!(header.tx_hashes, node_hashes);

        // A height above the head is "not yet available", as the indexer's retry logic expects.
        let ahead = source.block(10_000).await.unwrap_err();
        assert!(
            matches!(
                ahead,
                mesi_indexer::source::SourceError::NotYetAvailable { .. }
            ),
            "{ahead}"
        );
    });
}

#[test]
fn bad_signatures_sequences_chain_ids_and_fees_are_refused_with_the_sdk_codes() {
    let client = client();
    let key = &keys()[5];
    let send = || {
        send_msg(
            &key.address,
            &keys()[6].address,
            vec![coin(1, STABLE_DENOM)],
        )
    };
    let good = options_for(&client, key, 200_000);

    // A signature that does not verify.
    let mut tx = sign_tx(key, vec![send()], &good);
    let raw = cosmrs::proto::cosmos::tx::v1beta1::TxRaw::decode(tx.as_slice()).unwrap();
    let mut signature = raw.signatures[0].clone();
    signature[10] ^= 1;
    tx = cosmrs::proto::cosmos::tx::v1beta1::TxRaw {
        signatures: vec![signature],
        ..raw
    }
    .encode_to_vec();
    let failed = refused(&client, &tx);
    assert_eq!((failed.codespace.as_str(), failed.code), ("sdk", 4));
    assert!(
        failed.log.contains("signature verification failed"),
        "{}",
        failed.log
    );

    // Signed for another chain.
    let other_chain = SignOptions {
        chain_id: "other-chain".into(),
        ..good.clone()
    };
    let failed = refused(&client, &sign_tx(key, vec![send()], &other_chain));
    assert_eq!(failed.code, 4);
    assert!(failed.log.contains(CHAIN_ID), "{}", failed.log);

    // Another account number.
    let other_number = SignOptions {
        account_number: good.account_number + 1,
        ..good.clone()
    };
    assert_eq!(
        refused(&client, &sign_tx(key, vec![send()], &other_number)).code,
        4
    );

    // A sequence from the future, then one from the past.
    let ahead = SignOptions {
        sequence: good.sequence + 1,
        ..good.clone()
    };
    let failed = refused(&client, &sign_tx(key, vec![send()], &ahead));
    assert_eq!(failed.code, 32);
    assert_eq!(
        failed.log,
        format!(
            "account sequence mismatch, expected {}, got {}: incorrect account sequence",
            good.sequence,
            good.sequence + 1
        )
    );
    let accepted = sign_tx(key, vec![send()], &good);
    let response = deliver(&client, &accepted);
    assert_eq!(response.code, 0, "{}", response.log);
    let replayed = send_msg(
        &key.address,
        &keys()[6].address,
        vec![coin(2, STABLE_DENOM)],
    );
    assert_eq!(
        refused(&client, &sign_tx(key, vec![replayed], &good)).code,
        32
    );
    // The very same bytes again: CometBFT's cache knows them.
    assert_eq!(refused(&client, &accepted).code, 19);

    // A fee below the minimum gas price, and none in the fee denom.
    let next = options_for(&client, key, 200_000);
    let cheap = SignOptions {
        fee: vec![coin(gas_price().fee_for(200_000) - 1, FEE_DENOM)],
        ..next.clone()
    };
    assert_eq!(
        refused(&client, &sign_tx(key, vec![send()], &cheap)).code,
        13
    );
    let wrong_denom = SignOptions {
        fee: vec![coin(1_000_000, STABLE_DENOM)],
        ..next.clone()
    };
    assert_eq!(
        refused(&client, &sign_tx(key, vec![send()], &wrong_denom)).code,
        13
    );

    // A gas limit below the ante handler's own cost.
    let starved = SignOptions {
        gas_limit: ANTE_BASE_COST,
        fee: vec![coin(1_000, FEE_DENOM)],
        ..next.clone()
    };
    let failed = refused(&client, &sign_tx(key, vec![send()], &starved));
    assert_eq!(failed.code, 11, "{}", failed.log);

    // An account the chain has never seen.
    let stranger = &derive_keys(DEV_MNEMONIC, "wasm", 40).unwrap()[39];
    let from_stranger = send_msg(&stranger.address, &key.address, vec![coin(1, STABLE_DENOM)]);
    let failed = refused(
        &client,
        &sign_tx(
            stranger,
            vec![from_stranger],
            &SignOptions {
                account_number: 0,
                sequence: 0,
                ..next.clone()
            },
        ),
    );
    assert_eq!(failed.code, 9, "{}", failed.log);

    // A message signed by someone else's key.
    let forged = send_msg(
        &keys()[6].address,
        &key.address,
        vec![coin(1, STABLE_DENOM)],
    );
    assert_eq!(refused(&client, &sign_tx(key, vec![forged], &next)).code, 8);

    // After all that, the right transaction still goes through.
    let response = deliver(&client, &sign_tx(key, vec![send()], &next));
    assert_eq!(response.code, 0, "{}", response.log);
}

#[test]
fn a_failing_transaction_is_recorded_as_failed_and_rolled_back() {
    let client = client();
    let keys = keys();
    let (payer, payee) = (&keys[7], &keys[8]);
    let usdc_before = (
        balance(&payer.address, STABLE_DENOM),
        balance(&payee.address, STABLE_DENOM),
    );
    let fee_before = balance(&payer.address, FEE_DENOM);
    let options = options_for(&client, payer, 300_000);

    // The first message would pay; the second asks for more than the account holds.
    let msgs = vec![
        send_msg(
            &payer.address,
            &payee.address,
            vec![coin(1_000, STABLE_DENOM)],
        ),
        send_msg(
            &payer.address,
            &payee.address,
            vec![coin(10_000_000_000_000, STABLE_DENOM)],
        ),
    ];
    let response = deliver(&client, &sign_tx(payer, msgs, &options));
    assert_eq!(
        (response.codespace.as_str(), response.code),
        ("sdk", 5),
        "{}",
        response.log
    );
    assert!(
        response.log.contains("message index: 1"),
        "{}",
        response.log
    );
    assert!(response.gas_used > 0);
    // Nothing of the messages remains; the fee is paid and the sequence used.
    assert_eq!(
        (
            balance(&payer.address, STABLE_DENOM),
            balance(&payee.address, STABLE_DENOM)
        ),
        usdc_before
    );
    assert_eq!(
        fee_before - balance(&payer.address, FEE_DENOM),
        gas_price().fee_for(300_000)
    );
    assert_eq!(
        client.account(&payer.address).unwrap().1,
        options.sequence + 1
    );
    // Only the ante handler's events are left: fee and sequence.
    assert!(response.events.iter().all(|e| e.get("msg_index").is_none()));
    assert!(response
        .events
        .iter()
        .any(|e| e.ty == "tx" && e.get("acc_seq").is_some()));

    // The block records it with its code, and the indexer's types see a failed transaction.
    let (_, found) = get(&format!("/tx?hash=0x{}", response.hash));
    let index = found["result"]["index"].as_u64().unwrap() as usize;
    let (_, results) = get(&format!("/block_results?height={}", response.height));
    let recorded = &results["result"]["txs_results"][index];
    assert_eq!(recorded["code"], 5);
    assert_eq!(recorded["codespace"], "sdk");
    let parsed: mesi_indexer::source::rpc_types::BlockResultsResponse =
        serde_json::from_value(results["result"].clone()).unwrap();
    let events = mesi_indexer::source::BlockEvents::from(parsed);
    assert_eq!(events.txs[index].code, 5);

    // A contract that fails rolls back too: a tip to an address that is not a creator.
    let tips = devnet()
        .devnet
        .info()
        .deployment
        .clone()
        .unwrap()
        .contracts
        .tips;
    let tip = json!({"tip": {"creator": payee.address, "context": "profile", "message": null, "anonymous": false}});
    let usdc_before = balance(&payer.address, STABLE_DENOM);
    let response = deliver(
        &client,
        &sign_tx(
            payer,
            vec![execute_msg(
                &payer.address,
                &tips,
                &tip,
                vec![coin(5_000, STABLE_DENOM)],
            )],
            &options_for(&client, payer, 600_000),
        ),
    );
    assert_eq!(response.codespace, "wasm", "{}", response.log);
    assert_ne!(response.code, 0);
    assert_eq!(balance(&payer.address, STABLE_DENOM), usdc_before);
    assert_eq!(balance(&tips, STABLE_DENOM), 0);
}

#[test]
fn running_out_of_gas_in_a_block_is_code_11_and_rolls_back() {
    let client = client();
    let keys = keys();
    let key = &keys[9];
    let tips = devnet()
        .devnet
        .info()
        .deployment
        .clone()
        .unwrap()
        .contracts
        .tips;
    let usdc_before = balance(&key.address, STABLE_DENOM);
    // Enough for the ante handler, far too little for a contract call (60,000 setup alone).
    let options = options_for(&client, key, ANTE_BASE_COST + 20_000);
    let tip = json!({"tip": {"creator": keys[3].address, "context": "profile", "message": null, "anonymous": false}});
    let tx = sign_tx(
        key,
        vec![execute_msg(
            &key.address,
            &tips,
            &tip,
            vec![coin(5_000, STABLE_DENOM)],
        )],
        &options,
    );
    let response = deliver(&client, &tx);
    assert_eq!(
        (response.codespace.as_str(), response.code),
        ("sdk", 11),
        "{}",
        response.log
    );
    assert_eq!(response.gas_used, ANTE_BASE_COST + 20_000);
    assert_eq!(balance(&key.address, STABLE_DENOM), usdc_before);
}

#[test]
fn transactions_are_found_by_hash_and_by_query() {
    let client = client();
    let keys = keys();
    let key = &keys[10];
    let tx = sign_tx(
        key,
        vec![send_msg(
            &key.address,
            &keys[11].address,
            vec![coin(7, STABLE_DENOM)],
        )],
        &options_for(&client, key, 200_000),
    );
    let response = deliver(&client, &tx);
    assert_eq!(response.code, 0, "{}", response.log);
    let expected_hash = hex::encode_upper(<sha2::Sha256 as sha2::Digest>::digest(&tx));
    assert_eq!(response.hash, expected_hash);

    // URI form, hex with 0x, as CometBFT documents it.
    let (status, found) = get(&format!("/tx?hash=0x{expected_hash}"));
    assert_eq!(status, 200);
    assert_eq!(found["result"]["hash"], expected_hash);
    assert_eq!(found["result"]["height"], response.height.to_string());
    let (status, missing) = get(&format!("/tx?hash=0x{}", "00".repeat(32)));
    assert_eq!(status, 500);
    assert!(missing["error"]["data"]
        .as_str()
        .unwrap()
        .contains("not found"));

    // tx_search as cosmjs sends it (JSON-RPC), and by an event attribute in the URI form.
    let result = client
        .call(
            "tx_search",
            json!({"query": format!("tx.hash='{expected_hash}'"), "prove": false, "page": "1", "per_page": "10"}),
        )
        .unwrap();
    assert_eq!(result["total_count"], "1");
    let (_, by_sender) = get(&format!(
        "/tx_search?query=\"message.sender='{}' AND tx.height={}\"",
        key.address, response.height
    ));
    assert_eq!(by_sender["result"]["total_count"], "1", "{by_sender}");
}

#[test]
fn blocks_come_on_demand_with_time_jumps() {
    let before = devnet().devnet.node().latest_block().unwrap().time_nanos;
    let result = client()
        .call("dev_produce_block", json!({"seconds": 3_600}))
        .unwrap();
    let height: u64 = result["height"].as_str().unwrap().parse().unwrap();
    let node = devnet().devnet.node();
    let block = node.block(height).unwrap();
    // The fixed clock adds 5 seconds per block; the jump adds an hour on top.
    assert!(block.time_nanos >= before + 3_605 * 1_000_000_000);
}

#[test]
fn new_blocks_wake_the_indexer_through_the_websocket() {
    use std::sync::Arc;
    let url = devnet().url.clone();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        use mesi_indexer::source::new_blocks;
        let notify = Arc::new(tokio::sync::Notify::new());
        let source = mesi_indexer::source::RpcClient::new(&url, Duration::from_secs(5)).unwrap();
        let _listener = new_blocks::spawn(source, notify.clone());
        // The listener subscribes in the background: make blocks until one wakes it.
        for _ in 0..40 {
            let notified = notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let rpc = url.clone();
            tokio::task::spawn_blocking(move || {
                RpcClient::new(&rpc)
                    .unwrap()
                    .call("dev_produce_block", json!({}))
                    .unwrap()
            })
            .await
            .unwrap();
            if tokio::time::timeout(Duration::from_millis(500), notified)
                .await
                .is_ok()
            {
                return;
            }
        }
        panic!("no NewBlock event reached the indexer's listener");
    });
}

#[test]
fn wallet_queries_answer_as_the_sdk_does() {
    let client = client();
    let key = &keys()[11];
    let (number, _) = client.account(&key.address).unwrap();
    assert!(number >= 11);
    let unknown = derive_keys(DEV_MNEMONIC, "wasm", 41)
        .unwrap()
        .pop()
        .unwrap();
    let error = client.account(&unknown.address).unwrap_err().to_string();
    assert!(error.contains("rpc error: code = NotFound"), "{error}");

    let deployment = devnet().devnet.info().deployment.clone().unwrap();
    let token: Value = client
        .smart_query(&deployment.contracts.mesi_token, &json!({"token_info": {}}))
        .unwrap();
    assert_eq!(token["symbol"], "MESI");
    let mesi: Value = client
        .smart_query(
            &deployment.contracts.mesi_token,
            &json!({"balance": {"address": key.address}}),
        )
        .unwrap();
    assert_eq!(mesi["balance"], "1000000000000");
    let error = client
        .smart_query::<Value>(&deployment.contracts.tips, &json!({"no_such_query": {}}))
        .unwrap_err()
        .to_string();
    assert!(error.contains("wasm"), "{error}");
}

#[test]
fn scripts_deploy_deploys_a_working_suite_to_the_devnet() {
    let out = std::env::temp_dir().join(format!("mesi-deploy-{}.json", std::process::id()));
    let status = std::process::Command::new(support::repo_root().join("scripts/deploy"))
        .args(["--devnet", &devnet().url, "--out"])
        .arg(&out)
        .env("MESI_DEVNET_BIN", env!("CARGO_BIN_EXE_mesi-devnet"))
        .status()
        .expect("scripts/deploy runs");
    assert!(status.success());
    let deployment: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    std::fs::remove_file(&out).ok();
    let genesis = devnet().devnet.info().deployment.clone().unwrap();
    let creators = deployment["contracts"]["creators"].as_str().unwrap();
    assert_ne!(creators, genesis.contracts.creators, "a second suite");
    // The new registry knows its siblings and the new token.
    let config: Value = client()
        .smart_query(creators, &json!({"config": {}}))
        .unwrap();
    let text = config.to_string();
    assert!(
        text.contains(deployment["contracts"]["tips"].as_str().unwrap()),
        "{text}"
    );
    assert!(
        text.contains(deployment["contracts"]["mesi_token"].as_str().unwrap()),
        "{text}"
    );
}

use cosmrs::proto::traits::Message;
