//! Surprises as a marketplace shows them: open listings (by creator, by price), one token's
//! public state with its hints, and a wallet's holdings. A surprise's content stays sealed:
//! what is shown here is what the chain shows anyone.

use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::FromRow;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::leaderboards::checked_asset;
use crate::api::http::error::ErrorBody;
use crate::api::http::extract::{Path, Query};
use crate::api::http::page::{encode_cursor, one_by_id, snapshot, At, Page, PageParams};
use crate::api::http::params::{rfc3339, Address, ContractQuery, Id};
use crate::api::state::CHAIN_TIME_SQL;
use crate::api::{ApiContext, Error};

pub fn router() -> OpenApiRouter<ApiContext> {
    OpenApiRouter::new()
        .routes(routes!(listings))
        .routes(routes!(surprise))
        .routes(routes!(holdings))
}

/// A surprise token's public state.
#[derive(Debug, Serialize, ToSchema)]
pub struct Surprise {
    pub contract: String,
    pub token_id: String,
    pub creator: String,
    pub owner: String,
    pub title: String,
    /// What the creator tells buyers about the sealed content.
    #[schema(value_type = Vec<Object>)]
    pub hints: Value,
    pub category: String,
    pub preview_uri: Option<String>,
    /// `sealed`, `unlocked`, `revealed` or `forfeited`.
    pub state: String,
    /// The hash the creator committed to at mint; the reveal must match it.
    pub commitment: String,
    /// The creator's cut of each resale, in basis points.
    pub royalty_bps: i32,
    /// What the creator bonded that a missed reveal forfeits to the owner.
    pub bond: String,
    pub bond_asset: Option<String>,
    /// How long the creator has to reveal after an unlock.
    pub reveal_window_seconds: String,
    /// RFC 3339; set while unlocked.
    #[schema(format = DateTime)]
    pub reveal_deadline: Option<String>,
    /// The revealed content's hash (after the reveal).
    pub content_hash: Option<String>,
    pub minted_height: i64,
    /// The open listing, if the owner offers the token for sale.
    pub listing: Option<ListingTerms>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ListingTerms {
    pub seller: String,
    pub asset: String,
    /// In the asset's smallest unit.
    pub price: String,
    /// RFC 3339; absent when the listing does not expire.
    #[schema(format = DateTime)]
    pub expires_at: Option<String>,
    /// The listing's position `<height>-<seq>`.
    pub listed_at: String,
}

#[derive(FromRow)]
struct SurpriseRow {
    contract: String,
    token_id: String,
    creator: String,
    owner: String,
    title: String,
    hints: sqlx::types::Json<Value>,
    category: String,
    preview_uri: Option<String>,
    state: String,
    commitment: String,
    royalty_bps: i32,
    bond: String,
    bond_asset: Option<String>,
    reveal_window: String,
    reveal_deadline: Option<DateTime<Utc>>,
    content_hash: Option<String>,
    minted_height: i64,
    seller: Option<String>,
    asset: Option<String>,
    price: Option<String>,
    expires_at: Option<DateTime<Utc>>,
    listed_height: Option<i64>,
    listed_seq: Option<i32>,
}

impl From<SurpriseRow> for Surprise {
    fn from(row: SurpriseRow) -> Surprise {
        let listing = match (
            row.seller,
            row.asset,
            row.price,
            row.listed_height,
            row.listed_seq,
        ) {
            (Some(seller), Some(asset), Some(price), Some(h), Some(s)) => Some(ListingTerms {
                seller,
                asset,
                price,
                expires_at: row.expires_at.as_ref().map(rfc3339),
                listed_at: format!("{h}-{s}"),
            }),
            _ => None,
        };
        Surprise {
            contract: row.contract,
            token_id: row.token_id,
            creator: row.creator,
            owner: row.owner,
            title: row.title,
            hints: row.hints.0,
            category: row.category,
            preview_uri: row.preview_uri,
            state: row.state,
            commitment: row.commitment,
            royalty_bps: row.royalty_bps,
            bond: row.bond,
            bond_asset: row.bond_asset,
            reveal_window_seconds: row.reveal_window,
            reveal_deadline: row.reveal_deadline.as_ref().map(rfc3339),
            content_hash: row.content_hash,
            minted_height: row.minted_height,
            listing,
        }
    }
}

/// Tokens with their open (unexpired) listing, if any; callers add `AND` conditions and
/// the order. `s` is the token, `l` the listing.
fn surprise_sql() -> String {
    format!(
        "SELECT s.contract, s.token_id, s.creator, s.owner, s.title, s.hints, s.category, s.preview_uri, \
       s.state, s.commitment, s.royalty_bps, s.bond::text, s.bond_asset, s.reveal_window::text, \
       s.reveal_deadline, s.content_hash, s.minted_height, \
       l.seller, l.asset, l.price::text, l.expires_at, l.listed_height, l.listed_seq \
FROM surprises s \
LEFT JOIN surprise_listings l ON l.contract = s.contract AND l.token_id = s.token_id \
     AND (l.expires_at IS NULL OR l.expires_at > coalesce({CHAIN_TIME_SQL}, '-infinity')) \
WHERE true"
    )
}

#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ListingSort {
    /// Newest listing first (default).
    #[default]
    Recent,
    /// Cheapest first; give `asset` too, as prices in different assets do not compare.
    Price,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListingsQuery {
    /// Only tokens minted by this creator.
    #[param(value_type = Option<String>)]
    creator: Option<Address>,
    /// Only listings priced in this asset: `native:<denom>` or `cw20:<address>`.
    asset: Option<String>,
    /// `recent` (default) or `price`.
    #[param(inline)]
    sort: Option<ListingSort>,
    /// Items per page, 1 to 100; 20 when absent.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
    /// Where the page starts: `next_cursor` of the previous page.
    #[param(max_length = 512)]
    cursor: Option<String>,
    /// The same as `cursor` (its older name).
    #[param(max_length = 512)]
    before: Option<String>,
}

/// Cursor keys: `Recent` (listing height, seq), `Price` (price, contract, token id).
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum ListingKey {
    Recent(i64, i32),
    Price(String, String, String),
}

/// Surprises for sale (unexpired listings), newest or cheapest first.
#[utoipa::path(get, path = "/listings", tag = "surprises", params(ListingsQuery),
    responses(
        (status = 200, body = Page<Surprise>),
        (status = 400, body = ErrorBody, description = "invalid_address, invalid_asset, invalid_cursor, invalid_limit, invalid_query"),
    ))]
