use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Timestamp, Uint128};
use cw20::Cw20ReceiveMsg;
use cw_ownable::{cw_ownable_execute, cw_ownable_query};
use mesi_common::events::meetings::{AuctionState, MeetingFormat};
use mesi_common::AssetInfo;

/// A meeting slot, as messages name it.
pub use crate::state::Slot;
use crate::state::{Auction, Bid, Meeting, TopBid};

/// Most open auctions the owner may allow one creator.
pub const MAX_OPEN_AUCTIONS_CAP: u32 = 100;
/// Shortest dispute window the owner may set.
pub const MIN_DISPUTE_WINDOW_SECS: u64 = 3600;
/// Longest dispute window the owner may set.
pub const MAX_DISPUTE_WINDOW_SECS: u64 = 30 * 24 * 3600;
/// The cancellation fee set at instantiate, and by `migrate` on state without one.
pub const DEFAULT_CANCELLATION_FEE_BPS: u16 = 1_000;
/// Highest cancellation fee the owner may set (50%); the lowest is 1 bps, so never free.
pub const MAX_CANCELLATION_FEE_BPS: u16 = 5_000;

#[cw_serde]
pub struct InstantiateMsg {
    /// Defaults to the sender.
    pub owner: Option<String>,
    /// The `creators` registry.
    pub creators: String,
    pub max_open_auctions: u32,
    pub dispute_window_secs: u64,
}

/// Longest auction description.
pub const MAX_DESCRIPTION_BYTES: usize = 500;
/// Longest time-zone label of a slot.
pub const MAX_TIME_ZONE_BYTES: usize = 64;
/// Shortest meeting.
pub const MIN_DURATION_SECS: u64 = 5 * 60;
/// Longest meeting.
pub const MAX_DURATION_SECS: u64 = 24 * 3600;
/// Shortest anti-sniping window, when extensions are on: time to answer a late bid.
pub const MIN_EXTENSION_SECS: u64 = 60;
/// Longest anti-sniping window.
pub const MAX_EXTENSION_SECS: u64 = 3600;
/// Longest bidding period.
pub const MAX_BIDDING_SECS: u64 = 90 * 24 * 3600;
/// How far ahead a slot may start.
pub const MAX_LEAD_SECS: u64 = 365 * 24 * 3600;

/// What a creator sets when opening an auction.
#[cw_serde]
pub struct AuctionInput {
    pub slot: Slot,
    pub format: MeetingFormat,
    pub description: String,
    /// Must be accepted by the platform and the creator.
    pub asset: AssetInfo,
    /// The lowest first bid (zero: any bid).
    pub reserve: Uint128,
    /// Each bid beats the top bid by at least ceil(top * bps / 10_000), and by at least 1.
    pub min_increment_bps: u16,
    /// Bidding closes at this time: at least `extension_secs` before the slot's start.
    pub bidding_ends_at: Timestamp,
    /// A bid less than this many seconds before the end moves the end to the bid time plus this
    /// (never past the slot's start); 0 turns extensions off, otherwise 60 to 3600.
    pub extension_secs: u64,
    /// A bid of exactly this amount wins at once.
    pub buy_now: Option<Uint128>,
}

/// How the arbiter resolves a dispute.
#[cw_serde]
pub enum DisputeOutcome {
    /// The fan gets the whole price back; no fee.
    Refund {},
    /// The creator is paid as if the fan had confirmed (fee to the treasury).
    Release {},
    /// The fan gets `fan_bps` of the price (rounded down); the fee is taken from the rest.
    Split { fan_bps: u16 },
}

/// Longest reason a fan gives for a dispute.
pub const MAX_REASON_BYTES: usize = 280;

