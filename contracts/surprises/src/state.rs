//! Storage. Tokens live in the CW721 library's own storage (`cw721::state::Cw721Config`), so
//! its functions and queries work on them unchanged; the surprise-specific data lives beside it,
//! keyed by token id.
//!
//! The records written at every mint and transfer use one-letter JSON keys: storage costs 30
//! gas per written byte, and these keys are read by this contract only (queries answer with the
//! readable message types).

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Binary, Empty, HexBinary, Timestamp, Uint128};
use cw721::state::{Cw721Config, NftInfo};
use cw721::traits::Cw721State;
use cw_storage_plus::{Item, Map};
use mesi_common::interfaces::creators::Registry;
use mesi_common::{Asset, AssetInfo};

use crate::error::ContractError;
use crate::msg::{Hints, SurpriseState};

#[cw_serde]
pub struct Config {
    pub creators: Addr,
    /// Seconds; copied into each surprise at mint.
    pub reveal_window: u64,
    /// Seconds a creator's "active" answer from the registry is trusted for unbonded mints.
    pub creator_recheck_interval: u64,
}

impl Config {
    /// The `creators` registry, to query.
    pub fn registry(&self) -> Registry {
        Registry(self.creators.clone())
    }
}

pub const CONFIG: Item<Config> = Item::new("config");

/// A surprise's state, with `Sealed` split by whether it is listed: a transfer must know both,
/// and reads nothing but the token record.
#[cw_serde]
#[derive(Copy, Eq)]
pub enum Phase {
    #[serde(rename = "s")]
    Sealed,
    #[serde(rename = "l")]
    Listed,
    #[serde(rename = "u")]
    Unlocked,
    #[serde(rename = "r")]
    Revealed,
    #[serde(rename = "f")]
    Forfeited,
}

impl Phase {
    pub fn state(self) -> SurpriseState {
        match self {
            Phase::Sealed | Phase::Listed => SurpriseState::Sealed,
            Phase::Unlocked => SurpriseState::Unlocked,
            Phase::Revealed => SurpriseState::Revealed,
            Phase::Forfeited => SurpriseState::Forfeited,
        }
    }

    /// Checks that the token is sealed (only sealed tokens move, trade and unlock) and returns
    /// whether it is listed.
    pub fn check_sealed(self, action: &'static str, token_id: &str) -> Result<bool, ContractError> {
        match self {
            Phase::Sealed => Ok(false),
            Phase::Listed => Ok(true),
            other => Err(other.wrong_state(action, token_id)),
        }
    }

    /// Checks that the token is listed: only a listing can be bought or withdrawn.
    pub fn check_listed(self, token_id: &str) -> Result<(), ContractError> {
        if self == Phase::Listed {
            Ok(())
        } else {
            Err(ContractError::NotListed(token_id.into()))
        }
    }

    /// Checks that the token waits for its reveal (or, after the deadline, the bond's claim).
    pub fn check_unlocked(self, action: &'static str, token_id: &str) -> Result<(), ContractError> {
        if self == Phase::Unlocked {
            Ok(())
        } else {
            Err(self.wrong_state(action, token_id))
        }
    }

    fn wrong_state(self, action: &'static str, token_id: &str) -> ContractError {
        ContractError::WrongState {
            action,
            token_id: token_id.into(),
            state: self.state(),
        }
    }
}

/// The extension of the CW721 token record. An object rather than a bare string, because the
/// CW721 library reads every token record as `NftInfo<Option<Empty>>`, which accepts any object.
#[cw_serde]
#[derive(Copy, Eq)]
pub struct TokenPhase {
    #[serde(rename = "p")]
    pub phase: Phase,
}

impl Cw721State for TokenPhase {}

/// A CW721 token record: owner, approvals, phase.
pub type Token = NftInfo<TokenPhase>;

