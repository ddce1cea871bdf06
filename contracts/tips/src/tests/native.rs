//! Tips in native coins.

use cosmwasm_std::{coins, Coin, Uint128};
use mesi_common::chat_rule::{CanMessageResponse, ChatRule};
use mesi_common::events::tips::TipSent;
use mesi_common::events::AnyEvent;
use mesi_common::interfaces::tips::{TipContext, MAX_TIP_MESSAGE_LEN};
use mesi_common::{AssetError, AssetInfo};
use mesi_creators::msg as registry;

use super::*;

#[test]
fn native_tip_pays_fee_and_creator_and_counts_the_total() {
    let mut suite = Suite::new();
    let fan = suite.fan(0);
    let (carol, payout, treasury) = (
        suite.carol.clone(),
        suite.carol_payout.clone(),
        suite.treasury.clone(),
    );
    let fan_before = suite.native_balance(&fan, USDC);

    let resp = suite
        .tip_with(
            &fan,
            &carol,
            &coins(1_000, USDC),
            TipContext::Stream {
                id: "live-42".into(),
            },
            Some("great stream!"),
        )
        .unwrap();
    assert_eq!(suite.native_balance(&treasury, USDC), 50);
    assert_eq!(suite.native_balance(&payout, USDC), 950);
    assert_eq!(suite.native_balance(&carol, USDC), 0);
    assert_eq!(suite.native_balance(&fan, USDC), fan_before - 1_000);
    suite.assert_tips_holds_nothing();
    assert_eq!(suite.total(&carol, &fan, &AssetInfo::native(USDC)), 1_000);

    // The event, decoded from the emitted attributes as the indexer does, carries the whole tip.
    let expected = TipSent {
        creator: carol.clone(),
        fan: fan.clone(),
        asset: AssetInfo::native(USDC),
        amount: Uint128::new(1_000),
        fee: Uint128::new(50),
        creator_amount: Uint128::new(950),
        payout: payout.clone(),
        context: TipContext::Stream {
            id: "live-42".into(),
        },
        message: Some("great stream!".into()),
        anonymous: false,
        fan_total: Uint128::new(1_000),
    };
    assert_eq!(single_event(&resp, &suite.tips), AnyEvent::Tip(expected));

    // Rounding: floor(999 * 5%) = 49 to the treasury, the dust to the creator.
    let resp = suite
        .tip_with(
            &fan,
            &carol,
            &coins(999, USDC),
            TipContext::Chat {
                thread_id: "t1".into(),
            },
            None,
        )
        .unwrap();
    assert_eq!(suite.native_balance(&treasury, USDC), 50 + 49);
    assert_eq!(suite.native_balance(&payout, USDC), 950 + 950);
    suite.assert_tips_holds_nothing();
    let AnyEvent::Tip(ev) = single_event(&resp, &suite.tips) else {
        panic!("expected a tip event")
    };
    assert_eq!(
        (ev.fee, ev.creator_amount, ev.fan_total),
        (Uint128::new(49), Uint128::new(950), Uint128::new(1_999))
    );
    assert_eq!(ev.message, None);
    assert_eq!(suite.total(&carol, &fan, &AssetInfo::native(USDC)), 1_999);
}

#[test]
fn totals_are_kept_per_creator_fan_and_asset() {
    let mut suite = Suite::new();
    let (fan0, fan1) = (suite.fan(0), suite.fan(1));
    let (carol, dave) = (suite.carol.clone(), suite.dave.clone());
    suite.tip_native(&fan0, &carol, 100, USDC).unwrap();
    suite.tip_native(&fan0, &carol, 7, ATOM).unwrap();
    suite.tip_native(&fan0, &dave, 300, USDC).unwrap();
    suite.tip_native(&fan1, &carol, 400, USDC).unwrap();
    let usdc = AssetInfo::native(USDC);
    assert_eq!(suite.total(&carol, &fan0, &usdc), 100);
    assert_eq!(suite.total(&carol, &fan0, &AssetInfo::native(ATOM)), 7);
    assert_eq!(suite.total(&dave, &fan0, &usdc), 300);
    assert_eq!(suite.total(&carol, &fan1, &usdc), 400);
    assert_eq!(suite.total(&dave, &fan1, &usdc), 0);
    // Dave is paid at his own address.
    assert_eq!(suite.native_balance(&dave, USDC), 285);
}

