//! The auction lifecycle: a creator opens an auction (and may cancel it while nobody has bid),
//! fans bid in native coins or CW20 tokens, and anyone settles it after the end.

use cosmwasm_std::{Addr, DepsMut, Env, Event, MessageInfo, Response, StdResult, Storage, Uint128};
use mesi_common::asset::ensure_accepted;
use mesi_common::events::meetings::{
    AuctionCancelled, AuctionExtended, AuctionOpened, AuctionSettled, AuctionState, BidPlaced,
    MeetingStatus,
};
use mesi_common::fee::{bps_of_ceil, BPS_DENOMINATOR};
use mesi_common::interfaces::creators::Product;
use mesi_common::{Asset, AssetError, MesiEvent};

use crate::error::ContractError;
use crate::msg::{
    AuctionInput, MAX_BIDDING_SECS, MAX_DESCRIPTION_BYTES, MAX_EXTENSION_SECS, MIN_EXTENSION_SECS,
};
use crate::state::{
    auctions, meetings, Auction, Bid, Meeting, TopBid, BIDS, CONFIG, LAST_AUCTION_ID,
    OPEN_AUCTIONS, TOP_BIDS,
};
use crate::validate::{validate_slot, validate_text};

pub fn execute_open_auction(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    input: AuctionInput,
) -> Result<Response, ContractError> {
    let now = env.block.time;
    let slot = validate_slot(input.slot, now)?;
    validate_text(
        "description",
        &input.description,
        MAX_DESCRIPTION_BYTES,
        true,
    )?;
    if input.bidding_ends_at <= now || input.bidding_ends_at > now.plus_seconds(MAX_BIDDING_SECS) {
        return Err(ContractError::invalid(
            "bidding_ends_at",
            format!("must be after now and at most {MAX_BIDDING_SECS} s ahead"),
        ));
    }
    if input.extension_secs != 0
        && !(MIN_EXTENSION_SECS..=MAX_EXTENSION_SECS).contains(&input.extension_secs)
    {
        return Err(ContractError::invalid(
            "extension_secs",
            format!("0 (off) or {MIN_EXTENSION_SECS} to {MAX_EXTENSION_SECS}"),
        ));
    }
    // Extensions never pass the slot's start, so bidding that ends closer to it than one
    // window would cut the first extension short, or switch anti-sniping off altogether.
    if input.bidding_ends_at.plus_seconds(input.extension_secs) > slot.start {
        return Err(ContractError::invalid(
            "bidding_ends_at",
            format!(
                "must end at least extension_secs ({} s) before the slot's start",
                input.extension_secs
            ),
        ));
    }
    if input.min_increment_bps > BPS_DENOMINATOR {
        return Err(ContractError::invalid(
            "min_increment_bps",
            format!("at most {BPS_DENOMINATOR}"),
        ));
    }
    if let Some(buy_now) = input.buy_now {
        if buy_now.is_zero() || buy_now < input.reserve {
            return Err(ContractError::invalid(
                "buy_now",
                "must be non-zero and at least the reserve",
            ));
        }
    }
    let asset = input.asset.validate(deps.api)?;

    let config = CONFIG.load(deps.storage)?;
    let terms = config
        .registry()
        .payment_terms(&deps.querier, &info.sender, Product::Meetings)?;
    if !terms.active {
        return Err(ContractError::CreatorInactive);
    }
    ensure_accepted(&asset, &terms.accepted_assets)?;
    let open = OPEN_AUCTIONS
        .may_load(deps.storage, &info.sender)?
        .unwrap_or(0);
    if open >= config.max_open_auctions {
        return Err(ContractError::TooManyOpenAuctions {
            max: config.max_open_auctions,
        });
    }

    let auction_id = LAST_AUCTION_ID.load(deps.storage)? + 1;
    LAST_AUCTION_ID.save(deps.storage, &auction_id)?;
    let auction = Auction {
        creator: info.sender,
        slot,
        format: input.format,
        description: input.description,
        asset,
        reserve: input.reserve,
        min_increment_bps: input.min_increment_bps,
        ends_at: input.bidding_ends_at,
        extension_secs: input.extension_secs,
        buy_now: input.buy_now,
        fee_bps: terms.fee_bps,
        state: AuctionState::Open,
    };
    auctions().save(deps.storage, auction_id, &auction)?;
    OPEN_AUCTIONS.save(deps.storage, &auction.creator, &(open + 1))?;

    let event = AuctionOpened {
        auction_id,
        creator: auction.creator,
        start: auction.slot.start,
        duration_secs: auction.slot.duration_secs,
        time_zone: auction.slot.time_zone,
        format: auction.format,
        description: auction.description,
        asset: auction.asset,
        reserve: auction.reserve,
        min_increment_bps: auction.min_increment_bps,
        ends_at: auction.ends_at,
        extension_secs: auction.extension_secs,
        buy_now: auction.buy_now,
        fee_bps: auction.fee_bps,
        open_auctions: open + 1,
    };
    Ok(Response::new().add_event(event.to_event()))
}

