//! `access`: may a viewer see a piece of content, from the indexed state.
//!
//! For a pay-per-view item (`GET /creators/{address}/ppv/{content_id}/access`: content ids are
//! per creator) the answer follows the ppv contract's `HasAccess`: the creator always; a buyer forever; otherwise, while
//! the item is listed with a `free_for_tier`, a viewer whose subscription (in the subscriptions
//! contract the ppv contract is configured with) is active at that tier or higher at the indexed
//! block time. An unknown item is `404`, as the contract errors.
//!
//! For a surprise (`GET /surprises/{token_id}/access`) the content is the one the creator
//! revealed: its owner may see it once it is revealed, and so may its creator.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::http::error::ErrorBody;
use crate::api::http::extract::{Path, Query};
use crate::api::http::params::{Address, Id};
use crate::api::state::CHAIN_TIME_SQL;
use crate::api::{ApiContext, Error};

pub fn router() -> OpenApiRouter<ApiContext> {
    OpenApiRouter::new()
        .routes(routes!(ppv_access_route))
        .routes(routes!(surprise_access_route))
}

/// Why a viewer may (or may not) see the content; the ppv contract's `AccessReason` as JSON,
/// plus `revealed_surprise`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccessReason {
    /// The viewer bought it (access lasts forever).
    Purchased,
    /// The viewer's active subscription tier, at least the item's `free_for_tier`.
    SubscriptionTier {
        tier: u32,
    },
    /// The viewer is the content's creator.
    Creator,
    /// The viewer owns the surprise, and its creator revealed it.
    RevealedSurprise,
    None,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AccessAnswer {
    pub allowed: bool,
    pub reason: AccessReason,
    /// The indexed height the answer holds at.
    pub height: Option<i64>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccessQuery {
    /// Who wants to see the content.
    #[param(value_type = String)]
    viewer: Address,
}

type PpvRow = (String, bool, Option<i64>, bool, Option<i64>, Option<i64>);

/// The ppv contract's `HasAccess { viewer, creator, content_id }` from the indexed state.
pub async fn ppv_access(
    pool: &PgPool,
    viewer: &Address,
    creator: &Address,
    content_id: &Id,
) -> Result<AccessAnswer, Error> {
    // $1 viewer, $2 creator, $3 content id.
    let sql = format!(
        "WITH item AS ( \
             SELECT i.contract, i.creator, i.listed, i.free_for_tier, \
                    c.config->>'subscriptions' AS subscriptions \
             FROM ppv_items i LEFT JOIN contract_configs c ON c.contract = i.contract \
             WHERE i.creator = $2 AND i.content_id = $3 ORDER BY i.contract LIMIT 1) \
         SELECT item.creator, \
             EXISTS (SELECT 1 FROM ppv_purchases p \
               WHERE p.contract = item.contract AND p.buyer = $1 AND p.creator = $2 \
                 AND p.content_id = $3), \
             item.free_for_tier, item.listed, \
             (SELECT s.tier FROM subscriptions s \
               WHERE s.contract = item.subscriptions AND s.creator = item.creator AND s.fan = $1 \
                 AND s.expires_at > {CHAIN_TIME_SQL}), \
             (SELECT height FROM ingest_cursor) \
         FROM item"
    );
    let row: Option<PpvRow> = sqlx::query_as(&sql)
        .bind(viewer.as_str())
        .bind(creator.as_str())
        .bind(content_id.as_str())
        .fetch_optional(pool)
        .await?;
    let (creator, purchased, free_for_tier, listed, tier, height) = row.ok_or_else(|| {
        Error::NotFound(format!(
            "content {} of creator {}",
            content_id.as_str(),
            creator.as_str()
        ))
    })?;
    let reason = if viewer.as_str() == creator {
        AccessReason::Creator
    } else if purchased {
        AccessReason::Purchased
    } else {
        match (free_for_tier.filter(|_| listed), tier) {
            (Some(min_tier), Some(tier)) if tier >= min_tier => AccessReason::SubscriptionTier {
                tier: u32::try_from(tier).unwrap_or(u32::MAX),
            },
            _ => AccessReason::None,
        }
    };
    Ok(AccessAnswer {
        allowed: reason != AccessReason::None,
        reason,
        height,
    })
}

/// Whether `viewer` may see a surprise's revealed content.
pub async fn surprise_access(
    pool: &PgPool,
    viewer: &Address,
    token_id: &Id,
) -> Result<AccessAnswer, Error> {
    let row: Option<(String, String, String, Option<i64>)> = sqlx::query_as(
        "SELECT creator, owner, state, (SELECT height FROM ingest_cursor) FROM surprises \
         WHERE token_id = $1 ORDER BY contract LIMIT 1",
    )
    .bind(token_id.as_str())
    .fetch_optional(pool)
    .await?;
    let (creator, owner, state, height) =
        row.ok_or_else(|| Error::NotFound(format!("surprise {}", token_id.as_str())))?;
    let reason = if viewer.as_str() == creator {
        AccessReason::Creator
    } else if viewer.as_str() == owner && state == "revealed" {
        AccessReason::RevealedSurprise
    } else {
        AccessReason::None
    };
    Ok(AccessAnswer {
        allowed: reason != AccessReason::None,
        reason,
        height,
    })
}

/// May `viewer` see this creator's pay-per-view item? The same answer as the ppv contract's
/// `HasAccess`.
#[utoipa::path(get, path = "/creators/{address}/ppv/{content_id}/access", tag = "access",
    params(
        ("address" = String, Path, description = "The item's creator"),
        ("content_id" = String, Path, description = "The item's content id"),
        AccessQuery,
    ),
    responses(
        (status = 200, body = AccessAnswer),
        (status = 404, body = ErrorBody, description = "no such item"),
    ))]
async fn ppv_access_route(
    State(ctx): State<ApiContext>,
    Path((creator, content_id)): Path<(Address, Id)>,
    Query(query): Query<AccessQuery>,
) -> Result<axum::Json<AccessAnswer>, Error> {
    Ok(axum::Json(
        ppv_access(&ctx.pool, &query.viewer, &creator, &content_id).await?,
    ))
}

/// May `viewer` see the content a surprise's creator revealed?
#[utoipa::path(get, path = "/surprises/{token_id}/access", tag = "access",
    params(("token_id" = String, Path, description = "The surprise's token id"), AccessQuery),
    responses(
        (status = 200, body = AccessAnswer),
        (status = 404, body = ErrorBody, description = "no such surprise"),
    ))]
async fn surprise_access_route(
    State(ctx): State<ApiContext>,
    Path(token_id): Path<Id>,
    Query(query): Query<AccessQuery>,
) -> Result<axum::Json<AccessAnswer>, Error> {
    Ok(axum::Json(
        surprise_access(&ctx.pool, &query.viewer, &token_id).await?,
    ))
}
