//! Every path of a surprise's life, with block time advancing.

use cosmwasm_std::{coin, HexBinary, Timestamp, Uint128};
use mesi_common::events::surprises::{
    SurpriseDelisted, SurpriseForfeited, SurpriseListed, SurpriseMinted, SurpriseRevealed,
    SurpriseSold, SurpriseTransferred, SurpriseUnlocked,
};
use mesi_common::events::AnyEvent;
use mesi_common::{Asset, AssetInfo};
use mesi_creators::msg::ExecuteMsg as CreatorsExecuteMsg;

use super::*;
use crate::msg::{ListingsResponse, MigrateMsg, SurpriseState};

#[test]
fn mint_sell_twice_unlock_and_reveal_with_a_native_bond() {
    let mut s = Suite::new();
    let (alice, payout, carol, dave) = (
        s.addr("alice"),
        s.addr("alice-payout"),
        s.addr("carol"),
        s.addr("dave"),
    );
    let mesi = AssetInfo::cw20(s.mesi.clone());

    // Mint with a bond of 1_000 uusdc.
    let msg = s.mint_msg("alice", "first");
    let token = msg.token_id.clone();
    assert_eq!(token, "1.first");
    let res = s
        .exec(
            "alice",
            &ExecuteMsg::Mint(msg.clone()),
            &[coin(1_000, USDC)],
        )
        .unwrap();
    let expected = SurpriseMinted {
        token_id: token.clone(),
        creator: alice.clone(),
        owner: alice.clone(),
        title: "Surprise first".into(),
        hints: msg.hints.hints.clone(),
        category: "video".into(),
        preview_uri: msg.hints.preview_uri.clone(),
        commitment: msg.commitment.to_hex(),
        royalty_bps: 500,
        bond_asset: Some(usdc()),
        bond: Uint128::new(1_000),
        reveal_window: REVEAL_WINDOW,
    };
    assert_eq!(the_event(&res), AnyEvent::SurpriseMinted(expected));
    assert_eq!(s.balance(&s.surprises, &usdc()), 1_000);
    let surprise = s.surprise(&token);
    assert_eq!(
        (surprise.state, &surprise.owner, &surprise.creator),
        (SurpriseState::Sealed, &alice, &alice)
    );
    assert_eq!(
        surprise.bond,
        Some(Asset {
            info: usdc(),
            amount: Uint128::new(1_000)
        })
    );

    // Primary sale in uusdc: fee 2.5%, royalty 5% (to alice's payout address), rest to alice.
    s.advance(60);
    let res = s.list("alice", &token, usdc(), 10_000).unwrap();
    let listed = SurpriseListed {
        token_id: token.clone(),
        seller: alice.clone(),
        asset: usdc(),
        price: Uint128::new(10_000),
        expires_at: None,
    };
    assert_eq!(the_event(&res), AnyEvent::SurpriseListed(listed));
    let before = [
        alice.clone(),
        payout.clone(),
        s.treasury.clone(),
        carol.clone(),
    ]
    .map(|a| s.balance(&a, &usdc()));
    let res = s
        .exec(
            "carol",
            &ExecuteMsg::Buy {
                token_id: token.clone(),
            },
            &[coin(10_000, USDC)],
        )
        .unwrap();
    let sold = SurpriseSold {
        token_id: token.clone(),
        seller: alice.clone(),
        buyer: carol.clone(),
        creator: alice.clone(),
        asset: usdc(),
        price: Uint128::new(10_000),
        fee: Uint128::new(250),
        treasury: s.treasury.clone(),
        royalty: Uint128::new(500),
        royalty_payout: payout.clone(),
        seller_amount: Uint128::new(9_250),
    };
    assert_eq!(the_event(&res), AnyEvent::SurpriseSold(sold));
    let after = [
        alice.clone(),
        payout.clone(),
        s.treasury.clone(),
        carol.clone(),
    ]
    .map(|a| s.balance(&a, &usdc()));
    assert_eq!(after[0], before[0] + 9_250);
    assert_eq!(after[1], before[1] + 500);
    assert_eq!(after[2], before[2] + 250);
    assert_eq!(after[3], before[3] - 10_000);
    assert_eq!(
        s.balance(&s.surprises, &usdc()),
        1_000,
        "only the bond stays"
    );
    let surprise = s.surprise(&token);
    assert_eq!((&surprise.owner, surprise.listing), (&carol, None));

    // Secondary sale in MESI, bought through the CW20 hook.
    s.advance(3_600);
    s.list("carol", &token, mesi.clone(), 20_001).unwrap();
    let before = [
        carol.clone(),
        payout.clone(),
        s.treasury.clone(),
        dave.clone(),
    ]
    .map(|a| s.balance(&a, &mesi));
    let res = s
        .send_cw20(
            &s.mesi.clone(),
            "dave",
            20_001,
            &ReceiveMsg::Buy {
                token_id: token.clone(),
            },
        )
        .unwrap();
    let AnyEvent::SurpriseSold(sold) = the_event(&res) else {
        panic!("expected a sale")
    };
    // floor(20_001 * 2.5%) = 500, floor(20_001 * 5%) = 1_000; the rounding dust goes to the seller.
    assert_eq!(
        (
            sold.fee.u128(),
            sold.royalty.u128(),
            sold.seller_amount.u128()
        ),
        (500, 1_000, 18_501)
    );
    let after = [
        carol.clone(),
        payout.clone(),
        s.treasury.clone(),
        dave.clone(),
    ]
    .map(|a| s.balance(&a, &mesi));
    assert_eq!(
        [
            after[0] - before[0],
            after[1] - before[1],
            after[2] - before[2]
        ],
        [18_501, 1_000, 500]
    );
    assert_eq!(before[3] - after[3], 20_001);
    assert_eq!(s.balance(&s.surprises, &mesi), 0);

    // Unlock: the token stops moving, the deadline runs.
    s.advance(86_400);
    let unlocked_at = s.app.block_info().time;
    let res = s
        .exec(
            "dave",
            &ExecuteMsg::Unlock {
                token_id: token.clone(),
            },
            &[],
        )
        .unwrap();
    let unlocked = SurpriseUnlocked {
        token_id: token.clone(),
        owner: dave.clone(),
        creator: alice.clone(),
        reveal_deadline: unlocked_at.plus_seconds(REVEAL_WINDOW),
        delisted: false,
    };
    assert_eq!(the_event(&res), AnyEvent::SurpriseUnlocked(unlocked));
    let locked = |action: &'static str| ContractError::WrongState {
        action,
        token_id: token.clone(),
        state: SurpriseState::Unlocked,
    };
    assert_eq!(
        s.transfer("dave", &token, "erin").unwrap_err(),
        locked("transfer")
    );
    assert_eq!(
        s.list("dave", &token, usdc(), 5).unwrap_err(),
        locked("list")
    );
    let approve = ExecuteMsg::Approve {
        spender: s.addr("erin").into(),
        token_id: token.clone(),
        expires: None,
    };
    assert_eq!(
        s.exec("dave", &approve, &[]).unwrap_err(),
        locked("approve a spender for")
    );
    assert_eq!(
        s.exec(
            "dave",
            &ExecuteMsg::Unlock {
                token_id: token.clone()
            },
            &[]
        )
        .unwrap_err(),
        locked("unlock")
    );

    // The creator reveals on the last second of the window; the bond goes back.
    s.advance(REVEAL_WINDOW);
    let alice_before = s.balance(&alice, &usdc());
    let secret = Secret::of("first");
    let res = s.reveal("alice", &token, &secret).unwrap();
    let revealed = SurpriseRevealed {
        token_id: token.clone(),
        creator: alice.clone(),
        salt: HexBinary::from(secret.salt).to_hex(),
        content_hash: HexBinary::from(content_hash(&secret.content)).to_hex(),
        bond_asset: Some(usdc()),
        bond_returned: Uint128::new(1_000),
    };
    assert_eq!(the_event(&res), AnyEvent::SurpriseRevealed(revealed));
    assert_eq!(s.balance(&alice, &usdc()), alice_before + 1_000);
    assert_eq!(s.balance(&s.surprises, &usdc()), 0);
    let surprise = s.surprise(&token);
    assert_eq!(surprise.state, SurpriseState::Revealed);
    assert_eq!(surprise.unlocked_by, Some(dave.clone()));
    assert_eq!(surprise.salt, Some(HexBinary::from(secret.salt)));
    assert_eq!(
        surprise.content_hash,
        Some(HexBinary::from(content_hash(&secret.content)))
    );

    // Revealed is final: no second reveal, no claim, no transfer.
    let revealed = |action: &'static str| ContractError::WrongState {
        action,
        token_id: token.clone(),
        state: SurpriseState::Revealed,
    };
    assert_eq!(
        s.reveal("alice", &token, &secret).unwrap_err(),
        revealed("reveal")
    );
    s.advance(1);
    let claim = ExecuteMsg::ClaimBond {
        token_id: token.clone(),
    };
    assert_eq!(
        s.exec("dave", &claim, &[]).unwrap_err(),
        revealed("claim the bond of")
    );
    assert_eq!(
        s.transfer("dave", &token, "erin").unwrap_err(),
        revealed("transfer")
    );
}

