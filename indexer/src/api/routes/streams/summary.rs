//! A stream's summary: tip totals, top tippers, comments and viewers.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::sessions::{load_stream, StreamView};
use super::TOP_TIPPERS;
use crate::api::http::error::ErrorBody;
use crate::api::http::extract::Path;
use crate::api::{ApiContext, Error};
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AssetTotal {
    pub asset: String,
    pub total: String,
    pub tips: i64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TopTipper {
    pub asset: String,
    pub fan: String,
    pub total: String,
    pub tips: i64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StreamSummary {
    pub stream: StreamView,
    /// On-chain tips per asset.
    pub totals: Vec<AssetTotal>,
    /// Fiat tips per currency, in minor units.
    pub fiat_totals: Vec<AssetTotal>,
    /// Per asset, the largest named tippers; ties go to who reached the amount first.
    pub top_tippers: Vec<TopTipper>,
    pub comment_count: i64,
    pub peak_viewers: i32,
    /// Viewers of the live feed on this API process right now.
    pub viewers_now: i64,
}

/// Totals, top tippers, comments and viewers of a stream.
#[utoipa::path(get, path = "/streams/{stream_id}/summary", tag = "streams",
    params(("stream_id" = String, Path)), responses(
    (status = 200, body = StreamSummary), (status = 404, body = ErrorBody),
))]
pub(super) async fn stream_summary(
    State(ctx): State<ApiContext>,
    Path(stream_id): Path<String>,
) -> Result<axum::Json<StreamSummary>, Error> {
    let stream = load_stream(&ctx.pool, &stream_id).await?;
    let totals: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT asset, sum(amount)::text, count(*) FROM tips \
         WHERE context = $1 AND creator = $2 GROUP BY asset ORDER BY asset",
    )
    .bind(&stream.tip_context)
    .bind(&stream.creator)
    .fetch_all(&ctx.pool)
    .await?;
    let fiat_totals: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT currency, sum(amount_minor)::text, count(*) FROM fiat_tips \
         WHERE context = $1 AND creator = $2 GROUP BY currency ORDER BY currency",
    )
    .bind(&stream.tip_context)
    .bind(&stream.creator)
    .fetch_all(&ctx.pool)
    .await?;
    // `reached`: the position of the fan's last tip, when their total reached its amount.
    let top: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT asset, fan, total::text, tips FROM ( \
             SELECT asset, fan, sum(amount) AS total, count(*) AS tips, \
                    row_number() OVER (PARTITION BY asset \
                        ORDER BY sum(amount) DESC, max(ARRAY[height, seq::bigint]) ASC) AS rank \
             FROM tips WHERE context = $1 AND creator = $2 AND NOT anonymous \
             GROUP BY asset, fan) ranked \
         WHERE rank <= $3 ORDER BY asset, rank",
    )
    .bind(&stream.tip_context)
    .bind(&stream.creator)
    .bind(TOP_TIPPERS)
    .fetch_all(&ctx.pool)
    .await?;
    let comment_count: i64 =
        sqlx::query_scalar("SELECT count(*) FROM stream_comments WHERE stream_id = $1")
            .bind(&stream_id)
            .fetch_one(&ctx.pool)
            .await?;
    let as_totals = |rows: Vec<(String, String, i64)>| {
        rows.into_iter()
            .map(|(asset, total, tips)| AssetTotal { asset, total, tips })
            .collect()
    };
    Ok(axum::Json(StreamSummary {
        totals: as_totals(totals),
        fiat_totals: as_totals(fiat_totals),
        top_tippers: top
            .into_iter()
            .map(|(asset, fan, total, tips)| TopTipper {
                asset,
                fan,
                total,
                tips,
            })
            .collect(),
        comment_count,
        peak_viewers: stream.peak_viewers,
        viewers_now: ctx.viewers.now(&stream_id) as i64,
        stream,
    }))
}
