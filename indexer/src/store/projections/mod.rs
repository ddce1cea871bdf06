//! Projections: the tables the API reads, each kept by one [`Projection`] from the decoded
//! events of a batch of blocks, inside the batch's transaction.
//!
//! Adding one: a migration with its tables, a module with a [`Projection`] that picks the events
//! it wants (by contract kind and type) and writes them in a few multi-row statements, and one
//! entry in [`PROJECTIONS`]. Events carry the full new state of what they change (totals,
//! status, revision), so a projection appends history rows (COPY: they are keyed by the event's
//! position, which no other event shares), keeps the last state per key (an UNNEST upsert of
//! [`Keyed`] rows), or adds to running totals ([`Totals`]). Rows are [`row!`] types, whose
//! fields name their columns.

mod contracts;
mod creators;
pub mod feed;
mod meetings;
mod ppv;
mod subscriptions;
mod surprises;
mod tips;

use std::collections::{BTreeMap, HashMap};

use cosmwasm_std::Timestamp;
use futures_util::future::BoxFuture;
use serde::Serialize;
use sqlx::PgConnection;
use tracing::Instrument;

use super::rows::{row, text, Row, Rows};
use crate::decode::{Origin, StoredEvent};

/// One projection: the tables it keeps and the SQL that writes them.
pub trait Projection: Sync {
    /// A short name, for logs.
    fn name(&self) -> &'static str;

    /// Writes what `events` (in block order) change in the projection's tables.
    fn apply<'a>(&'a self, conn: &'a mut PgConnection, events: Events<'a>) -> Applied<'a>;
}

