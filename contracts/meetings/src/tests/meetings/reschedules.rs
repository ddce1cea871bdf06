//! Rescheduling, and the calendar revision every change of time or status raises.

use mesi_common::events::meetings::{
    MeetingChanged, MeetingStatus, RescheduleAction, RescheduleChanged,
};

use super::{statuses, PRICE};
use crate::msg::DisputeOutcome;
use crate::tests::*;

#[test]
fn a_reschedule_takes_effect_when_the_other_side_accepts() {
    let mut s = Suite::new();
    let id = s.scheduled_meeting(PRICE);
    let (creator, alice, bob) = (s.creator.clone(), s.alice.clone(), s.bob.clone());
    let old = s.meeting(id).meeting.slot;
    let new_start = old.start.plus_seconds(2 * DAY);
    let accept = |start, duration_secs| ExecuteMsg::AcceptReschedule {
        meeting_id: id,
        start,
        duration_secs,
    };

    assert_eq!(
        s.exec(&alice, &accept(new_start, 3_600)).unwrap_err(),
        ContractError::NoReschedulePending
    );
    let response = s
        .exec(
            &creator,
            &ExecuteMsg::ProposeReschedule {
                meeting_id: id,
                start: new_start,
                duration_secs: 3_600,
            },
        )
        .unwrap();
    assert_eq!(
        one_event::<RescheduleChanged>(&response),
        RescheduleChanged {
            meeting_id: id,
            action: RescheduleAction::Proposed,
            by: creator.clone(),
            start: Some(new_start),
            duration_secs: Some(3_600),
        }
    );
    assert!(
        events::<MeetingChanged>(&response).is_empty(),
        "a proposal changes nothing yet"
    );
    assert_eq!(s.meeting(id).meeting.revision, 0);

    assert_eq!(
        s.exec(&creator, &accept(new_start, 3_600)).unwrap_err(),
        ContractError::OwnProposal
    );
    assert_eq!(
        s.exec(&alice, &accept(new_start, 1_800)).unwrap_err(),
        ContractError::RescheduleMismatch
    );
    assert_eq!(
        s.exec(&bob, &accept(new_start, 3_600)).unwrap_err(),
        ContractError::Unauthorized("creator or the fan")
    );
    let response = s.exec(&alice, &accept(new_start, 3_600)).unwrap();
    let changed: MeetingChanged = one_event(&response);
    assert_eq!(
        (changed.status, changed.revision),
        (MeetingStatus::Scheduled, 1)
    );
    assert_eq!((changed.start, changed.duration_secs), (new_start, 3_600));
    let meeting = s.meeting(id).meeting;
    assert_eq!(
        (
            meeting.slot.start,
            meeting.slot.duration_secs,
            meeting.reschedule
        ),
        (new_start, 3_600, None)
    );
    assert_eq!(meeting.slot.time_zone, old.time_zone);

    // The old end passed: the meeting is not over yet, it moved.
    s.advance_to(old.end());
    let creator_marks = ExecuteMsg::MarkHeld {
        meeting_id: id,
        fan_no_show: false,
    };
    assert_eq!(
        s.exec(&creator, &creator_marks).unwrap_err(),
        ContractError::MeetingNotOver(new_start.plus_seconds(3_600))
    );

    // A counter-proposal replaces the pending one; the proposer withdraws, the other side declines.
    let propose = |start| ExecuteMsg::ProposeReschedule {
        meeting_id: id,
        start,
        duration_secs: 1_800,
    };
    let later = new_start.plus_seconds(DAY);
    s.exec(&alice, &propose(later)).unwrap();
    s.exec(&creator, &propose(later.plus_seconds(3_600)))
        .unwrap();
    assert_eq!(
        s.exec(&creator, &accept(later, 1_800)).unwrap_err(),
        ContractError::OwnProposal
    );
    assert_eq!(
        s.exec(&alice, &accept(later, 1_800)).unwrap_err(),
        ContractError::RescheduleMismatch
    );
    let response = s
        .exec(&alice, &ExecuteMsg::DeclineReschedule { meeting_id: id })
        .unwrap();
    assert_eq!(
        one_event::<RescheduleChanged>(&response).action,
        RescheduleAction::Declined
    );
    s.exec(&alice, &propose(later)).unwrap();
    let response = s
        .exec(&alice, &ExecuteMsg::DeclineReschedule { meeting_id: id })
        .unwrap();
    assert_eq!(
        one_event::<RescheduleChanged>(&response).action,
        RescheduleAction::Withdrawn
    );
    assert_eq!(
        s.exec(&alice, &ExecuteMsg::DeclineReschedule { meeting_id: id })
            .unwrap_err(),
        ContractError::NoReschedulePending
    );

    // A proposal whose time has passed can no longer be accepted.
    let soon = s.now().plus_seconds(3_600);
    s.exec(&alice, &propose(soon)).unwrap();
    s.advance(3_600);
    assert!(matches!(
        s.exec(&creator, &accept(soon, 1_800)),
        Err(ContractError::InvalidInput { field: "start", .. })
    ));
    // Proposals must be valid slots.
    assert!(matches!(
        s.exec(&alice, &propose(s.now())),
        Err(ContractError::InvalidInput { field: "start", .. })
    ));
    assert!(matches!(
        s.exec(
            &alice,
            &ExecuteMsg::ProposeReschedule {
                meeting_id: id,
                start: later,
                duration_secs: 10
            }
        ),
        Err(ContractError::InvalidInput {
            field: "duration_secs",
            ..
        })
    ));

    // Marking it held drops a pending proposal, and a held meeting cannot be rescheduled.
    s.exec(&alice, &propose(later)).unwrap();
    s.advance_to(new_start.plus_seconds(3_600));
    let response = s.exec(&creator, &creator_marks).unwrap();
    assert_eq!(statuses(&response), vec![(MeetingStatus::Held, 2)]);
    assert_eq!(s.meeting(id).meeting.reschedule, None);
    assert_eq!(
        s.exec(&alice, &propose(later.plus_seconds(DAY)))
            .unwrap_err(),
        ContractError::WrongMeetingStatus {
            action: "reschedule",
            status: MeetingStatus::Held
        }
    );
}

