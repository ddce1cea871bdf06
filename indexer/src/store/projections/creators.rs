//! `creators` (profiles with chat rules) from `mesi.creator.v1` and `platform_config` from
//! `mesi.platform_config.v1`; both events carry the full state, so the last one wins.

use mesi_common::events::AnyEvent;
use mesi_common::AssetInfo;
use sqlx::PgConnection;

use super::{json, text, time, Keyed};
use crate::config::ContractKind;
use crate::decode::StoredEvent;

pub async fn apply(conn: &mut PgConnection, events: &[&StoredEvent]) -> Result<(), sqlx::Error> {
    let mut creators = Keyed::<12>::default();
    let mut platform = Keyed::<9>::default();
    for stored in events
        .iter()
        .filter(|e| e.origin.kind == ContractKind::Creators)
    {
        let o = &stored.origin;
        match &stored.event {
            AnyEvent::CreatorProfile(e) => creators.replace(
                format!("{}/{}", o.contract, e.creator),
                [
                    text(&o.contract),
                    text(&e.creator),
                    text(&e.display_name),
                    text(&e.payout),
                    json(&asset_keys(&e.accepted_assets)),
                    json(
                        &e.tip_minimums
                            .iter()
                            .map(|(a, m)| (a.key(), m.to_string()))
                            .collect::<Vec<_>>(),
                    ),
                    json(&e.chat_rule),
                    text(e.active),
                    time(e.registered_at),
                    text(&e.action),
                    text(o.height),
                    text(o.position.seq),
                ],
            ),
            AnyEvent::PlatformConfig(e) => platform.replace(
                o.contract.clone(),
                [
                    text(&o.contract),
                    text(&e.treasury),
                    json(&e.fees),
                    json(&asset_keys(&e.accepted_assets)),
                    json(&e.fiat_gateways),
                    text(&e.arbiter),
                    json(&e.contracts),
                    text(o.height),
                    text(o.position.seq),
                ],
            ),
            _ => {}
        }
    }
    creators
        .into_columns()
        .execute(conn, UPSERT_CREATORS)
        .await?;
    platform
        .into_columns()
        .execute(conn, UPSERT_PLATFORM)
        .await?;
    Ok(())
}

fn asset_keys(assets: &[AssetInfo]) -> Vec<String> {
    assets.iter().map(AssetInfo::key).collect()
}

const UPSERT_CREATORS: &str = r#"
INSERT INTO creators AS t (contract, creator, display_name, payout, accepted_assets, tip_minimums, chat_rule, active,
                           registered_at, last_action, updated_height, updated_seq)
SELECT contract, creator, display_name, payout, accepted_assets::jsonb, tip_minimums::jsonb, chat_rule::jsonb,
       active::boolean, registered_at::timestamptz, last_action, updated_height::bigint, updated_seq::integer
FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
            $9::text[], $10::text[], $11::text[], $12::text[])
     AS u(contract, creator, display_name, payout, accepted_assets, tip_minimums, chat_rule, active, registered_at,
          last_action, updated_height, updated_seq)
ON CONFLICT (contract, creator) DO UPDATE
SET display_name = EXCLUDED.display_name, payout = EXCLUDED.payout, accepted_assets = EXCLUDED.accepted_assets,
    tip_minimums = EXCLUDED.tip_minimums, chat_rule = EXCLUDED.chat_rule, active = EXCLUDED.active,
    registered_at = EXCLUDED.registered_at, last_action = EXCLUDED.last_action,
    updated_height = EXCLUDED.updated_height, updated_seq = EXCLUDED.updated_seq
WHERE (t.updated_height, t.updated_seq) < (EXCLUDED.updated_height, EXCLUDED.updated_seq)
"#;

const UPSERT_PLATFORM: &str = r#"
INSERT INTO platform_config AS t (contract, treasury, fees, accepted_assets, fiat_gateways, arbiter, contracts,
                                  updated_height, updated_seq)
SELECT contract, treasury, fees::jsonb, accepted_assets::jsonb, fiat_gateways::jsonb, arbiter, contracts::jsonb,
       updated_height::bigint, updated_seq::integer
FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
     AS u(contract, treasury, fees, accepted_assets, fiat_gateways, arbiter, contracts, updated_height, updated_seq)
ON CONFLICT (contract) DO UPDATE
SET treasury = EXCLUDED.treasury, fees = EXCLUDED.fees, accepted_assets = EXCLUDED.accepted_assets,
    fiat_gateways = EXCLUDED.fiat_gateways, arbiter = EXCLUDED.arbiter, contracts = EXCLUDED.contracts,
    updated_height = EXCLUDED.updated_height, updated_seq = EXCLUDED.updated_seq
WHERE (t.updated_height, t.updated_seq) < (EXCLUDED.updated_height, EXCLUDED.updated_seq)
"#;
