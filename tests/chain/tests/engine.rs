//! The engine against real artifacts: the cw20-base and cw721-base anchors
//! (`scripts/build-anchors`) and the creators and tips contracts (`scripts/build-wasm`).
//!
//! `scripts/test` builds the artifacts before `cargo test`; a run without them (a fresh clone,
//! `cargo test` alone) builds the missing ones through those scripts first.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use mesi_chain::gas::{CONTRACT_MESSAGE_DATA_COST, INSTANCE_COST, INSTANCE_COST_DISCOUNT};
use mesi_chain::{coin, coins, CallKind, Chain, ChainConfig, ChainMsg, Tx, TxResult, Uint256};
use serde_json::{json, Value};

const DENOM: &str = "uusdc";

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repository root")
}

/// Serializes builds: tests run in parallel and may miss the same artifact.
static BUILD_LOCK: Mutex<()> = Mutex::new(());

/// Reads `artifacts/<relative>`, building it with `script args...` when it is missing.
fn artifact(relative: &str, script: &[&str]) -> Vec<u8> {
    let root = repo_root();
    let path = root.join("artifacts").join(relative);
    let _guard = BUILD_LOCK
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if !path.exists() {
        eprintln!(
            "\n*** {} is missing: building it with {} ***\n",
            path.display(),
            script.join(" ")
        );
        let status = Command::new(root.join(script[0]))
            .args(&script[1..])
            .current_dir(&root)
            .status()
            .unwrap_or_else(|err| panic!("cannot run {}: {err}", script[0]));
        assert!(status.success(), "{} failed", script.join(" "));
    }
    std::fs::read(&path).unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()))
}

fn cw20_wasm() -> Vec<u8> {
    artifact(
        "anchors/cw20_base.wasm",
        &["scripts/build-anchors", "--if-missing"],
    )
}

fn cw721_wasm() -> Vec<u8> {
    artifact(
        "anchors/cw721_base.wasm",
        &["scripts/build-anchors", "--if-missing"],
    )
}

fn msg(value: Value) -> Vec<u8> {
    serde_json::to_vec(&value).expect("json")
}

fn query_json(chain: &Chain, contract: &str, query: Value) -> Value {
    let result = chain.query(contract, &msg(query)).expect("query succeeds");
    serde_json::from_slice(&result.data).expect("query answers json")
}

fn assert_calls_add_up(result: &TxResult) {
    let sum: u64 = result.calls.iter().map(|call| call.gas).sum();
    assert_eq!(sum, result.gas_used, "calls {:#?}", result.calls);
    for call in &result.calls {
        assert_eq!(call.breakdown.total(), call.gas);
    }
}

struct Cw20Setup {
    chain: Chain,
    alice: String,
    bob: String,
    token: String,
}

fn cw20_setup() -> Cw20Setup {
    let mut chain = Chain::new(ChainConfig::default()).unwrap();
    let alice = chain.addr_make("alice");
    let bob = chain.addr_make("bob");
    let stored = chain
        .store_code(&alice, &cw20_wasm())
        .expect("store cw20-base");
    let code_id = stored.code_id.expect("code id");
    let store_event = stored
        .events_of("store_code")
        .next()
        .expect("store_code event");
    assert_eq!(
        store_event.get("code_id"),
        Some(code_id.to_string().as_str())
    );
    let init = json!({
        "name": "Mesi", "symbol": "MESI", "decimals": 6,
        "initial_balances": [{ "address": alice, "amount": "1000000" }],
        "mint": null, "marketing": null,
    });
    let instantiated = chain
        .instantiate(&alice, code_id, &msg(init), &[], "mesi token", None)
        .expect("instantiate");
    let token = instantiated
        .contract_address
        .clone()
        .expect("contract address");
    let event = instantiated
        .events_of("instantiate")
        .next()
        .expect("instantiate event");
    assert_eq!(event.get("_contract_address"), Some(token.as_str()));
    assert_calls_add_up(&instantiated);
    Cw20Setup {
        chain,
        alice,
        bob,
        token,
    }
}

fn cw20_balance(chain: &Chain, token: &str, address: &str) -> u128 {
    let answer = query_json(chain, token, json!({ "balance": { "address": address } }));
    answer["balance"]
        .as_str()
        .expect("balance string")
        .parse()
        .expect("number")
}

