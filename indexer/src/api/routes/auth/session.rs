//! Session tokens: the [`Session`] and [`SseSession`] extractors, and the token helpers login
//! uses.

use axum::extract::{FromRef, FromRequestParts, Query};
use axum::http::request::Parts;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use sqlx::PgPool;

use crate::api::Error;
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
    pub(super) token_hash: [u8; 32],
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
pub(super) fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// `len` random bytes from the OS.
pub(super) fn random_bytes(len: usize) -> Result<Vec<u8>, Error> {
    let mut bytes = vec![0u8; len];
    getrandom::getrandom(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Ok(bytes)
}

/// `len` random bytes from the OS, base64url without padding.
pub(super) fn random_token(len: usize) -> Result<String, Error> {
    Ok(URL_SAFE_NO_PAD.encode(random_bytes(len)?))
}
