//! Buy (native and CW20): payouts, events, totals, sale end, delisting, double purchase.

use cosmwasm_std::{to_json_binary, Uint128};
use mesi_common::events::ppv::PpvPurchase;
use mesi_common::interfaces::ppv::PpvQuery;
use mesi_common::interfaces::TotalResponse;

use super::*;
use crate::msg::{
    AccessReason, BuyerInfo, BuyersResponse, CreatorContent, PurchaseInfo, PurchasesResponse,
};

#[test]
fn buy_with_a_native_coin_pays_treasury_and_creator_at_once() {
    let mut s = Suite::new();
    let (creator, fan) = (s.creator.clone(), s.fan());
    s.list_item(&creator, "clip", 1_999, s.usdc()).unwrap();
    let fan_before = s.balance(&fan, &s.usdc());

    let response = s.buy_usdc(&fan, &creator, "clip", 1_999).unwrap();

    // fee = floor(1999 * 500 / 10000) = 99; the rounding dust goes to the creator.
    assert_eq!(s.balance(&s.treasury, &s.usdc()), 99);
    assert_eq!(s.balance(&s.payout, &s.usdc()), 1_900);
    assert_eq!(s.balance(&fan, &s.usdc()), fan_before - 1_999);
    s.assert_ppv_holds_nothing();
    assert_eq!(mesi_event_count(&response), 1);
    assert_eq!(
        single_event::<PpvPurchase>(&response),
        PpvPurchase {
            content_id: "clip".into(),
            creator: creator.clone(),
            buyer: fan.clone(),
            asset: s.usdc(),
            price: Uint128::new(1_999),
            fee: Uint128::new(99),
            creator_amount: Uint128::new(1_900),
            payout: s.payout.clone(),
            fan_total: Uint128::new(1_999),
        }
    );
    let access = s.has_access(&fan, &creator, "clip");
    assert!(access.allowed);
    assert_eq!(access.reason, AccessReason::Purchased);
    assert_eq!(s.spent(&creator, &fan, &s.usdc()), 1_999);
}

#[test]
fn buy_with_mesi_through_the_receive_hook() {
    let mut s = Suite::new();
    let (creator, fan) = (s.creator.clone(), s.fan());
    s.list_item(&creator, "song", 10_000, s.mesi_asset())
        .unwrap();

    let response = s.buy_mesi(&fan, &creator, "song", 10_000).unwrap();

    assert_eq!(s.balance(&s.treasury, &s.mesi_asset()), 500);
    assert_eq!(s.balance(&s.payout, &s.mesi_asset()), 9_500);
    assert_eq!(s.balance(&fan, &s.mesi_asset()), FAN_FUNDS - 10_000);
    s.assert_ppv_holds_nothing();
    assert_eq!(mesi_event_count(&response), 1);
    let event = single_event::<PpvPurchase>(&response);
    assert_eq!(
        (event.buyer, event.asset, event.fee, event.creator_amount),
        (
            fan.clone(),
            s.mesi_asset(),
            Uint128::new(500),
            Uint128::new(9_500)
        )
    );
    assert_eq!(
        s.has_access(&fan, &creator, "song").reason,
        AccessReason::Purchased
    );
    assert_eq!(s.spent(&creator, &fan, &s.mesi_asset()), 10_000);
    assert_eq!(s.spent(&creator, &fan, &s.usdc()), 0);
}

#[test]
fn a_zero_fee_sends_everything_to_the_creator_without_an_empty_transfer() {
    let mut s = Suite::new();
    s.set_ppv_fee(0);
    let (creator, fan) = (s.creator.clone(), s.fan());
    s.list_item(&creator, "clip", 3, s.usdc()).unwrap();
    s.list_item(&creator, "song", 3, s.mesi_asset()).unwrap();
    let response = s.buy_usdc(&fan, &creator, "clip", 3).unwrap();
    assert_eq!(single_event::<PpvPurchase>(&response).fee, Uint128::zero());
    s.buy_mesi(&fan, &creator, "song", 3).unwrap();
    assert_eq!(
        (
            s.balance(&s.payout, &s.usdc()),
            s.balance(&s.treasury, &s.usdc())
        ),
        (3, 0)
    );
    assert_eq!(
        (
            s.balance(&s.payout, &s.mesi_asset()),
            s.balance(&s.treasury, &s.mesi_asset())
        ),
        (3, 0)
    );
    s.assert_ppv_holds_nothing();
}

