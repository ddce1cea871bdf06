//! Every projection from a scripted chain: each contract's events in the order its life cycle
//! allows, several changes of one thing in one block and across blocks. The chain is indexed
//! one block per transaction and in one big batch; both give the same tables, and those hold
//! the states written out below.

mod common;

use std::sync::Arc;

use common::{ingest, test_options};
use cosmwasm_std::{Addr, Timestamp, Uint128};
use mesi_common::chat_rule::ChatRule;
use mesi_common::events::creators::{CreatorProfileSet, OwnershipChanged, PlatformConfigSet};
use mesi_common::events::meetings::{
    AuctionCancelled, AuctionExtended, AuctionOpened, AuctionSettled, AuctionState, BidPlaced,
    DisputeOpened, DisputeOutcomeKind, DisputeResolved, MeetingChanged, MeetingFormat,
    MeetingPayout, MeetingStatus, MeetingsConfigSet, RescheduleAction, RescheduleChanged,
};
use mesi_common::events::ppv::{ItemAction, PpvConfigSet, PpvItemChanged, PpvPurchase};
use mesi_common::events::subscriptions::{
    PrepaidBundle, SubscriptionAction, SubscriptionChanged, TierAction, TierChanged,
};
use mesi_common::events::surprises::{
    SurpriseDelisted, SurpriseForfeited, SurpriseListed, SurpriseMinted, SurpriseRevealed,
    SurpriseSold, SurpriseTransferred, SurpriseUnlocked,
};
use mesi_common::events::tips::{TipSent, TipsConfigSet};
use mesi_common::events::AnyEvent;
use mesi_common::interfaces::creators::{Fees, SiblingAddrs};
use mesi_common::interfaces::tips::TipContext;
use mesi_common::AssetInfo;
use mesi_indexer::config::ContractKind::{
    self, Creators, Meetings, Ppv, Subscriptions, Surprises, Tips,
};
use mesi_indexer::testkit::chain::{contract_address, Script};
use mesi_indexer::testkit::{table_digests, Chain, ChainSpec, RpcServer, ServerOptions, TestDb};
use serde_json::{json, Value};
use sqlx::PgPool;

fn a(name: &str) -> Addr {
    Addr::unchecked(format!("wasm1{name}"))
}

fn u(n: u128) -> Uint128 {
    Uint128::new(n)
}

/// 2024-01-01T00:00:00Z plus `days`.
fn day(days: u64) -> Timestamp {
    Timestamp::from_seconds(1_704_067_200 + days * 86_400)
}

fn usdc() -> AssetInfo {
    AssetInfo::native("uusdc")
}

fn profile(action: &str, chat_rule: ChatRule, active: bool) -> AnyEvent {
    CreatorProfileSet {
        action: action.into(),
        creator: a("alice"),
        display_name: "Alice".into(),
        payout: a("alicepay"),
        accepted_assets: vec![usdc()],
        tip_minimums: vec![(usdc(), u(100))],
        chat_rule,
        active,
        registered_at: day(1),
    }
    .into()
}

fn tier(action: TierAction, tier: u32, price: u128) -> AnyEvent {
    TierChanged {
        action,
        creator: a("alice"),
        tier,
        name: format!("Tier {tier}"),
        price: u(price),
        asset: usdc(),
        period_seconds: 2_592_000,
        subscriber_cap: (tier == 2).then_some(10),
        bundles: vec![PrepaidBundle {
            periods: 3,
            discount_bps: 500,
        }],
        trial_seconds: (tier == 1).then_some(86_400),
        retired: false,
    }
    .into()
}

fn subscription(
    action: SubscriptionAction,
    tier: u32,
    amount: u128,
    expires: Timestamp,
    auto_renew: bool,
) -> AnyEvent {
    SubscriptionChanged {
        action,
        creator: a("alice"),
        fan: a("bob"),
        sender: a("bob"),
        tier,
        from_tier: (action == SubscriptionAction::Upgraded).then_some(1),
        periods: if action == SubscriptionAction::Subscribed {
            1
        } else {
            0
        },
        asset: usdc(),
        amount: u(amount),
        fee: u(amount / 20),
        creator_amount: u(amount - amount / 20),
        payout: (amount > 0).then(|| a("alicepay")),
        refunded: (action == SubscriptionAction::Upgraded).then(|| u(3)),
        expires_at: expires,
        auto_renew,
        max_price_per_period: u(300),
        on_trial: false,
    }
    .into()
}

