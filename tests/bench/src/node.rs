//! A real node as the bench's chain: transactions signed with the accounts of the devnet's
//! mnemonic and sent over CometBFT RPC, as a wallet would; gas as the node reports it (the
//! whole transaction, ante handler included). Time passes as it does on the chain.

use std::collections::HashMap;
use std::time::Duration;

use chrono::DateTime;
use mesi_devnet::client::{RpcClient, RpcSubmitter, TxResponse};
use mesi_devnet::deploy::store_gas;
use mesi_devnet::keys::DevKey;
use mesi_devnet::node::GasPrice;
use mesi_devnet::sign::{coin, execute_msg, instantiate_msg, store_code_msg};
use serde_json::{json, Value};

use crate::chain::{BenchChain, Executed, Measured, Step, USDC};

/// Every transaction's gas limit: the fee, and so the fee deduction's gas, is the same for all.
const GAS_LIMIT: u64 = 3_000_000;

pub struct Node {
    client: RpcClient,
    chain_id: String,
    fee_denom: String,
    gas_price: GasPrice,
    keys: HashMap<String, DevKey>,
}

impl Node {
    pub fn connect(
        rpc: &str,
        keys: Vec<DevKey>,
        fee_denom: &str,
        gas_price: GasPrice,
    ) -> Step<Node> {
        let client = RpcClient::new(rpc).map_err(|e| e.to_string())?;
        let chain_id = client.chain_id().map_err(|e| e.to_string())?;
        Ok(Node {
            client,
            chain_id,
            fee_denom: fee_denom.into(),
            gas_price,
            keys: keys.into_iter().map(|k| (k.address.clone(), k)).collect(),
        })
    }

    fn send(&self, sender: &str, msg: cosmrs::Any, gas_limit: u64) -> Step<TxResponse> {
        let key = self
            .keys
            .get(sender)
            .ok_or_else(|| format!("no key for {sender}"))?;
        let response = RpcSubmitter {
            client: &self.client,
            key,
            chain_id: self.chain_id.clone(),
            fee_denom: self.fee_denom.clone(),
            gas_price: self.gas_price,
            produce_blocks: false,
        }
        .send(vec![msg], gas_limit)
        .map_err(|e| format!("{e:#}"))?;
        if response.code != 0 {
            return Err(format!(
                "failed with {}/{}: {}",
                response.codespace, response.code, response.log
            ));
        }
        Ok(response)
    }
}

fn event_attribute(response: &TxResponse, ty: &str, key: &str) -> Step<String> {
    response
        .events
        .iter()
        .filter(|e| e.ty == ty)
        .find_map(|e| e.get(key))
        .map(str::to_owned)
        .ok_or_else(|| format!("no {ty}.{key} in the events"))
}

impl BenchChain for Node {
    fn deploy(&mut self, sender: &str, wasm: &[u8], init: &[u8], label: &str) -> Step<String> {
        let stored = self.send(
            sender,
            store_code_msg(sender, wasm.to_vec()),
            store_gas(wasm.len()),
        )?;
        let code_id: u64 = event_attribute(&stored, "store_code", "code_id")?
            .parse()
            .map_err(|_| "bad code id")?;
        let init: Value = serde_json::from_slice(init).map_err(|e| e.to_string())?;
        let instantiated = self.send(
            sender,
            instantiate_msg(sender, Some(sender), code_id, label, &init),
            GAS_LIMIT,
        )?;
        event_attribute(&instantiated, "instantiate", "_contract_address")
    }

    fn execute(&mut self, sender: &str, contract: &str, msg: &[u8], usdc: u128) -> Step<Executed> {
        let funds = if usdc == 0 {
            vec![]
        } else {
            vec![coin(usdc, USDC)]
        };
        let msg: Value = serde_json::from_slice(msg).map_err(|e| e.to_string())?;
        let response = self.send(
            sender,
            execute_msg(sender, contract, &msg, funds),
            GAS_LIMIT,
        )?;
        Ok(Executed {
            measured: Measured {
                gas: response.gas_used,
                breakdown: None,
            },
            events: response.events,
        })
    }

    fn query(&self, contract: &str, msg: &[u8]) -> Step<(Vec<u8>, Option<Measured>)> {
        let msg: Value = serde_json::from_slice(msg).map_err(|e| e.to_string())?;
        let answer: Value = self
            .client
            .smart_query(contract, &msg)
            .map_err(|e| format!("{e:#}"))?;
        Ok((
            serde_json::to_vec(&answer).map_err(|e| e.to_string())?,
            None,
        ))
    }

    fn now(&self) -> Step<u64> {
        let status = self
            .client
            .call("status", json!({}))
            .map_err(|e| e.to_string())?;
        let time = status["sync_info"]["latest_block_time"]
            .as_str()
            .ok_or("no latest_block_time in /status")?;
        let time = DateTime::parse_from_rfc3339(time).map_err(|e| e.to_string())?;
        Ok(time.timestamp() as u64)
    }

    fn wait_until(&mut self, seconds: u64) -> Step<()> {
        // The next transaction's block comes after the latest one.
        while self.now()? < seconds {
            std::thread::sleep(Duration::from_millis(250));
        }
        Ok(())
    }
}