#[test]
fn anonymous_flag_and_empty_message_reach_the_event() {
    let mut suite = Suite::new();
    let fan = suite.fan(0);
    let msg = ExecuteMsg::Tip {
        creator: suite.dave.to_string(),
        context: TipContext::Profile,
        message: Some(String::new()),
        anonymous: true,
    };
    let tips_addr = suite.tips.clone();
    let resp = suite
        .app
        .execute_contract(fan, tips_addr, &msg, &coins(10, ATOM))
        .unwrap();
    let AnyEvent::Tip(ev) = single_event(&resp, &suite.tips) else {
        panic!("expected a tip event")
    };
    assert!(ev.anonymous);
    assert_eq!(ev.message, None);
}

#[test]
fn a_zero_fee_sends_everything_to_the_creator() {
    let mut suite = Suite::new();
    suite.set_tip_fee(0);
    let (fan, dave, treasury) = (suite.fan(0), suite.dave.clone(), suite.treasury.clone());
    let resp = suite.tip_native(&fan, &dave, 1, ATOM).unwrap();
    assert_eq!(suite.native_balance(&dave, ATOM), 1);
    assert_eq!(suite.native_balance(&treasury, ATOM), 0);
    // One payout, to the creator: no empty transfer to the treasury.
    let payouts: Vec<_> = resp
        .events
        .iter()
        .filter(|e| {
            e.ty == "transfer"
                && e.attributes
                    .iter()
                    .any(|a| a.key == "sender" && a.value == suite.tips.as_str())
        })
        .collect();
    assert_eq!(payouts.len(), 1, "{payouts:?}");
    assert!(payouts[0]
        .attributes
        .iter()
        .any(|a| a.key == "recipient" && a.value == dave.as_str()));
}

#[test]
fn tips_below_the_creator_minimum_are_refused() {
    let mut suite = Suite::new();
    let (fan, carol) = (suite.fan(0), suite.carol.clone());
    assert_eq!(
        suite
            .tip_native(&fan, &carol, USDC_MINIMUM - 1, USDC)
            .unwrap_err(),
        ContractError::BelowMinimum {
            minimum: Uint128::new(USDC_MINIMUM),
            asset: AssetInfo::native(USDC)
        }
    );
    suite.tip_native(&fan, &carol, USDC_MINIMUM, USDC).unwrap();
    // The minimum is per asset: no ATOM minimum is set.
    suite.tip_native(&fan, &carol, 1, ATOM).unwrap();
    assert_eq!(
        suite.total(&carol, &fan, &AssetInfo::native(USDC)),
        USDC_MINIMUM
    );
}

#[test]
fn inactive_and_unregistered_creators_take_no_tips() {
    let mut suite = Suite::new();
    let (fan, carol) = (suite.fan(0), suite.carol.clone());
    suite.set_creator_active(&carol, false);
    assert_eq!(
        suite.tip_native(&fan, &carol, 500, USDC).unwrap_err(),
        ContractError::CreatorInactive(carol.clone())
    );
    suite.set_creator_active(&carol, true);
    suite.tip_native(&fan, &carol, 500, USDC).unwrap();

    let stranger = suite.app.api().addr_make("stranger");
    let err = suite.tip_native(&fan, &stranger, 500, USDC).unwrap_err();
    assert!(
        matches!(&err, ContractError::NoPaymentTerms { creator, reason } if *creator == stranger && reason.contains("not found")),
        "{err:?}"
    );
    let msg = ExecuteMsg::Tip {
        creator: "Not-An-Address".into(),
        context: TipContext::Profile,
        message: None,
        anonymous: false,
    };
    let tips_addr = suite.tips.clone();
    let err = suite
        .app
        .execute_contract(fan.clone(), tips_addr, &msg, &coins(500, USDC))
        .unwrap_err();
    assert!(matches!(contract_error(err), ContractError::Std(_)));
    assert_eq!(suite.native_balance(&fan, USDC), FAN_FUNDS - 500);
    suite.assert_tips_holds_nothing();
}

