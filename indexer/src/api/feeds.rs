//! Activity feeds: global, per creator and per fan, newest first, with a kind filter and keyset
//! pagination; and the same feeds live over Server-Sent Events.
//!
//! **Pages.** Items are ordered by their position in the chain, `(height, seq)`, and a page
//! continues strictly below the `before` cursor it was given. New blocks only add positions
//! above every existing one, so pages already handed out never shift or repeat while rows arrive.
//!
//! **Live.** Each SSE event's `id` is the item's position. A client that reconnects with
//! `Last-Event-ID` (browsers' `EventSource` does so by itself) or `?after=` first gets every
//! matching item after that position from the database, then live items, with no gap and no
//! duplicate. Live items come from [`live`](super::live), which hears about committed blocks
//! through PostgreSQL `NOTIFY`.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sqlx::PgPool;
use tokio::sync::{broadcast, mpsc};
use tokio_stream::wrappers::ReceiverStream;
use tokio_stream::StreamExt;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::{Path, Query};
use super::limits::LiveSlot;
use super::params::{page_size, Address, Position};
use super::{ApiContext, Error};
use crate::store::projections::feed::KINDS;

pub fn router() -> OpenApiRouter<ApiContext> {
    OpenApiRouter::new()
        .routes(routes!(global_feed))
        .routes(routes!(creator_feed))
        .routes(routes!(fan_feed))
        .routes(routes!(global_live))
        .routes(routes!(creator_live))
        .routes(routes!(fan_live))
}

/// One feed item: an event of a Mesi contract, with who it concerns.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FeedItem {
    /// The item's position `<height>-<seq>`: the cursor and the SSE event id.
    #[schema(value_type = String, example = "1200-3")]
    pub id: Position,
    /// One of: tip, fiat_tip, subscription, ppv_purchase, surprise_mint, surprise_listing,
    /// surprise_sale, surprise_transfer, surprise_unlock, surprise_reveal, surprise_forfeit,
    /// meeting_auction, meeting_auction_cancelled, meeting_auction_settled, meeting_bid, meeting.
    pub kind: String,
    pub height: i64,
    /// Block time, RFC 3339 in UTC.
    pub time: String,
    /// Absent for anonymous tips (the transaction names the fan).
    pub tx_hash: Option<String>,
    pub contract: String,
    /// The typed event, e.g. `mesi.tip.v1`.
    pub event_type: String,
    pub creator: Option<String>,
    /// The fan concerned; absent for anonymous tips.
    pub fan: Option<String>,
    /// The other fan: the seller of a sale, the sender of a transfer, an outbid bidder.
    pub counterparty: Option<String>,
    /// The event's fields as emitted (numbers as strings, assets as `native:<denom>` or
    /// `cw20:<address>`, times in nanoseconds), e.g. a tip's `amount`, `asset` and `message`.
    /// A tip's `fan_total` is left out (it counts anonymous tips); an anonymous tip shows only
    /// what was given, to whom, where, and its message.
    #[schema(value_type = Object)]
    pub data: Map<String, Value>,
}

#[derive(Serialize, ToSchema)]
pub struct FeedPage {
    pub items: Vec<FeedItem>,
    /// Pass as `before` for the next (older) page; absent on the last page.
    #[schema(value_type = Option<String>)]
    pub next_cursor: Option<Position>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Comma-separated kinds to keep, e.g. `tip,subscription`; all kinds when absent.
    kind: Option<String>,
    /// Items strictly older than this cursor (`next_cursor` of the previous page).
    #[param(value_type = Option<String>)]
    before: Option<Position>,
    /// 1 to 100 items, default 20.
    limit: Option<u32>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LiveQuery {
    /// Comma-separated kinds to keep; all kinds when absent.
    kind: Option<String>,
    /// Replay items after this position first (like the `Last-Event-ID` header, which wins).
    #[param(value_type = Option<String>)]
    after: Option<Position>,
}

/// Which items a feed holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    Everyone,
    Creator(Address),
    Fan(Address),
}

/// A feed: its audience and kinds.
#[derive(Debug, Clone)]
pub struct FeedFilter {
    pub audience: Audience,
    /// `None` keeps every kind.
    pub kinds: Option<Vec<String>>,
}

