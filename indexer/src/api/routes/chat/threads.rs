//! Threads: one per (creator, fan), opened by either side, with the price in force and the
//! fan's chat credit.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgPool};
use utoipa::ToSchema;

use super::prices::Price;
use crate::api::http::error::ErrorBody;
use crate::api::http::extract::{Json, Path, Query};
use crate::api::http::page::{invalid_cursor, snapshot, Page, PageParams};
use crate::api::http::params::{is_context_id, new_context_id, Address};
use crate::api::routes::auth::Session;
use crate::api::{ApiContext, Error};
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Thread {
    pub thread_id: String,
    pub creator: String,
    pub fan: String,
    /// The price of one fan message in force (the thread's, else the creator's); none is free.
    pub price: Option<Price>,
    /// Whether the price is the thread's own rather than the creator's default.
    pub price_is_thread_override: bool,
    /// The fan's unspent chat credit in the price's asset (see the module docs).
    pub credit: Option<String>,
    /// The context a fan's tip must carry to pay for messages here.
    #[schema(example = "chat:3f1c0a9e5b7d4c2a8e6f0b1d3c5a7e9f")]
    pub tip_context: String,
    /// Whether the creator blocked the fan.
    pub fan_blocked: bool,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OpenThreadRequest {
    /// The creator of the thread.
    pub creator: String,
    /// The fan; defaults to the caller. A creator opens a thread with a fan by naming both.
    pub fan: Option<String>,
}

/// Thread ids are context ids; anything else cannot name a thread.
fn check_thread_id(thread_id: &str) -> Result<(), Error> {
    if is_context_id(thread_id) {
        Ok(())
    } else {
        Err(Error::NotFound("thread".into()))
    }
}

pub(super) async fn is_registered_creator(pool: &PgPool, creator: &str) -> Result<bool, Error> {
    Ok(
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM creators WHERE creator = $1)")
            .bind(creator)
            .fetch_one(pool)
            .await?,
    )
}

const THREAD_COLUMNS: &str = "t.thread_id, t.creator, t.fan, \
    coalesce(t.price_asset, p.price_asset), coalesce(t.price_amount, p.price_amount)::text, \
    t.price_asset IS NOT NULL, \
    EXISTS (SELECT 1 FROM chat_blocks b WHERE b.creator = t.creator AND b.fan = t.fan), \
    t.created_at";

type ThreadRow = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    bool,
    bool,
    DateTime<Utc>,
);

/// The thread as `viewer` may see it: `None` when it does not exist or `viewer` is not in it,
/// which callers answer with the same 404 (ids of others' threads stay unconfirmed).
pub(super) async fn load_thread(
    conn: &mut PgConnection,
    thread_id: &str,
    viewer: &str,
) -> Result<Option<Thread>, Error> {
    check_thread_id(thread_id)?;
    let row: Option<ThreadRow> = sqlx::query_as(&format!(
        "SELECT {THREAD_COLUMNS} FROM chat_threads t LEFT JOIN chat_prices p ON p.creator = t.creator \
         WHERE t.thread_id = $1 AND $2 IN (t.creator, t.fan)"
    ))
    .bind(thread_id)
    .bind(viewer)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let mut thread = thread_from_row(row);
    if let Some(price) = &thread.price {
        thread.credit = Some(credit(conn, &thread, &price.asset).await?);
    }
    Ok(Some(thread))
}

fn thread_from_row(row: ThreadRow) -> Thread {
    let (thread_id, creator, fan, asset, amount, is_override, fan_blocked, created_at) = row;
    Thread {
        tip_context: format!("chat:{thread_id}"),
        thread_id,
        creator,
        fan,
        price: Price::from_columns(asset, amount),
        price_is_thread_override: is_override,
        credit: None,
        fan_blocked,
        created_at,
    }
}

/// The fan's chat tips in `asset` to this thread's creator, minus what the fan's messages in
/// the thread were charged in it.
async fn credit(conn: &mut PgConnection, thread: &Thread, asset: &str) -> Result<String, Error> {
    Ok(sqlx::query_scalar(
        "SELECT ((SELECT coalesce(sum(amount), 0) FROM tips \
                  WHERE context = $1 AND creator = $2 AND fan = $3 AND asset = $4) \
               - (SELECT coalesce(sum(charged_amount), 0) FROM chat_messages \
                  WHERE thread_id = $5 AND sender = $3 AND charged_asset = $4))::text",
    )
    .bind(&thread.tip_context)
    .bind(&thread.creator)
    .bind(&thread.fan)
    .bind(asset)
    .bind(&thread.thread_id)
    .fetch_one(conn)
    .await?)
}

