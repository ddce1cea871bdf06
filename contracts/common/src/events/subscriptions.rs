//! Events of the `subscriptions` contract.
//!
//! Rebuilding state from events alone: the last [`TierChanged`] of a (creator, tier) is the
//! whole tier; the last [`SubscriptionChanged`] of a (creator, fan) carries the subscription's
//! tier, expiry and renewal terms after that action. A subscription is active while block time
//! is before `expires_at`.

use std::fmt;
use std::str::FromStr;

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Timestamp, Uint128};

use crate::asset::AssetInfo;
use crate::event::AttrValue;

/// A prepaid bundle of a tier: `periods` periods bought at once, `discount_bps` off the
/// undiscounted total.
#[cw_serde]
#[derive(Copy, Eq)]
pub struct PrepaidBundle {
    pub periods: u32,
    pub discount_bps: u16,
}

/// Implements [`AttrValue`] for a unit-only enum through its snake_case names.
macro_rules! named_action {
    ($(#[$meta:meta])* pub enum $name:ident { $($variant:ident = $text:literal),* $(,)? }) => {
        $(#[$meta])*
        #[cw_serde]
        #[derive(Copy, Eq)]
        pub enum $name {
            $($variant),*
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(match self {
                    $($name::$variant => $text),*
                })
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)*
                    _ => Err(format!("unknown {} {s:?}", stringify!($name))),
                }
            }
        }

        impl AttrValue for $name {
            fn to_attr(&self) -> String {
                self.to_string()
            }
            fn from_attr(value: &str) -> Result<Self, String> {
                value.parse()
            }
        }
    };
}

named_action! {
    /// What happened to a tier.
    pub enum TierAction {
        Created = "created",
        Updated = "updated",
        Retired = "retired",
    }
}

named_action! {
    /// What happened to a subscription.
    pub enum SubscriptionAction {
        Subscribed = "subscribed",
        Trial = "trial",
        Extended = "extended",
        Upgraded = "upgraded",
        Renewed = "renewed",
        Cancelled = "cancelled",
    }
}

crate::mesi_event! {
    /// A tier was created, changed or retired; carries the whole tier after the change.
    pub struct TierChanged = "mesi.tier.v1" {
        pub action: TierAction,
        pub creator: Addr,
        /// The tier level (higher is better).
        pub tier: u32,
        pub name: String,
        /// Price of one period, before any bundle discount.
        pub price: Uint128,
        pub asset: AssetInfo,
        pub period_seconds: u64,
        pub subscriber_cap: Option<u32>,
        pub bundles: Vec<PrepaidBundle>,
        pub trial_seconds: Option<u64>,
        /// A retired tier sells nothing more; its subscribers keep access to their expiry.
        pub retired: bool,
    }
}

crate::mesi_event! {
    /// A subscription changed; carries the subscription's state after the change.
    pub struct SubscriptionChanged = "mesi.subscription.v1" {
        pub action: SubscriptionAction,
        pub creator: Addr,
        pub fan: Addr,
        /// Who sent the message: the fan, or anyone for a renewal.
        pub sender: Addr,
        /// The tier after the action.
        pub tier: u32,
        /// The tier before an upgrade.
        pub from_tier: Option<u32>,
        /// Periods bought; 0 for trial, upgrade and cancel.
        pub periods: u32,
        pub asset: AssetInfo,
        /// What the fan paid for this action, after any refund; 0 for trial and cancel.
        /// `fee + creator_amount == amount`.
        pub amount: Uint128,
        /// Platform fee sent to the treasury.
        pub fee: Uint128,
        /// Sent to `payout`.
        pub creator_amount: Uint128,
        /// Where the creator's share went; absent when nothing was paid.
        pub payout: Option<Addr>,
        /// Overpayment of an upgrade returned to the fan in the same transaction.
        pub refunded: Option<Uint128>,
        pub expires_at: Timestamp,
        pub auto_renew: bool,
        /// The highest price per period the fan accepts for renewals.
        pub max_price_per_period: Uint128,
        /// The access up to `expires_at` comes from a free trial only.
        pub on_trial: bool,
    }
}

crate::mesi_event! {
    /// Expired subscribers of a tier stopped counting towards its subscriber cap.
    pub struct SubscribersReleased = "mesi.subscribers_released.v1" {
        pub creator: Addr,
        pub tier: u32,
        pub released: u32,
        /// Subscribers still counted for the tier afterwards.
        pub counted: u32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{attr_pairs, MesiEvent};

    #[test]
    fn tier_event_round_trips() {
        let ev = TierChanged {
            action: TierAction::Created,
            creator: Addr::unchecked("cosmwasm1creator"),
            tier: 2,
            name: "Gold, \"best\"".into(),
            price: Uint128::new(1_000),
            asset: AssetInfo::native("uusdc"),
            period_seconds: 2_592_000,
            subscriber_cap: Some(100),
            bundles: vec![PrepaidBundle {
                periods: 3,
                discount_bps: 500,
            }],
            trial_seconds: None,
            retired: false,
        };
        let event = ev.to_event();
        assert!(!attr_pairs(&event)
            .iter()
            .any(|(k, _)| *k == "trial_seconds"));
        assert_eq!(
            TierChanged::from_attributes(&attr_pairs(&event)).unwrap(),
            ev
        );
    }

    #[test]
    fn subscription_event_round_trips() {
        let ev = SubscriptionChanged {
            action: SubscriptionAction::Upgraded,
            creator: Addr::unchecked("cosmwasm1creator"),
            fan: Addr::unchecked("cosmwasm1fan"),
            sender: Addr::unchecked("cosmwasm1fan"),
            tier: 3,
            from_tier: Some(1),
            periods: 0,
            asset: AssetInfo::cw20(Addr::unchecked("cosmwasm1mesi")),
            amount: Uint128::new(17),
            fee: Uint128::new(1),
            creator_amount: Uint128::new(16),
            payout: Some(Addr::unchecked("cosmwasm1payout")),
            refunded: Some(Uint128::new(3)),
            expires_at: Timestamp::from_seconds(1_700_000_000),
            auto_renew: true,
            max_price_per_period: Uint128::new(50),
            on_trial: false,
        };
        assert_eq!(
            SubscriptionChanged::from_attributes(&attr_pairs(&ev.to_event())).unwrap(),
            ev
        );
    }

    #[test]
    fn actions_parse_their_names_only() {
        for action in [
            SubscriptionAction::Subscribed,
            SubscriptionAction::Trial,
            SubscriptionAction::Extended,
            SubscriptionAction::Upgraded,
            SubscriptionAction::Renewed,
            SubscriptionAction::Cancelled,
        ] {
            assert_eq!(action.to_string().parse::<SubscriptionAction>(), Ok(action));
        }
        assert!("Subscribed".parse::<SubscriptionAction>().is_err());
        assert_eq!("retired".parse::<TierAction>(), Ok(TierAction::Retired));
    }
}
