use cosmwasm_std::{StdError, Timestamp, Uint128};
use mesi_common::events::subscriptions::SubscriptionAction;

use super::subscribe::{carol_tiers, subscribe_msg};
use super::*;
use crate::pricing::RENEWAL_GRACE_SECONDS;

const PRICE: u128 = 1_000;

/// Carol sells tier 1 in MESI (1_000 per 30 days); fan 0 subscribed at `start` with
/// auto-renewal up to 1_200 per period and allowed the contract 5_000 MESI.
struct Renewing {
    suite: Suite,
    carol: Addr,
    fan: Addr,
    keeper: Addr,
    start: Timestamp,
}

fn renewing() -> Renewing {
    let mut suite = Suite::new();
    let carol = suite.carol.clone();
    let fan = suite.fan(0);
    let mesi = suite.mesi();
    suite
        .create_tier(&carol, 1, suite.mesi_asset(), 30, terms(PRICE))
        .unwrap();
    let start = suite.now();
    let subscribe = ReceiveMsg::Subscribe {
        creator: carol.to_string(),
        tier: 1,
        periods: 1,
        max_price_per_period: Uint128::new(1_200),
        auto_renew: true,
    };
    suite.send_cw20(&mesi, &fan, PRICE, &subscribe).unwrap();
    suite.approve(&fan, 5_000);
    let keeper = suite.addr("keeper");
    Renewing {
        suite,
        carol,
        fan,
        keeper,
        start,
    }
}

impl Renewing {
    fn renew(&mut self) -> Result<AppResponse, ContractError> {
        let msg = ExecuteMsg::Renew {
            creator: self.carol.to_string(),
            fan: self.fan.to_string(),
        };
        self.suite.exec(&self.keeper.clone(), &msg, &[])
    }

    fn expiry(&self) -> Timestamp {
        self.suite
            .status(&self.carol, &self.fan)
            .expires_at
            .unwrap()
    }

    fn set_price(&mut self, price: u128) {
        let msg = ExecuteMsg::UpdateTier {
            tier: 1,
            terms: terms(price),
        };
        self.suite.exec(&self.carol.clone(), &msg, &[]).unwrap();
    }
}

#[test]
fn anyone_renews_from_the_allowance_inside_the_window() {
    let mut r = renewing();
    let expires_at = r.start.plus_seconds(30 * DAY);
    let window = ContractError::OutsideRenewalWindow {
        opens: expires_at.minus_seconds(DAY),
        closes: expires_at.plus_seconds(RENEWAL_GRACE_SECONDS),
    };
    r.suite
        .set_time(expires_at.minus_seconds(DAY).minus_nanos(1));
    assert_eq!(r.renew().unwrap_err(), window);

    r.suite.set_time(expires_at.minus_seconds(DAY));
    let res = r.renew().unwrap();
    let ev = subscription_event(&res);
    assert_eq!(ev.action, SubscriptionAction::Renewed);
    assert_eq!(
        (ev.sender, ev.fan.clone(), ev.periods),
        (r.keeper.clone(), r.fan.clone(), 1)
    );
    assert_eq!(
        (ev.amount, ev.fee, ev.creator_amount),
        (Uint128::new(1_000), Uint128::new(100), Uint128::new(900))
    );
    assert_eq!(
        ev.expires_at,
        expires_at.plus_seconds(30 * DAY),
        "stacked on the expiry"
    );
    assert_eq!(
        (ev.auto_renew, ev.max_price_per_period),
        (true, Uint128::new(1_200))
    );

    let mesi = r.suite.mesi();
    assert_eq!(r.suite.token_balance(&mesi, &r.fan), FAN_FUNDS - 2_000);
    assert_eq!(r.suite.token_balance(&mesi, &r.suite.treasury()), 200);
    assert_eq!(r.suite.token_balance(&mesi, &r.suite.carol_payout), 1_800);
    assert_eq!(r.suite.allowance(&r.fan), 4_000);
    r.suite.assert_holds_nothing();

    // The next window opens a day before the new expiry.
    let next = ContractError::OutsideRenewalWindow {
        opens: expires_at.plus_seconds(29 * DAY),
        closes: expires_at.plus_seconds(30 * DAY + RENEWAL_GRACE_SECONDS),
    };
    assert_eq!(r.renew().unwrap_err(), next);
}

#[test]
fn renewal_after_expiry_runs_from_now_until_the_grace_ends() {
    let mut r = renewing();
    let expires_at = r.start.plus_seconds(30 * DAY);
    r.suite.set_time(expires_at.plus_seconds(3 * DAY));
    assert!(!r.suite.status(&r.carol, &r.fan).active);
    let now = r.suite.now();
    r.renew().unwrap();
    assert_eq!(r.expiry(), now.plus_seconds(30 * DAY));
    assert!(r.suite.status(&r.carol, &r.fan).active);

    // A second lapse past the grace period cannot be renewed.
    r.suite
        .set_time(r.expiry().plus_seconds(RENEWAL_GRACE_SECONDS));
    assert!(matches!(
        r.renew().unwrap_err(),
        ContractError::OutsideRenewalWindow { .. }
    ));
}

