//! Activity feeds: global, per creator and per fan, newest first, with a kind filter and keyset
//! pagination; and the same feeds live over Server-Sent Events.
//!
//! **Pages.** Items are ordered by their position in the chain, `(height, seq)`, and a page
//! continues strictly below the `before` cursor it was given. New blocks only add positions
//! above every existing one, so pages already handed out never shift or repeat while rows arrive.
//!
//! **Live.** Each SSE event's `id` is the item's position. A client that reconnects with
//! `Last-Event-ID` (browsers' `EventSource` does so by itself) or `?after=` first gets every
//! matching item after that position from the database, then live items, with no gap and no
//! duplicate. Live items come from the [`publisher`], which hears about committed blocks
//! through PostgreSQL `NOTIFY`.

mod items;
mod live;
pub mod publisher;
mod schema;

use axum::extract::State;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use items::{fetch, Direction};
pub use items::{fetch_newer, newest_position, tip_identity};
pub use publisher::LiveFeed;

use crate::api::http::error::ErrorBody;
use crate::api::http::extract::{Path, Query};
use crate::api::http::params::{page_size, Address, Position};
use crate::api::{ApiContext, Error};
use crate::store::projections::feed::KINDS;
pub fn router() -> OpenApiRouter<ApiContext> {
    let mut router = OpenApiRouter::new()
        .routes(routes!(global_feed))
        .routes(routes!(creator_feed))
        .routes(routes!(fan_feed))
        .routes(routes!(live::global_live))
        .routes(routes!(live::creator_live))
        .routes(routes!(live::fan_live));
    schema::refine_document(router.get_openapi_mut());
    router
}

/// One feed item: an event of a Mesi contract, with who it concerns. Its OpenAPI schema, one
/// per kind, is in [`schema`].
#[derive(Debug, Clone, Serialize)]
pub struct FeedItem {
    /// The item's position `<height>-<seq>`: the cursor and the SSE event id.
    pub id: Position,
    /// One of: tip, fiat_tip, subscription, ppv_purchase, surprise_mint, surprise_listing,
    /// surprise_sale, surprise_transfer, surprise_unlock, surprise_reveal, surprise_forfeit,
    /// meeting_auction, meeting_auction_cancelled, meeting_auction_settled, meeting_bid, meeting.
    pub kind: String,
    pub height: i64,
    /// Block time, RFC 3339 in UTC.
    pub time: String,
    /// Absent for anonymous tips (the transaction names the fan).
    pub tx_hash: Option<String>,
    pub contract: String,
    /// The typed event, e.g. `mesi.tip.v1`.
    pub event_type: String,
    pub creator: Option<String>,
    /// The fan concerned; absent for anonymous tips.
    pub fan: Option<String>,
    /// The other fan: the seller of a sale, the sender of a transfer, an outbid bidder.
    pub counterparty: Option<String>,
    /// The event's fields as emitted (numbers as strings, assets as `native:<denom>` or
    /// `cw20:<address>`, times in nanoseconds), e.g. a tip's `amount`, `asset` and `message`.
    /// A tip's `fan_total` is left out (it counts anonymous tips); an anonymous tip shows only
    /// what was given, to whom, where, and its message.
    pub data: Map<String, Value>,
}

#[derive(Serialize, ToSchema)]
pub struct FeedPage {
    pub items: Vec<FeedItem>,
    /// Pass as `before` for the next (older) page; absent on the last page.
    #[schema(value_type = Option<String>)]
    pub next_cursor: Option<Position>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Comma-separated kinds to keep, e.g. `tip,subscription`; all kinds when absent.
    kind: Option<String>,
    /// Items strictly older than this cursor (`next_cursor` of the previous page).
    #[param(value_type = Option<String>)]
    before: Option<Position>,
    /// 1 to 100 items, default 20.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LiveQuery {
    /// Comma-separated kinds to keep; all kinds when absent.
    kind: Option<String>,
    /// Replay items after this position first (like the `Last-Event-ID` header, which wins).
    #[param(value_type = Option<String>)]
    after: Option<Position>,
}

/// Which items a feed holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    Everyone,
    Creator(Address),
    Fan(Address),
}

/// A feed: its audience and kinds.
#[derive(Debug, Clone)]
pub struct FeedFilter {
    pub audience: Audience,
    /// `None` keeps every kind.
    pub kinds: Option<Vec<String>>,
}

