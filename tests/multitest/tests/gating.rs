//! `CanMessage` against the real sibling contracts: every leaf reads the right contract, and the
//! answer follows the state as it changes (tips, purchases, subscriptions expiring, surprises
//! changing hands).

use std::collections::HashMap;

use cosmwasm_std::{Addr, Uint128};
use mesi_common::chat_rule::{evaluate, ChatRule, GatingFacts, Qualification};
use mesi_common::AssetInfo;
use mesi_multitest::{Suite, DAY, USDC};
use proptest::prelude::*;

fn usdc() -> AssetInfo {
    AssetInfo::native(USDC)
}

fn tipped(asset: AssetInfo, amount: u128) -> ChatRule {
    ChatRule::TippedAtLeast {
        asset,
        amount: Uint128::new(amount),
    }
}

#[test]
fn every_leaf_reads_its_contract() {
    let mut suite = Suite::new();
    let mesi = AssetInfo::cw20(suite.mesi.clone());
    let rule = ChatRule::Any {
        rules: vec![
            ChatRule::Subscriber { min_tier: 2 },
            tipped(usdc(), 10_000_000),
            tipped(mesi.clone(), 50_000_000),
            ChatRule::PpvSpentAtLeast {
                asset: usdc(),
                amount: Uint128::new(20_000_000),
            },
            ChatRule::HoldsSurprise,
        ],
    };
    let alice = suite.register_creator("alice", rule);
    suite.create_tier(&alice, 1, 1_000_000);
    suite.create_tier(&alice, 2, 5_000_000);
    suite.list_item(&alice, "clip-1", 20_000_000, None);

    let fans: Vec<Addr> = (0..6).map(|i| suite.addr(&format!("fan{i}"))).collect();
    for fan in &fans {
        suite.fund(fan);
    }
    suite.subscribe(&fans[0], &alice, 2, 5_000_000).unwrap();
    suite.tip(&fans[1], &alice, 10_000_000).unwrap();
    suite.tip_mesi(&fans[2], &alice, 50_000_000).unwrap();
    suite
        .buy_item(&fans[3], &alice, "clip-1", 20_000_000)
        .unwrap();
    suite.mint_surprise(&alice, "first", &fans[4], b"content", [7; 32]);

    let expected = [
        "any[0].subscriber",
        "any[1].tipped_at_least",
        "any[2].tipped_at_least",
        "any[3].ppv_spent_at_least",
        "any[4].holds_surprise",
    ];
    for (fan, decided_by) in fans.iter().zip(expected) {
        let answer = suite.can_message(&alice, fan);
        assert!(answer.allowed, "{fan}: {answer:?}");
        assert_eq!(answer.decided_by, decided_by);
    }

    // A tier-1 subscriber who tipped a little is told every way to qualify.
    let nobody = &fans[5];
    suite.subscribe(nobody, &alice, 1, 1_000_000).unwrap();
    suite.tip(nobody, &alice, 4_000_000).unwrap();
    // Buying another creator's item of the same content id counts for that creator only.
    let bob = suite.register_creator("bob", ChatRule::Everyone);
    suite.list_item(&bob, "clip-1", 20_000_000, None);
    suite.buy_item(nobody, &bob, "clip-1", 20_000_000).unwrap();
    let answer = suite.can_message(&alice, nobody);
    assert!(!answer.allowed);
    assert_eq!(answer.decided_by, "any");
    assert_eq!(
        answer.qualify,
        Some(Qualification::AnyOf {
            items: vec![
                Qualification::Subscribe { min_tier: 2 },
                Qualification::Tip {
                    asset: usdc(),
                    more: Uint128::new(6_000_000)
                },
                Qualification::Tip {
                    asset: mesi.clone(),
                    more: Uint128::new(50_000_000)
                },
                Qualification::SpendOnPpv {
                    asset: usdc(),
                    more: Uint128::new(20_000_000)
                },
                Qualification::HoldSurprise,
            ]
        })
    );
    let hint = answer.hint.unwrap();
    assert!(
        hint.starts_with("(subscribe to tier 2 or tip 6000000 more native:uusdc or "),
        "{hint}"
    );
}

