//! Disputes: when the fan may open one, and the arbiter's refund, release and split.

use cosmwasm_std::Uint128;
use mesi_common::events::meetings::{
    DisputeOpened, DisputeOutcomeKind, DisputeResolved, MeetingPayout, MeetingStatus,
};

use super::{statuses, FEE, PRICE};
use crate::msg::DisputeOutcome;
use crate::msg::MAX_REASON_BYTES;
use crate::tests::*;

#[test]
fn a_dispute_inside_the_window_stops_the_claim() {
    let mut s = Suite::new();
    let id = s.held_meeting(PRICE);
    let (creator, alice) = (s.creator.clone(), s.alice.clone());
    let too_long = "r".repeat(MAX_REASON_BYTES + 1);
    assert!(matches!(
        s.exec(
            &alice,
            &ExecuteMsg::Dispute {
                meeting_id: id,
                reason: Some(too_long)
            }
        ),
        Err(ContractError::InvalidInput {
            field: "reason",
            ..
        })
    ));
    s.advance(DISPUTE_WINDOW - 1);
    let response = s
        .exec(
            &alice,
            &ExecuteMsg::Dispute {
                meeting_id: id,
                reason: Some("The creator never joined".into()),
            },
        )
        .unwrap();
    assert_eq!(
        one_event::<DisputeOpened>(&response),
        DisputeOpened {
            meeting_id: id,
            fan: alice.clone(),
            reason: Some("The creator never joined".into())
        }
    );
    assert_eq!(statuses(&response), vec![(MeetingStatus::Disputed, 2)]);
    s.advance(DAY);
    assert_eq!(
        s.exec(&creator, &ExecuteMsg::Claim { meeting_id: id })
            .unwrap_err(),
        ContractError::WrongMeetingStatus {
            action: "claim",
            status: MeetingStatus::Disputed
        }
    );
    assert_eq!(s.usdc_of(&s.meetings.clone()), PRICE, "still in escrow");
}

#[test]
fn no_dispute_after_the_window() {
    let mut s = Suite::new();
    let id = s.held_meeting(PRICE);
    let alice = s.alice.clone();
    let deadline = s.meeting(id).meeting.dispute_deadline.unwrap();
    s.advance(DISPUTE_WINDOW);
    assert_eq!(
        s.exec(
            &alice,
            &ExecuteMsg::Dispute {
                meeting_id: id,
                reason: None
            }
        )
        .unwrap_err(),
        ContractError::DisputeWindowClosed(deadline)
    );
}

#[test]
fn the_fan_may_dispute_a_meeting_the_creator_never_marked() {
    let mut s = Suite::new();
    let id = s.scheduled_meeting(PRICE);
    let alice = s.alice.clone();
    let end = s.meeting(id).meeting.slot.end();
    assert_eq!(
        s.exec(
            &alice,
            &ExecuteMsg::Dispute {
                meeting_id: id,
                reason: None
            }
        )
        .unwrap_err(),
        ContractError::MeetingNotOver(end)
    );
    s.advance_to(end);
    let response = s
        .exec(
            &alice,
            &ExecuteMsg::Dispute {
                meeting_id: id,
                reason: None,
            },
        )
        .unwrap();
    assert_eq!(statuses(&response), vec![(MeetingStatus::Disputed, 1)]);
    let arbiter = s.arbiter();
    s.exec(
        &arbiter,
        &ExecuteMsg::Resolve {
            meeting_id: id,
            outcome: DisputeOutcome::Refund {},
        },
    )
    .unwrap();
    assert_eq!(s.usdc_of(&alice), START_BALANCE);
}

