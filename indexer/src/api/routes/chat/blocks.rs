//! The creator's off-chain block list.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::prices::require_creator;
use crate::api::http::error::ErrorBody;
use crate::api::http::extract::Path;
use crate::api::http::params::Address;
use crate::api::routes::auth::Session;
use crate::api::{ApiContext, Error};
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Block {
    pub fan: String,
    #[schema(value_type = String, format = DateTime)]
    pub blocked_at: DateTime<Utc>,
}

/// The fans the caller blocked, newest first (the 1000 newest).
#[utoipa::path(get, path = "/chat/blocks", tag = "chat", security(("bearer" = [])), responses(
    (status = 200, body = Vec<Block>), (status = 401, body = ErrorBody),
))]
pub(super) async fn list_blocks(
    State(ctx): State<ApiContext>,
    session: Session,
) -> Result<axum::Json<Vec<Block>>, Error> {
    let rows: Vec<(String, DateTime<Utc>)> = sqlx::query_as(
        "SELECT fan, blocked_at FROM chat_blocks WHERE creator = $1 ORDER BY blocked_at DESC, fan LIMIT 1000",
    )
    .bind(&session.address)
    .fetch_all(&ctx.pool)
    .await?;
    Ok(axum::Json(
        rows.into_iter()
            .map(|(fan, blocked_at)| Block { fan, blocked_at })
            .collect(),
    ))
}

/// Blocks a fan from messaging the caller, whatever the chat rule says.
#[utoipa::path(put, path = "/chat/blocks/{fan}", tag = "chat", security(("bearer" = [])),
    params(("fan" = String, Path)), responses(
    (status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody, description = "the caller is not a registered creator"),
))]
pub(super) async fn block_fan(
    State(ctx): State<ApiContext>,
    session: Session,
    Path(fan): Path<Address>,
) -> Result<StatusCode, Error> {
    require_creator(&ctx, &session).await?;
    if fan.as_str() == session.address {
        return Err(Error::invalid(
            "invalid_address",
            "a creator cannot block themselves",
        ));
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
