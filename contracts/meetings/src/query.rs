//! Every query of the contract; auctions and meetings come in pages of `page_limit`.

use cosmwasm_std::{Deps, Env, Order, StdResult, Timestamp};
use cw_storage_plus::Bound;
use mesi_common::events::meetings::{AuctionState, MeetingStatus};
use mesi_common::pagination::page_limit;

use crate::auction::min_next_bid;
use crate::msg::{
    AuctionCursor, AuctionResponse, AuctionsResponse, BidResponse, BidsResponse, MeetingResponse,
    MeetingsResponse,
};
use crate::payout::cancellation_fee;
use crate::state::{
    auctions, meetings, state_key, Auction, Config, Meeting, BIDS, CONFIG, OPEN_AUCTIONS, TOP_BIDS,
};

pub fn query_config(deps: Deps) -> StdResult<Config> {
    CONFIG.load(deps.storage)
}

pub fn query_auction(deps: Deps, env: Env, auction_id: u64) -> StdResult<AuctionResponse> {
    let auction = auctions().load(deps.storage, auction_id)?;
    auction_response(deps, &env, auction_id, auction)
}

pub fn query_auctions_by_creator(
    deps: Deps,
    env: Env,
    creator: String,
    start_after: Option<u64>,
    limit: Option<u32>,
) -> StdResult<AuctionsResponse> {
    let creator = deps.api.addr_validate(&creator)?;
    let page = auctions()
        .idx
        .creator
        .prefix(creator)
        .range(
            deps.storage,
            start_after.map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(page_limit(limit));
    auctions_response(deps, &env, page)
}

pub fn query_auctions_by_state(
    deps: Deps,
    env: Env,
    state: AuctionState,
    start_after: Option<AuctionCursor>,
    ends_before: Option<Timestamp>,
    limit: Option<u32>,
) -> StdResult<AuctionsResponse> {
    let min = start_after.map(|c| Bound::exclusive((c.ends_at.nanos(), c.auction_id)));
    let max = ends_before.map(|t| Bound::exclusive((t.nanos(), 0)));
    let page = auctions()
        .idx
        .state_end
        .sub_prefix(state_key(state))
        .range(deps.storage, min, max, Order::Ascending)
        .take(page_limit(limit));
    auctions_response(deps, &env, page)
}

pub fn query_open_auction_count(deps: Deps, creator: String) -> StdResult<u32> {
    let creator = deps.api.addr_validate(&creator)?;
    Ok(OPEN_AUCTIONS.may_load(deps.storage, &creator)?.unwrap_or(0))
}

pub fn query_bids(
    deps: Deps,
    auction_id: u64,
    start_after: Option<u32>,
    limit: Option<u32>,
) -> StdResult<BidsResponse> {
    let bids = BIDS
        .prefix(auction_id)
        .range(
            deps.storage,
            start_after.map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(page_limit(limit))
        .map(|item| item.map(|(bid_seq, bid)| BidResponse { bid_seq, bid }))
        .collect::<StdResult<_>>()?;
    Ok(BidsResponse { bids })
}

pub fn query_meeting(deps: Deps, meeting_id: u64) -> StdResult<MeetingResponse> {
    let config = CONFIG.load(deps.storage)?;
    let meeting = meetings().load(deps.storage, meeting_id)?;
    Ok(meeting_response(&config, meeting_id, meeting))
}

pub fn query_meetings_by_creator(
    deps: Deps,
    creator: String,
    start_after: Option<u64>,
    limit: Option<u32>,
) -> StdResult<MeetingsResponse> {
    let creator = deps.api.addr_validate(&creator)?;
    let page = meetings().idx.creator.prefix(creator).range(
        deps.storage,
        start_after.map(Bound::exclusive),
        None,
        Order::Ascending,
    );
    meetings_response(deps, page, limit)
}

pub fn query_meetings_by_fan(
    deps: Deps,
    fan: String,
    start_after: Option<u64>,
    limit: Option<u32>,
) -> StdResult<MeetingsResponse> {
    let fan = deps.api.addr_validate(&fan)?;
    let page = meetings().idx.fan.prefix(fan).range(
        deps.storage,
        start_after.map(Bound::exclusive),
        None,
        Order::Ascending,
    );
    meetings_response(deps, page, limit)
}

fn auction_response(
    deps: Deps,
    env: &Env,
    auction_id: u64,
    auction: Auction,
) -> StdResult<AuctionResponse> {
    let top_bid = TOP_BIDS.may_load(deps.storage, auction_id)?;
    let biddable = auction.state == AuctionState::Open && env.block.time < auction.ends_at;
    let min_next_bid = if biddable {
        // Once the increment rule asks for more than the buy-now price, only that price wins.
        let min = min_next_bid(&auction, top_bid.as_ref())?;
        Some(auction.buy_now.map_or(min, |buy_now| min.min(buy_now)))
    } else {
        None
    };
    Ok(AuctionResponse {
        auction_id,
        auction,
        top_bid,
        min_next_bid,
    })
}

fn auctions_response(
    deps: Deps,
    env: &Env,
    page: impl Iterator<Item = StdResult<(u64, Auction)>>,
) -> StdResult<AuctionsResponse> {
    let auctions = page
        .map(|item| item.and_then(|(id, auction)| auction_response(deps, env, id, auction)))
        .collect::<StdResult<_>>()?;
    Ok(AuctionsResponse { auctions })
}

fn meeting_response(config: &Config, meeting_id: u64, meeting: Meeting) -> MeetingResponse {
    let cancellation_fee =
        (meeting.status == MeetingStatus::Scheduled).then(|| cancellation_fee(config, &meeting));
    MeetingResponse {
        meeting_id,
        meeting,
        cancellation_fee,
    }
}

fn meetings_response(
    deps: Deps,
    page: impl Iterator<Item = StdResult<(u64, Meeting)>>,
    limit: Option<u32>,
) -> StdResult<MeetingsResponse> {
    let config = CONFIG.load(deps.storage)?;
    let meetings = page
        .take(page_limit(limit))
        .map(|item| {
            item.map(|(meeting_id, meeting)| meeting_response(&config, meeting_id, meeting))
        })
        .collect::<StdResult<_>>()?;
    Ok(MeetingsResponse { meetings })
}
