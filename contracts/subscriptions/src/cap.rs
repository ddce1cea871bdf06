//! Counting subscribers towards a tier's cap.
//!
//! Every subscription is counted in its tier from the moment it is bought until it is released.
//! The counted entries of a tier are kept ordered by expiry ([`COUNTED_BY_EXPIRY`]), so expired
//! ones sit at the front and are released cheaply:
//! - when a fan takes a slot in a full tier, up to [`MAX_RELEASES_PER_PURCHASE`] expired entries
//!   are released first (one is enough unless the creator lowered the cap);
//! - when a fan's own subscription moves (renewed, extended after expiry, upgraded, replaced),
//!   its old entry is released;
//! - anyone may release expired entries with `ReleaseExpired`.
//!
//! So each call does a bounded amount of work, and the cap check is exact: it refuses only when
//! the earliest-expiring counted subscriber is still active.

use cosmwasm_std::{Addr, Order, StdResult, Storage, Timestamp};

use crate::error::ContractError;
use crate::state::{COUNTED_BY_EXPIRY, COUNTED_SUBSCRIBERS};

/// Most expired entries released while taking one slot.
pub const MAX_RELEASES_PER_PURCHASE: usize = 10;

/// Where a subscription is counted: its tier and expiry.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Slot {
    pub tier: u32,
    pub expires_at: Timestamp,
}

pub fn counted(storage: &dyn Storage, creator: &Addr, tier: u32) -> StdResult<u32> {
    Ok(COUNTED_SUBSCRIBERS
        .may_load(storage, (creator, tier))?
        .unwrap_or_default())
}

/// Moves the fan's counted entry from `from` to `to`. A fan who stays active in the same tier
/// keeps their slot; anyone else takes a new one, which must fit under `cap`.
pub fn move_slot(
    storage: &mut dyn Storage,
    creator: &Addr,
    fan: &Addr,
    from: Option<Slot>,
    to: Slot,
    cap: Option<u32>,
    now: Timestamp,
) -> Result<(), ContractError> {
    let keeps_slot = matches!(from, Some(old) if old.tier == to.tier && now < old.expires_at);
    if let Some(old) = from {
        let key = ((creator, old.tier), old.expires_at.nanos(), fan);
        // An active entry is always counted; an expired one may have been released already.
        if now < old.expires_at || COUNTED_BY_EXPIRY.has(storage, key) {
            COUNTED_BY_EXPIRY.remove(storage, key);
            if !keeps_slot {
                let count = counted(storage, creator, old.tier)?;
                COUNTED_SUBSCRIBERS.save(storage, (creator, old.tier), &count.saturating_sub(1))?;
            }
        }
    }
    if !keeps_slot {
        take_slot(storage, creator, to.tier, cap, now)?;
    }
    COUNTED_BY_EXPIRY.save(
        storage,
        ((creator, to.tier), to.expires_at.nanos(), fan),
        &(),
    )?;
    Ok(())
}

fn take_slot(
    storage: &mut dyn Storage,
    creator: &Addr,
    tier: u32,
    cap: Option<u32>,
    now: Timestamp,
) -> Result<(), ContractError> {
    let mut count = counted(storage, creator, tier)?;
    if let Some(cap) = cap {
        if count >= cap {
            let needed = ((count - cap) as usize + 1).min(MAX_RELEASES_PER_PURCHASE);
            count = release_expired(storage, creator, tier, now, needed)?.counted;
            if count >= cap {
                return Err(ContractError::CapReached { cap });
            }
        }
    }
    COUNTED_SUBSCRIBERS.save(storage, (creator, tier), &(count + 1))?;
    Ok(())
}

pub struct Released {
    pub released: u32,
    /// Entries of the tier still counted.
    pub counted: u32,
}

/// Stops up to `limit` expired entries of the tier from counting, earliest first.
pub fn release_expired(
    storage: &mut dyn Storage,
    creator: &Addr,
    tier: u32,
    now: Timestamp,
    limit: usize,
) -> StdResult<Released> {
    let mut expired = Vec::with_capacity(limit);
    for key in COUNTED_BY_EXPIRY
        .sub_prefix((creator, tier))
        .keys(storage, None, None, Order::Ascending)
        .take(limit)
    {
        let (expires_at, fan) = key?;
        if expires_at > now.nanos() {
            break;
        }
        expired.push((expires_at, fan));
    }
    for (expires_at, fan) in &expired {
        COUNTED_BY_EXPIRY.remove(storage, ((creator, tier), *expires_at, fan));
    }
    let released = expired.len() as u32;
    let counted = counted(storage, creator, tier)?.saturating_sub(released);
    if released > 0 {
        COUNTED_SUBSCRIBERS.save(storage, (creator, tier), &counted)?;
    }
    Ok(Released { released, counted })
}
