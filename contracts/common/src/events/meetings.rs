//! Events of the `meetings` contract (Bid-to-Meet), and the state names they carry.
//!
//! A reader rebuilds everything from these events alone:
//! - an auction from [`AuctionOpened`], its end from [`AuctionExtended`], its state from
//!   [`AuctionCancelled`] and [`AuctionSettled`];
//! - its bids from [`BidPlaced`] (the new top bid, and the refund of the one it replaced);
//! - a meeting from [`MeetingChanged`], which carries the meeting's full mutable state after every
//!   change of its time or status. A meeting has the id of the auction it was sold in; its format,
//!   time-zone label and description are the auction's.
//! - money leaving escrow from [`MeetingPayout`]; disputes from [`DisputeOpened`] and
//!   [`DisputeResolved`]; pending reschedule proposals from [`RescheduleChanged`].

use std::fmt;
use std::str::FromStr;

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Timestamp, Uint128};

use crate::asset::AssetInfo;

/// Enums written to attributes as their snake_case names.
macro_rules! named_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),* $(,)? }) => {
        $(#[$meta])*
        #[cw_serde]
        #[derive(Copy, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant),*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            pub fn as_str(&self) -> &'static str {
                match self {
                    $($name::$variant => $text),*
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)*
                    _ => Err(format!(concat!("invalid ", stringify!($name), " {:?}"), s)),
                }
            }
        }

        impl crate::event::AttrValue for $name {
            fn to_attr(&self) -> String {
                self.as_str().to_string()
            }
            fn from_attr(value: &str) -> Result<Self, String> {
                value.parse()
            }
        }
    };
}

named_enum! {
    /// How the meeting takes place.
    pub enum MeetingFormat {
        Video = "video",
        Audio = "audio",
        InPerson = "in_person",
    }
}

named_enum! {
    /// Where an auction stands.
    pub enum AuctionState {
        /// Taking bids until its end; after the end, waiting for anyone to settle it.
        Open = "open",
        /// Cancelled by the creator before any bid.
        Cancelled = "cancelled",
        /// Settled without a bid.
        Closed = "closed",
        /// Settled with a winner, or bought at the buy-now price: a meeting was scheduled.
        Sold = "sold",
    }
}

named_enum! {
    /// Where a meeting stands. The first three hold the price in escrow; the others are final.
    pub enum MeetingStatus {
        Scheduled = "scheduled",
        /// The creator marked it held (or the fan absent); the dispute window runs.
        Held = "held",
        /// The fan disputed it; the arbiter decides.
        Disputed = "disputed",
        /// The price went to the creator (fan confirmed, creator claimed, or arbiter released).
        Completed = "completed",
        /// The creator cancelled it; the fan got the price back.
        Cancelled = "cancelled",
        /// The arbiter refunded the fan in full.
        Refunded = "refunded",
        /// The arbiter split the price between fan and creator.
        Split = "split",
    }
}

impl MeetingStatus {
    /// Whether the contract still holds the price for this meeting.
    pub fn holds_escrow(&self) -> bool {
        matches!(
            self,
            MeetingStatus::Scheduled | MeetingStatus::Held | MeetingStatus::Disputed
        )
    }

    /// The RFC 5545 `STATUS` of the meeting's calendar entry: only a cancelled meeting leaves the
    /// calendar; a meeting that took place (whatever its payment outcome) stays confirmed.
    pub fn calendar_status(&self) -> &'static str {
        match self {
            MeetingStatus::Cancelled => "CANCELLED",
            _ => "CONFIRMED",
        }
    }
}

named_enum! {
    /// How the arbiter resolved a dispute.
    pub enum DisputeOutcomeKind {
        Refund = "refund",
        Release = "release",
        Split = "split",
    }
}

named_enum! {
    /// A step of a reschedule proposal; its acceptance is a [`MeetingChanged`].
    pub enum RescheduleAction {
        Proposed = "proposed",
        /// The proposer took it back.
        Withdrawn = "withdrawn",
        /// The other side turned it down.
        Declined = "declined",
    }
}

crate::mesi_event! {
    /// The meetings contract's configuration after instantiate or an update.
    pub struct MeetingsConfigSet = "mesi.meetings_config.v1" {
        /// The `creators` registry asked for payment terms and the arbiter.
        pub creators: Addr,
        pub max_open_auctions: u32,
        pub dispute_window_secs: u64,
        /// What a creator pays the treasury to cancel a sold meeting, in basis points of its
        /// price (rounded up); absent from events of versions without it.
        pub cancellation_fee_bps: Option<u16>,
    }
}