#[test]
fn an_expired_subscription_stops_counting_at_once() {
    let mut suite = Suite::new();
    let alice = suite.register_creator("alice", ChatRule::Subscriber { min_tier: 1 });
    suite.create_tier(&alice, 1, 1_000_000);
    let fan = suite.addr("fan");
    suite.fund(&fan);
    assert!(!suite.can_message(&alice, &fan).allowed);
    suite.subscribe(&fan, &alice, 1, 1_000_000).unwrap();
    assert!(suite.can_message(&alice, &fan).allowed);
    suite.advance(30 * DAY - 1);
    assert!(
        suite.can_message(&alice, &fan).allowed,
        "one second before expiry"
    );
    suite.advance(1);
    let answer = suite.can_message(&alice, &fan);
    assert!(!answer.allowed, "at expiry");
    assert_eq!(
        answer.qualify,
        Some(Qualification::Subscribe { min_tier: 1 })
    );
}

#[test]
fn holding_a_surprise_follows_its_owner() {
    let mut suite = Suite::new();
    let alice = suite.register_creator("alice", ChatRule::HoldsSurprise);
    let bob = suite.register_creator("bob", ChatRule::HoldsSurprise);
    let (first, second) = (suite.addr("first"), suite.addr("second"));
    let token = suite.mint_surprise(&alice, "gift", &first, b"secret", [1; 32]);
    suite.mint_surprise(&bob, "other", &second, b"other", [2; 32]);
    assert!(suite.can_message(&alice, &first).allowed);
    assert!(
        !suite.can_message(&alice, &second).allowed,
        "holding bob's surprise does not count for alice"
    );
    suite.transfer_surprise(&first, &token, &second).unwrap();
    assert!(!suite.can_message(&alice, &first).allowed);
    assert!(suite.can_message(&alice, &second).allowed);
}

#[test]
fn blocklist_beats_everything_else() {
    let mut suite = Suite::new();
    let fan = suite.addr("fan");
    let rule = ChatRule::Any {
        rules: vec![
            ChatRule::Everyone,
            ChatRule::Blocklist {
                addresses: vec![fan.clone()],
            },
        ],
    };
    let alice = suite.register_creator("alice", rule);
    suite.fund(&fan);
    suite.tip(&fan, &alice, 1_000_000).unwrap();
    let answer = suite.can_message(&alice, &fan);
    assert_eq!(
        (answer.allowed, answer.decided_by.as_str(), answer.qualify),
        (false, "any[1].blocklist", None)
    );
    assert!(suite.can_message(&alice, &suite.addr("other")).allowed);
}

// --- randomized: the gate follows a model of the state; no contract keeps funds -------------

const FANS: usize = 4;
const ITEM_PRICE: u128 = 3_000_000;

#[derive(Clone, Debug)]
enum Op {
    Tip { fan: usize, amount: u128 },
    TipMesi { fan: usize, amount: u128 },
    Subscribe { fan: usize, tier: u32 },
    Buy { fan: usize, item: usize },
    MintSurprise { fan: usize },
    PassSurprise { from: usize, to: usize },
    Advance { days: u64 },
}

fn op() -> impl Strategy<Value = Op> {
    let fan = 0..FANS;
    prop_oneof![
        (fan.clone(), 1u128..4_000_000).prop_map(|(fan, amount)| Op::Tip { fan, amount }),
        (fan.clone(), 1u128..4_000_000).prop_map(|(fan, amount)| Op::TipMesi { fan, amount }),
        (fan.clone(), 1u32..=2).prop_map(|(fan, tier)| Op::Subscribe { fan, tier }),
        (fan.clone(), 0usize..3).prop_map(|(fan, item)| Op::Buy { fan, item }),
        fan.clone().prop_map(|fan| Op::MintSurprise { fan }),
        (fan.clone(), fan).prop_map(|(from, to)| Op::PassSurprise { from, to }),
        (1u64..20).prop_map(|days| Op::Advance { days }),
    ]
}

/// What the contracts should know about one fan.
#[derive(Default, Clone, Debug)]
struct FanModel {
    tipped: HashMap<AssetInfo, u128>,
    spent: u128,
    bought: [bool; 3],
    /// (tier, expiry in seconds)
    subscription: Option<(u32, u64)>,
    surprises: Vec<String>,
}

struct ModelFacts<'a> {
    fan: &'a FanModel,
    now: u64,
}

impl GatingFacts for ModelFacts<'_> {
    type Error = std::convert::Infallible;
    fn subscription_tier(&mut self) -> Result<Option<u32>, Self::Error> {
        Ok(self
            .fan
            .subscription
            .filter(|(_, expiry)| self.now < *expiry)
            .map(|(tier, _)| tier))
    }
    fn tipped(&mut self, asset: &AssetInfo) -> Result<Uint128, Self::Error> {
        Ok(Uint128::new(
            self.fan.tipped.get(asset).copied().unwrap_or(0),
        ))
    }
    fn ppv_spent(&mut self, asset: &AssetInfo) -> Result<Uint128, Self::Error> {
        Ok(Uint128::new(if *asset == usdc() {
            self.fan.spent
        } else {
            0
        }))
    }
    fn holds_surprise(&mut self) -> Result<bool, Self::Error> {
        Ok(!self.fan.surprises.is_empty())
    }
}

