//! Funds validation: no funds, wrong denom, two coins, zero, funds on non-payable messages,
//! CW20 from a token that is not accepted.

use cosmwasm_std::testing::{message_info, mock_dependencies, mock_env};
use cosmwasm_std::{coin, to_json_binary, Addr, HexBinary, Uint128};
use cw20::Cw20ReceiveMsg;
use cw_multi_test::Executor;
use cw_ownable::Action;
use mesi_common::{AssetError, AssetInfo};

use super::*;

impl Suite {
    /// A second CW20 token the platform does not accept, held by carol and mallory.
    fn fake_token(&mut self) -> Addr {
        let holders = ["carol", "mallory"].map(|name| self.addr(name));
        self.deploy_token("FAKE", &holders, FUNDS)
    }

    /// A `Receive` sent directly by `sender`, as if it were a CW20 contract.
    fn pretend_cw20(
        &mut self,
        sender: &str,
        claimed_sender: &str,
        amount: u128,
        msg: &ReceiveMsg,
    ) -> ContractError {
        let receive = ExecuteMsg::Receive(Cw20ReceiveMsg {
            sender: self.addr(claimed_sender).into(),
            amount: Uint128::new(amount),
            msg: to_json_binary(msg).unwrap(),
        });
        self.exec(sender, &receive, &[]).unwrap_err()
    }
}

#[test]
fn non_payable_messages_reject_funds() {
    let mut s = Suite::new();
    let token = s.mint("alice", "x");
    let carol = s.addr("carol").to_string();
    let messages = [
        ExecuteMsg::TransferNft {
            recipient: carol.clone(),
            token_id: token.clone(),
        },
        ExecuteMsg::SendNft {
            contract: carol.clone(),
            token_id: token.clone(),
            msg: b"{}".into(),
        },
        ExecuteMsg::Approve {
            spender: carol.clone(),
            token_id: token.clone(),
            expires: None,
        },
        ExecuteMsg::Revoke {
            spender: carol.clone(),
            token_id: token.clone(),
        },
        ExecuteMsg::ApproveAll {
            operator: carol.clone(),
            expires: None,
        },
        ExecuteMsg::RevokeAll {
            operator: carol.clone(),
        },
        ExecuteMsg::List {
            token_id: token.clone(),
            asset: usdc(),
            price: Uint128::new(5),
            expires_at: None,
        },
        ExecuteMsg::Delist {
            token_id: token.clone(),
        },
        ExecuteMsg::Unlock {
            token_id: token.clone(),
        },
        ExecuteMsg::Reveal {
            token_id: token.clone(),
            salt: HexBinary::from([0; 32]),
            content_hash: HexBinary::from([0; 32]),
        },
        ExecuteMsg::ClaimBond {
            token_id: token.clone(),
        },
        ExecuteMsg::Receive(Cw20ReceiveMsg {
            sender: carol.clone(),
            amount: Uint128::new(5),
            msg: to_json_binary(&ReceiveMsg::Buy {
                token_id: token.clone(),
            })
            .unwrap(),
        }),
        ExecuteMsg::UpdateConfig {
            creators: None,
            reveal_window: None,
            creator_recheck_interval: None,
        },
        ExecuteMsg::UpdateOwnership(Action::AcceptOwnership),
    ];
    for msg in &messages {
        let err = s.exec("alice", msg, &[coin(5, USDC)]).unwrap_err();
        assert_eq!(err, AssetError::UnexpectedFunds.into(), "{msg:?}");
    }
    // Funds are refused even when zero (checked without the bank, which drops zero coins).
    let mut deps = mock_dependencies();
    let sender = deps.api.addr_make("alice");
    for msg in messages {
        let err = crate::contract::execute(
            deps.as_mut(),
            mock_env(),
            message_info(&sender, &[coin(0, USDC)]),
            msg,
        )
        .unwrap_err();
        assert_eq!(err, AssetError::UnexpectedFunds.into());
    }
    let err = crate::contract::instantiate(
        deps.as_mut(),
        mock_env(),
        message_info(&sender, &[coin(1, USDC)]),
        InstantiateMsg {
            name: "n".into(),
            symbol: "s".into(),
            owner: None,
            creators: sender.to_string(),
            reveal_window: REVEAL_WINDOW,
            creator_recheck_interval: 0,
        },
    )
    .unwrap_err();
    assert_eq!(err, AssetError::UnexpectedFunds.into());
}

