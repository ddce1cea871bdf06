//! What the API knows about the ingest: the cursor, the node's head as the ingest last recorded
//! it, and the block time queries are answered at.
//!
//! **Block time.** The chain answers a query at its latest block, so the API answers at the
//! latest *indexed* block: the time of the cursor's block, which the ingest stores with the
//! cursor in each commit. When the ingest lags, answers are those of the indexed height, as on
//! a node that is behind.

use sqlx::PgPool;

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct IngestState {
    /// The last indexed height; `None` before the first commit.
    pub cursor: Option<i64>,
    /// The highest head the ingest recorded.
    pub head: Option<i64>,
    /// Seconds since the ingest recorded that head.
    pub head_age_secs: Option<f64>,
    /// Mesi events and dead letters stored so far.
    pub events: i64,
    pub dead_letters: i64,
}

type StateRow = (
    Option<i64>,
    Option<i64>,
    Option<f64>,
    Option<i64>,
    Option<i64>,
);

impl IngestState {
    pub async fn load(pool: &PgPool) -> Result<IngestState, sqlx::Error> {
        let row: StateRow = sqlx::query_as(
            "SELECT (SELECT height FROM ingest_cursor), h.height, \
                    extract(epoch FROM now() - h.observed_at)::float8, \
                    (SELECT events FROM ingest_stats), (SELECT dead_letters FROM ingest_stats) \
             FROM (SELECT 1) AS one \
             LEFT JOIN LATERAL (SELECT height, observed_at FROM chain_heads ORDER BY height DESC LIMIT 1) h ON true",
        )
        .fetch_one(pool)
        .await?;
        Ok(IngestState {
            cursor: row.0,
            head: row.1,
            head_age_secs: row.2,
            events: row.3.unwrap_or(0),
            dead_letters: row.4.unwrap_or(0),
        })
    }

    /// Blocks between the head and the cursor; `None` while either is unknown.
    pub fn lag(&self) -> Option<i64> {
        Some((self.head? - self.cursor?).max(0))
    }
}

/// SQL for the block time of the latest indexed block (see the module docs), as a
/// `timestamptz` expression; NULL before anything is indexed.
pub const CHAIN_TIME_SQL: &str = "(SELECT block_time FROM ingest_cursor)";
