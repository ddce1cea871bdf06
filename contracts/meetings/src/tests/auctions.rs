use cosmwasm_std::{Timestamp, Uint128};
use mesi_common::events::meetings::{
    AuctionCancelled, AuctionExtended, AuctionOpened, AuctionSettled, AuctionState, BidPlaced,
    MeetingChanged, MeetingFormat, MeetingStatus,
};
use mesi_common::{AssetError, AssetInfo};

use super::*;
use crate::msg::{AuctionCursor, AuctionsResponse, BidsResponse};
use crate::msg::{MAX_DESCRIPTION_BYTES, MAX_EXTENSION_SECS, MIN_EXTENSION_SECS};
use crate::state::TopBid;

#[test]
fn open_auction_is_stored_indexed_and_announced() {
    let mut s = Suite::new();
    let mut input = s.auction_input();
    input.format = MeetingFormat::InPerson;
    input.buy_now = Some(Uint128::new(50_000));
    let creator = s.creator.clone();
    let response = s
        .exec(
            &creator,
            &ExecuteMsg::OpenAuction {
                auction: input.clone(),
            },
        )
        .unwrap();

    let opened: AuctionOpened = one_event(&response);
    assert_eq!(opened.auction_id, 1);
    assert_eq!(opened.creator, creator);
    assert_eq!(opened.start, input.slot.start);
    assert_eq!(opened.duration_secs, 1_800);
    assert_eq!(opened.time_zone, "Europe/Berlin");
    assert_eq!(opened.format, MeetingFormat::InPerson);
    assert_eq!(opened.description, input.description);
    assert_eq!(opened.asset, usdc());
    assert_eq!(opened.reserve, Uint128::new(1_000));
    assert_eq!(opened.min_increment_bps, 500);
    assert_eq!(opened.ends_at, input.bidding_ends_at);
    assert_eq!(opened.extension_secs, 600);
    assert_eq!(opened.buy_now, Some(Uint128::new(50_000)));
    assert_eq!(opened.fee_bps, FEE_BPS);
    assert_eq!(opened.open_auctions, 1);
    assert_eq!(all_events(&response).len(), 1);

    let auction = s.auction(1);
    assert_eq!(auction.auction.state, AuctionState::Open);
    assert_eq!(auction.auction.creator, creator);
    assert_eq!(auction.top_bid, None);
    assert_eq!(auction.min_next_bid, Some(Uint128::new(1_000)));
    let by_creator: AuctionsResponse = s.query(&QueryMsg::AuctionsByCreator {
        creator: creator.to_string(),
        start_after: None,
        limit: None,
    });
    assert_eq!(by_creator.auctions.len(), 1);
    let open: AuctionsResponse = s.query(&QueryMsg::AuctionsByState {
        state: AuctionState::Open,
        start_after: None,
        ends_before: None,
        limit: None,
    });
    assert_eq!(open.auctions[0].auction_id, 1);
    let count: u32 = s.query(&QueryMsg::OpenAuctionCount {
        creator: creator.to_string(),
    });
    assert_eq!(count, 1);
}

