//! The API's `can-message` and `access` against the contracts' own `CanMessage` and `HasAccess`:
//! random states built in cw-multi-test (tips, subscriptions, purchases, surprise mints and
//! transfers, time passing, random chat rules), their logged events fed through the indexer's
//! decode and store, and both answers compared for every (creator, fan) pair and every item
//! (every creator uses the same content ids) after every step; the route's in-memory `can-message` answers are compared with fresh reads
//! too.

mod indexed;

use cosmwasm_std::testing::MockApi;
use cosmwasm_std::{Addr, Uint128};
use indexed::Indexed;
use mesi_common::chat_rule::ChatRule;
use mesi_common::AssetInfo;
use mesi_indexer::api::http::params::{Address, Id};
use mesi_indexer::api::routes::access::{ppv_access, AccessReason};
use mesi_indexer::api::routes::gating::can_message;
use mesi_multitest::{ppv_msg, Suite, DAY, USDC};

const CREATORS: usize = 3;
const FANS: usize = 5;
const TIER_PRICE: u128 = 2_000_000;
const ITEM_PRICE: u128 = 3_000_000;

fn address(addr: &Addr) -> Address {
    addr.as_str().parse().unwrap()
}

/// How often each answer came up, so a run shows it compared more than denials.
#[derive(Default, Debug)]
struct Seen {
    allowed: usize,
    denied: usize,
    by_subscription: usize,
    by_purchase: usize,
}

/// Compares every (creator, fan) answer and every item's access answer.
async fn assert_same_answers(
    suite: &Suite,
    indexed: &Indexed,
    creators: &[Addr],
    fans: &[Addr],
    items: &[(Addr, String)],
    step: &str,
) -> Seen {
    let mut seen = Seen::default();
    for creator in creators {
        for fan in fans.iter().chain(creators) {
            let chain = suite.can_message(creator, fan);
            let api = can_message(&indexed.ctx.pool, &address(creator), &address(fan))
                .await
                .unwrap();
            assert_eq!(
                api.response(),
                chain,
                "{step}: can-message({creator}, {fan}) at {}",
                suite.now()
            );
            // The route's in-memory answer, warm from the previous steps: the same, at the
            // same height and block time.
            let cached = indexed
                .ctx
                .gating
                .can_message(&address(creator), &address(fan))
                .await
                .unwrap();
            assert_eq!(cached, api, "{step}: cached can-message({creator}, {fan})");
            if chain.allowed {
                seen.allowed += 1;
            } else {
                seen.denied += 1;
            }
        }
    }
    for (creator, content_id) in items {
        for viewer in fans.iter().chain(creators) {
            let chain: ppv_msg::AccessResponse = suite.query(
                &suite.ppv,
                &ppv_msg::QueryMsg::HasAccess {
                    viewer: viewer.to_string(),
                    creator: creator.to_string(),
                    content_id: content_id.clone(),
                },
            );
            let api = ppv_access(
                &indexed.ctx.pool,
                &address(viewer),
                &address(creator),
                &content_id.parse::<Id>().unwrap(),
            )
            .await
            .unwrap();
            let chain_reason = match chain.reason {
                ppv_msg::AccessReason::Purchased => {
                    seen.by_purchase += 1;
                    AccessReason::Purchased
                }
                ppv_msg::AccessReason::SubscriptionTier { tier } => {
                    seen.by_subscription += 1;
                    AccessReason::SubscriptionTier { tier }
                }
                ppv_msg::AccessReason::Creator => AccessReason::Creator,
                ppv_msg::AccessReason::None => AccessReason::None,
            };
            assert_eq!(
                (api.allowed, api.reason),
                (chain.allowed, chain_reason),
                "{step}: access({viewer}, {creator}, {content_id})"
            );
        }
    }
    seen
}

