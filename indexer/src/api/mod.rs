//! The HTTP API that dApp frontends use: JSON over axum, one module per group of routes, each
//! with a `router()`; an OpenAPI 3 document generated from the handlers at `/openapi.json`.
//!
//! - [`ApiContext`] is the state every handler gets: the pool, the configuration, metrics and
//!   the live-feed channels.
//! - [`Error`] is the one error type: JSON `{"error": {"code", "message"}}` with a stable code;
//!   internal errors are logged, never sent. The extractors in [`http::extract`] answer bad input
//!   with it too.
//! - Limits: request bodies ([`MAX_BODY_BYTES`]), URIs ([`MAX_URI_BYTES`]), page sizes and ids
//!   ([`http::params`]); per-client request rates, live-feed caps and replay bounds
//!   ([`http::limits`]);
//!   CORS for browser dApps (any origin unless configured).
//!
//! The API reads what the ingest writes; `serve` runs it alone, `run` next to the ingest. Live
//! feeds hear about new blocks through PostgreSQL `LISTEN`/`NOTIFY` in both cases.

pub mod http;
pub mod routes;
pub mod signals;
pub mod state;

use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{FromRef, Request};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use http::error::error_response;
pub use http::error::Error;
use http::metrics::Metrics;
use routes::feeds::LiveFeed;
use routes::{
    access, auth, calendar, chat, creators, feeds, gating, goals, health, leaderboards, meetings,
    ppv, streams, subscriptions, surprises,
};

/// Largest request body accepted.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Longest request URI (path and query) accepted.
pub const MAX_URI_BYTES: usize = 4 * 1024;

#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// `/ready` fails when the ingest is more than this many blocks behind the head.
    pub ready_max_lag: u64,
    /// `/ready` fails when the ingest recorded the head longer ago than this.
    pub ready_max_head_age: Duration,
    /// Origins allowed by CORS; empty allows any origin.
    pub cors_origins: Vec<String>,
    /// Wallet login: the chain's bech32 prefix and how long nonces and sessions live.
    pub auth: auth::AuthConfig,
    /// Per-client request rates, live-feed caps, replay bound, trusted proxies.
    pub limits: http::limits::LimitsConfig,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            ready_max_lag: 5,
            ready_max_head_age: Duration::from_secs(60),
            cors_origins: Vec::new(),
            auth: auth::AuthConfig::default(),
            limits: http::limits::LimitsConfig::default(),
        }
    }
}

/// Shared by every handler; cheap to clone.
#[derive(Clone)]
pub struct ApiContext {
    pub pool: PgPool,
    pub config: Arc<ApiConfig>,
    pub metrics: Arc<Metrics>,
    /// Wake-ups for the chat and stream live feeds.
    pub signals: Arc<signals::Signals>,
    /// Clients watching each stream's live feed in this process.
    pub viewers: Arc<streams::Viewers>,
    /// New feed items, for the SSE feeds.
    pub live: Arc<LiveFeed>,
    /// The facts `can-message` reads, in memory.
    pub gating: Arc<gating::cache::GatingCache>,
    /// Request rates and open live feeds per client.
    pub limits: Arc<http::limits::Limits>,
}

impl ApiContext {
    pub fn new(pool: PgPool, config: ApiConfig) -> ApiContext {
        ApiContext {
            signals: Arc::new(signals::Signals::new(pool.clone())),
            viewers: Arc::default(),
            live: LiveFeed::start(pool.clone()),
            gating: gating::cache::GatingCache::start(pool.clone(), Default::default()),
            limits: Arc::new(http::limits::Limits::new(config.limits.clone())),
            pool,
            config: Arc::new(config),
            metrics: Arc::new(Metrics::new()),
        }
    }
}

impl FromRef<ApiContext> for PgPool {
    fn from_ref(ctx: &ApiContext) -> PgPool {
        ctx.pool.clone()
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Mesi indexer API",
        description = "Feeds, leaderboards, chat gating, access checks and calendars over the indexed Mesi contracts. Errors are JSON `{\"error\": {\"code\", \"message\"}}`.",
    ),
    components(schemas(http::error::ErrorBody, http::error::ErrorDetail))
)]
struct ApiDoc;

