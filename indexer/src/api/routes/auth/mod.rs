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

mod adr036;
mod login;
mod nonce;
mod session;

use std::time::Duration;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use adr036::{address_of, adr036_sign_doc, check_address, verify_adr036, SignatureError};
pub use login::{
    LoginRequest, LoginResponse, NonceRequest, NonceResponse, PubKeyJson, SessionResponse,
};
pub use nonce::{LoginNonce, NONCE_CHARS};
pub use session::{Session, SseSession};

use crate::api::ApiContext;

/// Login settings; part of [`crate::api::ApiConfig`].
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

pub fn router() -> OpenApiRouter<ApiContext> {
    let mut router = OpenApiRouter::with_openapi(bearer_scheme())
        .routes(routes!(login::issue_nonce))
        .routes(routes!(login::login))
        .routes(routes!(login::logout))
        .routes(routes!(login::current_session));
    login::require_one_key(router.get_openapi_mut());
    router
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

#[cfg(test)]
mod tests {
    #[test]
    fn the_openapi_document_declares_the_bearer_scheme() {
        let doc = serde_json::to_value(crate::api::openapi()).unwrap();
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
}
