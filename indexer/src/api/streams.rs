//! Live streams: a creator starts and ends a stream session carrying an opaque playback URL
//! (video and audio travel through the platform's media server, not through us); fans post
//! live comments; tips with context `stream:<stream_id>` (indexed from the chain, on-chain and
//! fiat) show up in the stream's live feed with their messages.
//!
//! - Comments need a [`Session`], are rate-limited per author, bounded in size, accepted only
//!   while the stream is live, and, on a subscribers-only stream, only from fans with an
//!   active subscription (tier at least `min_tier`) at the latest indexed block time. The
//!   creator may always comment on their own stream.
//! - Only tips to the stream's creator count: the context is chosen by the tipper.
//! - The summary: total tipped per asset (and fiat per currency), top tippers per asset
//!   (anonymous tips count in the totals but name nobody; ties go to who reached the amount
//!   first), comment count, and peak concurrent viewers of the SSE feed. A viewer is a client
//!   address (IPv4, or an IPv6 /64; see [`super::limits`]), not a connection. Viewers are
//!   counted per API process; with several processes the peak is the largest any one saw.

use std::collections::HashMap;
use std::convert::Infallible;
use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use chrono::{DateTime, Utc};
use futures_util::stream::{self, Stream, StreamExt};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use tokio::sync::broadcast;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Session;
use super::chat::{enforce_rate_limit, last_event_id, new_context_id, require_creator};
use super::error::ErrorBody;
use super::extract::{Json, Path, Query};
use super::feeds::tip_identity;
use super::limits::{Client, LiveSlot};
use super::params::{page_size, Address, Position};
use super::signals::{Signal, LIVE_POLL_INTERVAL};
use super::state::CHAIN_TIME_SQL;
use super::{ApiContext, Error};

pub const MAX_TITLE_BYTES: usize = 200;
pub const MAX_PLAYBACK_URL_BYTES: usize = 2048;
pub const MAX_COMMENT_BYTES: usize = 500;
/// Most comments one author may post in [`COMMENT_RATE_WINDOW`], over all streams.
pub const COMMENT_RATE_LIMIT: i64 = 10;
pub const COMMENT_RATE_WINDOW: Duration = Duration::from_secs(30);
/// Top tippers listed per asset in a summary.
pub const TOP_TIPPERS: i64 = 10;
/// Most items of one kind a live feed sends per read.
const LIVE_BATCH: i64 = 100;

pub fn router() -> OpenApiRouter<ApiContext> {
    OpenApiRouter::new()
        .routes(routes!(start_stream, list_streams))
        .routes(routes!(get_stream))
        .routes(routes!(end_stream))
        .routes(routes!(list_comments, post_comment))
        .routes(routes!(stream_summary))
        .routes(routes!(stream_events))
}

/// Who watches each stream's live feed in this process, and the peak each stream reached. A
/// viewer is a client as the limits count them (an IPv4 address or an IPv6 /64), however
/// many feeds it opens: connections are cheap, addresses are not.
#[derive(Default)]
pub struct Viewers {
    watching: Mutex<HashMap<String, HashMap<Client, usize>>>,
}

impl Viewers {
    pub fn now(&self, stream_id: &str) -> usize {
        let watching = self.watching.lock().expect("viewer counts");
        watching.get(stream_id).map_or(0, HashMap::len)
    }

    /// Counts `client` as a viewer until the returned guard (and any other of the client's)
    /// drops; returns the number of viewers now.
    fn join(self: &Arc<Self>, stream_id: &str, client: Client) -> (ViewerGuard, usize) {
        let mut watching = self.watching.lock().expect("viewer counts");
        let viewers = watching.entry(stream_id.to_owned()).or_default();
        *viewers.entry(client).or_default() += 1;
        let now = viewers.len();
        let guard = ViewerGuard {
            viewers: Arc::clone(self),
            stream_id: stream_id.to_owned(),
            client,
        };
        (guard, now)
    }
}

struct ViewerGuard {
    viewers: Arc<Viewers>,
    stream_id: String,
    client: Client,
}

