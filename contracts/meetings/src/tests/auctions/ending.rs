//! Ending auctions: settling with and without bids, cancelling one nobody bid on.

use cosmwasm_std::Uint128;
use mesi_common::events::meetings::{
    AuctionCancelled, AuctionSettled, AuctionState, MeetingChanged, MeetingFormat, MeetingStatus,
};

use crate::tests::*;

#[test]
fn settling_without_bids_closes_the_auction() {
    let mut s = Suite::new();
    let id = s.open_default();
    let ends_at = s.auction(id).auction.ends_at;
    assert_eq!(
        s.settle(id).unwrap_err(),
        ContractError::BiddingNotEnded(ends_at)
    );
    s.advance_to(ends_at);
    let response = s.settle(id).unwrap();
    let settled: AuctionSettled = one_event(&response);
    assert_eq!(
        (settled.state, settled.winner, settled.price),
        (AuctionState::Closed, None, None)
    );
    assert_eq!(settled.settled_by, s.stranger);
    assert_eq!(mesi_events(&response).len(), 1);
    assert_eq!(s.auction(id).auction.state, AuctionState::Closed);
    assert_eq!(
        s.settle(id).unwrap_err(),
        ContractError::AuctionNotOpen(AuctionState::Closed)
    );
}

#[test]
fn settling_with_a_winner_schedules_the_meeting_with_its_escrow() {
    let mut s = Suite::new();
    let id = s.open_default();
    let (alice, bob) = (s.alice.clone(), s.bob.clone());
    s.bid(&alice, id, 1_000).unwrap();
    s.bid(&bob, id, 3_000).unwrap();
    s.advance(7 * DAY);
    // Anyone settles, the winner included.
    let response = s
        .exec(&bob, &ExecuteMsg::Settle { auction_id: id })
        .unwrap();
    let settled: AuctionSettled = one_event(&response);
    assert_eq!(
        (settled.state, settled.winner.clone(), settled.price),
        (
            AuctionState::Sold,
            Some(bob.clone()),
            Some(Uint128::new(3_000))
        )
    );
    let changed: MeetingChanged = one_event(&response);
    let meeting = s.meeting(id).meeting;
    assert_eq!(
        changed,
        MeetingChanged {
            meeting_id: id,
            creator: s.creator.clone(),
            fan: bob.clone(),
            status: MeetingStatus::Scheduled,
            revision: 0,
            start: meeting.slot.start,
            duration_secs: 1_800,
            escrow: Uint128::new(3_000),
            dispute_deadline: None,
            fan_no_show: false,
            actor: bob.clone(),
        }
    );
    assert_eq!(meeting.price, Uint128::new(3_000));
    assert_eq!(meeting.fee_bps, FEE_BPS);
    assert_eq!(meeting.format, MeetingFormat::Video);
    assert_eq!(
        s.usdc_of(&s.meetings.clone()),
        3_000,
        "the winning bid stays in escrow"
    );
    assert_eq!(s.usdc_of(&alice), START_BALANCE);
}

#[test]
fn cancelling_is_allowed_only_without_bids() {
    let mut s = Suite::new();
    let creator = s.creator.clone();
    let alice = s.alice.clone();

    let id = s.open_default();
    let response = s
        .exec(&creator, &ExecuteMsg::CancelAuction { auction_id: id })
        .unwrap();
    assert_eq!(
        one_event::<AuctionCancelled>(&response),
        AuctionCancelled {
            auction_id: id,
            creator: creator.clone(),
            open_auctions: 0
        }
    );
    assert_eq!(s.auction(id).auction.state, AuctionState::Cancelled);
    assert_eq!(
        s.bid(&alice, id, 5_000).unwrap_err(),
        ContractError::AuctionNotOpen(AuctionState::Cancelled)
    );
    assert_eq!(
        s.exec(&creator, &ExecuteMsg::CancelAuction { auction_id: id })
            .unwrap_err(),
        ContractError::AuctionNotOpen(AuctionState::Cancelled)
    );

    let id = s.open_default();
    s.bid(&alice, id, 1_000).unwrap();
    assert_eq!(
        s.exec(&creator, &ExecuteMsg::CancelAuction { auction_id: id })
            .unwrap_err(),
        ContractError::AuctionHasBids
    );
    assert_eq!(s.usdc_of(&s.meetings.clone()), 1_000);

    // Ended without bids: cancelling is the same as settling it closed.
    let id = s.open_default();
    s.advance(8 * DAY);
    s.exec(&creator, &ExecuteMsg::CancelAuction { auction_id: id })
        .unwrap();
    let count: u32 = s.query(&QueryMsg::OpenAuctionCount {
        creator: creator.to_string(),
    });
    assert_eq!(
        count, 1,
        "the auction with a bid is still open until settled"
    );
}
