//! Pay-per-view as pages show it: a creator's catalog with each item's buyers, and a fan's own
//! purchases (to the fan's session only: what someone bought is theirs to show).

use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::FromRow;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Session;
use crate::api::http::error::ErrorBody;
use crate::api::http::extract::{Path, Query};
use crate::api::http::page::{encode_cursor, snapshot, Page, PageParams};
use crate::api::http::params::{rfc3339, Address};
use crate::api::state::CHAIN_TIME_SQL;
use crate::api::{ApiContext, Error};

pub fn router() -> OpenApiRouter<ApiContext> {
    OpenApiRouter::new()
        .routes(routes!(catalog))
        .routes(routes!(fan_purchases))
}

/// An item of a creator's catalog.
#[derive(Debug, Serialize, ToSchema)]
pub struct PpvItem {
    pub contract: String,
    pub creator: String,
    pub content_id: String,
    /// In the asset's smallest unit.
    pub price: String,
    pub asset: String,
    /// RFC 3339; the item is not sold after it. Absent when the sale has no end.
    #[schema(format = DateTime)]
    pub sale_ends_at: Option<String>,
    /// Whether it can be bought at the latest indexed block time.
    pub on_sale: bool,
    /// Subscribers at this tier or higher see the item without buying it.
    pub free_for_tier: Option<i64>,
    /// Bumped by each change of the item's terms.
    pub revision: i64,
    /// Fans who bought the item.
    pub buyers: i64,
}

#[derive(FromRow)]
struct ItemRow {
    contract: String,
    creator: String,
    content_id: String,
    price: String,
    asset: String,
    sale_ends_at: Option<DateTime<Utc>>,
    on_sale: bool,
    free_for_tier: Option<i64>,
    revision: i64,
    buyers: i64,
}

/// A creator's listed pay-per-view items, by content id.
#[utoipa::path(get, path = "/creators/{address}/ppv", tag = "ppv",
    params(("address" = String, Path, description = "The creator's address"), PageParams),
    responses(
        (status = 200, body = Page<PpvItem>),
        (status = 400, body = ErrorBody, description = "invalid_address, invalid_cursor, invalid_limit"),
    ))]
async fn catalog(
    State(ctx): State<ApiContext>,
    Path(creator): Path<Address>,
    Query(params): Query<PageParams>,
) -> Result<axum::Json<Page<PpvItem>>, Error> {
    let request = params.checked::<(String, String)>()?;
    let (content_id, contract) = request.after.clone().unzip();
    let (mut tx, height) = snapshot(&ctx.pool).await?;
    let rows: Vec<ItemRow> = sqlx::query_as(&format!(
        "SELECT i.contract, i.creator, i.content_id, i.price::text, i.asset, i.sale_ends_at, \
                (i.sale_ends_at IS NULL OR i.sale_ends_at > coalesce({CHAIN_TIME_SQL}, '-infinity')) AS on_sale, \
                i.free_for_tier, i.revision, \
                (SELECT count(DISTINCT p.buyer) FROM ppv_purchases p \
                 WHERE p.creator = i.creator AND p.content_id = i.content_id AND p.contract = i.contract) AS buyers \
         FROM ppv_items i \
         WHERE i.creator = $1 AND i.listed \
           AND ($2::text IS NULL OR (i.content_id, i.contract) > ($2, $3::text)) \
         ORDER BY i.content_id, i.contract LIMIT $4"
    ))
    .bind(creator.as_str())
    .bind(content_id)
    .bind(contract)
    .bind(request.fetch)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(axum::Json(request.page(
        rows,
        height,
        |row| encode_cursor(&(&row.content_id, &row.contract)),
        |row| PpvItem {
            contract: row.contract,
            creator: row.creator,
            content_id: row.content_id,
            price: row.price,
            asset: row.asset,
            sale_ends_at: row.sale_ends_at.as_ref().map(rfc3339),
            on_sale: row.on_sale,
            free_for_tier: row.free_for_tier,
            revision: row.revision,
            buyers: row.buyers,
        },
    )))
}

/// One pay-per-view purchase.
#[derive(Debug, Serialize, ToSchema)]
pub struct Purchase {
    pub contract: String,
    pub creator: String,
    pub content_id: String,
    pub asset: String,
    /// What the fan paid, in the asset's smallest unit.
    pub price: String,
    pub height: i64,
    /// Block time, RFC 3339.
    #[schema(format = DateTime)]
    pub time: String,
    pub tx_hash: Option<String>,
}

#[derive(FromRow)]
struct PurchaseRow {
    height: i64,
    seq: i32,
    contract: String,
    creator: String,
    content_id: String,
    asset: String,
    price: String,
    block_time: DateTime<Utc>,
    tx_hash: Option<String>,
}

/// The fan's own purchases, newest first (the session must be the fan's).
#[utoipa::path(get, path = "/fans/{address}/purchases", tag = "ppv",
    params(("address" = String, Path, description = "The fan's address"), PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, body = Page<Purchase>),
        (status = 400, body = ErrorBody, description = "invalid_address, invalid_cursor, invalid_limit"),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "the session is not the fan's"),
    ))]
async fn fan_purchases(
    State(ctx): State<ApiContext>,
    session: Session,
    Path(fan): Path<Address>,
    Query(params): Query<PageParams>,
) -> Result<axum::Json<Page<Purchase>>, Error> {
    if session.address != fan.as_str() {
        return Err(Error::Forbidden(
            "a fan's purchases are shown to the fan's own session only".into(),
        ));
    }
    let request = params.checked::<(i64, i32)>()?;
    let (before_height, before_seq) = request.after.unzip();
    let (mut tx, height) = snapshot(&ctx.pool).await?;
    let rows: Vec<PurchaseRow> = sqlx::query_as(
        "SELECT height, seq, contract, creator, content_id, asset, price::text, block_time, tx_hash \
         FROM ppv_purchases WHERE buyer = $1 \
           AND ($2::bigint IS NULL OR (height, seq) < ($2, $3::integer)) \
         ORDER BY height DESC, seq DESC LIMIT $4",
    )
    .bind(fan.as_str())
    .bind(before_height)
    .bind(before_seq)
    .bind(request.fetch)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(axum::Json(request.page(
        rows,
        height,
        |row| encode_cursor(&(row.height, row.seq)),
        |row| Purchase {
            contract: row.contract,
            creator: row.creator,
            content_id: row.content_id,
            asset: row.asset,
            price: row.price,
            height: row.height,
            time: rfc3339(&row.block_time),
            tx_hash: row.tx_hash,
        },
    )))
}
