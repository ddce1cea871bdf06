//! Buying access: subscribing (native coins or the CW20 hook), extending, upgrading and free
//! trials, and the checks and bookkeeping every payment shares with renewals.

use cosmwasm_std::{
    Addr, Deps, DepsMut, Env, MessageInfo, Response, StdResult, Storage, Timestamp, Uint128,
};
use cw20::Cw20ReceiveMsg;
use mesi_common::asset::{ensure_accepted, paid_cw20, paid_native, Cw20Payment};
use mesi_common::events::subscriptions::{SubscriptionAction, SubscriptionChanged};
use mesi_common::fee::Split;
use mesi_common::interfaces::creators::{PaymentTerms, Product, Registry};
use mesi_common::{Asset, AssetInfo, MesiEvent};

use crate::cap::{self, Slot};
use crate::error::ContractError;
use crate::msg::ReceiveMsg;
use crate::pricing::{paid_until, purchase_price, unrecorded_credit, unused, value_of, Rate};
use crate::state::{PaidTime, Subscription, Tier, CONFIG, FAN_CREATORS, SUBSCRIPTIONS};
use crate::tiers::{load_live_tier, load_tier};

/// Funds that arrived with a message, and who sent them.
pub struct Payment {
    pub payer: Addr,
    pub paid: Asset,
}

impl Payment {
    /// The one native coin sent with `info`, paid by its sender.
    pub fn native(info: &MessageInfo) -> Result<Self, ContractError> {
        Ok(Payment {
            payer: info.sender.clone(),
            paid: paid_native(info)?,
        })
    }
}

#[allow(clippy::too_many_arguments)]
pub fn execute_subscribe(
    deps: DepsMut,
    env: Env,
    payment: Payment,
    creator: String,
    level: u32,
    periods: u32,
    max_price_per_period: Uint128,
    auto_renew: bool,
) -> Result<Response, ContractError> {
    let creator = deps.api.addr_validate(&creator)?;
    let fan = payment.payer.clone();
    let now = env.block.time;
    let tier = load_live_tier(deps.storage, &creator, level)?;
    ensure_within_max(tier.price, max_price_per_period)?;
    if auto_renew && !matches!(tier.asset, AssetInfo::Cw20 { .. }) {
        return Err(ContractError::AutoRenewNeedsCw20(tier.asset));
    }
    let price = purchase_price(&tier, periods)?;
    let terms = terms_for_payment(deps.as_ref(), &creator, &payment.paid.info)?;
    ensure_tier_asset(&payment, &tier)?;
    ensure_exact(&payment, price)?;

    let previous = SUBSCRIPTIONS.may_load(deps.storage, (&creator, &fan))?;
    let start = match &previous {
        Some(sub) if sub.is_active(now) && sub.tier != level => {
            return Err(ContractError::SubscribedToOtherTier(sub.tier))
        }
        Some(sub) if sub.is_active(now) => sub.expires_at,
        _ => now,
    };
    let expires_at = paid_until(start, now, u64::from(periods) * tier.period_seconds)?;
    let sub = Subscription {
        tier: level,
        expires_at,
        auto_renew,
        max_price_per_period,
        on_trial: false,
        trial_used: previous.as_ref().is_some_and(|p| p.trial_used),
        paid: Some(paid_after(previous.as_ref(), &tier, price, now)?),
    };
    cap::move_slot(
        deps.storage,
        &creator,
        &fan,
        previous.as_ref().map(slot_of),
        slot_of(&sub),
        tier.subscriber_cap,
        now,
    )?;
    save_subscription(deps.storage, &creator, &fan, &sub, previous.is_none())?;

    let (messages, split) = terms.pay(&tier.asset, price)?;
    let event = subscription_changed(
        SubscriptionAction::Subscribed,
        &creator,
        &fan,
        &fan,
        &sub,
        &tier.asset,
    );
    let event = SubscriptionChanged {
        periods,
        ..with_payment(event, split, &terms.payout)
    };
    Ok(Response::new()
        .add_messages(messages)
        .add_event(event.to_event()))
}

