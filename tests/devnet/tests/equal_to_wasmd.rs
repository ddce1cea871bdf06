//! The devnet against a real wasmd node: the same signed transactions on both (the same
//! accounts, sequences and messages, so the same bytes and signatures), compared one by one:
//! success or error code, and the events (types, attributes, their order, `msg_index`). Gas
//! used is printed side by side, not yet compared: the devnet's ante cost is an estimate (see
//! the Devnet section of the README).
//!
//! A value that differs only because the chains' block times differ (a time derived from the
//! block's) counts as equal when it is the same offset from its block's time. With a
//! PostgreSQL for tests, an indexer follows each chain, and their tables must hold the same
//! rows (compared without the columns that say where and when on its chain a row happened).
//! Needs MESI_WASMD (see mesi_devnet::wasmd).

mod support;

use std::time::Duration;

use chrono::DateTime;
use cosmrs::Any;
use mesi_chain::Event;
use mesi_devnet::client::{RpcClient, RpcSubmitter, TxResponse};
use mesi_devnet::devnet::{wall_clock_nanos, BlockClock, BlockProduction, DevnetInfo};
use mesi_devnet::keys::{derive_keys, DevKey};
use mesi_devnet::node::GasPrice;
use mesi_devnet::sign::{coin, execute_msg};
use mesi_devnet::wasmd::Wasmd;
use mesi_indexer::testkit::{chain_independent_digests, Follower, TestDb};
use serde_json::{json, Value};

const ACCOUNTS: u32 = 8;
const GAS_LIMIT: u64 = 1_500_000;
const CREATOR: usize = 3;
const FAN: usize = 4;
const BIDDER: usize = 5;

/// One chain with the suite, and the wallets of its accounts.
struct Signer {
    client: RpcClient,
    info: DevnetInfo,
    keys: Vec<DevKey>,
    gas_price: GasPrice,
    /// A time both chains have passed, for the times messages carry (seconds).
    reference_time: u64,
}

impl Signer {
    fn new(rpc: &str, info: DevnetInfo) -> Signer {
        let keys = derive_keys(&info.mnemonic, &info.bech32_prefix, ACCOUNTS).unwrap();
        let gas_price = info.min_gas_price.parse().unwrap();
        Signer {
            client: RpcClient::new(rpc).unwrap(),
            info,
            keys,
            gas_price,
            reference_time: 0,
        }
    }

    fn contract(&self, name: &str) -> String {
        let contracts = &self.info.deployment.as_ref().unwrap().contracts;
        contracts.get(name).unwrap().to_string()
    }

    fn send(&self, signer: usize, msgs: Vec<Any>, gas_limit: u64) -> TxResponse {
        RpcSubmitter {
            client: &self.client,
            key: &self.keys[signer],
            chain_id: self.info.chain_id.clone(),
            fee_denom: self.info.fee_denom.clone(),
            gas_price: self.gas_price,
            produce_blocks: false,
        }
        .send(msgs, gas_limit)
        .unwrap()
    }

    fn block_time_nanos(&self, height: u64) -> i128 {
        let block = self
            .client
            .call("block", json!({ "height": height.to_string() }))
            .unwrap();
        let time = block["block"]["header"]["time"].as_str().unwrap();
        DateTime::parse_from_rfc3339(time)
            .unwrap()
            .timestamp_nanos_opt()
            .unwrap() as i128
    }

