//! Wallet login with ADR-036 `signArbitrary`, as Keplr (and cosmjs-based wallets) produce it.
//!
//! 1. `POST /auth/nonce {address}`: the server returns a short-lived nonce and the message to
//!    sign, with the sign doc the wallet will build around it. It stores nothing: the nonce
//!    carries random bytes, its issue and expiry times and a MAC binding them to the address
//!    under a key of the database ([`LoginNonce`]).
//! 2. The wallet calls `signArbitrary("", address, message)` (Keplr ignores the chain id for
//!    ADR-036): it signs the amino JSON sign doc below with secp256k1 over its sha256.
//! 3. `POST /auth/login {address, nonce, pubkey, signature}`: the server checks the nonce's MAC
//!    and expiry, rebuilds the message from it, checks the public key hashes to `address`,
//!    verifies the signature, records the nonce as used (it works once; the record goes when
//!    the nonce expires) and returns a random session token, stored hashed.
//! 4. Requests carry `Authorization: Bearer <token>`; handlers take a [`Session`]. Live feeds
//!    (Server-Sent Events) take an [`SseSession`], which also accepts `?access_token=`.
//!
//! Nobody can hinder another wallet's sign-in: any number of nonces may be issued for any
//! address, each works on its own until used or expired, and issuing them stores nothing.
//!
//! The sign doc, exactly as Keplr builds it (keys sorted, no whitespace):
//! `{"account_number":"0","chain_id":"","fee":{"amount":[],"gas":"0"},"memo":"",`
//! `"msgs":[{"type":"sign/MsgSignData","value":{"data":"<base64 message>","signer":"<address>"}}],`
//! `"sequence":"0"}`

use std::fmt;
use std::time::Duration;

use axum::extract::{FromRef, FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use bech32::{Bech32, Hrp};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use k256::ecdsa::signature::hazmat::PrehashVerifier;
use k256::ecdsa::{Signature, VerifyingKey};
use ripemd::Ripemd160;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::ErrorBody;
use super::extract::Json;
use super::{ApiContext, Error};

/// Login settings; part of [`super::ApiConfig`].
#[derive(Debug, Clone)]
pub struct AuthConfig {
    /// Bech32 prefix of account addresses on the chain, e.g. `mesi` or `cosmos`.
    pub bech32_prefix: String,
    /// How long a nonce may wait for its signature.
    pub nonce_ttl: Duration,
    /// How long a session token is valid.
    pub session_ttl: Duration,
    /// Shown in the message the wallet displays, so users see where they are signing in.
    pub domain: String,
}

impl AuthConfig {
    pub fn new(bech32_prefix: impl Into<String>) -> AuthConfig {
        AuthConfig {
            bech32_prefix: bech32_prefix.into(),
            nonce_ttl: Duration::from_secs(5 * 60),
            session_ttl: Duration::from_secs(12 * 60 * 60),
            domain: "Mesi".into(),
        }
    }
}

impl Default for AuthConfig {
    /// wasmd's default prefix, which the local devnet uses.
    fn default() -> Self {
        AuthConfig::new("wasm")
    }
}

/// The authenticated wallet behind a request.
///
/// Take it as a handler argument to require login: the request must carry
/// `Authorization: Bearer <token>` with a live token from `POST /auth/login`, else the
/// handler is not called and the client gets 401 `unauthorized`. Only the header counts: a
/// token in the URL ends up in logs and browser histories, so only live feeds take one there
/// (see [`SseSession`]).
///
/// `address` is the bech32 account address proven by the signature; compare it with the
/// creator or fan an action is about (e.g. `if session.address != creator { Forbidden }`).
///
/// Works with any router state from which a [`PgPool`] can be taken (`FromRef`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub address: String,
    /// Which session this is, for logout; only this module makes sessions.
    token_hash: [u8; 32],
}

impl<S> FromRequestParts<S> for Session
where
    PgPool: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Session, Error> {
        let token = bearer_token(parts).ok_or(Error::Unauthorized(
            "a session token is required: Authorization: Bearer <token>".into(),
        ))?;
        Session::of_token(&PgPool::from_ref(state), &token).await
    }
}

impl Session {
    async fn of_token(pool: &PgPool, token: &str) -> Result<Session, Error> {
        let token_hash = token_hash(token);
        let address: Option<String> = sqlx::query_scalar(
            "SELECT address FROM auth_sessions WHERE token_hash = $1 AND expires_at > now()",
        )
        .bind(token_hash.as_slice())
        .fetch_optional(pool)
        .await?;
        let address = address.ok_or_else(|| {
            Error::Unauthorized("session token is unknown, expired or revoked".into())
        })?;
        Ok(Session {
            address,
            token_hash,
        })
    }
}

/// The [`Session`] of a Server-Sent Events route: `EventSource` cannot set headers, so the
/// token may come as `?access_token=<token>` too (the header wins when both are given). No
/// other route takes a token from the URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseSession(pub Session);

