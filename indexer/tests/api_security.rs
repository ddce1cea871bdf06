//! Security of the wallet-login, chat, stream, goal and calendar endpoints: every authenticated
//! endpoint refuses a missing, forged, expired or revoked (replayed after logout) token, a
//! rotated calendar token stops opening its feed, and random bodies and parameters never
//! produce a 5xx nor change data they should not.

mod api_support;

use std::collections::BTreeMap;
use std::time::Duration;

use api_support::{request, TestApp, Wallet, PREFIX};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use mesi_indexer::api::routes::auth::AuthConfig;
use proptest::prelude::*;
use serde_json::{json, Value};

/// Every route that needs a session, with a body where it takes one: the paths name the
/// world's real thread, stream, goal, creator and fan, so a valid session would succeed.
fn authenticated_routes(w: &World) -> Vec<(Method, String, Option<Value>)> {
    let (thread, stream, fan, creator, goal) = (
        w.thread.as_str(),
        w.stream.as_str(),
        w.fan.address.as_str(),
        w.creator.as_str(),
        w.goal,
    );
    let message = Some(json!({"body": "hi"}));
    let price = Some(json!({"asset": "native:uusdc", "amount": "1"}));
    vec![
        (Method::GET, "/auth/session".into(), None),
        (Method::POST, "/auth/logout".into(), None),
        (
            Method::POST,
            "/chat/threads".into(),
            Some(json!({"creator": fan})),
        ),
        (Method::GET, "/chat/threads".into(), None),
        (Method::GET, format!("/chat/threads/{thread}"), None),
        (
            Method::GET,
            format!("/chat/threads/{thread}/messages"),
            None,
        ),
        (
            Method::POST,
            format!("/chat/threads/{thread}/messages"),
            message.clone(),
        ),
        (
            Method::PUT,
            format!("/chat/threads/{thread}/price"),
            price.clone(),
        ),
        (
            Method::DELETE,
            format!("/chat/threads/{thread}/price"),
            None,
        ),
        (Method::GET, "/chat/price".into(), None),
        (Method::PUT, "/chat/price".into(), price),
        (Method::DELETE, "/chat/price".into(), None),
        (Method::GET, "/chat/blocks".into(), None),
        (Method::PUT, format!("/chat/blocks/{fan}"), None),
        (Method::DELETE, format!("/chat/blocks/{fan}"), None),
        (Method::GET, "/chat/events".into(), None),
        (
            Method::POST,
            "/streams".into(),
            Some(json!({"title": "t", "playback_url": "rtmp://a/b"})),
        ),
        (Method::POST, format!("/streams/{stream}/end"), None),
        (Method::POST, format!("/streams/{stream}/comments"), message),
        (
            Method::POST,
            format!("/creators/{creator}/goals"),
            Some(json!({"title": "New mic", "asset": "native:uusdc", "target": "5"})),
        ),
        (
            Method::DELETE,
            format!("/creators/{creator}/goals/{goal}"),
            None,
        ),
        (
            Method::POST,
            format!("/creators/{creator}/calendar-token"),
            None,
        ),
        (Method::POST, format!("/fans/{fan}/calendar-token"), None),
    ]
}

struct World {
    app: TestApp,
    creator: String,
    creator_token: String,
    fan_token: String,
    fan: Wallet,
    thread: String,
    stream: String,
    /// The creator's tip goal.
    goal: i64,
    /// The creator's and the fan's calendar feeds, with their current tokens.
    creator_calendar: String,
    fan_calendar: String,
}

async fn world() -> Option<World> {
    world_with(AuthConfig::new(PREFIX)).await
}