pub fn execute_extend(
    deps: DepsMut,
    env: Env,
    payment: Payment,
    creator: String,
    periods: u32,
    max_price_per_period: Uint128,
) -> Result<Response, ContractError> {
    let creator = deps.api.addr_validate(&creator)?;
    let fan = payment.payer.clone();
    let now = env.block.time;
    let mut sub = SUBSCRIPTIONS
        .may_load(deps.storage, (&creator, &fan))?
        .ok_or(ContractError::NoSubscription)?;
    let tier = load_live_tier(deps.storage, &creator, sub.tier)?;
    ensure_within_max(tier.price, max_price_per_period)?;
    let price = purchase_price(&tier, periods)?;
    let terms = terms_for_payment(deps.as_ref(), &creator, &payment.paid.info)?;
    ensure_tier_asset(&payment, &tier)?;
    ensure_exact(&payment, price)?;

    let previous = slot_of(&sub);
    let start = if sub.is_active(now) {
        sub.expires_at
    } else {
        now
    };
    let paid = paid_after(Some(&sub), &tier, price, now)?;
    sub.expires_at = paid_until(start, now, u64::from(periods) * tier.period_seconds)?;
    sub.paid = Some(paid);
    sub.on_trial = false;
    cap::move_slot(
        deps.storage,
        &creator,
        &fan,
        Some(previous),
        slot_of(&sub),
        tier.subscriber_cap,
        now,
    )?;
    SUBSCRIPTIONS.save(deps.storage, (&creator, &fan), &sub)?;

    let (messages, split) = terms.pay(&tier.asset, price)?;
    let event = subscription_changed(
        SubscriptionAction::Extended,
        &creator,
        &fan,
        &fan,
        &sub,
        &tier.asset,
    );
    let event = SubscriptionChanged {
        periods,
        ..with_payment(event, split, &terms.payout)
    };
    Ok(Response::new()
        .add_messages(messages)
        .add_event(event.to_event()))
}

pub fn execute_upgrade(
    deps: DepsMut,
    env: Env,
    payment: Payment,
    creator: String,
    to_level: u32,
    max_price_per_period: Uint128,
) -> Result<Response, ContractError> {
    let creator = deps.api.addr_validate(&creator)?;
    let fan = payment.payer.clone();
    let now = env.block.time;
    let mut sub = SUBSCRIPTIONS
        .may_load(deps.storage, (&creator, &fan))?
        .ok_or(ContractError::NoSubscription)?;
    let to = load_live_tier(deps.storage, &creator, to_level)?;
    ensure_within_max(to.price, max_price_per_period)?;
    let (cost, value) = upgrade_price(deps.storage, &creator, &sub, to_level, &to, now)?;
    let terms = terms_for_payment(deps.as_ref(), &creator, &payment.paid.info)?;
    ensure_tier_asset(&payment, &to)?;
    if payment.paid.amount < cost {
        return Err(ContractError::InsufficientPayment {
            required: cost,
            paid: payment.paid.amount,
        });
    }

    let from_level = sub.tier;
    let previous = slot_of(&sub);
    sub.tier = to_level;
    sub.max_price_per_period = max_price_per_period;
    sub.on_trial = false;
    sub.paid = Some(PaidTime {
        amount: value,
        from: now,
    });
    cap::move_slot(
        deps.storage,
        &creator,
        &fan,
        Some(previous),
        slot_of(&sub),
        to.subscriber_cap,
        now,
    )?;
    SUBSCRIPTIONS.save(deps.storage, (&creator, &fan), &sub)?;

    let (mut messages, split) = terms.pay(&to.asset, cost)?;
    let refund = payment.paid.amount - cost;
    messages.extend(to.asset.payout(&fan, refund)?);
    let event = subscription_changed(
        SubscriptionAction::Upgraded,
        &creator,
        &fan,
        &fan,
        &sub,
        &to.asset,
    );
    let event = SubscriptionChanged {
        from_tier: Some(from_level),
        refunded: (!refund.is_zero()).then_some(refund),
        ..with_payment(event, split, &terms.payout)
    };
    Ok(Response::new()
        .add_messages(messages)
        .add_event(event.to_event()))
}

