//! A small blocking CometBFT RPC client that signs with a [`DevKey`]: enough to deploy the
//! suite over RPC (`mesi-devnet deploy`) and to drive the devnet from tests. Call it from
//! blocking threads, not from inside an async runtime.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use cosmrs::proto::cosmos::auth::v1beta1::{
    BaseAccount, QueryAccountRequest, QueryAccountResponse,
};
use cosmrs::proto::cosmwasm::wasm::v1::{
    QuerySmartContractStateRequest, QuerySmartContractStateResponse,
};
use cosmrs::proto::traits::Message;
use cosmrs::Any;
use mesi_chain::Event;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

use crate::deploy::{default_artifacts_dir, deploy, DeployParams, Submit};
use crate::devnet::{account_infos, DevnetInfo, ROLES};
use crate::keys::{derive_keys, DevKey, DEV_MNEMONIC};
use crate::node::GasPrice;
use crate::sign::{coin, sign_tx, SignOptions};
use crate::tx::hash_hex;

pub struct RpcClient {
    base: String,
    http: reqwest::blocking::Client,
}

/// A transaction's result as `/tx` reports it.
#[derive(Clone, Debug)]
pub struct TxResponse {
    pub hash: String,
    pub height: u64,
    pub code: u32,
    pub codespace: String,
    pub log: String,
    pub gas_used: u64,
    pub events: Vec<Event>,
}

/// An `abci_query` answer that is not code 0.
#[derive(Clone, Debug, thiserror::Error)]
#[error("query failed with {codespace}/{code}: {log}")]
pub struct QueryFailed {
    pub codespace: String,
    pub code: u32,
    pub log: String,
}

fn events_from_json(value: &Value) -> Vec<Event> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            let mut event = Event::new(e["type"].as_str().unwrap_or_default());
            for a in e["attributes"].as_array().into_iter().flatten() {
                event = event.attr(
                    a["key"].as_str().unwrap_or_default(),
                    a["value"].as_str().unwrap_or_default(),
                );
            }
            event
        })
        .collect()
}

fn number(value: &Value) -> u64 {
    match value {
        Value::String(s) => s.parse().unwrap_or_default(),
        Value::Number(n) => n.as_u64().unwrap_or_default(),
        _ => 0,
    }
}

impl RpcClient {
    pub fn new(base: &str) -> anyhow::Result<Self> {
        Ok(RpcClient {
            base: base.trim_end_matches('/').to_string(),
            http: reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()?,
        })
    }

    /// The RPC address, without a trailing slash.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// A JSON-RPC call; the `result`, or the error as text.
    pub fn call(&self, method: &str, params: Value) -> anyhow::Result<Value> {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        let response: Value = self
            .http
            .post(format!("{}/", self.base))
            .json(&body)
            .send()
            .with_context(|| format!("{method} on {}", self.base))?
            .json()
            .with_context(|| format!("{method}: the answer is not JSON"))?;
        if let Some(error) = response.get("error") {
            bail!("{method}: {}: {}", error["message"], error["data"]);
        }
        response
            .get("result")
            .cloned()
            .ok_or_else(|| anyhow!("{method}: no result"))
    }

    pub fn chain_id(&self) -> anyhow::Result<String> {
        let status = self.call("status", json!({}))?;
        status["node_info"]["network"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| anyhow!("status has no chain id"))
    }

    pub fn abci_query(&self, path: &str, data: &[u8]) -> anyhow::Result<Vec<u8>> {
        let result = self.call(
            "abci_query",
            json!({"path": path, "data": hex::encode(data), "prove": false}),
        )?;
        let response = &result["response"];
        let code = number(&response["code"]) as u32;
        if code != 0 {
            return Err(QueryFailed {
                codespace: response["codespace"].as_str().unwrap_or_default().into(),
                code,
                log: response["log"].as_str().unwrap_or_default().into(),
            }
            .into());
        }
        Ok(response["value"]
            .as_str()
            .map(|v| STANDARD.decode(v))
            .transpose()?
            .unwrap_or_default())
    }

    /// Account number and sequence.
    pub fn account(&self, address: &str) -> anyhow::Result<(u64, u64)> {
        let bytes = self.abci_query(
            "/cosmos.auth.v1beta1.Query/Account",
            &QueryAccountRequest {
                address: address.into(),
            }
            .encode_to_vec(),
        )?;
        let any = QueryAccountResponse::decode(bytes.as_slice())?
            .account
            .ok_or_else(|| anyhow!("no account in the answer"))?;
        let account = BaseAccount::decode(any.value.as_slice())?;
        Ok((account.account_number, account.sequence))
    }

