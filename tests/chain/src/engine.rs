//! x/wasm's keeper, message dispatcher and query plugins, and the slice of x/bank and x/auth
//! they touch, over one layered store and one stack of SDK gas meters.

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::rc::Rc;

use cosmwasm_std::{
    BankMsg, Binary, Checksum, Coin, ContractResult, CosmosMsg, Empty, Order, ReplyOn, Response,
    SubMsg, SystemError, SystemResult, Uint256, WasmMsg,
};
use cosmwasm_vm::{
    call_execute_raw, call_instantiate_raw, call_migrate_with_info_raw, call_query_raw,
    call_reply_raw, Backend, BackendError, BackendResult, Cache, GasInfo, InstanceOptions, VmError,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::address::{Bech32Codec, ChainApi};
use crate::backend::{contract_store_prefix, ChainQuerier, ContractStorage};
use crate::events::{coins_string, contract_events, Event, CONTRACT_ADDRESS_KEY};
use crate::gas::{
    event_costs, kv, sdk_gas_from_vm, vm_gas_from_sdk, GasBreakdown, GasKind, GasMeter, OutOfGas,
    COMPILE_COST_PER_BYTE, CONTRACT_MESSAGE_DATA_COST, DESERIALIZATION_COST_PER_BYTE,
    INSTANCE_COST, INSTANCE_COST_DISCOUNT, MAX_QUERY_STACK_SIZE,
};
use crate::proto::ProtoWriter;
use crate::store::{KvStore, StoreKey};
use crate::{CallGas, CallKind, MsgResponse};

pub(crate) type VmCache = Cache<ChainApi, ContractStorage, ChainQuerier>;

/// Largest wasm upload (wasmd `MaxWasmSize`).
pub const MAX_WASM_SIZE: usize = 819_200;

// wasmd store keys (x/wasm/types/keys.go).
const CODE_KEY_PREFIX: u8 = 0x01;
const CONTRACT_KEY_PREFIX: u8 = 0x02;
const SEQUENCE_KEY_PREFIX: u8 = 0x04;
const PINNED_CODE_INDEX_PREFIX: u8 = 0x05;
const CONTRACT_CODE_HISTORY_ELEMENT_PREFIX: u8 = 0x05;
const CONTRACT_BY_CODE_ID_AND_CREATED_SECONDARY_INDEX_PREFIX: u8 = 0x06;
const CONTRACT_BY_CREATOR_PREFIX: u8 = 0x09;
// x/bank and x/auth collection prefixes (SDK 0.50).
const BALANCES_PREFIX: u8 = 0x02;
const DENOM_ADDRESS_PREFIX: u8 = 0x03;
const SEND_ENABLED_PREFIX: u8 = 0x04;
const BANK_PARAMS_KEY: u8 = 0x05;
const ACCOUNTS_PREFIX: u8 = 0x01;
const GLOBAL_ACCOUNT_NUMBER_KEY: u8 = 0x02;
const ACCOUNT_NUMBER_INDEX_PREFIX: u8 = 0x03;

/// A failed message, as the SDK reports it: an ABCI codespace and code, and a log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub codespace: &'static str,
    pub code: u32,
    pub log: String,
}

impl Failure {
    fn new(codespace: &'static str, code: u32, log: impl Into<String>) -> Self {
        Failure {
            codespace,
            code,
            log: log.into(),
        }
    }
    fn out_of_gas(location: &str) -> Self {
        Failure::new("sdk", 11, format!("out of gas in location: {location}"))
    }
    fn insufficient_funds(log: String) -> Self {
        Failure::new("sdk", 5, format!("{log}: insufficient funds"))
    }
    fn invalid_address(log: String) -> Self {
        Failure::new("sdk", 7, log)
    }
    fn unauthorized(log: &str) -> Self {
        Failure::new("sdk", 4, format!("{log}: unauthorized"))
    }
    fn invalid_coins(log: String) -> Self {
        Failure::new("sdk", 10, format!("{log}: invalid coins"))
    }
    fn no_such_contract(address: &str) -> Self {
        Failure::new("wasm", 22, format!("no such contract: {address}"))
    }
    fn no_such_code(code_id: u64) -> Self {
        Failure::new("wasm", 28, format!("no such code: {code_id}"))
    }
    fn vm(err: VmError) -> Self {
        Failure::new("wasm", 29, format!("{err}: wasmvm error"))
    }
    fn unknown_msg(log: String) -> Self {
        Failure::new(
            "wasm",
            20,
            format!("{log}: unknown message from the contract"),
        )
    }
    fn invalid_event(log: String) -> Self {
        Failure::new("wasm", 21, format!("{log}: invalid event"))
    }

    /// What a reply sees of a failed submessage: wasmd redacts everything but the code.
    fn redacted(&self) -> String {
        format!("codespace: {}, code: {}", self.codespace, self.code)
    }
}

impl From<OutOfGas> for Failure {
    fn from(_: OutOfGas) -> Self {
        Failure::out_of_gas("wasm contract")
    }
}

type Result<T, E = Failure> = std::result::Result<T, E>;

/// How cosmwasm-vm words `VmError::GasDepletion`, also inside the runtime error a host
/// function's depletion becomes.
const GAS_DEPLETION: &str = "Ran out of gas during contract execution";

/// Height, time and the position of the transaction being delivered.
#[derive(Clone, Debug)]
pub(crate) struct BlockState {
    pub chain_id: String,
    pub height: u64,
    pub time_nanos: u64,
    pub tx_index: u32,
    pub tx_hash: Vec<u8>,
    /// `false` while serving queries (no transaction in the environment).
    pub in_tx: bool,
}

/// Typed copy of a code record (its wasmd-shaped bytes are what reads pay for).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct CodeRecord {
    pub checksum: String,
    pub creator: String,
}

/// Typed copy of a contract record.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct ContractRecord {
    pub code_id: u64,
    pub creator: String,
    pub admin: Option<String>,
    pub label: String,
    pub created_height: u64,
    pub created_tx_index: u32,
}

/// What a contract entry point returned, ready to dispatch.
struct CallOutput {
    events: Vec<Event>,
    data: Option<Binary>,
}

/// What one dispatched message produced.
pub(crate) struct MsgOutput {
    pub events: Vec<Event>,
    /// Raw contract data (execute, instantiate, migrate).
    pub data: Option<Vec<u8>>,
    pub response: MsgResponse,
    pub contract_address: Option<String>,
    pub code_id: Option<u64>,
}

