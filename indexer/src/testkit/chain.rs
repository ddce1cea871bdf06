//! A generated chain: blocks full of Mesi events built with mesi-common's types, mixed with the
//! events a Cosmos SDK chain emits, a foreign contract that spoofs our event types, failed
//! transactions and malformed events of ours. Each height is rendered in one of the CometBFT
//! dialects (0.34 base64 with begin/end-block events, 0.37 plain, 0.38 finalize-block events).
//!
//! The generator also records what an indexer must end up with ([`Expected`]), so tests compare
//! the database with what was put on the chain, not with the indexer's own decoding.

use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use cosmwasm_std::{Addr, Uint128};
use mesi_common::event::MesiEvent;
use mesi_common::events::tips::{FiatTipAttested, TipSent};
use mesi_common::events::AnyEvent;
use mesi_common::interfaces::tips::TipContext;
use mesi_common::AssetInfo;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::config::{ContractKind, Contracts};
use crate::store::projections::nanos_to_rfc3339;

/// How a height's responses are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Base64 attributes, `begin_block_events` / `end_block_events`, `code` always present.
    V034,
    /// Plain attributes, begin/end-block events, `code` omitted on success.
    V037,
    /// Plain attributes, `finalize_block_events`, `code` omitted on success.
    V038,
}

#[derive(Debug, Clone)]
pub struct ChainSpec {
    pub seed: u64,
    pub chain_id: String,
    pub blocks: u64,
    /// Transactions per block: 0 to this many.
    pub max_txs_per_block: usize,
    /// Mesi events per successful transaction: 0 to this many.
    pub max_mesi_events_per_tx: usize,
    /// Share of transactions that fail (their events must be ignored).
    pub failed_tx_ratio: f64,
    /// Share of our events that are malformed (they must become dead letters).
    pub malformed_ratio: f64,
    /// Share of Mesi-typed events emitted by a foreign contract (they must be ignored).
    pub spoof_ratio: f64,
    pub dialects: Vec<Dialect>,
    /// Standard SDK events around each Mesi event (the bench turns them off).
    pub sdk_noise: bool,
}

impl Default for ChainSpec {
    fn default() -> Self {
        ChainSpec {
            seed: 1,
            chain_id: "mesi-testnet-1".into(),
            blocks: 200,
            max_txs_per_block: 4,
            max_mesi_events_per_tx: 3,
            failed_tx_ratio: 0.1,
            malformed_ratio: 0.05,
            spoof_ratio: 0.1,
            dialects: vec![Dialect::V034, Dialect::V037, Dialect::V038],
            sdk_noise: true,
        }
    }
}

/// An event as the chain emits it. Values are bytes so that a base64 height can carry
/// invalid UTF-8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainEvent {
    /// `None` renders an event without a type.
    pub kind: Option<String>,
    pub attributes: Vec<(String, Vec<u8>)>,
}

impl ChainEvent {
    fn new(kind: &str, attributes: &[(&str, &str)]) -> ChainEvent {
        ChainEvent {
            kind: Some(kind.into()),
            attributes: attributes
                .iter()
                .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
                .collect(),
        }
    }