crate::mesi_event! {
    /// A creator opened an auction for a meeting slot.
    pub struct AuctionOpened = "mesi.meeting_auction.v1" {
        /// Sequential from 1; the meeting sold in it gets the same id.
        pub auction_id: u64,
        pub creator: Addr,
        pub start: Timestamp,
        pub duration_secs: u64,
        /// A display label such as `Europe/Berlin`; times are always UTC.
        pub time_zone: String,
        pub format: MeetingFormat,
        pub description: String,
        pub asset: AssetInfo,
        /// The lowest first bid.
        pub reserve: Uint128,
        /// Each bid beats the top bid by at least ceil(top * bps / 10_000), and by at least 1.
        pub min_increment_bps: u16,
        pub ends_at: Timestamp,
        /// A bid less than this many seconds before the end moves the end to the bid's time plus this.
        pub extension_secs: u64,
        /// A bid of exactly this amount wins at once.
        pub buy_now: Option<Uint128>,
        /// The platform fee taken when the creator is paid, fixed when the auction opens.
        pub fee_bps: u16,
        /// The creator's open auctions after this one.
        pub open_auctions: u32,
    }
}

crate::mesi_event! {
    /// The creator cancelled an auction that had no bid.
    pub struct AuctionCancelled = "mesi.meeting_auction_cancelled.v1" {
        pub auction_id: u64,
        pub creator: Addr,
        pub open_auctions: u32,
    }
}

crate::mesi_event! {
    /// A new top bid, escrowed; the bid it beat was refunded in the same transaction.
    pub struct BidPlaced = "mesi.meeting_bid.v1" {
        pub auction_id: u64,
        /// 1 for the auction's first bid, +1 for each bid.
        pub bid_seq: u32,
        pub bidder: Addr,
        pub amount: Uint128,
        /// The previous top bidder, refunded `refund` (in the auction's asset).
        pub refunded_bidder: Option<Addr>,
        pub refund: Option<Uint128>,
    }
}

crate::mesi_event! {
    /// A late bid moved the auction's end (anti-sniping).
    pub struct AuctionExtended = "mesi.meeting_auction_extended.v1" {
        pub auction_id: u64,
        pub ends_at: Timestamp,
    }
}

crate::mesi_event! {
    /// The auction ended: `closed` without a bid, or `sold` to `winner` (a meeting follows).
    pub struct AuctionSettled = "mesi.meeting_auction_settled.v1" {
        pub auction_id: u64,
        pub creator: Addr,
        pub state: AuctionState,
        pub winner: Option<Addr>,
        pub price: Option<Uint128>,
        /// True when the winning bid was the buy-now price.
        pub bought_now: bool,
        pub settled_by: Addr,
        pub open_auctions: u32,
    }
}

crate::mesi_event! {
    /// A meeting's full mutable state after it was scheduled or its time or status changed.
    /// `revision` starts at 0 and grows by 1 with every change: it is the calendar's `SEQUENCE`.
    pub struct MeetingChanged = "mesi.meeting.v1" {
        /// The id of the auction it was sold in.
        pub meeting_id: u64,
        pub creator: Addr,
        pub fan: Addr,
        pub status: MeetingStatus,
        pub revision: u32,
        pub start: Timestamp,
        pub duration_secs: u64,
        /// What the contract still holds for this meeting (the price, or zero once paid out).
        pub escrow: Uint128,
        /// Set once the meeting is marked held: the fan may dispute until then.
        pub dispute_deadline: Option<Timestamp>,
        /// The creator reported that the fan did not show up.
        pub fan_no_show: bool,
        /// Who caused the change.
        pub actor: Addr,
    }
}

crate::mesi_event! {
    /// A reschedule proposal was made, withdrawn or declined.
    pub struct RescheduleChanged = "mesi.meeting_reschedule.v1" {
        pub meeting_id: u64,
        pub action: RescheduleAction,
        pub by: Addr,
        /// The proposed slot (present for `proposed`).
        pub start: Option<Timestamp>,
        pub duration_secs: Option<u64>,
    }
}

crate::mesi_event! {
    /// The fan disputed a meeting.
    pub struct DisputeOpened = "mesi.meeting_dispute.v1" {
        pub meeting_id: u64,
        pub fan: Addr,
        pub reason: Option<String>,
    }
}

crate::mesi_event! {
    /// The arbiter resolved a dispute; `to_fan + fee + to_creator` is the meeting's price.
    pub struct DisputeResolved = "mesi.meeting_dispute_resolved.v1" {
        pub meeting_id: u64,
        pub arbiter: Addr,
        pub outcome: DisputeOutcomeKind,
        /// The fan's share in basis points (10_000 for a refund, 0 for a release).
        pub fan_bps: u16,
        pub to_fan: Uint128,
        pub fee: Uint128,
        pub to_creator: Uint128,
    }
}

