//! Stream sessions: a creator starts and ends one; anyone lists and reads them.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use utoipa::{IntoParams, ToSchema};

use super::{PLAYBACK_URL, TITLE};
use crate::api::http::error::ErrorBody;
use crate::api::http::extract::{Json, Path, Query};
use crate::api::http::page::{encode_cursor, snapshot, Page, PageParams};
use crate::api::http::params::Address;
use crate::api::http::params::{is_context_id, new_context_id, whole_u32};
use crate::api::routes::auth::Session;
use crate::api::routes::chat::require_creator;
use crate::api::{ApiContext, Error};
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StartStreamRequest {
    #[schema(schema_with = title_schema)]
    pub title: String,
    /// The media server's playback URL, opaque to the indexer.
    #[schema(schema_with = playback_url_schema)]
    pub playback_url: String,
    /// Only subscribers (and the creator) may comment.
    #[serde(default)]
    pub subscribers_only: bool,
    /// The lowest subscription tier that may comment on a subscribers-only stream.
    #[serde(default, deserialize_with = "whole_u32")]
    #[schema(format = Int64, maximum = 4294967295_f64)]
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

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StreamsQuery {
    /// Only this creator's streams.
    pub creator: Option<String>,
    /// Only streams that are live now (`true`) or ended (`false`).
    pub live: Option<bool>,
}

fn title_schema() -> utoipa::openapi::schema::Object {
    TITLE.schema()
}

fn playback_url_schema() -> utoipa::openapi::schema::Object {
    PLAYBACK_URL.schema()
}

fn check_stream_id(stream_id: &str) -> Result<(), Error> {
    is_context_id(stream_id)
        .then_some(())
        .ok_or_else(|| Error::NotFound("stream".into()))
}

pub(super) async fn load_stream(pool: &PgPool, stream_id: &str) -> Result<StreamView, Error> {
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
pub(super) async fn start_stream(
    State(ctx): State<ApiContext>,
    session: Session,
    Json(request): Json<StartStreamRequest>,
) -> Result<(StatusCode, axum::Json<StreamView>), Error> {
    TITLE.check("invalid_title", "a title", &request.title)?;
    PLAYBACK_URL.check(
        "invalid_playback_url",
        "a playback URL",
        &request.playback_url,
    )?;
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
pub(super) async fn end_stream(
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
pub(super) async fn get_stream(
    State(ctx): State<ApiContext>,
    Path(stream_id): Path<String>,
) -> Result<axum::Json<StreamView>, Error> {
    Ok(axum::Json(load_stream(&ctx.pool, &stream_id).await?))
}

/// Streams, newest first; by creator and live state.
#[utoipa::path(get, path = "/streams", tag = "streams", params(StreamsQuery, PageParams),
    responses(
    (status = 200, body = Page<StreamView>),
    (status = 400, body = ErrorBody, description = "invalid_address, invalid_cursor, invalid_limit"),
))]
pub(super) async fn list_streams(
    State(ctx): State<ApiContext>,
    Query(query): Query<StreamsQuery>,
    Query(params): Query<PageParams>,
) -> Result<axum::Json<Page<StreamView>>, Error> {
    let request = params.checked::<(DateTime<Utc>, String)>()?;
    let (started_before, id_after) = request.after.clone().unzip();
    let creator = query
        .creator
        .as_deref()
        .map(str::parse::<Address>)
        .transpose()?;
    let (mut tx, height) = snapshot(&ctx.pool).await?;
    let rows: Vec<StreamRow> = sqlx::query_as(&format!(
        "SELECT {STREAM_COLUMNS} FROM streams \
         WHERE ($1::text IS NULL OR creator = $1) AND ($2::bool IS NULL OR (ended_at IS NULL) = $2) \
           AND ($3::timestamptz IS NULL OR started_at < $3 OR (started_at = $3 AND stream_id > $4)) \
         ORDER BY started_at DESC, stream_id LIMIT $5"
    ))
    .bind(creator.as_ref().map(Address::as_str))
    .bind(query.live)
    .bind(started_before)
    .bind(id_after)
    .bind(request.fetch)
    .fetch_all(&mut *tx)
    .await?;
    Ok(axum::Json(request.page(
        rows,
        height,
        |row| encode_cursor(&(row.6, &row.0)),
        stream_from_row,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_ids_are_tip_context_ids() {
        let id = new_context_id().unwrap();
        check_stream_id(&id).unwrap();
        mesi_common::interfaces::tips::TipContext::Stream { id }
            .validate()
            .unwrap();
        assert!(check_stream_id("not-a-stream").is_err());
    }
}