/// The CW721 library's storage: collection info, token count, operators, and the tokens with
/// their owner index (which the owner queries and `HoldsSurprise` read).
pub fn cw721_storage() -> Cw721Config<'static, TokenPhase> {
    Cw721Config::default()
}

/// The token records of [`cw721_storage`] without the owner index, for writes that keep the
/// owner: the index stays valid, and the write costs one store instead of three.
pub const TOKENS: Map<&str, Token> = Map::new("tokens");

/// What a surprise is; fixed at mint.
#[cw_serde]
pub struct Surprise {
    #[serde(rename = "c")]
    pub creator: Addr,
    #[serde(rename = "h")]
    pub hints: Hints,
    #[serde(rename = "m")]
    pub commitment: Binary,
    #[serde(rename = "r")]
    pub royalty_bps: u16,
    /// Escrowed while the phase is sealed, listed or unlocked.
    #[serde(rename = "b", default, skip_serializing_if = "Option::is_none")]
    pub bond: Option<Asset>,
    #[serde(rename = "w")]
    pub reveal_window: u64,
}

pub const SURPRISES: Map<&str, Surprise> = Map::new("surprises");

/// Written at the unlock, completed at the reveal.
#[cw_serde]
pub struct Unlock {
    pub unlocker: Addr,
    pub deadline: Timestamp,
    pub revealed: Option<Reveal>,
}

#[cw_serde]
pub struct Reveal {
    pub salt: HexBinary,
    pub content_hash: HexBinary,
}

pub const UNLOCKS: Map<&str, Unlock> = Map::new("unlocks");

/// A fixed-price offer; exists exactly while the token's phase is `Listed`.
#[cw_serde]
pub struct Listing {
    /// The owner when listed; a transfer ends the listing, so still the owner.
    pub seller: Addr,
    pub creator: Addr,
    pub royalty_bps: u16,
    pub asset: AssetInfo,
    pub price: Uint128,
    pub expires_at: Option<Timestamp>,
}

impl Listing {
    pub fn is_expired(&self, now: Timestamp) -> bool {
        self.expires_at.is_some_and(|end| now >= end)
    }
}

/// By token id; a creator's listings share the creator's token-id prefix.
pub const LISTINGS: Map<&str, Listing> = Map::new("listings");
/// (asset key, price, token id): each asset's listings, cheapest first.
pub const LISTINGS_BY_PRICE: Map<(&str, u128, &str), Empty> = Map::new("listings_by_price");

/// What the contract remembers of a creator who minted.
#[cw_serde]
pub struct Creator {
    /// Assigned at the first mint; the creator's token ids start with `<number>.`, so the CW721
    /// owner index, ordered by token id, groups an owner's tokens by creator.
    pub number: u32,
    /// When the registry last answered that the creator is registered and active.
    pub active_at: Timestamp,
}

pub const CREATORS: Map<&Addr, Creator> = Map::new("creators");
/// How many creators have minted; the last number assigned.
pub const CREATOR_COUNT: Item<u32> = Item::new("creator_count");

/// `<number>.`: the start of every token id of the creator with this number.
pub fn token_id_prefix(creator_number: u32) -> String {
    format!("{creator_number}.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_is_the_cw721_token_map() {
        assert_eq!(&*TOKENS.key("1.a"), &*cw721_storage().nft_info.key("1.a"));
    }

    #[test]
    fn the_cw721_library_reads_our_token_records() {
        let token = Token {
            owner: Addr::unchecked("owner"),
            approvals: vec![],
            token_uri: None,
            extension: TokenPhase {
                phase: Phase::Listed,
            },
        };
        let json = cosmwasm_std::to_json_vec(&token).unwrap();
        assert!(String::from_utf8_lossy(&json).ends_with(r#""extension":{"p":"l"}}"#));
        let as_library: NftInfo<Option<Empty>> = cosmwasm_std::from_json(&json).unwrap();
        assert_eq!(
            (as_library.owner, as_library.extension),
            (token.owner, Some(Empty {}))
        );
    }
}
