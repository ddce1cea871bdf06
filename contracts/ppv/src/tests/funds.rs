//! Funds validation on every message.

use cosmwasm_std::testing::{message_info, mock_dependencies, mock_env};
use cosmwasm_std::{coin, coins, Uint128};
use cw20::Cw20ReceiveMsg;
use mesi_common::AssetError;

use super::*;

fn listed_suite() -> Suite {
    let mut s = Suite::new();
    let creator = s.creator.clone();
    s.list_item(&creator, "clip", 100, s.usdc()).unwrap();
    s.list_item(&creator, "song", 100, s.mesi_asset()).unwrap();
    s
}

#[test]
fn buy_with_native_coins_needs_exactly_one_coin_of_the_price() {
    let mut s = listed_suite();
    let (creator, fan) = (s.creator.clone(), s.fan());
    assert_error(
        s.buy(&fan, &creator, "clip", &[]),
        AssetError::NoFunds.into(),
    );
    assert_error(
        s.buy(&fan, &creator, "clip", &coins(100, ATOM)),
        AssetError::NotAccepted(AssetInfo::native(ATOM)).into(),
    );
    assert_error(
        s.buy(&fan, &creator, "clip", &[coin(100, ATOM), coin(100, USDC)]),
        AssetError::MultipleCoins(2).into(),
    );
    let wrong = |paid: u128| ContractError::WrongAmount {
        price: Uint128::new(100),
        paid: Uint128::new(paid),
    };
    assert_error(s.buy_usdc(&fan, &creator, "clip", 99), wrong(99));
    assert_error(s.buy_usdc(&fan, &creator, "clip", 101), wrong(101));
    // A CW20-priced item takes no native coins, with or without funds.
    let mesi = s.mesi.clone();
    let pay_with_token = || ContractError::PayWithToken {
        content_id: "song".into(),
        token: mesi.clone(),
    };
    assert_error(s.buy_usdc(&fan, &creator, "song", 100), pay_with_token());
    assert_error(s.buy(&fan, &creator, "song", &[]), pay_with_token());

    assert_eq!(s.balance(&fan, &s.usdc()), FAN_FUNDS);
    assert!(!s.has_access(&fan, &creator, "clip").allowed);
    s.assert_ppv_holds_nothing();
}

/// The bank refuses zero-amount coins before a contract sees them, so this is checked on the
/// entry point directly.
#[test]
fn a_zero_coin_is_refused() {
    let mut deps = mock_dependencies();
    let fan = deps.api.addr_make("fan");
    let creators = deps.api.addr_make("creators");
    let subscriptions = deps.api.addr_make("subscriptions");
    let msg = InstantiateMsg {
        creators: creators.to_string(),
        subscriptions: subscriptions.to_string(),
    };
    crate::contract::instantiate(deps.as_mut(), mock_env(), message_info(&fan, &[]), msg).unwrap();
    let creator = deps.api.addr_make("creator");
    let item = ContentItem {
        content_id: "clip".into(),
        creator: creator.clone(),
        price: Uint128::new(100),
        asset: AssetInfo::native(USDC),
        sale_ends_at: None,
        free_for_tier: None,
        listed: true,
        revision: 1,
    };
    crate::state::ITEMS
        .save(deps.as_mut().storage, (&creator, "clip"), &item)
        .unwrap();
    let buy = ExecuteMsg::Buy {
        creator: creator.to_string(),
        content_id: "clip".into(),
    };
    let result = crate::contract::execute(
        deps.as_mut(),
        mock_env(),
        message_info(&fan, &coins(0, USDC)),
        buy,
    );
    assert_eq!(result.unwrap_err(), AssetError::ZeroAmount.into());
}