enum EntryPoint<'a> {
    Instantiate { info: &'a [u8], msg: &'a [u8] },
    Execute { info: &'a [u8], msg: &'a [u8] },
    Migrate { msg: &'a [u8], info: &'a [u8] },
    Reply { reply: &'a [u8] },
    Query { msg: &'a [u8] },
}

/// A query failed: either a system error the VM reports as such, or any other failure.
enum QueryFailure {
    System(SystemError),
    Failed(Failure),
    OutOfGas,
}

impl From<Failure> for QueryFailure {
    fn from(failure: Failure) -> Self {
        QueryFailure::Failed(failure)
    }
}

impl From<OutOfGas> for QueryFailure {
    fn from(_: OutOfGas) -> Self {
        QueryFailure::OutOfGas
    }
}

pub struct Engine {
    pub(crate) cache: VmCache,
    pub(crate) api: ChainApi,
    pub(crate) codec: Bech32Codec,
    pub(crate) kv: RefCell<KvStore>,
    pub(crate) block: RefCell<BlockState>,
    pub(crate) max_message_depth: u32,
    meters: RefCell<Vec<GasMeter>>,
    calls: RefCell<Vec<CallGas>>,
    query_depth: Cell<u32>,
    /// The codes the transaction being delivered has loaded (x/wasm's `TxContracts`): a code
    /// loaded again in the same transaction pays the discounted instance cost.
    tx_contracts: RefCell<HashSet<Checksum>>,
}

fn sequence_key(name: &str) -> Vec<u8> {
    let mut key = vec![SEQUENCE_KEY_PREFIX];
    key.extend_from_slice(name.as_bytes());
    key
}

fn code_key(code_id: u64) -> Vec<u8> {
    let mut key = vec![CODE_KEY_PREFIX];
    key.extend_from_slice(&code_id.to_be_bytes());
    key
}

fn pinned_key(code_id: u64) -> Vec<u8> {
    let mut key = vec![PINNED_CODE_INDEX_PREFIX];
    key.extend_from_slice(&code_id.to_be_bytes());
    key
}

fn contract_key(canonical: &[u8]) -> Vec<u8> {
    let mut key = vec![CONTRACT_KEY_PREFIX];
    key.extend_from_slice(canonical);
    key
}

fn meta_key(kind: &str, id: &str) -> Vec<u8> {
    format!("{kind}/{id}").into_bytes()
}

/// Length-prefixed address, as SDK collections encode a non-terminal address key.
fn length_prefixed(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 1);
    out.push(bytes.len() as u8);
    out.extend_from_slice(bytes);
    out
}

fn balance_key(canonical: &[u8], denom: &str) -> Vec<u8> {
    let mut key = vec![BALANCES_PREFIX];
    key.extend(length_prefixed(canonical));
    key.extend_from_slice(denom.as_bytes());
    key
}

fn denom_index_key(canonical: &[u8], denom: &str) -> Vec<u8> {
    let mut key = vec![DENOM_ADDRESS_PREFIX];
    key.extend(length_prefixed(denom.as_bytes()));
    key.extend_from_slice(canonical);
    key
}

fn account_key(canonical: &[u8]) -> Vec<u8> {
    let mut key = vec![ACCOUNTS_PREFIX];
    key.extend_from_slice(canonical);
    key
}

/// x/auth `BaseAccount` wrapped in `Any`. Accounts that signed a transaction carry a
/// secp256k1 public key.
fn base_account_bytes(address: &str, account_number: u64, with_pub_key: bool) -> Vec<u8> {
    let mut account = ProtoWriter::new().string(1, address);
    if with_pub_key {
        let pub_key = ProtoWriter::new().bytes(1, &[2u8; 33]);
        account = account.message(
            2,
            ProtoWriter::any("/cosmos.crypto.secp256k1.PubKey", pub_key),
        );
    }
    let account = account.uint(3, account_number);
    ProtoWriter::any("/cosmos.auth.v1beta1.BaseAccount", account).finish()
}

fn code_info_bytes(checksum: &Checksum, creator: &str) -> Vec<u8> {
    // AccessConfig { permission: Everybody (3) }
    let access = ProtoWriter::new().uint(1, 3);
    ProtoWriter::new()
        .bytes(1, checksum.as_slice())
        .string(2, creator)
        .message(5, access)
        .finish()
}

fn contract_info_bytes(record: &ContractRecord) -> Vec<u8> {
    let created = ProtoWriter::new()
        .uint(1, record.created_height)
        .uint(2, u64::from(record.created_tx_index));
    ProtoWriter::new()
        .uint(1, record.code_id)
        .string(2, &record.creator)
        .string(3, record.admin.as_deref().unwrap_or_default())
        .string(4, &record.label)
        .message(5, created)
        .finish()
}

fn history_entry_bytes(operation: u64, record: &ContractRecord, msg: &[u8]) -> Vec<u8> {
    let updated = ProtoWriter::new()
        .uint(1, record.created_height)
        .uint(2, u64::from(record.created_tx_index));
    ProtoWriter::new()
        .uint(1, operation)
        .uint(2, record.code_id)
        .message(3, updated)
        .bytes(4, msg)
        .finish()
}

fn parse_amount(bytes: &[u8]) -> Uint256 {
    std::str::from_utf8(bytes)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_default()
}

/// SDK `Coins.IsValid` (positive, no duplicate denoms), returned sorted by denom.
pub(crate) fn validated_coins(coins: &[Coin]) -> Result<Vec<Coin>> {
    let mut sorted = coins.to_vec();
    sorted.sort_by(|a, b| a.denom.cmp(&b.denom));
    for (i, coin) in sorted.iter().enumerate() {
        if coin.amount.is_zero() {
            return Err(Failure::invalid_coins(coins_string(coins)));
        }
        if i > 0 && sorted[i - 1].denom == coin.denom {
            return Err(Failure::invalid_coins(format!(
                "duplicate denomination {}",
                coin.denom
            )));
        }
        let denom_ok = (3..=128).contains(&coin.denom.len())
            && coin.denom.starts_with(|c: char| c.is_ascii_alphabetic())
            && coin
                .denom
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "/:._-".contains(c));
        if !denom_ok {
            return Err(Failure::invalid_coins(format!(
                "invalid denom: {}",
                coin.denom
            )));
        }
    }
    Ok(sorted)
}

impl Engine {
    /// Genesis state every chain has: x/bank params with sending enabled.
    pub(crate) fn init_genesis(&self) {
        // Params { default_send_enabled: true }
        self.kv
            .borrow_mut()
            .set(StoreKey::Bank, &[BANK_PARAMS_KEY], vec![0x10, 0x01]);
    }

    pub(crate) fn new(
        cache: VmCache,
        codec: Bech32Codec,
        block: BlockState,
        max_message_depth: u32,
    ) -> Self {
        Engine {
            cache,
            api: ChainApi::new(codec.clone()),
            codec,
            kv: RefCell::new(KvStore::default()),
            block: RefCell::new(block),
            max_message_depth,
            meters: RefCell::new(Vec::new()),
            calls: RefCell::new(Vec::new()),
            query_depth: Cell::new(0),
            tx_contracts: RefCell::new(HashSet::new()),
        }
    }

    // ---- gas meters -------------------------------------------------------------------

    pub(crate) fn push_meter(&self, limit: u64) {
        self.meters.borrow_mut().push(GasMeter::new(limit));
    }

    pub(crate) fn pop_meter(&self) -> GasMeter {
        self.meters.borrow_mut().pop().expect("a gas meter is open")
    }

    pub(crate) fn take_calls(&self) -> Vec<CallGas> {
        std::mem::take(&mut self.calls.borrow_mut())
    }

    /// Charges the innermost open meter.
    pub(crate) fn charge(&self, kind: GasKind, amount: u64) -> Result<(), OutOfGas> {
        let mut meters = self.meters.borrow_mut();
        meters
            .last_mut()
            .expect("a gas meter is open")
            .consume(kind, amount)
    }

    fn remaining(&self) -> u64 {
        self.meters
            .borrow()
            .last()
            .expect("a gas meter is open")
            .remaining()
    }

    fn consumed(&self) -> u64 {
        self.meters
            .borrow()
            .last()
            .expect("a gas meter is open")
            .consumed()
    }

    fn snapshot(&self) -> (GasBreakdown, u64, usize) {
        let meters = self.meters.borrow();
        let meter = meters.last().expect("a gas meter is open");
        (
            meter.breakdown,
            meter.in_sub_queries,
            meter.sub_queries.len(),
        )
    }

