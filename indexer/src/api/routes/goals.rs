//! Tip goals: a creator sets a target in one asset ("200 USDC for a new mic"), optionally for
//! one context (a stream) and until a time; anyone reads each goal with its progress, the sum
//! of tips in that asset from the goal's start (the indexed block time when it was set). Goals
//! are off-chain: setting and removing one needs the creator's wallet session.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use mesi_common::interfaces::tips::{TipContext, TIP_CONTEXT_PATTERN};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Session;
use super::leaderboards::checked_asset;
use crate::api::http::error::ErrorBody;
use crate::api::http::extract::{Json, Path, Query};
use crate::api::http::page::{encode_cursor, snapshot, Page, PageParams};
use crate::api::http::params::{amount_schema, parse_amount, rfc3339, Address};
use crate::api::http::text::TextRule;
use crate::api::state::CHAIN_TIME_SQL;
use crate::api::{ApiContext, Error};

/// A goal's title.
pub const TITLE: TextRule = TextRule::line(120);

fn title_schema() -> utoipa::openapi::schema::Object {
    TITLE.schema()
}

fn context_schema() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            utoipa::openapi::schema::Type::String,
            utoipa::openapi::schema::Type::Null,
        ]))
        .pattern(Some(TIP_CONTEXT_PATTERN))
        .description(Some(
            "Count only tips with this context: `profile`, `stream:<id>` or `chat:<id>`; all \
             tips when absent.",
        ))
        .build()
}
/// Most goals one creator keeps.
pub const MAX_GOALS_PER_CREATOR: i64 = 20;

pub fn router() -> OpenApiRouter<ApiContext> {
    OpenApiRouter::new()
        .routes(routes!(list_goals, create_goal))
        .routes(routes!(delete_goal))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGoal {
    #[schema(schema_with = title_schema)]
    pub title: String,
    /// `native:<denom>` or `cw20:<address>`.
    pub asset: String,
    /// The amount to reach.
    #[schema(schema_with = amount_schema)]
    pub target: String,
    #[schema(schema_with = context_schema)]
    pub context: Option<String>,
    /// Stop counting at this time (RFC 3339).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub ends_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Goal {
    pub id: i64,
    pub creator: String,
    pub title: String,
    pub asset: String,
    pub target: String,
    pub context: Option<String>,
    #[schema(format = DateTime)]
    pub starts_at: String,
    #[schema(format = DateTime)]
    pub ends_at: Option<String>,
    /// Tipped so far toward the goal.
    pub raised: String,
    /// Whole percent of the target raised, at most 100.
    pub percent: u32,
    pub reached: bool,
}

type GoalRow = (
    i64,
    String,
    String,
    String,
    String,
    Option<String>,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    String,
);

/// The creator's goals in id order: the one `id`, or those after `after`, at most `limit`.
async fn goals_of(
    conn: &mut sqlx::PgConnection,
    creator: &Address,
    id: Option<i64>,
    after: Option<i64>,
    limit: i64,
) -> Result<Vec<Goal>, Error> {
    let rows: Vec<GoalRow> = sqlx::query_as(
        "SELECT g.id, g.creator, g.title, g.asset, g.target::text, g.context, g.starts_at, g.ends_at, \
                coalesce((SELECT sum(t.amount) FROM tips t \
                          WHERE t.creator = g.creator AND t.asset = g.asset AND t.block_time >= g.starts_at \
                            AND (g.ends_at IS NULL OR t.block_time < g.ends_at) \
                            AND (g.context IS NULL OR t.context = g.context)), 0)::text \
         FROM tip_goals g WHERE g.creator = $1 AND ($2::bigint IS NULL OR g.id = $2) \
           AND ($3::bigint IS NULL OR g.id > $3) ORDER BY g.id LIMIT $4",
    )
    .bind(creator.as_str())
    .bind(id)
    .bind(after)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, creator, title, asset, target, context, starts_at, ends_at, raised)| {
                let (t, r) = (
                    target.parse::<f64>().unwrap_or(f64::MAX),
                    raised.parse::<f64>().unwrap_or(0.0),
                );
                let reached = compare_decimal(&raised, &target) != std::cmp::Ordering::Less;
                Goal {
                    id,
                    creator,
                    title,
                    asset,
                    context,
                    starts_at: rfc3339(&starts_at),
                    ends_at: ends_at.as_ref().map(rfc3339),
                    percent: if reached {
                        100
                    } else {
                        ((r / t) * 100.0).floor().clamp(0.0, 99.0) as u32
                    },
                    reached,
                    target,
                    raised,
                }
            },
        )
        .collect())
}

/// Compares two non-negative integers written in decimal.
fn compare_decimal(a: &str, b: &str) -> std::cmp::Ordering {
    let (a, b) = (a.trim_start_matches('0'), b.trim_start_matches('0'));
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// A creator's tip goals with their progress.
#[utoipa::path(get, path = "/creators/{address}/goals", tag = "goals",
    params(("address" = String, Path), PageParams),
    responses((status = 200, body = Page<Goal>),
        (status = 400, body = ErrorBody, description = "invalid_address, invalid_cursor, invalid_limit")))]
async fn list_goals(
    State(ctx): State<ApiContext>,
    Path(creator): Path<Address>,
    Query(params): Query<PageParams>,
) -> Result<axum::Json<Page<Goal>>, Error> {
    let request = params.checked::<i64>()?;
    let (mut tx, height) = snapshot(&ctx.pool).await?;
    let goals = goals_of(&mut tx, &creator, None, request.after, request.fetch).await?;
    Ok(axum::Json(request.page(
        goals,
        height,
        |goal| encode_cursor(&goal.id),
        |goal| goal,
    )))
}

