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
        s.has_access(&creator, &creator, "clip"),
        allowed(AccessReason::Creator)
    );
    s.delist(&creator, "clip").unwrap();
    assert_eq!(
        s.has_access(&creator, &creator, "clip"),
        allowed(AccessReason::Creator)
    );
    assert_eq!(s.has_access(&s.other_creator, &creator, "clip"), denied());
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

    assert_eq!(s.has_access(&fans[0], &creator, "tier2"), denied());
    assert_eq!(
        s.has_access(&fans[1], &creator, "tier2"),
        allowed(AccessReason::SubscriptionTier { tier: 2 })
    );
    assert_eq!(
        s.has_access(&fans[2], &creator, "tier2"),
        allowed(AccessReason::SubscriptionTier { tier: 3 })
    );
    assert_eq!(s.has_access(&fans[3], &creator, "tier2"), denied());
    assert_eq!(s.has_access(&s.stranger, &creator, "tier2"), denied());
    // Items without free_for_tier are for buyers only.
    assert_eq!(s.has_access(&fans[2], &creator, "paid-only"), denied());

    // The tier-1 fan buys; a purchase answers before any subscription.
    s.buy_usdc(&fans[0], &creator, "tier2", 10).unwrap();
    assert_eq!(
        s.has_access(&fans[0], &creator, "tier2"),
        allowed(AccessReason::Purchased)
    );
    // A subscriber with access may still buy, to keep the item after the subscription ends.
    s.buy_usdc(&fans[1], &creator, "tier2", 10).unwrap();

    // Subscription access ends with the subscription; purchases stay.
    s.advance(SUBSCRIPTION_PERIOD);
    assert_eq!(s.has_access(&fans[2], &creator, "tier2"), denied());
    assert_eq!(
        s.has_access(&fans[1], &creator, "tier2"),
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
    s.buy_usdc(&fans[1], &creator, "clip", 10).unwrap();
    assert_eq!(
        s.has_access(&fans[0], &creator, "clip"),
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
    assert_eq!(s.has_access(&fans[0], &creator, "clip"), denied());

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
        s.has_access(&fans[0], &creator, "clip"),
        allowed(AccessReason::SubscriptionTier { tier: 1 })
    );
    s.delist(&creator, "clip").unwrap();
    assert_eq!(s.has_access(&fans[0], &creator, "clip"), denied());
    assert_eq!(
        s.has_access(&fans[1], &creator, "clip"),
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
        creator: creator.to_string(),
        content_id: "clip".into(),
    };
    assert!(s.query::<AccessResponse>(&msg).is_err());
}

/// Content ids are per creator: a second creator lists an id the first one uses, and each is its
/// own item; a purchase of one opens that one only.
#[test]
fn the_same_content_id_of_two_creators_is_two_items() {
    let mut s = Suite::new();
    let (a, b, fan) = (s.creator.clone(), s.other_creator.clone(), s.fan());
    s.list_item(&a, "clip", 10, s.usdc()).unwrap();
    s.list_item(&b, "clip", 20, s.usdc()).unwrap();
    s.buy_usdc(&fan, &a, "clip", 10).unwrap();

    assert_eq!(
        s.has_access(&fan, &a, "clip"),
        allowed(AccessReason::Purchased)
    );
    assert_eq!(s.has_access(&fan, &b, "clip"), denied());
    // Each creator sees their own item, not the other's.
    assert_eq!(s.has_access(&a, &a, "clip"), allowed(AccessReason::Creator));
    assert_eq!(s.has_access(&a, &b, "clip"), denied());
    assert_eq!(s.has_access(&b, &a, "clip"), denied());
    // B's item is still for sale at its own price; buying it is a second purchase.
    s.buy_usdc(&fan, &b, "clip", 20).unwrap();
    assert_eq!(
        s.has_access(&fan, &b, "clip"),
        allowed(AccessReason::Purchased)
    );
    assert_eq!(s.spent(&a, &fan, &s.usdc()), 10);
    assert_eq!(s.spent(&b, &fan, &s.usdc()), 20);
    s.assert_ppv_holds_nothing();
}