impl Drop for ViewerGuard {
    fn drop(&mut self) {
        let mut watching = self.viewers.watching.lock().expect("viewer counts");
        if let Some(viewers) = watching.get_mut(&self.stream_id) {
            if let Some(feeds) = viewers.get_mut(&self.client) {
                *feeds -= 1;
                if *feeds == 0 {
                    viewers.remove(&self.client);
                }
            }
            if viewers.is_empty() {
                watching.remove(&self.stream_id);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Types

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StartStreamRequest {
    /// 1 to 200 bytes.
    pub title: String,
    /// The media server's playback URL, opaque to us: 1 to 2048 bytes without spaces.
    pub playback_url: String,
    /// Only subscribers (and the creator) may comment.
    #[serde(default)]
    pub subscribers_only: bool,
    /// The lowest subscription tier that may comment on a subscribers-only stream.
    #[serde(default)]
    pub min_tier: u32,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StreamView {
    pub stream_id: String,
    pub creator: String,
    pub title: String,
    pub playback_url: String,
    pub subscribers_only: bool,
    pub min_tier: i64,
    pub live: bool,
    /// The context a tip must carry to appear in this stream.
    #[schema(example = "stream:3f1c0a9e5b7d4c2a8e6f0b1d3c5a7e9f")]
    pub tip_context: String,
    #[schema(value_type = String, format = DateTime)]
    pub started_at: DateTime<Utc>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub ended_at: Option<DateTime<Utc>>,
    pub peak_viewers: i32,
}

type StreamRow = (
    String,
    String,
    String,
    String,
    bool,
    i64,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    i32,
);

const STREAM_COLUMNS: &str = "stream_id, creator, title, playback_url, subscribers_only, \
    min_tier, started_at, ended_at, peak_viewers";

fn stream_from_row(row: StreamRow) -> StreamView {
    let (
        stream_id,
        creator,
        title,
        playback_url,
        subscribers_only,
        min_tier,
        started_at,
        ended_at,
        peak,
    ) = row;
    StreamView {
        tip_context: format!("stream:{stream_id}"),
        live: ended_at.is_none(),
        stream_id,
        creator,
        title,
        playback_url,
        subscribers_only,
        min_tier,
        started_at,
        ended_at,
        peak_viewers: peak,
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct Comment {
    pub id: i64,
    pub stream_id: String,
    pub author: String,
    pub body: String,
    #[schema(value_type = String, format = DateTime)]
    pub posted_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PostCommentRequest {
    /// 1 to 500 bytes, on one line.
    pub body: String,
}

/// A tip to the stream, on chain (`asset`, `amount`) or attested fiat (`currency`, minor units
/// in `amount`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StreamTip {
    /// Where its event sits in the chain, `<height>-<seq>`.
    #[schema(value_type = String)]
    pub position: Position,
    /// `tip` or `fiat_tip`.
    pub kind: String,
    /// Absent when the fan asked to stay anonymous.
    pub fan: Option<String>,
    /// An asset key for `tip`, an ISO 4217 code for `fiat_tip`.
    pub asset: String,
    pub amount: String,
    pub message: Option<String>,
    /// Absent when the fan asked to stay anonymous (the transaction names the fan).
    pub tx_hash: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub time: DateTime<Utc>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct StreamsQuery {
    pub creator: Option<String>,
    /// Only streams that are live now.
    pub live: Option<bool>,
    pub limit: Option<u32>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct CommentsQuery {
    /// Only comments with a smaller id (older).
    pub before: Option<i64>,
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AssetTotal {
    pub asset: String,
    pub total: String,
    pub tips: i64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TopTipper {
    pub asset: String,
    pub fan: String,
    pub total: String,
    pub tips: i64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StreamSummary {
    pub stream: StreamView,
    /// On-chain tips per asset.
    pub totals: Vec<AssetTotal>,
    /// Fiat tips per currency, in minor units.
    pub fiat_totals: Vec<AssetTotal>,
    /// Per asset, the largest named tippers; ties go to who reached the amount first.
    pub top_tippers: Vec<TopTipper>,
    pub comment_count: i64,
    pub peak_viewers: i32,
    /// Viewers of the live feed on this API process right now.
    pub viewers_now: i64,
}

// ---------------------------------------------------------------------------------------------
// Streams

fn check_text(field: &'static str, text: &str, max: usize, one_line: bool) -> Result<(), Error> {
    let bad_char = |c: char| c.is_control() && (one_line || (c != '\n' && c != '\t'));
    if text.trim().is_empty() || text.len() > max || text.chars().any(bad_char) {
        return Err(Error::invalid(
            field,
            format!("1 to {max} bytes, not only spaces, without control characters"),
        ));
    }
    Ok(())
}

fn check_playback_url(url: &str) -> Result<(), Error> {
    if url.is_empty()
        || url.len() > MAX_PLAYBACK_URL_BYTES
        || url.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(Error::invalid(
            "invalid_playback_url",
            format!("a playback URL is 1 to {MAX_PLAYBACK_URL_BYTES} bytes without spaces"),
        ));
    }
    Ok(())
}

/// Stream ids are 32 lower-case hex digits; anything else names no stream.
fn check_stream_id(stream_id: &str) -> Result<(), Error> {
    let valid = stream_id.len() == 32
        && stream_id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    valid
        .then_some(())
        .ok_or_else(|| Error::NotFound("stream".into()))
}

async fn load_stream(pool: &PgPool, stream_id: &str) -> Result<StreamView, Error> {
    check_stream_id(stream_id)?;
    let row: Option<StreamRow> = sqlx::query_as(&format!(
        "SELECT {STREAM_COLUMNS} FROM streams WHERE stream_id = $1"
    ))
    .bind(stream_id)
    .fetch_optional(pool)
    .await?;
    row.map(stream_from_row)
        .ok_or_else(|| Error::NotFound("stream".into()))
}

/// Starts a live stream for the caller, a registered creator with no other live stream.
#[utoipa::path(post, path = "/streams", tag = "streams", security(("bearer" = [])),
    request_body = StartStreamRequest, responses(
    (status = 201, body = StreamView), (status = 400, body = ErrorBody),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody, description = "the caller is not a registered creator"),
    (status = 409, body = ErrorBody, description = "the caller already has a live stream"),
))]
async fn start_stream(
    State(ctx): State<ApiContext>,
    session: Session,
    Json(request): Json<StartStreamRequest>,
) -> Result<(StatusCode, axum::Json<StreamView>), Error> {
    check_text("invalid_title", &request.title, MAX_TITLE_BYTES, true)?;
    check_playback_url(&request.playback_url)?;
    require_creator(&ctx, &session).await?;
    let row: Option<StreamRow> = sqlx::query_as(&format!(
        "INSERT INTO streams (stream_id, creator, title, playback_url, subscribers_only, min_tier) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (creator) WHERE ended_at IS NULL DO NOTHING \
         RETURNING {STREAM_COLUMNS}"
    ))
    .bind(new_context_id()?)
    .bind(&session.address)
    .bind(&request.title)
    .bind(&request.playback_url)
    .bind(request.subscribers_only)
    .bind(i64::from(request.min_tier))
    .fetch_optional(&ctx.pool)
    .await?;
    let stream = row
        .map(stream_from_row)
        .ok_or_else(|| Error::Conflict("you already have a live stream: end it first".into()))?;
    Ok((StatusCode::CREATED, axum::Json(stream)))
}

/// Ends the caller's stream. Ending an ended stream changes nothing.
#[utoipa::path(post, path = "/streams/{stream_id}/end", tag = "streams",
    security(("bearer" = [])), params(("stream_id" = String, Path)), responses(
    (status = 200, body = StreamView), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody, description = "not the caller's stream"),
    (status = 404, body = ErrorBody),
))]
async fn end_stream(
    State(ctx): State<ApiContext>,
    session: Session,
    Path(stream_id): Path<String>,
) -> Result<axum::Json<StreamView>, Error> {
    let stream = load_stream(&ctx.pool, &stream_id).await?;
    if stream.creator != session.address {
        return Err(Error::Forbidden(
            "only the stream's creator may end it".into(),
        ));
    }
    sqlx::query("UPDATE streams SET ended_at = now() WHERE stream_id = $1 AND ended_at IS NULL")
        .bind(&stream_id)
        .execute(&ctx.pool)
        .await?;
    Ok(axum::Json(load_stream(&ctx.pool, &stream_id).await?))
}

/// A stream, live or ended.
#[utoipa::path(get, path = "/streams/{stream_id}", tag = "streams",
    params(("stream_id" = String, Path)), responses(
    (status = 200, body = StreamView), (status = 404, body = ErrorBody),
))]
async fn get_stream(
    State(ctx): State<ApiContext>,
    Path(stream_id): Path<String>,
) -> Result<axum::Json<StreamView>, Error> {
    Ok(axum::Json(load_stream(&ctx.pool, &stream_id).await?))
}

/// Streams, newest first; by creator and live state.
#[utoipa::path(get, path = "/streams", tag = "streams", params(StreamsQuery), responses(
    (status = 200, body = Vec<StreamView>), (status = 400, body = ErrorBody),
))]
async fn list_streams(
    State(ctx): State<ApiContext>,
    Query(query): Query<StreamsQuery>,
) -> Result<axum::Json<Vec<StreamView>>, Error> {
    let limit = page_size(query.limit)?;
    let creator = query
        .creator
        .as_deref()
        .map(str::parse::<Address>)
        .transpose()?;
    let rows: Vec<StreamRow> = sqlx::query_as(&format!(
        "SELECT {STREAM_COLUMNS} FROM streams \
         WHERE ($1::text IS NULL OR creator = $1) AND ($2::bool IS NULL OR (ended_at IS NULL) = $2) \
         ORDER BY started_at DESC, stream_id LIMIT $3"
    ))
    .bind(creator.as_ref().map(Address::as_str))
    .bind(query.live)
    .bind(limit)
    .fetch_all(&ctx.pool)
    .await?;
    Ok(axum::Json(rows.into_iter().map(stream_from_row).collect()))
}