fn item(action: ItemAction, creator: &str, id: &str, price: u128, revision: u32) -> AnyEvent {
    PpvItemChanged {
        action,
        content_id: id.into(),
        creator: a(creator),
        price: u(price),
        asset: usdc(),
        sale_ends_at: (revision > 1).then(|| day(30)),
        free_for_tier: Some(2),
        listed: action != ItemAction::Delisted,
        revision,
    }
    .into()
}

fn purchase(id: &str, buyer: &str, price: u128, fan_total: u128) -> AnyEvent {
    PpvPurchase {
        content_id: id.into(),
        creator: a("alice"),
        buyer: a(buyer),
        asset: usdc(),
        price: u(price),
        fee: u(price / 10),
        creator_amount: u(price - price / 10),
        payout: a("alicepay"),
        fan_total: u(fan_total),
    }
    .into()
}

fn mint(token: &str) -> AnyEvent {
    SurpriseMinted {
        token_id: token.into(),
        creator: a("alice"),
        owner: a("alice"),
        title: format!("Surprise {token}"),
        hints: vec!["blue".into(), "loud, \"very\"".into()],
        category: "audio".into(),
        preview_uri: None,
        commitment: "ab".repeat(32),
        royalty_bps: 500,
        bond_asset: Some(usdc()),
        bond: u(1_000),
        reveal_window: 86_400,
    }
    .into()
}

fn listed(token: &str, seller: &str, price: u128) -> AnyEvent {
    SurpriseListed {
        token_id: token.into(),
        seller: a(seller),
        asset: usdc(),
        price: u(price),
        expires_at: Some(day(9)),
    }
    .into()
}

fn unlocked(token: &str, owner: &str, delisted: bool) -> AnyEvent {
    SurpriseUnlocked {
        token_id: token.into(),
        owner: a(owner),
        creator: a("alice"),
        reveal_deadline: day(12),
        delisted,
    }
    .into()
}

fn auction(id: u64) -> AnyEvent {
    AuctionOpened {
        auction_id: id,
        creator: a("alice"),
        start: day(20),
        duration_secs: 1_800,
        time_zone: "Europe/Paris".into(),
        format: MeetingFormat::Video,
        description: "Coffee chat".into(),
        asset: usdc(),
        reserve: u(50),
        min_increment_bps: 500,
        ends_at: day(10),
        extension_secs: 300,
        buy_now: Some(u(1_000)),
        fee_bps: 1_000,
        open_auctions: id as u32,
    }
    .into()
}

fn bid(seq: u32, bidder: &str, amount: u128, refunded: Option<(&str, u128)>) -> AnyEvent {
    BidPlaced {
        auction_id: 1,
        bid_seq: seq,
        bidder: a(bidder),
        amount: u(amount),
        refunded_bidder: refunded.map(|(who, _)| a(who)),
        refund: refunded.map(|(_, amount)| u(amount)),
    }
    .into()
}

fn meeting(status: MeetingStatus, revision: u32, start: Timestamp, escrow: u128) -> AnyEvent {
    MeetingChanged {
        meeting_id: 1,
        creator: a("alice"),
        fan: a("dave"),
        status,
        revision,
        start,
        duration_secs: 1_800,
        escrow: u(escrow),
        dispute_deadline: (revision >= 3).then(|| day(23)),
        fan_no_show: false,
        actor: a("alice"),
    }
    .into()
}

