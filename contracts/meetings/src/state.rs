use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Timestamp, Uint128};
use cw_storage_plus::{Index, IndexList, IndexedMap, Item, Map, MultiIndex};
use mesi_common::events::meetings::{AuctionState, MeetingFormat, MeetingStatus};
use mesi_common::interfaces::creators::Registry;
use mesi_common::AssetInfo;

#[cw_serde]
pub struct Config {
    /// The `creators` registry: payment terms and the dispute arbiter.
    pub creators: Addr,
    /// Most auctions one creator may have open (including ended ones not yet settled).
    pub max_open_auctions: u32,
    /// How long the fan may dispute after the creator marks a meeting held.
    pub dispute_window_secs: u64,
    /// What a creator pays the treasury to cancel a sold meeting: basis points of its price,
    /// rounded up, so a sale the creator backs out of (a hidden reserve, say) is never free.
    pub cancellation_fee_bps: u16,
}

impl Config {
    pub fn registry(&self) -> Registry {
        Registry(self.creators.clone())
    }
}

/// [`Config`] as versions before cancellation fees stored it, under the same key; `migrate`
/// rewrites it.
#[cw_serde]
pub struct ConfigV1 {
    pub creators: Addr,
    pub max_open_auctions: u32,
    pub dispute_window_secs: u64,
}

/// When a meeting takes place. Times are UTC; `time_zone` is only a label for display.
#[cw_serde]
pub struct Slot {
    pub start: Timestamp,
    pub duration_secs: u64,
    pub time_zone: String,
}

impl Slot {
    pub fn end(&self) -> Timestamp {
        self.start.plus_seconds(self.duration_secs)
    }
}

/// An auction's terms and state. The top bid is kept apart (in [`TOP_BIDS`]) so that a bid writes
/// only the small bid record, not this one and its indexes.
#[cw_serde]
pub struct Auction {
    pub creator: Addr,
    pub slot: Slot,
    pub format: MeetingFormat,
    pub description: String,
    pub asset: AssetInfo,
    pub reserve: Uint128,
    pub min_increment_bps: u16,
    /// The bidding end; moved later by anti-sniping extensions.
    pub ends_at: Timestamp,
    pub extension_secs: u64,
    pub buy_now: Option<Uint128>,
    /// The platform fee the creator agreed to when opening the auction.
    pub fee_bps: u16,
    pub state: AuctionState,
}

/// The highest bid of an auction, escrowed by the contract while the auction is open.
#[cw_serde]
pub struct TopBid {
    pub bidder: Addr,
    pub amount: Uint128,
    /// How many bids the auction has had; the top bid is the last of them.
    pub bid_count: u32,
}

/// One bid, kept for the auction's bid history.
#[cw_serde]
pub struct Bid {
    pub bidder: Addr,
    pub amount: Uint128,
    pub placed_at: Timestamp,
}

/// A reschedule one side proposed; it takes effect when the other side accepts it.
#[cw_serde]
pub struct RescheduleProposal {
    pub proposed_by: Addr,
    pub start: Timestamp,
    pub duration_secs: u64,
}

/// A meeting sold in an auction, with the same id.
#[cw_serde]
pub struct Meeting {
    pub creator: Addr,
    pub fan: Addr,
    pub slot: Slot,
    pub format: MeetingFormat,
    pub asset: AssetInfo,
    /// The winning bid, escrowed while `status.holds_escrow()`.
    pub price: Uint128,
    pub fee_bps: u16,
    pub status: MeetingStatus,
    /// Starts at 0; +1 on every change of time or status (the calendar's SEQUENCE).
    pub revision: u32,
    pub dispute_deadline: Option<Timestamp>,
    pub fan_no_show: bool,
    pub reschedule: Option<RescheduleProposal>,
}

impl Meeting {
    pub fn escrow(&self) -> Uint128 {
        if self.status.holds_escrow() {
            self.price
        } else {
            Uint128::zero()
        }
    }
}

pub struct AuctionIndexes<'a> {
    pub creator: MultiIndex<'a, Addr, Auction, u64>,
    /// (state, bidding end in nanoseconds): auctions of a state, soonest end first.
    pub state_end: MultiIndex<'a, (u8, u64), Auction, u64>,
}

impl IndexList<Auction> for AuctionIndexes<'_> {
    fn get_indexes(&'_ self) -> Box<dyn Iterator<Item = &'_ dyn Index<Auction>> + '_> {
        let v: Vec<&dyn Index<Auction>> = vec![&self.creator, &self.state_end];
        Box::new(v.into_iter())
    }
}

pub struct MeetingIndexes<'a> {
    pub creator: MultiIndex<'a, Addr, Meeting, u64>,
    pub fan: MultiIndex<'a, Addr, Meeting, u64>,
}

impl IndexList<Meeting> for MeetingIndexes<'_> {
    fn get_indexes(&'_ self) -> Box<dyn Iterator<Item = &'_ dyn Index<Meeting>> + '_> {
        let v: Vec<&dyn Index<Meeting>> = vec![&self.creator, &self.fan];
        Box::new(v.into_iter())
    }
}

/// The index key of an auction state (stable: stored in the index).
pub fn state_key(state: AuctionState) -> u8 {
    match state {
        AuctionState::Open => 0,
        AuctionState::Cancelled => 1,
        AuctionState::Closed => 2,
        AuctionState::Sold => 3,
    }
}

pub fn auctions<'a>() -> IndexedMap<u64, Auction, AuctionIndexes<'a>> {
    IndexedMap::new(
        "auctions",
        AuctionIndexes {
            creator: MultiIndex::new(|_, a| a.creator.clone(), "auctions", "auctions__creator"),
            state_end: MultiIndex::new(
                |_, a| (state_key(a.state), a.ends_at.nanos()),
                "auctions",
                "auctions__state_end",
            ),
        },
    )
}

pub fn meetings<'a>() -> IndexedMap<u64, Meeting, MeetingIndexes<'a>> {
    IndexedMap::new(
        "meetings",
        MeetingIndexes {
            creator: MultiIndex::new(|_, m| m.creator.clone(), "meetings", "meetings__creator"),
            fan: MultiIndex::new(|_, m| m.fan.clone(), "meetings", "meetings__fan"),
        },
    )
}

pub const CONFIG: Item<Config> = Item::new("config");
pub const CONFIG_V1: Item<ConfigV1> = Item::new("config");
/// The id of the last auction opened (0 before the first).
pub const LAST_AUCTION_ID: Item<u64> = Item::new("last_auction_id");
/// Open auctions per creator, for the cap.
pub const OPEN_AUCTIONS: Map<&Addr, u32> = Map::new("open_auctions");
pub const TOP_BIDS: Map<u64, TopBid> = Map::new("top_bids");
/// Bid history: (auction id, bid sequence number from 1).
pub const BIDS: Map<(u64, u32), Bid> = Map::new("bids");