#[test]
fn open_auction_validates_its_input() {
    let mut s = Suite::new();
    let creator = s.creator.clone();
    let now = s.now();
    let base = s.auction_input();
    type Change = Box<dyn Fn(&mut AuctionInput)>;
    let cases: Vec<(&str, Change)> = vec![
        ("start", Box::new(move |a| a.slot.start = now)),
        (
            "start",
            Box::new(move |a| a.slot.start = now.plus_seconds(400 * DAY)),
        ),
        ("duration_secs", Box::new(|a| a.slot.duration_secs = 60)),
        (
            "duration_secs",
            Box::new(|a| a.slot.duration_secs = 2 * DAY),
        ),
        ("time_zone", Box::new(|a| a.slot.time_zone = String::new())),
        (
            "time_zone",
            Box::new(|a| a.slot.time_zone = "Europe/Berlin; DROP".into()),
        ),
        ("time_zone", Box::new(|a| a.slot.time_zone = "A".repeat(65))),
        (
            "description",
            Box::new(|a| a.description = "x".repeat(MAX_DESCRIPTION_BYTES + 1)),
        ),
        (
            "description",
            Box::new(|a| a.description = "bell\u{7}".into()),
        ),
        (
            "bidding_ends_at",
            Box::new(move |a| a.bidding_ends_at = now),
        ),
        (
            "bidding_ends_at",
            Box::new(|a| a.bidding_ends_at = a.slot.start.plus_seconds(1)),
        ),
        (
            "extension_secs",
            Box::new(|a| a.extension_secs = MAX_EXTENSION_SECS + 1),
        ),
        (
            "min_increment_bps",
            Box::new(|a| a.min_increment_bps = 10_001),
        ),
        ("buy_now", Box::new(|a| a.buy_now = Some(Uint128::new(999)))),
        ("buy_now", Box::new(|a| a.buy_now = Some(Uint128::zero()))),
    ];
    for (field, change) in cases {
        let mut input = base.clone();
        change(&mut input);
        match s.open(&creator, input) {
            Err(ContractError::InvalidInput { field: got, .. }) => assert_eq!(got, field),
            other => panic!("{field}: expected invalid input, got {other:?}"),
        }
    }
    // A description may span lines, and the maximum length is fine.
    let mut input = base.clone();
    input.description = format!("line one\n{}", "y".repeat(MAX_DESCRIPTION_BYTES - 9));
    s.open(&creator, input).unwrap();

    // Assets: the platform's and the creator's only, and a valid address.
    let mut input = base.clone();
    input.asset = AssetInfo::native("uatom");
    assert_eq!(
        s.open(&creator, input).unwrap_err(),
        AssetError::NotAccepted(AssetInfo::native("uatom")).into()
    );
    let mut input = base.clone();
    input.asset = AssetInfo::cw20(cosmwasm_std::Addr::unchecked("not-an-address"));
    assert!(matches!(
        s.open(&creator, input),
        Err(ContractError::Asset(AssetError::Std(_)))
    ));
    let mut input = base;
    input.asset = s.mesi_asset();
    s.open(&creator, input).unwrap();
}

#[test]
fn only_active_registered_creators_open_auctions() {
    let mut s = Suite::new();
    let stranger = s.stranger.clone();
    let input = s.auction_input();
    assert!(
        matches!(s.open(&stranger, input.clone()), Err(ContractError::Std(_))),
        "unregistered"
    );

    let creator = s.creator.clone();
    let registry = s.registry.clone();
    s.app
        .execute_contract(
            creator.clone(),
            registry.clone(),
            &mesi_creators::msg::ExecuteMsg::DeactivateCreator {},
            &[],
        )
        .unwrap();
    assert_eq!(
        s.open(&creator, input.clone()).unwrap_err(),
        ContractError::CreatorInactive
    );
    s.app
        .execute_contract(
            creator.clone(),
            registry,
            &mesi_creators::msg::ExecuteMsg::ReactivateCreator {},
            &[],
        )
        .unwrap();
    s.open(&creator, input).unwrap();
}

