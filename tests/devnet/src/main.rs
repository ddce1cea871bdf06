//! `mesi-devnet`: run the development chain, deploy the suite to one over RPC, or print the
//! deployment's messages for a chain's own CLI.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use clap::{Args, Parser, Subcommand};
use mesi_devnet::client::RpcDeployment;
use mesi_devnet::deploy::{
    default_artifacts_dir, instantiate_message, wire_message, Contracts, DeployParams,
};
use mesi_devnet::devnet::{
    wall_clock_nanos, BlockClock, BlockProduction, Devnet, DevnetInfo, DevnetOptions,
};
use mesi_devnet::keys::DEV_MNEMONIC;
use mesi_devnet::node::{GasPrice, NodeConfig};
use mesi_devnet::rpc;

#[derive(Parser)]
#[command(
    version,
    about = "Single-node Mesi development chain with a CometBFT RPC",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Run the devnet (the default).
    Run(RunArgs),
    /// Deploy the suite to a devnet (or a chain) over its RPC, signing with a mnemonic's key.
    Deploy(DeployArgs),
    /// Print the JSON message of one deployment step, for `scripts/deploy --cli`.
    DeployMsg(DeployMsgArgs),
}

#[derive(Args, Clone)]
struct RunArgs {
    /// Address of the RPC server.
    #[arg(long, default_value = "127.0.0.1:26657", env = "MESI_DEVNET_LISTEN")]
    listen: SocketAddr,
    #[arg(long, default_value = "mesi-devnet-1")]
    chain_id: String,
    #[arg(long, default_value = "wasm")]
    prefix: String,
    /// The accounts' mnemonic (printed at start; never use one that holds real funds).
    #[arg(long, env = "MESI_DEVNET_MNEMONIC", default_value = DEV_MNEMONIC)]
    mnemonic: String,
    /// Accounts to derive and fund: 0 owner, 1 treasury, 2 fiat gateway, then users.
    #[arg(long, default_value_t = 30)]
    accounts: u32,
    /// `1s`, `500ms`...: a block each interval; `tx`: a block after each transaction;
    /// `manual`: only on `dev_produce_block`.
    #[arg(long, default_value = "1s")]
    blocks: String,
    /// `wall`: block times follow the clock; a number: each block that many seconds after the
    /// previous one.
    #[arg(long, default_value = "wall")]
    clock: String,
    /// Genesis time in Unix seconds, or `now`.
    #[arg(long, default_value = "now")]
    genesis_time: String,
    #[arg(long, default_value = "uusdc")]
    stable_denom: String,
    #[arg(long, default_value = "ustake")]
    fee_denom: String,
    #[arg(long, default_value = "0.0025")]
    min_gas_price: GasPrice,
    /// Native balance (stablecoin and fee denom) of each account, raw units.
    #[arg(long, default_value_t = 1_000_000_000_000)]
    balance: u128,
    /// MESI balance of each account, raw units (6 decimals).
    #[arg(long, default_value_t = 1_000_000_000_000)]
    mesi_balance: u128,
    /// Where the wasm artifacts are (scripts/build-wasm, scripts/build-anchors).
    #[arg(long)]
    artifacts: Option<PathBuf>,
    /// Start without the Mesi contracts.
    #[arg(long)]
    no_deploy: bool,
    /// Also write what `dev_info` answers (accounts, contracts) to this JSON file.
    #[arg(long)]
    info_out: Option<PathBuf>,
    /// Keep compiled wasm modules here between runs.
    #[arg(long)]
    cache_dir: Option<PathBuf>,
}

#[derive(Args)]
struct DeployArgs {
    /// RPC address of the devnet or chain.
    #[arg(long, default_value = "http://127.0.0.1:26657")]
    rpc: String,
    #[arg(long, env = "MESI_DEVNET_MNEMONIC", default_value = DEV_MNEMONIC)]
    mnemonic: String,
    /// Which account of the mnemonic signs (and owns the contracts).
    #[arg(long, default_value_t = 0)]
    account: u32,
    #[arg(long, default_value = "wasm")]
    prefix: String,
    #[arg(long, default_value = "ustake")]
    fee_denom: String,
    #[arg(long, default_value = "0.0025")]
    gas_price: GasPrice,
    #[arg(long, default_value = "uusdc")]
    stable_denom: String,
    /// Defaults to account 1 of the mnemonic.
    #[arg(long)]
    treasury: Option<String>,
    /// Fiat payment gateway; defaults to account 2 of the mnemonic.
    #[arg(long)]
    gateway: Option<String>,
    /// Initial MESI balances, `ADDRESS=AMOUNT` (raw units); default: 10^12 to each of --accounts.
    #[arg(long = "mesi-balance", value_parser = parse_pair)]
    mesi_balances: Vec<(String, String)>,
    #[arg(long)]
    artifacts: Option<PathBuf>,
    /// Ask the devnet for a block after each transaction (a devnet run with `--blocks manual`).
    #[arg(long)]
    produce_blocks: bool,
    /// Write the code ids and addresses to this JSON file.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Accounts 0..N of the mnemonic, as the devnet has them: each gets 10^12 MESI (unless
    /// --mesi-balance says otherwise) and --info-out lists them.
    #[arg(long, default_value_t = 3)]
    accounts: u32,
    /// Write what a client needs to use the chain (the devnet's `dev_info` answer: chain id,
    /// mnemonic, denoms, gas price, accounts, deployment) to this JSON file.
    #[arg(long)]
    info_out: Option<PathBuf>,
}

