//! Opening auctions: what is stored and announced, input checks, who may open, the cap.

use cosmwasm_std::Uint128;
use mesi_common::events::meetings::{AuctionOpened, AuctionSettled, AuctionState, MeetingFormat};
use mesi_common::{AssetError, AssetInfo};

use crate::msg::AuctionsResponse;
use crate::msg::{MAX_DESCRIPTION_BYTES, MAX_EXTENSION_SECS};
use crate::tests::*;

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
    assert_eq!(mesi_events(&response).len(), 1);

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
