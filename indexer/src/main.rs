//! The `mesi-indexer` command line: `run`, `serve`, `migrate`, `status`, `inspect`.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand, ValueEnum};

use mesi_indexer::api::http::limits::{Cidr, LimitsConfig, Rate};
use mesi_indexer::api::routes::auth::AuthConfig;
use mesi_indexer::api::{self, ApiConfig, ApiContext};
use mesi_indexer::config::{Contracts, FileConfig};
use mesi_indexer::ingest::{self, IngestOptions, ProgressMode};
use mesi_indexer::inspect;
use mesi_indexer::retry::Backoff;
use mesi_indexer::source::RpcClient;
use mesi_indexer::store::Store;

#[derive(Parser)]
#[command(
    name = "mesi-indexer",
    version,
    about = "Indexes Mesi contract events from a CometBFT chain into PostgreSQL"
)]
struct Cli {
    /// A TOML file with rpc, database_url, start_height, prefetch and a [contracts] table;
    /// flags and environment variables override it.
    #[arg(long, global = true, env = "MESI_INDEXER_CONFIG")]
    config: Option<PathBuf>,
    #[arg(long, global = true, env = "DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    /// The node's RPC address, e.g. http://localhost:26657. Repeat (or comma-separate) to give
    /// several nodes of the chain: the indexer asks one and moves to the next when it stops
    /// answering.
    #[arg(long, global = true, env = "MESI_RPC", value_delimiter = ',')]
    rpc: Vec<String>,
    /// One of our contracts, as ADDRESS=KIND (creators, tips, subscriptions, ppv, surprises,
    /// meetings); repeat for each. MESI_CONTRACTS takes a comma-separated list.
    #[arg(
        long = "contract",
        global = true,
        value_name = "ADDR=KIND",
        env = "MESI_CONTRACTS",
        value_delimiter = ','
    )]
    contracts: Vec<String>,
    /// Seconds before a request to the node is abandoned (and retried).
    #[arg(long, global = true, default_value_t = 30.0)]
    rpc_timeout: f64,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Apply migrations, then index from the cursor (or --start-height) and follow the head;
    /// with --listen, serve the API from the same process.
    Run {
        #[command(flatten)]
        ingest: RunArgs,
        /// Serve the API on this address (e.g. 0.0.0.0:8080) while indexing.
        #[arg(long, env = "MESI_API_LISTEN")]
        listen: Option<String>,
        #[command(flatten)]
        api: ApiArgs,
    },
    /// Apply migrations and serve the API over what another process (`run`) indexes.
    Serve {
        #[arg(long, env = "MESI_API_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        #[command(flatten)]
        api: ApiArgs,
    },
    /// Apply the database migrations and exit.
    Migrate,
    /// Show the cursor, the node's head and the lag.
    Status,
    /// Print the API's OpenAPI document (the one `/openapi.json` serves) and exit; needs no
    /// database or node, so clients can be generated offline.
    Openapi,
    /// Decode a saved /block_results response and print what would be stored.
    Inspect {
        #[arg(long)]
        block_results: PathBuf,
        /// The saved /block response of the same height, for block time and tx hashes.
        #[arg(long)]
        block: Option<PathBuf>,
    },
}

#[derive(clap::Args)]
struct RunArgs {
    /// First height to index when the database is new (the contracts' instantiation height).
    #[arg(long)]
    start_height: Option<u64>,
    /// Exit after committing this height.
    #[arg(long)]
    stop_at: Option<u64>,
    /// Exit once the head seen at start-up is indexed, instead of following the chain.
    #[arg(long)]
    exit_when_caught_up: bool,
    /// Heights fetched in parallel.
    #[arg(long)]
    prefetch: Option<usize>,
    /// Most blocks per transaction during backfill.
    #[arg(long, default_value_t = 500)]
    batch_blocks: usize,
    /// A transaction stops taking blocks once it holds this many rows.
    #[arg(long, default_value_t = 20_000)]
    batch_rows: usize,
    /// Milliseconds between /status polls while caught up.
    #[arg(long, default_value_t = 1000)]
    poll_interval_ms: u64,
    /// Longest wait between retries, in milliseconds.
    #[arg(long, default_value_t = 30_000)]
    max_backoff_ms: u64,
    #[arg(long, value_enum, default_value_t = Progress::Auto)]
    progress: Progress,
    /// Do not listen to the node's websocket for new blocks (then only polling finds them).
    #[arg(long)]
    no_websocket: bool,
}