async fn listings(
    State(ctx): State<ApiContext>,
    Query(query): Query<ListingsQuery>,
) -> Result<axum::Json<Page<Surprise>>, Error> {
    if let Some(asset) = &query.asset {
        checked_asset(asset)?;
    }
    let sort = query.sort.unwrap_or_default();
    let request = PageParams {
        limit: query.limit,
        cursor: query.cursor,
        before: query.before,
    }
    .checked::<ListingKey>()?;
    let filters = "AND l.seller IS NOT NULL AND ($1::text IS NULL OR s.creator = $1) \
                   AND ($2::text IS NULL OR l.asset = $2)";
    let creator = query.creator.as_ref().map(Address::as_str);
    let sql = surprise_sql();
    let (mut tx, height) = snapshot(&ctx.pool).await?;
    let rows: Vec<SurpriseRow> = match (sort, &request.after) {
        (ListingSort::Recent, after @ (None | Some(ListingKey::Recent(..)))) => {
            let (h, s) = match after {
                Some(ListingKey::Recent(h, s)) => (Some(*h), Some(*s)),
                _ => (None, None),
            };
            sqlx::query_as(&format!(
                "{sql} {filters} \
                 AND ($3::bigint IS NULL OR (l.listed_height, l.listed_seq) < ($3, $4::integer)) \
                 ORDER BY l.listed_height DESC, l.listed_seq DESC LIMIT $5"
            ))
            .bind(creator)
            .bind(&query.asset)
            .bind(h)
            .bind(s)
            .bind(request.fetch)
            .fetch_all(&mut *tx)
            .await?
        }
        (ListingSort::Price, after @ (None | Some(ListingKey::Price(..)))) => {
            let (p, c, t) = match after {
                Some(ListingKey::Price(p, c, t)) => {
                    (Some(p.as_str()), Some(c.as_str()), Some(t.as_str()))
                }
                _ => (None, None, None),
            };
            sqlx::query_as(&format!(
                "{sql} {filters} \
                 AND ($3::numeric IS NULL OR (l.price, l.contract, l.token_id) > ($3::numeric, $4::text, $5::text)) \
                 ORDER BY l.price, l.contract, l.token_id LIMIT $6"
            ))
            .bind(creator)
            .bind(&query.asset)
            .bind(p)
            .bind(c)
            .bind(t)
            .bind(request.fetch)
            .fetch_all(&mut *tx)
            .await?
        }
        _ => {
            return Err(Error::invalid(
                "invalid_cursor",
                "this cursor is from the list in another order",
            ))
        }
    };
    tx.commit().await?;
    Ok(axum::Json(request.page(
        rows,
        height,
        |row| match sort {
            ListingSort::Recent => encode_cursor(&ListingKey::Recent(
                row.listed_height.unwrap_or_default(),
                row.listed_seq.unwrap_or_default(),
            )),
            ListingSort::Price => encode_cursor(&ListingKey::Price(
                row.price.clone().unwrap_or_default(),
                row.contract.clone(),
                row.token_id.clone(),
            )),
        },
        Surprise::from,
    )))
}

