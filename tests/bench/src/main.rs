//! Gas of every Mesi user action on wasmd, next to cw20-base, cw721-base and a floor contract
//! (the least a paid contract costs) deployed on the same chain, plus the same actions in the
//! `mesi-chain` engine, which also says where the gas went, and the artifacts' sizes.
//!
//! Usage: `mesi-bench [--wasmd] [ARTIFACTS_DIR]` (default: the repository's `artifacts/`, with
//! the anchors in `artifacts/anchors/`). `--wasmd` starts a throwaway wasmd chain through
//! `scripts/wasmd` (`MESI_WASMD` names the binary) and measures there too; it takes some
//! minutes, since a meeting's slot must pass in real time. Prints Markdown tables on stdout,
//! progress on stderr. `scripts/bench-gas` builds what is needed, runs this with `--wasmd` and
//! puts the tables in the README.

mod chain;
mod flows;
mod node;
mod report;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use mesi_devnet::keys::{derive_keys, DEV_MNEMONIC};
use mesi_devnet::wasmd::Wasmd;

use crate::chain::{BenchChain, Engine, Step};
use crate::flows::{Bench, Outcome, Roles};
use crate::node::Node;
use crate::report::Results;

/// What each account holds in the stable denom, as `scripts/wasmd` funds them.
const BALANCE: u128 = 1_000_000_000_000;
const ACCOUNTS: u32 = 8;

struct Run {
    results: Results,
    sizes: Vec<(String, Option<u64>)>,
    failed: bool,
}

fn measure(chain: &mut dyn BenchChain, artifacts: &Path, roles: &Roles) -> Run {
    let mut bench = Bench::new(chain, artifacts.to_path_buf(), roles);
    let setup = bench.run(BALANCE);
    if let Err(err) = &setup {
        eprintln!("  {err}");
    }
    let failed = setup.is_err()
        || bench.results.iter().any(|(key, outcome)| match outcome {
            Outcome::Failed(err) => {
                eprintln!("failed: {key}: {err}");
                true
            }
            _ => false,
        });
    Run {
        results: bench.results,
        sizes: bench.sizes,
        failed,
    }
}

fn roles() -> Step<(Roles, Vec<mesi_devnet::keys::DevKey>)> {
    let keys = derive_keys(DEV_MNEMONIC, "wasm", ACCOUNTS).map_err(|e| e.to_string())?;
    let address = |i: usize| keys[i].address.clone();
    // As the deployment names them: 0 owns the platform, 1 is its treasury.
    let roles = Roles {
        owner: address(0),
        treasury: address(1),
        creator: address(3),
        fan: address(4),
        bob: address(5),
        carol: address(6),
    };
    Ok((roles, keys))
}

fn main() -> ExitCode {
    let mut on_wasmd = false;
    let mut artifacts = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../artifacts");
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--wasmd" => on_wasmd = true,
            flag if flag.starts_with('-') => {
                eprintln!("usage: mesi-bench [--wasmd] [ARTIFACTS_DIR]");
                return ExitCode::from(2);
            }
            dir => artifacts = PathBuf::from(dir),
        }
    }
    let (roles, keys) = match roles() {
        Ok(roles) => roles,
        Err(err) => {
            eprintln!("{err}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!("measuring in the engine, from {}", artifacts.display());
    let holders = [
        &roles.owner,
        &roles.creator,
        &roles.fan,
        &roles.bob,
        &roles.carol,
    ];
    let holders: Vec<String> = holders.into_iter().cloned().collect();
    let engine = match Engine::new(&holders, BALANCE) {
        Ok(mut engine) => measure(&mut engine, &artifacts, &roles),
        Err(err) => {
            eprintln!("the engine does not start: {err}");
            return ExitCode::FAILURE;
        }
    };
    let wasmd = if on_wasmd {
        eprintln!("measuring on wasmd (a meeting's slot takes about 6 minutes)");
        let chain = match Wasmd::start(ACCOUNTS, 1) {
            Ok(chain) => chain,
            Err(err) => {
                eprintln!("wasmd does not start: {err:#}");
                return ExitCode::FAILURE;
            }
        };
        let gas_price = "0.0025".parse().expect("a gas price");
        match Node::connect(&chain.rpc, keys, "ustake", gas_price) {
            Ok(mut node) => Some(measure(&mut node, &artifacts, &roles)),
            Err(err) => {
                eprintln!("cannot reach wasmd: {err}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        None
    };

    let mut out = String::new();
    let primary = wasmd.as_ref().unwrap_or(&engine);
    report::gas_table(&mut out, &primary.results);
    out.push_str("\nTargets:\n\n");
    report::targets(&mut out, &primary.results, &engine.sizes);
    out.push('\n');
    report::sizes_table(&mut out, &engine.sizes);
    if let Some(wasmd) = &wasmd {
        out.push_str("\nThe engine against wasmd (the same transactions; the engine counts no ante handler):\n\n");
        report::comparison_table(&mut out, &wasmd.results, &engine.results);
    }
    out.push_str("\nWhere the gas goes in the engine (SDK gas per action without the ante handler; setup is wasmd's instance cost per contract call):\n\n");
    report::breakdown_table(&mut out, &engine.results);
    print!("{out}");
    if engine.failed || wasmd.is_some_and(|run| run.failed) {
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
