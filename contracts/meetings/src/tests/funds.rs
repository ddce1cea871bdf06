//! Funds validation: exactly one coin of the auction's asset on a bid, none elsewhere, CW20 only
//! from the auction's token.

use cosmwasm_std::testing::{message_info, mock_dependencies, mock_env, MockApi};
use cosmwasm_std::{coins, to_json_binary, Addr, Coin, Uint128};
use cw20::Cw20ReceiveMsg;
use cw_ownable::Action;
use mesi_common::{AssetError, AssetInfo};

use super::*;
use crate::msg::DisputeOutcome;
use crate::state::{auctions, Auction};

#[test]
fn a_native_bid_needs_exactly_one_coin_of_the_auction_asset() {
    let mut s = Suite::new();
    let id = s.open_default();
    let alice = s.alice.clone();
    let bid = ExecuteMsg::Bid { auction_id: id };
    assert_eq!(
        s.exec_with_funds(&alice, &bid, &[]).unwrap_err(),
        AssetError::NoFunds.into()
    );
    assert_eq!(
        s.exec_with_funds(&alice, &bid, &coins(5_000, "uatom"))
            .unwrap_err(),
        AssetError::NotAccepted(AssetInfo::native("uatom")).into()
    );
    let two = [Coin::new(5_000u128, "uatom"), Coin::new(5_000u128, USDC)];
    assert_eq!(
        s.exec_with_funds(&alice, &bid, &two).unwrap_err(),
        AssetError::MultipleCoins(2).into()
    );
    assert_eq!(s.usdc_of(&s.meetings.clone()), 0);
    assert_eq!(s.usdc_of(&alice), START_BALANCE);
    s.exec_with_funds(&alice, &bid, &coins(5_000, USDC))
        .unwrap();
}

#[test]
fn a_zero_coin_bid_is_refused() {
    // Called directly: a chain drops zero coins before the contract sees them, a test app may not.
    let mut deps = mock_dependencies();
    let api = MockApi::default();
    let (creator, fan) = (api.addr_make("creator"), api.addr_make("fan"));
    let env = mock_env();
    let auction = Auction {
        creator,
        slot: crate::state::Slot {
            start: env.block.time.plus_seconds(DAY),
            duration_secs: 1_800,
            time_zone: "UTC".into(),
        },
        format: mesi_common::events::meetings::MeetingFormat::Audio,
        description: String::new(),
        asset: usdc(),
        reserve: Uint128::zero(),
        min_increment_bps: 0,
        ends_at: env.block.time.plus_seconds(3_600),
        extension_secs: 0,
        buy_now: None,
        fee_bps: 0,
        state: mesi_common::events::meetings::AuctionState::Open,
    };
    auctions().save(&mut deps.storage, 1, &auction).unwrap();
    let err = crate::contract::execute(
        deps.as_mut(),
        env,
        message_info(&fan, &coins(0, USDC)),
        ExecuteMsg::Bid { auction_id: 1 },
    )
    .unwrap_err();
    assert_eq!(err, AssetError::ZeroAmount.into());
}

#[test]
fn cw20_bids_come_only_from_the_auction_token() {
    let mut s = Suite::new();
    let mut input = s.auction_input();
    input.asset = s.mesi_asset();
    let creator = s.creator.clone();
    let mesi_auction = s.open(&creator, input).unwrap();
    let usdc_auction = s.open_default();
    let alice = s.alice.clone();

    // An unknown token with the same interface.
    let fake = s.deploy_token("FAKE", std::slice::from_ref(&alice), 1_000_000);
    let fake_asset = AssetInfo::cw20(fake.clone());
    assert_eq!(
        s.send_cw20(&fake, &alice, mesi_auction, 5_000).unwrap_err(),
        AssetError::NotAccepted(fake_asset.clone()).into()
    );
    // MESI on a USDC auction.
    assert_eq!(
        s.bid_cw20(&alice, usdc_auction, 5_000).unwrap_err(),
        AssetError::NotAccepted(s.mesi_asset()).into()
    );
    // Anyone can call Receive directly, claiming tokens it never sent.
    let forged = ExecuteMsg::Receive(Cw20ReceiveMsg {
        sender: alice.to_string(),
        amount: Uint128::new(5_000),
        msg: to_json_binary(&ReceiveMsg::Bid {
            auction_id: mesi_auction,
        })
        .unwrap(),
    });
    assert_eq!(
        s.exec(&alice, &forged).unwrap_err(),
        AssetError::NotAccepted(AssetInfo::cw20(alice.clone())).into()
    );
    // A zero amount, even from the right token.
    let mesi = s.mesi();
    let zero = ExecuteMsg::Receive(Cw20ReceiveMsg {
        sender: alice.to_string(),
        amount: Uint128::zero(),
        msg: to_json_binary(&ReceiveMsg::Bid {
            auction_id: mesi_auction,
        })
        .unwrap(),
    });
    assert_eq!(
        s.exec(&mesi, &zero).unwrap_err(),
        AssetError::ZeroAmount.into()
    );
    // Native funds alongside the hook.
    let with_funds = ExecuteMsg::Receive(Cw20ReceiveMsg {
        sender: alice.to_string(),
        amount: Uint128::new(5_000),
        msg: to_json_binary(&ReceiveMsg::Bid {
            auction_id: mesi_auction,
        })
        .unwrap(),
    });
    s.app
        .init_modules(|router, _, storage| {
            router.bank.init_balance(storage, &mesi, coins(10, USDC))
        })
        .unwrap();
    assert_eq!(
        s.exec_with_funds(&mesi, &with_funds, &coins(1, USDC))
            .unwrap_err(),
        AssetError::UnexpectedFunds.into()
    );

    assert_eq!(s.balance(&s.meetings.clone(), &s.mesi_asset()), 0);
    assert_eq!(s.balance(&alice, &fake_asset), 1_000_000);
    assert_eq!(s.auction(mesi_auction).top_bid, None);
    s.bid_cw20(&alice, mesi_auction, 5_000).unwrap();
}

