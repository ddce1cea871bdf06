#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    from_json, to_json_binary, Addr, Binary, Deps, DepsMut, Empty, Env, HexBinary, MessageInfo,
    Order, QuerierWrapper, Response, StdResult, Storage, Timestamp, Uint128,
};
use cw20::Cw20ReceiveMsg;
use cw721::error::Cw721ContractError;
use cw721::execute::{check_can_approve, check_can_send};
use cw721::msg::{AllNftInfoResponse, NftInfoResponse, OwnerOfResponse};
use cw721::query as cw721_query;
use cw721::receiver::Cw721ReceiveMsg;
use cw721::state::{CollectionInfo, MINTER};
use cw721::{Approval, Expiration, NftExtension};
use cw_storage_plus::Bound;
use mesi_common::asset::{ensure_accepted, nonpayable, paid_native};
use mesi_common::commitment::{CommitmentInput, Hash};
use mesi_common::events::surprises::{
    SurpriseApproval, SurpriseDelisted, SurpriseForfeited, SurpriseListed, SurpriseMinted,
    SurpriseRevealed, SurpriseSold, SurpriseTransferred, SurpriseUnlocked, SurprisesConfigSet,
};
use mesi_common::fee::{split_with_royalty, MAX_ROYALTY_BPS};
use mesi_common::interfaces::creators::{CreatorsQuery, PaymentTerms, Product};
use mesi_common::interfaces::surprises::HoldsSurpriseResponse;
use mesi_common::pagination::page_limit;
use mesi_common::{Asset, AssetError, AssetInfo, MesiEvent};

use crate::error::ContractError;
use crate::msg::{
    ExecuteMsg, Hints, InstantiateMsg, ListingResponse, ListingsResponse, MigrateMsg, MintMsg,
    PriceCursor, QueryMsg, ReceiveMsg, SurpriseResponse, SurprisesResponse, TokenIdPrefixResponse,
    MAX_CATEGORY_LEN, MAX_CREATOR_RECHECK_INTERVAL, MAX_HINTS, MAX_HINT_LEN, MAX_LABEL_LEN,
    MAX_NAME_LEN, MAX_REVEAL_WINDOW, MAX_SYMBOL_LEN, MAX_TITLE_LEN, MAX_URI_LEN, MIN_REVEAL_WINDOW,
};
use crate::state::{
    cw721_storage, Config, Creator, Listing, Phase, Reveal, Surprise, Token, TokenPhase, Unlock,
    CONFIG, CREATORS, CREATOR_COUNT, LISTINGS, LISTINGS_BY_PRICE, SURPRISES, TOKENS, UNLOCKS,
};

pub const CONTRACT_NAME: &str = "crates.io:mesi-surprises";
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    check_text("name", &msg.name, MAX_NAME_LEN)?;
    check_text("symbol", &msg.symbol, MAX_SYMBOL_LEN)?;
    let collection = CollectionInfo {
        name: msg.name,
        symbol: msg.symbol,
        updated_at: env.block.time,
    };
    cw721_storage()
        .collection_info
        .save(deps.storage, &collection)?;
    // The platform admin is cw-ownable's owner, which is also CW721's collection creator.
    let owner = match msg.owner {
        Some(owner) => deps.api.addr_validate(&owner)?,
        None => info.sender,
    };
    cw_ownable::initialize_owner(deps.storage, deps.api, Some(owner.as_str()))?;
    // Creators mint, each under their own token-id prefix; there is no single minter.
    MINTER.initialize_owner(deps.storage, deps.api, None)?;
    let config = Config {
        creators: deps.api.addr_validate(&msg.creators)?,
        reveal_window: msg.reveal_window,
        creator_recheck_interval: msg.creator_recheck_interval,
    };
    save_config(deps.storage, config)
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    // Mint takes an optional bond and Buy the price; every other message takes no funds.
    if !matches!(msg, ExecuteMsg::Mint(_) | ExecuteMsg::Buy { .. }) {
        nonpayable(&info)?;
    }
    match msg {
        ExecuteMsg::TransferNft {
            recipient,
            token_id,
        } => transfer_nft(deps, env, info, recipient, token_id),
        ExecuteMsg::SendNft {
            contract,
            token_id,
            msg,
        } => send_nft(deps, env, info, contract, token_id, msg),
        ExecuteMsg::Approve {
            spender,
            token_id,
            expires,
        } => update_approval(
            deps,
            env,
            info,
            spender,
            token_id,
            Some(expires.unwrap_or_default()),
        ),
        ExecuteMsg::Revoke { spender, token_id } => {
            update_approval(deps, env, info, spender, token_id, None)
        }
        ExecuteMsg::ApproveAll { operator, expires } => {
            update_operator(deps, env, info, operator, Some(expires.unwrap_or_default()))
        }
        ExecuteMsg::RevokeAll { operator } => update_operator(deps, env, info, operator, None),
        ExecuteMsg::Mint(mint) => {
            let bond = if info.funds.is_empty() {
                None
            } else {
                Some(paid_native(&info)?)
            };
            mint_surprise(deps, env, info.sender, mint, bond)
        }
        ExecuteMsg::List {
            token_id,
            asset,
            price,
            expires_at,
        } => list(deps, env, info, token_id, asset, price, expires_at),
        ExecuteMsg::Delist { token_id } => delist(deps, env, info, token_id),
        ExecuteMsg::Buy { token_id } => {
            let paid = paid_native(&info)?;
            buy(deps, env, info.sender, paid, token_id)
        }
        ExecuteMsg::Unlock { token_id } => unlock(deps, env, info, token_id),
        ExecuteMsg::Reveal {
            token_id,
            salt,
            content_hash,
        } => reveal(deps, env, info, token_id, salt, content_hash),
        ExecuteMsg::ClaimBond { token_id } => claim_bond(deps, env, info, token_id),
        ExecuteMsg::Receive(msg) => receive_cw20(deps, env, info, msg),
        ExecuteMsg::UpdateConfig {
            creators,
            reveal_window,
            creator_recheck_interval,
        } => update_config(
            deps,
            info,
            creators,
            reveal_window,
            creator_recheck_interval,
        ),
        ExecuteMsg::UpdateOwnership(action) => Ok(mesi_common::ownership::update_ownership(
            deps,
            &env.block,
            &info.sender,
            action,
        )?),
    }
}

