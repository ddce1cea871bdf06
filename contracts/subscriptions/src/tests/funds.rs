use cosmwasm_std::testing::{message_info, mock_dependencies, mock_env};
use cosmwasm_std::{to_json_binary, Uint128};
use cw20::Cw20ReceiveMsg;
use mesi_common::{AssetError, AssetInfo};

use super::*;
use crate::contract::execute;

/// Carol sells tier 1 in USDC and tier 2 in MESI, 1_000 per 30 days each; fan 0 holds tier 1.
fn setup() -> (Suite, Addr, Addr) {
    let mut suite = Suite::new();
    let carol = suite.carol.clone();
    let fan = suite.fan(0);
    suite
        .create_tier(
            &carol,
            1,
            suite.usdc(),
            30,
            TierTerms {
                trial_seconds: Some(DAY),
                ..terms(1_000)
            },
        )
        .unwrap();
    suite
        .create_tier(&carol, 2, suite.mesi_asset(), 30, terms(1_000))
        .unwrap();
    suite
        .create_tier(&carol, 3, suite.usdc(), 30, terms(3_000))
        .unwrap();
    suite.subscribe_native(&fan, &carol, 1, 1, 1_000).unwrap();
    (suite, carol, fan)
}

/// The three paying messages, each valid for fan 0 with 1_000 USDC (upgrade: at least 1_000).
fn paying_messages(carol: &Addr) -> Vec<ExecuteMsg> {
    let max = Uint128::new(10_000);
    vec![
        ExecuteMsg::Subscribe {
            creator: carol.to_string(),
            tier: 1,
            periods: 1,
            max_price_per_period: max,
            auto_renew: false,
        },
        ExecuteMsg::Extend {
            creator: carol.to_string(),
            periods: 1,
            max_price_per_period: max,
        },
        ExecuteMsg::Upgrade {
            creator: carol.to_string(),
            to_tier: 3,
            max_price_per_period: max,
        },
    ]
}

#[test]
fn paying_messages_need_exactly_one_accepted_coin_of_the_tier() {
    let (mut suite, carol, fan) = setup();
    let before = suite.subscription(&carol, &fan);
    for msg in paying_messages(&carol) {
        let mut attempt = |funds: Vec<Coin>| suite.exec(&fan, &msg, &funds).unwrap_err();
        assert_eq!(
            attempt(vec![]),
            ContractError::Asset(AssetError::NoFunds),
            "{msg:?}"
        );
        assert_eq!(
            attempt(vec![Coin::new(1_000u128, ATOM), Coin::new(1_000u128, USDC)]),
            ContractError::Asset(AssetError::MultipleCoins(2)),
            "{msg:?}"
        );
        assert_eq!(
            attempt(vec![Coin::new(1_000u128, JUNK)]),
            ContractError::Asset(AssetError::NotAccepted(AssetInfo::native(JUNK))),
            "{msg:?}"
        );
        // Accepted by the platform, but not the tier's asset.
        assert_eq!(
            attempt(vec![Coin::new(1_000u128, ATOM)]),
            ContractError::WrongAsset {
                expected: AssetInfo::native(USDC),
                paid: AssetInfo::native(ATOM)
            },
            "{msg:?}"
        );
    }
    // Exact amounts for purchases.
    let subscribe = &paying_messages(&carol)[0];
    for paid in [999u128, 1_001] {
        assert_eq!(
            suite
                .exec(&fan, subscribe, &[Coin::new(paid, USDC)])
                .unwrap_err(),
            ContractError::WrongAmount {
                expected: Uint128::new(1_000),
                paid: Uint128::new(paid)
            }
        );
    }
    assert_eq!(suite.subscription(&carol, &fan), before, "nothing changed");
    assert_eq!(suite.native_balance(&fan, USDC), FAN_FUNDS - 1_000);
    suite.assert_holds_nothing();
}

#[test]
fn zero_coins_are_refused() {
    // The multi-test bank refuses to send a zero coin, so this runs against the contract alone.
    let mut deps = mock_dependencies();
    let fan = deps.api.addr_make("fan");
    for msg in paying_messages(&deps.api.addr_make("carol")) {
        let info = message_info(&fan, &[Coin::new(0u128, USDC)]);
        assert_eq!(
            execute(deps.as_mut(), mock_env(), info, msg).unwrap_err(),
            ContractError::Asset(AssetError::ZeroAmount)
        );
    }
}

#[test]
fn native_coins_for_a_cw20_tier_and_tokens_for_a_native_tier_are_refused() {
    let (mut suite, carol, fan) = setup();
    let mesi = suite.mesi();
    let other = suite.fan(1);
    let msg = ExecuteMsg::Subscribe {
        creator: carol.to_string(),
        tier: 2,
        periods: 1,
        max_price_per_period: Uint128::new(1_000),
        auto_renew: false,
    };
    assert_eq!(
        suite
            .exec(&other, &msg, &[Coin::new(1_000u128, USDC)])
            .unwrap_err(),
        ContractError::WrongAsset {
            expected: suite.mesi_asset(),
            paid: AssetInfo::native(USDC)
        }
    );
    let hook = ReceiveMsg::Extend {
        creator: carol.to_string(),
        periods: 1,
        max_price_per_period: Uint128::new(1_000),
    };
    assert_eq!(
        suite.send_cw20(&mesi, &fan, 1_000, &hook).unwrap_err(),
        ContractError::WrongAsset {
            expected: AssetInfo::native(USDC),
            paid: suite.mesi_asset()
        }
    );
    let hook = ReceiveMsg::Subscribe {
        creator: carol.to_string(),
        tier: 2,
        periods: 1,
        max_price_per_period: Uint128::new(1_000),
        auto_renew: false,
    };
    assert_eq!(
        suite.send_cw20(&mesi, &other, 999, &hook).unwrap_err(),
        ContractError::WrongAmount {
            expected: Uint128::new(1_000),
            paid: Uint128::new(999)
        }
    );
    suite.assert_holds_nothing();
}

