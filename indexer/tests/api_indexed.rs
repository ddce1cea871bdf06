//! The endpoints over indexed state, against events the real contracts emitted (cw-multi-test)
//! or typed events, stored through the ingest's decode and store: feeds and their pages while
//! rows arrive, live feeds over SSE with resumption, leaderboards, goals, calendars, readiness,
//! metrics and the OpenAPI document.

mod indexed;

use std::time::Duration;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use cosmwasm_std::{coins, Addr, Timestamp, Uint128};
use futures_util::StreamExt;
use indexed::Indexed;
use mesi_common::chat_rule::ChatRule;
use mesi_common::events::meetings::{AuctionOpened, MeetingChanged, MeetingFormat, MeetingStatus};
use mesi_common::events::AnyEvent;
use mesi_common::AssetInfo;
use mesi_multitest::{tips_msg, Suite, DAY, USDC};
use serde_json::Value;
use sha2::{Digest, Sha256};
use tower::ServiceExt;

/// A wallet session for `address`, as a login would leave it.
async fn session(indexed: &Indexed, address: &str) -> String {
    let token = format!("test-session-{}", fastrand::u64(..));
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

async fn send(
    indexed: &Indexed,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, String) {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let body = match body {
        Some(json) => {
            request = request.header("content-type", "application/json");
            Body::from(json.to_string())
        }
        None => Body::empty(),
    };
    indexed.request(request.body(body).unwrap()).await
}

fn tip_with(
    message: &str,
    anonymous: bool,
    creator: &Addr,
    stream: Option<&str>,
) -> tips_msg::ExecuteMsg {
    tips_msg::ExecuteMsg::Tip {
        creator: creator.to_string(),
        context: match stream {
            Some(id) => tips_msg::TipContext::Stream { id: id.into() },
            None => tips_msg::TipContext::Profile,
        },
        message: Some(message.into()),
        anonymous,
    }
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn feeds_page_stably_while_rows_arrive() {
    let mut suite = Suite::new();
    let Some(mut indexed) = Indexed::new(Indexed::suite_contracts(&suite)).await else {
        return;
    };
    let alice = suite.register_creator("alice", ChatRule::Everyone);
    let bob = suite.register_creator("bob", ChatRule::Everyone);
    suite.create_tier(&alice, 1, 1_000_000);
    suite.list_item(&alice, "clip", 2_000_000, None);
    let (fan, shy) = (suite.addr("fan"), suite.addr("shy"));
    suite.fund(&fan);
    suite.fund(&shy);
    let tips = suite.tips.clone();
    for i in 0..5 {
        suite
            .execute(
                &fan,
                &tips,
                &tip_with(&format!("hello {i}"), false, &alice, None),
                &coins(1_000 + i, USDC),
            )
            .unwrap();
    }
    suite
        .execute(
            &shy,
            &tips,
            &tip_with("secret admirer", true, &alice, None),
            &coins(5_000, USDC),
        )
        .unwrap();
    suite.subscribe(&fan, &alice, 1, 1_000_000).unwrap();
    suite.buy_item(&fan, &alice, "clip", 2_000_000).unwrap();
    let token = suite.mint_surprise(&alice, "gift", &fan, b"content", [3; 32]);
    suite.transfer_surprise(&fan, &token, &shy).unwrap();
    suite.tip(&fan, &bob, 777).unwrap();
    indexed.sync(&suite).await;

    // The whole creator feed, newest first.
    let all = indexed
        .get_json(&format!("/creators/{alice}/feed?limit=100"))
        .await;
    let kinds: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "surprise_transfer",
            "surprise_mint",
            "ppv_purchase",
            "subscription",
            "tip",
            "tip",
            "tip",
            "tip",
            "tip",
            "tip"
        ]
    );
    assert!(all["next_cursor"].is_null());
    let newest_tip = &all["items"][4];
    assert_eq!(newest_tip["data"]["message"], "secret admirer");
    assert!(newest_tip["fan"].is_null(), "an anonymous tip names no fan");
    assert!(newest_tip["data"].get("fan").is_none());
    assert_eq!(all["items"][5]["data"]["message"], "hello 4");
    assert_eq!(all["items"][5]["fan"], fan.as_str());
    assert_eq!(all["items"][5]["data"]["amount"], "1004");
    assert!(all["items"][5]["time"].as_str().unwrap().ends_with('Z'));

    // Kind filter.
    let only = indexed
        .get_json(&format!(
            "/creators/{alice}/feed?kind=subscription,ppv_purchase"
        ))
        .await;
    assert_eq!(ids(&only), [ids(&all)[2].clone(), ids(&all)[3].clone()]);
    let (status, body) = indexed
        .get(&format!("/creators/{alice}/feed?kind=nope"))
        .await;
    assert_eq!(status, 400);
    assert!(body.contains("invalid_kind"), "{body}");

    // Pages of 3, with new tips arriving between pages: no item twice, none missed.
    let mut seen = vec![];
    let mut page = indexed
        .get_json(&format!("/creators/{alice}/feed?limit=3"))
        .await;
    seen.extend(ids(&page));
    let mut tips_while_paging = 0;
    for i in 0..5 {
        suite.tip(&fan, &alice, 10 + i).unwrap();
        tips_while_paging += 1;
        indexed.sync(&suite).await;
        let Some(cursor) = page["next_cursor"].as_str() else {
            break;
        };
        page = indexed
            .get_json(&format!("/creators/{alice}/feed?limit=3&before={cursor}"))
            .await;
        seen.extend(ids(&page));
    }
    assert_eq!(seen, ids(&all));

    // The fan feed has what the fan did and received, not the anonymous tip nor bob's fans.
    let fan_feed = indexed.get_json(&format!("/fans/{fan}/feed")).await;
    let fan_kinds: Vec<&str> = fan_feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        fan_kinds.iter().filter(|k| **k == "tip").count(),
        5 + tips_while_paging + 1
    );
    assert!(fan_kinds.contains(&"surprise_transfer") && fan_kinds.contains(&"surprise_mint"));
    let shy_feed = indexed.get_json(&format!("/fans/{shy}/feed")).await;
    let shy_kinds: Vec<&str> = shy_feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        shy_kinds,
        ["surprise_transfer"],
        "the anonymous tip stays out of the fan's feed"
    );

    // The global feed has bob's tip too; bad parameters are a 400 saying what is wrong.
    let global = indexed.get_json("/feed?kind=tip&limit=100").await;
    assert_eq!(
        global["items"].as_array().unwrap().len(),
        6 + tips_while_paging + 1
    );
    for (path, code) in [
        ("/feed?before=12".to_string(), "a cursor is <height>-<seq>"),
        ("/feed?limit=0".to_string(), "invalid_limit"),
        ("/creators/nobody/feed".to_string(), "invalid address"),
        ("/feed?limit=-1".to_string(), "invalid_query"),
    ] {
        let (status, body) = indexed.get(&path).await;
        assert_eq!(status, 400, "{path}");
        assert!(body.contains(code), "{path}: {body}");
    }
}

