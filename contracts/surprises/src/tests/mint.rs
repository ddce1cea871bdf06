//! Who may mint and with what: registry answers, recheck interval, input limits, creator numbers.

use cosmwasm_std::{coin, HexBinary};
use mesi_creators::msg::ExecuteMsg as CreatorsExecuteMsg;

use super::*;

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
