//! The chain side of the demo: wallets that sign and broadcast to a devnet over its RPC, as a
//! dApp's wallet does, and a block on demand after each transaction so the demo does not wait
//! for the block timer.

use anyhow::{anyhow, Context};
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

/// A devnet with the suite deployed, and the wallets of its accounts.
pub struct Chain {
    pub client: RpcClient,
    pub info: DevnetInfo,
    pub contracts: Contracts,
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
        let contracts = info
            .deployment
            .as_ref()
            .map(|d| d.contracts.clone())
            .ok_or_else(|| anyhow!("the devnet at {rpc} runs without the Mesi contracts"))?;
        let keys = derive_keys(
            &info.mnemonic,
            &info.bech32_prefix,
            info.accounts.len() as u32,
        )?;
        let gas_price = info
            .min_gas_price
            .parse()
            .map_err(|e| anyhow!("the devnet's gas price {:?}: {e}", info.min_gas_price))?;
        Ok(Chain {
            client,
            info,
            contracts,
            keys,
            gas_price,
        })
    }

    /// Account `index` of the devnet's mnemonic (0 owner, 1 treasury, 2 fiat gateway, then users).
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
            produce_blocks: true,
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

    /// Makes a block `seconds` later than the clock says; returns its height and time.
    pub fn advance(&self, seconds: u64) -> anyhow::Result<(u64, Timestamp)> {
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
