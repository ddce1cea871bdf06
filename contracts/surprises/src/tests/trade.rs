//! Listings: expiry, relisting, delisting, and the transfers, sends and unlocks that end them.

use cosmwasm_std::{coin, Timestamp, Uint128};
use mesi_common::events::surprises::{SurpriseDelisted, SurpriseTransferred};
use mesi_common::events::AnyEvent;
use mesi_common::AssetInfo;
use mesi_creators::msg::ExecuteMsg as CreatorsExecuteMsg;

use super::*;
use crate::msg::{ListingsResponse, SurpriseState};

#[test]
fn transfer_and_unlock_end_a_listing() {
    let mut s = Suite::new();
    let (carol, dave) = (s.addr("carol"), s.addr("dave"));
    let token = s.mint("alice", "x");
    s.transfer("alice", &token, "carol").unwrap();
    s.list("carol", &token, usdc(), 1_000).unwrap();

    let res = s.transfer("carol", &token, "dave").unwrap();
    let transferred = SurpriseTransferred {
        token_id: token.clone(),
        from: carol.clone(),
        to: dave.clone(),
        delisted: true,
    };
    assert_eq!(the_event(&res), AnyEvent::SurpriseTransferred(transferred));
    assert_eq!(s.surprise(&token).listing, None);
    let by_price: ListingsResponse = s.query(&QueryMsg::ListingsByPrice {
        asset: usdc(),
        start_after: None,
        limit: None,
    });
    assert!(by_price.listings.is_empty());
    let buy = ExecuteMsg::Buy {
        token_id: token.clone(),
    };
    assert_eq!(
        s.exec("erin", &buy, &[coin(1_000, USDC)]).unwrap_err(),
        ContractError::NotListed(token.clone())
    );

    // The new owner lists; unlocking ends that listing too.
    s.list("dave", &token, usdc(), 2_000).unwrap();
    let res = s
        .exec(
            "dave",
            &ExecuteMsg::Unlock {
                token_id: token.clone(),
            },
            &[],
        )
        .unwrap();
    let AnyEvent::SurpriseUnlocked(unlocked) = the_event(&res) else {
        panic!("expected an unlock")
    };
    assert!(unlocked.delisted);
    assert_eq!(s.surprise(&token).listing, None);
    assert_eq!(
        s.exec("erin", &buy, &[coin(2_000, USDC)]).unwrap_err(),
        ContractError::NotListed(token.clone())
    );
    let by_price: ListingsResponse = s.query(&QueryMsg::ListingsByPrice {
        asset: usdc(),
        start_after: None,
        limit: None,
    });
    assert!(by_price.listings.is_empty());
}

#[test]
fn send_nft_ends_a_listing_and_calls_the_receiver() {
    let mut s = Suite::new();
    let receiver = super::cw721_client::store_receiver(&mut s.app);
    let token = s.mint("alice", "sent");
    s.list("alice", &token, usdc(), 1_000).unwrap();
    let msg = ExecuteMsg::SendNft {
        contract: receiver.to_string(),
        token_id: token.clone(),
        msg: b"hi".into(),
    };
    let res = s.exec("alice", &msg, &[]).unwrap();
    let transferred = SurpriseTransferred {
        token_id: token.clone(),
        from: s.addr("alice"),
        to: receiver.clone(),
        delisted: true,
    };
    assert_eq!(the_event(&res), AnyEvent::SurpriseTransferred(transferred));
    let received = super::cw721_client::received(&s.app, &receiver);
    assert_eq!(
        (received.sender, received.token_id, received.msg),
        (s.addr("alice").to_string(), token.clone(), b"hi".into())
    );
    assert_eq!(s.surprise(&token).owner, receiver);
}

