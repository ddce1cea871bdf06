//! The owner's settings: their limits, and the event that announces them.

use cosmwasm_std::{DepsMut, MessageInfo, Response};
use mesi_common::events::meetings::MeetingsConfigSet;
use mesi_common::MesiEvent;

use crate::error::ContractError;
use crate::msg::{
    MAX_CANCELLATION_FEE_BPS, MAX_DISPUTE_WINDOW_SECS, MAX_OPEN_AUCTIONS_CAP,
    MIN_DISPUTE_WINDOW_SECS,
};
use crate::state::{Config, CONFIG};

pub fn execute_update_config(
    deps: DepsMut,
    info: MessageInfo,
    max_open_auctions: Option<u32>,
    dispute_window_secs: Option<u64>,
    cancellation_fee_bps: Option<u16>,
) -> Result<Response, ContractError> {
    cw_ownable::assert_owner(deps.storage, &info.sender)?;
    let mut config = CONFIG.load(deps.storage)?;
    if let Some(bps) = cancellation_fee_bps {
        config.cancellation_fee_bps = validate_cancellation_fee(bps)?;
    }
    if let Some(max) = max_open_auctions {
        config.max_open_auctions = validate_max_open_auctions(max)?;
    }
    if let Some(window) = dispute_window_secs {
        config.dispute_window_secs = validate_dispute_window(window)?;
    }
    CONFIG.save(deps.storage, &config)?;
    Ok(Response::new().add_event(config_event(&config).to_event()))
}

pub fn validate_max_open_auctions(max: u32) -> Result<u32, ContractError> {
    if (1..=MAX_OPEN_AUCTIONS_CAP).contains(&max) {
        Ok(max)
    } else {
        Err(ContractError::invalid(
            "max_open_auctions",
            format!("must be 1 to {MAX_OPEN_AUCTIONS_CAP}"),
        ))
    }
}

pub fn validate_dispute_window(secs: u64) -> Result<u64, ContractError> {
    if (MIN_DISPUTE_WINDOW_SECS..=MAX_DISPUTE_WINDOW_SECS).contains(&secs) {
        Ok(secs)
    } else {
        Err(ContractError::invalid(
            "dispute_window_secs",
            format!("must be {MIN_DISPUTE_WINDOW_SECS} to {MAX_DISPUTE_WINDOW_SECS}"),
        ))
    }
}

fn validate_cancellation_fee(bps: u16) -> Result<u16, ContractError> {
    if (1..=MAX_CANCELLATION_FEE_BPS).contains(&bps) {
        Ok(bps)
    } else {
        Err(ContractError::invalid(
            "cancellation_fee_bps",
            format!("must be 1 to {MAX_CANCELLATION_FEE_BPS}"),
        ))
    }
}

pub fn config_event(config: &Config) -> MeetingsConfigSet {
    MeetingsConfigSet {
        creators: config.creators.clone(),
        max_open_auctions: config.max_open_auctions,
        dispute_window_secs: config.dispute_window_secs,
        cancellation_fee_bps: Some(config.cancellation_fee_bps),
    }
}