/// A surprise token's public state, hints and open listing.
#[utoipa::path(get, path = "/surprises/{token_id}", tag = "surprises",
    params(("token_id" = String, Path, description = "The token id"), ContractQuery),
    responses(
        (status = 200, body = At<Surprise>),
        (status = 400, body = ErrorBody, description = "invalid_id, invalid_query"),
        (status = 404, body = ErrorBody, description = "no such token"),
        (status = 409, body = ErrorBody, description = "several contracts hold the id; pass contract"),
    ))]
async fn surprise(
    State(ctx): State<ApiContext>,
    Path(token_id): Path<Id>,
    Query(query): Query<ContractQuery>,
) -> Result<axum::Json<At<Surprise>>, Error> {
    let sql = surprise_sql();
    let (mut tx, height) = snapshot(&ctx.pool).await?;
    let row: SurpriseRow = one_by_id(
        &mut tx,
        &format!("{sql} AND s.token_id = $1 AND ($2::text IS NULL OR s.contract = $2) LIMIT 2"),
        token_id.as_str(),
        query.contract.as_ref(),
        "surprise",
    )
    .await?;
    tx.commit().await?;
    Ok(axum::Json(At {
        height,
        value: row.into(),
    }))
}

/// The surprises a wallet holds, by contract and token id.
#[utoipa::path(get, path = "/fans/{address}/surprises", tag = "surprises",
    params(("address" = String, Path, description = "The wallet"), PageParams),
    responses(
        (status = 200, body = Page<Surprise>),
        (status = 400, body = ErrorBody, description = "invalid_address, invalid_cursor, invalid_limit"),
    ))]
async fn holdings(
    State(ctx): State<ApiContext>,
    Path(owner): Path<Address>,
    Query(params): Query<PageParams>,
) -> Result<axum::Json<Page<Surprise>>, Error> {
    let request = params.checked::<(String, String)>()?;
    let (contract, token_id) = request.after.clone().unzip();
    let sql = surprise_sql();
    let (mut tx, height) = snapshot(&ctx.pool).await?;
    let rows: Vec<SurpriseRow> = sqlx::query_as(&format!(
        "{sql} AND s.owner = $1 \
         AND ($2::text IS NULL OR (s.contract, s.token_id) > ($2, $3::text)) \
         ORDER BY s.contract, s.token_id LIMIT $4"
    ))
    .bind(owner.as_str())
    .bind(contract)
    .bind(token_id)
    .bind(request.fetch)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(axum::Json(request.page(
        rows,
        height,
        |row| encode_cursor(&(&row.contract, &row.token_id)),
        Surprise::from,
    )))
}