// ---------------------------------------------------------------------------------------------
// Comments

const COMMENT_COLUMNS: &str = "id, stream_id, author, body, posted_at";

/// A page of a stream's comments, newest first.
#[utoipa::path(get, path = "/streams/{stream_id}/comments", tag = "streams",
    params(("stream_id" = String, Path), CommentsQuery), responses(
    (status = 200, body = Vec<Comment>), (status = 404, body = ErrorBody),
))]
async fn list_comments(
    State(ctx): State<ApiContext>,
    Path(stream_id): Path<String>,
    Query(query): Query<CommentsQuery>,
) -> Result<axum::Json<Vec<Comment>>, Error> {
    let limit = page_size(query.limit)?;
    load_stream(&ctx.pool, &stream_id).await?;
    let comments: Vec<Comment> = sqlx::query_as(&format!(
        "SELECT {COMMENT_COLUMNS} FROM stream_comments \
         WHERE stream_id = $1 AND ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $3"
    ))
    .bind(&stream_id)
    .bind(query.before)
    .bind(limit)
    .fetch_all(&ctx.pool)
    .await?;
    Ok(axum::Json(comments))
}

/// Whether `fan` has an active subscription to `creator` at tier `min_tier` or higher, at the
/// latest indexed block time (nobody does before anything is indexed).
async fn is_subscriber(
    pool: &PgPool,
    creator: &str,
    fan: &str,
    min_tier: i64,
) -> Result<bool, Error> {
    Ok(sqlx::query_scalar(&format!(
        "SELECT EXISTS (SELECT 1 FROM subscriptions \
         WHERE creator = $1 AND fan = $2 AND tier >= $3 AND expires_at > {CHAIN_TIME_SQL})"
    ))
    .bind(creator)
    .bind(fan)
    .bind(min_tier)
    .fetch_one(pool)
    .await?)
}

