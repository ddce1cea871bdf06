//! Every privileged message, tried by every wrong party.

use cosmwasm_std::coin;
use cw721::error::Cw721ContractError;
use cw721::Expiration;
use cw_ownable::{Action, OwnershipError};
use mesi_common::events::creators::OwnershipChanged;
use mesi_common::events::surprises::{SurpriseApproval, SurprisesConfigSet};
use mesi_common::events::AnyEvent;

use super::*;
use crate::state::Config;

fn not_owner() -> ContractError {
    Cw721ContractError::Ownership(OwnershipError::NotOwner).into()
}

#[test]
fn transfers_need_the_owner_an_approved_spender_or_an_operator() {
    let mut s = Suite::new();
    let token = s.mint("alice", "x");
    s.transfer("alice", &token, "carol").unwrap();
    for wrong in ["alice", "dave", "admin"] {
        assert_eq!(
            s.transfer(wrong, &token, wrong).unwrap_err(),
            not_owner(),
            "{wrong}"
        );
    }

    // An approval that expired no longer counts; a live one does, once.
    let height = s.app.block_info().height;
    let approve = |spender: &Addr, expires| ExecuteMsg::Approve {
        spender: spender.into(),
        token_id: token.clone(),
        expires,
    };
    s.exec(
        "carol",
        &approve(&s.addr("dave"), Some(Expiration::AtHeight(height + 2))),
        &[],
    )
    .unwrap();
    s.advance(10);
    assert_eq!(s.transfer("dave", &token, "dave").unwrap_err(), not_owner());
    s.exec("carol", &approve(&s.addr("dave"), None), &[])
        .unwrap();
    s.transfer("dave", &token, "erin").unwrap();
    assert_eq!(
        s.transfer("dave", &token, "dave").unwrap_err(),
        not_owner(),
        "approvals end with the transfer"
    );

    // Approving needs the owner or an operator.
    assert_eq!(
        s.exec("carol", &approve(&s.addr("carol"), None), &[])
            .unwrap_err(),
        not_owner()
    );
    let operator = ExecuteMsg::ApproveAll {
        operator: s.addr("carol").into(),
        expires: None,
    };
    s.exec("erin", &operator, &[]).unwrap();
    s.exec("carol", &approve(&s.addr("dave"), None), &[])
        .unwrap();
    s.transfer("carol", &token, "carol").unwrap();
    assert_eq!(s.surprise(&token).owner, s.addr("carol"));
    // An expired approval cannot be granted.
    let past = Expiration::AtHeight(s.app.block_info().height);
    let err = s
        .exec("carol", &approve(&s.addr("dave"), Some(past)), &[])
        .unwrap_err();
    assert_eq!(err, Cw721ContractError::Expired {}.into());
}

#[test]
fn approval_events_carry_the_grant() {
    let mut s = Suite::new();
    let token = s.mint("alice", "x");
    let (alice, dave) = (s.addr("alice"), s.addr("dave"));
    let time = s.app.block_info().time.plus_seconds(600);
    let approve = ExecuteMsg::Approve {
        spender: dave.to_string(),
        token_id: token.clone(),
        expires: Some(Expiration::AtTime(time)),
    };
    let res = s.exec("alice", &approve, &[]).unwrap();
    let expected = SurpriseApproval {
        owner: alice.clone(),
        spender: dave.clone(),
        token_id: Some(token.clone()),
        granted: true,
        expires_at_height: None,
        expires_at: Some(time),
    };
    assert_eq!(the_event(&res), AnyEvent::SurpriseApproval(expected));
    let res = s
        .exec(
            "alice",
            &ExecuteMsg::Revoke {
                spender: dave.to_string(),
                token_id: token.clone(),
            },
            &[],
        )
        .unwrap();
    let AnyEvent::SurpriseApproval(revoked) = the_event(&res) else {
        panic!("expected an approval event")
    };
    assert!(!revoked.granted && revoked.token_id == Some(token));
    let res = s
        .exec(
            "alice",
            &ExecuteMsg::RevokeAll {
                operator: dave.to_string(),
            },
            &[],
        )
        .unwrap();
    let AnyEvent::SurpriseApproval(revoked) = the_event(&res) else {
        panic!("expected an approval event")
    };
    assert_eq!(
        (revoked.owner, revoked.token_id, revoked.granted),
        (alice, None, false)
    );
}