impl<S> FromRequestParts<S> for SseSession
where
    PgPool: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<SseSession, Error> {
        let token = match parts
            .headers
            .contains_key(axum::http::header::AUTHORIZATION)
        {
            true => bearer_token(parts),
            false => query_token(parts),
        }
        .ok_or(Error::Unauthorized(
            "a session token is required: Authorization: Bearer <token>, or ?access_token=<token>"
                .into(),
        ))?;
        Ok(SseSession(
            Session::of_token(&PgPool::from_ref(state), &token).await?,
        ))
    }
}

/// The token from `Authorization: Bearer <token>`.
fn bearer_token(parts: &Parts) -> Option<String> {
    let value = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
        .filter(|t| !t.is_empty())
}

/// The token from `?access_token=<token>`.
fn query_token(parts: &Parts) -> Option<String> {
    #[derive(Deserialize)]
    struct AccessToken {
        access_token: String,
    }
    Query::<AccessToken>::try_from_uri(&parts.uri)
        .ok()
        .map(|q| q.0.access_token)
        .filter(|t| !t.is_empty())
}

/// Sessions are looked up by the sha256 of the token, so a database leak gives no tokens.
fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// `len` random bytes from the OS.
fn random_bytes(len: usize) -> Result<Vec<u8>, Error> {
    let mut bytes = vec![0u8; len];
    getrandom::getrandom(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Ok(bytes)
}

/// `len` random bytes from the OS, base64url without padding.
fn random_token(len: usize) -> Result<String, Error> {
    Ok(URL_SAFE_NO_PAD.encode(random_bytes(len)?))
}

// ---------------------------------------------------------------------------------------------
// Nonces

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
    fn issue(
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
    fn open(key: &[u8], address: &str, nonce: &str) -> Option<LoginNonce> {
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
async fn nonce_key(pool: &PgPool) -> Result<Vec<u8>, Error> {
    Ok(sqlx::query_scalar("SELECT key FROM auth_nonce_key")
        .fetch_one(pool)
        .await?)
}

// ---------------------------------------------------------------------------------------------
// ADR-036

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

// ---------------------------------------------------------------------------------------------
// Routes

pub fn router() -> OpenApiRouter<ApiContext> {
    OpenApiRouter::with_openapi(bearer_scheme())
        .routes(routes!(issue_nonce))
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(current_session))
}

/// The `bearer` security scheme that authenticated paths name in the OpenAPI document.
fn bearer_scheme() -> utoipa::openapi::OpenApi {
    use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
    let mut doc = utoipa::openapi::OpenApi::default();
    doc.components
        .get_or_insert_with(Default::default)
        .add_security_scheme(
        "bearer",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some(
                    "A session token from POST /auth/login; SSE routes also take ?access_token=",
                ))
                .build(),
        ),
    );
    doc
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NonceRequest {
    /// The account that will sign, a bech32 address with the chain's prefix.
    pub address: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct NonceResponse {
    pub nonce: String,
    /// The text to pass to `signArbitrary` as `data`.
    pub message: String,
    /// The exact bytes the wallet signs (sha256 of them), for wallets without `signArbitrary`.
    pub sign_doc: String,
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: DateTime<Utc>,
}

/// Issues a nonce for `address` to sign with ADR-036 `signArbitrary`. Any number may be issued;
/// each works once, on its own, until it expires.
#[utoipa::path(post, path = "/auth/nonce", tag = "auth", request_body = NonceRequest, responses(
    (status = 200, body = NonceResponse),
    (status = 400, body = ErrorBody, description = "not an account address of this chain"),
))]
async fn issue_nonce(
    State(ctx): State<ApiContext>,
    Json(request): Json<NonceRequest>,
) -> Result<axum::Json<NonceResponse>, Error> {
    let config = &ctx.config.auth;
    check_address(&config.bech32_prefix, &request.address)
        .map_err(|e| Error::invalid("invalid_address", e.to_string()))?;
    let key = nonce_key(&ctx.pool).await?;
    let (nonce, times) = LoginNonce::issue(
        &key,
        &request.address,
        Utc::now().timestamp(),
        config.nonce_ttl,
    )?;
    let message = login_message(&config.domain, &request.address, &nonce, &times);
    Ok(axum::Json(NonceResponse {
        sign_doc: adr036_sign_doc(&request.address, message.as_bytes()),
        nonce,
        message,
        expires_at: times.expires_at,
    }))
}

/// What the user sees in the wallet; the nonce makes it unique, the times make it readable.
fn login_message(domain: &str, address: &str, nonce: &str, times: &LoginNonce) -> String {
    format!(
        "Sign in to {domain}\n\nAddress: {address}\nNonce: {nonce}\nIssued: {}\nExpires: {}",
        times.issued_at.format("%Y-%m-%dT%H:%M:%SZ"),
        times.expires_at.format("%Y-%m-%dT%H:%M:%SZ"),
    )
}

