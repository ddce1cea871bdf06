//! The feeds live: replay from the database after a resume point, then the publisher's items.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use sqlx::PgPool;
use tokio::sync::{broadcast, mpsc};
use tokio_stream::wrappers::ReceiverStream;
use tokio_stream::StreamExt;

use super::items::{count_newer, fetch_newer, newest_position};
use super::{Audience, FeedFilter, FeedItem, LiveQuery};
use crate::api::http::error::ErrorBody;
use crate::api::http::extract::{Path, Query};
use crate::api::http::limits::LiveSlot;
use crate::api::http::params::{Address, Position};
use crate::api::{ApiContext, Error};
/// Every new feed item as it is indexed (Server-Sent Events, event name `feed`, data a
/// [`FeedItem`], id its position).
#[utoipa::path(get, path = "/feed/live", tag = "feeds", params(LiveQuery,
    ("Last-Event-ID" = Option<String>, Header, description = "Resume after this item")),
    responses((status = 200, content_type = "text/event-stream", body = FeedItem),
        (status = 400, body = ErrorBody, description = "invalid_address, invalid_kind, invalid_cursor"),
        (status = 410, body = ErrorBody, description = "replay_too_long: the resume point is further back than a live feed replays"),
        (status = 429, body = ErrorBody, description = "this client has its limit of live feeds open; see Retry-After"),
        (status = 503, body = ErrorBody, description = "busy: the server has its limit of live feeds open; see Retry-After")))]
pub(super) async fn global_live(
    State(ctx): State<ApiContext>,
    slot: LiveSlot,
    headers: HeaderMap,
    Query(query): Query<LiveQuery>,
) -> Result<Sse<impl tokio_stream::Stream<Item = Result<Event, Infallible>>>, Error> {
    live(ctx, slot, Audience::Everyone, &headers, query).await
}

/// A creator's feed, live.
#[utoipa::path(get, path = "/creators/{address}/feed/live", tag = "feeds",
    params(("address" = String, Path), LiveQuery,
        ("Last-Event-ID" = Option<String>, Header, description = "Resume after this item")),
    responses((status = 200, content_type = "text/event-stream", body = FeedItem),
        (status = 400, body = ErrorBody, description = "invalid_address, invalid_kind, invalid_cursor"),
        (status = 410, body = ErrorBody, description = "replay_too_long: the resume point is further back than a live feed replays"),
        (status = 429, body = ErrorBody, description = "this client has its limit of live feeds open; see Retry-After"),
        (status = 503, body = ErrorBody, description = "busy: the server has its limit of live feeds open; see Retry-After")))]
pub(super) async fn creator_live(
    State(ctx): State<ApiContext>,
    slot: LiveSlot,
    Path(address): Path<Address>,
    headers: HeaderMap,
    Query(query): Query<LiveQuery>,
) -> Result<Sse<impl tokio_stream::Stream<Item = Result<Event, Infallible>>>, Error> {
    live(ctx, slot, Audience::Creator(address), &headers, query).await
}

/// A fan's feed, live.
#[utoipa::path(get, path = "/fans/{address}/feed/live", tag = "feeds",
    params(("address" = String, Path), LiveQuery,
        ("Last-Event-ID" = Option<String>, Header, description = "Resume after this item")),
    responses((status = 200, content_type = "text/event-stream", body = FeedItem),
        (status = 400, body = ErrorBody, description = "invalid_address, invalid_kind, invalid_cursor"),
        (status = 410, body = ErrorBody, description = "replay_too_long: the resume point is further back than a live feed replays"),
        (status = 429, body = ErrorBody, description = "this client has its limit of live feeds open; see Retry-After"),
        (status = 503, body = ErrorBody, description = "busy: the server has its limit of live feeds open; see Retry-After")))]
pub(super) async fn fan_live(
    State(ctx): State<ApiContext>,
    slot: LiveSlot,
    Path(address): Path<Address>,
    headers: HeaderMap,
    Query(query): Query<LiveQuery>,
) -> Result<Sse<impl tokio_stream::Stream<Item = Result<Event, Infallible>>>, Error> {
    live(ctx, slot, Audience::Fan(address), &headers, query).await
}

/// Items replayed per database round trip when a client resumes.
const REPLAY_BATCH: i64 = 500;

async fn live(
    ctx: ApiContext,
    slot: LiveSlot,
    audience: Audience,
    headers: &HeaderMap,
    query: LiveQuery,
) -> Result<Sse<impl tokio_stream::Stream<Item = Result<Event, Infallible>>>, Error> {
    let filter = FeedFilter::new(audience, query.kind.as_deref())?;
    let resume = match headers.get("last-event-id") {
        Some(value) => Some(
            value
                .to_str()
                .map_err(|_| Error::invalid("invalid_cursor", "Last-Event-ID is not text"))?
                .parse::<Position>()?,
        ),
        None => query.after,
    };
    // Subscribe before reading the database, so nothing published in between is missed.
    let updates = ctx.live.subscribe();
    let start = match (resume, ctx.live.published_up_to()) {
        (Some(position), _) | (None, Some(position)) => position,
        (None, None) => newest_position(&ctx.pool).await?,
    };
    if resume.is_some() {
        let pending = count_newer(&ctx.pool, &filter, start, ctx.limits.replay_probe()).await?;
        ctx.limits.check_replay(pending)?;
    }
    let (sender, receiver) = mpsc::channel::<FeedItem>(64);
    tokio::spawn(forward(ctx.pool.clone(), filter, start, updates, sender));
    // The stream holds the slot: the feed counts against the caps until the client goes.
    let stream = ReceiverStream::new(receiver).map(move |item| {
        let _slot = &slot;
        let event = Event::default()
            .event("feed")
            .id(item.id.to_string())
            .json_data(&item)
            .unwrap_or_else(|_| Event::default().comment("unserializable item"));
        Ok(event)
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

/// Sends one client its items: those after `last` from the database, then live ones. When the
/// client falls too far behind the broadcast, it catches up from the database again. Ends when
/// the client goes away.
async fn forward(
    pool: PgPool,
    filter: FeedFilter,
    mut last: Position,
    mut updates: broadcast::Receiver<Arc<FeedItem>>,
    client: mpsc::Sender<FeedItem>,
) {
    'catch_up: loop {
        loop {
            let items = match fetch_newer(&pool, &filter, last, REPLAY_BATCH).await {
                Ok(items) => items,
                Err(e) => {
                    tracing::warn!("replaying a live feed: {e}");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    if client.is_closed() {
                        return;
                    }
                    continue;
                }
            };
            let done = (items.len() as i64) < REPLAY_BATCH;
            for item in items {
                last = item.id;
                if client.send(item).await.is_err() {
                    return;
                }
            }
            if done {
                break;
            }
        }
        loop {
            let item = tokio::select! {
                received = updates.recv() => received,
                _ = client.closed() => return,
            };
            match item {
                Ok(item) if item.id > last && filter.matches(&item) => {
                    last = item.id;
                    if client.send(FeedItem::clone(&item)).await.is_err() {
                        return;
                    }
                }
                Ok(_) => {}
                Err(broadcast::error::RecvError::Lagged(_)) => continue 'catch_up,
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    }
}