#[derive(Args)]
struct DeployMsgArgs {
    /// `mesi_token`, `creators`, `tips`, `subscriptions`, `ppv`, `surprises`, `meetings`
    /// (instantiate messages), `wire` (the registry's update_config), or `contracts` (the
    /// deployment order: name, artifact, label per line).
    step: String,
    #[arg(long, default_value = "")]
    owner: String,
    #[arg(long, default_value = "")]
    treasury: String,
    #[arg(long)]
    gateway: Vec<String>,
    #[arg(long, default_value = "uusdc")]
    stable_denom: String,
    #[arg(long = "mesi-balance", value_parser = parse_pair)]
    mesi_balances: Vec<(String, String)>,
    /// Addresses of contracts instantiated before, `NAME=ADDRESS`.
    #[arg(long = "contract", value_parser = parse_pair)]
    contracts: Vec<(String, String)>,
}

fn parse_pair(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .ok_or_else(|| format!("expected NAME=VALUE, got {text:?}"))
}

fn parse_balances(pairs: &[(String, String)]) -> anyhow::Result<Vec<(String, u128)>> {
    pairs
        .iter()
        .map(|(address, amount)| {
            Ok((
                address.clone(),
                amount
                    .parse()
                    .with_context(|| format!("invalid amount {amount:?}"))?,
            ))
        })
        .collect()
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        None => run(cli.run),
        Some(Command::Run(args)) => run(args),
        Some(Command::Deploy(args)) => deploy_over_rpc(args),
        Some(Command::DeployMsg(args)) => print_deploy_msg(args),
    }
}

fn parse_blocks(text: &str) -> anyhow::Result<BlockProduction> {
    Ok(match text {
        "tx" => BlockProduction::PerTx,
        "manual" => BlockProduction::OnDemand,
        _ => {
            let (number, unit) = text
                .find(|c: char| !c.is_ascii_digit())
                .map_or((text, "s"), |at| text.split_at(at));
            let n: u64 = number
                .parse()
                .with_context(|| format!("--blocks {text:?}: expected 1s, 500ms, tx or manual"))?;
            let interval = match unit {
                "ms" => Duration::from_millis(n),
                "s" => Duration::from_secs(n),
                _ => bail!("--blocks {text:?}: expected 1s, 500ms, tx or manual"),
            };
            if interval.is_zero() {
                BlockProduction::PerTx
            } else {
                BlockProduction::Every(interval)
            }
        }
    })
}

fn devnet_options(args: &RunArgs) -> anyhow::Result<DevnetOptions> {
    let genesis_time_nanos = match args.genesis_time.as_str() {
        "now" => wall_clock_nanos(),
        seconds => {
            seconds
                .parse::<u64>()
                .context("--genesis-time: Unix seconds or now")?
                * 1_000_000_000
        }
    };
    let clock = match args.clock.as_str() {
        "wall" => BlockClock::Wall,
        seconds => BlockClock::Fixed(
            seconds
                .parse()
                .context("--clock: wall or a number of seconds")?,
        ),
    };
    Ok(DevnetOptions {
        node: NodeConfig {
            chain_id: args.chain_id.clone(),
            bech32_prefix: args.prefix.clone(),
            fee_denom: args.fee_denom.clone(),
            min_gas_price: args.min_gas_price,
            genesis_time_nanos,
            cache_dir: args.cache_dir.clone(),
        },
        mnemonic: args.mnemonic.clone(),
        accounts: args.accounts,
        stable_denom: args.stable_denom.clone(),
        native_balance: args.balance,
        mesi_balance: args.mesi_balance,
        artifacts: args.artifacts.clone().unwrap_or_else(default_artifacts_dir),
        deploy: !args.no_deploy,
        production: parse_blocks(&args.blocks)?,
        clock,
    })
}

