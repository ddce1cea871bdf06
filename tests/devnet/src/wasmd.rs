//! A throwaway wasmd chain for tests: `scripts/wasmd start` on free ports (one validator, or a
//! local network of several), the suite deployed over RPC ([`RpcDeployment`]), and
//! `scripts/wasmd stop` (processes and home gone) on drop.
//!
//! The wasmd binary comes from `MESI_WASMD`, which `scripts/test` sets after building the
//! pinned release into the cache. A test asks [`Wasmd::start_or_skip`]: without `MESI_WASMD`
//! it is skipped, unless `CI` is set, where that is an error.

use std::collections::HashMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{anyhow, bail, Context};

use crate::client::RpcDeployment;
use crate::devnet::DevnetInfo;

pub struct Wasmd {
    /// CometBFT RPC of node 0, `http://127.0.0.1:<port>`.
    pub rpc: String,
    /// Every node's RPC, node 0's first.
    pub rpcs: Vec<String>,
    /// REST (LCD), `http://127.0.0.1:<port>`.
    pub rest: String,
    pub chain_id: String,
    /// Accounts the chain's genesis funds (the devnet's mnemonic).
    pub accounts: u32,
    home: PathBuf,
    script: PathBuf,
}

/// Node I of a network listens on its ports plus this times I (as `scripts/wasmd` places them).
const PORT_STRIDE: u16 = 10;

/// The first of `len` consecutive ports that are free on 127.0.0.1 now.
fn free_port_block(len: u16) -> anyhow::Result<u16> {
    for _ in 0..100 {
        let first = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let Some(last) = first.checked_add(len) else {
            continue;
        };
        if (first..last).all(|port| TcpListener::bind(("127.0.0.1", port)).is_ok()) {
            return Ok(first);
        }
    }
    bail!("found no {len} consecutive free ports")
}

/// `export NAME=value` lines, as `scripts/wasmd start` prints them.
fn parse_exports(text: &str) -> HashMap<String, String> {
    text.lines()
        .filter_map(|line| line.strip_prefix("export "))
        .filter_map(|pair| pair.split_once('='))
        .map(|(name, value)| (name.to_string(), value.trim_matches('\'').to_string()))
        .collect()
}

impl Wasmd {
    /// Starts a chain when `MESI_WASMD` names a wasmd; `None` (skip) otherwise, and a panic
    /// when `CI` is set, so CI never skips the real chain by accident.
    pub fn start_or_skip(accounts: u32) -> Option<Wasmd> {
        Wasmd::start_network_or_skip(accounts, 1)
    }

    /// A local network of `validators` nodes, skipped or failing as [`Wasmd::start_or_skip`].
    pub fn start_network_or_skip(accounts: u32, validators: u16) -> Option<Wasmd> {
        if std::env::var_os("MESI_WASMD").is_none() {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set but MESI_WASMD is not: scripts/test builds wasmd and sets it"
            );
            eprintln!("skipped: MESI_WASMD is not set (scripts/test sets it)");
            return None;
        }
        Some(Wasmd::start(accounts, validators).expect("scripts/wasmd starts a chain"))
    }

    /// `scripts/wasmd start` in a fresh temporary home on free ports, with `validators` nodes.
    pub fn start(accounts: u32, validators: u16) -> anyhow::Result<Wasmd> {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let script = repo.join("scripts/wasmd");
        let first = free_port_block(PORT_STRIDE * (validators - 1) + 4)?;
        let home =
            std::env::temp_dir().join(format!("mesi-wasmd-test-{}-{first}", std::process::id()));
        let [rpc, rest, grpc, p2p] = [first, first + 1, first + 2, first + 3];
        let output = Command::new(&script)
            .arg("start")
            .arg("--home")
            .arg(&home)
            .args(["--rpc-port", &rpc.to_string()])
            .args(["--rest-port", &rest.to_string()])
            .args(["--grpc-port", &grpc.to_string()])
            .args(["--p2p-port", &p2p.to_string()])
            .args(["--accounts", &accounts.to_string()])
            .args(["--validators", &validators.to_string()])
            .output()
            .with_context(|| format!("running {}", script.display()))?;
        if !output.status.success() {
            bail!(
                "scripts/wasmd start failed:\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let exports = parse_exports(&String::from_utf8_lossy(&output.stdout));
        let get = |name: &str| {
            exports
                .get(name)
                .cloned()
                .ok_or_else(|| anyhow!("scripts/wasmd start printed no {name}"))
        };
        Ok(Wasmd {
            rpc: get("MESI_WASMD_RPC")?,
            rpcs: get("MESI_WASMD_RPCS")?
                .split(',')
                .map(str::to_owned)
                .collect(),
            rest: get("MESI_WASMD_REST")?,
            chain_id: get("MESI_WASMD_CHAIN_ID")?,
            accounts,
            home,
            script,
        })
    }

    /// Deploys the suite as `mesi-devnet deploy` does (account 0 owns it, every account gets
    /// MESI); returns the chain's description in the devnet's `dev_info` shape.
    pub fn deploy(&self) -> anyhow::Result<DevnetInfo> {
        RpcDeployment::with_devnet_defaults(&self.rpc, self.accounts).run()
    }

    /// Kills node `node` as a crash would (`scripts/wasmd stop-node`).
    pub fn stop_node(&self, node: usize) -> anyhow::Result<()> {
        let output = Command::new(&self.script)
            .args(["stop-node", &node.to_string(), "--home"])
            .arg(&self.home)
            .output()?;
        if !output.status.success() {
            bail!(
                "scripts/wasmd stop-node failed:\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Ok(())
    }
}

impl Drop for Wasmd {
    fn drop(&mut self) {
        let _ = Command::new(&self.script)
            .arg("stop")
            .arg("--home")
            .arg(&self.home)
            .output();
    }
}
