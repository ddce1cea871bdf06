//! Which contracts are ours and what kind each is, from `--contract ADDR=KIND` flags, the
//! `MESI_CONTRACTS` variable (`ADDR=KIND,ADDR=KIND`) or the `[contracts]` table of a TOML file.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::Path;
use std::str::FromStr;

use anyhow::{bail, Context};
use serde::Deserialize;

/// The Mesi contracts, one kind per crate under `contracts/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ContractKind {
    Creators,
    Tips,
    Subscriptions,
    Ppv,
    Surprises,
    Meetings,
}

impl ContractKind {
    pub const ALL: [ContractKind; 6] = [
        ContractKind::Creators,
        ContractKind::Tips,
        ContractKind::Subscriptions,
        ContractKind::Ppv,
        ContractKind::Surprises,
        ContractKind::Meetings,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ContractKind::Creators => "creators",
            ContractKind::Tips => "tips",
            ContractKind::Subscriptions => "subscriptions",
            ContractKind::Ppv => "ppv",
            ContractKind::Surprises => "surprises",
            ContractKind::Meetings => "meetings",
        }
    }
}

impl fmt::Display for ContractKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ContractKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        ContractKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown contract kind {s:?} (expected one of creators, tips, subscriptions, ppv, surprises, meetings)"))
    }
}

/// Our contract addresses and their kinds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contracts {
    by_address: HashMap<String, ContractKind>,
}

impl Contracts {
    pub fn kind_of(&self, address: &str) -> Option<ContractKind> {
        self.by_address.get(address).copied()
    }

    pub fn is_empty(&self) -> bool {
        self.by_address.is_empty()
    }

    pub fn len(&self) -> usize {
        self.by_address.len()
    }

    /// Adds one contract; an address given twice with different kinds is an error.
    pub fn insert(&mut self, address: &str, kind: ContractKind) -> anyhow::Result<()> {
        let address = address.trim();
        if address.is_empty() || address.chars().any(|c| c.is_whitespace() || c.is_control()) {
            bail!("invalid contract address {address:?}");
        }
        match self.by_address.insert(address.to_owned(), kind) {
            Some(previous) if previous != kind => {
                bail!("contract {address} is configured as both {previous} and {kind}")
            }
            _ => Ok(()),
        }
    }

    /// Parses `ADDR=KIND`.
    pub fn insert_pair(&mut self, pair: &str) -> anyhow::Result<()> {
        let (address, kind) = pair
            .split_once('=')
            .with_context(|| format!("expected ADDR=KIND, got {pair:?}"))?;
        let kind = kind
            .trim()
            .parse::<ContractKind>()
            .map_err(anyhow::Error::msg)?;
        self.insert(address, kind)
    }

    /// Sorted by address, for display.
    pub fn iter(&self) -> impl Iterator<Item = (&str, ContractKind)> {
        let sorted: BTreeMap<_, _> = self
            .by_address
            .iter()
            .map(|(a, k)| (a.as_str(), *k))
            .collect();
        sorted.into_iter()
    }
}

/// The TOML configuration file; every field can also be given as a flag. `rpc` may name several
/// nodes of the chain, comma-separated.
///
/// ```toml
/// rpc = "http://localhost:26657"
/// database_url = "postgres://indexer@localhost/mesi"
/// start_height = 1200
///
/// [contracts]
/// "wasm1creators..." = "creators"
/// "wasm1tips..." = "tips"
/// ```
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub rpc: Option<String>,
    pub database_url: Option<String>,
    pub start_height: Option<u64>,
    pub prefetch: Option<usize>,
    #[serde(default)]
    pub contracts: BTreeMap<String, String>,
}

impl FileConfig {
    pub fn load(path: &Path) -> anyhow::Result<FileConfig> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))
    }

    pub fn add_contracts_to(&self, contracts: &mut Contracts) -> anyhow::Result<()> {
        for (address, kind) in &self.contracts {
            contracts.insert(address, kind.parse().map_err(anyhow::Error::msg)?)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_pairs_and_rejects_conflicts() {
        let mut contracts = Contracts::default();
        contracts.insert_pair("wasm1abc=tips").unwrap();
        contracts.insert_pair("wasm1abc=tips").unwrap();
        assert_eq!(contracts.kind_of("wasm1abc"), Some(ContractKind::Tips));
        assert!(contracts.insert_pair("wasm1abc=ppv").is_err());
        assert!(contracts.insert_pair("wasm1abc").is_err());
        assert!(contracts.insert_pair("wasm1def=tipz").is_err());
        assert!(contracts.insert_pair("=tips").is_err());
    }

    #[test]
    fn reads_toml() {
        let config: FileConfig = toml::from_str(
            r#"
            rpc = "http://localhost:26657"
            start_height = 5
            [contracts]
            "wasm1a" = "creators"
            "wasm1b" = "meetings"
            "#,
        )
        .unwrap();
        let mut contracts = Contracts::default();
        config.add_contracts_to(&mut contracts).unwrap();
        assert_eq!(contracts.kind_of("wasm1b"), Some(ContractKind::Meetings));
        assert_eq!(config.start_height, Some(5));
        assert!(toml::from_str::<FileConfig>("rcp = 'x'").is_err());
    }
}