#[test]
fn every_other_message_refuses_funds() {
    let mut s = Suite::new();
    let id = s.disputed_meeting(5_000);
    let open_id = s.open_default();
    let (creator, alice, arbiter, owner, mesi) = (
        s.creator.clone(),
        s.alice.clone(),
        s.arbiter(),
        s.owner.clone(),
        s.mesi(),
    );
    let start = s.now().plus_seconds(DAY);
    let input = s.auction_input();
    let receive = ExecuteMsg::Receive(Cw20ReceiveMsg {
        sender: alice.to_string(),
        amount: Uint128::new(5_000),
        msg: to_json_binary(&ReceiveMsg::Bid {
            auction_id: open_id,
        })
        .unwrap(),
    });
    s.app
        .init_modules(|router, _, storage| {
            router.bank.init_balance(storage, &mesi, coins(10, USDC))
        })
        .unwrap();
    let cases: Vec<(Addr, ExecuteMsg)> = vec![
        (
            owner.clone(),
            ExecuteMsg::UpdateConfig {
                max_open_auctions: Some(5),
                dispute_window_secs: None,
                cancellation_fee_bps: None,
            },
        ),
        (
            owner,
            ExecuteMsg::UpdateOwnership(Action::TransferOwnership {
                new_owner: alice.to_string(),
                expiry: None,
            }),
        ),
        (creator.clone(), ExecuteMsg::OpenAuction { auction: input }),
        (
            creator.clone(),
            ExecuteMsg::CancelAuction {
                auction_id: open_id,
            },
        ),
        (mesi, receive),
        (
            alice.clone(),
            ExecuteMsg::Settle {
                auction_id: open_id,
            },
        ),
        (
            creator.clone(),
            ExecuteMsg::MarkHeld {
                meeting_id: id,
                fan_no_show: false,
            },
        ),
        (alice.clone(), ExecuteMsg::Confirm { meeting_id: id }),
        (
            alice.clone(),
            ExecuteMsg::Dispute {
                meeting_id: id,
                reason: None,
            },
        ),
        (
            arbiter,
            ExecuteMsg::Resolve {
                meeting_id: id,
                outcome: DisputeOutcome::Refund {},
            },
        ),
        (creator.clone(), ExecuteMsg::Claim { meeting_id: id }),
        (
            creator.clone(),
            ExecuteMsg::ProposeReschedule {
                meeting_id: id,
                start,
                duration_secs: 1_800,
            },
        ),
        (
            alice.clone(),
            ExecuteMsg::AcceptReschedule {
                meeting_id: id,
                start,
                duration_secs: 1_800,
            },
        ),
        (creator, ExecuteMsg::DeclineReschedule { meeting_id: id }),
    ];
    for (sender, msg) in cases {
        assert_eq!(
            s.exec_with_funds(&sender, &msg, &coins(1, USDC))
                .unwrap_err(),
            AssetError::UnexpectedFunds.into(),
            "{msg:?}"
        );
    }
    assert_eq!(s.usdc_of(&s.meetings.clone()), 5_000);

    // Instantiating takes no funds either.
    let code = s.meetings_code;
    let alice_funds = coins(1, USDC);
    let msg = InstantiateMsg {
        owner: None,
        creators: s.registry.to_string(),
        max_open_auctions: 1,
        dispute_window_secs: DISPUTE_WINDOW,
    };
    let err = s
        .app
        .instantiate_contract(code, alice, &msg, &alice_funds, "again", None)
        .unwrap_err();
    assert_eq!(
        err.downcast::<ContractError>().unwrap(),
        AssetError::UnexpectedFunds.into()
    );
}
