//! The public face of the engine: transactions in, events and gas out.

use std::path::PathBuf;
use std::rc::Rc;

use cosmwasm_std::{Checksum, Coin, Uint256};
use cosmwasm_vm::{Cache, CacheOptions, Size};
use serde::Serialize;

use crate::address::Bech32Codec;
use crate::engine::{BlockState, Engine, Failure, MsgOutput};
use crate::events::Event;
use crate::gas::{GasBreakdown, SubQueryGas, SMART_QUERY_GAS_LIMIT};

/// Capabilities offered to contracts, as wasmd 0.5x / wasmvm 3 offers them.
const CAPABILITIES: &[&str] = &[
    "iterator",
    "staking",
    "stargate",
    "cosmwasm_1_1",
    "cosmwasm_1_2",
    "cosmwasm_1_3",
    "cosmwasm_1_4",
    "cosmwasm_2_0",
    "cosmwasm_2_1",
    "cosmwasm_2_2",
    "cosmwasm_3_0",
];

/// wasmd's `contractMemoryLimit` (MiB).
const CONTRACT_MEMORY_LIMIT_MIB: usize = 32;
/// Compiled modules kept in memory.
const MEMORY_CACHE_MIB: usize = 256;

#[derive(Clone, Debug)]
pub struct ChainConfig {
    pub chain_id: String,
    pub bech32_prefix: String,
    pub genesis_height: u64,
    /// Unix time of the genesis block, in nanoseconds.
    pub genesis_time_nanos: u64,
    /// Gas limit of transactions sent through the one-message helpers
    /// ([`Chain::execute`] and friends).
    pub default_tx_gas_limit: u64,
    /// Gas limit of node queries ([`Chain::query`]), wasmd's `SmartQueryGasLimit`.
    pub query_gas_limit: u64,
    /// Deepest chain of contract messages (a contract's message is depth 1). wasmd bounds
    /// this only through gas; a dev chain stops runaway recursion earlier.
    pub max_message_depth: u32,
    /// Where the VM keeps wasm files and compiled modules. `None`: a temporary directory
    /// removed with the chain. A fixed directory lets later runs reuse compiled modules.
    pub cache_dir: Option<PathBuf>,
}

impl Default for ChainConfig {
    fn default() -> Self {
        ChainConfig {
            chain_id: "mesi-local-1".into(),
            bech32_prefix: "wasm".into(),
            genesis_height: 1,
            genesis_time_nanos: 1_767_225_600_000_000_000, // 2026-01-01T00:00:00Z
            default_tx_gas_limit: 50_000_000,
            query_gas_limit: SMART_QUERY_GAS_LIMIT,
            max_message_depth: 32,
            cache_dir: None,
        }
    }
}

/// The block transactions run in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BlockInfo {
    pub chain_id: String,
    pub height: u64,
    pub time_nanos: u64,
}

/// One message of a transaction.
#[derive(Clone, Debug)]
pub enum ChainMsg {
    StoreCode {
        sender: String,
        wasm: Vec<u8>,
    },
    Instantiate {
        sender: String,
        admin: Option<String>,
        code_id: u64,
        label: String,
        msg: Vec<u8>,
        funds: Vec<Coin>,
    },
    Execute {
        sender: String,
        contract: String,
        msg: Vec<u8>,
        funds: Vec<Coin>,
    },
    Migrate {
        sender: String,
        contract: String,
        code_id: u64,
        msg: Vec<u8>,
    },
    Send {
        from: String,
        to: String,
        amount: Vec<Coin>,
    },
}

impl ChainMsg {
    /// The SDK message type, as the `message` event's `action` shows it.
    pub fn type_url(&self) -> &'static str {
        match self {
            ChainMsg::StoreCode { .. } => "/cosmwasm.wasm.v1.MsgStoreCode",
            ChainMsg::Instantiate { .. } => "/cosmwasm.wasm.v1.MsgInstantiateContract",
            ChainMsg::Execute { .. } => "/cosmwasm.wasm.v1.MsgExecuteContract",
            ChainMsg::Migrate { .. } => "/cosmwasm.wasm.v1.MsgMigrateContract",
            ChainMsg::Send { .. } => "/cosmos.bank.v1beta1.MsgSend",
        }
    }

    pub fn sender(&self) -> &str {
        match self {
            ChainMsg::StoreCode { sender, .. }
            | ChainMsg::Instantiate { sender, .. }
            | ChainMsg::Execute { sender, .. }
            | ChainMsg::Migrate { sender, .. } => sender,
            ChainMsg::Send { from, .. } => from,
        }
    }

    fn module(&self) -> &'static str {
        match self {
            ChainMsg::Send { .. } => "bank",
            _ => "wasm",
        }
    }
}