/// Every group of routes, with their OpenAPI paths.
fn all_routes() -> OpenApiRouter<ApiContext> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(health::router())
        .merge(feeds::router())
        .merge(creators::router())
        .merge(subscriptions::router())
        .merge(ppv::router())
        .merge(surprises::router())
        .merge(meetings::router())
        .merge(gating::router())
        .merge(access::router())
        .merge(leaderboards::router())
        .merge(goals::router())
        .merge(calendar::router())
        .merge(auth::router())
        .merge(chat::router())
        .merge(streams::router())
    // One line per group of routes: `.merge(<module>::router())`. A module returns an
    // `OpenApiRouter<ApiContext>` built with utoipa-axum's `routes!` (so its paths appear in
    // /openapi.json); a plain axum `Router<ApiContext>` fits with `.into()`.
}

/// The OpenAPI document of every route.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = all_routes().into_openapi();
    http::openapi::refine(&mut doc);
    doc
}

/// The whole service: routes, `/openapi.json`, limits, CORS, metrics.
pub fn router(ctx: ApiContext) -> Router {
    let (routes, mut doc) = all_routes().split_for_parts();
    http::openapi::refine(&mut doc);
    let doc = Arc::new(
        doc.to_pretty_json()
            .expect("the OpenAPI document serializes"),
    );
    routes
        .route(
            "/openapi.json",
            axum::routing::get(move || async move {
                (
                    [(header::CONTENT_TYPE, "application/json")],
                    doc.as_str().to_owned(),
                )
            }),
        )
        .fallback(unknown_route)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(
            ctx.clone(),
            http::limits::limit_requests,
        ))
        .layer(middleware::from_fn_with_state(
            ctx.clone(),
            http::metrics::track,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(limit_uri))
        .layer(cors(&ctx.config))
        .layer(CatchPanicLayer::custom(|_| {
            error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "internal error",
            )
        }))
        .with_state(ctx)
}

/// A pool for the API, apart from the ingest's: API load never holds up block commits.
pub async fn connect(database_url: &str, max_connections: u32) -> Result<PgPool, sqlx::Error> {
    let options: PgConnectOptions = database_url.parse()?;
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options.application_name("mesi-indexer-api"))
        .await
}

/// Serves until `shutdown` completes.
pub async fn serve(
    ctx: ApiContext,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    tracing::info!(address = %listener.local_addr()?, "API listening");
    let (stopping, mut stopped) = tokio::sync::watch::channel(false);
    // The peer's address is what per-client limits count (see `http::limits`).
    let app = router(ctx).into_make_service_with_connect_info::<SocketAddr>();
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        shutdown.await;
        let _ = stopping.send(true);
    });
    // Live feeds never end by themselves: give open requests a moment, then stop.
    tokio::select! {
        result = server.into_future() => result,
        _ = async {
            let _ = stopped.wait_for(|stopped| *stopped).await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        } => Ok(()),
    }
}

/// How long open requests (live feeds, mostly) may run once shutdown starts.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

fn cors(config: &ApiConfig) -> CorsLayer {
    let origins = if config.cors_origins.is_empty() {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            config
                .cors_origins
                .iter()
                .filter_map(|o| HeaderValue::from_str(o).ok()),
        )
    };
    CorsLayer::new()
        .allow_origin(origins)
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::HeaderName::from_static("last-event-id"),
        ])
        // A browser app reads how long to wait after a 429 or 503.
        .expose_headers([header::RETRY_AFTER])
        .max_age(Duration::from_secs(3600))
}

async fn limit_uri(request: Request, next: Next) -> Response {
    let length = request
        .uri()
        .path_and_query()
        .map_or(0, |p| p.as_str().len());
    if length > MAX_URI_BYTES {
        return error_response(
            StatusCode::URI_TOO_LONG,
            "uri_too_long",
            format!("the request URI is longer than {MAX_URI_BYTES} bytes"),
        );
    }
    next.run(request).await
}

async fn unknown_route() -> Response {
    error_response(
        StatusCode::NOT_FOUND,
        "unknown_route",
        "no such route; see /openapi.json",
    )
}

async fn method_not_allowed() -> Response {
    error_response(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this route does not take that method; see /openapi.json",
    )
    .into_response()
}
