//! `mesi-demo`: seeds a chain with the suite deployed (a devnet, or wasmd) and the indexer API
//! that follows it.

use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use mesi_demo::api::Api;
use mesi_demo::chain::Chain;
use mesi_demo::{example_requests, seed};

#[derive(Parser)]
#[command(
    version,
    about = "Seeds the Mesi demo on a chain with the suite, through wallets and the indexer API"
)]
struct Cli {
    /// RPC address of the chain: a mesi-devnet, or a chain that --chain-info describes.
    #[arg(long, default_value = "http://127.0.0.1:26657", env = "MESI_RPC")]
    rpc: String,
    /// A real chain's description in the devnet's `dev_info` shape, as `mesi-devnet deploy
    /// --info-out` writes it (mnemonic, denoms, gas price, contracts). Without it the RPC must
    /// be a mesi-devnet, which serves its own.
    #[arg(long)]
    chain_info: Option<PathBuf>,
    /// The indexer API that follows the chain.
    #[arg(long, default_value = "http://127.0.0.1:8080", env = "MESI_API")]
    api: String,
    /// Also write what the demo made (addresses, ids) to this JSON file.
    #[arg(long)]
    out: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let chain = match &cli.chain_info {
        Some(path) => {
            let text =
                std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            let info = serde_json::from_slice(&text)
                .with_context(|| format!("{} is not a chain description", path.display()))?;
            Chain::connect_described(&cli.rpc, info)?
        }
        None => Chain::connect(&cli.rpc)?,
    };
    let api = Api::new(&cli.api)?;
    let demo = seed(&chain, &api).context("seeding the demo")?;
    if let Some(out) = &cli.out {
        std::fs::write(out, serde_json::to_vec_pretty(&demo)?)
            .with_context(|| format!("writing {}", out.display()))?;
    }
    println!(
        "Seeded at height {}: Ava {} and Ben {}, {} fans.",
        demo.height,
        demo.ava,
        demo.ben,
        demo.fans.len()
    );
    println!(
        "Refused fan {} was told: {}",
        demo.refused_fan, demo.refused_reason
    );
    println!();
    for (what, url) in example_requests(&demo) {
        let flags = if url.contains("/live") { "-N" } else { "-s" };
        println!("  {what}:\n    curl {flags} '{url}'");
    }
    Ok(())
}
