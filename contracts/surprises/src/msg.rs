use std::fmt;

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Binary, HexBinary, Timestamp, Uint128};
use cw20::Cw20ReceiveMsg;
use cw721::Expiration;
use cw_ownable::{cw_ownable_execute, cw_ownable_query};
use mesi_common::{Asset, AssetInfo};

/// Longest collection name, in bytes.
pub const MAX_NAME_LEN: usize = 64;
/// Longest collection symbol, in bytes.
pub const MAX_SYMBOL_LEN: usize = 16;
/// Shortest reveal window, in seconds: one hour.
pub const MIN_REVEAL_WINDOW: u64 = 3_600;
/// Longest reveal window, in seconds: 90 days.
pub const MAX_REVEAL_WINDOW: u64 = 90 * 86_400;
/// Longest time a registry answer about a creator is trusted, in seconds: one day.
pub const MAX_CREATOR_RECHECK_INTERVAL: u64 = 86_400;

#[cw_serde]
pub struct InstantiateMsg {
    /// CW721 collection name and symbol.
    pub name: String,
    pub symbol: String,
    /// Platform admin (also the CW721 collection creator); defaults to the sender.
    pub owner: Option<String>,
    /// The `creators` registry: who may mint, fees, treasury, accepted assets.
    pub creators: String,
    /// Seconds a creator has to reveal once a surprise is unlocked; fixed per surprise at mint.
    pub reveal_window: u64,
    /// Seconds, at most [`MAX_CREATOR_RECHECK_INTERVAL`]: after the registry answered that a
    /// creator is active, their mints without a bond trust that answer this long instead of
    /// asking again (a mint with a bond always asks, for the accepted assets). 0 asks every time.
    pub creator_recheck_interval: u64,
}

/// Longest title, in bytes.
pub const MAX_TITLE_LEN: usize = 80;
/// Most hint texts per surprise.
pub const MAX_HINTS: usize = 5;
/// Longest hint text, in bytes.
pub const MAX_HINT_LEN: usize = 200;
/// Longest category, in bytes.
pub const MAX_CATEGORY_LEN: usize = 32;
/// Longest preview URI, in bytes.
pub const MAX_URI_LEN: usize = 256;

/// What fans see of a sealed surprise.
#[cw_serde]
pub struct Hints {
    /// 1 to [`MAX_TITLE_LEN`] bytes.
    pub title: String,
    /// Up to [`MAX_HINTS`] texts of 1 to [`MAX_HINT_LEN`] bytes.
    pub hints: Vec<String>,
    /// 1 to [`MAX_CATEGORY_LEN`] bytes, e.g. `video`.
    pub category: String,
    /// A teaser image or clip, up to [`MAX_URI_LEN`] bytes, no whitespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview_uri: Option<String>,
}

/// Longest label (the part of a token id after the creator's number), in bytes.
pub const MAX_LABEL_LEN: usize = 32;

#[cw_serde]
pub struct MintMsg {
    /// `<creator number>.<label>`: the `TokenIdPrefix` query gives the creator's prefix; the
    /// label (1 to [`MAX_LABEL_LEN`] of `A-Z a-z 0-9 - _`) is the creator's choice.
    pub token_id: String,
    /// Who receives the token; defaults to the creator.
    pub owner: Option<String>,
    pub hints: Hints,
    /// 32 bytes, see `mesi_common::commitment` (computed with this contract's address, the
    /// token id and the creator's address).
    pub commitment: HexBinary,
    /// Creator royalty on every sale, at most `mesi_common::fee::MAX_ROYALTY_BPS`.
    pub royalty_bps: u16,
}

#[cw_ownable_execute]
#[cw_serde]
pub enum ExecuteMsg {
    // --- CW721: sealed surprises only (unlocked ones can no longer move) ---
    /// Ends the token's listing, if any.
    TransferNft {
        recipient: String,
        token_id: String,
    },
    /// Ends the token's listing, if any.
    SendNft {
        contract: String,
        token_id: String,
        msg: Binary,
    },
    Approve {
        spender: String,
        token_id: String,
        expires: Option<Expiration>,
    },
    Revoke {
        spender: String,
        token_id: String,
    },
    ApproveAll {
        operator: String,
        expires: Option<Expiration>,
    },
    RevokeAll {
        operator: String,
    },

