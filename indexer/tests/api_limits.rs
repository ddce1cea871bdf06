//! Per-client limits over HTTP: request rates on sign-in and thread creation, who the client
//! is behind a trusted proxy, caps on open live feeds, and the bound on replay.

mod api_support;

use api_support::{from_peer, request, TestApp, Wallet};
use axum::http::{Method, StatusCode};
use mesi_indexer::api::http::limits::{LimitsConfig, Rate};
use mesi_indexer::api::ApiConfig;
use serde_json::json;

async fn app_with(limits: LimitsConfig) -> Option<TestApp> {
    TestApp::with_config(ApiConfig {
        auth: mesi_indexer::api::routes::auth::AuthConfig::new(api_support::PREFIX),
        limits,
        ..ApiConfig::default()
    })
    .await
}

fn nonce_from(ip: &str, forwarded_for: Option<&str>) -> axum::http::Request<axum::body::Body> {
    let address = Wallet::new(7).address;
    let mut r = from_peer(
        request(
            Method::POST,
            "/auth/nonce",
            None,
            Some(json!({"address": address})),
        ),
        ip,
    );
    if let Some(f) = forwarded_for {
        r.headers_mut()
            .insert("x-forwarded-for", f.parse().unwrap());
    }
    r
}

#[tokio::test]
async fn sign_in_is_rate_limited_per_client_and_forwarded_for_only_from_proxies() {
    let Some(app) = app_with(LimitsConfig {
        trusted_proxies: vec!["10.0.0.0/8".parse().unwrap()],
        sign_in: Rate {
            per_minute: 1,
            burst: 2,
        },
        ..LimitsConfig::unlimited()
    })
    .await
    else {
        return;
    };
    for _ in 0..2 {
        let ok = app.send(nonce_from("192.0.2.1", None)).await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    }
    let mut from_browser = nonce_from("192.0.2.1", None);
    from_browser
        .headers_mut()
        .insert("origin", "https://app.example".parse().unwrap());
    let over = app.send(from_browser).await;
    assert_eq!(over.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(over.body["error"]["code"], "rate_limited");
    // A browser app may read Retry-After: CORS exposes it.
    let exposed = over.headers["access-control-expose-headers"]
        .to_str()
        .unwrap();
    assert!(
        exposed.to_ascii_lowercase().contains("retry-after"),
        "{exposed}"
    );
    let wait: u64 = over.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    // A forged X-Forwarded-For from a stranger changes nothing: it is still the stranger.
    let forged = app
        .send(nonce_from("192.0.2.1", Some("198.51.100.9")))
        .await;
    assert_eq!(forged.status, StatusCode::TOO_MANY_REQUESTS);
    // Another client has its own allowance, and so does a client behind the proxy, whose
    // requests are counted by the address the proxy names.
    assert_eq!(
        app.send(nonce_from("192.0.2.2", None)).await.status,
        StatusCode::OK
    );
    for _ in 0..2 {
        let via_proxy = app.send(nonce_from("10.0.0.1", Some("198.51.100.9"))).await;
        assert_eq!(via_proxy.status, StatusCode::OK);
    }
    let via_other_proxy = app.send(nonce_from("10.0.0.2", Some("198.51.100.9"))).await;
    assert_eq!(via_other_proxy.status, StatusCode::TOO_MANY_REQUESTS);
    // Other routes are not in the sign-in bucket.
    let health = app
        .send(from_peer(
            request(Method::GET, "/health", None, None),
            "192.0.2.1",
        ))
        .await;
    assert_eq!(health.status, StatusCode::OK);
}

#[tokio::test]
async fn every_request_counts_against_the_general_rate() {
    let Some(app) = app_with(LimitsConfig {
        requests: Rate {
            per_minute: 1,
            burst: 3,
        },
        ..LimitsConfig::unlimited()
    })
    .await
    else {
        return;
    };
    let health = || from_peer(request(Method::GET, "/health", None, None), "192.0.2.1");
    for _ in 0..3 {
        assert_eq!(app.send(health()).await.status, StatusCode::OK);
    }
    let over = app.send(health()).await;
    assert_eq!(over.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(over.headers.contains_key("retry-after"));
}

fn live_from(ip: &str) -> axum::http::Request<axum::body::Body> {
    from_peer(request(Method::GET, "/feed/live", None, None), ip)
}

#[tokio::test]
async fn live_feeds_are_capped_per_client_and_in_all() {
    let Some(app) = app_with(LimitsConfig {
        live_per_client: 2,
        live_total: 3,
        ..LimitsConfig::unlimited()
    })
    .await
    else {
        return;
    };
    let first = app.sse_request(live_from("192.0.2.1")).await;
    let _second = app.sse_request(live_from("192.0.2.1")).await;
    let over = app.send(live_from("192.0.2.1")).await;
    assert_eq!(over.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(over.body["error"]["code"], "rate_limited");
    assert!(over.headers.contains_key("retry-after"));
    let _third = app.sse_request(live_from("192.0.2.2")).await;
    let full = app.send(live_from("192.0.2.3")).await;
    assert_eq!(full.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(full.body["error"]["code"], "busy");
    assert!(full.headers.contains_key("retry-after"));
    // A closed feed frees its slot.
    drop(first);
    assert_eq!(app.ctx.limits.live_open(), 2);
    let _again = app.sse_request(live_from("192.0.2.1")).await;
}

#[tokio::test]
async fn a_resume_point_too_far_back_is_refused() {
    let Some(app) = app_with(LimitsConfig {
        max_replay: 2,
        ..LimitsConfig::unlimited()
    })
    .await
    else {
        return;
    };
    for seq in 0..3 {
        sqlx::query(
            "INSERT INTO events (height, seq, event_index, contract, event_type, attributes, block_time) \
             VALUES (5, $1, $1, 'c', 'mesi.tip.v1', '[]', now())",
        )
        .bind(seq)
        .execute(&app.pool)
        .await
        .unwrap();
        sqlx::query("INSERT INTO feed_items (height, seq, kind) VALUES (5, $1, 'tip')")
            .bind(seq)
            .execute(&app.pool)
            .await
            .unwrap();
    }
    let whole_log = app.get("/feed/live?after=0-0", None).await;
    assert_eq!(whole_log.status, StatusCode::GONE);
    assert_eq!(whole_log.body["error"]["code"], "replay_too_long");
    let mut recent = app.sse("/feed/live", None, Some("5-0")).await;
    let replayed = recent
        .next(std::time::Duration::from_secs(10))
        .await
        .expect("replay");
    assert_eq!(replayed.id.as_deref(), Some("5-1"));
}
