//! One error type for every handler: a JSON body `{"error": {"code": "...", "message": "..."}}`
//! with a stable, machine-readable code. Internal errors are logged with their detail and sent
//! as a bare `internal` error: a database message can reveal schema or data.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A parameter, query or body that does not pass validation.
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    /// A rule (a creator's chat rule, a stream's subscribers-only setting) refused the caller.
    #[error("{message}")]
    Refused {
        message: String,
        refusal: Box<Refusal>,
    },
    /// The action costs something the caller has not paid yet (pay-per-message chat).
    #[error("{0}")]
    PaymentRequired(String),
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("the request body is larger than the limit of {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("too many requests; retry in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// The service cannot answer correctly yet (say, the ingest is far behind).
    #[error("{0}")]
    Unavailable(String),
    /// Every slot of a shared resource (live feeds) is taken; try again later.
    #[error("the server is at its limit of open live feeds; retry in {retry_after_secs} s")]
    Busy { retry_after_secs: u64 },
    /// A live feed's resume point is further back than it replays.
    #[error("more than {max} items follow this resume point; read them from the paged routes and resume from the newest")]
    ReplayTooLong { max: i64 },
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("{0:#}")]
    Internal(#[from] anyhow::Error),
}

/// The body of every error response.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `invalid_address`, `not_found`, `internal`.
    pub code: String,
    /// For people; may change between versions.
    pub message: String,
    /// With code `not_qualified`: the rule that refused and what would qualify.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refusal: Option<Refusal>,
}

/// Which rule refused a fan, and what would let them through: the fields `/can-message`
/// answers with.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Refusal {
    /// Path of the rule that decided, e.g. `any[1].subscriber`.
    pub decided_by: String,
    /// What would qualify (`mesi_common::chat_rule::Qualification` as JSON).
    #[schema(value_type = Option<Object>)]
    pub qualify: Option<mesi_common::chat_rule::Qualification>,
    /// `qualify` in words.
    pub hint: Option<String>,
}

impl Error {
    pub fn invalid(code: &'static str, message: impl Into<String>) -> Error {
        Error::Invalid {
            code,
            message: message.into(),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Error::Invalid { code, .. } => code,
            Error::Unauthorized(_) => "unauthorized",
            Error::Forbidden(_) => "forbidden",
            Error::Refused { .. } => "not_qualified",
            Error::PaymentRequired(_) => "payment_required",
            Error::NotFound(_) => "not_found",
            Error::Conflict(_) => "conflict",
            Error::PayloadTooLarge { .. } => "payload_too_large",
            Error::RateLimited { .. } => "rate_limited",
            Error::Unavailable(_) => "unavailable",
            Error::Busy { .. } => "busy",
            Error::ReplayTooLong { .. } => "replay_too_long",
            Error::Database(_) | Error::Internal(_) => "internal",
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Error::Invalid { .. } => StatusCode::BAD_REQUEST,
            Error::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Error::Forbidden(_) | Error::Refused { .. } => StatusCode::FORBIDDEN,
            Error::PaymentRequired(_) => StatusCode::PAYMENT_REQUIRED,
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::Conflict(_) => StatusCode::CONFLICT,
            Error::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Error::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Error::Unavailable(_) | Error::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Error::ReplayTooLong { .. } => StatusCode::GONE,
            Error::Database(_) | Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// A JSON error response with any status and code; for the few places (fallback, middleware)
/// that answer without an [`Error`].
pub fn error_response(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    detailed_response(status, code, message.into(), None)
}

fn detailed_response(
    status: StatusCode,
    code: &str,
    message: String,
    refusal: Option<Refusal>,
) -> Response {
    let body = ErrorBody {
        error: ErrorDetail {
            code: code.into(),
            message,
            refusal,
        },
    };
    (status, axum::Json(body)).into_response()
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let message = match &self {
            Error::Database(e) => {
                tracing::error!(error = %e, "database error while answering a request");
                "internal error".to_string()
            }
            Error::Internal(e) => {
                tracing::error!(
                    error = format!("{e:#}"),
                    "internal error while answering a request"
                );
                "internal error".to_string()
            }
            other => other.to_string(),
        };
        let refusal = match &self {
            Error::Refused { refusal, .. } => Some(Refusal::clone(refusal)),
            _ => None,
        };
        let mut response = detailed_response(self.status(), self.code(), message, refusal);
        if let Error::RateLimited { retry_after_secs } | Error::Busy { retry_after_secs } = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        response
    }
}

impl From<JsonRejection> for Error {
    fn from(rejection: JsonRejection) -> Error {
        match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => Error::PayloadTooLarge {
                limit: crate::api::MAX_BODY_BYTES,
            },
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Error::invalid(
                "unsupported_media_type",
                "the body must be JSON with Content-Type: application/json",
            ),
            _ => Error::invalid("invalid_body", rejection.body_text()),
        }
    }
}

impl From<QueryRejection> for Error {
    fn from(rejection: QueryRejection) -> Error {
        Error::invalid("invalid_query", rejection.body_text())
    }
}

impl From<PathRejection> for Error {
    fn from(rejection: PathRejection) -> Error {
        Error::invalid("invalid_path", rejection.body_text())
    }
}
