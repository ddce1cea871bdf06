//! Buying access to an item: with a native coin (`Buy`) or a CW20 token (`Receive`).

use cosmwasm_std::{Addr, DepsMut, Env, MessageInfo, Response, StdResult};
use cw20::Cw20ReceiveMsg;
use mesi_common::asset::{ensure_accepted, paid_cw20, Cw20Payment};
use mesi_common::events::ppv::PpvPurchase;
use mesi_common::{Asset, AssetError, AssetInfo, MesiEvent};

use crate::error::ContractError;
use crate::msg::ReceiveMsg;
use crate::state::{load_item, ContentItem, Purchase, BUYERS, CONFIG, PURCHASES, SPENT};

/// Buys access with exactly one native coin: the item's asset, for exactly its price.
pub fn execute_buy(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    creator: String,
    content_id: String,
) -> Result<Response, ContractError> {
    let creator = deps.api.addr_validate(&creator)?;
    let item = load_item(deps.storage, &creator, &content_id)?;
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

/// Buys access with a CW20 token: the token contract calls this after a `Send`.
pub fn execute_receive(
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
    let item = load_item(deps.storage, &creator, &content_id)?;
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
    let terms = CONFIG
        .load(deps.storage)?
        .payment_terms(&deps.querier, &item.creator)?;
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
