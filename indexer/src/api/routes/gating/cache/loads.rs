//! Loads: a creator's rule and facts read in one snapshot, made into an entry.

use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use cosmwasm_std::Uint128;
use mesi_common::chat_rule::ChatRule;
use sqlx::PgPool;

use super::facts::FanFacts;
use super::{CreatorEntry, Synced};
use crate::api::http::params::Address;
use crate::api::state::CHAIN_TIME_SQL;
use crate::api::Error;
/// A creator's rule and facts (of every fan, or of one), read in one snapshot.
pub(super) struct Loaded {
    pub(super) at: Synced,
    rule: Option<ChatRule>,
    subscriptions: Vec<(String, i64, i64)>,
    tips: Vec<(String, String, String)>,
    ppv: Vec<(String, String, String)>,
    holders: Vec<String>,
}

type LoadRow = (
    i64,
    Option<i64>,
    Option<DateTime<Utc>>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Reads `creator`'s rule and the facts of `fan`, or of every fan when `None`, at most
/// `limit + 1` rows per table (more tells the caller the creator is large). The conditions are
/// those of [`crate::api::routes::gating::load_gate`].
pub(super) async fn load(
    pool: &PgPool,
    creator: &Address,
    fan: Option<&Address>,
    limit: usize,
) -> Result<Loaded, Error> {
    // $1 creator, $2 row limit, $3 fan.
    let of_fan = |column: &str| match fan {
        Some(_) => format!(" AND {column} = $3"),
        None => String::new(),
    };
    let sql = format!(
        "WITH profile AS ( \
             SELECT c.chat_rule, p.contracts FROM creators c \
             LEFT JOIN platform_config p ON p.contract = c.contract \
             WHERE c.creator = $1 ORDER BY c.updated_height DESC, c.contract LIMIT 1) \
         SELECT g.version, (SELECT height FROM ingest_cursor), {CHAIN_TIME_SQL}, \
             profile.chat_rule::text, \
             (SELECT json_agg(json_build_array(x.fan, x.tier, x.expires))::text FROM ( \
                 SELECT s.fan, s.tier, CASE WHEN isfinite(s.expires_at) \
                     THEN (extract(epoch FROM s.expires_at) * 1000000)::bigint \
                     WHEN s.expires_at > 'epoch' THEN 9223372036854775807 \
                     ELSE -9223372036854775808 END AS expires \
                 FROM subscriptions s \
                 WHERE s.contract = profile.contracts->>'subscriptions' AND s.creator = $1{sub} \
                 LIMIT $2) x), \
             (SELECT json_agg(json_build_array(x.fan, x.asset, x.total::text))::text FROM ( \
                 SELECT t.fan, t.asset, t.total FROM tip_totals t \
                 WHERE profile.contracts->>'tips' IS NOT NULL AND t.creator = $1{tip} \
                 LIMIT $2) x), \
             (SELECT json_agg(json_build_array(x.buyer, x.asset, x.total::text))::text FROM ( \
                 SELECT t.buyer, t.asset, t.total FROM ppv_totals t \
                 WHERE profile.contracts->>'ppv' IS NOT NULL AND t.creator = $1{ppv} \
                 LIMIT $2) x), \
             (SELECT json_agg(x.owner)::text FROM ( \
                 SELECT DISTINCT s.owner FROM surprises s \
                 WHERE s.contract = profile.contracts->>'surprises' AND s.creator = $1{held} \
                 LIMIT $2) x) \
         FROM gating_version g LEFT JOIN profile ON true",
        sub = of_fan("s.fan"),
        tip = of_fan("t.fan"),
        ppv = of_fan("t.buyer"),
        held = of_fan("s.owner"),
    );
    let limit = i64::try_from(limit.saturating_add(1)).unwrap_or(i64::MAX);
    let mut query = sqlx::query_as::<_, LoadRow>(&sql)
        .bind(creator.as_str())
        .bind(limit);
    if let Some(fan) = fan {
        query = query.bind(fan.as_str());
    }
    let (version, height, block_time, rule, subscriptions, tips, ppv, holders) =
        query.fetch_one(pool).await?;
    let rule = rule
        .map(|rule| serde_json::from_str::<ChatRule>(&rule))
        .transpose()
        .map_err(|e| anyhow::anyhow!("the stored chat rule of {creator} does not parse: {e}"))?;
    Ok(Loaded {
        at: Synced {
            version,
            height,
            block_time,
        },
        rule,
        subscriptions: parse_json(subscriptions)?,
        tips: parse_json(tips)?,
        ppv: parse_json(ppv)?,
        holders: parse_json(holders)?,
    })
}

fn parse_json<T: serde::de::DeserializeOwned>(json: Option<String>) -> Result<Vec<T>, Error> {
    match json {
        Some(json) => Ok(serde_json::from_str(&json)
            .map_err(|e| anyhow::anyhow!("gating facts do not parse: {e}"))?),
        None => Ok(Vec::new()),
    }
}

impl Loaded {
    /// The entry; not `complete` when a table had more than `limit` rows (then without fans).
    pub(super) fn into_entry(self, limit: usize) -> Result<CreatorEntry, Error> {
        let complete = [
            self.subscriptions.len(),
            self.tips.len(),
            self.ppv.len(),
            self.holders.len(),
        ]
        .into_iter()
        .all(|n| n <= limit);
        let mut fans: HashMap<String, FanFacts> = HashMap::new();
        if complete {
            let mut assets: HashMap<String, Arc<str>> = HashMap::new();
            let mut intern = |asset: String| -> Arc<str> {
                assets
                    .entry(asset)
                    .or_insert_with_key(|a| Arc::from(a.as_str()))
                    .clone()
            };
            for (fan, tier, expires) in self.subscriptions {
                fans.entry(fan).or_default().subscription = Some((tier, expires));
            }
            for (fan, asset, total) in self.tips {
                let total = parse_total(&total)?;
                fans.entry(fan)
                    .or_default()
                    .tipped
                    .push((intern(asset), total));
            }
            for (fan, asset, total) in self.ppv {
                let total = parse_total(&total)?;
                fans.entry(fan)
                    .or_default()
                    .ppv_spent
                    .push((intern(asset), total));
            }
            for owner in self.holders {
                fans.entry(owner).or_default().holds_surprise = true;
            }
        }
        let weight = if complete { fans.len().max(1) } else { limit };
        Ok(CreatorEntry {
            rule: self.rule,
            fans,
            complete,
            asked: Mutex::default(),
            weight,
            last_used: AtomicU64::new(0),
        })
    }
}

fn parse_total(total: &str) -> Result<Uint128, Error> {
    let total = total
        .parse::<u128>()
        .map_err(|e| anyhow::anyhow!("total {total:?} out of range: {e}"))?;
    Ok(Uint128::new(total))
}
