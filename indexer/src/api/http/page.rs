//! One shape for every list: `{items, next_cursor, height}`, asked for with `?limit=` and
//! `?cursor=` (`before` is the older name of `cursor` and means the same).
//!
//! - Pages are keyset pages: a cursor names the last item handed out, and the next page starts
//!   strictly after it in the list's order, so rows that arrive meanwhile never shift a page.
//! - A cursor is opaque to clients. Most are the last item's sort key as JSON in base64url;
//!   the feeds' are chain positions `<height>-<seq>`, as they always were.
//! - `height` is the indexed height the page holds at: items and height are read in one
//!   snapshot ([`snapshot`]), so no item is newer than the height says.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, PgPool, Postgres, Transaction};
use utoipa::{IntoParams, ToSchema};

use super::params::{page_size, Address};
use crate::api::Error;

/// Longest cursor accepted.
pub const MAX_CURSOR_LEN: usize = 512;

/// A page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
    /// The indexed height the page holds at; absent before the first block is indexed.
    pub height: Option<i64>,
}

/// One thing (a creator, a token, an auction) and the indexed height it holds at.
#[derive(Debug, Serialize, ToSchema)]
pub struct At<T: ToSchema> {
    /// The indexed height the answer holds at; absent before the first block is indexed.
    pub height: Option<i64>,
    #[serde(flatten)]
    pub value: T,
}

/// `?limit=` and `?cursor=` (or `?before=`).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Items per page, 1 to 100; 20 when absent.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// Where the page starts: `next_cursor` of the previous page.
    #[param(max_length = 512)]
    pub cursor: Option<String>,
    /// The same as `cursor` (its older name).
    #[param(max_length = 512)]
    pub before: Option<String>,
}

/// A list request, checked: how many items to read and after which key.
#[derive(Debug)]
pub struct PageRequest<K> {
    /// Rows to read: one more than the page holds, to learn whether another page follows.
    pub fetch: i64,
    pub size: usize,
    pub after: Option<K>,
}

impl PageParams {
    /// The page size and the decoded cursor, or `invalid_limit` / `invalid_cursor`.
    pub fn checked<K: DeserializeOwned>(&self) -> Result<PageRequest<K>, Error> {
        self.checked_with(decode_cursor)
    }

    /// As [`checked`](Self::checked), with the list's own cursor format.
    pub fn checked_with<K>(
        &self,
        parse: impl FnOnce(&str) -> Result<K, Error>,
    ) -> Result<PageRequest<K>, Error> {
        let size = page_size(self.limit)?;
        let cursor = match (&self.cursor, &self.before) {
            (Some(c), Some(b)) if c != b => {
                return Err(Error::invalid(
                    "invalid_cursor",
                    "cursor and before are the same parameter; give one",
                ))
            }
            (Some(c), _) | (None, Some(c)) => Some(c.as_str()),
            (None, None) => None,
        };
        let after = match cursor {
            Some(text) if text.len() > MAX_CURSOR_LEN => {
                return Err(invalid_cursor());
            }
            Some(text) => Some(parse(text)?),
            None => None,
        };
        Ok(PageRequest {
            fetch: size + 1,
            size: size as usize,
            after,
        })
    }
}

impl<K> PageRequest<K> {
    /// The page of `rows` (read with `LIMIT fetch`): at most `size` items, and the cursor of
    /// the last one when more rows follow.
    pub fn page<R, T: ToSchema>(
        &self,
        mut rows: Vec<R>,
        height: Option<i64>,
        cursor_of: impl Fn(&R) -> String,
        item: impl FnMut(R) -> T,
    ) -> Page<T> {
        let more = rows.len() > self.size;
        rows.truncate(self.size);
        let next_cursor = more.then(|| rows.last().map(&cursor_of)).flatten();
        Page {
            items: rows.into_iter().map(item).collect(),
            next_cursor,
            height,
        }
    }
}