// --- CW721 ---

fn transfer_nft(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    recipient: String,
    token_id: String,
) -> Result<Response, ContractError> {
    let recipient = deps.api.addr_validate(&recipient)?;
    let event = transfer_token(deps, &env, &info.sender, token_id, recipient)?;
    Ok(Response::new().add_event(event.to_event()))
}

fn send_nft(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    contract: String,
    token_id: String,
    msg: Binary,
) -> Result<Response, ContractError> {
    let contract = deps.api.addr_validate(&contract)?;
    let event = transfer_token(deps, &env, &info.sender, token_id.clone(), contract.clone())?;
    let receive = Cw721ReceiveMsg {
        sender: info.sender.to_string(),
        token_id,
        msg,
    };
    Ok(Response::new()
        .add_message(receive.into_cosmos_msg(contract)?)
        .add_event(event.to_event()))
}

/// A CW721 transfer of a sealed surprise by its owner or an approved spender or operator; ends
/// its listing. Reads the token record (and the listing, if listed), nothing else.
fn transfer_token(
    deps: DepsMut,
    env: &Env,
    sender: &Addr,
    token_id: String,
    to: Addr,
) -> Result<SurpriseTransferred, ContractError> {
    let token = cw721_storage().nft_info.load(deps.storage, &token_id)?;
    let delisted = match token.extension.phase {
        Phase::Sealed => false,
        Phase::Listed => true,
        other => return Err(wrong_state("transfer", token_id, other)),
    };
    check_can_send(deps.as_ref(), env, sender.as_str(), &token)?;
    if delisted {
        let listing = LISTINGS.load(deps.storage, &token_id)?;
        remove_listing(deps.storage, &token_id, &listing);
    }
    let from = set_owner(deps.storage, &token_id, token, to.clone())?;
    Ok(SurpriseTransferred {
        token_id,
        from,
        to,
        delisted,
    })
}

/// Gives a token a new owner as a sealed, unlisted token without approvals, keeping the CW721
/// owner index right. Returns the previous owner.
fn set_owner(
    storage: &mut dyn Storage,
    token_id: &str,
    old: Token,
    owner: Addr,
) -> StdResult<Addr> {
    let new = Token {
        owner,
        approvals: vec![],
        token_uri: None,
        extension: TokenPhase {
            phase: Phase::Sealed,
        },
    };
    cw721_storage()
        .nft_info
        .replace(storage, token_id, Some(&new), Some(&old))?;
    Ok(old.owner)
}

