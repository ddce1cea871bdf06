//! Tips in CW20 tokens through the `Send` / `Receive` hook.

use cosmwasm_std::{coins, to_json_binary, Uint128};
use cw20::Cw20ReceiveMsg;
use mesi_common::chat_rule::ChatRule;
use mesi_common::events::tips::TipSent;
use mesi_common::events::AnyEvent;
use mesi_common::interfaces::tips::TipContext;
use mesi_common::{AssetError, AssetInfo};
use mesi_creators::msg as registry;

use super::*;

#[test]
fn mesi_tip_pays_fee_and_creator_and_counts_the_total() {
    let mut suite = Suite::new();
    let fan = suite.fan(0);
    let (carol, payout, treasury, mesi) = (
        suite.carol.clone(),
        suite.carol_payout.clone(),
        suite.treasury.clone(),
        suite.mesi.clone(),
    );
    let hook = TipHookMsg::Tip {
        creator: carol.to_string(),
        context: TipContext::Chat {
            thread_id: "thread-7".into(),
        },
        message: Some("for the reply".into()),
        anonymous: true,
    };
    let resp = suite.tip_cw20(&fan, &mesi, 10_001, hook).unwrap();
    assert_eq!(suite.token_balance(&mesi, &treasury), 500);
    assert_eq!(suite.token_balance(&mesi, &payout), 9_501);
    assert_eq!(suite.token_balance(&mesi, &fan), FAN_FUNDS - 10_001);
    suite.assert_tips_holds_nothing();
    let asset = AssetInfo::cw20(mesi.clone());
    assert_eq!(suite.total(&carol, &fan, &asset), 10_001);

    let expected = TipSent {
        creator: carol.clone(),
        fan: fan.clone(),
        asset: asset.clone(),
        amount: Uint128::new(10_001),
        fee: Uint128::new(500),
        creator_amount: Uint128::new(9_501),
        payout,
        context: TipContext::Chat {
            thread_id: "thread-7".into(),
        },
        message: Some("for the reply".into()),
        anonymous: true,
        fan_total: Uint128::new(10_001),
    };
    assert_eq!(single_event(&resp, &suite.tips), AnyEvent::Tip(expected));

    suite.mesi_tip(&fan, &carol, 99).unwrap();
    assert_eq!(suite.total(&carol, &fan, &asset), 10_100);
    // MESI and native totals are separate.
    assert_eq!(suite.total(&carol, &fan, &AssetInfo::native(USDC)), 0);
    suite.assert_tips_holds_nothing();
}

#[test]
fn tokens_the_platform_does_not_accept_are_refused() {
    let mut suite = Suite::new();
    let (fan, carol, other) = (suite.fan(0), suite.carol.clone(), suite.other_token.clone());
    let err = suite
        .tip_cw20(&fan, &other, 1_000, profile_hook(&carol))
        .unwrap_err();
    assert_eq!(
        err,
        ContractError::Asset(AssetError::NotAccepted(AssetInfo::cw20(other.clone())))
    );
    // The whole Send reverted.
    assert_eq!(suite.token_balance(&other, &fan), FAN_FUNDS);
    suite.assert_tips_holds_nothing();
}

/// Anyone can call `Receive` directly and claim a CW20 amount; only an accepted token's call counts.
#[test]
fn receive_from_a_non_token_sender_is_refused() {
    let mut suite = Suite::new();
    let (fan, carol) = (suite.fan(0), suite.carol.clone());
    let forged = ExecuteMsg::Receive(Cw20ReceiveMsg {
        sender: fan.to_string(),
        amount: Uint128::new(1_000),
        msg: to_json_binary(&profile_hook(&carol)).unwrap(),
    });
    let tips_addr = suite.tips.clone();
    let err = suite
        .app
        .execute_contract(fan.clone(), tips_addr, &forged, &[])
        .map_err(contract_error)
        .unwrap_err();
    assert_eq!(
        err,
        ContractError::Asset(AssetError::NotAccepted(AssetInfo::cw20(fan.clone())))
    );
    assert_eq!(suite.total(&carol, &fan, &AssetInfo::cw20(fan.clone())), 0);
}

