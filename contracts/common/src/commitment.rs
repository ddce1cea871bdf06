//! The commitment a creator makes to a surprise's content when minting it.
//!
//! ```text
//! content_hash = sha256(content)
//! commitment   = sha256(field(DOMAIN) ‖ field(contract) ‖ field(token_id) ‖ field(creator)
//!                       ‖ field(salt) ‖ field(content_hash))
//! field(x)     = len(x) as 4-byte big-endian ‖ x
//! ```
//!
//! - `DOMAIN` is [`COMMITMENT_DOMAIN`], so a commitment can never be mistaken for another hash;
//! - `contract`, `token_id` and `creator` are UTF-8 strings, addresses in bech32 as the chain
//!   prints them; binding them means a commitment cannot be reused for another token;
//! - `salt` is 32 secret random bytes, published only at the reveal: the hints narrow down the
//!   possible contents, so an unsalted hash could be found by trying candidates;
//! - every field is length-prefixed, so no two different inputs encode to the same bytes.
//!
//! The `mesi-commitment` binary of this crate computes it from a content file.

use sha2::{Digest, Sha256};

/// Separates surprise commitments from every other sha256 in the system.
pub const COMMITMENT_DOMAIN: &str = "mesi.surprise.commitment.v1";
/// Length of the salt and of both hashes, in bytes.
pub const HASH_LEN: usize = 32;

pub type Hash = [u8; HASH_LEN];

/// What a commitment binds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommitmentInput<'a> {
    pub contract: &'a str,
    pub token_id: &'a str,
    pub creator: &'a str,
    pub salt: &'a Hash,
    /// sha256 of the content, see [`content_hash`].
    pub content_hash: &'a Hash,
}

/// sha256 of the content bytes.
pub fn content_hash(content: &[u8]) -> Hash {
    Sha256::digest(content).into()
}

impl CommitmentInput<'_> {
    /// The commitment stored at mint and checked at the reveal.
    pub fn commitment(&self) -> Hash {
        let mut hasher = Sha256::new();
        for field in [
            COMMITMENT_DOMAIN.as_bytes(),
            self.contract.as_bytes(),
            self.token_id.as_bytes(),
            self.creator.as_bytes(),
            self.salt,
            self.content_hash,
        ] {
            // Fields are short (addresses, ids, hashes); a longer one is a caller bug.
            let len = u32::try_from(field.len()).expect("commitment field shorter than 4 GiB");
            hasher.update(len.to_be_bytes());
            hasher.update(field);
        }
        hasher.finalize().into()
    }
}

/// A fixed input and its expected hashes in hex, for other implementations (frontends, the CLI)
/// to check themselves against.
pub struct TestVector {
    pub contract: &'static str,
    pub token_id: &'static str,
    pub creator: &'static str,
    pub salt_hex: &'static str,
    pub content: &'static [u8],
    pub content_hash_hex: &'static str,
    pub commitment_hex: &'static str,
}

/// Computed independently of this code (Python `hashlib`, following the module documentation).
pub const TEST_VECTORS: &[TestVector] = &[
    TestVector {
        contract: "mesi1mwpn644tslhkp22xtvg93fzw7hhp0jzk2gvt62ujglns8d2yxfus2vxk35",
        token_id: "1.first",
        creator: "mesi1mnpszttphdwc730n0p0gwmw27pn3tk2mj5krn2",
        salt_hex: "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
        content: b"hello, surprise",
        content_hash_hex: "7ed48f71ce34fdaf386325245ab6c2c272ad3a0b28f51f406679e44b23645549",
        commitment_hex: "a59bf73d708816fa44c9f10a142272aef70246141c83726cf2a4fe7f31550201",
    },
    TestVector {
        contract: "mesi1mwpn644tslhkp22xtvg93fzw7hhp0jzk2gvt62ujglns8d2yxfus2vxk35",
        token_id: "12.summer-drop_2",
        creator: "mesi1lyvrvsmk90u0hgkp97dvgvw4g7qpfh8hp7hp5h",
        salt_hex: "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        content: b"",
        content_hash_hex: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        commitment_hex: "7f39c286a89205e4356120cb7620970abc19585168fc7a7d8dd613b6147efbdb",
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::HexBinary;

    fn hash_from_hex(hex: &str) -> Hash {
        HexBinary::from_hex(hex).unwrap().to_array().unwrap()
    }

    #[test]
    fn matches_the_fixed_vectors() {
        for v in TEST_VECTORS {
            let content_hash = content_hash(v.content);
            assert_eq!(
                HexBinary::from(content_hash).to_hex(),
                v.content_hash_hex,
                "{}",
                v.token_id
            );
            let input = CommitmentInput {
                contract: v.contract,
                token_id: v.token_id,
                creator: v.creator,
                salt: &hash_from_hex(v.salt_hex),
                content_hash: &content_hash,
            };
            assert_eq!(
                HexBinary::from(input.commitment()).to_hex(),
                v.commitment_hex,
                "{}",
                v.token_id
            );
        }
    }

    #[test]
    fn every_field_changes_the_commitment() {
        let salt = [7u8; HASH_LEN];
        let hash = content_hash(b"content");
        let base = CommitmentInput {
            contract: "c",
            token_id: "1.a",
            creator: "creator",
            salt: &salt,
            content_hash: &hash,
        };
        let other_salt = [8u8; HASH_LEN];
        let other_hash = content_hash(b"content!");
        let variants = [
            CommitmentInput {
                contract: "d",
                ..base
            },
            CommitmentInput {
                token_id: "1.b",
                ..base
            },
            CommitmentInput {
                creator: "creatos",
                ..base
            },
            CommitmentInput {
                salt: &other_salt,
                ..base
            },
            CommitmentInput {
                content_hash: &other_hash,
                ..base
            },
        ];
        for variant in variants {
            assert_ne!(variant.commitment(), base.commitment(), "{variant:?}");
        }
    }

    #[test]
    fn length_prefixes_keep_field_boundaries() {
        let salt = [0u8; HASH_LEN];
        let hash = [0u8; HASH_LEN];
        let a = CommitmentInput {
            contract: "ab",
            token_id: "c",
            creator: "x",
            salt: &salt,
            content_hash: &hash,
        };
        let b = CommitmentInput {
            contract: "a",
            token_id: "bc",
            ..a
        };
        assert_ne!(a.commitment(), b.commitment());
    }
}
