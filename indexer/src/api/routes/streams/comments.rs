//! Live comments: paged history and posting (rate-limited, live streams only, subscribers
//! only when the stream says so).

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use utoipa::ToSchema;

use super::sessions::load_stream;
use super::{COMMENT, COMMENT_RATE_LIMIT, COMMENT_RATE_WINDOW};
use mesi_common::chat_rule::Qualification;

use crate::api::http::error::{ErrorBody, Refusal};
use crate::api::http::extract::{Json, Path, Query};
use crate::api::http::page::{invalid_cursor, snapshot, Page, PageParams};
use crate::api::routes::auth::Session;
use crate::api::routes::chat::enforce_rate_limit;
use crate::api::state::CHAIN_TIME_SQL;
use crate::api::{ApiContext, Error};
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
    #[schema(schema_with = comment_schema)]
    pub body: String,
}

fn comment_schema() -> utoipa::openapi::schema::Object {
    COMMENT.schema()
}

pub(super) const COMMENT_COLUMNS: &str = "id, stream_id, author, body, posted_at";

/// A page of a stream's comments, newest first.
#[utoipa::path(get, path = "/streams/{stream_id}/comments", tag = "streams",
    params(("stream_id" = String, Path), PageParams), responses(
    (status = 200, body = Page<Comment>),
    (status = 400, body = ErrorBody, description = "invalid_cursor, invalid_limit"),
    (status = 404, body = ErrorBody),
))]
pub(super) async fn list_comments(
    State(ctx): State<ApiContext>,
    Path(stream_id): Path<String>,
    Query(params): Query<PageParams>,
) -> Result<axum::Json<Page<Comment>>, Error> {
    // A cursor is the id of the last comment handed out.
    let request = params.checked_with(|text| text.parse::<i64>().map_err(|_| invalid_cursor()))?;
    load_stream(&ctx.pool, &stream_id).await?;
    let (mut tx, height) = snapshot(&ctx.pool).await?;
    let comments: Vec<Comment> = sqlx::query_as(&format!(
        "SELECT {COMMENT_COLUMNS} FROM stream_comments \
         WHERE stream_id = $1 AND ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $3"
    ))
    .bind(&stream_id)
    .bind(request.after)
    .bind(request.fetch)
    .fetch_all(&mut *tx)
    .await?;
    Ok(axum::Json(request.page(
        comments,
        height,
        |comment| comment.id.to_string(),
        |comment| comment,
    )))
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
    (status = 403, body = ErrorBody, description = "`not_qualified`: the stream is for subscribers; `refusal` says what would qualify"),
    (status = 404, body = ErrorBody),
    (status = 409, body = ErrorBody, description = "the stream has ended"),
    (status = 429, body = ErrorBody, description = "rate limit; see Retry-After"),
))]
pub(super) async fn post_comment(
    State(ctx): State<ApiContext>,
    session: Session,
    Path(stream_id): Path<String>,
    Json(request): Json<PostCommentRequest>,
) -> Result<(StatusCode, axum::Json<Comment>), Error> {
    COMMENT.check("invalid_comment", "a comment", &request.body)?;
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
        let qualify = Qualification::Subscribe {
            min_tier: u32::try_from(stream.min_tier).unwrap_or(u32::MAX),
        };
        return Err(Error::Refused {
            message: format!(
                "only subscribers at tier {} or higher may comment on this stream",
                stream.min_tier
            ),
            refusal: Box::new(Refusal {
                decided_by: "subscribers_only".into(),
                hint: Some(qualify.to_string()),
                qualify: Some(qualify),
            }),
        });
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
