//! Creator pages: the list of creators (text search on display names, sorted by recent
//! activity or by name) and one creator's profile, as the creators contract holds it plus the
//! off-chain fields the creator sets with a wallet session ([`profile`]).
//!
//! - A creator registered in several registries (a deployment that moved) is shown as the
//!   registry that changed them last, as `/can-message` reads them.
//! - "Recent activity" is the creator's newest feed item: a tip, a sale, a subscription, a bid.

mod profile;

use axum::extract::State;
use chrono::{DateTime, Utc};
use mesi_common::chat_rule::ChatRule;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::FromRow;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use profile::{Link, OffChainProfile};

use crate::api::http::error::ErrorBody;
use crate::api::http::extract::{Path, Query};
use crate::api::http::page::{encode_cursor, snapshot, At, Page, PageParams};
use crate::api::http::params::{rfc3339, Address};
use crate::api::http::text::TextRule;
use crate::api::{ApiContext, Error};

/// A search term.
pub const SEARCH: TextRule = TextRule::line(64);

fn search_schema() -> utoipa::openapi::schema::Object {
    SEARCH.schema()
}

pub fn router() -> OpenApiRouter<ApiContext> {
    OpenApiRouter::new()
        .routes(routes!(list_creators))
        .routes(routes!(get_creator))
        .routes(routes!(profile::put_profile))
}

