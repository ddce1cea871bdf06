//! Meeting queries: pages by creator and by fan, unknown meetings.

use mesi_common::events::meetings::MeetingStatus;

use crate::msg::MeetingsResponse;
use crate::tests::*;

#[test]
fn meetings_of_a_creator_and_of_a_fan_paginate() {
    let mut s = Suite::new();
    let owner = s.owner.clone();
    s.exec(
        &owner,
        &ExecuteMsg::UpdateConfig {
            max_open_auctions: Some(10),
            dispute_window_secs: None,
            cancellation_fee_bps: None,
        },
    )
    .unwrap();
    let (creator, creator2, alice, bob) = (
        s.creator.clone(),
        s.creator2.clone(),
        s.alice.clone(),
        s.bob.clone(),
    );
    let mut won = vec![];
    for (seller, fan) in [
        (&creator, &alice),
        (&creator, &bob),
        (&creator2, &alice),
        (&creator, &alice),
    ] {
        let input = s.auction_input();
        let id = s.open(seller, input).unwrap();
        s.bid(fan, id, 1_000).unwrap();
        won.push(id);
    }
    s.advance(7 * DAY);
    for id in &won {
        s.settle(*id).unwrap();
    }
    let ids = |r: MeetingsResponse| r.meetings.iter().map(|m| m.meeting_id).collect::<Vec<_>>();
    let q = |s: &Suite, msg| ids(s.query(&msg));
    assert_eq!(
        q(
            &s,
            QueryMsg::MeetingsByCreator {
                creator: creator.to_string(),
                start_after: None,
                limit: None
            }
        ),
        vec![1, 2, 4]
    );
    assert_eq!(
        q(
            &s,
            QueryMsg::MeetingsByCreator {
                creator: creator.to_string(),
                start_after: Some(1),
                limit: Some(1)
            }
        ),
        vec![2]
    );
    assert_eq!(
        q(
            &s,
            QueryMsg::MeetingsByCreator {
                creator: creator2.to_string(),
                start_after: None,
                limit: None
            }
        ),
        vec![3]
    );
    assert_eq!(
        q(
            &s,
            QueryMsg::MeetingsByFan {
                fan: alice.to_string(),
                start_after: None,
                limit: None
            }
        ),
        vec![1, 3, 4]
    );
    assert_eq!(
        q(
            &s,
            QueryMsg::MeetingsByFan {
                fan: alice.to_string(),
                start_after: Some(3),
                limit: None
            }
        ),
        vec![4]
    );
    assert_eq!(
        q(
            &s,
            QueryMsg::MeetingsByFan {
                fan: bob.to_string(),
                start_after: None,
                limit: None
            }
        ),
        vec![2]
    );
    // Status changes keep the indexes right (only the record is rewritten).
    s.cancel_meeting(&creator, 2).unwrap();
    let bobs: MeetingsResponse = s.query(&QueryMsg::MeetingsByFan {
        fan: bob.to_string(),
        start_after: None,
        limit: None,
    });
    assert_eq!(bobs.meetings[0].meeting.status, MeetingStatus::Cancelled);
    assert!(s
        .app
        .wrap()
        .query_wasm_smart::<MeetingResponse>(&s.meetings, &QueryMsg::Meeting { meeting_id: 9 })
        .is_err());
}

#[test]
fn unknown_meetings_are_reported() {
    let mut s = Suite::new();
    let creator = s.creator.clone();
    assert_eq!(
        s.exec(
            &creator,
            &ExecuteMsg::MarkHeld {
                meeting_id: 5,
                fan_no_show: false
            }
        )
        .unwrap_err(),
        ContractError::MeetingNotFound(5)
    );
    // An auction that is still open has no meeting yet.
    let id = s.open_default();
    assert_eq!(
        s.exec(&creator, &ExecuteMsg::CancelMeeting { meeting_id: id })
            .unwrap_err(),
        ContractError::MeetingNotFound(id)
    );
}
