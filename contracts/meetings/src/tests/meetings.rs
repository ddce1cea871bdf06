use cosmwasm_std::Uint128;
use mesi_common::events::meetings::{
    DisputeOpened, DisputeOutcomeKind, DisputeResolved, MeetingChanged, MeetingPayout,
    MeetingStatus, RescheduleAction, RescheduleChanged,
};

use mesi_common::{AssetError, AssetInfo};

use super::*;
use crate::msg::MAX_REASON_BYTES;
use crate::msg::{DisputeOutcome, MeetingsResponse};

const PRICE: u128 = 10_001;
/// 10% of 10_001, rounded down.
const FEE: u128 = 1_000;

fn statuses(response: &AppResponse) -> Vec<(MeetingStatus, u32)> {
    events::<MeetingChanged>(response)
        .iter()
        .map(|m| (m.status, m.revision))
        .collect()
}

#[test]
fn held_then_claimed_after_the_window_pays_fee_and_creator() {
    let mut s = Suite::new();
    let id = s.scheduled_meeting(PRICE);
    let (creator, alice) = (s.creator.clone(), s.alice.clone());
    let end = s.meeting(id).meeting.slot.end();
    let mark = ExecuteMsg::MarkHeld {
        meeting_id: id,
        fan_no_show: false,
    };
    assert_eq!(
        s.exec(&creator, &mark).unwrap_err(),
        ContractError::MeetingNotOver(end)
    );

    s.advance_to(end);
    let response = s.exec(&creator, &mark).unwrap();
    let held: MeetingChanged = one_event(&response);
    let deadline = s.now().plus_seconds(DISPUTE_WINDOW);
    assert_eq!(
        (held.status, held.revision, held.dispute_deadline),
        (MeetingStatus::Held, 1, Some(deadline))
    );
    assert_eq!(held.escrow, Uint128::new(PRICE));
    assert_eq!(held.actor, creator);
    assert_eq!(
        s.exec(&creator, &mark).unwrap_err(),
        ContractError::WrongMeetingStatus {
            action: "mark held",
            status: MeetingStatus::Held
        }
    );

    let claim = ExecuteMsg::Claim { meeting_id: id };
    s.advance(DISPUTE_WINDOW - 1);
    assert_eq!(
        s.exec(&creator, &claim).unwrap_err(),
        ContractError::DisputeWindowOpen(deadline)
    );
    s.advance(1);
    let response = s.exec(&creator, &claim).unwrap();
    assert_eq!(statuses(&response), vec![(MeetingStatus::Completed, 2)]);
    let payout: MeetingPayout = one_event(&response);
    assert_eq!(
        payout,
        MeetingPayout {
            meeting_id: id,
            asset: usdc(),
            fan: alice.clone(),
            to_fan: Uint128::zero(),
            treasury: Some(s.treasury.clone()),
            fee: Uint128::new(FEE),
            payout: Some(s.payout.clone()),
            to_creator: Uint128::new(PRICE - FEE),
            cancellation_fee: None,
        }
    );
    assert_eq!(s.usdc_of(&s.treasury.clone()), FEE);
    assert_eq!(s.usdc_of(&s.payout.clone()), PRICE - FEE);
    assert_eq!(s.usdc_of(&s.meetings.clone()), 0);
    assert_eq!(s.usdc_of(&alice), START_BALANCE - PRICE);
    assert_eq!(
        s.exec(&creator, &claim).unwrap_err(),
        ContractError::WrongMeetingStatus {
            action: "claim",
            status: MeetingStatus::Completed
        }
    );
    // A finished meeting takes no dispute.
    assert_eq!(
        s.exec(
            &alice,
            &ExecuteMsg::Dispute {
                meeting_id: id,
                reason: None
            }
        )
        .unwrap_err(),
        ContractError::WrongMeetingStatus {
            action: "dispute",
            status: MeetingStatus::Completed
        }
    );
}