fn tier_price(tier: u32) -> u128 {
    tier as u128 * 2_000_000
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn gate_follows_the_state(ops in proptest::collection::vec(op(), 1..40)) {
        let mut suite = Suite::new();
        let mesi = AssetInfo::cw20(suite.mesi.clone());
        let rule = ChatRule::Any {
            rules: vec![
                ChatRule::All { rules: vec![ChatRule::Subscriber { min_tier: 2 }, tipped(usdc(), 1_000_000)] },
                ChatRule::AtLeast {
                    k: 2,
                    rules: vec![
                        tipped(mesi.clone(), 5_000_000),
                        ChatRule::PpvSpentAtLeast { asset: usdc(), amount: Uint128::new(2 * ITEM_PRICE) },
                        ChatRule::HoldsSurprise,
                        ChatRule::Subscriber { min_tier: 1 },
                    ],
                },
            ],
        };
        let creator = suite.register_creator("creator", rule.clone());
        suite.create_tier(&creator, 1, tier_price(1));
        suite.create_tier(&creator, 2, tier_price(2));
        for item in 0..3 {
            suite.list_item(&creator, &format!("item-{item}"), ITEM_PRICE, None);
        }
        let fans: Vec<Addr> = (0..FANS).map(|i| suite.addr(&format!("fan{i}"))).collect();
        for fan in &fans {
            suite.fund(fan);
        }
        let mut model = vec![FanModel::default(); FANS];
        let mut minted = 0;

        for op in ops {
            let now = suite.now().seconds();
            match op {
                Op::Tip { fan, amount } => {
                    suite.tip(&fans[fan], &creator, amount).unwrap();
                    *model[fan].tipped.entry(usdc()).or_default() += amount;
                }
                Op::TipMesi { fan, amount } => {
                    suite.tip_mesi(&fans[fan], &creator, amount).unwrap();
                    *model[fan].tipped.entry(mesi.clone()).or_default() += amount;
                }
                Op::Subscribe { fan, tier } => {
                    let result = suite.subscribe(&fans[fan], &creator, tier, tier_price(tier));
                    match model[fan].subscription {
                        // Active on another tier: the contract asks for an upgrade instead.
                        Some((current, expiry)) if now < expiry && current != tier => prop_assert!(result.is_err()),
                        Some((current, expiry)) if now < expiry => {
                            result.unwrap();
                            model[fan].subscription = Some((current, expiry + 30 * DAY));
                        }
                        _ => {
                            result.unwrap();
                            model[fan].subscription = Some((tier, now + 30 * DAY));
                        }
                    }
                }
                Op::Buy { fan, item } => {
                    let result = suite.buy_item(&fans[fan], &creator, &format!("item-{item}"), ITEM_PRICE);
                    if model[fan].bought[item] {
                        prop_assert!(result.is_err(), "a second purchase must be refused");
                    } else {
                        result.unwrap();
                        model[fan].bought[item] = true;
                        model[fan].spent += ITEM_PRICE;
                    }
                }
                Op::MintSurprise { fan } => {
                    minted += 1;
                    let token = suite.mint_surprise(&creator, &format!("s{minted}"), &fans[fan], b"content", [minted as u8; 32]);
                    model[fan].surprises.push(token);
                }
                Op::PassSurprise { from, to } => {
                    if let Some(token) = model[from].surprises.pop() {
                        suite.transfer_surprise(&fans[from], &token, &fans[to]).unwrap();
                        model[to].surprises.push(token);
                    }
                }
                Op::Advance { days } => suite.advance(days * DAY),
            }

            let now = suite.now().seconds();
            for (fan, state) in fans.iter().zip(&model) {
                let Ok(expected) = evaluate(&rule, fan, &mut ModelFacts { fan: state, now });
                prop_assert_eq!(suite.can_message(&creator, fan), expected, "fan state {:?}", state);
            }
            for contract in [&suite.tips, &suite.subscriptions, &suite.ppv] {
                prop_assert_eq!(suite.balance(contract, USDC), 0, "{} keeps USDC", contract);
                prop_assert_eq!(suite.mesi_balance(contract), 0, "{} keeps MESI", contract);
            }
        }
    }
}
