//! A single-node development chain for Mesi, as anvil or a hardhat node are for EVM chains: the
//! [`mesi_chain`] engine (the optimized wasm artifacts in cosmwasm-vm, wasmd's gas) behind a
//! Cosmos SDK ante handler and the CometBFT 0.38 RPC that wallets and the indexer speak.
//!
//! # What it does
//! - Genesis ([`devnet`]): accounts derived from a BIP-39 mnemonic ([`keys`]: `m/44'/118'/0'/0/i`,
//!   secp256k1, configurable bech32 prefix), funded with a native stablecoin and the fee denom;
//!   block 1 deploys the suite ([`deploy`]) with real signed transactions from account 0: every
//!   artifact stored, the MESI CW20 (cw20-base) instantiated with a balance for each account,
//!   the `creators` registry and the five product contracts instantiated and wired.
//! - Blocks on a timer, per transaction, or on demand, with block time following the wall
//!   clock or a fixed step; `dev_produce_block {seconds}` jumps time forward.
//! - Transactions ([`tx`], [`node`]): `TxRaw` / `TxBody` / `AuthInfo` decoded with
//!   cosmos-sdk-proto; SIGN_MODE_DIRECT secp256k1 signatures over the `SignDoc` (body, auth
//!   info, chain id, account number), account sequences (code 32 on a mismatch), the minimum
//!   gas price in the fee denom (code 13), the gas limit (code 11: the engine's gas plus the
//!   ante cost below), fees paid to the fee collector; `MsgExecuteContract`,
//!   `MsgInstantiateContract`, `MsgStoreCode` (gzip accepted), `MsgMigrateContract`, `MsgSend`.
//!   A transaction that passes the ante checks pays its fee and uses its sequence; if a message
//!   fails, its state changes are rolled back and the block records the code and log.
//! - RPC ([`rpc`], [`render`], [`abci`], [`search`]): `status`, `block`, `block_results`
//!   (0.38: `finalize_block_events`, plain attributes), `tx`, `tx_search`, `broadcast_tx_sync`
//!   / `_async` / `_commit`, `abci_info`, `abci_query` (auth account, bank balance and all
//!   balances, tx simulate, wasm smart / raw / contract info), `genesis`, `health`,
//!   `num_unconfirmed_txs`; JSON-RPC POST bodies and URI GET calls; `/websocket` with the same
//!   methods and `NewBlock` subscriptions. [`rpc::Background`] serves a devnet from a runtime
//!   of its own, for tests and tools that are not async.
//! - Clients ([`sign`], [`client`]): signing as a wallet does and a blocking RPC client, used
//!   by `mesi-devnet deploy` (the suite over RPC, to the devnet or a real chain) and the tests;
//!   [`wasmd`] starts a real wasmd chain (`scripts/wasmd`) for the tests that run on one.
//!
//! # Decisions
//! - Ante gas is `10 × tx bytes` (x/auth `TxSizeCostPerByte`) + `1000` per signature
//!   (`SigVerifyCostSecp256k1`) + a flat [`node::ANTE_BASE_COST`] for the ante handler's
//!   storage work, which the devnet does not meter read by read.
//! - Only SIGN_MODE_DIRECT is accepted (cosmjs's `DirectSecp256k1HdWallet`, Keplr's direct
//!   signing); amino JSON signatures are refused with code 4.
//! - The devnet keeps only the latest state: `abci_query` at an older height is refused.
//!   Hashes (block, app) are deterministic digests, not Merkle roots of a real store.
//! - A transaction refused at check time never reaches a block (as on CometBFT); one that
//!   fails in the block is recorded with its code, and only its ante events remain.

pub mod abci;
pub mod client;
pub mod deploy;
pub mod devnet;
pub mod keys;
pub mod node;
pub mod render;
pub mod rpc;
pub mod search;
pub mod sign;
pub mod tx;
pub mod wasmd;
