//! Bech32 addresses as the SDK makes them, the VM's address API and wasmd's classic contract
//! addresses.

use bech32::{Bech32, Hrp};
use cosmwasm_vm::{BackendApi, BackendError, BackendResult, GasInfo};
use sha2::{Digest, Sha256};

use crate::gas::{vm_gas_from_sdk, CANONICALIZE_COST, HUMANIZE_COST, VALIDATE_ADDRESS_COST};

/// Longest canonical address the SDK accepts (`address.MaxAddrLen`).
const MAX_ADDRESS_LEN: usize = 255;

/// Encodes and decodes addresses with one bech32 prefix.
#[derive(Clone, Debug)]
pub struct Bech32Codec {
    hrp: Hrp,
}

impl Bech32Codec {
    pub fn new(prefix: &str) -> Result<Self, String> {
        Hrp::parse(prefix)
            .map(|hrp| Bech32Codec { hrp })
            .map_err(|err| format!("invalid bech32 prefix {prefix:?}: {err}"))
    }

    pub fn prefix(&self) -> &str {
        self.hrp.as_str()
    }

    pub fn encode(&self, canonical: &[u8]) -> String {
        bech32::encode::<Bech32>(self.hrp, canonical)
            .expect("addresses are short enough for bech32")
    }

    /// Decodes `address`, which must use this prefix and be in normal (lowercase) form.
    pub fn decode(&self, address: &str) -> Result<Vec<u8>, String> {
        let (hrp, data) =
            bech32::decode(address).map_err(|err| format!("invalid address {address:?}: {err}"))?;
        if hrp != self.hrp {
            return Err(format!(
                "invalid address {address:?}: expected prefix {:?}",
                self.hrp.as_str()
            ));
        }
        if data.is_empty() || data.len() > MAX_ADDRESS_LEN {
            return Err(format!(
                "invalid address {address:?}: length {} out of range",
                data.len()
            ));
        }
        if self.encode(&data) != address {
            return Err(format!("address {address:?} is not normalized"));
        }
        Ok(data)
    }

    /// A deterministic 20-byte account address for a name (like cw-multi-test's `addr_make`).
    pub fn addr_make(&self, name: &str) -> String {
        self.encode(&Sha256::digest(name.as_bytes())[..20])
    }

    /// wasmd `BuildContractAddressClassic`: the `wasm` module address derived from the code id
    /// and the chain-wide instance sequence.
    pub fn contract_address(&self, code_id: u64, instance_id: u64) -> String {
        let mut key = Vec::with_capacity(16);
        key.extend_from_slice(&code_id.to_be_bytes());
        key.extend_from_slice(&instance_id.to_be_bytes());
        self.encode(&module_address("wasm", &key))
    }
}

/// SDK `address.Module(name, key)`: `sha256(sha256("module") || name || 0x00 || key)`.
fn module_address(module: &str, key: &[u8]) -> Vec<u8> {
    let type_hash = Sha256::digest(b"module");
    let mut hasher = Sha256::new();
    hasher.update(type_hash);
    hasher.update(module.as_bytes());
    hasher.update([0u8]);
    hasher.update(key);
    hasher.finalize().to_vec()
}

/// The VM's address functions, charged as wasmd charges them (as VM gas).
#[derive(Clone, Debug)]
pub struct ChainApi {
    codec: Bech32Codec,
}

impl ChainApi {
    pub fn new(codec: Bech32Codec) -> Self {
        ChainApi { codec }
    }
}

fn vm_cost(sdk_gas: u64) -> GasInfo {
    GasInfo::with_cost(vm_gas_from_sdk(sdk_gas))
}

impl BackendApi for ChainApi {
    fn addr_validate(&self, input: &str) -> BackendResult<()> {
        let result = self
            .codec
            .decode(input)
            .map(|_| ())
            .map_err(BackendError::user_err);
        (result, vm_cost(VALIDATE_ADDRESS_COST))
    }

    fn addr_canonicalize(&self, human: &str) -> BackendResult<Vec<u8>> {
        (
            self.codec.decode(human).map_err(BackendError::user_err),
            vm_cost(CANONICALIZE_COST),
        )
    }

    fn addr_humanize(&self, canonical: &[u8]) -> BackendResult<String> {
        let result = if canonical.is_empty() || canonical.len() > MAX_ADDRESS_LEN {
            Err(BackendError::user_err(format!(
                "invalid canonical address length {}",
                canonical.len()
            )))
        } else {
            Ok(self.codec.encode(canonical))
        };
        (result, vm_cost(HUMANIZE_COST))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_round_trip_and_reject_others() {
        let codec = Bech32Codec::new("wasm").unwrap();
        let alice = codec.addr_make("alice");
        assert!(alice.starts_with("wasm1"));
        assert_eq!(codec.decode(&alice).unwrap().len(), 20);
        assert!(codec.decode(&alice.to_uppercase()).is_err());
        let other = Bech32Codec::new("cosmos").unwrap().addr_make("alice");
        assert!(codec.decode(&other).is_err());
        assert!(codec.decode("wasm1nope").is_err());
    }

    #[test]
    fn contract_addresses_are_32_bytes_and_distinct() {
        let codec = Bech32Codec::new("wasm").unwrap();
        let first = codec.contract_address(1, 1);
        // The first contract on every wasmd chain with the `wasm` prefix.
        assert_eq!(
            first,
            "wasm14hj2tavq8fpesdwxxcu44rty3hh90vhujrvcmstl4zr3txmfvw9s0phg4d"
        );
        assert_eq!(codec.decode(&first).unwrap().len(), 32);
        assert_ne!(first, codec.contract_address(1, 2));
        assert_ne!(first, codec.contract_address(2, 1));
    }
}
