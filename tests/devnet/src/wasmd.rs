//! A throwaway wasmd chain for tests: `scripts/wasmd start` on free ports, the suite deployed
//! over RPC ([`RpcDeployment`]), and `scripts/wasmd stop` (process and home gone) on drop.
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
    /// CometBFT RPC, `http://127.0.0.1:<port>`.
    pub rpc: String,
    /// REST (LCD), `http://127.0.0.1:<port>`.
    pub rest: String,
    pub chain_id: String,
    /// Accounts the chain's genesis funds (the devnet's mnemonic).
    pub accounts: u32,
    home: PathBuf,
    script: PathBuf,
}

fn free_ports<const N: usize>() -> anyhow::Result<[u16; N]> {
    let listeners: Vec<TcpListener> = (0..N)
        .map(|_| TcpListener::bind("127.0.0.1:0"))
        .collect::<Result<_, _>>()?;
    let mut ports = [0; N];
    for (port, listener) in ports.iter_mut().zip(&listeners) {
        *port = listener.local_addr()?.port();
    }
    Ok(ports)
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
        if std::env::var_os("MESI_WASMD").is_none() {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set but MESI_WASMD is not: scripts/test builds wasmd and sets it"
            );
            eprintln!("skipped: MESI_WASMD is not set (scripts/test sets it)");
            return None;
        }
        Some(Wasmd::start(accounts).expect("scripts/wasmd starts a chain"))
    }

    /// `scripts/wasmd start` in a fresh temporary home on free ports.
    pub fn start(accounts: u32) -> anyhow::Result<Wasmd> {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let script = repo.join("scripts/wasmd");
        let home = std::env::temp_dir().join(format!(
            "mesi-wasmd-test-{}-{}",
            std::process::id(),
            free_ports::<1>()?[0]
        ));
        let [rpc, rest, grpc, p2p] = free_ports::<4>()?;
        let output = Command::new(&script)
            .arg("start")
            .arg("--home")
            .arg(&home)
            .args(["--rpc-port", &rpc.to_string()])
            .args(["--rest-port", &rest.to_string()])
            .args(["--grpc-port", &grpc.to_string()])
            .args(["--p2p-port", &p2p.to_string()])
            .args(["--accounts", &accounts.to_string()])
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
