//! The raw event log and the dead letters, appended with COPY.

use sqlx::PgConnection;

use super::copy::CopyRows;
use crate::decode::{DeadLetter, Origin, StoredEvent};

const EVENTS: &str = "events (height, seq, tx_index, event_index, tx_hash, contract, event_type, attributes, block_time)";
const DEAD_LETTERS: &str =
    "dead_letters (height, seq, tx_index, event_index, tx_hash, contract, event_type, attributes, block_time, error)";

pub async fn append_events(
    conn: &mut PgConnection,
    events: &[&StoredEvent],
) -> Result<(), sqlx::Error> {
    let mut rows = CopyRows::default();
    for event in events {
        origin_fields(&mut rows, &event.origin).text(&event.event_type);
        rows.text(&attributes_json(&event.attributes))
            .text(&event.origin.block_time);
        rows.end_row();
    }
    rows.send(conn, EVENTS).await?;
    Ok(())
}

pub async fn append_dead_letters(
    conn: &mut PgConnection,
    letters: &[&DeadLetter],
) -> Result<(), sqlx::Error> {
    let mut rows = CopyRows::default();
    for letter in letters {
        origin_fields(&mut rows, &letter.origin).text(&letter.event_type);
        rows.text(&attributes_json(&letter.attributes))
            .text(&letter.origin.block_time)
            .text(&letter.error);
        rows.end_row();
    }
    rows.send(conn, DEAD_LETTERS).await?;
    Ok(())
}

/// height, seq, tx_index, event_index, tx_hash, contract
fn origin_fields<'a>(rows: &'a mut CopyRows, origin: &Origin) -> &'a mut CopyRows {
    rows.number(origin.height)
        .number(origin.position.seq)
        .field(origin.position.tx_index.map(|i| i.to_string()).as_deref())
        .number(origin.position.event_index)
        .field(origin.tx_hash.as_deref())
        .text(&origin.contract)
}

/// `[[key, value], ...]`: keeps order and repeated keys, unlike an object.
pub fn attributes_json(attributes: &[(String, String)]) -> String {
    serde_json::to_string(attributes).unwrap_or_else(|_| "[]".into())
}