    fn head_height(&self) -> u64 {
        let status = self.client.call("status", json!({})).unwrap();
        status["sync_info"]["latest_block_height"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap()
    }

    fn head_seconds(&self) -> u64 {
        let status = self.client.call("status", json!({})).unwrap();
        let time = status["sync_info"]["latest_block_time"].as_str().unwrap();
        DateTime::parse_from_rfc3339(time).unwrap().timestamp() as u64
    }
}

/// A transaction of the sequence: who signs, what, with which gas limit.
struct Step {
    what: &'static str,
    signer: usize,
    gas_limit: u64,
    msgs: fn(&Signer) -> Vec<Any>,
}

fn exec(chain: &Signer, signer: usize, contract: &str, msg: Value, usdc: u128) -> Any {
    let funds = if usdc == 0 {
        vec![]
    } else {
        vec![coin(usdc, &chain.info.stable_denom)]
    };
    execute_msg(
        &chain.keys[signer].address,
        &chain.contract(contract),
        &msg,
        funds,
    )
}

fn tip(chain: &Signer, to: usize, message: &str) -> Any {
    let creator = chain.keys[to].address.clone();
    exec(
        chain,
        FAN,
        "tips",
        json!({"tip": {"creator": creator, "context": "profile", "message": message, "anonymous": false}}),
        2_500_000,
    )
}

fn steps() -> Vec<Step> {
    vec![
        Step {
            what: "register a creator",
            signer: CREATOR,
            gas_limit: GAS_LIMIT,
            msgs: |c| {
                vec![exec(
                    c,
                    CREATOR,
                    "creators",
                    json!({"register_creator": {"profile": {"display_name": "Equal", "payout": null,
                        "accepted_assets": [], "tip_minimums": [], "chat_rule": "everyone"}}}),
                    0,
                )]
            },
        },
        Step {
            what: "create a tier",
            signer: CREATOR,
            gas_limit: GAS_LIMIT,
            msgs: |c| {
                let asset = json!({"native": {"denom": c.info.stable_denom}});
                vec![exec(
                    c,
                    CREATOR,
                    "subscriptions",
                    json!({"create_tier": {"tier": 1, "asset": asset, "period_seconds": 30 * 86_400,
                        "terms": {"name": "Supporter", "price": "10000000", "subscriber_cap": null,
                            "bundles": [], "trial_seconds": null}}}),
                    0,
                )]
            },
        },
        Step {
            what: "subscribe",
            signer: FAN,
            gas_limit: GAS_LIMIT,
            msgs: |c| {
                let creator = c.keys[CREATOR].address.clone();
                vec![exec(
                    c,
                    FAN,
                    "subscriptions",
                    json!({"subscribe": {"creator": creator, "tier": 1, "periods": 1,
                        "max_price_per_period": "10000000", "auto_renew": false}}),
                    10_000_000,
                )]
            },
        },
        Step {
            what: "tip with a message",
            signer: FAN,
            gas_limit: GAS_LIMIT,
            msgs: |c| vec![tip(c, CREATOR, "hello")],
        },
        Step {
            what: "two tips in one transaction",
            signer: FAN,
            gas_limit: GAS_LIMIT,
            msgs: |c| vec![tip(c, CREATOR, "one"), tip(c, CREATOR, "two")],
        },
        Step {
            what: "a tip the contract refuses (not a creator)",
            signer: FAN,
            gas_limit: GAS_LIMIT,
            msgs: |c| vec![tip(c, BIDDER, "nobody")],
        },
        Step {
            what: "a tip out of gas",
            signer: FAN,
            gas_limit: 120_000,
            msgs: |c| vec![tip(c, CREATOR, "short")],
        },
        Step {
            what: "open a meeting auction",
            signer: CREATOR,
            gas_limit: GAS_LIMIT,
            msgs: |c| {
                let now = c.reference_time;
                let nanos = |s: u64| (s * 1_000_000_000).to_string();
                let asset = json!({"native": {"denom": c.info.stable_denom}});
                vec![exec(
                    c,
                    CREATOR,
                    "meetings",
                    json!({"open_auction": {"auction": {
                        "slot": {"start": nanos(now + 7 * 86_400), "duration_secs": 1_800, "time_zone": "Europe/Paris"},
                        "format": "video", "description": "A call", "asset": asset, "reserve": "1000000",
                        "min_increment_bps": 500, "bidding_ends_at": nanos(now + 86_400),
                        "extension_secs": 300, "buy_now": null}}}),
                    0,
                )]
            },
        },
        Step {
            what: "bid",
            signer: BIDDER,
            gas_limit: GAS_LIMIT,
            msgs: |c| {
                vec![exec(
                    c,
                    BIDDER,
                    "meetings",
                    json!({"bid": {"auction_id": 1}}),
                    5_000_000,
                )]
            },
        },
    ]
}

type Compared<'a> = (&'a Event, i128);

/// Whether two values of the same attribute agree: equal, or times equally far from their
/// blocks' times.
fn same_value(devnet: &str, wasmd: &str, devnet_block: i128, wasmd_block: i128) -> bool {
    devnet == wasmd
        || matches!(
            (devnet.parse::<i128>(), wasmd.parse::<i128>()),
            (Ok(d), Ok(w)) if d - devnet_block == w - wasmd_block
        )
}

/// The differences between two events of the same type, as text.
fn event_difference(
    (devnet, devnet_block): Compared,
    (wasmd, wasmd_block): Compared,
) -> Option<String> {
    let keys = |e: &Event| {
        e.attributes
            .iter()
            .map(|a| a.key.clone())
            .collect::<Vec<_>>()
    };
    if keys(devnet) != keys(wasmd) {
        return Some(format!(
            "attributes {:?} vs {:?}",
            keys(devnet),
            keys(wasmd)
        ));
    }
    let differing: Vec<String> = devnet
        .attributes
        .iter()
        .zip(&wasmd.attributes)
        .filter(|(d, w)| !same_value(&d.value, &w.value, devnet_block, wasmd_block))
        .map(|(d, w)| format!("{}: {:?} vs {:?}", d.key, d.value, w.value))
        .collect();
    (!differing.is_empty()).then(|| differing.join("; "))
}

