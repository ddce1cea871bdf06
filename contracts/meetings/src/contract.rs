#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    from_json, to_json_binary, Addr, Binary, CosmosMsg, Deps, DepsMut, Env, Event, MessageInfo,
    Order, Response, StdError, StdResult, Storage, Timestamp, Uint128,
};
use cw20::Cw20ReceiveMsg;
use cw_storage_plus::Bound;
use mesi_common::asset::{ensure_accepted, nonpayable};
use mesi_common::events::meetings::{
    AuctionCancelled, AuctionExtended, AuctionOpened, AuctionSettled, AuctionState, BidPlaced,
    DisputeOpened, DisputeOutcomeKind, DisputeResolved, MeetingChanged, MeetingPayout,
    MeetingStatus, MeetingsConfigSet, RescheduleAction, RescheduleChanged,
};
use mesi_common::fee::{bps_of, bps_of_ceil, split, BPS_DENOMINATOR};
use mesi_common::interfaces::creators::{CreatorsQuery, PaymentTerms, Product};
use mesi_common::pagination::page_limit;
use mesi_common::{AssetError, AssetInfo, MesiEvent};

use crate::error::ContractError;
use crate::msg::{
    AuctionCursor, AuctionInput, AuctionResponse, AuctionsResponse, BidResponse, BidsResponse,
    DisputeOutcome, ExecuteMsg, InstantiateMsg, MeetingResponse, MeetingsResponse, MigrateMsg,
    QueryMsg, ReceiveMsg,
};
use crate::state::{
    auctions, meetings, state_key, Auction, Bid, Config, Meeting, RescheduleProposal, Slot, TopBid,
    BIDS, CONFIG, CONFIG_V1, LAST_AUCTION_ID, OPEN_AUCTIONS, TOP_BIDS,
};

pub const CONTRACT_NAME: &str = "crates.io:mesi-meetings";
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