#[cw_ownable_execute]
#[cw_serde]
pub enum ExecuteMsg {
    /// Owner only. Applies to auctions opened, meetings marked held and meetings cancelled
    /// afterwards.
    UpdateConfig {
        max_open_auctions: Option<u32>,
        dispute_window_secs: Option<u64>,
        cancellation_fee_bps: Option<u16>,
    },
    /// A registered, active creator opens an auction.
    OpenAuction { auction: AuctionInput },
    /// The creator cancels an auction that has no bid yet.
    CancelAuction { auction_id: u64 },
    /// Bid with exactly one native coin of the auction's asset.
    Bid { auction_id: u64 },
    /// Bid in a CW20 asset: `Send` the tokens with a [`ReceiveMsg`].
    Receive(Cw20ReceiveMsg),
    /// Anyone, after the bidding end.
    Settle { auction_id: u64 },
    /// The creator, after the slot ended: the meeting took place, or the fan did not show up.
    /// Opens the dispute window.
    MarkHeld { meeting_id: u64, fan_no_show: bool },
    /// The fan releases the price to the creator at once (once the slot ended).
    Confirm { meeting_id: u64 },
    /// The fan disputes: inside the window after `MarkHeld`, or once the slot ended without it.
    Dispute {
        meeting_id: u64,
        reason: Option<String>,
    },
    /// The platform arbiter resolves a dispute.
    Resolve {
        meeting_id: u64,
        outcome: DisputeOutcome,
    },
    /// The creator collects the price once the dispute window passed without a dispute.
    Claim { meeting_id: u64 },
    /// The creator cancels a scheduled meeting, paying the cancellation fee (see
    /// [`MeetingResponse::cancellation_fee`]) with exactly one native coin of the meeting's
    /// asset, or a CW20 `Send` with [`ReceiveMsg::CancelMeeting`]. The fee goes to the treasury;
    /// the fan gets the full price back.
    CancelMeeting { meeting_id: u64 },
    /// Creator or fan proposes a new slot for a scheduled meeting; it replaces any pending proposal
    /// (so the other side can answer with a counter-proposal).
    ProposeReschedule {
        meeting_id: u64,
        start: Timestamp,
        duration_secs: u64,
    },
    /// The other side accepts the pending proposal; `start` and `duration_secs` must repeat it,
    /// so a proposal changed in the meantime is never accepted by mistake.
    AcceptReschedule {
        meeting_id: u64,
        start: Timestamp,
        duration_secs: u64,
    },
    /// The proposer withdraws, or the other side declines, the pending proposal.
    DeclineReschedule { meeting_id: u64 },
}

/// The message inside a CW20 `Send` to this contract.
#[cw_serde]
pub enum ReceiveMsg {
    Bid {
        auction_id: u64,
    },
    /// The creator cancels a scheduled meeting paid in this token, sending the cancellation fee.
    CancelMeeting {
        meeting_id: u64,
    },
}

#[cw_ownable_query]
#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    #[returns(crate::state::Config)]
    Config {},
    #[returns(AuctionResponse)]
    Auction { auction_id: u64 },
    /// A creator's auctions by id.
    #[returns(AuctionsResponse)]
    AuctionsByCreator {
        creator: String,
        start_after: Option<u64>,
        limit: Option<u32>,
    },
    /// Auctions in `state`, soonest bidding end first (so `Open` lists what to bid on, and what
    /// is ready to settle, in end-time order). `ends_before` stops the page at that time.
    #[returns(AuctionsResponse)]
    AuctionsByState {
        state: AuctionState,
        start_after: Option<AuctionCursor>,
        ends_before: Option<Timestamp>,
        limit: Option<u32>,
    },
    /// How many auctions the creator has open, against the cap in `Config`.
    #[returns(u32)]
    OpenAuctionCount { creator: String },
    /// An auction's bids, oldest first.
    #[returns(BidsResponse)]
    Bids {
        auction_id: u64,
        start_after: Option<u32>,
        limit: Option<u32>,
    },
    #[returns(MeetingResponse)]
    Meeting { meeting_id: u64 },
    #[returns(MeetingsResponse)]
    MeetingsByCreator {
        creator: String,
        start_after: Option<u64>,
        limit: Option<u32>,
    },
    #[returns(MeetingsResponse)]
    MeetingsByFan {
        fan: String,
        start_after: Option<u64>,
        limit: Option<u32>,
    },
}

/// A position in [`QueryMsg::AuctionsByState`]: the last auction of the previous page.
#[cw_serde]
pub struct AuctionCursor {
    pub ends_at: Timestamp,
    pub auction_id: u64,
}

#[cw_serde]
pub struct AuctionResponse {
    pub auction_id: u64,
    pub auction: Auction,
    pub top_bid: Option<TopBid>,
    /// The smallest bid accepted now (absent once bidding ended); never above the buy-now price.
    pub min_next_bid: Option<Uint128>,
}

#[cw_serde]
pub struct AuctionsResponse {
    pub auctions: Vec<AuctionResponse>,
}

#[cw_serde]
pub struct BidResponse {
    pub bid_seq: u32,
    pub bid: Bid,
}

#[cw_serde]
pub struct BidsResponse {
    pub bids: Vec<BidResponse>,
}

#[cw_serde]
pub struct MeetingResponse {
    pub meeting_id: u64,
    pub meeting: Meeting,
    /// What the creator pays to cancel the meeting now; absent unless it is scheduled.
    pub cancellation_fee: Option<Uint128>,
}

#[cw_serde]
pub struct MeetingsResponse {
    pub meetings: Vec<MeetingResponse>,
}

#[cw_serde]
pub struct MigrateMsg {}