    pub fn smart_query<T: DeserializeOwned>(
        &self,
        contract: &str,
        msg: &impl Serialize,
    ) -> anyhow::Result<T> {
        let bytes = self.abci_query(
            "/cosmwasm.wasm.v1.Query/SmartContractState",
            &QuerySmartContractStateRequest {
                address: contract.into(),
                query_data: serde_json::to_vec(msg)?,
            }
            .encode_to_vec(),
        )?;
        let data = QuerySmartContractStateResponse::decode(bytes.as_slice())?.data;
        Ok(serde_json::from_slice(&data)?)
    }

    /// `broadcast_tx_sync`: the hash, or the CheckTx error as (codespace, code, log).
    pub fn broadcast_sync(&self, tx: &[u8]) -> anyhow::Result<Result<String, QueryFailed>> {
        let result = self.call("broadcast_tx_sync", json!({"tx": STANDARD.encode(tx)}))?;
        let code = number(&result["code"]) as u32;
        if code != 0 {
            return Ok(Err(QueryFailed {
                codespace: result["codespace"].as_str().unwrap_or_default().into(),
                code,
                log: result["log"].as_str().unwrap_or_default().into(),
            }));
        }
        Ok(Ok(result["hash"].as_str().unwrap_or_default().to_string()))
    }

    pub fn tx(&self, hash: &str) -> anyhow::Result<Option<TxResponse>> {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tx",
            "params": {"hash": STANDARD.encode(hex::decode(hash)?), "prove": false}});
        let response: Value = self
            .http
            .post(format!("{}/", self.base))
            .json(&body)
            .send()?
            .json()?;
        let Some(result) = response.get("result") else {
            return Ok(None);
        };
        let tx_result = &result["tx_result"];
        Ok(Some(TxResponse {
            hash: hash.to_string(),
            height: number(&result["height"]),
            code: number(&tx_result["code"]) as u32,
            codespace: tx_result["codespace"].as_str().unwrap_or_default().into(),
            log: tx_result["log"].as_str().unwrap_or_default().into(),
            gas_used: number(&tx_result["gas_used"]),
            events: events_from_json(&tx_result["events"]),
        }))
    }

    /// Broadcasts and polls `/tx` until the transaction is in a block.
    pub fn broadcast_and_wait(&self, tx: &[u8], timeout: Duration) -> anyhow::Result<TxResponse> {
        let hash = match self.broadcast_sync(tx)? {
            Ok(hash) => hash,
            Err(failed) => bail!("the transaction was refused: {failed}"),
        };
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(response) = self.tx(&hash)? {
                return Ok(response);
            }
            if Instant::now() > deadline {
                bail!("transaction {hash} is not in a block after {timeout:?}");
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

/// Signs as one key and sends over RPC; each transaction waits for its block.
pub struct RpcSubmitter<'a> {
    pub client: &'a RpcClient,
    pub key: &'a DevKey,
    pub chain_id: String,
    pub fee_denom: String,
    pub gas_price: GasPrice,
    /// Asks the devnet for a block after each broadcast (for a devnet that makes blocks only
    /// on demand).
    pub produce_blocks: bool,
}

impl RpcSubmitter<'_> {
    /// Signs `msgs` with the key's current sequence and has them run in a block; the result
    /// as `/tx` reports it, failed or not.
    pub fn send(&self, msgs: Vec<Any>, gas_limit: u64) -> anyhow::Result<TxResponse> {
        let (account_number, sequence) = self
            .client
            .account(&self.key.address)
            .with_context(|| format!("looking up the signer {}", self.key.address))?;
        let tx = sign_tx(
            self.key,
            msgs,
            &SignOptions {
                chain_id: self.chain_id.clone(),
                account_number,
                sequence,
                gas_limit,
                fee: vec![coin(self.gas_price.fee_for(gas_limit), &self.fee_denom)],
                memo: String::new(),
                timeout_height: 0,
            },
        );
        if self.produce_blocks {
            if let Err(failed) = self.client.broadcast_sync(&tx)? {
                bail!("the transaction was refused: {failed}");
            }
            self.client.call("dev_produce_block", json!({}))?;
        }
        let hash = hash_hex(&crate::tx::tx_hash(&tx));
        match self.client.tx(&hash)? {
            Some(response) => Ok(response),
            None => self.client.broadcast_and_wait(&tx, Duration::from_secs(60)),
        }
    }
}

