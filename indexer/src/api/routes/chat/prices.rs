//! Pay-per-message prices: the creator's default and a thread's own (creator only).

use axum::extract::State;
use axum::http::StatusCode;
use mesi_common::asset::AssetInfo;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::threads::{is_registered_creator, load_thread, Thread};
use crate::api::http::error::ErrorBody;
use crate::api::http::extract::{Json, Path};
use crate::api::http::params::{amount_schema, parse_amount, Address};
use crate::api::routes::auth::Session;
use crate::api::{ApiContext, Error};
/// A price of one fan message: an on-chain asset key and an amount in its smallest unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Price {
    /// `native:<denom>` or `cw20:<contract address>`.
    #[schema(example = "native:uusdc")]
    pub asset: String,
    #[schema(schema_with = amount_schema)]
    pub amount: String,
}

impl Price {
    /// Checks the asset key and that the amount is a positive 128-bit integer.
    fn validated(self) -> Result<Price, Error> {
        let info = AssetInfo::from_key(&self.asset)
            .map_err(|e| Error::invalid("invalid_asset", e.to_string()))?;
        if let AssetInfo::Cw20 { contract } = &info {
            contract.as_str().parse::<Address>()?;
        }
        if parse_amount(&self.amount).is_none() {
            return Err(Error::invalid(
                "invalid_amount",
                "amount is a whole number above zero and below 2^128, in decimal digits without leading zeros",
            ));
        }
        Ok(Price {
            asset: info.key(),
            amount: self.amount,
        })
    }

    pub(super) fn from_columns(asset: Option<String>, amount: Option<String>) -> Option<Price> {
        Some(Price {
            asset: asset?,
            amount: amount?,
        })
    }
}

/// The thread when the caller is its creator; 404 when it is not the caller's, 403 when the
/// caller is the fan.
async fn thread_of_creator(
    ctx: &ApiContext,
    thread_id: &str,
    caller: &str,
) -> Result<Thread, Error> {
    let mut conn = ctx.pool.acquire().await?;
    let thread = load_thread(&mut conn, thread_id, caller)
        .await?
        .ok_or_else(|| Error::NotFound("thread".into()))?;
    if thread.creator != caller {
        return Err(Error::Forbidden(
            "only the creator sets a thread's price".into(),
        ));
    }
    Ok(thread)
}

/// Sets the price of one fan message in this thread, over the creator's default.
#[utoipa::path(put, path = "/chat/threads/{thread_id}/price", tag = "chat",
    security(("bearer" = [])), params(("thread_id" = String, Path)), request_body = Price,
    responses(
    (status = 200, body = Thread), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
))]
pub(super) async fn set_thread_price(
    State(ctx): State<ApiContext>,
    session: Session,
    Path(thread_id): Path<String>,
    Json(price): Json<Price>,
) -> Result<axum::Json<Thread>, Error> {
    let price = price.validated()?;
    thread_of_creator(&ctx, &thread_id, &session.address).await?;
    sqlx::query(
        "UPDATE chat_threads SET price_asset = $2, price_amount = $3::numeric WHERE thread_id = $1",
    )
    .bind(&thread_id)
    .bind(&price.asset)
    .bind(&price.amount)
    .execute(&ctx.pool)
    .await?;
    let mut conn = ctx.pool.acquire().await?;
    load_thread(&mut conn, &thread_id, &session.address)
        .await?
        .map(axum::Json)
        .ok_or_else(|| Error::NotFound("thread".into()))
}