#[test]
fn open_auctions_are_capped_per_creator() {
    let mut s = Suite::new();
    let creator = s.creator.clone();
    let ids: Vec<u64> = (0..MAX_OPEN).map(|_| s.open_default()).collect();
    let input = s.auction_input();
    assert_eq!(
        s.open(&creator, input.clone()).unwrap_err(),
        ContractError::TooManyOpenAuctions { max: MAX_OPEN }
    );
    // Another creator has their own cap.
    let creator2 = s.creator2.clone();
    s.open(&creator2, input.clone()).unwrap();

    // A cancelled auction frees a place; so does a settled one, but not an ended unsettled one.
    s.exec(&creator, &ExecuteMsg::CancelAuction { auction_id: ids[0] })
        .unwrap();
    s.open(&creator, input).unwrap();
    s.advance(7 * DAY);
    let input = s.auction_input();
    assert_eq!(
        s.open(&creator, input.clone()).unwrap_err(),
        ContractError::TooManyOpenAuctions { max: MAX_OPEN }
    );
    let settled: AuctionSettled = one_event(&s.settle(ids[1]).unwrap());
    assert_eq!(settled.open_auctions, MAX_OPEN - 1);
    s.open(&creator, input).unwrap();

    // The owner can change the cap.
    let owner = s.owner.clone();
    s.exec(
        &owner,
        &ExecuteMsg::UpdateConfig {
            max_open_auctions: Some(MAX_OPEN + 1),
            dispute_window_secs: None,
            cancellation_fee_bps: None,
        },
    )
    .unwrap();
    let input = s.auction_input();
    s.open(&creator, input).unwrap();
    let count: u32 = s.query(&QueryMsg::OpenAuctionCount {
        creator: creator.to_string(),
    });
    assert_eq!(count, MAX_OPEN + 1);
}

#[test]
fn bids_escrow_funds_and_refund_the_outbid_bidder_at_once() {
    let mut s = Suite::new();
    let id = s.open_default();
    let (alice, bob, carol) = (s.alice.clone(), s.bob.clone(), s.carol.clone());

    assert_eq!(
        s.bid(&alice, id, 999).unwrap_err(),
        ContractError::BidTooLow {
            min: Uint128::new(1_000)
        }
    );
    let first = s.bid(&alice, id, 1_001).unwrap();
    let placed: BidPlaced = one_event(&first);
    assert_eq!(
        placed,
        BidPlaced {
            auction_id: id,
            bid_seq: 1,
            bidder: alice.clone(),
            amount: Uint128::new(1_001),
            refunded_bidder: None,
            refund: None
        }
    );
    assert_eq!(s.usdc_of(&alice), START_BALANCE - 1_001);
    assert_eq!(s.usdc_of(&s.meetings.clone()), 1_001);

    // 5% of 1_001 is 50.05, rounded up to 51: the next bid is at least 1_052.
    assert_eq!(s.auction(id).min_next_bid, Some(Uint128::new(1_052)));
    assert_eq!(
        s.bid(&bob, id, 1_051).unwrap_err(),
        ContractError::BidTooLow {
            min: Uint128::new(1_052)
        }
    );
    let second = s.bid(&bob, id, 1_052).unwrap();
    let placed: BidPlaced = one_event(&second);
    assert_eq!(placed.bid_seq, 2);
    assert_eq!(placed.refunded_bidder, Some(alice.clone()));
    assert_eq!(placed.refund, Some(Uint128::new(1_001)));
    assert_eq!(
        s.usdc_of(&alice),
        START_BALANCE,
        "alice was refunded in the same transaction"
    );
    assert_eq!(s.usdc_of(&bob), START_BALANCE - 1_052);
    assert_eq!(s.usdc_of(&s.meetings.clone()), 1_052);

    // A top bidder may raise their own bid: the old one comes back.
    s.bid(&bob, id, 2_000).unwrap();
    assert_eq!(s.usdc_of(&bob), START_BALANCE - 2_000);
    s.bid(&carol, id, 5_000).unwrap();
    assert_eq!(s.usdc_of(&bob), START_BALANCE);
    assert_eq!(s.usdc_of(&s.meetings.clone()), 5_000);
    assert_eq!(
        s.auction(id).top_bid,
        Some(TopBid {
            bidder: carol.clone(),
            amount: Uint128::new(5_000),
            bid_count: 4
        })
    );

    // The bid history, paginated.
    let page: BidsResponse = s.query(&QueryMsg::Bids {
        auction_id: id,
        start_after: None,
        limit: Some(3),
    });
    let amounts: Vec<u128> = page.bids.iter().map(|b| b.bid.amount.u128()).collect();
    assert_eq!(amounts, vec![1_001, 1_052, 2_000]);
    assert_eq!(page.bids[0].bid.bidder, alice);
    let rest: BidsResponse = s.query(&QueryMsg::Bids {
        auction_id: id,
        start_after: Some(3),
        limit: Some(3),
    });
    assert_eq!(rest.bids.len(), 1);
    assert_eq!(
        (rest.bids[0].bid_seq, rest.bids[0].bid.bidder.clone()),
        (4, carol)
    );
}