#[test]
fn the_fee_and_payout_in_force_at_purchase_time_apply() {
    let mut s = Suite::new();
    let (creator, fan, fan2) = (s.creator.clone(), s.fan(), s.fan2());
    s.list_item(&creator, "clip", 1_000, s.usdc()).unwrap();
    s.buy_usdc(&fan, &creator, "clip", 1_000).unwrap();
    s.set_ppv_fee(2_000);
    let new_payout = s.platform.app.api().addr_make("new_payout");
    let profile = ProfileInput {
        display_name: "Creator".into(),
        payout: Some(new_payout.to_string()),
        accepted_assets: vec![],
        tip_minimums: vec![],
        chat_rule: ChatRule::Everyone,
    };
    s.platform
        .app
        .execute_contract(
            creator.clone(),
            s.creators.clone(),
            &CreatorsExecuteMsg::UpdateCreator { profile },
            &[],
        )
        .unwrap();
    let event = single_event::<PpvPurchase>(&s.buy_usdc(&fan2, &creator, "clip", 1_000).unwrap());
    assert_eq!(
        (event.fee, event.creator_amount, event.payout.clone()),
        (Uint128::new(200), Uint128::new(800), new_payout.clone())
    );
    assert_eq!(s.balance(&s.treasury, &s.usdc()), 50 + 200);
    assert_eq!(s.balance(&s.payout, &s.usdc()), 950);
    assert_eq!(s.balance(&new_payout, &s.usdc()), 800);
    s.assert_ppv_holds_nothing();
}

#[test]
fn a_second_purchase_is_refused() {
    let mut s = Suite::new();
    let (creator, fan) = (s.creator.clone(), s.fan());
    s.list_item(&creator, "clip", 100, s.usdc()).unwrap();
    s.buy_usdc(&fan, &creator, "clip", 100).unwrap();
    assert_error(
        s.buy_usdc(&fan, &creator, "clip", 100),
        ContractError::AlreadyHasAccess(fan.clone()),
    );
    // Also after the creator changes the price or the asset.
    s.update_item(&creator, "clip", 40, s.mesi_asset()).unwrap();
    assert_error(
        s.buy_mesi(&fan, &creator, "clip", 40),
        ContractError::AlreadyHasAccess(fan.clone()),
    );
    // The creator always has access and never pays for their own item.
    assert_error(
        s.buy_mesi(&creator, &creator, "clip", 40),
        ContractError::AlreadyHasAccess(creator.clone()),
    );
    assert_eq!(s.spent(&creator, &fan, &s.usdc()), 100);
    assert_eq!(s.spent(&creator, &fan, &s.mesi_asset()), 0);
    assert_eq!(s.balance(&s.payout, &s.usdc()), 95);
    s.assert_ppv_holds_nothing();
}