pub const MAX_DESCRIPTION_BYTES: usize = 500;
pub const MAX_TIME_ZONE_BYTES: usize = 64;
pub const MAX_REASON_BYTES: usize = 280;
pub const MIN_DURATION_SECS: u64 = 5 * 60;
pub const MAX_DURATION_SECS: u64 = 24 * 3600;
pub const MAX_EXTENSION_SECS: u64 = 3600;
/// Shortest anti-sniping window, when extensions are on: time to answer a late bid.
pub const MIN_EXTENSION_SECS: u64 = 60;
/// Longest bidding period.
pub const MAX_BIDDING_SECS: u64 = 90 * 24 * 3600;
/// How far ahead a slot may start.
pub const MAX_LEAD_SECS: u64 = 365 * 24 * 3600;
pub const MAX_OPEN_AUCTIONS_CAP: u32 = 100;
pub const MIN_DISPUTE_WINDOW_SECS: u64 = 3600;
pub const MAX_DISPUTE_WINDOW_SECS: u64 = 30 * 24 * 3600;
/// The cancellation fee set at instantiate, and by `migrate` on state without one.
pub const DEFAULT_CANCELLATION_FEE_BPS: u16 = 1_000;
/// Highest cancellation fee the owner may set (50%); the lowest is 1 bps, so never free.
pub const MAX_CANCELLATION_FEE_BPS: u16 = 5_000;

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    deps: DepsMut,
    _env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    let owner = match msg.owner {
        Some(owner) => deps.api.addr_validate(&owner)?,
        None => info.sender,
    };
    cw_ownable::initialize_owner(deps.storage, deps.api, Some(owner.as_str()))?;
    let config = Config {
        creators: deps.api.addr_validate(&msg.creators)?,
        max_open_auctions: validate_max_open_auctions(msg.max_open_auctions)?,
        dispute_window_secs: validate_dispute_window(msg.dispute_window_secs)?,
        cancellation_fee_bps: DEFAULT_CANCELLATION_FEE_BPS,
    };
    CONFIG.save(deps.storage, &config)?;
    LAST_AUCTION_ID.save(deps.storage, &0)?;
    Ok(Response::new().add_event(config_event(&config).to_event()))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    // Native bids and cancellation fees are the only messages that take funds.
    if !matches!(
        msg,
        ExecuteMsg::Bid { .. } | ExecuteMsg::CancelMeeting { .. }
    ) {
        nonpayable(&info)?;
    }
    match msg {
        ExecuteMsg::UpdateConfig {
            max_open_auctions,
            dispute_window_secs,
            cancellation_fee_bps,
        } => {
            cw_ownable::assert_owner(deps.storage, &info.sender)?;
            update_config(
                deps,
                max_open_auctions,
                dispute_window_secs,
                cancellation_fee_bps,
            )
        }
        ExecuteMsg::UpdateOwnership(action) => Ok(mesi_common::ownership::update_ownership(
            deps,
            &env.block,
            &info.sender,
            action,
        )?),
        ExecuteMsg::OpenAuction { auction } => open_auction(deps, env, info, auction),
        ExecuteMsg::CancelAuction { auction_id } => cancel_auction(deps, info, auction_id),
        ExecuteMsg::Bid { auction_id } => bid_native(deps, env, info, auction_id),
        ExecuteMsg::Receive(wrapper) => receive_cw20(deps, env, info, wrapper),
        ExecuteMsg::Settle { auction_id } => settle(deps, env, info, auction_id),
        ExecuteMsg::MarkHeld {
            meeting_id,
            fan_no_show,
        } => mark_held(deps, env, info, meeting_id, fan_no_show),
        ExecuteMsg::Confirm { meeting_id } => confirm(deps, env, info, meeting_id),
        ExecuteMsg::Dispute { meeting_id, reason } => dispute(deps, env, info, meeting_id, reason),
        ExecuteMsg::Resolve {
            meeting_id,
            outcome,
        } => resolve(deps, info, meeting_id, outcome),
        ExecuteMsg::Claim { meeting_id } => claim(deps, env, info, meeting_id),
        ExecuteMsg::CancelMeeting { meeting_id } => {
            let meeting = load_meeting(deps.storage, meeting_id)?;
            let paid = meeting.asset.must_pay_native(&info).map_err(Into::into);
            cancel_meeting(deps, info.sender, meeting_id, meeting, paid)
        }
        ExecuteMsg::ProposeReschedule {
            meeting_id,
            start,
            duration_secs,
        } => propose_reschedule(deps, env, info, meeting_id, start, duration_secs),
        ExecuteMsg::AcceptReschedule {
            meeting_id,
            start,
            duration_secs,
        } => accept_reschedule(deps, env, info, meeting_id, start, duration_secs),
        ExecuteMsg::DeclineReschedule { meeting_id } => decline_reschedule(deps, info, meeting_id),
    }
}

fn update_config(
    deps: DepsMut,
    max_open_auctions: Option<u32>,
    dispute_window_secs: Option<u64>,
    cancellation_fee_bps: Option<u16>,
) -> Result<Response, ContractError> {
    let mut config = CONFIG.load(deps.storage)?;
    if let Some(bps) = cancellation_fee_bps {
        config.cancellation_fee_bps = validate_cancellation_fee(bps)?;
    }
    if let Some(max) = max_open_auctions {
        config.max_open_auctions = validate_max_open_auctions(max)?;
    }
    if let Some(window) = dispute_window_secs {
        config.dispute_window_secs = validate_dispute_window(window)?;
    }
    CONFIG.save(deps.storage, &config)?;
    Ok(Response::new().add_event(config_event(&config).to_event()))
}

// ---------------------------------------------------------------------------------------------
// Auctions