#[test]
fn missed_deadline_forfeits_a_cw20_bond_to_the_unlocker() {
    let mut s = Suite::new();
    let (alice, carol) = (s.addr("alice"), s.addr("carol"));
    let mesi = AssetInfo::cw20(s.mesi.clone());
    let msg = s.mint_msg("alice", "late");
    let token = msg.token_id.clone();
    let res = s
        .send_cw20(&s.mesi.clone(), "alice", 5_000, &ReceiveMsg::Mint(msg))
        .unwrap();
    let AnyEvent::SurpriseMinted(minted) = the_event(&res) else {
        panic!("expected a mint")
    };
    assert_eq!(
        (minted.bond_asset, minted.bond),
        (Some(mesi.clone()), Uint128::new(5_000))
    );
    assert_eq!(s.balance(&s.surprises, &mesi), 5_000);

    let res = s.transfer("alice", &token, "carol").unwrap();
    let transferred = SurpriseTransferred {
        token_id: token.clone(),
        from: alice.clone(),
        to: carol.clone(),
        delisted: false,
    };
    assert_eq!(the_event(&res), AnyEvent::SurpriseTransferred(transferred));
    s.advance(100);
    s.exec(
        "carol",
        &ExecuteMsg::Unlock {
            token_id: token.clone(),
        },
        &[],
    )
    .unwrap();
    let deadline = s.surprise(&token).reveal_deadline.unwrap();

    // Up to and including the deadline the creator may still reveal: no claim yet.
    let claim = ExecuteMsg::ClaimBond {
        token_id: token.clone(),
    };
    assert_eq!(
        s.exec("carol", &claim, &[]).unwrap_err(),
        ContractError::RevealStillOpen(deadline)
    );
    s.advance(REVEAL_WINDOW);
    assert_eq!(s.app.block_info().time, deadline);
    assert_eq!(
        s.exec("carol", &claim, &[]).unwrap_err(),
        ContractError::RevealStillOpen(deadline)
    );

    // One second later the reveal is too late and the claim goes through.
    s.advance(1);
    let secret = Secret::of("late");
    assert_eq!(
        s.reveal("alice", &token, &secret).unwrap_err(),
        ContractError::RevealDeadlinePassed(deadline)
    );
    let carol_before = s.balance(&carol, &mesi);
    let res = s.exec("carol", &claim, &[]).unwrap();
    let forfeited = SurpriseForfeited {
        token_id: token.clone(),
        unlocker: carol.clone(),
        creator: alice.clone(),
        bond_asset: Some(mesi.clone()),
        bond_claimed: Uint128::new(5_000),
    };
    assert_eq!(the_event(&res), AnyEvent::SurpriseForfeited(forfeited));
    assert_eq!(s.balance(&carol, &mesi), carol_before + 5_000);
    assert_eq!(s.balance(&s.surprises, &mesi), 0);
    assert_eq!(s.surprise(&token).state, SurpriseState::Forfeited);

    // Forfeited is final: nobody is paid twice.
    let forfeited = |action: &'static str| ContractError::WrongState {
        action,
        token_id: token.clone(),
        state: SurpriseState::Forfeited,
    };
    assert_eq!(
        s.exec("carol", &claim, &[]).unwrap_err(),
        forfeited("claim the bond of")
    );
    assert_eq!(
        s.reveal("alice", &token, &secret).unwrap_err(),
        forfeited("reveal")
    );
}

