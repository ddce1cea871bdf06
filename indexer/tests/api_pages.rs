//! The read routes a frontend renders its pages from, over HTTP against PostgreSQL, on what the
//! real contracts emitted (cw-multi-test): the creators list and a creator page with its
//! off-chain profile, tiers, catalog, surprise listings and holdings, auctions with bids and
//! meetings. Every list has the one page shape and every answer its height.

mod indexed;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use cosmwasm_std::{coins, Addr, Uint128};
use indexed::Indexed;
use mesi_common::chat_rule::ChatRule;
use mesi_common::events::meetings::MeetingFormat;
use mesi_common::AssetInfo;
use mesi_multitest::{meetings_msg, surprises_msg, Suite, DAY, USDC};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// A wallet session for `address`, as a login would leave it.
async fn session(indexed: &Indexed, address: &Addr) -> String {
    let token = format!("test-session-{}", fastrand::u64(..));
    sqlx::query(
        "INSERT INTO auth_sessions (token_hash, address, expires_at) VALUES ($1, $2, now() + interval '1 hour')",
    )
    .bind(Sha256::digest(token.as_bytes()).to_vec())
    .bind(address.as_str())
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
) -> (StatusCode, Value) {
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
    let (status, text) = indexed.request(request.body(body).unwrap()).await;
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn field<'a>(page: &'a Value, name: &str) -> Vec<&'a Value> {
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("not a page: {page}"))
        .iter()
        .map(|item| &item[name])
        .collect()
}

fn error_code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or_default()
}

/// Every item of a list, read page by page with `limit`.
async fn all_pages(indexed: &Indexed, path: &str, limit: u32) -> Vec<Value> {
    let separator = if path.contains('?') { '&' } else { '?' };
    let mut items = Vec::new();
    let mut url = format!("{path}{separator}limit={limit}");
    for _ in 0..100 {
        let page = indexed.get_json(&url).await;
        assert_eq!(page["height"], json!(indexed.height), "{url}");
        let got = page["items"].as_array().unwrap();
        assert!(got.len() <= limit as usize);
        items.extend(got.iter().cloned());
        match page["next_cursor"].as_str() {
            Some(cursor) => url = format!("{path}{separator}limit={limit}&cursor={cursor}"),
            None => return items,
        }
    }
    panic!("{path} never ended");
}

struct Marketplace {
    suite: Suite,
    indexed: Indexed,
    ada: Addr,
    bob: Addr,
    fan: Addr,
    other_fan: Addr,
    token_id: String,
    open_auction: u64,
    sold_auction: u64,
}

