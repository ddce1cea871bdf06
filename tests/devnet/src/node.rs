//! The devnet's state machine: the engine ([`mesi_chain::Chain`]) behind an ante handler,
//! a mempool and a block store.
//!
//! As on a CometBFT chain, a transaction is first checked ([`Node::check_tx`]: decoding,
//! signatures, sequences, fees, against the state after the last block and the mempool) and
//! waits in the mempool; [`Node::produce_block`] then runs the mempool in a new block. A
//! transaction whose ante checks pass pays its fee and uses its sequence even when a message
//! fails; the failed messages leave no trace but the result's code and log.

use std::collections::HashMap;
use std::path::PathBuf;

use cosmrs::proto::cosmos::base::abci::v1beta1::TxMsgData;
use cosmrs::proto::traits::Message;
use cosmrs::Any;
use mesi_chain::{Chain, ChainConfig, Coin, Event, Tx, Uint256};
use sha2::{Digest, Sha256};

use crate::tx::{address_of, hash_hex, sign_doc_bytes, verify_secp256k1, DecodedTx, SdkError};

/// x/auth `TxSizeCostPerByte`.
pub const TX_SIZE_COST_PER_BYTE: u64 = 10;
/// x/auth `SigVerifyCostSecp256k1`.
pub const SIG_VERIFY_COST_SECP256K1: u64 = 1_000;
/// The ante handler's own storage work (params, accounts, fee deduction), as one flat cost:
/// the devnet does not meter it read by read.
pub const ANTE_BASE_COST: u64 = 10_000;
/// x/auth `MaxMemoCharacters`.
pub const MAX_MEMO_CHARACTERS: usize = 256;
/// Gas limit of simulated transactions (`simulate` ignores the limit a transaction carries).
pub const SIMULATION_GAS_LIMIT: u64 = 100_000_000;
/// The module account fees go to.
pub const FEE_COLLECTOR: &str = "fee_collector";

/// A minimum gas price such as `0.0025`, kept exactly as `numerator / denominator`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GasPrice {
    numerator: u128,
    denominator: u128,
}

impl GasPrice {
    pub const ZERO: GasPrice = GasPrice {
        numerator: 0,
        denominator: 1,
    };

    /// The fee `gas` needs at this price, rounded up as the SDK rounds required fees.
    pub fn fee_for(&self, gas: u64) -> u128 {
        (u128::from(gas) * self.numerator).div_ceil(self.denominator)
    }

    pub fn is_zero(&self) -> bool {
        self.numerator == 0
    }
}

impl std::str::FromStr for GasPrice {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let invalid = || format!("invalid gas price {text:?}: expected a decimal like 0.0025");
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        if whole.is_empty() && fraction.is_empty()
            || fraction.len() > 18
            || !whole
                .chars()
                .chain(fraction.chars())
                .all(|c| c.is_ascii_digit())
        {
            return Err(invalid());
        }
        let denominator = 10u128.pow(fraction.len() as u32);
        let numerator = format!("{whole}{fraction}")
            .parse::<u128>()
            .map_err(|_| invalid())?;
        Ok(GasPrice {
            numerator,
            denominator,
        })
    }
}

impl std::fmt::Display for GasPrice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let decimals = self.denominator.ilog10() as usize;
        let whole = self.numerator / self.denominator;
        if decimals == 0 {
            return write!(f, "{whole}");
        }
        let fraction = self.numerator % self.denominator;
        write!(f, "{whole}.{fraction:0decimals$}")
    }
}

#[derive(Clone, Debug)]
pub struct NodeConfig {
    pub chain_id: String,
    pub bech32_prefix: String,
    /// The denom fees are paid in.
    pub fee_denom: String,
    /// Fees below `gas limit × price` of `fee_denom` are refused at check time (code 13).
    pub min_gas_price: GasPrice,
    /// Unix time of genesis, in nanoseconds; block 1 comes at least a second later.
    pub genesis_time_nanos: u64,
    /// Where the VM keeps compiled modules (`None`: a temporary directory).
    pub cache_dir: Option<PathBuf>,
}