fn script() -> Script {
    let siblings = SiblingAddrs {
        tips: Some(Addr::unchecked(contract_address(Tips))),
        subscriptions: Some(Addr::unchecked(contract_address(Subscriptions))),
        ppv: Some(Addr::unchecked(contract_address(Ppv))),
        surprises: Some(Addr::unchecked(contract_address(Surprises))),
        meetings: Some(Addr::unchecked(contract_address(Meetings))),
    };
    let registry = Addr::unchecked(contract_address(Creators));
    let tipped = ChatRule::TippedAtLeast {
        asset: usdc(),
        amount: u(1_000),
    };
    vec![
        // 1: configuration.
        vec![
            (
                Creators,
                PlatformConfigSet {
                    treasury: a("treasury"),
                    fees: Fees {
                        tips: 500,
                        subscriptions: 500,
                        ppv: 1_000,
                        surprise_sales: 250,
                        meetings: 1_000,
                    },
                    accepted_assets: vec![usdc()],
                    fiat_gateways: vec![a("gateway")],
                    arbiter: a("arbiter"),
                    contracts: siblings,
                }
                .into(),
            ),
            (
                Creators,
                OwnershipChanged {
                    action: "proposed".into(),
                    owner: Some(a("admin")),
                    pending_owner: Some(a("admin2")),
                }
                .into(),
            ),
            (Creators, profile("registered", ChatRule::Everyone, true)),
            (
                Tips,
                TipsConfigSet {
                    creators: registry.clone(),
                }
                .into(),
            ),
            (
                Ppv,
                PpvConfigSet {
                    creators: registry.clone(),
                    subscriptions: a("subs"),
                }
                .into(),
            ),
            (
                Meetings,
                MeetingsConfigSet {
                    creators: registry,
                    max_open_auctions: 5,
                    dispute_window_secs: 172_800,
                    cancellation_fee_bps: Some(1_000),
                }
                .into(),
            ),
        ],
        // 2: first things of each kind; a second change of the profile in the same block.
        vec![
            (
                Creators,
                OwnershipChanged {
                    action: "accepted".into(),
                    owner: Some(a("admin2")),
                    pending_owner: None,
                }
                .into(),
            ),
            (Creators, profile("chat_rule_set", tipped.clone(), true)),
            (Subscriptions, tier(TierAction::Created, 1, 100)),
            (Subscriptions, tier(TierAction::Created, 2, 250)),
            (
                Subscriptions,
                subscription(SubscriptionAction::Subscribed, 1, 100, day(31), true),
            ),
            (Ppv, item(ItemAction::Listed, "alice", "ep1", 500, 1)),
            (Surprises, mint("s1")),
            (Surprises, mint("s2")),
            (Surprises, mint("s3")),
            (Meetings, auction(1)),
            (Meetings, auction(2)),
        ],
        // 3
        vec![
            (Subscriptions, tier(TierAction::Updated, 1, 120)),
            (
                Subscriptions,
                subscription(SubscriptionAction::Upgraded, 2, 150, day(31), true),
            ),
            (Ppv, purchase("ep1", "bob", 500, 500)),
            (Ppv, item(ItemAction::Updated, "alice", "ep1", 700, 2)),
            (Surprises, listed("s1", "alice", 1_000)),
            (
                Surprises,
                SurpriseSold {
                    token_id: "s1".into(),
                    seller: a("alice"),
                    buyer: a("bob"),
                    creator: a("alice"),
                    asset: usdc(),
                    price: u(1_000),
                    fee: u(25),
                    treasury: a("treasury"),
                    royalty: u(50),
                    royalty_payout: a("alicepay"),
                    seller_amount: u(925),
                }
                .into(),
            ),
            (Meetings, bid(1, "carol", 100, None)),
            (Meetings, bid(2, "dave", 150, Some(("carol", 100)))),
            (
                Meetings,
                AuctionCancelled {
                    auction_id: 2,
                    creator: a("alice"),
                    open_auctions: 1,
                }
                .into(),
            ),
        ],
        // 4
        vec![
            (Ppv, item(ItemAction::Listed, "alice", "ep2", 300, 1)),
            // Content ids are per creator: erin's "ep1" is another item.
            (Ppv, item(ItemAction::Listed, "erin", "ep1", 900, 1)),
            (Ppv, purchase("ep1", "carol", 700, 700)),
            (Ppv, purchase("ep2", "bob", 300, 800)),
            (
                Surprises,
                SurpriseTransferred {
                    token_id: "s1".into(),
                    from: a("bob"),
                    to: a("carol"),
                    delisted: false,
                }
                .into(),
            ),
            (Surprises, listed("s2", "alice", 5_000)),
            (
                Surprises,
                SurpriseDelisted {
                    token_id: "s2".into(),
                    seller: a("alice"),
                    expired: false,
                }
                .into(),
            ),
            (Surprises, unlocked("s3", "alice", false)),
            (
                Surprises,
                SurpriseForfeited {
                    token_id: "s3".into(),
                    unlocker: a("alice"),
                    creator: a("alice"),
                    bond_asset: Some(usdc()),
                    bond_claimed: u(1_000),
                }
                .into(),
            ),
            (
                Meetings,
                AuctionExtended {
                    auction_id: 1,
                    ends_at: day(11),
                }
                .into(),
            ),
            (
                Meetings,
                AuctionSettled {
                    auction_id: 1,
                    creator: a("alice"),
                    state: AuctionState::Sold,
                    winner: Some(a("dave")),
                    price: Some(u(150)),
                    bought_now: false,
                    settled_by: a("carol"),
                    open_auctions: 0,
                }
                .into(),
            ),
            (Meetings, meeting(MeetingStatus::Scheduled, 1, day(20), 150)),
        ],
        // 5
        vec![
            (Surprises, listed("s1", "carol", 2_000)),
            (Surprises, unlocked("s1", "carol", true)),
            (
                Surprises,
                SurpriseRevealed {
                    token_id: "s1".into(),
                    creator: a("alice"),
                    salt: "5a".repeat(16),
                    content_hash: "c0".repeat(32),
                    bond_asset: Some(usdc()),
                    bond_returned: u(1_000),
                }
                .into(),
            ),
            (
                Meetings,
                RescheduleChanged {
                    meeting_id: 1,
                    action: RescheduleAction::Proposed,
                    by: a("dave"),
                    start: Some(day(21)),
                    duration_secs: Some(3_600),
                }
                .into(),
            ),
            (Meetings, meeting(MeetingStatus::Scheduled, 2, day(21), 150)),
            (Meetings, meeting(MeetingStatus::Held, 3, day(21), 150)),
            (
                Meetings,
                DisputeOpened {
                    meeting_id: 1,
                    fan: a("dave"),
                    reason: Some("too short".into()),
                }
                .into(),
            ),
        ],
        // 6
        vec![
            (
                Meetings,
                DisputeResolved {
                    meeting_id: 1,
                    arbiter: a("arbiter"),
                    outcome: DisputeOutcomeKind::Split,
                    fan_bps: 5_000,
                    to_fan: u(75),
                    fee: u(8),
                    to_creator: u(67),
                }
                .into(),
            ),
            (Meetings, meeting(MeetingStatus::Split, 4, day(21), 0)),
            (
                Meetings,
                MeetingPayout {
                    meeting_id: 1,
                    asset: usdc(),
                    fan: a("dave"),
                    to_fan: u(75),
                    treasury: Some(a("treasury")),
                    fee: u(8),
                    payout: Some(a("alicepay")),
                    to_creator: u(67),
                    cancellation_fee: None,
                }
                .into(),
            ),
            (
                Meetings,
                MeetingPayout {
                    meeting_id: 2,
                    asset: usdc(),
                    fan: a("dave"),
                    to_fan: u(150),
                    treasury: Some(a("treasury")),
                    fee: u(0),
                    payout: None,
                    to_creator: u(0),
                    cancellation_fee: Some(u(15)),
                }
                .into(),
            ),
            (
                Subscriptions,
                subscription(SubscriptionAction::Cancelled, 2, 0, day(31), false),
            ),
            (Creators, profile("deactivated", tipped, false)),
            (
                Tips,
                TipSent {
                    creator: a("alice"),
                    fan: a("bob"),
                    asset: usdc(),
                    amount: u(1_000),
                    fee: u(50),
                    creator_amount: u(950),
                    payout: a("alicepay"),
                    context: TipContext::Profile,
                    message: None,
                    anonymous: false,
                    fan_total: u(1_000),
                }
                .into(),
            ),
        ],
    ]
}

