//! Login nonces: issued without storing anything, checked by their MAC.

use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sqlx::PgPool;

use super::session::random_bytes;
use crate::api::Error;

/// A login nonce as the server issued it, read back from its text: base64url of 16 random
/// bytes, the issue and expiry times (Unix seconds, big-endian `i64`) and the first 16 bytes
/// of an HMAC-SHA256 over the address and those 32 bytes, under the database's nonce key
/// (`auth_nonce_key`, shared by every API process). Nothing is stored when one is issued; a
/// nonce is only ever valid for the address it was issued to, and its times cannot be changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginNonce {
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

const NONCE_RANDOM_BYTES: usize = 16;
const NONCE_PAYLOAD_BYTES: usize = NONCE_RANDOM_BYTES + 16;
const NONCE_TAG_BYTES: usize = 16;
/// Length of a nonce's text (48 bytes in base64url).
pub const NONCE_CHARS: usize = 64;

impl LoginNonce {
    /// A new nonce for `address` valid from `issued_at` (whole seconds) for `ttl`.
    pub(super) fn issue(
        key: &[u8],
        address: &str,
        issued_at: i64,
        ttl: Duration,
    ) -> Result<(String, LoginNonce), Error> {
        let expires_at = issued_at.saturating_add(i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX));
        let mut bytes = random_bytes(NONCE_RANDOM_BYTES)?;
        bytes.extend_from_slice(&issued_at.to_be_bytes());
        bytes.extend_from_slice(&expires_at.to_be_bytes());
        let tag = Self::mac(key, address, &bytes).finalize().into_bytes();
        bytes.extend_from_slice(&tag[..NONCE_TAG_BYTES]);
        let nonce = URL_SAFE_NO_PAD.encode(&bytes);
        let times = Self::times(&bytes[..NONCE_PAYLOAD_BYTES])
            .ok_or_else(|| anyhow::anyhow!("nonce times out of range"))?;
        Ok((nonce, times))
    }

    /// The nonce's times, if `nonce` is one this server issued for `address`.
    pub(super) fn open(key: &[u8], address: &str, nonce: &str) -> Option<LoginNonce> {
        if nonce.len() != NONCE_CHARS {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(nonce).ok()?;
        if bytes.len() != NONCE_PAYLOAD_BYTES + NONCE_TAG_BYTES {
            return None;
        }
        let (payload, tag) = bytes.split_at(NONCE_PAYLOAD_BYTES);
        Self::mac(key, address, payload)
            .verify_truncated_left(tag)
            .ok()?;
        Self::times(payload)
    }

    fn mac(key: &[u8], address: &str, payload: &[u8]) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
        mac.update(b"mesi login nonce\0");
        mac.update(address.as_bytes());
        mac.update(b"\0");
        mac.update(payload);
        mac
    }

    fn times(payload: &[u8]) -> Option<LoginNonce> {
        let seconds = |at: usize| {
            let bytes: [u8; 8] = payload.get(at..at + 8)?.try_into().ok()?;
            DateTime::from_timestamp(i64::from_be_bytes(bytes), 0)
        };
        Some(LoginNonce {
            issued_at: seconds(NONCE_RANDOM_BYTES)?,
            expires_at: seconds(NONCE_RANDOM_BYTES + 8)?,
        })
    }
}

/// The key nonces are MACed with (made by migration `0215_login_nonces.sql`).
pub(super) async fn nonce_key(pool: &PgPool) -> Result<Vec<u8>, Error> {
    Ok(sqlx::query_scalar("SELECT key FROM auth_nonce_key")
        .fetch_one(pool)
        .await?)
}