fn print_banner(info: &DevnetInfo, url: &str) {
    println!(
        "mesi-devnet: chain {} ({} addresses)",
        info.chain_id, info.bech32_prefix
    );
    println!();
    println!("Mnemonic (development only, never hold real funds with it):");
    println!("  {}", info.mnemonic);
    println!();
    println!("Accounts (HD path m/44'/118'/0'/0/i):");
    for account in &info.accounts {
        println!(
            "  {:>2}  {}  {}",
            account.index, account.address, account.role
        );
    }
    println!();
    println!(
        "Denoms: stablecoin {}, fees {} (minimum gas price {}{})",
        info.stable_denom, info.fee_denom, info.min_gas_price, info.fee_denom
    );
    if let Some(deployment) = &info.deployment {
        println!();
        println!("Contracts (code id, address):");
        let contracts = serde_json::to_value(&deployment.contracts).expect("serializes");
        for (name, address) in contracts.as_object().expect("an object") {
            let code_id = deployment.code_ids.get(name).copied().unwrap_or_default();
            println!(
                "  {name:<14} {code_id:>2}  {}",
                address.as_str().unwrap_or_default()
            );
        }
    }
    if let Some(contracts) = &info.indexer_contracts {
        println!();
        println!("Indexer: MESI_RPC={url} MESI_CONTRACTS={contracts} mesi-indexer run");
    }
    println!();
    println!("RPC: {url}   (dev_info: {url}/dev_info, new block: {url}/dev_produce_block)");
    println!("mesi-devnet listening on {url}");
}

fn run(args: RunArgs) -> anyhow::Result<()> {
    let options = devnet_options(&args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        let url = rpc::url(listener.local_addr()?);
        let devnet = tokio::task::spawn_blocking(move || Devnet::start(options)).await??;
        if let Some(path) = &args.info_out {
            let info = serde_json::to_vec_pretty(devnet.info())?;
            std::fs::write(path, info).with_context(|| format!("writing {}", path.display()))?;
        }
        print_banner(devnet.info(), &url);
        let timer = devnet.spawn_block_timer();
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        rpc::serve(devnet, listener, shutdown).await?;
        if let Some(timer) = timer {
            timer.abort();
        }
        Ok(())
    })
}

fn deploy_over_rpc(args: DeployArgs) -> anyhow::Result<()> {
    let plan = RpcDeployment {
        rpc: args.rpc,
        mnemonic: args.mnemonic,
        account: args.account,
        accounts: args.accounts,
        prefix: args.prefix,
        fee_denom: args.fee_denom,
        gas_price: args.gas_price,
        stable_denom: args.stable_denom,
        treasury: args.treasury,
        gateway: args.gateway,
        mesi_balances: parse_balances(&args.mesi_balances)?,
        artifacts: args.artifacts.unwrap_or_else(default_artifacts_dir),
        produce_blocks: args.produce_blocks,
    };
    let info = plan.run()?;
    let deployment = info.deployment.as_ref().expect("a deployment");
    let json = serde_json::to_string_pretty(deployment)?;
    if let Some(path) = &args.out {
        std::fs::write(path, &json).with_context(|| format!("writing {}", path.display()))?;
    }
    if let Some(path) = &args.info_out {
        std::fs::write(path, serde_json::to_vec_pretty(&info)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    println!("{json}");
    Ok(())
}

fn print_deploy_msg(args: DeployMsgArgs) -> anyhow::Result<()> {
    let mut contracts = Contracts::default();
    let mut known = serde_json::to_value(&contracts)?;
    for (name, address) in &args.contracts {
        let slot = known
            .get_mut(name)
            .ok_or_else(|| anyhow!("unknown contract {name:?}"))?;
        *slot = address.clone().into();
    }
    contracts = serde_json::from_value(known)?;
    if args.step == "contracts" {
        for (name, artifact, label) in mesi_devnet::deploy::CONTRACTS {
            println!("{name} {artifact} {label}");
        }
        return Ok(());
    }
    let msg = if args.step == "wire" {
        wire_message(&contracts)?
    } else {
        let params = DeployParams {
            owner: args.owner,
            treasury: args.treasury,
            fiat_gateways: args.gateway,
            stable_denom: args.stable_denom,
            mesi_balances: parse_balances(&args.mesi_balances)?,
        };
        instantiate_message(&args.step, &params, &contracts)?
    };
    println!("{}", serde_json::to_string(&msg)?);
    Ok(())
}