#[derive(clap::Args)]
struct ApiArgs {
    /// /ready fails when the ingest is more than this many blocks behind the node's head.
    #[arg(long, default_value_t = 5)]
    ready_max_lag: u64,
    /// /ready fails when the ingest last recorded the node's head longer ago than this.
    #[arg(long, default_value_t = 60)]
    ready_max_head_age_secs: u64,
    /// An origin browsers may call the API from (repeat, or comma-separated); any origin when none.
    #[arg(
        long = "cors-origin",
        env = "MESI_API_CORS_ORIGINS",
        value_delimiter = ','
    )]
    cors_origins: Vec<String>,
    /// Bech32 prefix of the chain's account addresses, for wallet login.
    #[arg(long, env = "MESI_BECH32_PREFIX", default_value = "wasm")]
    bech32_prefix: String,
    /// Minutes a wallet-login session token stays valid.
    #[arg(long, default_value_t = 720)]
    session_ttl_mins: u64,
    /// Database connections the API may hold.
    #[arg(long, default_value_t = 16)]
    api_connections: u32,
    /// A reverse proxy whose X-Forwarded-For names the client: an address or a CIDR block
    /// (repeat, or comma-separated). Without one, the TCP peer is the client.
    #[arg(
        long = "trusted-proxy",
        env = "MESI_API_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    trusted_proxies: Vec<Cidr>,
    /// Requests per minute one client (IPv4 address or IPv6 /64) may make; 0 for no limit.
    #[arg(long, default_value_t = LimitsConfig::default().requests.per_minute)]
    rate_limit_per_min: u32,
    /// Requests one client may make at once above that rate.
    #[arg(long, default_value_t = LimitsConfig::default().requests.burst)]
    rate_limit_burst: u32,
    /// Sign-in requests (nonce, login) and new chat threads per minute per client; 0 for no limit.
    #[arg(long, default_value_t = LimitsConfig::default().sign_in.per_minute)]
    sign_in_limit_per_min: u32,
    /// Sign-in requests and new threads one client may make at once above that rate.
    #[arg(long, default_value_t = LimitsConfig::default().sign_in.burst)]
    sign_in_limit_burst: u32,
    /// Live feeds (SSE) one client may hold open.
    #[arg(long, default_value_t = LimitsConfig::default().live_per_client)]
    live_per_client: usize,
    /// Live feeds this process holds open in all.
    #[arg(long, default_value_t = LimitsConfig::default().live_total)]
    live_total: usize,
    /// Most items a live feed replays when resumed (Last-Event-ID, ?after=).
    #[arg(long, default_value_t = LimitsConfig::default().max_replay)]
    max_replay: i64,
    /// Clients whose request rates are tracked at once (bounds the limiter's memory).
    #[arg(long, default_value_t = LimitsConfig::default().max_clients)]
    max_tracked_clients: usize,
}

impl ApiArgs {
    async fn pool(&self, settings: &Settings) -> anyhow::Result<sqlx::PgPool> {
        let url = settings
            .database_url
            .as_deref()
            .context("no database: set --database-url or DATABASE_URL")?;
        api::connect(url, self.api_connections.max(1))
            .await
            .context("connecting the API to the database")
    }

