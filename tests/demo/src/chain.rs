//! The chain side of the demo: wallets that sign and broadcast over a chain's RPC, as a dApp's
//! wallet does. On a devnet, a block on demand after each transaction (so the demo does not
//! wait for the block timer) and jumps of its clock; on a real chain (wasmd), blocks on the
//! chain's own schedule and time that passes as it does.

use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use chrono::{DateTime, Utc};
use cosmrs::proto::cosmos::base::v1beta1::Coin;
use cosmwasm_std::Timestamp;
use mesi_chain::Event;
use mesi_devnet::client::{RpcClient, RpcSubmitter};
use mesi_devnet::deploy::{Contracts, Submit};
use mesi_devnet::devnet::DevnetInfo;
use mesi_devnet::keys::{derive_keys, DevKey};
use mesi_devnet::node::GasPrice;
use mesi_devnet::sign::{coin, execute_msg};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::json;

/// Gas limit of every demo transaction; the devnet charges what the limit costs at its price.
const GAS_LIMIT: u64 = 3_000_000;
/// The longest [`Chain::wait_until`] waits on a real chain.
const MAX_REAL_WAIT: Duration = Duration::from_secs(5 * 60);

/// How time passes on the chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clock {
    /// A devnet: `dev_produce_block` makes a block at once, as far ahead as asked.
    Jumps,
    /// A chain on its own schedule: waiting for a time takes that long.
    RealTime,
}

/// A chain with the suite deployed, and the wallets of its accounts.
pub struct Chain {
    pub client: RpcClient,
    pub info: DevnetInfo,
    pub contracts: Contracts,
    pub clock: Clock,
    keys: Vec<DevKey>,
    gas_price: GasPrice,
}

impl Chain {
    /// Connects to the devnet at `rpc` and derives its accounts from the mnemonic it serves.
    pub fn connect(rpc: &str) -> anyhow::Result<Chain> {
        let client = RpcClient::new(rpc)?;
        let info: DevnetInfo = serde_json::from_value(
            client
                .call("dev_info", json!({}))
                .with_context(|| format!("asking {rpc} for dev_info (is it a mesi-devnet?)"))?,
        )?;
        Chain::new(client, info, Clock::Jumps)
    }

    /// Connects to a real chain at `rpc` that `info` describes (`mesi-devnet deploy --info-out`).
    pub fn connect_described(rpc: &str, info: DevnetInfo) -> anyhow::Result<Chain> {
        Chain::new(RpcClient::new(rpc)?, info, Clock::RealTime)
    }

    fn new(client: RpcClient, info: DevnetInfo, clock: Clock) -> anyhow::Result<Chain> {
        let rpc = client.base().to_string();
        let contracts = info
            .deployment
            .as_ref()
            .map(|d| d.contracts.clone())
            .ok_or_else(|| anyhow!("the chain at {rpc} has no Mesi deployment"))?;
        let keys = derive_keys(
            &info.mnemonic,
            &info.bech32_prefix,
            info.accounts.len() as u32,
        )?;
        let gas_price = info
            .min_gas_price
            .parse()
            .map_err(|e| anyhow!("the chain's gas price {:?}: {e}", info.min_gas_price))?;
        Ok(Chain {
            client,
            info,
            contracts,
            clock,
            keys,
            gas_price,
        })
    }

    /// Account `index` of the chain's mnemonic (0 owner, 1 treasury, 2 fiat gateway, then users).
    pub fn key(&self, index: usize) -> anyhow::Result<&DevKey> {
        self.keys.get(index).ok_or_else(|| {
            anyhow!(
                "the devnet has {} accounts; the demo needs account {index} (run it with --accounts {})",
                self.keys.len(),
                index + 1
            )
        })
    }

    /// The stablecoin in raw units.
    pub fn stable(&self, amount: u128) -> Vec<Coin> {
        vec![coin(amount, &self.info.stable_denom)]
    }

    /// Runs `msg` on `contract` as `signer`, with `funds`, in a block of its own.
    pub fn execute<T: Serialize>(
        &self,
        signer: &DevKey,
        contract: &str,
        msg: &T,
        funds: Vec<Coin>,
    ) -> anyhow::Result<Vec<Event>> {
        let mut submitter = RpcSubmitter {
            client: &self.client,
            key: signer,
            chain_id: self.info.chain_id.clone(),
            fee_denom: self.info.fee_denom.clone(),
            gas_price: self.gas_price,
            produce_blocks: self.clock == Clock::Jumps,
        };
        submitter
            .submit(
                vec![execute_msg(&signer.address, contract, msg, funds)],
                GAS_LIMIT,
            )
            .with_context(|| {
                let text = serde_json::to_string(msg).unwrap_or_default();
                format!("{} executing {text} on {contract}", signer.address)
            })
    }

    pub fn query<T: DeserializeOwned>(
        &self,
        contract: &str,
        msg: &impl Serialize,
    ) -> anyhow::Result<T> {
        self.client.smart_query(contract, msg)
    }

    /// The first block at or after `time`: on a devnet made at once, on a real chain waited
    /// for. Returns its height and time.
    pub fn wait_until(&self, time: Timestamp) -> anyhow::Result<(u64, Timestamp)> {
        match self.clock {
            Clock::Jumps => {
                let (_, now) = self.head()?;
                let seconds = time.seconds().saturating_sub(now.seconds()).max(1);
                let block = self
                    .client
                    .call("dev_produce_block", json!({ "seconds": seconds }))?;
                let height = block["height"]
                    .as_str()
                    .and_then(|h| h.parse().ok())
                    .ok_or_else(|| anyhow!("dev_produce_block answered {block}"))?;
                Ok((
                    height,
                    timestamp(block["time"].as_str().unwrap_or_default())?,
                ))
            }
            Clock::RealTime => {
                let (_, now) = self.head()?;
                let wait = time.seconds().saturating_sub(now.seconds());
                if wait > MAX_REAL_WAIT.as_secs() {
                    bail!(
                        "waiting {wait} s for {time} on a real chain is more than the demo waits"
                    );
                }
                loop {
                    let (height, now) = self.head()?;
                    if now >= time {
                        return Ok((height, now));
                    }
                    std::thread::sleep(Duration::from_millis(250));
                }
            }
        }
    }

    /// The latest block's height and time.
    pub fn head(&self) -> anyhow::Result<(u64, Timestamp)> {
        let status = self.client.call("status", json!({}))?;
        let sync = &status["sync_info"];
        let height = sync["latest_block_height"]
            .as_str()
            .and_then(|h| h.parse().ok())
            .ok_or_else(|| anyhow!("status answered {status}"))?;
        Ok((
            height,
            timestamp(sync["latest_block_time"].as_str().unwrap_or_default())?,
        ))
    }
}

fn timestamp(rfc3339: &str) -> anyhow::Result<Timestamp> {
    let time: DateTime<Utc> = rfc3339
        .parse()
        .with_context(|| format!("block time {rfc3339:?}"))?;
    Ok(Timestamp::from_seconds(time.timestamp() as u64))
}

/// The value of `key` in the first event of `kind` (as x/wasm names it, `wasm-<type>`).
pub fn attribute(events: &[Event], kind: &str, key: &str) -> anyhow::Result<String> {
    events
        .iter()
        .filter(|e| e.ty == kind)
        .flat_map(|e| e.attributes.iter())
        .find(|a| a.key == key)
        .map(|a| a.value.clone())
        .ok_or_else(|| anyhow!("no {kind} event with {key} in {events:?}"))
}
