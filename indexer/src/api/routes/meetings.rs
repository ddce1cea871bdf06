//! Bid-to-Meet as pages show it: auctions (open, by creator, ending soon), one auction with
//! its bids, a meeting's public state, and a fan's or a creator's own meetings in full (to
//! their own sessions: who meets whom and for how much is theirs to show).
//!
//! Auction and meeting ids are numbers as decimal strings; they are per contract, so a route
//! taking one also takes `?contract=` for deployments with several meetings contracts.

use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::FromRow;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Session;
use crate::api::http::error::ErrorBody;
use crate::api::http::extract::{Path, Query};
use crate::api::http::page::{encode_cursor, one_by_id, snapshot, At, Page, PageParams};
use crate::api::http::params::{rfc3339, Address, ContractQuery};
use crate::api::state::CHAIN_TIME_SQL;
use crate::api::{ApiContext, Error};

/// Bids an auction's own answer carries; older ones are on `/auctions/{id}/bids`.
pub const BIDS_SHOWN: i64 = 20;

pub fn router() -> OpenApiRouter<ApiContext> {
    OpenApiRouter::new()
        .routes(routes!(auctions))
        .routes(routes!(auction))
        .routes(routes!(auction_bids))
        .routes(routes!(meeting))
        .routes(routes!(fan_meetings))
        .routes(routes!(creator_meetings))
}

/// A meeting auction.
#[derive(Debug, Serialize, ToSchema)]
pub struct Auction {
    pub contract: String,
    pub auction_id: String,
    pub creator: String,
    /// `open` (taking bids), `ended` (past its end, not settled yet), `sold`, `closed`
    /// (ended without a winning bid) or `cancelled`.
    pub state: String,
    /// When the meeting would start, RFC 3339, and for how long.
    #[schema(format = DateTime)]
    pub start: String,
    pub duration_secs: String,
    pub time_zone: String,
    /// `video`, `audio` or `in_person`.
    pub format: String,
    pub description: String,
    pub asset: String,
    pub reserve: String,
    pub min_increment_bps: i32,
    /// RFC 3339; a late bid moves it by `extension_secs`.
    #[schema(format = DateTime)]
    pub ends_at: String,
    pub extension_secs: String,
    pub buy_now: Option<String>,
    pub top_bidder: Option<String>,
    pub top_bid: Option<String>,
    pub bid_count: i64,
    pub winner: Option<String>,
    pub price: Option<String>,
    pub bought_now: bool,
}

#[derive(FromRow)]
struct AuctionRow {
    contract: String,
    auction_id: String,
    creator: String,
    state: String,
    start: DateTime<Utc>,
    duration_secs: String,
    time_zone: String,
    format: String,
    description: String,
    asset: String,
    reserve: String,
    min_increment_bps: i32,
    ends_at: DateTime<Utc>,
    extension_secs: String,
    buy_now: Option<String>,
    top_bidder: Option<String>,
    top_bid: Option<String>,
    bid_count: i64,
    winner: Option<String>,
    price: Option<String>,
    bought_now: bool,
    opened_height: i64,
}

impl From<AuctionRow> for Auction {
    fn from(row: AuctionRow) -> Auction {
        Auction {
            contract: row.contract,
            auction_id: row.auction_id,
            creator: row.creator,
            state: row.state,
            start: rfc3339(&row.start),
            duration_secs: row.duration_secs,
            time_zone: row.time_zone,
            format: row.format,
            description: row.description,
            asset: row.asset,
            reserve: row.reserve,
            min_increment_bps: row.min_increment_bps,
            ends_at: rfc3339(&row.ends_at),
            extension_secs: row.extension_secs,
            buy_now: row.buy_now,
            top_bidder: row.top_bidder,
            top_bid: row.top_bid,
            bid_count: row.bid_count,
            winner: row.winner,
            price: row.price,
            bought_now: row.bought_now,
        }
    }
}

