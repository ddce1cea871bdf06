//! A fan's facts as kept, and the answer they give under a creator's rule.

use std::convert::Infallible;
use std::sync::Arc;

use cosmwasm_std::Uint128;
use mesi_common::chat_rule::GatingFacts;
use mesi_common::AssetInfo;

use super::{CreatorEntry, Synced};
use crate::api::http::params::Address;
use crate::api::routes::gating::{decide, CanMessageAnswer};
use crate::api::Error;
#[derive(Debug, Default, Clone)]
pub(super) struct FanFacts {
    /// Tier and expiry (microseconds since the Unix epoch) of the subscription with the
    /// registry's subscriptions contract.
    pub(super) subscription: Option<(i64, i64)>,
    /// Lifetime totals by asset key; assets are shared within an entry.
    pub(super) tipped: Vec<(Arc<str>, Uint128)>,
    pub(super) ppv_spent: Vec<(Arc<str>, Uint128)>,
    pub(super) holds_surprise: bool,
}

/// One fan's facts, read at a block time.
struct FactsAt<'a> {
    facts: Option<&'a FanFacts>,
    /// Block time in microseconds since the Unix epoch; `None` before anything is indexed.
    now: Option<i64>,
}

impl GatingFacts for FactsAt<'_> {
    type Error = Infallible;

    fn subscription_tier(&mut self) -> Result<Option<u32>, Infallible> {
        // As the SQL does: active while the block time is before the expiry.
        Ok(match (self.facts.and_then(|f| f.subscription), self.now) {
            (Some((tier, expires)), Some(now)) if expires > now => u32::try_from(tier).ok(),
            _ => None,
        })
    }

    fn tipped(&mut self, asset: &AssetInfo) -> Result<Uint128, Infallible> {
        Ok(total(self.facts.map(|f| &f.tipped[..]), asset))
    }

    fn ppv_spent(&mut self, asset: &AssetInfo) -> Result<Uint128, Infallible> {
        Ok(total(self.facts.map(|f| &f.ppv_spent[..]), asset))
    }

    fn holds_surprise(&mut self) -> Result<bool, Infallible> {
        Ok(self.facts.is_some_and(|f| f.holds_surprise))
    }
}

fn total(totals: Option<&[(Arc<str>, Uint128)]>, asset: &AssetInfo) -> Uint128 {
    totals
        .and_then(|t| t.iter().find(|(key, _)| is_key_of(key, asset)))
        .map_or(Uint128::zero(), |(_, amount)| *amount)
}

/// `key == asset.key()`, without building the key.
fn is_key_of(key: &str, asset: &AssetInfo) -> bool {
    match asset {
        AssetInfo::Native { denom } => key.strip_prefix("native:") == Some(denom.as_str()),
        AssetInfo::Cw20 { contract } => key.strip_prefix("cw20:") == Some(contract.as_str()),
    }
}

pub(super) fn answer(
    entry: &CreatorEntry,
    facts: Option<&FanFacts>,
    creator: &Address,
    fan: &Address,
    at: Synced,
) -> Result<CanMessageAnswer, Error> {
    let rule = entry
        .rule
        .as_ref()
        .ok_or_else(|| Error::NotFound(format!("creator {creator}")))?;
    let mut facts = FactsAt {
        facts,
        now: at.block_time.map(|t| t.timestamp_micros()),
    };
    Ok(decide(
        rule,
        creator,
        fan,
        &mut facts,
        at.height,
        at.block_time,
    ))
}

#[cfg(test)]
mod tests {
    use cosmwasm_std::Addr;

    use super::*;

    #[test]
    fn asset_keys_match_as_the_contract_spells_them() {
        let assets = [
            AssetInfo::native("uusdc"),
            AssetInfo::native(""),
            AssetInfo::native(
                "ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2",
            ),
            AssetInfo::native("a:b"),
            AssetInfo::cw20(Addr::unchecked("wasm1token")),
            AssetInfo::cw20(Addr::unchecked("")),
        ];
        let keys = [
            "native:uusdc",
            "native:",
            "native:a:b",
            "cw20:wasm1token",
            "cw20:",
            "uusdc",
            "native",
            "cw20:wasm1toke",
            "NATIVE:uusdc",
            "",
        ];
        for asset in &assets {
            for key in keys.iter().copied().chain([asset.key().as_str()]) {
                assert_eq!(is_key_of(key, asset), asset.key() == key, "{key} {asset:?}");
            }
        }
    }

    #[test]
    fn subscriptions_count_while_the_block_time_is_before_their_expiry() {
        let facts = FanFacts {
            subscription: Some((2, 1_000)),
            ..FanFacts::default()
        };
        let tier = |now: Option<i64>| {
            FactsAt {
                facts: Some(&facts),
                now,
            }
            .subscription_tier()
            .unwrap()
        };
        assert_eq!(tier(Some(999)), Some(2));
        assert_eq!(tier(Some(1_000)), None);
        assert_eq!(tier(None), None, "nothing indexed yet");
        let huge = FanFacts {
            subscription: Some((i64::from(u32::MAX) + 1, 1_000)),
            ..FanFacts::default()
        };
        let mut at = FactsAt {
            facts: Some(&huge),
            now: Some(0),
        };
        assert_eq!(at.subscription_tier().unwrap(), None, "as u32::try_from");
    }
}
