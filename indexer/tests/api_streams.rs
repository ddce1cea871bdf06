//! Live streams over HTTP against PostgreSQL: start and end, live comments (rate-limited,
//! optionally for subscribers only), tips with context stream:<id> in the live feed, and the
//! summary.

mod api_support;

use std::time::Duration;

use api_support::{TestApp, Wallet};
use axum::http::{Method, StatusCode};
use mesi_indexer::api::routes::streams::COMMENT_RATE_LIMIT;
use serde_json::{json, Value};

struct Live {
    app: TestApp,
    creator: Wallet,
    creator_token: String,
    fan_token: String,
    fan: Wallet,
    stream_id: String,
}

async fn live_stream(settings: Value) -> Option<Live> {
    let app = TestApp::new().await?;
    let creator = Wallet::new(111);
    let fan = Wallet::new(112);
    app.register_creator(&creator.address, json!("everyone"))
        .await;
    let creator_token = creator.login(&app).await;
    let fan_token = fan.login(&app).await;
    let mut body =
        json!({"title": "Friday live", "playback_url": "https://media.example/live/abc.m3u8"});
    body.as_object_mut()
        .unwrap()
        .extend(settings.as_object().unwrap().clone());
    let started = app.post("/streams", Some(&creator_token), body).await;
    assert_eq!(started.status, StatusCode::CREATED, "{}", started.body);
    let stream_id = started.body["stream_id"].as_str().unwrap().to_owned();
    Some(Live {
        app,
        creator,
        creator_token,
        fan_token,
        fan,
        stream_id,
    })
}

impl Live {
    async fn comment(&self, token: &str, body: &str) -> api_support::Reply {
        self.app
            .post(
                &format!("/streams/{}/comments", self.stream_id),
                Some(token),
                json!({"body": body}),
            )
            .await
    }

    fn context(&self) -> String {
        format!("stream:{}", self.stream_id)
    }
}

