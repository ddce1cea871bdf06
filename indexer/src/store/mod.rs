//! PostgreSQL: migrations, the ingest cursor, and committing decoded blocks exactly once.
//!
//! A batch of consecutive blocks is written in one transaction that first moves the cursor
//! from the height before the batch to its last height (`UPDATE ... WHERE height = expected`).
//! The row lock serialises indexers pointed at one database, and a batch that was already
//! committed (say, the connection died after COMMIT) is recognised by the cursor and not
//! written again.

pub mod copy;
pub mod events;
mod heads;
pub mod projections;

use std::time::Duration;

use futures_util::future::BoxFuture;
use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, PgPool};
use thiserror::Error;

use crate::decode::DecodedBlock;

/// The migrations in `indexer/migrations`, compiled in; add each new file here.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "ingest",
        include_str!("../../migrations/0001_ingest.sql"),
    ),
    (2, "tips", include_str!("../../migrations/0002_tips.sql")),
    (
        3,
        "creators",
        include_str!("../../migrations/0003_creators.sql"),
    ),
    (
        4,
        "subscriptions",
        include_str!("../../migrations/0004_subscriptions.sql"),
    ),
    (5, "ppv", include_str!("../../migrations/0005_ppv.sql")),
    (
        6,
        "surprises",
        include_str!("../../migrations/0006_surprises.sql"),
    ),
    (
        7,
        "meetings",
        include_str!("../../migrations/0007_meetings.sql"),
    ),
    (100, "auth", include_str!("../../migrations/0100_auth.sql")),
    (101, "chat", include_str!("../../migrations/0101_chat.sql")),
    (
        102,
        "streams",
        include_str!("../../migrations/0102_streams.sql"),
    ),
    (200, "api", include_str!("../../migrations/0200_api.sql")),
    (201, "feed", include_str!("../../migrations/0201_feed.sql")),
    (
        202,
        "calendar_goals",
        include_str!("../../migrations/0202_calendar_goals.sql"),
    ),
    (
        203,
        "access_lookups",
        include_str!("../../migrations/0203_access_lookups.sql"),
    ),
    (
        204,
        "gating_changes",
        include_str!("../../migrations/0204_gating_changes.sql"),
    ),
    (
        210,
        "commit_order",
        include_str!("../../migrations/0210_commit_order.sql"),
    ),
];

#[derive(Debug)]
struct EmbeddedMigrations;

impl<'s> MigrationSource<'s> for EmbeddedMigrations {
    fn resolve(self) -> BoxFuture<'s, Result<Vec<Migration>, BoxDynError>> {
        let migrations = MIGRATIONS
            .iter()
            .map(|(version, name, sql)| {
                Migration::new(
                    *version,
                    (*name).into(),
                    MigrationType::Simple,
                    (*sql).into(),
                    false,
                )
            })
            .collect();
        Box::pin(std::future::ready(Ok(migrations)))
    }
}

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

/// Where the ingest is: the last height whose rows are stored.
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
        Migrator::new(EmbeddedMigrations)
            .await?
            .run(&self.pool)
            .await?;
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
    /// to the last of them, all in one transaction.
    pub async fn commit(
        &self,
        cursor_height: u64,
        blocks: &[DecodedBlock],
    ) -> Result<(), StoreError> {
        let Some(last) = blocks.last() else {
            return Ok(());
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
        let moved = sqlx::query("UPDATE ingest_cursor SET height = $1 WHERE height = $2")
            .bind(last.height as i64)
            .bind(cursor_height as i64)
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
        events::append(&mut tx, blocks).await?;
        projections::apply_all(&mut tx, blocks).await?;
        tx.commit().await?;
        Ok(())
    }
}