/// A transaction: its messages run in order, all or nothing, under one gas limit.
#[derive(Clone, Debug)]
pub struct Tx {
    pub msgs: Vec<ChainMsg>,
    pub gas_limit: u64,
    /// The hash contracts see in `env.transaction.hash` (a chain's is sha256 of the tx bytes).
    pub hash: Vec<u8>,
}

/// What a message returned, as in `TxMsgData.msg_responses`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MsgResponse {
    pub type_url: String,
    /// Protobuf bytes of the response message.
    pub value: Vec<u8>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CallKind {
    StoreCode,
    Instantiate,
    Execute,
    Migrate,
    Reply,
    Query,
    /// A bank transfer dispatched as a message (funds attached to a contract call are part of
    /// that call).
    BankSend,
}

/// The gas of one step of a transaction: a contract entry point (with the queries it made,
/// without the messages it dispatched, which are steps of their own) or a bank message.
/// The steps of a transaction add up to its `gas_used`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CallGas {
    /// 0 for the transaction's own messages, +1 per dispatch.
    pub depth: u32,
    pub kind: CallKind,
    pub contract: Option<String>,
    pub gas: u64,
    pub breakdown: GasBreakdown,
    /// Part of `gas` spent in contract-to-contract and module queries.
    pub in_sub_queries: u64,
    pub sub_queries: Vec<SubQueryGas>,
    pub failed: bool,
}

/// A transaction that succeeded.
#[derive(Clone, Debug, Serialize)]
pub struct TxResult {
    pub height: u64,
    pub events: Vec<Event>,
    pub gas_wanted: u64,
    pub gas_used: u64,
    /// The contract data returned by the first message (raw, not protobuf-wrapped).
    pub data: Option<Vec<u8>>,
    pub msg_responses: Vec<MsgResponse>,
    pub calls: Vec<CallGas>,
    /// Set when the first message instantiated a contract.
    pub contract_address: Option<String>,
    /// Set when the first message stored code.
    pub code_id: Option<u64>,
}

impl TxResult {
    /// Events of one type, in order.
    pub fn events_of<'a>(&'a self, ty: &'a str) -> impl Iterator<Item = &'a Event> + 'a {
        self.events.iter().filter(move |e| e.ty == ty)
    }
}

/// A transaction that failed: nothing it did remains, but its gas was spent.
#[derive(Clone, Debug, Serialize, thiserror::Error)]
#[error("{codespace}/{code}: {log} (gas used {gas_used})")]
pub struct TxError {
    pub height: u64,
    pub codespace: String,
    pub code: u32,
    pub log: String,
    pub gas_wanted: u64,
    pub gas_used: u64,
    pub calls: Vec<CallGas>,
}

