//! A single-node chain engine: runs optimized CosmWasm artifacts in cosmwasm-vm 3.0.10 (the VM
//! wasmd 0.5x/0.6x chains run, through wasmvm) and counts gas the way such a chain does.
//!
//! It is the engine of the local devnet and of the gas benchmark. It does not sign, order or
//! gossip transactions: a caller hands it [`Tx`]s and ends blocks with
//! [`Chain::advance_block`].
//!
//! ```no_run
//! use cosmwasm_std::coins;
//! use mesi_chain::{Chain, ChainConfig};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let wasm = std::fs::read("artifacts/anchors/cw20_base.wasm")?;
//! let mut chain = Chain::new(ChainConfig::default())?;
//! let alice = chain.addr_make("alice");
//! chain.fund(&alice, &coins(1_000_000, "uusdc"))?;
//! let code_id = chain.store_code(&alice, &wasm)?.code_id.unwrap();
//! let init = br#"{"name":"Token","symbol":"TKN","decimals":6,"initial_balances":[]}"#;
//! let token = chain
//!     .instantiate(&alice, code_id, init, &[], "token", Some(&alice))?
//!     .contract_address
//!     .unwrap();
//! let tx = chain.execute(&alice, &token, br#"{"burn":{"amount":"0"}}"#, &[])?;
//! println!("{} gas, events {:?}", tx.gas_used, tx.events);
//! let balance = chain.query(&token, br#"{"balance":{"address":"..."}}"#)?.data;
//! chain.advance_block(5);
//! # Ok(())
//! # }
//! ```
//!
//! A server drives it through [`Chain::deliver_tx`] (several messages, a gas limit and the
//! transaction hash contracts see), [`Chain::simulate`] and [`Chain::query`]; [`Chain`] is
//! `Send`, so it can sit behind a mutex. A failed transaction returns a [`TxError`] with the
//! SDK's codespace, code, log and the gas it used; nothing it did remains.
//!
//! # What it runs
//! - [`Chain::store_code`] with the VM's static checks (capabilities, imports, limits) and
//!   the upload limit; compiled modules are cached (`cosmwasm_vm::Cache`, in memory and in a
//!   temporary or fixed directory), so later calls only instantiate them.
//! - Instantiate (wasmd classic addresses), execute, migrate (admin only), smart and raw
//!   queries; each contract has its own storage (`0x03 | address | key` in the wasm store).
//! - A bank: balances, `BankMsg::Send`/`Burn`, funds attached to instantiate and execute.
//! - Response messages: `BankMsg`, `WasmMsg::{Execute, Instantiate, Migrate, UpdateAdmin,
//!   ClearAdmin}`, as submessages with `reply` (`ReplyOn` always/success/error/never, payload,
//!   gas limit). Each submessage runs in its own store layer: a failure rolls back what it did;
//!   a failure without a reply fails the transaction, which rolls back everything. Reply errors
//!   are redacted to `codespace: wasm, code: 5` as wasmd does. Messages nest at most
//!   [`ChainConfig::max_message_depth`] deep; queries [`gas::MAX_QUERY_STACK_SIZE`] deep.
//! - Queries from contracts: bank balance / all balances, wasm smart (runs the target in the
//!   VM), raw and contract info; errors of other contracts are redacted as wasmd does.
//! - Events in the shape a chain emits: `message` (action, sender, module), `execute` /
//!   `instantiate` / `reply` / `migrate` with `_contract_address`, `wasm` with
//!   `_contract_address` first then the contract's attributes, `wasm-<type>` custom events with
//!   `_contract_address` first, bank `coin_spent` / `coin_received` / `transfer`; every event
//!   of a message carries `msg_index` (SDK 0.50). Attribute rules are wasmd's (no empty keys or
//!   values, no `_` keys, custom types longer than 2 characters).
//!
//! # Gas
//! All gas is SDK gas, summed on one meter per transaction (or per query):
//!
//! | what | cost | where it comes from |
//! | --- | --- | --- |
//! | wasm execution | VM gas / [`gas::GAS_MULTIPLIER`] (140_000), per call, floored | wasmd `x/wasm/types/gas_register.go` `DefaultGasMultiplier` (140_000 since CosmWasm 2.0 cut VM costs 1000x; 140_000_000 was the 1.x value) |
//! | contract call setup | [`gas::INSTANCE_COST`] 60_000 per instantiate / execute / migrate / query; [`gas::INSTANCE_COST_DISCOUNT`] 2_000 for replies, pinned code and code the transaction already loaded | `DefaultInstanceCost`, `DefaultInstanceCostDiscount`, `SetupContractCost`, `ReplyCosts`, `checkDiscountEligibility` (`TxContracts`) |
//! | upload | [`gas::COMPILE_COST_PER_BYTE`] 3 per wasm byte | `DefaultCompileCost` |
//! | message bytes | [`gas::CONTRACT_MESSAGE_DATA_COST`] 0 per byte | `DefaultContractMessageDataCost` |
//! | contract events | 10 per attribute, 1 per attribute byte after a free tier of 100 bytes per response, 20 + 1 per type byte per custom event | `DefaultPerAttributeCost`, `DefaultEventAttributeDataCost`, `DefaultEventAttributeDataFreeTier`, `DefaultPerCustomEventCost`, `EventCosts` |
//! | decoding a contract's result | 1 per byte of its JSON | wasmd `keeper/api.go` `DefaultDeserializationCostPerByte` (`costJSONDeserialization`) |
//! | address API | validate 9, canonicalize 4, humanize 5 (as VM gas) | wasmd `keeper/api.go` |
//! | storage | read 1000 + 3 per key and value byte; write 2000 + 30 per byte; has 1000; delete 1000; iterator 30 per step + 3 per byte of each entry (the first entry twice: on open and on step) | Cosmos SDK `store/types/gas.go` `KVGasConfig`, `gaskv` store and iterator |
//! | contract-to-contract queries | everything the query costs (setup, its reads, its VM gas) on a sub-meter whose total the caller pays | wasmd `QueryHandler.Query` |
//!
//! Keys are counted as the SDK's gas-metered store sees them, module prefix included: contract
//! storage keys carry `0x03` and the 32-byte contract address. Besides the contract's own
//! storage, each call pays the module reads wasmd makes (contract info, code info, the pinned
//! check), and bank transfers the reads and writes of x/bank and x/auth (send-enabled params,
//! the sender's account, both balances and their denom index, the recipient's account check).
//! Values have the length of the protobuf records a chain stores.
//!
//! Not counted: the ante handler (signature verification, transaction size, fee deduction),
//! which depends on how a transaction is signed and encoded; a devnet adds it on top.
//!
//! Every transaction reports [`TxResult::gas_used`] and, per contract call and bank message,
//! a [`CallGas`] with a [`GasBreakdown`] (setup, wasm, response decoding, contract reads,
//! contract writes, module storage, events) and the queries it made; the calls add up to the
//! total.

pub mod address;
mod backend;
mod chain;
mod engine;
pub mod events;
pub mod gas;
mod proto;
mod store;

pub use backend::{ChainQuerier, ContractStorage};
pub use chain::{
    BlockInfo, CallGas, CallKind, Chain, ChainConfig, ChainMsg, ChainSetupError, ContractInfo,
    MsgResponse, QueryError, QueryResult, Tx, TxError, TxResult,
};
pub use cosmwasm_std::{coin, coins, Coin, Uint128, Uint256};
pub use engine::{Engine, MAX_WASM_SIZE};
pub use events::{Attribute, Event};
pub use gas::{GasBreakdown, SubQueryGas};
