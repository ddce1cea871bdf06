use cosmwasm_std::{StdError, Timestamp, Uint128};
use mesi_common::events::meetings::{AuctionState, MeetingStatus};
use mesi_common::AssetError;
use thiserror::Error;

#[derive(Error, Debug, PartialEq)]
pub enum ContractError {
    #[error("{0}")]
    Std(#[from] StdError),
    #[error("{0}")]
    Ownership(#[from] cw_ownable::OwnershipError),
    #[error("{0}")]
    Asset(#[from] AssetError),
    #[error("unauthorized: only the {0} may do this")]
    Unauthorized(&'static str),
    #[error("invalid {field}: {reason}")]
    InvalidInput { field: &'static str, reason: String },
    #[error("creator is not active and takes no new payments")]
    CreatorInactive,
    #[error("the creator already has {max} open auctions, the most allowed")]
    TooManyOpenAuctions { max: u32 },
    #[error("auction {0} not found")]
    AuctionNotFound(u64),
    #[error("meeting {0} not found")]
    MeetingNotFound(u64),
    #[error("auction is {0}, not open")]
    AuctionNotOpen(AuctionState),
    #[error("an auction with bids cannot be cancelled; settle it, then cancel the meeting")]
    AuctionHasBids,
    #[error("bidding ended at {0}")]
    BiddingEnded(Timestamp),
    #[error("bidding runs until {0}")]
    BiddingNotEnded(Timestamp),
    #[error("the creator cannot bid on their own auction")]
    CreatorCannotBid,
    #[error("bid too low: at least {min} is needed")]
    BidTooLow { min: Uint128 },
    #[error("bid above the buy-now price {buy_now}: bid exactly that to win at once")]
    BidAboveBuyNow { buy_now: Uint128 },
    #[error("cannot {action} a meeting that is {status}")]
    WrongMeetingStatus {
        action: &'static str,
        status: MeetingStatus,
    },
    #[error("the meeting's slot ends at {0}")]
    MeetingNotOver(Timestamp),
    #[error("the dispute window closed at {0}")]
    DisputeWindowClosed(Timestamp),
    #[error("the dispute window is open until {0}")]
    DisputeWindowOpen(Timestamp),
    #[error("cancelling costs a fee of exactly {fee}, not {paid}")]
    WrongCancellationFee { fee: Uint128, paid: Uint128 },
    #[error("no reschedule proposal is pending")]
    NoReschedulePending,
    #[error("the pending proposal differs from the one accepted")]
    RescheduleMismatch,
    #[error("a proposal is accepted by the other side, not by its proposer")]
    OwnProposal,
}

impl ContractError {
    /// A message field that breaks its rule.
    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        ContractError::InvalidInput {
            field,
            reason: reason.into(),
        }
    }
}
