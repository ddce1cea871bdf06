//! Paying out a meeting's escrow: refunds to the fan, the platform fee and the creator's share,
//! and the cancellation fee a creator pays to back out.

use cosmwasm_std::{CosmosMsg, Deps, StdError, Uint128};
use mesi_common::events::meetings::MeetingPayout;
use mesi_common::fee::{bps_of_ceil, split};
use mesi_common::interfaces::creators::Product;

use crate::error::ContractError;
use crate::state::{Config, Meeting, CONFIG};

/// Pays out a meeting's whole escrow: `to_fan` back to the fan, the rest to the creator less the
/// platform fee (rounded down, so dust goes to the creator). Asks the registry for the current
/// payout address and treasury only when the creator gets something.
pub fn pay_out(
    deps: Deps,
    meeting_id: u64,
    meeting: &Meeting,
    to_fan: Uint128,
) -> Result<(Vec<CosmosMsg>, MeetingPayout), ContractError> {
    let creator_share = meeting.price.checked_sub(to_fan).map_err(StdError::from)?;
    let mut messages: Vec<CosmosMsg> = meeting
        .asset
        .payout(&meeting.fan, to_fan)?
        .into_iter()
        .collect();
    let mut payout = MeetingPayout {
        meeting_id,
        asset: meeting.asset.clone(),
        fan: meeting.fan.clone(),
        to_fan,
        treasury: None,
        fee: Uint128::zero(),
        payout: None,
        to_creator: Uint128::zero(),
        cancellation_fee: None,
    };
    if !creator_share.is_zero() {
        let terms = CONFIG.load(deps.storage)?.registry().payment_terms(
            &deps.querier,
            &meeting.creator,
            Product::Meetings,
        )?;
        let parts = split(creator_share, meeting.fee_bps)?;
        messages.extend(meeting.asset.payout(&terms.treasury, parts.fee)?);
        messages.extend(meeting.asset.payout(&terms.payout, parts.payee)?);
        if !parts.fee.is_zero() {
            payout.treasury = Some(terms.treasury);
            payout.fee = parts.fee;
        }
        payout.payout = Some(terms.payout);
        payout.to_creator = parts.payee;
    }
    Ok((messages, payout))
}

/// A cancelled meeting: the fan gets the whole price back, and the cancellation `fee` the creator
/// paid goes on to the treasury the registry names now.
pub fn pay_cancellation(
    deps: Deps,
    config: &Config,
    meeting_id: u64,
    meeting: &Meeting,
    fee: Uint128,
) -> Result<(Vec<CosmosMsg>, MeetingPayout), ContractError> {
    let (mut messages, mut payout) = pay_out(deps, meeting_id, meeting, meeting.price)?;
    let treasury = config
        .registry()
        .payment_terms(&deps.querier, &meeting.creator, Product::Meetings)?
        .treasury;
    messages.extend(meeting.asset.payout(&treasury, fee)?);
    payout.treasury = Some(treasury);
    payout.cancellation_fee = Some(fee);
    Ok((messages, payout))
}

/// `ceil(price * cancellation_fee_bps / 10_000)`: at least 1, since a price is never zero.
pub fn cancellation_fee(config: &Config, meeting: &Meeting) -> Uint128 {
    bps_of_ceil(meeting.price, config.cancellation_fee_bps)
}