#[test]
fn every_change_of_time_or_status_raises_the_revision() {
    let mut s = Suite::new();
    let id = s.scheduled_meeting(PRICE);
    let (creator, alice, arbiter) = (s.creator.clone(), s.alice.clone(), s.arbiter());
    let mut revisions = vec![s.meeting(id).meeting.revision];
    let start = s.meeting(id).meeting.slot.start.plus_seconds(DAY);
    s.exec(
        &alice,
        &ExecuteMsg::ProposeReschedule {
            meeting_id: id,
            start,
            duration_secs: 1_800,
        },
    )
    .unwrap();
    revisions.push(s.meeting(id).meeting.revision);
    s.exec(
        &creator,
        &ExecuteMsg::AcceptReschedule {
            meeting_id: id,
            start,
            duration_secs: 1_800,
        },
    )
    .unwrap();
    revisions.push(s.meeting(id).meeting.revision);
    s.advance_to(start.plus_seconds(1_800));
    s.exec(
        &creator,
        &ExecuteMsg::MarkHeld {
            meeting_id: id,
            fan_no_show: false,
        },
    )
    .unwrap();
    revisions.push(s.meeting(id).meeting.revision);
    s.exec(
        &alice,
        &ExecuteMsg::Dispute {
            meeting_id: id,
            reason: None,
        },
    )
    .unwrap();
    revisions.push(s.meeting(id).meeting.revision);
    s.exec(
        &arbiter,
        &ExecuteMsg::Resolve {
            meeting_id: id,
            outcome: DisputeOutcome::Release {},
        },
    )
    .unwrap();
    revisions.push(s.meeting(id).meeting.revision);
    assert_eq!(revisions, vec![0, 0, 1, 2, 3, 4]);
}