crate::mesi_event! {
    /// A meeting's escrow was paid out, all of it: `to_fan + fee + to_creator` is the price.
    pub struct MeetingPayout = "mesi.meeting_payout.v1" {
        pub meeting_id: u64,
        pub asset: AssetInfo,
        pub fan: Addr,
        pub to_fan: Uint128,
        /// Present when a fee was paid.
        pub treasury: Option<Addr>,
        pub fee: Uint128,
        /// The creator's payout address; present when the creator was paid.
        pub payout: Option<Addr>,
        pub to_creator: Uint128,
        /// On a creator's cancellation: what the creator paid the treasury on top of the
        /// escrow, which went back to the fan in full.
        pub cancellation_fee: Option<Uint128>,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{attr_pairs, MesiEvent};
    use crate::events::AnyEvent;

    fn round_trip(event: AnyEvent) {
        let cosmos = event.to_event();
        let decoded =
            AnyEvent::decode(&format!("wasm-{}", cosmos.ty), &attr_pairs(&cosmos)).unwrap();
        assert_eq!(decoded, Some(event));
    }

    #[test]
    fn names_round_trip() {
        for format in MeetingFormat::ALL {
            assert_eq!(format.as_str().parse::<MeetingFormat>(), Ok(*format));
        }
        for state in AuctionState::ALL {
            assert_eq!(state.as_str().parse::<AuctionState>(), Ok(*state));
        }
        for status in MeetingStatus::ALL {
            assert_eq!(status.as_str().parse::<MeetingStatus>(), Ok(*status));
        }
        assert!("pending".parse::<MeetingStatus>().is_err());
        assert_eq!(MeetingStatus::Cancelled.calendar_status(), "CANCELLED");
        assert_eq!(MeetingStatus::Refunded.calendar_status(), "CONFIRMED");
    }

    #[test]
    fn events_round_trip() {
        let creator = Addr::unchecked("cosmwasm1creator");
        let fan = Addr::unchecked("cosmwasm1fan");
        round_trip(
            AuctionOpened {
                auction_id: 7,
                creator: creator.clone(),
                start: Timestamp::from_seconds(1_800_000_000),
                duration_secs: 1_800,
                time_zone: "Europe/Berlin".into(),
                format: MeetingFormat::InPerson,
                description: "Coffee, 30 minutes, \"anything\" goes".into(),
                asset: AssetInfo::cw20(Addr::unchecked("cosmwasm1mesi")),
                reserve: Uint128::new(100),
                min_increment_bps: 500,
                ends_at: Timestamp::from_seconds(1_799_000_000),
                extension_secs: 300,
                buy_now: Some(Uint128::new(10_000)),
                fee_bps: 1_000,
                open_auctions: 2,
            }
            .into(),
        );
        round_trip(
            BidPlaced {
                auction_id: 7,
                bid_seq: 2,
                bidder: fan.clone(),
                amount: Uint128::new(150),
                refunded_bidder: Some(Addr::unchecked("cosmwasm1other")),
                refund: Some(Uint128::new(100)),
            }
            .into(),
        );
        round_trip(
            AuctionSettled {
                auction_id: 7,
                creator: creator.clone(),
                state: AuctionState::Closed,
                winner: None,
                price: None,
                bought_now: false,
                settled_by: fan.clone(),
                open_auctions: 0,
            }
            .into(),
        );
        round_trip(
            MeetingChanged {
                meeting_id: 7,
                creator: creator.clone(),
                fan: fan.clone(),
                status: MeetingStatus::Held,
                revision: 3,
                start: Timestamp::from_seconds(1_800_000_000),
                duration_secs: 1_800,
                escrow: Uint128::new(150),
                dispute_deadline: Some(Timestamp::from_seconds(1_800_259_200)),
                fan_no_show: true,
                actor: creator.clone(),
            }
            .into(),
        );
        round_trip(
            RescheduleChanged {
                meeting_id: 7,
                action: RescheduleAction::Proposed,
                by: fan.clone(),
                start: Some(Timestamp::from_seconds(1_800_086_400)),
                duration_secs: Some(3_600),
            }
            .into(),
        );
        round_trip(
            DisputeResolved {
                meeting_id: 7,
                arbiter: Addr::unchecked("cosmwasm1arbiter"),
                outcome: DisputeOutcomeKind::Split,
                fan_bps: 2_500,
                to_fan: Uint128::new(37),
                fee: Uint128::new(11),
                to_creator: Uint128::new(102),
            }
            .into(),
        );
        round_trip(
            MeetingPayout {
                meeting_id: 7,
                asset: AssetInfo::native("uusdc"),
                fan,
                to_fan: Uint128::zero(),
                treasury: Some(Addr::unchecked("cosmwasm1treasury")),
                fee: Uint128::new(15),
                payout: Some(creator),
                to_creator: Uint128::new(135),
                cancellation_fee: None,
            }
            .into(),
        );
        let ev = AuctionExtended {
            auction_id: 1,
            ends_at: Timestamp::from_nanos(5),
        };
        assert_eq!(
            AuctionExtended::from_attributes(&attr_pairs(&ev.to_event())).unwrap(),
            ev
        );
    }
}
