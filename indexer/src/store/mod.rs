//! PostgreSQL: migrations, the ingest cursor, and committing decoded blocks exactly once.
//!
//! A batch of consecutive blocks is written in one transaction that first moves the cursor
//! from the height before the batch to its last height (`UPDATE ... WHERE height = expected`).
//! The row lock serialises indexers pointed at one database, and a batch that was already
//! committed (say, the connection died after COMMIT) is recognised by the cursor and not
//! written again.
//!
//! An event that decoded but that PostgreSQL refuses to store (a value it cannot hold, such as
//! `\u0000` in JSON, or one out of a column's range) would fail the batch on every retry. The
//! events are written inside a savepoint; on such a refusal the batch's events are tried again
//! in halves, down to the refused event, which goes to the dead letters with PostgreSQL's
//! reason. Every other row of the batch commits once, in order, with the cursor.

pub mod copy;
pub mod events;
mod heads;
pub mod projections;
pub mod rows;

use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, PgConnection, PgPool};
use thiserror::Error;

use crate::decode::{DeadLetter, DecodedBlock, StoredEvent};

/// The migrations in `indexer/migrations` (`NNNN_name.sql`), compiled in.
static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("the cursor is at height {found}, expected {expected}: is another indexer writing to this database?")]
    CursorMoved { expected: u64, found: u64 },
    #[error("blocks to commit must follow the cursor without gaps: {0}")]
    NotContiguous(String),
}

/// Where the ingest is: the last height whose rows are stored (the row also keeps that block's
/// time, which the API answers at).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub chain_id: String,
    pub height: u64,
}

#[derive(Clone)]
pub struct Store {
    pool: PgPool,
}

impl Store {
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        let options: PgConnectOptions = url.parse()?;
        let options = options
            .application_name("mesi-indexer")
            .log_slow_statements(tracing::log::LevelFilter::Warn, Duration::from_secs(5));
        let pool = PgPoolOptions::new()
            .max_connections(4)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await?;
        Ok(Store { pool })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    pub async fn cursor(&self) -> Result<Option<Cursor>, StoreError> {
        let row: Option<(String, i64)> =
            sqlx::query_as("SELECT chain_id, height FROM ingest_cursor")
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(chain_id, height)| Cursor {
            chain_id,
            height: height as u64,
        }))
    }

    /// Creates the cursor just below `start_height` unless one exists; returns the cursor.
    pub async fn init_cursor(
        &self,
        chain_id: &str,
        start_height: u64,
    ) -> Result<Cursor, StoreError> {
        sqlx::query("INSERT INTO ingest_cursor (chain_id, height) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING")
            .bind(chain_id)
            .bind(start_height.saturating_sub(1) as i64)
            .execute(&self.pool)
            .await?;
        self.cursor()
            .await?
            .ok_or(StoreError::Database(sqlx::Error::RowNotFound))
    }

    /// Writes `blocks` (consecutive, starting right after `cursor_height`) and moves the cursor
    /// to the last of them, all in one transaction. Returns the events PostgreSQL refused, which
    /// were stored as dead letters instead.
    pub async fn commit(
        &self,
        cursor_height: u64,
        blocks: &[DecodedBlock],
    ) -> Result<Vec<DeadLetter>, StoreError> {
        let Some(last) = blocks.last() else {
            return Ok(Vec::new());
        };
        for (i, block) in blocks.iter().enumerate() {
            if block.height != cursor_height + 1 + i as u64 {
                return Err(StoreError::NotContiguous(format!(
                    "block {} at position {i} after height {cursor_height}",
                    block.height
                )));
            }
        }
        let mut tx = self.pool.begin().await?;
        let moved = sqlx::query(
            "UPDATE ingest_cursor SET height = $1, block_time = coalesce($3::timestamptz, block_time) \
             WHERE height = $2",
        )
        .bind(last.height as i64)
        .bind(cursor_height as i64)
        .bind(last.block_time.as_deref())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if moved != 1 {
            let found: Option<i64> = sqlx::query_scalar("SELECT height FROM ingest_cursor")
                .fetch_optional(&mut *tx)
                .await?;
            return Err(StoreError::CursorMoved {
                expected: cursor_height,
                found: found.unwrap_or(-1).max(0) as u64,
            });
        }
        let stored: Vec<&StoredEvent> = blocks.iter().flat_map(|b| b.events.iter()).collect();
        let refused = store_events(&mut tx, &stored).await?;
        let letters: Vec<&DeadLetter> = blocks
            .iter()
            .flat_map(|b| b.dead_letters.iter())
            .chain(&refused)
            .collect();
        events::append_dead_letters(&mut tx, &letters).await?;
        tx.commit().await?;
        Ok(refused)
    }
}

/// Writes `events` (raw log and projections) and returns, as dead letters, those PostgreSQL
/// refused. All are tried at once first; a refused try is rolled back to its savepoint and
/// split in halves, the first half first, so the others are still written once and in order.
async fn store_events(
    conn: &mut PgConnection,
    stored: &[&StoredEvent],
) -> Result<Vec<DeadLetter>, sqlx::Error> {
    let mut refused = Vec::new();
    // A stack of index ranges still to write.
    let mut pending = Vec::new();
    pending.push(0..stored.len());
    while let Some(range) = pending.pop() {
        if range.is_empty() {
            continue;
        }
        sqlx::query("SAVEPOINT store_events")
            .execute(&mut *conn)
            .await?;
        let result = write_events(conn, &stored[range.clone()]).await;
        let reason = match result {
            Ok(()) => None,
            Err(e) => Some(refusal(&e).ok_or(e)?),
        };
        if reason.is_some() {
            sqlx::query("ROLLBACK TO SAVEPOINT store_events")
                .execute(&mut *conn)
                .await?;
        }
        sqlx::query("RELEASE SAVEPOINT store_events")
            .execute(&mut *conn)
            .await?;
        match reason {
            None => {}
            Some(reason) if range.len() == 1 => {
                let event = stored[range.start];
                tracing::warn!(
                    height = event.origin.height,
                    seq = event.origin.position.seq,
                    "an event went to the dead letters: {reason}"
                );
                refused.push(event.to_dead_letter(reason));
            }
            Some(_) => {
                let middle = range.start + range.len() / 2;
                pending.push(middle..range.end);
                pending.push(range.start..middle);
            }
        }
    }
    Ok(refused)
}

async fn write_events(conn: &mut PgConnection, stored: &[&StoredEvent]) -> Result<(), sqlx::Error> {
    events::append_events(conn, stored).await?;
    projections::apply_all(conn, stored).await
}

/// PostgreSQL's reason when it refused the data itself (SQLSTATE classes 22 "data exception",
/// 23 "integrity constraint violation", 54 "program limit exceeded"): trying again gives the
/// same answer. `None` for everything else (connection trouble, a conflict), which a retry can
/// clear.
fn refusal(error: &sqlx::Error) -> Option<String> {
    let sqlx::Error::Database(db) = error else {
        return None;
    };
    let code = db.code()?;
    ["22", "23", "54"]
        .iter()
        .any(|class| code.starts_with(class))
        .then(|| format!("PostgreSQL refused to store it: {} ({code})", db.message()))
}
