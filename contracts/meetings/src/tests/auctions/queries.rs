//! Auction queries: pages by creator and by state in end-time order.

use cosmwasm_std::Timestamp;
use mesi_common::events::meetings::AuctionState;

use crate::msg::{AuctionCursor, AuctionsResponse};
use crate::tests::*;

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
