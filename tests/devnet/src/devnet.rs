//! A running devnet: genesis (accounts from the mnemonic, funded), the Mesi suite deployed in
//! block 1 by real signed transactions, and block production on a timer or on demand.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use mesi_chain::{coin, Coin};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use crate::deploy::{deploy, DeployParams, Deployment, NodeSubmitter};
use crate::keys::{derive_keys, hd_path, DevKey};
use crate::node::{CheckOutcome, Node, NodeConfig, TxRecord};
use crate::render::Identity;

/// How block times advance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockClock {
    /// Each block comes at the wall-clock second (at least one second after the previous).
    Wall,
    /// Each block comes this many seconds after the previous one, whatever the wall clock says.
    Fixed(u64),
}

/// When blocks are made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockProduction {
    /// On a timer (and on demand).
    Every(Duration),
    /// Right after each accepted transaction (and on demand), like anvil's automine.
    PerTx,
    /// Only on demand (`dev_produce_block`).
    OnDemand,
}

#[derive(Clone, Debug)]
pub struct DevnetOptions {
    pub node: NodeConfig,
    pub mnemonic: String,
    /// Accounts derived and funded: 0 owner, 1 treasury, 2 fiat gateway, then users.
    pub accounts: u32,
    pub stable_denom: String,
    /// Native stablecoin and fee-denom balance of each account (raw units).
    pub native_balance: u128,
    /// MESI balance of each account (raw units, 6 decimals).
    pub mesi_balance: u128,
    pub artifacts: PathBuf,
    /// Store, instantiate and wire the Mesi contracts in block 1.
    pub deploy: bool,
    pub production: BlockProduction,
    pub clock: BlockClock,
}

/// The roles of the first accounts.
pub const ROLES: [&str; 3] = ["owner", "treasury", "fiat_gateway"];

/// The accounts of `keys` as [`DevnetInfo`] lists them, with their roles.
pub fn account_infos(keys: &[DevKey]) -> Vec<AccountInfo> {
    keys.iter()
        .map(|k| AccountInfo {
            index: k.index,
            hd_path: hd_path(k.index),
            address: k.address.clone(),
            role: ROLES
                .get(k.index as usize)
                .map_or("user".into(), |r| r.to_string()),
        })
        .collect()
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AccountInfo {
    pub index: u32,
    pub hd_path: String,
    pub address: String,
    pub role: String,
}

/// What a client needs to use the devnet (served by `dev_info`, printed at start), or another
/// chain the suite was deployed to (`mesi-devnet deploy --info-out`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DevnetInfo {
    pub chain_id: String,
    pub bech32_prefix: String,
    pub mnemonic: String,
    pub fee_denom: String,
    pub min_gas_price: String,
    pub stable_denom: String,
    pub accounts: Vec<AccountInfo>,
    pub deployment: Option<Deployment>,
    /// The indexer's `MESI_CONTRACTS` value for this deployment (`ADDR=KIND,...`).
    pub indexer_contracts: Option<String>,
}

pub struct Devnet {
    node: Mutex<Node>,
    info: DevnetInfo,
    identity: Identity,
    production: BlockProduction,
    clock: BlockClock,
    /// Seconds added to the wall clock by `dev_produce_block` jumps.
    clock_offset: Mutex<u64>,
    heights: watch::Sender<u64>,
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The current wall-clock second as block time, for `--genesis-time now`.
pub fn wall_clock_nanos() -> u64 {
    now_secs() * 1_000_000_000
}

impl Devnet {
    /// Genesis, then block 1 (the deployment when asked for).
    pub fn start(options: DevnetOptions) -> anyhow::Result<Arc<Devnet>> {
        let keys = derive_keys(
            &options.mnemonic,
            &options.node.bech32_prefix,
            options.accounts.max(ROLES.len() as u32),
        )?;
        let native = |amount: u128| -> Vec<Coin> {
            let mut coins = vec![coin(amount, &options.stable_denom)];
            if options.node.fee_denom != options.stable_denom {
                coins.push(coin(amount, &options.node.fee_denom));
            }
            coins
        };
        let genesis: Vec<(String, Vec<Coin>)> = keys
            .iter()
            .map(|k| (k.address.clone(), native(options.native_balance)))
            .collect();
        let mut node = Node::new(options.node.clone(), &genesis)?;
        let first_block_gap = match options.clock {
            BlockClock::Fixed(seconds) => seconds,
            BlockClock::Wall => {
                now_secs().saturating_sub(options.node.genesis_time_nanos / 1_000_000_000)
            }
        };
        node.begin_block(first_block_gap);
        let deployment = if options.deploy {
            let params = deploy_params(&keys, &options);
            let mut submitter = NodeSubmitter {
                node: &mut node,
                key: &keys[0],
            };
            Some(
                deploy(&mut submitter, &options.artifacts, &params)
                    .context("deploying the Mesi contracts in block 1")?,
            )
        } else {
            None
        };
        node.end_block();
        let info = DevnetInfo {
            chain_id: options.node.chain_id.clone(),
            bech32_prefix: options.node.bech32_prefix.clone(),
            mnemonic: options.mnemonic.clone(),
            fee_denom: options.node.fee_denom.clone(),
            min_gas_price: options.node.min_gas_price.to_string(),
            stable_denom: options.stable_denom.clone(),
            accounts: account_infos(&keys),
            indexer_contracts: deployment.as_ref().map(|d| d.contracts.indexer_list()),
            deployment,
        };
        let (heights, _) = watch::channel(node.latest_height());
        Ok(Arc::new(Devnet {
            identity: Identity::for_chain(&options.node.chain_id),
            node: Mutex::new(node),
            info,
            production: options.production,
            clock: options.clock,
            clock_offset: Mutex::new(0),
            heights,
        }))
    }

