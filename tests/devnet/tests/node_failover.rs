//! A validator that fails under the indexer: on a local network of four wasmd validators, an
//! indexer follows node 0 (then node 1, given as its second `--rpc`) while tips arrive; node 0
//! is killed in the middle of the run. Another indexer follows node 2, which never stops. Both
//! must end with the same rows in every table: nothing lost, nothing counted twice.
//! Needs MESI_WASMD (see mesi_devnet::wasmd) and a PostgreSQL for tests.

mod support;

use cosmrs::Any;
use mesi_common::chat_rule::ChatRule;
use mesi_common::interfaces::tips::TipContext;
use mesi_devnet::client::{RpcClient, RpcSubmitter, TxResponse};
use mesi_devnet::devnet::DevnetInfo;
use mesi_devnet::keys::{derive_keys, DevKey};
use mesi_devnet::sign::{coin, execute_msg};
use mesi_devnet::wasmd::Wasmd;
use mesi_indexer::testkit::{table_digests, Follower, TestDb};

const ACCOUNTS: u32 = 6;
const VALIDATORS: u16 = 4;
const CREATOR: usize = 3;
const FAN: usize = 4;
const TIPS_BEFORE_THE_STOP: usize = 6;
const TIPS_AFTER_THE_STOP: usize = 6;

/// Signs for the accounts of `info` and sends through one node.
struct Wallets {
    client: RpcClient,
    info: DevnetInfo,
    keys: Vec<DevKey>,
}

impl Wallets {
    fn send(&self, signer: usize, msg: Any) -> TxResponse {
        let response = RpcSubmitter {
            client: &self.client,
            key: &self.keys[signer],
            chain_id: self.info.chain_id.clone(),
            fee_denom: self.info.fee_denom.clone(),
            gas_price: self.info.min_gas_price.parse().unwrap(),
            produce_blocks: false,
        }
        .send(vec![msg], 1_500_000)
        .unwrap();
        assert_eq!(response.code, 0, "{}", response.log);
        response
    }

    fn contract(&self, name: &str) -> String {
        let contracts = &self.info.deployment.as_ref().unwrap().contracts;
        contracts.get(name).unwrap().to_string()
    }

    fn tip(&self, n: usize) -> TxResponse {
        let msg = mesi_tips::msg::ExecuteMsg::Tip {
            creator: self.keys[CREATOR].address.clone(),
            context: TipContext::Profile,
            message: Some(format!("tip {n}")),
            anonymous: false,
        };
        let funds = vec![coin(1_000_000 + n as u128, &self.info.stable_denom)];
        let any = execute_msg(&self.keys[FAN].address, &self.contract("tips"), &msg, funds);
        self.send(FAN, any)
    }
}

#[test]
fn an_indexer_whose_validator_dies_keeps_every_row() {
    let Some(network) = Wasmd::start_network_or_skip(ACCOUNTS, VALIDATORS) else {
        return;
    };
    let info = network.deploy().expect("the suite deploys to the network");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let contracts: Vec<String> = info
        .deployment
        .as_ref()
        .unwrap()
        .contracts
        .indexer_kinds()
        .into_iter()
        .map(|(address, kind)| format!("{address}={kind}"))
        .collect();
    let follow = |rpcs: Vec<String>| {
        let contracts = contracts.clone();
        runtime.block_on(async move {
            let db = TestDb::create().await?;
            let follower = Follower::start_on(&rpcs, &db.url, contracts)
                .await
                .expect("the indexer starts");
            Some((db, follower))
        })
    };
    let Some((failing_db, failing)) = follow(network.rpcs[..2].to_vec()) else {
        return;
    };
    let (steady_db, steady) = follow(vec![network.rpcs[2].clone()]).unwrap();

    // Transactions go through node 3, which stays up.
    let wallets = Wallets {
        client: RpcClient::new(&network.rpcs[3]).unwrap(),
        keys: derive_keys(&info.mnemonic, &info.bech32_prefix, ACCOUNTS).unwrap(),
        info: info.clone(),
    };
    let register = mesi_creators::msg::ExecuteMsg::RegisterCreator {
        profile: mesi_creators::msg::ProfileInput {
            display_name: "Failover".into(),
            payout: None,
            accepted_assets: vec![],
            tip_minimums: vec![],
            chat_rule: ChatRule::Everyone,
        },
    };
    let creator = &wallets.keys[CREATOR].address;
    wallets.send(
        CREATOR,
        execute_msg(creator, &wallets.contract("creators"), &register, vec![]),
    );
    let mut height = 0;
    for n in 0..TIPS_BEFORE_THE_STOP {
        height = wallets.tip(n).height;
    }
    // Node 0 has served the indexer up to here; it dies with blocks still to come.
    support::wait_until_indexed(&failing.api_url, height);
    network.stop_node(0).expect("node 0 is killed");
    for n in TIPS_BEFORE_THE_STOP..TIPS_BEFORE_THE_STOP + TIPS_AFTER_THE_STOP {
        height = wallets.tip(n).height;
    }
    let end = height;
    support::wait_until_indexed(&failing.api_url, end);
    support::wait_until_indexed(&steady.api_url, end);
    assert!(failing.is_running() && steady.is_running());

    let (after_failover, without_stop) = runtime.block_on(async {
        (
            table_digests(&failing_db.pool().await).await,
            table_digests(&steady_db.pool().await).await,
        )
    });
    let tips_rows = |digests: &std::collections::BTreeMap<String, (i64, String)>| {
        digests.get("tips").map(|(rows, _)| *rows)
    };
    assert_eq!(
        tips_rows(&without_stop),
        Some((TIPS_BEFORE_THE_STOP + TIPS_AFTER_THE_STOP) as i64),
        "every tip is indexed once: {without_stop:?}"
    );
    // The cursor and the ingest statistics say how far each indexer has read: the chain goes
    // on making (empty) blocks, so they differ by when each was asked.
    let how_far_read = ["ingest_cursor", "ingest_stats"];
    let differing: Vec<&String> = without_stop
        .keys()
        .chain(after_failover.keys())
        .filter(|table| !how_far_read.contains(&table.as_str()))
        .filter(|table| without_stop.get(*table) != after_failover.get(*table))
        .collect();
    assert!(
        differing.is_empty(),
        "tables differ after the fail-over: {differing:?}\nwith the stop: {after_failover:?}\nwithout: {without_stop:?}"
    );
}