fn own(session: &Session, creator: &Address) -> Result<(), Error> {
    if session.address == creator.as_str() {
        Ok(())
    } else {
        Err(Error::Forbidden(
            "only the creator can change their goals".into(),
        ))
    }
}

/// Sets a new tip goal (the session must be the creator's). Tips count from the latest indexed
/// block time on.
#[utoipa::path(post, path = "/creators/{address}/goals", tag = "goals",
    params(("address" = String, Path)), request_body = NewGoal, security(("bearer" = [])),
    responses(
        (status = 201, body = Goal),
        (status = 400, body = ErrorBody, description = "invalid_goal, invalid_asset, invalid_body"),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "too many goals"),
    ))]
async fn create_goal(
    State(ctx): State<ApiContext>,
    session: Session,
    Path(creator): Path<Address>,
    Json(goal): Json<NewGoal>,
) -> Result<(StatusCode, axum::Json<Goal>), Error> {
    own(&session, &creator)?;
    TITLE.check("invalid_goal", "a title", &goal.title)?;
    let title = goal.title.trim();
    checked_asset(&goal.asset)?;
    let target = parse_amount(&goal.target).ok_or_else(|| {
        Error::invalid(
            "invalid_goal",
            "target is a whole number above zero and below 2^128, in the asset's smallest unit \
             (decimal digits without leading zeros)",
        )
    })?;
    if let Some(context) = &goal.context {
        let parsed: TipContext = context
            .parse()
            .map_err(|e: String| Error::invalid("invalid_goal", e))?;
        parsed
            .validate()
            .map_err(|e| Error::invalid("invalid_goal", e))?;
    }
    let mut tx = ctx.pool.begin().await?;
    // One writer per creator at a time, so the cap holds under concurrent requests.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('tip_goals:' || $1))")
        .bind(creator.as_str())
        .execute(&mut *tx)
        .await?;
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM tip_goals WHERE creator = $1")
        .bind(creator.as_str())
        .fetch_one(&mut *tx)
        .await?;
    if count >= MAX_GOALS_PER_CREATOR {
        return Err(Error::Conflict(format!(
            "a creator keeps at most {MAX_GOALS_PER_CREATOR} goals; delete one first"
        )));
    }
    let id: i64 = sqlx::query_scalar(&format!(
        "INSERT INTO tip_goals (creator, title, asset, target, context, starts_at, ends_at) \
         VALUES ($1, $2, $3, $4::numeric, $5, coalesce({CHAIN_TIME_SQL}, now()), $6) RETURNING id"
    ))
    .bind(creator.as_str())
    .bind(title)
    .bind(&goal.asset)
    .bind(target.to_string())
    .bind(goal.context.as_deref())
    .bind(goal.ends_at)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    let mut conn = ctx.pool.acquire().await?;
    let goal = goals_of(&mut conn, &creator, Some(id), None, 1)
        .await?
        .pop()
        .ok_or_else(|| anyhow::anyhow!("goal {id} vanished"))?;
    Ok((StatusCode::CREATED, axum::Json(goal)))
}

/// Removes a goal (the session must be the creator's).
#[utoipa::path(delete, path = "/creators/{address}/goals/{id}", tag = "goals",
    params(("address" = String, Path), ("id" = i64, Path)), security(("bearer" = [])),
    responses(
        (status = 204),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ))]
async fn delete_goal(
    State(ctx): State<ApiContext>,
    session: Session,
    Path((creator, id)): Path<(Address, i64)>,
) -> Result<StatusCode, Error> {
    own(&session, &creator)?;
    let deleted = sqlx::query("DELETE FROM tip_goals WHERE creator = $1 AND id = $2")
        .bind(creator.as_str())
        .bind(id)
        .execute(&ctx.pool)
        .await?
        .rows_affected();
    if deleted == 0 {
        return Err(Error::NotFound(format!("goal {id}")));
    }
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mesi_common::interfaces::tips::{MAX_CONTEXT_ID_LEN, TIP_CONTEXT_ID_PATTERN};

    #[test]
    fn the_context_pattern_accepts_what_tip_contexts_accept() {
        let pattern = regex::Regex::new(TIP_CONTEXT_PATTERN).unwrap();
        let longest = "a".repeat(MAX_CONTEXT_ID_LEN);
        let too_long = "a".repeat(MAX_CONTEXT_ID_LEN + 1);
        for sample in [
            "profile".to_string(),
            "Profile".into(),
            "stream:".into(),
            "stream:3f1c.a_b-9".into(),
            format!("stream:{longest}"),
            format!("chat:{too_long}"),
            "chat:a b".into(),
            "chat:é".into(),
            "tip:x".into(),
            "profile:x".into(),
            "stream:a:b".into(),
        ] {
            let accepted = sample
                .parse::<TipContext>()
                .is_ok_and(|c| c.validate().is_ok());
            assert_eq!(accepted, pattern.is_match(&sample), "{sample}");
        }
        let id_pattern = regex::Regex::new(TIP_CONTEXT_ID_PATTERN).unwrap();
        for id in ["", "3f1c.a_b-9", &longest, &too_long, "a b", "é", "a:b"] {
            let accepted = TipContext::Stream { id: id.into() }.validate().is_ok();
            assert_eq!(accepted, id_pattern.is_match(id), "{id}");
        }
    }
}
