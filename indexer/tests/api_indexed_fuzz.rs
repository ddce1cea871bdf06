//! Random requests to every endpoint over indexed state (feeds, live feeds, can-message,
//! access, leaderboards, goals, calendars, service routes): random paths, query parameters,
//! headers and JSON bodies, with no session, another user's session or the owner's. No answer
//! is a 5xx, and nothing changes the database except a goal the owner was allowed to create or
//! delete.

mod indexed;

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::Request;
use cosmwasm_std::Addr;
use indexed::Indexed;
use mesi_common::chat_rule::ChatRule;
use mesi_indexer::testkit::table_digests;
use mesi_multitest::Suite;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Addresses, ids and junk a path segment or parameter may hold.
fn any_text(addresses: Vec<String>) -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(addresses),
        Just(String::new()),
        "[a-z0-9:_.-]{1,12}",
        "[0-9]{1,25}-[0-9]{1,12}",
        "-?[0-9]{1,22}",
        ".{0,40}",
        Just("x".repeat(5_000)),
        Just("native:uusdc".to_string()),
        Just("tip,subscription,nope".to_string()),
        Just("all".to_string()),
        Just("7d".to_string()),
        Just("' OR 1=1 --".to_string()),
        Just("\u{0}\u{7}".to_string()),
    ]
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        ".{0,30}".prop_map(Value::String),
        Just(Value::String("native:uusdc".into())),
        "[0-9]{1,45}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("title".to_string()),
                    Just("asset".to_string()),
                    Just("target".to_string()),
                    Just("context".to_string()),
                    Just("ends_at".to_string()),
                    "[a-z]{1,8}",
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

const ROUTES: &[&str] = &[
    "/health",
    "/ready",
    "/metrics",
    "/openapi.json",
    "/feed",
    "/creators/{}/feed",
    "/fans/{}/feed",
    "/feed/live",
    "/creators/{}/feed/live",
    "/can-message",
    "/creators/{}/ppv/{}/access",
    "/surprises/{}/access",
    "/creators/{}/leaderboard",
    "/streams/{}/leaderboard",
    "/creators/{}/goals",
    "/creators/{}/goals/{}",
    "/creators/{}/meetings.ics",
    "/fans/{}/meetings.ics",
    "/creators/{}/calendar-token",
    "/fans/{}/calendar-token",
];

const PARAMS: &[&str] = &[
    "kind",
    "before",
    "after",
    "limit",
    "asset",
    "period",
    "creator",
    "fan",
    "viewer",
    "content_id",
    "surprise",
    "token",
];

