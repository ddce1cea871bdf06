//! Chat over HTTP against PostgreSQL: threads, the gate at send time (block list, the
//! creator's chat rule over the indexed state, pay-per-message credit from chat tips), rate
//! limits, bounds, and live delivery over SSE.

mod api_support;

use std::time::Duration;

use api_support::{TestApp, Wallet};
use axum::http::{Method, StatusCode};
use mesi_indexer::api::routes::chat::{MESSAGE_BODY, RATE_LIMIT};
use serde_json::{json, Value};

const EVERYONE: &str = r#""everyone""#;

struct Chat {
    app: TestApp,
    creator: Wallet,
    fan: Wallet,
    creator_token: String,
    fan_token: String,
    thread_id: String,
}

async fn chat_with_rule(rule: &str) -> Option<Chat> {
    let app = TestApp::new().await?;
    let creator = Wallet::new(101);
    let fan = Wallet::new(102);
    app.register_creator(&creator.address, serde_json::from_str(rule).unwrap())
        .await;
    let creator_token = creator.login(&app).await;
    let fan_token = fan.login(&app).await;
    let opened = app
        .post(
            "/chat/threads",
            Some(&fan_token),
            json!({"creator": creator.address}),
        )
        .await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.body);
    let thread_id = opened.body["thread_id"].as_str().unwrap().to_owned();
    Some(Chat {
        app,
        creator,
        fan,
        creator_token,
        fan_token,
        thread_id,
    })
}

impl Chat {
    async fn send(&self, token: &str, body: &str) -> api_support::Reply {
        self.app
            .post(
                &format!("/chat/threads/{}/messages", self.thread_id),
                Some(token),
                json!({"body": body}),
            )
            .await
    }

