use cosmwasm_std::{StdError, Timestamp, Uint128};
use mesi_common::{AssetError, AssetInfo};
use thiserror::Error;

#[derive(Error, Debug, PartialEq)]
pub enum ContractError {
    #[error("{0}")]
    Std(#[from] StdError),
    #[error("{0}")]
    Asset(#[from] AssetError),

    #[error("no payment terms for creator {creator}: {reason}")]
    NoPaymentTerms { creator: String, reason: String },
    #[error("creator {0} is not taking new payments")]
    CreatorInactive(String),

    #[error("tier level must be at least 1")]
    InvalidTierLevel,
    #[error("tier {0} already exists; levels are never reused")]
    TierExists(u32),
    #[error("tier {0} not found")]
    TierNotFound(u32),
    #[error("tier {0} is retired")]
    TierRetired(u32),
    #[error("at most {max} live tiers per creator")]
    TooManyTiers { max: u32 },
    #[error("tier name must be 1 to {max} bytes without control characters")]
    InvalidTierName { max: usize },
    #[error("tier price must be greater than zero")]
    ZeroPrice,
    #[error("period must be {min} to {max} seconds")]
    InvalidPeriod { min: u64, max: u64 },
    #[error("trial must be {min} to {max} seconds")]
    InvalidTrial { min: u64, max: u64 },
    #[error("subscriber cap must be at least 1")]
    ZeroSubscriberCap,
    #[error("a tier with a subscriber cap offers no free trial")]
    TrialOnCappedTier,
    #[error("invalid bundles: {0}")]
    InvalidBundles(String),

    #[error("periods must be 1 or a bundle size of the tier, got {0}")]
    InvalidPeriods(u32),
    #[error("the price per period {price} is above the maximum you accept, {max}")]
    PriceAboveMax { price: Uint128, max: Uint128 },
    #[error("pay with {expected}, not {paid}")]
    WrongAsset {
        expected: AssetInfo,
        paid: AssetInfo,
    },
    #[error("pay exactly {expected}, not {paid}")]
    WrongAmount { expected: Uint128, paid: Uint128 },
    #[error("pay at least {required}, not {paid}")]
    InsufficientPayment { required: Uint128, paid: Uint128 },
    #[error("auto-renewal is paid from a CW20 allowance; this tier is paid in {0}")]
    AutoRenewNeedsCw20(AssetInfo),
    #[error("subscriptions may be paid at most {max_seconds} seconds ahead")]
    PrepaidTooFar { max_seconds: u64 },
    #[error("the tier's subscriber cap of {cap} is reached")]
    CapReached { cap: u32 },

    #[error("no subscription of this fan to this creator")]
    NoSubscription,
    #[error("already subscribed to tier {0}; extend it or upgrade")]
    SubscribedToOtherTier(u32),
    #[error("the subscription is not active")]
    NotActive,
    #[error("tier {0} offers no trial")]
    NoTrial(u32),
    #[error("the free trial with this creator was already used")]
    TrialUsed,
    #[error("a trial is only for fans without an active subscription")]
    TrialWhileActive,
    #[error("upgrade to a higher tier than {0}")]
    NotAnUpgrade(u32),
    #[error("an upgrade must be to a tier paid in the same asset ({0})")]
    UpgradeAssetMismatch(AssetInfo),
    #[error("tier {to} costs no more for the time left than the credit from tier {from}")]
    UpgradeNotDearer { from: u32, to: u32 },
    #[error("the subscription does not auto-renew")]
    NotAutoRenewing,
    #[error("renewal window is from {opens} to {closes}")]
    OutsideRenewalWindow { opens: Timestamp, closes: Timestamp },
    #[error("no expired subscribers to release")]
    NothingToRelease,
}