#[test]
fn the_fan_confirms_and_releases_at_once() {
    let mut s = Suite::new();
    let id = s.held_meeting(PRICE);
    let alice = s.alice.clone();
    let response = s
        .exec(&alice, &ExecuteMsg::Confirm { meeting_id: id })
        .unwrap();
    assert_eq!(statuses(&response), vec![(MeetingStatus::Completed, 2)]);
    assert_eq!(
        one_event::<MeetingPayout>(&response).to_creator,
        Uint128::new(PRICE - FEE)
    );
    assert_eq!(s.usdc_of(&s.payout.clone()), PRICE - FEE);
    assert_eq!(s.usdc_of(&s.treasury.clone()), FEE);
    assert_eq!(s.usdc_of(&s.meetings.clone()), 0);
    let creator = s.creator.clone();
    assert!(matches!(
        s.exec(&creator, &ExecuteMsg::Claim { meeting_id: id }),
        Err(ContractError::WrongMeetingStatus { .. })
    ));
}

#[test]
fn the_fan_may_confirm_before_the_creator_marks_it_but_not_before_the_slot_ends() {
    let mut s = Suite::new();
    let id = s.scheduled_meeting(PRICE);
    let alice = s.alice.clone();
    let end = s.meeting(id).meeting.slot.end();
    assert_eq!(
        s.exec(&alice, &ExecuteMsg::Confirm { meeting_id: id })
            .unwrap_err(),
        ContractError::MeetingNotOver(end)
    );
    s.advance_to(end);
    let response = s
        .exec(&alice, &ExecuteMsg::Confirm { meeting_id: id })
        .unwrap();
    assert_eq!(statuses(&response), vec![(MeetingStatus::Completed, 1)]);
    assert_eq!(s.usdc_of(&s.payout.clone()), PRICE - FEE);
}

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
    let arbiter = s.arbiter.clone();
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
    let arbiter = s.arbiter.clone();
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
    assert_eq!(s.usdc_of(&s.treasury.clone()), 0);
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
    let arbiter = s.arbiter.clone();
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
    assert_eq!(s.usdc_of(&s.treasury.clone()), FEE);
    assert_eq!(s.usdc_of(&s.alice.clone()), START_BALANCE - PRICE);
}

#[test]
fn the_arbiter_splits_exactly() {
    let mut s = Suite::new();
    let id = s.disputed_meeting(PRICE);
    let arbiter = s.arbiter.clone();
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
    assert_eq!(s.usdc_of(&s.treasury.clone()), 666);
    assert_eq!(s.usdc_of(&s.payout.clone()), 6_002);
    assert_eq!(s.usdc_of(&s.meetings.clone()), 0);
}

#[test]
fn a_cw20_meeting_pays_out_with_transfers() {
    let mut s = Suite::new();
    let mut input = s.auction_input();
    input.asset = s.mesi_asset();
    let creator = s.creator.clone();
    let id = s.open(&creator, input).unwrap();
    let alice = s.alice.clone();
    s.bid_cw20(&alice, id, PRICE).unwrap();
    s.advance(7 * DAY);
    s.settle(id).unwrap();
    let end = s.meeting(id).meeting.slot.end();
    s.advance_to(end);
    s.exec(
        &creator,
        &ExecuteMsg::MarkHeld {
            meeting_id: id,
            fan_no_show: false,
        },
    )
    .unwrap();
    s.exec(
        &alice,
        &ExecuteMsg::Dispute {
            meeting_id: id,
            reason: None,
        },
    )
    .unwrap();
    let arbiter = s.arbiter.clone();
    s.exec(
        &arbiter,
        &ExecuteMsg::Resolve {
            meeting_id: id,
            outcome: DisputeOutcome::Split { fan_bps: 5_000 },
        },
    )
    .unwrap();
    let mesi = s.mesi_asset();
    // Fan 5_000; creator part 5_001: fee 500, creator 4_501.
    assert_eq!(s.balance(&alice, &mesi), START_BALANCE - PRICE + 5_000);
    assert_eq!(s.balance(&s.treasury.clone(), &mesi), 500);
    assert_eq!(s.balance(&s.payout.clone(), &mesi), 4_501);
    assert_eq!(s.balance(&s.meetings.clone(), &mesi), 0);
}