#[test]
fn cw20_base_stores_instantiates_executes_and_answers_queries() {
    let Cw20Setup {
        mut chain,
        alice,
        bob,
        token,
    } = cw20_setup();
    let transfer = msg(json!({ "transfer": { "recipient": bob, "amount": "2500" } }));
    let result = chain
        .execute(&alice, &token, &transfer, &[])
        .expect("transfer");

    assert_eq!(cw20_balance(&chain, &token, &alice), 997_500);
    assert_eq!(cw20_balance(&chain, &token, &bob), 2_500);

    // x/wasm event shapes: message, execute, then the contract's attributes in `wasm`.
    let types: Vec<&str> = result.events.iter().map(|e| e.ty.as_str()).collect();
    assert_eq!(types, ["message", "execute", "wasm"]);
    let wasm = &result.events[2];
    assert_eq!(wasm.attributes[0].key, "_contract_address");
    assert_eq!(wasm.attributes[0].value, token);
    assert_eq!(wasm.get("action"), Some("transfer"));
    assert_eq!(wasm.get("msg_index"), Some("0"));
    assert_eq!(
        result.events[0].get("action"),
        Some("/cosmwasm.wasm.v1.MsgExecuteContract")
    );

    // One call: setup, wasm, two balance reads and writes, module reads, events.
    assert_calls_add_up(&result);
    let call = &result.calls[0];
    assert_eq!(
        (call.kind, call.depth, call.contract.as_deref()),
        (CallKind::Execute, 0, Some(token.as_str()))
    );
    assert_eq!(call.breakdown.setup, INSTANCE_COST);
    assert!(
        call.breakdown.wasm > 0
            && call.breakdown.contract_reads > 0
            && call.breakdown.contract_writes > 0
    );
    assert!(
        result.gas_used > INSTANCE_COST && result.gas_used < 200_000,
        "gas {}",
        result.gas_used
    );

    // Queries pay too, on their own meter.
    let query = chain
        .query(&token, &msg(json!({ "token_info": {} })))
        .unwrap();
    assert!(query.gas_used > INSTANCE_COST);
    let info: Value = serde_json::from_slice(&query.data).unwrap();
    assert_eq!(info["total_supply"], "1000000");

    // A contract error fails the transaction with wasm code 5 and its message.
    let too_much = msg(json!({ "transfer": { "recipient": bob, "amount": "99999999" } }));
    let failed = chain.execute(&alice, &token, &too_much, &[]).unwrap_err();
    assert_eq!((failed.codespace.as_str(), failed.code), ("wasm", 5));
    assert!(
        failed.log.contains("Overflow") || failed.log.contains("overflow"),
        "{}",
        failed.log
    );
    assert!(failed.gas_used > INSTANCE_COST);
}

#[test]
fn bank_send_moves_funds_and_fails_without_them() {
    let mut chain = Chain::new(ChainConfig::default()).unwrap();
    let alice = chain.addr_make("alice");
    let bob = chain.addr_make("bob");
    chain.fund(&alice, &coins(1_000, DENOM)).unwrap();

    let sent = chain.send(&alice, &bob, &coins(400, DENOM)).expect("send");
    assert_eq!(chain.balance(&alice, DENOM).unwrap(), Uint256::from(600u32));
    assert_eq!(chain.balance(&bob, DENOM).unwrap(), Uint256::from(400u32));
    let transfer = sent.events_of("transfer").next().expect("transfer event");
    assert_eq!(transfer.get("recipient"), Some(bob.as_str()));
    assert_eq!(transfer.get("amount"), Some("400uusdc"));
    assert_eq!(sent.calls[0].kind, CallKind::BankSend);
    assert_calls_add_up(&sent);
    // Only storage: reads and writes of balances, accounts and params.
    assert_eq!(sent.gas_used, sent.calls[0].breakdown.module_storage);
    assert!(sent.gas_used > 10_000, "gas {}", sent.gas_used);

    let failed = chain.send(&alice, &bob, &coins(601, DENOM)).unwrap_err();
    assert_eq!((failed.codespace.as_str(), failed.code), ("sdk", 5));
    assert!(failed.log.contains("insufficient funds"));
    assert_eq!(chain.balance(&alice, DENOM).unwrap(), Uint256::from(600u32));

    // Zero and duplicate coins are invalid, as in x/bank.
    assert_eq!(
        chain.send(&alice, &bob, &coins(0, DENOM)).unwrap_err().code,
        10
    );
    assert_eq!(
        chain
            .send(&alice, &bob, &[coin(1, DENOM), coin(1, DENOM)])
            .unwrap_err()
            .code,
        10
    );
}

