//! Two-step ownership (cw-ownable) with the typed event every Mesi contract emits for it.

use cosmwasm_std::{Addr, BlockInfo, DepsMut, Response};
use cw_ownable::{Action, OwnershipError};

use crate::event::MesiEvent;
use crate::events::creators::OwnershipChanged;

/// Applies a cw-ownable `UpdateOwnership` action and emits [`OwnershipChanged`].
pub fn update_ownership(
    deps: DepsMut,
    block: &BlockInfo,
    sender: &Addr,
    action: Action,
) -> Result<Response, OwnershipError> {
    let label = match &action {
        Action::TransferOwnership { .. } => "proposed",
        Action::AcceptOwnership => "accepted",
        Action::RenounceOwnership => "renounced",
    };
    let ownership = cw_ownable::update_ownership(deps, block, sender, action)?;
    let event = OwnershipChanged {
        action: label.into(),
        owner: ownership.owner,
        pending_owner: ownership.pending_owner,
    };
    Ok(Response::new().add_event(event.to_event()))
}
