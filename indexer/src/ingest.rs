//! The ingest loop: fetch heights in parallel, commit them strictly in order, follow the head.
//!
//! A producer task keeps up to `prefetch` heights in flight (each fetched and decoded in its
//! own task, retried until it succeeds: a height is never skipped) and hands finished blocks
//! over in height order. The committer takes whatever blocks are ready, up to a batch limit,
//! and commits them with the cursor in one transaction. When it is caught up, the producer
//! waits for the node's head to move: it polls `/status`, and a websocket `NewBlock` event
//! (when enabled) cuts the wait short.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use futures_util::stream::{self, StreamExt};
use indicatif::{ProgressBar, ProgressStyle};
use tokio::sync::{mpsc, Mutex, Notify};

use crate::config::Contracts;
use crate::decode::{self, DecodedBlock};
use crate::retry::Backoff;
use crate::source::{new_blocks, RpcClient, SourceError};
use crate::store::{Store, StoreError};

#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// The first height to index when the database has no cursor yet.
    pub start_height: u64,
    /// Stop after committing this height.
    pub stop_at: Option<u64>,
    /// Stop once the head seen at start-up is committed.
    pub exit_when_caught_up: bool,
    /// Heights fetched in parallel.
    pub prefetch: usize,
    pub max_batch_blocks: usize,
    /// A batch stops growing once it holds this many rows.
    pub max_batch_rows: usize,
    /// How often to ask for the head while caught up.
    pub poll_interval: Duration,
    /// Listen to the node's websocket for new blocks, to poll as soon as one is made.
    pub websocket: bool,
    pub backoff: Backoff,
    pub progress: ProgressMode,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            start_height: 1,
            stop_at: None,
            exit_when_caught_up: false,
            prefetch: 16,
            max_batch_blocks: 500,
            max_batch_rows: 20_000,
            poll_interval: Duration::from_secs(1),
            websocket: false,
            backoff: Backoff::default(),
            progress: ProgressMode::Log,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressMode {
    /// A progress bar on the terminal.
    Bar,
    /// A tracing line every few seconds.
    Log,
    Quiet,
}

/// What one run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IngestSummary {
    pub first_height: u64,
    pub last_height: u64,
    pub blocks: u64,
    pub events: u64,
    pub dead_letters: u64,
    /// Time spent in database transactions (the rest went to waiting for the node).
    pub commit_time: Duration,
    /// Waits for the head that a websocket `NewBlock` ended before the poll interval.
    pub websocket_wakeups: u64,
}