/// Cancelling is for auctions nobody has bid on (before or after the bidding end). Once there is
/// a bid, the auction binds the creator: it runs to its end, and a creator who cannot meet
/// cancels the scheduled meeting instead, which refunds the winner in full.
pub fn execute_cancel_auction(
    deps: DepsMut,
    info: MessageInfo,
    auction_id: u64,
) -> Result<Response, ContractError> {
    let auction = load_auction(deps.storage, auction_id)?;
    if info.sender != auction.creator {
        return Err(ContractError::Unauthorized("creator"));
    }
    if auction.state != AuctionState::Open {
        return Err(ContractError::AuctionNotOpen(auction.state));
    }
    if TOP_BIDS.has(deps.storage, auction_id) {
        return Err(ContractError::AuctionHasBids);
    }
    let open_auctions = end_auction(deps.storage, auction_id, &auction, AuctionState::Cancelled)?;
    let event = AuctionCancelled {
        auction_id,
        creator: auction.creator,
        open_auctions,
    };
    Ok(Response::new().add_event(event.to_event()))
}

/// A bid in native coins: exactly one coin of the auction's asset.
pub fn execute_bid(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    auction_id: u64,
) -> Result<Response, ContractError> {
    let auction = load_auction(deps.storage, auction_id)?;
    let amount = auction.asset.must_pay_native(&info)?;
    place_bid(deps, env, auction_id, auction, info.sender, amount)
}

/// A bid in CW20 tokens, arrived through the `Receive` hook.
pub fn execute_bid_cw20(
    deps: DepsMut,
    env: Env,
    bidder: Addr,
    paid: Asset,
    auction_id: u64,
) -> Result<Response, ContractError> {
    let auction = load_auction(deps.storage, auction_id)?;
    // Only the asset's own token counts: any contract can call Receive claiming any amount.
    if paid.info != auction.asset {
        return Err(AssetError::NotAccepted(paid.info).into());
    }
    place_bid(deps, env, auction_id, auction, bidder, paid.amount)
}

pub fn execute_settle(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    auction_id: u64,
) -> Result<Response, ContractError> {
    let auction = load_auction(deps.storage, auction_id)?;
    if auction.state != AuctionState::Open {
        return Err(ContractError::AuctionNotOpen(auction.state));
    }
    if env.block.time < auction.ends_at {
        return Err(ContractError::BiddingNotEnded(auction.ends_at));
    }
    let response = Response::new();
    match TOP_BIDS.may_load(deps.storage, auction_id)? {
        Some(top) => Ok(response.add_events(sell(
            deps.storage,
            auction_id,
            auction,
            top,
            info.sender,
            false,
        )?)),
        None => {
            let open_auctions =
                end_auction(deps.storage, auction_id, &auction, AuctionState::Closed)?;
            let event = AuctionSettled {
                auction_id,
                creator: auction.creator,
                state: AuctionState::Closed,
                winner: None,
                price: None,
                bought_now: false,
                settled_by: info.sender,
                open_auctions,
            };
            Ok(response.add_event(event.to_event()))
        }
    }
}

/// The smallest bid that beats `top`: the reserve for the first bid (at least 1), then the top
/// bid plus `min_increment_bps` of it rounded up, and at least 1 more.
pub fn min_next_bid(auction: &Auction, top: Option<&TopBid>) -> StdResult<Uint128> {
    Ok(match top {
        None => auction.reserve.max(Uint128::one()),
        Some(top) => {
            let increment = bps_of_ceil(top.amount, auction.min_increment_bps).max(Uint128::one());
            top.amount.checked_add(increment)?
        }
    })
}