/// A random chat rule over these fans and assets, at most `depth` levels deep, that the
/// contract accepts (blocklists next to something that admits, none inside `not`).
fn random_rule(rng: &mut fastrand::Rng, fans: &[Addr], mesi: &AssetInfo, depth: u32) -> ChatRule {
    loop {
        let rule = random_shape(rng, fans, mesi, depth);
        if rule.validate(&MockApi::default()).is_ok() {
            return rule;
        }
    }
}

fn random_shape(rng: &mut fastrand::Rng, fans: &[Addr], mesi: &AssetInfo, depth: u32) -> ChatRule {
    let asset = |rng: &mut fastrand::Rng| {
        if rng.bool() {
            AssetInfo::native(USDC)
        } else {
            mesi.clone()
        }
    };
    let some_fans = |rng: &mut fastrand::Rng| {
        let mut list: Vec<Addr> = fans.iter().filter(|_| rng.u8(..3) == 0).cloned().collect();
        if list.is_empty() {
            list.push(fans[rng.usize(..fans.len())].clone());
        }
        list
    };
    let leaf_only = depth <= 1;
    match rng.u8(..if leaf_only { 7 } else { 11 }) {
        0 => ChatRule::Everyone,
        1 => ChatRule::Subscriber {
            min_tier: rng.u32(1..=3),
        },
        2 => ChatRule::TippedAtLeast {
            asset: asset(rng),
            amount: Uint128::new(rng.u128(1..6_000_000)),
        },
        3 => ChatRule::PpvSpentAtLeast {
            asset: AssetInfo::native(USDC),
            amount: Uint128::new(rng.u128(1..2 * ITEM_PRICE)),
        },
        4 => ChatRule::HoldsSurprise,
        5 => ChatRule::Allowlist {
            addresses: some_fans(rng),
        },
        6 => ChatRule::Blocklist {
            addresses: some_fans(rng),
        },
        kind => {
            let children: Vec<ChatRule> = (0..rng.usize(1..=3))
                .map(|_| random_shape(rng, fans, mesi, depth - 1))
                .collect();
            match kind {
                7 => ChatRule::All { rules: children },
                8 => ChatRule::Any { rules: children },
                9 => ChatRule::AtLeast {
                    k: rng.u32(1..=children.len() as u32),
                    rules: children,
                },
                _ => ChatRule::Not {
                    rule: Box::new(children.into_iter().next().unwrap()),
                },
            }
        }
    }
}

