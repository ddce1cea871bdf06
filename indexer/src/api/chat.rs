//! Chat threads between a fan and a creator.
//!
//! - One thread per (creator, fan); either side opens it. Its id is a valid tip context id, so
//!   a fan pays for messages with a tip whose context is `chat:<thread_id>`.
//! - Sending needs a [`Session`]. A fan's message passes, in order: the per-sender rate limit,
//!   the creator's off-chain block list, the creator's on-chain chat rule evaluated over the
//!   indexed state at send time (the same `can-message` answer the API gives), and, when the
//!   creator set a price per message, the fan's unspent chat credit. The creator may always
//!   reply (only the rate limit applies).
//! - Pay-per-message: a price is set per creator and may be overridden per thread. A fan's
//!   credit in a thread is the sum of their indexed tips to the creator with context
//!   `chat:<thread_id>` in the price's asset, minus what their messages there were charged;
//!   each message charges the price in force when it was sent. Fiat tips do not count (prices
//!   name on-chain assets, like chat rules).
//! - Messages live in PostgreSQL and reach both sides over SSE (`GET /chat/events`), resumable
//!   with `Last-Event-ID` (the message id).

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use chrono::{DateTime, Utc};
use cosmwasm_std::Uint128;
use futures_util::stream::{self, Stream, StreamExt};
use mesi_common::asset::AssetInfo;
use mesi_common::chat_rule::CanMessageResponse;
use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgPool};
use tokio::sync::broadcast;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::{Session, SseSession};
use super::error::ErrorBody;
use super::extract::{Json, Path, Query};
use super::limits::LiveSlot;
use super::params::{page_size, Address};
use super::signals::{Signal, LIVE_POLL_INTERVAL};
use super::{ApiContext, Error};

/// Longest message, in bytes of UTF-8.
pub const MAX_MESSAGE_BYTES: usize = 2000;
/// Most messages one sender may post in [`RATE_WINDOW`], over all their threads.
pub const RATE_LIMIT: i64 = 30;
pub const RATE_WINDOW: Duration = Duration::from_secs(60);
/// Most messages an SSE feed sends in one read; it reads again at once when a read is full.
const LIVE_BATCH: i64 = 100;

pub fn router() -> OpenApiRouter<ApiContext> {
    OpenApiRouter::new()
        .routes(routes!(open_thread, list_threads))
        .routes(routes!(get_thread))
        .routes(routes!(list_messages, send_message))
        .routes(routes!(set_thread_price, clear_thread_price))
        .routes(routes!(
            get_creator_price,
            set_creator_price,
            clear_creator_price
        ))
        .routes(routes!(list_blocks))
        .routes(routes!(block_fan, unblock_fan))
        .routes(routes!(chat_events))
}

// ---------------------------------------------------------------------------------------------
// Types