    // --- Surprises ---
    /// A registered, active creator mints a sealed surprise. An optional bond is sent with the
    /// message as one native coin of an accepted asset (or through `Receive` for a CW20).
    Mint(MintMsg),
    /// The owner lists a sealed surprise for a fixed price in an asset the creator accepts
    /// (replacing an earlier listing of it).
    List {
        token_id: String,
        asset: AssetInfo,
        price: Uint128,
        expires_at: Option<Timestamp>,
    },
    /// The owner withdraws a listing; anyone may clear an expired one.
    Delist {
        token_id: String,
    },
    /// Buys a listed surprise, paying exactly the price in one native coin (CW20 listings are
    /// bought through `Receive`).
    Buy {
        token_id: String,
    },
    /// The owner unlocks a sealed surprise: it can no longer move and the reveal deadline runs.
    Unlock {
        token_id: String,
    },
    /// The creator reveals the 32-byte salt and the sha256 of the content, which must match the
    /// commitment; the bond goes back to the creator.
    Reveal {
        token_id: String,
        salt: HexBinary,
        content_hash: HexBinary,
    },
    /// After a missed reveal deadline, the unlocker takes the bond (the surprise is forfeited).
    ClaimBond {
        token_id: String,
    },
    /// CW20 payments: `ReceiveMsg`, from an accepted CW20 contract.
    Receive(Cw20ReceiveMsg),
    /// Owner only.
    UpdateConfig {
        creators: Option<String>,
        reveal_window: Option<u64>,
        creator_recheck_interval: Option<u64>,
    },
}

/// The `msg` of a CW20 `Send` to this contract.
#[cw_serde]
pub enum ReceiveMsg {
    /// Mint with the sent tokens as the bond.
    Mint(MintMsg),
    /// Buy a listing priced in the sent token.
    Buy { token_id: String },
}

#[cw_ownable_query]
#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    // --- CW721 ---
    #[returns(cw721::msg::OwnerOfResponse)]
    OwnerOf {
        token_id: String,
        include_expired: Option<bool>,
    },
    #[returns(cw721::msg::ApprovalResponse)]
    Approval {
        token_id: String,
        spender: String,
        include_expired: Option<bool>,
    },
    #[returns(cw721::msg::ApprovalsResponse)]
    Approvals {
        token_id: String,
        include_expired: Option<bool>,
    },
    #[returns(cw721::msg::OperatorResponse)]
    Operator {
        owner: String,
        operator: String,
        include_expired: Option<bool>,
    },
    #[returns(cw721::msg::OperatorsResponse)]
    AllOperators {
        owner: String,
        include_expired: Option<bool>,
        start_after: Option<String>,
        limit: Option<u32>,
    },
    #[returns(cw721::msg::NumTokensResponse)]
    NumTokens {},
    /// Same as `GetCollectionInfoAndExtension` (the older CW721 name).
    #[returns(cw721::msg::CollectionInfoAndExtensionResponse<Option<cosmwasm_std::Empty>>)]
    ContractInfo {},
    #[returns(cw721::msg::CollectionInfoAndExtensionResponse<Option<cosmwasm_std::Empty>>)]
    GetCollectionInfoAndExtension {},
    /// No single minter: registered creators mint, so the minter is always unset.
    #[returns(cw_ownable::Ownership<Addr>)]
    GetMinterOwnership {},
    /// The platform admin, same as `Ownership`.
    #[returns(cw_ownable::Ownership<Addr>)]
    GetCreatorOwnership {},
    /// Metadata in the common NFT shape: name = title, description = hints, image = preview,
    /// attributes = category, state, creator and each hint.
    #[returns(cw721::msg::NftInfoResponse<cw721::NftExtension>)]
    NftInfo { token_id: String },
    #[returns(cw721::msg::AllNftInfoResponse<cw721::NftExtension>)]
    AllNftInfo {
        token_id: String,
        include_expired: Option<bool>,
    },
    #[returns(cw721::msg::TokensResponse)]
    Tokens {
        owner: String,
        start_after: Option<String>,
        limit: Option<u32>,
    },
    #[returns(cw721::msg::TokensResponse)]
    AllTokens {
        start_after: Option<String>,
        limit: Option<u32>,
    },

    // --- Surprises ---
    #[returns(crate::state::Config)]
    Config {},
    /// A surprise with its state, reveal and listing.
    #[returns(SurpriseResponse)]
    Surprise { token_id: String },
    /// By token id.
    #[returns(SurprisesResponse)]
    SurprisesByOwner {
        owner: String,
        start_after: Option<String>,
        limit: Option<u32>,
    },
    /// The creator's listings by token id, expired ones included (marked).
    #[returns(ListingsResponse)]
    ListingsByCreator {
        creator: String,
        start_after: Option<String>,
        limit: Option<u32>,
    },
    /// Listings in `asset`, cheapest first, expired ones included (marked).
    #[returns(ListingsResponse)]
    ListingsByPrice {
        asset: AssetInfo,
        start_after: Option<PriceCursor>,
        limit: Option<u32>,
    },
    /// Whether `owner` holds at least one surprise of `creator`, in any state (chat gating).
    #[returns(mesi_common::interfaces::surprises::HoldsSurpriseResponse)]
    HoldsSurprise { owner: String, creator: String },
    /// The prefix of the creator's token ids.
    #[returns(TokenIdPrefixResponse)]
    TokenIdPrefix { creator: String },
}