pub fn execute_trial(
    deps: DepsMut,
    env: Env,
    fan: Addr,
    creator: String,
    level: u32,
) -> Result<Response, ContractError> {
    let creator = deps.api.addr_validate(&creator)?;
    let now = env.block.time;
    let tier = load_live_tier(deps.storage, &creator, level)?;
    let trial_seconds = tier.trial_seconds.ok_or(ContractError::NoTrial(level))?;
    // Tiers stored before caps and trials excluded each other may still have both.
    if tier.subscriber_cap.is_some() {
        return Err(ContractError::TrialOnCappedTier);
    }
    let previous = SUBSCRIPTIONS.may_load(deps.storage, (&creator, &fan))?;
    if let Some(sub) = &previous {
        if sub.trial_used {
            return Err(ContractError::TrialUsed);
        }
        if sub.is_active(now) {
            return Err(ContractError::TrialWhileActive);
        }
    }
    let terms = payment_terms(deps.as_ref(), &creator)?;
    if !terms.active {
        return Err(ContractError::CreatorInactive(creator.to_string()));
    }

    let sub = Subscription {
        tier: level,
        expires_at: now.plus_seconds(trial_seconds),
        auto_renew: false,
        max_price_per_period: Uint128::zero(),
        on_trial: true,
        trial_used: true,
        paid: Some(PaidTime {
            amount: Uint128::zero(),
            from: now.plus_seconds(trial_seconds),
        }),
    };
    cap::move_slot(
        deps.storage,
        &creator,
        &fan,
        previous.as_ref().map(slot_of),
        slot_of(&sub),
        tier.subscriber_cap,
        now,
    )?;
    save_subscription(deps.storage, &creator, &fan, &sub, previous.is_none())?;
    let event = subscription_changed(
        SubscriptionAction::Trial,
        &creator,
        &fan,
        &fan,
        &sub,
        &tier.asset,
    );
    Ok(Response::new().add_event(event.to_event()))
}

/// A CW20 `Send` to this contract: the token is `info.sender`, the payer is `msg.sender`.
/// Whether the token is accepted is checked against the creator's terms.
pub fn execute_receive(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    wrapper: Cw20ReceiveMsg,
) -> Result<Response, ContractError> {
    let Cw20Payment { payer, paid, msg } =
        paid_cw20::<_, ContractError>(deps.api, &info, &wrapper)?;
    let payment = Payment { payer, paid };
    match msg {
        ReceiveMsg::Subscribe {
            creator,
            tier,
            periods,
            max_price_per_period,
            auto_renew,
        } => execute_subscribe(
            deps,
            env,
            payment,
            creator,
            tier,
            periods,
            max_price_per_period,
            auto_renew,
        ),
        ReceiveMsg::Extend {
            creator,
            periods,
            max_price_per_period,
        } => execute_extend(deps, env, payment, creator, periods, max_price_per_period),
        ReceiveMsg::Upgrade {
            creator,
            to_tier,
            max_price_per_period,
        } => execute_upgrade(deps, env, payment, creator, to_tier, max_price_per_period),
    }
}

/// The creator's terms for subscriptions, from the registry.
pub fn payment_terms(deps: Deps, creator: &Addr) -> Result<PaymentTerms, ContractError> {
    let registry = Registry(CONFIG.load(deps.storage)?.creators);
    registry
        .payment_terms(&deps.querier, creator, Product::Subscriptions)
        .map_err(|err| ContractError::NoPaymentTerms {
            creator: creator.to_string(),
            reason: err.to_string(),
        })
}

/// Terms for a new payment to `creator` in `asset`: the creator is active and accepts it.
pub fn terms_for_payment(
    deps: Deps,
    creator: &Addr,
    asset: &AssetInfo,
) -> Result<PaymentTerms, ContractError> {
    let terms = payment_terms(deps, creator)?;
    if !terms.active {
        return Err(ContractError::CreatorInactive(creator.to_string()));
    }
    ensure_accepted(asset, &terms.accepted_assets)?;
    Ok(terms)
}

/// Checks that the payment is in the tier's asset.
fn ensure_tier_asset(payment: &Payment, tier: &Tier) -> Result<(), ContractError> {
    if payment.paid.info != tier.asset {
        return Err(ContractError::WrongAsset {
            expected: tier.asset.clone(),
            paid: payment.paid.info.clone(),
        });
    }
    Ok(())
}

fn ensure_exact(payment: &Payment, price: Uint128) -> Result<(), ContractError> {
    if payment.paid.amount != price {
        return Err(ContractError::WrongAmount {
            expected: price,
            paid: payment.paid.amount,
        });
    }
    Ok(())
}

pub fn ensure_within_max(price: Uint128, max: Uint128) -> Result<(), ContractError> {
    if price > max {
        return Err(ContractError::PriceAboveMax { price, max });
    }
    Ok(())
}

