//! `tips`, `tip_totals`, `fiat_tips` and `fiat_tip_totals` from `mesi.tip.v1` and
//! `mesi.fiat_tip.v1`. The indexer sums the totals itself; each tip also keeps the contract's
//! `fan_total`, so the two can be compared.

use mesi_common::events::AnyEvent;
use sqlx::PgConnection;

use super::{origin_columns, text, Columns, Totals};
use crate::config::ContractKind;
use crate::decode::StoredEvent;

pub async fn apply(conn: &mut PgConnection, events: &[&StoredEvent]) -> Result<(), sqlx::Error> {
    let mut tips = Columns::<16>::default();
    let mut totals = Totals::default();
    let mut fiat = Columns::<14>::default();
    let mut fiat_totals = Totals::default();
    for stored in events
        .iter()
        .filter(|e| e.origin.kind == ContractKind::Tips)
    {
        let o = &stored.origin;
        let [height, seq, tx_hash, block_time, contract] = origin_columns(o);
        match &stored.event {
            AnyEvent::Tip(t) => {
                totals.add(
                    [t.creator.to_string(), t.fan.to_string(), t.asset.key()],
                    t.amount.u128(),
                    o.height,
                );
                tips.push([
                    height,
                    seq,
                    tx_hash,
                    block_time,
                    contract,
                    text(&t.creator),
                    text(&t.fan),
                    text(t.asset.key()),
                    text(t.amount),
                    text(t.fee),
                    text(t.creator_amount),
                    text(&t.payout),
                    text(&t.context),
                    t.message.clone(),
                    text(t.anonymous),
                    text(t.fan_total),
                ]);
            }
            AnyEvent::FiatTip(t) => {
                fiat_totals.add(
                    [t.creator.to_string(), t.fan.to_string(), t.currency.clone()],
                    t.amount_minor.u128(),
                    o.height,
                );
                fiat.push([
                    height,
                    seq,
                    tx_hash,
                    block_time,
                    contract,
                    text(&t.gateway),
                    text(&t.payment_ref),
                    text(&t.creator),
                    text(&t.fan),
                    text(&t.currency),
                    text(t.amount_minor),
                    text(&t.context),
                    t.message.clone(),
                    text(t.anonymous),
                ]);
            }
            _ => {}
        }
    }
    tips.copy_into(conn, TIPS).await?;
    totals
        .upsert(
            conn,
            "tip_totals",
            [
                "creator",
                "fan",
                "asset",
                "total",
                "tip_count",
                "last_height",
            ],
        )
        .await?;
    fiat.copy_into(conn, FIAT_TIPS).await?;
    fiat_totals
        .upsert(
            conn,
            "fiat_tip_totals",
            [
                "creator",
                "fan",
                "currency",
                "total_minor",
                "tip_count",
                "last_height",
            ],
        )
        .await?;
    Ok(())
}

const TIPS: &str = "tips (height, seq, tx_hash, block_time, contract, creator, fan, asset, amount, fee, creator_amount, \
                    payout, context, message, anonymous, fan_total)";

const FIAT_TIPS: &str =
    "fiat_tips (height, seq, tx_hash, block_time, contract, gateway, payment_ref, creator, fan, \
                         currency, amount_minor, context, message, anonymous)";