/// Sequence and public key of an account, as x/auth keeps them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccountState {
    pub sequence: u64,
    pub public_key: Option<Vec<u8>>,
}

/// What a transaction did, as CometBFT's `ExecTxResult` reports it.
#[derive(Clone, Debug)]
pub struct TxOutcome {
    pub code: u32,
    pub codespace: String,
    pub log: String,
    /// Protobuf `TxMsgData` (empty for a failed transaction).
    pub data: Vec<u8>,
    pub gas_wanted: u64,
    pub gas_used: u64,
    pub events: Vec<Event>,
}

impl TxOutcome {
    fn failed(error: SdkError, gas_wanted: u64, gas_used: u64, events: Vec<Event>) -> Self {
        TxOutcome {
            code: error.code,
            codespace: error.codespace,
            log: error.log,
            data: Vec::new(),
            gas_wanted,
            gas_used,
            events,
        }
    }

    pub fn is_ok(&self) -> bool {
        self.code == 0
    }
}

/// A transaction in a block.
#[derive(Clone, Debug)]
pub struct TxRecord {
    pub hash: [u8; 32],
    pub bytes: Vec<u8>,
    pub height: u64,
    pub index: u32,
    pub outcome: TxOutcome,
}

/// A block as the RPC serves it.
#[derive(Clone, Debug)]
pub struct BlockRecord {
    pub height: u64,
    pub time_nanos: u64,
    pub hash: [u8; 32],
    pub last_block_hash: Option<[u8; 32]>,
    pub data_hash: [u8; 32],
    pub last_results_hash: [u8; 32],
    /// The application state after the previous block (CometBFT's header `app_hash`).
    pub app_hash: [u8; 32],
    /// The application state after this block.
    pub result_app_hash: [u8; 32],
    pub txs: Vec<TxRecord>,
}

/// The result of checking a transaction for the mempool.
#[derive(Clone, Debug)]
pub struct CheckOutcome {
    pub hash: [u8; 32],
    pub result: Result<u64, SdkError>,
}

/// A simulated transaction.
#[derive(Clone, Debug)]
pub struct Simulation {
    pub gas_used: u64,
    pub gas_wanted: u64,
    pub data: Vec<u8>,
    pub msg_responses: Vec<Any>,
    pub events: Vec<Event>,
}

/// A block being built.
struct OpenBlock {
    height: u64,
    time_nanos: u64,
    txs: Vec<TxRecord>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum AnteMode {
    Check,
    Deliver,
    Simulate,
}

/// What the ante handler decided for a transaction that passes it.
struct AnteOutcome {
    gas: u64,
    fee_payer: String,
    updates: Vec<(String, AccountState)>,
}

pub struct Node {
    chain: Chain,
    config: NodeConfig,
    genesis_balances: Vec<(String, Vec<Coin>)>,
    /// Accounts after the last block.
    accounts: HashMap<String, AccountState>,
    /// Accounts after the last block and the mempool (CheckTx state).
    check_accounts: HashMap<String, AccountState>,
    mempool: Vec<DecodedTx>,
    blocks: Vec<BlockRecord>,
    tx_locations: HashMap<[u8; 32], (u64, u32)>,
    open_block: Option<OpenBlock>,
}

impl Node {
    /// A chain at height 0 whose genesis gives each listed account its coins.
    pub fn new(config: NodeConfig, genesis: &[(String, Vec<Coin>)]) -> anyhow::Result<Self> {
        let mut chain = Chain::new(ChainConfig {
            chain_id: config.chain_id.clone(),
            bech32_prefix: config.bech32_prefix.clone(),
            genesis_height: 0,
            genesis_time_nanos: config.genesis_time_nanos,
            cache_dir: config.cache_dir.clone(),
            ..ChainConfig::default()
        })?;
        for (address, coins) in genesis {
            chain
                .fund(address, coins)
                .map_err(|err| anyhow::anyhow!("genesis account {address}: {err}"))?;
        }
        Ok(Node {
            chain,
            config,
            genesis_balances: genesis.to_vec(),
            accounts: HashMap::new(),
            check_accounts: HashMap::new(),
            mempool: Vec::new(),
            blocks: Vec::new(),
            tx_locations: HashMap::new(),
            open_block: None,
        })
    }