#[test]
fn zero_increment_still_needs_a_higher_bid_and_zero_reserve_a_positive_one() {
    let mut s = Suite::new();
    let mut input = s.auction_input();
    input.min_increment_bps = 0;
    input.reserve = Uint128::zero();
    let creator = s.creator.clone();
    let id = s.open(&creator, input).unwrap();
    assert_eq!(s.auction(id).min_next_bid, Some(Uint128::one()));
    let (alice, bob) = (s.alice.clone(), s.bob.clone());
    s.bid(&alice, id, 1).unwrap();
    assert_eq!(
        s.bid(&bob, id, 1).unwrap_err(),
        ContractError::BidTooLow {
            min: Uint128::new(2)
        }
    );
    s.bid(&bob, id, 2).unwrap();
}

#[test]
fn the_creator_cannot_bid() {
    let mut s = Suite::new();
    let id = s.open_default();
    let creator = s.creator.clone();
    assert_eq!(
        s.bid(&creator, id, 5_000).unwrap_err(),
        ContractError::CreatorCannotBid
    );
}

#[test]
fn bids_end_at_the_bidding_end() {
    let mut s = Suite::new();
    let id = s.open_default();
    let alice = s.alice.clone();
    s.advance(7 * DAY);
    let ends_at = s.auction(id).auction.ends_at;
    assert_eq!(
        s.bid(&alice, id, 5_000).unwrap_err(),
        ContractError::BiddingEnded(ends_at)
    );
    assert_eq!(s.auction(id).min_next_bid, None);
    assert_eq!(
        s.bid(&alice, 99, 5_000).unwrap_err(),
        ContractError::AuctionNotFound(99)
    );
}

#[test]
fn a_late_bid_extends_the_end_but_not_past_the_slot() {
    let mut s = Suite::new();
    let id = s.open_default();
    let (alice, bob) = (s.alice.clone(), s.bob.clone());
    let ends_at = s.auction(id).auction.ends_at;

    // Eleven minutes before the end: outside the 10-minute window, no extension.
    s.advance_to(ends_at.minus_seconds(660));
    let response = s.bid(&alice, id, 1_000).unwrap();
    assert!(events::<AuctionExtended>(&response).is_empty());
    assert_eq!(s.auction(id).auction.ends_at, ends_at);

    // One minute before the end: the end moves to now + 10 minutes.
    s.advance_to(ends_at.minus_seconds(60));
    let response = s.bid(&bob, id, 1_050).unwrap();
    let extended: AuctionExtended = one_event(&response);
    let new_end = s.now().plus_seconds(600);
    assert_eq!(
        extended,
        AuctionExtended {
            auction_id: id,
            ends_at: new_end
        }
    );
    assert_eq!(s.auction(id).auction.ends_at, new_end);

    // The old end passed, bidding goes on; settling waits for the new end.
    s.advance_to(ends_at);
    assert_eq!(
        s.settle(id).unwrap_err(),
        ContractError::BiddingNotEnded(new_end)
    );
    s.bid(&alice, id, 1_200).unwrap();
    let after_second = s.auction(id).auction.ends_at;
    assert_eq!(after_second, s.now().plus_seconds(600));
    // The index follows the new end.
    let page: AuctionsResponse = s.query(&QueryMsg::AuctionsByState {
        state: AuctionState::Open,
        start_after: None,
        ends_before: None,
        limit: None,
    });
    assert_eq!(page.auctions[0].auction.ends_at, after_second);

    s.advance_to(after_second);
    assert_eq!(
        s.bid(&bob, id, 2_000).unwrap_err(),
        ContractError::BiddingEnded(after_second)
    );
    let settled: AuctionSettled = one_event(&s.settle(id).unwrap());
    assert_eq!(settled.winner, Some(alice.clone()));

    // Extensions stack up to the slot's start and never past it.
    let mut input = s.auction_input();
    input.bidding_ends_at = input.slot.start.minus_seconds(600);
    let creator = s.creator.clone();
    let start = input.slot.start;
    let id = s.open(&creator, input).unwrap();
    s.advance_to(start.minus_seconds(610));
    s.bid(&bob, id, 1_000).unwrap();
    assert_eq!(s.auction(id).auction.ends_at, start.minus_seconds(10));
    s.advance_to(start.minus_seconds(20));
    s.bid(&alice, id, 1_100).unwrap();
    assert_eq!(s.auction(id).auction.ends_at, start);
}

