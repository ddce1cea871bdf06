//! `subscription_tiers` and `subscriptions` (the last state each `mesi.tier.v1` /
//! `mesi.subscription.v1` carried) and `subscription_changes` (every subscription event).
//! `mesi.subscribers_released.v1` stays in the raw log only: subscription events do not carry
//! the per-tier subscriber count, so a column kept from release events alone would be stale.

use mesi_common::events::AnyEvent;
use sqlx::PgConnection;

use super::{json, origin_columns, text, time, Columns, Keyed};
use crate::config::ContractKind;
use crate::decode::StoredEvent;

pub async fn apply(conn: &mut PgConnection, events: &[&StoredEvent]) -> Result<(), sqlx::Error> {
    let mut tiers = Keyed::<14>::default();
    let mut subscriptions = Keyed::<12>::default();
    let mut changes = Columns::<19>::default();
    for stored in events
        .iter()
        .filter(|e| e.origin.kind == ContractKind::Subscriptions)
    {
        let o = &stored.origin;
        match &stored.event {
            AnyEvent::Tier(e) => tiers.replace(
                format!("{}/{}/{}", o.contract, e.creator, e.tier),
                [
                    text(&o.contract),
                    text(&e.creator),
                    text(e.tier),
                    text(&e.name),
                    text(e.price),
                    text(e.asset.key()),
                    text(e.period_seconds),
                    e.subscriber_cap.map(|c| c.to_string()),
                    json(&e.bundles),
                    e.trial_seconds.map(|s| s.to_string()),
                    text(e.retired),
                    text(e.action),
                    text(o.height),
                    text(o.position.seq),
                ],
            ),
            AnyEvent::Subscription(e) => {
                subscriptions.replace(
                    format!("{}/{}/{}", o.contract, e.creator, e.fan),
                    [
                        text(&o.contract),
                        text(&e.creator),
                        text(&e.fan),
                        text(e.tier),
                        text(e.asset.key()),
                        time(e.expires_at),
                        text(e.auto_renew),
                        text(e.max_price_per_period),
                        text(e.on_trial),
                        text(e.action),
                        text(o.height),
                        text(o.position.seq),
                    ],
                );
                let [height, seq, tx_hash, block_time, contract] = origin_columns(o);
                changes.push([
                    height,
                    seq,
                    tx_hash,
                    block_time,
                    contract,
                    text(e.action),
                    text(&e.creator),
                    text(&e.fan),
                    text(&e.sender),
                    text(e.tier),
                    e.from_tier.map(|t| t.to_string()),
                    text(e.periods),
                    text(e.asset.key()),
                    text(e.amount),
                    text(e.fee),
                    text(e.creator_amount),
                    e.payout.as_ref().map(|p| p.to_string()),
                    e.refunded.map(|r| r.to_string()),
                    time(e.expires_at),
                ]);
            }
            _ => {}
        }
    }
    tiers.into_columns().execute(conn, UPSERT_TIERS).await?;
    subscriptions
        .into_columns()
        .execute(conn, UPSERT_SUBSCRIPTIONS)
        .await?;
    changes.copy_into(conn, CHANGES).await?;
    Ok(())
}

const UPSERT_TIERS: &str = r#"
INSERT INTO subscription_tiers AS t (contract, creator, tier, name, price, asset, period_seconds, subscriber_cap,
                                     bundles, trial_seconds, retired, last_action, updated_height, updated_seq)
SELECT contract, creator, tier::bigint, name, price::numeric, asset, period_seconds::numeric, subscriber_cap::bigint,
       bundles::jsonb, trial_seconds::numeric, retired::boolean, last_action, updated_height::bigint,
       updated_seq::integer
FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
            $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[])
     AS u(contract, creator, tier, name, price, asset, period_seconds, subscriber_cap, bundles, trial_seconds,
          retired, last_action, updated_height, updated_seq)
ON CONFLICT (contract, creator, tier) DO UPDATE
SET name = EXCLUDED.name, price = EXCLUDED.price, asset = EXCLUDED.asset, period_seconds = EXCLUDED.period_seconds,
    subscriber_cap = EXCLUDED.subscriber_cap, bundles = EXCLUDED.bundles, trial_seconds = EXCLUDED.trial_seconds,
    retired = EXCLUDED.retired, last_action = EXCLUDED.last_action,
    updated_height = EXCLUDED.updated_height, updated_seq = EXCLUDED.updated_seq
WHERE (t.updated_height, t.updated_seq) < (EXCLUDED.updated_height, EXCLUDED.updated_seq)
"#;

const UPSERT_SUBSCRIPTIONS: &str = r#"
INSERT INTO subscriptions AS t (contract, creator, fan, tier, asset, expires_at, auto_renew, max_price_per_period,
                                on_trial, last_action, updated_height, updated_seq)
SELECT contract, creator, fan, tier::bigint, asset, expires_at::timestamptz, auto_renew::boolean,
       max_price_per_period::numeric, on_trial::boolean, last_action, updated_height::bigint, updated_seq::integer
FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
            $9::text[], $10::text[], $11::text[], $12::text[])
     AS u(contract, creator, fan, tier, asset, expires_at, auto_renew, max_price_per_period, on_trial, last_action,
          updated_height, updated_seq)
ON CONFLICT (contract, creator, fan) DO UPDATE
SET tier = EXCLUDED.tier, asset = EXCLUDED.asset, expires_at = EXCLUDED.expires_at, auto_renew = EXCLUDED.auto_renew,
    max_price_per_period = EXCLUDED.max_price_per_period, on_trial = EXCLUDED.on_trial,
    last_action = EXCLUDED.last_action, updated_height = EXCLUDED.updated_height, updated_seq = EXCLUDED.updated_seq
WHERE (t.updated_height, t.updated_seq) < (EXCLUDED.updated_height, EXCLUDED.updated_seq)
"#;

const CHANGES: &str = "subscription_changes (height, seq, tx_hash, block_time, contract, action, creator, fan, sender, \
                       tier, from_tier, periods, asset, amount, fee, creator_amount, payout, refunded, expires_at)";
