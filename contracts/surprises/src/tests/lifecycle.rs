//! A surprise's whole life (mint, two sales, unlock, reveal) with block time advancing, and
//! the contract's own (migration).

use cosmwasm_std::{coin, HexBinary, Uint128};
use mesi_common::events::surprises::{
    SurpriseListed, SurpriseMinted, SurpriseRevealed, SurpriseSold, SurpriseUnlocked,
};
use mesi_common::events::AnyEvent;
use mesi_common::{Asset, AssetInfo};

use super::*;
use crate::msg::{MigrateMsg, SurpriseState};

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
