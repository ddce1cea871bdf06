//! `access`: may a viewer see a piece of content, from the indexed state.
//!
//! For a pay-per-view item (`creator` and `content_id`: content ids are per creator) the answer
//! follows the ppv contract's `HasAccess`: the creator always; a buyer forever; otherwise, while
//! the item is listed with a `free_for_tier`, a viewer whose subscription (in the subscriptions
//! contract the ppv contract is configured with) is active at that tier or higher at the indexed
//! block time. An unknown item is `404`, as the contract errors.
//!
//! For a surprise (`surprise` = token id) the content is the one the creator revealed: its
//! owner may see it once it is revealed, and so may its creator.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::http::error::ErrorBody;
use crate::api::http::extract::Query;
use crate::api::http::params::{Address, Id};
use crate::api::state::CHAIN_TIME_SQL;
use crate::api::{ApiContext, Error};

pub fn router() -> OpenApiRouter<ApiContext> {
    OpenApiRouter::new().routes(routes!(access_route))
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
    #[param(value_type = String)]
    viewer: Address,
    /// The pay-per-view item's creator: required with `content_id`, since content ids are per
    /// creator.
    #[param(value_type = Option<String>)]
    creator: Option<Address>,
    /// A pay-per-view content id of `creator` (give this or `surprise`).
    #[param(value_type = Option<String>)]
    content_id: Option<Id>,
    /// A surprise token id (give this or `content_id`).
    #[param(value_type = Option<String>)]
    surprise: Option<Id>,
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

/// May `viewer` see a pay-per-view item (`creator` and `content_id`) or a surprise's revealed
/// content (`surprise`)? For items, the same answer as the ppv contract's `HasAccess`.
#[utoipa::path(get, path = "/access", tag = "access", params(AccessQuery), responses(
    (status = 200, body = AccessAnswer),
    (status = 400, body = ErrorBody, description = "invalid_query: a malformed parameter, `content_id` without `creator`, `creator` with `surprise`, or not exactly one of `content_id` and `surprise`"),
    (status = 404, body = ErrorBody, description = "no such item or surprise"),
))]
async fn access_route(
    State(ctx): State<ApiContext>,
    Query(query): Query<AccessQuery>,
) -> Result<axum::Json<AccessAnswer>, Error> {
    let answer = match (&query.content_id, &query.surprise, &query.creator) {
        (Some(content_id), None, Some(creator)) => {
            ppv_access(&ctx.pool, &query.viewer, creator, content_id).await?
        }
        (Some(_), None, None) => {
            return Err(Error::invalid(
                "invalid_query",
                "give the item's creator with content_id: content ids are per creator",
            ))
        }
        (None, Some(token_id), None) => surprise_access(&ctx.pool, &query.viewer, token_id).await?,
        (None, Some(_), Some(_)) => {
            return Err(Error::invalid(
                "invalid_query",
                "creator goes with content_id; a surprise's token id names its creator",
            ))
        }
        _ => {
            return Err(Error::invalid(
                "invalid_query",
                "give exactly one of content_id and surprise",
            ))
        }
    };
    Ok(axum::Json(answer))
}
