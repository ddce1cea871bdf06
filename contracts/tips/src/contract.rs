#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    to_json_binary, to_json_vec, Addr, Binary, Deps, DepsMut, Empty, Env, MessageInfo, Order,
    Response, StdError, StdResult, Uint128,
};
use cw20::Cw20ReceiveMsg;
use cw_storage_plus::Bound;
use mesi_common::asset::{ensure_accepted, nonpayable, paid_cw20, paid_native, Cw20Payment};
use mesi_common::events::tips::{FiatTipAttested, TipSent, TipsConfigSet};
use mesi_common::interfaces::creators::{PaymentTerms, Product, Registry};
use mesi_common::interfaces::tips::{TipContext, MAX_TIP_MESSAGE_LEN};
use mesi_common::interfaces::TotalResponse;
use mesi_common::pagination::page_limit;
use mesi_common::{Asset, AssetError, AssetInfo, MesiEvent};
use sha2::{Digest, Sha256};

use crate::error::ContractError;
use crate::msg::{
    ConfigResponse, CreatorAsset, ExecuteMsg, FanAsset, InstantiateMsg, MigrateMsg, QueryMsg,
    TipHookMsg, TipTotal, TotalsResponse,
};
use crate::state::{Config, CONFIG, FIAT_PAYMENTS, TOTALS, TOTALS_BY_FAN};

pub const CONTRACT_NAME: &str = "crates.io:mesi-tips";
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Longest gateway payment reference, in bytes.
pub const MAX_PAYMENT_REF_LEN: usize = 128;

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
    Ok(Response::new().add_event(TipsConfigSet { creators }.to_event()))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    match msg {
        ExecuteMsg::Tip {
            creator,
            context,
            message,
            anonymous,
        } => {
            let note = TipNote::validated(context, message, anonymous)?;
            let paid = paid_native(&info)?;
            execute_tip(deps, &env, info.sender, paid, creator, note)
        }
        ExecuteMsg::Receive(cw20_msg) => execute_receive(deps, &env, info, cw20_msg),
        ExecuteMsg::AttestFiatTip {
            payment_ref,
            creator,
            fan,
            currency,
            amount_minor,
            context,
            message,
            anonymous,
        } => {
            nonpayable(&info)?;
            ensure_fiat_gateway(deps.as_ref(), &info.sender)?;
            let note = TipNote::validated(context, message, anonymous)?;
            let tip = FiatTip {
                creator: deps.api.addr_validate(&creator)?,
                fan: deps.api.addr_validate(&fan)?,
                currency: validated_currency(currency)?,
                amount_minor,
                note,
            };
            execute_attest_fiat_tip(deps, info.sender, validated_payment_ref(payment_ref)?, tip)
        }
    }
}

/// What the fan says with a tip, checked.
struct TipNote {
    context: TipContext,
    message: Option<String>,
    anonymous: bool,
}