#[test]
fn only_the_owner_lists_and_unlocks_and_only_the_owner_delists_a_live_listing() {
    let mut s = Suite::new();
    let token = s.mint("alice", "x");
    s.transfer("alice", &token, "carol").unwrap();
    // An approved spender and an operator may move the token, but not list or unlock it.
    let approve = ExecuteMsg::Approve {
        spender: s.addr("dave").into(),
        token_id: token.clone(),
        expires: None,
    };
    s.exec("carol", &approve, &[]).unwrap();
    s.exec(
        "carol",
        &ExecuteMsg::ApproveAll {
            operator: s.addr("erin").into(),
            expires: None,
        },
        &[],
    )
    .unwrap();
    for wrong in ["alice", "dave", "erin", "mallory", "admin"] {
        let err = s.list(wrong, &token, usdc(), 10).unwrap_err();
        assert_eq!(
            err,
            ContractError::Unauthorized {
                action: "list",
                allowed: "owner"
            },
            "{wrong}"
        );
        let err = s
            .exec(
                wrong,
                &ExecuteMsg::Unlock {
                    token_id: token.clone(),
                },
                &[],
            )
            .unwrap_err();
        assert_eq!(
            err,
            ContractError::Unauthorized {
                action: "unlock",
                allowed: "owner"
            },
            "{wrong}"
        );
    }
    s.list("carol", &token, usdc(), 10).unwrap();
    for wrong in ["alice", "dave", "erin", "mallory", "admin"] {
        let err = s
            .exec(
                wrong,
                &ExecuteMsg::Delist {
                    token_id: token.clone(),
                },
                &[],
            )
            .unwrap_err();
        let expected = ContractError::Unauthorized {
            action: "delist",
            allowed: "owner (anyone once it expired)",
        };
        assert_eq!(err, expected, "{wrong}");
    }
    // The seller cannot buy their own listing.
    let buy = ExecuteMsg::Buy {
        token_id: token.clone(),
    };
    assert_eq!(
        s.exec("carol", &buy, &[coin(10, USDC)]).unwrap_err(),
        ContractError::OwnListing
    );
    s.exec(
        "carol",
        &ExecuteMsg::Delist {
            token_id: token.clone(),
        },
        &[],
    )
    .unwrap();
}

#[test]
fn only_the_creator_reveals_and_only_the_unlocker_claims() {
    let mut s = Suite::new();
    let token = s.mint_bonded("alice", "x", 100);
    s.transfer("alice", &token, "carol").unwrap();
    s.exec(
        "carol",
        &ExecuteMsg::Unlock {
            token_id: token.clone(),
        },
        &[],
    )
    .unwrap();
    let secret = Secret::of("x");
    for wrong in ["carol", "bob", "dave", "admin"] {
        let err = s.reveal(wrong, &token, &secret).unwrap_err();
        assert_eq!(
            err,
            ContractError::Unauthorized {
                action: "reveal",
                allowed: "creator"
            },
            "{wrong}"
        );
    }
    s.advance(REVEAL_WINDOW + 1);
    for wrong in ["alice", "bob", "dave", "admin"] {
        let err = s
            .exec(
                wrong,
                &ExecuteMsg::ClaimBond {
                    token_id: token.clone(),
                },
                &[],
            )
            .unwrap_err();
        assert_eq!(
            err,
            ContractError::Unauthorized {
                action: "claim the bond",
                allowed: "unlocker"
            },
            "{wrong}"
        );
    }
    s.exec("carol", &ExecuteMsg::ClaimBond { token_id: token }, &[])
        .unwrap();
}