fn open_auction(
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
        return Err(invalid(
            "bidding_ends_at",
            format!("must be after now and at most {MAX_BIDDING_SECS} s ahead"),
        ));
    }
    if input.extension_secs != 0
        && !(MIN_EXTENSION_SECS..=MAX_EXTENSION_SECS).contains(&input.extension_secs)
    {
        return Err(invalid(
            "extension_secs",
            format!("0 (off) or {MIN_EXTENSION_SECS} to {MAX_EXTENSION_SECS}"),
        ));
    }
    // Extensions never pass the slot's start, so bidding that ends closer to it than one
    // window would cut the first extension short, or switch anti-sniping off altogether.
    if input.bidding_ends_at.plus_seconds(input.extension_secs) > slot.start {
        return Err(invalid(
            "bidding_ends_at",
            format!(
                "must end at least extension_secs ({} s) before the slot's start",
                input.extension_secs
            ),
        ));
    }
    if input.min_increment_bps > BPS_DENOMINATOR {
        return Err(invalid(
            "min_increment_bps",
            format!("at most {BPS_DENOMINATOR}"),
        ));
    }
    if let Some(buy_now) = input.buy_now {
        if buy_now.is_zero() || buy_now < input.reserve {
            return Err(invalid(
                "buy_now",
                "must be non-zero and at least the reserve".into(),
            ));
        }
    }
    let asset = input.asset.validate(deps.api)?;

    let config = CONFIG.load(deps.storage)?;
    let terms = payment_terms(deps.as_ref(), &config, &info.sender)?;
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
fn cancel_auction(
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

fn bid_native(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    auction_id: u64,
) -> Result<Response, ContractError> {
    let auction = load_auction(deps.storage, auction_id)?;
    let amount = auction.asset.must_pay_native(&info)?;
    place_bid(deps, env, auction_id, auction, info.sender, amount)
}

fn receive_cw20(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    wrapper: Cw20ReceiveMsg,
) -> Result<Response, ContractError> {
    if wrapper.amount.is_zero() {
        return Err(AssetError::ZeroAmount.into());
    }
    // Only the asset's own token counts: any contract can call Receive claiming any amount.
    let sent = AssetInfo::cw20(info.sender);
    let sender = deps.api.addr_validate(&wrapper.sender)?;
    match from_json(&wrapper.msg)? {
        ReceiveMsg::Bid { auction_id } => {
            let auction = load_auction(deps.storage, auction_id)?;
            if sent != auction.asset {
                return Err(AssetError::NotAccepted(sent).into());
            }
            place_bid(deps, env, auction_id, auction, sender, wrapper.amount)
        }
        ReceiveMsg::CancelMeeting { meeting_id } => {
            let meeting = load_meeting(deps.storage, meeting_id)?;
            if sent != meeting.asset {
                return Err(AssetError::NotAccepted(sent).into());
            }
            cancel_meeting(deps, sender, meeting_id, meeting, Ok(wrapper.amount))
        }
    }
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

/// The smallest bid that beats `top`: the reserve for the first bid (at least 1), then the top
/// bid plus `min_increment_bps` of it rounded up, and at least 1 more.
fn min_next_bid(auction: &Auction, top: Option<&TopBid>) -> StdResult<Uint128> {
    Ok(match top {
        None => auction.reserve.max(Uint128::one()),
        Some(top) => {
            let increment = bps_of_ceil(top.amount, auction.min_increment_bps).max(Uint128::one());
            top.amount.checked_add(increment)?
        }
    })
}

fn settle(
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
        meeting_event(auction_id, &meeting, settled_by).to_event(),
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

// ---------------------------------------------------------------------------------------------
// Meetings

fn mark_held(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    meeting_id: u64,
    fan_no_show: bool,
) -> Result<Response, ContractError> {
    let mut meeting = load_meeting(deps.storage, meeting_id)?;
    ensure_creator(&meeting, &info.sender)?;
    ensure_status(&meeting, "mark held", &[MeetingStatus::Scheduled])?;
    let now = env.block.time;
    if now < meeting.slot.end() {
        return Err(ContractError::MeetingNotOver(meeting.slot.end()));
    }
    let window = CONFIG.load(deps.storage)?.dispute_window_secs;
    meeting.dispute_deadline = Some(now.plus_seconds(window));
    meeting.fan_no_show = fan_no_show;
    change_status(&mut meeting, MeetingStatus::Held);
    save_meeting(deps.storage, meeting_id, &meeting)?;
    Ok(Response::new().add_event(meeting_event(meeting_id, &meeting, info.sender).to_event()))
}

fn confirm(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    meeting_id: u64,
) -> Result<Response, ContractError> {
    let mut meeting = load_meeting(deps.storage, meeting_id)?;
    ensure_fan(&meeting, &info.sender)?;
    ensure_status(
        &meeting,
        "confirm",
        &[MeetingStatus::Scheduled, MeetingStatus::Held],
    )?;
    if meeting.status == MeetingStatus::Scheduled && env.block.time < meeting.slot.end() {
        return Err(ContractError::MeetingNotOver(meeting.slot.end()));
    }
    let (messages, payout) = pay_out(deps.as_ref(), meeting_id, &meeting, Uint128::zero())?;
    change_status(&mut meeting, MeetingStatus::Completed);
    save_meeting(deps.storage, meeting_id, &meeting)?;
    Ok(Response::new()
        .add_messages(messages)
        .add_event(meeting_event(meeting_id, &meeting, info.sender).to_event())
        .add_event(payout.to_event()))
}

fn dispute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    meeting_id: u64,
    reason: Option<String>,
) -> Result<Response, ContractError> {
    let mut meeting = load_meeting(deps.storage, meeting_id)?;
    ensure_fan(&meeting, &info.sender)?;
    if let Some(reason) = &reason {
        validate_text("reason", reason, MAX_REASON_BYTES, true)?;
    }
    let now = env.block.time;
    match (meeting.status, meeting.dispute_deadline) {
        (MeetingStatus::Held, Some(deadline)) if now >= deadline => {
            return Err(ContractError::DisputeWindowClosed(deadline))
        }
        (MeetingStatus::Held, _) => {}
        // The creator has not marked the meeting held (a creator no-show, say): the fan may
        // dispute once the slot is over.
        (MeetingStatus::Scheduled, _) if now < meeting.slot.end() => {
            return Err(ContractError::MeetingNotOver(meeting.slot.end()))
        }
        (MeetingStatus::Scheduled, _) => {}
        (status, _) => {
            return Err(ContractError::WrongMeetingStatus {
                action: "dispute",
                status,
            })
        }
    }
    change_status(&mut meeting, MeetingStatus::Disputed);
    save_meeting(deps.storage, meeting_id, &meeting)?;
    let opened = DisputeOpened {
        meeting_id,
        fan: info.sender.clone(),
        reason,
    };
    Ok(Response::new()
        .add_event(opened.to_event())
        .add_event(meeting_event(meeting_id, &meeting, info.sender).to_event()))
}

fn resolve(
    deps: DepsMut,
    info: MessageInfo,
    meeting_id: u64,
    outcome: DisputeOutcome,
) -> Result<Response, ContractError> {
    let mut meeting = load_meeting(deps.storage, meeting_id)?;
    let config = CONFIG.load(deps.storage)?;
    let arbiter: Addr = deps
        .querier
        .query_wasm_smart(&config.creators, &CreatorsQuery::Arbiter {})?;
    if info.sender != arbiter {
        return Err(ContractError::Unauthorized("arbiter"));
    }
    ensure_status(&meeting, "resolve", &[MeetingStatus::Disputed])?;
    let (kind, fan_bps, status) = match outcome {
        DisputeOutcome::Refund {} => (
            DisputeOutcomeKind::Refund,
            BPS_DENOMINATOR,
            MeetingStatus::Refunded,
        ),
        DisputeOutcome::Release {} => (DisputeOutcomeKind::Release, 0, MeetingStatus::Completed),
        DisputeOutcome::Split { fan_bps } if (1..BPS_DENOMINATOR).contains(&fan_bps) => {
            (DisputeOutcomeKind::Split, fan_bps, MeetingStatus::Split)
        }
        DisputeOutcome::Split { .. } => {
            return Err(invalid(
                "fan_bps",
                format!("a split gives the fan 1 to {} bps", BPS_DENOMINATOR - 1),
            ))
        }
    };
    let to_fan = bps_of(meeting.price, fan_bps);
    let (messages, payout) = pay_out(deps.as_ref(), meeting_id, &meeting, to_fan)?;
    change_status(&mut meeting, status);
    save_meeting(deps.storage, meeting_id, &meeting)?;
    let resolved = DisputeResolved {
        meeting_id,
        arbiter: info.sender.clone(),
        outcome: kind,
        fan_bps,
        to_fan: payout.to_fan,
        fee: payout.fee,
        to_creator: payout.to_creator,
    };
    Ok(Response::new()
        .add_messages(messages)
        .add_event(resolved.to_event())
        .add_event(meeting_event(meeting_id, &meeting, info.sender).to_event())
        .add_event(payout.to_event()))
}

fn claim(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    meeting_id: u64,
) -> Result<Response, ContractError> {
    let mut meeting = load_meeting(deps.storage, meeting_id)?;
    ensure_creator(&meeting, &info.sender)?;
    ensure_status(&meeting, "claim", &[MeetingStatus::Held])?;
    let deadline = meeting
        .dispute_deadline
        .ok_or_else(|| StdError::generic_err("held meeting without deadline"))?;
    if env.block.time < deadline {
        return Err(ContractError::DisputeWindowOpen(deadline));
    }
    let (messages, payout) = pay_out(deps.as_ref(), meeting_id, &meeting, Uint128::zero())?;
    change_status(&mut meeting, MeetingStatus::Completed);
    save_meeting(deps.storage, meeting_id, &meeting)?;
    Ok(Response::new()
        .add_messages(messages)
        .add_event(meeting_event(meeting_id, &meeting, info.sender).to_event())
        .add_event(payout.to_event()))
}

/// The creator backs out of a sold meeting: the fan gets the whole price back, and the creator
/// pays the cancellation fee to the treasury, so bidding on one's own auction from another
/// wallet and cancelling what it won always costs the creator. Nothing goes to the fan beyond the
/// price, since the fan may be the creator's own wallet.
fn cancel_meeting(
    deps: DepsMut,
    sender: Addr,
    meeting_id: u64,
    mut meeting: Meeting,
    paid: Result<Uint128, ContractError>,
) -> Result<Response, ContractError> {
    ensure_creator(&meeting, &sender)?;
    ensure_status(&meeting, "cancel", &[MeetingStatus::Scheduled])?;
    let paid = paid?;
    let config = CONFIG.load(deps.storage)?;
    let fee = cancellation_fee(&config, &meeting);
    if paid != fee {
        return Err(ContractError::WrongCancellationFee { fee, paid });
    }
    let (mut messages, mut payout) = pay_out(deps.as_ref(), meeting_id, &meeting, meeting.price)?;
    let treasury = payment_terms(deps.as_ref(), &config, &meeting.creator)?.treasury;
    messages.extend(meeting.asset.payout(&treasury, fee)?);
    payout.treasury = Some(treasury);
    payout.cancellation_fee = Some(fee);
    change_status(&mut meeting, MeetingStatus::Cancelled);
    save_meeting(deps.storage, meeting_id, &meeting)?;
    Ok(Response::new()
        .add_messages(messages)
        .add_event(meeting_event(meeting_id, &meeting, sender).to_event())
        .add_event(payout.to_event()))
}

/// `ceil(price * cancellation_fee_bps / 10_000)`: at least 1, since a price is never zero.
fn cancellation_fee(config: &Config, meeting: &Meeting) -> Uint128 {
    bps_of_ceil(meeting.price, config.cancellation_fee_bps)
}

fn propose_reschedule(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    meeting_id: u64,
    start: Timestamp,
    duration_secs: u64,
) -> Result<Response, ContractError> {
    let mut meeting = load_meeting(deps.storage, meeting_id)?;
    ensure_party(&meeting, &info.sender)?;
    ensure_status(&meeting, "reschedule", &[MeetingStatus::Scheduled])?;
    let slot = Slot {
        start,
        duration_secs,
        time_zone: meeting.slot.time_zone.clone(),
    };
    validate_slot(slot, env.block.time)?;
    meeting.reschedule = Some(RescheduleProposal {
        proposed_by: info.sender.clone(),
        start,
        duration_secs,
    });
    save_meeting(deps.storage, meeting_id, &meeting)?;
    let event = RescheduleChanged {
        meeting_id,
        action: RescheduleAction::Proposed,
        by: info.sender,
        start: Some(start),
        duration_secs: Some(duration_secs),
    };
    Ok(Response::new().add_event(event.to_event()))
}

fn accept_reschedule(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    meeting_id: u64,
    start: Timestamp,
    duration_secs: u64,
) -> Result<Response, ContractError> {
    let mut meeting = load_meeting(deps.storage, meeting_id)?;
    ensure_party(&meeting, &info.sender)?;
    ensure_status(&meeting, "reschedule", &[MeetingStatus::Scheduled])?;
    let proposal = meeting
        .reschedule
        .take()
        .ok_or(ContractError::NoReschedulePending)?;
    if proposal.proposed_by == info.sender {
        return Err(ContractError::OwnProposal);
    }
    if proposal.start != start || proposal.duration_secs != duration_secs {
        return Err(ContractError::RescheduleMismatch);
    }
    // The proposed time may have passed since it was proposed.
    let slot = Slot {
        start,
        duration_secs,
        time_zone: meeting.slot.time_zone.clone(),
    };
    meeting.slot = validate_slot(slot, env.block.time)?;
    meeting.revision += 1;
    save_meeting(deps.storage, meeting_id, &meeting)?;
    Ok(Response::new().add_event(meeting_event(meeting_id, &meeting, info.sender).to_event()))
}

fn decline_reschedule(
    deps: DepsMut,
    info: MessageInfo,
    meeting_id: u64,
) -> Result<Response, ContractError> {
    let mut meeting = load_meeting(deps.storage, meeting_id)?;
    ensure_party(&meeting, &info.sender)?;
    let proposal = meeting
        .reschedule
        .take()
        .ok_or(ContractError::NoReschedulePending)?;
    save_meeting(deps.storage, meeting_id, &meeting)?;
    let action = if proposal.proposed_by == info.sender {
        RescheduleAction::Withdrawn
    } else {
        RescheduleAction::Declined
    };
    let event = RescheduleChanged {
        meeting_id,
        action,
        by: info.sender,
        start: None,
        duration_secs: None,
    };
    Ok(Response::new().add_event(event.to_event()))
}

/// Moves a meeting to `status`: a new calendar revision, and any pending reschedule lapses.
fn change_status(meeting: &mut Meeting, status: MeetingStatus) {
    meeting.status = status;
    meeting.revision += 1;
    meeting.reschedule = None;
}

/// Saves a meeting that exists already. Its creator and fan never change, so its index entries
/// stay valid and only the record itself is written.
fn save_meeting(storage: &mut dyn Storage, meeting_id: u64, meeting: &Meeting) -> StdResult<()> {
    meetings().key(meeting_id).save(storage, meeting)
}

/// Pays out a meeting's whole escrow: `to_fan` back to the fan, the rest to the creator less the
/// platform fee (rounded down, so dust goes to the creator). Asks the registry for the current
/// payout address and treasury only when the creator gets something.
fn pay_out(
    deps: Deps,
    meeting_id: u64,
    meeting: &Meeting,
    to_fan: Uint128,
) -> Result<(Vec<CosmosMsg>, MeetingPayout), ContractError> {
    let creator_share = meeting.price.checked_sub(to_fan).map_err(StdError::from)?;
    let mut messages: Vec<CosmosMsg> = meeting
        .asset
        .payout(&meeting.fan, to_fan)?
        .into_iter()
        .collect();
    let mut payout = MeetingPayout {
        meeting_id,
        asset: meeting.asset.clone(),
        fan: meeting.fan.clone(),
        to_fan,
        treasury: None,
        fee: Uint128::zero(),
        payout: None,
        to_creator: Uint128::zero(),
        cancellation_fee: None,
    };
    if !creator_share.is_zero() {
        let config = CONFIG.load(deps.storage)?;
        let terms = payment_terms(deps, &config, &meeting.creator)?;
        let parts = split(creator_share, meeting.fee_bps)?;
        messages.extend(meeting.asset.payout(&terms.treasury, parts.fee)?);
        messages.extend(meeting.asset.payout(&terms.payout, parts.payee)?);
        if !parts.fee.is_zero() {
            payout.treasury = Some(terms.treasury);
            payout.fee = parts.fee;
        }
        payout.payout = Some(terms.payout);
        payout.to_creator = parts.payee;
    }
    Ok((messages, payout))
}

fn meeting_event(meeting_id: u64, meeting: &Meeting, actor: Addr) -> MeetingChanged {
    MeetingChanged {
        meeting_id,
        creator: meeting.creator.clone(),
        fan: meeting.fan.clone(),
        status: meeting.status,
        revision: meeting.revision,
        start: meeting.slot.start,
        duration_secs: meeting.slot.duration_secs,
        escrow: meeting.escrow(),
        dispute_deadline: meeting.dispute_deadline,
        fan_no_show: meeting.fan_no_show,
        actor,
    }
}

fn ensure_creator(meeting: &Meeting, sender: &Addr) -> Result<(), ContractError> {
    if sender == meeting.creator {
        Ok(())
    } else {
        Err(ContractError::Unauthorized("creator"))
    }
}

fn ensure_fan(meeting: &Meeting, sender: &Addr) -> Result<(), ContractError> {
    if sender == meeting.fan {
        Ok(())
    } else {
        Err(ContractError::Unauthorized("fan"))
    }
}

fn ensure_party(meeting: &Meeting, sender: &Addr) -> Result<(), ContractError> {
    if sender == meeting.creator || sender == meeting.fan {
        Ok(())
    } else {
        Err(ContractError::Unauthorized("creator or the fan"))
    }
}

fn ensure_status(
    meeting: &Meeting,
    action: &'static str,
    allowed: &[MeetingStatus],
) -> Result<(), ContractError> {
    if allowed.contains(&meeting.status) {
        Ok(())
    } else {
        Err(ContractError::WrongMeetingStatus {
            action,
            status: meeting.status,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Shared checks

fn payment_terms(deps: Deps, config: &Config, creator: &Addr) -> StdResult<PaymentTerms> {
    deps.querier.query_wasm_smart(
        &config.creators,
        &CreatorsQuery::PaymentTerms {
            creator: creator.to_string(),
            product: Product::Meetings,
        },
    )
}

fn load_auction(storage: &dyn Storage, auction_id: u64) -> Result<Auction, ContractError> {
    auctions()
        .may_load(storage, auction_id)?
        .ok_or(ContractError::AuctionNotFound(auction_id))
}

fn load_meeting(storage: &dyn Storage, meeting_id: u64) -> Result<Meeting, ContractError> {
    meetings()
        .may_load(storage, meeting_id)?
        .ok_or(ContractError::MeetingNotFound(meeting_id))
}

fn invalid(field: &'static str, reason: String) -> ContractError {
    ContractError::InvalidInput { field, reason }
}

/// A slot that starts in the future (at most `MAX_LEAD_SECS` ahead), lasts an allowed time, and
/// has a time-zone label such as `Europe/Berlin` or `UTC+02:00`.
fn validate_slot(slot: Slot, now: Timestamp) -> Result<Slot, ContractError> {
    if slot.start <= now || slot.start > now.plus_seconds(MAX_LEAD_SECS) {
        return Err(invalid(
            "start",
            format!("must be after now and at most {MAX_LEAD_SECS} s ahead"),
        ));
    }
    if !(MIN_DURATION_SECS..=MAX_DURATION_SECS).contains(&slot.duration_secs) {
        return Err(invalid(
            "duration_secs",
            format!("must be {MIN_DURATION_SECS} to {MAX_DURATION_SECS}"),
        ));
    }
    let tz = &slot.time_zone;
    if tz.is_empty()
        || tz.len() > MAX_TIME_ZONE_BYTES
        || !tz
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/_+-:".contains(c))
    {
        return Err(invalid(
            "time_zone",
            format!("1 to {MAX_TIME_ZONE_BYTES} ASCII letters, digits and / _ + - :"),
        ));
    }
    Ok(slot)
}

fn validate_text(
    field: &'static str,
    text: &str,
    max_bytes: usize,
    allow_newlines: bool,
) -> Result<(), ContractError> {
    if text.len() > max_bytes {
        return Err(invalid(field, format!("at most {max_bytes} bytes")));
    }
    if text
        .chars()
        .any(|c| c.is_control() && !(allow_newlines && c == '\n'))
    {
        return Err(invalid(field, "no control characters".into()));
    }
    Ok(())
}

fn validate_max_open_auctions(max: u32) -> Result<u32, ContractError> {
    if (1..=MAX_OPEN_AUCTIONS_CAP).contains(&max) {
        Ok(max)
    } else {
        Err(invalid(
            "max_open_auctions",
            format!("must be 1 to {MAX_OPEN_AUCTIONS_CAP}"),
        ))
    }
}

fn validate_dispute_window(secs: u64) -> Result<u64, ContractError> {
    if (MIN_DISPUTE_WINDOW_SECS..=MAX_DISPUTE_WINDOW_SECS).contains(&secs) {
        Ok(secs)
    } else {
        Err(invalid(
            "dispute_window_secs",
            format!("must be {MIN_DISPUTE_WINDOW_SECS} to {MAX_DISPUTE_WINDOW_SECS}"),
        ))
    }
}

fn validate_cancellation_fee(bps: u16) -> Result<u16, ContractError> {
    if (1..=MAX_CANCELLATION_FEE_BPS).contains(&bps) {
        Ok(bps)
    } else {
        Err(invalid(
            "cancellation_fee_bps",
            format!("must be 1 to {MAX_CANCELLATION_FEE_BPS}"),
        ))
    }
}

fn config_event(config: &Config) -> MeetingsConfigSet {
    MeetingsConfigSet {
        creators: config.creators.clone(),
        max_open_auctions: config.max_open_auctions,
        dispute_window_secs: config.dispute_window_secs,
        cancellation_fee_bps: Some(config.cancellation_fee_bps),
    }
}

// ---------------------------------------------------------------------------------------------
// Queries

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::Config {} => to_json_binary(&CONFIG.load(deps.storage)?),
        QueryMsg::Ownership {} => to_json_binary(&cw_ownable::get_ownership(deps.storage)?),
        QueryMsg::Auction { auction_id } => {
            let auction = auctions().load(deps.storage, auction_id)?;
            to_json_binary(&auction_response(deps, &env, auction_id, auction)?)
        }
        QueryMsg::AuctionsByCreator {
            creator,
            start_after,
            limit,
        } => {
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
            to_json_binary(&auctions_response(deps, &env, page)?)
        }
        QueryMsg::AuctionsByState {
            state,
            start_after,
            ends_before,
            limit,
        } => {
            let min = start_after
                .map(|c: AuctionCursor| Bound::exclusive((c.ends_at.nanos(), c.auction_id)));
            let max = ends_before.map(|t| Bound::exclusive((t.nanos(), 0)));
            let page = auctions()
                .idx
                .state_end
                .sub_prefix(state_key(state))
                .range(deps.storage, min, max, Order::Ascending)
                .take(page_limit(limit));
            to_json_binary(&auctions_response(deps, &env, page)?)
        }
        QueryMsg::OpenAuctionCount { creator } => {
            let creator = deps.api.addr_validate(&creator)?;
            to_json_binary(&OPEN_AUCTIONS.may_load(deps.storage, &creator)?.unwrap_or(0))
        }
        QueryMsg::Bids {
            auction_id,
            start_after,
            limit,
        } => {
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
            to_json_binary(&BidsResponse { bids })
        }
        QueryMsg::Meeting { meeting_id } => {
            let config = CONFIG.load(deps.storage)?;
            let meeting = meetings().load(deps.storage, meeting_id)?;
            to_json_binary(&meeting_response(&config, meeting_id, meeting))
        }
        QueryMsg::MeetingsByCreator {
            creator,
            start_after,
            limit,
        } => {
            let creator = deps.api.addr_validate(&creator)?;
            let page = meetings().idx.creator.prefix(creator).range(
                deps.storage,
                start_after.map(Bound::exclusive),
                None,
                Order::Ascending,
            );
            to_json_binary(&meetings_response(deps, page, limit)?)
        }
        QueryMsg::MeetingsByFan {
            fan,
            start_after,
            limit,
        } => {
            let fan = deps.api.addr_validate(&fan)?;
            let page = meetings().idx.fan.prefix(fan).range(
                deps.storage,
                start_after.map(Bound::exclusive),
                None,
                Order::Ascending,
            );
            to_json_binary(&meetings_response(deps, page, limit)?)
        }
    }
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

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    // Refuses another contract's state and a downgrade; records the new version.
    let from = cw2::ensure_from_older_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    // State written before cancellation fees has a config without one.
    let mut response = Response::new().add_attribute("migrated_from", from.to_string());
    if CONFIG.may_load(deps.storage).is_err() {
        let old = CONFIG_V1.load(deps.storage)?;
        let config = Config {
            creators: old.creators,
            max_open_auctions: old.max_open_auctions,
            dispute_window_secs: old.dispute_window_secs,
            cancellation_fee_bps: DEFAULT_CANCELLATION_FEE_BPS,
        };
        CONFIG.save(deps.storage, &config)?;
        response = response.add_event(config_event(&config).to_event());
    }
    Ok(response)
}