#[test]
fn buy_with_a_cw20_token_needs_the_item_token_and_its_price() {
    let mut s = listed_suite();
    let (creator, fan) = (s.creator.clone(), s.fan());
    let fake = s.deploy_token("FAKE", std::slice::from_ref(&fan), FAN_FUNDS);

    // A token other than the item's.
    assert_error(
        s.buy_with_token(&fake, &fan, &creator, "song", 100),
        AssetError::NotAccepted(AssetInfo::cw20(fake.clone())).into(),
    );
    // MESI for an item priced in a native coin.
    assert_error(
        s.buy_mesi(&fan, &creator, "clip", 100),
        AssetError::NotAccepted(s.mesi_asset()).into(),
    );
    let wrong = |paid: u128| ContractError::WrongAmount {
        price: Uint128::new(100),
        paid: Uint128::new(paid),
    };
    assert_error(s.buy_mesi(&fan, &creator, "song", 99), wrong(99));
    assert_error(s.buy_mesi(&fan, &creator, "song", 101), wrong(101));
    // A hook message that is not ours.
    let send = Cw20ExecuteMsg::Send {
        contract: s.ppv.to_string(),
        amount: Uint128::new(100),
        msg: to_json_binary(&"tip").unwrap(),
    };
    assert_error_text(
        s.platform
            .app
            .execute_contract(fan.clone(), s.mesi.clone(), &send, &[]),
        "unknown variant",
    );

    assert_eq!(s.balance(&fan, &s.mesi_asset()), FAN_FUNDS);
    assert_eq!(s.balance(&fan, &AssetInfo::cw20(fake.clone())), FAN_FUNDS);
    assert_eq!(s.balance(&s.ppv, &AssetInfo::cw20(fake)), 0);
    assert!(!s.has_access(&fan, &creator, "song").allowed);
    s.assert_ppv_holds_nothing();
}

/// Anyone may call `Receive` directly; the caller is then taken as the token, which is refused.
#[test]
fn a_forged_receive_is_refused() {
    let mut s = listed_suite();
    let (creator, fan) = (s.creator.clone(), s.fan());
    let receive = |amount: u128, content_id: &str| {
        ExecuteMsg::Receive(Cw20ReceiveMsg {
            sender: fan.to_string(),
            amount: Uint128::new(amount),
            msg: to_json_binary(&ReceiveMsg::Buy {
                creator: creator.to_string(),
                content_id: content_id.into(),
            })
            .unwrap(),
        })
    };
    assert_error(
        s.execute(&fan, &receive(100, "song"), &[]),
        AssetError::NotAccepted(AssetInfo::cw20(fan.clone())).into(),
    );
    assert_error(
        s.execute(&fan, &receive(0, "song"), &[]),
        AssetError::ZeroAmount.into(),
    );
    // Zero from the real token (cw20-base itself refuses to send zero).
    let mesi = s.mesi.clone();
    assert_error(
        s.execute(&mesi, &receive(0, "song"), &[]),
        AssetError::ZeroAmount.into(),
    );
    // Native funds on the hook.
    assert_error(
        s.execute(&fan, &receive(100, "song"), &coins(100, USDC)),
        AssetError::UnexpectedFunds.into(),
    );
    assert!(!s.has_access(&fan, &creator, "song").allowed);
}

#[test]
fn non_payable_messages_refuse_funds() {
    let mut s = listed_suite();
    let creator = s.creator.clone();
    let funds = coins(1, USDC);
    let messages = [
        ExecuteMsg::ListItem {
            content_id: "new".into(),
            price: Uint128::one(),
            asset: s.usdc(),
            sale_ends_at: None,
            free_for_tier: None,
        },
        ExecuteMsg::UpdateItem {
            content_id: "clip".into(),
            price: Uint128::one(),
            asset: s.usdc(),
            sale_ends_at: None,
            free_for_tier: None,
        },
        ExecuteMsg::Delist {
            content_id: "clip".into(),
        },
    ];
    for msg in &messages {
        assert_error(
            s.execute(&creator, msg, &funds),
            AssetError::UnexpectedFunds.into(),
        );
    }
    let msg = InstantiateMsg {
        creators: s.creators.to_string(),
        subscriptions: s.subscriptions.to_string(),
    };
    let result = s.platform.app.instantiate_contract(
        s.ppv_code_id,
        creator.clone(),
        &msg,
        &funds,
        "ppv2",
        None,
    );
    assert_error(result, AssetError::UnexpectedFunds.into());
    assert_eq!(s.item(&creator, "clip").revision, 1);
    s.assert_ppv_holds_nothing();
}
