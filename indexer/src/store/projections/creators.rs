//! `creators` (profiles with chat rules) from `mesi.creator.v1` and `platform_config` from
//! `mesi.platform_config.v1`; both events carry the full state, so the last one wins.

use mesi_common::events::AnyEvent;
use mesi_common::AssetInfo;
use sqlx::PgConnection;

use super::{json, row, text, time, Applied, Events, Keyed, Projection};
use crate::config::ContractKind;
use crate::decode::StoredEvent;

pub struct Creators;

impl Projection for Creators {
    fn name(&self) -> &'static str {
        "creators"
    }

    fn apply<'a>(&'a self, conn: &'a mut PgConnection, events: Events<'a>) -> Applied<'a> {
        Box::pin(apply(conn, events))
    }
}

row! {
    struct Creator {
        contract, creator, display_name, payout, accepted_assets: jsonb, tip_minimums: jsonb,
        chat_rule: jsonb, active: boolean, registered_at: timestamptz, last_action,
        updated_height: bigint, updated_seq: integer,
    }
}

row! {
    struct Platform {
        contract, treasury, fees: jsonb, accepted_assets: jsonb, fiat_gateways: jsonb, arbiter,
        contracts: jsonb, updated_height: bigint, updated_seq: integer,
    }
}

async fn apply(conn: &mut PgConnection, events: &[&StoredEvent]) -> Result<(), sqlx::Error> {
    let mut creators = Keyed::default();
    let mut platform = Keyed::default();
    for stored in events
        .iter()
        .filter(|e| e.origin.kind == ContractKind::Creators)
    {
        let o = &stored.origin;
        match &stored.event {
            AnyEvent::CreatorProfile(e) => creators.replace(
                format!("{}/{}", o.contract, e.creator),
                Creator {
                    contract: text(&o.contract),
                    creator: text(&e.creator),
                    display_name: text(&e.display_name),
                    payout: text(&e.payout),
                    accepted_assets: json(&asset_keys(&e.accepted_assets)),
                    tip_minimums: json(
                        &e.tip_minimums
                            .iter()
                            .map(|(a, m)| (a.key(), m.to_string()))
                            .collect::<Vec<_>>(),
                    ),
                    chat_rule: json(&e.chat_rule),
                    active: text(e.active),
                    registered_at: time(e.registered_at),
                    last_action: text(&e.action),
                    updated_height: text(o.height),
                    updated_seq: text(o.position.seq),
                },
            ),
            AnyEvent::PlatformConfig(e) => platform.replace(
                o.contract.clone(),
                Platform {
                    contract: text(&o.contract),
                    treasury: text(&e.treasury),
                    fees: json(&e.fees),
                    accepted_assets: json(&asset_keys(&e.accepted_assets)),
                    fiat_gateways: json(&e.fiat_gateways),
                    arbiter: text(&e.arbiter),
                    contracts: json(&e.contracts),
                    updated_height: text(o.height),
                    updated_seq: text(o.position.seq),
                },
            ),
            _ => {}
        }
    }
    creators
        .into_rows()
        .insert_into(conn, "creators", UPSERT_CREATORS)
        .await?;
    platform
        .into_rows()
        .insert_into(conn, "platform_config", UPSERT_PLATFORM)
        .await?;
    Ok(())
}

fn asset_keys(assets: &[AssetInfo]) -> Vec<String> {
    assets.iter().map(AssetInfo::key).collect()
}

const UPSERT_CREATORS: &str = r#"
ON CONFLICT (contract, creator) DO UPDATE
SET display_name = EXCLUDED.display_name, payout = EXCLUDED.payout, accepted_assets = EXCLUDED.accepted_assets,
    tip_minimums = EXCLUDED.tip_minimums, chat_rule = EXCLUDED.chat_rule, active = EXCLUDED.active,
    registered_at = EXCLUDED.registered_at, last_action = EXCLUDED.last_action,
    updated_height = EXCLUDED.updated_height, updated_seq = EXCLUDED.updated_seq
WHERE (t.updated_height, t.updated_seq) < (EXCLUDED.updated_height, EXCLUDED.updated_seq)
"#;

const UPSERT_PLATFORM: &str = r#"
ON CONFLICT (contract) DO UPDATE
SET treasury = EXCLUDED.treasury, fees = EXCLUDED.fees, accepted_assets = EXCLUDED.accepted_assets,
    fiat_gateways = EXCLUDED.fiat_gateways, arbiter = EXCLUDED.arbiter, contracts = EXCLUDED.contracts,
    updated_height = EXCLUDED.updated_height, updated_seq = EXCLUDED.updated_seq
WHERE (t.updated_height, t.updated_seq) < (EXCLUDED.updated_height, EXCLUDED.updated_seq)
"#;
