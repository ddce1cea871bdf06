//! wasmd's and the Cosmos SDK's gas constants, the SDK gas meter and the event cost formula.
//!
//! All amounts here are SDK gas unless a name says otherwise. The VM meters in CosmWasm gas;
//! [`GAS_MULTIPLIER`] converts between the two.

use serde::Serialize;

/// CosmWasm gas per SDK gas. wasmd `x/wasm/types/gas_register.go` `DefaultGasMultiplier`:
/// 140_000 since CosmWasm 2.0 divided the VM's operation costs by 1000 (it was 140_000_000
/// with cosmwasm-vm 1.x; with that value and cosmwasm-vm 3 every contract call would cost
/// almost no compute gas).
pub const GAS_MULTIPLIER: u64 = 140_000;
/// Loading a contract instance for any entry point (`DefaultInstanceCost`).
pub const INSTANCE_COST: u64 = 60_000;
/// Charged instead of [`INSTANCE_COST`] for pinned contracts and for replies
/// (`DefaultInstanceCostDiscount`).
pub const INSTANCE_COST_DISCOUNT: u64 = 2_000;
/// Per byte of uploaded wasm (`DefaultCompileCost`).
pub const COMPILE_COST_PER_BYTE: u64 = 3;
/// Per byte of the message sent to a contract (`DefaultContractMessageDataCost`).
pub const CONTRACT_MESSAGE_DATA_COST: u64 = 0;
/// Per byte of event attribute keys and values (`DefaultEventAttributeDataCost`).
pub const EVENT_ATTRIBUTE_DATA_COST: u64 = 1;
/// Per event attribute (`DefaultPerAttributeCost`).
pub const EVENT_PER_ATTRIBUTE_COST: u64 = 10;
/// Per custom event (`DefaultPerCustomEventCost`).
pub const CUSTOM_EVENT_COST: u64 = 20;
/// Attribute bytes per contract response that cost nothing (`DefaultEventAttributeDataFreeTier`).
pub const EVENT_ATTRIBUTE_DATA_FREE_TIER: u64 = 100;
/// Per byte of the JSON a contract returns, for decoding it (wasmd `keeper/api.go`
/// `DefaultDeserializationCostPerByte`, passed to wasmvm as `costJSONDeserialization`).
pub const DESERIALIZATION_COST_PER_BYTE: u64 = 1;
/// `addr_humanize` (`DefaultGasCostHumanAddress`), charged as VM gas.
pub const HUMANIZE_COST: u64 = 5;
/// `addr_canonicalize` (`DefaultGasCostCanonicalAddress`), charged as VM gas.
pub const CANONICALIZE_COST: u64 = 4;
/// `addr_validate` does both conversions (`DefaultGasCostValidateAddress`).
pub const VALIDATE_ADDRESS_COST: u64 = HUMANIZE_COST + CANONICALIZE_COST;
/// Gas limit of a smart query sent to the node (`DefaultSmartQueryGasLimit`).
pub const SMART_QUERY_GAS_LIMIT: u64 = 3_000_000;
/// Nesting limit of contract-to-contract queries (`DefaultMaxQueryStackSize`).
pub const MAX_QUERY_STACK_SIZE: u32 = 10;

/// Cosmos SDK `store/types/gas.go` `KVGasConfig()`: every read, write, delete and iteration
/// step on a module store, with the key counted as the store sees it (for contract storage:
/// the `0x03 | contract address` prefix plus the contract's key).
pub mod kv {
    pub const HAS_COST: u64 = 1_000;
    pub const DELETE_COST: u64 = 1_000;
    pub const READ_COST_FLAT: u64 = 1_000;
    pub const READ_COST_PER_BYTE: u64 = 3;
    pub const WRITE_COST_FLAT: u64 = 2_000;
    pub const WRITE_COST_PER_BYTE: u64 = 30;
    pub const ITER_NEXT_COST_FLAT: u64 = 30;

    /// `gaskv.Store.Get`: flat cost plus key and value bytes.
    pub fn read(key_len: usize, value_len: usize) -> u64 {
        READ_COST_FLAT + READ_COST_PER_BYTE * (key_len + value_len) as u64
    }

    /// `gaskv.Store.Set`.
    pub fn write(key_len: usize, value_len: usize) -> u64 {
        WRITE_COST_FLAT + WRITE_COST_PER_BYTE * (key_len + value_len) as u64
    }

    /// `gasIterator.consumeSeekGas`: paid when an iterator is opened (for the entry it lands
    /// on) and for every entry it steps over.
    pub fn seek(entry: Option<(usize, usize)>) -> u64 {
        let bytes = entry.map_or(0, |(key_len, value_len)| (key_len + value_len) as u64);
        READ_COST_PER_BYTE * bytes + ITER_NEXT_COST_FLAT
    }
}