/// The event of a subscription change, before the payment fields are filled in.
pub fn subscription_changed(
    action: SubscriptionAction,
    creator: &Addr,
    fan: &Addr,
    sender: &Addr,
    sub: &Subscription,
    asset: &AssetInfo,
) -> SubscriptionChanged {
    SubscriptionChanged {
        action,
        creator: creator.clone(),
        fan: fan.clone(),
        sender: sender.clone(),
        tier: sub.tier,
        from_tier: None,
        periods: 0,
        asset: asset.clone(),
        amount: Uint128::zero(),
        fee: Uint128::zero(),
        creator_amount: Uint128::zero(),
        payout: None,
        refunded: None,
        expires_at: sub.expires_at,
        auto_renew: sub.auto_renew,
        max_price_per_period: sub.max_price_per_period,
        on_trial: sub.on_trial,
    }
}

pub fn with_payment(
    event: SubscriptionChanged,
    split: Split,
    payout: &Addr,
) -> SubscriptionChanged {
    SubscriptionChanged {
        amount: split.fee + split.payee,
        fee: split.fee,
        creator_amount: split.payee,
        payout: Some(payout.clone()),
        ..event
    }
}

fn save_subscription(
    storage: &mut dyn Storage,
    creator: &Addr,
    fan: &Addr,
    sub: &Subscription,
    is_new: bool,
) -> StdResult<()> {
    if is_new {
        FAN_CREATORS.save(storage, (fan, creator), &())?;
    }
    SUBSCRIPTIONS.save(storage, (creator, fan), sub)
}

pub fn slot_of(sub: &Subscription) -> Slot {
    Slot {
        tier: sub.tier,
        expires_at: sub.expires_at,
    }
}

/// The part of what the fan paid for `sub` (of `tier`) that is not used up at `now`, rounded
/// down. Free trial time is worth nothing.
fn credit(sub: &Subscription, tier: &Tier, now: Timestamp) -> Result<Uint128, ContractError> {
    if !sub.is_active(now) {
        return Ok(Uint128::zero());
    }
    Ok(match &sub.paid {
        Some(paid) => unused(paid.amount, paid.from, sub.expires_at, now)?,
        None if sub.on_trial => Uint128::zero(),
        None => unrecorded_credit(tier, sub.expires_at.nanos() - now.nanos())?,
    })
}

/// What the fan has paid for the access to come after paying `amount` at `now` for time stacked
/// on `previous` (of `tier`): the unused credit of an active `previous` plus `amount`, counted
/// from where paid time starts (after a trial still running).
pub fn paid_after(
    previous: Option<&Subscription>,
    tier: &Tier,
    amount: Uint128,
    now: Timestamp,
) -> Result<PaidTime, ContractError> {
    let Some(sub) = previous.filter(|sub| sub.is_active(now)) else {
        return Ok(PaidTime { amount, from: now });
    };
    let from = match &sub.paid {
        Some(paid) => paid.from.max(now),
        None if sub.on_trial => sub.expires_at,
        None => now,
    };
    Ok(PaidTime {
        amount: credit(sub, tier, now)? + amount,
        from,
    })
}

/// What upgrading `sub` to the tier `to` costs at `now`, and what the fan has then paid for the
/// time left: the time left valued at the new tier's price (rounded up) less the unused part of
/// what the fan paid (rounded down), so rounding favours the platform on both sides.
pub fn upgrade_price(
    storage: &dyn Storage,
    creator: &Addr,
    sub: &Subscription,
    to_level: u32,
    to: &Tier,
    now: Timestamp,
) -> Result<(Uint128, Uint128), ContractError> {
    if !sub.is_active(now) {
        return Err(ContractError::NotActive);
    }
    if to_level <= sub.tier {
        return Err(ContractError::NotAnUpgrade(sub.tier));
    }
    let from = load_tier(storage, creator, sub.tier)?;
    if from.asset != to.asset {
        return Err(ContractError::UpgradeAssetMismatch(from.asset));
    }
    let credit = credit(sub, &from, now)?;
    let rate = Rate {
        price: to.price,
        period_seconds: to.period_seconds,
    };
    let value = value_of(&rate, sub.expires_at.nanos() - now.nanos())?;
    if value <= credit {
        return Err(ContractError::UpgradeNotDearer {
            from: sub.tier,
            to: to_level,
        });
    }
    Ok((value - credit, value))
}