    fn config(&self) -> ApiConfig {
        ApiConfig {
            ready_max_lag: self.ready_max_lag,
            ready_max_head_age: Duration::from_secs(self.ready_max_head_age_secs),
            cors_origins: self.cors_origins.clone(),
            auth: AuthConfig {
                session_ttl: Duration::from_secs(self.session_ttl_mins.saturating_mul(60)),
                ..AuthConfig::new(&self.bech32_prefix)
            },
            limits: LimitsConfig {
                trusted_proxies: self.trusted_proxies.clone(),
                requests: Rate {
                    per_minute: self.rate_limit_per_min,
                    burst: self.rate_limit_burst,
                },
                sign_in: Rate {
                    per_minute: self.sign_in_limit_per_min,
                    burst: self.sign_in_limit_burst,
                },
                live_per_client: self.live_per_client,
                live_total: self.live_total,
                max_replay: self.max_replay.max(0),
                max_clients: self.max_tracked_clients,
            },
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum Progress {
    /// A bar on a terminal, log lines otherwise.
    Auto,
    Bar,
    Log,
    Quiet,
}

/// Flags, environment and the config file, merged.
struct Settings {
    file: FileConfig,
    database_url: Option<String>,
    rpc: Vec<String>,
    contracts: Contracts,
    rpc_timeout: Duration,
}

impl Settings {
    fn from_cli(cli: &Cli) -> anyhow::Result<Settings> {
        let file = match &cli.config {
            Some(path) => FileConfig::load(path)?,
            None => FileConfig::default(),
        };
        let mut contracts = Contracts::default();
        file.add_contracts_to(&mut contracts)?;
        for pair in cli.contracts.iter().filter(|p| !p.trim().is_empty()) {
            contracts.insert_pair(pair)?;
        }
        if !(cli.rpc_timeout > 0.0 && cli.rpc_timeout < 86_400.0) {
            bail!("--rpc-timeout must be a positive number of seconds");
        }
        Ok(Settings {
            database_url: cli
                .database_url
                .clone()
                .or_else(|| file.database_url.clone()),
            rpc: if cli.rpc.iter().any(|r| !r.trim().is_empty()) {
                cli.rpc.clone()
            } else {
                file.rpc
                    .iter()
                    .flat_map(|r| r.split(','))
                    .map(str::to_owned)
                    .collect()
            }
            .into_iter()
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty())
            .collect(),
            contracts,
            rpc_timeout: Duration::from_secs_f64(cli.rpc_timeout),
            file,
        })
    }

    async fn store(&self) -> anyhow::Result<Store> {
        let url = self
            .database_url
            .as_deref()
            .context("no database: set --database-url or DATABASE_URL")?;
        Store::connect(url)
            .await
            .context("connecting to the database")
    }

    fn source(&self) -> anyhow::Result<RpcClient> {
        if self.rpc.is_empty() {
            bail!("no node: set --rpc or MESI_RPC");
        }
        Ok(RpcClient::with_endpoints(&self.rpc, self.rpc_timeout)?)
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let settings = Settings::from_cli(&cli)?;
    match &cli.command {
        Command::Run {
            ingest,
            listen,
            api,
        } => {
            tokio::select! {
                result = run(&settings, ingest, listen.as_deref(), api) => result,
                _ = shutdown_signal() => {
                    // Dropping the ingest rolls back an open transaction; the cursor says where to resume.
                    tracing::info!("stopping on signal");
                    Ok(())
                }
            }
        }
        Command::Serve { listen, api } => {
            let store = settings.store().await?;
            store.migrate().await?;
            let listener = bind(listen).await?;
            let ctx = ApiContext::new(api.pool(&settings).await?, api.config());
            api::serve(ctx, listener, shutdown_signal()).await?;
            Ok(())
        }
        Command::Migrate => {
            settings.store().await?.migrate().await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Status => status(&settings).await,
        Command::Openapi => {
            println!("{}", api::openapi().to_pretty_json()?);
            Ok(())
        }
        Command::Inspect {
            block_results,
            block,
        } => {
            let results = std::fs::read(block_results)
                .with_context(|| format!("reading {}", block_results.display()))?;
            let results = inspect::parse_block_results(&results)?;
            let header = match block {
                Some(path) => Some(inspect::parse_block(
                    &std::fs::read(path).with_context(|| format!("reading {}", path.display()))?,
                )?),
                None => None,
            };
            if settings.contracts.is_empty() {
                eprintln!(
                    "no contracts configured (--contract ADDR=KIND): nothing would be stored"
                );
            }
            print!(
                "{}",
                inspect::report(&results, header.as_ref(), &settings.contracts)
            );
            Ok(())
        }
    }
}

async fn bind(address: &str) -> anyhow::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(address)
        .await
        .with_context(|| format!("listening on {address}"))
}

async fn run(
    settings: &Settings,
    args: &RunArgs,
    listen: Option<&str>,
    api_args: &ApiArgs,
) -> anyhow::Result<()> {
    if settings.contracts.is_empty() {
        bail!("no contracts configured: give --contract ADDR=KIND (or MESI_CONTRACTS, or [contracts] in --config)");
    }
    let source = settings.source()?;
    let store = settings.store().await?;
    store.migrate().await?;
    let progress = match args.progress {
        Progress::Auto if std::io::stderr().is_terminal() => ProgressMode::Bar,
        Progress::Auto | Progress::Log => ProgressMode::Log,
        Progress::Bar => ProgressMode::Bar,
        Progress::Quiet => ProgressMode::Quiet,
    };
    let options = IngestOptions {
        start_height: args
            .start_height
            .or(settings.file.start_height)
            .unwrap_or(1),
        stop_at: args.stop_at,
        exit_when_caught_up: args.exit_when_caught_up,
        prefetch: args
            .prefetch
            .or(settings.file.prefetch)
            .unwrap_or(16)
            .max(1),
        max_batch_blocks: args.batch_blocks.max(1),
        max_batch_rows: args.batch_rows.max(1),
        poll_interval: Duration::from_millis(args.poll_interval_ms),
        websocket: !args.no_websocket,
        backoff: Backoff {
            max: Duration::from_millis(args.max_backoff_ms.max(1)),
            ..Backoff::default()
        },
        progress,
    };
    // The API shares the process, not the ingest's pool: slow API queries never hold up commits.
    let api = match listen {
        Some(address) => {
            let listener = bind(address).await?;
            let ctx = ApiContext::new(api_args.pool(settings).await?, api_args.config());
            Some(tokio::spawn(api::serve(
                ctx,
                listener,
                std::future::pending(),
            )))
        }
        None => None,
    };
    let summary = ingest::run(source, store, Arc::new(settings.contracts.clone()), options).await;
    if let Some(api) = api {
        api.abort();
    }
    let summary = summary?;
    tracing::info!(
        first_height = summary.first_height,
        last_height = summary.last_height,
        events = summary.events,
        dead_letters = summary.dead_letters,
        "ingest finished"
    );
    Ok(())
}

async fn status(settings: &Settings) -> anyhow::Result<()> {
    let store = settings.store().await?;
    let cursor = store
        .cursor()
        .await
        .context("reading the cursor (has `mesi-indexer migrate` run?)")?;
    match &cursor {
        Some(c) => println!("chain:  {}\ncursor: {}", c.chain_id, c.height),
        None => println!("cursor: none (nothing indexed yet)"),
    }
    if !settings.rpc.is_empty() {
        let status = settings.source()?.status().await?;
        println!(
            "node:   {} ({}), head {}",
            status.chain_id, status.node_version, status.latest_height
        );
        if let Some(c) = cursor {
            println!(
                "lag:    {} blocks",
                status.latest_height.saturating_sub(c.height)
            );
        }
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
