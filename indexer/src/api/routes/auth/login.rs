//! The login routes: issue a nonce, sign in with it, read and end the session.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::adr036::{adr036_sign_doc, check_address, verify_adr036};
use super::nonce::{nonce_key, LoginNonce};
use super::session::{random_token, token_hash, Session};
use crate::api::http::error::ErrorBody;
use crate::api::http::extract::Json;
use crate::api::{ApiContext, Error};
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
pub(super) async fn issue_nonce(
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
    #[schema(nullable = false, pattern = "^tendermint/PubKeySecp256k1$")]
    pub key_type: Option<String>,
    /// Base64 compressed secp256k1 public key.
    pub value: String,
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct LoginRequest {
    pub address: String,
    /// Base64 compressed secp256k1 public key (33 bytes); give this or `pub_key`.
    #[schema(nullable = false)]
    pub pubkey: Option<String>,
    /// The key as Keplr returns it; give this or `pubkey`.
    #[schema(nullable = false)]
    pub pub_key: Option<PubKeyJson>,
    /// Base64 `r || s` (64 bytes).
    pub signature: String,
    /// The nonce that was signed, as `POST /auth/nonce` returned it.
    pub nonce: String,
}

/// States in the document that a login request holds exactly one of `pubkey` and `pub_key`:
/// `LoginRequest` becomes all of its fields and one of two `required` lists.
pub(super) fn require_one_key(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::{AllOfBuilder, ObjectBuilder, OneOfBuilder, SchemaType};
    use utoipa::openapi::RefOr;
    let Some(components) = &mut doc.components else {
        return;
    };
    let Some(RefOr::T(schema)) = components.schemas.get_mut("LoginRequest") else {
        return;
    };
    // Without a type, so that generated types see no empty object in either branch.
    let requires = |field: &str| {
        ObjectBuilder::new()
            .schema_type(SchemaType::AnyValue)
            .required(field)
    };
    let fields = std::mem::take(schema);
    *schema = AllOfBuilder::new()
        .item(fields)
        .item(
            OneOfBuilder::new()
                .item(requires("pubkey"))
                .item(requires("pub_key")),
        )
        .into();
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
pub(super) async fn login(
    State(ctx): State<ApiContext>,
    Json(request): Json<LoginRequest>,
) -> Result<axum::Json<LoginResponse>, Error> {
    let config = &ctx.config.auth;
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
    // The key's shape is checked after the nonce: a request without a nonce issued to this
    // address is unauthorized, whatever else it holds.
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
pub(super) async fn current_session(session: Session) -> axum::Json<SessionResponse> {
    axum::Json(SessionResponse {
        address: session.address,
    })
}

/// Ends the session whose token the request carries.
#[utoipa::path(post, path = "/auth/logout", tag = "auth", security(("bearer" = [])), responses(
    (status = 204, description = "the token no longer works"),
    (status = 401, body = ErrorBody),
))]
pub(super) async fn logout(
    State(ctx): State<ApiContext>,
    session: Session,
) -> Result<StatusCode, Error> {
    sqlx::query("DELETE FROM auth_sessions WHERE token_hash = $1")
        .bind(session.token_hash.as_slice())
        .execute(&ctx.pool)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