#[test]
fn mint_bonds_must_be_one_accepted_non_zero_coin_or_an_accepted_cw20() {
    let mut s = Suite::new();
    let fake = s.fake_token();
    let msg = s.mint_msg("alice", "x");
    let mint = ExecuteMsg::Mint(msg.clone());
    let two = [coin(5, USDC), coin(5, OTHER)];
    assert_eq!(
        s.exec("alice", &mint, &two).unwrap_err(),
        AssetError::MultipleCoins(2).into()
    );
    let other = AssetError::NotAccepted(AssetInfo::native(OTHER));
    assert_eq!(
        s.exec("alice", &mint, &[coin(5, OTHER)]).unwrap_err(),
        other.into()
    );

    let mut deps = mock_dependencies();
    let alice = deps.api.addr_make("alice");
    let zero = crate::contract::execute(
        deps.as_mut(),
        mock_env(),
        message_info(&alice, &[coin(0, USDC)]),
        mint.clone(),
    );
    assert_eq!(zero.unwrap_err(), AssetError::ZeroAmount.into());

    // A CW20 bond from a token the platform does not accept, or from an account posing as one.
    let (mallory, to_alice) = (s.addr("mallory"), s.addr("alice"));
    s.app
        .execute_contract(
            mallory,
            fake.clone(),
            &cw20::Cw20ExecuteMsg::Transfer {
                recipient: to_alice.into(),
                amount: Uint128::new(10),
            },
            &[],
        )
        .unwrap();
    let err = s
        .send_cw20(&fake, "alice", 10, &ReceiveMsg::Mint(msg.clone()))
        .unwrap_err();
    assert_eq!(
        err,
        AssetError::NotAccepted(AssetInfo::cw20(fake.clone())).into()
    );
    let err = s.pretend_cw20("alice", "alice", 10, &ReceiveMsg::Mint(msg.clone()));
    assert_eq!(
        err,
        AssetError::NotAccepted(AssetInfo::cw20(s.addr("alice"))).into()
    );
    // cw20-base refuses zero sends itself; a zero Receive from the real token is refused too.
    let mesi = s.mesi.clone();
    let zero = ExecuteMsg::Receive(Cw20ReceiveMsg {
        sender: s.addr("alice").into(),
        amount: Uint128::zero(),
        msg: to_json_binary(&ReceiveMsg::Mint(msg.clone())).unwrap(),
    });
    assert_eq!(
        s.exec_as(&mesi, &zero, &[]).unwrap_err(),
        AssetError::ZeroAmount.into()
    );

    assert_eq!(s.balance(&s.surprises, &usdc()), 0);
    assert_eq!(s.balance(&s.surprises, &AssetInfo::cw20(fake)), 0);
    assert_eq!(s.balance(&s.addr("alice"), &usdc()), FUNDS);
    // Without funds the mint has no bond.
    s.exec("alice", &mint, &[]).unwrap();
    assert_eq!(s.surprise(&msg.token_id).bond, None);
}