impl FeedFilter {
    fn new(audience: Audience, kinds: Option<&str>) -> Result<FeedFilter, Error> {
        let kinds = match kinds.map(str::trim).filter(|k| !k.is_empty()) {
            None => None,
            Some(list) => Some(
                list.split(',')
                    .map(|k| {
                        let k = k.trim();
                        KINDS
                            .iter()
                            .find(|known| **known == k)
                            .map(|k| k.to_string())
                            .ok_or_else(|| {
                                Error::invalid(
                                    "invalid_kind",
                                    format!(
                                        "unknown feed kind; expected some of: {}",
                                        KINDS.join(", ")
                                    ),
                                )
                            })
                    })
                    .take(KINDS.len() + 1)
                    .collect::<Result<Vec<_>, _>>()?,
            ),
        };
        Ok(FeedFilter { audience, kinds })
    }

    pub fn matches(&self, item: &FeedItem) -> bool {
        let audience = match &self.audience {
            Audience::Everyone => true,
            Audience::Creator(a) => item.creator.as_deref() == Some(a.as_str()),
            Audience::Fan(a) => {
                item.fan.as_deref() == Some(a.as_str())
                    || item.counterparty.as_deref() == Some(a.as_str())
            }
        };
        audience
            && self
                .kinds
                .as_ref()
                .is_none_or(|kinds| kinds.contains(&item.kind))
    }
}

#[derive(Clone, Copy)]
enum Direction {
    /// Newest first, strictly below a position: pages.
    Older,
    /// Oldest first, strictly above a position: replay before live items.
    Newer,
}

const ITEM_COLUMNS: &str = "f.height, f.seq, f.kind, f.creator, f.fan, f.counterparty, \
     e.contract, e.event_type, e.tx_hash, e.attributes::text, e.block_time";

type ItemRow = (
    i64,
    i32,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    String,
    Option<String>,
    String,
    DateTime<Utc>,
);

fn item_from_row(row: ItemRow) -> FeedItem {
    let (
        height,
        seq,
        kind,
        creator,
        fan,
        counterparty,
        contract,
        event_type,
        tx_hash,
        attributes,
        time,
    ) = row;
    let pairs: Vec<(String, String)> = serde_json::from_str(&attributes).unwrap_or_default();
    let tip = kind == "tip" || kind == "fiat_tip";
    let anonymous =
        tip && (fan.is_none() || pairs.iter().any(|(k, v)| k == "anonymous" && v == "true"));
    let data = pairs
        .into_iter()
        .filter(|(k, _)| !k.starts_with('_') && (!tip || tip_field_shown(k, anonymous)))
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    let (fan, tx_hash) = tip_identity(anonymous, fan, tx_hash);
    FeedItem {
        id: Position { height, seq },
        kind,
        height,
        time: time.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        tx_hash,
        contract,
        event_type,
        creator,
        fan,
        counterparty,
        data,
    }
}

/// The fields of a tip event an anonymous tip shows: what was given, to whom, where, and the
/// message; not the fan, nor anything that finds the fan's transaction (a gateway's payment
/// reference). A list of what is shown, so a field added to the event stays hidden until
/// it is named here.
const ANONYMOUS_TIP_FIELDS: &[&str] = &[
    "creator",
    "asset",
    "amount",
    "fee",
    "creator_amount",
    "payout",
    "currency",
    "amount_minor",
    "gateway",
    "context",
    "message",
    "anonymous",
];

/// Whether an answer shows field `key` of a tip event. `fan_total` never: it is the fan's
/// lifetime total, anonymous tips included, so a public tip's would tell them.
fn tip_field_shown(key: &str, anonymous: bool) -> bool {
    if anonymous {
        ANONYMOUS_TIP_FIELDS.contains(&key)
    } else {
        key != "fan_total"
    }
}

/// The fan and the transaction hash an answer shows for a tip: neither for an anonymous one,
/// whose transaction is the fan's own (or the gateway's, naming the fan).
pub fn tip_identity(
    anonymous: bool,
    fan: Option<String>,
    tx_hash: Option<String>,
) -> (Option<String>, Option<String>) {
    if anonymous {
        (None, None)
    } else {
        (fan, tx_hash)
    }
}

