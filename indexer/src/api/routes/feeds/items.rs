//! Reading feed items: keyset ranges by audience and kind, and what a tip shows.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::PgPool;

use super::{Audience, FeedFilter, FeedItem};
use crate::api::http::params::{rfc3339, Position};
#[derive(Clone, Copy)]
pub(super) enum Direction {
    /// Newest first, strictly below a position: pages.
    Older,
    /// Oldest first, strictly above a position: replay before live items.
    Newer,
}

const ITEM_COLUMNS: &str = "f.height, f.seq, f.kind, f.creator, f.fan, f.counterparty, \
     e.contract, e.event_type, e.tx_hash, e.attributes::text, e.block_time";

type ItemRow = (
    i64,
    i32,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    String,
    Option<String>,
    String,
    DateTime<Utc>,
);

fn item_from_row(row: ItemRow) -> FeedItem {
    let (
        height,
        seq,
        kind,
        creator,
        fan,
        counterparty,
        contract,
        event_type,
        tx_hash,
        attributes,
        time,
    ) = row;
    let pairs: Vec<(String, String)> = serde_json::from_str(&attributes).unwrap_or_default();
    let tip = kind == "tip" || kind == "fiat_tip";
    let anonymous =
        tip && (fan.is_none() || pairs.iter().any(|(k, v)| k == "anonymous" && v == "true"));
    let data = pairs
        .into_iter()
        .filter(|(k, _)| !k.starts_with('_') && (!tip || tip_field_shown(k, anonymous)))
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    let (fan, tx_hash) = tip_identity(anonymous, fan, tx_hash);
    FeedItem {
        id: Position { height, seq },
        kind,
        height,
        time: rfc3339(&time),
        tx_hash,
        contract,
        event_type,
        creator,
        fan,
        counterparty,
        data,
    }
}

/// The fields of a tip event an anonymous tip shows: what was given, to whom, where, and the
/// message; not the fan, nor anything that finds the fan's transaction (a gateway's payment
/// reference). A list of what is shown, so a field added to the event stays hidden until
/// it is named here.
const ANONYMOUS_TIP_FIELDS: &[&str] = &[
    "creator",
    "asset",
    "amount",
    "fee",
    "creator_amount",
    "payout",
    "currency",
    "amount_minor",
    "gateway",
    "context",
    "message",
    "anonymous",
];

/// Whether an answer shows field `key` of a tip event. `fan_total` never: it is the fan's
/// lifetime total, anonymous tips included, so a public tip's would tell them.
pub(super) fn tip_field_shown(key: &str, anonymous: bool) -> bool {
    if anonymous {
        ANONYMOUS_TIP_FIELDS.contains(&key)
    } else {
        key != "fan_total"
    }
}

/// The fan and the transaction hash an answer shows for a tip: neither for an anonymous one,
/// whose transaction is the fan's own (or the gateway's, naming the fan).
pub fn tip_identity(
    anonymous: bool,
    fan: Option<String>,
    tx_hash: Option<String>,
) -> (Option<String>, Option<String>) {
    if anonymous {
        (None, None)
    } else {
        (fan, tx_hash)
    }
}

/// Up to `limit` items of `filter` beyond `from` in `direction`.
pub(super) async fn fetch(
    pool: &PgPool,
    filter: &FeedFilter,
    from: Position,
    direction: Direction,
    limit: i64,
) -> Result<Vec<FeedItem>, sqlx::Error> {
    let (positions, order) = positions_sql(filter, direction);
    let sql = format!(
        "SELECT {ITEM_COLUMNS} FROM ({positions}) AS p \
         JOIN feed_items f ON f.height = p.height AND f.seq = p.seq \
         JOIN events e ON e.height = p.height AND e.seq = p.seq \
         ORDER BY f.height {order}, f.seq {order} LIMIT $5"
    );
    let rows: Vec<ItemRow> = bind_positions(sqlx::query_as(&sql), filter, from, limit)
        .fetch_all(pool)
        .await?;
    Ok(rows.into_iter().map(item_from_row).collect())
}

/// The positions (up to `$5` of them) of `filter`'s items beyond `($3, $4)` in `direction`,
/// and the SQL sort order of that direction. One index range per audience column; kinds
/// filter within it. `$1` the address, `$2` the kinds: see [`bind_positions`].
fn positions_sql(filter: &FeedFilter, direction: Direction) -> (String, &'static str) {
    let (beyond, order) = match direction {
        Direction::Older => ("<", "DESC"),
        Direction::Newer => (">", "ASC"),
    };
    let range = |column: &str| {
        format!(
            "SELECT height, seq FROM feed_items WHERE {column} \
               AND (height, seq) {beyond} ($3, $4) AND ($2::text[] IS NULL OR kind = ANY($2)) \
             ORDER BY height {order}, seq {order} LIMIT $5"
        )
    };
    let positions = match &filter.audience {
        Audience::Everyone => range("$1::text IS NULL"),
        Audience::Creator(_) => range("creator = $1"),
        Audience::Fan(_) => format!(
            "({}) UNION ({})",
            range("fan = $1"),
            range("counterparty = $1")
        ),
    };
    (positions, order)
}

fn bind_positions<'q, O>(
    query: sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments>,
    filter: &'q FeedFilter,
    from: Position,
    limit: i64,
) -> sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments> {
    let address = match &filter.audience {
        Audience::Everyone => None,
        Audience::Creator(a) | Audience::Fan(a) => Some(a.as_str()),
    };
    query
        .bind(address)
        .bind(filter.kinds.as_deref())
        .bind(from.height)
        .bind(from.seq)
        .bind(limit)
}

/// How many of `filter`'s items follow `after`, counting at most `limit`.
pub(super) async fn count_newer(
    pool: &PgPool,
    filter: &FeedFilter,
    after: Position,
    limit: i64,
) -> Result<i64, sqlx::Error> {
    let (positions, _) = positions_sql(filter, Direction::Newer);
    let sql = format!("SELECT count(*) FROM (SELECT * FROM ({positions}) AS p LIMIT $5) AS n");
    let (count,): (i64,) = bind_positions(sqlx::query_as(&sql), filter, after, limit)
        .fetch_one(pool)
        .await?;
    Ok(count)
}

/// The newest item's position (or `0-0`), where a live feed without a resume point starts.
pub async fn newest_position(pool: &PgPool) -> Result<Position, sqlx::Error> {
    let row: Option<(i64, i32)> =
        sqlx::query_as("SELECT height, seq FROM feed_items ORDER BY height DESC, seq DESC LIMIT 1")
            .fetch_optional(pool)
            .await?;
    Ok(
        row.map_or(Position { height: 0, seq: 0 }, |(height, seq)| Position {
            height,
            seq,
        }),
    )
}

/// Items after `after`, oldest first: what the live feed publishes and replays.
pub async fn fetch_newer(
    pool: &PgPool,
    filter: &FeedFilter,
    after: Position,
    limit: i64,
) -> Result<Vec<FeedItem>, sqlx::Error> {
    fetch(pool, filter, after, Direction::Newer, limit).await
}
