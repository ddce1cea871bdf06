//! The demo day end to end, on the devnet and on a real wasmd node: the chain runs the
//! optimized artifacts and serves CometBFT RPC, wallets sign every transaction, the indexer
//! ingests over that RPC into PostgreSQL, and the API answers what a frontend asks: feeds, gating decisions with their reasons, leaderboards,
//! access checks, goals and the calendar.

use cosmwasm_std::Timestamp;
use mesi_demo::api::Api;
use mesi_demo::chain::Chain;
use mesi_demo::scenario::{ACCOUNTS_NEEDED, USDC};
use mesi_demo::{example_requests, seed, Demo};
use mesi_devnet::deploy::default_artifacts_dir;
use mesi_devnet::devnet::{BlockClock, BlockProduction, Devnet, DevnetInfo, DevnetOptions};
use mesi_devnet::keys::DEV_MNEMONIC;
use mesi_devnet::node::NodeConfig;
use mesi_devnet::rpc::Background;
use mesi_devnet::wasmd::Wasmd;
use mesi_indexer::testkit::{Follower, TestDb};
use serde_json::Value;

/// 2026-03-02T09:00:00Z.
const GENESIS_SECONDS: u64 = 1_772_442_000;

fn devnet() -> Background {
    let options = DevnetOptions {
        node: NodeConfig {
            chain_id: "mesi-demo-1".into(),
            bech32_prefix: "wasm".into(),
            fee_denom: "ustake".into(),
            min_gas_price: "0.0025".parse().unwrap(),
            genesis_time_nanos: GENESIS_SECONDS * 1_000_000_000,
            cache_dir: None,
        },
        mnemonic: DEV_MNEMONIC.into(),
        accounts: ACCOUNTS_NEEDED as u32,
        stable_denom: "uusdc".into(),
        native_balance: 1_000_000_000_000,
        mesi_balance: 1_000_000_000_000,
        artifacts: default_artifacts_dir(),
        deploy: true,
        production: BlockProduction::OnDemand,
        clock: BlockClock::Fixed(5),
    };
    assert!(
        options.artifacts.join("mesi_creators.wasm").exists(),
        "no artifacts in {}: run scripts/build-wasm and scripts/build-anchors --if-missing",
        options.artifacts.display()
    );
    let devnet = Devnet::start(options).expect("the devnet starts");
    Background::start(devnet, "127.0.0.1:0".parse().unwrap()).expect("the devnet is served")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_day_through_devnet_rpc_indexer_and_api() {
    let Some(db) = TestDb::create().await else {
        return;
    };
    let devnet = tokio::task::spawn_blocking(devnet).await.unwrap();
    let rpc = devnet.url.clone();
    let info = devnet.devnet.info().clone();
    run_demo(
        &db,
        &devnet.url,
        move || Chain::connect(&rpc).unwrap(),
        &info,
    )
    .await;
}

/// The same day on a real wasmd node: real signed transactions in its blocks, the indexer
/// following its RPC and websocket. Ava's auction runs in real time (about a minute and a
/// half); Ben's meeting is not held, which would take two hours (the devnet test covers it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_day_on_wasmd() {
    let Some(db) = TestDb::create().await else {
        return;
    };
    let Some(wasmd) = Wasmd::start_or_skip(ACCOUNTS_NEEDED as u32) else {
        return;
    };
    let wasmd = std::sync::Arc::new(wasmd);
    let chain = wasmd.clone();
    let info = tokio::task::spawn_blocking(move || chain.deploy())
        .await
        .unwrap()
        .expect("the suite deploys to wasmd");
    let (rpc, described) = (wasmd.rpc.clone(), info.clone());
    run_demo(
        &db,
        &wasmd.rpc,
        move || Chain::connect_described(&rpc, described).unwrap(),
        &info,
    )
    .await;
}

/// The indexer follows the chain at `rpc` and serves the API, as `mesi-indexer run` does; the
/// demo is seeded through `connect`'s chain and that API, then checked.
async fn run_demo(
    db: &TestDb,
    rpc: &str,
    connect: impl FnOnce() -> Chain + Send + 'static,
    info: &DevnetInfo,
) {
    let contracts = info.deployment.as_ref().unwrap().contracts.indexer_kinds();
    let indexer = Follower::start(
        rpc,
        &db.url,
        contracts
            .iter()
            .map(|(address, kind)| format!("{address}={kind}")),
    )
    .await
    .unwrap();
    let api_url = indexer.api_url.clone();

    tokio::task::spawn_blocking(move || {
        let chain = connect();
        let api = Api::new(&api_url).unwrap();
        let demo = seed(&chain, &api).unwrap();
        check(&api, &demo);
    })
    .await
    .unwrap();

    assert!(indexer.is_running(), "the indexer stopped");
}