    /// Runs `part` and records the gas it consumed as one call.
    fn traced<T>(
        &self,
        kind: CallKind,
        contract: Option<&str>,
        depth: u32,
        part: impl FnOnce() -> Result<T>,
    ) -> Result<T> {
        let (before, in_queries_before, queries_before) = self.snapshot();
        let result = part();
        let meters = self.meters.borrow();
        let meter = meters.last().expect("a gas meter is open");
        let breakdown = meter.breakdown.since(&before);
        self.calls.borrow_mut().push(CallGas {
            depth,
            kind,
            contract: contract.map(str::to_string),
            gas: breakdown.total(),
            breakdown,
            in_sub_queries: meter.in_sub_queries - in_queries_before,
            sub_queries: meter.sub_queries[queries_before..].to_vec(),
            failed: result.is_err(),
        });
        result
    }

    // ---- metered module storage ---------------------------------------------------------

    fn read(&self, store: StoreKey, key: &[u8]) -> Result<Option<Vec<u8>>, OutOfGas> {
        let value = self.kv.borrow().get(store, key);
        self.charge(
            GasKind::ModuleStorage,
            kv::read(key.len(), value.as_ref().map_or(0, Vec::len)),
        )?;
        Ok(value)
    }

    fn has(&self, store: StoreKey, key: &[u8]) -> Result<bool, OutOfGas> {
        self.charge(GasKind::ModuleStorage, kv::HAS_COST)?;
        Ok(self.kv.borrow().get(store, key).is_some())
    }

    fn write(&self, store: StoreKey, key: &[u8], value: Vec<u8>) -> Result<(), OutOfGas> {
        self.charge(GasKind::ModuleStorage, kv::write(key.len(), value.len()))?;
        self.kv.borrow_mut().set(store, key, value);
        Ok(())
    }

    fn delete(&self, store: StoreKey, key: &[u8]) -> Result<(), OutOfGas> {
        self.charge(GasKind::ModuleStorage, kv::DELETE_COST)?;
        self.kv.borrow_mut().remove(store, key);
        Ok(())
    }

    fn meta<T: for<'de> Deserialize<'de>>(&self, kind: &str, id: &str) -> Option<T> {
        let bytes = self.kv.borrow().get(StoreKey::Meta, &meta_key(kind, id))?;
        Some(serde_json::from_slice(&bytes).expect("meta records are written by this engine"))
    }

    fn set_meta<T: Serialize>(&self, kind: &str, id: &str, value: &T) {
        let bytes = serde_json::to_vec(value).expect("meta records serialize");
        self.kv
            .borrow_mut()
            .set(StoreKey::Meta, &meta_key(kind, id), bytes);
    }

    /// wasmd `autoIncrementID`: returns the next id of a sequence starting at 1.
    fn next_sequence(&self, name: &str) -> Result<u64, OutOfGas> {
        let key = sequence_key(name);
        let id = match self.read(StoreKey::Wasm, &key)? {
            Some(bytes) => u64::from_be_bytes(bytes.try_into().expect("sequences are 8 bytes")),
            None => 1,
        };
        self.write(StoreKey::Wasm, &key, (id + 1).to_be_bytes().to_vec())?;
        Ok(id)
    }

    pub(crate) fn canonical(&self, address: &str) -> Result<Vec<u8>> {
        self.codec.decode(address).map_err(Failure::invalid_address)
    }

    // ---- x/auth and x/bank --------------------------------------------------------------

    /// Creates an account (x/auth `NewAccountWithAddress` + `SetAccount`).
    fn create_account(
        &self,
        canonical: &[u8],
        address: &str,
        with_pub_key: bool,
    ) -> Result<(), OutOfGas> {
        let number_key = [GLOBAL_ACCOUNT_NUMBER_KEY];
        let number = match self.read(StoreKey::Auth, &number_key)? {
            Some(bytes) => {
                u64::from_be_bytes(bytes.try_into().expect("account numbers are 8 bytes"))
            }
            None => 0,
        };
        self.write(
            StoreKey::Auth,
            &number_key,
            (number + 1).to_be_bytes().to_vec(),
        )?;
        let mut index_key = vec![ACCOUNT_NUMBER_INDEX_PREFIX];
        index_key.extend_from_slice(&number.to_be_bytes());
        // The unique account-number index checks for a clash before writing.
        self.has(StoreKey::Auth, &index_key)?;
        self.write(StoreKey::Auth, &index_key, canonical.to_vec())?;
        self.write(
            StoreKey::Auth,
            &account_key(canonical),
            base_account_bytes(address, number, with_pub_key),
        )?;
        self.set_meta("account", address, &number);
        Ok(())
    }

    /// The x/auth account number of `address`, if it has an account.
    pub(crate) fn account_number(&self, address: &str) -> Option<u64> {
        self.meta("account", address)
    }

    pub(crate) fn balance(&self, address: &str, denom: &str) -> Result<Uint256> {
        let canonical = self.canonical(address)?;
        let value = self.read(StoreKey::Bank, &balance_key(&canonical, denom))?;
        Ok(value.map(|v| parse_amount(&v)).unwrap_or_default())
    }

    pub(crate) fn all_balances(&self, address: &str) -> Result<Vec<Coin>> {
        let canonical = self.canonical(address)?;
        let prefix = balance_key(&canonical, "");
        let mut end = prefix.clone();
        *end.last_mut().expect("prefix is not empty") += 1;
        let mut coins = Vec::new();
        let mut after: Option<Vec<u8>> = None;
        let mut first = true;
        loop {
            let entry = self.kv.borrow().next_entry(
                StoreKey::Bank,
                Some(&prefix),
                Some(&end),
                Order::Ascending,
                after.as_deref(),
            );
            let seek = kv::seek(entry.as_ref().map(|(k, v)| (k.len(), v.len())));
            // Opening the iterator pays for the first entry once more.
            self.charge(
                GasKind::ModuleStorage,
                if first {
                    seek * 2 - kv::ITER_NEXT_COST_FLAT
                } else {
                    seek
                },
            )?;
            first = false;
            let Some((key, value)) = entry else { break };
            let denom = String::from_utf8_lossy(&key[prefix.len()..]).into_owned();
            coins.push(Coin {
                denom,
                amount: parse_amount(&value),
            });
            after = Some(key);
        }
        Ok(coins)
    }

    fn set_balance(&self, canonical: &[u8], denom: &str, amount: Uint256) -> Result<(), OutOfGas> {
        let key = balance_key(canonical, denom);
        let index_key = denom_index_key(canonical, denom);
        if amount.is_zero() {
            // IndexedMap.Remove reads the old value to drop its index entries.
            self.read(StoreKey::Bank, &key)?;
            self.delete(StoreKey::Bank, &index_key)?;
            self.delete(StoreKey::Bank, &key)
        } else {
            self.write(StoreKey::Bank, &index_key, Vec::new())?;
            self.write(StoreKey::Bank, &key, amount.to_string().into_bytes())
        }
    }

    /// Mints coins to an account outside any transaction (genesis), creating the account as one
    /// that has signed transactions.
    pub(crate) fn mint(&self, address: &str, coins: &[Coin]) -> Result<()> {
        let canonical = self.canonical(address)?;
        if !self.has(StoreKey::Auth, &account_key(&canonical))? {
            self.create_account(&canonical, address, true)?;
        }
        for coin in validated_coins(coins)? {
            let balance = self.balance(address, &coin.denom)?;
            self.set_balance(&canonical, &coin.denom, balance + coin.amount)?;
        }
        Ok(())
    }

