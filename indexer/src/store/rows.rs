//! Rows whose values name their columns. A row type is declared once with [`row!`], each column
//! with the SQL type its text is read as; the COPY column list, the `UNNEST` parameters and the
//! row alias all come from that one declaration, so a statement cannot take a row's values in
//! another order than its columns. Values travel as text and are cast in SQL, which keeps
//! 128-bit amounts exact and u64 ids in range.

use sqlx::PgConnection;

use super::copy::CopyRows;

/// One column: its name and the SQL type its text is cast to (`None`: it stays text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    pub sql_type: Option<&'static str>,
}

/// A row of text values, one per column; implemented by [`row!`].
pub trait Row {
    fn columns() -> Vec<Column>;
    /// Appends the values, in the order of [`Row::columns`].
    fn values(self, into: &mut Vec<Option<String>>);
    /// Takes the values `newer` has (`Some`), keeping the others: an event that changes part of
    /// a state.
    fn merge(&mut self, newer: Self);
}

/// Declares a row type: a struct of `Option<String>` fields, one per column, named as the
/// column and given as `name` (text) or `name: sql_type`. A leading `#[flatten] field: Type`
/// puts the columns of another row type first.
macro_rules! row {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $(#[flatten] $inner:ident: $inner_type:ty,)?
            $($column:ident $(: $sql_type:ident)?),* $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis struct $name {
            $(pub $inner: $inner_type,)?
            $(pub $column: Option<String>,)*
        }

        impl $crate::store::rows::Row for $name {
            fn columns() -> Vec<$crate::store::rows::Column> {
                let mut columns = Vec::new();
                $(columns.extend(<$inner_type as $crate::store::rows::Row>::columns());)?
                columns.extend([$($crate::store::rows::Column {
                    name: stringify!($column),
                    sql_type: $crate::store::rows::row!(@sql_type $($sql_type)?),
                }),*]);
                columns
            }

            fn values(self, into: &mut Vec<Option<String>>) {
                $($crate::store::rows::Row::values(self.$inner, into);)?
                $(into.push(self.$column);)*
            }

            fn merge(&mut self, newer: Self) {
                $($crate::store::rows::Row::merge(&mut self.$inner, newer.$inner);)?
                $(if newer.$column.is_some() {
                    self.$column = newer.$column;
                })*
            }
        }
    };
    (@sql_type) => { None };
    (@sql_type $sql_type:ident) => { Some(stringify!($sql_type)) };
}
pub(crate) use row;

/// A value as text for a `::type` cast (or for COPY, which reads it as its column's type).
pub fn text(value: impl ToString) -> Option<String> {
    Some(value.to_string())
}

/// Rows for one statement, in the order they were pushed.
pub struct Rows<R>(pub Vec<R>);

impl<R> Default for Rows<R> {
    fn default() -> Self {
        Rows(Vec::new())
    }
}

impl<R: Row> Rows<R> {
    pub fn push(&mut self, row: R) {
        self.0.push(row);
    }

    /// Appends the rows to `table` with `COPY ... FROM STDIN`.
    pub async fn copy_into(self, conn: &mut PgConnection, table: &str) -> Result<(), sqlx::Error> {
        let mut copy = CopyRows::default();
        let mut values = Vec::new();
        for row in self.0 {
            row.values(&mut values);
            for value in values.drain(..) {
                copy.field(value.as_deref());
            }
            copy.end_row();
        }
        copy.send(conn, &copy_target::<R>(table)).await?;
        Ok(())
    }

    /// `INSERT INTO table AS t (columns) SELECT ... FROM <the rows> ` followed by `tail` (an
    /// `ON CONFLICT` clause).
    pub async fn insert_into(
        self,
        conn: &mut PgConnection,
        table: &str,
        tail: &str,
    ) -> Result<(), sqlx::Error> {
        self.execute(conn, &insert_sql::<R>(table, tail)).await
    }

    /// Runs `sql` with the rows, which it reads as `{rows}`: a subquery `u` whose columns are
    /// the row's, already cast. Does nothing without rows.
    pub async fn execute(self, conn: &mut PgConnection, sql: &str) -> Result<(), sqlx::Error> {
        if self.0.is_empty() {
            return Ok(());
        }
        debug_assert!(sql.contains("{rows}"), "the statement reads no rows: {sql}");
        let sql = sql.replace("{rows}", &unnest_sql::<R>());
        let mut columns: Vec<_> = R::columns()
            .iter()
            .map(|_| Vec::with_capacity(self.0.len()))
            .collect();
        let mut values = Vec::new();
        for row in self.0 {
            row.values(&mut values);
            for (column, value) in columns.iter_mut().zip(values.drain(..)) {
                column.push(value);
            }
        }
        let mut query = sqlx::query(&sql);
        for column in columns {
            query = query.bind(column);
        }
        query.execute(conn).await?;
        Ok(())
    }
}

fn names<R: Row>() -> String {
    let names: Vec<_> = R::columns().iter().map(|c| c.name).collect();
    names.join(", ")
}

/// `table (a, b, ...)`, for COPY.
fn copy_target<R: Row>(table: &str) -> String {
    format!("{table} ({})", names::<R>())
}

/// `(SELECT a, b::numeric AS b FROM UNNEST($1::text[], $2::text[]) AS r(a, b)) AS u`
fn unnest_sql<R: Row>() -> String {
    let columns = R::columns();
    let typed: Vec<_> = columns
        .iter()
        .map(|c| match c.sql_type {
            None => c.name.to_owned(),
            Some(sql_type) => format!("{0}::{sql_type} AS {0}", c.name),
        })
        .collect();
    let parameters: Vec<_> = (1..=columns.len())
        .map(|i| format!("${i}::text[]"))
        .collect();
    format!(
        "(SELECT {} FROM UNNEST({}) AS r({})) AS u",
        typed.join(", "),
        parameters.join(", "),
        names::<R>()
    )
}

fn insert_sql<R: Row>(table: &str, tail: &str) -> String {
    let names = names::<R>();
    format!("INSERT INTO {table} AS t ({names}) SELECT {names} FROM {{rows}} {tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    row! {
        struct Inner { height: bigint, note }
    }

    row! {
        struct Outer {
            #[flatten] inner: Inner,
            amount: numeric,
            memo,
        }
    }

    #[test]
    fn values_follow_the_columns() {
        let names: Vec<_> = Outer::columns().iter().map(|c| c.name).collect();
        assert_eq!(names, ["height", "note", "amount", "memo"]);
        let max = u128::MAX.to_string();
        let row = Outer {
            inner: Inner {
                height: Some("7".into()),
                note: None,
            },
            amount: Some(max.clone()),
            memo: Some("m".into()),
        };
        let mut values = Vec::new();
        row.values(&mut values);
        assert_eq!(
            values,
            [Some("7".into()), None, Some(max), Some("m".into())]
        );
    }

    #[test]
    fn statements_name_the_columns_once() {
        assert_eq!(
            copy_target::<Outer>("t1"),
            "t1 (height, note, amount, memo)"
        );
        assert_eq!(
            unnest_sql::<Outer>(),
            "(SELECT height::bigint AS height, note, amount::numeric AS amount, memo \
             FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[]) AS r(height, note, amount, memo)) AS u"
        );
        assert_eq!(
            insert_sql::<Outer>("t1", "ON CONFLICT DO NOTHING"),
            "INSERT INTO t1 AS t (height, note, amount, memo) SELECT height, note, amount, memo \
             FROM {rows} ON CONFLICT DO NOTHING"
        );
    }
}
