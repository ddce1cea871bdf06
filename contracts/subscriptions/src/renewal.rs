//! Keeping a subscription going: anyone renews an auto-renewing CW20 subscription from the fan's
//! allowance, and the fan cancels renewals.

use cosmwasm_std::{to_json_binary, Addr, DepsMut, Env, Response, WasmMsg};
use cw20::Cw20ExecuteMsg;
use mesi_common::events::subscriptions::{SubscriptionAction, SubscriptionChanged};
use mesi_common::fee::split;
use mesi_common::{AssetInfo, MesiEvent};

use crate::cap;
use crate::error::ContractError;
use crate::pricing::{paid_until, renewal_window};
use crate::purchase::{
    ensure_within_max, paid_after, slot_of, subscription_changed, terms_for_payment, with_payment,
};
use crate::state::SUBSCRIPTIONS;
use crate::tiers::{load_live_tier, load_tier};

pub fn execute_cancel(
    deps: DepsMut,
    fan: Addr,
    creator: String,
) -> Result<Response, ContractError> {
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
pub fn execute_renew(
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