/// A node query (gRPC `SmartContractState` and friends).
#[derive(Clone, Debug, Serialize)]
pub struct QueryResult {
    pub data: Vec<u8>,
    pub gas_used: u64,
    pub breakdown: GasBreakdown,
    pub sub_queries: Vec<SubQueryGas>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{codespace}/{code}: {log}")]
pub struct QueryError {
    pub codespace: String,
    pub code: u32,
    pub log: String,
}

impl From<Failure> for QueryError {
    fn from(failure: Failure) -> Self {
        QueryError {
            codespace: failure.codespace.into(),
            code: failure.code,
            log: failure.log,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ChainSetupError {
    #[error("{0}")]
    Config(String),
    #[error("cannot create the VM cache: {0}")]
    Cache(String),
}

/// Stored code and contract metadata.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ContractInfo {
    pub code_id: u64,
    pub creator: String,
    pub admin: Option<String>,
    pub label: String,
}

/// A single-node chain running contracts in cosmwasm-vm with wasmd's gas accounting.
///
/// Calls take `&mut self` or `&self` one at a time; a server shares a chain behind a mutex.
pub struct Chain {
    engine: Rc<Engine>,
    config: ChainConfig,
    _temp_dir: Option<tempfile::TempDir>,
}

// SAFETY: the engine's `Rc`s and `RefCell`s never leave the chain: contract instances (which
// hold clones of the `Rc` through their storage and querier) live only inside one call of a
// `Chain` method and are dropped before it returns. Moving the chain to another thread between
// calls therefore moves every clone with it; the chain is not `Sync`, so no two threads use it
// at once. The VM cache is `Send` itself.
unsafe impl Send for Chain {}

impl Chain {
    pub fn new(config: ChainConfig) -> Result<Self, ChainSetupError> {
        let codec = Bech32Codec::new(&config.bech32_prefix).map_err(ChainSetupError::Config)?;
        let (base_dir, temp_dir) = match &config.cache_dir {
            Some(dir) => (dir.clone(), None),
            None => {
                let dir = tempfile::Builder::new()
                    .prefix("mesi-chain-")
                    .tempdir()
                    .map_err(|err| ChainSetupError::Cache(err.to_string()))?;
                (dir.path().to_path_buf(), Some(dir))
            }
        };
        let options = CacheOptions::new(
            base_dir,
            CAPABILITIES
                .iter()
                .map(|c| c.to_string())
                .collect::<std::collections::HashSet<_>>(),
            Size::mebi(MEMORY_CACHE_MIB),
            Size::mebi(CONTRACT_MEMORY_LIMIT_MIB),
        );
        // SAFETY (as the VM documents it): one cache per directory in this process; every chain
        // without a fixed directory gets a fresh one.
        let cache = unsafe { Cache::new(options) }
            .map_err(|err| ChainSetupError::Cache(err.to_string()))?;
        let block = BlockState {
            chain_id: config.chain_id.clone(),
            height: config.genesis_height,
            time_nanos: config.genesis_time_nanos,
            tx_index: 0,
            tx_hash: Vec::new(),
            in_tx: false,
        };
        let engine = Rc::new(Engine::new(cache, codec, block, config.max_message_depth));
        engine.init_genesis();
        Ok(Chain {
            engine,
            config,
            _temp_dir: temp_dir,
        })
    }

    pub fn config(&self) -> &ChainConfig {
        &self.config
    }

    /// A deterministic account address for a name.
    pub fn addr_make(&self, name: &str) -> String {
        self.engine.codec.addr_make(name)
    }

    pub fn bech32_prefix(&self) -> &str {
        self.engine.codec.prefix()
    }

    pub fn block(&self) -> BlockInfo {
        let block = self.engine.block.borrow();
        BlockInfo {
            chain_id: block.chain_id.clone(),
            height: block.height,
            time_nanos: block.time_nanos,
        }
    }

    /// Ends the block: the next transactions run at height + 1, `seconds` later.
    pub fn advance_block(&mut self, seconds: u64) -> BlockInfo {
        {
            let mut block = self.engine.block.borrow_mut();
            block.height += 1;
            block.time_nanos += seconds * 1_000_000_000;
            block.tx_index = 0;
        }
        self.block()
    }

    /// Genesis funds: mints `coins` to `address` without a transaction or gas.
    pub fn fund(&mut self, address: &str, coins: &[Coin]) -> Result<(), QueryError> {
        self.engine.push_meter(u64::MAX);
        let result = self.engine.mint(address, coins);
        self.engine.pop_meter();
        result.map_err(QueryError::from)
    }

    /// The x/auth account number of `address`, if it has an account (funded, or a contract).
    pub fn account_number(&self, address: &str) -> Option<u64> {
        self.engine.account_number(address)
    }

    /// A bank transfer outside any message, as an ante handler deducts fees: no `message`
    /// event, no gas, no transaction index; it stays whatever the transaction's messages do.
    /// Returns the bank events.
    pub fn transfer(
        &mut self,
        from: &str,
        to: &str,
        amount: &[Coin],
    ) -> Result<Vec<Event>, QueryError> {
        self.engine.push_meter(u64::MAX);
        self.engine.kv.borrow_mut().begin();
        let result = self.engine.send(from, to, amount, 0);
        self.engine.take_calls();
        self.engine.pop_meter();
        match result {
            Ok(output) => {
                self.engine.kv.borrow_mut().commit();
                Ok(output.events)
            }
            Err(failure) => {
                self.engine.kv.borrow_mut().rollback();
                Err(failure.into())
            }
        }
    }

    pub fn balance(&self, address: &str, denom: &str) -> Result<Uint256, QueryError> {
        self.unmetered(|engine| engine.balance(address, denom))
    }

    pub fn all_balances(&self, address: &str) -> Result<Vec<Coin>, QueryError> {
        self.unmetered(|engine| engine.all_balances(address))
    }

    pub fn contract_info(&self, address: &str) -> Option<ContractInfo> {
        self.engine
            .contract_record(address)
            .map(|record| ContractInfo {
                code_id: record.code_id,
                creator: record.creator,
                admin: record.admin,
                label: record.label,
            })
    }

    /// Pins code as a governance proposal would: its calls then pay the discounted instance
    /// cost (`gas::INSTANCE_COST_DISCOUNT`).
    pub fn pin_code(&mut self, code_id: u64) -> Result<(), QueryError> {
        self.engine.pin_code(code_id).map_err(QueryError::from)
    }

    pub fn code_checksum(&self, code_id: u64) -> Option<Checksum> {
        self.engine
            .code_record(code_id)
            .and_then(|code| Checksum::from_hex(&code.checksum).ok())
    }

    /// A contract's raw storage value.
    pub fn raw_query(&self, contract: &str, key: &[u8]) -> Result<Option<Vec<u8>>, QueryError> {
        self.unmetered(|engine| engine.raw_query(contract, key))
    }

    fn unmetered<T>(
        &self,
        read: impl FnOnce(&Engine) -> Result<T, Failure>,
    ) -> Result<T, QueryError> {
        self.engine.push_meter(u64::MAX);
        let result = read(&self.engine);
        self.engine.pop_meter();
        result.map_err(QueryError::from)
    }

    /// A smart query as a node serves it: with its own gas limit, in a layer that is dropped.
    pub fn query(&self, contract: &str, msg: &[u8]) -> Result<QueryResult, QueryError> {
        self.engine.push_meter(self.config.query_gas_limit);
        self.engine.kv.borrow_mut().begin();
        let in_tx = std::mem::replace(&mut self.engine.block.borrow_mut().in_tx, false);
        let result = self.engine.smart_query(contract, msg);
        self.engine.block.borrow_mut().in_tx = in_tx;
        self.engine.kv.borrow_mut().rollback();
        let meter = self.engine.pop_meter();
        let data = result?;
        Ok(QueryResult {
            data,
            gas_used: meter.consumed().min(meter.limit),
            breakdown: meter.breakdown,
            sub_queries: meter.sub_queries,
        })
    }

    /// Runs a transaction and keeps its effects if every message succeeds.
    pub fn deliver_tx(&mut self, tx: &Tx) -> Result<TxResult, TxError> {
        let result = self.run_tx(tx, true);
        self.engine.block.borrow_mut().tx_index += 1;
        result
    }

    /// Runs a transaction and drops its effects: the gas it would use and what it would return.
    pub fn simulate(&self, tx: &Tx) -> Result<TxResult, TxError> {
        self.run_tx(tx, false)
    }

    fn run_tx(&self, tx: &Tx, keep: bool) -> Result<TxResult, TxError> {
        let engine = &self.engine;
        {
            let mut block = engine.block.borrow_mut();
            block.in_tx = true;
            block.tx_hash = tx.hash.clone();
        }
        engine.push_meter(tx.gas_limit);
        engine.begin_tx_contracts();
        engine.kv.borrow_mut().begin();
        let mut events = Vec::new();
        let mut outputs: Vec<MsgOutput> = Vec::new();
        let mut failure = None;
        for (index, msg) in tx.msgs.iter().enumerate() {
            match self.run_msg(msg) {
                Ok(output) => {
                    // SDK baseapp: a `message` event first, then the message's events, all
                    // tagged with the message's index.
                    let message = Event::new("message")
                        .attr("action", msg.type_url())
                        .attr("sender", msg.sender())
                        .attr("module", msg.module());
                    for event in std::iter::once(message).chain(output.events.iter().cloned()) {
                        events.push(event.attr("msg_index", index.to_string()));
                    }
                    outputs.push(output);
                }
                Err(err) => {
                    failure = Some(Failure {
                        log: format!(
                            "failed to execute message; message index: {index}: {}",
                            err.log
                        ),
                        ..err
                    });
                    break;
                }
            }
        }
        let meter = engine.pop_meter();
        let calls = engine.take_calls();
        let gas_used = meter.consumed().min(meter.limit);
        if failure.is_none() && meter.consumed() > meter.limit {
            failure = Some(Failure {
                codespace: "sdk",
                code: 11,
                log: format!(
                    "out of gas; gasWanted: {}, gasUsed: {}",
                    tx.gas_limit,
                    meter.consumed()
                ),
            });
        }
        let height = engine.block.borrow().height;
        engine.block.borrow_mut().in_tx = false;
        match failure {
            Some(failure) => {
                engine.kv.borrow_mut().rollback();
                Err(TxError {
                    height,
                    codespace: failure.codespace.into(),
                    code: failure.code,
                    log: failure.log,
                    gas_wanted: tx.gas_limit,
                    gas_used,
                    calls,
                })
            }
            None => {
                if keep {
                    engine.kv.borrow_mut().commit();
                } else {
                    engine.kv.borrow_mut().rollback();
                }
                let first = outputs.first();
                Ok(TxResult {
                    height,
                    events,
                    gas_wanted: tx.gas_limit,
                    gas_used,
                    data: first.and_then(|o| o.data.clone()),
                    contract_address: first.and_then(|o| o.contract_address.clone()),
                    code_id: first.and_then(|o| o.code_id),
                    msg_responses: outputs.into_iter().map(|o| o.response).collect(),
                    calls,
                })
            }
        }
    }

    fn run_msg(&self, msg: &ChainMsg) -> Result<MsgOutput, Failure> {
        let engine = &self.engine;
        match msg {
            ChainMsg::StoreCode { sender, wasm } => {
                let (code_id, _, events) = engine.store_code(sender, wasm)?;
                Ok(MsgOutput {
                    events,
                    data: None,
                    response: MsgResponse {
                        type_url: "/cosmwasm.wasm.v1.MsgStoreCodeResponse".into(),
                        value: crate::proto::ProtoWriter::new()
                            .uint(1, code_id)
                            .bytes(
                                2,
                                self.code_checksum(code_id).expect("just stored").as_slice(),
                            )
                            .finish(),
                    },
                    contract_address: None,
                    code_id: Some(code_id),
                })
            }
            ChainMsg::Instantiate {
                sender,
                admin,
                code_id,
                label,
                msg,
                funds,
            } => engine.instantiate(sender, admin.as_deref(), *code_id, label, msg, funds, 0),
            ChainMsg::Execute {
                sender,
                contract,
                msg,
                funds,
            } => engine.execute(sender, contract, msg, funds, 0),
            ChainMsg::Migrate {
                sender,
                contract,
                code_id,
                msg,
            } => engine.migrate(sender, contract, *code_id, msg, 0),
            ChainMsg::Send { from, to, amount } => engine.send(from, to, amount, 0),
        }
    }

    fn single(&mut self, msg: ChainMsg) -> Result<TxResult, TxError> {
        let tx = Tx {
            msgs: vec![msg],
            gas_limit: self.config.default_tx_gas_limit,
            hash: Vec::new(),
        };
        self.deliver_tx(&tx)
    }

    /// Uploads wasm (with the VM's static checks); `code_id` of the result is set.
    pub fn store_code(&mut self, sender: &str, wasm: &[u8]) -> Result<TxResult, TxError> {
        self.single(ChainMsg::StoreCode {
            sender: sender.into(),
            wasm: wasm.to_vec(),
        })
    }

    /// Instantiates a contract; `contract_address` of the result is set.
    pub fn instantiate(
        &mut self,
        sender: &str,
        code_id: u64,
        msg: &[u8],
        funds: &[Coin],
        label: &str,
        admin: Option<&str>,
    ) -> Result<TxResult, TxError> {
        self.single(ChainMsg::Instantiate {
            sender: sender.into(),
            admin: admin.map(str::to_string),
            code_id,
            label: label.into(),
            msg: msg.to_vec(),
            funds: funds.to_vec(),
        })
    }

    pub fn execute(
        &mut self,
        sender: &str,
        contract: &str,
        msg: &[u8],
        funds: &[Coin],
    ) -> Result<TxResult, TxError> {
        self.single(ChainMsg::Execute {
            sender: sender.into(),
            contract: contract.into(),
            msg: msg.to_vec(),
            funds: funds.to_vec(),
        })
    }

    pub fn migrate(
        &mut self,
        sender: &str,
        contract: &str,
        code_id: u64,
        msg: &[u8],
    ) -> Result<TxResult, TxError> {
        self.single(ChainMsg::Migrate {
            sender: sender.into(),
            contract: contract.into(),
            code_id,
            msg: msg.to_vec(),
        })
    }

    pub fn send(&mut self, from: &str, to: &str, amount: &[Coin]) -> Result<TxResult, TxError> {
        self.single(ChainMsg::Send {
            from: from.into(),
            to: to.into(),
            amount: amount.to_vec(),
        })
    }
}
