//! `tips`, `tip_totals`, `fiat_tips` and `fiat_tip_totals` from `mesi.tip.v1` and
//! `mesi.fiat_tip.v1`. The indexer sums the totals itself; each tip also keeps the contract's
//! `fan_total`, so the two can be compared.

use mesi_common::events::AnyEvent;
use sqlx::PgConnection;

use super::{origin, row, text, Applied, Events, OriginRow, Projection, Rows, Totals};
use crate::config::ContractKind;
use crate::decode::StoredEvent;

pub struct Tips;

impl Projection for Tips {
    fn name(&self) -> &'static str {
        "tips"
    }

    fn apply<'a>(&'a self, conn: &'a mut PgConnection, events: Events<'a>) -> Applied<'a> {
        Box::pin(apply(conn, events))
    }
}

row! {
    struct Tip {
        #[flatten] origin: OriginRow,
        creator, fan, asset, amount, fee, creator_amount, payout, context, message, anonymous,
        fan_total,
    }
}

row! {
    struct FiatTip {
        #[flatten] origin: OriginRow,
        gateway, payment_ref, creator, fan, currency, amount_minor, context, message, anonymous,
    }
}

async fn apply(conn: &mut PgConnection, events: &[&StoredEvent]) -> Result<(), sqlx::Error> {
    let mut tips = Rows::default();
    let mut totals = Totals::default();
    let mut fiat = Rows::default();
    let mut fiat_totals = Totals::default();
    for stored in events
        .iter()
        .filter(|e| e.origin.kind == ContractKind::Tips)
    {
        let o = &stored.origin;
        match &stored.event {
            AnyEvent::Tip(t) => {
                totals.add(
                    [t.creator.to_string(), t.fan.to_string(), t.asset.key()],
                    t.amount.u128(),
                    o.height,
                );
                tips.push(Tip {
                    origin: origin(o),
                    creator: text(&t.creator),
                    fan: text(&t.fan),
                    asset: text(t.asset.key()),
                    amount: text(t.amount),
                    fee: text(t.fee),
                    creator_amount: text(t.creator_amount),
                    payout: text(&t.payout),
                    context: text(&t.context),
                    message: t.message.clone(),
                    anonymous: text(t.anonymous),
                    fan_total: text(t.fan_total),
                });
            }
            AnyEvent::FiatTip(t) => {
                fiat_totals.add(
                    [t.creator.to_string(), t.fan.to_string(), t.currency.clone()],
                    t.amount_minor.u128(),
                    o.height,
                );
                fiat.push(FiatTip {
                    origin: origin(o),
                    gateway: text(&t.gateway),
                    payment_ref: text(&t.payment_ref),
                    creator: text(&t.creator),
                    fan: text(&t.fan),
                    currency: text(&t.currency),
                    amount_minor: text(t.amount_minor),
                    context: text(&t.context),
                    message: t.message.clone(),
                    anonymous: text(t.anonymous),
                });
            }
            _ => {}
        }
    }
    tips.copy_into(conn, "tips").await?;
    let keys = ["creator", "fan", "asset"];
    totals
        .upsert(conn, "tip_totals", keys, "total", "tip_count")
        .await?;
    fiat.copy_into(conn, "fiat_tips").await?;
    let keys = ["creator", "fan", "currency"];
    fiat_totals
        .upsert(conn, "fiat_tip_totals", keys, "total_minor", "tip_count")
        .await?;
    Ok(())
}
