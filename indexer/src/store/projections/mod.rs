//! Projections: the tables the API reads, each kept by one module from the decoded events of a
//! batch of blocks, inside the batch's transaction.
//!
//! Adding one: a migration with its tables, a module with `apply(conn, events)` that picks the
//! events it wants (by contract kind and type) and writes them in a few multi-row statements,
//! and one line in [`apply_all`]. Events carry the full new state of what they change (totals,
//! status, revision), so a projection appends history rows (COPY: they are keyed by the event's
//! position, which no other event shares), keeps the last state per key (an UNNEST upsert), or
//! adds to running totals ([`Totals`]).

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
use serde::Serialize;
use sqlx::postgres::PgArguments;
use sqlx::query::Query;
use sqlx::{PgConnection, Postgres};

use super::copy::CopyRows;
use crate::decode::{Origin, StoredEvent};

/// Applies `events` (in block order) to every projection.
pub async fn apply_all(
    conn: &mut PgConnection,
    events: &[&StoredEvent],
) -> Result<(), sqlx::Error> {
    if events.is_empty() {
        return Ok(());
    }
    contracts::apply(conn, events).await?;
    creators::apply(conn, events).await?;
    tips::apply(conn, events).await?;
    subscriptions::apply(conn, events).await?;
    ppv::apply(conn, events).await?;
    surprises::apply(conn, events).await?;
    meetings::apply(conn, events).await?;
    feed::apply(conn, events).await?;
    Ok(())
}

/// `N` parallel text columns, bound as `$1::text[] ... $N::text[]` for `UNNEST`; values are cast
/// to their column types in SQL, which keeps 128-bit amounts exact and u64 ids in range.
pub struct Columns<const N: usize> {
    columns: [Vec<Option<String>>; N],
}

impl<const N: usize> Default for Columns<N> {
    fn default() -> Self {
        Columns {
            columns: std::array::from_fn(|_| Vec::new()),
        }
    }
}

impl<const N: usize> Columns<N> {
    pub fn push(&mut self, row: [Option<String>; N]) {
        for (column, value) in self.columns.iter_mut().zip(row) {
            column.push(value);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.columns[0].is_empty()
    }

    pub fn len(&self) -> usize {
        self.columns[0].len()
    }

    pub fn bind<'q>(
        self,
        mut query: Query<'q, Postgres, PgArguments>,
    ) -> Query<'q, Postgres, PgArguments> {
        for column in self.columns {
            query = query.bind(column);
        }
        query
    }

    /// Runs `sql` with the columns as its parameters, unless there are no rows.
    pub async fn execute(self, conn: &mut PgConnection, sql: &str) -> Result<(), sqlx::Error> {
        if !self.is_empty() {
            self.bind(sqlx::query(sql)).execute(conn).await?;
        }
        Ok(())
    }

    /// Appends the rows with `COPY target FROM STDIN` (`target` is `table (col, ...)`).
    pub async fn copy_into(self, conn: &mut PgConnection, target: &str) -> Result<(), sqlx::Error> {
        let mut rows = CopyRows::default();
        for i in 0..self.len() {
            for column in &self.columns {
                rows.field(column[i].as_deref());
            }
            rows.end_row();
        }
        rows.send(conn, target).await?;
        Ok(())
    }
}

/// Rows of `N` columns, one per key, for upserts (a statement may not touch a row twice).
pub struct Keyed<const N: usize> {
    index: HashMap<String, usize>,
    rows: Vec<[Option<String>; N]>,
}

impl<const N: usize> Default for Keyed<N> {
    fn default() -> Self {
        Keyed {
            index: HashMap::new(),
            rows: Vec::new(),
        }
    }
}

impl<const N: usize> Keyed<N> {
    /// The row replaces any earlier one of its key: events that carry the full new state.
    pub fn replace(&mut self, key: String, row: [Option<String>; N]) {
        match self.index.get(&key) {
            Some(&i) => self.rows[i] = row,
            None => {
                self.index.insert(key, self.rows.len());
                self.rows.push(row);
            }
        }
    }

    /// The row's `Some` fields overwrite those of any earlier row of its key: events that
    /// change part of a state.
    pub fn merge(&mut self, key: String, row: [Option<String>; N]) {
        match self.index.get(&key) {
            Some(&i) => {
                for (old, new) in self.rows[i].iter_mut().zip(row) {
                    if new.is_some() {
                        *old = new;
                    }
                }
            }
            None => {
                self.index.insert(key, self.rows.len());
                self.rows.push(row);
            }
        }
    }

    pub fn into_rows(self) -> Vec<[Option<String>; N]> {
        self.rows
    }

    pub fn into_columns(self) -> Columns<N> {
        let mut columns = Columns::default();
        for row in self.rows {
            columns.push(row);
        }
        columns
    }
}

/// Running totals keyed by three texts (e.g. creator, fan, asset), summed over a batch and
/// added to the table's totals in one upsert (see [`Totals::upsert_sql`]).
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

    /// Adds the totals to `table (key1, key2, key3, total, count, last_height)`.
    pub async fn upsert(
        self,
        conn: &mut PgConnection,
        table: &str,
        columns: [&str; 6],
    ) -> Result<(), sqlx::Error> {
        let mut rows = Columns::<6>::default();
        for (key, partials) in self.partials {
            for p in partials {
                let [a, b, c] = key.clone();
                rows.push([
                    Some(a),
                    Some(b),
                    Some(c),
                    text(p.sum),
                    text(p.count),
                    text(p.last_height),
                ]);
            }
        }
        let [k1, k2, k3, total, count, last] = columns;
        let sql = format!(
            "INSERT INTO {table} AS t ({k1}, {k2}, {k3}, {total}, {count}, {last})
             SELECT k1, k2, k3, sum(total::numeric), sum(n::bigint), max(h::bigint)
             FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS u(k1, k2, k3, total, n, h)
             GROUP BY k1, k2, k3
             ON CONFLICT ({k1}, {k2}, {k3}) DO UPDATE
             SET {total} = t.{total} + EXCLUDED.{total}, {count} = t.{count} + EXCLUDED.{count},
                 {last} = greatest(t.{last}, EXCLUDED.{last})"
        );
        rows.execute(conn, &sql).await
    }
}

/// A value as text for a `::type` cast.
pub fn text(value: impl ToString) -> Option<String> {
    Some(value.to_string())
}

/// A Mesi timestamp as text for `::timestamptz`.
pub fn time(t: Timestamp) -> Option<String> {
    Some(nanos_to_rfc3339(t.nanos()))
}

/// A structured value as text for `::jsonb`.
pub fn json(value: &impl Serialize) -> Option<String> {
    serde_json::to_string(value).ok()
}

/// `height, seq, tx_hash, block_time, contract`: the columns every projection row starts with.
pub fn origin_columns(origin: &Origin) -> [Option<String>; 5] {
    [
        Some(origin.height.to_string()),
        Some(origin.position.seq.to_string()),
        origin.tx_hash.clone(),
        Some(origin.block_time.clone()),
        Some(origin.contract.clone()),
    ]
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

    #[test]
    fn keyed_rows_replace_or_merge() {
        let mut keyed = Keyed::<3>::default();
        keyed.merge("a".into(), [text(1), None, text("x")]);
        keyed.merge("b".into(), [text(2), text("y"), None]);
        keyed.merge("a".into(), [None, text("z"), None]);
        keyed.replace("b".into(), [text(3), None, None]);
        assert_eq!(
            keyed.into_rows(),
            [[text(1), text("z"), text("x")], [text(3), None, None]]
        );
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