/// Up to `limit` items of `filter` beyond `from` in `direction`.
async fn fetch(
    pool: &PgPool,
    filter: &FeedFilter,
    from: Position,
    direction: Direction,
    limit: i64,
) -> Result<Vec<FeedItem>, sqlx::Error> {
    let (positions, order) = positions_sql(filter, direction);
    let sql = format!(
        "SELECT {ITEM_COLUMNS} FROM ({positions}) AS p \
         JOIN feed_items f ON f.height = p.height AND f.seq = p.seq \
         JOIN events e ON e.height = p.height AND e.seq = p.seq \
         ORDER BY f.height {order}, f.seq {order} LIMIT $5"
    );
    let rows: Vec<ItemRow> = bind_positions(sqlx::query_as(&sql), filter, from, limit)
        .fetch_all(pool)
        .await?;
    Ok(rows.into_iter().map(item_from_row).collect())
}

/// The positions (up to `$5` of them) of `filter`'s items beyond `($3, $4)` in `direction`,
/// and the SQL sort order of that direction. One index range per audience column; kinds
/// filter within it. `$1` the address, `$2` the kinds: see [`bind_positions`].
fn positions_sql(filter: &FeedFilter, direction: Direction) -> (String, &'static str) {
    let (beyond, order) = match direction {
        Direction::Older => ("<", "DESC"),
        Direction::Newer => (">", "ASC"),
    };
    let range = |column: &str| {
        format!(
            "SELECT height, seq FROM feed_items WHERE {column} \
               AND (height, seq) {beyond} ($3, $4) AND ($2::text[] IS NULL OR kind = ANY($2)) \
             ORDER BY height {order}, seq {order} LIMIT $5"
        )
    };
    let positions = match &filter.audience {
        Audience::Everyone => range("$1::text IS NULL"),
        Audience::Creator(_) => range("creator = $1"),
        Audience::Fan(_) => format!(
            "({}) UNION ({})",
            range("fan = $1"),
            range("counterparty = $1")
        ),
    };
    (positions, order)
}

fn bind_positions<'q, O>(
    query: sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments>,
    filter: &'q FeedFilter,
    from: Position,
    limit: i64,
) -> sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments> {
    let address = match &filter.audience {
        Audience::Everyone => None,
        Audience::Creator(a) | Audience::Fan(a) => Some(a.as_str()),
    };
    query
        .bind(address)
        .bind(filter.kinds.as_deref())
        .bind(from.height)
        .bind(from.seq)
        .bind(limit)
}

/// How many of `filter`'s items follow `after`, counting at most `limit`.
async fn count_newer(
    pool: &PgPool,
    filter: &FeedFilter,
    after: Position,
    limit: i64,
) -> Result<i64, sqlx::Error> {
    let (positions, _) = positions_sql(filter, Direction::Newer);
    let sql = format!("SELECT count(*) FROM (SELECT * FROM ({positions}) AS p LIMIT $5) AS n");
    let (count,): (i64,) = bind_positions(sqlx::query_as(&sql), filter, after, limit)
        .fetch_one(pool)
        .await?;
    Ok(count)
}

/// The newest item's position (or `0-0`), where a live feed without a resume point starts.
pub async fn newest_position(pool: &PgPool) -> Result<Position, sqlx::Error> {
    let row: Option<(i64, i32)> =
        sqlx::query_as("SELECT height, seq FROM feed_items ORDER BY height DESC, seq DESC LIMIT 1")
            .fetch_optional(pool)
            .await?;
    Ok(
        row.map_or(Position { height: 0, seq: 0 }, |(height, seq)| Position {
            height,
            seq,
        }),
    )
}

/// Items after `after`, oldest first: what the live feed publishes and replays.
pub async fn fetch_newer(
    pool: &PgPool,
    filter: &FeedFilter,
    after: Position,
    limit: i64,
) -> Result<Vec<FeedItem>, sqlx::Error> {
    fetch(pool, filter, after, Direction::Newer, limit).await
}