    pub fn config(&self) -> &NodeConfig {
        &self.config
    }

    pub fn chain(&self) -> &Chain {
        &self.chain
    }

    pub fn genesis_balances(&self) -> &[(String, Vec<Coin>)] {
        &self.genesis_balances
    }

    pub fn fee_collector(&self) -> String {
        self.chain.addr_make(FEE_COLLECTOR)
    }

    pub fn latest_block(&self) -> Option<&BlockRecord> {
        self.blocks.last()
    }

    pub fn latest_height(&self) -> u64 {
        self.blocks.len() as u64
    }

    pub fn block(&self, height: u64) -> Option<&BlockRecord> {
        height
            .checked_sub(1)
            .and_then(|i| self.blocks.get(i as usize))
    }

    pub fn blocks(&self) -> &[BlockRecord] {
        &self.blocks
    }

    pub fn tx(&self, hash: &[u8]) -> Option<&TxRecord> {
        let hash: [u8; 32] = hash.try_into().ok()?;
        let (height, index) = self.tx_locations.get(&hash)?;
        self.block(*height)?.txs.get(*index as usize)
    }

    pub fn mempool_len(&self) -> usize {
        self.mempool.len()
    }

    /// Sequence and key of `address` after the last block.
    pub fn account(&self, address: &str) -> Option<(u64, AccountState)> {
        let number = self.chain.account_number(address)?;
        Some((
            number,
            self.accounts.get(address).cloned().unwrap_or_default(),
        ))
    }

    /// The sequence the next transaction of `address` must carry, counting the mempool.
    pub fn next_sequence(&self, address: &str) -> u64 {
        self.check_accounts
            .get(address)
            .or_else(|| self.accounts.get(address))
            .map_or(0, |a| a.sequence)
    }

    // ---- mempool ------------------------------------------------------------------------

    /// CheckTx: a transaction that passes goes into the mempool.
    pub fn check_tx(&mut self, bytes: &[u8]) -> CheckOutcome {
        let hash = crate::tx::tx_hash(bytes);
        let result = self.check_and_queue(bytes, hash);
        CheckOutcome { hash, result }
    }

    fn check_and_queue(&mut self, bytes: &[u8], hash: [u8; 32]) -> Result<u64, SdkError> {
        if self.tx_locations.contains_key(&hash) || self.mempool.iter().any(|t| t.hash == hash) {
            return Err(SdkError::tx_in_mempool(format!(
                "tx {} is already known",
                hash_hex(&hash)
            )));
        }
        let tx = DecodedTx::decode(bytes)?;
        let ante = self.ante(&tx, AnteMode::Check)?;
        let fee_payer_balance_ok = tx.fee.iter().try_for_each(|coin| {
            let balance = self
                .chain
                .balance(&ante.fee_payer, &coin.denom)
                .unwrap_or_default();
            if balance < coin.amount {
                Err(SdkError::insufficient_funds(format!(
                    "spendable balance {balance}{} is smaller than {}{}",
                    coin.denom, coin.amount, coin.denom
                )))
            } else {
                Ok(())
            }
        });
        fee_payer_balance_ok?;
        for (address, state) in ante.updates {
            self.check_accounts.insert(address, state);
        }
        let gas_wanted = tx.gas_limit;
        self.mempool.push(tx);
        Ok(gas_wanted)
    }