    async fn message_count(&self) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM chat_messages")
            .fetch_one(&self.app.pool)
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn a_fan_and_a_creator_exchange_messages() {
    let Some(chat) = chat_with_rule(EVERYONE).await else {
        return;
    };
    // Opening again returns the same thread, from either side.
    let again = chat
        .app
        .post(
            "/chat/threads",
            Some(&chat.creator_token),
            json!({"creator": chat.creator.address, "fan": chat.fan.address}),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.body["thread_id"], chat.thread_id.as_str());
    assert_eq!(
        again.body["tip_context"],
        format!("chat:{}", chat.thread_id)
    );

    let sent = chat.send(&chat.fan_token, "hello!").await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
    assert_eq!(sent.body["sender"], chat.fan.address);
    let reply = chat.send(&chat.creator_token, "hi, thanks").await;
    assert_eq!(reply.status, StatusCode::CREATED);

    let page = chat
        .app
        .get(
            &format!("/chat/threads/{}/messages", chat.thread_id),
            Some(&chat.fan_token),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let bodies: Vec<&str> = page.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies, ["hi, thanks", "hello!"]);

    let threads = chat
        .app
        .get("/chat/threads", Some(&chat.creator_token))
        .await;
    assert_eq!(threads.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn outsiders_see_and_touch_nothing() {
    let Some(chat) = chat_with_rule(EVERYONE).await else {
        return;
    };
    let outsider = Wallet::new(103);
    let token = outsider.login(&chat.app).await;
    let thread = format!("/chat/threads/{}", chat.thread_id);
    assert_eq!(
        chat.app.get(&thread, Some(&token)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        chat.app
            .get(&format!("{thread}/messages"), Some(&token))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        chat.send(&token, "let me in").await.status,
        StatusCode::NOT_FOUND
    );
    let price = chat
        .app
        .call(
            Method::PUT,
            &format!("{thread}/price"),
            Some(&token),
            Some(json!({"asset": "native:uusdc", "amount": "1"})),
        )
        .await;
    assert_eq!(price.status, StatusCode::NOT_FOUND);
    // Nor open a thread for someone else.
    let other = chat
        .app
        .post(
            "/chat/threads",
            Some(&token),
            json!({"creator": chat.creator.address, "fan": chat.fan.address}),
        )
        .await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    // A fan cannot set the price of their own thread.
    let by_fan = chat
        .app
        .call(
            Method::PUT,
            &format!("{thread}/price"),
            Some(&chat.fan_token),
            Some(json!({"asset": "native:uusdc", "amount": "1"})),
        )
        .await;
    assert_eq!(by_fan.status, StatusCode::FORBIDDEN);
    // Threads only with registered creators.
    let nobody = chat
        .app
        .post(
            "/chat/threads",
            Some(&token),
            json!({"creator": chat.fan.address}),
        )
        .await;
    assert_eq!(nobody.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_chat_rule_is_checked_at_send_time_and_creators_may_always_reply() {
    let Some(chat) = chat_with_rule(r#"{"subscriber":{"min_tier":1}}"#).await else {
        return;
    };
    chat.app.set_chain_time(10, 1_000_000).await;
    let denied = chat.send(&chat.fan_token, "may I?").await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN, "{}", denied.body);
    let message = denied.body["error"]["message"].as_str().unwrap();
    assert!(message.contains("subscribe to tier 1"), "{message}");
    // The same structured answer as /can-message.
    let refusal = &denied.body["error"]["refusal"];
    assert_eq!(denied.body["error"]["code"], "not_qualified");
    assert_eq!(refusal["qualify"], json!({"subscribe": {"min_tier": 1}}));
    assert_eq!(refusal["hint"], "subscribe to tier 1", "{refusal}");
    assert_eq!(
        chat.send(&chat.creator_token, "subscribe to chat")
            .await
            .status,
        StatusCode::CREATED
    );

    // Subscribed: allowed; once the subscription passes its expiry in block time, denied.
    chat.app
        .add_subscription(&chat.creator.address, &chat.fan.address, 1, 1_000_100)
        .await;
    assert_eq!(
        chat.send(&chat.fan_token, "subscribed!").await.status,
        StatusCode::CREATED
    );
    chat.app.set_chain_time(11, 1_000_100).await;
    assert_eq!(
        chat.send(&chat.fan_token, "still here?").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(chat.message_count().await, 2);
}

#[tokio::test]
async fn a_blocked_fan_cannot_send_whatever_the_rule() {
    let Some(chat) = chat_with_rule(EVERYONE).await else {
        return;
    };
    let block = format!("/chat/blocks/{}", chat.fan.address);
    // Only creators block.
    let by_fan = chat
        .app
        .call(
            Method::PUT,
            &format!("/chat/blocks/{}", chat.creator.address),
            Some(&chat.fan_token),
            None,
        )
        .await;
    assert_eq!(by_fan.status, StatusCode::FORBIDDEN);

    let blocked = chat
        .app
        .call(Method::PUT, &block, Some(&chat.creator_token), None)
        .await;
    assert_eq!(blocked.status, StatusCode::NO_CONTENT);
    let list = chat
        .app
        .get("/chat/blocks", Some(&chat.creator_token))
        .await;
    assert_eq!(list.body["items"][0]["fan"], chat.fan.address);
    let denied = chat.send(&chat.fan_token, "hello?").await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    assert!(denied.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("blocked"));
    assert_eq!(
        chat.send(&chat.creator_token, "bye").await.status,
        StatusCode::CREATED
    );

    let unblocked = chat
        .app
        .call(Method::DELETE, &block, Some(&chat.creator_token), None)
        .await;
    assert_eq!(unblocked.status, StatusCode::NO_CONTENT);
    assert_eq!(
        chat.send(&chat.fan_token, "hello again").await.status,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn paid_messages_spend_chat_tips() {
    let Some(chat) = chat_with_rule(EVERYONE).await else {
        return;
    };
    let set = chat
        .app
        .call(
            Method::PUT,
            "/chat/price",
            Some(&chat.creator_token),
            Some(json!({"asset": "native:uusdc", "amount": "100"})),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    let unpaid = chat.send(&chat.fan_token, "free?").await;
    assert_eq!(unpaid.status, StatusCode::PAYMENT_REQUIRED);
    let hint = unpaid.body["error"]["message"].as_str().unwrap();
    assert!(hint.contains(&format!("chat:{}", chat.thread_id)), "{hint}");

    let context = format!("chat:{}", chat.thread_id);
    let creator = chat.creator.address.clone();
    let fan = chat.fan.address.clone();
    // Tips that do not count: another asset, another context, another tipper.
    chat.app
        .add_tip(
            (5, 0),
            &creator,
            &fan,
            "native:uatom",
            1000,
            &context,
            None,
            false,
        )
        .await;
    chat.app
        .add_tip(
            (5, 1),
            &creator,
            &fan,
            "native:uusdc",
            1000,
            "profile",
            None,
            false,
        )
        .await;
    chat.app
        .add_tip(
            (5, 2),
            &creator,
            &creator,
            "native:uusdc",
            1000,
            &context,
            None,
            false,
        )
        .await;
    assert_eq!(
        chat.send(&chat.fan_token, "now?").await.status,
        StatusCode::PAYMENT_REQUIRED
    );

    chat.app
        .add_tip(
            (6, 0),
            &creator,
            &fan,
            "native:uusdc",
            250,
            &context,
            Some("for chat"),
            false,
        )
        .await;
    let first = chat.send(&chat.fan_token, "one").await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(first.body["charged_asset"], "native:uusdc");
    assert_eq!(first.body["charged_amount"], "100");
    assert_eq!(
        chat.send(&chat.fan_token, "two").await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        chat.send(&chat.fan_token, "three").await.status,
        StatusCode::PAYMENT_REQUIRED
    );
    let thread = chat
        .app
        .get(
            &format!("/chat/threads/{}", chat.thread_id),
            Some(&chat.fan_token),
        )
        .await;
    assert_eq!(thread.body["credit"], "50");
    // The creator's replies are free.
    let reply = chat.send(&chat.creator_token, "thanks").await;
    assert_eq!(reply.status, StatusCode::CREATED);
    assert_eq!(reply.body["charged_amount"], Value::Null);

    // A thread price overrides the creator's, and clearing it restores the default.
    let path = format!("/chat/threads/{}/price", chat.thread_id);
    let cheaper = chat
        .app
        .call(
            Method::PUT,
            &path,
            Some(&chat.creator_token),
            Some(json!({"asset": "native:uusdc", "amount": "50"})),
        )
        .await;
    assert_eq!(cheaper.status, StatusCode::OK);
    assert_eq!(cheaper.body["price_is_thread_override"], true);
    assert_eq!(
        chat.send(&chat.fan_token, "three, cheaper").await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        chat.send(&chat.fan_token, "four").await.status,
        StatusCode::PAYMENT_REQUIRED
    );
    let cleared = chat
        .app
        .call(Method::DELETE, &path, Some(&chat.creator_token), None)
        .await;
    assert_eq!(cleared.body["price"]["amount"], "100");

    for bad in [
        json!({"asset": "native:uusdc", "amount": "0"}),
        json!({"asset": "gold", "amount": "1"}),
        json!({"asset": "native:uusdc", "amount": "1e3"}),
    ] {
        let reply = chat
            .app
            .call(
                Method::PUT,
                "/chat/price",
                Some(&chat.creator_token),
                Some(bad.clone()),
            )
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{bad}");
    }
}

#[tokio::test]
async fn senders_are_rate_limited_and_messages_bounded() {
    let Some(chat) = chat_with_rule(EVERYONE).await else {
        return;
    };
    let too_long = "x".repeat(MESSAGE_BODY.max_chars + 1);
    assert_eq!(
        chat.send(&chat.fan_token, &too_long).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        chat.send(&chat.fan_token, "").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        chat.send(&chat.fan_token, &"x".repeat(MESSAGE_BODY.max_chars))
            .await
            .status,
        StatusCode::CREATED
    );
    for i in 1..RATE_LIMIT {
        assert_eq!(
            chat.send(&chat.fan_token, &format!("{i}")).await.status,
            StatusCode::CREATED,
            "{i}"
        );
    }
    let limited = chat.send(&chat.fan_token, "one more").await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = limited.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry));
    // The limit is per sender: the creator still replies.
    assert_eq!(
        chat.send(&chat.creator_token, "slow down").await.status,
        StatusCode::CREATED
    );
    assert_eq!(chat.message_count().await, RATE_LIMIT + 1);
}

#[tokio::test]
async fn messages_reach_the_other_side_live_and_resume_after_the_last_event() {
    let Some(chat) = chat_with_rule(EVERYONE).await else {
        return;
    };
    let mut inbox = chat
        .app
        .sse("/chat/events", Some(&chat.creator_token), None)
        .await;
    let sent = chat.send(&chat.fan_token, "live?").await;
    let event = inbox
        .next(Duration::from_secs(10))
        .await
        .expect("a message event");
    assert_eq!(event.event, "message");
    assert_eq!(event.data["body"], "live?");
    assert_eq!(
        event.id.as_deref(),
        Some(sent.body["id"].to_string().as_str())
    );
    drop(inbox);

    // Messages posted while away arrive on reconnecting with Last-Event-ID; through the
    // query-string token, as EventSource sends it.
    chat.send(&chat.fan_token, "while you were away").await;
    chat.send(&chat.creator_token, "back").await;
    let uri = format!(
        "/chat/events?thread_id={}&access_token={}",
        chat.thread_id, chat.creator_token
    );
    let mut resumed = chat.app.sse(&uri, None, event.id.as_deref()).await;
    let first = resumed.next(Duration::from_secs(10)).await.unwrap();
    let second = resumed.next(Duration::from_secs(10)).await.unwrap();
    assert_eq!(first.data["body"], "while you were away");
    assert_eq!(second.data["body"], "back");

    // An outsider's inbox gets nothing of it.
    let outsider = Wallet::new(104);
    let token = outsider.login(&chat.app).await;
    let mut theirs = chat.app.sse("/chat/events", Some(&token), Some("0")).await;
    assert!(theirs.next(Duration::from_millis(300)).await.is_none());
}

/// Reads message bodies from `feed` until `last` arrives (or nothing comes for a while).
async fn bodies_until(feed: &mut api_support::SseReader, last: &str) -> Vec<(String, String)> {
    let mut seen = Vec::new();
    while let Some(event) = feed.next(Duration::from_secs(10)).await {
        let body = event.data["body"].as_str().unwrap_or_default().to_owned();
        seen.push((body.clone(), event.id.unwrap_or_default()));
        if body == last {
            break;
        }
    }
    seen
}

#[tokio::test]
async fn messages_committed_out_of_id_order_all_reach_the_feed() {
    let Some(chat) = chat_with_rule(EVERYONE).await else {
        return;
    };
    let mut inbox = chat
        .app
        .sse("/chat/events", Some(&chat.creator_token), None)
        .await;
    let insert = |body: &str| {
        format!(
            "INSERT INTO chat_messages (thread_id, sender, body) VALUES ('{}', '{}', '{body}')",
            chat.thread_id, chat.fan.address
        )
    };
    // The first writer takes its id and stays open while the second commits.
    let writers =
        api_support::insert_out_of_order(&chat.app.pool, &insert("first"), &insert("second")).await;
    if writers.second_committed {
        // The feed has sent the second (larger) id before the first commits.
        assert_eq!(bodies_until(&mut inbox, "second").await[0].0, "second");
    }
    writers.finish().await;
    chat.send(&chat.fan_token, "third").await;
    let seen = bodies_until(&mut inbox, "third").await;
    let bodies: Vec<&str> = seen.iter().map(|(b, _)| b.as_str()).collect();
    assert_eq!(bodies, ["first", "second", "third"]);

    // Reconnecting after the first resumes with the rest.
    let mut resumed = chat
        .app
        .sse("/chat/events", Some(&chat.creator_token), Some(&seen[0].1))
        .await;
    let rest: Vec<String> = bodies_until(&mut resumed, "third")
        .await
        .into_iter()
        .map(|(b, _)| b)
        .collect();
    assert_eq!(rest, ["second", "third"]);
}