/// Ada (chat for tier-2 subscribers or tippers), Bob (anyone) and Cyd (deactivated); a fan
/// tips Ada, subscribes to her tier 2, buys her clip, holds and lists one of her surprises,
/// and buys one of her meetings outright; another fan bids on her other auction.
async fn marketplace() -> Option<Marketplace> {
    let mut suite = Suite::new();
    let indexed = Indexed::new(Indexed::suite_contracts(&suite)).await?;
    let usdc = AssetInfo::native(USDC);
    let rule = ChatRule::Any {
        rules: vec![
            ChatRule::Subscriber { min_tier: 2 },
            ChatRule::TippedAtLeast {
                asset: usdc.clone(),
                amount: Uint128::new(9_000_000),
            },
        ],
    };
    let ada = suite.register_creator("ada", rule);
    let bob = suite.register_creator("bob", ChatRule::Everyone);
    let cyd = suite.register_creator("cyd", ChatRule::Everyone);
    let creators = suite.creators.clone();
    suite
        .execute(
            &cyd,
            &creators,
            &mesi_multitest::creators_msg::ExecuteMsg::DeactivateCreator {},
            &[],
        )
        .unwrap();
    let fan = suite.addr("fan");
    let other_fan = suite.addr("other-fan");
    suite.fund(&fan);
    suite.fund(&other_fan);

    suite.tip(&fan, &bob, 1_000_000).unwrap();
    suite.advance(60);
    suite.create_tier(&ada, 1, 2_000_000);
    suite.create_tier(&ada, 2, 5_000_000);
    suite.subscribe(&fan, &ada, 2, 5_000_000).unwrap();
    suite.list_item(&ada, "clip", 3_000_000, Some(2));
    suite.list_item(&ada, "album", 7_000_000, None);
    suite.buy_item(&fan, &ada, "clip", 3_000_000).unwrap();
    let token_id = suite.mint_surprise(&ada, "one", &fan, b"a song", [7; 32]);
    let surprises = suite.surprises.clone();
    suite
        .execute(
            &fan,
            &surprises,
            &surprises_msg::ExecuteMsg::List {
                token_id: token_id.clone(),
                asset: usdc.clone(),
                price: Uint128::new(4_000_000),
                expires_at: None,
            },
            &[],
        )
        .unwrap();

    let meetings = suite.meetings.clone();
    let mut auction_ids = Vec::new();
    for (days, buy_now) in [(10, None), (20, Some(50_000_000))] {
        let start = suite.now().plus_seconds(days * DAY);
        let auction = meetings_msg::AuctionInput {
            slot: meetings_msg::Slot {
                start,
                duration_secs: 1800,
                time_zone: "Europe/Paris".into(),
            },
            format: MeetingFormat::Video,
            description: format!("A call in {days} days"),
            asset: usdc.clone(),
            reserve: Uint128::new(1_000_000),
            min_increment_bps: 500,
            bidding_ends_at: start.minus_seconds(DAY),
            extension_secs: 0,
            buy_now: buy_now.map(Uint128::new),
        };
        let response = suite
            .execute(
                &ada,
                &meetings,
                &meetings_msg::ExecuteMsg::OpenAuction { auction },
                &[],
            )
            .unwrap();
        let id = response
            .events
            .iter()
            .flat_map(|e| &e.attributes)
            .find(|a| a.key == "auction_id")
            .unwrap()
            .value
            .parse()
            .unwrap();
        auction_ids.push(id);
    }
    let (open_auction, sold_auction) = (auction_ids[0], auction_ids[1]);
    suite
        .execute(
            &other_fan,
            &meetings,
            &meetings_msg::ExecuteMsg::Bid {
                auction_id: open_auction,
            },
            &coins(2_000_000, USDC),
        )
        .unwrap();
    suite
        .execute(
            &fan,
            &meetings,
            &meetings_msg::ExecuteMsg::Bid {
                auction_id: sold_auction,
            },
            &coins(50_000_000, USDC),
        )
        .unwrap();
    let mut market = Marketplace {
        suite,
        indexed,
        ada,
        bob,
        fan,
        other_fan,
        token_id,
        open_auction,
        sold_auction,
    };
    market.indexed.sync(&market.suite).await;
    Some(market)
}