    /// What x/wasm emits for a contract's custom event: `wasm-<type>`, `_contract_address` first.
    fn from_contract(contract: &str, event: &cosmwasm_std::Event) -> ChainEvent {
        let mut attributes = vec![(
            "_contract_address".to_string(),
            contract.as_bytes().to_vec(),
        )];
        attributes.extend(
            event
                .attributes
                .iter()
                .map(|a| (a.key.clone(), a.value.as_bytes().to_vec())),
        );
        ChainEvent {
            kind: Some(format!("wasm-{}", event.ty)),
            attributes,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ChainTx {
    pub bytes: Vec<u8>,
    pub code: u32,
    pub events: Vec<ChainEvent>,
}

#[derive(Debug, Clone)]
pub struct ChainBlock {
    pub height: u64,
    pub time: String,
    pub dialect: Dialect,
    pub begin_block: Vec<ChainEvent>,
    pub txs: Vec<ChainTx>,
    pub end_block: Vec<ChainEvent>,
}

/// One event the indexer must store, with where it sits.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpectedEvent {
    pub height: u64,
    pub seq: u32,
    pub tx_hash: Option<String>,
    pub contract: String,
    pub block_time: String,
    pub event: AnyEvent,
}

/// What the indexer must end up with.
#[derive(Debug, Clone, Default)]
pub struct Expected {
    pub events: Vec<ExpectedEvent>,
    /// (height, seq) of each dead letter.
    pub dead_letters: Vec<(u64, u32)>,
    /// Mesi-typed events that must be ignored: spoofed or in failed transactions.
    pub ignored_mesi_events: usize,
}

pub struct Chain {
    pub spec: ChainSpec,
    /// One contract of each kind.
    pub contracts: Contracts,
    /// A foreign contract that emits Mesi event types.
    pub spoof_contract: String,
    pub blocks: Vec<ChainBlock>,
    pub expected: Expected,
}

/// Events to put on a chain, block by block, each with the kind of contract that emits it.
pub type Script = Vec<Vec<(ContractKind, AnyEvent)>>;

/// The address the generated chain gives our contract of `kind`.
pub fn contract_address(kind: ContractKind) -> String {
    address(kind.as_str())
}

fn address(name: &str) -> String {
    format!("wasm1{name}{}", "q".repeat(38 - name.len()))
}

/// Kinds of broken events of ours.
const MALFORMATIONS: usize = 9;

impl Chain {
    pub fn generate(spec: ChainSpec) -> Chain {
        Generator::new(spec).run(None)
    }

    /// A chain whose blocks carry `script`'s events (each in its own transaction, among SDK
    /// events, a failed copy and a spoofed copy), then `spec.blocks - script.len()` random blocks.
    pub fn scripted(spec: ChainSpec, script: Script) -> Chain {
        Generator::new(spec).run(Some(script))
    }

    pub fn block(&self, height: u64) -> Option<&ChainBlock> {
        self.blocks
            .get(usize::try_from(height.checked_sub(1)?).ok()?)
    }

    pub fn head(&self) -> u64 {
        self.blocks.len() as u64
    }

    /// The `--contract` flags for this chain.
    pub fn contract_flags(&self) -> Vec<String> {
        self.contracts
            .iter()
            .map(|(address, kind)| format!("{address}={kind}"))
            .collect()
    }

    pub fn status_json(&self, latest: u64) -> Value {
        let version = match self
            .block(latest.max(1))
            .map_or(Dialect::V038, |b| b.dialect)
        {
            Dialect::V034 => "0.34.27",
            Dialect::V037 => "0.37.2",
            Dialect::V038 => "0.38.12",
        };
        json!({
            "node_info": {"network": self.spec.chain_id, "version": version, "moniker": "testkit"},
            "sync_info": {
                "latest_block_height": latest.to_string(),
                "earliest_block_height": "1",
                "latest_block_time": self.block(latest).map_or(String::new(), |b| b.time.clone()),
                "catching_up": false
            }
        })
    }

    pub fn block_json(&self, block: &ChainBlock) -> Value {
        json!({
            "block_id": {"hash": hex(&Sha256::digest(block.height.to_be_bytes())), "parts": {"total": 1, "hash": ""}},
            "block": {
                "header": {
                    "chain_id": self.spec.chain_id,
                    "height": block.height.to_string(),
                    "time": block.time,
                    "version": {"block": "11", "app": "1"}
                },
                "data": {"txs": block.txs.iter().map(|tx| STANDARD.encode(&tx.bytes)).collect::<Vec<_>>()},
                "evidence": {"evidence": []},
                "last_commit": null
            }
        })
    }

    pub fn block_results_json(&self, block: &ChainBlock) -> Value {
        let dialect = block.dialect;
        let events = |list: &[ChainEvent]| {
            Value::Array(list.iter().map(|e| event_json(e, dialect)).collect())
        };
        let txs: Vec<Value> = block
            .txs
            .iter()
            .map(|tx| {
                let mut result = json!({
                    "data": null,
                    "log": if tx.code == 0 { "" } else { "out of gas" },
                    "gas_wanted": "200000",
                    "gas_used": "123456",
                    "events": events(&tx.events),
                    "codespace": if tx.code == 0 { "" } else { "sdk" }
                });
                if tx.code != 0 || dialect == Dialect::V034 {
                    result["code"] = json!(tx.code);
                }
                result
            })
            .collect();
        let txs = if txs.is_empty() {
            Value::Null
        } else {
            Value::Array(txs)
        };
        match dialect {
            Dialect::V034 | Dialect::V037 => json!({
                "height": block.height.to_string(),
                "txs_results": txs,
                "begin_block_events": events(&block.begin_block),
                "end_block_events": if block.end_block.is_empty() { Value::Null } else { events(&block.end_block) },
                "validator_updates": null,
                "consensus_param_updates": null
            }),
            Dialect::V038 => {
                // As a Cosmos SDK chain reports them: each marked with the phase that emitted it.
                let mut finalize = Vec::new();
                for (events, mode) in [
                    (&block.begin_block, "BeginBlock"),
                    (&block.end_block, "EndBlock"),
                ] {
                    for event in events {
                        let mut event = event.clone();
                        event
                            .attributes
                            .push(("mode".into(), mode.as_bytes().to_vec()));
                        finalize.push(event);
                    }
                }
                json!({
                    "height": block.height.to_string(),
                    "txs_results": txs,
                    "finalize_block_events": events(&finalize),
                    "validator_updates": [],
                    "consensus_param_updates": null,
                    "app_hash": STANDARD.encode(block.height.to_be_bytes())
                })
            }
        }
    }
}

fn event_json(event: &ChainEvent, dialect: Dialect) -> Value {
    let attributes: Vec<Value> = event
        .attributes
        .iter()
        .map(|(key, value)| match dialect {
            Dialect::V034 => {
                json!({"key": STANDARD.encode(key), "value": STANDARD.encode(value), "index": true})
            }
            _ => json!({"key": key, "value": String::from_utf8_lossy(value), "index": true}),
        })
        .collect();
    match &event.kind {
        Some(kind) => json!({"type": kind, "attributes": attributes}),
        None => json!({"attributes": attributes}),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

struct Generator {
    spec: ChainSpec,
    rng: fastrand::Rng,
    tips: String,
    spoof: String,
    creator_names: Vec<String>,
    fan_names: Vec<String>,
    assets: Vec<AssetInfo>,
    fan_totals: BTreeMap<(String, String, String), Uint128>,
    expected: Expected,
}

/// Where an event runs: before the transactions, in one, or after them. Every dialect numbers
/// events in that order.
enum Slot {
    BeginBlock,
    Tx,
    EndBlock,
}

impl Generator {
    fn new(spec: ChainSpec) -> Generator {
        let rng = fastrand::Rng::with_seed(spec.seed);
        Generator {
            tips: contract_address(ContractKind::Tips),
            spoof: address("spoof"),
            creator_names: (0..12).map(|i| address(&format!("creator{i}"))).collect(),
            fan_names: (0..40).map(|i| address(&format!("fan{i}"))).collect(),
            assets: vec![
                AssetInfo::native("uusdc"),
                AssetInfo::native(
                    "ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2",
                ),
                AssetInfo::cw20(Addr::unchecked(address("mesitoken"))),
            ],
            fan_totals: BTreeMap::new(),
            expected: Expected::default(),
            rng,
            spec,
        }
    }

    fn run(mut self, script: Option<Script>) -> Chain {
        let mut blocks = Vec::new();
        let mut script = script.unwrap_or_default().into_iter();
        for height in 1..=self.spec.blocks {
            blocks.push(match script.next() {
                Some(events) => self.scripted_block(height, events),
                None => self.block(height),
            });
        }
        // Events that ran before a block's transactions were generated after them.
        self.expected.events.sort_by_key(|e| (e.height, e.seq));
        let mut contracts = Contracts::default();
        for kind in ContractKind::ALL {
            contracts
                .insert(&contract_address(kind), kind)
                .expect("fixed addresses");
        }
        Chain {
            contracts,
            spoof_contract: self.spoof,
            blocks,
            expected: self.expected,
            spec: self.spec,
        }
    }

    fn scripted_block(&mut self, height: u64, events: Vec<(ContractKind, AnyEvent)>) -> ChainBlock {
        let dialect = self.spec.dialects[self.rng.usize(..self.spec.dialects.len())];
        let time = nanos_to_rfc3339(1_704_067_200_000_000_000 + height * 6_000_000_000);
        let mut block = ChainBlock {
            height,
            time,
            dialect,
            begin_block: vec![],
            txs: vec![],
            end_block: vec![],
        };
        block.begin_block.push(ChainEvent::new(
            "commission",
            &[("amount", "1uatom"), ("validator", "wasmvaloper1abc")],
        ));
        for (kind, event) in events {
            let contract = contract_address(kind);
            let emitted = event.to_event();
            // The same event from a foreign contract, and in a failed transaction: both ignored.
            let mut failed = ChainTx {
                bytes: self.tx_bytes(),
                code: 5,
                events: vec![],
            };
            failed
                .events
                .push(ChainEvent::from_contract(&contract, &emitted));
            block.txs.push(failed);
            let mut tx = ChainTx {
                bytes: self.tx_bytes(),
                code: 0,
                events: vec![],
            };
            tx.events.push(ChainEvent::new(
                "message",
                &[("action", "/cosmwasm.wasm.v1.MsgExecuteContract")],
            ));
            tx.events
                .push(ChainEvent::from_contract(&self.spoof, &emitted));
            tx.events.push(ChainEvent::new(
                "execute",
                &[("_contract_address", &contract)],
            ));
            let seq = self.seq_of(&block, &Slot::Tx, tx.events.len());
            tx.events
                .push(ChainEvent::from_contract(&contract, &emitted));
            self.expected.ignored_mesi_events += 2;
            self.expected.events.push(ExpectedEvent {
                height,
                seq,
                tx_hash: Some(hex(&Sha256::digest(&tx.bytes))),
                contract,
                block_time: block.time.clone(),
                event,
            });
            block.txs.push(tx);
        }
        block
    }

    fn block(&mut self, height: u64) -> ChainBlock {
        let dialect = self.spec.dialects[self.rng.usize(..self.spec.dialects.len())];
        // 2024-01-01T00:00:00Z plus about 6 s a block.
        let time = nanos_to_rfc3339(
            1_704_067_200_000_000_000 + height * 6_000_000_000 + self.rng.u64(..1_000_000) * 1_000,
        );
        let mut block = ChainBlock {
            height,
            time,
            dialect,
            begin_block: vec![],
            txs: vec![],
            end_block: vec![],
        };
        if self.spec.sdk_noise {
            block.begin_block.push(ChainEvent::new(
                "coin_received",
                &[("receiver", "wasm1distribution"), ("amount", "1234uatom")],
            ));
            block.begin_block.push(ChainEvent::new(
                "commission",
                &[("amount", "12.5uatom"), ("validator", "wasmvaloper1abc")],
            ));
            block.begin_block.push(ChainEvent {
                kind: None,
                attributes: vec![("mode".into(), b"BeginBlock".to_vec())],
            });
        }
        // Now and then a spoofed Mesi event at begin-block (before any seq of ours is taken).
        if self.rng.u8(..20) == 0 {
            let event = self.tip_event();
            block
                .begin_block
                .push(ChainEvent::from_contract(&self.spoof, &event.to_event()));
            self.expected.ignored_mesi_events += 1;
        }
        let tx_count = self.rng.usize(..=self.spec.max_txs_per_block);
        for _ in 0..tx_count {
            let failed = self.rng.f64() < self.spec.failed_tx_ratio;
            let mut tx = ChainTx {
                bytes: self.tx_bytes(),
                code: if failed { 11 } else { 0 },
                events: vec![],
            };
            if self.spec.sdk_noise {
                tx.events.push(ChainEvent::new(
                    "tx",
                    &[("fee", "2000uatom"), ("fee_payer", &self.fan_names[0])],
                ));
                tx.events.push(ChainEvent::new(
                    "message",
                    &[
                        ("action", "/cosmwasm.wasm.v1.MsgExecuteContract"),
                        ("module", "wasm"),
                    ],
                ));
            }
            for _ in 0..self.rng.usize(..=self.spec.max_mesi_events_per_tx) {
                self.add_mesi_event(&mut block, &mut tx, Slot::Tx, failed, dialect);
            }
            if self.spec.sdk_noise {
                tx.events.push(ChainEvent::new(
                    "wasm-transfer",
                    &[("_contract_address", &self.spoof), ("amount", "5")],
                ));
            }
            block.txs.push(tx);
        }
        // Now and then an event of ours at begin-block or end-block (a sudo call).
        if self.rng.u8(..20) == 0 {
            let mut holder = ChainTx {
                bytes: vec![],
                code: 0,
                events: vec![],
            };
            if height % 2 == 0 {
                let (seq, known) = (
                    block.begin_block.len() as u32,
                    (self.expected.events.len(), self.expected.dead_letters.len()),
                );
                self.add_mesi_event(&mut block, &mut holder, Slot::BeginBlock, false, dialect);
                // It ran before the transactions: their events come one place later.
                self.shift_seqs(height, seq, known);
                block.begin_block.extend(holder.events);
            } else {
                self.add_mesi_event(&mut block, &mut holder, Slot::EndBlock, false, dialect);
                block.end_block.extend(holder.events);
            }
        }
        block
    }

    /// Moves the positions expected at `height` from `from` on one place later, for the first
    /// `known` expected events and dead letters (an event was inserted before them).
    fn shift_seqs(&mut self, height: u64, from: u32, known: (usize, usize)) {
        for e in &mut self.expected.events[..known.0] {
            if e.height == height && e.seq >= from {
                e.seq += 1;
            }
        }
        for (h, seq) in &mut self.expected.dead_letters[..known.1] {
            if *h == height && *seq >= from {
                *seq += 1;
            }
        }
    }

    fn tx_bytes(&mut self) -> Vec<u8> {
        (0..self.rng.usize(40..120))
            .map(|_| self.rng.u8(..))
            .collect()
    }

    /// Adds one Mesi-typed event to `tx` (or the block-level list `slot` names) and records
    /// what the indexer must do with it.
    fn add_mesi_event(
        &mut self,
        block: &mut ChainBlock,
        tx: &mut ChainTx,
        slot: Slot,
        failed: bool,
        dialect: Dialect,
    ) {
        let spoofed = self.rng.f64() < self.spec.spoof_ratio;
        let malformed = !spoofed && !failed && self.rng.f64() < self.spec.malformed_ratio;
        if spoofed || failed {
            // Built like a real one; must leave no trace.
            let event = self.random_event_for_show();
            let contract = if spoofed {
                self.spoof.clone()
            } else {
                self.tips.clone()
            };
            tx.events
                .push(ChainEvent::from_contract(&contract, &event.to_event()));
            self.expected.ignored_mesi_events += 1;
            return;
        }
        let event_index = tx.events.len();
        let seq = self.seq_of(block, &slot, event_index);
        let tx_hash = match slot {
            Slot::Tx => Some(hex(&Sha256::digest(&tx.bytes))),
            _ => None,
        };
        if malformed {
            tx.events.push(self.malformed_event(dialect));
            self.expected.dead_letters.push((block.height, seq));
            return;
        }
        let (contract, event) = self.valid_event();
        tx.events
            .push(ChainEvent::from_contract(&contract, &event.to_event()));
        self.expected.events.push(ExpectedEvent {
            height: block.height,
            seq,
            tx_hash,
            contract,
            block_time: block.time.clone(),
            event,
        });
    }

    /// The seq the indexer must give an event about to be appended at `event_index` of `slot`.
    /// The same in every dialect: 0.38 marks each finalize-block event with its phase.
    fn seq_of(&self, block: &ChainBlock, slot: &Slot, event_index: usize) -> u32 {
        let begin = block.begin_block.len();
        let in_txs: usize = block.txs.iter().map(|t| t.events.len()).sum();
        let n = match slot {
            Slot::BeginBlock => begin + event_index,
            Slot::Tx | Slot::EndBlock => begin + in_txs + event_index,
        };
        n as u32
    }

    /// A valid event of ours and the contract that emits it.
    fn valid_event(&mut self) -> (String, AnyEvent) {
        if self.rng.u8(..5) == 0 {
            (self.tips.clone(), self.fiat_tip_event().into())
        } else {
            let tip = self.tip_event();
            self.commit_tip(&tip);
            (self.tips.clone(), tip.into())
        }
    }

    fn random_event_for_show(&mut self) -> AnyEvent {
        if self.rng.bool() {
            self.tip_event().into()
        } else {
            self.fiat_tip_event().into()
        }
    }

    fn pick<'a>(&mut self, list: &'a [String]) -> &'a str {
        &list[self.rng.usize(..list.len())]
    }

    fn context(&mut self) -> TipContext {
        match self.rng.u8(..3) {
            0 => TipContext::Profile,
            1 => TipContext::Stream {
                id: format!("live-{}", self.rng.u8(..20)),
            },
            _ => TipContext::Chat {
                thread_id: format!("t{}", self.rng.u16(..500)),
            },
        }
    }

    fn message(&mut self) -> Option<String> {
        match self.rng.u8(..4) {
            0 => None,
            1 => Some("thanks for the stream! \"quoted\", tab\tand\nnewline \\ backslash".into()),
            2 => Some("日本語のメッセージ 🎉".into()),
            _ => Some(format!("gm #{}", self.rng.u32(..))),
        }
    }

    /// A tip with `fan_total` as if it were the next tip of its (creator, fan, asset).
    fn tip_event(&mut self) -> TipSent {
        let creator = self.pick(&self.creator_names.clone()).to_string();
        let fan = self.pick(&self.fan_names.clone()).to_string();
        let asset = self.assets[self.rng.usize(..self.assets.len())].clone();
        // Mostly small amounts, now and then one near the top of u128.
        let amount = if self.rng.u8(..50) == 0 {
            u128::MAX / 1_000_000 + self.rng.u128(..1000)
        } else {
            self.rng.u128(1..10_000_000)
        };
        let fee = amount * 5 / 100;
        let key = (creator.clone(), fan.clone(), asset.key());
        let fan_total =
            self.fan_totals.get(&key).copied().unwrap_or_default() + Uint128::new(amount);
        TipSent {
            creator: Addr::unchecked(&creator),
            fan: Addr::unchecked(fan),
            asset,
            amount: Uint128::new(amount),
            fee: Uint128::new(fee),
            creator_amount: Uint128::new(amount - fee),
            payout: Addr::unchecked(creator),
            context: self.context(),
            message: self.message(),
            anonymous: self.rng.u8(..10) == 0,
            fan_total,
        }
    }

    fn commit_tip(&mut self, tip: &TipSent) {
        self.fan_totals.insert(
            (
                tip.creator.to_string(),
                tip.fan.to_string(),
                tip.asset.key(),
            ),
            tip.fan_total,
        );
    }

    fn fiat_tip_event(&mut self) -> FiatTipAttested {
        FiatTipAttested {
            gateway: Addr::unchecked("wasm1gatewayqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"),
            payment_ref: format!("pay_{:016x}", self.rng.u64(..)),
            creator: Addr::unchecked(self.pick(&self.creator_names.clone())),
            fan: Addr::unchecked(self.pick(&self.fan_names.clone())),
            currency: ["USD", "EUR", "JPY"][self.rng.usize(..3)].into(),
            amount_minor: Uint128::new(self.rng.u128(100..100_000)),
            context: self.context(),
            message: self.message(),
            anonymous: self.rng.bool(),
        }
    }

    /// One of our tip events, broken in one of several ways.
    fn malformed_event(&mut self, dialect: Dialect) -> ChainEvent {
        let tip = self.tip_event();
        let mut event = ChainEvent::from_contract(&self.tips, &tip.to_event());
        let set = |event: &mut ChainEvent, key: &str, value: Vec<u8>| match event
            .attributes
            .iter_mut()
            .find(|(k, _)| k == key)
        {
            Some(attr) => attr.1 = value,
            None => event.attributes.push((key.to_string(), value)),
        };
        match self.rng.usize(..MALFORMATIONS) {
            0 => set(&mut event, "amount", b"12abc".to_vec()),
            1 => set(&mut event, "amount", "9".repeat(200).into_bytes()),
            2 => set(&mut event, "message", "x".repeat(300_000).into_bytes()),
            3 => event.kind = Some("wasm-mesi.tip.v2".into()),
            4 => event.attributes.retain(|(k, _)| k != "fan"),
            5 => event.attributes.push(("amount".into(), b"1".to_vec())),
            6 => set(&mut event, "fan", b"wasm1\0nul".to_vec()),
            7 => event
                .attributes
                .push(("_contract_address".into(), self.spoof.clone().into_bytes())),
            // Invalid UTF-8 can only travel in base64; plain text gets a bad asset instead.
            _ if dialect == Dialect::V034 => set(&mut event, "fan", vec![0x77, 0xff, 0xfe, 0x31]),
            _ => set(&mut event, "asset", b"gold:bar".to_vec()),
        }
        event
    }
}