async fn world_with(auth: AuthConfig) -> Option<World> {
    let app = TestApp::with_auth(auth).await?;
    let creator = Wallet::new(121);
    let fan = Wallet::new(122);
    app.register_creator(&creator.address, json!("everyone"))
        .await;
    let creator_token = creator.login(&app).await;
    let fan_token = fan.login(&app).await;
    let thread = app
        .post(
            "/chat/threads",
            Some(&fan_token),
            json!({"creator": creator.address}),
        )
        .await
        .body["thread_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let stream = app
        .post(
            "/streams",
            Some(&creator_token),
            json!({"title": "t", "playback_url": "rtmp://a/b"}),
        )
        .await
        .body["stream_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let goal = app
        .post(
            &format!("/creators/{}/goals", creator.address),
            Some(&creator_token),
            json!({"title": "Lights", "asset": "native:uusdc", "target": "100"}),
        )
        .await;
    assert_eq!(goal.status, StatusCode::CREATED, "{}", goal.body);
    let calendar = |owner: &str, address: &str, token: &str| {
        let uri = format!("/{owner}s/{address}/calendar-token");
        let token = token.to_owned();
        let app = &app;
        async move {
            let reply = app.post(&uri, Some(&token), json!({})).await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            reply.body["path"].as_str().unwrap().to_owned()
        }
    };
    let creator_calendar = calendar("creator", &creator.address, &creator_token).await;
    let fan_calendar = calendar("fan", &fan.address, &fan_token).await;
    Some(World {
        goal: goal.body["id"].as_i64().unwrap(),
        creator_calendar,
        fan_calendar,
        app,
        creator: creator.address,
        creator_token,
        fan_token,
        fan,
        thread,
        stream,
    })
}

/// The world's goal, calendars and sessions are as `world` left them.
async fn assert_untouched(w: &World) {
    let goals = w
        .app
        .get(&format!("/creators/{}/goals", w.creator), None)
        .await;
    assert_eq!(goals.status, StatusCode::OK);
    assert_eq!(
        goals.body["items"].as_array().map(Vec::len),
        Some(1),
        "{}",
        goals.body
    );
    assert_eq!(goals.body["items"][0]["id"], w.goal);
    for calendar in [&w.creator_calendar, &w.fan_calendar] {
        assert_eq!(
            w.app.get(calendar, None).await.status,
            StatusCode::OK,
            "{calendar}"
        );
    }
    for token in [&w.creator_token, &w.fan_token] {
        assert_eq!(
            w.app.get("/auth/session", Some(token)).await.status,
            StatusCode::OK
        );
    }
}

async fn refused_with(
    app: &TestApp,
    routes: &[(Method, String, Option<Value>)],
    token: Option<&str>,
    why: &str,
) {
    let before = app.digests().await;
    for (method, uri, body) in routes {
        let reply = app.call(method.clone(), uri, token, body.clone()).await;
        assert_eq!(
            reply.status,
            StatusCode::UNAUTHORIZED,
            "{why}: {method} {uri}: {}",
            reply.body
        );
        assert_eq!(
            reply.body["error"]["code"], "unauthorized",
            "{why}: {method} {uri}"
        );
    }
    assert_eq!(
        app.digests().await,
        before,
        "{why}: a refused request changed data"
    );
}

#[tokio::test]
async fn every_authenticated_endpoint_refuses_bad_tokens() {
    let Some(w) = world().await else { return };
    let routes = authenticated_routes(&w);
    refused_with(&w.app, &routes, None, "missing").await;
    refused_with(
        &w.app,
        &routes,
        Some("forged-token-0123456789abcdefghijklmnopqrstuv"),
        "forged",
    )
    .await;
    // A real token with one character changed.
    let mut tampered = w.fan_token.clone().into_bytes();
    tampered[0] = if tampered[0] == b'A' { b'B' } else { b'A' };
    refused_with(
        &w.app,
        &routes,
        Some(&String::from_utf8(tampered).unwrap()),
        "tampered",
    )
    .await;
    // Not a bearer token.
    for header in ["Basic Zm9vOmJhcg==", "Bearer", "Bearer ", &w.fan_token] {
        let mut r = request(Method::GET, "/auth/session", None, None);
        r.headers_mut()
            .insert("authorization", header.parse().unwrap());
        assert_eq!(
            w.app.send(r).await.status,
            StatusCode::UNAUTHORIZED,
            "{header}"
        );
    }

    // Expired.
    let expiring = Wallet::new(123).login(&w.app).await;
    sqlx::query(
        "UPDATE auth_sessions SET expires_at = now() - interval '1 second' WHERE address = $1",
    )
    .bind(&Wallet::new(123).address)
    .execute(&w.app.pool)
    .await
    .unwrap();
    refused_with(&w.app, &routes, Some(&expiring), "expired").await;

    // Replayed after logout.
    let old = Wallet::new(124).login(&w.app).await;
    assert_eq!(
        w.app
            .post("/auth/logout", Some(&old), json!({}))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    refused_with(&w.app, &routes, Some(&old), "logged out").await;
    // Logging out twice with the same token is a replay too.
    let again = w.app.post("/auth/logout", Some(&old), json!({})).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    assert_eq!(again.body["error"]["code"], "unauthorized");

    // The creator's and the fan's own sessions, expired or logged out, are refused on their own
    // goal and calendar routes too (not only a stranger's).
    let creator_wallet = Wallet::new(121);
    for (wallet, address) in [(&creator_wallet, &w.creator), (&w.fan, &w.fan.address)] {
        let expired = wallet.login(&w.app).await;
        let logged_out = wallet.login(&w.app).await;
        sqlx::query(
            "UPDATE auth_sessions SET expires_at = now() - interval '1 second' \
             WHERE address = $1 AND token_hash = sha256($2::bytea)",
        )
        .bind(address)
        .bind(expired.as_bytes())
        .execute(&w.app.pool)
        .await
        .unwrap();
        assert_eq!(
            w.app
                .post("/auth/logout", Some(&logged_out), json!({}))
                .await
                .status,
            StatusCode::NO_CONTENT
        );
        refused_with(&w.app, &routes, Some(&expired), "own session, expired").await;
        refused_with(
            &w.app,
            &routes,
            Some(&logged_out),
            "own session, logged out",
        )
        .await;
    }

    // The valid tokens still work, and nothing the refused calls aimed at changed.
    assert_untouched(&w).await;
}

#[tokio::test]
async fn sessions_stop_working_when_their_lifetime_ends() {
    let auth = AuthConfig {
        session_ttl: Duration::from_secs(2),
        ..AuthConfig::new(PREFIX)
    };
    let Some(w) = world_with(auth).await else {
        return;
    };
    let routes = authenticated_routes(&w);
    // Sessions issued now, by the server with its configured lifetime.
    let creator = Wallet::new(121).login(&w.app).await;
    let fan = w.fan.login(&w.app).await;
    let session = w.app.get("/auth/session", Some(&creator)).await;
    assert_eq!(session.status, StatusCode::OK);
    let expires: chrono::DateTime<chrono::Utc> = sqlx::query_scalar(
        "SELECT expires_at FROM auth_sessions WHERE token_hash = sha256($1::bytea)",
    )
    .bind(creator.as_bytes())
    .fetch_one(&w.app.pool)
    .await
    .unwrap();
    let left = expires - chrono::Utc::now();
    assert!(
        left <= chrono::TimeDelta::seconds(2) && left > chrono::TimeDelta::zero(),
        "{left}"
    );
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    refused_with(
        &w.app,
        &routes,
        Some(&creator),
        "past its lifetime (creator)",
    )
    .await;
    refused_with(&w.app, &routes, Some(&fan), "past its lifetime (fan)").await;
}

#[tokio::test]
async fn rotated_calendar_tokens_stop_opening_their_feed() {
    let Some(w) = world().await else { return };
    let token_of = |path: &str| path.split_once("?token=").unwrap().1.to_owned();
    let refused = |uri: String, why: &'static str| {
        let app = &w.app;
        async move {
            let before = app.digests().await;
            let reply = app.get(&uri, None).await;
            assert_eq!(
                reply.status,
                StatusCode::NOT_FOUND,
                "{why}: {uri}: {}",
                reply.body
            );
            assert_eq!(reply.body["error"]["code"], "not_found", "{why}: {uri}");
            assert_eq!(
                app.digests().await,
                before,
                "{why}: a refused feed request changed data"
            );
        }
    };
    for (owner, address, session, first) in [
        ("creator", &w.creator, &w.creator_token, &w.creator_calendar),
        ("fan", &w.fan.address, &w.fan_token, &w.fan_calendar),
    ] {
        let feed = format!("/{owner}s/{address}/meetings.ics");
        let reply = w.app.get(first, None).await;
        assert_eq!(reply.status, StatusCode::OK, "{first}");
        assert!(reply
            .body
            .as_str()
            .unwrap()
            .starts_with("BEGIN:VCALENDAR\r\n"));

        let rotate = format!("/{owner}s/{address}/calendar-token");
        let second = w.app.post(&rotate, Some(session), json!({})).await;
        assert_eq!(second.status, StatusCode::OK, "{}", second.body);
        let second = second.body["path"].as_str().unwrap().to_owned();
        assert_ne!(token_of(first), token_of(&second));
        // The old URL, replayed after rotation, is gone; the new one works.
        refused(first.clone(), "rotated").await;
        assert_eq!(w.app.get(&second, None).await.status, StatusCode::OK);

        // Rotating again retires the second token as well: only the newest works.
        let third = w.app.post(&rotate, Some(session), json!({})).await;
        let third = third.body["path"].as_str().unwrap().to_owned();
        refused(first.clone(), "rotated twice").await;
        refused(second.clone(), "rotated").await;
        assert_eq!(w.app.get(&third, None).await.status, StatusCode::OK);

        // Forged, tampered, empty and over-long tokens, and a token of another feed.
        let live = token_of(&third);
        let mut tampered = live.clone().into_bytes();
        tampered[0] = if tampered[0] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).unwrap();
        let other = if owner == "creator" {
            token_of(&w.fan_calendar)
        } else {
            token_of(&w.creator_calendar)
        };
        for (token, why) in [
            (
                "forged0123456789abcdefghijklmnopqrstuvwxyzABCD".to_string(),
                "forged",
            ),
            (tampered, "tampered"),
            (String::new(), "empty"),
            ("A".repeat(129), "over-long"),
            (format!("{live}x"), "extended"),
            (other, "another feed's"),
        ] {
            refused(format!("{feed}?token={token}"), why).await;
        }
        // The live token on another address's feed of the same kind.
        let stranger = Wallet::new(130).address;
        refused(
            format!("/{owner}s/{stranger}/meetings.ics?token={live}"),
            "another address",
        )
        .await;
        // Without a token the feed looks the same as with a wrong one.
        refused(feed.clone(), "missing").await;
        refused(format!("{feed}?tok={live}"), "misnamed").await;
    }
}

#[tokio::test]
async fn replayed_and_forged_login_signatures_are_refused() {
    let Some(w) = world().await else { return };
    let wallet = Wallet::new(125);
    let nonce = wallet.nonce(&w.app).await;
    let message = nonce["message"].as_str().unwrap().as_bytes();
    let good = json!({"address": wallet.address, "nonce": nonce["nonce"], "pubkey": wallet.pubkey(),
                      "signature": wallet.sign(message)});
    assert_eq!(
        w.app.post("/auth/login", None, good.clone()).await.status,
        StatusCode::OK
    );
    let before = w.app.digests().await;
    assert_eq!(
        w.app.post("/auth/login", None, good).await.status,
        StatusCode::UNAUTHORIZED
    );
    let next = wallet.nonce(&w.app).await;
    let after_nonce = w.app.digests().await;
    let forged = json!({"address": wallet.address, "nonce": next["nonce"], "pubkey": wallet.pubkey(),
                        "signature": Wallet::new(126).sign_as(&wallet.address, next["message"].as_str().unwrap().as_bytes())});
    assert_eq!(
        w.app.post("/auth/login", None, forged).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(w.app.digests().await, after_nonce);
    assert_eq!(before, after_nonce, "a nonce request stores nothing");
}

/// A JSON value of any shape, small.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        ".{0,40}".prop_map(Value::String),
        Just(json!("x".repeat(3000))),
        Just(json!("wasm1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq")),
        Just(json!("native:uusdc")),
        Just(json!("340282366920938463463374607431768211456")),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("body".to_string()),
                    Just("creator".to_string()),
                    Just("fan".to_string()),
                    Just("asset".to_string()),
                    Just("amount".to_string()),
                    Just("title".to_string()),
                    Just("playback_url".to_string()),
                    Just("address".to_string()),
                    Just("pubkey".to_string()),
                    Just("signature".to_string()),
                    Just("nonce".to_string()),
                    Just("subscribers_only".to_string()),
                    Just("min_tier".to_string()),
                    ".{0,8}",
                ],
                inner,
                0..5,
            )
            .prop_map(|m: BTreeMap<String, Value>| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A path segment or query value: valid ids and addresses, near misses and junk.
fn any_segment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("THREAD".to_string()),
        Just("STREAM".to_string()),
        Just("FAN".to_string()),
        "[0-9a-f]{32}",
        "[a-zA-Z0-9%._~-]{0,40}",
        Just("%FF%FE".to_string()),
        Just("..%2F..".to_string()),
        Just("-1".to_string()),
        Just("99999999999999999999999".to_string()),
    ]
}

