//! A stream's live feed over Server-Sent Events: comments, tips and its end.

use std::convert::Infallible;
use std::fmt;
use std::str::FromStr;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use chrono::{DateTime, Utc};
use futures_util::stream::{self, Stream, StreamExt};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use tokio::sync::broadcast;
use utoipa::ToSchema;

use super::comments::{Comment, COMMENT_COLUMNS};
use super::sessions::load_stream;
use super::viewers::ViewerGuard;
use crate::api::http::error::ErrorBody;
use crate::api::http::extract::Path;
use crate::api::http::limits::LiveSlot;
use crate::api::http::params::Position;
use crate::api::routes::chat::last_event_id;
use crate::api::routes::feeds::tip_identity;
use crate::api::signals::{Signal, LIVE_POLL_INTERVAL};
use crate::api::{ApiContext, Error};
/// Most items of one kind a live feed sends per read.
const LIVE_BATCH: i64 = 100;

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
pub(super) async fn stream_events(
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
}
