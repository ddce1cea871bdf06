//! Events of the `creators` registry.

use cosmwasm_std::{Addr, Timestamp, Uint128};

use crate::asset::AssetInfo;
use crate::chat_rule::ChatRule;
use crate::interfaces::creators::{Fees, SiblingAddrs};

crate::json_attr!(Fees, SiblingAddrs);

crate::mesi_event! {
    /// The platform configuration, in full, after instantiate or an update.
    pub struct PlatformConfigSet = "mesi.platform_config.v1" {
        pub treasury: Addr,
        pub fees: Fees,
        pub accepted_assets: Vec<AssetInfo>,
        pub fiat_gateways: Vec<Addr>,
        pub arbiter: Addr,
        pub contracts: SiblingAddrs,
    }
}

crate::mesi_event! {
    /// A step of the two-step ownership transfer (`proposed`, `accepted`, `renounced`, `cancelled`).
    pub struct OwnershipChanged = "mesi.ownership.v1" {
        pub action: String,
        pub owner: Option<Addr>,
        pub pending_owner: Option<Addr>,
    }
}

crate::mesi_event! {
    /// A creator profile, in full, after it was registered or changed.
    pub struct CreatorProfileSet = "mesi.creator.v1" {
        /// `registered`, `updated`, `chat_rule_set`, `deactivated` or `reactivated`.
        pub action: String,
        pub creator: Addr,
        pub display_name: String,
        pub payout: Addr,
        pub accepted_assets: Vec<AssetInfo>,
        pub tip_minimums: Vec<(AssetInfo, Uint128)>,
        pub chat_rule: ChatRule,
        pub active: bool,
        pub registered_at: Timestamp,
    }
}