#[test]
fn anti_sniping_always_has_room_before_the_slot() {
    let mut s = Suite::new();
    let creator = s.creator.clone();
    let mut input = s.auction_input();
    let start = input.slot.start;
    // Bidding that ends closer to the slot than one extension window would cap the first
    // extension to less than the window.
    for gap in [0, 1, 599] {
        input.bidding_ends_at = start.minus_seconds(gap);
        assert_eq!(
            s.open(&creator, input.clone()).unwrap_err(),
            ContractError::InvalidInput {
                field: "bidding_ends_at",
                reason: "must end at least extension_secs (600 s) before the slot's start".into()
            },
            "gap {gap}"
        );
    }
    // An extension too short to answer a late bid in is refused; 0 turns extensions off.
    input.bidding_ends_at = start.minus_seconds(DAY);
    input.extension_secs = MIN_EXTENSION_SECS - 1;
    assert_eq!(
        s.open(&creator, input.clone()).unwrap_err(),
        ContractError::InvalidInput {
            field: "extension_secs",
            reason: format!("0 (off) or {MIN_EXTENSION_SECS} to {MAX_EXTENSION_SECS}")
        }
    );
    input.extension_secs = 0;
    input.bidding_ends_at = start;
    s.open(&creator, input.clone()).unwrap();
    // Exactly one window before the slot: a bid in the last second still gets the whole window.
    input.extension_secs = 600;
    input.bidding_ends_at = start.minus_seconds(600);
    let id = s.open(&creator, input).unwrap();
    s.advance_to(start.minus_seconds(601));
    let alice = s.alice.clone();
    let extended: AuctionExtended = one_event(&s.bid(&alice, id, 1_000).unwrap());
    assert_eq!(extended.ends_at, start.minus_seconds(1));
}