#[test]
fn unbonded_surprise_reveals_and_forfeits_without_payouts() {
    let mut s = Suite::new();
    let revealed = s.mint("bob", "a");
    let forfeited = s.mint("bob", "b");
    for token in [&revealed, &forfeited] {
        s.exec(
            "bob",
            &ExecuteMsg::Unlock {
                token_id: token.clone(),
            },
            &[],
        )
        .unwrap();
    }
    let res = s.reveal("bob", &revealed, &Secret::of("a")).unwrap();
    assert!(
        res.events.iter().all(|e| e.ty != "transfer"),
        "no bank transfer without a bond"
    );
    let AnyEvent::SurpriseRevealed(event) = the_event(&res) else {
        panic!("expected a reveal")
    };
    assert_eq!(
        (event.bond_asset, event.bond_returned),
        (None, Uint128::zero())
    );

    s.advance(REVEAL_WINDOW + 1);
    let res = s
        .exec(
            "bob",
            &ExecuteMsg::ClaimBond {
                token_id: forfeited.clone(),
            },
            &[],
        )
        .unwrap();
    let AnyEvent::SurpriseForfeited(event) = the_event(&res) else {
        panic!("expected a forfeit")
    };
    assert_eq!(
        (event.bond_asset, event.bond_claimed),
        (None, Uint128::zero())
    );
    assert_eq!(s.surprise(&forfeited).state, SurpriseState::Forfeited);
}

