//! A fresh PostgreSQL database per test, from the server named by `DATABASE_URL`
//! (`scripts/pg-start` starts one), and digests of every table for comparing two databases.

use std::collections::BTreeMap;

use sqlx::{Connection, PgConnection, PgPool};

/// A database that exists for one test and is dropped with this value.
pub struct TestDb {
    /// The URL of the new database.
    pub url: String,
    admin_url: String,
    name: String,
}

impl TestDb {
    /// Creates `test_<random>`. Without `DATABASE_URL` this returns `None` after a loud message
    /// (the test then does nothing), except under CI (`CI=true`), where it panics.
    pub async fn create() -> Option<TestDb> {
        let Ok(admin_url) = std::env::var("DATABASE_URL") else {
            if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
                panic!("DATABASE_URL is not set under CI: start PostgreSQL with scripts/pg-start");
            }
            eprintln!("\n*** SKIPPED: DATABASE_URL is not set; run `eval \"$(scripts/pg-start)\"` to test against PostgreSQL ***\n");
            return None;
        };
        let name = format!("test_{:016x}", fastrand::u64(..));
        let mut admin = PgConnection::connect(&admin_url)
            .await
            .expect("connect to DATABASE_URL");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .expect("create test database");
        let _ = admin.close().await;
        Some(TestDb {
            url: with_database(&admin_url, &name),
            admin_url,
            name,
        })
    }

    pub async fn pool(&self) -> PgPool {
        PgPool::connect(&self.url)
            .await
            .expect("connect to the test database")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        // Drop runs outside async code (or inside a runtime that must not block): use a thread.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let mut admin = PgConnection::connect(&admin_url).await.ok()?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin)
                    .await
                    .ok()
            })
        })
        .join();
    }
}

/// `url` with its database name replaced.
pub fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[authority_start..]
        .find('/')
        .map_or(base.len(), |i| authority_start + i);
    let mut out = format!("{}/{database}", &base[..path_start]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

/// Row count and an md5 of every row (sorted) of every table but the migration log,
/// `chain_heads` (what the node said when: it differs between runs over the same chain), and
/// `gating_version` and `gating_changes` (they count statements, which depend on how blocks
/// were batched), and `auth_nonce_key` (random per database).
pub async fn table_digests(pool: &PgPool) -> BTreeMap<String, (i64, String)> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' \
         AND tablename NOT IN ('_sqlx_migrations', 'chain_heads', 'gating_version', 'gating_changes', 'auth_nonce_key') ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .expect("list tables");
    let mut digests = BTreeMap::new();
    for table in tables {
        let sql = format!("SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM {table} t");
        let digest: (i64, String) = sqlx::query_as(&sql).fetch_one(pool).await.expect("digest");
        digests.insert(table, digest);
    }
    digests
}

/// Columns that say where and when on its chain a row happened (heights, positions, hashes,
/// times and the JSON that carries times): they differ between two chains that ran the same
/// transactions.
fn is_chain_position(column: &str) -> bool {
    matches!(
        column,
        "height"
            | "seq"
            | "tx_hash"
            | "tx_index"
            | "block_time"
            | "id"
            | "time"
            | "data"
            | "hints"
            | "attributes"
    ) || column.ends_with("_at")
        || column.ends_with("_time")
        || column.ends_with("_height")
        || column.ends_with("_until")
        || column.ends_with("_seq")
}

/// [`table_digests`] over the columns that do not depend on where and when the rows happened
/// on their chain (see `is_chain_position`): equal for two chains that ran the same
/// transactions, whatever their heights and clocks.
pub async fn chain_independent_digests(database_url: &str) -> BTreeMap<String, (i64, String)> {
    let pool = &PgPool::connect(database_url).await.expect("connect");
    let mut digests = BTreeMap::new();
    for (table, _) in table_digests(pool).await {
        let columns: Vec<String> = sqlx::query_scalar(
            "SELECT column_name::text FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
        )
        .bind(&table)
        .fetch_all(pool)
        .await
        .expect("list columns");
        let kept: Vec<String> = columns
            .into_iter()
            .filter(|c| !is_chain_position(c))
            .map(|c| format!("\"{c}\""))
            .collect();
        let row = if kept.is_empty() {
            "''".to_string()
        } else {
            format!("concat_ws('|', {})", kept.join(", "))
        };
        let sql = format!(
            "SELECT count(*), md5(coalesce(string_agg(r, E'\\n' ORDER BY r), '')) \
             FROM (SELECT {row} AS r FROM {table}) t"
        );
        let digest: (i64, String) = sqlx::query_as(&sql).fetch_one(pool).await.expect("digest");
        digests.insert(table, digest);
    }
    digests
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn replaces_the_database() {
        assert_eq!(
            with_database("postgres://u@127.0.0.1:5432/postgres", "t"),
            "postgres://u@127.0.0.1:5432/t"
        );
        assert_eq!(with_database("postgres://u@h:1", "t"), "postgres://u@h:1/t");
        assert_eq!(
            with_database("postgres://u@h/db?sslmode=disable", "t"),
            "postgres://u@h/t?sslmode=disable"
        );
    }
}