#[test]
fn cw20_from_an_unknown_token_is_refused() {
    let (mut suite, carol, _) = setup();
    let (other_token, fan) = (suite.token("OTHER"), suite.fan(1));
    let hook = ReceiveMsg::Subscribe {
        creator: carol.to_string(),
        tier: 2,
        periods: 1,
        max_price_per_period: Uint128::new(1_000),
        auto_renew: false,
    };
    assert_eq!(
        suite
            .send_cw20(&other_token, &fan, 1_000, &hook)
            .unwrap_err(),
        ContractError::Asset(AssetError::NotAccepted(AssetInfo::cw20(
            other_token.clone()
        )))
    );
    // An account calling Receive directly is no token at all.
    let forged = ExecuteMsg::Receive(Cw20ReceiveMsg {
        sender: fan.to_string(),
        amount: Uint128::new(1_000),
        msg: to_json_binary(&hook).unwrap(),
    });
    assert_eq!(
        suite.exec(&fan, &forged, &[]).unwrap_err(),
        ContractError::Asset(AssetError::NotAccepted(AssetInfo::cw20(fan.clone())))
    );
    let zero = ExecuteMsg::Receive(Cw20ReceiveMsg {
        sender: fan.to_string(),
        amount: Uint128::zero(),
        msg: to_json_binary(&hook).unwrap(),
    });
    assert_eq!(
        suite.exec(&fan, &zero, &[]).unwrap_err(),
        ContractError::Asset(AssetError::ZeroAmount)
    );
    assert_eq!(suite.status(&carol, &fan).tier, None);
    suite.assert_holds_nothing();
}

#[test]
fn messages_that_take_no_funds_refuse_them() {
    let (mut suite, carol, fan) = setup();
    let hook = to_json_binary(&ReceiveMsg::Extend {
        creator: carol.to_string(),
        periods: 1,
        max_price_per_period: Uint128::new(1),
    })
    .unwrap();
    let messages = [
        ExecuteMsg::CreateTier {
            tier: 9,
            asset: AssetInfo::native(USDC),
            period_seconds: 30 * DAY,
            terms: terms(1),
        },
        ExecuteMsg::UpdateTier {
            tier: 1,
            terms: terms(1),
        },
        ExecuteMsg::RetireTier { tier: 1 },
        ExecuteMsg::Trial {
            creator: carol.to_string(),
            tier: 1,
        },
        ExecuteMsg::Cancel {
            creator: carol.to_string(),
        },
        ExecuteMsg::Renew {
            creator: carol.to_string(),
            fan: fan.to_string(),
        },
        ExecuteMsg::ReleaseExpired {
            creator: carol.to_string(),
            tier: 1,
            limit: None,
        },
        ExecuteMsg::Receive(Cw20ReceiveMsg {
            sender: fan.to_string(),
            amount: Uint128::new(1),
            msg: hook,
        }),
    ];
    let (creator_sender, fan_sender) = (carol.clone(), suite.fan(1));
    for msg in messages {
        let sender = match msg {
            ExecuteMsg::CreateTier { .. }
            | ExecuteMsg::UpdateTier { .. }
            | ExecuteMsg::RetireTier { .. } => &creator_sender,
            _ => &fan_sender,
        };
        assert_eq!(
            suite
                .exec(sender, &msg, &[Coin::new(5u128, USDC)])
                .unwrap_err(),
            ContractError::Asset(AssetError::UnexpectedFunds),
            "{msg:?}"
        );
    }
    suite.assert_holds_nothing();
}

#[test]
fn instantiate_takes_no_funds_and_a_valid_registry() {
    let mut suite = Suite::new();
    let (sender, code_id) = (suite.fan(0), suite.code_id);
    let msg = InstantiateMsg {
        creators: suite.registry.to_string(),
    };
    let err = suite
        .app
        .instantiate_contract(
            code_id,
            sender.clone(),
            &msg,
            &[Coin::new(1u128, USDC)],
            "subs",
            None,
        )
        .unwrap_err();
    assert_eq!(
        err.downcast::<ContractError>().unwrap(),
        ContractError::Asset(AssetError::UnexpectedFunds)
    );
    let bad = InstantiateMsg {
        creators: "not an address".into(),
    };
    let err = suite
        .app
        .instantiate_contract(code_id, sender, &bad, &[], "subs", None)
        .unwrap_err();
    assert!(matches!(
        err.downcast::<ContractError>().unwrap(),
        ContractError::Std(_)
    ));
}
