//! ADR-036 `signArbitrary` signatures: the sign doc, account addresses and verification.

use std::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use bech32::{Bech32, Hrp};
use k256::ecdsa::signature::hazmat::PrehashVerifier;
use k256::ecdsa::{Signature, VerifyingKey};
use ripemd::Ripemd160;
use sha2::{Digest, Sha256};
/// Why a login signature was refused. Each is reported to the client as `unauthorized` with
/// this text, since none of them reveals anything the client does not already have.
#[derive(Debug, PartialEq, Eq)]
pub enum SignatureError {
    /// Not a bech32 address with the configured prefix and a 20-byte payload.
    BadAddress,
    /// Not base64 of a 33-byte compressed secp256k1 point.
    BadPublicKey,
    /// Not base64 of a 64-byte `r || s`.
    BadSignature,
    /// The public key does not hash to the claimed address.
    KeyDoesNotMatchAddress,
    /// High-S form: the SDK rejects these (malleability); wallets never produce them.
    NonCanonical,
    /// The signature does not verify over the sign doc.
    Invalid,
}

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SignatureError::BadAddress => "address is not a valid account address for this chain",
            SignatureError::BadPublicKey => {
                "pubkey must be base64 of a 33-byte compressed secp256k1 key"
            }
            SignatureError::BadSignature => "signature must be base64 of 64 bytes (r || s)",
            SignatureError::KeyDoesNotMatchAddress => "pubkey does not belong to address",
            SignatureError::NonCanonical => "signature is not in low-S form",
            SignatureError::Invalid => "signature does not verify",
        })
    }
}

/// The ADR-036 amino sign doc for `signer` signing `data`, serialized as wallets sign it:
/// keys sorted, no whitespace. `signer` must be a bech32 address and the data is base64, so no
/// character needs JSON escaping (cosmjs would also escape `&`, `<`, `>`: none can appear).
pub fn adr036_sign_doc(signer: &str, data: &[u8]) -> String {
    format!(
        concat!(
            r#"{{"account_number":"0","chain_id":"","fee":{{"amount":[],"gas":"0"}},"memo":"","#,
            r#""msgs":[{{"type":"sign/MsgSignData","value":{{"data":"{data}","signer":"{signer}"}}}}],"#,
            r#""sequence":"0"}}"#
        ),
        data = STANDARD.encode(data),
        signer = signer,
    )
}

/// `bech32(prefix, ripemd160(sha256(compressed public key)))`, the Cosmos SDK account address.
pub fn address_of(prefix: &str, compressed_pubkey: &[u8]) -> Result<String, SignatureError> {
    let hrp = Hrp::parse(prefix).map_err(|_| SignatureError::BadAddress)?;
    let hash = Ripemd160::digest(Sha256::digest(compressed_pubkey));
    bech32::encode::<Bech32>(hrp, &hash).map_err(|_| SignatureError::BadAddress)
}

/// Checks that `address` is a canonical (lower-case) bech32 account address with `prefix`.
pub fn check_address(prefix: &str, address: &str) -> Result<(), SignatureError> {
    let (hrp, data) = bech32::decode(address).map_err(|_| SignatureError::BadAddress)?;
    // Lower case only, so one account has one spelling in every table.
    let canonical = address.bytes().all(|b| !b.is_ascii_uppercase());
    if hrp.as_str() != prefix || data.len() != 20 || !canonical {
        return Err(SignatureError::BadAddress);
    }
    Ok(())
}

