//! The in-memory `can-message` answers (api::routes::gating::cache) stay those of a fresh read: warm
//! answers come from memory, and the first answer after a commit that changes a fact (a tip,
//! a subscription, a chat rule or block list, a purchase, a surprise changing hands) is the new
//! one, with no wait; a subscription stops counting when the block time reaches its expiry
//! without anything being reloaded; a `serve` process sees what another process commits; any
//! writer is seen, not only the ingest; memory stays within its limits.

mod indexed;

use std::time::Duration;

use cosmwasm_std::{Addr, Uint128};
use indexed::Indexed;
use mesi_common::chat_rule::ChatRule;
use mesi_common::AssetInfo;
use mesi_indexer::api::http::params::Address;
use mesi_indexer::api::routes::gating::cache::{CacheLimits, CacheStats, GatingCache};
use mesi_indexer::api::routes::gating::can_message;
use mesi_multitest::{Suite, DAY, USDC};
use serde_json::Value;

const TIER_PRICE: u128 = 2_000_000;
const ITEM_PRICE: u128 = 3_000_000;

fn address(addr: &Addr) -> Address {
    addr.as_str().parse().unwrap()
}

fn tipped_at_least(amount: u128) -> ChatRule {
    ChatRule::TippedAtLeast {
        asset: AssetInfo::native(USDC),
        amount: Uint128::new(amount),
    }
}

/// The route's answer, checked against a fresh read and against the contract.
async fn ask(indexed: &Indexed, suite: &Suite, creator: &Addr, fan: &Addr) -> Value {
    let body = indexed
        .get_json(&format!("/can-message?creator={creator}&fan={fan}"))
        .await;
    let fresh = can_message(&indexed.ctx.pool, &address(creator), &address(fan))
        .await
        .unwrap();
    assert_eq!(
        body,
        serde_json::to_value(&fresh).unwrap(),
        "in memory vs fresh"
    );
    let chain = suite.can_message(creator, fan);
    assert_eq!(
        (body["allowed"].as_bool(), body["decided_by"].as_str()),
        (Some(chain.allowed), Some(chain.decided_by.as_str())),
        "in memory vs the contract"
    );
    assert_eq!(body["height"], indexed.height as i64);
    body
}

fn stats(indexed: &Indexed) -> CacheStats {
    indexed.ctx.gating.stats()
}

