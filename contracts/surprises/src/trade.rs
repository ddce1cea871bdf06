//! Fixed-price trading of sealed surprises: listings, delisting, buying (native or, through
//! `Receive`, CW20). A sale pays platform fee + creator royalty + seller == price exactly.

use cosmwasm_std::{Addr, DepsMut, Empty, Env, MessageInfo, Response, Storage, Timestamp, Uint128};
use cw20::Cw20ReceiveMsg;
use mesi_common::asset::{ensure_accepted, paid_cw20, paid_native, Cw20Payment};
use mesi_common::events::surprises::{SurpriseDelisted, SurpriseListed, SurpriseSold};
use mesi_common::fee::split_with_royalty;
use mesi_common::interfaces::creators::Product;
use mesi_common::{Asset, AssetError, AssetInfo, MesiEvent};

use crate::cw721::set_owner;
use crate::error::ContractError;
use crate::mint::mint_surprise;
use crate::msg::ReceiveMsg;
use crate::state::{
    cw721_storage, Listing, Phase, CONFIG, LISTINGS, LISTINGS_BY_PRICE, SURPRISES, TOKENS,
};

pub fn execute_list(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    token_id: String,
    asset: AssetInfo,
    price: Uint128,
    expires_at: Option<Timestamp>,
) -> Result<Response, ContractError> {
    let asset = asset.validate(deps.api)?;
    if price.is_zero() {
        return Err(ContractError::ZeroPrice);
    }
    if expires_at.is_some_and(|end| end <= env.block.time) {
        return Err(ContractError::ExpiryNotInFuture);
    }
    let mut token = TOKENS.load(deps.storage, &token_id)?;
    if token.owner != info.sender {
        return Err(ContractError::Unauthorized {
            action: "list",
            allowed: "owner",
        });
    }
    let relisting = token.extension.phase.check_sealed("list", &token_id)?;
    let surprise = SURPRISES.load(deps.storage, &token_id)?;
    let terms = CONFIG.load(deps.storage)?.registry().payment_terms(
        &deps.querier,
        &surprise.creator,
        Product::SurpriseSales,
    )?;
    ensure_accepted(&asset, &terms.accepted_assets)?;

    if relisting {
        let old = LISTINGS.load(deps.storage, &token_id)?;
        LISTINGS_BY_PRICE.remove(
            deps.storage,
            (&old.asset.key(), old.price.u128(), &token_id),
        );
    } else {
        token.extension.phase = Phase::Listed;
        TOKENS.save(deps.storage, &token_id, &token)?;
    }
    let listing = Listing {
        seller: info.sender,
        creator: surprise.creator,
        royalty_bps: surprise.royalty_bps,
        asset,
        price,
        expires_at,
    };
    LISTINGS.save(deps.storage, &token_id, &listing)?;
    LISTINGS_BY_PRICE.save(
        deps.storage,
        (&listing.asset.key(), price.u128(), &token_id),
        &Empty {},
    )?;

    let event = SurpriseListed {
        token_id,
        seller: listing.seller,
        asset: listing.asset,
        price,
        expires_at,
    };
    Ok(Response::new().add_event(event.to_event()))
}

pub fn execute_delist(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    token_id: String,
) -> Result<Response, ContractError> {
    let mut token = TOKENS.load(deps.storage, &token_id)?;
    token.extension.phase.check_listed(&token_id)?;
    let listing = LISTINGS.load(deps.storage, &token_id)?;
    let expired = listing.is_expired(env.block.time);
    if info.sender != token.owner && !expired {
        return Err(ContractError::Unauthorized {
            action: "delist",
            allowed: "owner (anyone once it expired)",
        });
    }
    remove_listing(deps.storage, &token_id, &listing);
    token.extension.phase = Phase::Sealed;
    TOKENS.save(deps.storage, &token_id, &token)?;
    let event = SurpriseDelisted {
        token_id,
        seller: listing.seller,
        expired,
    };
    Ok(Response::new().add_event(event.to_event()))
}

/// Pays with the one native coin sent with the message.
pub fn execute_buy(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    token_id: String,
) -> Result<Response, ContractError> {
    let paid = paid_native(&info)?;
    buy(deps, env, info.sender, paid, token_id)
}

/// CW20 payments: a mint's bond or a purchase. Whether the token is accepted is checked against
/// the creator's terms (mint) or the listing's asset (buy).
pub fn execute_receive(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    wrapper: Cw20ReceiveMsg,
) -> Result<Response, ContractError> {
    let Cw20Payment { payer, paid, msg } =
        paid_cw20::<_, ContractError>(deps.api, &info, &wrapper)?;
    match msg {
        ReceiveMsg::Mint(mint) => mint_surprise(deps, env, payer, mint, Some(paid)),
        ReceiveMsg::Buy { token_id } => buy(deps, env, payer, paid, token_id),
    }
}

/// Removes the listing and its price index entry; the caller updates the token's phase.
pub(crate) fn remove_listing(storage: &mut dyn Storage, token_id: &str, listing: &Listing) {
    LISTINGS.remove(storage, token_id);
    LISTINGS_BY_PRICE.remove(
        storage,
        (&listing.asset.key(), listing.price.u128(), token_id),
    );
}

fn buy(
    deps: DepsMut,
    env: Env,
    buyer: Addr,
    paid: Asset,
    token_id: String,
) -> Result<Response, ContractError> {
    let token = cw721_storage().nft_info.load(deps.storage, &token_id)?;
    token.extension.phase.check_listed(&token_id)?;
    let listing = LISTINGS.load(deps.storage, &token_id)?;
    if let Some(end) = listing
        .expires_at
        .filter(|_| listing.is_expired(env.block.time))
    {
        return Err(ContractError::ListingExpired(end));
    }
    if paid.info != listing.asset {
        return Err(match (&paid.info, &listing.asset) {
            (AssetInfo::Native { .. }, AssetInfo::Cw20 { .. }) => {
                ContractError::PayWithCw20(listing.asset)
            }
            _ => AssetError::NotAccepted(paid.info).into(),
        });
    }
    if paid.amount != listing.price {
        return Err(ContractError::WrongAmount {
            price: listing.price,
            paid: paid.amount,
        });
    }
    if buyer == token.owner {
        return Err(ContractError::OwnListing);
    }
    // Secondary sales go on while the creator is inactive (the royalty still reaches their
    // payout address), but only in assets the platform and the creator still accept.
    let terms = CONFIG.load(deps.storage)?.registry().payment_terms(
        &deps.querier,
        &listing.creator,
        Product::SurpriseSales,
    )?;
    ensure_accepted(&listing.asset, &terms.accepted_assets)?;
    let split = split_with_royalty(listing.price, terms.fee_bps, listing.royalty_bps)?;

    remove_listing(deps.storage, &token_id, &listing);
    let seller = set_owner(deps.storage, &token_id, token, buyer.clone())?;
    let payouts = [
        (&terms.treasury, split.fee),
        (&terms.payout, split.royalty),
        (&seller, split.payee),
    ];
    let mut response = Response::new();
    for (recipient, amount) in payouts {
        if let Some(msg) = listing.asset.payout(recipient, amount)? {
            response = response.add_message(msg);
        }
    }
    let event = SurpriseSold {
        token_id,
        seller,
        buyer,
        creator: listing.creator,
        asset: listing.asset,
        price: listing.price,
        fee: split.fee,
        treasury: terms.treasury,
        royalty: split.royalty,
        royalty_payout: terms.payout,
        seller_amount: split.payee,
    };
    Ok(response.add_event(event.to_event()))
}