#[test]
fn a_failing_submessage_rolls_back_the_whole_transaction() {
    let Cw20Setup {
        mut chain,
        alice,
        bob,
        token,
    } = cw20_setup();
    // cw721-base has no `receive`: the hook the CW20 `send` dispatches fails.
    let nft_code = chain
        .store_code(&alice, &cw721_wasm())
        .unwrap()
        .code_id
        .unwrap();
    let nft_init = json!({
        "name": "n", "symbol": "N", "collection_info_extension": null,
        "minter": alice, "creator": null, "withdraw_address": null,
    });
    let nft = chain
        .instantiate(&alice, nft_code, &msg(nft_init), &[], "nft", None)
        .unwrap()
        .contract_address
        .unwrap();

    let send = msg(json!({ "send": { "contract": nft, "amount": "100", "msg": "e30=" } }));
    let failed = chain.execute(&alice, &token, &send, &[]).unwrap_err();
    assert_eq!(failed.codespace, "wasm");
    assert_eq!(cw20_balance(&chain, &token, &alice), 1_000_000);
    assert_eq!(cw20_balance(&chain, &token, &nft), 0);
    // The token's own call went through; the receiver's failed.
    let receiver = failed
        .calls
        .iter()
        .find(|c| c.depth == 1)
        .expect("the hook ran");
    assert!(receiver.failed && receiver.contract.as_deref() == Some(nft.as_str()));
    assert!(!failed.calls[0].failed);
    assert_eq!(
        failed.gas_used,
        failed.calls.iter().map(|c| c.gas).sum::<u64>()
    );

    // A later message's failure undoes an earlier message of the same transaction.
    chain.fund(&alice, &coins(500, DENOM)).unwrap();
    let tx = Tx {
        msgs: vec![
            ChainMsg::Send {
                from: alice.clone(),
                to: bob.clone(),
                amount: coins(200, DENOM),
            },
            ChainMsg::Execute {
                sender: alice.clone(),
                contract: token.clone(),
                msg: send,
                funds: vec![],
            },
        ],
        gas_limit: 5_000_000,
        hash: vec![1; 32],
    };
    let failed = chain.deliver_tx(&tx).unwrap_err();
    assert!(failed.log.contains("message index: 1"), "{}", failed.log);
    assert_eq!(chain.balance(&alice, DENOM).unwrap(), Uint256::from(500u32));
    assert_eq!(chain.balance(&bob, DENOM).unwrap(), Uint256::zero());

    // Running out of gas also undoes everything, and uses the whole limit.
    let transfer = msg(json!({ "transfer": { "recipient": bob, "amount": "1" } }));
    let tx = Tx {
        msgs: vec![ChainMsg::Execute {
            sender: alice.clone(),
            contract: token.clone(),
            msg: transfer,
            funds: vec![],
        }],
        gas_limit: 70_000,
        hash: vec![],
    };
    let failed = chain.deliver_tx(&tx).unwrap_err();
    assert_eq!(
        (failed.codespace.as_str(), failed.code, failed.gas_used),
        ("sdk", 11, 70_000)
    );
    assert_eq!(cw20_balance(&chain, &token, &bob), 0);
}

#[test]
fn the_same_calls_cost_the_same_gas() {
    let gas_of_run = || {
        let Cw20Setup {
            mut chain,
            alice,
            bob,
            token,
        } = cw20_setup();
        let mut gas = Vec::new();
        for amount in ["10", "20", "30"] {
            let transfer = msg(json!({ "transfer": { "recipient": bob, "amount": amount } }));
            let result = chain.execute(&alice, &token, &transfer, &[]).unwrap();
            gas.push((result.gas_used, result.calls[0].breakdown));
            chain.advance_block(5);
        }
        gas
    };
    let first = gas_of_run();
    assert_eq!(first, gas_of_run());
    // The second and third transfers touch the same keys with values of the same length.
    assert_eq!(first[1], first[2]);
}

