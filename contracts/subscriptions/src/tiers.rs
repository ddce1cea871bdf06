//! A creator's tiers: creating, changing and retiring them (with their bundles and trials), and
//! releasing expired subscribers from a tier's cap.

use cosmwasm_std::{Addr, DepsMut, Env, Response, Storage};
use mesi_common::asset::ensure_accepted;
use mesi_common::events::subscriptions::{
    PrepaidBundle, SubscribersReleased, TierAction, TierChanged,
};
use mesi_common::pagination::page_limit;
use mesi_common::{AssetInfo, MesiEvent};

use crate::cap;
use crate::error::ContractError;
use crate::msg::{
    TierTerms, MAX_BUNDLES, MAX_BUNDLE_DISCOUNT_BPS, MAX_BUNDLE_PERIODS, MAX_LIVE_TIERS,
    MAX_PERIOD_SECONDS, MAX_TIER_NAME_BYTES, MAX_TRIAL_SECONDS, MIN_PERIOD_SECONDS,
    MIN_TRIAL_SECONDS,
};
use crate::pricing::MAX_PREPAID_SECONDS;
use crate::purchase::payment_terms;
use crate::state::{Tier, LIVE_TIERS, TIERS};

pub fn execute_create_tier(
    deps: DepsMut,
    creator: Addr,
    level: u32,
    asset: AssetInfo,
    period_seconds: u64,
    terms: TierTerms,
) -> Result<Response, ContractError> {
    if level == 0 {
        return Err(ContractError::InvalidTierLevel);
    }
    if !(MIN_PERIOD_SECONDS..=MAX_PERIOD_SECONDS).contains(&period_seconds) {
        return Err(ContractError::InvalidPeriod {
            min: MIN_PERIOD_SECONDS,
            max: MAX_PERIOD_SECONDS,
        });
    }
    validate_terms(&terms, period_seconds)?;
    if TIERS.has(deps.storage, (&creator, level)) {
        return Err(ContractError::TierExists(level));
    }
    let live = LIVE_TIERS
        .may_load(deps.storage, &creator)?
        .unwrap_or_default();
    if live >= MAX_LIVE_TIERS {
        return Err(ContractError::TooManyTiers {
            max: MAX_LIVE_TIERS,
        });
    }
    let asset = asset.validate(deps.api)?;
    let payment_terms = payment_terms(deps.as_ref(), &creator)?;
    ensure_accepted(&asset, &payment_terms.accepted_assets)?;

    let tier = Tier {
        name: terms.name,
        price: terms.price,
        asset,
        period_seconds,
        subscriber_cap: terms.subscriber_cap,
        bundles: terms.bundles,
        trial_seconds: terms.trial_seconds,
        retired: false,
    };
    TIERS.save(deps.storage, (&creator, level), &tier)?;
    LIVE_TIERS.save(deps.storage, &creator, &(live + 1))?;
    Ok(Response::new()
        .add_event(tier_changed(TierAction::Created, creator, level, tier).to_event()))
}

pub fn execute_update_tier(
    deps: DepsMut,
    creator: Addr,
    level: u32,
    terms: TierTerms,
) -> Result<Response, ContractError> {
    let mut tier = load_live_tier(deps.storage, &creator, level)?;
    validate_terms(&terms, tier.period_seconds)?;
    tier.name = terms.name;
    tier.price = terms.price;
    tier.subscriber_cap = terms.subscriber_cap;
    tier.bundles = terms.bundles;
    tier.trial_seconds = terms.trial_seconds;
    TIERS.save(deps.storage, (&creator, level), &tier)?;
    Ok(Response::new()
        .add_event(tier_changed(TierAction::Updated, creator, level, tier).to_event()))
}

pub fn execute_retire_tier(
    deps: DepsMut,
    creator: Addr,
    level: u32,
) -> Result<Response, ContractError> {
    let mut tier = load_live_tier(deps.storage, &creator, level)?;
    tier.retired = true;
    TIERS.save(deps.storage, (&creator, level), &tier)?;
    let live = LIVE_TIERS.load(deps.storage, &creator)?;
    LIVE_TIERS.save(deps.storage, &creator, &live.saturating_sub(1))?;
    Ok(Response::new()
        .add_event(tier_changed(TierAction::Retired, creator, level, tier).to_event()))
}

