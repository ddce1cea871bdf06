//! Tips paid on chain: native coins with `Tip`, CW20 tokens through `Receive`.

use cosmwasm_std::{Addr, Deps, DepsMut, Empty, Env, MessageInfo, Response};
use cw20::Cw20ReceiveMsg;
use mesi_common::asset::{ensure_accepted, paid_cw20, paid_native, Cw20Payment};
use mesi_common::events::tips::TipSent;
use mesi_common::interfaces::creators::{PaymentTerms, Product, Registry};
use mesi_common::interfaces::tips::{TipContext, MAX_TIP_MESSAGE_LEN};
use mesi_common::{Asset, MesiEvent};

use crate::error::ContractError;
use crate::msg::TipHookMsg;
use crate::state::{CONFIG, TOTALS, TOTALS_BY_FAN};

/// What the fan says with a tip, checked.
pub(crate) struct TipNote {
    pub context: TipContext,
    pub message: Option<String>,
    pub anonymous: bool,
}

impl TipNote {
    pub fn validated(
        context: TipContext,
        message: Option<String>,
        anonymous: bool,
    ) -> Result<Self, ContractError> {
        context.validate().map_err(ContractError::InvalidContext)?;
        let message = message.filter(|m| !m.is_empty());
        if let Some(len) = message
            .as_ref()
            .map(String::len)
            .filter(|len| *len > MAX_TIP_MESSAGE_LEN)
        {
            return Err(ContractError::MessageTooLong {
                len,
                max: MAX_TIP_MESSAGE_LEN,
            });
        }
        Ok(TipNote {
            context,
            message,
            anonymous,
        })
    }
}

/// A tip in the one native coin sent with the message; the sender is the fan.
pub fn execute_tip(
    deps: DepsMut,
    env: &Env,
    info: MessageInfo,
    creator: String,
    context: TipContext,
    message: Option<String>,
    anonymous: bool,
) -> Result<Response, ContractError> {
    let note = TipNote::validated(context, message, anonymous)?;
    let paid = paid_native(&info)?;
    take_tip(deps, env, info.sender, paid, creator, note)
}

/// A CW20 tip: the token contract calls this after a `Send`; the fan is the CW20 sender.
pub fn execute_receive(
    deps: DepsMut,
    env: &Env,
    info: MessageInfo,
    wrapper: Cw20ReceiveMsg,
) -> Result<Response, ContractError> {
    // Whether this token is one the creator accepts is checked against the payment terms.
    let Cw20Payment { payer, paid, msg } =
        paid_cw20::<_, ContractError>(deps.api, &info, &wrapper)?;
    let TipHookMsg::Tip {
        creator,
        context,
        message,
        anonymous,
    } = msg;
    let note = TipNote::validated(context, message, anonymous)?;
    take_tip(deps, env, payer, paid, creator, note)
}

/// Takes a paid tip: checks it against the creator's terms, pays fee and creator share out,
/// adds it to the fan's lifetime total.
fn take_tip(
    deps: DepsMut,
    env: &Env,
    fan: Addr,
    paid: Asset,
    creator: String,
    note: TipNote,
) -> Result<Response, ContractError> {
    let creator = deps.api.addr_validate(&creator)?;
    let terms = payment_terms(deps.as_ref(), &creator)?;
    if !terms.active {
        return Err(ContractError::CreatorInactive(creator));
    }
    // Paid to itself, a tip would stay in this contract for good.
    if terms.payout == env.contract.address || terms.treasury == env.contract.address {
        return Err(ContractError::PayoutToTipsContract);
    }
    ensure_accepted(&paid.info, &terms.accepted_assets)?;
    let minimum = terms.tip_minimum(&paid.info);
    if paid.amount < minimum {
        return Err(ContractError::BelowMinimum {
            minimum,
            asset: paid.info,
        });
    }
    let (payouts, parts) = terms.pay(&paid.info, paid.amount)?;

    let asset_key = paid.info.key();
    let previous = TOTALS.may_load(deps.storage, (&creator, &fan, &asset_key))?;
    let fan_total = previous.unwrap_or_default().checked_add(paid.amount)?;
    TOTALS.save(deps.storage, (&creator, &fan, &asset_key), &fan_total)?;
    if previous.is_none() {
        TOTALS_BY_FAN.save(deps.storage, (&fan, &creator, &asset_key), &Empty {})?;
    }

    let event = TipSent {
        creator,
        fan,
        asset: paid.info,
        amount: paid.amount,
        fee: parts.fee,
        creator_amount: parts.payee,
        payout: terms.payout,
        context: note.context,
        message: note.message,
        anonymous: note.anonymous,
        fan_total,
    };
    Ok(Response::new()
        .add_messages(payouts)
        .add_event(event.to_event()))
}

/// The one registry query a tip makes.
fn payment_terms(deps: Deps, creator: &Addr) -> Result<PaymentTerms, ContractError> {
    let registry = Registry(CONFIG.load(deps.storage)?.creators);
    registry
        .payment_terms(&deps.querier, creator, Product::Tips)
        .map_err(|e| ContractError::NoPaymentTerms {
            creator: creator.clone(),
            reason: e.to_string(),
        })
}
