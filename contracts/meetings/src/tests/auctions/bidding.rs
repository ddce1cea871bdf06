//! Bidding: escrow and refunds, the increment rule, the end, anti-sniping, buy-now, CW20 bids.

use cosmwasm_std::Uint128;
use mesi_common::events::meetings::{
    AuctionExtended, AuctionSettled, AuctionState, BidPlaced, MeetingChanged, MeetingStatus,
};
use mesi_common::AssetError;

use crate::msg::{AuctionsResponse, BidsResponse};
use crate::msg::{MAX_EXTENSION_SECS, MIN_EXTENSION_SECS};
use crate::state::TopBid;
use crate::tests::*;

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