#[test]
fn reveal_with_a_wrong_salt_or_content_hash_fails() {
    let mut s = Suite::new();
    let token = s.mint_bonded("alice", "secret", 700);
    let other = s.mint("alice", "other");
    s.transfer("alice", &token, "carol").unwrap();
    s.exec(
        "carol",
        &ExecuteMsg::Unlock {
            token_id: token.clone(),
        },
        &[],
    )
    .unwrap();

    let right = Secret::of("secret");
    let wrong_salt = Secret {
        salt: [9; 32],
        content: right.content.clone(),
    };
    let wrong_content = Secret {
        salt: right.salt,
        content: b"something else".to_vec(),
    };
    for wrong in [&wrong_salt, &wrong_content, &Secret::of("other")] {
        assert_eq!(
            s.reveal("alice", &token, wrong).unwrap_err(),
            ContractError::CommitmentMismatch
        );
    }
    let short = ExecuteMsg::Reveal {
        token_id: token.clone(),
        salt: HexBinary::from(&right.salt[..31]),
        content_hash: HexBinary::from(content_hash(&right.content)),
    };
    assert_eq!(
        s.exec("alice", &short, &[]).unwrap_err(),
        ContractError::InvalidHash { field: "salt" }
    );
    let long = ExecuteMsg::Reveal {
        token_id: token.clone(),
        salt: HexBinary::from(right.salt),
        content_hash: HexBinary::from([content_hash(&right.content).as_slice(), &[0]].concat()),
    };
    assert_eq!(
        s.exec("alice", &long, &[]).unwrap_err(),
        ContractError::InvalidHash {
            field: "content_hash"
        }
    );
    // The content itself instead of its hash does not match either.
    let raw = ExecuteMsg::Reveal {
        token_id: token.clone(),
        salt: HexBinary::from(right.salt),
        content_hash: HexBinary::from(right.content.clone()),
    };
    assert!(s.exec("alice", &raw, &[]).is_err());
    assert_eq!(s.surprise(&token).state, SurpriseState::Unlocked);
    assert_eq!(
        s.balance(&s.surprises, &usdc()),
        700,
        "failed reveals keep the bond"
    );

    // The right secret of another token does not open this one, and vice versa.
    s.exec(
        "alice",
        &ExecuteMsg::Unlock {
            token_id: other.clone(),
        },
        &[],
    )
    .unwrap();
    assert_eq!(
        s.reveal("alice", &other, &right).unwrap_err(),
        ContractError::CommitmentMismatch
    );
    s.reveal("alice", &token, &right).unwrap();
    assert_eq!(s.surprise(&token).state, SurpriseState::Revealed);
}