#[test]
fn assets_the_creator_does_not_accept_are_refused() {
    let mut suite = Suite::new();
    let (fan, carol) = (suite.fan(0), suite.carol.clone());
    // Not accepted by the platform.
    assert_eq!(
        suite.tip_native(&fan, &carol, 500, JUNK).unwrap_err(),
        ContractError::Asset(AssetError::NotAccepted(AssetInfo::native(JUNK)))
    );
    // Accepted by the platform, not by this creator.
    let erin = suite.app.api().addr_make("erin");
    let profile = registry::ProfileInput {
        display_name: "erin".into(),
        payout: None,
        accepted_assets: vec![AssetInfo::native(ATOM)],
        tip_minimums: vec![],
        chat_rule: ChatRule::Everyone,
    };
    let registry_addr = suite.registry.clone();
    suite
        .app
        .execute_contract(
            erin.clone(),
            registry_addr,
            &registry::ExecuteMsg::RegisterCreator { profile },
            &[],
        )
        .unwrap();
    assert_eq!(
        suite.tip_native(&fan, &erin, 500, USDC).unwrap_err(),
        ContractError::Asset(AssetError::NotAccepted(AssetInfo::native(USDC)))
    );
    suite.tip_native(&fan, &erin, 500, ATOM).unwrap();
}

#[test]
fn native_funds_validation() {
    let mut suite = Suite::new();
    let (fan, carol) = (suite.fan(0), suite.carol.clone());
    assert_eq!(
        suite.tip(&fan, &carol, &[]).unwrap_err(),
        ContractError::Asset(AssetError::NoFunds)
    );
    let two = [Coin::new(500u128, ATOM), Coin::new(500u128, USDC)];
    assert_eq!(
        suite.tip(&fan, &carol, &two).unwrap_err(),
        ContractError::Asset(AssetError::MultipleCoins(2))
    );
    assert_eq!(suite.native_balance(&fan, USDC), FAN_FUNDS);
    suite.assert_tips_holds_nothing();
}

/// The bank (multi-test's and the chain's) refuses a zero coin before a contract sees it, so
/// this runs on mocks.
#[test]
fn a_zero_coin_is_refused() {
    use cosmwasm_std::testing::{message_info, mock_dependencies, mock_env};
    let mut deps = mock_dependencies();
    let fan = deps.api.addr_make("fan");
    let carol = deps.api.addr_make("carol");
    let msg = ExecuteMsg::Tip {
        creator: carol.to_string(),
        context: TipContext::Profile,
        message: None,
        anonymous: false,
    };
    let err = crate::contract::execute(
        deps.as_mut(),
        mock_env(),
        message_info(&fan, &coins(0, USDC)),
        msg,
    )
    .unwrap_err();
    assert_eq!(err, ContractError::Asset(AssetError::ZeroAmount));
}

#[test]
fn message_and_context_are_bounded() {
    let mut suite = Suite::new();
    let (fan, dave) = (suite.fan(0), suite.dave.clone());
    let longest = "é".repeat(MAX_TIP_MESSAGE_LEN / 2);
    suite
        .tip_with(
            &fan,
            &dave,
            &coins(5, ATOM),
            TipContext::Profile,
            Some(&longest),
        )
        .unwrap();
    let too_long = format!("{longest}!");
    assert_eq!(
        suite
            .tip_with(
                &fan,
                &dave,
                &coins(5, ATOM),
                TipContext::Profile,
                Some(&too_long)
            )
            .unwrap_err(),
        ContractError::MessageTooLong {
            len: MAX_TIP_MESSAGE_LEN + 1,
            max: MAX_TIP_MESSAGE_LEN
        }
    );
    for context in [
        TipContext::Stream { id: String::new() },
        TipContext::Chat {
            thread_id: "a:b".into(),
        },
        TipContext::Stream { id: "x".repeat(65) },
    ] {
        let err = suite
            .tip_with(&fan, &dave, &coins(5, ATOM), context.clone(), None)
            .unwrap_err();
        assert!(
            matches!(err, ContractError::InvalidContext(_)),
            "{context:?}: {err:?}"
        );
    }
    assert_eq!(suite.total(&dave, &fan, &AssetInfo::native(ATOM)), 5);
}