#[derive(Debug, Clone)]
enum Caller {
    Nobody,
    Fan,
    Creator,
    Outsider,
}

/// Route template index, method, path segments, body, query string, caller, Last-Event-ID.
type Call = (
    usize,
    Method,
    Vec<String>,
    Option<Value>,
    Option<String>,
    Caller,
    Option<String>,
);

fn call_strategy() -> impl Strategy<Value = Call> {
    (
        0usize..17,
        prop_oneof![
            Just(Method::GET),
            Just(Method::POST),
            Just(Method::PUT),
            Just(Method::DELETE)
        ],
        prop::collection::vec(any_segment(), 2),
        prop::option::of(any_json()),
        prop::option::of(
            "[a-z_]{1,12}=[a-zA-Z0-9%:-]{0,20}(&[a-z_]{1,12}=[a-zA-Z0-9%:-]{0,20}){0,2}",
        ),
        prop_oneof![
            Just(Caller::Nobody),
            Just(Caller::Fan),
            Just(Caller::Creator),
            Just(Caller::Outsider)
        ],
        prop::option::of(prop_oneof![
            Just("0".to_string()),
            "[0-9:-]{0,12}",
            ".{0,10}"
        ]),
    )
}

/// Route templates; `{}` takes a generated segment.
const TEMPLATES: [&str; 17] = [
    "/auth/nonce",
    "/auth/login",
    "/auth/session",
    "/chat/threads",
    "/chat/threads/{}",
    "/chat/threads/{}/messages",
    "/chat/threads/{}/price",
    "/chat/price",
    "/chat/blocks",
    "/chat/blocks/{}",
    "/streams",
    "/streams/{}",
    "/streams/{}/end",
    "/streams/{}/comments",
    "/streams/{}/summary",
    "/can-message",
    "/chat/events",
];

