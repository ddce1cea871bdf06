//! The raw event log and the dead letters, appended with COPY.

use sqlx::PgConnection;

use super::rows::{row, text, Rows};
use crate::decode::{DeadLetter, Origin, StoredEvent};

row! {
    /// A row of `events`; COPY reads each text as its column's type.
    struct EventRow {
        height, seq, tx_index, event_index, tx_hash, contract, event_type, attributes, block_time,
    }
}

row! {
    struct DeadLetterRow {
        #[flatten] event: EventRow,
        error,
    }
}

fn event_row(origin: &Origin, event_type: &str, attributes: &[(String, String)]) -> EventRow {
    EventRow {
        height: text(origin.height),
        seq: text(origin.position.seq),
        tx_index: origin.position.tx_index.map(|i| i.to_string()),
        event_index: text(origin.position.event_index),
        tx_hash: origin.tx_hash.clone(),
        contract: text(&origin.contract),
        event_type: text(event_type),
        attributes: text(attributes_json(attributes)),
        block_time: text(&origin.block_time),
    }
}

pub async fn append_events(
    conn: &mut PgConnection,
    events: &[&StoredEvent],
) -> Result<(), sqlx::Error> {
    let rows = events
        .iter()
        .map(|e| event_row(&e.origin, &e.event_type, &e.attributes));
    Rows(rows.collect()).copy_into(conn, "events").await
}

pub async fn append_dead_letters(
    conn: &mut PgConnection,
    letters: &[&DeadLetter],
) -> Result<(), sqlx::Error> {
    let rows = letters.iter().map(|l| DeadLetterRow {
        event: event_row(&l.origin, &l.event_type, &l.attributes),
        error: text(&l.error),
    });
    Rows(rows.collect()).copy_into(conn, "dead_letters").await
}

/// `[[key, value], ...]`: keeps order and repeated keys, unlike an object.
pub fn attributes_json(attributes: &[(String, String)]) -> String {
    serde_json::to_string(attributes).unwrap_or_else(|_| "[]".into())
}
