//! Checks: what changed since the last one, read in one query by a thread of its own.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, Weak};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection};
use tokio::sync::{watch, Notify};

use super::{GatingCache, Synced};
use crate::api::state::CHAIN_TIME_SQL;
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

impl GatingCache {
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
}
/// Runs a check whenever a request asks for one; requests that ask while a check runs share
/// the next.
pub(super) struct Checker {
    pub(super) cache: Weak<GatingCache>,
    pub(super) wake: Arc<Notify>,
    pub(super) started: Arc<AtomicU64>,
    pub(super) finished: watch::Sender<u64>,
    pub(super) options: PgConnectOptions,
}

impl Checker {
    pub(super) async fn run(self) {
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