/// Converts VM gas to SDK gas the way wasmd does after each call (`FromWasmVMGas`, floor).
pub fn sdk_gas_from_vm(vm_gas: u64) -> u64 {
    vm_gas / GAS_MULTIPLIER
}

/// Converts SDK gas to VM gas (`ToWasmVMGas`), saturating instead of panicking.
pub fn vm_gas_from_sdk(sdk_gas: u64) -> u64 {
    sdk_gas.saturating_mul(GAS_MULTIPLIER)
}

/// wasmd `EventCosts`: attributes of the `wasm` event and of each custom event share one free
/// tier; each custom event also pays for its type name and a flat fee.
pub fn event_costs<'a>(
    attributes: impl IntoIterator<Item = (&'a str, &'a str)>,
    events: impl IntoIterator<Item = (&'a str, Vec<(&'a str, &'a str)>)>,
) -> u64 {
    let (mut gas, mut free_tier) = attribute_costs(attributes, EVENT_ATTRIBUTE_DATA_FREE_TIER);
    for (event_type, event_attributes) in events {
        gas += CUSTOM_EVENT_COST + event_type.len() as u64 * EVENT_ATTRIBUTE_DATA_COST;
        let (attribute_gas, left) = attribute_costs(event_attributes, free_tier);
        gas += attribute_gas;
        free_tier = left;
    }
    gas
}

/// wasmd `eventAttributeCosts`: returns the gas and what is left of the free tier.
fn attribute_costs<'a>(
    attributes: impl IntoIterator<Item = (&'a str, &'a str)>,
    free_tier: u64,
) -> (u64, u64) {
    let (mut count, mut bytes) = (0u64, 0u64);
    for (key, value) in attributes {
        count += 1;
        bytes += (key.len() + value.len()) as u64;
    }
    if count == 0 {
        return (0, free_tier);
    }
    let (charged_bytes, free_tier_left) = if bytes <= free_tier {
        (0, free_tier - bytes)
    } else {
        (bytes - free_tier, 0)
    };
    (
        charged_bytes * EVENT_ATTRIBUTE_DATA_COST + count * EVENT_PER_ATTRIBUTE_COST,
        free_tier_left,
    )
}

/// Where SDK gas went. Every unit a meter consumes lands in exactly one field.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct GasBreakdown {
    /// Instance costs of contract calls and compile costs of uploads.
    pub setup: u64,
    /// VM execution: wasm instructions, host calls, address conversions (VM gas / multiplier).
    pub wasm: u64,
    /// Decoding what the contracts returned, per byte.
    pub response: u64,
    /// Reads and iteration over contract storage.
    pub contract_reads: u64,
    /// Writes and deletes in contract storage.
    pub contract_writes: u64,
    /// wasmd's contract and code records, bank balances and accounts.
    pub module_storage: u64,
    /// Event attributes returned by contracts.
    pub events: u64,
}

/// The categories of [`GasBreakdown`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GasKind {
    Setup,
    Wasm,
    Response,
    ContractRead,
    ContractWrite,
    ModuleStorage,
    Events,
}

impl GasBreakdown {
    pub fn total(&self) -> u64 {
        self.setup
            + self.wasm
            + self.response
            + self.contract_reads
            + self.contract_writes
            + self.module_storage
            + self.events
    }

    fn field(&mut self, kind: GasKind) -> &mut u64 {
        match kind {
            GasKind::Setup => &mut self.setup,
            GasKind::Wasm => &mut self.wasm,
            GasKind::Response => &mut self.response,
            GasKind::ContractRead => &mut self.contract_reads,
            GasKind::ContractWrite => &mut self.contract_writes,
            GasKind::ModuleStorage => &mut self.module_storage,
            GasKind::Events => &mut self.events,
        }
    }

    /// Adds `other`, field by field.
    pub fn add(&mut self, other: &GasBreakdown) {
        self.setup += other.setup;
        self.wasm += other.wasm;
        self.response += other.response;
        self.contract_reads += other.contract_reads;
        self.contract_writes += other.contract_writes;
        self.module_storage += other.module_storage;
        self.events += other.events;
    }

    /// `self - earlier`, field by field (meters only grow).
    pub(crate) fn since(&self, earlier: &GasBreakdown) -> GasBreakdown {
        GasBreakdown {
            setup: self.setup - earlier.setup,
            wasm: self.wasm - earlier.wasm,
            response: self.response - earlier.response,
            contract_reads: self.contract_reads - earlier.contract_reads,
            contract_writes: self.contract_writes - earlier.contract_writes,
            module_storage: self.module_storage - earlier.module_storage,
            events: self.events - earlier.events,
        }
    }
}