    pub fn info(&self) -> &DevnetInfo {
        &self.info
    }

    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    pub fn production(&self) -> BlockProduction {
        self.production
    }

    /// The node, locked. Chain calls run contracts: call this from blocking threads.
    pub fn node(&self) -> MutexGuard<'_, Node> {
        self.node
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Notified with the latest height after each block.
    pub fn subscribe_heights(&self) -> watch::Receiver<u64> {
        self.heights.subscribe()
    }

    /// Makes a block with the mempool, `jump_seconds` later than the clock says; returns its
    /// height.
    pub fn produce_block(&self, jump_seconds: u64) -> u64 {
        let height = {
            let mut node = self.node();
            let last = node
                .latest_block()
                .map_or(0, |b| b.time_nanos / 1_000_000_000);
            let gap = match self.clock {
                BlockClock::Fixed(seconds) => seconds + jump_seconds,
                BlockClock::Wall => {
                    let mut offset = self.clock_offset.lock().unwrap_or_else(|p| p.into_inner());
                    *offset += jump_seconds;
                    (now_secs() + *offset).saturating_sub(last)
                }
            };
            node.produce_block(gap.max(1)).height
        };
        self.heights.send_replace(height);
        height
    }

    /// CheckTx, and a block at once when blocks are made per transaction.
    pub fn broadcast(&self, bytes: &[u8]) -> CheckOutcome {
        let outcome = self.node().check_tx(bytes);
        if outcome.result.is_ok() && self.production == BlockProduction::PerTx {
            self.produce_block(0);
        }
        outcome
    }

    pub fn find_tx(&self, hash: &[u8]) -> Option<TxRecord> {
        self.node().tx(hash).cloned()
    }

    /// Waits until `hash` is in a block, up to `timeout`.
    pub async fn wait_for_tx(&self, hash: [u8; 32], timeout: Duration) -> Option<TxRecord> {
        let mut heights = self.subscribe_heights();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Some(record) = self.find_tx(&hash) {
                return Some(record);
            }
            if tokio::time::timeout_at(deadline, heights.changed())
                .await
                .map_or(true, |changed| changed.is_err())
            {
                return self.find_tx(&hash);
            }
        }
    }

    /// Makes blocks on the timer until the devnet is dropped by every other owner.
    pub fn spawn_block_timer(self: &Arc<Self>) -> Option<tokio::task::JoinHandle<()>> {
        let BlockProduction::Every(interval) = self.production else {
            return None;
        };
        let devnet = Arc::downgrade(self);
        Some(tokio::spawn(async move {
            let mut ticker = tokio::time::interval(interval);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            ticker.tick().await;
            loop {
                ticker.tick().await;
                let Some(devnet) = devnet.upgrade() else {
                    return;
                };
                let made = tokio::task::spawn_blocking(move || devnet.produce_block(0)).await;
                if made.is_err() {
                    return;
                }
            }
        }))
    }
}

fn deploy_params(keys: &[DevKey], options: &DevnetOptions) -> DeployParams {
    DeployParams {
        owner: keys[0].address.clone(),
        treasury: keys[1].address.clone(),
        fiat_gateways: vec![keys[2].address.clone()],
        stable_denom: options.stable_denom.clone(),
        mesi_balances: keys
            .iter()
            .map(|k| (k.address.clone(), options.mesi_balance))
            .collect(),
    }
}