/// Verifies an ADR-036 signature by `address` over `data`: the key must be the address's, and
/// the signature must verify (secp256k1, low-S) over sha256 of the sign doc.
pub fn verify_adr036(
    prefix: &str,
    address: &str,
    data: &[u8],
    pubkey_base64: &str,
    signature_base64: &str,
) -> Result<(), SignatureError> {
    check_address(prefix, address)?;
    let pubkey = STANDARD
        .decode(pubkey_base64.trim())
        .map_err(|_| SignatureError::BadPublicKey)?;
    if pubkey.len() != 33 {
        return Err(SignatureError::BadPublicKey);
    }
    let key = VerifyingKey::from_sec1_bytes(&pubkey).map_err(|_| SignatureError::BadPublicKey)?;
    if address_of(prefix, &pubkey)? != address {
        return Err(SignatureError::KeyDoesNotMatchAddress);
    }
    let signature = STANDARD
        .decode(signature_base64.trim())
        .map_err(|_| SignatureError::BadSignature)?;
    let signature = Signature::from_slice(&signature).map_err(|_| SignatureError::BadSignature)?;
    if signature.normalize_s().is_some() {
        return Err(SignatureError::NonCanonical);
    }
    let digest = Sha256::digest(adr036_sign_doc(address, data).as_bytes());
    key.verify_prehash(&digest, &signature)
        .map_err(|_| SignatureError::Invalid)
}

#[cfg(test)]
mod tests {
    use k256::ecdsa::signature::hazmat::PrehashSigner;
    use k256::ecdsa::SigningKey;

    use super::*;

    /// A fixed test key (never used for anything else).
    fn test_key() -> SigningKey {
        SigningKey::from_slice(&[0x11; 32]).unwrap()
    }

    fn compressed(key: &SigningKey) -> Vec<u8> {
        key.verifying_key()
            .to_encoded_point(true)
            .as_bytes()
            .to_vec()
    }

    fn sign(key: &SigningKey, prefix: &str, data: &[u8]) -> (String, String, String) {
        let pubkey = compressed(key);
        let address = address_of(prefix, &pubkey).unwrap();
        let digest = Sha256::digest(adr036_sign_doc(&address, data).as_bytes());
        let signature: Signature = key.sign_prehash(&digest).unwrap();
        (
            address,
            STANDARD.encode(pubkey),
            STANDARD.encode(signature.to_bytes()),
        )
    }

    #[test]
    fn sign_doc_bytes_are_exactly_keplrs() {
        let expected = concat!(
            r#"{"account_number":"0","chain_id":"","fee":{"amount":[],"gas":"0"},"memo":"","#,
            r#""msgs":[{"type":"sign/MsgSignData","value":{"data":"cmFuZG9t","#,
            r#""signer":"osmo1ymk637a7wljvt4w7q9lnrw95mg9sr37yatxd9h"}}],"sequence":"0"}"#
        );
        let doc = adr036_sign_doc("osmo1ymk637a7wljvt4w7q9lnrw95mg9sr37yatxd9h", b"random");
        assert_eq!(doc, expected);
    }

    #[test]
    fn sign_doc_equals_an_independently_sorted_serialization() {
        // Built as a tree and serialized with keys sorted, as amino JSON signing does.
        fn sorted(value: serde_json::Value) -> serde_json::Value {
            match value {
                serde_json::Value::Object(map) => {
                    let tree: std::collections::BTreeMap<_, _> =
                        map.into_iter().map(|(k, v)| (k, sorted(v))).collect();
                    serde_json::to_value(tree).unwrap()
                }
                serde_json::Value::Array(items) => items.into_iter().map(sorted).collect(),
                other => other,
            }
        }
        let message = "Sign in to Mesi\n\nNonce: abc+/=";
        let tree = serde_json::json!({
            "msgs": [{"value": {"signer": "wasm1xyz", "data": STANDARD.encode(message)}, "type": "sign/MsgSignData"}],
            "sequence": "0", "memo": "", "fee": {"gas": "0", "amount": []},
            "chain_id": "", "account_number": "0",
        });
        let independent = serde_json::to_string(&sorted(tree)).unwrap();
        assert_eq!(adr036_sign_doc("wasm1xyz", message.as_bytes()), independent);
    }

    /// cosmjs `packages/amino/src/addresses.spec.ts`, "pubkeyToAddress works for Secp256k1".
    #[test]
    fn address_derivation_matches_cosmjs() {
        let pubkey = STANDARD
            .decode("AtQaCqFnshaZQp6rIkvAPyzThvCvXSDO+9AzbxVErqJP")
            .unwrap();
        assert_eq!(
            address_of("cosmos", &pubkey).unwrap(),
            "cosmos1h806c7khnvmjlywdrkdgk2vrayy2mmvf9rxk2r"
        );
    }