#[test]
fn the_sale_ends_at_sale_ends_at() {
    let mut s = Suite::new();
    let (creator, fan, fan2) = (s.creator.clone(), s.fan(), s.fan2());
    let ends = s.now().plus_seconds(100);
    s.list_with(&creator, "live", 10, s.usdc(), Some(ends), None)
        .unwrap();
    s.advance(99);
    s.buy_usdc(&fan, &creator, "live", 10).unwrap();
    s.advance(1);
    assert_eq!(s.now(), ends);
    let ended = ContractError::SaleEnded {
        content_id: "live".into(),
        ended_at: ends,
    };
    assert_error(s.buy_usdc(&fan2, &creator, "live", 10), ended);
    // Buyers keep access after the sale.
    s.advance(1_000_000);
    assert_eq!(
        s.has_access(&fan, &creator, "live").reason,
        AccessReason::Purchased
    );
    assert_eq!(
        s.has_access(&fan2, &creator, "live").reason,
        AccessReason::None
    );
    // The creator may reopen the sale with a new end.
    let msg = ExecuteMsg::UpdateItem {
        content_id: "live".into(),
        price: Uint128::new(10),
        asset: s.usdc(),
        sale_ends_at: Some(s.now().plus_seconds(5)),
        free_for_tier: None,
    };
    s.execute(&creator, &msg, &[]).unwrap();
    s.buy_usdc(&fan2, &creator, "live", 10).unwrap();
    s.assert_ppv_holds_nothing();
}

#[test]
fn a_delisted_item_is_not_sold_but_buyers_keep_access() {
    let mut s = Suite::new();
    let (creator, fan, fan2) = (s.creator.clone(), s.fan(), s.fan2());
    s.list_item(&creator, "clip", 10, s.usdc()).unwrap();
    s.list_item(&creator, "song", 10, s.mesi_asset()).unwrap();
    s.buy_usdc(&fan, &creator, "clip", 10).unwrap();
    s.delist(&creator, "clip").unwrap();
    s.delist(&creator, "song").unwrap();
    assert_error(
        s.buy_usdc(&fan2, &creator, "clip", 10),
        ContractError::NotListed("clip".into()),
    );
    assert_error(
        s.buy_mesi(&fan2, &creator, "song", 10),
        ContractError::NotListed("song".into()),
    );
    assert_eq!(
        s.has_access(&fan, &creator, "clip").reason,
        AccessReason::Purchased
    );
    assert_eq!(
        s.has_access(&fan2, &creator, "clip").reason,
        AccessReason::None
    );
    assert_eq!(s.balance(&fan2, &s.mesi_asset()), FAN_FUNDS);
    s.assert_ppv_holds_nothing();
}

#[test]
fn an_unknown_item_is_not_sold() {
    let mut s = Suite::new();
    let (creator, other, fan) = (s.creator.clone(), s.other_creator.clone(), s.fan());
    // Another creator's item of that id is not this creator's.
    s.list_item(&other, "nope", 10, s.usdc()).unwrap();
    s.list_item(&other, "song", 10, s.mesi_asset()).unwrap();
    let not_found = |content_id: &str| ContractError::ItemNotFound {
        creator: creator.clone(),
        content_id: content_id.into(),
    };
    assert_error(s.buy_usdc(&fan, &creator, "nope", 10), not_found("nope"));
    assert_error(s.buy_mesi(&fan, &creator, "song", 10), not_found("song"));
    assert!(s
        .query::<AccessResponse>(&QueryMsg::HasAccess {
            viewer: fan.to_string(),
            creator: creator.to_string(),
            content_id: "nope".into()
        })
        .is_err());
    assert!(s
        .query::<ContentItem>(&QueryMsg::Item {
            creator: creator.to_string(),
            content_id: "nope".into()
        })
        .is_err());
    // The creator is validated wherever an item is named.
    let buy = ExecuteMsg::Buy {
        creator: "not-an-address".into(),
        content_id: "nope".into(),
    };
    assert_error_text(
        s.execute(&fan, &buy, &coins(10, USDC)),
        "Error decoding bech32",
    );
    let hook = Cw20ExecuteMsg::Send {
        contract: s.ppv.to_string(),
        amount: Uint128::new(10),
        msg: to_json_binary(&ReceiveMsg::Buy {
            creator: "not-an-address".into(),
            content_id: "song".into(),
        })
        .unwrap(),
    };
    assert_error_text(
        s.platform
            .app
            .execute_contract(fan.clone(), s.mesi.clone(), &hook, &[]),
        "Error decoding bech32",
    );
    for query in [
        QueryMsg::Item {
            creator: "bad".into(),
            content_id: "nope".into(),
        },
        QueryMsg::HasAccess {
            viewer: fan.to_string(),
            creator: "bad".into(),
            content_id: "nope".into(),
        },
        QueryMsg::Buyers {
            creator: "bad".into(),
            content_id: "nope".into(),
            start_after: None,
            limit: None,
        },
    ] {
        assert!(s.query::<cosmwasm_std::Empty>(&query).is_err(), "{query:?}");
    }
    assert_eq!(s.balance(&fan, &s.mesi_asset()), FAN_FUNDS);
    s.assert_ppv_holds_nothing();
}