/// Auctions with their state as of the indexed block time; callers add `AND` conditions.
fn auction_sql() -> String {
    format!(
        "SELECT * FROM (SELECT a.contract, a.auction_id::text, a.creator, \
                CASE WHEN a.state = 'open' AND a.ends_at <= coalesce({CHAIN_TIME_SQL}, '-infinity') \
                     THEN 'ended' ELSE a.state END AS state, \
                a.start, a.duration_secs::text, a.time_zone, a.format, a.description, a.asset, \
                a.reserve::text, a.min_increment_bps, a.ends_at, a.extension_secs::text, \
                a.buy_now::text, a.top_bidder, a.top_bid::text, a.bid_count, a.winner, \
                a.price::text, a.bought_now, a.opened_height \
         FROM meeting_auctions a) a WHERE true"
    )
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuctionState {
    /// Taking bids (default).
    #[default]
    Open,
    Ended,
    Sold,
    Closed,
    Cancelled,
    /// Every state.
    Any,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuctionSort {
    /// The one ending first first (default).
    #[default]
    EndingSoon,
    /// The newest auction first.
    Recent,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuctionsQuery {
    /// Only this creator's auctions.
    #[param(value_type = Option<String>)]
    creator: Option<Address>,
    /// `open` (default), `ended`, `sold`, `closed`, `cancelled` or `any`.
    #[param(inline)]
    state: Option<AuctionState>,
    /// `ending_soon` (default) or `recent`.
    #[param(inline)]
    sort: Option<AuctionSort>,
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

/// Cursor keys: `EndingSoon` (end, contract, id), `Recent` (opened height, contract, id).
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum AuctionKey {
    EndingSoon(DateTime<Utc>, String, String),
    Recent(i64, String, String),
}

/// Meeting auctions: open ones ending soonest first by default, or by creator, state, newest.
#[utoipa::path(get, path = "/auctions", tag = "meetings", params(AuctionsQuery),
    responses(
        (status = 200, body = Page<Auction>),
        (status = 400, body = ErrorBody, description = "invalid_address, invalid_cursor, invalid_limit, invalid_query"),
    ))]
async fn auctions(
    State(ctx): State<ApiContext>,
    Query(query): Query<AuctionsQuery>,
) -> Result<axum::Json<Page<Auction>>, Error> {
    let sort = query.sort.unwrap_or_default();
    let state = match query.state.unwrap_or_default() {
        AuctionState::Open => Some("open"),
        AuctionState::Ended => Some("ended"),
        AuctionState::Sold => Some("sold"),
        AuctionState::Closed => Some("closed"),
        AuctionState::Cancelled => Some("cancelled"),
        AuctionState::Any => None,
    };
    let request = PageParams {
        limit: query.limit,
        cursor: query.cursor,
        before: query.before,
    }
    .checked::<AuctionKey>()?;
    let sql = auction_sql();
    let filters = "AND ($1::text IS NULL OR a.creator = $1) AND ($2::text IS NULL OR a.state = $2)";
    let creator = query.creator.as_ref().map(Address::as_str);
    let (mut tx, height) = snapshot(&ctx.pool).await?;
    let rows: Vec<AuctionRow> = match (sort, &request.after) {
        (AuctionSort::EndingSoon, after @ (None | Some(AuctionKey::EndingSoon(..)))) => {
            let (e, c, i) = match after {
                Some(AuctionKey::EndingSoon(e, c, i)) => {
                    (Some(*e), Some(c.as_str()), Some(i.as_str()))
                }
                _ => (None, None, None),
            };
            sqlx::query_as(&format!(
                "{sql} {filters} \
                 AND ($3::timestamptz IS NULL OR (a.ends_at, a.contract, a.auction_id::numeric) > ($3, $4::text, $5::numeric)) \
                 ORDER BY a.ends_at, a.contract, a.auction_id::numeric LIMIT $6"
            ))
            .bind(creator)
            .bind(state)
            .bind(e)
            .bind(c)
            .bind(i)
            .bind(request.fetch)
            .fetch_all(&mut *tx)
            .await?
        }
        (AuctionSort::Recent, after @ (None | Some(AuctionKey::Recent(..)))) => {
            let (h, c, i) = match after {
                Some(AuctionKey::Recent(h, c, i)) => (Some(*h), Some(c.as_str()), Some(i.as_str())),
                _ => (None, None, None),
            };
            sqlx::query_as(&format!(
                "{sql} {filters} \
                 AND ($3::bigint IS NULL OR (a.opened_height, a.contract, a.auction_id::numeric) < ($3, $4::text, $5::numeric)) \
                 ORDER BY a.opened_height DESC, a.contract DESC, a.auction_id::numeric DESC LIMIT $6"
            ))
            .bind(creator)
            .bind(state)
            .bind(h)
            .bind(c)
            .bind(i)
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
            AuctionSort::EndingSoon => encode_cursor(&AuctionKey::EndingSoon(
                row.ends_at,
                row.contract.clone(),
                row.auction_id.clone(),
            )),
            AuctionSort::Recent => encode_cursor(&AuctionKey::Recent(
                row.opened_height,
                row.contract.clone(),
                row.auction_id.clone(),
            )),
        },
        Auction::from,
    )))
}