#[test]
fn buy_now_wins_at_once_and_refunds_the_top_bidder() {
    let mut s = Suite::new();
    let mut input = s.auction_input();
    input.buy_now = Some(Uint128::new(10_000));
    let creator = s.creator.clone();
    let id = s.open(&creator, input).unwrap();
    let (alice, bob, carol) = (s.alice.clone(), s.bob.clone(), s.carol.clone());

    s.bid(&alice, id, 2_000).unwrap();
    assert_eq!(
        s.bid(&bob, id, 10_001).unwrap_err(),
        ContractError::BidAboveBuyNow {
            buy_now: Uint128::new(10_000)
        }
    );
    let response = s.bid(&bob, id, 10_000).unwrap();
    let placed: BidPlaced = one_event(&response);
    assert_eq!(placed.refunded_bidder, Some(alice.clone()));
    let settled: AuctionSettled = one_event(&response);
    assert_eq!(
        settled,
        AuctionSettled {
            auction_id: id,
            creator: creator.clone(),
            state: AuctionState::Sold,
            winner: Some(bob.clone()),
            price: Some(Uint128::new(10_000)),
            bought_now: true,
            settled_by: bob.clone(),
            open_auctions: 0,
        }
    );
    let meeting: MeetingChanged = one_event(&response);
    assert_eq!(
        (meeting.status, meeting.revision, meeting.escrow),
        (MeetingStatus::Scheduled, 0, Uint128::new(10_000))
    );
    assert_eq!(s.usdc_of(&alice), START_BALANCE);
    assert_eq!(s.usdc_of(&s.meetings.clone()), 10_000);
    assert_eq!(s.auction(id).auction.state, AuctionState::Sold);
    assert_eq!(
        s.bid(&carol, id, 9_000).unwrap_err(),
        ContractError::AuctionNotOpen(AuctionState::Sold)
    );
    assert_eq!(
        s.settle(id).unwrap_err(),
        ContractError::AuctionNotOpen(AuctionState::Sold)
    );
    assert_eq!(s.meeting(id).meeting.fan, bob);
}

#[test]
fn a_buy_now_bid_skips_the_increment_rule() {
    let mut s = Suite::new();
    let mut input = s.auction_input();
    input.buy_now = Some(Uint128::new(1_040));
    let creator = s.creator.clone();
    let id = s.open(&creator, input).unwrap();
    let (alice, bob) = (s.alice.clone(), s.bob.clone());
    s.bid(&alice, id, 1_000).unwrap();
    assert_eq!(
        s.auction(id).min_next_bid,
        Some(Uint128::new(1_040)),
        "capped at the buy-now price"
    );
    // 1_040 is below the 5% increment (1_050), but it is the buy-now price.
    s.bid(&bob, id, 1_040).unwrap();
    assert_eq!(s.meeting(id).meeting.price, Uint128::new(1_040));
}

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
    assert_eq!(all_events(&response).len(), 1);
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

#[test]
fn cw20_bids_go_through_the_receive_hook_and_refunds_use_transfer() {
    let mut s = Suite::new();
    let mut input = s.auction_input();
    input.asset = s.mesi_asset();
    let creator = s.creator.clone();
    let id = s.open(&creator, input).unwrap();
    let (alice, bob) = (s.alice.clone(), s.bob.clone());
    let mesi = s.mesi_asset();
    let contract = s.meetings.clone();

    s.bid_cw20(&alice, id, 1_000).unwrap();
    assert_eq!(s.balance(&contract, &mesi), 1_000);
    let response = s.bid_cw20(&bob, id, 1_500).unwrap();
    assert_eq!(
        one_event::<BidPlaced>(&response).refunded_bidder,
        Some(alice.clone())
    );
    // The refund is a CW20 Transfer from the contract to alice, not a Send.
    let transfer = response
        .events
        .iter()
        .find(|e| {
            e.ty == "wasm"
                && e.attributes
                    .iter()
                    .any(|a| a.key == "action" && a.value == "transfer")
        })
        .expect("a cw20 transfer");
    assert!(transfer
        .attributes
        .iter()
        .any(|a| a.key == "to" && a.value == alice.as_str()));
    assert_eq!(s.balance(&alice, &mesi), START_BALANCE);
    assert_eq!(s.balance(&bob, &mesi), START_BALANCE - 1_500);
    assert_eq!(s.balance(&contract, &mesi), 1_500);
    // Native coins are refused for a CW20 auction.
    assert_eq!(
        s.bid(&alice, id, 2_000).unwrap_err(),
        AssetError::UnexpectedFunds.into()
    );
}