#[test]
fn an_inactive_creator_sells_nothing() {
    let mut s = Suite::new();
    let (creator, fan) = (s.creator.clone(), s.fan());
    s.list_item(&creator, "clip", 10, s.usdc()).unwrap();
    s.list_item(&creator, "song", 10, s.mesi_asset()).unwrap();
    s.set_creator_active(&creator, false);
    assert_error(
        s.buy_usdc(&fan, &creator, "clip", 10),
        ContractError::CreatorInactive(creator.clone()),
    );
    assert_error(
        s.buy_mesi(&fan, &creator, "song", 10),
        ContractError::CreatorInactive(creator.clone()),
    );
    s.set_creator_active(&creator, true);
    s.buy_usdc(&fan, &creator, "clip", 10).unwrap();
    s.assert_ppv_holds_nothing();
}

#[test]
fn an_asset_the_platform_drops_stops_selling() {
    let mut s = Suite::new();
    let (creator, fan) = (s.creator.clone(), s.fan());
    s.list_item(&creator, "song", 10, s.mesi_asset()).unwrap();
    let usdc = s.usdc();
    s.set_accepted_assets(vec![usdc]);
    assert_error(
        s.buy_mesi(&fan, &creator, "song", 10),
        mesi_common::AssetError::NotAccepted(s.mesi_asset()).into(),
    );
    assert_eq!(s.balance(&fan, &s.mesi_asset()), FAN_FUNDS);
    s.assert_ppv_holds_nothing();
}

#[test]
fn spent_totals_add_up_per_creator_fan_and_asset() {
    let mut s = Suite::new();
    let (creator, other, fan, fan2) = (
        s.creator.clone(),
        s.other_creator.clone(),
        s.fan(),
        s.fan2(),
    );
    s.list_item(&creator, "a", 10, s.usdc()).unwrap();
    s.list_item(&creator, "b", 25, s.usdc()).unwrap();
    s.list_item(&creator, "c", 7, s.mesi_asset()).unwrap();
    s.list_item(&other, "d", 1_000, s.usdc()).unwrap();
    s.buy_usdc(&fan, &creator, "a", 10).unwrap();
    let event = single_event::<PpvPurchase>(&s.buy_usdc(&fan, &creator, "b", 25).unwrap());
    assert_eq!(event.fan_total, Uint128::new(35));
    s.buy_mesi(&fan, &creator, "c", 7).unwrap();
    s.buy_usdc(&fan, &other, "d", 1_000).unwrap();
    s.buy_usdc(&fan2, &creator, "b", 25).unwrap();

    assert_eq!(s.spent(&creator, &fan, &s.usdc()), 35);
    assert_eq!(s.spent(&creator, &fan, &s.mesi_asset()), 7);
    assert_eq!(s.spent(&other, &fan, &s.usdc()), 1_000);
    assert_eq!(s.spent(&creator, &fan2, &s.usdc()), 25);
    assert_eq!(s.spent(&other, &fan2, &s.usdc()), 0);
    assert_eq!(s.spent(&fan, &creator, &s.usdc()), 0);
    s.assert_ppv_holds_nothing();
}