#[test]
fn renewal_only_at_terms_the_fan_agreed_to() {
    let mut r = renewing();
    r.suite.set_time(r.start.plus_seconds(30 * DAY));
    r.set_price(1_201);
    assert_eq!(
        r.renew().unwrap_err(),
        ContractError::PriceAboveMax {
            price: Uint128::new(1_201),
            max: Uint128::new(1_200)
        }
    );
    r.set_price(1_200);
    let ev = subscription_event(&r.renew().unwrap());
    assert_eq!(ev.amount, Uint128::new(1_200));
    // A lower price is charged as it is.
    r.suite.set_time(r.expiry());
    r.set_price(700);
    assert_eq!(
        subscription_event(&r.renew().unwrap()).amount,
        Uint128::new(700)
    );
    assert_eq!(r.suite.allowance(&r.fan), 5_000 - 1_900);
}

#[test]
fn a_short_allowance_fails_the_whole_renewal() {
    let mut r = renewing();
    r.suite.set_time(r.start.plus_seconds(30 * DAY));
    // Enough for the fee, not for the creator's share: the second TransferFrom fails.
    r.suite.approve(&r.fan, 999);
    let before = r.suite.subscription(&r.carol, &r.fan).unwrap();
    let msg = ExecuteMsg::Renew {
        creator: r.carol.to_string(),
        fan: r.fan.to_string(),
    };
    let err = r.suite.exec_any(&r.keeper.clone(), &msg, &[]).unwrap_err();
    let token_err = err
        .downcast_ref::<cw20_base::ContractError>()
        .expect("the token refuses");
    assert!(
        matches!(
            token_err,
            cw20_base::ContractError::Std(StdError::Overflow { .. })
        ),
        "{token_err:?}"
    );
    assert_eq!(r.suite.subscription(&r.carol, &r.fan).unwrap(), before);
    assert_eq!(r.suite.allowance(&r.fan), 999);
    let mesi = r.suite.mesi();
    assert_eq!(
        r.suite.token_balance(&mesi, &r.suite.treasury()),
        100,
        "the fee transfer was rolled back too"
    );

    r.suite.approve(&r.fan, 0);
    let err = r.suite.exec_any(&r.keeper.clone(), &msg, &[]).unwrap_err();
    assert!(
        err.downcast_ref::<cw20_base::ContractError>().is_some(),
        "{err:?}"
    );
    r.suite.approve(&r.fan, 1_000);
    r.renew().unwrap();
    assert_eq!(r.suite.allowance(&r.fan), 0);
}

#[test]
fn no_renewal_after_cancel_retirement_or_deactivation() {
    let mut r = renewing();
    r.suite.set_time(r.start.plus_seconds(30 * DAY));
    r.suite
        .exec(
            &r.fan.clone(),
            &ExecuteMsg::Cancel {
                creator: r.carol.to_string(),
            },
            &[],
        )
        .unwrap();
    assert_eq!(r.renew().unwrap_err(), ContractError::NotAutoRenewing);

    let mut r = renewing();
    r.suite.set_time(r.start.plus_seconds(30 * DAY));
    r.suite
        .exec(&r.carol.clone(), &ExecuteMsg::RetireTier { tier: 1 }, &[])
        .unwrap();
    assert_eq!(r.renew().unwrap_err(), ContractError::TierRetired(1));

    let mut r = renewing();
    r.suite.set_time(r.start.plus_seconds(30 * DAY));
    let carol = r.carol.clone();
    r.suite.set_creator_active(&carol, false);
    assert_eq!(
        r.renew().unwrap_err(),
        ContractError::CreatorInactive(carol.to_string())
    );
}

#[test]
fn renew_refuses_unknown_and_non_renewing_subscriptions() {
    let mut r = renewing();
    let stranger = r.suite.fan(1);
    let msg = ExecuteMsg::Renew {
        creator: r.carol.to_string(),
        fan: stranger.to_string(),
    };
    assert_eq!(
        r.suite.exec(&r.keeper.clone(), &msg, &[]).unwrap_err(),
        ContractError::NoSubscription
    );
    // A native subscription never auto-renews.
    let carol = r.carol.clone();
    r.suite
        .create_tier(&carol, 2, r.suite.usdc(), 30, terms(10))
        .unwrap();
    r.suite
        .subscribe_native(&stranger, &carol, 2, 1, 10)
        .unwrap();
    r.suite.advance(30 * DAY);
    assert_eq!(
        r.suite.exec(&r.keeper.clone(), &msg, &[]).unwrap_err(),
        ContractError::NotAutoRenewing
    );
    let bad = ExecuteMsg::Renew {
        creator: carol.to_string(),
        fan: "not an address".into(),
    };
    assert!(matches!(
        r.suite.exec(&r.keeper.clone(), &bad, &[]).unwrap_err(),
        ContractError::Std(_)
    ));
}