/// Posts a live comment.
#[utoipa::path(post, path = "/streams/{stream_id}/comments", tag = "streams",
    security(("bearer" = [])), params(("stream_id" = String, Path)),
    request_body = PostCommentRequest, responses(
    (status = 201, body = Comment), (status = 400, body = ErrorBody),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody, description = "subscribers only"),
    (status = 404, body = ErrorBody),
    (status = 409, body = ErrorBody, description = "the stream has ended"),
    (status = 429, body = ErrorBody, description = "rate limit; see Retry-After"),
))]
async fn post_comment(
    State(ctx): State<ApiContext>,
    session: Session,
    Path(stream_id): Path<String>,
    Json(request): Json<PostCommentRequest>,
) -> Result<(StatusCode, axum::Json<Comment>), Error> {
    check_text("invalid_comment", &request.body, MAX_COMMENT_BYTES, true)?;
    let stream = load_stream(&ctx.pool, &stream_id).await?;
    if !stream.live {
        return Err(Error::Conflict("the stream has ended".into()));
    }
    let is_creator = session.address == stream.creator;
    if stream.subscribers_only
        && !is_creator
        && !is_subscriber(
            &ctx.pool,
            &stream.creator,
            &session.address,
            stream.min_tier,
        )
        .await?
    {
        return Err(Error::Forbidden(format!(
            "only subscribers at tier {} or higher may comment on this stream",
            stream.min_tier
        )));
    }
    let mut tx = ctx.pool.begin().await?;
    enforce_rate_limit(
        &mut tx,
        "stream_comment",
        &session.address,
        "SELECT count(*), extract(epoch FROM now() - min(posted_at))::float8 FROM stream_comments \
         WHERE author = $1 AND posted_at > now() - make_interval(secs => $2)",
        COMMENT_RATE_LIMIT,
        COMMENT_RATE_WINDOW,
    )
    .await?;
    // Re-checked under the lock: a stream that ended meanwhile takes no more comments.
    let comment: Option<Comment> = sqlx::query_as(&format!(
        "INSERT INTO stream_comments (stream_id, author, body) \
         SELECT $1, $2, $3 FROM streams WHERE stream_id = $1 AND ended_at IS NULL \
         RETURNING {COMMENT_COLUMNS}"
    ))
    .bind(&stream_id)
    .bind(&session.address)
    .bind(&request.body)
    .fetch_optional(&mut *tx)
    .await?;
    let comment = comment.ok_or_else(|| Error::Conflict("the stream has ended".into()))?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, axum::Json(comment)))
}