/// Grants (`expires` set) or revokes a spender's approval for one token. Granting needs a
/// sealed token: an unlocked one can no longer move.
fn update_approval(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    spender: String,
    token_id: String,
    expires: Option<Expiration>,
) -> Result<Response, ContractError> {
    let spender = deps.api.addr_validate(&spender)?;
    let mut token = TOKENS.load(deps.storage, &token_id)?;
    if expires.is_some() && !matches!(token.extension.phase, Phase::Sealed | Phase::Listed) {
        return Err(wrong_state(
            "approve a spender for",
            token_id,
            token.extension.phase,
        ));
    }
    check_can_approve(deps.as_ref(), &env, info.sender.as_str(), &token)?;
    token
        .approvals
        .retain(|approval| approval.spender != spender);
    if let Some(expires) = expires {
        if expires.is_expired(&env.block) {
            return Err(Cw721ContractError::Expired {}.into());
        }
        token.approvals.push(Approval {
            spender: spender.clone(),
            expires,
        });
    }
    TOKENS.save(deps.storage, &token_id, &token)?;
    Ok(Response::new()
        .add_event(approval_event(token.owner, spender, Some(token_id), expires).to_event()))
}

/// Grants (`expires` set) or revokes an operator for all of the sender's tokens.
fn update_operator(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    operator: String,
    expires: Option<Expiration>,
) -> Result<Response, ContractError> {
    let operator = deps.api.addr_validate(&operator)?;
    let operators = cw721_storage().operators;
    match expires {
        Some(expires) if expires.is_expired(&env.block) => {
            return Err(Cw721ContractError::Expired {}.into())
        }
        Some(expires) => operators.save(deps.storage, (&info.sender, &operator), &expires)?,
        None => operators.remove(deps.storage, (&info.sender, &operator)),
    }
    Ok(Response::new().add_event(approval_event(info.sender, operator, None, expires).to_event()))
}

fn approval_event(
    owner: Addr,
    spender: Addr,
    token_id: Option<String>,
    expires: Option<Expiration>,
) -> SurpriseApproval {
    let (expires_at_height, expires_at) = match expires {
        Some(Expiration::AtHeight(height)) => (Some(height), None),
        Some(Expiration::AtTime(time)) => (None, Some(time)),
        Some(Expiration::Never {}) | None => (None, None),
    };
    SurpriseApproval {
        owner,
        spender,
        token_id,
        granted: expires.is_some(),
        expires_at_height,
        expires_at,
    }
}

// --- Minting ---

fn mint_surprise(
    mut deps: DepsMut,
    env: Env,
    creator: Addr,
    msg: MintMsg,
    bond: Option<Asset>,
) -> Result<Response, ContractError> {
    check_hints(&msg.hints)?;
    if msg.royalty_bps > MAX_ROYALTY_BPS {
        return Err(ContractError::RoyaltyTooHigh {
            bps: msg.royalty_bps,
            max: MAX_ROYALTY_BPS,
        });
    }
    if msg.commitment.len() != 32 {
        return Err(ContractError::InvalidHash {
            field: "commitment",
        });
    }
    let owner = match &msg.owner {
        Some(owner) => deps.api.addr_validate(owner)?,
        None => creator.clone(),
    };
    let config = CONFIG.load(deps.storage)?;
    let number = check_creator(deps.branch(), &env, &config, &creator, bond.as_ref())?;
    let prefix = token_id_prefix(number);
    check_token_id(&msg.token_id, &prefix)?;
    if TOKENS.has(deps.storage, &msg.token_id) {
        return Err(ContractError::TokenExists(msg.token_id));
    }

    let cw721 = cw721_storage();
    let token = Token {
        owner: owner.clone(),
        approvals: vec![],
        token_uri: None,
        extension: TokenPhase {
            phase: Phase::Sealed,
        },
    };
    cw721
        .nft_info
        .replace(deps.storage, &msg.token_id, Some(&token), None)?;
    cw721.increment_tokens(deps.storage)?;
    let surprise = Surprise {
        creator,
        hints: msg.hints,
        commitment: msg.commitment.to_vec().into(),
        royalty_bps: msg.royalty_bps,
        bond,
        reveal_window: config.reveal_window,
    };
    SURPRISES.save(deps.storage, &msg.token_id, &surprise)?;

    let (bond_asset, bond) = split_bond(surprise.bond);
    let event = SurpriseMinted {
        token_id: msg.token_id,
        creator: surprise.creator,
        owner,
        title: surprise.hints.title,
        hints: surprise.hints.hints,
        category: surprise.hints.category,
        preview_uri: surprise.hints.preview_uri,
        commitment: HexBinary::from(surprise.commitment.as_slice()).to_hex(),
        royalty_bps: surprise.royalty_bps,
        bond_asset,
        bond,
        reveal_window: surprise.reveal_window,
    };
    Ok(Response::new().add_event(event.to_event()))
}

