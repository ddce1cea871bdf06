//! One type per event a Mesi contract emits, grouped by contract, and [`AnyEvent`], which
//! decodes any of them by type name (what the indexer does with every event it reads).

pub mod creators;
pub mod meetings;
pub mod ppv;
pub mod subscriptions;
pub mod surprises;
pub mod tips;

use crate::event::{DecodeError, MesiEvent, EVENT_PREFIX, WASM_EVENT_PREFIX};

macro_rules! any_event {
    ($($variant:ident($path:path)),* $(,)?) => {
        /// Any Mesi event, decoded.
        #[derive(Debug, Clone, PartialEq)]
        pub enum AnyEvent {
            $($variant($path)),*
        }

        impl AnyEvent {
            /// Every event type name this version decodes.
            pub const TYPES: &'static [&'static str] = &[$(<$path as MesiEvent>::TYPE),*];

            /// Decodes an event by its type (with or without x/wasm's `wasm-` prefix).
            /// `Ok(None)` for events that are not Mesi's; an error for a Mesi type this version
            /// does not know (such as a newer `.v2`) or for bad attributes.
            pub fn decode(ty: &str, attrs: &[(&str, &str)]) -> Result<Option<AnyEvent>, DecodeError> {
                let ty = ty.strip_prefix(WASM_EVENT_PREFIX).unwrap_or(ty);
                if !ty.starts_with(EVENT_PREFIX) {
                    return Ok(None);
                }
                $(
                    if ty == <$path as MesiEvent>::TYPE {
                        return <$path as MesiEvent>::from_attributes(attrs).map(|e| Some(AnyEvent::$variant(e)));
                    }
                )*
                Err(DecodeError::UnknownType(ty.to_string()))
            }

            /// The event's type name.
            pub fn type_name(&self) -> &'static str {
                match self {
                    $(AnyEvent::$variant(_) => <$path as MesiEvent>::TYPE),*
                }
            }

            pub fn to_event(&self) -> cosmwasm_std::Event {
                match self {
                    $(AnyEvent::$variant(e) => e.to_event()),*
                }
            }
        }

        $(
            impl From<$path> for AnyEvent {
                fn from(e: $path) -> Self {
                    AnyEvent::$variant(e)
                }
            }
        )*
    };
}

// Add each new event type here, once.
any_event! {
    PlatformConfig(creators::PlatformConfigSet),
    Ownership(creators::OwnershipChanged),
    CreatorProfile(creators::CreatorProfileSet),
    TipsConfig(tips::TipsConfigSet),
    Tip(tips::TipSent),
    FiatTip(tips::FiatTipAttested),
    PpvConfig(ppv::PpvConfigSet),
    PpvItem(ppv::PpvItemChanged),
    PpvPurchase(ppv::PpvPurchase),
    Tier(subscriptions::TierChanged),
    Subscription(subscriptions::SubscriptionChanged),
    SubscribersReleased(subscriptions::SubscribersReleased),
    SurprisesConfig(surprises::SurprisesConfigSet),
    SurpriseMinted(surprises::SurpriseMinted),
    SurpriseTransferred(surprises::SurpriseTransferred),
    SurpriseListed(surprises::SurpriseListed),
    SurpriseDelisted(surprises::SurpriseDelisted),
    SurpriseSold(surprises::SurpriseSold),
    SurpriseUnlocked(surprises::SurpriseUnlocked),
    SurpriseRevealed(surprises::SurpriseRevealed),
    SurpriseForfeited(surprises::SurpriseForfeited),
    SurpriseApproval(surprises::SurpriseApproval),
    MeetingsConfig(meetings::MeetingsConfigSet),
    MeetingAuction(meetings::AuctionOpened),
    MeetingAuctionCancelled(meetings::AuctionCancelled),
    MeetingAuctionExtended(meetings::AuctionExtended),
    MeetingAuctionSettled(meetings::AuctionSettled),
    MeetingBid(meetings::BidPlaced),
    Meeting(meetings::MeetingChanged),
    MeetingReschedule(meetings::RescheduleChanged),
    MeetingDispute(meetings::DisputeOpened),
    MeetingDisputeResolved(meetings::DisputeResolved),
    MeetingPayout(meetings::MeetingPayout),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_are_unique_versioned_and_prefixed() {
        let mut seen = std::collections::HashSet::new();
        for ty in AnyEvent::TYPES {
            assert!(seen.insert(ty), "{ty} listed twice");
            assert!(ty.starts_with(EVENT_PREFIX), "{ty}");
            let version = ty.rsplit('.').next().unwrap();
            assert!(
                version.starts_with('v') && version[1..].parse::<u32>().is_ok(),
                "{ty} has no version"
            );
        }
    }

    #[test]
    fn foreign_and_unknown_types() {
        assert_eq!(AnyEvent::decode("wasm-transfer", &[]), Ok(None));
        assert_eq!(AnyEvent::decode("message", &[]), Ok(None));
        assert_eq!(
            AnyEvent::decode("wasm-mesi.tip.v99", &[]),
            Err(DecodeError::UnknownType("mesi.tip.v99".into()))
        );
    }
}
