//! The raw event log and the dead letters, appended with COPY.

use sqlx::PgConnection;

use super::copy::CopyRows;
use crate::decode::{DecodedBlock, Origin};

const EVENTS: &str = "events (height, seq, tx_index, event_index, tx_hash, contract, event_type, attributes, block_time)";
const DEAD_LETTERS: &str =
    "dead_letters (height, seq, tx_index, event_index, tx_hash, contract, event_type, attributes, block_time, error)";

pub async fn append(conn: &mut PgConnection, blocks: &[DecodedBlock]) -> Result<(), sqlx::Error> {
    let mut events = CopyRows::default();
    let mut dead_letters = CopyRows::default();
    for block in blocks {
        for event in &block.events {
            origin_fields(&mut events, &event.origin).text(&event.event_type);
            events
                .text(&attributes_json(&event.attributes))
                .text(&event.origin.block_time);
            events.end_row();
        }
        for letter in &block.dead_letters {
            origin_fields(&mut dead_letters, &letter.origin).text(&letter.event_type);
            dead_letters
                .text(&attributes_json(&letter.attributes))
                .text(&letter.origin.block_time)
                .text(&letter.error);
            dead_letters.end_row();
        }
    }
    events.send(conn, EVENTS).await?;
    dead_letters.send(conn, DEAD_LETTERS).await?;
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