#[test]
fn a_creator_who_cancels_refunds_the_fan_in_full_and_pays_the_fee() {
    let mut s = Suite::new();
    let id = s.scheduled_meeting(PRICE);
    let (creator, treasury) = (s.creator.clone(), s.treasury.clone());
    // 10% of 10_001, rounded up.
    let fee = 1_001;
    assert_eq!(s.meeting(id).cancellation_fee, Some(Uint128::new(fee)));
    let response = s.cancel_meeting(&creator, id).unwrap();
    let changed: MeetingChanged = one_event(&response);
    assert_eq!(
        (changed.status, changed.revision, changed.escrow),
        (MeetingStatus::Cancelled, 1, Uint128::zero())
    );
    assert_eq!(changed.status.calendar_status(), "CANCELLED");
    let payout: MeetingPayout = one_event(&response);
    assert_eq!(
        payout,
        MeetingPayout {
            meeting_id: id,
            asset: usdc(),
            fan: s.alice.clone(),
            to_fan: Uint128::new(PRICE),
            treasury: Some(treasury.clone()),
            fee: Uint128::zero(),
            payout: None,
            to_creator: Uint128::zero(),
            cancellation_fee: Some(Uint128::new(fee)),
        }
    );
    assert_eq!(s.usdc_of(&s.alice.clone()), START_BALANCE);
    assert_eq!(s.usdc_of(&creator), START_BALANCE - fee);
    assert_eq!(s.usdc_of(&treasury), fee);
    assert_eq!(s.usdc_of(&s.meetings.clone()), 0);
    assert_eq!(s.meeting(id).cancellation_fee, None);
    assert_eq!(
        s.exec(&creator, &ExecuteMsg::CancelMeeting { meeting_id: id })
            .unwrap_err(),
        ContractError::WrongMeetingStatus {
            action: "cancel",
            status: MeetingStatus::Cancelled
        }
    );
    // Once held, the creator can no longer cancel.
    let id = s.held_meeting(PRICE);
    assert_eq!(s.meeting(id).cancellation_fee, None);
    assert_eq!(
        s.exec(&creator, &ExecuteMsg::CancelMeeting { meeting_id: id })
            .unwrap_err(),
        ContractError::WrongMeetingStatus {
            action: "cancel",
            status: MeetingStatus::Held
        }
    );
}

#[test]
fn a_shill_bid_that_wins_costs_the_creator_when_cancelled() {
    let mut s = Suite::new();
    let (creator, alice) = (s.creator.clone(), s.alice.clone());
    // The creator's second wallet outbids the real fan, wins, and the creator cancels.
    let shill = s.stranger.clone();
    let id = s.open_default();
    s.bid(&alice, id, 4_000).unwrap();
    s.bid(&shill, id, 20_000).unwrap();
    s.advance(7 * DAY);
    s.settle(id).unwrap();
    let cancel = ExecuteMsg::CancelMeeting { meeting_id: id };
    // Without the fee, with too little, too much, or another coin: refused, nothing moves.
    assert_eq!(
        s.exec(&creator, &cancel).unwrap_err(),
        AssetError::NoFunds.into()
    );
    for wrong in [1_999u128, 2_001] {
        assert_eq!(
            s.exec_with_funds(&creator, &cancel, &coins(wrong, USDC))
                .unwrap_err(),
            ContractError::WrongCancellationFee {
                fee: Uint128::new(2_000),
                paid: Uint128::new(wrong)
            }
        );
    }
    assert_eq!(
        s.exec_with_funds(&creator, &cancel, &coins(2_000, "uatom"))
            .unwrap_err(),
        AssetError::NotAccepted(AssetInfo::native("uatom")).into()
    );
    // Only the creator cancels, fee or not.
    assert_eq!(
        s.exec_with_funds(&shill, &cancel, &coins(2_000, USDC))
            .unwrap_err(),
        ContractError::Unauthorized("creator")
    );
    assert_eq!(s.meeting(id).meeting.status, MeetingStatus::Scheduled);
    s.cancel_meeting(&creator, id).unwrap();
    // The two wallets together are 10% of the winning bid poorer; the fee is the platform's.
    let together = s.usdc_of(&creator) + s.usdc_of(&shill);
    assert_eq!(together, 2 * START_BALANCE - 2_000);
    assert_eq!(s.usdc_of(&s.treasury.clone()), 2_000);
    assert_eq!(s.usdc_of(&alice), START_BALANCE);
    assert_eq!(s.usdc_of(&s.meetings.clone()), 0);
}