fn check(api: &Api, demo: &Demo) {
    let fan = |i: usize| demo.fans[i].as_str();

    // Feeds: Ava's has every kind of thing that happened to her, newest first.
    let feed = api
        .get(&format!("/creators/{}/feed?limit=100", demo.ava))
        .unwrap();
    let items = feed["items"].as_array().unwrap();
    let kinds: Vec<&str> = items.iter().map(|i| i["kind"].as_str().unwrap()).collect();
    for kind in [
        "tip",
        "subscription",
        "ppv_purchase",
        "meeting_auction",
        "meeting_bid",
        "meeting_auction_settled",
        "meeting",
    ] {
        assert!(kinds.contains(&kind), "no {kind} in Ava's feed: {kinds:?}");
    }
    let positions: Vec<(i64, i64)> = items.iter().map(|i| position(&i["id"])).collect();
    assert!(positions.windows(2).all(|w| w[0] > w[1]), "newest first");
    let lighthouse = items
        .iter()
        .find(|i| i["data"]["message"] == "Play the one about the lighthouse!")
        .expect("the first stream tip, with its message");
    assert_eq!(lighthouse["fan"], fan(0));
    assert_eq!(lighthouse["data"]["amount"], (12 * USDC).to_string());
    assert_eq!(
        lighthouse["data"]["context"],
        format!("stream:{}", demo.stream_id)
    );
    let anonymous = items
        .iter()
        .find(|i| i["data"]["message"] == "For the new mic")
        .expect("the anonymous tip");
    assert!(anonymous.get("fan").is_none_or(Value::is_null));
    // 9 stream tips and the refused fan's tip; 8 subscriptions and a trial.
    let count = |kind: &str| kinds.iter().filter(|k| **k == kind).count();
    assert_eq!(count("tip"), 10);
    assert_eq!(count("subscription"), 9);
    assert_eq!(count("ppv_purchase"), 4);
    assert_eq!(count("meeting_bid"), 4);

    // Ben's feed: the surprise's whole life, and the CW20 tip.
    let ben = api
        .get(&format!("/creators/{}/feed?limit=100", demo.ben))
        .unwrap();
    let ben_kinds: Vec<&str> = ben["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    for kind in [
        "surprise_mint",
        "surprise_listing",
        "surprise_sale",
        "surprise_unlock",
        "surprise_reveal",
        "meeting",
    ] {
        assert!(
            ben_kinds.contains(&kind),
            "no {kind} in Ben's feed: {ben_kinds:?}"
        );
    }
    let sales = api.get("/feed?kind=surprise_sale&limit=10").unwrap();
    let sales = sales["items"].as_array().unwrap();
    assert_eq!(sales.len(), 2);
    assert_eq!(sales[0]["fan"], demo.revealed_surprise_owner);
    assert_eq!(sales[0]["counterparty"], fan(6));
    let mesi_tip = ben["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "tip" && i["data"]["asset"].as_str().unwrap().starts_with("cw20:"))
        .expect("the MESI tip");
    assert_eq!(mesi_tip["fan"], fan(10));

    // Gating: the subscriber may message Ava; the small tipper may not, and learns what to do.
    let allowed = api
        .get(&format!(
            "/can-message?creator={}&fan={}",
            demo.ava, demo.allowed_fan
        ))
        .unwrap();
    assert_eq!(allowed["allowed"], true, "{allowed}");
    assert!(
        allowed["decided_by"]
            .as_str()
            .unwrap()
            .contains("subscriber"),
        "{allowed}"
    );
    let refused = api
        .get(&format!(
            "/can-message?creator={}&fan={}",
            demo.ava, demo.refused_fan
        ))
        .unwrap();
    assert_eq!(refused["allowed"], false, "{refused}");
    let qualify = refused["qualify"].to_string();
    assert!(qualify.contains("subscribe"), "{refused}");
    // Tipped 1 of the 10 the rule asks for: 9 more would do.
    assert!(qualify.contains(&(9 * USDC).to_string()), "{refused}");
    let hint = refused["hint"].as_str().unwrap();
    assert!(
        demo.refused_reason.contains(hint),
        "{} vs {hint}",
        demo.refused_reason
    );
    // Ben's rule lets a surprise holder in.
    let holder = api
        .get(&format!(
            "/can-message?creator={}&fan={}",
            demo.ben,
            fan(11)
        ))
        .unwrap();
    assert_eq!(holder["allowed"], true, "{holder}");

    // Leaderboards: the stream's public tippers by amount, ties to whoever got there first.
    let board = api
        .get(&format!(
            "/streams/{}/leaderboard?asset={}",
            demo.stream_id, demo.stable_asset
        ))
        .unwrap();
    let ranked: Vec<(&str, String)> = board["tippers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["fan"].as_str().unwrap(),
                e["total"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected: Vec<(&str, String)> =
        [(12, 20), (0, 12), (1, 12), (3, 9), (5, 8), (16, 4), (15, 1)]
            .iter()
            .map(|&(i, usdc)| (fan(i), (usdc * USDC).to_string()))
            .collect();
    assert_eq!(ranked, expected);

    let summary = api
        .get(&format!("/streams/{}/summary", demo.stream_id))
        .unwrap();
    assert_eq!(
        summary["totals"][0]["total"],
        (68 * USDC).to_string(),
        "{summary}"
    );
    assert_eq!(summary["totals"][0]["tips"], 9);
    assert_eq!(summary["comment_count"], 1);
    assert_eq!(summary["stream"]["live"], false);
    let goals = api.get(&format!("/creators/{}/goals", demo.ava)).unwrap();
    let goal = &goals["items"].as_array().unwrap()[0];
    assert_eq!(goal["id"], demo.goal_id);
    assert_eq!(goal["raised"], (68 * USDC).to_string(), "{goal}");
    assert_eq!(goal["percent"], 68);

    // Access: bought, through the tier, a trial below the tier, the revealed surprise.
    let access = |viewer: &str, resource: String| {
        api.get(&format!("{resource}/access?viewer={viewer}"))
            .unwrap()
    };
    let content = format!("/creators/{}/ppv/{}", demo.ava, demo.ppv_content_id);
    assert_eq!(
        access(&demo.ppv_buyers[0], content.clone())["reason"],
        "purchased"
    );
    let through_tier = access(fan(0), content.clone());
    assert_eq!(through_tier["allowed"], true);
    assert_eq!(through_tier["reason"]["subscription_tier"]["tier"], 2);
    let trial = access(fan(8), content.clone());
    assert_eq!(trial["allowed"], false, "{trial}");
    let surprise = format!("/surprises/{}", demo.revealed_surprise);
    let owner = access(&demo.revealed_surprise_owner, surprise.clone());
    assert_eq!(owner["allowed"], true, "{owner}");
    assert_eq!(owner["reason"], "revealed_surprise");
    assert_eq!(access(fan(6), surprise)["allowed"], false);
    let sealed = access(fan(11), format!("/surprises/{}", demo.sealed_surprise));
    assert_eq!(
        sealed["allowed"], false,
        "a sealed surprise opens to nobody: {sealed}"
    );

    // The auction was extended by the late bid, and Ava's calendar has the meeting it sold.
    assert!(demo.auction_extended_end > demo.auction_first_end);
    let ics = api.get_text(&demo.ava_calendar_path).unwrap();
    assert!(
        ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:"),
        "{ics}"
    );
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 1, "{ics}");
    assert!(ics.contains("STATUS:CONFIRMED\r\n"), "{ics}");
    assert!(ics.contains("SEQUENCE:"), "{ics}");
    let start = demo.meeting_start;
    let end = start.plus_seconds(demo.meeting_minutes * 60);
    assert!(
        ics.contains(&format!("DTSTART:{}\r\n", ics_time(start))),
        "{ics}"
    );
    assert!(
        ics.contains(&format!("DTEND:{}\r\n", ics_time(end))),
        "{ics}"
    );
    assert!(
        !ics.contains(&demo.auction_winner),
        "no fan address in a calendar"
    );
    assert!(ics.lines().all(|line| line.len() <= 75), "lines are folded");
    assert!(ics.ends_with("END:VCALENDAR\r\n"));

    // Every example request the demo prints answers.
    for (what, url) in example_requests(demo) {
        if url.ends_with("/feed/live") {
            continue;
        }
        let path = url.strip_prefix(&api.base).unwrap();
        let reply = api.call(reqwest::Method::GET, path, None, None).unwrap();
        assert_eq!(reply.status, 200, "{what}: {path} answered {reply:?}");
    }
}

/// A time as an iCalendar UTC date-time.
fn ics_time(time: Timestamp) -> String {
    chrono::DateTime::from_timestamp(time.seconds() as i64, 0)
        .unwrap()
        .format("%Y%m%dT%H%M%SZ")
        .to_string()
}

fn position(id: &Value) -> (i64, i64) {
    let (height, seq) = id.as_str().unwrap().split_once('-').unwrap();
    (height.parse().unwrap(), seq.parse().unwrap())
}
