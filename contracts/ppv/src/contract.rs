#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    to_json_binary, Addr, Binary, Deps, DepsMut, Env, MessageInfo, Order, Response, StdResult,
    Timestamp, Uint128,
};
use cw20::Cw20ReceiveMsg;
use cw_storage_plus::Bound;
use mesi_common::asset::{ensure_accepted, nonpayable, paid_cw20, Cw20Payment};
use mesi_common::event::MesiEvent;
use mesi_common::events::ppv::{ItemAction, PpvConfigSet, PpvItemChanged, PpvPurchase};
use mesi_common::interfaces::creators::{PaymentTerms, Product, Registry};
use mesi_common::interfaces::subscriptions::{SubscriptionStatus, SubscriptionsQuery};
use mesi_common::interfaces::TotalResponse;
use mesi_common::pagination::page_limit;
use mesi_common::{Asset, AssetError, AssetInfo};

use crate::error::ContractError;
use crate::migration::move_to_per_creator_ids;
use crate::msg::{
    AccessReason, AccessResponse, BuyerInfo, BuyersResponse, ConfigResponse, CreatorContent,
    ExecuteMsg, InstantiateMsg, ItemsResponse, MigrateMsg, PurchaseInfo, PurchasesResponse,
    QueryMsg, ReceiveMsg,
};
use crate::state::{
    Config, ContentItem, Purchase, BUYERS, CONFIG, ITEMS, MAX_CONTENT_ID_LEN, PURCHASES, SPENT,
};

pub const CONTRACT_NAME: &str = "crates.io:mesi-ppv";
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    deps: DepsMut,
    _env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    let config = Config {
        creators: deps.api.addr_validate(&msg.creators)?,
        subscriptions: deps.api.addr_validate(&msg.subscriptions)?,
    };
    CONFIG.save(deps.storage, &config)?;
    let event = PpvConfigSet {
        creators: config.creators,
        subscriptions: config.subscriptions,
    };
    Ok(Response::new().add_event(event.to_event()))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    match msg {
        ExecuteMsg::ListItem {
            content_id,
            price,
            asset,
            sale_ends_at,
            free_for_tier,
        } => {
            nonpayable(&info)?;
            let terms = ItemTerms {
                price,
                asset,
                sale_ends_at,
                free_for_tier,
            };
            list_item(deps, env, info.sender, content_id, terms)
        }
        ExecuteMsg::UpdateItem {
            content_id,
            price,
            asset,
            sale_ends_at,
            free_for_tier,
        } => {
            nonpayable(&info)?;
            let terms = ItemTerms {
                price,
                asset,
                sale_ends_at,
                free_for_tier,
            };
            update_item(deps, env, info.sender, content_id, terms)
        }
        ExecuteMsg::Delist { content_id } => {
            nonpayable(&info)?;
            delist(deps, info.sender, content_id)
        }
        ExecuteMsg::Buy {
            creator,
            content_id,
        } => buy_native(deps, env, info, creator, content_id),
        ExecuteMsg::Receive(wrapper) => receive_cw20(deps, env, info, wrapper),
    }
}

/// The sale terms a creator sets when listing or updating an item.
struct ItemTerms {
    price: Uint128,
    asset: AssetInfo,
    sale_ends_at: Option<Timestamp>,
    free_for_tier: Option<u32>,
}

