//! Subscriptions as a creator page and a fan's page show them: a creator's tiers with their
//! terms and how many fans hold each, and a fan's subscriptions with their renewal terms.
//! "Active" is measured at the latest indexed block time, as the contract measures it.

use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use sqlx::FromRow;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::http::error::ErrorBody;
use crate::api::http::extract::{Path, Query};
use crate::api::http::page::{encode_cursor, snapshot, Page, PageParams};
use crate::api::http::params::{rfc3339, Address};
use crate::api::state::CHAIN_TIME_SQL;
use crate::api::{ApiContext, Error};

pub fn router() -> OpenApiRouter<ApiContext> {
    OpenApiRouter::new()
        .routes(routes!(creator_tiers))
        .routes(routes!(fan_subscriptions))
}

/// A subscription tier and how many fans hold it now.
#[derive(Debug, Serialize, ToSchema)]
pub struct Tier {
    pub contract: String,
    pub creator: String,
    pub tier: i64,
    pub name: String,
    /// Per period before bundle discounts, in the asset's smallest unit.
    pub price: String,
    pub asset: String,
    pub period_seconds: String,
    /// Longer purchases at a discount: `[{"periods": 3, "discount_bps": 500}]`.
    #[schema(value_type = Vec<Object>)]
    pub bundles: Value,
    /// A free trial's length; absent when the tier has none.
    pub trial_seconds: Option<String>,
    /// Most fans the tier holds at once; absent when unlimited.
    pub subscriber_cap: Option<i64>,
    /// Fans whose subscription to this tier is active.
    pub subscribers: i64,
    /// Seats still free under the cap; absent when unlimited.
    pub seats_left: Option<i64>,
}

#[derive(FromRow)]
struct TierRow {
    contract: String,
    creator: String,
    tier: i64,
    name: String,
    price: String,
    asset: String,
    period_seconds: String,
    bundles: sqlx::types::Json<Value>,
    trial_seconds: Option<String>,
    subscriber_cap: Option<i64>,
    subscribers: i64,
}

impl From<TierRow> for Tier {
    fn from(row: TierRow) -> Tier {
        Tier {
            seats_left: row.subscriber_cap.map(|cap| (cap - row.subscribers).max(0)),
            contract: row.contract,
            creator: row.creator,
            tier: row.tier,
            name: row.name,
            price: row.price,
            asset: row.asset,
            period_seconds: row.period_seconds,
            bundles: row.bundles.0,
            trial_seconds: row.trial_seconds,
            subscriber_cap: row.subscriber_cap,
            subscribers: row.subscribers,
        }
    }
}

/// A creator's tiers on sale (retired ones are left out), lowest tier first, each with its
/// subscriber count and seats left.
#[utoipa::path(get, path = "/creators/{address}/tiers", tag = "subscriptions",
    params(("address" = String, Path, description = "The creator's address"), PageParams),
    responses(
        (status = 200, body = Page<Tier>),
        (status = 400, body = ErrorBody, description = "invalid_address, invalid_cursor, invalid_limit"),
    ))]
async fn creator_tiers(
    State(ctx): State<ApiContext>,
    Path(creator): Path<Address>,
    Query(params): Query<PageParams>,
) -> Result<axum::Json<Page<Tier>>, Error> {
    let request = params.checked::<(i64, String)>()?;
    let (tier, contract) = request.after.clone().unzip();
    let (mut tx, height) = snapshot(&ctx.pool).await?;
    let rows: Vec<TierRow> = sqlx::query_as(&format!(
        "SELECT t.contract, t.creator, t.tier, t.name, t.price::text, t.asset, t.period_seconds::text, \
                t.bundles, t.trial_seconds::text, t.subscriber_cap, \
                (SELECT count(*) FROM subscriptions s \
                 WHERE s.contract = t.contract AND s.creator = t.creator AND s.tier = t.tier \
                   AND s.expires_at > coalesce({CHAIN_TIME_SQL}, '-infinity')) AS subscribers \
         FROM subscription_tiers t \
         WHERE t.creator = $1 AND NOT t.retired \
           AND ($2::bigint IS NULL OR (t.tier, t.contract) > ($2, $3::text)) \
         ORDER BY t.tier, t.contract LIMIT $4"
    ))
    .bind(creator.as_str())
    .bind(tier)
    .bind(contract)
    .bind(request.fetch)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(axum::Json(request.page(
        rows,
        height,
        |row| encode_cursor(&(row.tier, &row.contract)),
        Tier::from,
    )))
}