/// Rows of a query as JSON arrays, for comparing with `json!` literals.
async fn rows(pool: &PgPool, columns: &str, from: &str) -> Vec<Value> {
    let sql = format!("SELECT json_build_array({columns})::text FROM {from}");
    sqlx::query_scalar::<_, String>(&sql)
        .fetch_all(pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .iter()
        .map(|row| serde_json::from_str(row).unwrap())
        .collect()
}

fn addr(name: &str) -> String {
    format!("wasm1{name}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_projection_from_a_scripted_chain() {
    let Some(one_by_one) = TestDb::create().await else {
        return;
    };
    let batched = TestDb::create().await.unwrap();
    let chain = Arc::new(Chain::scripted(
        ChainSpec {
            seed: 77,
            blocks: 6,
            ..ChainSpec::default()
        },
        script(),
    ));
    let server = RpcServer::start(chain.clone(), ServerOptions::default())
        .await
        .unwrap();
    let mut options = test_options(chain.head());
    options.max_batch_blocks = 1;
    ingest(&chain, &server.url(), &one_by_one.url, options).await;
    let mut options = test_options(chain.head());
    options.max_batch_blocks = 1_000;
    options.max_batch_rows = 1_000_000;
    options.prefetch = 16;
    ingest(&chain, &server.url(), &batched.url, options).await;
    let pool = batched.pool().await;
    common::assert_database_matches(&pool, &chain, chain.head()).await;
    assert_eq!(
        table_digests(&one_by_one.pool().await).await,
        table_digests(&pool).await
    );

    let kind = |k: ContractKind| contract_address(k);
    let usdc = "native:uusdc";

    // Creators, platform, ownership, configs.
    assert_eq!(
        rows(&pool, "contract, creator, display_name, accepted_assets, tip_minimums, chat_rule, active, last_action, registered_at = '2024-01-02T00:00:00Z'", "creators").await,
        vec![json!([kind(Creators), addr("alice"), "Alice", [usdc], [[usdc, "100"]],
                    {"tipped_at_least": {"asset": {"native": {"denom": "uusdc"}}, "amount": "1000"}}, false, "deactivated", true])]
    );
    assert_eq!(
        rows(&pool, "treasury, fees->>'ppv', accepted_assets, fiat_gateways, arbiter, contracts->>'meetings'", "platform_config").await,
        vec![json!([addr("treasury"), "1000", [usdc], [addr("gateway")], addr("arbiter"), kind(Meetings)])]
    );
    assert_eq!(
        rows(
            &pool,
            "contract, owner, pending_owner, last_action",
            "contract_owners"
        )
        .await,
        vec![json!([kind(Creators), addr("admin2"), null, "accepted"])]
    );
    assert_eq!(
        rows(
            &pool,
            "event_type, config->>'creators'",
            "contract_configs ORDER BY event_type"
        )
        .await,
        [
            "mesi.meetings_config.v1",
            "mesi.ppv_config.v1",
            "mesi.tips_config.v1"
        ]
        .iter()
        .map(|t| json!([t, kind(Creators)]))
        .collect::<Vec<_>>()
    );

    // Subscriptions.
    assert_eq!(
        rows(
            &pool,
            "tier, name, price::text, subscriber_cap, bundles, trial_seconds::text, last_action",
            "subscription_tiers ORDER BY tier"
        )
        .await,
        vec![
            json!([1, "Tier 1", "120", null, [{"periods": 3, "discount_bps": 500}], "86400", "updated"]),
            json!([2, "Tier 2", "250", 10, [{"periods": 3, "discount_bps": 500}], null, "created"]),
        ]
    );
    assert_eq!(
        rows(
            &pool,
            "fan, tier, expires_at = '2024-02-01T00:00:00Z', auto_renew, last_action",
            "subscriptions"
        )
        .await,
        vec![json!([addr("bob"), 2, true, false, "cancelled"])]
    );
    assert_eq!(
        rows(
            &pool,
            "action, tier, from_tier, amount::text, refunded::text",
            "subscription_changes ORDER BY height, seq"
        )
        .await,
        vec![
            json!(["subscribed", 1, null, "100", null]),
            json!(["upgraded", 2, 1, "150", "3"]),
            json!(["cancelled", 2, null, "0", null])
        ]
    );

    // Pay-per-view.
    assert_eq!(
        rows(
            &pool,
            "creator, content_id, price::text, revision, listed, sale_ends_at IS NOT NULL, last_action",
            "ppv_items ORDER BY creator, content_id"
        )
        .await,
        vec![
            json!([addr("alice"), "ep1", "700", 2, true, true, "updated"]),
            json!([addr("alice"), "ep2", "300", 1, true, false, "listed"]),
            json!([addr("erin"), "ep1", "900", 1, true, false, "listed"])
        ]
    );
    assert_eq!(
        rows(
            &pool,
            "content_id, buyer, price::text, fan_total::text",
            "ppv_purchases ORDER BY height, seq"
        )
        .await,
        vec![
            json!(["ep1", addr("bob"), "500", "500"]),
            json!(["ep1", addr("carol"), "700", "700"]),
            json!(["ep2", addr("bob"), "300", "800"])
        ]
    );
    assert_eq!(
        rows(
            &pool,
            "buyer, asset, total::text, purchase_count",
            "ppv_totals ORDER BY buyer"
        )
        .await,
        vec![
            json!([addr("bob"), usdc, "800", 2]),
            json!([addr("carol"), usdc, "700", 1])
        ]
    );

    // Surprises.
    assert_eq!(
        rows(&pool, "token_id, owner, state, reveal_deadline IS NOT NULL, salt IS NOT NULL, hints, minted_height", "surprises ORDER BY token_id").await,
        vec![
            json!(["s1", addr("carol"), "revealed", true, true, ["blue", "loud, \"very\""], 2]),
            json!(["s2", addr("alice"), "sealed", false, false, ["blue", "loud, \"very\""], 2]),
            json!(["s3", addr("alice"), "forfeited", true, false, ["blue", "loud, \"very\""], 2]),
        ]
    );
    assert_eq!(
        rows(
            &pool,
            "token_id, from_owner, to_owner, reason",
            "surprise_owners ORDER BY height, seq"
        )
        .await,
        vec![
            json!(["s1", null, addr("alice"), "mint"]),
            json!(["s2", null, addr("alice"), "mint"]),
            json!(["s3", null, addr("alice"), "mint"]),
            json!(["s1", addr("alice"), addr("bob"), "sale"]),
            json!(["s1", addr("bob"), addr("carol"), "transfer"]),
        ]
    );
    assert_eq!(
        rows(&pool, "token_id", "surprise_listings").await,
        Vec::<Value>::new(),
        "every listing ended"
    );
    assert_eq!(
        rows(
            &pool,
            "token_id, seller, buyer, price::text, royalty::text",
            "surprise_sales"
        )
        .await,
        vec![json!(["s1", addr("alice"), addr("bob"), "1000", "50"])]
    );

    // Meetings.
    assert_eq!(
        rows(&pool, "auction_id::text, state, top_bidder, top_bid::text, bid_count, winner, price::text, ends_at = '2024-01-12T00:00:00Z'", "meeting_auctions ORDER BY auction_id").await,
        vec![
            json!(["1", "sold", addr("dave"), "150", 2, addr("dave"), "150", true]),
            json!(["2", "cancelled", null, null, 0, null, null, false]),
        ]
    );
    assert_eq!(
        rows(
            &pool,
            "bid_seq, bidder, amount::text, refunded_bidder",
            "meeting_bids ORDER BY bid_seq"
        )
        .await,
        vec![
            json!([1, addr("carol"), "100", null]),
            json!([2, addr("dave"), "150", addr("carol")])
        ]
    );
    assert_eq!(
        rows(
            &pool,
            "meeting_id::text, status, revision, start = '2024-01-22T00:00:00Z', escrow::text",
            "meetings"
        )
        .await,
        vec![json!(["1", "split", 4, true, "0"])]
    );
    assert_eq!(
        rows(
            &pool,
            "action, proposed_by, duration_secs::text",
            "meeting_reschedules"
        )
        .await,
        vec![json!(["proposed", addr("dave"), "3600"])]
    );
    assert_eq!(
        rows(
            &pool,
            "fan, reason, outcome, fan_bps, to_fan::text, to_creator::text",
            "meeting_disputes"
        )
        .await,
        vec![json!([
            addr("dave"),
            "too short",
            "split",
            5000,
            "75",
            "67"
        ])]
    );
    assert_eq!(
        rows(
            &pool,
            "to_fan::text, fee::text, to_creator::text, cancellation_fee::text",
            "meeting_payouts ORDER BY meeting_id"
        )
        .await,
        vec![
            json!(["75", "8", "67", null]),
            json!(["150", "0", "0", "15"])
        ]
    );

    assert_eq!(
        rows(&pool, "total::text", "tip_totals").await,
        vec![json!(["1000"])]
    );
}