/// The registry's chat gate reads the totals through `TipsQuery::TippedTotal`.
#[test]
fn tipped_totals_open_the_creators_chat_gate() {
    let mut suite = Suite::new();
    let (fan, carol) = (suite.fan(0), suite.carol.clone());
    let rule = ChatRule::TippedAtLeast {
        asset: AssetInfo::native(USDC),
        amount: Uint128::new(500),
    };
    let registry_addr = suite.registry.clone();
    suite
        .app
        .execute_contract(
            carol.clone(),
            registry_addr,
            &registry::ExecuteMsg::SetChatRule { rule },
            &[],
        )
        .unwrap();
    let can_message = |suite: &Suite| -> CanMessageResponse {
        let msg = registry::QueryMsg::CanMessage {
            creator: carol.to_string(),
            fan: fan.to_string(),
        };
        suite
            .app
            .wrap()
            .query_wasm_smart(&suite.registry, &msg)
            .unwrap()
    };
    assert!(!can_message(&suite).allowed);
    suite.tip_native(&fan, &carol, 300, USDC).unwrap();
    assert!(!can_message(&suite).allowed);
    suite.tip_native(&fan, &carol, 200, USDC).unwrap();
    assert!(can_message(&suite).allowed);
}

/// The contract keeps nothing, so it refuses to pay a tip out to itself. The registry refuses
/// such a payout or treasury while it knows this contract; this contract refuses it either way.
#[test]
fn a_payout_to_the_tips_contract_is_refused() {
    let mut suite = Suite::new();
    let (fan, tips) = (suite.fan(0), suite.tips.clone());
    let gina = suite.app.api().addr_make("gina");
    let profile = registry::ProfileInput {
        display_name: "gina".into(),
        payout: Some(tips.to_string()),
        accepted_assets: vec![],
        tip_minimums: vec![],
        chat_rule: ChatRule::Everyone,
    };
    let register = registry::ExecuteMsg::RegisterCreator { profile };
    let registry = suite.registry.clone();
    let err = suite
        .app
        .execute_contract(gina.clone(), registry, &register, &[])
        .unwrap_err();
    assert!(err
        .root_cause()
        .to_string()
        .contains("one of the platform's contracts"));
    // A registry that does not list this contract as a sibling lets it through.
    suite.update_registry(registry::ExecuteMsg::UpdateConfig {
        treasury: None,
        fees: None,
        accepted_assets: None,
        fiat_gateways: None,
        arbiter: None,
        contracts: Some(registry::SiblingContracts::default()),
    });
    suite.register(&gina, Some(&tips), vec![]);
    assert_eq!(
        suite.tip_native(&fan, &gina, 1_000, USDC).unwrap_err(),
        ContractError::PayoutToTipsContract
    );
    assert_eq!(
        suite.mesi_tip(&fan, &gina, 1_000).unwrap_err(),
        ContractError::PayoutToTipsContract
    );

    let dave = suite.dave.clone();
    suite.update_registry(registry::ExecuteMsg::UpdateConfig {
        treasury: Some(tips.to_string()),
        fees: None,
        accepted_assets: None,
        fiat_gateways: None,
        arbiter: None,
        contracts: None,
    });
    assert_eq!(
        suite.tip_native(&fan, &dave, 1_000, USDC).unwrap_err(),
        ContractError::PayoutToTipsContract
    );
    suite.assert_tips_holds_nothing();
}
