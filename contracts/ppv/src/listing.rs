//! A creator's items: listing, updating and delisting.

use cosmwasm_std::{
    Addr, Deps, DepsMut, Env, MessageInfo, Response, StdResult, Timestamp, Uint128,
};
use mesi_common::asset::ensure_accepted;
use mesi_common::events::ppv::{ItemAction, PpvItemChanged};
use mesi_common::{AssetInfo, MesiEvent};

use crate::error::ContractError;
use crate::msg::MAX_CONTENT_ID_LEN;
use crate::state::{load_item, ContentItem, CONFIG, ITEMS};

/// The sale terms a creator sets when listing or updating an item.
pub struct ItemTerms {
    pub price: Uint128,
    pub asset: AssetInfo,
    pub sale_ends_at: Option<Timestamp>,
    pub free_for_tier: Option<u32>,
}

/// Lists a new item of the sender's, or one of their delisted items again with new terms.
pub fn execute_list_item(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    content_id: String,
    terms: ItemTerms,
) -> Result<Response, ContractError> {
    let creator = info.sender;
    validate_content_id(&content_id)?;
    let revision = match ITEMS.may_load(deps.storage, (&creator, &content_id))? {
        None => 1,
        Some(item) if item.listed => return Err(ContractError::AlreadyListed(content_id)),
        Some(item) => item.revision + 1,
    };
    let terms = validate_terms(deps.as_ref(), &env, &creator, terms)?;
    let item = ContentItem {
        content_id,
        creator,
        price: terms.price,
        asset: terms.asset,
        sale_ends_at: terms.sale_ends_at,
        free_for_tier: terms.free_for_tier,
        listed: true,
        revision,
    };
    save_item(deps, &item)?;
    Ok(item_response(ItemAction::Listed, item))
}

pub fn execute_update_item(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    content_id: String,
    terms: ItemTerms,
) -> Result<Response, ContractError> {
    let sender = info.sender;
    let mut item = load_own_listed_item(deps.as_ref(), &sender, content_id)?;
    let terms = validate_terms(deps.as_ref(), &env, &sender, terms)?;
    item.price = terms.price;
    item.asset = terms.asset;
    item.sale_ends_at = terms.sale_ends_at;
    item.free_for_tier = terms.free_for_tier;
    item.revision += 1;
    save_item(deps, &item)?;
    Ok(item_response(ItemAction::Updated, item))
}

pub fn execute_delist(
    deps: DepsMut,
    info: MessageInfo,
    content_id: String,
) -> Result<Response, ContractError> {
    let mut item = load_own_listed_item(deps.as_ref(), &info.sender, content_id)?;
    item.listed = false;
    item.revision += 1;
    save_item(deps, &item)?;
    Ok(item_response(ItemAction::Delisted, item))
}

fn validate_content_id(content_id: &str) -> Result<(), ContractError> {
    let valid = (1..=MAX_CONTENT_ID_LEN).contains(&content_id.len())
        && content_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if valid {
        Ok(())
    } else {
        Err(ContractError::InvalidContentId)
    }
}

/// Checks the terms against the clock and the creator's registry entry (which must be active
/// and accept the asset).
fn validate_terms(
    deps: Deps,
    env: &Env,
    creator: &Addr,
    terms: ItemTerms,
) -> Result<ItemTerms, ContractError> {
    if terms.price.is_zero() {
        return Err(ContractError::ZeroPrice);
    }
    if terms.sale_ends_at.is_some_and(|end| end <= env.block.time) {
        return Err(ContractError::SaleEndNotInFuture);
    }
    let asset = terms.asset.validate(deps.api)?;
    let payment_terms = CONFIG
        .load(deps.storage)?
        .payment_terms(&deps.querier, creator)?;
    if !payment_terms.active {
        return Err(ContractError::CreatorInactive(creator.clone()));
    }
    ensure_accepted(&asset, &payment_terms.accepted_assets)?;
    Ok(ItemTerms { asset, ..terms })
}

fn save_item(deps: DepsMut, item: &ContentItem) -> StdResult<()> {
    ITEMS.save(deps.storage, (&item.creator, &item.content_id), item)
}

/// The sender's own item (ids are per creator, so the sender names only the id).
fn load_own_listed_item(
    deps: Deps,
    sender: &Addr,
    content_id: String,
) -> Result<ContentItem, ContractError> {
    let item = load_item(deps.storage, sender, &content_id)?;
    if !item.listed {
        return Err(ContractError::NotListed(content_id));
    }
    Ok(item)
}

fn item_response(action: ItemAction, item: ContentItem) -> Response {
    let event = PpvItemChanged {
        action,
        content_id: item.content_id,
        creator: item.creator,
        price: item.price,
        asset: item.asset,
        sale_ends_at: item.sale_ends_at,
        free_for_tier: item.free_for_tier,
        listed: item.listed,
        revision: item.revision,
    };
    Response::new().add_event(event.to_event())
}