fn list_item(
    deps: DepsMut,
    env: Env,
    creator: Addr,
    content_id: String,
    terms: ItemTerms,
) -> Result<Response, ContractError> {
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

fn update_item(
    deps: DepsMut,
    env: Env,
    sender: Addr,
    content_id: String,
    terms: ItemTerms,
) -> Result<Response, ContractError> {
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

fn delist(deps: DepsMut, sender: Addr, content_id: String) -> Result<Response, ContractError> {
    let mut item = load_own_listed_item(deps.as_ref(), &sender, content_id)?;
    item.listed = false;
    item.revision += 1;
    save_item(deps, &item)?;
    Ok(item_response(ItemAction::Delisted, item))
}

fn buy_native(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    creator: String,
    content_id: String,
) -> Result<Response, ContractError> {
    let creator = deps.api.addr_validate(&creator)?;
    let item = load_item(deps.as_ref(), &creator, &content_id)?;
    if let AssetInfo::Cw20 { contract } = &item.asset {
        return Err(ContractError::PayWithToken {
            content_id,
            token: contract.clone(),
        });
    }
    let amount = item.asset.must_pay_native(&info)?;
    let paid = Asset {
        info: item.asset.clone(),
        amount,
    };
    purchase(deps, env, info.sender, item, paid)
}

fn receive_cw20(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    wrapper: Cw20ReceiveMsg,
) -> Result<Response, ContractError> {
    let Cw20Payment { payer, paid, msg } =
        paid_cw20::<_, ContractError>(deps.api, &info, &wrapper)?;
    let ReceiveMsg::Buy {
        creator,
        content_id,
    } = msg;
    let creator = deps.api.addr_validate(&creator)?;
    let item = load_item(deps.as_ref(), &creator, &content_id)?;
    // Only the item's own token pays for it; any other sender of this hook is refused here.
    if paid.info != item.asset {
        return Err(AssetError::NotAccepted(paid.info).into());
    }
    purchase(deps, env, payer, item, paid)
}

/// Takes a payment already checked to be in the item's asset: checks the sale, splits the price
/// between treasury and creator payout, and records the buyer's access and spending.
fn purchase(
    deps: DepsMut,
    env: Env,
    buyer: Addr,
    item: ContentItem,
    paid: Asset,
) -> Result<Response, ContractError> {
    if !item.listed {
        return Err(ContractError::NotListed(item.content_id));
    }
    if let Some(ended_at) = item.sale_ends_at.filter(|end| env.block.time >= *end) {
        return Err(ContractError::SaleEnded {
            content_id: item.content_id,
            ended_at,
        });
    }
    if paid.amount != item.price {
        return Err(ContractError::WrongAmount {
            price: item.price,
            paid: paid.amount,
        });
    }
    let (creator, content_id) = (&item.creator, item.content_id.as_str());
    if buyer == creator || PURCHASES.has(deps.storage, (&buyer, creator, content_id)) {
        return Err(ContractError::AlreadyHasAccess(buyer));
    }
    let terms = payment_terms(deps.as_ref(), &item.creator)?;
    if !terms.active {
        return Err(ContractError::CreatorInactive(item.creator));
    }
    ensure_accepted(&item.asset, &terms.accepted_assets)?;

    let (payouts, parts) = terms.pay(&item.asset, item.price)?;

    let purchase = Purchase {
        asset: item.asset.clone(),
        price: item.price,
        purchased_at: env.block.time,
    };
    PURCHASES.save(deps.storage, (&buyer, creator, content_id), &purchase)?;
    BUYERS.save(deps.storage, (creator, content_id, &buyer), &env.block.time)?;
    let fan_total = SPENT.update(
        deps.storage,
        (&item.creator, &buyer, &item.asset.key()),
        |total| StdResult::Ok(total.unwrap_or_default().checked_add(item.price)?),
    )?;

    let event = PpvPurchase {
        content_id: item.content_id,
        creator: item.creator,
        buyer,
        asset: item.asset,
        price: item.price,
        fee: parts.fee,
        creator_amount: parts.payee,
        payout: terms.payout,
        fan_total,
    };
    Ok(Response::new()
        .add_messages(payouts)
        .add_event(event.to_event()))
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
    let payment_terms = payment_terms(deps, creator)?;
    if !payment_terms.active {
        return Err(ContractError::CreatorInactive(creator.clone()));
    }
    ensure_accepted(&asset, &payment_terms.accepted_assets)?;
    Ok(ItemTerms { asset, ..terms })
}

fn payment_terms(deps: Deps, creator: &Addr) -> StdResult<PaymentTerms> {
    let registry = Registry(CONFIG.load(deps.storage)?.creators);
    registry.payment_terms(&deps.querier, creator, Product::Ppv)
}

fn load_item(deps: Deps, creator: &Addr, content_id: &str) -> Result<ContentItem, ContractError> {
    ITEMS
        .may_load(deps.storage, (creator, content_id))?
        .ok_or_else(|| ContractError::ItemNotFound {
            creator: creator.clone(),
            content_id: content_id.to_string(),
        })
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
    let item = load_item(deps, sender, &content_id)?;
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

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, _env: Env, msg: QueryMsg) -> Result<Binary, ContractError> {
    Ok(match msg {
        QueryMsg::Config {} => to_json_binary(&query_config(deps)?),
        QueryMsg::Item {
            creator,
            content_id,
        } => {
            let creator = deps.api.addr_validate(&creator)?;
            to_json_binary(&load_item(deps, &creator, &content_id)?)
        }
        QueryMsg::Items {
            creator,
            start_after,
            limit,
        } => to_json_binary(&query_items(deps, creator, start_after, limit)?),
        QueryMsg::HasAccess {
            viewer,
            creator,
            content_id,
        } => to_json_binary(&query_has_access(deps, viewer, creator, content_id)?),
        QueryMsg::SpentTotal {
            creator,
            fan,
            asset,
        } => to_json_binary(&query_spent_total(deps, creator, fan, asset)?),
        QueryMsg::Purchases {
            fan,
            start_after,
            limit,
        } => to_json_binary(&query_purchases(deps, fan, start_after, limit)?),
        QueryMsg::Buyers {
            creator,
            content_id,
            start_after,
            limit,
        } => to_json_binary(&query_buyers(
            deps,
            creator,
            content_id,
            start_after,
            limit,
        )?),
    }?)
}

fn query_config(deps: Deps) -> StdResult<ConfigResponse> {
    let config = CONFIG.load(deps.storage)?;
    Ok(ConfigResponse {
        creators: config.creators,
        subscriptions: config.subscriptions,
    })
}

fn query_items(
    deps: Deps,
    creator: String,
    start_after: Option<String>,
    limit: Option<u32>,
) -> StdResult<ItemsResponse> {
    let creator = deps.api.addr_validate(&creator)?;
    let start = start_after.as_deref().map(Bound::exclusive);
    let items = ITEMS
        .prefix(&creator)
        .range(deps.storage, start, None, Order::Ascending)
        .take(page_limit(limit))
        .map(|entry| entry.map(|(_, item)| item))
        .collect::<StdResult<_>>()?;
    Ok(ItemsResponse { items })
}

fn query_has_access(
    deps: Deps,
    viewer: String,
    creator: String,
    content_id: String,
) -> Result<AccessResponse, ContractError> {
    let viewer = deps.api.addr_validate(&viewer)?;
    let creator = deps.api.addr_validate(&creator)?;
    let item = load_item(deps, &creator, &content_id)?;
    let reason = if viewer == item.creator {
        AccessReason::Creator
    } else if PURCHASES.has(deps.storage, (&viewer, &creator, &content_id)) {
        AccessReason::Purchased
    } else {
        match item.free_for_tier.filter(|_| item.listed) {
            Some(min_tier) => match subscription_tier(deps, &item.creator, &viewer)? {
                Some(tier) if tier >= min_tier => AccessReason::SubscriptionTier { tier },
                _ => AccessReason::None,
            },
            None => AccessReason::None,
        }
    };
    Ok(AccessResponse {
        allowed: reason != AccessReason::None,
        reason,
    })
}

/// The viewer's active subscription tier with the creator, if any.
fn subscription_tier(deps: Deps, creator: &Addr, viewer: &Addr) -> StdResult<Option<u32>> {
    let subscriptions = CONFIG.load(deps.storage)?.subscriptions;
    let query = SubscriptionsQuery::Status {
        creator: creator.to_string(),
        fan: viewer.to_string(),
    };
    let status: SubscriptionStatus = deps.querier.query_wasm_smart(subscriptions, &query)?;
    Ok(status.active_tier())
}

fn query_spent_total(
    deps: Deps,
    creator: String,
    fan: String,
    asset: AssetInfo,
) -> StdResult<TotalResponse> {
    let creator = deps.api.addr_validate(&creator)?;
    let fan = deps.api.addr_validate(&fan)?;
    let amount = SPENT
        .may_load(deps.storage, (&creator, &fan, &asset.key()))?
        .unwrap_or_default();
    Ok(TotalResponse { amount })
}

fn query_purchases(
    deps: Deps,
    fan: String,
    start_after: Option<CreatorContent>,
    limit: Option<u32>,
) -> StdResult<PurchasesResponse> {
    let fan = deps.api.addr_validate(&fan)?;
    let start_after = start_after
        .map(|c| StdResult::Ok((deps.api.addr_validate(&c.creator)?, c.content_id)))
        .transpose()?;
    let start = start_after
        .as_ref()
        .map(|(creator, content_id)| Bound::exclusive((creator, content_id.as_str())));
    let purchases = PURCHASES
        .sub_prefix(&fan)
        .range(deps.storage, start, None, Order::Ascending)
        .take(page_limit(limit))
        .map(|entry| {
            let ((creator, content_id), p) = entry?;
            Ok(PurchaseInfo {
                content_id,
                creator,
                asset: p.asset,
                price: p.price,
                purchased_at: p.purchased_at,
            })
        })
        .collect::<StdResult<_>>()?;
    Ok(PurchasesResponse { purchases })
}

fn query_buyers(
    deps: Deps,
    creator: String,
    content_id: String,
    start_after: Option<String>,
    limit: Option<u32>,
) -> StdResult<BuyersResponse> {
    let creator = deps.api.addr_validate(&creator)?;
    let start_after = start_after
        .map(|addr| deps.api.addr_validate(&addr))
        .transpose()?;
    let start = start_after.as_ref().map(Bound::exclusive);
    let buyers = BUYERS
        .prefix((&creator, &content_id))
        .range(deps.storage, start, None, Order::Ascending)
        .take(page_limit(limit))
        .map(|entry| {
            entry.map(|(buyer, purchased_at)| BuyerInfo {
                buyer,
                purchased_at,
            })
        })
        .collect::<StdResult<_>>()?;
    Ok(BuyersResponse { buyers })
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    let from = cw2::ensure_from_older_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    // State written while content ids were unique across the contract is re-keyed by creator.
    let moved = move_to_per_creator_ids(deps.storage)?;
    Ok(Response::new()
        .add_attribute("migrated_from", from.to_string())
        .add_attribute("items_moved", moved.items.to_string())
        .add_attribute("purchases_moved", moved.purchases.to_string()))
}