/// A batch's decoded events, in block order.
pub type Events<'a> = &'a [&'a StoredEvent];
pub type Applied<'a> = BoxFuture<'a, Result<(), sqlx::Error>>;

/// Every projection, in the order they run; `feed` reads the others' tables, so it runs last.
static PROJECTIONS: &[&dyn Projection] = &[
    &contracts::Contracts,
    &creators::Creators,
    &tips::Tips,
    &subscriptions::Subscriptions,
    &ppv::Ppv,
    &surprises::Surprises,
    &meetings::Meetings,
    &feed::Feed,
];

/// Applies `events` (in block order) to every projection.
pub async fn apply_all(
    conn: &mut PgConnection,
    events: &[&StoredEvent],
) -> Result<(), sqlx::Error> {
    if events.is_empty() {
        return Ok(());
    }
    for projection in PROJECTIONS {
        let span = tracing::debug_span!("projection", name = projection.name());
        projection.apply(conn, events).instrument(span).await?;
    }
    Ok(())
}

/// Rows, one per key, for upserts (a statement may not touch a row twice).
pub struct Keyed<R> {
    index: HashMap<String, usize>,
    rows: Vec<R>,
}

impl<R> Default for Keyed<R> {
    fn default() -> Self {
        Keyed {
            index: HashMap::new(),
            rows: Vec::new(),
        }
    }
}

impl<R> Keyed<R> {
    /// The row replaces any earlier one of its key: events that carry the full new state.
    pub fn replace(&mut self, key: String, row: R) {
        match self.index.get(&key) {
            Some(&i) => self.rows[i] = row,
            None => {
                self.index.insert(key, self.rows.len());
                self.rows.push(row);
            }
        }
    }

    pub fn into_rows(self) -> Rows<R> {
        Rows(self.rows)
    }
}

impl<R: Row> Keyed<R> {
    /// The row's `Some` fields overwrite those of any earlier row of its key: events that
    /// change part of a state.
    pub fn merge(&mut self, key: String, row: R) {
        match self.index.get(&key) {
            Some(&i) => self.rows[i].merge(row),
            None => {
                self.index.insert(key, self.rows.len());
                self.rows.push(row);
            }
        }
    }
}

/// Running totals keyed by three texts (e.g. creator, fan, asset), summed over a batch and
/// added to the table's totals in one upsert (see [`Totals::upsert`]).
#[derive(Default)]
pub struct Totals {
    partials: BTreeMap<[String; 3], Vec<Partial>>,
}

#[derive(Default, Clone, Copy)]
struct Partial {
    sum: u128,
    count: u64,
    last_height: u64,
}

row! {
    /// A [`Partial`] of one key, for [`Totals::upsert`].
    struct PartialRow { key1, key2, key3, total: numeric, count: bigint, last_height: bigint }
}

impl Totals {
    pub fn add(&mut self, key: [String; 3], amount: u128, height: u64) {
        let partials = self.partials.entry(key).or_default();
        // A sum past u128 starts another partial; SQL adds them up as numeric.
        match partials
            .last_mut()
            .and_then(|p| p.sum.checked_add(amount).map(|sum| (p, sum)))
        {
            Some((partial, sum)) => {
                partial.sum = sum;
                partial.count += 1;
                partial.last_height = partial.last_height.max(height);
            }
            None => partials.push(Partial {
                sum: amount,
                count: 1,
                last_height: height,
            }),
        }
    }

    /// Adds the totals to `table`: its columns `keys` (in the order of [`Totals::add`]'s key),
    /// `total`, `count` and `last_height`.
    pub async fn upsert(
        self,
        conn: &mut PgConnection,
        table: &str,
        keys: [&str; 3],
        total: &str,
        count: &str,
    ) -> Result<(), sqlx::Error> {
        let mut rows = Rows::default();
        for (key, partials) in self.partials {
            for p in partials {
                let [key1, key2, key3] = key.clone();
                rows.push(PartialRow {
                    key1: Some(key1),
                    key2: Some(key2),
                    key3: Some(key3),
                    total: text(p.sum),
                    count: text(p.count),
                    last_height: text(p.last_height),
                });
            }
        }
        let [k1, k2, k3] = keys;
        let sql = format!(
            "INSERT INTO {table} AS t ({k1}, {k2}, {k3}, {total}, {count}, last_height)
             SELECT key1, key2, key3, sum(total), sum(count), max(last_height)
             FROM {{rows}}
             GROUP BY key1, key2, key3
             ON CONFLICT ({k1}, {k2}, {k3}) DO UPDATE
             SET {total} = t.{total} + EXCLUDED.{total}, {count} = t.{count} + EXCLUDED.{count},
                 last_height = greatest(t.last_height, EXCLUDED.last_height)"
        );
        rows.execute(conn, &sql).await
    }
}

/// A Mesi timestamp as text for `::timestamptz`.
pub fn time(t: Timestamp) -> Option<String> {
    Some(nanos_to_rfc3339(t.nanos()))
}

/// A structured value as text for `::jsonb`.
pub fn json(value: &impl Serialize) -> Option<String> {
    serde_json::to_string(value).ok()
}

row! {
    /// The columns every event's row starts with.
    pub struct OriginRow { height: bigint, seq: integer, tx_hash, block_time: timestamptz, contract }
}

pub fn origin(origin: &Origin) -> OriginRow {
    OriginRow {
        height: text(origin.height),
        seq: text(origin.position.seq),
        tx_hash: origin.tx_hash.clone(),
        block_time: text(&origin.block_time),
        contract: text(&origin.contract),
    }
}

/// Nanoseconds since the epoch (how Mesi events carry time) as RFC 3339 for `::timestamptz`.
/// PostgreSQL keeps microseconds; the nanoseconds are dropped.
pub fn nanos_to_rfc3339(nanos: u64) -> String {
    let secs = nanos / 1_000_000_000;
    let micros = (nanos % 1_000_000_000) / 1_000;
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{micros:06}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_split_sums_past_u128_and_keep_counts() {
        let key = || ["c".to_string(), "f".to_string(), "native:u".to_string()];
        let mut totals = Totals::default();
        totals.add(key(), u128::MAX - 1, 3);
        totals.add(key(), 1, 4);
        totals.add(key(), 5, 9);
        totals.add(["c".into(), "g".into(), "native:u".into()], 7, 2);
        let partials: Vec<_> = totals.partials[&key()]
            .iter()
            .map(|p| (p.sum, p.count, p.last_height))
            .collect();
        assert_eq!(partials, [(u128::MAX, 2, 4), (5, 1, 9)]);
        assert_eq!(totals.partials.len(), 2);
    }

    row! {
        struct Three { a, b, c }
    }

    fn three(a: Option<String>, b: Option<String>, c: Option<String>) -> Three {
        Three { a, b, c }
    }

    #[test]
    fn keyed_rows_replace_or_merge() {
        let mut keyed = Keyed::default();
        keyed.merge("a".into(), three(text(1), None, text("x")));
        keyed.merge("b".into(), three(text(2), text("y"), None));
        keyed.merge("a".into(), three(None, text("z"), None));
        keyed.replace("b".into(), three(text(3), None, None));
        let rows: Vec<_> = keyed
            .into_rows()
            .0
            .into_iter()
            .map(|r| [r.a, r.b, r.c])
            .collect();
        assert_eq!(
            rows,
            [[text(1), text("z"), text("x")], [text(3), None, None]]
        );
    }

    #[test]
    fn feed_runs_last_and_every_projection_once() {
        let names: Vec<_> = PROJECTIONS.iter().map(|p| p.name()).collect();
        assert_eq!(names.last(), Some(&"feed"));
        let unique: std::collections::HashSet<_> = names.iter().collect();
        assert_eq!(unique.len(), names.len());
    }

    #[test]
    fn formats_nanos() {
        assert_eq!(nanos_to_rfc3339(0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(
            nanos_to_rfc3339(1_663_873_047_243_575_136),
            "2022-09-22T18:57:27.243575Z"
        );
        assert_eq!(
            nanos_to_rfc3339(951_782_400_000_000_000),
            "2000-02-29T00:00:00.000000Z"
        );
        assert_eq!(nanos_to_rfc3339(u64::MAX), "2554-07-21T23:34:33.709551Z");
    }
}