async fn page(ctx: &ApiContext, audience: Audience, query: PageQuery) -> Result<FeedPage, Error> {
    let filter = FeedFilter::new(audience, query.kind.as_deref())?;
    let limit = page_size(query.limit)?;
    let before = query.before.unwrap_or(Position {
        height: i64::MAX,
        seq: i32::MAX,
    });
    let items = fetch(&ctx.pool, &filter, before, Direction::Older, limit).await?;
    let next_cursor = (items.len() as i64 == limit)
        .then(|| items.last().map(|i| i.id))
        .flatten();
    Ok(FeedPage { items, next_cursor })
}

/// Every feed item, newest first.
#[utoipa::path(get, path = "/feed", tag = "feeds", params(PageQuery), responses(
    (status = 200, body = FeedPage),
    (status = 400, body = super::error::ErrorBody, description = "invalid_kind, invalid_cursor, invalid_limit, invalid_query"),
))]
async fn global_feed(
    State(ctx): State<ApiContext>,
    Query(query): Query<PageQuery>,
) -> Result<axum::Json<FeedPage>, Error> {
    Ok(axum::Json(page(&ctx, Audience::Everyone, query).await?))
}

/// What happened around a creator: tips with their messages, subscriptions, PPV sales,
/// surprise mints, sales, unlocks and reveals, meeting auctions, bids and bookings.
#[utoipa::path(get, path = "/creators/{address}/feed", tag = "feeds",
    params(("address" = String, Path, description = "The creator's address"), PageQuery),
    responses(
        (status = 200, body = FeedPage),
        (status = 400, body = super::error::ErrorBody, description = "invalid_address, invalid_kind, invalid_cursor, invalid_limit"),
    ))]
async fn creator_feed(
    State(ctx): State<ApiContext>,
    Path(address): Path<Address>,
    Query(query): Query<PageQuery>,
) -> Result<axum::Json<FeedPage>, Error> {
    Ok(axum::Json(
        page(&ctx, Audience::Creator(address), query).await?,
    ))
}

/// What a fan did or received: their (non-anonymous) tips, subscriptions, purchases,
/// surprises bought, sold, sent and received, bids (and being outbid), meetings.
#[utoipa::path(get, path = "/fans/{address}/feed", tag = "feeds",
    params(("address" = String, Path, description = "The fan's address"), PageQuery),
    responses(
        (status = 200, body = FeedPage),
        (status = 400, body = super::error::ErrorBody, description = "invalid_address, invalid_kind, invalid_cursor, invalid_limit"),
    ))]
async fn fan_feed(
    State(ctx): State<ApiContext>,
    Path(address): Path<Address>,
    Query(query): Query<PageQuery>,
) -> Result<axum::Json<FeedPage>, Error> {
    Ok(axum::Json(page(&ctx, Audience::Fan(address), query).await?))
}

/// Every new feed item as it is indexed (Server-Sent Events, event name `feed`, data a
/// [`FeedItem`], id its position).
#[utoipa::path(get, path = "/feed/live", tag = "feeds", params(LiveQuery,
    ("Last-Event-ID" = Option<String>, Header, description = "Resume after this item")),
    responses((status = 200, content_type = "text/event-stream", body = FeedItem),
        (status = 410, body = super::error::ErrorBody, description = "replay_too_long: the resume point is further back than a live feed replays"),
        (status = 429, body = super::error::ErrorBody, description = "this client has its limit of live feeds open; see Retry-After"),
        (status = 503, body = super::error::ErrorBody, description = "busy: the server has its limit of live feeds open; see Retry-After")))]
async fn global_live(
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
        (status = 410, body = super::error::ErrorBody, description = "replay_too_long: the resume point is further back than a live feed replays"),
        (status = 429, body = super::error::ErrorBody, description = "this client has its limit of live feeds open; see Retry-After"),
        (status = 503, body = super::error::ErrorBody, description = "busy: the server has its limit of live feeds open; see Retry-After")))]
async fn creator_live(
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
        (status = 410, body = super::error::ErrorBody, description = "replay_too_long: the resume point is further back than a live feed replays"),
        (status = 429, body = super::error::ErrorBody, description = "this client has its limit of live feeds open; see Retry-After"),
        (status = 503, body = super::error::ErrorBody, description = "busy: the server has its limit of live feeds open; see Retry-After")))]
async fn fan_live(
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