/// The life of a surprise: `Sealed` (tradable) -> `Unlocked` (by its owner; fixed to them) ->
/// `Revealed` (the creator proved the content) or `Forfeited` (the deadline passed; the
/// unlocker took the bond).
#[cw_serde]
#[derive(Copy, Eq)]
pub enum SurpriseState {
    Sealed,
    Unlocked,
    Revealed,
    Forfeited,
}

impl fmt::Display for SurpriseState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SurpriseState::Sealed => "sealed",
            SurpriseState::Unlocked => "unlocked",
            SurpriseState::Revealed => "revealed",
            SurpriseState::Forfeited => "forfeited",
        })
    }
}

#[cw_serde]
pub struct SurpriseResponse {
    pub token_id: String,
    pub owner: Addr,
    pub creator: Addr,
    pub state: SurpriseState,
    pub hints: Hints,
    pub commitment: HexBinary,
    pub royalty_bps: u16,
    /// Escrowed while sealed or unlocked; paid out at the reveal or the claim.
    pub bond: Option<Asset>,
    /// Seconds the creator has to reveal after an unlock.
    pub reveal_window: u64,
    /// Set from the unlock on.
    pub unlocked_by: Option<Addr>,
    pub reveal_deadline: Option<Timestamp>,
    /// Set once revealed.
    pub salt: Option<HexBinary>,
    pub content_hash: Option<HexBinary>,
    pub listing: Option<ListingResponse>,
}

#[cw_serde]
pub struct SurprisesResponse {
    pub surprises: Vec<SurpriseResponse>,
}

#[cw_serde]
pub struct ListingResponse {
    pub token_id: String,
    pub seller: Addr,
    pub creator: Addr,
    pub asset: AssetInfo,
    pub price: Uint128,
    pub royalty_bps: u16,
    pub expires_at: Option<Timestamp>,
    /// The listing can no longer be bought; anyone may clear it with `Delist`.
    pub expired: bool,
}

#[cw_serde]
pub struct ListingsResponse {
    pub listings: Vec<ListingResponse>,
}

/// Where a page of `ListingsByPrice` starts: after this listing.
#[cw_serde]
pub struct PriceCursor {
    pub price: Uint128,
    pub token_id: String,
}

#[cw_serde]
pub struct TokenIdPrefixResponse {
    /// `<number>.`; every token id of the creator starts with it.
    pub prefix: String,
    /// False before the creator's first mint: the prefix is then the one a first mint would get
    /// now, and another new creator's first mint may take it first (the mint then fails and
    /// names the right prefix).
    pub assigned: bool,
}

#[cw_serde]
pub struct MigrateMsg {}