#[test]
fn receive_funds_validation() {
    let mut suite = Suite::new();
    let (fan, carol, mesi) = (suite.fan(0), suite.carol.clone(), suite.mesi.clone());
    let hook = |amount: u128| {
        ExecuteMsg::Receive(Cw20ReceiveMsg {
            sender: fan.to_string(),
            amount: Uint128::new(amount),
            msg: to_json_binary(&profile_hook(&carol)).unwrap(),
        })
    };
    // A zero amount, as if from the token contract (cw20-base itself refuses zero sends).
    let tips_addr = suite.tips.clone();
    let err = suite
        .app
        .execute_contract(mesi.clone(), tips_addr, &hook(0), &[])
        .map_err(contract_error)
        .unwrap_err();
    assert_eq!(err, ContractError::Asset(AssetError::ZeroAmount));
    // Native coins along with the hook would be stuck in the contract.
    let tips_addr = suite.tips.clone();
    let err = suite
        .app
        .execute_contract(fan.clone(), tips_addr, &hook(1_000), &coins(5, USDC))
        .map_err(contract_error)
        .unwrap_err();
    assert_eq!(err, ContractError::Asset(AssetError::UnexpectedFunds));
    // A hook message that is not a tip.
    let send = cw20::Cw20ExecuteMsg::Send {
        contract: suite.tips.to_string(),
        amount: Uint128::new(1_000),
        msg: to_json_binary(&"tip").unwrap(),
    };
    let err = suite
        .app
        .execute_contract(fan.clone(), mesi.clone(), &send, &[])
        .map_err(contract_error)
        .unwrap_err();
    assert!(matches!(err, ContractError::Std(_)), "{err:?}");
    assert_eq!(suite.token_balance(&mesi, &fan), FAN_FUNDS);
    suite.assert_tips_holds_nothing();
}

#[test]
fn cw20_tips_follow_the_creators_terms() {
    let mut suite = Suite::new();
    let (fan, carol, mesi) = (suite.fan(0), suite.carol.clone(), suite.mesi.clone());
    let frank = suite.app.api().addr_make("frank");
    let mesi_asset = AssetInfo::cw20(mesi.clone());
    let profile = registry::ProfileInput {
        display_name: "frank".into(),
        payout: None,
        accepted_assets: vec![mesi_asset.clone()],
        tip_minimums: vec![(mesi_asset.clone(), Uint128::new(1_000))],
        chat_rule: ChatRule::Everyone,
    };
    let registry_addr = suite.registry.clone();
    suite
        .app
        .execute_contract(
            frank.clone(),
            registry_addr,
            &registry::ExecuteMsg::RegisterCreator { profile },
            &[],
        )
        .unwrap();

    assert_eq!(
        suite.mesi_tip(&fan, &frank, 999).unwrap_err(),
        ContractError::BelowMinimum {
            minimum: Uint128::new(1_000),
            asset: mesi_asset.clone()
        }
    );
    suite.mesi_tip(&fan, &frank, 1_000).unwrap();
    assert_eq!(suite.token_balance(&mesi, &frank), 950);
    // Frank takes MESI only.
    assert_eq!(
        suite.tip_native(&fan, &frank, 1_000, USDC).unwrap_err(),
        ContractError::Asset(AssetError::NotAccepted(AssetInfo::native(USDC)))
    );

    suite.set_creator_active(&carol, false);
    assert_eq!(
        suite.mesi_tip(&fan, &carol, 1_000).unwrap_err(),
        ContractError::CreatorInactive(carol.clone())
    );
    assert_eq!(suite.token_balance(&mesi, &fan), FAN_FUNDS - 1_000);
    suite.assert_tips_holds_nothing();
}
