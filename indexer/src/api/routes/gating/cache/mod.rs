//! The facts `can-message` reads, kept in memory, with answers always equal to those of a fresh
//! read ([`gating::can_message`]) at the same indexed state.
//!
//! **What is kept.** Per creator: the chat rule (or that the creator is not registered) and the
//! facts of every fan that has any with them: the subscription's tier and expiry (not whether
//! it is active), lifetime tips and pay-per-view spending per asset, and whether they hold a
//! surprise the creator minted; a fan without an entry has no facts. The block time is applied
//! at each answer, so a subscription stops counting the moment the indexed block time reaches
//! its expiry, with nothing to invalidate. For a creator with more than `facts_per_creator`
//! rows in one table, only the rule and the facts of the fans asked about are kept.
//!
//! **Freshness.** Every statement that changes a table `can-message` reads takes a new gating
//! version and logs the creators it touched (migration `0204_gating_changes.sql`), whoever
//! writes: the ingest of this process or of another, or anyone with SQL. Before answering, a
//! request waits for a *check* that started after it arrived: one query reads the version,
//! the cursor, the block time and the creators changed since the previous check, whose entries
//! are dropped; when more log rows than one check reads (say, after a catch-up nobody asked
//! during) changed, every entry is dropped instead. Concurrent requests share a check, so under load one small query serves many
//! answers. An answer therefore reflects every commit that finished before the request came,
//! exactly as a fresh read would. (PostgreSQL `NOTIFY` alone could not promise that: it arrives
//! some time after the commit, and block times recorded by `/status` polls notify nothing.)
//!
//! **Loads.** A miss loads the creator in one query that also returns the version it read at.
//! The entry is kept only if that is the version of the last check, so everything kept is
//! valid at the last check's version and answers combine it with that check's height and block
//! time. A load at another version still answers its own request, from its own snapshot.
//!
//! **Memory.** At most `creators` entries holding at most `facts` fan facts in all; past either,
//! the least recently used entries go until both are under three quarters.
//!
//! If a check fails (say, the database is unreachable), the cache empties and requests read
//! fresh until a check succeeds.

mod checks;
mod facts;
mod loads;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use mesi_common::chat_rule::ChatRule;
use sqlx::PgPool;
use tokio::sync::{watch, Notify};

use checks::Checker;
use facts::{answer, FanFacts};
use loads::load;

use crate::api::http::params::Address;
use crate::api::routes::gating::{self, CanMessageAnswer};
use crate::api::Error;
/// Bounds on what the cache holds.
#[derive(Debug, Clone, Copy)]
pub struct CacheLimits {
    /// Creator entries (registered or not).
    pub creators: usize,
    /// Fan facts over all entries (one per fan with any fact about a creator).
    pub facts: usize,
    /// Rows of one table above which a creator's facts are kept per fan asked about.
    pub facts_per_creator: usize,
}

impl Default for CacheLimits {
    /// About 100 MB at most.
    fn default() -> Self {
        CacheLimits {
            creators: 100_000,
            facts: 250_000,
            facts_per_creator: 10_000,
        }
    }
}

/// Counters, for tests and curious operators.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct CacheStats {
    /// Version checks run.
    pub checks: u64,
    /// Answers from memory.
    pub hits: u64,
    /// Queries loading a creator's facts (or one fan's, for large creators).
    pub loads: u64,
    /// Answers read fresh because no check had succeeded.
    pub fresh_reads: u64,
    /// Entries dropped because their creator changed, or all were.
    pub invalidated: u64,
    pub evicted: u64,
    /// Entries and fan facts held now.
    pub entries: usize,
    pub facts: usize,
}

pub struct GatingCache {
    pool: PgPool,
    limits: CacheLimits,
    state: Mutex<State>,
    /// Checks started so far; a request needs one numbered above what it reads here.
    started: Arc<AtomicU64>,
    wake: Arc<Notify>,
    /// The number of the last check finished.
    finished: watch::Receiver<u64>,
    counters: Counters,
}

#[derive(Default)]
struct Counters {
    checks: AtomicU64,
    hits: AtomicU64,
    loads: AtomicU64,
    fresh_reads: AtomicU64,
    invalidated: AtomicU64,
    evicted: AtomicU64,
}

/// What the last successful check read, in one snapshot.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Synced {
    version: i64,
    height: Option<i64>,
    block_time: Option<DateTime<Utc>>,
}

#[derive(Default)]
struct State {
    /// `None` before the first check and after a failed one: nothing is kept then.
    synced: Option<Synced>,
    creators: HashMap<String, Arc<CreatorEntry>>,
    /// Sum of the entries' weights.
    weight: usize,
    /// Ticks on every use, for least-recently-used eviction.
    clock: u64,
}