impl TipNote {
    fn validated(
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

fn execute_receive(
    deps: DepsMut,
    env: &Env,
    info: MessageInfo,
    cw20_msg: Cw20ReceiveMsg,
) -> Result<Response, ContractError> {
    // Whether this token is one the creator accepts is checked against the payment terms.
    let Cw20Payment { payer, paid, msg } =
        paid_cw20::<_, ContractError>(deps.api, &info, &cw20_msg)?;
    let TipHookMsg::Tip {
        creator,
        context,
        message,
        anonymous,
    } = msg;
    let note = TipNote::validated(context, message, anonymous)?;
    execute_tip(deps, env, payer, paid, creator, note)
}

/// Takes a paid tip: checks it against the creator's terms, pays fee and creator share out,
/// adds it to the fan's lifetime total.
fn execute_tip(
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

fn ensure_fiat_gateway(deps: Deps, sender: &Addr) -> Result<(), ContractError> {
    let registry = Registry(CONFIG.load(deps.storage)?.creators);
    if registry.is_fiat_gateway(&deps.querier, sender)? {
        Ok(())
    } else {
        Err(ContractError::NotFiatGateway)
    }
}

fn validated_currency(currency: String) -> Result<String, ContractError> {
    if currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(currency)
    } else {
        Err(ContractError::InvalidCurrency(currency))
    }
}

fn validated_payment_ref(payment_ref: String) -> Result<String, ContractError> {
    let printable = payment_ref.bytes().all(|b| b.is_ascii_graphic());
    if printable && (1..=MAX_PAYMENT_REF_LEN).contains(&payment_ref.len()) {
        Ok(payment_ref)
    } else {
        Err(ContractError::InvalidPaymentRef {
            max: MAX_PAYMENT_REF_LEN,
        })
    }
}

/// A validated fiat attestation, without the gateway and payment reference that identify it.
struct FiatTip {
    creator: Addr,
    fan: Addr,
    currency: String,
    amount_minor: Uint128,
    note: TipNote,
}

impl FiatTip {
    /// sha256 of everything attested, to tell a retry from a reused payment reference.
    fn fingerprint(&self) -> StdResult<Binary> {
        let TipNote {
            context,
            message,
            anonymous,
        } = &self.note;
        let data = (
            &self.creator,
            &self.fan,
            &self.currency,
            self.amount_minor,
            context,
            message,
            anonymous,
        );
        Ok(Binary::from(Sha256::digest(to_json_vec(&data)?).to_vec()))
    }
}

fn execute_attest_fiat_tip(
    deps: DepsMut,
    gateway: Addr,
    payment_ref: String,
    tip: FiatTip,
) -> Result<Response, ContractError> {
    if tip.amount_minor.is_zero() {
        return Err(AssetError::ZeroAmount.into());
    }
    let fingerprint = tip.fingerprint()?;
    match FIAT_PAYMENTS.may_load(deps.storage, (&gateway, &payment_ref))? {
        // A gateway retrying after a timeout must not record the tip twice, nor fail.
        Some(recorded) if recorded == fingerprint => {
            return Ok(Response::new().add_attribute("already_recorded", payment_ref));
        }
        Some(_) => return Err(ContractError::PaymentRefReused(payment_ref)),
        None => FIAT_PAYMENTS.save(deps.storage, (&gateway, &payment_ref), &fingerprint)?,
    }
    let event = FiatTipAttested {
        gateway,
        payment_ref,
        creator: tip.creator,
        fan: tip.fan,
        currency: tip.currency,
        amount_minor: tip.amount_minor,
        context: tip.note.context,
        message: tip.note.message,
        anonymous: tip.note.anonymous,
    };
    Ok(Response::new().add_event(event.to_event()))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, _env: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::Config {} => to_json_binary(&ConfigResponse {
            creators: CONFIG.load(deps.storage)?.creators,
        }),
        QueryMsg::TippedTotal {
            creator,
            fan,
            asset,
        } => to_json_binary(&query_tipped_total(deps, creator, fan, asset)?),
        QueryMsg::FanTotals {
            creator,
            start_after,
            limit,
        } => to_json_binary(&query_fan_totals(deps, creator, start_after, limit)?),
        QueryMsg::TippedCreators {
            fan,
            start_after,
            limit,
        } => to_json_binary(&query_tipped_creators(deps, fan, start_after, limit)?),
        QueryMsg::FiatPaymentRecorded {
            gateway,
            payment_ref,
        } => to_json_binary(&FIAT_PAYMENTS.has(
            deps.storage,
            (&deps.api.addr_validate(&gateway)?, &payment_ref),
        )),
    }
}

fn validated_asset(deps: Deps, asset: AssetInfo) -> StdResult<AssetInfo> {
    asset.validate(deps.api).map_err(|e| match e {
        AssetError::Std(e) => e,
        other => StdError::generic_err(other.to_string()),
    })
}

fn query_tipped_total(
    deps: Deps,
    creator: String,
    fan: String,
    asset: AssetInfo,
) -> StdResult<TotalResponse> {
    let creator = deps.api.addr_validate(&creator)?;
    let fan = deps.api.addr_validate(&fan)?;
    let asset = validated_asset(deps, asset)?;
    let amount = TOTALS
        .may_load(deps.storage, (&creator, &fan, &asset.key()))?
        .unwrap_or_default();
    Ok(TotalResponse { amount })
}

fn query_fan_totals(
    deps: Deps,
    creator: String,
    start_after: Option<FanAsset>,
    limit: Option<u32>,
) -> StdResult<TotalsResponse> {
    let creator = deps.api.addr_validate(&creator)?;
    let start = start_after
        .map(|c| page_cursor(deps, &c.fan, c.asset))
        .transpose()?;
    let totals = TOTALS
        .sub_prefix(&creator)
        .range(
            deps.storage,
            start
                .as_ref()
                .map(|(fan, asset)| Bound::exclusive((fan, asset.as_str()))),
            None,
            Order::Ascending,
        )
        .take(page_limit(limit))
        .map(|entry| {
            let ((fan, asset_key), amount) = entry?;
            Ok(TipTotal {
                creator: creator.clone(),
                fan,
                asset: stored_asset(&asset_key)?,
                amount,
            })
        })
        .collect::<StdResult<_>>()?;
    Ok(TotalsResponse { totals })
}

fn query_tipped_creators(
    deps: Deps,
    fan: String,
    start_after: Option<CreatorAsset>,
    limit: Option<u32>,
) -> StdResult<TotalsResponse> {
    let fan = deps.api.addr_validate(&fan)?;
    let start = start_after
        .map(|c| page_cursor(deps, &c.creator, c.asset))
        .transpose()?;
    let totals = TOTALS_BY_FAN
        .sub_prefix(&fan)
        .keys(
            deps.storage,
            start
                .as_ref()
                .map(|(creator, asset)| Bound::exclusive((creator, asset.as_str()))),
            None,
            Order::Ascending,
        )
        .take(page_limit(limit))
        .map(|key| {
            let (creator, asset_key) = key?;
            let amount = TOTALS.load(deps.storage, (&creator, &fan, &asset_key))?;
            Ok(TipTotal {
                creator,
                fan: fan.clone(),
                asset: stored_asset(&asset_key)?,
                amount,
            })
        })
        .collect::<StdResult<_>>()?;
    Ok(TotalsResponse { totals })
}

/// The (address, asset key) a page starts after.
fn page_cursor(deps: Deps, address: &str, asset: AssetInfo) -> StdResult<(Addr, String)> {
    Ok((
        deps.api.addr_validate(address)?,
        validated_asset(deps, asset)?.key(),
    ))
}

/// Asset keys in storage were written from validated assets.
fn stored_asset(key: &str) -> StdResult<AssetInfo> {
    AssetInfo::from_key(key).map_err(|e| StdError::generic_err(e.to_string()))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    // Refuses another contract's state and a downgrade.
    cw2::ensure_from_older_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    Ok(Response::new())
}