/// A price of one fan message: an on-chain asset key and an amount in its smallest unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Price {
    /// `native:<denom>` or `cw20:<contract address>`.
    #[schema(example = "native:uusdc")]
    pub asset: String,
    /// A positive integer, as a string.
    #[schema(example = "1000000")]
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
        let amount: Uint128 = self.amount.parse().map_err(|_| {
            Error::invalid("invalid_amount", "amount must be an integer below 2^128")
        })?;
        if amount.is_zero() {
            return Err(Error::invalid(
                "invalid_amount",
                "amount must be greater than zero",
            ));
        }
        Ok(Price {
            asset: info.key(),
            amount: amount.to_string(),
        })
    }

    fn from_columns(asset: Option<String>, amount: Option<String>) -> Option<Price> {
        Some(Price {
            asset: asset?,
            amount: amount?,
        })
    }
}

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

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct Message {
    pub id: i64,
    pub thread_id: String,
    pub sender: String,
    pub body: String,
    /// What this message cost the fan, when the thread had a price.
    pub charged_asset: Option<String>,
    pub charged_amount: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub sent_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OpenThreadRequest {
    /// The creator of the thread.
    pub creator: String,
    /// The fan; defaults to the caller. A creator opens a thread with a fan by naming both.
    pub fan: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SendMessageRequest {
    /// 1 to 2000 bytes; no control characters but newlines and tabs.
    pub body: String,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct MessagesQuery {
    /// Only messages with a smaller id (older); for paging back.
    pub before: Option<i64>,
    /// Only messages with a larger id (newer).
    pub after: Option<i64>,
    /// 1 to 100; 20 when absent.
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MessagesPage {
    /// Newest first.
    pub messages: Vec<Message>,
    /// Pass as `before` for the next (older) page; absent on the last page.
    pub next_before: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ThreadsQuery {
    pub limit: Option<u32>,
    /// Only threads created before this one (by creation order); for paging.
    pub before: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Block {
    pub fan: String,
    #[schema(value_type = String, format = DateTime)]
    pub blocked_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct EventsQuery {
    /// Only this thread's messages.
    pub thread_id: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Threads

/// A new random id for a thread or stream: 32 hex digits, valid as a tip context id.
pub(super) fn new_context_id() -> Result<String, Error> {
    let mut bytes = [0u8; 16];
    getrandom::getrandom(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Thread ids are 32 lower-case hex digits; anything else cannot name a thread.
fn check_thread_id(thread_id: &str) -> Result<(), Error> {
    let valid = thread_id.len() == 32
        && thread_id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if valid {
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
async fn load_thread(
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
async fn open_thread(
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
        return Err(Error::invalid(
            "invalid_thread",
            "a creator cannot chat with themselves",
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
    params(ThreadsQuery), responses(
    (status = 200, body = Vec<Thread>), (status = 401, body = ErrorBody),
))]
async fn list_threads(
    State(ctx): State<ApiContext>,
    session: Session,
    Query(query): Query<ThreadsQuery>,
) -> Result<axum::Json<Vec<Thread>>, Error> {
    let limit = page_size(query.limit)?;
    if let Some(before) = &query.before {
        check_thread_id(before)?;
    }
    let rows: Vec<ThreadRow> = sqlx::query_as(&format!(
        "SELECT {THREAD_COLUMNS} FROM chat_threads t LEFT JOIN chat_prices p ON p.creator = t.creator \
         WHERE $1 IN (t.creator, t.fan) \
           AND ($2::text IS NULL OR (t.created_at, t.thread_id) < \
                (SELECT created_at, thread_id FROM chat_threads WHERE thread_id = $2)) \
         ORDER BY t.created_at DESC, t.thread_id DESC LIMIT $3"
    ))
    .bind(&session.address)
    .bind(&query.before)
    .bind(limit)
    .fetch_all(&ctx.pool)
    .await?;
    Ok(axum::Json(rows.into_iter().map(thread_from_row).collect()))
}

/// One of the caller's threads, with its price and the fan's credit.
#[utoipa::path(get, path = "/chat/threads/{thread_id}", tag = "chat", security(("bearer" = [])),
    params(("thread_id" = String, Path)), responses(
    (status = 200, body = Thread), (status = 401, body = ErrorBody),
    (status = 404, body = ErrorBody, description = "no such thread, or the caller is not in it"),
))]
async fn get_thread(
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

// ---------------------------------------------------------------------------------------------
// Messages

const MESSAGE_COLUMNS: &str =
    "id, thread_id, sender, body, charged_asset, charged_amount::text AS charged_amount, sent_at";

/// A page of a thread's messages, newest first.
#[utoipa::path(get, path = "/chat/threads/{thread_id}/messages", tag = "chat",
    security(("bearer" = [])), params(("thread_id" = String, Path), MessagesQuery), responses(
    (status = 200, body = MessagesPage), (status = 401, body = ErrorBody),
    (status = 404, body = ErrorBody),
))]
async fn list_messages(
    State(ctx): State<ApiContext>,
    session: Session,
    Path(thread_id): Path<String>,
    Query(query): Query<MessagesQuery>,
) -> Result<axum::Json<MessagesPage>, Error> {
    let limit = page_size(query.limit)?;
    let mut conn = ctx.pool.acquire().await?;
    if load_thread(&mut conn, &thread_id, &session.address)
        .await?
        .is_none()
    {
        return Err(Error::NotFound("thread".into()));
    }
    let messages: Vec<Message> = sqlx::query_as(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM chat_messages \
         WHERE thread_id = $1 AND ($2::bigint IS NULL OR id < $2) AND ($3::bigint IS NULL OR id > $3) \
         ORDER BY id DESC LIMIT $4"
    ))
    .bind(&thread_id)
    .bind(query.before)
    .bind(query.after)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    let next_before = (messages.len() as i64 == limit)
        .then(|| messages.last().map(|m| m.id))
        .flatten();
    Ok(axum::Json(MessagesPage {
        messages,
        next_before,
    }))
}

fn check_body(body: &str) -> Result<(), Error> {
    if body.trim().is_empty() || body.len() > MAX_MESSAGE_BYTES {
        return Err(Error::invalid(
            "invalid_message",
            format!("a message is 1 to {MAX_MESSAGE_BYTES} bytes and not only spaces"),
        ));
    }
    if body
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(Error::invalid(
            "invalid_message",
            "a message may not contain control characters other than newlines and tabs",
        ));
    }
    Ok(())
}

/// Counts `sender`'s rows in `table` over the window and refuses one too many. Takes a
/// transaction-scoped lock on the sender first, so concurrent posts cannot both pass.
pub(super) async fn enforce_rate_limit(
    conn: &mut PgConnection,
    scope: &str,
    sender: &str,
    recent_sql: &str,
    limit: i64,
    window: Duration,
) -> Result<(), Error> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1 || ':' || $2, 0))")
        .bind(scope)
        .bind(sender)
        .execute(&mut *conn)
        .await?;
    let (count, oldest_age): (i64, Option<f64>) = sqlx::query_as(recent_sql)
        .bind(sender)
        .bind(window.as_secs_f64())
        .fetch_one(&mut *conn)
        .await?;
    if count >= limit {
        let wait = window.as_secs_f64() - oldest_age.unwrap_or(0.0);
        return Err(Error::RateLimited {
            retry_after_secs: wait.ceil().max(1.0) as u64,
        });
    }
    Ok(())
}

/// The creator's chat rule over the indexed state, for this fan.
async fn chat_gate(
    ctx: &ApiContext,
    creator: &str,
    fan: &str,
) -> Result<CanMessageResponse, Error> {
    let answer = super::gating::can_message(&ctx.pool, &creator.parse()?, &fan.parse()?).await?;
    Ok(answer.response())
}

/// Posts a message. A fan's message must pass the rate limit, the block list, the creator's
/// chat rule and, when the thread has a price, the fan's chat credit; a creator's reply only
/// the rate limit.
#[utoipa::path(post, path = "/chat/threads/{thread_id}/messages", tag = "chat",
    security(("bearer" = [])), params(("thread_id" = String, Path)),
    request_body = SendMessageRequest, responses(
    (status = 201, body = Message),
    (status = 400, body = ErrorBody, description = "empty, too long or with control characters"),
    (status = 401, body = ErrorBody),
    (status = 402, body = ErrorBody, description = "the thread has a price and the fan's chat credit does not cover it; the message says what to tip"),
    (status = 403, body = ErrorBody, description = "blocked, or the creator's chat rule does not let the fan message; the message says what would qualify"),
    (status = 404, body = ErrorBody),
    (status = 429, body = ErrorBody, description = "rate limit; see Retry-After"),
))]
async fn send_message(
    State(ctx): State<ApiContext>,
    session: Session,
    Path(thread_id): Path<String>,
    Json(request): Json<SendMessageRequest>,
) -> Result<(StatusCode, axum::Json<Message>), Error> {
    check_body(&request.body)?;
    let thread = {
        let mut conn = ctx.pool.acquire().await?;
        load_thread(&mut conn, &thread_id, &session.address)
            .await?
            .ok_or_else(|| Error::NotFound("thread".into()))?
    };
    let from_fan = session.address == thread.fan;
    if from_fan {
        if thread.fan_blocked {
            return Err(Error::Forbidden("the creator blocked you".into()));
        }
        let gate = chat_gate(&ctx, &thread.creator, &thread.fan).await?;
        if !gate.allowed {
            let why = gate
                .hint
                .map(|hint| format!("; to qualify: {hint}"))
                .unwrap_or_default();
            return Err(Error::Forbidden(format!(
                "the creator's chat rule does not let you message ({}){why}",
                gate.decided_by
            )));
        }
    }
    let mut tx = ctx.pool.begin().await?;
    // The sender lock taken here serialises this sender's posts: the rate limit holds, and two
    // messages cannot spend the same chat credit.
    enforce_rate_limit(
        &mut tx,
        "chat",
        &session.address,
        "SELECT count(*), extract(epoch FROM now() - min(sent_at))::float8 FROM chat_messages \
         WHERE sender = $1 AND sent_at > now() - make_interval(secs => $2)",
        RATE_LIMIT,
        RATE_WINDOW,
    )
    .await?;
    let mut charge = None;
    if from_fan {
        // Read again under the lock: the price and the credit as of now.
        let thread = load_thread(&mut tx, &thread_id, &session.address)
            .await?
            .ok_or_else(|| Error::NotFound("thread".into()))?;
        if let Some(price) = &thread.price {
            let credit = thread.credit.as_deref().unwrap_or("0");
            let short: Option<String> = sqlx::query_scalar(
                "SELECT ($1::numeric - $2::numeric)::text WHERE $2::numeric < $1::numeric",
            )
            .bind(&price.amount)
            .bind(credit)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(short) = short {
                return Err(Error::PaymentRequired(format!(
                    "a message here costs {} {}; your chat credit is {credit}: tip at least {short} {} with context {}",
                    price.amount, price.asset, price.asset, thread.tip_context
                )));
            }
            charge = Some(price.clone());
        }
    }
    let message: Message = sqlx::query_as(&format!(
        "INSERT INTO chat_messages (thread_id, sender, body, charged_asset, charged_amount) \
         VALUES ($1, $2, $3, $4, $5::numeric) RETURNING {MESSAGE_COLUMNS}"
    ))
    .bind(&thread.thread_id)
    .bind(&session.address)
    .bind(&request.body)
    .bind(charge.as_ref().map(|p| &p.asset))
    .bind(charge.as_ref().map(|p| &p.amount))
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, axum::Json(message)))
}

// ---------------------------------------------------------------------------------------------
// Prices and blocks (creator only)

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
async fn set_thread_price(
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
async fn clear_thread_price(
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

pub(super) async fn require_creator(ctx: &ApiContext, session: &Session) -> Result<(), Error> {
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
async fn get_creator_price(
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
async fn set_creator_price(
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
async fn clear_creator_price(
    State(ctx): State<ApiContext>,
    session: Session,
) -> Result<StatusCode, Error> {
    sqlx::query("DELETE FROM chat_prices WHERE creator = $1")
        .bind(&session.address)
        .execute(&ctx.pool)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The fans the caller blocked, newest first (the 1000 newest).
#[utoipa::path(get, path = "/chat/blocks", tag = "chat", security(("bearer" = [])), responses(
    (status = 200, body = Vec<Block>), (status = 401, body = ErrorBody),
))]
async fn list_blocks(
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
async fn block_fan(
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
async fn unblock_fan(
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

// ---------------------------------------------------------------------------------------------
// Live

/// The id a client last saw, from `Last-Event-ID`; bad values are refused, not ignored.
pub(super) fn last_event_id(headers: &HeaderMap) -> Result<Option<String>, Error> {
    let Some(value) = headers.get("last-event-id") else {
        return Ok(None);
    };
    let text = value
        .to_str()
        .ok()
        .filter(|t| t.len() <= 64)
        .ok_or_else(|| {
            Error::invalid("invalid_last_event_id", "Last-Event-ID is not one of ours")
        })?;
    Ok(Some(text.to_owned()))
}

struct ChatFeed {
    pool: PgPool,
    address: String,
    thread_id: Option<String>,
    /// The id of the last message sent to the client.
    cursor: i64,
    signals: broadcast::Receiver<Signal>,
    /// The last read was full: read again before waiting.
    more: bool,
    _slot: LiveSlot,
}

impl ChatFeed {
    /// Waits until something may have changed for this client.
    async fn wait(&mut self) {
        if self.more {
            return;
        }
        let deadline = tokio::time::sleep(LIVE_POLL_INTERVAL);
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                _ = &mut deadline => return,
                signal = self.signals.recv() => match signal {
                    Ok(Signal::Chat { thread_id, creator, fan }) => {
                        let mine = self.address == creator || self.address == fan;
                        if mine && self.thread_id.as_deref().is_none_or(|t| t == thread_id) {
                            return;
                        }
                    }
                    Ok(Signal::Resync) | Err(broadcast::error::RecvError::Lagged(_)) => return,
                    Ok(_) => {}
                    Err(broadcast::error::RecvError::Closed) => {
                        deadline.as_mut().await;
                        return;
                    }
                },
            }
        }
    }

    async fn read(&mut self) -> Result<Vec<Message>, sqlx::Error> {
        let messages: Vec<Message> = sqlx::query_as(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM chat_messages m WHERE m.id > $1 AND {IN_FEED} \
             ORDER BY m.id LIMIT $4"
        ))
        .bind(self.cursor)
        .bind(&self.address)
        .bind(&self.thread_id)
        .bind(LIVE_BATCH)
        .fetch_all(&self.pool)
        .await?;
        self.more = messages.len() as i64 == LIVE_BATCH;
        if let Some(last) = messages.last() {
            self.cursor = last.id;
        }
        Ok(messages)
    }
}

/// Messages `m` of one client's feed: `$2` the caller, `$3` the thread, when only one.
/// Ids are in commit order within it (see migration 0210): both sides of a thread lock their
/// feeds before a message takes its id.
const IN_FEED: &str = "($3::text IS NULL OR m.thread_id = $3) \
    AND m.thread_id IN (SELECT thread_id FROM chat_threads WHERE $2 IN (creator, fan))";

/// New messages in the caller's threads as Server-Sent Events (`event: message`, `id`: the
/// message id, `data`: the message as JSON). Resumes after `Last-Event-ID`; without it, starts
/// with the next message. `EventSource` clients pass the token as `?access_token=`.
#[utoipa::path(get, path = "/chat/events", tag = "chat", security(("bearer" = [])),
    params(EventsQuery), responses(
    (status = 200, content_type = "text/event-stream", description = "a stream of message events"),
    (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
    (status = 410, body = ErrorBody, description = "replay_too_long: the resume point is further back than a live feed replays"),
    (status = 429, body = ErrorBody, description = "this client has its limit of live feeds open; see Retry-After"),
    (status = 503, body = ErrorBody, description = "busy: the server has its limit of live feeds open; see Retry-After"),
))]
async fn chat_events(
    State(ctx): State<ApiContext>,
    SseSession(session): SseSession,
    Query(query): Query<EventsQuery>,
    slot: LiveSlot,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, Error> {
    if let Some(thread_id) = &query.thread_id {
        let mut conn = ctx.pool.acquire().await?;
        if load_thread(&mut conn, thread_id, &session.address)
            .await?
            .is_none()
        {
            return Err(Error::NotFound("thread".into()));
        }
    }
    // Subscribe before reading the start, so nothing posted in between is missed.
    let signals = ctx.signals.subscribe().await;
    // Without a resume point, after the newest message of this feed: a larger id elsewhere
    // may commit before a smaller one of this feed, never within it.
    let cursor = match last_event_id(&headers)? {
        Some(id) => {
            let cursor = id.parse::<i64>().map_err(|_| {
                Error::invalid(
                    "invalid_last_event_id",
                    "Last-Event-ID must be a message id",
                )
            })?;
            let pending: i64 = sqlx::query_scalar(&format!(
                "SELECT count(*) FROM (SELECT 1 FROM chat_messages m \
                 WHERE m.id > $1 AND {IN_FEED} LIMIT $4) AS n"
            ))
            .bind(cursor)
            .bind(&session.address)
            .bind(&query.thread_id)
            .bind(ctx.limits.replay_probe())
            .fetch_one(&ctx.pool)
            .await?;
            ctx.limits.check_replay(pending)?;
            cursor
        }
        None => {
            sqlx::query_scalar(&format!(
                "SELECT coalesce(max(m.id), 0) FROM chat_messages m WHERE m.id > $1 AND {IN_FEED}"
            ))
            .bind(0_i64)
            .bind(&session.address)
            .bind(&query.thread_id)
            .fetch_one(&ctx.pool)
            .await?
        }
    };
    let feed = ChatFeed {
        pool: ctx.pool.clone(),
        address: session.address,
        thread_id: query.thread_id,
        cursor,
        signals,
        more: true,
        _slot: slot,
    };
    let events = stream::unfold(feed, |mut feed| async move {
        feed.wait().await;
        match feed.read().await {
            Ok(messages) => Some((messages, feed)),
            Err(error) => {
                // The client reconnects with Last-Event-ID and loses nothing.
                tracing::warn!(%error, "chat feed read failed; closing the stream");
                None
            }
        }
    })
    .flat_map(|messages| stream::iter(messages.into_iter().map(message_event)));
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}

fn message_event(message: Message) -> Result<Event, Infallible> {
    Ok(Event::default()
        .event("message")
        .id(message.id.to_string())
        .json_data(&message)
        .unwrap_or_else(|_| Event::default().comment("unserializable message")))
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

    #[test]
    fn message_bodies_are_bounded() {
        check_body("hi\nthere\t!").unwrap();
        check_body(&"é".repeat(MAX_MESSAGE_BYTES / 2)).unwrap();
        for bad in ["", "   \n", "bell\u{7}", &"x".repeat(MAX_MESSAGE_BYTES + 1)] {
            assert_eq!(check_body(bad).unwrap_err().code(), "invalid_message");
        }
    }

    #[test]
    fn prices_are_validated() {
        let price = |asset: &str, amount: &str| Price {
            asset: asset.into(),
            amount: amount.into(),
        };
        assert_eq!(
            price("native:uusdc", "0010").validated().unwrap(),
            price("native:uusdc", "10")
        );
        for (asset, amount) in [
            ("native:uusdc", "0"),
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