fn place_bid(
    deps: DepsMut,
    env: Env,
    auction_id: u64,
    auction: Auction,
    bidder: Addr,
    amount: Uint128,
) -> Result<Response, ContractError> {
    let now = env.block.time;
    if auction.state != AuctionState::Open {
        return Err(ContractError::AuctionNotOpen(auction.state));
    }
    if now >= auction.ends_at {
        return Err(ContractError::BiddingEnded(auction.ends_at));
    }
    if bidder == auction.creator {
        return Err(ContractError::CreatorCannotBid);
    }
    let previous = TOP_BIDS.may_load(deps.storage, auction_id)?;
    // Every bid but the winning buy-now one stays below the buy-now price, so a buy-now bid
    // always beats the top bid; the minimum increment does not apply to it.
    let bought_now = match auction.buy_now {
        Some(buy_now) if amount > buy_now => return Err(ContractError::BidAboveBuyNow { buy_now }),
        Some(buy_now) => amount == buy_now,
        None => false,
    };
    if !bought_now {
        let min = min_next_bid(&auction, previous.as_ref())?;
        if amount < min {
            return Err(ContractError::BidTooLow { min });
        }
    }

    let bid_seq = previous.as_ref().map_or(0, |p| p.bid_count) + 1;
    BIDS.save(
        deps.storage,
        (auction_id, bid_seq),
        &Bid {
            bidder: bidder.clone(),
            amount,
            placed_at: now,
        },
    )?;
    let top = TopBid {
        bidder: bidder.clone(),
        amount,
        bid_count: bid_seq,
    };
    TOP_BIDS.save(deps.storage, auction_id, &top)?;

    let mut response = Response::new();
    if let Some(previous) = &previous {
        response = response.add_messages(auction.asset.payout(&previous.bidder, previous.amount)?);
    }
    let placed = BidPlaced {
        auction_id,
        bid_seq,
        bidder: bidder.clone(),
        amount,
        refunded_bidder: previous.as_ref().map(|p| p.bidder.clone()),
        refund: previous.map(|p| p.amount),
    };
    response = response.add_event(placed.to_event());

    if bought_now {
        return Ok(response.add_events(sell(
            deps.storage,
            auction_id,
            auction,
            top,
            bidder,
            true,
        )?));
    }
    // Anti-sniping: a bid in the last `extension_secs` moves the end, but never past the slot's start.
    let extended_end = now
        .plus_seconds(auction.extension_secs)
        .min(auction.slot.start);
    if extended_end > auction.ends_at {
        let mut extended = auction.clone();
        extended.ends_at = extended_end;
        auctions().replace(deps.storage, auction_id, Some(&extended), Some(&auction))?;
        response = response.add_event(
            AuctionExtended {
                auction_id,
                ends_at: extended_end,
            }
            .to_event(),
        );
    }
    Ok(response)
}

/// Ends the auction with its top bid as the winner: the bid's funds become the meeting's escrow.
fn sell(
    storage: &mut dyn Storage,
    auction_id: u64,
    auction: Auction,
    top: TopBid,
    settled_by: Addr,
    bought_now: bool,
) -> Result<Vec<Event>, ContractError> {
    let open_auctions = end_auction(storage, auction_id, &auction, AuctionState::Sold)?;
    let meeting = Meeting {
        creator: auction.creator.clone(),
        fan: top.bidder.clone(),
        slot: auction.slot,
        format: auction.format,
        asset: auction.asset,
        price: top.amount,
        fee_bps: auction.fee_bps,
        status: MeetingStatus::Scheduled,
        revision: 0,
        dispute_deadline: None,
        fan_no_show: false,
        reschedule: None,
    };
    meetings().save(storage, auction_id, &meeting)?;
    let settled = AuctionSettled {
        auction_id,
        creator: auction.creator,
        state: AuctionState::Sold,
        winner: Some(top.bidder),
        price: Some(top.amount),
        bought_now,
        settled_by: settled_by.clone(),
        open_auctions,
    };
    Ok(vec![
        settled.to_event(),
        meeting.changed_event(auction_id, settled_by).to_event(),
    ])
}

/// Moves an open auction to a final state; returns the creator's open auctions left.
fn end_auction(
    storage: &mut dyn Storage,
    auction_id: u64,
    auction: &Auction,
    state: AuctionState,
) -> StdResult<u32> {
    let mut ended = auction.clone();
    ended.state = state;
    auctions().replace(storage, auction_id, Some(&ended), Some(auction))?;
    let open = OPEN_AUCTIONS
        .may_load(storage, &auction.creator)?
        .unwrap_or(0)
        .saturating_sub(1);
    if open == 0 {
        OPEN_AUCTIONS.remove(storage, &auction.creator);
    } else {
        OPEN_AUCTIONS.save(storage, &auction.creator, &open)?;
    }
    Ok(open)
}

fn load_auction(storage: &dyn Storage, auction_id: u64) -> Result<Auction, ContractError> {
    auctions()
        .may_load(storage, auction_id)?
        .ok_or(ContractError::AuctionNotFound(auction_id))
}