/// A query one contract made to another while it ran, with all the gas it cost the caller.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SubQueryGas {
    /// `wasm/smart:<contract>`, `wasm/raw:<contract>`, `bank/balance`, ...
    pub query: String,
    pub gas: u64,
}

/// The SDK gas meter of a transaction, a submessage with its own limit, or a query.
#[derive(Debug)]
pub(crate) struct GasMeter {
    pub limit: u64,
    pub breakdown: GasBreakdown,
    /// Part of the consumed gas spent inside contract-to-contract queries.
    pub in_sub_queries: u64,
    pub sub_queries: Vec<SubQueryGas>,
}

/// The meter ran past its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OutOfGas;

impl GasMeter {
    pub fn new(limit: u64) -> Self {
        GasMeter {
            limit,
            breakdown: GasBreakdown::default(),
            in_sub_queries: 0,
            sub_queries: Vec::new(),
        }
    }

    pub fn consumed(&self) -> u64 {
        self.breakdown.total()
    }

    pub fn remaining(&self) -> u64 {
        self.limit.saturating_sub(self.consumed())
    }

    /// Like the SDK's `ConsumeGas`: the gas is counted even when it crosses the limit.
    pub fn consume(&mut self, kind: GasKind, amount: u64) -> Result<(), OutOfGas> {
        let field = self.breakdown.field(kind);
        *field = field.saturating_add(amount);
        if self.consumed() > self.limit {
            Err(OutOfGas)
        } else {
            Ok(())
        }
    }

    /// Takes over what a nested meter consumed (a submessage's, or a query's when `query` names
    /// it), capped at that meter's limit as the SDK reports out-of-gas meters.
    pub fn absorb(&mut self, child: &GasMeter, query: Option<String>) -> Result<(), OutOfGas> {
        let mut taken = child.breakdown;
        let overshoot = child.consumed().saturating_sub(child.limit);
        // Out-of-gas overshoot is dropped from the biggest field so the total equals the limit.
        if overshoot > 0 {
            let biggest = [
                GasKind::Setup,
                GasKind::Wasm,
                GasKind::Response,
                GasKind::ContractRead,
                GasKind::ContractWrite,
                GasKind::ModuleStorage,
                GasKind::Events,
            ]
            .into_iter()
            .max_by_key(|kind| *taken.field(*kind))
            .expect("kinds are not empty");
            let field = taken.field(biggest);
            *field = field.saturating_sub(overshoot);
        }
        self.breakdown.add(&taken);
        match query {
            Some(query) => {
                self.in_sub_queries += taken.total();
                self.sub_queries.push(SubQueryGas {
                    query,
                    gas: taken.total(),
                });
            }
            None => self.in_sub_queries += child.in_sub_queries,
        }
        if self.consumed() > self.limit {
            Err(OutOfGas)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_costs_follow_wasmd_free_tier() {
        // 3 attributes of 40 bytes = 120 bytes: 100 free, 20 charged, plus 3 * 10 per attribute.
        let long = "x".repeat(36);
        let attributes = vec![
            ("abcd", long.as_str()),
            ("abcd", long.as_str()),
            ("abcd", long.as_str()),
        ];
        assert_eq!(event_costs(attributes.clone(), Vec::new()), 20 + 30);
        // A custom event after the free tier is used up pays for everything.
        let events = vec![("tip", vec![("a", "b")])];
        assert_eq!(
            event_costs(attributes, events),
            20 + 30 + CUSTOM_EVENT_COST + 3 + 2 + 10
        );
        // No attributes at all costs nothing.
        assert_eq!(event_costs(Vec::new(), Vec::new()), 0);
    }

    #[test]
    fn kv_costs_count_key_and_value() {
        assert_eq!(kv::read(10, 5), 1_000 + 45);
        assert_eq!(kv::write(10, 5), 2_000 + 450);
        assert_eq!(kv::seek(Some((10, 5))), 45 + 30);
        assert_eq!(kv::seek(None), 30);
    }

    #[test]
    fn meter_counts_past_the_limit_and_absorbs_capped() {
        let mut child = GasMeter::new(100);
        assert_eq!(child.consume(GasKind::Wasm, 150), Err(OutOfGas));
        let mut parent = GasMeter::new(1_000);
        parent.absorb(&child, Some("wasm/smart:x".into())).unwrap();
        assert_eq!(parent.consumed(), 100);
        assert_eq!(parent.in_sub_queries, 100);
    }
}