#[tokio::test]
async fn every_kind_of_commit_changes_the_next_answer_at_once() {
    let mut suite = Suite::new();
    let Some(mut indexed) = Indexed::new(Indexed::suite_contracts(&suite)).await else {
        return;
    };
    let alice = suite.register_creator("alice", tipped_at_least(100));
    let bob = suite.register_creator("bob", ChatRule::Everyone);
    suite.create_tier(&alice, 1, TIER_PRICE);
    suite.list_item(&alice, "clip", ITEM_PRICE, None);
    let (fan, other) = (suite.addr("fan"), suite.addr("other"));
    suite.fund(&fan);
    suite.fund(&other);
    indexed.sync(&suite).await;

    // Warm: the first answer for a creator loads it, the next ones come from memory.
    assert_eq!(ask(&indexed, &suite, &alice, &fan).await["allowed"], false);
    assert_eq!(ask(&indexed, &suite, &bob, &fan).await["allowed"], true);
    let warm = stats(&indexed);
    assert_eq!(warm.loads, 2, "{warm:?}");
    assert_eq!(ask(&indexed, &suite, &alice, &fan).await["allowed"], false);
    assert_eq!(
        ask(&indexed, &suite, &alice, &other).await["allowed"],
        false
    );
    let s = stats(&indexed);
    assert_eq!((s.hits - warm.hits, s.loads), (2, 2), "{s:?}");

    // A tip: alice's entry goes, bob's stays.
    suite.tip(&fan, &alice, 60).unwrap();
    indexed.sync(&suite).await;
    assert_eq!(ask(&indexed, &suite, &alice, &fan).await["allowed"], false);
    suite.tip(&fan, &alice, 40).unwrap();
    indexed.sync(&suite).await;
    let body = ask(&indexed, &suite, &alice, &fan).await;
    assert_eq!(
        (&body["allowed"], &body["decided_by"]),
        (&Value::Bool(true), &Value::from("tipped_at_least"))
    );
    let before_bob = stats(&indexed);
    assert_eq!(ask(&indexed, &suite, &bob, &fan).await["allowed"], true);
    let s = stats(&indexed);
    assert_eq!(
        (s.loads, s.hits),
        (before_bob.loads, before_bob.hits + 1),
        "bob was not touched: still in memory"
    );
    assert!(s.invalidated >= 2, "{s:?}");

    // A chat rule change: a block list.
    suite.set_chat_rule(
        &alice,
        ChatRule::All {
            rules: vec![
                tipped_at_least(100),
                ChatRule::Blocklist {
                    addresses: vec![fan.clone()],
                },
            ],
        },
    );
    indexed.sync(&suite).await;
    let body = ask(&indexed, &suite, &alice, &fan).await;
    assert_eq!(body["allowed"], false);
    assert!(
        body["decided_by"].as_str().unwrap().contains("blocklist"),
        "{body}"
    );
    suite.tip(&other, &alice, 100).unwrap();
    indexed.sync(&suite).await;
    assert_eq!(ask(&indexed, &suite, &alice, &other).await["allowed"], true);

    // A subscription, then its expiry in block time: revoked in the first block at or past
    // it, and without reloading anything (the facts did not change, the block time did).
    suite.set_chat_rule(&alice, ChatRule::Subscriber { min_tier: 1 });
    indexed.sync(&suite).await;
    assert_eq!(ask(&indexed, &suite, &alice, &fan).await["allowed"], false);
    suite.subscribe(&fan, &alice, 1, TIER_PRICE).unwrap();
    indexed.sync(&suite).await;
    assert_eq!(ask(&indexed, &suite, &alice, &fan).await["allowed"], true);
    suite.advance(30 * DAY - 1);
    indexed.sync(&suite).await;
    let before_expiry = stats(&indexed);
    assert_eq!(
        ask(&indexed, &suite, &alice, &fan).await["allowed"],
        true,
        "one second before expiry"
    );
    suite.advance(1);
    indexed.sync(&suite).await;
    let body = ask(&indexed, &suite, &alice, &fan).await;
    assert_eq!(body["allowed"], false, "at expiry");
    assert_eq!(body["qualify"]["subscribe"]["min_tier"], 1);
    let s = stats(&indexed);
    assert_eq!(
        (s.loads, s.hits),
        (before_expiry.loads, before_expiry.hits + 2),
        "{s:?}"
    );

    // A pay-per-view purchase.
    suite.set_chat_rule(
        &alice,
        ChatRule::PpvSpentAtLeast {
            asset: AssetInfo::native(USDC),
            amount: Uint128::new(ITEM_PRICE),
        },
    );
    indexed.sync(&suite).await;
    assert_eq!(ask(&indexed, &suite, &alice, &fan).await["allowed"], false);
    suite.buy_item(&fan, &alice, "clip", ITEM_PRICE).unwrap();
    indexed.sync(&suite).await;
    assert_eq!(ask(&indexed, &suite, &alice, &fan).await["allowed"], true);

    // A surprise minted to the fan, then given away.
    suite.set_chat_rule(&alice, ChatRule::HoldsSurprise);
    indexed.sync(&suite).await;
    assert_eq!(ask(&indexed, &suite, &alice, &fan).await["allowed"], false);
    assert_eq!(
        ask(&indexed, &suite, &alice, &other).await["allowed"],
        false
    );
    let token = suite.mint_surprise(&alice, "s1", &fan, b"hello", [7; 32]);
    indexed.sync(&suite).await;
    assert_eq!(ask(&indexed, &suite, &alice, &fan).await["allowed"], true);
    suite.transfer_surprise(&fan, &token, &other).unwrap();
    indexed.sync(&suite).await;
    assert_eq!(ask(&indexed, &suite, &alice, &fan).await["allowed"], false);
    assert_eq!(ask(&indexed, &suite, &alice, &other).await["allowed"], true);

    // An unregistered creator is remembered as such, and found once registered.
    let carol = suite.addr("carol");
    let (status, _) = indexed
        .get(&format!("/can-message?creator={carol}&fan={fan}"))
        .await;
    assert_eq!(status, 404);
    suite.register_creator("carol", ChatRule::Everyone);
    indexed.sync(&suite).await;
    assert_eq!(ask(&indexed, &suite, &carol, &fan).await["allowed"], true);
    assert_eq!(stats(&indexed).fresh_reads, 0);
}