#[tokio::test]
async fn a_creator_starts_and_ends_one_stream_at_a_time() {
    let Some(live) = live_stream(json!({})).await else {
        return;
    };
    let again = live
        .app
        .post(
            "/streams",
            Some(&live.creator_token),
            json!({"title": "two", "playback_url": "rtmp://x/y"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let by_fan = live
        .app
        .post(
            "/streams",
            Some(&live.fan_token),
            json!({"title": "mine", "playback_url": "rtmp://x/y"}),
        )
        .await;
    assert_eq!(by_fan.status, StatusCode::FORBIDDEN);
    let listed = live
        .app
        .get(
            &format!("/streams?creator={}&live=true", live.creator.address),
            None,
        )
        .await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(listed.body["items"][0]["tip_context"], live.context());

    let end = format!("/streams/{}/end", live.stream_id);
    assert_eq!(
        live.app
            .post(&end, Some(&live.fan_token), json!({}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let ended = live
        .app
        .post(&end, Some(&live.creator_token), json!({}))
        .await;
    assert_eq!(ended.status, StatusCode::OK);
    assert_eq!(ended.body["live"], false);
    assert_eq!(
        live.comment(&live.fan_token, "too late").await.status,
        StatusCode::CONFLICT
    );
    let next = live
        .app
        .post(
            "/streams",
            Some(&live.creator_token),
            json!({"title": "next", "playback_url": "rtmp://x/z"}),
        )
        .await;
    assert_eq!(next.status, StatusCode::CREATED);
}

#[tokio::test]
async fn comments_are_bounded_and_rate_limited() {
    let Some(live) = live_stream(json!({})).await else {
        return;
    };
    assert_eq!(
        live.comment(&live.fan_token, "").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        live.comment(&live.fan_token, &"x".repeat(501)).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        live.comment(&live.fan_token, "two\nlines").await.status,
        StatusCode::BAD_REQUEST
    );
    for i in 0..COMMENT_RATE_LIMIT {
        assert_eq!(
            live.comment(&live.fan_token, &format!("{i}")).await.status,
            StatusCode::CREATED
        );
    }
    let limited = live.comment(&live.fan_token, "more").await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.headers.contains_key("retry-after"));
    assert_eq!(
        live.comment(&live.creator_token, "welcome").await.status,
        StatusCode::CREATED
    );
    let page = live
        .app
        .get(
            &format!("/streams/{}/comments?limit=2", live.stream_id),
            None,
        )
        .await;
    assert_eq!(page.body["items"][0]["body"], "welcome");
    assert_eq!(page.body["items"].as_array().unwrap().len(), 2);
    // Paging on with next_cursor (or its older name, before) reads every comment once.
    let mut bodies: Vec<String> = Vec::new();
    let mut next = None::<String>;
    for parameter in ["cursor", "before"].into_iter().cycle() {
        let query = next.map_or(String::new(), |c| format!("&{parameter}={c}"));
        let page = live
            .app
            .get(
                &format!("/streams/{}/comments?limit=2{query}", live.stream_id),
                None,
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        for item in page.body["items"].as_array().unwrap() {
            bodies.push(item["body"].as_str().unwrap().to_owned());
        }
        match page.body["next_cursor"].as_str() {
            Some(cursor) => next = Some(cursor.to_owned()),
            None => break,
        }
    }
    let mut expected: Vec<String> = (0..COMMENT_RATE_LIMIT)
        .rev()
        .map(|i| i.to_string())
        .collect();
    expected.insert(0, "welcome".into());
    assert_eq!(bodies, expected);
    let bad = live
        .app
        .get(
            &format!("/streams/{}/comments?cursor=nope", live.stream_id),
            None,
        )
        .await;
    assert_eq!(bad.body["error"]["code"], "invalid_cursor");
}

#[tokio::test]
async fn subscribers_only_streams_read_subscriptions_at_the_indexed_block_time() {
    let Some(live) = live_stream(json!({"subscribers_only": true, "min_tier": 2})).await else {
        return;
    };
    live.app.set_chain_time(50, 2_000_000).await;
    let denied = live.comment(&live.fan_token, "hi").await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    // The refusal is the structured answer /can-message gives.
    assert_eq!(denied.body["error"]["code"], "not_qualified");
    assert_eq!(
        denied.body["error"]["refusal"]["qualify"],
        json!({"subscribe": {"min_tier": 2}})
    );
    assert_eq!(
        live.comment(&live.creator_token, "subs only tonight")
            .await
            .status,
        StatusCode::CREATED
    );

    live.app
        .add_subscription(&live.creator.address, &live.fan.address, 1, 2_000_500)
        .await;
    assert_eq!(
        live.comment(&live.fan_token, "tier 1?").await.status,
        StatusCode::FORBIDDEN
    );
    sqlx::query("UPDATE subscriptions SET tier = 2")
        .execute(&live.app.pool)
        .await
        .unwrap();
    assert_eq!(
        live.comment(&live.fan_token, "tier 2!").await.status,
        StatusCode::CREATED
    );
    // Past the expiry in block time (whatever the wall clock says): denied again.
    live.app.set_chain_time(51, 2_000_500).await;
    assert_eq!(
        live.comment(&live.fan_token, "still?").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_summary_totals_tips_ranks_tippers_and_counts_viewers() {
    let Some(live) = live_stream(json!({})).await else {
        return;
    };
    let ctx = live.context();
    let creator = live.creator.address.clone();
    let (a, b, c) = (
        Wallet::new(113).address,
        Wallet::new(114).address,
        Wallet::new(115).address,
    );
    live.app
        .add_tip(
            (10, 0),
            &creator,
            &a,
            "native:uusdc",
            300,
            &ctx,
            Some("gm"),
            false,
        )
        .await;
    live.app
        .add_tip(
            (11, 0),
            &creator,
            &b,
            "native:uusdc",
            200,
            &ctx,
            None,
            false,
        )
        .await;
    live.app
        .add_tip(
            (12, 0),
            &creator,
            &b,
            "native:uusdc",
            100,
            &ctx,
            None,
            false,
        )
        .await;
    live.app
        .add_tip((12, 1), &creator, &c, "native:uusdc", 500, &ctx, None, true)
        .await;
    live.app
        .add_tip((13, 0), &creator, &c, "native:uatom", 7, &ctx, None, false)
        .await;
    // Same context, another creator: not this stream's.
    live.app
        .add_tip((14, 0), &a, &b, "native:uusdc", 999, &ctx, None, false)
        .await;
    live.comment(&live.fan_token, "great show").await;

    // Viewers are clients, not connections: two from one address count once.
    let watch = |ip: &str| {
        let uri = format!("/streams/{}/events", live.stream_id);
        let request = api_support::request(Method::GET, &uri, None, None);
        live.app.sse_request(api_support::from_peer(request, ip))
    };
    let first = watch("192.0.2.1").await;
    let second = watch("192.0.2.2").await;
    let second_again = watch("192.0.2.2").await;
    let summary = live
        .app
        .get(&format!("/streams/{}/summary", live.stream_id), None)
        .await;
    assert_eq!(summary.status, StatusCode::OK);
    let s = &summary.body;
    assert_eq!(
        s["totals"],
        json!([{"asset": "native:uatom", "total": "7", "tips": 1}, {"asset": "native:uusdc", "total": "1100", "tips": 4}])
    );
    // a and b both gave 300 uusdc; a reached it first. c's uusdc tip was anonymous.
    let top: Vec<(String, String)> = s["top_tippers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["asset"].as_str().unwrap().to_owned(),
                t["fan"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        top,
        [
            ("native:uatom".into(), c.clone()),
            ("native:uusdc".into(), a.clone()),
            ("native:uusdc".into(), b.clone())
        ]
    );
    assert_eq!(s["comment_count"], 1);
    assert_eq!(s["viewers_now"], 2);
    assert_eq!(s["peak_viewers"], 2);
    drop((first, second, second_again));
    let later = live
        .app
        .get(&format!("/streams/{}/summary", live.stream_id), None)
        .await;
    assert_eq!(later.body["viewers_now"], 0);
    assert_eq!(later.body["peak_viewers"], 2);
}

#[tokio::test]
async fn the_live_feed_carries_comments_tips_and_the_end() {
    let Some(live) = live_stream(json!({})).await else {
        return;
    };
    let ctx = live.context();
    let creator = live.creator.address.clone();
    let fan = live.fan.address.clone();
    let uri = format!("/streams/{}/events", live.stream_id);
    let mut feed = live.app.sse(&uri, None, None).await;

    live.comment(&live.fan_token, "hello stream").await;
    let comment = feed.next(Duration::from_secs(10)).await.expect("comment");
    assert_eq!(comment.event, "comment");
    assert_eq!(comment.data["body"], "hello stream");

    live.app
        .add_tip(
            (20, 3),
            &creator,
            &fan,
            "native:uusdc",
            42,
            &ctx,
            Some("for the song"),
            false,
        )
        .await;
    let tip = feed.next(Duration::from_secs(10)).await.expect("tip");
    assert_eq!(tip.event, "tip");
    assert_eq!(tip.data["message"], "for the song");
    assert_eq!(tip.data["amount"], "42");
    assert_eq!(tip.data["fan"], fan.as_str());
    assert_eq!(tip.data["position"], "20-3");
    assert_eq!(tip.data["tx_hash"], "ABCD");
    let resume_at = tip.id.clone().unwrap();

    live.app
        .add_tip((21, 0), &creator, &fan, "native:uusdc", 1, &ctx, None, true)
        .await;
    let anonymous = feed
        .next(Duration::from_secs(10))
        .await
        .expect("anonymous tip");
    assert_eq!(anonymous.data["fan"], Value::Null);
    assert_eq!(
        anonymous.data["tx_hash"],
        Value::Null,
        "the transaction names the fan"
    );
    drop(feed);

    // Reconnecting after the first tip replays what followed, then the end.
    live.app
        .post(
            &format!("/streams/{}/end", live.stream_id),
            Some(&live.creator_token),
            json!({}),
        )
        .await;
    let mut resumed = live.app.sse(&uri, None, Some(&resume_at)).await;
    let replayed = resumed
        .next(Duration::from_secs(10))
        .await
        .expect("replayed tip");
    assert_eq!(replayed.data["position"], "21-0");
    let end = resumed.next(Duration::from_secs(10)).await.expect("ended");
    assert_eq!(end.event, "ended");
    assert!(resumed.next(Duration::from_millis(300)).await.is_none());

    let bad = live
        .app
        .send({
            let mut r = api_support::request(axum::http::Method::GET, &uri, None, None);
            r.headers_mut()
                .insert("last-event-id", "garbage".parse().unwrap());
            r
        })
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn comments_committed_out_of_id_order_all_reach_the_feed() {
    let Some(live) = live_stream(json!({})).await else {
        return;
    };
    let uri = format!("/streams/{}/events", live.stream_id);
    let mut feed = live.app.sse(&uri, None, None).await;
    let insert = |body: &str| {
        format!(
            "INSERT INTO stream_comments (stream_id, author, body) VALUES ('{}', '{}', '{body}')",
            live.stream_id, live.fan.address
        )
    };
    let mut seen = Vec::new();
    let writers =
        api_support::insert_out_of_order(&live.app.pool, &insert("first"), &insert("second")).await;
    if writers.second_committed {
        // The feed has sent the second (larger) id before the first commits.
        let event = feed.next(Duration::from_secs(10)).await.expect("second");
        seen.push(event.data["body"].as_str().unwrap().to_owned());
    }
    writers.finish().await;
    live.comment(&live.fan_token, "third").await;
    while let Some(event) = feed.next(Duration::from_secs(10)).await {
        let body = event.data["body"].as_str().unwrap().to_owned();
        seen.push(body.clone());
        if body == "third" {
            break;
        }
    }
    assert_eq!(seen, ["first", "second", "third"]);
}

#[tokio::test]
async fn a_comment_racing_the_end_reaches_the_feed_before_ended() {
    let Some(live) = live_stream(json!({})).await else {
        return;
    };
    let uri = format!("/streams/{}/events", live.stream_id);
    let mut feed = live.app.sse(&uri, None, None).await;
    // The comment is inserted first and commits last: the end waits for it.
    let writers = api_support::insert_out_of_order(
        &live.app.pool,
        &format!(
            "INSERT INTO stream_comments (stream_id, author, body) VALUES ('{}', '{}', 'last words')",
            live.stream_id, live.fan.address
        ),
        &format!(
            "UPDATE streams SET ended_at = now() WHERE stream_id = '{}'",
            live.stream_id
        ),
    )
    .await;
    if writers.second_committed {
        let event = feed.next(Duration::from_secs(10)).await.expect("ended");
        assert_eq!(event.event, "ended");
    }
    writers.finish().await;
    let mut events = Vec::new();
    while let Some(event) = feed.next(Duration::from_secs(10)).await {
        events.push(event.event.clone());
    }
    assert_eq!(events, ["comment", "ended"]);
}
