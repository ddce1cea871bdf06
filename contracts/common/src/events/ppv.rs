//! Events of the `ppv` contract.

use std::fmt;
use std::str::FromStr;

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Timestamp, Uint128};

use crate::asset::AssetInfo;

/// What happened to a pay-per-view item.
#[cw_serde]
#[derive(Copy, Eq)]
pub enum ItemAction {
    Listed,
    Updated,
    /// No longer for sale; existing buyers keep access.
    Delisted,
}

impl fmt::Display for ItemAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ItemAction::Listed => "listed",
            ItemAction::Updated => "updated",
            ItemAction::Delisted => "delisted",
        })
    }
}

impl FromStr for ItemAction {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "listed" => Ok(ItemAction::Listed),
            "updated" => Ok(ItemAction::Updated),
            "delisted" => Ok(ItemAction::Delisted),
            _ => Err(format!("invalid item action {s:?}")),
        }
    }
}

impl crate::event::AttrValue for ItemAction {
    fn to_attr(&self) -> String {
        self.to_string()
    }
    fn from_attr(value: &str) -> Result<Self, String> {
        value.parse()
    }
}

crate::mesi_event! {
    /// The contract was instantiated with these sibling contracts.
    pub struct PpvConfigSet = "mesi.ppv_config.v1" {
        pub creators: Addr,
        pub subscriptions: Addr,
    }
}

crate::mesi_event! {
    /// A content item was listed, updated or delisted. Carries the item's full state after the
    /// change, so a reader replaces its copy of the item with this one.
    pub struct PpvItemChanged = "mesi.ppv_item.v1" {
        pub action: ItemAction,
        /// Unique per creator: the item is (`creator`, `content_id`).
        pub content_id: String,
        pub creator: Addr,
        pub price: Uint128,
        pub asset: AssetInfo,
        /// Purchases are refused from this time on; absent when the sale never ends.
        pub sale_ends_at: Option<Timestamp>,
        /// Active subscribers at this tier or higher see the item without buying it.
        pub free_for_tier: Option<u32>,
        /// Whether the item is for sale (false after `delisted`).
        pub listed: bool,
        /// Starts at 1 when the item is first listed; +1 on every change.
        pub revision: u32,
    }
}

crate::mesi_event! {
    /// A fan bought access to an item; the price is already split and paid out.
    pub struct PpvPurchase = "mesi.ppv_purchase.v1" {
        /// With `creator`, names the item (content ids are per creator).
        pub content_id: String,
        pub creator: Addr,
        pub buyer: Addr,
        pub asset: AssetInfo,
        pub price: Uint128,
        /// Platform fee sent to the treasury; `fee + creator_amount == price`.
        pub fee: Uint128,
        pub creator_amount: Uint128,
        /// Where `creator_amount` went.
        pub payout: Addr,
        /// Lifetime pay-per-view spending of (creator, buyer, asset) after this purchase.
        pub fan_total: Uint128,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{attr_pairs, MesiEvent};
    use crate::events::AnyEvent;

    #[test]
    fn item_event_round_trips_with_and_without_options() {
        for (sale_ends_at, free_for_tier) in [
            (None, None),
            (Some(Timestamp::from_seconds(1_800_000_000)), Some(2)),
        ] {
            for action in [
                ItemAction::Listed,
                ItemAction::Updated,
                ItemAction::Delisted,
            ] {
                let ev = PpvItemChanged {
                    action,
                    content_id: "ep-01.final_cut".into(),
                    creator: Addr::unchecked("cosmwasm1creator"),
                    price: Uint128::new(5_000_000),
                    asset: AssetInfo::native("uusdc"),
                    sale_ends_at,
                    free_for_tier,
                    listed: action != ItemAction::Delisted,
                    revision: 3,
                };
                let event = ev.to_event();
                let decoded =
                    AnyEvent::decode(&format!("wasm-{}", event.ty), &attr_pairs(&event)).unwrap();
                assert_eq!(decoded, Some(AnyEvent::PpvItem(ev)));
            }
        }
    }

    #[test]
    fn purchase_event_round_trips() {
        let ev = PpvPurchase {
            content_id: "clip".into(),
            creator: Addr::unchecked("cosmwasm1creator"),
            buyer: Addr::unchecked("cosmwasm1fan"),
            asset: AssetInfo::cw20(Addr::unchecked("cosmwasm1mesi")),
            price: Uint128::new(1_000),
            fee: Uint128::new(50),
            creator_amount: Uint128::new(950),
            payout: Addr::unchecked("cosmwasm1payout"),
            fan_total: Uint128::new(3_000),
        };
        let event = ev.to_event();
        assert_eq!(event.ty, "mesi.ppv_purchase.v1");
        assert_eq!(
            PpvPurchase::from_attributes(&attr_pairs(&event)).unwrap(),
            ev
        );
    }

    #[test]
    fn unknown_item_action_is_a_decode_error() {
        assert_eq!(
            "sold".parse::<ItemAction>(),
            Err("invalid item action \"sold\"".to_string())
        );
    }
}