/// Keplr's `signArbitrary` result is `{pub_key: {type, value}, signature}`; clients may post
/// it as is next to `address`, or give the key flat as `pubkey`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PubKeyJson {
    /// `tendermint/PubKeySecp256k1` when given.
    #[serde(rename = "type")]
    pub key_type: Option<String>,
    /// Base64 compressed secp256k1 public key.
    pub value: String,
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct LoginRequest {
    pub address: String,
    /// Base64 compressed secp256k1 public key (33 bytes).
    pub pubkey: Option<String>,
    /// The key as Keplr returns it; give this or `pubkey`.
    pub pub_key: Option<PubKeyJson>,
    /// Base64 `r || s` (64 bytes).
    pub signature: String,
    /// The nonce that was signed, as `POST /auth/nonce` returned it.
    pub nonce: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    pub address: String,
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: DateTime<Utc>,
}

/// Checks an ADR-036 signature over the address's nonce and opens a session.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest, responses(
    (status = 200, body = LoginResponse),
    (status = 400, body = ErrorBody, description = "malformed address or key"),
    (status = 401, body = ErrorBody, description = "bad signature, or a nonce not issued for this address, expired or already used"),
))]
async fn login(
    State(ctx): State<ApiContext>,
    Json(request): Json<LoginRequest>,
) -> Result<axum::Json<LoginResponse>, Error> {
    let config = &ctx.config.auth;
    let pubkey = match (&request.pubkey, &request.pub_key) {
        (Some(key), None) => key.as_str(),
        (None, Some(key))
            if key
                .key_type
                .as_deref()
                .is_none_or(|t| t == "tendermint/PubKeySecp256k1") =>
        {
            key.value.as_str()
        }
        _ => {
            return Err(Error::invalid(
                "invalid_pubkey",
                "give one secp256k1 public key, as pubkey or pub_key",
            ))
        }
    };
    check_address(&config.bech32_prefix, &request.address)
        .map_err(|e| Error::invalid("invalid_address", e.to_string()))?;
    let key = nonce_key(&ctx.pool).await?;
    let times = LoginNonce::open(&key, &request.address, &request.nonce).ok_or_else(|| {
        Error::Unauthorized("this nonce was not issued for this address: request one".into())
    })?;
    if Utc::now() >= times.expires_at {
        return Err(Error::Unauthorized(
            "the nonce expired: request a new one".into(),
        ));
    }
    let message = login_message(&config.domain, &request.address, &request.nonce, &times);
    verify_adr036(
        &config.bech32_prefix,
        &request.address,
        message.as_bytes(),
        pubkey,
        &request.signature,
    )
    .map_err(|e| Error::Unauthorized(e.to_string()))?;

    let token = random_token(32)?;
    let expires_at = Utc::now() + config.session_ttl;
    let mut tx = ctx.pool.begin().await?;
    // Recording the nonce is what makes it single-use: of two concurrent logins with the same
    // signature, one inserts the row and the other finds it there. A record is kept until its
    // nonce expires (by the database's clock, which also refuses expired nonces here).
    sqlx::query("DELETE FROM auth_used_nonces WHERE expires_at <= now()")
        .execute(&mut *tx)
        .await?;
    let recorded = sqlx::query(
        "INSERT INTO auth_used_nonces (nonce, expires_at) SELECT $1, $2 WHERE $2 > now() \
         ON CONFLICT (nonce) DO NOTHING",
    )
    .bind(&request.nonce)
    .bind(times.expires_at)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if recorded != 1 {
        return Err(Error::Unauthorized("nonce already used or expired".into()));
    }
    sqlx::query("DELETE FROM auth_sessions WHERE expires_at <= now()")
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO auth_sessions (token_hash, address, expires_at) VALUES ($1, $2, $3)")
        .bind(token_hash(&token).as_slice())
        .bind(&request.address)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(axum::Json(LoginResponse {
        token,
        address: request.address,
        expires_at,
    }))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SessionResponse {
    pub address: String,
}

/// The address behind the session token.
#[utoipa::path(get, path = "/auth/session", tag = "auth", security(("bearer" = [])), responses(
    (status = 200, body = SessionResponse),
    (status = 401, body = ErrorBody),
))]
async fn current_session(session: Session) -> axum::Json<SessionResponse> {
    axum::Json(SessionResponse {
        address: session.address,
    })
}

/// Ends the session whose token the request carries.
#[utoipa::path(post, path = "/auth/logout", tag = "auth", security(("bearer" = [])), responses(
    (status = 204, description = "the token no longer works"),
    (status = 401, body = ErrorBody),
))]
async fn logout(State(ctx): State<ApiContext>, session: Session) -> Result<StatusCode, Error> {
    sqlx::query("DELETE FROM auth_sessions WHERE token_hash = $1")
        .bind(session.token_hash.as_slice())
        .execute(&ctx.pool)
        .await?;
    Ok(StatusCode::NO_CONTENT)
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
    fn the_openapi_document_declares_the_bearer_scheme() {
        let doc = serde_json::to_value(super::super::openapi()).unwrap();
        assert_eq!(
            doc["components"]["securitySchemes"]["bearer"]["scheme"],
            "bearer"
        );
        for path in [
            "/auth/nonce",
            "/auth/login",
            "/chat/threads/{thread_id}/messages",
            "/streams/{stream_id}/summary",
        ] {
            assert!(doc["paths"][path].is_object(), "{path}");
        }
        assert_eq!(
            doc["paths"]["/auth/session"]["get"]["security"][0]["bearer"],
            serde_json::json!([])
        );
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