    // ---- blocks -------------------------------------------------------------------------

    /// Opens the next block `seconds` after the previous one (at least one second).
    pub fn begin_block(&mut self, seconds: u64) {
        assert!(self.open_block.is_none(), "a block is already open");
        let info = self.chain.advance_block(seconds.max(1));
        self.open_block = Some(OpenBlock {
            height: info.height,
            time_nanos: info.time_nanos,
            txs: Vec::new(),
        });
    }

    /// Runs a checked or unchecked transaction in the open block, as FinalizeBlock does.
    pub fn deliver(&mut self, bytes: &[u8]) -> TxOutcome {
        let outcome = match DecodedTx::decode(bytes) {
            Ok(tx) => self.deliver_decoded(&tx),
            Err(error) => TxOutcome::failed(error, 0, 0, Vec::new()),
        };
        let open = self
            .open_block
            .as_mut()
            .expect("deliver needs an open block");
        open.txs.push(TxRecord {
            hash: crate::tx::tx_hash(bytes),
            bytes: bytes.to_vec(),
            height: open.height,
            index: open.txs.len() as u32,
            outcome: outcome.clone(),
        });
        outcome
    }

    fn deliver_decoded(&mut self, tx: &DecodedTx) -> TxOutcome {
        let ante = match self.ante(tx, AnteMode::Deliver) {
            Ok(ante) => ante,
            Err(error) => {
                let size_gas = TX_SIZE_COST_PER_BYTE * tx.bytes.len() as u64;
                return TxOutcome::failed(error, tx.gas_limit, size_gas.min(tx.gas_limit), vec![]);
            }
        };
        let mut events = Vec::new();
        if !tx.fee.is_empty() {
            let collector = self.fee_collector();
            match self.chain.transfer(&ante.fee_payer, &collector, &tx.fee) {
                Ok(bank_events) => {
                    events.extend(bank_events);
                    events.push(Event::new("message").attr("sender", &ante.fee_payer));
                }
                Err(err) => {
                    let error = SdkError {
                        codespace: err.codespace,
                        code: err.code,
                        log: err.log,
                    };
                    return TxOutcome::failed(error, tx.gas_limit, ante.gas, vec![]);
                }
            }
        }
        events.push(
            Event::new("tx")
                .attr("fee", mesi_chain::events::coins_string(&tx.fee))
                .attr("fee_payer", &ante.fee_payer),
        );
        for (address, state) in &ante.updates {
            // acc_seq carries the sequence the transaction was signed with.
            events.push(Event::new("tx").attr(
                "acc_seq",
                format!("{address}/{}", state.sequence.saturating_sub(1)),
            ));
        }
        for signature in &tx.signatures {
            use base64::Engine;
            events.push(Event::new("tx").attr(
                "signature",
                base64::engine::general_purpose::STANDARD.encode(signature),
            ));
        }
        for (address, state) in ante.updates {
            self.accounts.insert(address, state);
        }
        let engine_tx = Tx {
            msgs: tx.msgs.clone(),
            gas_limit: tx.gas_limit - ante.gas,
            hash: tx.hash.to_vec(),
        };
        match self.chain.deliver_tx(&engine_tx) {
            Ok(result) => {
                events.extend(result.events);
                TxOutcome {
                    code: 0,
                    codespace: String::new(),
                    log: String::new(),
                    data: tx_msg_data(&result.msg_responses),
                    gas_wanted: tx.gas_limit,
                    gas_used: ante.gas + result.gas_used,
                    events,
                }
            }
            Err(err) => TxOutcome::failed(
                SdkError {
                    codespace: err.codespace,
                    code: err.code,
                    log: err.log,
                },
                tx.gas_limit,
                (ante.gas + err.gas_used).min(tx.gas_limit),
                events,
            ),
        }
    }