pub fn execute_release_expired(
    deps: DepsMut,
    env: Env,
    creator: String,
    level: u32,
    limit: Option<u32>,
) -> Result<Response, ContractError> {
    let creator = deps.api.addr_validate(&creator)?;
    let cap::Released { released, counted } = cap::release_expired(
        deps.storage,
        &creator,
        level,
        env.block.time,
        page_limit(limit),
    )?;
    if released == 0 {
        return Err(ContractError::NothingToRelease);
    }
    let event = SubscribersReleased {
        creator,
        tier: level,
        released,
        counted,
    };
    Ok(Response::new().add_event(event.to_event()))
}

pub fn load_tier(storage: &dyn Storage, creator: &Addr, level: u32) -> Result<Tier, ContractError> {
    TIERS
        .may_load(storage, (creator, level))?
        .ok_or(ContractError::TierNotFound(level))
}

/// A tier that still sells.
pub fn load_live_tier(
    storage: &dyn Storage,
    creator: &Addr,
    level: u32,
) -> Result<Tier, ContractError> {
    let tier = load_tier(storage, creator, level)?;
    if tier.retired {
        return Err(ContractError::TierRetired(level));
    }
    Ok(tier)
}

fn validate_terms(terms: &TierTerms, period_seconds: u64) -> Result<(), ContractError> {
    let name = &terms.name;
    if name.is_empty() || name.len() > MAX_TIER_NAME_BYTES || name.chars().any(char::is_control) {
        return Err(ContractError::InvalidTierName {
            max: MAX_TIER_NAME_BYTES,
        });
    }
    if terms.price.is_zero() {
        return Err(ContractError::ZeroPrice);
    }
    if terms.subscriber_cap == Some(0) {
        return Err(ContractError::ZeroSubscriberCap);
    }
    if let Some(trial) = terms.trial_seconds {
        // A free seat costs nothing to take, so trials in a capped tier would let fresh
        // addresses lock paying fans out.
        if terms.subscriber_cap.is_some() {
            return Err(ContractError::TrialOnCappedTier);
        }
        if !(MIN_TRIAL_SECONDS..=MAX_TRIAL_SECONDS).contains(&trial) {
            return Err(ContractError::InvalidTrial {
                min: MIN_TRIAL_SECONDS,
                max: MAX_TRIAL_SECONDS,
            });
        }
    }
    validate_bundles(&terms.bundles, period_seconds)
}

fn validate_bundles(bundles: &[PrepaidBundle], period_seconds: u64) -> Result<(), ContractError> {
    let invalid = |reason: String| Err(ContractError::InvalidBundles(reason));
    if bundles.len() > MAX_BUNDLES {
        return invalid(format!("at most {MAX_BUNDLES} bundles"));
    }
    for (i, bundle) in bundles.iter().enumerate() {
        if !(2..=MAX_BUNDLE_PERIODS).contains(&bundle.periods) {
            return invalid(format!("a bundle has 2 to {MAX_BUNDLE_PERIODS} periods"));
        }
        if u64::from(bundle.periods) * period_seconds > MAX_PREPAID_SECONDS {
            return invalid(format!(
                "{} periods exceed the prepaid limit",
                bundle.periods
            ));
        }
        if bundle.discount_bps > MAX_BUNDLE_DISCOUNT_BPS {
            return invalid(format!(
                "a discount is at most {MAX_BUNDLE_DISCOUNT_BPS} bps"
            ));
        }
        if bundles[..i]
            .iter()
            .any(|other| other.periods == bundle.periods)
        {
            return invalid(format!("{} periods listed twice", bundle.periods));
        }
    }
    Ok(())
}

fn tier_changed(action: TierAction, creator: Addr, level: u32, tier: Tier) -> TierChanged {
    TierChanged {
        action,
        creator,
        tier: level,
        name: tier.name,
        price: tier.price,
        asset: tier.asset,
        period_seconds: tier.period_seconds,
        subscriber_cap: tier.subscriber_cap,
        bundles: tier.bundles,
        trial_seconds: tier.trial_seconds,
        retired: tier.retired,
    }
}
