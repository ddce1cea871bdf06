//! What the bench needs from a chain, and the engine's answer to it: `mesi-chain` run in this
//! process, which also says where the gas of each call went.

use mesi_chain::{coins, Chain, ChainConfig, Event, GasBreakdown, TxResult};

pub const USDC: &str = "uusdc";

pub type Step<T> = Result<T, String>;

/// Where gas went in one measured action; the breakdown only where the chain knows it.
#[derive(Clone, Debug, Default)]
pub struct Measured {
    pub gas: u64,
    pub breakdown: Option<Breakdown>,
}

#[derive(Clone, Debug, Default)]
pub struct Breakdown {
    pub parts: GasBreakdown,
    pub in_sub_queries: u64,
    pub sub_queries: usize,
}

/// A transaction that succeeded.
pub struct Executed {
    pub measured: Measured,
    pub events: Vec<Event>,
}

impl Executed {
    /// The first attribute `key` in the transaction's events.
    pub fn attribute(&self, key: &str) -> Step<String> {
        self.events
            .iter()
            .find_map(|e| e.get(key))
            .map(str::to_owned)
            .ok_or_else(|| format!("no `{key}` attribute in the events"))
    }
}

/// A chain the bench deploys to and measures on. Senders are account addresses the chain can
/// sign for; funds are in [`USDC`].
pub trait BenchChain {
    /// Stores `wasm` and instantiates it with `init` (JSON) as `sender`; the contract address.
    fn deploy(&mut self, sender: &str, wasm: &[u8], init: &[u8], label: &str) -> Step<String>;
    fn execute(&mut self, sender: &str, contract: &str, msg: &[u8], usdc: u128) -> Step<Executed>;
    /// The answer, and its gas where the chain reports it.
    fn query(&self, contract: &str, msg: &[u8]) -> Step<(Vec<u8>, Option<Measured>)>;
    /// The latest block's time, in seconds.
    fn now(&self) -> Step<u64>;
    /// Returns once a transaction sent now runs after `seconds`.
    fn wait_until(&mut self, seconds: u64) -> Step<()>;
}

/// The `mesi-chain` engine: wasmd's gas model without the ante handler.
pub struct Engine {
    chain: Chain,
}

impl Engine {
    /// A chain where each of `accounts` holds `usdc`.
    pub fn new(accounts: &[String], usdc: u128) -> Step<Engine> {
        let mut chain = Chain::new(ChainConfig::default()).map_err(|e| e.to_string())?;
        for account in accounts {
            chain
                .fund(account, &coins(usdc, USDC))
                .map_err(|e| e.to_string())?;
        }
        Ok(Engine { chain })
    }
}

fn measured_tx(result: &TxResult) -> Measured {
    let mut breakdown = Breakdown::default();
    for call in &result.calls {
        breakdown.parts.add(&call.breakdown);
        breakdown.in_sub_queries += call.in_sub_queries;
        breakdown.sub_queries += call.sub_queries.len();
    }
    Measured {
        gas: result.gas_used,
        breakdown: Some(breakdown),
    }
}

impl BenchChain for Engine {
    fn deploy(&mut self, sender: &str, wasm: &[u8], init: &[u8], label: &str) -> Step<String> {
        let code_id = self
            .chain
            .store_code(sender, wasm)
            .map_err(|err| format!("store {label}: {}", err.log))?
            .code_id
            .ok_or("store_code sets no code id")?;
        self.chain
            .instantiate(sender, code_id, init, &[], label, Some(sender))
            .map_err(|err| format!("instantiate {label}: {}", err.log))?
            .contract_address
            .ok_or_else(|| "instantiate returned no address".into())
    }

    fn execute(&mut self, sender: &str, contract: &str, msg: &[u8], usdc: u128) -> Step<Executed> {
        let funds = if usdc == 0 { vec![] } else { coins(usdc, USDC) };
        let result = self
            .chain
            .execute(sender, contract, msg, &funds)
            .map_err(|err| err.log)?;
        Ok(Executed {
            measured: measured_tx(&result),
            events: result.events,
        })
    }

    fn query(&self, contract: &str, msg: &[u8]) -> Step<(Vec<u8>, Option<Measured>)> {
        let result = self.chain.query(contract, msg).map_err(|e| e.to_string())?;
        let measured = Measured {
            gas: result.gas_used,
            breakdown: Some(Breakdown {
                parts: result.breakdown,
                in_sub_queries: result.sub_queries.iter().map(|q| q.gas).sum(),
                sub_queries: result.sub_queries.len(),
            }),
        };
        Ok((result.data, Some(measured)))
    }

    fn now(&self) -> Step<u64> {
        Ok(self.chain.block().time_nanos / 1_000_000_000)
    }

    fn wait_until(&mut self, seconds: u64) -> Step<()> {
        let now = self.now()?;
        if seconds >= now {
            self.chain.advance_block(seconds + 1 - now);
        }
        Ok(())
    }
}
