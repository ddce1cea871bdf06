//! Liveness, readiness and metrics for whoever runs the service.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::state::IngestState;
use crate::api::{ApiContext, Error};

pub fn router() -> OpenApiRouter<ApiContext> {
    OpenApiRouter::new()
        .routes(routes!(health))
        .routes(routes!(ready))
        .routes(routes!(metrics))
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
}

/// The process is up. Touches nothing else, so it measures the HTTP stack alone.
#[utoipa::path(get, path = "/health", tag = "service", responses((status = 200, body = Health)))]
async fn health() -> axum::Json<Health> {
    axum::Json(Health { status: "ok" })
}

#[derive(Serialize, ToSchema)]
pub struct Readiness {
    pub ready: bool,
    /// Last indexed height.
    pub height: Option<i64>,
    /// The node's head as the ingest last recorded it.
    pub head: Option<i64>,
    pub lag: Option<i64>,
    /// Why the service is not ready.
    pub reason: Option<String>,
}

/// Ready when the ingest is within `ready_max_lag` blocks of the node's head and recorded that
/// head recently (`ready_max_head_age`): an ingest that stopped stops being ready.
#[utoipa::path(get, path = "/ready", tag = "service", responses(
    (status = 200, body = Readiness, description = "ready"),
    (status = 503, body = Readiness, description = "not ready, with the reason"),
))]
async fn ready(State(ctx): State<ApiContext>) -> Result<Response, Error> {
    let state = IngestState::load(&ctx.pool).await?;
    let config = &ctx.config;
    let reason = match (state.cursor, state.head, state.lag(), state.head_age_secs) {
        (None, _, _, _) => Some("nothing indexed yet".to_owned()),
        (_, None, _, _) => Some("the ingest has not recorded the node's head".to_owned()),
        (_, _, Some(lag), _) if lag > config.ready_max_lag as i64 => Some(format!(
            "the ingest is {lag} blocks behind the head (at most {} allowed)",
            config.ready_max_lag
        )),
        (_, _, _, Some(age)) if age > config.ready_max_head_age.as_secs_f64() => Some(format!(
            "the ingest last saw the node's head {age:.0} s ago"
        )),
        _ => None,
    };
    let status = if reason.is_none() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = Readiness {
        ready: reason.is_none(),
        height: state.cursor,
        head: state.head,
        lag: state.lag(),
        reason,
    };
    Ok((status, axum::Json(body)).into_response())
}

/// Prometheus text format: `mesi_indexer_height`, `mesi_indexer_chain_head`,
/// `mesi_indexer_lag_blocks`, `mesi_indexer_events_ingested_total`,
/// `mesi_indexer_dead_letters_total`, and the histogram `mesi_api_request_duration_seconds`.
#[utoipa::path(get, path = "/metrics", tag = "service", responses(
    (status = 200, content_type = "text/plain; version=0.0.4", body = String),
))]
async fn metrics(State(ctx): State<ApiContext>) -> Result<Response, Error> {
    let state = IngestState::load(&ctx.pool).await?;
    let text = ctx.metrics.render(&state);
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response())
}