pub async fn run(
    source: RpcClient,
    store: Store,
    contracts: Arc<Contracts>,
    options: IngestOptions,
) -> anyhow::Result<IngestSummary> {
    let backoff = options.backoff;
    let status = backoff
        .retry("reading /status", || source.status())
        .await
        .context("reading the node's status")?;
    let cursor = match store.cursor().await? {
        Some(cursor) if cursor.chain_id != status.chain_id => {
            bail!(
                "the database indexes chain {:?} but the node serves {:?}",
                cursor.chain_id,
                status.chain_id
            )
        }
        Some(cursor) => cursor,
        None => {
            let start = options.start_height.max(1);
            if start < status.earliest_height {
                bail!(
                    "the node's earliest block is {} (it is pruned), after the start height {start}: \
                     use an archive node or a later --start-height",
                    status.earliest_height
                );
            }
            store.init_cursor(&status.chain_id, start).await?
        }
    };
    let stop_at = match (options.stop_at, options.exit_when_caught_up) {
        (Some(stop), true) => Some(stop.min(status.latest_height)),
        (None, true) => Some(status.latest_height),
        (stop, false) => stop,
    };
    let mut summary = IngestSummary {
        first_height: cursor.height + 1,
        last_height: cursor.height,
        ..Default::default()
    };
    if stop_at.is_some_and(|stop| stop <= cursor.height) {
        return Ok(summary);
    }
    tracing::info!(
        chain_id = %status.chain_id,
        node = %status.node_version,
        head = status.latest_height,
        from = cursor.height + 1,
        contracts = contracts.len(),
        "ingest starting"
    );

    store.record_head(&status).await;
    let head = Arc::new(HeadTracker {
        source: source.clone(),
        store: store.clone(),
        latest: AtomicU64::new(status.latest_height),
        poll: Mutex::new(()),
        wake: Arc::new(Notify::new()),
        wakeups: AtomicU64::new(0),
    });
    let _listener = options
        .websocket
        .then(|| new_blocks::spawn(source.clone(), head.wake.clone()));
    let (blocks_tx, mut blocks_rx) =
        mpsc::channel(options.prefetch.max(options.max_batch_blocks).max(1));
    let producer = tokio::spawn(produce(
        source,
        contracts,
        head.clone(),
        cursor.height + 1,
        stop_at,
        options.clone(),
        blocks_tx,
    ));
    let mut progress = Progress::new(options.progress, cursor.height, stop_at);

    let mut height = cursor.height;
    while let Some(first) = blocks_rx.recv().await {
        let mut batch = vec![first];
        let mut rows = batch[0].row_count();
        while batch.len() < options.max_batch_blocks && rows < options.max_batch_rows {
            match blocks_rx.try_recv() {
                Ok(block) => {
                    rows += block.row_count();
                    batch.push(block);
                }
                Err(_) => break,
            }
        }
        let started = Instant::now();
        let refused = commit_with_retries(&store, height, &batch, &backoff).await?;
        summary.commit_time += started.elapsed();
        height = batch.last().map_or(height, |b| b.height);
        let events: u64 = batch.iter().map(|b| b.events.len() as u64).sum::<u64>() - refused;
        let dead: u64 = batch
            .iter()
            .map(|b| b.dead_letters.len() as u64)
            .sum::<u64>()
            + refused;
        summary.blocks += batch.len() as u64;
        summary.events += events;
        summary.dead_letters += dead;
        summary.last_height = height;
        progress.update(height, head.latest(), batch.len() as u64, events + dead);
        if stop_at == Some(height) {
            break;
        }
    }
    progress.finish();
    summary.websocket_wakeups = head.wakeups.load(Ordering::Relaxed);
    drop(blocks_rx);
    // The producer ends by itself at `stop_at`; it only stops early on an error.
    if stop_at != Some(height) {
        producer.await.context("the fetch task")??;
        bail!("the fetch task ended before height {:?}", stop_at);
    }
    producer.abort();
    Ok(summary)
}

/// Fetches heights `from..=stop_at` (unbounded without `stop_at`) and sends them in order.
async fn produce(
    source: RpcClient,
    contracts: Arc<Contracts>,
    head: Arc<HeadTracker>,
    from: u64,
    stop_at: Option<u64>,
    options: IngestOptions,
    blocks: mpsc::Sender<DecodedBlock>,
) -> anyhow::Result<()> {
    let heights = stream::iter(from..=stop_at.unwrap_or(u64::MAX));
    let mut fetched = heights
        .map(|height| {
            let (source, contracts, head, options) = (
                source.clone(),
                contracts.clone(),
                head.clone(),
                options.clone(),
            );
            // A task per height, so fetches go on while the committer writes.
            tokio::spawn(async move {
                head.wait_for(height, &options).await;
                let what = format!("fetching height {height}");
                options
                    .backoff
                    .retry(&what, || fetch_block(&source, &contracts, height))
                    .await
            })
        })
        .buffered(options.prefetch.max(1));
    while let Some(block) = fetched.next().await {
        let block = block.context("a fetch task")??;
        if blocks.send(block).await.is_err() {
            break; // the committer stopped
        }
    }
    Ok(())
}

/// One height: `/block_results` and `/block`. The block is read even without events of ours:
/// its time is kept as the time of the last indexed block.
pub async fn fetch_block(
    source: &RpcClient,
    contracts: &Contracts,
    height: u64,
) -> Result<DecodedBlock, SourceError> {
    let (results, header) = tokio::try_join!(source.block_results(height), source.block(height))?;
    if header.tx_hashes.len() != results.txs.len() {
        return Err(SourceError::Invalid(format!(
            "block {height} has {} transactions but its results list {}",
            header.tx_hashes.len(),
            results.txs.len()
        )));
    }
    let candidates = decode::select(&results, contracts);
    Ok(decode::decode(height, &candidates, Some(&header)))
}