    /// Closes the open block and stores it.
    pub fn end_block(&mut self) -> &BlockRecord {
        let open = self
            .open_block
            .take()
            .expect("end_block needs an open block");
        let last = self.blocks.last();
        let app_hash = last.map_or([0u8; 32], |b| b.result_app_hash);
        let last_block_hash = last.map(|b| b.hash);
        let tx_hashes: Vec<[u8; 32]> = open.txs.iter().map(|t| t.hash).collect();
        let data_hash = merkle_root(&tx_hashes);
        let result_hashes: Vec<[u8; 32]> = open
            .txs
            .iter()
            .map(|t| {
                let o = &t.outcome;
                let mut h = Sha256::new();
                h.update(o.code.to_be_bytes());
                h.update(&o.data);
                h.update(o.gas_wanted.to_be_bytes());
                h.update(o.gas_used.to_be_bytes());
                h.finalize().into()
            })
            .collect();
        let last_results_hash = merkle_root(&result_hashes);
        let mut state = Sha256::new();
        state.update(app_hash);
        state.update(last_results_hash);
        let result_app_hash: [u8; 32] = state.finalize().into();
        let mut header = Sha256::new();
        header.update(self.config.chain_id.as_bytes());
        header.update(open.height.to_be_bytes());
        header.update(open.time_nanos.to_be_bytes());
        header.update(last_block_hash.unwrap_or_default());
        header.update(data_hash);
        header.update(app_hash);
        let hash: [u8; 32] = header.finalize().into();
        for tx in &open.txs {
            self.tx_locations.insert(tx.hash, (open.height, tx.index));
        }
        self.blocks.push(BlockRecord {
            height: open.height,
            time_nanos: open.time_nanos,
            hash,
            last_block_hash,
            data_hash,
            last_results_hash,
            app_hash,
            result_app_hash,
            txs: open.txs,
        });
        self.check_accounts = self.accounts.clone();
        self.blocks.last().expect("just pushed")
    }

    /// Runs the mempool in a new block `seconds` after the previous one.
    pub fn produce_block(&mut self, seconds: u64) -> &BlockRecord {
        self.begin_block(seconds);
        for tx in std::mem::take(&mut self.mempool) {
            self.deliver(&tx.bytes);
        }
        self.end_block()
    }

    // ---- queries ------------------------------------------------------------------------

    /// `cosmos.tx.v1beta1.Service/Simulate`: signatures are not checked (wallets simulate with
    /// empty ones), the gas limit and fee are ignored, sequences are.
    pub fn simulate(&self, bytes: &[u8]) -> Result<Simulation, SdkError> {
        let tx = DecodedTx::decode(bytes)?;
        let ante = self.ante(&tx, AnteMode::Simulate)?;
        let engine_tx = Tx {
            msgs: tx.msgs.clone(),
            gas_limit: SIMULATION_GAS_LIMIT,
            hash: tx.hash.to_vec(),
        };
        let result = self.chain.simulate(&engine_tx).map_err(|err| SdkError {
            codespace: err.codespace,
            code: err.code,
            log: err.log,
        })?;
        let msg_responses: Vec<Any> = result
            .msg_responses
            .iter()
            .map(|r| Any {
                type_url: r.type_url.clone(),
                value: r.value.clone(),
            })
            .collect();
        Ok(Simulation {
            gas_used: ante.gas + result.gas_used,
            gas_wanted: tx.gas_limit,
            data: tx_msg_data(&result.msg_responses),
            msg_responses,
            events: result.events,
        })
    }

    // ---- ante handler -------------------------------------------------------------------

    fn account_state(&self, address: &str, mode: AnteMode) -> AccountState {
        let accounts = match mode {
            AnteMode::Check => &self.check_accounts,
            AnteMode::Deliver | AnteMode::Simulate => &self.accounts,
        };
        accounts
            .get(address)
            .or_else(|| self.accounts.get(address))
            .cloned()
            .unwrap_or_default()
    }

