//! `mesi-demo`: seeds a devnet (with the suite deployed) and the indexer API that follows it.

use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use mesi_demo::api::Api;
use mesi_demo::chain::Chain;
use mesi_demo::{example_requests, seed};

#[derive(Parser)]
#[command(
    version,
    about = "Seeds the Mesi demo on a devnet, through wallets and the indexer API"
)]
struct Cli {
    /// RPC address of a mesi-devnet with the suite deployed.
    #[arg(long, default_value = "http://127.0.0.1:26657", env = "MESI_RPC")]
    rpc: String,
    /// The indexer API that follows the devnet.
    #[arg(long, default_value = "http://127.0.0.1:8080", env = "MESI_API")]
    api: String,
    /// Also write what the demo made (addresses, ids) to this JSON file.
    #[arg(long)]
    out: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let chain = Chain::connect(&cli.rpc)?;
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
