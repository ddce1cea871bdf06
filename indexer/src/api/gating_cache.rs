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

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, Weak};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use cosmwasm_std::Uint128;
use mesi_common::chat_rule::{ChatRule, GatingFacts};
use mesi_common::AssetInfo;
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection, PgPool};
use tokio::sync::{watch, Notify};

use super::gating::{self, decide, CanMessageAnswer};
use super::params::Address;
use super::state::CHAIN_TIME_SQL;
use super::Error;

/// Versions `gating_changes` keeps (the migration prunes older ones). A check further behind
/// than this cannot know what changed and forgets everything.
const LOG_VERSIONS: i64 = 1_000;
/// Rows of the change log one check reads; more than this, and it forgets everything instead.
/// Rows, not creators: the rows are cut before duplicates go, so a long log about a few
/// creators must not pass for a complete one.
const MAX_CHANGE_ROWS: i64 = 10_000;
/// Checks start at most this often: under load a check then serves the requests of this long
/// (tens of them), and each API process sends at most 2,000 checks a second, whatever the load.
const CHECK_INTERVAL: Duration = Duration::from_micros(500);
/// A check (or connecting for one) that takes longer fails: requests then read fresh.
const CHECK_TIMEOUT: Duration = Duration::from_secs(5);

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

#[derive(Debug, Default, Clone)]
struct FanFacts {
    /// Tier and expiry (microseconds since the Unix epoch) of the subscription with the
    /// registry's subscriptions contract.
    subscription: Option<(i64, i64)>,
    /// Lifetime totals by asset key; assets are shared within an entry.
    tipped: Vec<(Arc<str>, Uint128)>,
    ppv_spent: Vec<(Arc<str>, Uint128)>,
    holds_surprise: bool,
}

/// One fan's facts, read at a block time.
struct FactsAt<'a> {
    facts: Option<&'a FanFacts>,
    /// Block time in microseconds since the Unix epoch; `None` before anything is indexed.
    now: Option<i64>,
}

impl GatingFacts for FactsAt<'_> {
    type Error = Infallible;

    fn subscription_tier(&mut self) -> Result<Option<u32>, Infallible> {
        // As the SQL does: active while the block time is before the expiry.
        Ok(match (self.facts.and_then(|f| f.subscription), self.now) {
            (Some((tier, expires)), Some(now)) if expires > now => u32::try_from(tier).ok(),
            _ => None,
        })
    }

    fn tipped(&mut self, asset: &AssetInfo) -> Result<Uint128, Infallible> {
        Ok(total(self.facts.map(|f| &f.tipped[..]), asset))
    }

    fn ppv_spent(&mut self, asset: &AssetInfo) -> Result<Uint128, Infallible> {
        Ok(total(self.facts.map(|f| &f.ppv_spent[..]), asset))
    }

    fn holds_surprise(&mut self) -> Result<bool, Infallible> {
        Ok(self.facts.is_some_and(|f| f.holds_surprise))
    }
}

fn total(totals: Option<&[(Arc<str>, Uint128)]>, asset: &AssetInfo) -> Uint128 {
    totals
        .and_then(|t| t.iter().find(|(key, _)| is_key_of(key, asset)))
        .map_or(Uint128::zero(), |(_, amount)| *amount)
}