struct CreatorEntry {
    /// `None`: not a registered creator.
    rule: Option<ChatRule>,
    /// Every fan with facts when `complete`; else empty, and `asked` holds fans looked up.
    fans: HashMap<String, FanFacts>,
    complete: bool,
    asked: Mutex<HashMap<String, FanFacts>>,
    weight: usize,
    last_used: AtomicU64,
}

/// What a request found in memory.
enum Found {
    /// The creator's entry, with every fan's facts.
    Complete(Arc<CreatorEntry>, Synced),
    /// A large creator's entry, and the fan's facts.
    Asked(Arc<CreatorEntry>, FanFacts, Synced),
    /// A large creator's entry without this fan.
    FanMissing(Arc<CreatorEntry>),
    CreatorMissing,
    /// No successful check: read fresh.
    NotSynced,
}

impl GatingCache {
    /// Starts the cache and its checker: a thread of its own with its own connection, so a
    /// check is not queued behind the requests it serves. It ends when the cache is dropped.
    pub fn start(pool: PgPool, limits: CacheLimits) -> Arc<GatingCache> {
        let started = Arc::new(AtomicU64::new(0));
        let wake = Arc::new(Notify::new());
        let (finished_tx, finished) = watch::channel(0);
        let options = pool
            .connect_options()
            .as_ref()
            .clone()
            .application_name("mesi-indexer-api-gating");
        let cache = Arc::new(GatingCache {
            pool,
            limits,
            state: Mutex::default(),
            started: started.clone(),
            wake: wake.clone(),
            finished,
            counters: Counters::default(),
        });
        let checker = Checker {
            cache: Arc::downgrade(&cache),
            wake,
            started,
            finished: finished_tx,
            options,
        };
        let spawned = std::thread::Builder::new()
            .name("gating-checks".into())
            .spawn(move || {
                match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime.block_on(checker.run()),
                    Err(e) => tracing::warn!("gating cache: no checker runtime: {e}"),
                }
            });
        // Without a checker, waiting requests see its channel closed and read fresh.
        if let Err(e) = spawned {
            tracing::warn!("gating cache: no checker thread: {e}");
        }
        cache
    }

    /// The creators contract's `CanMessage { creator, fan }` at the indexed state, as
    /// [`gating::can_message`] reads it.
    pub async fn can_message(
        &self,
        creator: &Address,
        fan: &Address,
    ) -> Result<CanMessageAnswer, Error> {
        self.wait_for_check().await;
        match self.find(creator, fan) {
            Found::Complete(entry, at) => {
                self.counters.hits.fetch_add(1, Ordering::Relaxed);
                // Complete entries never change once kept: no lock needed.
                answer(&entry, entry.fans.get(fan.as_str()), creator, fan, at)
            }
            Found::Asked(entry, facts, at) => {
                self.counters.hits.fetch_add(1, Ordering::Relaxed);
                answer(&entry, Some(&facts), creator, fan, at)
            }
            Found::FanMissing(entry) => self.load_fan(creator, fan, &entry).await,
            Found::CreatorMissing => self.load_creator(creator, fan).await,
            Found::NotSynced => {
                self.counters.fresh_reads.fetch_add(1, Ordering::Relaxed);
                gating::can_message(&self.pool, creator, fan).await
            }
        }
    }

    pub fn stats(&self) -> CacheStats {
        let state = self.lock();
        let c = &self.counters;
        CacheStats {
            checks: c.checks.load(Ordering::Relaxed),
            hits: c.hits.load(Ordering::Relaxed),
            loads: c.loads.load(Ordering::Relaxed),
            fresh_reads: c.fresh_reads.load(Ordering::Relaxed),
            invalidated: c.invalidated.load(Ordering::Relaxed),
            evicted: c.evicted.load(Ordering::Relaxed),
            entries: state.creators.len(),
            facts: state.weight,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state stays consistent through a panic elsewhere: every change is one step.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Returns once a check that started after this call has finished.
    async fn wait_for_check(&self) {
        let needed = self.started.load(Ordering::SeqCst) + 1;
        self.wake.notify_one();
        let mut finished = self.finished.clone();
        // An error means the checker is gone: nothing is fresh any more.
        if finished.wait_for(|done| *done >= needed).await.is_err() {
            self.forget("the checker stopped");
        }
    }

    fn find(&self, creator: &Address, fan: &Address) -> Found {
        let mut state = self.lock();
        let Some(synced) = state.synced else {
            return Found::NotSynced;
        };
        state.clock += 1;
        let clock = state.clock;
        let Some(entry) = state.creators.get(creator.as_str()) else {
            return Found::CreatorMissing;
        };
        entry.last_used.store(clock, Ordering::Relaxed);
        if entry.complete {
            return Found::Complete(entry.clone(), synced);
        }
        let asked = entry.asked.lock().unwrap_or_else(|e| e.into_inner());
        match asked.get(fan.as_str()) {
            Some(facts) => Found::Asked(entry.clone(), facts.clone(), synced),
            None => {
                drop(asked);
                Found::FanMissing(entry.clone())
            }
        }
    }

    async fn load_creator(
        &self,
        creator: &Address,
        fan: &Address,
    ) -> Result<CanMessageAnswer, Error> {
        self.counters.loads.fetch_add(1, Ordering::Relaxed);
        let limit = self.limits.facts_per_creator;
        let loaded = load(&self.pool, creator, None, limit).await?;
        let at = loaded.at;
        let entry = Arc::new(loaded.into_entry(limit)?);
        if entry.complete {
            let answer = answer(&entry, entry.fans.get(fan.as_str()), creator, fan, at);
            self.keep(creator, at.version, entry);
            return answer;
        }
        self.keep(creator, at.version, entry.clone());
        self.load_fan(creator, fan, &entry).await
    }

    /// A large creator: the fan's facts alone, with the rule, in one snapshot.
    async fn load_fan(
        &self,
        creator: &Address,
        fan: &Address,
        entry: &Arc<CreatorEntry>,
    ) -> Result<CanMessageAnswer, Error> {
        self.counters.loads.fetch_add(1, Ordering::Relaxed);
        let loaded = load(&self.pool, creator, Some(fan), 1).await?;
        let at = loaded.at;
        let own = loaded.into_entry(usize::MAX)?;
        let facts = own.fans.get(fan.as_str()).cloned();
        let answer = answer(&own, facts.as_ref(), creator, fan, at);
        self.keep_fan(creator, entry, at.version, fan, facts.unwrap_or_default());
        answer
    }

    /// Keeps an entry loaded at `version` if that is the last check's version.
    fn keep(&self, creator: &Address, version: i64, entry: Arc<CreatorEntry>) {
        let mut state = self.lock();
        if state.synced.map(|s| s.version) != Some(version)
            || state.creators.contains_key(creator.as_str())
        {
            return;
        }
        state.clock += 1;
        entry.last_used.store(state.clock, Ordering::Relaxed);
        state.weight += entry.weight;
        state.creators.insert(creator.as_str().to_owned(), entry);
        self.evict(&mut state);
    }

    fn keep_fan(
        &self,
        creator: &Address,
        entry: &Arc<CreatorEntry>,
        version: i64,
        fan: &Address,
        facts: FanFacts,
    ) {
        let state = self.lock();
        let current = state.creators.get(creator.as_str());
        if state.synced.map(|s| s.version) != Some(version)
            || !current.is_some_and(|c| Arc::ptr_eq(c, entry))
        {
            return;
        }
        let mut asked = entry.asked.lock().unwrap_or_else(|e| e.into_inner());
        if asked.len() >= self.limits.facts_per_creator {
            asked.clear();
        }
        asked.insert(fan.as_str().to_owned(), facts);
    }

    /// Drops the least recently used entries while over a limit, down to three quarters.
    fn evict(&self, state: &mut State) {
        let limits = &self.limits;
        if state.creators.len() <= limits.creators && state.weight <= limits.facts {
            return;
        }
        let mut by_age: Vec<(u64, String)> = state
            .creators
            .iter()
            .map(|(k, e)| (e.last_used.load(Ordering::Relaxed), k.clone()))
            .collect();
        by_age.sort_unstable();
        for (_, creator) in by_age {
            if state.creators.len() <= limits.creators * 3 / 4
                && state.weight <= limits.facts * 3 / 4
            {
                break;
            }
            if let Some(entry) = state.creators.remove(&creator) {
                state.weight -= entry.weight;
                self.counters.evicted.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Empties the cache until a check succeeds; requests read fresh meanwhile.
    fn forget(&self, why: &str) {
        let mut state = self.lock();
        if state.synced.is_some() {
            tracing::warn!("gating cache: {why}; reading fresh until a check succeeds");
        }
        self.clear(&mut state);
        state.synced = None;
    }

    fn clear(&self, state: &mut State) {
        self.counters
            .invalidated
            .fetch_add(state.creators.len() as u64, Ordering::Relaxed);
        state.creators.clear();
        state.weight = 0;
    }
}

impl Drop for GatingCache {
    fn drop(&mut self) {
        // Lets the checker see the cache is gone.
        self.wake.notify_one();
    }
}
