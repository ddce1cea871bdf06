//! The VM's view of the chain: a contract's storage and the querier it asks other modules and
//! contracts through. Both charge the SDK gas meter of the running call and tell the VM what
//! they charged, as wasmvm's Go bridge does.

use std::rc::Rc;

use cosmwasm_std::{Binary, ContractResult, Order, Record, SystemResult};
use cosmwasm_vm::{BackendError, BackendResult, GasInfo, Querier, Storage};

use crate::engine::Engine;
use crate::gas::{kv, vm_gas_from_sdk, GasKind};
use crate::store::StoreKey;

/// wasmd `ContractStorePrefix`.
pub(crate) const CONTRACT_STORE_PREFIX: u8 = 0x03;

/// `0x03 | canonical contract address`.
pub(crate) fn contract_store_prefix(canonical: &[u8]) -> Vec<u8> {
    let mut prefix = Vec::with_capacity(canonical.len() + 1);
    prefix.push(CONTRACT_STORE_PREFIX);
    prefix.extend_from_slice(canonical);
    prefix
}

/// The smallest key greater than every key starting with `prefix`.
fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

struct OpenIterator {
    start: Vec<u8>,
    end: Option<Vec<u8>>,
    order: Order,
    /// The entry the iterator points at (full key), `None` once exhausted.
    current: Option<(Vec<u8>, Vec<u8>)>,
}

/// One contract's storage: `0x03 | address | key` in the wasm store.
pub struct ContractStorage {
    engine: Rc<Engine>,
    prefix: Vec<u8>,
    iterators: Vec<OpenIterator>,
}

impl ContractStorage {
    pub(crate) fn new(engine: Rc<Engine>, prefix: Vec<u8>) -> Self {
        ContractStorage {
            engine,
            prefix,
            iterators: Vec::new(),
        }
    }

    fn full_key(&self, key: &[u8]) -> Vec<u8> {
        let mut full = self.prefix.clone();
        full.extend_from_slice(key);
        full
    }

    /// Charges `gas` and reports it to the VM as gas used outside it.
    fn charge<T>(&self, kind: GasKind, gas: u64, value: T) -> BackendResult<T> {
        let info = GasInfo::with_externally_used(vm_gas_from_sdk(gas));
        match self.engine.charge(kind, gas) {
            Ok(()) => (Ok(value), info),
            Err(_) => (Err(BackendError::out_of_gas()), info),
        }
    }

    fn entry_after(
        &self,
        iterator: &OpenIterator,
        after: Option<&[u8]>,
    ) -> Option<(Vec<u8>, Vec<u8>)> {
        self.engine.kv.borrow().next_entry(
            StoreKey::Wasm,
            Some(&iterator.start),
            iterator.end.as_deref(),
            iterator.order,
            after,
        )
    }
}

impl Storage for ContractStorage {
    fn get(&self, key: &[u8]) -> BackendResult<Option<Vec<u8>>> {
        let full = self.full_key(key);
        let value = self.engine.kv.borrow().get(StoreKey::Wasm, &full);
        let gas = kv::read(full.len(), value.as_ref().map_or(0, Vec::len));
        self.charge(GasKind::ContractRead, gas, value)
    }

    fn scan(
        &mut self,
        start: Option<&[u8]>,
        end: Option<&[u8]>,
        order: Order,
    ) -> BackendResult<u32> {
        let mut iterator = OpenIterator {
            start: self.full_key(start.unwrap_or_default()),
            end: match end {
                Some(end) => Some(self.full_key(end)),
                None => prefix_end(&self.prefix),
            },
            order,
            current: None,
        };
        iterator.current = self.entry_after(&iterator, None);
        let gas = kv::seek(iterator.current.as_ref().map(|(k, v)| (k.len(), v.len())));
        let id = self.iterators.len() as u32;
        self.iterators.push(iterator);
        self.charge(GasKind::ContractRead, gas, id)
    }

    fn next(&mut self, iterator_id: u32) -> BackendResult<Option<Record>> {
        let Some(iterator) = self.iterators.get(iterator_id as usize) else {
            return (
                Err(BackendError::iterator_does_not_exist(iterator_id)),
                GasInfo::free(),
            );
        };
        let Some((key, value)) = iterator.current.clone() else {
            return (Ok(None), GasInfo::free());
        };
        let following = self.entry_after(iterator, Some(&key));
        self.iterators[iterator_id as usize].current = following;
        let gas = kv::seek(Some((key.len(), value.len())));
        let record = (key[self.prefix.len()..].to_vec(), value);
        self.charge(GasKind::ContractRead, gas, Some(record))
    }

    fn set(&mut self, key: &[u8], value: &[u8]) -> BackendResult<()> {
        let full = self.full_key(key);
        let gas = kv::write(full.len(), value.len());
        self.engine
            .kv
            .borrow_mut()
            .set(StoreKey::Wasm, &full, value.to_vec());
        self.charge(GasKind::ContractWrite, gas, ())
    }

    fn remove(&mut self, key: &[u8]) -> BackendResult<()> {
        let full = self.full_key(key);
        self.engine.kv.borrow_mut().remove(StoreKey::Wasm, &full);
        self.charge(GasKind::ContractWrite, kv::DELETE_COST, ())
    }
}

/// Answers a contract's queries from the chain state; smart queries run the target contract.
pub struct ChainQuerier {
    engine: Rc<Engine>,
}

impl ChainQuerier {
    pub(crate) fn new(engine: Rc<Engine>) -> Self {
        ChainQuerier { engine }
    }
}

impl Querier for ChainQuerier {
    fn query_raw(
        &self,
        request: &[u8],
        gas_limit: u64,
    ) -> BackendResult<SystemResult<ContractResult<Binary>>> {
        self.engine.sub_query(request, gas_limit)
    }
}

#[cfg(test)]
mod tests {
    use super::prefix_end;

    #[test]
    fn prefix_end_carries() {
        assert_eq!(prefix_end(&[3, 1]), Some(vec![3, 2]));
        assert_eq!(prefix_end(&[3, 0xff]), Some(vec![4]));
        assert_eq!(prefix_end(&[0xff]), None);
    }
}