impl Submit for RpcSubmitter<'_> {
    fn submit(&mut self, msgs: Vec<Any>, gas_limit: u64) -> anyhow::Result<Vec<Event>> {
        let response = self.send(msgs, gas_limit)?;
        if response.code != 0 {
            bail!(
                "transaction {} failed with {}/{}: {}",
                response.hash,
                response.codespace,
                response.code,
                response.log
            );
        }
        Ok(response.events)
    }
}

/// The suite deployed over RPC by a key of a mnemonic (`mesi-devnet deploy`): to a devnet, a
/// wasmd started by `scripts/wasmd`, or another chain.
#[derive(Clone, Debug)]
pub struct RpcDeployment {
    pub rpc: String,
    pub mnemonic: String,
    /// The account that signs, and owns the contracts.
    pub account: u32,
    /// Accounts 0..N of the mnemonic (at least owner, treasury and gateway): each gets 10^12
    /// MESI unless `mesi_balances` is given, and the returned info lists them.
    pub accounts: u32,
    pub prefix: String,
    pub fee_denom: String,
    pub gas_price: GasPrice,
    pub stable_denom: String,
    /// Default: account 1.
    pub treasury: Option<String>,
    /// Default: account 2.
    pub gateway: Option<String>,
    pub mesi_balances: Vec<(String, u128)>,
    pub artifacts: PathBuf,
    /// Asks the devnet for a block after each transaction (a devnet run with `--blocks manual`).
    pub produce_blocks: bool,
}

impl RpcDeployment {
    /// The devnet's defaults (its mnemonic, prefix, denoms and gas price) against `rpc`, for
    /// `accounts` accounts.
    pub fn with_devnet_defaults(rpc: &str, accounts: u32) -> RpcDeployment {
        RpcDeployment {
            rpc: rpc.to_string(),
            mnemonic: DEV_MNEMONIC.into(),
            account: 0,
            accounts,
            prefix: "wasm".into(),
            fee_denom: "ustake".into(),
            gas_price: "0.0025".parse().expect("a gas price"),
            stable_denom: "uusdc".into(),
            treasury: None,
            gateway: None,
            mesi_balances: vec![],
            artifacts: default_artifacts_dir(),
            produce_blocks: false,
        }
    }

    /// Deploys; returns what a client needs to use the chain, as the devnet's `dev_info`.
    pub fn run(&self) -> anyhow::Result<DevnetInfo> {
        let accounts = self.accounts.max(self.account + 1).max(ROLES.len() as u32);
        let keys = derive_keys(&self.mnemonic, &self.prefix, accounts)?;
        let key = &keys[self.account as usize];
        let client = RpcClient::new(&self.rpc)?;
        let chain_id = client.chain_id()?;
        let mesi_balances = if self.mesi_balances.is_empty() {
            keys.iter()
                .map(|k| (k.address.clone(), 1_000_000_000_000))
                .collect()
        } else {
            self.mesi_balances.clone()
        };
        let params = DeployParams {
            owner: key.address.clone(),
            treasury: self
                .treasury
                .clone()
                .unwrap_or_else(|| keys[1].address.clone()),
            fiat_gateways: vec![self
                .gateway
                .clone()
                .unwrap_or_else(|| keys[2].address.clone())],
            stable_denom: self.stable_denom.clone(),
            mesi_balances,
        };
        eprintln!(
            "deploying to {} (chain {chain_id}) as {}",
            self.rpc, key.address
        );
        let mut submitter = RpcSubmitter {
            client: &client,
            key,
            chain_id: chain_id.clone(),
            fee_denom: self.fee_denom.clone(),
            gas_price: self.gas_price,
            produce_blocks: self.produce_blocks,
        };
        let deployment = deploy(&mut submitter, &self.artifacts, &params)?;
        Ok(DevnetInfo {
            chain_id,
            bech32_prefix: self.prefix.clone(),
            mnemonic: self.mnemonic.clone(),
            fee_denom: self.fee_denom.clone(),
            min_gas_price: self.gas_price.to_string(),
            stable_denom: self.stable_denom.clone(),
            accounts: account_infos(&keys),
            indexer_contracts: Some(deployment.contracts.indexer_list()),
            deployment: Some(deployment),
        })
    }
}
