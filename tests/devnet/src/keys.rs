//! Accounts from a BIP-39 mnemonic, derived as Cosmos wallets derive them
//! (BIP-32 path `m/44'/118'/0'/0/i`, secp256k1, bech32 of ripemd160(sha256(compressed key))).

use anyhow::{anyhow, Context};
use bip32::DerivationPath;
use cosmrs::crypto::secp256k1::SigningKey;

/// The well-known development mnemonic (also the default of Foundry's anvil): never hold real
/// funds with it.
pub const DEV_MNEMONIC: &str = "test test test test test test test test test test test junk";

/// One derived account.
pub struct DevKey {
    pub index: u32,
    pub address: String,
    /// Compressed secp256k1 public key (33 bytes).
    pub public_key: Vec<u8>,
    signing_key: SigningKey,
}

impl DevKey {
    /// A secp256k1 signature over sha256(`message`), 64 bytes `r || s` with low S.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        self.signing_key
            .sign(message)
            .expect("signing with an in-memory key does not fail")
            .to_bytes()
            .to_vec()
    }
}

impl std::fmt::Debug for DevKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevKey")
            .field("index", &self.index)
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

pub fn hd_path(index: u32) -> String {
    format!("m/44'/118'/0'/0/{index}")
}

/// Derives accounts `0..count` of `mnemonic` with addresses under `prefix`.
pub fn derive_keys(mnemonic: &str, prefix: &str, count: u32) -> anyhow::Result<Vec<DevKey>> {
    // BIP-39 with 12 to 24 words, as wallets accept them.
    let mnemonic =
        bip39::Mnemonic::parse(mnemonic.split_whitespace().collect::<Vec<_>>().join(" "))
            .map_err(|err| anyhow!("invalid mnemonic: {err}"))?;
    let seed = mnemonic.to_seed("");
    (0..count)
        .map(|index| {
            let path: DerivationPath = hd_path(index).parse().expect("a valid BIP-32 path");
            let signing_key = SigningKey::derive_from_path(seed, &path)
                .map_err(|err| anyhow!("cannot derive {}: {err}", hd_path(index)))?;
            let public_key = signing_key.public_key();
            let address = public_key
                .account_id(prefix)
                .map_err(|err| anyhow!("invalid bech32 prefix {prefix:?}: {err}"))
                .context("deriving an address")?
                .to_string();
            Ok(DevKey {
                index,
                address,
                public_key: public_key.to_bytes(),
                signing_key,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derives_the_addresses_wallets_derive() {
        // The first account of the "abandon ... about" test mnemonic on Cosmos Hub, as Keplr
        // and cosmjs show it.
        let keys = derive_keys(
            "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon \
             abandon about",
            "cosmos",
            2,
        )
        .unwrap();
        assert_eq!(
            keys[0].address,
            "cosmos19rl4cm2hmr8afy4kldpxz3fka4jguq0auqdal4"
        );
        assert_eq!(keys[0].public_key.len(), 33);
        assert_ne!(keys[0].address, keys[1].address);
        assert!(derive_keys("not a mnemonic", "cosmos", 1).is_err());
    }
}
