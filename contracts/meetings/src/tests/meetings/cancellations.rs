//! The creator cancels a scheduled meeting: full refund to the fan, fee to the treasury.

use cosmwasm_std::Uint128;
use mesi_common::events::meetings::{MeetingChanged, MeetingPayout, MeetingStatus};
use mesi_common::{AssetError, AssetInfo};

use super::PRICE;
use crate::tests::*;

#[test]
fn a_creator_who_cancels_refunds_the_fan_in_full_and_pays_the_fee() {
    let mut s = Suite::new();
    let id = s.scheduled_meeting(PRICE);
    let (creator, treasury) = (s.creator.clone(), s.treasury());
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
    assert_eq!(s.usdc_of(&s.treasury()), 2_000);
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
    let (mesi, treasury) = (s.mesi(), s.treasury());
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