#[test]
fn a_cw20_meeting_is_cancelled_by_sending_the_fee() {
    let mut s = Suite::new();
    let (creator, alice) = (s.creator.clone(), s.alice.clone());
    let mut input = s.auction_input();
    input.asset = s.mesi_asset();
    let id = s.open(&creator, input).unwrap();
    s.bid_cw20(&alice, id, 5_000).unwrap();
    s.advance(7 * DAY);
    s.settle(id).unwrap();
    let (mesi, treasury) = (s.mesi.clone(), s.treasury.clone());
    let cancel = ReceiveMsg::CancelMeeting { meeting_id: id };
    // The fan cannot cancel, and a wrong amount is refused.
    assert_eq!(
        s.send_hook(&mesi, &alice, &cancel, 500).unwrap_err(),
        ContractError::Unauthorized("creator")
    );
    assert_eq!(
        s.send_hook(&mesi, &creator, &cancel, 499).unwrap_err(),
        ContractError::WrongCancellationFee {
            fee: Uint128::new(500),
            paid: Uint128::new(499)
        }
    );
    // Native coins do not pay for a CW20 meeting.
    assert_eq!(
        s.exec_with_funds(
            &creator,
            &ExecuteMsg::CancelMeeting { meeting_id: id },
            &coins(500, USDC)
        )
        .unwrap_err(),
        AssetError::UnexpectedFunds.into()
    );
    s.send_hook(&mesi, &creator, &cancel, 500).unwrap();
    let mesi_asset = s.mesi_asset();
    assert_eq!(s.balance(&alice, &mesi_asset), START_BALANCE);
    assert_eq!(s.balance(&creator, &mesi_asset), START_BALANCE - 500);
    assert_eq!(s.balance(&treasury, &mesi_asset), 500);
    assert_eq!(s.balance(&s.meetings.clone(), &mesi_asset), 0);
    assert_eq!(s.meeting(id).meeting.status, MeetingStatus::Cancelled);
}

#[test]
fn a_fan_who_does_not_show_up_pays_the_creator_after_the_window() {
    let mut s = Suite::new();
    let id = s.scheduled_meeting(PRICE);
    let creator = s.creator.clone();
    let end = s.meeting(id).meeting.slot.end();
    s.advance_to(end.plus_seconds(3_600));
    let response = s
        .exec(
            &creator,
            &ExecuteMsg::MarkHeld {
                meeting_id: id,
                fan_no_show: true,
            },
        )
        .unwrap();
    let changed: MeetingChanged = one_event(&response);
    assert!(changed.fan_no_show);
    assert_eq!(changed.status.calendar_status(), "CONFIRMED");
    s.advance(DISPUTE_WINDOW);
    s.exec(&creator, &ExecuteMsg::Claim { meeting_id: id })
        .unwrap();
    assert_eq!(s.usdc_of(&s.payout.clone()), PRICE - FEE);
    assert!(s.meeting(id).meeting.fan_no_show);
}

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
    let (creator, alice, arbiter) = (s.creator.clone(), s.alice.clone(), s.arbiter.clone());
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

#[test]
fn the_payout_address_and_treasury_are_read_when_paying() {
    let mut s = Suite::new();
    let id = s.held_meeting(PRICE);
    let (creator, owner) = (s.creator.clone(), s.owner.clone());
    let new_payout = s.app.api().addr_make("new-payout");
    let new_treasury = s.app.api().addr_make("new-treasury");
    let registry = s.registry.clone();
    let profile = mesi_creators::msg::ProfileInput {
        display_name: "Creator".into(),
        payout: Some(new_payout.to_string()),
        accepted_assets: vec![],
        tip_minimums: vec![],
        chat_rule: mesi_common::chat_rule::ChatRule::Everyone,
    };
    s.app
        .execute_contract(
            creator.clone(),
            registry.clone(),
            &mesi_creators::msg::ExecuteMsg::UpdateCreator { profile },
            &[],
        )
        .unwrap();
    // A fee raise after the auction opened does not apply to it.
    let update = mesi_creators::msg::ExecuteMsg::UpdateConfig {
        treasury: Some(new_treasury.to_string()),
        fees: Some(Fees {
            tips: 0,
            subscriptions: 0,
            ppv: 0,
            surprise_sales: 0,
            meetings: 2_000,
        }),
        accepted_assets: None,
        fiat_gateways: None,
        arbiter: None,
        contracts: None,
    };
    s.app
        .execute_contract(owner, registry, &update, &[])
        .unwrap();
    s.advance(DISPUTE_WINDOW);
    s.exec(&creator, &ExecuteMsg::Claim { meeting_id: id })
        .unwrap();
    assert_eq!(s.usdc_of(&new_payout), PRICE - FEE);
    assert_eq!(s.usdc_of(&new_treasury), FEE);
}