#[tokio::test]
async fn random_states_answer_like_the_contracts() {
    let mut total = Seen::default();
    for seed in 0..6u64 {
        let mut rng = fastrand::Rng::with_seed(seed);
        let mut suite = Suite::new();
        let Some(mut indexed) = Indexed::new(Indexed::suite_contracts(&suite)).await else {
            return;
        };
        let mesi = AssetInfo::cw20(suite.mesi.clone());
        let fans: Vec<Addr> = (0..FANS).map(|i| suite.addr(&format!("fan{i}"))).collect();
        for fan in &fans {
            suite.fund(fan);
        }
        let mut creators = vec![];
        let mut items = vec![];
        for c in 0..CREATORS {
            let rule = random_rule(&mut rng, &fans, &mesi, 3);
            let creator = suite.register_creator(&format!("creator{c}"), rule);
            for tier in 1..=3 {
                suite.create_tier(&creator, tier, tier as u128 * TIER_PRICE);
            }
            // Every creator lists the same two ids: ids are per creator.
            for i in 0..2 {
                let content_id = format!("item{i}");
                let free_for_tier = rng.bool().then(|| rng.u32(1..=3));
                suite.list_item(&creator, &content_id, ITEM_PRICE, free_for_tier);
                items.push((creator.clone(), content_id));
            }
            creators.push(creator);
        }
        // Creators act as fans of each other too.
        let everyone: Vec<Addr> = fans.iter().chain(&creators).cloned().collect();
        let mut tokens: Vec<(String, Addr)> = vec![];
        let mut minted = 0u32;
        indexed.sync(&suite).await;
        assert_same_answers(&suite, &indexed, &creators, &fans, &items, "setup").await;

        for step in 0..45 {
            let fan = everyone[rng.usize(..everyone.len())].clone();
            let c = rng.usize(..CREATORS);
            let creator = creators[c].clone();
            let what = match rng.u8(..10) {
                0 => {
                    let _ = suite.tip(&fan, &creator, rng.u128(1..3_000_000));
                    "tip"
                }
                1 => {
                    let _ = suite.tip_mesi(&fan, &creator, rng.u128(1..3_000_000));
                    "tip in MESI"
                }
                2 => {
                    let tier = rng.u32(1..=3);
                    let _ = suite.subscribe(&fan, &creator, tier, tier as u128 * TIER_PRICE);
                    "subscribe"
                }
                3 => {
                    let item = format!("item{}", rng.u8(..2));
                    let _ = suite.buy_item(&fan, &creator, &item, ITEM_PRICE);
                    "buy"
                }
                4 => {
                    minted += 1;
                    let token = suite.mint_surprise(
                        &creator,
                        &format!("s{minted}"),
                        &fan,
                        b"content",
                        [minted as u8; 32],
                    );
                    tokens.push((token, fan.clone()));
                    "mint a surprise"
                }
                5 if !tokens.is_empty() => {
                    let i = rng.usize(..tokens.len());
                    let (token, owner) = tokens[i].clone();
                    if suite.transfer_surprise(&owner, &token, &fan).is_ok() {
                        tokens[i].1 = fan.clone();
                    }
                    "transfer a surprise"
                }
                6 => {
                    let rule = random_rule(&mut rng, &fans, &mesi, 3);
                    suite.set_chat_rule(&creator, rule);
                    "new chat rule"
                }
                // Time passes: sometimes to just before or exactly at a 30-day expiry.
                7 => {
                    suite.advance(rng.u64(1..20) * DAY);
                    "days pass"
                }
                8 => {
                    suite.advance(30 * DAY - rng.u64(0..2));
                    "a period passes"
                }
                _ => {
                    suite.advance(rng.u64(1..3600));
                    "minutes pass"
                }
            };
            indexed.sync(&suite).await;
            let label = format!("seed {seed} step {step} ({what})");
            let seen =
                assert_same_answers(&suite, &indexed, &creators, &fans, &items, &label).await;
            total.allowed += seen.allowed;
            total.denied += seen.denied;
            total.by_subscription += seen.by_subscription;
            total.by_purchase += seen.by_purchase;
        }
        // The in-memory answers came from memory mostly, and commits dropped entries.
        let stats = indexed.ctx.gating.stats();
        assert!(
            stats.hits > stats.loads && stats.invalidated > 0 && stats.fresh_reads == 0,
            "{stats:?}"
        );
    }
    // The random runs reached every kind of answer, not only denials.
    assert!(
        total.allowed > 100
            && total.denied > 100
            && total.by_subscription > 10
            && total.by_purchase > 10,
        "{total:?}"
    );
}