/// A bid on an auction.
#[derive(Debug, Serialize, ToSchema)]
pub struct Bid {
    /// 1 for the auction's first bid.
    pub bid_seq: i64,
    pub bidder: String,
    pub amount: String,
    pub height: i64,
    /// Block time, RFC 3339.
    #[schema(format = DateTime)]
    pub time: String,
    pub tx_hash: Option<String>,
}

#[derive(FromRow)]
struct BidRow {
    bid_seq: i64,
    bidder: String,
    amount: String,
    height: i64,
    block_time: DateTime<Utc>,
    tx_hash: Option<String>,
}

impl From<BidRow> for Bid {
    fn from(row: BidRow) -> Bid {
        Bid {
            bid_seq: row.bid_seq,
            bidder: row.bidder,
            amount: row.amount,
            height: row.height,
            time: rfc3339(&row.block_time),
            tx_hash: row.tx_hash,
        }
    }
}

/// An auction and its newest bids.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuctionWithBids {
    #[serde(flatten)]
    pub auction: Auction,
    /// The newest 20 bids, newest first; all of them on `/auctions/{auction_id}/bids`.
    pub bids: Vec<Bid>,
}

/// An auction id in a path: a whole number.
fn checked_auction_id(id: &str) -> Result<&str, Error> {
    if (1..=39).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(id)
    } else {
        Err(Error::invalid(
            "invalid_id",
            "an auction or meeting id is a whole number",
        ))
    }
}

const BIDS_SQL: &str = "SELECT bid_seq, bidder, amount::text, height, block_time, tx_hash \
     FROM meeting_bids WHERE contract = $1 AND auction_id = $2::numeric \
       AND ($3::bigint IS NULL OR bid_seq < $3) ORDER BY bid_seq DESC LIMIT $4";

async fn load_auction(
    conn: &mut sqlx::PgConnection,
    id: &str,
    contract: Option<&Address>,
) -> Result<AuctionRow, Error> {
    let sql = auction_sql();
    one_by_id(
        conn,
        &format!(
            "{sql} AND a.auction_id = $1::text AND ($2::text IS NULL OR a.contract = $2) LIMIT 2"
        ),
        checked_auction_id(id)?,
        contract,
        "auction",
    )
    .await
}

/// One auction with its newest bids.
#[utoipa::path(get, path = "/auctions/{auction_id}", tag = "meetings",
    params(("auction_id" = String, Path, description = "The auction id, a whole number"), ContractQuery),
    responses(
        (status = 200, body = At<AuctionWithBids>),
        (status = 400, body = ErrorBody, description = "invalid_id, invalid_query"),
        (status = 404, body = ErrorBody, description = "no such auction"),
        (status = 409, body = ErrorBody, description = "several contracts hold the id; pass contract"),
    ))]