/// Reads the one row `sql` (with `$1` the id and `$2` the contract or NULL) finds, or
/// `not_found`, or `conflict` when several contracts hold the id and none was named.
pub async fn one_by_id<R>(
    conn: &mut sqlx::PgConnection,
    sql: &str,
    id: &str,
    contract: Option<&Address>,
    what: &str,
) -> Result<R, Error>
where
    R: for<'r> FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
{
    let mut rows: Vec<R> = sqlx::query_as(sql)
        .bind(id)
        .bind(contract.map(Address::as_str))
        .fetch_all(conn)
        .await?;
    match rows.len() {
        0 => Err(Error::NotFound(format!("{what} {id}"))),
        1 => Ok(rows.remove(0)),
        _ => Err(Error::Conflict(format!(
            "several contracts hold {what} {id}; pass ?contract="
        ))),
    }
}

/// A sort key as a cursor: its JSON in base64url.
pub fn encode_cursor<K: Serialize>(key: &K) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).expect("a sort key serializes"))
}

/// The sort key a cursor from [`encode_cursor`] holds.
pub fn decode_cursor<K: DeserializeOwned>(text: &str) -> Result<K, Error> {
    let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| invalid_cursor())?;
    serde_json::from_slice(&bytes).map_err(|_| invalid_cursor())
}

/// The answer to a cursor that was not handed out.
pub fn invalid_cursor() -> Error {
    Error::invalid(
        "invalid_cursor",
        "unknown cursor: pass next_cursor of the previous page as it was",
    )
}

/// A read-only transaction that sees one snapshot, and the indexed height in it: answers read
/// through it hold at that height, however many blocks the ingest commits meanwhile.
pub async fn snapshot(
    pool: &PgPool,
) -> Result<(Transaction<'static, Postgres>, Option<i64>), Error> {
    let mut tx = pool
        .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .await?;
    let height = sqlx::query_scalar("SELECT height FROM ingest_cursor")
        .fetch_optional(&mut *tx)
        .await?;
    Ok((tx, height))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(limit: Option<u32>, cursor: Option<&str>, before: Option<&str>) -> PageParams {
        PageParams {
            limit,
            cursor: cursor.map(str::to_owned),
            before: before.map(str::to_owned),
        }
    }

    #[test]
    fn cursors_round_trip_and_refuse_what_was_not_handed_out() {
        let key = ("Ada".to_string(), 12_i64);
        let text = encode_cursor(&key);
        assert_eq!(decode_cursor::<(String, i64)>(&text).unwrap(), key);
        for bad in ["", "!!", "bm90IGpzb24", &"A".repeat(600)] {
            let err = params(None, Some(bad), None)
                .checked::<(String, i64)>()
                .unwrap_err();
            assert_eq!(err.code(), "invalid_cursor", "{bad}");
        }
    }

    #[test]
    fn before_is_cursor() {
        let text = encode_cursor(&7_i64);
        let by_before = params(None, None, Some(&text)).checked::<i64>().unwrap();
        assert_eq!(by_before.after, Some(7));
        let both = params(None, Some(&text), Some(&text))
            .checked::<i64>()
            .unwrap();
        assert_eq!(both.after, Some(7));
        let other = encode_cursor(&8_i64);
        assert!(params(None, Some(&text), Some(&other))
            .checked::<i64>()
            .is_err());
    }

    #[test]
    fn a_page_has_a_cursor_only_when_more_follow() {
        let request = params(Some(2), None, None).checked::<i64>().unwrap();
        assert_eq!((request.fetch, request.size), (3, 2));
        let full = request.page(vec![1, 2, 3], Some(9), |n| n.to_string(), |n| n);
        assert_eq!(full.items, vec![1, 2]);
        assert_eq!(full.next_cursor.as_deref(), Some("2"));
        assert_eq!(full.height, Some(9));
        let last = request.page(vec![1, 2], Some(9), |n| n.to_string(), |n| n);
        assert_eq!(last.next_cursor, None);
        assert!(params(Some(0), None, None).checked::<i64>().is_err());
    }
}