#[test]
fn the_devnet_answers_as_wasmd_does() {
    let Some(wasmd) = Wasmd::start_or_skip(ACCOUNTS) else {
        return;
    };
    let wasmd_info = wasmd.deploy().expect("the suite deploys to wasmd");
    // The chain id, accounts and clock of the wasmd chain: the same sign docs, times near.
    let mut options = support::options(BlockProduction::Every(Duration::from_millis(300)));
    options.node.chain_id = wasmd_info.chain_id.clone();
    options.node.genesis_time_nanos = wall_clock_nanos();
    options.clock = BlockClock::Wall;
    options.accounts = ACCOUNTS;
    let served = support::serve(options);

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let indexers = runtime.block_on(async {
        let follow = |rpc: String, info: DevnetInfo| async move {
            let db = TestDb::create().await?;
            let contracts = info.deployment.unwrap().contracts.indexer_kinds();
            let pairs = contracts.into_iter().map(|(a, k)| format!("{a}={k}"));
            let follower = Follower::start(&rpc, &db.url, pairs)
                .await
                .expect("the indexer starts");
            Some((db, follower))
        };
        Some((
            follow(served.url.clone(), served.devnet.info().clone()).await?,
            follow(wasmd.rpc.clone(), wasmd_info.clone()).await?,
        ))
    });

    let mut devnet = Signer::new(&served.url, served.devnet.info().clone());
    let mut real = Signer::new(&wasmd.rpc, wasmd_info);
    assert_eq!(
        devnet.info.deployment.as_ref().unwrap().contracts,
        real.info.deployment.as_ref().unwrap().contracts,
        "the same deployment has the same addresses"
    );
    let reference_time = devnet.head_seconds().max(real.head_seconds());
    devnet.reference_time = reference_time;
    real.reference_time = reference_time;

    let mut differences = Vec::new();
    println!("{:<46} {:>12} {:>12}", "gas used", "devnet", "wasmd");
    for step in steps() {
        let on_devnet = devnet.send(step.signer, (step.msgs)(&devnet), step.gas_limit);
        let on_wasmd = real.send(step.signer, (step.msgs)(&real), step.gas_limit);
        println!(
            "{:<46} {:>12} {:>12}",
            step.what, on_devnet.gas_used, on_wasmd.gas_used
        );
        let mut differ = |what: String| differences.push(format!("{}: {what}", step.what));
        if (&on_devnet.codespace, on_devnet.code) != (&on_wasmd.codespace, on_wasmd.code) {
            differ(format!(
                "code {}/{} ({}) vs {}/{} ({})",
                on_devnet.codespace,
                on_devnet.code,
                on_devnet.log,
                on_wasmd.codespace,
                on_wasmd.code,
                on_wasmd.log
            ));
        }
        let types = |events: &[Event]| events.iter().map(|e| e.ty.clone()).collect::<Vec<_>>();
        if types(&on_devnet.events) != types(&on_wasmd.events) {
            differ(format!(
                "event types {:?} vs {:?}",
                types(&on_devnet.events),
                types(&on_wasmd.events)
            ));
            continue;
        }
        let devnet_block = devnet.block_time_nanos(on_devnet.height);
        let wasmd_block = real.block_time_nanos(on_wasmd.height);
        for (d, w) in on_devnet.events.iter().zip(&on_wasmd.events) {
            if let Some(difference) = event_difference((d, devnet_block), (w, wasmd_block)) {
                differ(format!("event {}: {difference}", d.ty));
            }
        }
    }
    if let Some(((devnet_db, devnet_indexer), (wasmd_db, wasmd_indexer))) = &indexers {
        for (chain, indexer) in [(&devnet, devnet_indexer), (&real, wasmd_indexer)] {
            let head = chain.head_height();
            support::wait_until_indexed(&indexer.api_url, head);
        }
        let (on_devnet, on_wasmd) = runtime.block_on(async {
            (
                chain_independent_digests(&devnet_db.url).await,
                chain_independent_digests(&wasmd_db.url).await,
            )
        });
        for (table, digest) in &on_devnet {
            if on_wasmd.get(table) != Some(digest) {
                differences.push(format!(
                    "indexed table {table}: {digest:?} vs {:?}",
                    on_wasmd.get(table)
                ));
            }
        }
        let rows: i64 = on_devnet.values().map(|(rows, _)| rows).sum();
        println!(
            "indexed: {} tables, {rows} rows on the devnet",
            on_devnet.len()
        );
        assert!(rows > 0, "the indexers wrote rows");
        assert_eq!(on_devnet.len(), on_wasmd.len(), "the same tables");
    }
    assert!(
        differences.is_empty(),
        "{} differences:\n{}",
        differences.len(),
        differences.join("\n")
    );
}