#[test]
fn listings_expire_relist_and_delist() {
    let mut s = Suite::new();
    let alice = s.addr("alice");
    let token = s.mint("alice", "x");
    let now = s.app.block_info().time;

    let at = |expires_at: Timestamp| ExecuteMsg::List {
        token_id: token.clone(),
        asset: usdc(),
        price: Uint128::new(1_000),
        expires_at: Some(expires_at),
    };
    assert_eq!(
        s.exec("alice", &at(now), &[]).unwrap_err(),
        ContractError::ExpiryNotInFuture
    );
    let res = s.exec("alice", &at(now.plus_seconds(3_600)), &[]).unwrap();
    let AnyEvent::SurpriseListed(listed) = the_event(&res) else {
        panic!("expected a listing")
    };
    assert_eq!(listed.expires_at, Some(now.plus_seconds(3_600)));

    // Before the expiry only the owner may delist; the listing is live.
    let delist = ExecuteMsg::Delist {
        token_id: token.clone(),
    };
    let not_owner = ContractError::Unauthorized {
        action: "delist",
        allowed: "owner (anyone once it expired)",
    };
    assert_eq!(s.exec("erin", &delist, &[]).unwrap_err(), not_owner);
    s.advance(3_599);
    assert!(!s.surprise(&token).listing.unwrap().expired);

    // From the expiry on it cannot be bought, and anyone may clear it.
    s.advance(1);
    let buy = ExecuteMsg::Buy {
        token_id: token.clone(),
    };
    let expired = ContractError::ListingExpired(now.plus_seconds(3_600));
    assert_eq!(
        s.exec("carol", &buy, &[coin(1_000, USDC)]).unwrap_err(),
        expired
    );
    assert!(s.surprise(&token).listing.unwrap().expired);
    let res = s.exec("erin", &delist, &[]).unwrap();
    let delisted = SurpriseDelisted {
        token_id: token.clone(),
        seller: alice.clone(),
        expired: true,
    };
    assert_eq!(the_event(&res), AnyEvent::SurpriseDelisted(delisted));
    assert_eq!(
        s.exec("erin", &delist, &[]).unwrap_err(),
        ContractError::NotListed(token.clone())
    );

    // Relisting replaces the price; the owner's delist of a live listing is not `expired`.
    s.list("alice", &token, usdc(), 3_000).unwrap();
    s.list("alice", &token, AssetInfo::cw20(s.mesi.clone()), 2_000)
        .unwrap();
    let usdc_listings: ListingsResponse = s.query(&QueryMsg::ListingsByPrice {
        asset: usdc(),
        start_after: None,
        limit: None,
    });
    assert!(
        usdc_listings.listings.is_empty(),
        "the relisting replaced the uusdc price"
    );
    let mesi_listings: ListingsResponse = s.query(&QueryMsg::ListingsByPrice {
        asset: AssetInfo::cw20(s.mesi.clone()),
        start_after: None,
        limit: None,
    });
    assert_eq!(mesi_listings.listings.len(), 1);
    assert_eq!(mesi_listings.listings[0].price, Uint128::new(2_000));
    let res = s.exec("alice", &delist, &[]).unwrap();
    let delisted = SurpriseDelisted {
        token_id: token.clone(),
        seller: alice,
        expired: false,
    };
    assert_eq!(the_event(&res), AnyEvent::SurpriseDelisted(delisted));
    assert_eq!(s.surprise(&token).state, SurpriseState::Sealed);
}

#[test]
fn sales_stop_in_an_asset_the_platform_drops() {
    let mut s = Suite::new();
    let token = s.mint("alice", "x");
    s.list("alice", &token, AssetInfo::cw20(s.mesi.clone()), 100)
        .unwrap();
    let update = CreatorsExecuteMsg::UpdateConfig {
        treasury: None,
        fees: None,
        accepted_assets: Some(vec![usdc()]),
        fiat_gateways: None,
        arbiter: None,
        contracts: None,
    };
    s.update_registry(update);
    let err = s
        .send_cw20(
            &s.mesi.clone(),
            "carol",
            100,
            &ReceiveMsg::Buy {
                token_id: token.clone(),
            },
        )
        .unwrap_err();
    assert_eq!(
        err,
        mesi_common::AssetError::NotAccepted(AssetInfo::cw20(s.mesi.clone())).into()
    );
    assert_eq!(
        s.balance(&s.addr("carol"), &AssetInfo::cw20(s.mesi.clone())),
        FUNDS
    );
}
