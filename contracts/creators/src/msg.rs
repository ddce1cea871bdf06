use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Timestamp, Uint128};
use cw_ownable::{cw_ownable_execute, cw_ownable_query};
use mesi_common::chat_rule::ChatRule;
pub use mesi_common::interfaces::creators::{Fees, PaymentTerms, Product, SiblingAddrs};
use mesi_common::AssetInfo;

/// Addresses of the sibling contracts `CanMessage` queries; unset ones count as "no facts".
#[cw_serde]
#[derive(Default)]
pub struct SiblingContracts {
    pub tips: Option<String>,
    pub subscriptions: Option<String>,
    pub ppv: Option<String>,
    pub surprises: Option<String>,
    pub meetings: Option<String>,
}

/// Most assets the platform (`InstantiateMsg`, `UpdateConfig`), or one creator (`ProfileInput`),
/// may accept; also the most tip minimums of one creator.
pub const MAX_ASSETS: usize = 16;
/// Most fiat gateways of `InstantiateMsg` and `UpdateConfig`.
pub const MAX_GATEWAYS: usize = 16;

#[cw_serde]
pub struct InstantiateMsg {
    /// Defaults to the sender.
    pub owner: Option<String>,
    pub treasury: String,
    pub fees: Fees,
    /// Native denoms and CW20 token contracts (such as MESI) the platform accepts.
    pub accepted_assets: Vec<AssetInfo>,
    /// Payment gateways allowed to attest fiat tips.
    pub fiat_gateways: Vec<String>,
    /// Resolves Bid-to-Meet disputes; defaults to the owner.
    pub arbiter: Option<String>,
    pub contracts: SiblingContracts,
}

/// Longest `ProfileInput::display_name`, in characters (after trimming).
pub const MAX_DISPLAY_NAME_CHARS: usize = 64;

/// What a creator sets about themselves.
#[cw_serde]
pub struct ProfileInput {
    /// 1 to 64 characters.
    pub display_name: String,
    /// Where payments go; defaults to the creator's own address.
    pub payout: Option<String>,
    /// Assets this creator takes, a subset of the platform's; empty means all of them.
    pub accepted_assets: Vec<AssetInfo>,
    /// Smallest tip per asset.
    pub tip_minimums: Vec<(AssetInfo, Uint128)>,
    pub chat_rule: ChatRule,
}

#[cw_ownable_execute]
#[cw_serde]
pub enum ExecuteMsg {
    /// Owner only. Fields left `None` stay as they are.
    UpdateConfig {
        treasury: Option<String>,
        fees: Option<Fees>,
        accepted_assets: Option<Vec<AssetInfo>>,
        fiat_gateways: Option<Vec<String>>,
        arbiter: Option<String>,
        contracts: Option<SiblingContracts>,
    },
    /// The sender becomes a creator.
    RegisterCreator {
        profile: ProfileInput,
    },
    /// A registered creator replaces their profile.
    UpdateCreator {
        profile: ProfileInput,
    },
    /// A creator changes only the chat rule.
    SetChatRule {
        rule: ChatRule,
    },
    /// A creator stops taking new payments; existing subscriptions and escrows run on.
    DeactivateCreator {},
    ReactivateCreator {},
}

#[cw_ownable_query]
#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    #[returns(ConfigResponse)]
    Config {},
    #[returns(CreatorProfile)]
    Creator { address: String },
    /// Creators by address, paginated.
    #[returns(CreatorsResponse)]
    Creators {
        start_after: Option<String>,
        limit: Option<u32>,
    },
    #[returns(PaymentTerms)]
    PaymentTerms { creator: String, product: Product },
    #[returns(bool)]
    IsFiatGateway { address: String },
    #[returns(Addr)]
    Arbiter {},
    /// Evaluates the creator's chat rule for `fan` against the sibling contracts' state.
    #[returns(mesi_common::chat_rule::CanMessageResponse)]
    CanMessage { creator: String, fan: String },
}

#[cw_serde]
pub struct ConfigResponse {
    pub treasury: Addr,
    pub fees: Fees,
    pub accepted_assets: Vec<AssetInfo>,
    pub fiat_gateways: Vec<Addr>,
    pub arbiter: Addr,
    pub contracts: SiblingAddrs,
}

#[cw_serde]
pub struct CreatorProfile {
    pub address: Addr,
    pub display_name: String,
    pub payout: Addr,
    pub accepted_assets: Vec<AssetInfo>,
    pub tip_minimums: Vec<(AssetInfo, Uint128)>,
    pub chat_rule: ChatRule,
    pub active: bool,
    pub registered_at: Timestamp,
}

#[cw_serde]
pub struct CreatorsResponse {
    pub creators: Vec<CreatorProfile>,
}

#[cw_serde]
pub struct MigrateMsg {}