/// Opens the thread between a creator and a fan, or returns the one they have.
#[utoipa::path(post, path = "/chat/threads", tag = "chat", security(("bearer" = [])),
    request_body = OpenThreadRequest, responses(
    (status = 200, body = Thread, description = "the existing thread"),
    (status = 201, body = Thread, description = "a new thread"),
    (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody, description = "the caller is neither side of the thread"),
    (status = 404, body = ErrorBody, description = "no such creator"),
))]
pub(super) async fn open_thread(
    State(ctx): State<ApiContext>,
    session: Session,
    Json(request): Json<OpenThreadRequest>,
) -> Result<(StatusCode, axum::Json<Thread>), Error> {
    let creator: Address = request.creator.parse()?;
    let fan: Address = match &request.fan {
        Some(fan) => fan.parse()?,
        None => session.address.parse()?,
    };
    if session.address != creator.as_str() && session.address != fan.as_str() {
        return Err(Error::Forbidden(
            "only the creator or the fan may open their thread".into(),
        ));
    }
    if creator == fan {
        // Well formed, but not allowed for this session.
        return Err(Error::Forbidden(
            "a creator cannot open a chat thread with themselves".into(),
        ));
    }
    if !is_registered_creator(&ctx.pool, creator.as_str()).await? {
        return Err(Error::NotFound("creator".into()));
    }
    let created = sqlx::query(
        "INSERT INTO chat_threads (thread_id, creator, fan) VALUES ($1, $2, $3) \
         ON CONFLICT (creator, fan) DO NOTHING",
    )
    .bind(new_context_id()?)
    .bind(creator.as_str())
    .bind(fan.as_str())
    .execute(&ctx.pool)
    .await?
    .rows_affected()
        == 1;
    let thread_id: String =
        sqlx::query_scalar("SELECT thread_id FROM chat_threads WHERE creator = $1 AND fan = $2")
            .bind(creator.as_str())
            .bind(fan.as_str())
            .fetch_one(&ctx.pool)
            .await?;
    let mut conn = ctx.pool.acquire().await?;
    let thread = load_thread(&mut conn, &thread_id, &session.address)
        .await?
        .ok_or_else(|| anyhow::anyhow!("thread {thread_id} vanished"))?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, axum::Json(thread)))
}

/// The caller's threads, as creator or fan, newest first.
#[utoipa::path(get, path = "/chat/threads", tag = "chat", security(("bearer" = [])),
    params(PageParams), responses(
    (status = 200, body = Page<Thread>),
    (status = 400, body = ErrorBody, description = "invalid_cursor, invalid_limit"),
    (status = 401, body = ErrorBody),
))]
pub(super) async fn list_threads(
    State(ctx): State<ApiContext>,
    session: Session,
    Query(params): Query<PageParams>,
) -> Result<axum::Json<Page<Thread>>, Error> {
    // A cursor is the id of the last thread handed out.
    let request = params.checked_with(|text| {
        check_thread_id(text)
            .map(|()| text.to_owned())
            .map_err(|_| invalid_cursor())
    })?;
    let (mut tx, height) = snapshot(&ctx.pool).await?;
    let rows: Vec<ThreadRow> = sqlx::query_as(&format!(
        "SELECT {THREAD_COLUMNS} FROM chat_threads t LEFT JOIN chat_prices p ON p.creator = t.creator \
         WHERE $1 IN (t.creator, t.fan) \
           AND ($2::text IS NULL OR (t.created_at, t.thread_id) < \
                (SELECT created_at, thread_id FROM chat_threads WHERE thread_id = $2)) \
         ORDER BY t.created_at DESC, t.thread_id DESC LIMIT $3"
    ))
    .bind(&session.address)
    .bind(&request.after)
    .bind(request.fetch)
    .fetch_all(&mut *tx)
    .await?;
    Ok(axum::Json(request.page(
        rows,
        height,
        |row| row.0.clone(),
        thread_from_row,
    )))
}

/// One of the caller's threads, with its price and the fan's credit.
#[utoipa::path(get, path = "/chat/threads/{thread_id}", tag = "chat", security(("bearer" = [])),
    params(("thread_id" = String, Path)), responses(
    (status = 200, body = Thread), (status = 401, body = ErrorBody),
    (status = 404, body = ErrorBody, description = "no such thread, or the caller is not in it"),
))]
pub(super) async fn get_thread(
    State(ctx): State<ApiContext>,
    session: Session,
    Path(thread_id): Path<String>,
) -> Result<axum::Json<Thread>, Error> {
    let mut conn = ctx.pool.acquire().await?;
    load_thread(&mut conn, &thread_id, &session.address)
        .await?
        .map(axum::Json)
        .ok_or_else(|| Error::NotFound("thread".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_ids_are_tip_context_ids() {
        let id = new_context_id().unwrap();
        check_thread_id(&id).unwrap();
        let context = mesi_common::interfaces::tips::TipContext::Chat {
            thread_id: id.clone(),
        };
        context.validate().unwrap();
        assert_eq!(context.to_string(), format!("chat:{id}"));
        for bad in [
            "",
            "ABCDEF0123456789abcdef0123456789",
            "../etc",
            &"a".repeat(33),
        ] {
            assert!(check_thread_id(bad).is_err(), "{bad}");
        }
    }
}