#[derive(Debug, Clone)]
struct Call {
    method: &'static str,
    route: &'static str,
    segments: Vec<String>,
    params: Vec<(&'static str, String)>,
    body: Option<Value>,
    /// 0: none, 1: another user's session, 2: the creator's session, 3: a forged token.
    session: u8,
    last_event_id: Option<String>,
}

fn any_call(addresses: Vec<String>) -> impl Strategy<Value = Call> {
    (
        proptest::sample::select(vec!["GET", "GET", "GET", "POST", "DELETE", "PUT"]),
        proptest::sample::select(ROUTES.to_vec()),
        proptest::collection::vec(any_text(addresses.clone()), 2),
        proptest::collection::vec(
            (
                proptest::sample::select(PARAMS.to_vec()),
                any_text(addresses.clone()),
            ),
            0..4,
        ),
        proptest::option::of(any_json()),
        0u8..4,
        proptest::option::of(any_text(addresses)),
    )
        .prop_map(
            |(method, route, segments, params, body, session, last_event_id)| Call {
                method,
                route,
                segments,
                params,
                body,
                session,
                last_event_id,
            },
        )
}

impl Call {
    fn uri(&self) -> String {
        let mut path = String::new();
        let mut segments = self.segments.iter();
        for (i, part) in self.route.split("{}").enumerate() {
            if i > 0 {
                path.push_str(&encode(segments.next().map_or("", |s| s.as_str())));
            }
            path.push_str(part);
        }
        if !self.params.is_empty() {
            let query: Vec<String> = self
                .params
                .iter()
                .map(|(k, v)| format!("{k}={}", encode(v)))
                .collect();
            path.push('?');
            path.push_str(&query.join("&"));
        }
        path
    }
}

async fn session(indexed: &Indexed, address: &str) -> String {
    let token = format!("fuzz-session-{}", fastrand::u64(..));
    sqlx::query(
        "INSERT INTO auth_sessions (token_hash, address, expires_at) VALUES ($1, $2, now() + interval '1 hour')",
    )
    .bind(Sha256::digest(token.as_bytes()).to_vec())
    .bind(address)
    .execute(&indexed.ctx.pool)
    .await
    .unwrap();
    token
}

fn without(
    mut digests: BTreeMap<String, (i64, String)>,
    table: &str,
) -> BTreeMap<String, (i64, String)> {
    digests.remove(table);
    digests
}

#[tokio::test]
async fn random_requests_never_fail_nor_change_what_they_should_not() {
    let mut suite = Suite::new();
    let Some(mut indexed) = Indexed::new(Indexed::suite_contracts(&suite)).await else {
        return;
    };
    let alice = suite.register_creator("alice", ChatRule::Subscriber { min_tier: 1 });
    suite.create_tier(&alice, 1, 1_000);
    suite.list_item(&alice, "clip", 2_000, Some(1));
    let fans: Vec<Addr> = (0..3).map(|i| suite.addr(&format!("fan{i}"))).collect();
    for fan in &fans {
        suite.fund(fan);
        suite.tip(fan, &alice, 500).unwrap();
    }
    suite.subscribe(&fans[0], &alice, 1, 1_000).unwrap();
    suite.buy_item(&fans[1], &alice, "clip", 2_000).unwrap();
    let token = suite.mint_surprise(&alice, "gift", &fans[2], b"content", [9; 32]);
    indexed.sync(&suite).await;
    let creator_token = session(&indexed, alice.as_str()).await;
    let other_token = session(&indexed, fans[0].as_str()).await;

    let addresses: Vec<String> = std::iter::once(alice.to_string())
        .chain(fans.iter().map(|f| f.to_string()))
        .chain([token, "clip".into(), "s-1".into(), "1".into()])
        .collect();
    let strategy = any_call(addresses);
    let mut runner = TestRunner::deterministic();
    let mut digests = table_digests(&indexed.ctx.pool).await;
    let mut statuses = BTreeMap::<u16, usize>::new();
    for _ in 0..600 {
        let call = strategy.new_tree(&mut runner).unwrap().current();
        let mut request = Request::builder().method(call.method).uri(call.uri());
        match call.session {
            1 => request = request.header("authorization", format!("Bearer {other_token}")),
            2 => request = request.header("authorization", format!("Bearer {creator_token}")),
            3 => request = request.header("authorization", "Bearer forged"),
            _ => {}
        }
        if let Some(id) = &call.last_event_id {
            if let Ok(value) = axum::http::HeaderValue::from_str(id) {
                request = request.header("last-event-id", value);
            }
        }
        let body = match &call.body {
            Some(json) => {
                request = request.header("content-type", "application/json");
                Body::from(json.to_string())
            }
            None => Body::empty(),
        };
        let Ok(request) = request.body(body) else {
            continue; // not a valid HTTP request at all (the client could not send it)
        };
        let live = call.route.ends_with("/live");
        let response = if live {
            // A live feed stays open: only its status and headers matter here.
            use tower::ServiceExt;
            let response = indexed.router.clone().oneshot(request).await.unwrap();
            (response.status(), String::new())
        } else {
            indexed.request(request).await
        };
        let (status, body) = response;
        *statuses.entry(status.as_u16()).or_default() += 1;
        assert!(
            status.as_u16() < 500 || (call.route == "/ready" && status.as_u16() == 503),
            "{} {} -> {status} {body}",
            call.method,
            call.uri()
        );
        if status.is_client_error() && !body.is_empty() {
            let error: Value =
                serde_json::from_str(&body).unwrap_or_else(|_| panic!("not JSON: {body}"));
            assert!(error["error"]["code"].is_string(), "{body}");
        }

        let after = table_digests(&indexed.ctx.pool).await;
        // Only the creator's own goal writes and calendar rotations may change anything, and
        // only in their own table.
        let owner_write = call.session == 2 && status.is_success() && call.method != "GET";
        if owner_write && call.route.contains("goals") {
            assert_eq!(
                without(after.clone(), "tip_goals"),
                without(digests.clone(), "tip_goals")
            );
        } else if owner_write && call.route.ends_with("calendar-token") {
            assert_eq!(
                without(after.clone(), "calendar_tokens"),
                without(digests.clone(), "calendar_tokens")
            );
        } else {
            assert_eq!(
                after,
                digests,
                "{} {} changed data ({status})",
                call.method,
                call.uri()
            );
        }
        digests = after;
    }
    // The run reached handlers, not only the extractors' refusals.
    assert!(
        statuses.get(&200).copied().unwrap_or(0) > 50,
        "{statuses:?}"
    );
    assert!(
        statuses.keys().any(|s| *s == 400) && statuses.keys().any(|s| *s == 404),
        "{statuses:?}"
    );
}