    /// The SDK's ante decorators, in their order: basic validation, timeout, memo, size gas,
    /// minimum fee (CheckTx), fee payer, public keys, signature gas, sequences and signatures.
    fn ante(&self, tx: &DecodedTx, mode: AnteMode) -> Result<AnteOutcome, SdkError> {
        let signers = tx.signers();
        if mode != AnteMode::Simulate && tx.signatures.is_empty() {
            return Err(SdkError::no_signatures("no signatures supplied"));
        }
        if tx.signatures.len() != signers.len() && mode != AnteMode::Simulate {
            return Err(SdkError::unauthorized(format!(
                "wrong number of signatures; expected {}, got {}",
                signers.len(),
                tx.signatures.len()
            )));
        }
        if tx.signer_infos.len() != signers.len() {
            return Err(SdkError::unauthorized(format!(
                "wrong number of signers; expected {}, got {}",
                signers.len(),
                tx.signer_infos.len()
            )));
        }
        let height = self.chain.block().height + u64::from(mode != AnteMode::Deliver);
        if tx.timeout_height > 0 && height > tx.timeout_height {
            return Err(SdkError::timeout_height(format!(
                "block height: {height}, timeout height: {}",
                tx.timeout_height
            )));
        }
        if tx.memo.chars().count() > MAX_MEMO_CHARACTERS {
            return Err(SdkError {
                codespace: "sdk".into(),
                code: 12,
                log: format!(
                    "maximum number of characters is {MAX_MEMO_CHARACTERS} but received {} characters: memo too large",
                    tx.memo.chars().count()
                ),
            });
        }
        // Simulation prices the signatures wallets leave empty as 64-byte ones.
        let missing_signature_bytes: u64 = if mode == AnteMode::Simulate {
            tx.signatures
                .iter()
                .map(|s| 64u64.saturating_sub(s.len() as u64))
                .sum::<u64>()
                + 64 * signers.len().saturating_sub(tx.signatures.len()) as u64
        } else {
            0
        };
        let size_gas = TX_SIZE_COST_PER_BYTE * (tx.bytes.len() as u64 + missing_signature_bytes);
        let gas = ANTE_BASE_COST + size_gas + SIG_VERIFY_COST_SECP256K1 * signers.len() as u64;
        if mode != AnteMode::Simulate && gas > tx.gas_limit {
            return Err(SdkError::out_of_gas(format!(
                "out of gas in location: txSize; gasWanted: {}, gasUsed: {gas}",
                tx.gas_limit
            )));
        }
        if mode == AnteMode::Check && !self.config.min_gas_price.is_zero() {
            let required = self.config.min_gas_price.fee_for(tx.gas_limit);
            let paid = tx
                .fee
                .iter()
                .find(|c| c.denom == self.config.fee_denom)
                .map_or(Uint256::zero(), |c| c.amount);
            if paid < Uint256::from(required) {
                return Err(SdkError::insufficient_fee(format!(
                    "insufficient fees; got: {} required: {required}{}",
                    mesi_chain::events::coins_string(&tx.fee),
                    self.config.fee_denom
                )));
            }
        }
        let fee_payer = tx.fee_payer.clone().unwrap_or_else(|| signers[0].clone());
        if mode != AnteMode::Simulate && !signers.contains(&fee_payer) {
            return Err(SdkError::unauthorized(format!(
                "fee payer {fee_payer} did not sign the transaction"
            )));
        }
        if self.chain.account_number(&fee_payer).is_none() {
            return Err(SdkError::unknown_address(format!(
                "fee payer address: {fee_payer} does not exist"
            )));
        }
        let mut updates = Vec::with_capacity(signers.len());
        for (index, signer) in signers.iter().enumerate() {
            let info = &tx.signer_infos[index];
            let Some(account_number) = self.chain.account_number(signer) else {
                return Err(SdkError::unknown_address(format!(
                    "account {signer} does not exist"
                )));
            };
            let mut state = self.account_state(signer, mode);
            let public_key = match (&state.public_key, &info.public_key) {
                (Some(known), _) => known.clone(),
                (None, Some(given)) => {
                    if address_of(given, &self.config.bech32_prefix)? != *signer {
                        return Err(SdkError::invalid_pub_key(format!(
                            "pubKey does not match signer address {signer} with signer index: {index}"
                        )));
                    }
                    given.clone()
                }
                (None, None) => {
                    return Err(SdkError::invalid_pub_key(format!(
                        "pubkey on account {signer} is not set"
                    )))
                }
            };
            if info.sequence != state.sequence {
                return Err(SdkError::wrong_sequence(format!(
                    "account sequence mismatch, expected {}, got {}",
                    state.sequence, info.sequence
                )));
            }
            if mode != AnteMode::Simulate {
                if !info.direct_mode {
                    return Err(SdkError::unauthorized(
                        "only SIGN_MODE_DIRECT signatures are supported by this devnet",
                    ));
                }
                let sign_doc = sign_doc_bytes(
                    &tx.body_bytes,
                    &tx.auth_info_bytes,
                    &self.config.chain_id,
                    account_number,
                );
                if !verify_secp256k1(&public_key, &sign_doc, &tx.signatures[index]) {
                    return Err(SdkError::unauthorized(format!(
                        "signature verification failed; please verify account number ({account_number}), sequence ({}) and chain-id ({})",
                        info.sequence, self.config.chain_id
                    )));
                }
            }
            state.public_key = Some(public_key);
            state.sequence += 1;
            updates.push((signer.clone(), state));
        }
        Ok(AnteOutcome {
            gas,
            fee_payer,
            updates,
        })
    }
}

/// `TxMsgData { msg_responses }`, the `data` of a successful transaction in SDK 0.50.
fn tx_msg_data(responses: &[mesi_chain::MsgResponse]) -> Vec<u8> {
    #[allow(deprecated)]
    TxMsgData {
        data: Vec::new(),
        msg_responses: responses
            .iter()
            .map(|r| Any {
                type_url: r.type_url.clone(),
                value: r.value.clone(),
            })
            .collect(),
    }
    .encode_to_vec()
}

/// RFC 6962 Merkle root, as CometBFT's `merkle.HashFromByteSlices` computes it.
pub fn merkle_root(leaves: &[[u8; 32]]) -> [u8; 32] {
    match leaves.len() {
        0 => Sha256::digest([]).into(),
        1 => {
            let mut h = Sha256::new();
            h.update([0u8]);
            h.update(leaves[0]);
            h.finalize().into()
        }
        n => {
            let split = n.next_power_of_two() / 2;
            let left = merkle_root(&leaves[..split]);
            let right = merkle_root(&leaves[split..]);
            let mut h = Sha256::new();
            h.update([1u8]);
            h.update(left);
            h.update(right);
            h.finalize().into()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gas_prices_parse_exactly_and_round_fees_up() {
        let price: GasPrice = "0.0025".parse().unwrap();
        assert_eq!(price.fee_for(200_000), 500);
        assert_eq!(price.fee_for(1), 1);
        assert_eq!(price.to_string(), "0.0025");
        assert!("0".parse::<GasPrice>().unwrap().is_zero());
        assert_eq!("2".parse::<GasPrice>().unwrap().fee_for(3), 6);
        assert!("1e-3".parse::<GasPrice>().is_err());
        assert!("".parse::<GasPrice>().is_err());
    }

    #[test]
    fn merkle_root_of_nothing_is_the_empty_hash() {
        assert_eq!(
            hex::encode_upper(merkle_root(&[])),
            "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"
        );
        assert_ne!(merkle_root(&[[1; 32]]), merkle_root(&[[1; 32], [2; 32]]));
    }
}