/// A fan's subscription to a creator.
#[derive(Debug, Serialize, ToSchema)]
pub struct FanSubscription {
    pub contract: String,
    pub creator: String,
    pub fan: String,
    pub tier: i64,
    /// The tier's name; absent if the tier is unknown to the index.
    pub tier_name: Option<String>,
    pub asset: String,
    /// RFC 3339; the subscription is active while the block time is before it.
    #[schema(format = DateTime)]
    pub expires_at: String,
    pub active: bool,
    pub on_trial: bool,
    /// Renewal terms: the contract renews while `auto_renew` and the price per period is at
    /// most `max_price_per_period`.
    pub auto_renew: bool,
    pub max_price_per_period: String,
}

#[derive(FromRow)]
struct SubscriptionRow {
    contract: String,
    creator: String,
    fan: String,
    tier: i64,
    tier_name: Option<String>,
    asset: String,
    expires_at: DateTime<Utc>,
    active: bool,
    on_trial: bool,
    auto_renew: bool,
    max_price_per_period: String,
}

/// A fan's subscriptions (active and lapsed), the one expiring last first.
#[utoipa::path(get, path = "/fans/{address}/subscriptions", tag = "subscriptions",
    params(("address" = String, Path, description = "The fan's address"), PageParams),
    responses(
        (status = 200, body = Page<FanSubscription>),
        (status = 400, body = ErrorBody, description = "invalid_address, invalid_cursor, invalid_limit"),
    ))]
async fn fan_subscriptions(
    State(ctx): State<ApiContext>,
    Path(fan): Path<Address>,
    Query(params): Query<PageParams>,
) -> Result<axum::Json<Page<FanSubscription>>, Error> {
    let request = params.checked::<(DateTime<Utc>, String, String)>()?;
    let (expires, creator, contract) = match request.after.clone() {
        Some((e, c, k)) => (Some(e), Some(c), Some(k)),
        None => (None, None, None),
    };
    let (mut tx, height) = snapshot(&ctx.pool).await?;
    let rows: Vec<SubscriptionRow> = sqlx::query_as(&format!(
        "SELECT s.contract, s.creator, s.fan, s.tier, t.name AS tier_name, s.asset, s.expires_at, \
                s.expires_at > coalesce({CHAIN_TIME_SQL}, '-infinity') AS active, s.on_trial, \
                s.auto_renew, s.max_price_per_period::text \
         FROM subscriptions s \
         LEFT JOIN subscription_tiers t ON t.contract = s.contract AND t.creator = s.creator AND t.tier = s.tier \
         WHERE s.fan = $1 \
           AND ($2::timestamptz IS NULL OR (s.expires_at, s.creator, s.contract) < ($2, $3::text, $4::text)) \
         ORDER BY s.expires_at DESC, s.creator DESC, s.contract DESC LIMIT $5"
    ))
    .bind(fan.as_str())
    .bind(expires)
    .bind(creator)
    .bind(contract)
    .bind(request.fetch)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(axum::Json(request.page(
        rows,
        height,
        |row| encode_cursor(&(row.expires_at, &row.creator, &row.contract)),
        |row| FanSubscription {
            contract: row.contract,
            creator: row.creator,
            fan: row.fan,
            tier: row.tier,
            tier_name: row.tier_name,
            asset: row.asset,
            expires_at: rfc3339(&row.expires_at),
            active: row.active,
            on_trial: row.on_trial,
            auto_renew: row.auto_renew,
            max_price_per_period: row.max_price_per_period,
        },
    )))
}