#[tokio::test]
async fn creators_list_searches_sorts_and_pages() {
    let Some(m) = marketplace().await else { return };
    let indexed = &m.indexed;

    // Newest activity first: Ada (her auctions), then Bob (a tip); Cyd is deactivated.
    let page = indexed.get_json("/creators").await;
    assert_eq!(field(&page, "display_name"), ["ada", "bob"]);
    assert_eq!(page["height"], json!(indexed.height));
    assert_eq!(page["next_cursor"], Value::Null);
    let by_name = all_pages(indexed, "/creators?sort=name", 1).await;
    let names: Vec<_> = by_name.iter().map(|c| c["display_name"].clone()).collect();
    assert_eq!(names, [json!("ada"), json!("bob")]);
    let recent = all_pages(indexed, "/creators", 1).await;
    assert_eq!(recent[0]["address"], json!(m.ada.as_str()));
    assert_eq!(recent[1]["address"], json!(m.bob.as_str()));

    // Search is on display names, in any case; wildcards are literal.
    let found = indexed.get_json("/creators?q=AD").await;
    assert_eq!(field(&found, "display_name"), ["ada"]);
    let none = indexed.get_json("/creators?q=%25").await;
    assert!(none["items"].as_array().unwrap().is_empty());

    // A cursor belongs to its order; bad input says what was wrong.
    let first = indexed.get_json("/creators?limit=1").await;
    let cursor = first["next_cursor"].as_str().unwrap();
    for (path, code) in [
        (
            format!("/creators?sort=name&cursor={cursor}"),
            "invalid_cursor",
        ),
        ("/creators?cursor=nonsense".to_string(), "invalid_cursor"),
        (format!("/creators?q={}", "a".repeat(65)), "invalid_search"),
        ("/creators?limit=0".to_string(), "invalid_limit"),
        ("/creators?sort=loudest".to_string(), "invalid_query"),
    ] {
        let (status, body) = send(indexed, Method::GET, &path, None, None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
        assert_eq!(error_code(&body), code, "{path}");
    }
    // `before` is the old name of `cursor`.
    let second = indexed
        .get_json(&format!("/creators?limit=1&before={cursor}"))
        .await;
    assert_eq!(field(&second, "display_name"), ["bob"]);
}

#[tokio::test]
async fn a_creator_page_and_the_profile_the_creator_sets() {
    let Some(m) = marketplace().await else { return };
    let indexed = &m.indexed;
    let path = format!("/creators/{}", m.ada);

    let ada = indexed.get_json(&path).await;
    assert_eq!(ada["height"], json!(indexed.height));
    assert_eq!(ada["display_name"], "ada");
    assert_eq!(ada["active"], true);
    assert_eq!(
        ada["chat_rule"]["any"]["rules"][0]["subscriber"]["min_tier"],
        2
    );
    assert_eq!(
        ada["chat_rule_text"],
        "(subscribers at tier 2 or higher, or fans who tipped at least 9000000 native:uusdc)"
    );
    assert_eq!(ada["profile"]["bio"], Value::Null);
    assert_eq!(ada["profile"]["links"], json!([]));

    let (status, body) = send(
        indexed,
        Method::GET,
        &format!("/creators/{}", m.fan),
        None,
        None,
    )
    .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::NOT_FOUND, "not_found")
    );

    let profile = json!({
        "bio": "Songs, mostly.\nSome talk.",
        "avatar_url": "https://cdn.example.com/ada.png",
        "links": [{"label": "Site", "url": "https://ada.example.com"}],
    });
    let put = format!("{path}/profile");
    let (status, _) = send(indexed, Method::PUT, &put, None, Some(profile.clone())).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let fan = session(indexed, &m.fan).await;
    let (status, _) = send(
        indexed,
        Method::PUT,
        &put,
        Some(&fan),
        Some(profile.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let own = session(indexed, &m.ada).await;
    for bad in [
        json!({"avatar_url": "javascript:alert(1)"}),
        json!({"banner_url": "http://plain.example.com/b.png"}),
        json!({"bio": "x".repeat(2001)}),
        json!({"links": [{"label": "", "url": "https://a.example.com"}]}),
        json!({"nickname": "ada"}),
    ] {
        let (status, body) = send(indexed, Method::PUT, &put, Some(&own), Some(bad.clone())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }
    let (status, body) = send(indexed, Method::PUT, &put, Some(&own), Some(profile)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["profile"]["bio"], "Songs, mostly.\nSome talk.");
    let shown = indexed.get_json(&path).await;
    assert_eq!(
        shown["profile"]["avatar_url"],
        "https://cdn.example.com/ada.png"
    );
    assert_eq!(
        shown["profile"]["links"][0]["url"], "https://ada.example.com",
        "kept as written"
    );
    assert!(shown["profile"]["updated_at"].is_string());
    // The creators list shows it too.
    let list = indexed.get_json("/creators?q=ada").await;
    assert_eq!(
        list["items"][0]["profile"]["bio"],
        "Songs, mostly.\nSome talk."
    );

    // A bare PUT clears every field.
    let (status, body) = send(indexed, Method::PUT, &put, Some(&own), Some(json!({}))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["profile"]["avatar_url"], Value::Null);
}

#[tokio::test]
async fn tiers_catalog_and_a_fans_subscriptions_and_purchases() {
    let Some(m) = marketplace().await else { return };
    let indexed = &m.indexed;

    let tiers = indexed
        .get_json(&format!("/creators/{}/tiers", m.ada))
        .await;
    assert_eq!(field(&tiers, "tier"), [1, 2]);
    assert_eq!(field(&tiers, "subscribers"), [0, 1]);
    assert_eq!(field(&tiers, "price"), ["2000000", "5000000"]);
    assert_eq!(tiers["items"][1]["seats_left"], Value::Null);
    assert_eq!(tiers["height"], json!(indexed.height));
    let paged = all_pages(indexed, &format!("/creators/{}/tiers", m.ada), 1).await;
    assert_eq!(paged.len(), 2);

    let subs = indexed
        .get_json(&format!("/fans/{}/subscriptions", m.fan))
        .await;
    assert_eq!(field(&subs, "creator"), [m.ada.as_str()]);
    assert_eq!(subs["items"][0]["tier_name"], "Tier 2");
    assert_eq!(subs["items"][0]["active"], true);
    assert_eq!(subs["items"][0]["auto_renew"], false);

    let catalog = indexed.get_json(&format!("/creators/{}/ppv", m.ada)).await;
    assert_eq!(field(&catalog, "content_id"), ["album", "clip"]);
    assert_eq!(field(&catalog, "buyers"), [0, 1]);
    assert_eq!(catalog["items"][1]["free_for_tier"], 2);
    assert_eq!(catalog["items"][1]["on_sale"], true);

    // Purchases are the fan's to see.
    let purchases = format!("/fans/{}/purchases", m.fan);
    let (status, _) = send(indexed, Method::GET, &purchases, None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let other = session(indexed, &m.other_fan).await;
    let (status, _) = send(indexed, Method::GET, &purchases, Some(&other), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let own = session(indexed, &m.fan).await;
    let (status, body) = send(indexed, Method::GET, &purchases, Some(&own), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(field(&body, "content_id"), ["clip"]);
    assert_eq!(body["items"][0]["price"], "3000000");
    assert_eq!(body["height"], json!(indexed.height));
}

#[tokio::test]
async fn surprise_listings_tokens_and_holdings() {
    let Some(mut m) = marketplace().await else {
        return;
    };

    let listings = m.indexed.get_json("/listings").await;
    assert_eq!(field(&listings, "token_id"), [m.token_id.as_str()]);
    let listing = &listings["items"][0];
    assert_eq!(listing["listing"]["price"], "4000000");
    assert_eq!(listing["listing"]["seller"], json!(m.fan.as_str()));
    assert_eq!(listing["hints"], json!(["it is short"]));
    assert_eq!(listing["state"], "sealed");
    let by_price = m
        .indexed
        .get_json(&format!(
            "/listings?sort=price&asset=native:{USDC}&creator={}",
            m.ada
        ))
        .await;
    assert_eq!(field(&by_price, "token_id"), [m.token_id.as_str()]);
    let of_bob = m
        .indexed
        .get_json(&format!("/listings?creator={}", m.bob))
        .await;
    assert!(of_bob["items"].as_array().unwrap().is_empty());
    let (status, body) = send(&m.indexed, Method::GET, "/listings?asset=gold", None, None).await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::BAD_REQUEST, "invalid_asset")
    );

    let token = m
        .indexed
        .get_json(&format!("/surprises/{}", m.token_id))
        .await;
    assert_eq!(token["owner"], json!(m.fan.as_str()));
    assert_eq!(token["creator"], json!(m.ada.as_str()));
    assert_eq!(token["royalty_bps"], 500);
    assert_eq!(token["height"], json!(m.indexed.height));
    let (status, _) = send(
        &m.indexed,
        Method::GET,
        "/surprises/nothing-here",
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let held = m
        .indexed
        .get_json(&format!("/fans/{}/surprises", m.fan))
        .await;
    assert_eq!(field(&held, "token_id"), [m.token_id.as_str()]);

    // Once given away the token leaves the listings (a transfer ends the listing) and moves
    // to the new holder.
    let (fan, other) = (m.fan.clone(), m.other_fan.clone());
    m.suite
        .transfer_surprise(&fan, &m.token_id, &other)
        .unwrap();
    m.indexed.sync(&m.suite).await;
    let held = m
        .indexed
        .get_json(&format!("/fans/{}/surprises", m.other_fan))
        .await;
    assert_eq!(field(&held, "token_id"), [m.token_id.as_str()]);
    let listings = m.indexed.get_json("/listings").await;
    assert!(
        listings["items"].as_array().unwrap().is_empty(),
        "{listings}"
    );
}

#[tokio::test]
async fn auctions_bids_and_meetings() {
    let Some(m) = marketplace().await else { return };
    let indexed = &m.indexed;
    let (open, sold) = (m.open_auction.to_string(), m.sold_auction.to_string());

    let auctions = indexed.get_json("/auctions").await;
    assert_eq!(field(&auctions, "auction_id"), [open.as_str()]);
    assert_eq!(auctions["items"][0]["top_bid"], "2000000");
    assert_eq!(auctions["items"][0]["state"], "open");
    let sold_list = indexed.get_json("/auctions?state=sold").await;
    assert_eq!(field(&sold_list, "auction_id"), [sold.as_str()]);
    let all = all_pages(
        indexed,
        &format!("/auctions?state=any&creator={}", m.ada),
        1,
    )
    .await;
    assert_eq!(all.len(), 2);
    let recent = indexed.get_json("/auctions?state=any&sort=recent").await;
    assert_eq!(field(&recent, "auction_id"), [sold.as_str(), open.as_str()]);

    let auction = indexed.get_json(&format!("/auctions/{open}")).await;
    assert_eq!(auction["creator"], json!(m.ada.as_str()));
    assert_eq!(auction["bids"][0]["bidder"], json!(m.other_fan.as_str()));
    assert_eq!(auction["bids"][0]["amount"], "2000000");
    assert_eq!(auction["height"], json!(indexed.height));
    let bids = indexed.get_json(&format!("/auctions/{open}/bids")).await;
    assert_eq!(field(&bids, "bid_seq"), [1]);
    for path in ["/auctions/12x", "/meetings/-1"] {
        let (status, body) = send(indexed, Method::GET, path, None, None).await;
        assert_eq!(
            (status, error_code(&body)),
            (StatusCode::BAD_REQUEST, "invalid_id"),
            "{path}"
        );
    }
    let (status, _) = send(indexed, Method::GET, "/auctions/999", None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The bought meeting: public state for anyone, the whole of it for its fan and creator.
    let public = indexed.get_json(&format!("/meetings/{sold}")).await;
    assert_eq!(public["status"], "scheduled");
    assert_eq!(public["creator"], json!(m.ada.as_str()));
    assert!(
        public.get("fan").is_none() && public.get("escrow").is_none(),
        "{public}"
    );

    let fan_meetings = format!("/fans/{}/meetings", m.fan);
    let (status, _) = send(indexed, Method::GET, &fan_meetings, None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let ada = session(indexed, &m.ada).await;
    let (status, _) = send(indexed, Method::GET, &fan_meetings, Some(&ada), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let fan = session(indexed, &m.fan).await;
    let (status, body) = send(indexed, Method::GET, &fan_meetings, Some(&fan), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(field(&body, "meeting_id"), [sold.as_str()]);
    assert_eq!(body["items"][0]["escrow"], "50000000");
    assert_eq!(body["items"][0]["asset"], json!(format!("native:{USDC}")));
    let (status, body) = send(
        indexed,
        Method::GET,
        &format!("/creators/{}/meetings?upcoming=true", m.ada),
        Some(&ada),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(field(&body, "fan"), [m.fan.as_str()]);
}

#[tokio::test]
async fn every_feed_item_matches_the_schema_of_its_kind() {
    let Some(m) = marketplace().await else { return };
    let kinds = m.indexed.assert_feed_matches_openapi().await;
    // The marketplace has subscriptions, sales, surprises and auctions.
    for kind in [
        "subscription",
        "ppv_purchase",
        "surprise_mint",
        "meeting_bid",
    ] {
        assert!(kinds.contains(kind), "{kind} not in the feed: {kinds:?}");
    }
}