    /// A signature made by Keplr's `signArbitrary`, published in the test suite of
    /// noble-assets/adr36 (`verify_test.go`, `TestVerifySignature`) for the `noble` prefix.
    #[test]
    fn verifies_a_real_keplr_signature() {
        let pubkey = "AlE8CxHR19ID5lxrVtTxSgJFlK3T+eYtyDM/vBA3Fowr";
        let signature = "qe5dDxdOgY8B2LjMqnK5/5iRIFOCwdTu0G5ZQ66bHzVgP15V2Fb+fzOH0wPAUC5GUQ23M1cSvysulzKIbXY/4Q==";
        let data = b"I hereby declare that I am the address owner.";
        let address = address_of("noble", &STANDARD.decode(pubkey).unwrap()).unwrap();
        assert_eq!(
            verify_adr036("noble", &address, data, pubkey, signature),
            Ok(())
        );
        assert_eq!(
            verify_adr036(
                "noble",
                &address,
                b"I hereby declare that I am the address owner!",
                pubkey,
                signature
            ),
            Err(SignatureError::Invalid)
        );
    }

    #[test]
    fn verifies_a_test_key_signature() {
        let (address, pubkey, signature) = sign(&test_key(), "wasm", b"nonce 1");
        assert_eq!(
            verify_adr036("wasm", &address, b"nonce 1", &pubkey, &signature),
            Ok(())
        );
        assert_eq!(
            verify_adr036("wasm", &address, b"nonce 2", &pubkey, &signature),
            Err(SignatureError::Invalid)
        );
    }

    #[test]
    fn refuses_a_key_of_another_address() {
        let (address, _, signature) = sign(&test_key(), "wasm", b"n");
        let other = STANDARD.encode(compressed(&SigningKey::from_slice(&[0x22; 32]).unwrap()));
        assert_eq!(
            verify_adr036("wasm", &address, b"n", &other, &signature),
            Err(SignatureError::KeyDoesNotMatchAddress)
        );
    }

    #[test]
    fn refuses_another_prefix_and_non_canonical_addresses() {
        let (address, pubkey, signature) = sign(&test_key(), "wasm", b"n");
        assert_eq!(
            verify_adr036("cosmos", &address, b"n", &pubkey, &signature),
            Err(SignatureError::BadAddress)
        );
        assert_eq!(
            verify_adr036("wasm", &address.to_uppercase(), b"n", &pubkey, &signature),
            Err(SignatureError::BadAddress)
        );
        assert_eq!(
            check_address("wasm", "wasm1"),
            Err(SignatureError::BadAddress)
        );
    }

    #[test]
    fn refuses_high_s_signatures() {
        let (address, pubkey, signature) = sign(&test_key(), "wasm", b"n");
        let low = Signature::from_slice(&STANDARD.decode(signature).unwrap()).unwrap();
        // (r, n - s) verifies mathematically but is the malleated form.
        let high = Signature::from_scalars(low.r(), -*low.s()).unwrap();
        assert_eq!(
            verify_adr036(
                "wasm",
                &address,
                b"n",
                &pubkey,
                &STANDARD.encode(high.to_bytes())
            ),
            Err(SignatureError::NonCanonical)
        );
    }

    #[test]
    fn refuses_malformed_keys_and_signatures() {
        let key = test_key();
        let (address, pubkey, signature) = sign(&key, "wasm", b"n");
        let uncompressed = STANDARD.encode(key.verifying_key().to_encoded_point(false).as_bytes());
        for bad_key in ["", "!!", "AAAA", uncompressed.as_str()] {
            assert_eq!(
                verify_adr036("wasm", &address, b"n", bad_key, &signature),
                Err(SignatureError::BadPublicKey),
                "{bad_key}"
            );
        }
        let short = STANDARD.encode([1u8; 63]);
        let zero = STANDARD.encode([0u8; 64]);
        for bad_signature in ["", "%%", short.as_str(), zero.as_str()] {
            assert_eq!(
                verify_adr036("wasm", &address, b"n", &pubkey, bad_signature),
                Err(SignatureError::BadSignature),
                "{bad_signature}"
            );
        }
    }
}