#[tokio::test]
async fn anonymous_tips_name_nobody_in_any_answer() {
    let mut suite = Suite::new();
    let Some(mut indexed) = Indexed::new(Indexed::suite_contracts(&suite)).await else {
        return;
    };
    let alice = suite.register_creator("alice", ChatRule::Everyone);
    let (fan, shy) = (suite.addr("fan"), suite.addr("shy"));
    suite.fund(&fan);
    suite.fund(&shy);
    let tips = suite.tips.clone();
    // shy tips anonymously on the profile and in a stream, then once in public: the public
    // tip's lifetime total would tell what the anonymous ones were.
    for (amount, stream) in [(500, None), (5, Some("s-1"))] {
        suite
            .execute(
                &shy,
                &tips,
                &tip_with("guess who", true, &alice, stream),
                &coins(amount, USDC),
            )
            .unwrap();
    }
    suite
        .execute(
            &shy,
            &tips,
            &tip_with("me again", false, &alice, Some("s-1")),
            &coins(10, USDC),
        )
        .unwrap();
    suite.tip(&fan, &alice, 20).unwrap();
    indexed.sync(&suite).await;
    let fiat = mesi_common::events::tips::FiatTipAttested {
        gateway: suite.addr("gateway"),
        payment_ref: "pay-7781".into(),
        creator: alice.clone(),
        fan: shy.clone(),
        currency: "USD".into(),
        amount_minor: Uint128::new(300),
        context: mesi_common::interfaces::tips::TipContext::Stream { id: "s-1".into() },
        message: Some("from afar".into()),
        anonymous: true,
    };
    indexed
        .commit_events(suite.now(), tips.as_str(), &[AnyEvent::FiatTip(fiat)])
        .await;
    sqlx::query(
        "INSERT INTO tip_goals (creator, title, asset, target, starts_at) \
         VALUES ($1, 'mic', 'native:uusdc', 1000, 'epoch')",
    )
    .bind(alice.as_str())
    .execute(&indexed.ctx.pool)
    .await
    .unwrap();
    // What would lead to shy: the anonymous tips' transactions and the payment reference.
    let mut secrets: Vec<String> = sqlx::query_scalar(
        "SELECT tx_hash FROM tips WHERE anonymous UNION ALL SELECT tx_hash FROM fiat_tips WHERE anonymous",
    )
    .fetch_all(&indexed.ctx.pool)
    .await
    .unwrap();
    assert_eq!(secrets.len(), 3);
    secrets.push("pay-7781".into());

    let check_items = |answer: &str, items: Vec<Value>| {
        let mut anonymous = 0;
        for item in &items {
            assert!(
                item["data"].get("fan_total").is_none(),
                "{answer}: a lifetime total counts anonymous tips: {item}"
            );
            if item["data"]["anonymous"] == "true" {
                anonymous += 1;
                let text = item.to_string();
                assert!(!text.contains(shy.as_str()), "{answer}: {text}");
                assert!(item["tx_hash"].is_null(), "{answer}: {text}");
                for secret in &secrets {
                    assert!(!text.contains(secret.as_str()), "{answer}: {text}");
                }
            }
        }
        assert_eq!(anonymous, 3, "{answer}");
    };
    for path in [
        format!("/creators/{alice}/feed?limit=100"),
        "/feed?limit=100".to_string(),
    ] {
        let page = indexed.get_json(&path).await;
        check_items(&path, page["items"].as_array().unwrap().clone());
    }
    for path in [
        format!("/creators/{alice}/feed/live?after=0-0&kind=tip,fiat_tip"),
        "/feed/live?after=0-0&kind=tip,fiat_tip".to_string(),
    ] {
        let events = read_events(open_sse(&indexed, &path, None).await, 5).await;
        check_items(&path, events.into_iter().map(|(_, item)| item).collect());
    }
    // Anonymous tips too match the schema of their kind.
    let kinds = indexed.assert_feed_matches_openapi().await;
    assert!(
        kinds.contains("tip") && kinds.contains("fiat_tip"),
        "{kinds:?}"
    );
    // The fan's own feed has the public tip only.
    let shy_feed = indexed.get_json(&format!("/fans/{shy}/feed")).await;
    let messages: Vec<&str> = shy_feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["data"]["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages, ["me again"]);
    // Boards, goals: totals with the anonymous amounts, names and positions without.
    let boards = [
        format!("/creators/{alice}/leaderboard?asset=native:{USDC}"),
        format!("/streams/s-1/leaderboard?asset=native:{USDC}"),
    ];
    for path in &boards {
        let board = indexed.get_json(path).await;
        let shy_entry = board["tippers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["fan"] == shy.as_str())
            .unwrap_or_else(|| panic!("{path}: {board}"));
        assert_eq!(shy_entry["total"], "10", "{path}: only the public tip");
        assert_eq!(shy_entry["tips"], 1, "{path}");
    }
    let goals = indexed.get_json(&format!("/creators/{alice}/goals")).await;
    assert_eq!(goals["items"][0]["raised"], "535");
    for path in boards.iter().chain([&format!("/creators/{alice}/goals")]) {
        let text = indexed.get_json(path).await.to_string();
        for secret in &secrets {
            assert!(!text.contains(secret.as_str()), "{path}: {text}");
        }
    }
}

/// Reads SSE events (id, data) from a response body until `count` arrived.
async fn read_events(body: Body, count: usize) -> Vec<(String, Value)> {
    let mut stream = body.into_data_stream();
    let mut text = String::new();
    let mut events = vec![];
    while events.len() < count {
        let chunk = tokio::time::timeout(Duration::from_secs(20), stream.next())
            .await
            .expect("an SSE event within 20 s")
            .expect("the stream stays open")
            .unwrap();
        text.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = text.find("\n\n") {
            let block: String = text.drain(..end + 2).collect();
            let field = |name: &str| {
                block
                    .lines()
                    .find_map(|l| l.strip_prefix(name))
                    .map(|v| v.trim().to_string())
            };
            if let (Some(id), Some(data)) = (field("id:"), field("data:")) {
                events.push((id, serde_json::from_str(&data).unwrap()));
            }
        }
    }
    events
}

async fn open_sse(indexed: &Indexed, path: &str, last_event_id: Option<&str>) -> Body {
    let mut request = Request::get(path);
    if let Some(id) = last_event_id {
        request = request.header("last-event-id", id);
    }
    let response = indexed
        .router
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    response.into_body()
}

#[tokio::test]
async fn live_feeds_push_and_resume() {
    let mut suite = Suite::new();
    let Some(mut indexed) = Indexed::new(Indexed::suite_contracts(&suite)).await else {
        return;
    };
    let alice = suite.register_creator("alice", ChatRule::Everyone);
    let bob = suite.register_creator("bob", ChatRule::Everyone);
    let fan = suite.addr("fan");
    suite.fund(&fan);
    suite.tip(&fan, &alice, 1).unwrap();
    indexed.sync(&suite).await;
    // Let the publisher see the first tip as already published.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let live = open_sse(
        &indexed,
        &format!("/creators/{alice}/feed/live?kind=tip"),
        None,
    )
    .await;
    let reader = tokio::spawn(read_events(live, 3));
    tokio::time::sleep(Duration::from_millis(200)).await;
    for amount in [2, 3] {
        suite.tip(&fan, &bob, amount).unwrap(); // another creator's: not in alice's feed
        suite.tip(&fan, &alice, amount).unwrap();
        indexed.sync(&suite).await;
    }
    suite.tip(&fan, &alice, 4).unwrap();
    indexed.sync(&suite).await;
    let pushed = reader.await.unwrap();
    let amounts: Vec<&str> = pushed
        .iter()
        .map(|(_, e)| e["data"]["amount"].as_str().unwrap())
        .collect();
    assert_eq!(
        amounts,
        ["2", "3", "4"],
        "new items only, in order, filtered"
    );
    for (id, event) in &pushed {
        assert_eq!(
            event["id"].as_str().unwrap(),
            id,
            "the SSE id is the item's position"
        );
        assert_eq!(event["creator"], alice.as_str());
    }

    // A client that saw the first pushed item resumes after it: the rest, then live ones.
    let resumed = open_sse(
        &indexed,
        &format!("/creators/{alice}/feed/live?kind=tip"),
        Some(&pushed[0].0),
    )
    .await;
    let reader = tokio::spawn(read_events(resumed, 3));
    tokio::time::sleep(Duration::from_millis(200)).await;
    suite.tip(&fan, &alice, 5).unwrap();
    indexed.sync(&suite).await;
    let replayed = reader.await.unwrap();
    let amounts: Vec<&str> = replayed
        .iter()
        .map(|(_, e)| e["data"]["amount"].as_str().unwrap())
        .collect();
    assert_eq!(amounts, ["3", "4", "5"]);

    // `?after=` works like the header; a bad id is refused before the stream starts.
    let from_start = open_sse(&indexed, "/feed/live?after=0-0", None).await;
    let all = read_events(from_start, 7).await;
    assert!(all
        .windows(2)
        .all(|w| w[0].0 < w[1].0 || w[0].0.len() < w[1].0.len()));
    let (status, body) = indexed
        .request(
            Request::get("/feed/live")
                .header("last-event-id", "x")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, 400, "{body}");
}

#[tokio::test]
async fn leaderboards_rank_by_amount_then_by_who_got_there_first() {
    let mut suite = Suite::new();
    let Some(mut indexed) = Indexed::new(Indexed::suite_contracts(&suite)).await else {
        return;
    };
    let alice = suite.register_creator("alice", ChatRule::Everyone);
    let fans: Vec<Addr> = (0..4).map(|i| suite.addr(&format!("fan{i}"))).collect();
    for fan in &fans {
        suite.fund(fan);
    }
    let tips = suite.tips.clone();
    // 40 days ago: fan0 tips 500.
    suite.tip(&fans[0], &alice, 500).unwrap();
    suite.advance(33 * DAY);
    // 7 days ago: fan1 reaches 300 first, fan2 reaches 300 later; fan3 tips anonymously.
    suite.tip(&fans[1], &alice, 100).unwrap();
    suite.tip(&fans[1], &alice, 200).unwrap();
    suite.tip(&fans[2], &alice, 300).unwrap();
    suite
        .execute(
            &fans[3],
            &tips,
            &tip_with("anon", true, &alice, None),
            &coins(10_000, USDC),
        )
        .unwrap();
    suite.advance(5 * DAY);
    // 2 days ago, in a stream: fan2 tips 50, fan1 tips 50.
    for fan in [&fans[2], &fans[1]] {
        suite
            .execute(
                fan,
                &tips,
                &tip_with("live!", false, &alice, Some("s-1")),
                &coins(50, USDC),
            )
            .unwrap();
    }
    suite.advance(2 * DAY);
    indexed.sync(&suite).await;

    let board = |period: &str| {
        let path = format!("/creators/{alice}/leaderboard?asset=native:{USDC}&period={period}");
        let indexed = &indexed;
        async move {
            let body = indexed.get_json(&path).await;
            body["tippers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| {
                    (
                        t["fan"].as_str().unwrap().to_string(),
                        t["total"].as_str().unwrap().to_string(),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    let f = |i: usize, total: &str| (fans[i].to_string(), total.to_string());
    // fan1 reached 350 with the stream tip after fan2's: fan2 is ahead on a tie.
    assert_eq!(board("all").await, [f(0, "500"), f(2, "350"), f(1, "350")]);
    assert_eq!(board("30d").await, [f(2, "350"), f(1, "350")]);
    assert_eq!(board("7d").await, [f(2, "50"), f(1, "50")]);
    let stream = indexed
        .get_json(&format!("/streams/s-1/leaderboard?asset=native:{USDC}"))
        .await;
    assert_eq!(stream["tippers"][0]["fan"], fans[2].as_str());
    assert_eq!(stream["tippers"][0]["rank"], 1);
    assert_eq!(stream["tippers"][1]["rank"], 2);
    let (status, body) = indexed
        .get(&format!("/streams/a%20b/leaderboard?asset=native:{USDC}"))
        .await;
    assert_eq!(
        (status.as_u16(), body.contains("invalid_id")),
        (400, true),
        "{body}"
    );
    let (status, body) = indexed
        .get(&format!("/creators/{alice}/leaderboard?asset=gold"))
        .await;
    assert_eq!(
        (status.as_u16(), body.contains("invalid_asset")),
        (400, true),
        "{body}"
    );
    let (status, _) = indexed
        .get(&format!(
            "/creators/{alice}/leaderboard?asset=native:{USDC}&period=1y"
        ))
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn goals_need_the_creators_session_and_show_progress() {
    let mut suite = Suite::new();
    let Some(mut indexed) = Indexed::new(Indexed::suite_contracts(&suite)).await else {
        return;
    };
    let alice = suite.register_creator("alice", ChatRule::Everyone);
    let fan = suite.addr("fan");
    suite.fund(&fan);
    suite.tip(&fan, &alice, 400).unwrap(); // before the goal: does not count
    suite.advance(60);
    indexed.sync(&suite).await;
    let path = format!("/creators/{alice}/goals");
    let goal = serde_json::json!({"title": "New mic", "asset": format!("native:{USDC}"), "target": "1000"});

    let creator_token = session(&indexed, alice.as_str()).await;
    let fan_token = session(&indexed, fan.as_str()).await;
    for (token, status) in [
        (None, 401),
        (Some("forged"), 401),
        (Some(fan_token.as_str()), 403),
    ] {
        let (got, body) = send(&indexed, Method::POST, &path, token, Some(goal.clone())).await;
        assert_eq!(got.as_u16(), status, "{body}");
    }
    let (status, body) = send(
        &indexed,
        Method::POST,
        &path,
        Some(&creator_token),
        Some(goal.clone()),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let created: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (created["raised"].as_str(), created["percent"].as_u64()),
        (Some("0"), Some(0))
    );

    suite.advance(60);
    suite.tip(&fan, &alice, 250).unwrap();
    indexed.sync(&suite).await;
    let goals = &indexed.get_json(&path).await["items"];
    assert_eq!(goals[0]["raised"], "250");
    assert_eq!(goals[0]["percent"], 25);
    suite.tip(&fan, &alice, 750).unwrap();
    indexed.sync(&suite).await;
    let goals = &indexed.get_json(&path).await["items"];
    assert_eq!(
        (goals[0]["percent"].as_u64(), goals[0]["reached"].as_bool()),
        (Some(100), Some(true))
    );

    for bad in [
        serde_json::json!({"title": "", "asset": "native:uusdc", "target": "1"}),
        serde_json::json!({"title": "x".repeat(121), "asset": "native:uusdc", "target": "1"}),
        serde_json::json!({"title": "t", "asset": "native:uusdc", "target": "0"}),
        serde_json::json!({"title": "t", "asset": "native:uusdc", "target": "-5"}),
        serde_json::json!({"title": "t", "asset": "nope", "target": "5"}),
        serde_json::json!({"title": "t", "asset": "native:uusdc", "target": "5", "context": "stream:"}),
        serde_json::json!({"title": "t", "asset": "native:uusdc", "target": "5", "extra": 1}),
    ] {
        let (status, body) = send(
            &indexed,
            Method::POST,
            &path,
            Some(&creator_token),
            Some(bad.clone()),
        )
        .await;
        assert_eq!(status, 400, "{bad}: {body}");
    }
    let id = created["id"].as_i64().unwrap();
    let one = format!("{path}/{id}");
    let (status, _) = send(&indexed, Method::DELETE, &one, Some(&fan_token), None).await;
    assert_eq!(status, 403);
    let (status, _) = send(&indexed, Method::DELETE, &one, Some(&creator_token), None).await;
    assert_eq!(status, 204);
    let (status, _) = send(&indexed, Method::DELETE, &one, Some(&creator_token), None).await;
    assert_eq!(status, 404);
    assert_eq!(
        indexed.get_json(&path).await["items"],
        serde_json::json!([])
    );
}

#[tokio::test]
async fn calendars_list_meetings_by_secret_token() {
    let suite = Suite::new();
    let Some(mut indexed) = Indexed::new(Indexed::suite_contracts(&suite)).await else {
        return;
    };
    let meetings = suite.meetings.to_string();
    let (alice, fan) = (suite.addr("alice"), suite.addr("fan"));
    let start = Timestamp::from_seconds(1_767_268_800); // 2026-01-01T12:00:00Z
    let opened = AnyEvent::from(AuctionOpened {
        auction_id: 1,
        creator: alice.clone(),
        start,
        duration_secs: 1_800,
        time_zone: "Europe/Berlin".into(),
        format: MeetingFormat::Video,
        description: "Ask me anything; really, anything".into(),
        asset: AssetInfo::native(USDC),
        reserve: Uint128::new(10),
        min_increment_bps: 500,
        ends_at: start.minus_seconds(DAY),
        extension_secs: 60,
        buy_now: None,
        fee_bps: 2_000,
        open_auctions: 1,
    });
    let meeting = |status: MeetingStatus, revision: u32, start: Timestamp| {
        AnyEvent::from(MeetingChanged {
            meeting_id: 1,
            creator: alice.clone(),
            fan: fan.clone(),
            status,
            revision,
            start,
            duration_secs: 1_800,
            escrow: Uint128::new(100),
            dispute_deadline: None,
            fan_no_show: false,
            actor: alice.clone(),
        })
    };
    let t0 = Timestamp::from_seconds(1_767_000_000);
    indexed.commit_events(t0, &meetings, &[opened]).await;
    indexed
        .commit_events(
            t0.plus_seconds(600),
            &meetings,
            &[meeting(MeetingStatus::Scheduled, 0, start)],
        )
        .await;

    let creator_path = format!("/creators/{alice}/meetings.ics");
    let (status, _) = indexed.get(&format!("{creator_path}?token=guess")).await;
    assert_eq!(status, 404, "no token set yet");
    let (status, _) = send(
        &indexed,
        Method::POST,
        &format!("/creators/{alice}/calendar-token"),
        None,
        None,
    )
    .await;
    assert_eq!(status, 401);
    let fan_token = session(&indexed, fan.as_str()).await;
    let (status, _) = send(
        &indexed,
        Method::POST,
        &format!("/creators/{alice}/calendar-token"),
        Some(&fan_token),
        None,
    )
    .await;
    assert_eq!(status, 403);
    let alice_token = session(&indexed, alice.as_str()).await;
    let rotate_path = format!("/creators/{alice}/calendar-token");
    let (status, body) = send(
        &indexed,
        Method::POST,
        &rotate_path,
        Some(&alice_token),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let first: Value = serde_json::from_str(&body).unwrap();
    let (status, ics) = indexed.get(first["path"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    let uid = format!("UID:meeting-1-{meetings}@mesi");
    let expected_event = [
        "BEGIN:VEVENT".to_string(),
        uid.clone(),
        "DTSTAMP:20251229T093000Z".into(),
        "DTSTART:20260101T120000Z".into(),
        "DTEND:20260101T123000Z".into(),
        "SEQUENCE:0".into(),
        "STATUS:CONFIRMED".into(),
        "SUMMARY:Mesi video meeting".into(),
        "DESCRIPTION:Ask me anything\\; really\\, anything".into(),
        "END:VEVENT".into(),
    ]
    .join("\r\n");
    assert!(
        ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:"),
        "{ics}"
    );
    // The UID line is longer than 75 octets: folded, and whole again once unfolded.
    assert!(ics.contains("\r\n "), "{ics}");
    let unfolded = |ics: &str| ics.replace("\r\n ", "");
    assert!(unfolded(&ics).contains(&expected_event), "{ics}");
    assert!(
        !unfolded(&ics).contains(fan.as_str()),
        "no fan address in the creator's calendar"
    );

    // Rescheduled, then cancelled: the same UID with a higher SEQUENCE, and it stays.
    let later = start.plus_seconds(DAY);
    indexed
        .commit_events(
            t0.plus_seconds(1_200),
            &meetings,
            &[meeting(MeetingStatus::Scheduled, 1, later)],
        )
        .await;
    indexed
        .commit_events(
            t0.plus_seconds(1_800),
            &meetings,
            &[meeting(MeetingStatus::Cancelled, 2, later)],
        )
        .await;
    let (_, ics) = indexed.get(first["path"].as_str().unwrap()).await;
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 1);
    assert!(unfolded(&ics).contains(&format!("{uid}\r\nDTSTAMP:20251229T095000Z\r\nDTSTART:20260102T120000Z\r\nDTEND:20260102T123000Z\r\nSEQUENCE:2\r\nSTATUS:CANCELLED\r\n")), "{ics}");

    // Rotating retires the old URL.
    let (_, body) = send(
        &indexed,
        Method::POST,
        &rotate_path,
        Some(&alice_token),
        None,
    )
    .await;
    let second: Value = serde_json::from_str(&body).unwrap();
    assert_ne!(first["token"], second["token"]);
    assert_eq!(indexed.get(first["path"].as_str().unwrap()).await.0, 404);
    assert_eq!(indexed.get(second["path"].as_str().unwrap()).await.0, 200);

    // The fan's calendar: their own token, the creator's name, no fan address.
    let (status, body) = send(
        &indexed,
        Method::POST,
        &format!("/fans/{fan}/calendar-token"),
        Some(&fan_token),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let fan_feed: Value = serde_json::from_str(&body).unwrap();
    let (status, ics) = indexed.get(fan_feed["path"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    assert!(
        unfolded(&ics).contains(&uid) && ics.contains("STATUS:CANCELLED"),
        "{ics}"
    );
    assert!(ics.contains("SUMMARY:Mesi video meeting"), "{ics}");
    assert!(!unfolded(&ics).contains(fan.as_str()));
    assert!(
        ics.lines().all(|l| l.len() <= 76),
        "folded lines (75 octets + CR)"
    );
}

#[tokio::test]
async fn readiness_metrics_and_the_openapi_document() {
    let mut suite = Suite::new();
    let Some(mut indexed) = Indexed::new(Indexed::suite_contracts(&suite)).await else {
        return;
    };
    let (status, body) = indexed.get("/ready").await;
    assert_eq!(status, 503, "{body}");
    let alice = suite.register_creator("alice", ChatRule::Everyone);
    let fan = suite.addr("fan");
    suite.fund(&fan);
    suite.tip(&fan, &alice, 5).unwrap();
    indexed.sync(&suite).await;
    let ready = indexed.get_json("/ready").await;
    assert_eq!(ready["ready"], true);
    assert_eq!(ready["lag"], 0);
    assert_eq!(ready["height"], indexed.height as i64);

    // The node moves 10 blocks ahead: no longer ready (at most 5 behind by default).
    indexed
        .store
        .record_head(&mesi_indexer::source::ChainStatus {
            chain_id: indexed::CHAIN_ID.into(),
            latest_height: indexed.height + 10,
            earliest_height: 1,
            catching_up: false,
            node_version: "test".into(),
            latest_block_time: None,
        })
        .await;
    let (status, body) = indexed.get("/ready").await;
    assert_eq!(status, 503);
    assert!(body.contains("10 blocks behind"), "{body}");

    let (status, metrics) = indexed.get("/metrics").await;
    assert_eq!(status, 200);
    let events: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&indexed.ctx.pool)
        .await
        .unwrap();
    for line in [
        format!("mesi_indexer_height {}", indexed.height),
        format!("mesi_indexer_chain_head {}", indexed.height + 10),
        "mesi_indexer_lag_blocks 10".to_string(),
        format!("mesi_indexer_events_ingested_total {events}"),
        "mesi_api_request_duration_seconds_bucket{method=\"GET\",route=\"/ready\",status=\"503\",le=\"+Inf\"} 2".to_string(),
    ] {
        assert!(metrics.lines().any(|l| l == line), "missing {line:?} in\n{metrics}");
    }

    // The document is OpenAPI 3 and every path in it is served: a request to each documented
    // operation reaches a handler (anything but "no such route" or "method not allowed").
    let doc = indexed.get_json("/openapi.json").await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for expected in [
        "/health",
        "/ready",
        "/metrics",
        "/feed",
        "/creators/{address}/feed",
        "/fans/{address}/feed",
        "/feed/live",
        "/creators/{address}/feed/live",
        "/fans/{address}/feed/live",
        "/can-message",
        "/creators/{address}/ppv/{content_id}/access",
        "/surprises/{token_id}/access",
        "/creators/{address}/leaderboard",
        "/streams/{stream_id}/leaderboard",
        "/creators/{address}/goals",
        "/creators/{address}/goals/{id}",
        "/creators/{address}/meetings.ics",
        "/fans/{address}/meetings.ics",
        "/creators/{address}/calendar-token",
        "/fans/{address}/calendar-token",
    ] {
        assert!(paths.contains_key(expected), "{expected} is not documented");
    }
    for (path, operations) in paths {
        let concrete = path
            .replace("{address}", alice.as_str())
            .replace("{fan}", fan.as_str())
            .replace("{id}", "1")
            .replace("{stream_id}", "s-1")
            .replace("{thread_id}", "t-1");
        for method in operations.as_object().unwrap().keys() {
            if path.ends_with("/live") || path.ends_with("/events") {
                continue; // streams stay open; their routes are exercised above
            }
            let request = Request::builder()
                .method(method.to_uppercase().as_str())
                .uri(&concrete)
                .header("content-type", "application/json")
                .body(Body::from("{}"))
                .unwrap();
            let (status, body) = indexed.request(request).await;
            assert!(
                !body.contains("unknown_route") && status != StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path}: {status} {body}"
            );
            // /ready is 503 here on purpose (the head is 10 blocks ahead).
            assert!(
                status.as_u16() < 500 || path == "/ready",
                "{method} {path}: {status} {body}"
            );
        }
    }
    let (status, body) = indexed.get("/no/such/route").await;
    assert_eq!(
        (status.as_u16(), body.contains("unknown_route")),
        (404, true)
    );
}

#[tokio::test]
async fn a_revealed_surprise_opens_to_its_owner() {
    use cosmwasm_std::HexBinary;
    use mesi_common::commitment::content_hash;
    use mesi_multitest::surprises_msg::ExecuteMsg;

    let mut suite = Suite::new();
    let Some(mut indexed) = Indexed::new(Indexed::suite_contracts(&suite)).await else {
        return;
    };
    let alice = suite.register_creator("alice", ChatRule::Everyone);
    let (fan, other) = (suite.addr("fan"), suite.addr("other"));
    let salt = [5u8; 32];
    let token = suite.mint_surprise(&alice, "gift", &fan, b"the content", salt);
    let access = |viewer: &Addr| format!("/surprises/{token}/access?viewer={viewer}");
    let reason = |body: &Value| (body["allowed"].as_bool().unwrap(), body["reason"].clone());
    indexed.sync(&suite).await;
    let sealed = indexed.get_json(&access(&fan)).await;
    assert_eq!(
        reason(&sealed),
        (false, Value::from("none")),
        "sealed: not yet"
    );
    let creator = indexed.get_json(&access(&alice)).await;
    assert_eq!(reason(&creator), (true, Value::from("creator")));

    let surprises = suite.surprises.clone();
    let unlock = ExecuteMsg::Unlock {
        token_id: token.clone(),
    };
    suite.execute(&fan, &surprises, &unlock, &[]).unwrap();
    indexed.sync(&suite).await;
    assert!(
        !reason(&indexed.get_json(&access(&fan)).await).0,
        "unlocked, not revealed"
    );
    let reveal = ExecuteMsg::Reveal {
        token_id: token.clone(),
        salt: HexBinary::from(salt.as_slice()),
        content_hash: HexBinary::from(content_hash(b"the content").as_slice()),
    };
    suite.execute(&alice, &surprises, &reveal, &[]).unwrap();
    indexed.sync(&suite).await;
    let revealed = indexed.get_json(&access(&fan)).await;
    assert_eq!(reason(&revealed), (true, Value::from("revealed_surprise")));
    assert!(
        !reason(&indexed.get_json(&access(&other)).await).0,
        "only the owner"
    );

    let (status, body) = indexed
        .get(&format!("/surprises/9.none/access?viewer={fan}"))
        .await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = indexed.get(&format!("/surprises/{token}/access")).await;
    assert_eq!(status, 400, "no viewer: {body}");
}

#[tokio::test]
async fn pay_per_view_access_is_per_creator_and_content_id() {
    let mut suite = Suite::new();
    let Some(mut indexed) = Indexed::new(Indexed::suite_contracts(&suite)).await else {
        return;
    };
    let alice = suite.register_creator("alice", ChatRule::Everyone);
    let bob = suite.register_creator("bob", ChatRule::Everyone);
    // Two creators, one content id: two items.
    suite.list_item(&alice, "clip", 2_000_000, None);
    suite.list_item(&bob, "clip", 3_000_000, None);
    let fan = suite.addr("fan");
    suite.fund(&fan);
    suite.buy_item(&fan, &alice, "clip", 2_000_000).unwrap();
    indexed.sync(&suite).await;

    let access = |viewer: &Addr, creator: &Addr| {
        format!("/creators/{creator}/ppv/clip/access?viewer={viewer}")
    };
    let reason = |body: &Value| (body["allowed"].as_bool().unwrap(), body["reason"].clone());
    for (viewer, creator, expected) in [
        (&fan, &alice, (true, "purchased")),
        (&fan, &bob, (false, "none")),
        (&bob, &bob, (true, "creator")),
        (&alice, &bob, (false, "none")),
        (&bob, &alice, (false, "none")),
    ] {
        let body = indexed.get_json(&access(viewer, creator)).await;
        assert_eq!(
            reason(&body),
            (expected.0, Value::from(expected.1)),
            "{viewer} on {creator}'s clip: {body}"
        );
    }
    // Buying bob's item opens bob's too.
    suite.buy_item(&fan, &bob, "clip", 3_000_000).unwrap();
    indexed.sync(&suite).await;
    let body = indexed.get_json(&access(&fan, &bob)).await;
    assert_eq!(reason(&body), (true, Value::from("purchased")));

    // A creator without that item: 404, as the contract errors.
    let carol = suite.addr("carol");
    let (status, body) = indexed.get(&access(&fan, &carol)).await;
    assert_eq!(status, 404, "{body}");
    // The creator must be an address, and the viewer is required.
    for (path, code) in [
        (
            format!("/creators/wasm1nope/ppv/clip/access?viewer={fan}"),
            "invalid_path",
        ),
        (
            format!("/creators/{alice}/ppv/clip/access"),
            "invalid_query",
        ),
        (
            format!("/creators/{alice}/ppv/clip/access?viewer=wasm1nope"),
            "invalid_query",
        ),
    ] {
        let (status, body) = indexed.get(&path).await;
        assert_eq!(status, 400, "{path}: {body}");
        let error: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(error["error"]["code"], code, "{path}: {body}");
    }
}
