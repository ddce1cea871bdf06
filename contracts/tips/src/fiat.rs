//! Fiat tips: a gateway of the registry records a tip it took off chain.

use cosmwasm_std::{
    to_json_vec, Addr, Binary, Deps, DepsMut, MessageInfo, Response, StdResult, Uint128,
};
use mesi_common::events::tips::FiatTipAttested;
use mesi_common::interfaces::creators::Registry;
use mesi_common::interfaces::tips::TipContext;
use mesi_common::{AssetError, MesiEvent};
use sha2::{Digest, Sha256};

use crate::error::ContractError;
use crate::msg::MAX_PAYMENT_REF_LEN;
use crate::state::{CONFIG, FIAT_PAYMENTS};
use crate::tip::TipNote;

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

/// Records a fiat tip once per (gateway, payment reference); a retry with the same data succeeds
/// without effect.
// One argument per field of `ExecuteMsg::AttestFiatTip`.
#[allow(clippy::too_many_arguments)]
pub fn execute_attest_fiat_tip(
    deps: DepsMut,
    info: MessageInfo,
    payment_ref: String,
    creator: String,
    fan: String,
    currency: String,
    amount_minor: Uint128,
    context: TipContext,
    message: Option<String>,
    anonymous: bool,
) -> Result<Response, ContractError> {
    ensure_fiat_gateway(deps.as_ref(), &info.sender)?;
    let note = TipNote::validated(context, message, anonymous)?;
    let tip = FiatTip {
        creator: deps.api.addr_validate(&creator)?,
        fan: deps.api.addr_validate(&fan)?,
        currency: validated_currency(currency)?,
        amount_minor,
        note,
    };
    let (gateway, payment_ref) = (info.sender, validated_payment_ref(payment_ref)?);
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
