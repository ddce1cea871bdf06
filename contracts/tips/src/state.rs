use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Binary, Empty, Uint128};
use cw_storage_plus::{Item, Map};

#[cw_serde]
pub struct Config {
    pub creators: Addr,
}

pub const CONFIG: Item<Config> = Item::new("config");

/// Lifetime tips per (creator, fan, asset key). The only entry a tip reads and writes.
/// Namespaces are one letter because every key byte costs gas on every tip.
pub const TOTALS: Map<(&Addr, &Addr, &str), Uint128> = Map::new("t");

/// The keys of `TOTALS` turned around to (fan, creator, asset key), so a fan's totals can be
/// listed. Written once, on a fan's first tip to a creator in an asset.
pub const TOTALS_BY_FAN: Map<(&Addr, &Addr, &str), Empty> = Map::new("f");

/// Recorded fiat payments per (gateway, payment ref): sha256 of the attested data, so a retried
/// attestation is recognised and a reused reference with other data is refused.
pub const FIAT_PAYMENTS: Map<(&Addr, &str), Binary> = Map::new("fiat");
