//! Fiat tips attested by a payment gateway.

use cosmwasm_std::{coins, Addr, Uint128};
use mesi_common::events::tips::FiatTipAttested;
use mesi_common::events::AnyEvent;
use mesi_common::interfaces::tips::{TipContext, MAX_TIP_MESSAGE_LEN};
use mesi_common::AssetError;
use mesi_creators::msg as registry;

use super::*;
use crate::msg::MAX_PAYMENT_REF_LEN;

fn attestation(suite: &Suite, payment_ref: &str, amount_minor: u128) -> ExecuteMsg {
    ExecuteMsg::AttestFiatTip {
        payment_ref: payment_ref.into(),
        creator: suite.carol.to_string(),
        fan: suite.fans[0].to_string(),
        currency: "USD".into(),
        amount_minor: Uint128::new(amount_minor),
        context: TipContext::Stream {
            id: "live-1".into(),
        },
        message: Some("from my card".into()),
        anonymous: false,
    }
}

fn attest(
    suite: &mut Suite,
    sender: &Addr,
    msg: &ExecuteMsg,
) -> Result<AppResponse, ContractError> {
    let tips_addr = suite.tips.clone();
    suite
        .app
        .execute_contract(sender.clone(), tips_addr, msg, &[])
        .map_err(contract_error)
}

fn recorded(suite: &Suite, gateway: &Addr, payment_ref: &str) -> bool {
    let msg = QueryMsg::FiatPaymentRecorded {
        gateway: gateway.to_string(),
        payment_ref: payment_ref.into(),
    };
    suite
        .app
        .wrap()
        .query_wasm_smart(&suite.tips, &msg)
        .unwrap()
}

#[test]
fn gateway_attests_a_fiat_tip() {
    let mut suite = Suite::new();
    let gateway = suite.gateway.clone();
    assert!(!recorded(&suite, &gateway, "pi_1"));
    let msg = attestation(&suite, "pi_1", 500);
    let resp = attest(&mut suite, &gateway, &msg).unwrap();
    let expected = FiatTipAttested {
        gateway: gateway.clone(),
        payment_ref: "pi_1".into(),
        creator: suite.carol.clone(),
        fan: suite.fan(0),
        currency: "USD".into(),
        amount_minor: Uint128::new(500),
        context: TipContext::Stream {
            id: "live-1".into(),
        },
        message: Some("from my card".into()),
        anonymous: false,
    };
    assert_eq!(
        single_event(&resp, &suite.tips),
        AnyEvent::FiatTip(expected)
    );
    assert!(recorded(&suite, &gateway, "pi_1"));
    // No funds moved and no on-chain total changed.
    assert!(!resp.events.iter().any(|e| e.ty == "transfer"));
    for asset in suite.all_assets() {
        assert_eq!(suite.total(&suite.carol, &suite.fans[0], &asset), 0);
    }
    suite.assert_tips_holds_nothing();
}

#[test]
fn a_repeated_attestation_is_a_no_op_and_a_reused_reference_is_refused() {
    let mut suite = Suite::new();
    let gateway = suite.gateway.clone();
    let msg = attestation(&suite, "pi_2", 500);
    attest(&mut suite, &gateway, &msg).unwrap();

    let again = attest(&mut suite, &gateway, &msg).unwrap();
    assert!(
        mesi_events_of(&again.events, &suite.tips).is_empty(),
        "a retry records nothing"
    );
    let wasm = again.events.iter().find(|e| e.ty == "wasm").unwrap();
    assert!(wasm
        .attributes
        .iter()
        .any(|a| a.key == "already_recorded" && a.value == "pi_2"));

    // Same reference, any field different.
    let ExecuteMsg::AttestFiatTip {
        creator,
        fan,
        currency,
        context,
        message,
        anonymous,
        ..
    } = msg.clone()
    else {
        unreachable!()
    };
    let variants = [
        attestation(&suite, "pi_2", 501),
        ExecuteMsg::AttestFiatTip {
            payment_ref: "pi_2".into(),
            creator: suite.dave.to_string(),
            fan: fan.clone(),
            currency: currency.clone(),
            amount_minor: Uint128::new(500),
            context: context.clone(),
            message: message.clone(),
            anonymous,
        },
        ExecuteMsg::AttestFiatTip {
            payment_ref: "pi_2".into(),
            creator: creator.clone(),
            fan: fan.clone(),
            currency: "EUR".into(),
            amount_minor: Uint128::new(500),
            context: context.clone(),
            message: message.clone(),
            anonymous,
        },
        ExecuteMsg::AttestFiatTip {
            payment_ref: "pi_2".into(),
            creator: creator.clone(),
            fan: fan.clone(),
            currency: currency.clone(),
            amount_minor: Uint128::new(500),
            context: context.clone(),
            message: message.clone(),
            anonymous: !anonymous,
        },
        ExecuteMsg::AttestFiatTip {
            payment_ref: "pi_2".into(),
            creator,
            fan,
            currency,
            amount_minor: Uint128::new(500),
            context: TipContext::Profile,
            message: None,
            anonymous,
        },
    ];
    for variant in variants {
        assert_eq!(
            attest(&mut suite, &gateway, &variant).unwrap_err(),
            ContractError::PaymentRefReused("pi_2".into())
        );
    }

    // References belong to their gateway: another gateway may use the same one.
    let second = suite.app.api().addr_make("gateway-2");
    suite.update_registry(registry::ExecuteMsg::UpdateConfig {
        treasury: None,
        fees: None,
        accepted_assets: None,
        fiat_gateways: Some(vec![gateway.to_string(), second.to_string()]),
        arbiter: None,
        contracts: None,
    });
    let msg = attestation(&suite, "pi_2", 501);
    let resp = attest(&mut suite, &second, &msg).unwrap();
    assert_eq!(mesi_events_of(&resp.events, &suite.tips).len(), 1);
}