    /// x/bank `IsSendEnabledCoins` + `SendCoins`, with its events.
    fn bank_send(&self, from: &str, to: &str, coins: &[Coin]) -> Result<Vec<Event>> {
        let coins = validated_coins(coins)?;
        let from_canonical = self.canonical(from)?;
        let to_canonical = self.canonical(to)?;
        self.read(StoreKey::Bank, &[BANK_PARAMS_KEY])?;
        for coin in &coins {
            let mut key = vec![SEND_ENABLED_PREFIX];
            key.extend_from_slice(coin.denom.as_bytes());
            self.read(StoreKey::Bank, &key)?;
        }
        // subUnlockedCoins: the account (for vesting locks), then each balance.
        self.read(StoreKey::Auth, &account_key(&from_canonical))?;
        for coin in &coins {
            let balance = self.balance(from, &coin.denom)?;
            if balance < coin.amount {
                return Err(Failure::insufficient_funds(format!(
                    "spendable balance {}{} is smaller than {}{}",
                    balance, coin.denom, coin.amount, coin.denom
                )));
            }
            self.set_balance(&from_canonical, &coin.denom, balance - coin.amount)?;
        }
        for coin in &coins {
            let balance = self.balance(to, &coin.denom)?;
            self.set_balance(&to_canonical, &coin.denom, balance + coin.amount)?;
        }
        if !self.has(StoreKey::Auth, &account_key(&to_canonical))? {
            self.create_account(&to_canonical, to, false)?;
        }
        let amount = coins_string(&coins);
        Ok(vec![
            Event::new("coin_spent")
                .attr("spender", from)
                .attr("amount", &amount),
            Event::new("coin_received")
                .attr("receiver", to)
                .attr("amount", &amount),
            Event::new("transfer")
                .attr("recipient", to)
                .attr("sender", from)
                .attr("amount", &amount),
        ])
    }

    fn bank_burn(&self, from: &str, coins: &[Coin]) -> Result<Vec<Event>> {
        let coins = validated_coins(coins)?;
        let canonical = self.canonical(from)?;
        for coin in &coins {
            let balance = self.balance(from, &coin.denom)?;
            if balance < coin.amount {
                return Err(Failure::insufficient_funds(format!(
                    "spendable balance {}{} is smaller than {}{}",
                    balance, coin.denom, coin.amount, coin.denom
                )));
            }
            self.set_balance(&canonical, &coin.denom, balance - coin.amount)?;
        }
        let amount = coins_string(&coins);
        Ok(vec![
            Event::new("coin_spent")
                .attr("spender", from)
                .attr("amount", &amount),
            Event::new("burn")
                .attr("burner", from)
                .attr("amount", &amount),
        ])
    }

    // ---- x/wasm records ------------------------------------------------------------------

    pub(crate) fn code_record(&self, code_id: u64) -> Option<CodeRecord> {
        self.meta("code", &code_id.to_string())
    }

    pub(crate) fn contract_record(&self, address: &str) -> Option<ContractRecord> {
        self.meta("contract", address)
    }

    /// wasmd `contractInstance` + `IsPinnedCode`: the reads every contract call pays for.
    /// Returns whether the code is pinned (which makes the instance cost the discounted one).
    fn contract_instance(&self, address: &str) -> Result<(ContractRecord, Checksum, bool)> {
        let canonical = self.canonical(address)?;
        if self
            .read(StoreKey::Wasm, &contract_key(&canonical))?
            .is_none()
        {
            return Err(Failure::no_such_contract(address));
        }
        let record = self
            .contract_record(address)
            .expect("contract records have a typed copy");
        let checksum = self.load_code(record.code_id)?;
        let pinned = self.has(StoreKey::Wasm, &pinned_key(record.code_id))?;
        Ok((record, checksum, pinned))
    }

    /// wasmd `checkDiscountEligibility`: pinned code, or code the transaction already loaded,
    /// pays the discounted instance cost. Outside a transaction (a client's query) nothing is
    /// remembered.
    fn discounted(&self, checksum: &Checksum, pinned: bool) -> bool {
        if pinned {
            return true;
        }
        if !self.block.borrow().in_tx {
            return false;
        }
        !self.tx_contracts.borrow_mut().insert(*checksum)
    }

    /// Starts a transaction's list of loaded codes.
    pub(crate) fn begin_tx_contracts(&self) {
        self.tx_contracts.borrow_mut().clear();
    }

    /// wasmd `pinCode` (a governance action): keeps the module in memory and makes calls to
    /// the code pay [`INSTANCE_COST_DISCOUNT`] instead of [`INSTANCE_COST`].
    pub(crate) fn pin_code(&self, code_id: u64) -> Result<()> {
        let code = self
            .code_record(code_id)
            .ok_or_else(|| Failure::no_such_code(code_id))?;
        let checksum = Checksum::from_hex(&code.checksum).expect("checksums are stored as hex");
        self.cache.pin(&checksum).map_err(Failure::vm)?;
        self.kv
            .borrow_mut()
            .set(StoreKey::Wasm, &pinned_key(code_id), vec![1]);
        Ok(())
    }

    fn load_code(&self, code_id: u64) -> Result<Checksum> {
        if self.read(StoreKey::Wasm, &code_key(code_id))?.is_none() {
            return Err(Failure::no_such_code(code_id));
        }
        let code = self
            .code_record(code_id)
            .expect("code records have a typed copy");
        Ok(Checksum::from_hex(&code.checksum).expect("checksums are stored as hex"))
    }

    fn save_contract(&self, address: &str, record: &ContractRecord) -> Result<()> {
        let canonical = self.canonical(address)?;
        self.write(
            StoreKey::Wasm,
            &contract_key(&canonical),
            contract_info_bytes(record),
        )?;
        self.set_meta("contract", address, record);
        Ok(())
    }

    /// wasmd `appendToContractHistory`: finds the last position by reverse iteration, then
    /// writes the entry after it.
    fn append_history(&self, canonical: &[u8], entry: Vec<u8>) -> Result<(), OutOfGas> {
        let mut prefix = vec![CONTRACT_CODE_HISTORY_ELEMENT_PREFIX];
        prefix.extend_from_slice(canonical);
        let mut end = prefix.clone();
        end.push(0xff);
        let last = self.kv.borrow().next_entry(
            StoreKey::Wasm,
            Some(&prefix),
            Some(&end),
            Order::Descending,
            None,
        );
        self.charge(
            GasKind::ModuleStorage,
            kv::seek(last.as_ref().map(|(k, v)| (k.len(), v.len()))),
        )?;
        let position = last.map_or(0, |(key, _)| {
            u64::from_be_bytes(
                key[prefix.len()..]
                    .try_into()
                    .expect("history positions are 8 bytes"),
            )
        });
        let mut key = prefix;
        key.extend_from_slice(&(position + 1).to_be_bytes());
        self.write(StoreKey::Wasm, &key, entry)
    }

    // ---- contract calls ----------------------------------------------------------------

    fn env_json(&self, contract: &str) -> Vec<u8> {
        let block = self.block.borrow();
        let transaction = if block.in_tx {
            json!({ "index": block.tx_index, "hash": Binary::from(block.tx_hash.clone()) })
        } else {
            Value::Null
        };
        serde_json::to_vec(&json!({
            "block": {
                "height": block.height,
                "time": block.time_nanos.to_string(),
                "chain_id": block.chain_id,
            },
            "transaction": transaction,
            "contract": { "address": contract },
        }))
        .expect("env serializes")
    }

    fn info_json(sender: &str, funds: &[Coin]) -> Vec<u8> {
        serde_json::to_vec(&json!({ "sender": sender, "funds": funds })).expect("info serializes")
    }

