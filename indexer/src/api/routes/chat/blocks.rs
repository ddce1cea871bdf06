//! The creator's off-chain block list.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::prices::require_creator;
use crate::api::http::error::ErrorBody;
use crate::api::http::extract::{Path, Query};
use crate::api::http::page::{encode_cursor, snapshot, Page, PageParams};
use crate::api::http::params::Address;
use crate::api::routes::auth::Session;
use crate::api::{ApiContext, Error};
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Block {
    pub fan: String,
    #[schema(value_type = String, format = DateTime)]
    pub blocked_at: DateTime<Utc>,
}

/// The fans the caller blocked, newest first.
#[utoipa::path(get, path = "/chat/blocks", tag = "chat", security(("bearer" = [])),
    params(PageParams), responses(
    (status = 200, body = Page<Block>),
    (status = 400, body = ErrorBody, description = "invalid_cursor, invalid_limit"),
    (status = 401, body = ErrorBody),
))]
pub(super) async fn list_blocks(
    State(ctx): State<ApiContext>,
    session: Session,
    Query(params): Query<PageParams>,
) -> Result<axum::Json<Page<Block>>, Error> {
    let request = params.checked::<(DateTime<Utc>, String)>()?;
    let (blocked_before, fan_after) = request.after.clone().unzip();
    let (mut tx, height) = snapshot(&ctx.pool).await?;
    let rows: Vec<(String, DateTime<Utc>)> = sqlx::query_as(
        "SELECT fan, blocked_at FROM chat_blocks WHERE creator = $1 \
           AND ($2::timestamptz IS NULL OR blocked_at < $2 OR (blocked_at = $2 AND fan > $3)) \
         ORDER BY blocked_at DESC, fan LIMIT $4",
    )
    .bind(&session.address)
    .bind(blocked_before)
    .bind(fan_after)
    .bind(request.fetch)
    .fetch_all(&mut *tx)
    .await?;
    Ok(axum::Json(request.page(
        rows,
        height,
        |(fan, blocked_at)| encode_cursor(&(blocked_at, fan)),
        |(fan, blocked_at)| Block { fan, blocked_at },
    )))
}

/// Blocks a fan from messaging the caller, whatever the chat rule says.
#[utoipa::path(put, path = "/chat/blocks/{fan}", tag = "chat", security(("bearer" = [])),
    params(("fan" = String, Path)), responses(
    (status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody, description = "the caller is not a registered creator, or is the fan"),
))]
pub(super) async fn block_fan(
    State(ctx): State<ApiContext>,
    session: Session,
    Path(fan): Path<Address>,
) -> Result<StatusCode, Error> {
    require_creator(&ctx, &session).await?;
    if fan.as_str() == session.address {
        // Well formed, but not allowed for this session.
        return Err(Error::Forbidden("a creator cannot block themselves".into()));
    }
    sqlx::query("INSERT INTO chat_blocks (creator, fan) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(&session.address)
        .bind(fan.as_str())
        .execute(&ctx.pool)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Lets a blocked fan message again (subject to the chat rule).
#[utoipa::path(delete, path = "/chat/blocks/{fan}", tag = "chat", security(("bearer" = [])),
    params(("fan" = String, Path)), responses(
    (status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
))]
pub(super) async fn unblock_fan(
    State(ctx): State<ApiContext>,
    session: Session,
    Path(fan): Path<Address>,
) -> Result<StatusCode, Error> {
    sqlx::query("DELETE FROM chat_blocks WHERE creator = $1 AND fan = $2")
        .bind(&session.address)
        .bind(fan.as_str())
        .execute(&ctx.pool)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