#[test]
fn a_commitment_from_the_cli_opens_the_surprise() {
    // The commitment the creator computes off chain (same function as the CLI) for the real
    // contract address, token id and creator address.
    let mut s = Suite::new();
    let alice = s.addr("alice");
    let secret = Secret {
        salt: [0x5a; 32],
        content: b"the actual file bytes".to_vec(),
    };
    let token_id = "1.from-cli".to_string();
    let commitment = secret.commitment(&s.surprises, &token_id, &alice);
    let msg = MintMsg {
        token_id: token_id.clone(),
        owner: None,
        hints: hints("cli"),
        commitment,
        royalty_bps: 0,
    };
    s.exec("alice", &ExecuteMsg::Mint(msg), &[]).unwrap();
    s.exec(
        "alice",
        &ExecuteMsg::Unlock {
            token_id: token_id.clone(),
        },
        &[],
    )
    .unwrap();
    s.reveal("alice", &token_id, &secret).unwrap();
}

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
fn inactive_creators_cannot_mint_but_their_surprises_still_sell() {
    let mut s = Suite::new();
    let bob = s.addr("bob");
    let token = s.mint("bob", "before");
    s.list("bob", &token, usdc(), 1_000).unwrap();
    s.advance(60);
    s.registry_exec("bob", &CreatorsExecuteMsg::DeactivateCreator {});

    // A bonded mint asks the registry at once.
    let msg = s.mint_msg("bob", "bonded");
    let err = s
        .exec("bob", &ExecuteMsg::Mint(msg), &[coin(10, USDC)])
        .unwrap_err();
    assert_eq!(err, ContractError::CreatorInactive(bob.to_string()));
    // An unbonded one trusts the last answer for the recheck interval, then asks again.
    s.advance(RECHECK_INTERVAL - 61);
    s.mint("bob", "cached");
    s.advance(1);
    let msg = s.mint_msg("bob", "after");
    let err = s
        .exec("bob", &ExecuteMsg::Mint(msg.clone()), &[])
        .unwrap_err();
    assert_eq!(err, ContractError::CreatorInactive(bob.to_string()));

    // Sales of existing surprises go on.
    let bob_before = s.balance(&bob, &usdc());
    s.exec(
        "carol",
        &ExecuteMsg::Buy {
            token_id: token.clone(),
        },
        &[coin(1_000, USDC)],
    )
    .unwrap();
    // bob has no separate payout address: royalty (50) and proceeds (925) both reach him.
    assert_eq!(s.balance(&bob, &usdc()), bob_before + 975);

    // Reactivated, bob mints again.
    s.registry_exec("bob", &CreatorsExecuteMsg::ReactivateCreator {});
    s.exec("bob", &ExecuteMsg::Mint(msg), &[]).unwrap();

    // Someone who never registered cannot mint at all.
    let mut msg = s.mint_msg("bob", "x");
    msg.token_id = "3.x".into();
    let err = s.exec("carol", &ExecuteMsg::Mint(msg), &[]).unwrap_err();
    assert!(
        matches!(err, ContractError::NotACreator { creator, .. } if creator == s.addr("carol").as_str())
    );
}

