//! Meetings after the sale, a module per part of their lifecycle.

mod cancellations;
mod completion;
mod disputes;
mod queries;
mod reschedules;

use mesi_common::events::meetings::{MeetingChanged, MeetingStatus};

use super::{events, AppResponse};

const PRICE: u128 = 10_001;
/// 10% of 10_001, rounded down.
const FEE: u128 = 1_000;

fn statuses(response: &AppResponse) -> Vec<(MeetingStatus, u32)> {
    events::<MeetingChanged>(response)
        .iter()
        .map(|m| (m.status, m.revision))
        .collect()
}
