//! Unlock, reveal and forfeit: deadlines, bonds back or claimed, commitments checked.

use cosmwasm_std::{HexBinary, Uint128};
use mesi_common::events::surprises::{SurpriseForfeited, SurpriseTransferred};
use mesi_common::events::AnyEvent;
use mesi_common::AssetInfo;

use super::*;
use crate::msg::SurpriseState;

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