#[test]
fn a_code_loaded_again_in_the_same_transaction_costs_the_discounted_setup() {
    let Cw20Setup {
        mut chain,
        alice,
        bob,
        token,
    } = cw20_setup();
    let transfer = msg(json!({ "transfer": { "recipient": bob, "amount": "1" } }));
    let execute = || ChainMsg::Execute {
        sender: alice.clone(),
        contract: token.clone(),
        msg: transfer.clone(),
        funds: vec![],
    };
    let tx = Tx {
        msgs: vec![execute(), execute()],
        gas_limit: 5_000_000,
        hash: vec![2; 32],
    };
    let delivered = chain.deliver_tx(&tx).unwrap();
    let data_cost = transfer.len() as u64 * CONTRACT_MESSAGE_DATA_COST;
    let setups: Vec<u64> = delivered.calls.iter().map(|c| c.breakdown.setup).collect();
    assert_eq!(
        setups,
        [
            INSTANCE_COST + data_cost,
            INSTANCE_COST_DISCOUNT + data_cost
        ]
    );
    // The next transaction starts afresh.
    let tx = Tx {
        msgs: vec![execute()],
        gas_limit: 5_000_000,
        hash: vec![3; 32],
    };
    let delivered = chain.deliver_tx(&tx).unwrap();
    assert_eq!(
        delivered.calls[0].breakdown.setup,
        INSTANCE_COST + data_cost
    );
}

#[test]
fn cross_contract_queries_are_charged_to_the_caller() {
    let mut chain = Chain::new(ChainConfig::default()).unwrap();
    let owner = chain.addr_make("owner");
    let creator = chain.addr_make("creator");
    let fan = chain.addr_make("fan");
    chain.fund(&fan, &coins(1_000_000, DENOM)).unwrap();
    let creators_code = chain
        .store_code(
            &owner,
            &artifact(
                "mesi_creators.wasm",
                &["scripts/build-wasm", "mesi-creators"],
            ),
        )
        .unwrap()
        .code_id
        .unwrap();
    let tips_code = chain
        .store_code(
            &owner,
            &artifact("mesi_tips.wasm", &["scripts/build-wasm", "mesi-tips"]),
        )
        .unwrap()
        .code_id
        .unwrap();
    let registry_init = json!({
        "treasury": chain.addr_make("treasury"),
        "fees": { "tips": 500, "subscriptions": 500, "ppv": 500, "surprise_sales": 500, "meetings": 500 },
        "accepted_assets": [{ "native": { "denom": DENOM } }],
        "fiat_gateways": [],
        "contracts": {},
    });
    let registry = chain
        .instantiate(
            &owner,
            creators_code,
            &msg(registry_init),
            &[],
            "creators",
            Some(&owner),
        )
        .unwrap()
        .contract_address
        .unwrap();
    let tips = chain
        .instantiate(
            &owner,
            tips_code,
            &msg(json!({ "creators": registry })),
            &[],
            "tips",
            Some(&owner),
        )
        .unwrap()
        .contract_address
        .unwrap();
    chain
        .execute(
            &owner,
            &registry,
            &msg(json!({ "update_config": { "contracts": { "tips": tips } } })),
            &[],
        )
        .unwrap();
    let profile = json!({
        "display_name": "Creator", "accepted_assets": [], "tip_minimums": [],
        "chat_rule": { "tipped_at_least": { "asset": { "native": { "denom": DENOM } }, "amount": "100" } },
    });
    chain
        .execute(
            &creator,
            &registry,
            &msg(json!({ "register_creator": { "profile": profile } })),
            &[],
        )
        .unwrap();

    // A tip asks the registry for the payment terms: the caller pays that query.
    let tip =
        msg(json!({ "tip": { "creator": creator, "context": "profile", "anonymous": false } }));
    let result = chain
        .execute(&fan, &tips, &tip, &coins(1_000, DENOM))
        .expect("tip");
    assert_calls_add_up(&result);
    let call = &result.calls[0];
    let registry_query = format!("wasm/smart:{registry}");
    let terms = call
        .sub_queries
        .iter()
        .find(|q| q.query == registry_query)
        .expect("terms query");
    assert!(
        terms.gas > INSTANCE_COST,
        "the query pays its own instance: {}",
        terms.gas
    );
    assert_eq!(
        call.in_sub_queries,
        call.sub_queries.iter().map(|q| q.gas).sum::<u64>()
    );
    assert!(call.gas > call.in_sub_queries + INSTANCE_COST);
    // The fee and the payout go out as bank messages after the call.
    assert!(result
        .calls
        .iter()
        .any(|c| c.kind == CallKind::BankSend && c.depth == 1));
    assert_eq!(
        chain.balance(&fan, DENOM).unwrap(),
        Uint256::from(999_000u32)
    );

    // CanMessage asks the tips contract; the query's gas includes it.
    let can_message = msg(json!({ "can_message": { "creator": creator, "fan": fan } }));
    let answer = chain.query(&registry, &can_message).expect("can_message");
    let decision: Value = serde_json::from_slice(&answer.data).unwrap();
    assert_eq!(decision["allowed"], true);
    let tips_query = answer
        .sub_queries
        .iter()
        .find(|q| q.query == format!("wasm/smart:{tips}"))
        .expect("tips query");
    assert!(tips_query.gas > INSTANCE_COST);
    assert!(answer.gas_used > tips_query.gas + INSTANCE_COST);
}