#[test]
fn only_a_registered_gateway_may_attest() {
    let mut suite = Suite::new();
    let msg = attestation(&suite, "pi_3", 500);
    let wrong_parties = [
        suite.fan(0),
        suite.carol.clone(),
        suite.owner.clone(),
        suite.treasury.clone(),
        suite.registry.clone(),
        suite.tips.clone(),
    ];
    for sender in wrong_parties {
        assert_eq!(
            attest(&mut suite, &sender, &msg).unwrap_err(),
            ContractError::NotFiatGateway,
            "{sender}"
        );
    }
    // A gateway removed from the registry loses the right.
    let gateway = suite.gateway.clone();
    suite.update_registry(registry::ExecuteMsg::UpdateConfig {
        treasury: None,
        fees: None,
        accepted_assets: None,
        fiat_gateways: Some(vec![]),
        arbiter: None,
        contracts: None,
    });
    assert_eq!(
        attest(&mut suite, &gateway, &msg).unwrap_err(),
        ContractError::NotFiatGateway
    );
    assert!(!recorded(&suite, &gateway, "pi_3"));
}

#[test]
fn attestations_take_no_funds() {
    let mut suite = Suite::new();
    let gateway = suite.gateway.clone();
    let fan = suite.fan(0);
    let msg = attestation(&suite, "pi_4", 500);
    suite.app.init_modules(|router, _, storage| {
        router
            .bank
            .init_balance(storage, &gateway, coins(10, USDC))
            .unwrap()
    });
    for sender in [&gateway, &fan] {
        let tips_addr = suite.tips.clone();
        let err = suite
            .app
            .execute_contract(sender.clone(), tips_addr, &msg, &coins(10, USDC))
            .map_err(contract_error);
        assert_eq!(
            err.unwrap_err(),
            ContractError::Asset(AssetError::UnexpectedFunds)
        );
    }
    assert!(!recorded(&suite, &gateway, "pi_4"));
}

#[test]
fn attestation_fields_are_validated() {
    let mut suite = Suite::new();
    let gateway = suite.gateway.clone();
    let base = attestation(&suite, "pi_5", 500);
    let with = |edit: &dyn Fn(&mut ExecuteMsg)| {
        let mut msg = base.clone();
        edit(&mut msg);
        msg
    };
    macro_rules! field {
        ($field:ident = $value:expr) => {{
            let value = $value;
            with(&|m| {
                let ExecuteMsg::AttestFiatTip { $field, .. } = m else {
                    unreachable!()
                };
                *$field = value.clone();
            })
        }};
    }
    for currency in ["usd", "US", "USDT", "U$D", ""] {
        assert_eq!(
            attest(
                &mut suite,
                &gateway,
                &field!(currency = currency.to_string())
            )
            .unwrap_err(),
            ContractError::InvalidCurrency(currency.into())
        );
    }
    assert_eq!(
        attest(
            &mut suite,
            &gateway,
            &field!(amount_minor = Uint128::zero())
        )
        .unwrap_err(),
        ContractError::Asset(AssetError::ZeroAmount)
    );
    let too_long = "r".repeat(MAX_PAYMENT_REF_LEN + 1);
    for payment_ref in ["", "pi 5", "pi_\u{e9}", too_long.as_str()] {
        assert_eq!(
            attest(
                &mut suite,
                &gateway,
                &field!(payment_ref = payment_ref.to_string())
            )
            .unwrap_err(),
            ContractError::InvalidPaymentRef {
                max: MAX_PAYMENT_REF_LEN
            },
            "{payment_ref:?}"
        );
    }
    assert!(matches!(
        attest(
            &mut suite,
            &gateway,
            &field!(creator = "nobody".to_string())
        )
        .unwrap_err(),
        ContractError::Std(_)
    ));
    assert!(matches!(
        attest(&mut suite, &gateway, &field!(fan = "nobody".to_string())).unwrap_err(),
        ContractError::Std(_)
    ));
    assert!(matches!(
        attest(
            &mut suite,
            &gateway,
            &field!(message = Some("x".repeat(MAX_TIP_MESSAGE_LEN + 1)))
        )
        .unwrap_err(),
        ContractError::MessageTooLong { .. }
    ));
    assert!(matches!(
        attest(
            &mut suite,
            &gateway,
            &field!(
                context = TipContext::Chat {
                    thread_id: "a b".into()
                }
            )
        )
        .unwrap_err(),
        ContractError::InvalidContext(_)
    ));
    assert!(!recorded(&suite, &gateway, "pi_5"));

    // The longest reference is fine.
    let longest = "R".repeat(MAX_PAYMENT_REF_LEN);
    attest(&mut suite, &gateway, &field!(payment_ref = longest.clone())).unwrap();
    assert!(recorded(&suite, &gateway, &longest));
}

/// The gateway already took the money: its record stands even if the creator stopped taking tips.
#[test]
fn attestation_for_an_inactive_creator_is_recorded() {
    let mut suite = Suite::new();
    let (gateway, carol) = (suite.gateway.clone(), suite.carol.clone());
    suite.set_creator_active(&carol, false);
    let msg = attestation(&suite, "pi_6", 500);
    let resp = attest(&mut suite, &gateway, &msg).unwrap();
    assert!(matches!(
        single_event(&resp, &suite.tips),
        AnyEvent::FiatTip(_)
    ));
}
