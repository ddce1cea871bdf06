//! The Mesi events of a response, decoded the way the indexer decodes them.

use cosmwasm_std::{Addr, Event};
use cw_multi_test::AppResponse;
use mesi_common::event::{attr_pairs, MesiEvent, WASM_EVENT_PREFIX};
use mesi_common::events::AnyEvent;

/// Every Mesi event of `response`, in order.
pub fn mesi_events(response: &AppResponse) -> Vec<AnyEvent> {
    decode_all(response.events.iter())
}

/// The Mesi events among `events` that `contract` emitted.
pub fn mesi_events_of(events: &[Event], contract: &Addr) -> Vec<AnyEvent> {
    decode_all(events.iter().filter(|event| {
        event
            .attributes
            .iter()
            .any(|a| a.key == "_contract_address" && a.value == contract.as_str())
    }))
}

/// The events of type `T` in `response`.
pub fn events<T: MesiEvent>(response: &AppResponse) -> Vec<T> {
    let ty = format!("{WASM_EVENT_PREFIX}{}", T::TYPE);
    response
        .events
        .iter()
        .filter(|event| event.ty == ty)
        .map(|event| T::from_attributes(&attr_pairs(event)).expect("a valid Mesi event"))
        .collect()
}

/// The one event of type `T` in `response`; panics unless there is exactly one.
#[track_caller]
pub fn one_event<T: MesiEvent>(response: &AppResponse) -> T {
    let mut found = events::<T>(response);
    assert_eq!(
        found.len(),
        1,
        "expected one {} event in {:?}",
        T::TYPE,
        response.events
    );
    found.remove(0)
}

/// How many Mesi events `response` holds.
pub fn mesi_event_count(response: &AppResponse) -> usize {
    mesi_events(response).len()
}

fn decode_all<'a>(events: impl Iterator<Item = &'a Event>) -> Vec<AnyEvent> {
    events
        .filter_map(|event| {
            AnyEvent::decode(&event.ty, &attr_pairs(event)).expect("a valid Mesi event")
        })
        .collect()
}
