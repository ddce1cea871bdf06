#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    from_json, to_json_binary, Addr, Binary, Deps, DepsMut, Env, MessageInfo, Order, Response,
    StdResult, Storage, Timestamp, Uint128, WasmMsg,
};
use cw20::{Cw20ExecuteMsg, Cw20ReceiveMsg};
use cw_storage_plus::Bound;
use mesi_common::asset::{ensure_accepted, nonpayable, paid_native};
use mesi_common::events::subscriptions::{
    PrepaidBundle, SubscribersReleased, SubscriptionAction, SubscriptionChanged, TierAction,
    TierChanged,
};
use mesi_common::fee::{split, Split};
use mesi_common::interfaces::creators::{CreatorsQuery, PaymentTerms, Product};
use mesi_common::interfaces::subscriptions::SubscriptionStatus;
use mesi_common::pagination::page_limit;
use mesi_common::{Asset, AssetError, AssetInfo, MesiEvent};

use crate::cap::{self, Slot};
use crate::error::ContractError;
use crate::msg::{
    ConfigResponse, ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg, QuoteResponse, ReceiveMsg,
    SubscriptionInfo, SubscriptionsResponse, TierInfo, TierTerms, TiersResponse,
};
use crate::pricing::{
    paid_until, purchase_price, renewal_window, unrecorded_credit, unused, value_of, Rate,
};
use crate::state::{
    Config, PaidTime, Subscription, Tier, CONFIG, FAN_CREATORS, LIVE_TIERS, SUBSCRIPTIONS, TIERS,
};

pub const CONTRACT_NAME: &str = "crates.io:mesi-subscriptions";
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

pub const MAX_LIVE_TIERS: u32 = 10;
pub const MAX_TIER_NAME_BYTES: usize = 64;
pub const MIN_PERIOD_SECONDS: u64 = 86_400;
pub const MAX_PERIOD_SECONDS: u64 = 366 * 86_400;
pub const MIN_TRIAL_SECONDS: u64 = 3_600;
pub const MAX_TRIAL_SECONDS: u64 = 90 * 86_400;
pub const MAX_BUNDLES: usize = 6;
pub const MAX_BUNDLE_PERIODS: u32 = 36;
pub const MAX_BUNDLE_DISCOUNT_BPS: u16 = 9_000;

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    deps: DepsMut,
    _env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    let creators = deps.api.addr_validate(&msg.creators)?;
    CONFIG.save(
        deps.storage,
        &Config {
            creators: creators.clone(),
        },
    )?;
    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("creators", creators))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    let from = cw2::ensure_from_older_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    Ok(Response::new()
        .add_attribute("action", "migrate")
        .add_attribute("from_version", from.to_string()))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    match msg {
        ExecuteMsg::CreateTier {
            tier,
            asset,
            period_seconds,
            terms,
        } => {
            nonpayable(&info)?;
            create_tier(deps, info.sender, tier, asset, period_seconds, terms)
        }
        ExecuteMsg::UpdateTier { tier, terms } => {
            nonpayable(&info)?;
            update_tier(deps, info.sender, tier, terms)
        }
        ExecuteMsg::RetireTier { tier } => {
            nonpayable(&info)?;
            retire_tier(deps, info.sender, tier)
        }
        ExecuteMsg::Subscribe {
            creator,
            tier,
            periods,
            max_price_per_period,
            auto_renew,
        } => {
            let payment = native_payment(&info)?;
            subscribe(
                deps,
                env,
                payment,
                creator,
                tier,
                periods,
                max_price_per_period,
                auto_renew,
            )
        }
        ExecuteMsg::Extend {
            creator,
            periods,
            max_price_per_period,
        } => {
            let payment = native_payment(&info)?;
            extend(deps, env, payment, creator, periods, max_price_per_period)
        }
        ExecuteMsg::Upgrade {
            creator,
            to_tier,
            max_price_per_period,
        } => {
            let payment = native_payment(&info)?;
            upgrade(deps, env, payment, creator, to_tier, max_price_per_period)
        }
        ExecuteMsg::Trial { creator, tier } => {
            nonpayable(&info)?;
            trial(deps, env, info.sender, creator, tier)
        }
        ExecuteMsg::Cancel { creator } => {
            nonpayable(&info)?;
            cancel(deps, info.sender, creator)
        }
        ExecuteMsg::Renew { creator, fan } => {
            nonpayable(&info)?;
            renew(deps, env, info.sender, creator, fan)
        }
        ExecuteMsg::ReleaseExpired {
            creator,
            tier,
            limit,
        } => {
            nonpayable(&info)?;
            release_expired(deps, env, creator, tier, limit)
        }
        ExecuteMsg::Receive(msg) => receive(deps, env, info, msg),
    }
}