impl FeedFilter {
    fn new(audience: Audience, kinds: Option<&str>) -> Result<FeedFilter, Error> {
        let kinds = match kinds.map(str::trim).filter(|k| !k.is_empty()) {
            None => None,
            Some(list) => Some(
                list.split(',')
                    .map(|k| {
                        let k = k.trim();
                        KINDS
                            .iter()
                            .find(|known| **known == k)
                            .map(|k| k.to_string())
                            .ok_or_else(|| {
                                Error::invalid(
                                    "invalid_kind",
                                    format!(
                                        "unknown feed kind; expected some of: {}",
                                        KINDS.join(", ")
                                    ),
                                )
                            })
                    })
                    .take(KINDS.len() + 1)
                    .collect::<Result<Vec<_>, _>>()?,
            ),
        };
        Ok(FeedFilter { audience, kinds })
    }

    pub fn matches(&self, item: &FeedItem) -> bool {
        let audience = match &self.audience {
            Audience::Everyone => true,
            Audience::Creator(a) => item.creator.as_deref() == Some(a.as_str()),
            Audience::Fan(a) => {
                item.fan.as_deref() == Some(a.as_str())
                    || item.counterparty.as_deref() == Some(a.as_str())
            }
        };
        audience
            && self
                .kinds
                .as_ref()
                .is_none_or(|kinds| kinds.contains(&item.kind))
    }
}

async fn page(ctx: &ApiContext, audience: Audience, query: PageQuery) -> Result<FeedPage, Error> {
    let filter = FeedFilter::new(audience, query.kind.as_deref())?;
    let limit = page_size(query.limit)?;
    let before = query.before.unwrap_or(Position {
        height: i64::MAX,
        seq: i32::MAX,
    });
    let items = fetch(&ctx.pool, &filter, before, Direction::Older, limit).await?;
    let next_cursor = (items.len() as i64 == limit)
        .then(|| items.last().map(|i| i.id))
        .flatten();
    Ok(FeedPage { items, next_cursor })
}

/// Every feed item, newest first.
#[utoipa::path(get, path = "/feed", tag = "feeds", params(PageQuery), responses(
    (status = 200, body = FeedPage),
    (status = 400, body = ErrorBody, description = "invalid_kind, invalid_cursor, invalid_limit, invalid_query"),
))]
async fn global_feed(
    State(ctx): State<ApiContext>,
    Query(query): Query<PageQuery>,
) -> Result<axum::Json<FeedPage>, Error> {
    Ok(axum::Json(page(&ctx, Audience::Everyone, query).await?))
}

/// What happened around a creator: tips with their messages, subscriptions, PPV sales,
/// surprise mints, sales, unlocks and reveals, meeting auctions, bids and bookings.
#[utoipa::path(get, path = "/creators/{address}/feed", tag = "feeds",
    params(("address" = String, Path, description = "The creator's address"), PageQuery),
    responses(
        (status = 200, body = FeedPage),
        (status = 400, body = ErrorBody, description = "invalid_address, invalid_kind, invalid_cursor, invalid_limit"),
    ))]
async fn creator_feed(
    State(ctx): State<ApiContext>,
    Path(address): Path<Address>,
    Query(query): Query<PageQuery>,
) -> Result<axum::Json<FeedPage>, Error> {
    Ok(axum::Json(
        page(&ctx, Audience::Creator(address), query).await?,
    ))
}

/// What a fan did or received: their (non-anonymous) tips, subscriptions, purchases,
/// surprises bought, sold, sent and received, bids (and being outbid), meetings.
#[utoipa::path(get, path = "/fans/{address}/feed", tag = "feeds",
    params(("address" = String, Path, description = "The fan's address"), PageQuery),
    responses(
        (status = 200, body = FeedPage),
        (status = 400, body = ErrorBody, description = "invalid_address, invalid_kind, invalid_cursor, invalid_limit"),
    ))]
async fn fan_feed(
    State(ctx): State<ApiContext>,
    Path(address): Path<Address>,
    Query(query): Query<PageQuery>,
) -> Result<axum::Json<FeedPage>, Error> {
    Ok(axum::Json(page(&ctx, Audience::Fan(address), query).await?))
}