/// The creator's and the fan's rows that nobody else may change: their thread and its
/// messages, the creator's prices and blocks, the stream, and their sessions.
async fn victims_digest(w: &World) -> String {
    sqlx::query_scalar(
        "SELECT md5(concat_ws('|', \
            (SELECT string_agg(t::text, ',') FROM chat_threads t WHERE thread_id = $1), \
            (SELECT string_agg(m::text, ',' ORDER BY id) FROM chat_messages m WHERE thread_id = $1), \
            (SELECT string_agg(p::text, ',') FROM chat_prices p WHERE creator = $3), \
            (SELECT string_agg(b::text, ',' ORDER BY fan) FROM chat_blocks b WHERE creator = $3), \
            (SELECT string_agg(s::text, ',') FROM streams s WHERE stream_id = $2), \
            (SELECT string_agg(a::text, ',' ORDER BY token_hash) FROM auth_sessions a WHERE address IN ($3, $4))))",
    )
    .bind(&w.thread)
    .bind(&w.stream)
    .bind(&w.creator)
    .bind(&w.fan.address)
    .fetch_one(&w.app.pool)
    .await
    .unwrap()
}

#[test]
fn random_requests_never_fail_the_server_nor_change_what_they_should_not() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let Some(w) = runtime.block_on(world()) else {
        return;
    };
    let outsider_token = runtime.block_on(Wallet::new(127).login(&w.app));
    let config = ProptestConfig {
        cases: 96,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    proptest!(config, |((template, method, segments, body, query, caller, last_event_id) in call_strategy())| {
        let mut uri = TEMPLATES[template].to_string();
        for segment in &segments {
            let value = match segment.as_str() {
                "THREAD" => w.thread.clone(),
                "STREAM" => w.stream.clone(),
                "FAN" => w.fan.address.clone(),
                other => other.to_string(),
            };
            uri = uri.replacen("{}", &value, 1);
        }
        if let Some(query) = &query {
            uri = format!("{uri}?{query}");
        }
        let token = match caller {
            Caller::Nobody => None,
            Caller::Fan => Some(w.fan_token.as_str()),
            Caller::Creator => Some(w.creator_token.as_str()),
            Caller::Outsider => Some(outsider_token.as_str()),
        };
        // SSE responses stay open: only their status is looked at.
        let is_sse = uri.contains("/events");
        let (status, before, after, victims_before, victims_after) = runtime.block_on(async {
            let before = w.app.digests().await;
            let victims_before = victims_digest(&w).await;
            let mut builder = Request::builder().method(method.clone()).uri(&uri);
            if let Some(token) = token {
                builder = builder.header("authorization", format!("Bearer {token}"));
            }
            if let Some(id) = &last_event_id {
                builder = builder.header("last-event-id", id.as_str());
            }
            let request = match &body {
                Some(body) => builder.header("content-type", "application/json").body(Body::from(body.to_string())),
                None => builder.body(Body::empty()),
            };
            let Ok(request) = request else {
                return (StatusCode::BAD_REQUEST, before.clone(), before, victims_before.clone(), victims_before);
            };
            let status = if is_sse {
                use tower::ServiceExt;
                w.app.router.clone().oneshot(request).await.unwrap().status()
            } else {
                w.app.send(request).await.status
            };
            (status, before, w.app.digests().await, victims_before, victims_digest(&w).await)
        });
        prop_assert!(!status.is_server_error(), "{method} {uri} {body:?} -> {status}");
        if !status.is_success() {
            prop_assert_eq!(&before, &after, "{} {} -> {} changed data", method, uri, status);
        }
        if matches!(caller, Caller::Outsider | Caller::Nobody) {
            prop_assert_eq!(&victims_before, &victims_after, "{} {} by {:?} changed others' data", method, uri, caller);
        }
    });
    runtime.block_on(async {
        let thread = w
            .app
            .get(&format!("/chat/threads/{}", w.thread), Some(&w.fan_token))
            .await;
        assert_eq!(thread.status, StatusCode::OK);
    });
}

