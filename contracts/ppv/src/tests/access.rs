//! HasAccess: creator, purchase, subscription tier, none.

use super::*;
use crate::msg::AccessReason;

fn allowed(reason: AccessReason) -> AccessResponse {
    AccessResponse {
        allowed: true,
        reason,
    }
}

fn denied() -> AccessResponse {
    AccessResponse {
        allowed: false,
        reason: AccessReason::None,
    }
}

#[test]
fn the_creator_always_has_access() {
    let mut s = Suite::new();
    let creator = s.creator.clone();
    s.list_with(&creator, "clip", 10, s.usdc(), None, Some(1))
        .unwrap();
    assert_eq!(
        s.has_access(&creator, "clip"),
        allowed(AccessReason::Creator)
    );
    s.delist(&creator, "clip").unwrap();
    assert_eq!(
        s.has_access(&creator, "clip"),
        allowed(AccessReason::Creator)
    );
    assert_eq!(s.has_access(&s.other_creator, "clip"), denied());
}

#[test]
fn subscribers_at_the_tier_or_higher_see_included_items() {
    let mut s = Suite::new();
    let (creator, other) = (s.creator.clone(), s.other_creator.clone());
    let fans = s.fans.clone();
    s.list_with(&creator, "tier2", 10, s.usdc(), None, Some(2))
        .unwrap();
    s.list_item(&creator, "paid-only", 10, s.usdc()).unwrap();
    s.subscribe(&creator, &fans[0], 1);
    s.subscribe(&creator, &fans[1], 2);
    s.subscribe(&creator, &fans[2], 3);
    // A tier-3 subscription to another creator counts for nothing here.
    s.subscribe(&other, &fans[3], 3);

    assert_eq!(s.has_access(&fans[0], "tier2"), denied());
    assert_eq!(
        s.has_access(&fans[1], "tier2"),
        allowed(AccessReason::SubscriptionTier { tier: 2 })
    );
    assert_eq!(
        s.has_access(&fans[2], "tier2"),
        allowed(AccessReason::SubscriptionTier { tier: 3 })
    );
    assert_eq!(s.has_access(&fans[3], "tier2"), denied());
    assert_eq!(s.has_access(&s.stranger, "tier2"), denied());
    // Items without free_for_tier are for buyers only.
    assert_eq!(s.has_access(&fans[2], "paid-only"), denied());

    // The tier-1 fan buys; a purchase answers before any subscription.
    s.buy_usdc(&fans[0], "tier2", 10).unwrap();
    assert_eq!(
        s.has_access(&fans[0], "tier2"),
        allowed(AccessReason::Purchased)
    );
    // A subscriber with access may still buy, to keep the item after the subscription ends.
    s.buy_usdc(&fans[1], "tier2", 10).unwrap();

    // Subscription access ends with the subscription; purchases stay.
    s.advance(SUBSCRIPTION_PERIOD);
    assert_eq!(s.has_access(&fans[2], "tier2"), denied());
    assert_eq!(
        s.has_access(&fans[1], "tier2"),
        allowed(AccessReason::Purchased)
    );
    s.assert_ppv_holds_nothing();
}

#[test]
fn delisting_or_updating_changes_subscription_access_not_purchases() {
    let mut s = Suite::new();
    let creator = s.creator.clone();
    let fans = s.fans.clone();
    s.list_with(&creator, "clip", 10, s.usdc(), None, Some(1))
        .unwrap();
    s.subscribe(&creator, &fans[0], 1);
    s.buy_usdc(&fans[1], "clip", 10).unwrap();
    assert_eq!(
        s.has_access(&fans[0], "clip"),
        allowed(AccessReason::SubscriptionTier { tier: 1 })
    );

    // Raising the tier takes it away from the tier-1 subscriber.
    let msg = ExecuteMsg::UpdateItem {
        content_id: "clip".into(),
        price: cosmwasm_std::Uint128::new(10),
        asset: s.usdc(),
        sale_ends_at: None,
        free_for_tier: Some(2),
    };
    s.execute(&creator, &msg, &[]).unwrap();
    assert_eq!(s.has_access(&fans[0], "clip"), denied());

    // Back to tier 1, then delisted: subscribers lose it, the buyer keeps it.
    let msg = ExecuteMsg::UpdateItem {
        content_id: "clip".into(),
        price: cosmwasm_std::Uint128::new(10),
        asset: s.usdc(),
        sale_ends_at: None,
        free_for_tier: Some(1),
    };
    s.execute(&creator, &msg, &[]).unwrap();
    assert_eq!(
        s.has_access(&fans[0], "clip"),
        allowed(AccessReason::SubscriptionTier { tier: 1 })
    );
    s.delist(&creator, "clip").unwrap();
    assert_eq!(s.has_access(&fans[0], "clip"), denied());
    assert_eq!(
        s.has_access(&fans[1], "clip"),
        allowed(AccessReason::Purchased)
    );
}

#[test]
fn has_access_validates_the_viewer() {
    let mut s = Suite::new();
    let creator = s.creator.clone();
    s.list_item(&creator, "clip", 10, s.usdc()).unwrap();
    let msg = QueryMsg::HasAccess {
        viewer: "not-an-address".into(),
        content_id: "clip".into(),
    };
    assert!(s.query::<AccessResponse>(&msg).is_err());
}