/// Funds that arrived with a message, and who sent them.
struct Payment {
    payer: Addr,
    paid: Asset,
}

fn native_payment(info: &MessageInfo) -> Result<Payment, ContractError> {
    Ok(Payment {
        payer: info.sender.clone(),
        paid: paid_native(info)?,
    })
}

/// A CW20 `Send` to this contract: the token is `info.sender`, the payer is `msg.sender`.
/// Whether the token is accepted is checked against the creator's terms.
fn receive(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: Cw20ReceiveMsg,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    if msg.amount.is_zero() {
        return Err(AssetError::ZeroAmount.into());
    }
    let payment = Payment {
        payer: deps.api.addr_validate(&msg.sender)?,
        paid: Asset {
            info: AssetInfo::cw20(info.sender),
            amount: msg.amount,
        },
    };
    match from_json(&msg.msg)? {
        ReceiveMsg::Subscribe {
            creator,
            tier,
            periods,
            max_price_per_period,
            auto_renew,
        } => subscribe(
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
        } => extend(deps, env, payment, creator, periods, max_price_per_period),
        ReceiveMsg::Upgrade {
            creator,
            to_tier,
            max_price_per_period,
        } => upgrade(deps, env, payment, creator, to_tier, max_price_per_period),
    }
}

// ---- tiers ----

fn create_tier(
    deps: DepsMut,
    creator: Addr,
    level: u32,
    asset: AssetInfo,
    period_seconds: u64,
    terms: TierTerms,
) -> Result<Response, ContractError> {
    if level == 0 {
        return Err(ContractError::InvalidTierLevel);
    }
    if !(MIN_PERIOD_SECONDS..=MAX_PERIOD_SECONDS).contains(&period_seconds) {
        return Err(ContractError::InvalidPeriod {
            min: MIN_PERIOD_SECONDS,
            max: MAX_PERIOD_SECONDS,
        });
    }
    validate_terms(&terms, period_seconds)?;
    if TIERS.has(deps.storage, (&creator, level)) {
        return Err(ContractError::TierExists(level));
    }
    let live = LIVE_TIERS
        .may_load(deps.storage, &creator)?
        .unwrap_or_default();
    if live >= MAX_LIVE_TIERS {
        return Err(ContractError::TooManyTiers {
            max: MAX_LIVE_TIERS,
        });
    }
    let asset = asset.validate(deps.api)?;
    let payment_terms = query_payment_terms(deps.as_ref(), &creator)?;
    ensure_accepted(&asset, &payment_terms.accepted_assets)?;

    let tier = Tier {
        name: terms.name,
        price: terms.price,
        asset,
        period_seconds,
        subscriber_cap: terms.subscriber_cap,
        bundles: terms.bundles,
        trial_seconds: terms.trial_seconds,
        retired: false,
    };
    TIERS.save(deps.storage, (&creator, level), &tier)?;
    LIVE_TIERS.save(deps.storage, &creator, &(live + 1))?;
    Ok(Response::new()
        .add_event(tier_changed(TierAction::Created, creator, level, tier).to_event()))
}

fn update_tier(
    deps: DepsMut,
    creator: Addr,
    level: u32,
    terms: TierTerms,
) -> Result<Response, ContractError> {
    let mut tier = load_live_tier(deps.storage, &creator, level)?;
    validate_terms(&terms, tier.period_seconds)?;
    tier.name = terms.name;
    tier.price = terms.price;
    tier.subscriber_cap = terms.subscriber_cap;
    tier.bundles = terms.bundles;
    tier.trial_seconds = terms.trial_seconds;
    TIERS.save(deps.storage, (&creator, level), &tier)?;
    Ok(Response::new()
        .add_event(tier_changed(TierAction::Updated, creator, level, tier).to_event()))
}