/// Every label value of a `/metrics` line: `name{k="v",...} value`.
fn metric_labels(
    metrics: &str,
    name: &str,
) -> BTreeMap<String, std::collections::BTreeSet<String>> {
    let mut labels: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
    for line in metrics.lines() {
        let Some(rest) = line.strip_prefix(name) else {
            continue;
        };
        // Route patterns hold braces too: the labels end at the last one.
        let Some(inside) = rest.strip_prefix('{').and_then(|r| r.rsplit_once('}')) else {
            continue;
        };
        for pair in inside.0.split(",") {
            let (key, value) = pair.split_once('=').unwrap();
            labels
                .entry(key.to_string())
                .or_default()
                .insert(value.trim_matches('"').to_string());
        }
    }
    labels
}

async fn scrape(app: &TestApp) -> String {
    let reply = app.get("/metrics", None).await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.body.as_str().unwrap().to_owned()
}

#[tokio::test]
async fn metrics_labels_come_from_a_closed_set_whatever_strangers_send() {
    let Some(w) = world().await else { return };
    let doc = w.app.get("/openapi.json", None).await.body;
    let mut routes: std::collections::BTreeSet<String> =
        doc["paths"].as_object().unwrap().keys().cloned().collect();
    routes.extend(["/openapi.json".to_string(), "unmatched".to_string()]);
    let methods: std::collections::BTreeSet<String> = [
        "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE", "other",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    // Made-up methods (one very long), on known and unknown paths, and unknown paths.
    let send_strange = |round: usize| {
        let app = &w.app;
        let fan = w.fan.address.clone();
        async move {
            let long = "X".repeat(8 * 1024);
            for (i, method) in [format!("FOO{round}"), format!("BREW{round}"), long]
                .iter()
                .enumerate()
            {
                for path in [
                    "/health".to_string(),
                    format!("/fans/{fan}/feed"),
                    format!("/no/such/route/{round}/{i}"),
                ] {
                    let method = Method::from_bytes(method.as_bytes()).unwrap();
                    app.send(request(method, &path, None, None)).await;
                }
            }
            app.get(&format!("/nothing-here-{round}"), None).await;
            app.call(Method::DELETE, "/health", None, None).await;
        }
    };
    send_strange(0).await;
    let first = scrape(&w.app).await;
    let labels = metric_labels(&first, "mesi_api_request_duration_seconds_count");
    for method in &labels["method"] {
        assert!(methods.contains(method), "method label {method:.40}");
    }
    for route in &labels["route"] {
        assert!(routes.contains(route), "route label {route:.80}");
    }
    for status in &labels["status"] {
        assert!(
            status.len() == 3 && status.bytes().all(|b| b.is_ascii_digit()),
            "status label {status}"
        );
    }
    assert!(labels["method"].contains("other"));
    assert!(labels["route"].contains("unmatched"));
    // More of the same adds no series: the exposition keeps its size.
    for round in 1..20 {
        send_strange(round).await;
    }
    let later = scrape(&w.app).await;
    let series = |m: &str| {
        m.lines()
            .filter(|l| l.starts_with("mesi_api_request_duration_seconds_count"))
            .count()
    };
    assert_eq!(
        series(&later),
        series(&first) + 1,
        "only the /metrics scrape itself is new"
    );
}

#[tokio::test]
async fn access_token_in_the_query_is_taken_only_by_live_feeds() {
    let Some(w) = world().await else { return };
    let token = &w.fan_token;
    let (sse, others): (Vec<_>, Vec<_>) = authenticated_routes(&w)
        .into_iter()
        .map(|(method, uri, body)| (method, format!("{uri}?access_token={token}"), body))
        .partition(|(_, uri, _)| uri.starts_with("/chat/events"));
    // Elsewhere only the Authorization header counts: a valid token in the URL is no session.
    refused_with(&w.app, &others, None, "token in the query").await;
    assert_eq!(sse.len(), 1);
    for (method, uri, _) in sse {
        use tower::ServiceExt;
        let response = w
            .app
            .router
            .clone()
            .oneshot(request(method, &uri, None, None))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{uri}");
    }
    assert_untouched(&w).await;
}