// ---------------------------------------------------------------------------------------------
// Summary

/// Totals, top tippers, comments and viewers of a stream.
#[utoipa::path(get, path = "/streams/{stream_id}/summary", tag = "streams",
    params(("stream_id" = String, Path)), responses(
    (status = 200, body = StreamSummary), (status = 404, body = ErrorBody),
))]
async fn stream_summary(
    State(ctx): State<ApiContext>,
    Path(stream_id): Path<String>,
) -> Result<axum::Json<StreamSummary>, Error> {
    let stream = load_stream(&ctx.pool, &stream_id).await?;
    let totals: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT asset, sum(amount)::text, count(*) FROM tips \
         WHERE context = $1 AND creator = $2 GROUP BY asset ORDER BY asset",
    )
    .bind(&stream.tip_context)
    .bind(&stream.creator)
    .fetch_all(&ctx.pool)
    .await?;
    let fiat_totals: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT currency, sum(amount_minor)::text, count(*) FROM fiat_tips \
         WHERE context = $1 AND creator = $2 GROUP BY currency ORDER BY currency",
    )
    .bind(&stream.tip_context)
    .bind(&stream.creator)
    .fetch_all(&ctx.pool)
    .await?;
    // `reached`: the position of the fan's last tip, when their total reached its amount.
    let top: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT asset, fan, total::text, tips FROM ( \
             SELECT asset, fan, sum(amount) AS total, count(*) AS tips, \
                    row_number() OVER (PARTITION BY asset \
                        ORDER BY sum(amount) DESC, max(ARRAY[height, seq::bigint]) ASC) AS rank \
             FROM tips WHERE context = $1 AND creator = $2 AND NOT anonymous \
             GROUP BY asset, fan) ranked \
         WHERE rank <= $3 ORDER BY asset, rank",
    )
    .bind(&stream.tip_context)
    .bind(&stream.creator)
    .bind(TOP_TIPPERS)
    .fetch_all(&ctx.pool)
    .await?;
    let comment_count: i64 =
        sqlx::query_scalar("SELECT count(*) FROM stream_comments WHERE stream_id = $1")
            .bind(&stream_id)
            .fetch_one(&ctx.pool)
            .await?;
    let as_totals = |rows: Vec<(String, String, i64)>| {
        rows.into_iter()
            .map(|(asset, total, tips)| AssetTotal { asset, total, tips })
            .collect()
    };
    Ok(axum::Json(StreamSummary {
        totals: as_totals(totals),
        fiat_totals: as_totals(fiat_totals),
        top_tippers: top
            .into_iter()
            .map(|(asset, fan, total, tips)| TopTipper {
                asset,
                fan,
                total,
                tips,
            })
            .collect(),
        comment_count,
        peak_viewers: stream.peak_viewers,
        viewers_now: ctx.viewers.now(&stream_id) as i64,
        stream,
    }))
}