#[tokio::test]
async fn writes_by_anyone_are_seen_and_a_far_behind_check_forgets_everything() {
    let mut suite = Suite::new();
    let Some(mut indexed) = Indexed::new(Indexed::suite_contracts(&suite)).await else {
        return;
    };
    let alice = suite.register_creator("alice", tipped_at_least(100));
    let bob = suite.register_creator("bob", tipped_at_least(100));
    let fan = suite.addr("fan");
    suite.fund(&fan);
    indexed.sync(&suite).await;
    let pool = indexed.ctx.pool.clone();
    let route = |creator: &Addr| format!("/can-message?creator={creator}&fan={fan}");
    let fresh = |creator: Addr| {
        let (pool, fan) = (pool.clone(), fan.clone());
        async move {
            can_message(&pool, &address(&creator), &address(&fan))
                .await
                .unwrap()
        }
    };
    let same = |body: Value, fresh: mesi_indexer::api::routes::gating::CanMessageAnswer| {
        assert_eq!(body, serde_json::to_value(&fresh).unwrap());
        body["allowed"].as_bool().unwrap()
    };
    assert!(!same(
        indexed.get_json(&route(&alice)).await,
        fresh(alice.clone()).await
    ));
    assert!(!same(
        indexed.get_json(&route(&bob)).await,
        fresh(bob.clone()).await
    ));

    // A row written by hand, outside any block: seen by the next answer.
    sqlx::query(
        "INSERT INTO tip_totals (creator, fan, asset, total, tip_count, last_height) \
         VALUES ($1, $2, $3, 100, 1, 1)",
    )
    .bind(alice.as_str())
    .bind(fan.as_str())
    .bind(format!("native:{USDC}"))
    .execute(&pool)
    .await
    .unwrap();
    assert!(same(
        indexed.get_json(&route(&alice)).await,
        fresh(alice.clone()).await
    ));
    sqlx::query("UPDATE tip_totals SET total = 99 WHERE creator = $1")
        .bind(alice.as_str())
        .execute(&pool)
        .await
        .unwrap();
    assert!(!same(
        indexed.get_json(&route(&alice)).await,
        fresh(alice.clone()).await
    ));
    sqlx::query("UPDATE tip_totals SET total = 100 WHERE creator = $1")
        .bind(alice.as_str())
        .execute(&pool)
        .await
        .unwrap();
    assert!(same(
        indexed.get_json(&route(&alice)).await,
        fresh(alice.clone()).await
    ));

    // The platform configuration decides which contracts count: a change drops every entry.
    let entries = stats(&indexed).entries;
    assert_eq!(entries, 2);
    sqlx::query("UPDATE platform_config SET contracts = contracts - 'tips'")
        .execute(&pool)
        .await
        .unwrap();
    assert!(!same(
        indexed.get_json(&route(&alice)).await,
        fresh(alice.clone()).await
    ));
    assert_eq!(stats(&indexed).entries, 1, "only alice, reloaded");
    sqlx::query(
        "UPDATE platform_config SET contracts = contracts || jsonb_build_object('tips', $1::text)",
    )
    .bind(suite.tips.as_str())
    .execute(&pool)
    .await
    .unwrap();
    assert!(same(
        indexed.get_json(&route(&alice)).await,
        fresh(alice.clone()).await
    ));

    // Deleting rows counts too.
    sqlx::query("DELETE FROM tip_totals WHERE creator = $1")
        .bind(alice.as_str())
        .execute(&pool)
        .await
        .unwrap();
    assert!(!same(
        indexed.get_json(&route(&alice)).await,
        fresh(alice.clone()).await
    ));

    // The change log keeps the last 1,000 versions; a check further behind than that forgets
    // everything. 1,050 statements about carol (whom nobody asked about) take it there.
    suite.tip(&fan, &bob, 1).unwrap();
    indexed.sync(&suite).await;
    assert!(!same(
        indexed.get_json(&route(&bob)).await,
        fresh(bob.clone()).await
    ));
    indexed.get_json(&route(&alice)).await;
    assert_eq!(stats(&indexed).entries, 2);
    sqlx::query(
        "INSERT INTO tip_totals (creator, fan, asset, total, tip_count, last_height) \
         VALUES ('carol', 'someone', 'native:x', 1, 1, 1)",
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(
        "DO $$ BEGIN FOR i IN 1..1050 LOOP \
           UPDATE tip_totals SET tip_count = tip_count + 1 WHERE creator = 'carol'; \
         END LOOP; END $$",
    )
    .execute(&pool)
    .await
    .unwrap();
    let (kept, oldest, newest): (i64, i64, i64) = sqlx::query_as(
        "SELECT count(DISTINCT version), min(version), (SELECT version FROM gating_version) \
         FROM gating_changes",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((kept, oldest), (1_000, newest - 999));
    assert!(!same(
        indexed.get_json(&route(&bob)).await,
        fresh(bob.clone()).await
    ));
    assert_eq!(stats(&indexed).entries, 1, "only bob, reloaded");

    // A version going backwards (say, a restored database) forgets everything too.
    indexed.get_json(&route(&alice)).await;
    assert_eq!(stats(&indexed).entries, 2);
    sqlx::query("UPDATE gating_version SET version = 1")
        .execute(&pool)
        .await
        .unwrap();
    assert!(!same(
        indexed.get_json(&route(&bob)).await,
        fresh(bob.clone()).await
    ));
    assert_eq!(stats(&indexed).entries, 1);
}

#[tokio::test]
async fn after_a_backlog_longer_than_a_check_reads_every_answer_is_fresh() {
    let mut suite = Suite::new();
    let Some(mut indexed) = Indexed::new(Indexed::suite_contracts(&suite)).await else {
        return;
    };
    let alice = suite.register_creator("alice", tipped_at_least(100));
    let bob = suite.register_creator("bob", tipped_at_least(100));
    let fan = suite.addr("fan");
    suite.fund(&fan);
    indexed.sync(&suite).await;
    assert_eq!(ask(&indexed, &suite, &alice, &fan).await["allowed"], false);
    assert_eq!(ask(&indexed, &suite, &bob, &fan).await["allowed"], false);
    assert_eq!(stats(&indexed).entries, 2);

    // A catch-up while nobody asks: 12 statements about the same 1,000 other creators log
    // 12,000 rows (more than one check reads), then alice's fan reaches 100 last.
    let pool = indexed.ctx.pool.clone();
    sqlx::query(
        "INSERT INTO tip_totals (creator, fan, asset, total, tip_count, last_height) \
         SELECT 'backlog' || i, 'someone', 'native:x', 1, 1, 1 FROM generate_series(1, 1000) i",
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(
        "DO $$ BEGIN FOR i IN 1..11 LOOP \
           UPDATE tip_totals SET tip_count = tip_count + 1 WHERE creator LIKE 'backlog%'; \
         END LOOP; END $$",
    )
    .execute(&pool)
    .await
    .unwrap();
    suite.tip(&fan, &alice, 100).unwrap();
    indexed.sync(&suite).await;
    let logged: i64 = sqlx::query_scalar("SELECT count(*) FROM gating_changes")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(logged > 12_000, "{logged} rows in the change log");

    // `ask` compares with a fresh read and with the contract.
    assert_eq!(ask(&indexed, &suite, &alice, &fan).await["allowed"], true);
    assert_eq!(ask(&indexed, &suite, &bob, &fan).await["allowed"], false);
    suite.tip(&fan, &bob, 100).unwrap();
    indexed.sync(&suite).await;
    assert_eq!(ask(&indexed, &suite, &bob, &fan).await["allowed"], true);
}

#[tokio::test]
async fn memory_stays_within_its_limits_and_large_creators_are_kept_per_fan() {
    let mut suite = Suite::new();
    let Some(mut indexed) = Indexed::new(Indexed::suite_contracts(&suite)).await else {
        return;
    };
    let fans: Vec<Addr> = (0..4).map(|i| suite.addr(&format!("fan{i}"))).collect();
    for fan in &fans {
        suite.fund(fan);
    }
    let creators: Vec<Addr> = (0..6)
        .map(|i| suite.register_creator(&format!("creator{i}"), tipped_at_least(100)))
        .collect();
    // creator0 is "large": four fans tipped, more than the two rows an entry may hold.
    for fan in &fans {
        suite.tip(fan, &creators[0], 150).unwrap();
    }
    for (i, creator) in creators.iter().enumerate().skip(1) {
        suite.tip(&fans[i % fans.len()], creator, 100).unwrap();
    }
    indexed.sync(&suite).await;
    let limits = CacheLimits {
        creators: 3,
        facts: 6,
        facts_per_creator: 2,
    };
    let cache = GatingCache::start(indexed.ctx.pool.clone(), limits);
    let pool = indexed.ctx.pool.clone();
    let everything_agrees = |round: &'static str| {
        let (cache, pool, creators, fans) =
            (cache.clone(), pool.clone(), creators.clone(), fans.clone());
        async move {
            for creator in &creators {
                for fan in &fans {
                    let (creator, fan) = (address(creator), address(fan));
                    let fresh = can_message(&pool, &creator, &fan).await.unwrap();
                    let cached = cache.can_message(&creator, &fan).await.unwrap();
                    assert_eq!(cached, fresh, "{round}: {creator} {fan}");
                }
                let s = cache.stats();
                assert!(
                    s.entries <= limits.creators && s.facts <= limits.facts,
                    "{round}: {s:?}"
                );
            }
        }
    };
    everything_agrees("cold").await;
    everything_agrees("again").await;
    let s = cache.stats();
    assert!(s.evicted > 0, "{s:?}");

    // The large creator's fans, asked about twice in a row: the second answer is from memory.
    let (big, fan) = (address(&creators[0]), address(&fans[1]));
    cache.can_message(&big, &fan).await.unwrap();
    let before = cache.stats();
    let answer = cache.can_message(&big, &fan).await.unwrap();
    assert!(answer.allowed);
    let after = cache.stats();
    assert_eq!(
        (after.hits, after.loads),
        (before.hits + 1, before.loads),
        "{after:?}"
    );
    // ...and a commit about the large creator is seen at once.
    suite.set_chat_rule(&creators[0], tipped_at_least(200));
    indexed.sync(&suite).await;
    let answer = cache.can_message(&big, &fan).await.unwrap();
    assert!(!answer.allowed);
    assert_eq!(
        answer,
        can_message(&pool, &big, &fan).await.unwrap(),
        "after the rule change"
    );
    everything_agrees("after a change").await;
}

/// A free local port for a child process to listen on.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_separate_serve_process_answers_from_what_another_process_just_committed() {
    let mut suite = Suite::new();
    let Some(mut indexed) = Indexed::new(Indexed::suite_contracts(&suite)).await else {
        return;
    };
    let alice = suite.register_creator("alice", tipped_at_least(100));
    suite.create_tier(&alice, 1, TIER_PRICE);
    let fan = suite.addr("fan");
    suite.fund(&fan);
    indexed.sync(&suite).await;

    let listen = format!("127.0.0.1:{}", free_port());
    let mut serve = tokio::process::Command::new(env!("CARGO_BIN_EXE_mesi-indexer"))
        .args([
            "serve",
            "--listen",
            &listen,
            "--database-url",
            &indexed.db.url,
        ])
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let client = reqwest::Client::new();
    let base = format!("http://{listen}");
    let mut up = false;
    for _ in 0..300 {
        if let Ok(r) = client.get(format!("{base}/health")).send().await {
            up = r.status().is_success();
            if up {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(up, "serve did not start");

    // Each answer from the other process right after a commit here, with no wait: equal to a
    // fresh read and to the contract.
    let pool = indexed.ctx.pool.clone();
    let check = |suite: &Suite, height: u64| {
        let url = format!("{base}/can-message?creator={alice}&fan={fan}");
        let (client, pool, chain) = (
            client.clone(),
            pool.clone(),
            suite.can_message(&alice, &fan),
        );
        let (creator, fan) = (address(&alice), address(&fan));
        async move {
            let body: Value =
                serde_json::from_str(&client.get(url).send().await.unwrap().text().await.unwrap())
                    .unwrap();
            let fresh = can_message(&pool, &creator, &fan).await.unwrap();
            assert_eq!(body, serde_json::to_value(&fresh).unwrap());
            assert_eq!(body["allowed"], chain.allowed);
            assert_eq!(body["height"], height as i64);
            chain.allowed
        }
    };
    assert!(!check(&suite, indexed.height).await);
    assert!(!check(&suite, indexed.height).await, "warm");
    suite.tip(&fan, &alice, 99).unwrap();
    indexed.sync(&suite).await;
    assert!(!check(&suite, indexed.height).await);
    suite.tip(&fan, &alice, 1).unwrap();
    indexed.sync(&suite).await;
    assert!(check(&suite, indexed.height).await, "the 100th unit tipped");
    suite.set_chat_rule(&alice, ChatRule::Subscriber { min_tier: 1 });
    indexed.sync(&suite).await;
    assert!(!check(&suite, indexed.height).await, "the new rule");
    suite.subscribe(&fan, &alice, 1, TIER_PRICE).unwrap();
    indexed.sync(&suite).await;
    assert!(check(&suite, indexed.height).await, "subscribed");
    suite.advance(30 * DAY);
    indexed.sync(&suite).await;
    assert!(
        !check(&suite, indexed.height).await,
        "expired in block time"
    );
    serve.kill().await.unwrap();
}