    /// Runs one entry point with the gas left on the meter and charges what the VM used and
    /// the decoding of its result.
    fn call_vm(
        self: &Rc<Self>,
        contract: &str,
        checksum: &Checksum,
        entry: EntryPoint,
    ) -> Result<Vec<u8>> {
        let canonical = self.canonical(contract)?;
        let env = self.env_json(contract);
        let backend = Backend {
            api: self.api.clone(),
            storage: ContractStorage::new(self.clone(), contract_store_prefix(&canonical)),
            querier: ChainQuerier::new(self.clone()),
        };
        let gas_limit = vm_gas_from_sdk(self.remaining());
        let mut instance = self
            .cache
            .get_instance(checksum, backend, InstanceOptions { gas_limit })
            .map_err(Failure::vm)?;
        let raw = match entry {
            EntryPoint::Instantiate { info, msg } => {
                call_instantiate_raw(&mut instance, &env, info, msg)
            }
            EntryPoint::Execute { info, msg } => call_execute_raw(&mut instance, &env, info, msg),
            EntryPoint::Migrate { msg, info } => {
                call_migrate_with_info_raw(&mut instance, &env, msg, info)
            }
            EntryPoint::Reply { reply } => call_reply_raw(&mut instance, &env, reply),
            EntryPoint::Query { msg } => call_query_raw(&mut instance, &env, msg),
        };
        let report = instance.create_gas_report();
        drop(instance);
        let charged = self.charge(GasKind::Wasm, sdk_gas_from_vm(report.used_internally));
        // wasmd `consumeRuntimeGas`: a meter at its limit is out of gas, whatever the VM says.
        // A backend call that ran out (a storage read, a query) reaches the VM as a runtime
        // error carrying the gas depletion; on wasmd it is the SDK's out-of-gas panic.
        if charged.is_err()
            || self.remaining() == 0
            || report.remaining == 0
            || matches!(&raw, Err(VmError::GasDepletion { .. }))
            || matches!(&raw, Err(VmError::RuntimeErr { msg, .. }) if msg.contains(GAS_DEPLETION))
        {
            let _ = self.charge(GasKind::Wasm, self.remaining());
            return Err(Failure::out_of_gas("Wasmer function execution"));
        }
        let raw = raw.map_err(Failure::vm)?;
        self.charge(
            GasKind::Response,
            raw.len() as u64 * DESERIALIZATION_COST_PER_BYTE,
        )?;
        Ok(raw)
    }

    /// Parses a contract's response, charges its events and turns them into chain events.
    fn contract_response(
        &self,
        contract: &str,
        raw: &[u8],
        failure: (u32, &str),
    ) -> Result<(Response, Vec<Event>)> {
        let result: ContractResult<Response<Empty>> =
            serde_json::from_slice(raw).map_err(|err| {
                Failure::new(
                    "wasm",
                    29,
                    format!("cannot parse the contract response: {err}"),
                )
            })?;
        let response = match result {
            ContractResult::Ok(response) => response,
            ContractResult::Err(err) => {
                return Err(Failure::new(
                    "wasm",
                    failure.0,
                    format!("{err}: {}", failure.1),
                ));
            }
        };
        let gas = event_costs(
            response
                .attributes
                .iter()
                .map(|a| (a.key.as_str(), a.value.as_str())),
            response.events.iter().map(|e| {
                (
                    e.ty.as_str(),
                    e.attributes
                        .iter()
                        .map(|a| (a.key.as_str(), a.value.as_str()))
                        .collect(),
                )
            }),
        );
        self.charge(GasKind::Events, gas)?;
        let events = contract_events(&response.attributes, &response.events, contract)
            .map_err(Failure::invalid_event)?;
        Ok((response, events))
    }

    fn check_depth(&self, depth: u32) -> Result<()> {
        if depth > self.max_message_depth {
            return Err(Failure::new(
                "wasm",
                13,
                format!(
                    "messages nested deeper than {}: exceeds limit",
                    self.max_message_depth
                ),
            ));
        }
        Ok(())
    }