// ---------------------------------------------------------------------------------------------
// Live feed

/// Where a stream feed client is: the last comment id and the last tip position it was sent.
/// It is every event's id (`<comment id>:<height>-<seq>`), so `Last-Event-ID` resumes both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FeedCursor {
    comment: i64,
    tip: Position,
}

impl fmt::Display for FeedCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.comment, self.tip)
    }
}

impl FromStr for FeedCursor {
    type Err = Error;

    fn from_str(text: &str) -> Result<FeedCursor, Error> {
        let invalid = || {
            Error::invalid(
                "invalid_last_event_id",
                "Last-Event-ID must be an event id of this feed",
            )
        };
        let (comment, tip) = text.split_once(':').ok_or_else(invalid)?;
        let comment_ok = !comment.is_empty()
            && comment.len() <= 18
            && comment.bytes().all(|b| b.is_ascii_digit());
        if !comment_ok {
            return Err(invalid());
        }
        Ok(FeedCursor {
            comment: comment.parse().map_err(|_| invalid())?,
            tip: tip.parse().map_err(|_| invalid())?,
        })
    }
}

enum FeedEntry {
    Comment(Comment),
    Tip(StreamTip),
    Ended,
}

struct StreamFeed {
    pool: PgPool,
    stream_id: String,
    creator: String,
    tip_context: String,
    cursor: FeedCursor,
    signals: broadcast::Receiver<Signal>,
    more: bool,
    ended: bool,
    _viewer: ViewerGuard,
    _slot: LiveSlot,
}

type TipRow = (
    i64,
    i32,
    String,
    String,
    bool,
    String,
    String,
    Option<String>,
    Option<String>,
    DateTime<Utc>,
);

impl StreamFeed {
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
                    Ok(Signal::Stream { stream_id }) if stream_id == self.stream_id => return,
                    Ok(Signal::Blocks | Signal::Resync) | Err(broadcast::error::RecvError::Lagged(_)) => return,
                    Ok(_) => {}
                    Err(broadcast::error::RecvError::Closed) => {
                        deadline.as_mut().await;
                        return;
                    }
                },
            }
        }
    }

    /// The next entries after the cursor, comments and tips each in their order; `Ended` once
    /// the stream ended and everything up to then was sent.
    async fn read(&mut self) -> Result<Vec<FeedEntry>, sqlx::Error> {
        let ended: bool =
            sqlx::query_scalar("SELECT ended_at IS NOT NULL FROM streams WHERE stream_id = $1")
                .bind(&self.stream_id)
                .fetch_one(&self.pool)
                .await?;
        let comments: Vec<Comment> = sqlx::query_as(&format!(
            "SELECT {COMMENT_COLUMNS} FROM stream_comments WHERE stream_id = $1 AND id > $2 \
             ORDER BY id LIMIT $3"
        ))
        .bind(&self.stream_id)
        .bind(self.cursor.comment)
        .bind(LIVE_BATCH)
        .fetch_all(&self.pool)
        .await?;
        let tips: Vec<TipRow> = sqlx::query_as(
            "SELECT * FROM ( \
                 SELECT height, seq, 'tip' AS kind, fan, anonymous, asset, amount::text, message, tx_hash, block_time \
                 FROM tips WHERE context = $1 AND creator = $2 AND (height, seq) > ($3, $4) \
                 UNION ALL \
                 SELECT height, seq, 'fiat_tip', fan, anonymous, currency, amount_minor::text, message, tx_hash, block_time \
                 FROM fiat_tips WHERE context = $1 AND creator = $2 AND (height, seq) > ($3, $4) \
             ) t ORDER BY height, seq LIMIT $5",
        )
        .bind(&self.tip_context)
        .bind(&self.creator)
        .bind(self.cursor.tip.height)
        .bind(self.cursor.tip.seq)
        .bind(LIVE_BATCH)
        .fetch_all(&self.pool)
        .await?;
        self.more = comments.len() as i64 == LIVE_BATCH || tips.len() as i64 == LIVE_BATCH;
        let mut entries = Vec::with_capacity(comments.len() + tips.len() + 1);
        for comment in comments {
            entries.push(FeedEntry::Comment(comment));
        }
        for (height, seq, kind, fan, anonymous, asset, amount, message, tx_hash, time) in tips {
            let (fan, tx_hash) = tip_identity(anonymous, Some(fan), tx_hash);
            entries.push(FeedEntry::Tip(StreamTip {
                position: Position { height, seq },
                kind,
                fan,
                asset,
                amount,
                message,
                tx_hash,
                time,
            }));
        }
        if ended && !self.more && !self.ended {
            self.ended = true;
            entries.push(FeedEntry::Ended);
        }
        Ok(entries)
    }

    /// Moves the cursor past `entry` and renders it.
    fn event(&mut self, entry: FeedEntry) -> Event {
        let (name, data) = match entry {
            FeedEntry::Comment(comment) => {
                self.cursor.comment = comment.id;
                ("comment", serde_json::to_string(&comment))
            }
            FeedEntry::Tip(tip) => {
                self.cursor.tip = tip.position;
                ("tip", serde_json::to_string(&tip))
            }
            FeedEntry::Ended => (
                "ended",
                Ok(format!("{{\"stream_id\":\"{}\"}}", self.stream_id)),
            ),
        };
        Event::default()
            .event(name)
            .id(self.cursor.to_string())
            .data(data.unwrap_or_else(|_| "{}".into()))
    }
}