fn retire_tier(deps: DepsMut, creator: Addr, level: u32) -> Result<Response, ContractError> {
    let mut tier = load_live_tier(deps.storage, &creator, level)?;
    tier.retired = true;
    TIERS.save(deps.storage, (&creator, level), &tier)?;
    let live = LIVE_TIERS.load(deps.storage, &creator)?;
    LIVE_TIERS.save(deps.storage, &creator, &live.saturating_sub(1))?;
    Ok(Response::new()
        .add_event(tier_changed(TierAction::Retired, creator, level, tier).to_event()))
}

fn validate_terms(terms: &TierTerms, period_seconds: u64) -> Result<(), ContractError> {
    let name = &terms.name;
    if name.is_empty() || name.len() > MAX_TIER_NAME_BYTES || name.chars().any(char::is_control) {
        return Err(ContractError::InvalidTierName {
            max: MAX_TIER_NAME_BYTES,
        });
    }
    if terms.price.is_zero() {
        return Err(ContractError::ZeroPrice);
    }
    if terms.subscriber_cap == Some(0) {
        return Err(ContractError::ZeroSubscriberCap);
    }
    if let Some(trial) = terms.trial_seconds {
        // A free seat costs nothing to take, so trials in a capped tier would let fresh
        // addresses lock paying fans out.
        if terms.subscriber_cap.is_some() {
            return Err(ContractError::TrialOnCappedTier);
        }
        if !(MIN_TRIAL_SECONDS..=MAX_TRIAL_SECONDS).contains(&trial) {
            return Err(ContractError::InvalidTrial {
                min: MIN_TRIAL_SECONDS,
                max: MAX_TRIAL_SECONDS,
            });
        }
    }
    validate_bundles(&terms.bundles, period_seconds)
}

fn validate_bundles(bundles: &[PrepaidBundle], period_seconds: u64) -> Result<(), ContractError> {
    let invalid = |reason: String| Err(ContractError::InvalidBundles(reason));
    if bundles.len() > MAX_BUNDLES {
        return invalid(format!("at most {MAX_BUNDLES} bundles"));
    }
    for (i, bundle) in bundles.iter().enumerate() {
        if !(2..=MAX_BUNDLE_PERIODS).contains(&bundle.periods) {
            return invalid(format!("a bundle has 2 to {MAX_BUNDLE_PERIODS} periods"));
        }
        if u64::from(bundle.periods) * period_seconds > crate::pricing::MAX_PREPAID_SECONDS {
            return invalid(format!(
                "{} periods exceed the prepaid limit",
                bundle.periods
            ));
        }
        if bundle.discount_bps > MAX_BUNDLE_DISCOUNT_BPS {
            return invalid(format!(
                "a discount is at most {MAX_BUNDLE_DISCOUNT_BPS} bps"
            ));
        }
        if bundles[..i]
            .iter()
            .any(|other| other.periods == bundle.periods)
        {
            return invalid(format!("{} periods listed twice", bundle.periods));
        }
    }
    Ok(())
}

fn load_tier(storage: &dyn Storage, creator: &Addr, level: u32) -> Result<Tier, ContractError> {
    TIERS
        .may_load(storage, (creator, level))?
        .ok_or(ContractError::TierNotFound(level))
}

/// A tier that still sells.
fn load_live_tier(
    storage: &dyn Storage,
    creator: &Addr,
    level: u32,
) -> Result<Tier, ContractError> {
    let tier = load_tier(storage, creator, level)?;
    if tier.retired {
        return Err(ContractError::TierRetired(level));
    }
    Ok(tier)
}

fn tier_changed(action: TierAction, creator: Addr, level: u32, tier: Tier) -> TierChanged {
    TierChanged {
        action,
        creator,
        tier: level,
        name: tier.name,
        price: tier.price,
        asset: tier.asset,
        period_seconds: tier.period_seconds,
        subscriber_cap: tier.subscriber_cap,
        bundles: tier.bundles,
        trial_seconds: tier.trial_seconds,
        retired: tier.retired,
    }
}

// ---- payments ----