/// Commits `batch`; returns how many of its events PostgreSQL refused (stored as dead letters).
async fn commit_with_retries(
    store: &Store,
    cursor: u64,
    batch: &[DecodedBlock],
    backoff: &Backoff,
) -> anyhow::Result<u64> {
    let last = batch.last().map_or(cursor, |b| b.height);
    let mut attempt = 0;
    loop {
        match store.commit(cursor, batch).await {
            Ok(refused) => return Ok(refused.len() as u64),
            // An earlier attempt committed but its acknowledgement was lost with the connection
            // (events it refused, if any, are then counted as stored in the summary).
            Err(StoreError::CursorMoved { found, .. }) if found == last && attempt > 0 => {
                return Ok(0)
            }
            Err(e @ (StoreError::CursorMoved { .. } | StoreError::NotContiguous(_))) => {
                return Err(e.into())
            }
            Err(e) => {
                attempt += 1;
                let delay = backoff.delay(attempt);
                // Connection trouble clears up; an error that repeats needs someone to look.
                if attempt < 5 {
                    tracing::warn!(
                        attempt,
                        ?delay,
                        "committing heights {}..={last} failed: {e}",
                        cursor + 1
                    );
                } else {
                    tracing::error!(
                        attempt,
                        ?delay,
                        "committing heights {}..={last} keeps failing: {e}",
                        cursor + 1
                    );
                }
                tokio::time::sleep(delay).await;
            }
        }
    }
}

/// The highest head the node reported; polled again only when a height above it is wanted.
struct HeadTracker {
    source: RpcClient,
    /// Where each head is recorded, for the API's readiness, lag and block time.
    store: Store,
    latest: AtomicU64,
    /// One poller at a time; the others wait for its answer.
    poll: Mutex<()>,
    /// Woken by the websocket listener when the node makes a block.
    wake: Arc<Notify>,
    wakeups: AtomicU64,
}

impl HeadTracker {
    fn latest(&self) -> u64 {
        self.latest.load(Ordering::Relaxed)
    }

    async fn wait_for(&self, height: u64, options: &IngestOptions) {
        let mut failures = 0;
        while height > self.latest() {
            let _poller = self.poll.lock().await;
            if height <= self.latest() {
                return;
            }
            match self.source.status().await {
                Ok(status) => {
                    failures = 0;
                    self.store.record_head(&status).await;
                    // A node behind a load balancer may report an older head; keep the highest.
                    self.latest
                        .fetch_max(status.latest_height, Ordering::Relaxed);
                    if height > self.latest() {
                        tokio::select! {
                            _ = tokio::time::sleep(options.poll_interval) => {}
                            _ = self.wake.notified() => {
                                self.wakeups.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                    }
                }
                Err(e) => {
                    failures += 1;
                    let delay = options.backoff.delay(failures);
                    tracing::warn!(?delay, "reading /status failed: {e}");
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }
}

/// Blocks/s, events/s and ETA, as a bar on a terminal or a log line every few seconds.
struct Progress {
    mode: ProgressMode,
    bar: Option<ProgressBar>,
    start_height: u64,
    stop_at: Option<u64>,
    started: Instant,
    last_log: Instant,
    blocks: u64,
    rows: u64,
}

const LOG_EVERY: Duration = Duration::from_secs(10);

impl Progress {
    fn new(mode: ProgressMode, start_height: u64, stop_at: Option<u64>) -> Progress {
        let bar = (mode == ProgressMode::Bar).then(|| {
            let bar = ProgressBar::new(0);
            let style = ProgressStyle::with_template(
                "{bar:40.cyan/blue} {pos}/{len} blocks  {msg}  ETA {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar
        });
        let now = Instant::now();
        Progress {
            mode,
            bar,
            start_height,
            stop_at,
            started: now,
            last_log: now,
            blocks: 0,
            rows: 0,
        }
    }

    fn update(&mut self, height: u64, head: u64, blocks: u64, rows: u64) {
        self.blocks += blocks;
        self.rows += rows;
        let target = self.stop_at.map_or(head, |stop| stop.min(head.max(height)));
        let secs = self.started.elapsed().as_secs_f64().max(1e-3);
        let (blocks_per_s, events_per_s) = (self.blocks as f64 / secs, self.rows as f64 / secs);
        match (&self.bar, self.mode) {
            (Some(bar), _) => {
                bar.set_length(target.saturating_sub(self.start_height));
                bar.set_position(height - self.start_height);
                bar.set_message(format!(
                    "{blocks_per_s:.0} blocks/s  {events_per_s:.0} events/s  height {height}"
                ));
            }
            (None, ProgressMode::Log) if self.last_log.elapsed() >= LOG_EVERY => {
                self.last_log = Instant::now();
                tracing::info!(
                    height,
                    head,
                    lag = head.saturating_sub(height),
                    blocks_per_s,
                    events_per_s,
                    "ingest progress"
                );
            }
            _ => {}
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish();
        }
    }
}
