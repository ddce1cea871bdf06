//! `can-message`: may a fan message a creator, from the indexed state, with the semantics of the
//! creators contract's `CanMessage` query. The rule is evaluated by the same code the contract
//! runs, `mesi_common::chat_rule::evaluate`; only the facts come from PostgreSQL instead of the
//! sibling contracts:
//!
//! - the registry's configured sibling contracts decide which contract's rows count (an unset
//!   sibling has no facts, as on chain);
//! - a subscription counts while the block time is before its expiry; the block time is that
//!   of the latest indexed block ([`state`](crate::api::state)), like a node answering at its head;
//! - tips and pay-per-view spending are the lifetime totals per (creator, fan, asset);
//! - holding a surprise means owning any token the creator minted, in any state.
//!
//! All facts for one pair come back in one query, so a fresh check costs one round trip
//! whatever the rule asks. The route answers from [`GatingCache`](cache::GatingCache), which
//! keeps these facts in memory and gives the same answer as [`can_message`] at the same indexed
//! state; chat sends use [`can_message`] itself.

pub mod cache;

use std::collections::HashMap;

use axum::extract::State;
use cosmwasm_std::{Addr, Uint128};
use mesi_common::chat_rule::{evaluate, CanMessageResponse, ChatRule, GatingFacts, Qualification};
use mesi_common::AssetInfo;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::http::error::ErrorBody;
use crate::api::http::extract::Query;
use crate::api::http::params::{rfc3339, Address};
use crate::api::state::CHAIN_TIME_SQL;
use crate::api::{ApiContext, Error};

pub fn router() -> OpenApiRouter<ApiContext> {
    OpenApiRouter::new().routes(routes!(can_message_route))
}

/// What one (creator, fan) pair's rule may ask, read in one query.
#[derive(Debug, Default, Clone)]
pub struct IndexedFacts {
    /// The fan's subscription tier while active at the indexed block time.
    pub active_tier: Option<u32>,
    /// Lifetime tips by asset key (`native:uusdc`, `cw20:<addr>`).
    pub tipped: HashMap<String, Uint128>,
    /// Lifetime pay-per-view spending by asset key.
    pub ppv_spent: HashMap<String, Uint128>,
    pub holds_surprise: bool,
}

impl GatingFacts for IndexedFacts {
    type Error = std::convert::Infallible;

    fn subscription_tier(&mut self) -> Result<Option<u32>, Self::Error> {
        Ok(self.active_tier)
    }

    fn tipped(&mut self, asset: &AssetInfo) -> Result<Uint128, Self::Error> {
        Ok(self.tipped.get(&asset.key()).copied().unwrap_or_default())
    }

    fn ppv_spent(&mut self, asset: &AssetInfo) -> Result<Uint128, Self::Error> {
        Ok(self
            .ppv_spent
            .get(&asset.key())
            .copied()
            .unwrap_or_default())
    }

    fn holds_surprise(&mut self) -> Result<bool, Self::Error> {
        Ok(self.holds_surprise)
    }
}

/// A creator's chat rule and the facts about one fan, as of the indexed block.
pub struct Gate {
    pub rule: ChatRule,
    pub facts: IndexedFacts,
    /// The indexed height and block time the answer holds at.
    pub height: Option<i64>,
    pub block_time: Option<chrono::DateTime<chrono::Utc>>,
}

type GateRow = (
    String,
    Option<i64>,
    Option<String>,
    Option<String>,
    bool,
    Option<i64>,
    Option<chrono::DateTime<chrono::Utc>>,
);