#[test]
fn a_chain_can_move_to_a_server_thread() {
    fn assert_send<T: Send>() {}
    assert_send::<Chain>();
    let chain = Chain::new(ChainConfig::default()).unwrap();
    let height = std::thread::spawn(move || chain.block().height)
        .join()
        .unwrap();
    assert_eq!(height, ChainConfig::default().genesis_height);
}

#[test]
fn simulation_reports_the_gas_of_delivery_and_keeps_nothing() {
    let Cw20Setup {
        mut chain,
        alice,
        bob,
        token,
    } = cw20_setup();
    let transfer = ChainMsg::Execute {
        sender: alice.clone(),
        contract: token.clone(),
        msg: msg(json!({ "transfer": { "recipient": bob, "amount": "7" } })),
        funds: vec![],
    };
    let tx = Tx {
        msgs: vec![transfer],
        gas_limit: 1_000_000,
        hash: vec![9; 32],
    };
    let simulated = chain.simulate(&tx).expect("simulation");
    assert_eq!(cw20_balance(&chain, &token, &bob), 0);
    let delivered = chain.deliver_tx(&tx).expect("delivery");
    assert_eq!(simulated.gas_used, delivered.gas_used);
    assert_eq!(simulated.events, delivered.events);
    assert_eq!(cw20_balance(&chain, &token, &bob), 7);
}

#[test]
fn only_the_admin_migrates() {
    let mut chain = Chain::new(ChainConfig::default()).unwrap();
    let alice = chain.addr_make("alice");
    let bob = chain.addr_make("bob");
    let code_id = chain
        .store_code(&alice, &cw20_wasm())
        .unwrap()
        .code_id
        .unwrap();
    let init = json!({
        "name": "Mesi", "symbol": "MESI", "decimals": 6, "initial_balances": [], "mint": null, "marketing": null,
    });
    let token = chain
        .instantiate(&alice, code_id, &msg(init), &[], "token", Some(&alice))
        .unwrap()
        .contract_address
        .unwrap();
    let refused = chain.migrate(&bob, &token, code_id, b"{}").unwrap_err();
    assert_eq!((refused.codespace.as_str(), refused.code), ("sdk", 4));
    let migrated = chain
        .migrate(&alice, &token, code_id, b"{}")
        .expect("admin migrates");
    let event = migrated.events_of("migrate").next().expect("migrate event");
    assert_eq!(event.get("_contract_address"), Some(token.as_str()));
    assert_eq!(migrated.calls[0].kind, CallKind::Migrate);
    assert_eq!(
        chain.contract_info(&token).unwrap().admin.as_deref(),
        Some(alice.as_str())
    );
}
