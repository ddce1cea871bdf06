//! `subscription_tiers` and `subscriptions` (the last state each `mesi.tier.v1` /
//! `mesi.subscription.v1` carried) and `subscription_changes` (every subscription event).
//! `mesi.subscribers_released.v1` stays in the raw log only: subscription events do not carry
//! the per-tier subscriber count, so a column kept from release events alone would be stale.

use mesi_common::events::AnyEvent;
use sqlx::PgConnection;

use super::{json, origin, row, text, time, Applied, Events, Keyed, OriginRow, Projection, Rows};
use crate::config::ContractKind;
use crate::decode::StoredEvent;

pub struct Subscriptions;

impl Projection for Subscriptions {
    fn name(&self) -> &'static str {
        "subscriptions"
    }

    fn apply<'a>(&'a self, conn: &'a mut PgConnection, events: Events<'a>) -> Applied<'a> {
        Box::pin(apply(conn, events))
    }
}

row! {
    struct Tier {
        contract, creator, tier: bigint, name, price: numeric, asset, period_seconds: numeric,
        subscriber_cap: bigint, bundles: jsonb, trial_seconds: numeric, retired: boolean,
        last_action, updated_height: bigint, updated_seq: integer,
    }
}

row! {
    struct Subscription {
        contract, creator, fan, tier: bigint, asset, expires_at: timestamptz, auto_renew: boolean,
        max_price_per_period: numeric, on_trial: boolean, last_action, updated_height: bigint,
        updated_seq: integer,
    }
}

row! {
    struct Change {
        #[flatten] origin: OriginRow,
        action, creator, fan, sender, tier, from_tier, periods, asset, amount, fee, creator_amount,
        payout, refunded, expires_at,
    }
}

async fn apply(conn: &mut PgConnection, events: &[&StoredEvent]) -> Result<(), sqlx::Error> {
    let mut tiers = Keyed::default();
    let mut subscriptions = Keyed::default();
    let mut changes = Rows::default();
    for stored in events
        .iter()
        .filter(|e| e.origin.kind == ContractKind::Subscriptions)
    {
        let o = &stored.origin;
        match &stored.event {
            AnyEvent::Tier(e) => tiers.replace(
                format!("{}/{}/{}", o.contract, e.creator, e.tier),
                Tier {
                    contract: text(&o.contract),
                    creator: text(&e.creator),
                    tier: text(e.tier),
                    name: text(&e.name),
                    price: text(e.price),
                    asset: text(e.asset.key()),
                    period_seconds: text(e.period_seconds),
                    subscriber_cap: e.subscriber_cap.map(|c| c.to_string()),
                    bundles: json(&e.bundles),
                    trial_seconds: e.trial_seconds.map(|s| s.to_string()),
                    retired: text(e.retired),
                    last_action: text(e.action),
                    updated_height: text(o.height),
                    updated_seq: text(o.position.seq),
                },
            ),
            AnyEvent::Subscription(e) => {
                subscriptions.replace(
                    format!("{}/{}/{}", o.contract, e.creator, e.fan),
                    Subscription {
                        contract: text(&o.contract),
                        creator: text(&e.creator),
                        fan: text(&e.fan),
                        tier: text(e.tier),
                        asset: text(e.asset.key()),
                        expires_at: time(e.expires_at),
                        auto_renew: text(e.auto_renew),
                        max_price_per_period: text(e.max_price_per_period),
                        on_trial: text(e.on_trial),
                        last_action: text(e.action),
                        updated_height: text(o.height),
                        updated_seq: text(o.position.seq),
                    },
                );
                changes.push(Change {
                    origin: origin(o),
                    action: text(e.action),
                    creator: text(&e.creator),
                    fan: text(&e.fan),
                    sender: text(&e.sender),
                    tier: text(e.tier),
                    from_tier: e.from_tier.map(|t| t.to_string()),
                    periods: text(e.periods),
                    asset: text(e.asset.key()),
                    amount: text(e.amount),
                    fee: text(e.fee),
                    creator_amount: text(e.creator_amount),
                    payout: e.payout.as_ref().map(|p| p.to_string()),
                    refunded: e.refunded.map(|r| r.to_string()),
                    expires_at: time(e.expires_at),
                });
            }
            _ => {}
        }
    }
    tiers
        .into_rows()
        .insert_into(conn, "subscription_tiers", UPSERT_TIERS)
        .await?;
    subscriptions
        .into_rows()
        .insert_into(conn, "subscriptions", UPSERT_SUBSCRIPTIONS)
        .await?;
    changes.copy_into(conn, "subscription_changes").await?;
    Ok(())
}

const UPSERT_TIERS: &str = r#"
ON CONFLICT (contract, creator, tier) DO UPDATE
SET name = EXCLUDED.name, price = EXCLUDED.price, asset = EXCLUDED.asset, period_seconds = EXCLUDED.period_seconds,
    subscriber_cap = EXCLUDED.subscriber_cap, bundles = EXCLUDED.bundles, trial_seconds = EXCLUDED.trial_seconds,
    retired = EXCLUDED.retired, last_action = EXCLUDED.last_action,
    updated_height = EXCLUDED.updated_height, updated_seq = EXCLUDED.updated_seq
WHERE (t.updated_height, t.updated_seq) < (EXCLUDED.updated_height, EXCLUDED.updated_seq)
"#;

const UPSERT_SUBSCRIPTIONS: &str = r#"
ON CONFLICT (contract, creator, fan) DO UPDATE
SET tier = EXCLUDED.tier, asset = EXCLUDED.asset, expires_at = EXCLUDED.expires_at, auto_renew = EXCLUDED.auto_renew,
    max_price_per_period = EXCLUDED.max_price_per_period, on_trial = EXCLUDED.on_trial,
    last_action = EXCLUDED.last_action, updated_height = EXCLUDED.updated_height, updated_seq = EXCLUDED.updated_seq
WHERE (t.updated_height, t.updated_seq) < (EXCLUDED.updated_height, EXCLUDED.updated_seq)
"#;
