//! Every query: the CW721 ones (through the CW721 library, on its own storage) and the
//! surprises' own.

use cosmwasm_std::{
    Addr, Deps, Empty, Env, HexBinary, Order, StdError, StdResult, Storage, Timestamp,
};
use cw721::error::Cw721ContractError;
use cw721::msg::{
    AllNftInfoResponse, ApprovalResponse, ApprovalsResponse, CollectionInfoAndExtensionResponse,
    NftInfoResponse, NumTokensResponse, OperatorResponse, OperatorsResponse, OwnerOfResponse,
    TokensResponse,
};
use cw721::query as cw721_query;
use cw721::NftExtension;
use cw_ownable::Ownership;
use cw_storage_plus::Bound;
use mesi_common::interfaces::surprises::HoldsSurpriseResponse;
use mesi_common::pagination::page_limit;
use mesi_common::AssetInfo;

use crate::msg::{
    ListingResponse, ListingsResponse, PriceCursor, SurpriseResponse, SurprisesResponse,
    TokenIdPrefixResponse,
};
use crate::state::{
    cw721_storage, token_id_prefix, Config, Listing, Phase, Token, CONFIG, CREATORS, CREATOR_COUNT,
    LISTINGS, LISTINGS_BY_PRICE, SURPRISES, TOKENS, UNLOCKS,
};

// --- CW721 ---

pub fn query_owner_of(
    deps: Deps,
    env: &Env,
    token_id: String,
    include_expired: Option<bool>,
) -> StdResult<OwnerOfResponse> {
    cw721_query::query_owner_of(deps, env, token_id, include_expired.unwrap_or(false))
}

pub fn query_approval(
    deps: Deps,
    env: &Env,
    token_id: String,
    spender: String,
    include_expired: Option<bool>,
) -> StdResult<ApprovalResponse> {
    let spender = deps.api.addr_validate(&spender)?;
    cw721_query::query_approval(
        deps,
        env,
        token_id,
        spender,
        include_expired.unwrap_or(false),
    )
}

pub fn query_approvals(
    deps: Deps,
    env: &Env,
    token_id: String,
    include_expired: Option<bool>,
) -> StdResult<ApprovalsResponse> {
    cw721_query::query_approvals(deps, env, token_id, include_expired.unwrap_or(false))
}

pub fn query_operator(
    deps: Deps,
    env: &Env,
    owner: String,
    operator: String,
    include_expired: Option<bool>,
) -> StdResult<OperatorResponse> {
    cw721_query::query_operator(deps, env, owner, operator, include_expired.unwrap_or(false))
}

pub fn query_all_operators(
    deps: Deps,
    env: &Env,
    owner: String,
    include_expired: Option<bool>,
    start_after: Option<String>,
    limit: Option<u32>,
) -> StdResult<OperatorsResponse> {
    cw721_query::query_operators(
        deps,
        env,
        owner,
        include_expired.unwrap_or(false),
        start_after,
        cw721_page(limit),
    )
}

pub fn query_num_tokens(deps: Deps) -> StdResult<NumTokensResponse> {
    cw721_query::query_num_tokens(deps.storage)
}

/// `ContractInfo` and `GetCollectionInfoAndExtension`.
pub fn query_collection_info(
    deps: Deps,
) -> StdResult<CollectionInfoAndExtensionResponse<Option<Empty>>> {
    // Only storage can fail: the collection has no extension attributes to parse.
    cw721_query::query_collection_info_and_extension(deps).map_err(|e| match e {
        Cw721ContractError::Std(e) => e,
        other => StdError::generic_err(other.to_string()),
    })
}

pub fn query_minter_ownership(deps: Deps) -> StdResult<Ownership<Addr>> {
    cw721_query::query_minter_ownership(deps.storage)
}

/// `GetCreatorOwnership` and cw-ownable's `Ownership`: the platform admin.
pub fn query_creator_ownership(deps: Deps) -> StdResult<Ownership<Addr>> {
    cw721_query::query_creator_ownership(deps.storage)
}

pub fn query_nft_info(deps: Deps, token_id: String) -> StdResult<NftInfoResponse<NftExtension>> {
    let token = TOKENS.load(deps.storage, &token_id)?;
    nft_info(deps.storage, &token_id, &token)
}

pub fn query_all_nft_info(
    deps: Deps,
    env: &Env,
    token_id: String,
    include_expired: Option<bool>,
) -> StdResult<AllNftInfoResponse<NftExtension>> {
    let token = TOKENS.load(deps.storage, &token_id)?;
    let info = nft_info(deps.storage, &token_id, &token)?;
    let approvals =
        cw721_query::humanize_approvals(&env.block, &token, include_expired.unwrap_or(false));
    let access = OwnerOfResponse {
        owner: token.owner.into(),
        approvals,
    };
    Ok(AllNftInfoResponse { access, info })
}

pub fn query_tokens(
    deps: Deps,
    env: &Env,
    owner: String,
    start_after: Option<String>,
    limit: Option<u32>,
) -> StdResult<TokensResponse> {
    cw721_query::query_tokens(deps, env, owner, start_after, cw721_page(limit))
}

pub fn query_all_tokens(
    deps: Deps,
    env: &Env,
    start_after: Option<String>,
    limit: Option<u32>,
) -> StdResult<TokensResponse> {
    cw721_query::query_all_tokens(deps, env, start_after, cw721_page(limit))
}

// --- Surprises ---

pub fn query_config(deps: Deps) -> StdResult<Config> {
    CONFIG.load(deps.storage)
}

pub fn query_surprise(deps: Deps, env: &Env, token_id: String) -> StdResult<SurpriseResponse> {
    let token = TOKENS.load(deps.storage, &token_id)?;
    surprise_response(deps.storage, env.block.time, token_id, token)
}

pub fn query_surprises_by_owner(
    deps: Deps,
    env: &Env,
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

pub fn query_listings_by_creator(
    deps: Deps,
    env: &Env,
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

pub fn query_listings_by_price(
    deps: Deps,
    env: &Env,
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
pub fn query_holds_surprise(
    deps: Deps,
    owner: String,
    creator: String,
) -> StdResult<HoldsSurpriseResponse> {
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

pub fn query_token_id_prefix(deps: Deps, creator: String) -> StdResult<TokenIdPrefixResponse> {
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

/// The CW721 library caps pages at 1000; ours cap at 100 like every Mesi query.
fn cw721_page(limit: Option<u32>) -> Option<u32> {
    Some(page_limit(limit) as u32)
}

/// The raw key range of the token ids that start with `prefix` (`'/'` is the byte after `'.'`).
fn prefix_end(prefix: &str) -> String {
    format!("{}/", prefix.trim_end_matches('.'))
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
