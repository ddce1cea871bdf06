//! `contract_owners` from `mesi.ownership.v1` (any of our contracts) and `contract_configs`
//! from each contract's `*_config` event.

use mesi_common::events::AnyEvent;
use sqlx::PgConnection;

use super::{json, text, Keyed};
use crate::decode::StoredEvent;

pub async fn apply(conn: &mut PgConnection, events: &[&StoredEvent]) -> Result<(), sqlx::Error> {
    let mut owners = Keyed::<6>::default();
    let mut configs = Keyed::<5>::default();
    for stored in events {
        let o = &stored.origin;
        let config = match &stored.event {
            AnyEvent::Ownership(e) => {
                owners.replace(
                    o.contract.clone(),
                    [
                        text(&o.contract),
                        e.owner.as_ref().map(|a| a.to_string()),
                        e.pending_owner.as_ref().map(|a| a.to_string()),
                        text(&e.action),
                        text(o.height),
                        text(o.position.seq),
                    ],
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
            [
                text(&o.contract),
                text(&stored.event_type),
                config,
                text(o.height),
                text(o.position.seq),
            ],
        );
    }
    owners.into_columns().execute(conn, UPSERT_OWNERS).await?;
    configs.into_columns().execute(conn, UPSERT_CONFIGS).await?;
    Ok(())
}

const UPSERT_OWNERS: &str = r#"
INSERT INTO contract_owners AS t (contract, owner, pending_owner, last_action, updated_height, updated_seq)
SELECT contract, owner, pending_owner, last_action, updated_height::bigint, updated_seq::integer
FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
     AS u(contract, owner, pending_owner, last_action, updated_height, updated_seq)
ON CONFLICT (contract) DO UPDATE
SET owner = EXCLUDED.owner, pending_owner = EXCLUDED.pending_owner, last_action = EXCLUDED.last_action,
    updated_height = EXCLUDED.updated_height, updated_seq = EXCLUDED.updated_seq
WHERE (t.updated_height, t.updated_seq) < (EXCLUDED.updated_height, EXCLUDED.updated_seq)
"#;

const UPSERT_CONFIGS: &str = r#"
INSERT INTO contract_configs AS t (contract, event_type, config, updated_height, updated_seq)
SELECT contract, event_type, config::jsonb, updated_height::bigint, updated_seq::integer
FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
     AS u(contract, event_type, config, updated_height, updated_seq)
ON CONFLICT (contract) DO UPDATE
SET event_type = EXCLUDED.event_type, config = EXCLUDED.config,
    updated_height = EXCLUDED.updated_height, updated_seq = EXCLUDED.updated_seq
WHERE (t.updated_height, t.updated_seq) < (EXCLUDED.updated_height, EXCLUDED.updated_seq)
"#;