#[tokio::test]
async fn blocklists_only_deny_on_both_sides() {
    let mut suite = Suite::new();
    let Some(mut indexed) = Indexed::new(Indexed::suite_contracts(&suite)).await else {
        return;
    };
    let (stranger, listed, subscriber) = (
        suite.addr("stranger"),
        suite.addr("listed"),
        suite.addr("subscriber"),
    );
    let blocklist = || ChatRule::Blocklist {
        addresses: vec![listed.clone()],
    };
    let rules = [
        ChatRule::Any {
            rules: vec![ChatRule::Subscriber { min_tier: 1 }, blocklist()],
        },
        ChatRule::AtLeast {
            k: 1,
            rules: vec![blocklist(), ChatRule::Subscriber { min_tier: 1 }],
        },
        ChatRule::All {
            rules: vec![ChatRule::Everyone, blocklist()],
        },
    ];
    let creators: Vec<Addr> = rules
        .into_iter()
        .enumerate()
        .map(|(i, rule)| {
            let creator = suite.register_creator(&format!("creator{i}"), rule);
            suite.create_tier(&creator, 1, TIER_PRICE);
            creator
        })
        .collect();
    for fan in [&listed, &subscriber] {
        suite.fund(fan);
        for creator in &creators {
            suite.subscribe(fan, creator, 1, TIER_PRICE).unwrap();
        }
    }
    indexed.sync(&suite).await;
    let fans = [stranger.clone(), listed.clone(), subscriber.clone()];
    assert_same_answers(&suite, &indexed, &creators, &fans, &[], "blocklists").await;
    // The stranger is admitted only where something admits everyone; the listed fan nowhere.
    let allowed = |fan: &Addr| -> Vec<bool> {
        creators
            .iter()
            .map(|c| suite.can_message(c, fan).allowed)
            .collect()
    };
    assert_eq!(allowed(&stranger), [false, false, true]);
    assert_eq!(allowed(&listed), [false, false, false]);
    assert_eq!(allowed(&subscriber), [true, true, true]);
    let hint = suite.can_message(&creators[0], &stranger).hint;
    assert_eq!(hint.as_deref(), Some("subscribe to tier 1"));
}

#[tokio::test]
async fn revocation_is_immediate_at_expiry() {
    let mut suite = Suite::new();
    let Some(mut indexed) = Indexed::new(Indexed::suite_contracts(&suite)).await else {
        return;
    };
    let alice = suite.register_creator("alice", ChatRule::Subscriber { min_tier: 1 });
    suite.create_tier(&alice, 1, TIER_PRICE);
    suite.list_item(&alice, "clip", ITEM_PRICE, Some(1));
    let fan = suite.addr("fan");
    suite.fund(&fan);
    suite.subscribe(&fan, &alice, 1, TIER_PRICE).unwrap();
    let items = vec![(alice.clone(), "clip".to_string())];
    let check = |indexed: &Indexed, suite: &Suite| {
        let (alice, fan) = (address(&alice), address(&fan));
        let pool = indexed.ctx.pool.clone();
        let chain = suite.can_message(
            &Addr::unchecked(alice.as_str()),
            &Addr::unchecked(fan.as_str()),
        );
        async move {
            let api = can_message(&pool, &alice, &fan).await.unwrap();
            assert_eq!(api.response(), chain);
            api.allowed
        }
    };
    indexed.sync(&suite).await;
    assert!(check(&indexed, &suite).await);
    suite.advance(30 * DAY - 1);
    indexed.sync(&suite).await;
    assert!(check(&indexed, &suite).await, "one second before expiry");
    assert_same_answers(
        &suite,
        &indexed,
        std::slice::from_ref(&alice),
        std::slice::from_ref(&fan),
        &items,
        "before",
    )
    .await;
    suite.advance(1);
    indexed.sync(&suite).await;
    assert!(
        !check(&indexed, &suite).await,
        "at expiry, in the next block"
    );
    assert_same_answers(
        &suite,
        &indexed,
        std::slice::from_ref(&alice),
        std::slice::from_ref(&fan),
        &items,
        "at expiry",
    )
    .await;

    // Over HTTP: the same answer, at the indexed height, with what would qualify.
    let body = indexed
        .get_json(&format!("/can-message?creator={alice}&fan={fan}"))
        .await;
    assert_eq!(body["allowed"], false);
    assert_eq!(body["decided_by"], "subscriber");
    assert_eq!(body["qualify"]["subscribe"]["min_tier"], 1);
    assert_eq!(body["height"], indexed.height as i64);
    let (status, body) = indexed
        .get(&format!("/can-message?creator={fan}&fan={alice}"))
        .await;
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("\"not_found\""));
}