/// The stream's live feed as Server-Sent Events: `comment`, `tip` (on-chain and fiat tips
/// with context `stream:<id>` to the stream's creator, as soon as they are indexed) and a last
/// `ended`. Each event id is the feed position; `Last-Event-ID` resumes after it. Without it
/// the feed starts with what comes next. Connected clients count as viewers.
#[utoipa::path(get, path = "/streams/{stream_id}/events", tag = "streams",
    params(("stream_id" = String, Path)), responses(
    (status = 200, content_type = "text/event-stream", description = "comment, tip and ended events"),
    (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
    (status = 410, body = ErrorBody, description = "replay_too_long: the resume point is further back than a live feed replays"),
    (status = 429, body = ErrorBody, description = "this client has its limit of live feeds open; see Retry-After"),
    (status = 503, body = ErrorBody, description = "busy: the server has its limit of live feeds open; see Retry-After"),
))]
async fn stream_events(
    State(ctx): State<ApiContext>,
    Path(stream_id): Path<String>,
    slot: LiveSlot,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, Error> {
    let stream = load_stream(&ctx.pool, &stream_id).await?;
    let resume = last_event_id(&headers)?
        .map(|id| id.parse::<FeedCursor>())
        .transpose()?;
    let signals = ctx.signals.subscribe().await;
    let cursor = match resume {
        Some(cursor) => {
            let pending: i64 = sqlx::query_scalar(
                "SELECT (SELECT count(*) FROM (SELECT 1 FROM stream_comments \
                         WHERE stream_id = $1 AND id > $3 LIMIT $6) c) \
                      + (SELECT count(*) FROM (SELECT 1 FROM tips WHERE context = $2 \
                         AND (height, seq) > ($4, $5) LIMIT $6) t) \
                      + (SELECT count(*) FROM (SELECT 1 FROM fiat_tips WHERE context = $2 \
                         AND (height, seq) > ($4, $5) LIMIT $6) f)",
            )
            .bind(&stream_id)
            .bind(&stream.tip_context)
            .bind(cursor.comment)
            .bind(cursor.tip.height)
            .bind(cursor.tip.seq)
            .bind(ctx.limits.replay_probe())
            .fetch_one(&ctx.pool)
            .await?;
            ctx.limits.check_replay(pending)?;
            cursor
        }
        None => {
            let (comment, height, seq): (i64, i64, i32) = sqlx::query_as(
                "SELECT (SELECT coalesce(max(id), 0) FROM stream_comments WHERE stream_id = $1), \
                        coalesce(t.height, 0), coalesce(t.seq, 0) \
                 FROM (SELECT 1) one LEFT JOIN LATERAL ( \
                     SELECT height, seq FROM tips WHERE context = $2 \
                     UNION ALL SELECT height, seq FROM fiat_tips WHERE context = $2 \
                     ORDER BY height DESC, seq DESC LIMIT 1) t ON true",
            )
            .bind(&stream_id)
            .bind(&stream.tip_context)
            .fetch_one(&ctx.pool)
            .await?;
            FeedCursor {
                comment,
                tip: Position { height, seq },
            }
        }
    };
    let (viewer, watching) = ctx.viewers.join(&stream_id, slot.client());
    if stream.live {
        sqlx::query(
            "UPDATE streams SET peak_viewers = $2 WHERE stream_id = $1 AND peak_viewers < $2",
        )
        .bind(&stream_id)
        .bind(i32::try_from(watching).unwrap_or(i32::MAX))
        .execute(&ctx.pool)
        .await?;
    }
    let feed = StreamFeed {
        pool: ctx.pool.clone(),
        creator: stream.creator,
        tip_context: stream.tip_context,
        stream_id,
        cursor,
        signals,
        more: true,
        ended: false,
        _viewer: viewer,
        _slot: slot,
    };
    let events = stream::unfold(feed, |mut feed| async move {
        if feed.ended {
            return None;
        }
        feed.wait().await;
        match feed.read().await {
            Ok(entries) => {
                let events: Vec<_> = entries.into_iter().map(|e| Ok(feed.event(e))).collect();
                Some((events, feed))
            }
            Err(error) => {
                tracing::warn!(%error, "stream feed read failed; closing the stream");
                None
            }
        }
    })
    .flat_map(stream::iter);
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feed_cursors_round_trip() {
        let cursor = FeedCursor {
            comment: 12,
            tip: Position {
                height: 900,
                seq: 4,
            },
        };
        assert_eq!(cursor.to_string(), "12:900-4");
        assert_eq!("12:900-4".parse::<FeedCursor>().unwrap(), cursor);
        for bad in [
            "",
            "12",
            "12:",
            ":1-2",
            "a:1-2",
            "-1:1-2",
            "1:1-2:3",
            "1:99999999999999999999-1",
        ] {
            assert!(bad.parse::<FeedCursor>().is_err(), "{bad}");
        }
    }

    #[test]
    fn viewers_are_clients_not_connections() {
        let viewers = Arc::new(Viewers::default());
        let a = Client::of([192, 0, 2, 1].into());
        let b = Client::of([192, 0, 2, 2].into());
        let (first, n) = viewers.join("s", a);
        assert_eq!(n, 1);
        // The same client again is the same viewer.
        let (again, n) = viewers.join("s", a);
        assert_eq!(n, 1);
        let (other, n) = viewers.join("s", b);
        assert_eq!(n, 2);
        drop(first);
        assert_eq!(viewers.now("s"), 2);
        drop(again);
        assert_eq!(viewers.now("s"), 1);
        drop(other);
        assert_eq!(viewers.now("s"), 0);
    }

    #[test]
    fn stream_ids_are_tip_context_ids() {
        let id = new_context_id().unwrap();
        check_stream_id(&id).unwrap();
        mesi_common::interfaces::tips::TipContext::Stream { id }
            .validate()
            .unwrap();
        assert!(check_stream_id("not-a-stream").is_err());
    }

    #[test]
    fn texts_and_urls_are_bounded() {
        check_text("t", "Friday live", MAX_TITLE_BYTES, true).unwrap();
        assert!(check_text("t", "two\nlines", MAX_TITLE_BYTES, true).is_err());
        assert!(check_text("t", " ", MAX_TITLE_BYTES, true).is_err());
        assert!(check_text("t", &"x".repeat(MAX_TITLE_BYTES + 1), MAX_TITLE_BYTES, true).is_err());
        check_playback_url("https://media.example/live/abc.m3u8").unwrap();
        assert!(check_playback_url("https://a b").is_err());
        assert!(check_playback_url("").is_err());
    }
}
