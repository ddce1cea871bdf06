//! Messages: paging a thread's history and posting, past the rate limit, the block list, the
//! creator's chat rule and the price.

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use mesi_common::chat_rule::CanMessageResponse;
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::{IntoParams, ToSchema};

use super::threads::load_thread;
use super::{MESSAGE_BODY, RATE_LIMIT, RATE_WINDOW};
use crate::api::http::error::{ErrorBody, Refusal};
use crate::api::http::extract::{Json, Path, Query};
use crate::api::http::page::{invalid_cursor, snapshot, Page, PageParams};
use crate::api::routes::auth::Session;
use crate::api::{ApiContext, Error};
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
pub struct SendMessageRequest {
    #[schema(schema_with = body_schema)]
    pub body: String,
}

fn body_schema() -> utoipa::openapi::schema::Object {
    MESSAGE_BODY.schema()
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MessagesQuery {
    /// Only messages with a larger id (newer than one already shown).
    pub after: Option<i64>,
}

pub(super) const MESSAGE_COLUMNS: &str =
    "id, thread_id, sender, body, charged_asset, charged_amount::text AS charged_amount, sent_at";

/// A page of a thread's messages, newest first.
#[utoipa::path(get, path = "/chat/threads/{thread_id}/messages", tag = "chat",
    security(("bearer" = [])), params(("thread_id" = String, Path), MessagesQuery, PageParams),
    responses(
    (status = 200, body = Page<Message>),
    (status = 400, body = ErrorBody, description = "invalid_cursor, invalid_limit, invalid_query"),
    (status = 401, body = ErrorBody),
    (status = 404, body = ErrorBody),
))]
pub(super) async fn list_messages(
    State(ctx): State<ApiContext>,
    session: Session,
    Path(thread_id): Path<String>,
    Query(query): Query<MessagesQuery>,
    Query(params): Query<PageParams>,
) -> Result<axum::Json<Page<Message>>, Error> {
    // A cursor is the id of the last message handed out.
    let request = params.checked_with(|text| text.parse::<i64>().map_err(|_| invalid_cursor()))?;
    let (mut tx, height) = snapshot(&ctx.pool).await?;
    if load_thread(&mut tx, &thread_id, &session.address)
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
    .bind(request.after)
    .bind(query.after)
    .bind(request.fetch)
    .fetch_all(&mut *tx)
    .await?;
    Ok(axum::Json(request.page(
        messages,
        height,
        |message| message.id.to_string(),
        |message| message,
    )))
}

fn check_body(body: &str) -> Result<(), Error> {
    MESSAGE_BODY.check("invalid_message", "a message", body)
}

/// Counts `sender`'s rows in `table` over the window and refuses one too many. Takes a
/// transaction-scoped lock on the sender first, so concurrent posts cannot both pass.
pub(in crate::api) async fn enforce_rate_limit(
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
    let answer =
        crate::api::routes::gating::can_message(&ctx.pool, &creator.parse()?, &fan.parse()?)
            .await?;
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
    (status = 403, body = ErrorBody, description = "`forbidden`: blocked; `not_qualified`: the creator's chat rule does not let the fan message, and `refusal` says which rule and what would qualify"),
    (status = 404, body = ErrorBody),
    (status = 429, body = ErrorBody, description = "rate limit; see Retry-After"),
))]
pub(super) async fn send_message(
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
                .as_ref()
                .map(|hint| format!("; to qualify: {hint}"))
                .unwrap_or_default();
            return Err(Error::Refused {
                message: format!(
                    "the creator's chat rule does not let you message ({}){why}",
                    gate.decided_by
                ),
                refusal: Box::new(Refusal {
                    decided_by: gate.decided_by,
                    qualify: gate.qualify,
                    hint: gate.hint,
                }),
            });
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_bodies_are_bounded() {
        check_body("hi\nthere\t!").unwrap();
        check_body(&"é".repeat(MESSAGE_BODY.max_chars)).unwrap();
        for bad in [
            "",
            "   \n",
            "bell\u{7}",
            &"x".repeat(MESSAGE_BODY.max_chars + 1),
        ] {
            assert_eq!(check_body(bad).unwrap_err().code(), "invalid_message");
        }
    }
}