/// Loads the creator's rule and the fan's facts; `None` when `creator` is not registered.
pub async fn load_gate(
    pool: &PgPool,
    creator: &Address,
    fan: &Address,
) -> Result<Option<Gate>, Error> {
    // $1 creator, $2 fan. Sibling addresses come from the registry that holds the profile (the
    // one that changed it last, should there be several). The order by `updated_height` keeps
    // the lookup on `creators_by_creator`; ordering by `contract` made PostgreSQL walk the
    // primary key (contract, creator) from its start.
    let sql = format!(
        "WITH profile AS ( \
             SELECT c.chat_rule, p.contracts FROM creators c \
             LEFT JOIN platform_config p ON p.contract = c.contract \
             WHERE c.creator = $1 ORDER BY c.updated_height DESC, c.contract LIMIT 1), \
         now AS (SELECT {CHAIN_TIME_SQL} AS t) \
         SELECT profile.chat_rule::text, \
             (SELECT s.tier FROM subscriptions s, now \
               WHERE s.contract = profile.contracts->>'subscriptions' AND s.creator = $1 AND s.fan = $2 \
                 AND s.expires_at > now.t), \
             (SELECT json_agg(json_build_array(t.asset, t.total::text))::text FROM tip_totals t \
               WHERE profile.contracts->>'tips' IS NOT NULL AND t.creator = $1 AND t.fan = $2), \
             (SELECT json_agg(json_build_array(t.asset, t.total::text))::text FROM ppv_totals t \
               WHERE profile.contracts->>'ppv' IS NOT NULL AND t.creator = $1 AND t.buyer = $2), \
             EXISTS (SELECT 1 FROM surprises s \
               WHERE s.contract = profile.contracts->>'surprises' AND s.owner = $2 AND s.creator = $1), \
             (SELECT height FROM ingest_cursor), \
             (SELECT t FROM now) \
         FROM profile"
    );
    let row: Option<GateRow> = sqlx::query_as(&sql)
        .bind(creator.as_str())
        .bind(fan.as_str())
        .fetch_optional(pool)
        .await?;
    let Some((rule, tier, tipped, spent, holds, height, block_time)) = row else {
        return Ok(None);
    };
    let rule: ChatRule = serde_json::from_str(&rule)
        .map_err(|e| anyhow::anyhow!("the stored chat rule of {creator} does not parse: {e}"))?;
    let totals = |json: Option<String>| -> Result<HashMap<String, Uint128>, Error> {
        let pairs: Vec<(String, String)> = match json {
            Some(json) => serde_json::from_str(&json)
                .map_err(|e| anyhow::anyhow!("totals do not parse: {e}"))?,
            None => Vec::new(),
        };
        pairs
            .into_iter()
            .map(|(asset, total)| {
                let total = total
                    .parse::<u128>()
                    .map_err(|e| anyhow::anyhow!("total {total:?} out of range: {e}"))?;
                Ok((asset, Uint128::new(total)))
            })
            .collect()
    };
    Ok(Some(Gate {
        rule,
        facts: IndexedFacts {
            active_tier: tier.and_then(|t| u32::try_from(t).ok()),
            tipped: totals(tipped)?,
            ppv_spent: totals(spent)?,
            holds_surprise: holds,
        },
        height,
        block_time,
    }))
}

/// The answer of the creators contract's `CanMessage { creator, fan }` from the indexed state,
/// read fresh from the database. `Error::NotFound` when `creator` is not a registered creator
/// (the contract errors too).
pub async fn can_message(
    pool: &PgPool,
    creator: &Address,
    fan: &Address,
) -> Result<CanMessageAnswer, Error> {
    let mut gate = load_gate(pool, creator, fan)
        .await?
        .ok_or_else(|| Error::NotFound(format!("creator {creator}")))?;
    Ok(decide(
        &gate.rule,
        creator,
        fan,
        &mut gate.facts,
        gate.height,
        gate.block_time,
    ))
}

/// The contract's answer under `rule`, given the pair's facts at the indexed `height`.
pub fn decide<F: GatingFacts<Error = std::convert::Infallible>>(
    rule: &ChatRule,
    creator: &Address,
    fan: &Address,
    facts: &mut F,
    height: Option<i64>,
    block_time: Option<chrono::DateTime<chrono::Utc>>,
) -> CanMessageAnswer {
    let answer = if fan == creator {
        CanMessageResponse {
            allowed: true,
            decided_by: "creator".into(),
            qualify: None,
            hint: None,
        }
    } else {
        let Ok(answer) = evaluate(rule, &Addr::unchecked(fan.as_str()), facts);
        answer
    };
    CanMessageAnswer {
        allowed: answer.allowed,
        decided_by: answer.decided_by,
        qualify: answer.qualify,
        hint: answer.hint,
        height,
        block_time: block_time.as_ref().map(rfc3339),
    }
}

/// The contract's `CanMessageResponse`, and the indexed block it holds at.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CanMessageAnswer {
    pub allowed: bool,
    /// Path of the rule that decided, e.g. `any[1].subscriber`; `creator` when the fan is the creator.
    pub decided_by: String,
    /// What would qualify a denied fan (`mesi_common::chat_rule::Qualification` as JSON).
    #[schema(value_type = Option<Object>)]
    pub qualify: Option<Qualification>,
    /// `qualify` in words.
    pub hint: Option<String>,
    /// The indexed height the answer holds at.
    pub height: Option<i64>,
    /// The block time subscriptions were checked against.
    #[schema(format = DateTime)]
    pub block_time: Option<String>,
}

impl CanMessageAnswer {
    /// The part the contract answers.
    pub fn response(&self) -> CanMessageResponse {
        CanMessageResponse {
            allowed: self.allowed,
            decided_by: self.decided_by.clone(),
            qualify: self.qualify.clone(),
            hint: self.hint.clone(),
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CanMessageQuery {
    #[param(value_type = String)]
    creator: Address,
    #[param(value_type = String)]
    fan: Address,
}

/// May `fan` message `creator`? Same answer as the creators contract's `CanMessage` at the
/// indexed height, from facts kept in memory and checked against the database's latest
/// version before each answer.
#[utoipa::path(get, path = "/can-message", tag = "chat", params(CanMessageQuery), responses(
    (status = 200, body = CanMessageAnswer),
    (status = 400, body = ErrorBody, description = "invalid_address, invalid_query"),
    (status = 404, body = ErrorBody, description = "the creator is not registered"),
))]
async fn can_message_route(
    State(ctx): State<ApiContext>,
    Query(query): Query<CanMessageQuery>,
) -> Result<axum::Json<CanMessageAnswer>, Error> {
    Ok(axum::Json(
        ctx.gating.can_message(&query.creator, &query.fan).await?,
    ))
}
