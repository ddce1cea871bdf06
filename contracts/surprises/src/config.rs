//! The platform admin's settings: registry, reveal window, creator recheck interval.

use cosmwasm_std::{DepsMut, MessageInfo, Response, Storage};
use mesi_common::events::surprises::SurprisesConfigSet;
use mesi_common::MesiEvent;

use crate::error::ContractError;
use crate::msg::{MAX_CREATOR_RECHECK_INTERVAL, MAX_REVEAL_WINDOW, MIN_REVEAL_WINDOW};
use crate::state::{Config, CONFIG};

pub fn execute_update_config(
    deps: DepsMut,
    info: MessageInfo,
    creators: Option<String>,
    reveal_window: Option<u64>,
    creator_recheck_interval: Option<u64>,
) -> Result<Response, ContractError> {
    cw_ownable::assert_owner(deps.storage, &info.sender)?;
    let mut config = CONFIG.load(deps.storage)?;
    if let Some(creators) = creators {
        config.creators = deps.api.addr_validate(&creators)?;
    }
    if let Some(reveal_window) = reveal_window {
        config.reveal_window = reveal_window;
    }
    if let Some(interval) = creator_recheck_interval {
        config.creator_recheck_interval = interval;
    }
    save_config(deps.storage, config)
}

/// Checks the bounds, saves and emits the config; instantiate and updates both end here.
pub(crate) fn save_config(
    storage: &mut dyn Storage,
    config: Config,
) -> Result<Response, ContractError> {
    if !(MIN_REVEAL_WINDOW..=MAX_REVEAL_WINDOW).contains(&config.reveal_window) {
        return Err(ContractError::InvalidRevealWindow {
            min: MIN_REVEAL_WINDOW,
            max: MAX_REVEAL_WINDOW,
        });
    }
    if config.creator_recheck_interval > MAX_CREATOR_RECHECK_INTERVAL {
        return Err(ContractError::InvalidRecheckInterval {
            max: MAX_CREATOR_RECHECK_INTERVAL,
        });
    }
    CONFIG.save(storage, &config)?;
    let event = SurprisesConfigSet {
        creators: config.creators,
        reveal_window: config.reveal_window,
        creator_recheck_interval: config.creator_recheck_interval,
    };
    Ok(Response::new().add_event(event.to_event()))
}