    pub(crate) fn store_code(
        &self,
        sender: &str,
        wasm: &[u8],
    ) -> Result<(u64, Checksum, Vec<Event>)> {
        self.traced(CallKind::StoreCode, None, 0, || {
            self.canonical(sender)?;
            if wasm.is_empty() || wasm.len() > MAX_WASM_SIZE {
                return Err(Failure::new("wasm", 2, format!("wasm code is {} bytes; at most {MAX_WASM_SIZE} are allowed: create wasm contract failed", wasm.len())));
            }
            self.charge(GasKind::Setup, wasm.len() as u64 * COMPILE_COST_PER_BYTE)?;
            let checksum = self
                .cache
                .store_code(wasm, true, true)
                .map_err(|err| Failure::new("wasm", 2, format!("{err}: create wasm contract failed")))?;
            let report = self.cache.analyze(&checksum).map_err(Failure::vm)?;
            let code_id = self.next_sequence("lastCodeId")?;
            self.write(StoreKey::Wasm, &code_key(code_id), code_info_bytes(&checksum, sender))?;
            self.set_meta("code", &code_id.to_string(), &CodeRecord { checksum: checksum.to_hex(), creator: sender.into() });
            let mut event = Event::new("store_code").attr("code_checksum", checksum.to_hex()).attr("code_id", code_id.to_string());
            for capability in &report.required_capabilities {
                event = event.attr("required_capability", capability.as_str());
            }
            Ok((code_id, checksum, vec![event]))
        })
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn instantiate(
        self: &Rc<Self>,
        sender: &str,
        admin: Option<&str>,
        code_id: u64,
        label: &str,
        msg: &[u8],
        funds: &[Coin],
        depth: u32,
    ) -> Result<MsgOutput> {
        self.check_depth(depth)?;
        let mut address = String::new();
        let output = self.traced(CallKind::Instantiate, None, depth, || {
            self.canonical(sender)?;
            if let Some(admin) = admin {
                self.canonical(admin)?;
            }
            if label.trim().is_empty() {
                return Err(Failure::new("wasm", 12, "label is required: empty"));
            }
            let checksum = self.load_code(code_id)?;
            let pinned = self.has(StoreKey::Wasm, &pinned_key(code_id))?;
            self.charge(
                GasKind::Setup,
                setup_cost(self.discounted(&checksum, pinned), msg.len()),
            )?;
            let instance_id = self.next_sequence("lastContractId")?;
            address = self.codec.contract_address(code_id, instance_id);
            let canonical = self.canonical(&address)?;
            if self.has(StoreKey::Wasm, &contract_key(&canonical))? {
                return Err(Failure::new(
                    "wasm",
                    15,
                    "contract address exists: duplicate",
                ));
            }
            if self
                .read(StoreKey::Auth, &account_key(&canonical))?
                .is_none()
            {
                self.create_account(&canonical, &address, false)?;
            }
            let mut events = Vec::new();
            if !funds.is_empty() {
                events.extend(self.bank_send(sender, &address, funds)?);
            }
            let info = Self::info_json(sender, &validated_coins(funds)?);
            let raw = self.call_vm(
                &address,
                &checksum,
                EntryPoint::Instantiate { info: &info, msg },
            )?;
            let block = self.block.borrow().clone();
            let record = ContractRecord {
                code_id,
                creator: sender.into(),
                admin: admin.map(str::to_string),
                label: label.into(),
                created_height: block.height,
                created_tx_index: block.tx_index,
            };
            let mut by_code = vec![CONTRACT_BY_CODE_ID_AND_CREATED_SECONDARY_INDEX_PREFIX];
            by_code.extend_from_slice(&code_id.to_be_bytes());
            by_code.extend_from_slice(&block.height.to_be_bytes());
            by_code.extend_from_slice(&u64::from(block.tx_index).to_be_bytes());
            by_code.extend_from_slice(&canonical);
            self.write(StoreKey::Wasm, &by_code, Vec::new())?;
            let mut by_creator = vec![CONTRACT_BY_CREATOR_PREFIX];
            by_creator.extend(length_prefixed(&self.canonical(sender)?));
            by_creator.extend_from_slice(&block.height.to_be_bytes());
            by_creator.extend_from_slice(&canonical);
            self.write(StoreKey::Wasm, &by_creator, Vec::new())?;
            self.append_history(&canonical, history_entry_bytes(1, &record, msg))?;
            self.save_contract(&address, &record)?;
            events.push(
                Event::new("instantiate")
                    .attr(CONTRACT_ADDRESS_KEY, &address)
                    .attr("code_id", code_id.to_string()),
            );
            let (response, contract_events) =
                self.contract_response(&address, &raw, (4, "instantiate wasm contract failed"))?;
            events.extend(contract_events);
            Ok((response, events))
        });
        if let Some(call) = self.calls.borrow_mut().last_mut() {
            if call.kind == CallKind::Instantiate && call.contract.is_none() && !address.is_empty()
            {
                call.contract = Some(address.clone());
            }
        }
        let (response, events) = output?;
        let output = self.finish_call(&address, response, events, depth)?;
        let response_bytes = ProtoWriter::new()
            .string(1, &address)
            .bytes(2, output.data.as_deref().unwrap_or_default())
            .finish();
        Ok(MsgOutput {
            events: output.events,
            data: output.data.map(|d| d.to_vec()),
            response: MsgResponse {
                type_url: "/cosmwasm.wasm.v1.MsgInstantiateContractResponse".into(),
                value: response_bytes,
            },
            contract_address: Some(address),
            code_id: Some(code_id),
        })
    }

    pub(crate) fn execute(
        self: &Rc<Self>,
        sender: &str,
        contract: &str,
        msg: &[u8],
        funds: &[Coin],
        depth: u32,
    ) -> Result<MsgOutput> {
        self.check_depth(depth)?;
        let (response, events) = self.traced(CallKind::Execute, Some(contract), depth, || {
            self.canonical(sender)?;
            let (_, checksum, pinned) = self.contract_instance(contract)?;
            self.charge(
                GasKind::Setup,
                setup_cost(self.discounted(&checksum, pinned), msg.len()),
            )?;
            let mut events = Vec::new();
            if !funds.is_empty() {
                events.extend(self.bank_send(sender, contract, funds)?);
            }
            let info = Self::info_json(sender, &validated_coins(funds)?);
            let raw = self.call_vm(
                contract,
                &checksum,
                EntryPoint::Execute { info: &info, msg },
            )?;
            events.push(Event::new("execute").attr(CONTRACT_ADDRESS_KEY, contract));
            let (response, contract_events) =
                self.contract_response(contract, &raw, (5, "execute wasm contract failed"))?;
            events.extend(contract_events);
            Ok((response, events))
        })?;
        let output = self.finish_call(contract, response, events, depth)?;
        Ok(MsgOutput {
            response: MsgResponse {
                type_url: "/cosmwasm.wasm.v1.MsgExecuteContractResponse".into(),
                value: ProtoWriter::new()
                    .bytes(1, output.data.as_deref().unwrap_or_default())
                    .finish(),
            },
            events: output.events,
            data: output.data.map(|d| d.to_vec()),
            contract_address: None,
            code_id: None,
        })
    }

    pub(crate) fn migrate(
        self: &Rc<Self>,
        sender: &str,
        contract: &str,
        new_code_id: u64,
        msg: &[u8],
        depth: u32,
    ) -> Result<MsgOutput> {
        self.check_depth(depth)?;
        let (response, events) = self.traced(CallKind::Migrate, Some(contract), depth, || {
            let canonical = self.canonical(contract)?;
            if self
                .read(StoreKey::Wasm, &contract_key(&canonical))?
                .is_none()
            {
                return Err(Failure::new("sdk", 18, "unknown contract: invalid request"));
            }
            let mut record = self
                .contract_record(contract)
                .expect("contract records have a typed copy");
            if record.admin.as_deref() != Some(sender) {
                return Err(Failure::unauthorized("can not migrate"));
            }
            let checksum = self.load_code(new_code_id)?;
            let pinned = self.has(StoreKey::Wasm, &pinned_key(new_code_id))?;
            self.charge(
                GasKind::Setup,
                setup_cost(self.discounted(&checksum, pinned), msg.len()),
            )?;
            let info = serde_json::to_vec(
                &json!({ "sender": sender, "old_migrate_version": Value::Null }),
            )
            .expect("migrate info serializes");
            let raw = self.call_vm(
                contract,
                &checksum,
                EntryPoint::Migrate { msg, info: &info },
            )?;
            record.code_id = new_code_id;
            self.append_history(&canonical, history_entry_bytes(2, &record, msg))?;
            self.save_contract(contract, &record)?;
            let mut events = vec![Event::new("migrate")
                .attr("code_id", new_code_id.to_string())
                .attr(CONTRACT_ADDRESS_KEY, contract)];
            let (response, contract_events) =
                self.contract_response(contract, &raw, (11, "migrate wasm contract failed"))?;
            events.extend(contract_events);
            Ok((response, events))
        })?;
        let output = self.finish_call(contract, response, events, depth)?;
        Ok(MsgOutput {
            response: MsgResponse {
                type_url: "/cosmwasm.wasm.v1.MsgMigrateContractResponse".into(),
                value: ProtoWriter::new()
                    .bytes(1, output.data.as_deref().unwrap_or_default())
                    .finish(),
            },
            events: output.events,
            data: output.data.map(|d| d.to_vec()),
            contract_address: None,
            code_id: None,
        })
    }

    fn update_admin(
        &self,
        sender: &str,
        contract: &str,
        new_admin: Option<&str>,
    ) -> Result<MsgOutput> {
        let canonical = self.canonical(contract)?;
        if self
            .read(StoreKey::Wasm, &contract_key(&canonical))?
            .is_none()
        {
            return Err(Failure::no_such_contract(contract));
        }
        let mut record = self
            .contract_record(contract)
            .expect("contract records have a typed copy");
        if record.admin.as_deref() != Some(sender) {
            return Err(Failure::unauthorized("can not modify contract"));
        }
        if let Some(admin) = new_admin {
            self.canonical(admin)?;
        }
        record.admin = new_admin.map(str::to_string);
        self.save_contract(contract, &record)?;
        let (event, type_url) = match new_admin {
            Some(admin) => (
                Event::new("update_contract_admin")
                    .attr(CONTRACT_ADDRESS_KEY, contract)
                    .attr("new_admin_address", admin),
                "/cosmwasm.wasm.v1.MsgUpdateAdminResponse",
            ),
            None => (
                Event::new("update_contract_admin")
                    .attr(CONTRACT_ADDRESS_KEY, contract)
                    .attr("new_admin_address", ""),
                "/cosmwasm.wasm.v1.MsgClearAdminResponse",
            ),
        };
        Ok(MsgOutput {
            events: vec![event],
            data: None,
            response: MsgResponse {
                type_url: type_url.into(),
                value: Vec::new(),
            },
            contract_address: None,
            code_id: None,
        })
    }

    pub(crate) fn send(
        &self,
        from: &str,
        to: &str,
        amount: &[Coin],
        depth: u32,
    ) -> Result<MsgOutput> {
        let events = self.traced(CallKind::BankSend, None, depth, || {
            self.bank_send(from, to, amount)
        })?;
        Ok(MsgOutput {
            events,
            data: None,
            response: MsgResponse {
                type_url: "/cosmos.bank.v1beta1.MsgSendResponse".into(),
                value: Vec::new(),
            },
            contract_address: None,
            code_id: None,
        })
    }

    /// wasmd `handleContractResponse` after the events: dispatches the submessages; the data of
    /// the last reply that returned some replaces the contract's own.
    fn finish_call(
        self: &Rc<Self>,
        contract: &str,
        response: Response,
        mut events: Vec<Event>,
        depth: u32,
    ) -> Result<CallOutput> {
        let mut data = response.data;
        for sub in response.messages {
            let (sub_events, reply_data) = self.dispatch_submessage(contract, sub, depth)?;
            events.extend(sub_events);
            if reply_data.is_some() {
                data = reply_data;
            }
        }
        Ok(CallOutput { events, data })
    }

    /// wasmd `DispatchSubmessages` for one submessage: runs it in its own store layer (and gas
    /// limit, if set), then calls `reply` as asked.
    fn dispatch_submessage(
        self: &Rc<Self>,
        contract: &str,
        sub: SubMsg,
        depth: u32,
    ) -> Result<(Vec<Event>, Option<Binary>)> {
        self.kv.borrow_mut().begin();
        let result = match sub.gas_limit {
            Some(limit) => {
                self.push_meter(limit.min(self.remaining()));
                let result = self.dispatch_message(contract, &sub.msg, depth + 1);
                let child = self.pop_meter();
                let child_out_of_gas = child.consumed() > child.limit;
                let parent = self
                    .meters
                    .borrow_mut()
                    .last_mut()
                    .expect("a gas meter is open")
                    .absorb(&child, None);
                if parent.is_err() {
                    self.kv.borrow_mut().rollback();
                    return Err(Failure::out_of_gas("submessage"));
                }
                if child_out_of_gas {
                    Err(Failure::out_of_gas("submessage"))
                } else {
                    result
                }
            }
            None => self.dispatch_message(contract, &sub.msg, depth + 1),
        };
        let mut events = Vec::new();
        let reply_result = match result {
            Ok(output) => {
                self.kv.borrow_mut().commit();
                let filtered: Vec<Event> = output
                    .events
                    .into_iter()
                    .filter(|e| e.ty != "message")
                    .collect();
                events.extend(filtered.iter().cloned());
                json!({ "ok": {
                    "events": filtered,
                    "data": Binary::from(output.response.value.clone()),
                    "msg_responses": [{ "type_url": output.response.type_url, "value": Binary::from(output.response.value) }],
                }})
            }
            Err(failure) => {
                self.kv.borrow_mut().rollback();
                // An out-of-gas without a submessage limit ends the whole transaction.
                if failure.code == 11 && failure.codespace == "sdk" && sub.gas_limit.is_none() {
                    return Err(failure);
                }
                if matches!(sub.reply_on, ReplyOn::Never | ReplyOn::Success) {
                    return Err(failure);
                }
                json!({ "error": failure.redacted() })
            }
        };
        let wants_reply = match sub.reply_on {
            ReplyOn::Always => true,
            ReplyOn::Success => reply_result.get("ok").is_some(),
            ReplyOn::Error => reply_result.get("error").is_some(),
            ReplyOn::Never => false,
        };
        if !wants_reply {
            return Ok((events, None));
        }
        let reply = json!({
            "id": sub.id,
            "payload": sub.payload,
            "gas_used": self.consumed(),
            "result": reply_result,
        });
        let (reply_events, data) = self.reply(contract, &reply, depth)?;
        events.extend(reply_events);
        Ok((events, data))
    }

    fn reply(
        self: &Rc<Self>,
        contract: &str,
        reply: &Value,
        depth: u32,
    ) -> Result<(Vec<Event>, Option<Binary>)> {
        let (response, events) = self.traced(CallKind::Reply, Some(contract), depth, || {
            let (_, checksum, _) = self.contract_instance(contract)?;
            self.charge(GasKind::Setup, reply_costs(reply))?;
            let reply_bytes = serde_json::to_vec(reply).expect("reply serializes");
            let raw = self.call_vm(
                contract,
                &checksum,
                EntryPoint::Reply {
                    reply: &reply_bytes,
                },
            )?;
            let mut events = vec![Event::new("reply").attr(CONTRACT_ADDRESS_KEY, contract)];
            let (response, contract_events) =
                self.contract_response(contract, &raw, (5, "reply wasm contract failed"))?;
            events.extend(contract_events);
            Ok((response, events))
        })?;
        let output = self.finish_call(contract, response, events, depth)?;
        Ok((output.events, output.data))
    }

    /// Routes a message a contract returned, sent by that contract.
    fn dispatch_message(
        self: &Rc<Self>,
        sender: &str,
        msg: &CosmosMsg,
        depth: u32,
    ) -> Result<MsgOutput> {
        self.check_depth(depth)?;
        match msg {
            CosmosMsg::Bank(BankMsg::Send { to_address, amount }) => {
                self.send(sender, to_address, amount, depth)
            }
            CosmosMsg::Bank(BankMsg::Burn { amount }) => {
                let events = self.traced(CallKind::BankSend, None, depth, || {
                    self.bank_burn(sender, amount)
                })?;
                Ok(MsgOutput {
                    events,
                    data: None,
                    response: MsgResponse {
                        type_url: "/cosmos.bank.v1beta1.MsgBurnResponse".into(),
                        value: Vec::new(),
                    },
                    contract_address: None,
                    code_id: None,
                })
            }
            CosmosMsg::Wasm(WasmMsg::Execute {
                contract_addr,
                msg,
                funds,
            }) => self.execute(sender, contract_addr, msg, funds, depth),
            CosmosMsg::Wasm(WasmMsg::Instantiate {
                admin,
                code_id,
                msg,
                funds,
                label,
            }) => self.instantiate(sender, admin.as_deref(), *code_id, label, msg, funds, depth),
            CosmosMsg::Wasm(WasmMsg::Migrate {
                contract_addr,
                new_code_id,
                msg,
            }) => self.migrate(sender, contract_addr, *new_code_id, msg, depth),
            CosmosMsg::Wasm(WasmMsg::UpdateAdmin {
                contract_addr,
                admin,
            }) => self.update_admin(sender, contract_addr, Some(admin)),
            CosmosMsg::Wasm(WasmMsg::ClearAdmin { contract_addr }) => {
                self.update_admin(sender, contract_addr, None)
            }
            other => Err(Failure::unknown_msg(format!("{other:?}"))),
        }
    }

    // ---- queries -------------------------------------------------------------------------

    /// wasmd `QuerySmart`.
    pub(crate) fn smart_query(self: &Rc<Self>, contract: &str, msg: &[u8]) -> Result<Vec<u8>> {
        let (_, checksum, pinned) = self.contract_instance(contract)?;
        self.charge(
            GasKind::Setup,
            setup_cost(self.discounted(&checksum, pinned), msg.len()),
        )?;
        let raw = self.call_vm(contract, &checksum, EntryPoint::Query { msg })?;
        let result: ContractResult<Binary> = serde_json::from_slice(&raw).map_err(|err| {
            Failure::new(
                "wasm",
                29,
                format!("cannot parse the query response: {err}"),
            )
        })?;
        match result {
            ContractResult::Ok(data) => Ok(data.to_vec()),
            ContractResult::Err(err) => Err(Failure::new(
                "wasm",
                9,
                format!("{err}: query wasm contract failed"),
            )),
        }
    }

    /// wasmd `QueryRaw`: one metered read of the contract's store.
    pub(crate) fn raw_query(&self, contract: &str, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let mut full = contract_store_prefix(&self.canonical(contract)?);
        full.extend_from_slice(key);
        let value = self.kv.borrow().get(StoreKey::Wasm, &full);
        self.charge(
            GasKind::ContractRead,
            kv::read(full.len(), value.as_ref().map_or(0, Vec::len)),
        )?;
        Ok(value)
    }

    /// wasmd's query plugins for the requests contracts send (bank balances; wasm smart, raw
    /// and contract info).
    fn handle_query(self: &Rc<Self>, request: &Value) -> Result<Vec<u8>, QueryFailure> {
        let unsupported = |kind: &str| {
            QueryFailure::System(SystemError::UnsupportedRequest { kind: kind.into() })
        };
        let str_field = |v: &Value, name: &str| -> Result<String, QueryFailure> {
            v.get(name)
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| {
                    QueryFailure::System(SystemError::InvalidRequest {
                        error: format!("missing field {name}"),
                        request: Binary::from(request.to_string().into_bytes()),
                    })
                })
        };
        let no_such_contract = |failure: Failure, address: &str| {
            if failure.code == 22 {
                QueryFailure::System(SystemError::NoSuchContract {
                    addr: address.into(),
                })
            } else {
                QueryFailure::Failed(failure)
            }
        };
        if let Some(bank) = request.get("bank") {
            if let Some(q) = bank.get("balance") {
                let (address, denom) = (str_field(q, "address")?, str_field(q, "denom")?);
                let amount = self.balance(&address, &denom)?;
                return Ok(
                    serde_json::to_vec(&json!({ "amount": Coin { denom, amount } }))
                        .expect("serializes"),
                );
            }
            if let Some(q) = bank.get("all_balances") {
                let coins = self.all_balances(&str_field(q, "address")?)?;
                return Ok(serde_json::to_vec(&json!({ "amount": coins })).expect("serializes"));
            }
            return Err(unsupported("bank"));
        }
        if let Some(wasm) = request.get("wasm") {
            if let Some(q) = wasm.get("smart") {
                let address = str_field(q, "contract_addr")?;
                let msg: Binary = serde_json::from_value(q.get("msg").cloned().unwrap_or_default())
                    .map_err(|err| {
                        QueryFailure::System(SystemError::InvalidRequest {
                            error: err.to_string(),
                            request: Binary::from(request.to_string().into_bytes()),
                        })
                    })?;
                return self
                    .smart_query(&address, &msg)
                    .map_err(|f| no_such_contract(f, &address));
            }
            if let Some(q) = wasm.get("raw") {
                let address = str_field(q, "contract_addr")?;
                let key: Binary = serde_json::from_value(q.get("key").cloned().unwrap_or_default())
                    .unwrap_or_default();
                let value = self.raw_query(&address, &key)?;
                // The querier answers the raw bytes; empty for a missing key.
                return Ok(value.unwrap_or_default());
            }
            if let Some(q) = wasm.get("contract_info") {
                let address = str_field(q, "contract_addr")?;
                let canonical = self.canonical(&address)?;
                if self
                    .read(StoreKey::Wasm, &contract_key(&canonical))?
                    .is_none()
                {
                    return Err(QueryFailure::System(SystemError::NoSuchContract {
                        addr: address,
                    }));
                }
                let record = self
                    .contract_record(&address)
                    .expect("contract records have a typed copy");
                let pinned = self.has(StoreKey::Wasm, &pinned_key(record.code_id))?;
                let response = json!({
                    "code_id": record.code_id,
                    "creator": record.creator,
                    "admin": record.admin,
                    "pinned": pinned,
                    "ibc_port": Value::Null,
                });
                return Ok(serde_json::to_vec(&response).expect("serializes"));
            }
            return Err(unsupported("wasm"));
        }
        let kind = request
            .as_object()
            .and_then(|o| o.keys().next().cloned())
            .unwrap_or_else(|| "unknown".into());
        Err(unsupported(&kind))
    }