/// Removes the thread's own price; the creator's default applies again.
#[utoipa::path(delete, path = "/chat/threads/{thread_id}/price", tag = "chat",
    security(("bearer" = [])), params(("thread_id" = String, Path)), responses(
    (status = 200, body = Thread), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
))]
pub(super) async fn clear_thread_price(
    State(ctx): State<ApiContext>,
    session: Session,
    Path(thread_id): Path<String>,
) -> Result<axum::Json<Thread>, Error> {
    thread_of_creator(&ctx, &thread_id, &session.address).await?;
    sqlx::query(
        "UPDATE chat_threads SET price_asset = NULL, price_amount = NULL WHERE thread_id = $1",
    )
    .bind(&thread_id)
    .execute(&ctx.pool)
    .await?;
    let mut conn = ctx.pool.acquire().await?;
    load_thread(&mut conn, &thread_id, &session.address)
        .await?
        .map(axum::Json)
        .ok_or_else(|| Error::NotFound("thread".into()))
}

pub(in crate::api) async fn require_creator(
    ctx: &ApiContext,
    session: &Session,
) -> Result<(), Error> {
    if is_registered_creator(&ctx.pool, &session.address).await? {
        Ok(())
    } else {
        Err(Error::Forbidden(
            "only a registered creator may do this".into(),
        ))
    }
}

/// The caller's default price of one fan message; 404 when messages are free.
#[utoipa::path(get, path = "/chat/price", tag = "chat", security(("bearer" = [])), responses(
    (status = 200, body = Price), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
))]
pub(super) async fn get_creator_price(
    State(ctx): State<ApiContext>,
    session: Session,
) -> Result<axum::Json<Price>, Error> {
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT price_asset, price_amount::text FROM chat_prices WHERE creator = $1",
    )
    .bind(&session.address)
    .fetch_optional(&ctx.pool)
    .await?;
    row.map(|(asset, amount)| axum::Json(Price { asset, amount }))
        .ok_or_else(|| Error::NotFound("price".into()))
}

/// Sets the caller's (a creator's) default price of one fan message in their threads.
#[utoipa::path(put, path = "/chat/price", tag = "chat", security(("bearer" = [])),
    request_body = Price, responses(
    (status = 200, body = Price), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody, description = "the caller is not a registered creator"),
))]
pub(super) async fn set_creator_price(
    State(ctx): State<ApiContext>,
    session: Session,
    Json(price): Json<Price>,
) -> Result<axum::Json<Price>, Error> {
    let price = price.validated()?;
    require_creator(&ctx, &session).await?;
    sqlx::query(
        "INSERT INTO chat_prices (creator, price_asset, price_amount) VALUES ($1, $2, $3::numeric) \
         ON CONFLICT (creator) DO UPDATE SET price_asset = EXCLUDED.price_asset, \
             price_amount = EXCLUDED.price_amount, updated_at = now()",
    )
    .bind(&session.address)
    .bind(&price.asset)
    .bind(&price.amount)
    .execute(&ctx.pool)
    .await?;
    Ok(axum::Json(price))
}

/// Makes the caller's messages free again (threads with their own price keep it).
#[utoipa::path(delete, path = "/chat/price", tag = "chat", security(("bearer" = [])), responses(
    (status = 204), (status = 401, body = ErrorBody),
))]
pub(super) async fn clear_creator_price(
    State(ctx): State<ApiContext>,
    session: Session,
) -> Result<StatusCode, Error> {
    sqlx::query("DELETE FROM chat_prices WHERE creator = $1")
        .bind(&session.address)
        .execute(&ctx.pool)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_are_validated() {
        let price = |asset: &str, amount: &str| Price {
            asset: asset.into(),
            amount: amount.into(),
        };
        assert_eq!(
            price("native:uusdc", "10").validated().unwrap(),
            price("native:uusdc", "10")
        );
        for (asset, amount) in [
            ("native:uusdc", "0"),
            ("native:uusdc", "0010"),
            ("native:uusdc", "+10"),
            ("native:uusdc", "-1"),
            ("native:uusdc", "1.5"),
            ("native:uusdc", "340282366920938463463374607431768211456"),
            ("erc20:0x", "1"),
            ("cw20:notanaddress", "1"),
        ] {
            assert!(
                price(asset, amount).validated().is_err(),
                "{asset} {amount}"
            );
        }
    }
}