/// The query other contracts send (`PpvQuery::SpentTotal`) serializes like ours and is answered.
#[test]
fn spent_total_answers_the_shared_interface() {
    let mut s = Suite::new();
    let (creator, fan) = (s.creator.clone(), s.fan());
    s.list_item(&creator, "a", 42, s.usdc()).unwrap();
    s.buy_usdc(&fan, &creator, "a", 42).unwrap();
    let shared = PpvQuery::SpentTotal {
        creator: creator.to_string(),
        fan: fan.to_string(),
        asset: s.usdc(),
    };
    let ours = QueryMsg::SpentTotal {
        creator: creator.to_string(),
        fan: fan.to_string(),
        asset: s.usdc(),
    };
    assert_eq!(
        to_json_binary(&shared).unwrap(),
        to_json_binary(&ours).unwrap()
    );
    let answer: TotalResponse = s
        .platform
        .app
        .wrap()
        .query_wasm_smart(&s.ppv, &shared)
        .unwrap();
    assert_eq!(
        answer,
        TotalResponse {
            amount: Uint128::new(42)
        }
    );
    let bad = PpvQuery::SpentTotal {
        creator: "bad".into(),
        fan: fan.to_string(),
        asset: s.usdc(),
    };
    assert!(s
        .app
        .wrap()
        .query_wasm_smart::<TotalResponse>(&s.ppv, &bad)
        .is_err());
}

#[test]
fn purchases_of_a_fan_and_buyers_of_an_item_paginate() {
    let mut s = Suite::new();
    let (creator, other) = (s.creator.clone(), s.other_creator.clone());
    let fans = s.fans.clone();
    s.list_item(&creator, "b", 10, s.usdc()).unwrap();
    s.list_item(&creator, "a", 20, s.mesi_asset()).unwrap();
    // The other creator's "a" is another item.
    s.list_item(&other, "a", 30, s.usdc()).unwrap();
    let t0 = s.now();
    for fan in &fans {
        s.buy_usdc(fan, &creator, "b", 10).unwrap();
    }
    s.advance(60);
    s.buy_mesi(&fans[0], &creator, "a", 20).unwrap();
    s.buy_usdc(&fans[0], &other, "a", 30).unwrap();

    let purchases = |s: &Suite, start_after: Option<&PurchaseInfo>, limit| {
        let msg = QueryMsg::Purchases {
            fan: fans[0].to_string(),
            start_after: start_after.map(|p| CreatorContent {
                creator: p.creator.to_string(),
                content_id: p.content_id.clone(),
            }),
            limit,
        };
        s.query::<PurchasesResponse>(&msg).unwrap().purchases
    };
    // Ordered by creator, then content id.
    let mut expected = vec![
        PurchaseInfo {
            content_id: "a".into(),
            creator: creator.clone(),
            asset: s.mesi_asset(),
            price: Uint128::new(20),
            purchased_at: t0.plus_seconds(60),
        },
        PurchaseInfo {
            content_id: "b".into(),
            creator: creator.clone(),
            asset: s.usdc(),
            price: Uint128::new(10),
            purchased_at: t0,
        },
        PurchaseInfo {
            content_id: "a".into(),
            creator: other.clone(),
            asset: s.usdc(),
            price: Uint128::new(30),
            purchased_at: t0.plus_seconds(60),
        },
    ];
    expected.sort_by(|x, y| (&x.creator, &x.content_id).cmp(&(&y.creator, &y.content_id)));
    let all = purchases(&s, None, None);
    assert_eq!(all, expected);
    assert_eq!(purchases(&s, None, Some(2)), all[..2]);
    assert_eq!(purchases(&s, Some(&all[1]), Some(2)), all[2..]);
    assert_eq!(purchases(&s, Some(&all[0]), Some(1)), all[1..2]);
    assert_eq!(purchases(&s, Some(&all[2]), None), vec![]);
    let msg = QueryMsg::Purchases {
        fan: fans[1].to_string(),
        start_after: None,
        limit: None,
    };
    assert_eq!(
        s.query::<PurchasesResponse>(&msg).unwrap().purchases.len(),
        1
    );
    let msg = QueryMsg::Purchases {
        fan: fans[0].to_string(),
        start_after: Some(CreatorContent {
            creator: "bad".into(),
            content_id: "a".into(),
        }),
        limit: None,
    };
    assert!(s.query::<PurchasesResponse>(&msg).is_err());

    let buyers = |s: &Suite, start_after: Option<&Addr>, limit| {
        let msg = QueryMsg::Buyers {
            creator: creator.to_string(),
            content_id: "b".into(),
            start_after: start_after.map(Addr::to_string),
            limit,
        };
        s.query::<BuyersResponse>(&msg).unwrap().buyers
    };
    let mut sorted = fans.clone();
    sorted.sort();
    let expected: Vec<_> = sorted
        .iter()
        .map(|fan| BuyerInfo {
            buyer: fan.clone(),
            purchased_at: t0,
        })
        .collect();
    assert_eq!(buyers(&s, None, None), expected);
    assert_eq!(buyers(&s, None, Some(3)), expected[..3]);
    assert_eq!(buyers(&s, Some(&sorted[2]), Some(3)), expected[3..]);
    // Each creator's "a" has its own buyers.
    for item_creator in [&creator, &other] {
        let msg = QueryMsg::Buyers {
            creator: item_creator.to_string(),
            content_id: "a".into(),
            start_after: None,
            limit: None,
        };
        assert_eq!(
            s.query::<BuyersResponse>(&msg).unwrap().buyers,
            vec![BuyerInfo {
                buyer: fans[0].clone(),
                purchased_at: t0.plus_seconds(60)
            }]
        );
    }
    let msg = QueryMsg::Buyers {
        creator: other.to_string(),
        content_id: "b".into(),
        start_after: None,
        limit: None,
    };
    assert_eq!(s.query::<BuyersResponse>(&msg).unwrap().buyers, vec![]);
    let msg = QueryMsg::Buyers {
        creator: creator.to_string(),
        content_id: "b".into(),
        start_after: Some("bad".into()),
        limit: None,
    };
    assert!(s.query::<BuyersResponse>(&msg).is_err());
}