/// `key == asset.key()`, without building the key.
fn is_key_of(key: &str, asset: &AssetInfo) -> bool {
    match asset {
        AssetInfo::Native { denom } => key.strip_prefix("native:") == Some(denom.as_str()),
        AssetInfo::Cw20 { contract } => key.strip_prefix("cw20:") == Some(contract.as_str()),
    }
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

    /// One check: reads the version, height and block time, and drops the entries of creators
    /// changed since the previous check. Run by the checker only; false when it failed.
    async fn check(&self, connection: &mut PgConnection) -> bool {
        self.counters.checks.fetch_add(1, Ordering::Relaxed);
        let since = self.lock().synced.map(|s| s.version);
        let read = tokio::time::timeout(CHECK_TIMEOUT, read_changes(connection, since)).await;
        let (synced, changes) = match read {
            Ok(Ok(read)) => read,
            Ok(Err(e)) => {
                self.forget(&format!("version check failed: {e}"));
                return false;
            }
            Err(_) => {
                self.forget(&format!("version check took over {CHECK_TIMEOUT:?}"));
                return false;
            }
        };
        let mut state = self.lock();
        match changes {
            Changes::None => {}
            Changes::Creators(creators) => {
                for creator in creators {
                    if let Some(entry) = state.creators.remove(&creator) {
                        state.weight -= entry.weight;
                        self.counters.invalidated.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            Changes::All => self.clear(&mut state),
        }
        state.synced = Some(synced);
        true
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

/// Runs a check whenever a request asks for one; requests that ask while a check runs share
/// the next.
struct Checker {
    cache: Weak<GatingCache>,
    wake: Arc<Notify>,
    started: Arc<AtomicU64>,
    finished: watch::Sender<u64>,
    options: PgConnectOptions,
}

impl Checker {
    async fn run(self) {
        let mut connection: Option<PgConnection> = None;
        let mut last_start: Option<Instant> = None;
        loop {
            self.wake.notified().await;
            // Under load, waiting a little gathers more requests onto one check. This thread
            // has nothing else to do, and tokio's timers are too coarse for this.
            if let Some(wait) = last_start.and_then(|t| CHECK_INTERVAL.checked_sub(t.elapsed())) {
                std::thread::sleep(wait);
            }
            last_start = Some(Instant::now());
            let Some(cache) = self.cache.upgrade() else {
                return;
            };
            let number = self.started.fetch_add(1, Ordering::SeqCst) + 1;
            if connection.is_none() {
                let connect = PgConnection::connect_with(&self.options);
                connection = match tokio::time::timeout(CHECK_TIMEOUT, connect).await {
                    Ok(Ok(c)) => Some(c),
                    Ok(Err(e)) => {
                        cache.forget(&format!("cannot connect: {e}"));
                        None
                    }
                    Err(_) => {
                        cache.forget("cannot connect in time");
                        None
                    }
                };
            }
            if let Some(c) = connection.as_mut() {
                if !cache.check(c).await {
                    // Reconnect for the next check, in case this connection broke.
                    connection = None;
                }
            }
            drop(cache);
            self.finished.send_replace(number);
        }
    }
}

fn answer(
    entry: &CreatorEntry,
    facts: Option<&FanFacts>,
    creator: &Address,
    fan: &Address,
    at: Synced,
) -> Result<CanMessageAnswer, Error> {
    let rule = entry
        .rule
        .as_ref()
        .ok_or_else(|| Error::NotFound(format!("creator {creator}")))?;
    let mut facts = FactsAt {
        facts,
        now: at.block_time.map(|t| t.timestamp_micros()),
    };
    Ok(decide(
        rule,
        creator,
        fan,
        &mut facts,
        at.height,
        at.block_time,
    ))
}

enum Changes {
    None,
    Creators(Vec<String>),
    All,
}

type CheckRow = (
    i64,
    Option<i64>,
    Option<DateTime<Utc>>,
    bool,
    Option<Vec<String>>,
);

async fn read_changes(
    connection: &mut PgConnection,
    since: Option<i64>,
) -> Result<(Synced, Changes), sqlx::Error> {
    // $1: the version of the previous check (NULL for the first).
    static SQL: OnceLock<String> = OnceLock::new();
    let sql = SQL.get_or_init(|| {
        format!(
            "SELECT g.version, (SELECT height FROM ingest_cursor), {CHAIN_TIME_SQL}, \
             $1::bigint IS NULL OR g.version < $1 OR g.version - $1 >= {LOG_VERSIONS} \
                 OR (g.version > $1 AND EXISTS (SELECT 1 FROM gating_changes c \
                                                WHERE c.version > $1 AND c.creator IS NULL)), \
             CASE WHEN g.version > $1 THEN ARRAY(SELECT c.creator FROM gating_changes c \
                 WHERE c.version > $1 AND c.creator IS NOT NULL LIMIT {limit}) END \
         FROM gating_version g",
            limit = MAX_CHANGE_ROWS + 1,
        )
    });
    let (version, height, block_time, everything, changed): CheckRow = sqlx::query_as(sql)
        .bind(since)
        .fetch_one(connection)
        .await?;
    let synced = Synced {
        version,
        height,
        block_time,
    };
    let changes = match changed {
        _ if everything => Changes::All,
        // More rows than were read: some changed creator may be among those not read.
        Some(creators) if creators.len() as i64 > MAX_CHANGE_ROWS => Changes::All,
        Some(mut creators) => {
            creators.sort_unstable();
            creators.dedup();
            Changes::Creators(creators)
        }
        None => Changes::None,
    };
    Ok((synced, changes))
}

/// A creator's rule and facts (of every fan, or of one), read in one snapshot.
struct Loaded {
    at: Synced,
    rule: Option<ChatRule>,
    subscriptions: Vec<(String, i64, i64)>,
    tips: Vec<(String, String, String)>,
    ppv: Vec<(String, String, String)>,
    holders: Vec<String>,
}

type LoadRow = (
    i64,
    Option<i64>,
    Option<DateTime<Utc>>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Reads `creator`'s rule and the facts of `fan`, or of every fan when `None`, at most
/// `limit + 1` rows per table (more tells the caller the creator is large). The conditions are
/// those of [`gating::load_gate`].
async fn load(
    pool: &PgPool,
    creator: &Address,
    fan: Option<&Address>,
    limit: usize,
) -> Result<Loaded, Error> {
    // $1 creator, $2 row limit, $3 fan.
    let of_fan = |column: &str| match fan {
        Some(_) => format!(" AND {column} = $3"),
        None => String::new(),
    };
    let sql = format!(
        "WITH profile AS ( \
             SELECT c.chat_rule, p.contracts FROM creators c \
             LEFT JOIN platform_config p ON p.contract = c.contract \
             WHERE c.creator = $1 ORDER BY c.updated_height DESC, c.contract LIMIT 1) \
         SELECT g.version, (SELECT height FROM ingest_cursor), {CHAIN_TIME_SQL}, \
             profile.chat_rule::text, \
             (SELECT json_agg(json_build_array(x.fan, x.tier, x.expires))::text FROM ( \
                 SELECT s.fan, s.tier, CASE WHEN isfinite(s.expires_at) \
                     THEN (extract(epoch FROM s.expires_at) * 1000000)::bigint \
                     WHEN s.expires_at > 'epoch' THEN 9223372036854775807 \
                     ELSE -9223372036854775808 END AS expires \
                 FROM subscriptions s \
                 WHERE s.contract = profile.contracts->>'subscriptions' AND s.creator = $1{sub} \
                 LIMIT $2) x), \
             (SELECT json_agg(json_build_array(x.fan, x.asset, x.total::text))::text FROM ( \
                 SELECT t.fan, t.asset, t.total FROM tip_totals t \
                 WHERE profile.contracts->>'tips' IS NOT NULL AND t.creator = $1{tip} \
                 LIMIT $2) x), \
             (SELECT json_agg(json_build_array(x.buyer, x.asset, x.total::text))::text FROM ( \
                 SELECT t.buyer, t.asset, t.total FROM ppv_totals t \
                 WHERE profile.contracts->>'ppv' IS NOT NULL AND t.creator = $1{ppv} \
                 LIMIT $2) x), \
             (SELECT json_agg(x.owner)::text FROM ( \
                 SELECT DISTINCT s.owner FROM surprises s \
                 WHERE s.contract = profile.contracts->>'surprises' AND s.creator = $1{held} \
                 LIMIT $2) x) \
         FROM gating_version g LEFT JOIN profile ON true",
        sub = of_fan("s.fan"),
        tip = of_fan("t.fan"),
        ppv = of_fan("t.buyer"),
        held = of_fan("s.owner"),
    );
    let limit = i64::try_from(limit.saturating_add(1)).unwrap_or(i64::MAX);
    let mut query = sqlx::query_as::<_, LoadRow>(&sql)
        .bind(creator.as_str())
        .bind(limit);
    if let Some(fan) = fan {
        query = query.bind(fan.as_str());
    }
    let (version, height, block_time, rule, subscriptions, tips, ppv, holders) =
        query.fetch_one(pool).await?;
    let rule = rule
        .map(|rule| serde_json::from_str::<ChatRule>(&rule))
        .transpose()
        .map_err(|e| anyhow::anyhow!("the stored chat rule of {creator} does not parse: {e}"))?;
    Ok(Loaded {
        at: Synced {
            version,
            height,
            block_time,
        },
        rule,
        subscriptions: parse_json(subscriptions)?,
        tips: parse_json(tips)?,
        ppv: parse_json(ppv)?,
        holders: parse_json(holders)?,
    })
}

fn parse_json<T: serde::de::DeserializeOwned>(json: Option<String>) -> Result<Vec<T>, Error> {
    match json {
        Some(json) => Ok(serde_json::from_str(&json)
            .map_err(|e| anyhow::anyhow!("gating facts do not parse: {e}"))?),
        None => Ok(Vec::new()),
    }
}

impl Loaded {
    /// The entry; not `complete` when a table had more than `limit` rows (then without fans).
    fn into_entry(self, limit: usize) -> Result<CreatorEntry, Error> {
        let complete = [
            self.subscriptions.len(),
            self.tips.len(),
            self.ppv.len(),
            self.holders.len(),
        ]
        .into_iter()
        .all(|n| n <= limit);
        let mut fans: HashMap<String, FanFacts> = HashMap::new();
        if complete {
            let mut assets: HashMap<String, Arc<str>> = HashMap::new();
            let mut intern = |asset: String| -> Arc<str> {
                assets
                    .entry(asset)
                    .or_insert_with_key(|a| Arc::from(a.as_str()))
                    .clone()
            };
            for (fan, tier, expires) in self.subscriptions {
                fans.entry(fan).or_default().subscription = Some((tier, expires));
            }
            for (fan, asset, total) in self.tips {
                let total = parse_total(&total)?;
                fans.entry(fan)
                    .or_default()
                    .tipped
                    .push((intern(asset), total));
            }
            for (fan, asset, total) in self.ppv {
                let total = parse_total(&total)?;
                fans.entry(fan)
                    .or_default()
                    .ppv_spent
                    .push((intern(asset), total));
            }
            for owner in self.holders {
                fans.entry(owner).or_default().holds_surprise = true;
            }
        }
        let weight = if complete { fans.len().max(1) } else { limit };
        Ok(CreatorEntry {
            rule: self.rule,
            fans,
            complete,
            asked: Mutex::default(),
            weight,
            last_used: AtomicU64::new(0),
        })
    }
}

fn parse_total(total: &str) -> Result<Uint128, Error> {
    let total = total
        .parse::<u128>()
        .map_err(|e| anyhow::anyhow!("total {total:?} out of range: {e}"))?;
    Ok(Uint128::new(total))
}

#[cfg(test)]
mod tests {
    use cosmwasm_std::Addr;

    use super::*;

    #[test]
    fn asset_keys_match_as_the_contract_spells_them() {
        let assets = [
            AssetInfo::native("uusdc"),
            AssetInfo::native(""),
            AssetInfo::native(
                "ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2",
            ),
            AssetInfo::native("a:b"),
            AssetInfo::cw20(Addr::unchecked("wasm1token")),
            AssetInfo::cw20(Addr::unchecked("")),
        ];
        let keys = [
            "native:uusdc",
            "native:",
            "native:a:b",
            "cw20:wasm1token",
            "cw20:",
            "uusdc",
            "native",
            "cw20:wasm1toke",
            "NATIVE:uusdc",
            "",
        ];
        for asset in &assets {
            for key in keys.iter().copied().chain([asset.key().as_str()]) {
                assert_eq!(is_key_of(key, asset), asset.key() == key, "{key} {asset:?}");
            }
        }
    }

    #[test]
    fn subscriptions_count_while_the_block_time_is_before_their_expiry() {
        let facts = FanFacts {
            subscription: Some((2, 1_000)),
            ..FanFacts::default()
        };
        let tier = |now: Option<i64>| {
            FactsAt {
                facts: Some(&facts),
                now,
            }
            .subscription_tier()
            .unwrap()
        };
        assert_eq!(tier(Some(999)), Some(2));
        assert_eq!(tier(Some(1_000)), None);
        assert_eq!(tier(None), None, "nothing indexed yet");
        let huge = FanFacts {
            subscription: Some((i64::from(u32::MAX) + 1, 1_000)),
            ..FanFacts::default()
        };
        let mut at = FactsAt {
            facts: Some(&huge),
            now: Some(0),
        };
        assert_eq!(at.subscription_tier().unwrap(), None, "as u32::try_from");
    }
}
