//! The node's head as the ingest sees it, kept in `chain_heads` for the API's readiness and lag
//! (`serve` may run in another process than the ingest).

use super::Store;
use crate::source::ChainStatus;

/// Heads kept below the newest one; older ones are never asked for.
const KEEP_HEADS: i64 = 1_000;

impl Store {
    /// Records a head reported by `/status`. Failures are logged and otherwise ignored: the
    /// record serves the API, and ingesting must not stop for it.
    pub async fn record_head(&self, status: &ChainStatus) {
        let height = status.latest_height.min(i64::MAX as u64) as i64;
        let result = sqlx::query(
            "WITH recorded AS ( \
                 INSERT INTO chain_heads (height, block_time) VALUES ($1, $2::timestamptz) \
                 ON CONFLICT (height) DO UPDATE \
                 SET observed_at = now(), block_time = coalesce(EXCLUDED.block_time, chain_heads.block_time)) \
             DELETE FROM chain_heads WHERE height < $1 - $3",
        )
        .bind(height)
        .bind(status.latest_block_time.as_deref())
        .bind(KEEP_HEADS)
        .execute(self.pool())
        .await;
        if let Err(e) = result {
            tracing::warn!(height, "recording the node's head failed: {e}");
        }
    }
}
