//! Top tippers: per creator (all time, last 7 or 30 days) and per live stream, in one asset.
//!
//! - Amounts in different assets are not comparable, so a board is for one asset.
//! - Only public tips count: a fan who tipped anonymously is not shown (their tips still count
//!   for chat gating and goals).
//! - Ties go to the fan who reached the amount first: the one whose last counted tip has the
//!   earlier position in the chain.
//! - "Last 7 days" is measured back from the latest indexed block time, not the wall clock, so
//!   a board is the same whichever server answers and however far the ingest lags.

use axum::extract::State;
use mesi_common::interfaces::tips::{TipContext, TIP_CONTEXT_ID_PATTERN};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::http::error::ErrorBody;
use crate::api::http::extract::{Path, Query};
use crate::api::http::openapi::set_parameter_pattern;
use crate::api::http::params::{page_size, Address};
use crate::api::state::CHAIN_TIME_SQL;
use crate::api::{ApiContext, Error};

pub fn router() -> OpenApiRouter<ApiContext> {
    let mut router = OpenApiRouter::new()
        .routes(routes!(creator_leaderboard))
        .routes(routes!(stream_leaderboard));
    set_parameter_pattern(
        router.get_openapi_mut(),
        "/streams/{stream_id}/leaderboard",
        "stream_id",
        TIP_CONTEXT_ID_PATTERN,
    );
    router
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
pub enum Period {
    #[default]
    #[serde(rename = "all")]
    AllTime,
    #[serde(rename = "7d")]
    Days7,
    #[serde(rename = "30d")]
    Days30,
}

impl Period {
    fn days(self) -> Option<i32> {
        match self {
            Period::AllTime => None,
            Period::Days7 => Some(7),
            Period::Days30 => Some(30),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Tipper {
    /// 1 for the top tipper.
    pub rank: u32,
    pub fan: String,
    /// Sum of the fan's counted tips, as a decimal string.
    pub total: String,
    pub tips: i64,
    /// Position of the fan's last counted tip: when the total was reached.
    pub reached_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct Leaderboard {
    pub asset: String,
    pub tippers: Vec<Tipper>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BoardQuery {
    /// `native:<denom>` or `cw20:<address>`.
    asset: String,
    /// `all` (default), `7d` or `30d`.
    #[param(value_type = Option<String>, pattern = "^(all|7d|30d)$")]
    period: Option<Period>,
    /// 1 to 100 entries, default 20.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StreamBoardQuery {
    /// `native:<denom>` or `cw20:<address>`.
    asset: String,
    /// 1 to 100 entries, default 20.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
}

/// Which tips a board counts.
pub enum Scope<'a> {
    Creator(&'a Address, Period),
    Stream(&'a str),
}

pub fn checked_asset(asset: &str) -> Result<&str, Error> {
    let valid = match asset.split_once(':') {
        Some(("native", denom)) => {
            (1..=128).contains(&denom.len())
                && denom
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"/:._-".contains(&b))
        }
        Some(("cw20", address)) => address.parse::<Address>().is_ok(),
        _ => false,
    };
    if valid {
        Ok(asset)
    } else {
        Err(Error::invalid(
            "invalid_asset",
            "an asset is native:<denom> or cw20:<address>",
        ))
    }
}

/// The top `limit` public tippers of `scope` in `asset`.
pub async fn top_tippers(
    pool: &PgPool,
    scope: Scope<'_>,
    asset: &str,
    limit: i64,
) -> Result<Vec<Tipper>, Error> {
    let asset = checked_asset(asset)?;
    // $1 creator or stream context, $2 asset, $3 days back (NULL for all time), $4 limit.
    let (filter, key, days) = match scope {
        Scope::Creator(creator, period) => ("creator = $1", creator.to_string(), period.days()),
        Scope::Stream(id) => ("context = $1", format!("stream:{id}"), None),
    };
    let sql = format!(
        "SELECT fan, sum(amount)::text, count(*), max(height), (array_agg(seq ORDER BY height DESC, seq DESC))[1] \
         FROM tips \
         WHERE {filter} AND asset = $2 AND NOT anonymous \
           AND ($3::integer IS NULL OR block_time > {CHAIN_TIME_SQL} - make_interval(days => $3)) \
         GROUP BY fan \
         ORDER BY sum(amount) DESC, max(height) ASC, 5 ASC \
         LIMIT $4"
    );
    let rows: Vec<(String, String, i64, i64, i32)> = sqlx::query_as(&sql)
        .bind(key)
        .bind(asset)
        .bind(days)
        .bind(limit)
        .fetch_all(pool)
        .await?;
    Ok(rows
        .into_iter()
        .enumerate()
        .map(|(i, (fan, total, tips, height, seq))| Tipper {
            rank: i as u32 + 1,
            fan,
            total,
            tips,
            reached_at: format!("{height}-{seq}"),
        })
        .collect())
}

/// A creator's top tippers in one asset, over all time or the last 7 or 30 days.
#[utoipa::path(get, path = "/creators/{address}/leaderboard", tag = "leaderboards",
    params(("address" = String, Path, description = "The creator"), BoardQuery),
    responses(
        (status = 200, body = Leaderboard),
        (status = 400, body = ErrorBody, description = "invalid_address, invalid_asset, invalid_query, invalid_limit"),
    ))]
async fn creator_leaderboard(
    State(ctx): State<ApiContext>,
    Path(creator): Path<Address>,
    Query(query): Query<BoardQuery>,
) -> Result<axum::Json<Leaderboard>, Error> {
    let limit = page_size(query.limit)?;
    let scope = Scope::Creator(&creator, query.period.unwrap_or_default());
    let tippers = top_tippers(&ctx.pool, scope, &query.asset, limit).await?;
    Ok(axum::Json(Leaderboard {
        asset: query.asset,
        tippers,
    }))
}

/// The top tippers of a live stream (tips given with context `stream:<id>`) in one asset.
#[utoipa::path(get, path = "/streams/{stream_id}/leaderboard", tag = "leaderboards",
    params(("stream_id" = String, Path,
        description = "The stream id tips carry in their context (any, not only streams started here)"),
        StreamBoardQuery),
    responses(
        (status = 200, body = Leaderboard),
        (status = 400, body = ErrorBody, description = "invalid_id, invalid_asset, invalid_query, invalid_limit"),
    ))]
async fn stream_leaderboard(
    State(ctx): State<ApiContext>,
    Path(stream_id): Path<String>,
    Query(query): Query<StreamBoardQuery>,
) -> Result<axum::Json<Leaderboard>, Error> {
    let limit = page_size(query.limit)?;
    TipContext::Stream {
        id: stream_id.clone(),
    }
    .validate()
    .map_err(|why| Error::invalid("invalid_id", why))?;
    let tippers = top_tippers(&ctx.pool, Scope::Stream(&stream_id), &query.asset, limit).await?;
    Ok(axum::Json(Leaderboard {
        asset: query.asset,
        tippers,
    }))
}