    /// A contract's query, run in a cache layer that is dropped, with its own meter whose
    /// consumption the caller pays (wasmd `QueryHandler.Query`).
    pub(crate) fn sub_query(
        self: &Rc<Self>,
        request: &[u8],
        gas_limit: u64,
    ) -> BackendResult<SystemResult<ContractResult<Binary>>> {
        if self.query_depth.get() >= MAX_QUERY_STACK_SIZE {
            let failure = Failure::new("wasm", 27, "max query stack size exceeded");
            return (
                Ok(SystemResult::Ok(ContractResult::Err(failure.redacted()))),
                GasInfo::free(),
            );
        }
        let parsed: Value = match serde_json::from_slice(request) {
            Ok(parsed) => parsed,
            Err(err) => {
                let error = SystemError::InvalidRequest {
                    error: err.to_string(),
                    request: Binary::from(request),
                };
                return (Ok(SystemResult::Err(error)), GasInfo::free());
            }
        };
        self.push_meter(sdk_gas_from_vm(gas_limit));
        self.kv.borrow_mut().begin();
        self.query_depth.set(self.query_depth.get() + 1);
        let result = self.handle_query(&parsed);
        self.query_depth.set(self.query_depth.get() - 1);
        self.kv.borrow_mut().rollback();
        let child = self.pop_meter();
        let charged = child.consumed().min(child.limit);
        let parent = self
            .meters
            .borrow_mut()
            .last_mut()
            .expect("a gas meter is open")
            .absorb(&child, Some(query_label(&parsed)));
        let gas = GasInfo::with_externally_used(vm_gas_from_sdk(charged));
        if parent.is_err()
            || matches!(result, Err(QueryFailure::OutOfGas))
            || child.consumed() > child.limit
        {
            return (Err(BackendError::out_of_gas()), gas);
        }
        let answer = match result {
            Ok(data) => SystemResult::Ok(ContractResult::Ok(Binary::from(data))),
            Err(QueryFailure::System(error)) => SystemResult::Err(error),
            Err(QueryFailure::Failed(failure))
                if failure.codespace == "sdk" && failure.code == 11 =>
            {
                return (Err(BackendError::out_of_gas()), gas);
            }
            Err(QueryFailure::Failed(failure)) => {
                SystemResult::Ok(ContractResult::Err(failure.redacted()))
            }
            Err(QueryFailure::OutOfGas) => unreachable!("handled above"),
        };
        (Ok(answer), gas)
    }
}

