//! `tips`, `tip_totals`, `fiat_tips` and `fiat_tip_totals` from `mesi.tip.v1` and
//! `mesi.fiat_tip.v1`.
//!
//! Totals are summed from the rows each statement inserts, so a tip the table already holds
//! (which exactly-once ingest never produces) is neither stored nor counted twice.

use mesi_common::events::AnyEvent;
use sqlx::PgConnection;

use super::Columns;
use crate::config::ContractKind;
use crate::decode::StoredEvent;

pub async fn apply(conn: &mut PgConnection, events: &[&StoredEvent]) -> Result<(), sqlx::Error> {
    let mut tips = Columns::<16>::default();
    let mut fiat = Columns::<14>::default();
    for stored in events
        .iter()
        .filter(|e| e.origin.kind == ContractKind::Tips)
    {
        let [height, seq, tx_hash, block_time, contract] = super::origin_columns(&stored.origin);
        match &stored.event {
            AnyEvent::Tip(t) => tips.push([
                height,
                seq,
                tx_hash,
                block_time,
                contract,
                Some(t.creator.to_string()),
                Some(t.fan.to_string()),
                Some(t.asset.key()),
                Some(t.amount.to_string()),
                Some(t.fee.to_string()),
                Some(t.creator_amount.to_string()),
                Some(t.payout.to_string()),
                Some(t.context.to_string()),
                t.message.clone(),
                Some(t.anonymous.to_string()),
                Some(t.fan_total.to_string()),
            ]),
            AnyEvent::FiatTip(t) => fiat.push([
                height,
                seq,
                tx_hash,
                block_time,
                contract,
                Some(t.gateway.to_string()),
                Some(t.payment_ref.clone()),
                Some(t.creator.to_string()),
                Some(t.fan.to_string()),
                Some(t.currency.clone()),
                Some(t.amount_minor.to_string()),
                Some(t.context.to_string()),
                t.message.clone(),
                Some(t.anonymous.to_string()),
            ]),
            _ => {}
        }
    }
    tips.execute(conn, INSERT_TIPS).await?;
    fiat.execute(conn, INSERT_FIAT_TIPS).await?;
    Ok(())
}

const INSERT_TIPS: &str = r#"
WITH new_tips AS (
    INSERT INTO tips (height, seq, tx_hash, block_time, contract, creator, fan, asset, amount, fee, creator_amount,
                      payout, context, message, anonymous, fan_total)
    SELECT height::bigint, seq::integer, tx_hash, block_time::timestamptz, contract, creator, fan, asset,
           amount::numeric, fee::numeric, creator_amount::numeric, payout, context, message, anonymous::boolean,
           fan_total::numeric
    FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[])
         AS t(height, seq, tx_hash, block_time, contract, creator, fan, asset, amount, fee, creator_amount, payout,
              context, message, anonymous, fan_total)
    ON CONFLICT DO NOTHING
    RETURNING creator, fan, asset, amount, height
)
INSERT INTO tip_totals AS totals (creator, fan, asset, total, tip_count, last_height)
SELECT creator, fan, asset, sum(amount), count(*), max(height) FROM new_tips GROUP BY creator, fan, asset
ON CONFLICT (creator, fan, asset) DO UPDATE
SET total = totals.total + EXCLUDED.total,
    tip_count = totals.tip_count + EXCLUDED.tip_count,
    last_height = EXCLUDED.last_height
"#;

const INSERT_FIAT_TIPS: &str = r#"
WITH new_tips AS (
    INSERT INTO fiat_tips (height, seq, tx_hash, block_time, contract, gateway, payment_ref, creator, fan, currency,
                           amount_minor, context, message, anonymous)
    SELECT height::bigint, seq::integer, tx_hash, block_time::timestamptz, contract, gateway, payment_ref, creator,
           fan, currency, amount_minor::numeric, context, message, anonymous::boolean
    FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[])
         AS t(height, seq, tx_hash, block_time, contract, gateway, payment_ref, creator, fan, currency, amount_minor,
              context, message, anonymous)
    ON CONFLICT DO NOTHING
    RETURNING creator, fan, currency, amount_minor, height
)
INSERT INTO fiat_tip_totals AS totals (creator, fan, currency, total_minor, tip_count, last_height)
SELECT creator, fan, currency, sum(amount_minor), count(*), max(height) FROM new_tips GROUP BY creator, fan, currency
ON CONFLICT (creator, fan, currency) DO UPDATE
SET total_minor = totals.total_minor + EXCLUDED.total_minor,
    tip_count = totals.tip_count + EXCLUDED.tip_count,
    last_height = EXCLUDED.last_height
"#;