#[test]
fn auction_queries_paginate_by_creator_and_by_state_in_end_order() {
    let mut s = Suite::new();
    let owner = s.owner.clone();
    s.exec(
        &owner,
        &ExecuteMsg::UpdateConfig {
            max_open_auctions: Some(20),
            dispute_window_secs: None,
            cancellation_fee_bps: None,
        },
    )
    .unwrap();
    let (creator, creator2) = (s.creator.clone(), s.creator2.clone());
    let now = s.now();
    // Ends on days 7, 6, 5, ... so ids and end order differ.
    let mut ids = vec![];
    for i in 0..5u64 {
        let mut input = s.auction_input();
        input.bidding_ends_at = now.plus_seconds((7 - i) * DAY);
        ids.push(s.open(&creator, input).unwrap());
    }
    let other = s.open(&creator2, s.auction_input()).unwrap();

    let page: AuctionsResponse = s.query(&QueryMsg::AuctionsByCreator {
        creator: creator.to_string(),
        start_after: None,
        limit: Some(2),
    });
    assert_eq!(
        page.auctions
            .iter()
            .map(|a| a.auction_id)
            .collect::<Vec<_>>(),
        vec![1, 2]
    );
    let page: AuctionsResponse = s.query(&QueryMsg::AuctionsByCreator {
        creator: creator.to_string(),
        start_after: Some(2),
        limit: Some(10),
    });
    assert_eq!(
        page.auctions
            .iter()
            .map(|a| a.auction_id)
            .collect::<Vec<_>>(),
        vec![3, 4, 5]
    );
    let page: AuctionsResponse = s.query(&QueryMsg::AuctionsByCreator {
        creator: creator2.to_string(),
        start_after: None,
        limit: None,
    });
    assert_eq!(
        page.auctions
            .iter()
            .map(|a| a.auction_id)
            .collect::<Vec<_>>(),
        vec![other]
    );

    let by_state = |s: &Suite,
                    state,
                    start_after: Option<AuctionCursor>,
                    ends_before: Option<Timestamp>,
                    limit| {
        let page: AuctionsResponse = s.query(&QueryMsg::AuctionsByState {
            state,
            start_after,
            ends_before,
            limit,
        });
        page.auctions
            .iter()
            .map(|a| a.auction_id)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        by_state(&s, AuctionState::Open, None, None, Some(3)),
        vec![5, 4, 3]
    );
    let cursor = AuctionCursor {
        ends_at: now.plus_seconds(5 * DAY),
        auction_id: 3,
    };
    assert_eq!(
        by_state(&s, AuctionState::Open, Some(cursor), None, Some(10)),
        vec![2, 1, 6]
    );
    // Auctions 1 and 6 end at the same time: the id breaks the tie.
    let cursor = AuctionCursor {
        ends_at: now.plus_seconds(7 * DAY),
        auction_id: 1,
    };
    assert_eq!(
        by_state(&s, AuctionState::Open, Some(cursor), None, None),
        vec![6]
    );
    assert_eq!(
        by_state(
            &s,
            AuctionState::Open,
            None,
            Some(now.plus_seconds(5 * DAY + 1)),
            None
        ),
        vec![5, 4, 3]
    );

    // Settled and cancelled auctions move to their state's list.
    s.exec(&creator, &ExecuteMsg::CancelAuction { auction_id: 2 })
        .unwrap();
    s.advance(4 * DAY);
    s.settle(5).unwrap();
    assert_eq!(
        by_state(&s, AuctionState::Cancelled, None, None, None),
        vec![2]
    );
    assert_eq!(
        by_state(&s, AuctionState::Closed, None, None, None),
        vec![5]
    );
    assert_eq!(
        by_state(&s, AuctionState::Open, None, None, None),
        vec![4, 3, 1, 6]
    );
    assert!(by_state(&s, AuctionState::Sold, None, None, None).is_empty());
    // The limit is capped at 100 and defaults to 10.
    assert_eq!(
        by_state(&s, AuctionState::Open, None, None, Some(0)).len(),
        1
    );
    assert_eq!(ids.len(), 5);
}