fn query_payment_terms(deps: Deps, creator: &Addr) -> Result<PaymentTerms, ContractError> {
    let registry = CONFIG.load(deps.storage)?.creators;
    deps.querier
        .query_wasm_smart(
            registry,
            &CreatorsQuery::PaymentTerms {
                creator: creator.to_string(),
                product: Product::Subscriptions,
            },
        )
        .map_err(|err| ContractError::NoPaymentTerms {
            creator: creator.to_string(),
            reason: err.to_string(),
        })
}

/// Terms for a new payment to `creator` in `asset`: the creator is active and accepts it.
fn terms_for_payment(
    deps: Deps,
    creator: &Addr,
    asset: &AssetInfo,
) -> Result<PaymentTerms, ContractError> {
    let terms = query_payment_terms(deps, creator)?;
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

fn ensure_within_max(price: Uint128, max: Uint128) -> Result<(), ContractError> {
    if price > max {
        return Err(ContractError::PriceAboveMax { price, max });
    }
    Ok(())
}

/// The event of a subscription change, before the payment fields are filled in.
fn subscription_changed(
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

fn with_payment(event: SubscriptionChanged, split: Split, payout: &Addr) -> SubscriptionChanged {
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

fn slot_of(sub: &Subscription) -> Slot {
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
fn paid_after(
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

// ---- subscriptions ----

#[allow(clippy::too_many_arguments)]
fn subscribe(
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

fn extend(
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

/// What upgrading `sub` to the tier `to` costs at `now`, and what the fan has then paid for the
/// time left: the time left valued at the new tier's price (rounded up) less the unused part of
/// what the fan paid (rounded down), so rounding favours the platform on both sides.
fn upgrade_price(
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

fn upgrade(
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

fn trial(
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
    let terms = query_payment_terms(deps.as_ref(), &creator)?;
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

fn cancel(deps: DepsMut, fan: Addr, creator: String) -> Result<Response, ContractError> {
    let creator = deps.api.addr_validate(&creator)?;
    let mut sub = SUBSCRIPTIONS
        .may_load(deps.storage, (&creator, &fan))?
        .ok_or(ContractError::NoSubscription)?;
    if !sub.auto_renew {
        return Err(ContractError::NotAutoRenewing);
    }
    sub.auto_renew = false;
    SUBSCRIPTIONS.save(deps.storage, (&creator, &fan), &sub)?;
    let asset = load_tier(deps.storage, &creator, sub.tier)?.asset;
    let event = subscription_changed(
        SubscriptionAction::Cancelled,
        &creator,
        &fan,
        &fan,
        &sub,
        &asset,
    );
    Ok(Response::new().add_event(event.to_event()))
}

/// One period at the current price, paid with two CW20 `TransferFrom`s out of the fan's
/// allowance to this contract: the fee to the treasury and the rest to the payout address. If
/// the allowance or balance is short, the token contract fails and so does the whole renewal.
fn renew(
    deps: DepsMut,
    env: Env,
    sender: Addr,
    creator: String,
    fan: String,
) -> Result<Response, ContractError> {
    let creator = deps.api.addr_validate(&creator)?;
    let fan = deps.api.addr_validate(&fan)?;
    let now = env.block.time;
    let mut sub = SUBSCRIPTIONS
        .may_load(deps.storage, (&creator, &fan))?
        .ok_or(ContractError::NoSubscription)?;
    if !sub.auto_renew {
        return Err(ContractError::NotAutoRenewing);
    }
    let tier = load_live_tier(deps.storage, &creator, sub.tier)?;
    let AssetInfo::Cw20 { contract: token } = &tier.asset else {
        return Err(ContractError::AutoRenewNeedsCw20(tier.asset));
    };
    ensure_within_max(tier.price, sub.max_price_per_period)?;
    let (opens, closes) = renewal_window(sub.expires_at, tier.period_seconds);
    if now < opens || now >= closes {
        return Err(ContractError::OutsideRenewalWindow { opens, closes });
    }
    let terms = terms_for_payment(deps.as_ref(), &creator, &tier.asset)?;

    let previous = slot_of(&sub);
    let start = if sub.is_active(now) {
        sub.expires_at
    } else {
        now
    };
    let paid = paid_after(Some(&sub), &tier, tier.price, now)?;
    sub.expires_at = paid_until(start, now, tier.period_seconds)?;
    sub.paid = Some(paid);
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

    let split = split(tier.price, terms.fee_bps)?;
    let mut messages = Vec::with_capacity(2);
    for (recipient, amount) in [(&terms.treasury, split.fee), (&terms.payout, split.payee)] {
        if !amount.is_zero() {
            messages.push(WasmMsg::Execute {
                contract_addr: token.to_string(),
                msg: to_json_binary(&Cw20ExecuteMsg::TransferFrom {
                    owner: fan.to_string(),
                    recipient: recipient.to_string(),
                    amount,
                })?,
                funds: vec![],
            });
        }
    }
    let event = subscription_changed(
        SubscriptionAction::Renewed,
        &creator,
        &fan,
        &sender,
        &sub,
        &tier.asset,
    );
    let event = SubscriptionChanged {
        periods: 1,
        ..with_payment(event, split, &terms.payout)
    };
    Ok(Response::new()
        .add_messages(messages)
        .add_event(event.to_event()))
}

fn release_expired(
    deps: DepsMut,
    env: Env,
    creator: String,
    level: u32,
    limit: Option<u32>,
) -> Result<Response, ContractError> {
    let creator = deps.api.addr_validate(&creator)?;
    let cap::Released { released, counted } = cap::release_expired(
        deps.storage,
        &creator,
        level,
        env.block.time,
        page_limit(limit),
    )?;
    if released == 0 {
        return Err(ContractError::NothingToRelease);
    }
    let event = SubscribersReleased {
        creator,
        tier: level,
        released,
        counted,
    };
    Ok(Response::new().add_event(event.to_event()))
}

// ---- queries ----

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> StdResult<Binary> {
    let now = env.block.time;
    match msg {
        QueryMsg::Config {} => to_json_binary(&ConfigResponse {
            creators: CONFIG.load(deps.storage)?.creators,
        }),
        QueryMsg::Status { creator, fan } => {
            to_json_binary(&query_status(deps, now, creator, fan)?)
        }
        QueryMsg::Subscription { creator, fan } => {
            to_json_binary(&query_subscription(deps, now, creator, fan)?)
        }
        QueryMsg::Subscribers {
            creator,
            start_after,
            limit,
        } => to_json_binary(&query_subscribers(deps, now, creator, start_after, limit)?),
        QueryMsg::FanSubscriptions {
            fan,
            start_after,
            limit,
        } => to_json_binary(&query_fan_subscriptions(
            deps,
            now,
            fan,
            start_after,
            limit,
        )?),
        QueryMsg::Tier { creator, tier } => {
            let creator = deps.api.addr_validate(&creator)?;
            let info = tier_info(
                deps.storage,
                &creator,
                tier,
                TIERS.load(deps.storage, (&creator, tier))?,
            )?;
            to_json_binary(&info)
        }
        QueryMsg::Tiers {
            creator,
            start_after,
            limit,
        } => to_json_binary(&query_tiers(deps, creator, start_after, limit)?),
        QueryMsg::PurchaseQuote {
            creator,
            tier,
            periods,
        } => {
            let creator = deps.api.addr_validate(&creator)?;
            let tier = TIERS.load(deps.storage, (&creator, tier))?;
            let amount = purchase_price(&tier, periods).map_err(to_std)?;
            to_json_binary(&QuoteResponse {
                asset: tier.asset,
                amount,
            })
        }
        QueryMsg::UpgradeQuote {
            creator,
            fan,
            to_tier,
        } => {
            let creator = deps.api.addr_validate(&creator)?;
            let fan = deps.api.addr_validate(&fan)?;
            let sub = SUBSCRIPTIONS.load(deps.storage, (&creator, &fan))?;
            let to = TIERS.load(deps.storage, (&creator, to_tier))?;
            let (amount, _) =
                upgrade_price(deps.storage, &creator, &sub, to_tier, &to, now).map_err(to_std)?;
            to_json_binary(&QuoteResponse {
                asset: to.asset,
                amount,
            })
        }
    }
}

fn to_std(err: ContractError) -> cosmwasm_std::StdError {
    match err {
        ContractError::Std(err) => err,
        other => cosmwasm_std::StdError::generic_err(other.to_string()),
    }
}

fn query_status(
    deps: Deps,
    now: Timestamp,
    creator: String,
    fan: String,
) -> StdResult<SubscriptionStatus> {
    let creator = deps.api.addr_validate(&creator)?;
    let fan = deps.api.addr_validate(&fan)?;
    Ok(
        match SUBSCRIPTIONS.may_load(deps.storage, (&creator, &fan))? {
            Some(sub) => SubscriptionStatus {
                active: sub.is_active(now),
                tier: Some(sub.tier),
                expires_at: Some(sub.expires_at),
                auto_renew: sub.auto_renew,
            },
            None => SubscriptionStatus {
                active: false,
                tier: None,
                expires_at: None,
                auto_renew: false,
            },
        },
    )
}

fn subscription_info(
    now: Timestamp,
    creator: Addr,
    fan: Addr,
    sub: Subscription,
) -> SubscriptionInfo {
    SubscriptionInfo {
        creator,
        fan,
        tier: sub.tier,
        expires_at: sub.expires_at,
        active: sub.is_active(now),
        auto_renew: sub.auto_renew,
        max_price_per_period: sub.max_price_per_period,
        on_trial: sub.on_trial,
        trial_used: sub.trial_used,
    }
}

fn query_subscription(
    deps: Deps,
    now: Timestamp,
    creator: String,
    fan: String,
) -> StdResult<Option<SubscriptionInfo>> {
    let creator = deps.api.addr_validate(&creator)?;
    let fan = deps.api.addr_validate(&fan)?;
    let sub = SUBSCRIPTIONS.may_load(deps.storage, (&creator, &fan))?;
    Ok(sub.map(|sub| subscription_info(now, creator, fan, sub)))
}

fn query_subscribers(
    deps: Deps,
    now: Timestamp,
    creator: String,
    start_after: Option<String>,
    limit: Option<u32>,
) -> StdResult<SubscriptionsResponse> {
    let creator = deps.api.addr_validate(&creator)?;
    let start = start_after
        .map(|fan| deps.api.addr_validate(&fan))
        .transpose()?;
    let subscriptions = SUBSCRIPTIONS
        .prefix(&creator)
        .range(
            deps.storage,
            start.as_ref().map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(page_limit(limit))
        .map(|entry| entry.map(|(fan, sub)| subscription_info(now, creator.clone(), fan, sub)))
        .collect::<StdResult<_>>()?;
    Ok(SubscriptionsResponse { subscriptions })
}

fn query_fan_subscriptions(
    deps: Deps,
    now: Timestamp,
    fan: String,
    start_after: Option<String>,
    limit: Option<u32>,
) -> StdResult<SubscriptionsResponse> {
    let fan = deps.api.addr_validate(&fan)?;
    let start = start_after
        .map(|creator| deps.api.addr_validate(&creator))
        .transpose()?;
    let subscriptions = FAN_CREATORS
        .prefix(&fan)
        .keys(
            deps.storage,
            start.as_ref().map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(page_limit(limit))
        .map(|creator| {
            let creator = creator?;
            let sub = SUBSCRIPTIONS.load(deps.storage, (&creator, &fan))?;
            Ok(subscription_info(now, creator, fan.clone(), sub))
        })
        .collect::<StdResult<_>>()?;
    Ok(SubscriptionsResponse { subscriptions })
}

fn tier_info(storage: &dyn Storage, creator: &Addr, level: u32, tier: Tier) -> StdResult<TierInfo> {
    Ok(TierInfo {
        creator: creator.clone(),
        tier: level,
        name: tier.name,
        price: tier.price,
        asset: tier.asset,
        period_seconds: tier.period_seconds,
        subscriber_cap: tier.subscriber_cap,
        bundles: tier.bundles,
        trial_seconds: tier.trial_seconds,
        retired: tier.retired,
        counted_subscribers: cap::counted(storage, creator, level)?,
    })
}

fn query_tiers(
    deps: Deps,
    creator: String,
    start_after: Option<u32>,
    limit: Option<u32>,
) -> StdResult<TiersResponse> {
    let creator = deps.api.addr_validate(&creator)?;
    let tiers = TIERS
        .prefix(&creator)
        .range(
            deps.storage,
            start_after.map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(page_limit(limit))
        .map(|entry| entry.and_then(|(level, tier)| tier_info(deps.storage, &creator, level, tier)))
        .collect::<StdResult<_>>()?;
    Ok(TiersResponse { tiers })
}