async fn auction(
    State(ctx): State<ApiContext>,
    Path(auction_id): Path<String>,
    Query(query): Query<ContractQuery>,
) -> Result<axum::Json<At<AuctionWithBids>>, Error> {
    let (mut tx, height) = snapshot(&ctx.pool).await?;
    let row = load_auction(&mut tx, &auction_id, query.contract.as_ref()).await?;
    let bids: Vec<BidRow> = sqlx::query_as(BIDS_SQL)
        .bind(&row.contract)
        .bind(&row.auction_id)
        .bind(None::<i64>)
        .bind(BIDS_SHOWN)
        .fetch_all(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(axum::Json(At {
        height,
        value: AuctionWithBids {
            auction: row.into(),
            bids: bids.into_iter().map(Bid::from).collect(),
        },
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BidsQuery {
    /// The contract, when several hold the same id.
    #[param(value_type = Option<String>)]
    contract: Option<Address>,
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

/// An auction's bids, newest first.
#[utoipa::path(get, path = "/auctions/{auction_id}/bids", tag = "meetings",
    params(("auction_id" = String, Path, description = "The auction id, a whole number"), BidsQuery),
    responses(
        (status = 200, body = Page<Bid>),
        (status = 400, body = ErrorBody, description = "invalid_id, invalid_cursor, invalid_limit, invalid_query"),
        (status = 404, body = ErrorBody, description = "no such auction"),
        (status = 409, body = ErrorBody, description = "several contracts hold the id; pass contract"),
    ))]
async fn auction_bids(
    State(ctx): State<ApiContext>,
    Path(auction_id): Path<String>,
    Query(query): Query<BidsQuery>,
) -> Result<axum::Json<Page<Bid>>, Error> {
    let request = PageParams {
        limit: query.limit,
        cursor: query.cursor,
        before: query.before,
    }
    .checked::<i64>()?;
    let (mut tx, height) = snapshot(&ctx.pool).await?;
    let row = load_auction(&mut tx, &auction_id, query.contract.as_ref()).await?;
    let bids: Vec<BidRow> = sqlx::query_as(BIDS_SQL)
        .bind(&row.contract)
        .bind(&row.auction_id)
        .bind(request.after)
        .bind(request.fetch)
        .fetch_all(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(axum::Json(request.page(
        bids,
        height,
        |bid| encode_cursor(&bid.bid_seq),
        Bid::from,
    )))
}

/// What anyone may see of a meeting: who hosts it, when, and where it stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicMeeting {
    pub contract: String,
    /// The id of the auction the meeting was sold in.
    pub meeting_id: String,
    pub creator: String,
    /// `scheduled`, `held`, `disputed`, `completed`, `cancelled`, `refunded` or `split`.
    pub status: String,
    /// RFC 3339.
    #[schema(format = DateTime)]
    pub start: String,
    pub duration_secs: String,
    /// Bumped by each change.
    pub revision: i64,
}

/// A meeting as its fan and creator see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Meeting {
    #[serde(flatten)]
    pub public: PublicMeeting,
    pub fan: String,
    /// The price held in escrow, in the auction's asset.
    pub escrow: String,
    pub asset: Option<String>,
    /// RFC 3339; the fan may dispute until then once the meeting was held.
    #[schema(format = DateTime)]
    pub dispute_deadline: Option<String>,
    pub fan_no_show: bool,
    /// Who changed the meeting last.
    pub actor: String,
}

#[derive(FromRow)]
struct MeetingRow {
    contract: String,
    meeting_id: String,
    creator: String,
    status: String,
    start: DateTime<Utc>,
    duration_secs: String,
    revision: i64,
    fan: String,
    escrow: String,
    asset: Option<String>,
    dispute_deadline: Option<DateTime<Utc>>,
    fan_no_show: bool,
    actor: String,
}

impl MeetingRow {
    fn public(&self) -> PublicMeeting {
        PublicMeeting {
            contract: self.contract.clone(),
            meeting_id: self.meeting_id.clone(),
            creator: self.creator.clone(),
            status: self.status.clone(),
            start: rfc3339(&self.start),
            duration_secs: self.duration_secs.clone(),
            revision: self.revision,
        }
    }

    fn full(self) -> Meeting {
        Meeting {
            public: self.public(),
            fan: self.fan,
            escrow: self.escrow,
            asset: self.asset,
            dispute_deadline: self.dispute_deadline.as_ref().map(rfc3339),
            fan_no_show: self.fan_no_show,
            actor: self.actor,
        }
    }
}

const MEETING_SQL: &str = "SELECT m.contract, m.meeting_id::text, m.creator, m.status, m.start, \
            m.duration_secs::text, m.revision, m.fan, m.escrow::text, a.asset, m.dispute_deadline, \
            m.fan_no_show, m.actor \
     FROM meetings m \
     LEFT JOIN meeting_auctions a ON a.contract = m.contract AND a.auction_id = m.meeting_id \
     WHERE true";

/// A meeting's public state.
#[utoipa::path(get, path = "/meetings/{meeting_id}", tag = "meetings",
    params(("meeting_id" = String, Path, description = "The meeting id (its auction's), a whole number"), ContractQuery),
    responses(
        (status = 200, body = At<PublicMeeting>),
        (status = 400, body = ErrorBody, description = "invalid_id, invalid_query"),
        (status = 404, body = ErrorBody, description = "no such meeting"),
        (status = 409, body = ErrorBody, description = "several contracts hold the id; pass contract"),
    ))]
async fn meeting(
    State(ctx): State<ApiContext>,
    Path(meeting_id): Path<String>,
    Query(query): Query<ContractQuery>,
) -> Result<axum::Json<At<PublicMeeting>>, Error> {
    let (mut tx, height) = snapshot(&ctx.pool).await?;
    let row: MeetingRow = one_by_id(
        &mut tx,
        &format!(
            "{MEETING_SQL} AND m.meeting_id = $1::numeric AND ($2::text IS NULL OR m.contract = $2) LIMIT 2"
        ),
        checked_auction_id(&meeting_id)?,
        query.contract.as_ref(),
        "meeting",
    )
    .await?;
    tx.commit().await?;
    Ok(axum::Json(At {
        height,
        value: row.public(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MeetingsQuery {
    /// Only meetings that have not ended yet (start plus duration after the block time).
    upcoming: Option<bool>,
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

/// Whose meetings a list holds.
enum Party {
    Fan,
    Creator,
}

async fn meetings_of(
    ctx: &ApiContext,
    session: &Session,
    party: Party,
    address: &Address,
    query: MeetingsQuery,
) -> Result<Page<Meeting>, Error> {
    if session.address != address.as_str() {
        return Err(Error::Forbidden(
            "meetings are shown to their fan's and creator's own sessions only".into(),
        ));
    }
    let request = PageParams {
        limit: query.limit,
        cursor: query.cursor,
        before: query.before,
    }
    .checked::<(DateTime<Utc>, String, String)>()?;
    let (start, contract, id) = match &request.after {
        Some((s, c, i)) => (Some(*s), Some(c.as_str()), Some(i.as_str())),
        None => (None, None, None),
    };
    let column = match party {
        Party::Fan => "m.fan",
        Party::Creator => "m.creator",
    };
    let (mut tx, height) = snapshot(&ctx.pool).await?;
    let rows: Vec<MeetingRow> = sqlx::query_as(&format!(
        "{MEETING_SQL} AND {column} = $1 \
         AND (NOT $2 OR m.start + make_interval(secs => m.duration_secs::float8) > coalesce({CHAIN_TIME_SQL}, '-infinity')) \
         AND ($3::timestamptz IS NULL OR (m.start, m.contract, m.meeting_id) > ($3, $4::text, $5::numeric)) \
         ORDER BY m.start, m.contract, m.meeting_id LIMIT $6"
    ))
    .bind(address.as_str())
    .bind(query.upcoming.unwrap_or(false))
    .bind(start)
    .bind(contract)
    .bind(id)
    .bind(request.fetch)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(request.page(
        rows,
        height,
        |row| encode_cursor(&(row.start, &row.contract, &row.meeting_id)),
        MeetingRow::full,
    ))
}

/// The fan's own meetings, soonest first (the session must be the fan's).
#[utoipa::path(get, path = "/fans/{address}/meetings", tag = "meetings",
    params(("address" = String, Path, description = "The fan's address"), MeetingsQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, body = Page<Meeting>),
        (status = 400, body = ErrorBody, description = "invalid_address, invalid_cursor, invalid_limit, invalid_query"),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "the session is not the fan's"),
    ))]
async fn fan_meetings(
    State(ctx): State<ApiContext>,
    session: Session,
    Path(fan): Path<Address>,
    Query(query): Query<MeetingsQuery>,
) -> Result<axum::Json<Page<Meeting>>, Error> {
    Ok(axum::Json(
        meetings_of(&ctx, &session, Party::Fan, &fan, query).await?,
    ))
}

/// The creator's own meetings, soonest first (the session must be the creator's).
#[utoipa::path(get, path = "/creators/{address}/meetings", tag = "meetings",
    params(("address" = String, Path, description = "The creator's address"), MeetingsQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, body = Page<Meeting>),
        (status = 400, body = ErrorBody, description = "invalid_address, invalid_cursor, invalid_limit, invalid_query"),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "the session is not the creator's"),
    ))]
async fn creator_meetings(
    State(ctx): State<ApiContext>,
    session: Session,
    Path(creator): Path<Address>,
    Query(query): Query<MeetingsQuery>,
) -> Result<axum::Json<Page<Meeting>>, Error> {
    Ok(axum::Json(
        meetings_of(&ctx, &session, Party::Creator, &creator, query).await?,
    ))
}