/// A creator as the creators contract holds them, with their off-chain profile.
#[derive(Debug, Serialize, ToSchema)]
pub struct Creator {
    pub address: String,
    /// The creators contract (registry) that holds the profile.
    pub contract: String,
    pub display_name: String,
    /// Where the creator's share of payments goes.
    pub payout: String,
    /// Assets the creator accepts: `native:<denom>` or `cw20:<address>`.
    pub accepted_assets: Vec<String>,
    pub tip_minimums: Vec<TipMinimum>,
    /// Who may message the creator, as the contract's `ChatRule` JSON: a string for the rules
    /// without fields (`"everyone"`), an object for the others (`{"subscriber": {...}}`).
    #[schema(value_type = Value)]
    pub chat_rule: Value,
    /// The chat rule as a sentence, e.g. "subscribers at tier 2 or higher".
    pub chat_rule_text: String,
    pub active: bool,
    /// RFC 3339.
    #[schema(format = DateTime)]
    pub registered_at: String,
    /// Position `<height>-<seq>` of the creator's newest feed item; absent before any.
    pub last_activity: Option<String>,
    pub profile: OffChainProfile,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TipMinimum {
    pub asset: String,
    /// In the asset's smallest unit, a decimal string.
    pub amount: String,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CreatorSort {
    /// Newest activity first (default).
    #[default]
    Recent,
    /// By display name, A to Z.
    Name,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CreatorsQuery {
    /// Keep creators whose display name contains this text (any case).
    #[param(schema_with = search_schema)]
    q: Option<String>,
    /// `recent` (default) or `name`.
    #[param(inline)]
    sort: Option<CreatorSort>,
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

#[derive(FromRow)]
struct CreatorRow {
    creator: String,
    contract: String,
    display_name: String,
    /// The display name as the name order compares it.
    name_key: String,
    payout: String,
    accepted_assets: sqlx::types::Json<Vec<String>>,
    tip_minimums: sqlx::types::Json<Vec<(String, String)>>,
    chat_rule: sqlx::types::Json<Value>,
    active: bool,
    registered_at: DateTime<Utc>,
    activity_height: i64,
    activity_seq: i32,
    bio: Option<String>,
    avatar_url: Option<String>,
    banner_url: Option<String>,
    links: Option<sqlx::types::Json<Vec<Link>>>,
    profile_updated_at: Option<DateTime<Utc>>,
}

impl From<CreatorRow> for Creator {
    fn from(row: CreatorRow) -> Creator {
        let chat_rule_text = serde_json::from_value::<ChatRule>(row.chat_rule.0.clone())
            .map(|rule| rule.to_string())
            .unwrap_or_default();
        Creator {
            address: row.creator,
            contract: row.contract,
            display_name: row.display_name,
            payout: row.payout,
            accepted_assets: row.accepted_assets.0,
            tip_minimums: row
                .tip_minimums
                .0
                .into_iter()
                .map(|(asset, amount)| TipMinimum { asset, amount })
                .collect(),
            chat_rule: row.chat_rule.0,
            chat_rule_text,
            active: row.active,
            registered_at: rfc3339(&row.registered_at),
            last_activity: (row.activity_height >= 0)
                .then(|| format!("{}-{}", row.activity_height, row.activity_seq)),
            profile: OffChainProfile {
                bio: row.bio,
                avatar_url: row.avatar_url,
                banner_url: row.banner_url,
                links: row.links.map(|l| l.0).unwrap_or_default(),
                updated_at: row.profile_updated_at.as_ref().map(rfc3339),
            },
        }
    }
}

/// The creator rows the routes read: each creator's latest registry row, their activity and
/// off-chain profile. `c` is the creators row; callers add `WHERE ... AND` conditions.
const CREATOR_SQL: &str = "\
SELECT c.creator, c.contract, c.display_name, lower(c.display_name) AS name_key, c.payout, c.accepted_assets, c.tip_minimums, \
       c.chat_rule, c.active, c.registered_at, \
       coalesce(a.height, -1) AS activity_height, coalesce(a.seq, -1) AS activity_seq, \
       p.bio, p.avatar_url, p.banner_url, p.links, p.updated_at AS profile_updated_at \
FROM creators c \
LEFT JOIN creator_activity a ON a.creator = c.creator \
LEFT JOIN creator_profiles p ON p.creator = c.creator \
WHERE NOT EXISTS (SELECT 1 FROM creators n WHERE n.creator = c.creator \
                  AND (n.updated_height, n.updated_seq) > (c.updated_height, c.updated_seq))";

/// One creator as the API shows them, read through `conn`; `None` when not registered.
pub async fn load_creator(
    conn: &mut sqlx::PgConnection,
    creator: &Address,
) -> Result<Option<Creator>, Error> {
    let row: Option<CreatorRow> = sqlx::query_as(&format!("{CREATOR_SQL} AND c.creator = $1"))
        .bind(creator.as_str())
        .fetch_optional(conn)
        .await?;
    Ok(row.map(Creator::from))
}

/// `ILIKE` pattern matching `term` anywhere, with its wildcards escaped.
fn contains_pattern(term: &str) -> String {
    let mut pattern = String::with_capacity(term.len() + 2);
    pattern.push('%');
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// Sort keys in cursors: `Recent` is (activity height, seq, address), `Name` (name key,
/// address).
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum CreatorKey {
    Recent(i64, i32, String),
    Name(String, String),
}

/// Active creators, newest activity first or by name, with a text search on display names.
#[utoipa::path(get, path = "/creators", tag = "creators", params(CreatorsQuery),
    responses(
        (status = 200, body = Page<Creator>),
        (status = 400, body = ErrorBody, description = "invalid_search, invalid_cursor, invalid_limit, invalid_query"),
    ))]
async fn list_creators(
    State(ctx): State<ApiContext>,
    Query(query): Query<CreatorsQuery>,
) -> Result<axum::Json<Page<Creator>>, Error> {
    let sort = query.sort.unwrap_or_default();
    let request = PageParams {
        limit: query.limit,
        cursor: query.cursor,
        before: query.before,
    }
    .checked::<CreatorKey>()?;
    if let Some(q) = &query.q {
        SEARCH.check("invalid_search", "q", q)?;
    }
    let term = query.q.as_deref().map(str::trim).map(contains_pattern);
    let (mut tx, height) = snapshot(&ctx.pool).await?;
    // $1 the search pattern, then the cursor's key (NULLs on the first page), then the limit.
    let rows: Vec<CreatorRow> = match (sort, request.after.as_ref()) {
        (CreatorSort::Recent, after @ (None | Some(CreatorKey::Recent(..)))) => {
            let (h, s, c) = match after {
                Some(CreatorKey::Recent(h, s, c)) => (Some(*h), Some(*s), Some(c.as_str())),
                _ => (None, None, None),
            };
            sqlx::query_as(&format!(
                "{CREATOR_SQL} AND c.active AND ($1::text IS NULL OR c.display_name ILIKE $1) \
                 AND ($2::bigint IS NULL OR (coalesce(a.height, -1), coalesce(a.seq, -1), c.creator) \
                      < ($2, $3::integer, $4::text)) \
                 ORDER BY activity_height DESC, activity_seq DESC, c.creator DESC LIMIT $5"
            ))
            .bind(term)
            .bind(h)
            .bind(s)
            .bind(c)
            .bind(request.fetch)
            .fetch_all(&mut *tx)
            .await?
        }
        (CreatorSort::Name, after @ (None | Some(CreatorKey::Name(..)))) => {
            let (n, c) = match after {
                Some(CreatorKey::Name(n, c)) => (Some(n.as_str()), Some(c.as_str())),
                _ => (None, None),
            };
            sqlx::query_as(&format!(
                "{CREATOR_SQL} AND c.active AND ($1::text IS NULL OR c.display_name ILIKE $1) \
                 AND ($2::text IS NULL OR (lower(c.display_name), c.creator) > ($2, $3::text)) \
                 ORDER BY lower(c.display_name), c.creator LIMIT $4"
            ))
            .bind(term)
            .bind(n)
            .bind(c)
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
            CreatorSort::Recent => encode_cursor(&CreatorKey::Recent(
                row.activity_height,
                row.activity_seq,
                row.creator.clone(),
            )),
            CreatorSort::Name => {
                encode_cursor(&CreatorKey::Name(row.name_key.clone(), row.creator.clone()))
            }
        },
        Creator::from,
    )))
}

/// A creator's page: the on-chain profile (display name, payout, accepted assets, tip minimums,
/// chat rule as JSON and as a sentence, active flag) and the off-chain profile fields.
#[utoipa::path(get, path = "/creators/{address}", tag = "creators",
    params(("address" = String, Path, description = "The creator's address")),
    responses(
        (status = 200, body = At<Creator>),
        (status = 400, body = ErrorBody, description = "invalid_address"),
        (status = 404, body = ErrorBody, description = "not a registered creator"),
    ))]
async fn get_creator(
    State(ctx): State<ApiContext>,
    Path(address): Path<Address>,
) -> Result<axum::Json<At<Creator>>, Error> {
    let (mut tx, height) = snapshot(&ctx.pool).await?;
    let creator = load_creator(&mut tx, &address)
        .await?
        .ok_or_else(|| Error::NotFound(format!("creator {address}")))?;
    tx.commit().await?;
    Ok(axum::Json(At {
        height,
        value: creator,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_patterns_escape_wildcards() {
        assert_eq!(contains_pattern("ada"), "%ada%");
        assert_eq!(contains_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }
}