#[test]
fn the_arbiter_refunds_in_full_without_fee() {
    let mut s = Suite::new();
    let id = s.disputed_meeting(PRICE);
    let arbiter = s.arbiter();
    let response = s
        .exec(
            &arbiter,
            &ExecuteMsg::Resolve {
                meeting_id: id,
                outcome: DisputeOutcome::Refund {},
            },
        )
        .unwrap();
    assert_eq!(
        one_event::<DisputeResolved>(&response),
        DisputeResolved {
            meeting_id: id,
            arbiter: arbiter.clone(),
            outcome: DisputeOutcomeKind::Refund,
            fan_bps: 10_000,
            to_fan: Uint128::new(PRICE),
            fee: Uint128::zero(),
            to_creator: Uint128::zero(),
        }
    );
    assert_eq!(statuses(&response), vec![(MeetingStatus::Refunded, 3)]);
    let payout: MeetingPayout = one_event(&response);
    assert_eq!((payout.treasury, payout.payout), (None, None));
    assert_eq!(s.usdc_of(&s.alice.clone()), START_BALANCE);
    assert_eq!(s.usdc_of(&s.treasury()), 0);
    assert_eq!(s.usdc_of(&s.payout.clone()), 0);
    assert_eq!(s.usdc_of(&s.meetings.clone()), 0);
    assert_eq!(
        s.exec(
            &arbiter,
            &ExecuteMsg::Resolve {
                meeting_id: id,
                outcome: DisputeOutcome::Release {}
            }
        )
        .unwrap_err(),
        ContractError::WrongMeetingStatus {
            action: "resolve",
            status: MeetingStatus::Refunded
        }
    );
}

#[test]
fn the_arbiter_releases_with_the_fee() {
    let mut s = Suite::new();
    let id = s.disputed_meeting(PRICE);
    let arbiter = s.arbiter();
    let response = s
        .exec(
            &arbiter,
            &ExecuteMsg::Resolve {
                meeting_id: id,
                outcome: DisputeOutcome::Release {},
            },
        )
        .unwrap();
    let resolved: DisputeResolved = one_event(&response);
    assert_eq!(
        (resolved.outcome, resolved.fan_bps),
        (DisputeOutcomeKind::Release, 0)
    );
    assert_eq!(
        (
            resolved.to_fan.u128(),
            resolved.fee.u128(),
            resolved.to_creator.u128()
        ),
        (0, FEE, PRICE - FEE)
    );
    assert_eq!(statuses(&response), vec![(MeetingStatus::Completed, 3)]);
    assert_eq!(s.usdc_of(&s.payout.clone()), PRICE - FEE);
    assert_eq!(s.usdc_of(&s.treasury()), FEE);
    assert_eq!(s.usdc_of(&s.alice.clone()), START_BALANCE - PRICE);
}

#[test]
fn the_arbiter_splits_exactly() {
    let mut s = Suite::new();
    let id = s.disputed_meeting(PRICE);
    let arbiter = s.arbiter();
    for bad in [0, 10_000, 10_001] {
        assert!(matches!(
            s.exec(
                &arbiter,
                &ExecuteMsg::Resolve {
                    meeting_id: id,
                    outcome: DisputeOutcome::Split { fan_bps: bad }
                }
            ),
            Err(ContractError::InvalidInput {
                field: "fan_bps",
                ..
            })
        ));
    }
    let response = s
        .exec(
            &arbiter,
            &ExecuteMsg::Resolve {
                meeting_id: id,
                outcome: DisputeOutcome::Split { fan_bps: 3_333 },
            },
        )
        .unwrap();
    // Fan: floor(10_001 * 0.3333) = 3_333; creator part 6_668, fee floor(666.8) = 666, creator 6_002.
    let resolved: DisputeResolved = one_event(&response);
    assert_eq!(
        (
            resolved.to_fan.u128(),
            resolved.fee.u128(),
            resolved.to_creator.u128()
        ),
        (3_333, 666, 6_002)
    );
    assert_eq!(
        resolved.to_fan + resolved.fee + resolved.to_creator,
        Uint128::new(PRICE)
    );
    assert_eq!(statuses(&response), vec![(MeetingStatus::Split, 3)]);
    assert_eq!(s.usdc_of(&s.alice.clone()), START_BALANCE - PRICE + 3_333);
    assert_eq!(s.usdc_of(&s.treasury()), 666);
    assert_eq!(s.usdc_of(&s.payout.clone()), 6_002);
    assert_eq!(s.usdc_of(&s.meetings.clone()), 0);
}