#[test]
fn buying_takes_exactly_the_price_in_the_listed_asset() {
    let mut s = Suite::new();
    let fake = s.fake_token();
    let mesi = AssetInfo::cw20(s.mesi.clone());
    let native = s.mint("alice", "native");
    let token = s.mint("alice", "token");
    s.list("alice", &native, usdc(), 1_000).unwrap();
    s.list("alice", &token, mesi.clone(), 1_000).unwrap();

    let buy = |id: &str| ExecuteMsg::Buy {
        token_id: id.into(),
    };
    let wrong_amount = |paid| ContractError::WrongAmount {
        price: Uint128::new(1_000),
        paid: Uint128::new(paid),
    };
    // Native listing.
    assert_eq!(
        s.exec("carol", &buy(&native), &[]).unwrap_err(),
        AssetError::NoFunds.into()
    );
    let other = AssetError::NotAccepted(AssetInfo::native(OTHER));
    assert_eq!(
        s.exec("carol", &buy(&native), &[coin(1_000, OTHER)])
            .unwrap_err(),
        other.into()
    );
    let two = [coin(1_000, USDC), coin(1, OTHER)];
    assert_eq!(
        s.exec("carol", &buy(&native), &two).unwrap_err(),
        AssetError::MultipleCoins(2).into()
    );
    assert_eq!(
        s.exec("carol", &buy(&native), &[coin(999, USDC)])
            .unwrap_err(),
        wrong_amount(999)
    );
    assert_eq!(
        s.exec("carol", &buy(&native), &[coin(1_001, USDC)])
            .unwrap_err(),
        wrong_amount(1_001)
    );
    let err = s
        .send_cw20(
            &s.mesi.clone(),
            "carol",
            1_000,
            &ReceiveMsg::Buy {
                token_id: native.clone(),
            },
        )
        .unwrap_err();
    assert_eq!(err, AssetError::NotAccepted(mesi.clone()).into());
    let mut deps = mock_dependencies();
    let carol = deps.api.addr_make("carol");
    let zero = crate::contract::execute(
        deps.as_mut(),
        mock_env(),
        message_info(&carol, &[coin(0, USDC)]),
        buy(&native),
    );
    assert_eq!(zero.unwrap_err(), AssetError::ZeroAmount.into());

    // CW20 listing.
    let pay_with_cw20 = ContractError::PayWithCw20(mesi.clone());
    assert_eq!(
        s.exec("carol", &buy(&token), &[coin(1_000, USDC)])
            .unwrap_err(),
        pay_with_cw20
    );
    let err = s
        .send_cw20(
            &fake,
            "carol",
            1_000,
            &ReceiveMsg::Buy {
                token_id: token.clone(),
            },
        )
        .unwrap_err();
    assert_eq!(
        err,
        AssetError::NotAccepted(AssetInfo::cw20(fake.clone())).into()
    );
    let err = s.pretend_cw20(
        "mallory",
        "mallory",
        1_000,
        &ReceiveMsg::Buy {
            token_id: token.clone(),
        },
    );
    assert_eq!(
        err,
        AssetError::NotAccepted(AssetInfo::cw20(s.addr("mallory"))).into()
    );
    let err = s
        .send_cw20(
            &s.mesi.clone(),
            "carol",
            999,
            &ReceiveMsg::Buy {
                token_id: token.clone(),
            },
        )
        .unwrap_err();
    assert_eq!(err, wrong_amount(999));

    // Nothing moved; the right payments go through.
    let carol = s.addr("carol");
    assert_eq!(
        (s.balance(&carol, &usdc()), s.balance(&carol, &mesi)),
        (FUNDS, FUNDS)
    );
    assert_eq!(s.balance(&carol, &AssetInfo::cw20(fake.clone())), FUNDS);
    s.exec("carol", &buy(&native), &[coin(1_000, USDC)])
        .unwrap();
    s.send_cw20(
        &s.mesi.clone(),
        "carol",
        1_000,
        &ReceiveMsg::Buy {
            token_id: token.clone(),
        },
    )
    .unwrap();
    assert_eq!(
        (s.balance(&carol, &usdc()), s.balance(&carol, &mesi)),
        (FUNDS - 1_000, FUNDS - 1_000)
    );
    assert_eq!(
        (
            s.balance(&s.surprises, &usdc()),
            s.balance(&s.surprises, &mesi)
        ),
        (0, 0)
    );
}

#[test]
fn listing_needs_a_positive_price_in_an_accepted_asset() {
    let mut s = Suite::new();
    let token = s.mint("alice", "x");
    assert_eq!(
        s.list("alice", &token, usdc(), 0).unwrap_err(),
        ContractError::ZeroPrice
    );
    let other = AssetError::NotAccepted(AssetInfo::native(OTHER));
    assert_eq!(
        s.list("alice", &token, AssetInfo::native(OTHER), 10)
            .unwrap_err(),
        other.into()
    );
    let fake = AssetInfo::cw20(s.addr("mallory"));
    assert_eq!(
        s.list("alice", &token, fake.clone(), 10).unwrap_err(),
        AssetError::NotAccepted(fake).into()
    );
    let bad = s
        .list("alice", &token, AssetInfo::native("x"), 10)
        .unwrap_err();
    assert!(
        matches!(bad, ContractError::Asset(AssetError::Std(_))),
        "{bad:?}"
    );
    let bad = s
        .list(
            "alice",
            &token,
            AssetInfo::cw20(Addr::unchecked("not an address")),
            10,
        )
        .unwrap_err();
    assert!(
        matches!(bad, ContractError::Asset(AssetError::Std(_))),
        "{bad:?}"
    );
}