/// Checks that the creator may mint (with this bond) and returns their number, assigned at their
/// first mint.
///
/// Registration cannot be undone and only the creator switches themselves inactive, so an
/// unbonded mint trusts the registry's last "active" for `creator_recheck_interval`: the query
/// costs more than the rest of the mint. A bond needs the accepted assets, so it always asks.
fn check_creator(
    deps: DepsMut,
    env: &Env,
    config: &Config,
    creator: &Addr,
    bond: Option<&Asset>,
) -> Result<u32, ContractError> {
    let known = CREATORS.may_load(deps.storage, creator)?;
    let now = env.block.time;
    if let Some(known) = &known {
        if bond.is_none()
            && now
                < known
                    .active_at
                    .plus_seconds(config.creator_recheck_interval)
        {
            return Ok(known.number);
        }
    }
    let terms = payment_terms(&deps.querier, &config.creators, creator).map_err(|e| {
        ContractError::NotACreator {
            creator: creator.to_string(),
            reason: e.to_string(),
        }
    })?;
    if !terms.active {
        return Err(ContractError::CreatorInactive(creator.to_string()));
    }
    if let Some(bond) = bond {
        ensure_accepted(&bond.info, &terms.accepted_assets)?;
    }
    let number = match known {
        Some(known) => known.number,
        None => {
            let number = CREATOR_COUNT.may_load(deps.storage)?.unwrap_or_default() + 1;
            CREATOR_COUNT.save(deps.storage, &number)?;
            number
        }
    };
    CREATORS.save(
        deps.storage,
        creator,
        &Creator {
            number,
            active_at: now,
        },
    )?;
    Ok(number)
}

fn token_id_prefix(creator_number: u32) -> String {
    format!("{creator_number}.")
}

/// The raw key range of the token ids that start with `prefix` (`'/'` is the byte after `'.'`).
fn prefix_end(prefix: &str) -> String {
    format!("{}/", prefix.trim_end_matches('.'))
}

fn check_token_id(token_id: &str, prefix: &str) -> Result<(), ContractError> {
    let valid = token_id.strip_prefix(prefix).is_some_and(|label| {
        (1..=MAX_LABEL_LEN).contains(&label.len())
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    });
    if valid {
        Ok(())
    } else {
        Err(ContractError::InvalidTokenId {
            token_id: token_id.into(),
            prefix: prefix.into(),
            max_label: MAX_LABEL_LEN,
        })
    }
}

fn check_text(field: &'static str, value: &str, max: usize) -> Result<(), ContractError> {
    if value.is_empty() || value.len() > max || value.chars().any(char::is_control) {
        return Err(ContractError::InvalidText {
            field,
            max,
            extra: "",
        });
    }
    Ok(())
}

fn check_hints(hints: &Hints) -> Result<(), ContractError> {
    check_text("title", &hints.title, MAX_TITLE_LEN)?;
    check_text("category", &hints.category, MAX_CATEGORY_LEN)?;
    if hints.hints.len() > MAX_HINTS {
        return Err(ContractError::TooManyHints { max: MAX_HINTS });
    }
    for hint in &hints.hints {
        check_text("hint", hint, MAX_HINT_LEN)?;
    }
    if let Some(uri) = &hints.preview_uri {
        if uri.is_empty()
            || uri.len() > MAX_URI_LEN
            || uri.chars().any(|c| c.is_control() || c.is_whitespace())
        {
            return Err(ContractError::InvalidText {
                field: "preview_uri",
                max: MAX_URI_LEN,
                extra: " or whitespace",
            });
        }
    }
    Ok(())
}

fn payment_terms(
    querier: &QuerierWrapper,
    registry: &Addr,
    creator: &Addr,
) -> StdResult<PaymentTerms> {
    let query = CreatorsQuery::PaymentTerms {
        creator: creator.to_string(),
        product: Product::SurpriseSales,
    };
    querier.query_wasm_smart(registry, &query)
}

fn split_bond(bond: Option<Asset>) -> (Option<AssetInfo>, Uint128) {
    match bond {
        Some(bond) => (Some(bond.info), bond.amount),
        None => (None, Uint128::zero()),
    }
}

// --- Trading ---