#[test]
fn creators_mint_only_under_their_own_prefix() {
    let mut s = Suite::new();
    s.mint("alice", "a");
    let mut msg = s.mint_msg("bob", "b");
    msg.token_id = "1.b".into();
    let err = s.exec("bob", &ExecuteMsg::Mint(msg), &[]).unwrap_err();
    assert_eq!(
        err,
        ContractError::InvalidTokenId {
            token_id: "1.b".into(),
            prefix: "2.".into(),
            max_label: 32
        }
    );
    // The platform admin is not a creator either.
    let msg = s.mint_msg("alice", "by-admin");
    assert!(matches!(
        s.exec("admin", &ExecuteMsg::Mint(msg), &[]).unwrap_err(),
        ContractError::NotACreator { .. }
    ));
}

#[test]
fn config_needs_the_admin_and_ownership_moves_in_two_steps() {
    let mut s = Suite::new();
    let update = ExecuteMsg::UpdateConfig {
        creators: None,
        reveal_window: Some(86_400),
        creator_recheck_interval: Some(0),
    };
    for wrong in ["alice", "carol", "mallory"] {
        assert_eq!(
            s.exec(wrong, &update, &[]).unwrap_err(),
            OwnershipError::NotOwner.into(),
            "{wrong}"
        );
    }
    let res = s.exec("admin", &update, &[]).unwrap();
    let expected = SurprisesConfigSet {
        creators: s.registry.clone(),
        reveal_window: 86_400,
        creator_recheck_interval: 0,
    };
    assert_eq!(the_event(&res), AnyEvent::SurprisesConfig(expected));
    let config: Config = s.query(&QueryMsg::Config {});
    assert_eq!(config.reveal_window, 86_400);
    for bad in [3_599, 90 * 86_400 + 1] {
        let update = ExecuteMsg::UpdateConfig {
            creators: None,
            reveal_window: Some(bad),
            creator_recheck_interval: None,
        };
        let err = s.exec("admin", &update, &[]).unwrap_err();
        assert_eq!(
            err,
            ContractError::InvalidRevealWindow {
                min: 3_600,
                max: 90 * 86_400
            }
        );
    }
    let too_long = ExecuteMsg::UpdateConfig {
        creators: None,
        reveal_window: None,
        creator_recheck_interval: Some(86_401),
    };
    let err = s.exec("admin", &too_long, &[]).unwrap_err();
    assert_eq!(err, ContractError::InvalidRecheckInterval { max: 86_400 });
    // The new window applies to surprises minted from now on.
    let token = s.mint("alice", "short");
    assert_eq!(s.surprise(&token).reveal_window, 86_400);

    let (admin, mallory, carol) = (s.admin.clone(), s.addr("mallory"), s.addr("carol"));
    let transfer = ExecuteMsg::UpdateOwnership(Action::TransferOwnership {
        new_owner: carol.to_string(),
        expiry: None,
    });
    assert_eq!(
        s.exec("mallory", &transfer, &[]).unwrap_err(),
        OwnershipError::NotOwner.into()
    );
    let res = s.exec_as(&admin, &transfer, &[]).unwrap();
    let proposed = OwnershipChanged {
        action: "proposed".into(),
        owner: Some(admin.clone()),
        pending_owner: Some(carol.clone()),
    };
    assert_eq!(the_event(&res), AnyEvent::Ownership(proposed));
    let accept = ExecuteMsg::UpdateOwnership(Action::AcceptOwnership);
    assert_eq!(
        s.exec_as(&mallory, &accept, &[]).unwrap_err(),
        OwnershipError::NotPendingOwner.into()
    );
    assert_eq!(
        s.exec_as(&carol, &update, &[]).unwrap_err(),
        OwnershipError::NotOwner.into(),
        "not before accepting"
    );
    s.exec_as(&carol, &accept, &[]).unwrap();
    s.exec_as(&carol, &update, &[]).unwrap();
    assert_eq!(
        s.exec_as(&admin, &update, &[]).unwrap_err(),
        OwnershipError::NotOwner.into()
    );
    let ownership: cw_ownable::Ownership<Addr> = s.query(&QueryMsg::Ownership {});
    assert_eq!(ownership.owner, Some(carol));
    assert_eq!(
        s.surprise(&token).royalty_bps,
        500,
        "admin changes never touch surprises"
    );
}
