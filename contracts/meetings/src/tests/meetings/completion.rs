//! A meeting's way to its payout: held and claimed, confirmed, a fan no-show, CW20 payouts.

use cosmwasm_std::Uint128;
use mesi_common::events::meetings::{MeetingChanged, MeetingPayout, MeetingStatus};

use super::{statuses, FEE, PRICE};
use crate::msg::DisputeOutcome;
use crate::tests::*;

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
            treasury: Some(s.treasury()),
            fee: Uint128::new(FEE),
            payout: Some(s.payout.clone()),
            to_creator: Uint128::new(PRICE - FEE),
            cancellation_fee: None,
        }
    );
    assert_eq!(s.usdc_of(&s.treasury()), FEE);
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
    assert_eq!(s.usdc_of(&s.treasury()), FEE);
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
    let arbiter = s.arbiter();
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
    assert_eq!(s.balance(&s.treasury(), &mesi), 500);
    assert_eq!(s.balance(&s.payout.clone(), &mesi), 4_501);
    assert_eq!(s.balance(&s.meetings.clone(), &mesi), 0);
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