/// The registry's chat gate reads our totals through the shared interface.
#[test]
fn the_chat_gate_counts_ppv_spending() {
    let mut s = Suite::new();
    let (creator, fan) = (s.creator.clone(), s.fan());
    let contracts = SiblingContracts {
        ppv: Some(s.ppv.to_string()),
        ..SiblingContracts::default()
    };
    let msg = CreatorsExecuteMsg::UpdateConfig {
        treasury: None,
        fees: None,
        accepted_assets: None,
        fiat_gateways: None,
        arbiter: None,
        contracts: Some(contracts),
    };
    s.update_registry(msg);
    let rule = ChatRule::PpvSpentAtLeast {
        asset: s.usdc(),
        amount: Uint128::new(100),
    };
    let msg = CreatorsExecuteMsg::SetChatRule { rule };
    s.platform
        .app
        .execute_contract(creator.clone(), s.creators.clone(), &msg, &[])
        .unwrap();
    s.list_item(&creator, "a", 60, s.usdc()).unwrap();
    s.list_item(&creator, "b", 40, s.usdc()).unwrap();

    let can_message = |s: &Suite| {
        let query = mesi_creators::msg::QueryMsg::CanMessage {
            creator: creator.to_string(),
            fan: fan.to_string(),
        };
        let response: mesi_common::chat_rule::CanMessageResponse = s
            .platform
            .app
            .wrap()
            .query_wasm_smart(&s.creators, &query)
            .unwrap();
        response.allowed
    };
    assert!(!can_message(&s));
    s.buy_usdc(&fan, &creator, "a", 60).unwrap();
    assert!(!can_message(&s));
    s.buy_usdc(&fan, &creator, "b", 40).unwrap();
    assert!(can_message(&s));
}