#[test]
fn a_fee_free_renewal_is_one_transfer() {
    let mut r = renewing();
    r.suite.set_fee(0);
    r.suite.set_time(r.start.plus_seconds(30 * DAY));
    let res = r.renew().unwrap();
    let ev = subscription_event(&res);
    assert_eq!(
        (ev.fee, ev.creator_amount),
        (Uint128::zero(), Uint128::new(1_000))
    );
    let transfers = res
        .events
        .iter()
        .filter(|e| e.ty == "wasm" && e.attributes.iter().any(|a| a.value == "transfer_from"))
        .count();
    assert_eq!(transfers, 1);
    let mesi = r.suite.mesi();
    assert_eq!(r.suite.token_balance(&mesi, &r.suite.carol_payout), 1_900);
}

#[test]
fn renewal_with_one_day_periods_never_runs_twice_in_one_window() {
    let mut suite = Suite::new();
    let (carol, fan, mesi) = (suite.carol.clone(), suite.fan(0), suite.mesi());
    suite
        .create_tier(&carol, 1, suite.mesi_asset(), 1, terms(10))
        .unwrap();
    let subscribe = ReceiveMsg::Subscribe {
        creator: carol.to_string(),
        tier: 1,
        periods: 1,
        max_price_per_period: Uint128::new(10),
        auto_renew: true,
    };
    suite.send_cw20(&mesi, &fan, 10, &subscribe).unwrap();
    suite.approve(&fan, 1_000);
    let renew = ExecuteMsg::Renew {
        creator: carol.to_string(),
        fan: fan.to_string(),
    };
    let keeper = suite.addr("keeper");
    let expires_at = suite.status(&carol, &fan).expires_at.unwrap();
    // Half a day before expiry, and exactly at expiry.
    suite.set_time(expires_at.minus_seconds(DAY / 2));
    suite.exec(&keeper, &renew, &[]).unwrap();
    assert!(matches!(
        suite.exec(&keeper, &renew, &[]).unwrap_err(),
        ContractError::OutsideRenewalWindow { .. }
    ));
    let expires_at = suite.status(&carol, &fan).expires_at.unwrap();
    suite.set_time(expires_at);
    suite.exec(&keeper, &renew, &[]).unwrap();
    assert!(matches!(
        suite.exec(&keeper, &renew, &[]).unwrap_err(),
        ContractError::OutsideRenewalWindow { .. }
    ));
    assert_eq!(
        suite.status(&carol, &fan).expires_at,
        Some(expires_at.plus_seconds(DAY))
    );
}

#[test]
fn cancel_stops_renewals_and_keeps_access_to_expiry() {
    let mut suite = Suite::new();
    carol_tiers(&mut suite);
    let (carol, fan, mesi) = (suite.carol.clone(), suite.fan(0), suite.mesi());
    let cancel = ExecuteMsg::Cancel {
        creator: carol.to_string(),
    };
    assert_eq!(
        suite.exec(&fan, &cancel, &[]).unwrap_err(),
        ContractError::NoSubscription
    );
    let start = suite.now();
    suite
        .send_cw20(
            &mesi,
            &fan,
            3_000,
            &subscribe_msg(&carol, 2, 1, 3_000, true),
        )
        .unwrap();
    let res = suite.exec(&fan, &cancel, &[]).unwrap();
    let ev = subscription_event(&res);
    assert_eq!(ev.action, SubscriptionAction::Cancelled);
    assert_eq!(
        (ev.tier, ev.auto_renew, ev.amount, ev.asset),
        (2, false, Uint128::zero(), suite.mesi_asset())
    );
    assert_eq!(ev.expires_at, start.plus_seconds(30 * DAY));
    assert_eq!(
        suite.status(&carol, &fan),
        SubscriptionStatus {
            active: true,
            tier: Some(2),
            expires_at: Some(start.plus_seconds(30 * DAY)),
            auto_renew: false
        }
    );
    assert_eq!(
        suite.exec(&fan, &cancel, &[]).unwrap_err(),
        ContractError::NotAutoRenewing
    );
    // Subscribing again turns renewals back on.
    suite
        .send_cw20(
            &mesi,
            &fan,
            3_000,
            &subscribe_msg(&carol, 2, 1, 3_000, true),
        )
        .unwrap();
    assert!(suite.status(&carol, &fan).auto_renew);
}
