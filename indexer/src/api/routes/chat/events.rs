//! The live feed of the caller's messages over Server-Sent Events.

use std::convert::Infallible;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream, StreamExt};
use serde::Deserialize;
use sqlx::PgPool;
use tokio::sync::broadcast;
use utoipa::IntoParams;

use super::messages::{Message, MESSAGE_COLUMNS};
use super::threads::load_thread;
use crate::api::http::error::ErrorBody;
use crate::api::http::extract::Query;
use crate::api::http::limits::LiveSlot;
use crate::api::routes::auth::SseSession;
use crate::api::signals::{Signal, LIVE_POLL_INTERVAL};
use crate::api::{ApiContext, Error};
/// Most messages an SSE feed sends in one read; it reads again at once when a read is full.
const LIVE_BATCH: i64 = 100;

#[derive(Debug, Deserialize, IntoParams)]
pub struct EventsQuery {
    /// Only this thread's messages.
    pub thread_id: Option<String>,
}

/// The id a client last saw, from `Last-Event-ID`; bad values are refused, not ignored.
pub(in crate::api) fn last_event_id(headers: &HeaderMap) -> Result<Option<String>, Error> {
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
pub(super) async fn chat_events(
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