fn list(
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
    let relisting = match token.extension.phase {
        Phase::Sealed => false,
        Phase::Listed => true,
        other => return Err(wrong_state("list", token_id, other)),
    };
    let surprise = SURPRISES.load(deps.storage, &token_id)?;
    let terms = payment_terms(
        &deps.querier,
        &CONFIG.load(deps.storage)?.creators,
        &surprise.creator,
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

fn delist(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    token_id: String,
) -> Result<Response, ContractError> {
    let mut token = TOKENS.load(deps.storage, &token_id)?;
    if token.extension.phase != Phase::Listed {
        return Err(ContractError::NotListed(token_id));
    }
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

/// Removes the listing and its price index entry; the caller updates the token's phase.
fn remove_listing(storage: &mut dyn Storage, token_id: &str, listing: &Listing) {
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
    if token.extension.phase != Phase::Listed {
        return Err(ContractError::NotListed(token_id));
    }
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
    let terms = payment_terms(
        &deps.querier,
        &CONFIG.load(deps.storage)?.creators,
        &listing.creator,
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

fn receive_cw20(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: Cw20ReceiveMsg,
) -> Result<Response, ContractError> {
    // `info.sender` is the token contract; whether it is accepted is checked against the
    // creator's terms (mint) or the listing's asset (buy).
    let paid = Asset {
        info: AssetInfo::cw20(info.sender),
        amount: msg.amount,
    };
    if paid.amount.is_zero() {
        return Err(AssetError::ZeroAmount.into());
    }
    let sender = deps.api.addr_validate(&msg.sender)?;
    match from_json(&msg.msg)? {
        ReceiveMsg::Mint(mint) => mint_surprise(deps, env, sender, mint, Some(paid)),
        ReceiveMsg::Buy { token_id } => buy(deps, env, sender, paid, token_id),
    }
}

// --- Unlock and reveal ---

fn unlock(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    token_id: String,
) -> Result<Response, ContractError> {
    let mut token = TOKENS.load(deps.storage, &token_id)?;
    if token.owner != info.sender {
        return Err(ContractError::Unauthorized {
            action: "unlock",
            allowed: "owner",
        });
    }
    let delisted = match token.extension.phase {
        Phase::Sealed => false,
        Phase::Listed => true,
        other => return Err(wrong_state("unlock", token_id, other)),
    };
    if delisted {
        let listing = LISTINGS.load(deps.storage, &token_id)?;
        remove_listing(deps.storage, &token_id, &listing);
    }
    let surprise = SURPRISES.load(deps.storage, &token_id)?;
    let deadline = env.block.time.plus_seconds(surprise.reveal_window);
    UNLOCKS.save(
        deps.storage,
        &token_id,
        &Unlock {
            unlocker: info.sender.clone(),
            deadline,
            revealed: None,
        },
    )?;
    token.approvals.clear();
    token.extension.phase = Phase::Unlocked;
    TOKENS.save(deps.storage, &token_id, &token)?;
    let event = SurpriseUnlocked {
        token_id,
        owner: info.sender,
        creator: surprise.creator,
        reveal_deadline: deadline,
        delisted,
    };
    Ok(Response::new().add_event(event.to_event()))
}

fn reveal(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    token_id: String,
    salt: HexBinary,
    content_hash: HexBinary,
) -> Result<Response, ContractError> {
    let surprise = SURPRISES.load(deps.storage, &token_id)?;
    if info.sender != surprise.creator {
        return Err(ContractError::Unauthorized {
            action: "reveal",
            allowed: "creator",
        });
    }
    let mut token = TOKENS.load(deps.storage, &token_id)?;
    if token.extension.phase != Phase::Unlocked {
        return Err(wrong_state("reveal", token_id, token.extension.phase));
    }
    let mut unlock = UNLOCKS.load(deps.storage, &token_id)?;
    if env.block.time > unlock.deadline {
        return Err(ContractError::RevealDeadlinePassed(unlock.deadline));
    }
    let salt_bytes: Hash = salt
        .to_array()
        .map_err(|_| ContractError::InvalidHash { field: "salt" })?;
    let hash_bytes: Hash = content_hash
        .to_array()
        .map_err(|_| ContractError::InvalidHash {
            field: "content_hash",
        })?;
    let expected = CommitmentInput {
        contract: env.contract.address.as_str(),
        token_id: &token_id,
        creator: surprise.creator.as_str(),
        salt: &salt_bytes,
        content_hash: &hash_bytes,
    }
    .commitment();
    if expected.as_slice() != surprise.commitment.as_slice() {
        return Err(ContractError::CommitmentMismatch);
    }

    unlock.revealed = Some(Reveal {
        salt: salt.clone(),
        content_hash: content_hash.clone(),
    });
    UNLOCKS.save(deps.storage, &token_id, &unlock)?;
    token.extension.phase = Phase::Revealed;
    TOKENS.save(deps.storage, &token_id, &token)?;
    let (bond_asset, bond) = split_bond(surprise.bond);
    let mut response = Response::new();
    if let Some(msg) = bond_asset
        .as_ref()
        .map(|asset| asset.payout(&surprise.creator, bond))
        .transpose()?
        .flatten()
    {
        response = response.add_message(msg);
    }
    let event = SurpriseRevealed {
        token_id,
        creator: surprise.creator,
        salt: salt.to_hex(),
        content_hash: content_hash.to_hex(),
        bond_asset,
        bond_returned: bond,
    };
    Ok(response.add_event(event.to_event()))
}

fn claim_bond(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    token_id: String,
) -> Result<Response, ContractError> {
    let mut token = TOKENS.load(deps.storage, &token_id)?;
    if token.extension.phase != Phase::Unlocked {
        return Err(wrong_state(
            "claim the bond of",
            token_id,
            token.extension.phase,
        ));
    }
    let unlock = UNLOCKS.load(deps.storage, &token_id)?;
    if info.sender != unlock.unlocker {
        return Err(ContractError::Unauthorized {
            action: "claim the bond",
            allowed: "unlocker",
        });
    }
    if env.block.time <= unlock.deadline {
        return Err(ContractError::RevealStillOpen(unlock.deadline));
    }
    let surprise = SURPRISES.load(deps.storage, &token_id)?;
    token.extension.phase = Phase::Forfeited;
    TOKENS.save(deps.storage, &token_id, &token)?;
    let (bond_asset, bond) = split_bond(surprise.bond);
    let mut response = Response::new();
    if let Some(msg) = bond_asset
        .as_ref()
        .map(|asset| asset.payout(&unlock.unlocker, bond))
        .transpose()?
        .flatten()
    {
        response = response.add_message(msg);
    }
    let event = SurpriseForfeited {
        token_id,
        unlocker: unlock.unlocker,
        creator: surprise.creator,
        bond_asset,
        bond_claimed: bond,
    };
    Ok(response.add_event(event.to_event()))
}

fn wrong_state(action: &'static str, token_id: String, phase: Phase) -> ContractError {
    ContractError::WrongState {
        action,
        token_id,
        state: phase.state(),
    }
}

// --- Administration ---

fn update_config(
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

fn save_config(storage: &mut dyn Storage, config: Config) -> Result<Response, ContractError> {
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

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    cw2::ensure_from_older_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    Ok(Response::new())
}

// --- Queries ---

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> Result<Binary, ContractError> {
    // The CW721 library caps pages at 1000; ours cap at 100 like every Mesi query.
    let limit = |limit: Option<u32>| Some(page_limit(limit) as u32);
    Ok(match msg {
        QueryMsg::OwnerOf {
            token_id,
            include_expired,
        } => to_json_binary(&cw721_query::query_owner_of(
            deps,
            &env,
            token_id,
            include_expired.unwrap_or(false),
        )?),
        QueryMsg::Approval {
            token_id,
            spender,
            include_expired,
        } => {
            let spender = deps.api.addr_validate(&spender)?;
            to_json_binary(&cw721_query::query_approval(
                deps,
                &env,
                token_id,
                spender,
                include_expired.unwrap_or(false),
            )?)
        }
        QueryMsg::Approvals {
            token_id,
            include_expired,
        } => to_json_binary(&cw721_query::query_approvals(
            deps,
            &env,
            token_id,
            include_expired.unwrap_or(false),
        )?),
        QueryMsg::Operator {
            owner,
            operator,
            include_expired,
        } => to_json_binary(&cw721_query::query_operator(
            deps,
            &env,
            owner,
            operator,
            include_expired.unwrap_or(false),
        )?),
        QueryMsg::AllOperators {
            owner,
            include_expired,
            start_after,
            limit: page,
        } => to_json_binary(&cw721_query::query_operators(
            deps,
            &env,
            owner,
            include_expired.unwrap_or(false),
            start_after,
            limit(page),
        )?),
        QueryMsg::NumTokens {} => to_json_binary(&cw721_query::query_num_tokens(deps.storage)?),
        QueryMsg::ContractInfo {} | QueryMsg::GetCollectionInfoAndExtension {} => {
            to_json_binary(&cw721_query::query_collection_info_and_extension::<
                Option<Empty>,
            >(deps)?)
        }
        QueryMsg::GetMinterOwnership {} => {
            to_json_binary(&cw721_query::query_minter_ownership(deps.storage)?)
        }
        QueryMsg::GetCreatorOwnership {} | QueryMsg::Ownership {} => {
            to_json_binary(&cw721_query::query_creator_ownership(deps.storage)?)
        }
        QueryMsg::NftInfo { token_id } => {
            let token = TOKENS.load(deps.storage, &token_id)?;
            to_json_binary(&nft_info(deps.storage, &token_id, &token)?)
        }
        QueryMsg::AllNftInfo {
            token_id,
            include_expired,
        } => {
            let token = TOKENS.load(deps.storage, &token_id)?;
            let info = nft_info(deps.storage, &token_id, &token)?;
            let approvals = cw721_query::humanize_approvals(
                &env.block,
                &token,
                include_expired.unwrap_or(false),
            );
            let access = OwnerOfResponse {
                owner: token.owner.into(),
                approvals,
            };
            to_json_binary(&AllNftInfoResponse { access, info })
        }
        QueryMsg::Tokens {
            owner,
            start_after,
            limit: page,
        } => to_json_binary(&cw721_query::query_tokens(
            deps,
            &env,
            owner,
            start_after,
            limit(page),
        )?),
        QueryMsg::AllTokens {
            start_after,
            limit: page,
        } => to_json_binary(&cw721_query::query_all_tokens(
            deps,
            &env,
            start_after,
            limit(page),
        )?),
        QueryMsg::Config {} => to_json_binary(&CONFIG.load(deps.storage)?),
        QueryMsg::Surprise { token_id } => {
            let token = TOKENS.load(deps.storage, &token_id)?;
            to_json_binary(&surprise_response(
                deps.storage,
                env.block.time,
                token_id,
                token,
            )?)
        }
        QueryMsg::SurprisesByOwner {
            owner,
            start_after,
            limit,
        } => to_json_binary(&surprises_by_owner(deps, env, owner, start_after, limit)?),
        QueryMsg::ListingsByCreator {
            creator,
            start_after,
            limit,
        } => to_json_binary(&listings_by_creator(
            deps,
            env,
            creator,
            start_after,
            limit,
        )?),
        QueryMsg::ListingsByPrice {
            asset,
            start_after,
            limit,
        } => to_json_binary(&listings_by_price(deps, env, asset, start_after, limit)?),
        QueryMsg::HoldsSurprise { owner, creator } => {
            to_json_binary(&holds_surprise(deps, owner, creator)?)
        }
        QueryMsg::TokenIdPrefix { creator } => {
            to_json_binary(&query_token_id_prefix(deps, creator)?)
        }
    }?)
}

/// The surprise as common NFT metadata, for wallets and marketplaces.
fn nft_info(
    storage: &dyn Storage,
    token_id: &str,
    token: &Token,
) -> StdResult<NftInfoResponse<NftExtension>> {
    let surprise = SURPRISES.load(storage, token_id)?;
    let hints = surprise.hints;
    let attribute = |trait_type: &str, value: String| cw721::state::Trait {
        display_type: None,
        trait_type: trait_type.into(),
        value,
    };
    let mut attributes = vec![
        attribute("category", hints.category),
        attribute("state", token.extension.phase.state().to_string()),
        attribute("creator", surprise.creator.into()),
    ];
    let description = (!hints.hints.is_empty()).then(|| hints.hints.join("\n"));
    attributes.extend(hints.hints.into_iter().map(|hint| attribute("hint", hint)));
    let extension = NftExtension {
        name: Some(hints.title),
        description,
        image: hints.preview_uri,
        attributes: Some(attributes),
        ..NftExtension::default()
    };
    Ok(NftInfoResponse {
        token_uri: None,
        extension,
    })
}

fn surprise_response(
    storage: &dyn Storage,
    now: Timestamp,
    token_id: String,
    token: Token,
) -> StdResult<SurpriseResponse> {
    let surprise = SURPRISES.load(storage, &token_id)?;
    let phase = token.extension.phase;
    let unlock = match phase {
        Phase::Sealed | Phase::Listed => None,
        Phase::Unlocked | Phase::Revealed | Phase::Forfeited => {
            Some(UNLOCKS.load(storage, &token_id)?)
        }
    };
    let listing = match phase {
        Phase::Listed => Some(listing_response(
            token_id.clone(),
            LISTINGS.load(storage, &token_id)?,
            now,
        )),
        _ => None,
    };
    let (unlocked_by, reveal_deadline, revealed) = match unlock {
        Some(unlock) => (
            Some(unlock.unlocker),
            Some(unlock.deadline),
            unlock.revealed,
        ),
        None => (None, None, None),
    };
    let (salt, content_hash) = match revealed {
        Some(reveal) => (Some(reveal.salt), Some(reveal.content_hash)),
        None => (None, None),
    };
    Ok(SurpriseResponse {
        token_id,
        owner: token.owner,
        creator: surprise.creator,
        state: phase.state(),
        hints: surprise.hints,
        commitment: HexBinary::from(surprise.commitment.as_slice()),
        royalty_bps: surprise.royalty_bps,
        bond: surprise.bond,
        reveal_window: surprise.reveal_window,
        unlocked_by,
        reveal_deadline,
        salt,
        content_hash,
        listing,
    })
}

fn listing_response(token_id: String, listing: Listing, now: Timestamp) -> ListingResponse {
    ListingResponse {
        token_id,
        expired: listing.is_expired(now),
        seller: listing.seller,
        creator: listing.creator,
        asset: listing.asset,
        price: listing.price,
        royalty_bps: listing.royalty_bps,
        expires_at: listing.expires_at,
    }
}

fn surprises_by_owner(
    deps: Deps,
    env: Env,
    owner: String,
    start_after: Option<String>,
    limit: Option<u32>,
) -> StdResult<SurprisesResponse> {
    let owner = deps.api.addr_validate(&owner)?;
    let start = start_after.map(|after| Bound::ExclusiveRaw(after.into_bytes()));
    let surprises = cw721_storage()
        .nft_info
        .idx
        .owner
        .prefix(owner)
        .range(deps.storage, start, None, Order::Ascending)
        .take(page_limit(limit))
        .map(|item| {
            let (token_id, token) = item?;
            surprise_response(deps.storage, env.block.time, token_id, token)
        })
        .collect::<StdResult<_>>()?;
    Ok(SurprisesResponse { surprises })
}

fn listings_by_creator(
    deps: Deps,
    env: Env,
    creator: String,
    start_after: Option<String>,
    limit: Option<u32>,
) -> StdResult<ListingsResponse> {
    let creator = deps.api.addr_validate(&creator)?;
    let Some(number) = CREATORS.may_load(deps.storage, &creator)?.map(|c| c.number) else {
        return Ok(ListingsResponse { listings: vec![] });
    };
    let prefix = token_id_prefix(number);
    let end = prefix_end(&prefix);
    let start = match &start_after {
        Some(after) if after.as_str() >= prefix.as_str() => Bound::exclusive(after.as_str()),
        _ => Bound::inclusive(prefix.as_str()),
    };
    let listings = LISTINGS
        .range(
            deps.storage,
            Some(start),
            Some(Bound::exclusive(end.as_str())),
            Order::Ascending,
        )
        .take(page_limit(limit))
        .map(|item| {
            item.map(|(token_id, listing)| listing_response(token_id, listing, env.block.time))
        })
        .collect::<StdResult<_>>()?;
    Ok(ListingsResponse { listings })
}

fn listings_by_price(
    deps: Deps,
    env: Env,
    asset: AssetInfo,
    start_after: Option<PriceCursor>,
    limit: Option<u32>,
) -> StdResult<ListingsResponse> {
    let asset_key = asset.key();
    let start = start_after
        .as_ref()
        .map(|cursor| Bound::exclusive((cursor.price.u128(), cursor.token_id.as_str())));
    let listings = LISTINGS_BY_PRICE
        .sub_prefix(&asset_key)
        .keys(deps.storage, start, None, Order::Ascending)
        .take(page_limit(limit))
        .map(|key| {
            let (_, token_id) = key?;
            let listing = LISTINGS.load(deps.storage, &token_id)?;
            Ok(listing_response(token_id, listing, env.block.time))
        })
        .collect::<StdResult<_>>()?;
    Ok(ListingsResponse { listings })
}

/// One seek in the CW721 owner index: the owner's tokens are ordered by id, and the creator's
/// ids share a prefix.
fn holds_surprise(deps: Deps, owner: String, creator: String) -> StdResult<HoldsSurpriseResponse> {
    let owner = deps.api.addr_validate(&owner)?;
    let creator = deps.api.addr_validate(&creator)?;
    let Some(number) = CREATORS.may_load(deps.storage, &creator)?.map(|c| c.number) else {
        return Ok(HoldsSurpriseResponse { holds: false });
    };
    let prefix = token_id_prefix(number);
    let end = prefix_end(&prefix);
    let holds = cw721_storage()
        .nft_info
        .idx
        .owner
        .prefix(owner)
        .keys_raw(
            deps.storage,
            Some(Bound::InclusiveRaw(prefix.into_bytes())),
            Some(Bound::ExclusiveRaw(end.into_bytes())),
            Order::Ascending,
        )
        .next()
        .is_some();
    Ok(HoldsSurpriseResponse { holds })
}

fn query_token_id_prefix(deps: Deps, creator: String) -> StdResult<TokenIdPrefixResponse> {
    let creator = deps.api.addr_validate(&creator)?;
    let (number, assigned) = match CREATORS.may_load(deps.storage, &creator)?.map(|c| c.number) {
        Some(number) => (number, true),
        None => (
            CREATOR_COUNT.may_load(deps.storage)?.unwrap_or_default() + 1,
            false,
        ),
    };
    Ok(TokenIdPrefixResponse {
        prefix: token_id_prefix(number),
        assigned,
    })
}
