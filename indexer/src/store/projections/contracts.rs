//! `contract_owners` from `mesi.ownership.v1` (any of our contracts) and `contract_configs`
//! from each contract's `*_config` event.

use mesi_common::events::AnyEvent;
use sqlx::PgConnection;

use super::{json, row, text, Applied, Events, Keyed, Projection};
use crate::decode::StoredEvent;

pub struct Contracts;

impl Projection for Contracts {
    fn name(&self) -> &'static str {
        "contracts"
    }

    fn apply<'a>(&'a self, conn: &'a mut PgConnection, events: Events<'a>) -> Applied<'a> {
        Box::pin(apply(conn, events))
    }
}

row! {
    struct Owner {
        contract, owner, pending_owner, last_action, updated_height: bigint, updated_seq: integer,
    }
}

row! {
    struct Config { contract, event_type, config: jsonb, updated_height: bigint, updated_seq: integer }
}

async fn apply(conn: &mut PgConnection, events: &[&StoredEvent]) -> Result<(), sqlx::Error> {
    let mut owners = Keyed::default();
    let mut configs = Keyed::default();
    for stored in events {
        let o = &stored.origin;
        let config = match &stored.event {
            AnyEvent::Ownership(e) => {
                owners.replace(
                    o.contract.clone(),
                    Owner {
                        contract: text(&o.contract),
                        owner: e.owner.as_ref().map(|a| a.to_string()),
                        pending_owner: e.pending_owner.as_ref().map(|a| a.to_string()),
                        last_action: text(&e.action),
                        updated_height: text(o.height),
                        updated_seq: text(o.position.seq),
                    },
                );
                continue;
            }
            AnyEvent::TipsConfig(e) => json(e),
            AnyEvent::PpvConfig(e) => json(e),
            AnyEvent::SurprisesConfig(e) => json(e),
            AnyEvent::MeetingsConfig(e) => json(e),
            _ => continue,
        };
        configs.replace(
            o.contract.clone(),
            Config {
                contract: text(&o.contract),
                event_type: text(&stored.event_type),
                config,
                updated_height: text(o.height),
                updated_seq: text(o.position.seq),
            },
        );
    }
    owners
        .into_rows()
        .insert_into(conn, "contract_owners", UPSERT_OWNERS)
        .await?;
    configs
        .into_rows()
        .insert_into(conn, "contract_configs", UPSERT_CONFIGS)
        .await?;
    Ok(())
}

const UPSERT_OWNERS: &str = r#"
ON CONFLICT (contract) DO UPDATE
SET owner = EXCLUDED.owner, pending_owner = EXCLUDED.pending_owner, last_action = EXCLUDED.last_action,
    updated_height = EXCLUDED.updated_height, updated_seq = EXCLUDED.updated_seq
WHERE (t.updated_height, t.updated_seq) < (EXCLUDED.updated_height, EXCLUDED.updated_seq)
"#;

const UPSERT_CONFIGS: &str = r#"
ON CONFLICT (contract) DO UPDATE
SET event_type = EXCLUDED.event_type, config = EXCLUDED.config,
    updated_height = EXCLUDED.updated_height, updated_seq = EXCLUDED.updated_seq
WHERE (t.updated_height, t.updated_seq) < (EXCLUDED.updated_height, EXCLUDED.updated_seq)
"#;