/// wasmd `SetupContractCost`.
fn setup_cost(discount: bool, msg_len: usize) -> u64 {
    let instance = if discount {
        INSTANCE_COST_DISCOUNT
    } else {
        INSTANCE_COST
    };
    instance + msg_len as u64 * CONTRACT_MESSAGE_DATA_COST
}

/// wasmd `ReplyCosts(discount = true, reply)`: the discounted instance cost plus the events
/// of the submessage result (one free tier for all their attributes).
fn reply_costs(reply: &Value) -> u64 {
    let ok = &reply["result"]["ok"];
    let mut gas = 0;
    let mut attributes: Vec<(&str, &str)> = Vec::new();
    if let Some(events) = ok["events"].as_array() {
        for event in events {
            gas += event["type"].as_str().map_or(0, str::len) as u64
                * crate::gas::EVENT_ATTRIBUTE_DATA_COST;
            for attribute in event["attributes"].as_array().into_iter().flatten() {
                attributes.push((
                    attribute["key"].as_str().unwrap_or_default(),
                    attribute["value"].as_str().unwrap_or_default(),
                ));
            }
        }
        gas += event_costs(attributes, Vec::new());
    }
    let data_len = reply["result"]["error"].as_str().map_or(0, str::len);
    gas + setup_cost(true, data_len)
}

/// A short name for a query in gas reports: `wasm/smart:<contract>`, `bank/balance`, ...
fn query_label(request: &Value) -> String {
    let Some((module, body)) = request.as_object().and_then(|o| o.iter().next()) else {
        return "unknown".into();
    };
    let Some((kind, fields)) = body.as_object().and_then(|o| o.iter().next()) else {
        return module.clone();
    };
    match fields.get("contract_addr").and_then(Value::as_str) {
        Some(contract) => format!("{module}/{kind}:{contract}"),
        None => format!("{module}/{kind}"),
    }
}