#[test]
fn with_a_zero_recheck_interval_every_mint_asks_the_registry() {
    let mut s = Suite::new();
    let update = ExecuteMsg::UpdateConfig {
        creators: None,
        reveal_window: None,
        creator_recheck_interval: Some(0),
    };
    s.exec("admin", &update, &[]).unwrap();
    s.mint("bob", "first");
    s.registry_exec("bob", &CreatorsExecuteMsg::DeactivateCreator {});
    let msg = s.mint_msg("bob", "second");
    let err = s.exec("bob", &ExecuteMsg::Mint(msg), &[]).unwrap_err();
    assert_eq!(
        err,
        ContractError::CreatorInactive(s.addr("bob").to_string())
    );
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
    s.registry_exec("admin", &update);
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

#[test]
fn mint_validates_its_input() {
    let mut s = Suite::new();
    let base = s.mint_msg("alice", "ok");
    let attempt = |s: &mut Suite, edit: &dyn Fn(&mut MintMsg)| {
        let mut msg = base.clone();
        edit(&mut msg);
        s.exec("alice", &ExecuteMsg::Mint(msg), &[]).unwrap_err()
    };
    let bad_id = |id: &str| ContractError::InvalidTokenId {
        token_id: id.into(),
        prefix: "1.".into(),
        max_label: 32,
    };
    for id in [
        "2.ok",
        "1.",
        "1",
        "ok",
        "1.a.b",
        "1.with space",
        "1.ümlaut",
        &format!("1.{}", "x".repeat(33)),
        "11.ok",
    ] {
        assert_eq!(
            attempt(&mut s, &|m| m.token_id = id.into()),
            bad_id(id),
            "{id}"
        );
    }
    let text = |field, max| ContractError::InvalidText {
        field,
        max,
        extra: "",
    };
    assert_eq!(
        attempt(&mut s, &|m| m.hints.title = String::new()),
        text("title", 80)
    );
    assert_eq!(
        attempt(&mut s, &|m| m.hints.title = "t".repeat(81)),
        text("title", 80)
    );
    assert_eq!(
        attempt(&mut s, &|m| m.hints.category = "a\nb".into()),
        text("category", 32)
    );
    assert_eq!(
        attempt(&mut s, &|m| m.hints.hints = vec!["h".into(); 6]),
        ContractError::TooManyHints { max: 5 }
    );
    assert_eq!(
        attempt(&mut s, &|m| m.hints.hints = vec![String::new()]),
        text("hint", 200)
    );
    assert_eq!(
        attempt(&mut s, &|m| m.hints.hints = vec!["h".repeat(201)]),
        text("hint", 200)
    );
    let uri = ContractError::InvalidText {
        field: "preview_uri",
        max: 256,
        extra: " or whitespace",
    };
    assert_eq!(
        attempt(&mut s, &|m| m.hints.preview_uri = Some("ipfs://a b".into())),
        uri
    );
    assert_eq!(
        attempt(&mut s, &|m| m.hints.preview_uri = Some("x".repeat(257))),
        uri
    );
    assert_eq!(
        attempt(&mut s, &|m| m.royalty_bps = 1_001),
        ContractError::RoyaltyTooHigh {
            bps: 1_001,
            max: 1_000
        }
    );
    assert_eq!(
        attempt(&mut s, &|m| m.commitment = HexBinary::from(&[1u8; 31])),
        ContractError::InvalidHash {
            field: "commitment"
        }
    );
    assert!(matches!(
        attempt(&mut s, &|m| m.owner = Some("not-an-address".into())),
        ContractError::Std(_)
    ));

    // The limits themselves are fine, and the token can go to someone else.
    let mut msg = base.clone();
    msg.hints = Hints {
        title: "t".repeat(80),
        hints: vec!["h".repeat(200); 5],
        category: "c".repeat(32),
        preview_uri: Some("u".repeat(256)),
    };
    msg.royalty_bps = 1_000;
    msg.owner = Some(s.addr("carol").into());
    s.exec("alice", &ExecuteMsg::Mint(msg.clone()), &[])
        .unwrap();
    assert_eq!(s.surprise(&msg.token_id).owner, s.addr("carol"));
    assert_eq!(
        s.exec("alice", &ExecuteMsg::Mint(msg.clone()), &[])
            .unwrap_err(),
        ContractError::TokenExists(msg.token_id)
    );
}

#[test]
fn first_mints_race_for_the_next_creator_number() {
    let mut s = Suite::new();
    s.mint("alice", "one");
    s.register("carol", None);
    s.register("dave", None);
    // Both new creators are told "2." (bob has not minted either); the first mint takes it.
    let carol_msg = s.mint_msg("carol", "c");
    let dave_msg = s.mint_msg("dave", "d");
    assert_eq!(
        (carol_msg.token_id.as_str(), dave_msg.token_id.as_str()),
        ("2.c", "2.d")
    );
    s.exec("carol", &ExecuteMsg::Mint(carol_msg), &[]).unwrap();
    let err = s
        .exec("dave", &ExecuteMsg::Mint(dave_msg), &[])
        .unwrap_err();
    assert_eq!(
        err,
        ContractError::InvalidTokenId {
            token_id: "2.d".into(),
            prefix: "3.".into(),
            max_label: 32
        }
    );
    // Nothing was kept from the failed mint: dave retries with the prefix he was told.
    let retry = s.mint_msg("dave", "d");
    assert_eq!(retry.token_id, "3.d");
    s.exec("dave", &ExecuteMsg::Mint(retry), &[]).unwrap();
}

#[test]
fn migrate_checks_name_and_version() {
    let mut s = Suite::new();
    let admin = s.admin.clone();
    let (contract, code_id) = (s.surprises.clone(), s.code_id);
    let set_version = |s: &mut Suite, name: &str, version: &str| {
        let mut storage = s.app.contract_storage_mut(&contract);
        cw2::set_contract_version(storage.as_mut(), name, version).unwrap();
    };
    let migrate = |s: &mut Suite| {
        s.app
            .migrate_contract(admin.clone(), contract.clone(), &MigrateMsg {}, code_id)
    };

    set_version(&mut s, crate::contract::CONTRACT_NAME, "99.0.0");
    assert!(migrate(&mut s)
        .unwrap_err()
        .root_cause()
        .to_string()
        .contains("Cannot migrate from newer version"));
    set_version(&mut s, "crates.io:cw721-base", "0.1.0");
    assert!(migrate(&mut s)
        .unwrap_err()
        .root_cause()
        .to_string()
        .contains("Cannot migrate from crates.io:cw721-base"));
    set_version(&mut s, crate::contract::CONTRACT_NAME, "0.0.1");
    migrate(&mut s).unwrap();
    let version = cw2::query_contract_info(&s.app.wrap(), &contract).unwrap();
    assert_eq!(version.version, crate::contract::CONTRACT_VERSION);
    migrate(&mut s).unwrap();
}
