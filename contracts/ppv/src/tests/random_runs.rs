//! Randomized runs: random prices, fees and operation sequences with time advancing, checked
//! against a model after every step. The contract must never keep a balance, every split must add
//! up, and access (purchases and subscriptions) and totals must match what happened.

use std::collections::{BTreeMap, BTreeSet};

use cosmwasm_std::{Timestamp, Uint128};
use mesi_common::fee::{bps_of, MAX_PLATFORM_FEE_BPS};
use proptest::prelude::*;

use super::*;
use crate::msg::AccessReason;

const ITEM_COUNT: usize = 4;

#[derive(Debug, Clone)]
enum Op {
    /// Lists the item, or updates it when it is listed.
    List {
        item: usize,
        price: u128,
        in_mesi: bool,
        sale_seconds: Option<u64>,
        free_for_tier: Option<u32>,
    },
    Delist {
        item: usize,
    },
    /// Pays the price, or one unit more when `exact` is false.
    Buy {
        fan: usize,
        item: usize,
        exact: bool,
    },
    /// Subscribes the fan to the creator of `item` for one period, unless already subscribed.
    Subscribe {
        fan: usize,
        item: usize,
        tier: u32,
    },
    SetFee {
        bps: u16,
    },
    Advance {
        seconds: u64,
    },
}

fn price() -> impl Strategy<Value = u128> {
    prop_oneof![1u128..1_000, 1u128..=10u128.pow(30)]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..ITEM_COUNT, price(), any::<bool>(), proptest::option::of(1u64..5_000), proptest::option::of(1u32..=3))
            .prop_map(|(item, price, in_mesi, sale_seconds, free_for_tier)| Op::List { item, price, in_mesi, sale_seconds, free_for_tier }),
        1 => (0..ITEM_COUNT).prop_map(|item| Op::Delist { item }),
        6 => (0..FAN_COUNT, 0..ITEM_COUNT, proptest::bool::weighted(0.9))
            .prop_map(|(fan, item, exact)| Op::Buy { fan, item, exact }),
        2 => (0..FAN_COUNT, 0..ITEM_COUNT, 1u32..=3).prop_map(|(fan, item, tier)| Op::Subscribe { fan, item, tier }),
        1 => (0..=MAX_PLATFORM_FEE_BPS).prop_map(|bps| Op::SetFee { bps }),
        2 => prop_oneof![1u64..3_000, 1u64..=SUBSCRIPTION_PERIOD].prop_map(|seconds| Op::Advance { seconds }),
    ]
}

#[derive(Debug, Clone)]
struct ModelItem {
    price: u128,
    in_mesi: bool,
    sale_ends_at: Option<Timestamp>,
    free_for_tier: Option<u32>,
    listed: bool,
    revision: u32,
}

struct Run {
    s: Suite,
    items: Vec<Option<ModelItem>>,
    purchases: BTreeSet<(usize, usize)>,
    /// (creator of the item, fan, paid in MESI) -> total.
    spent: BTreeMap<(Addr, usize, bool), u128>,
    /// (creator, fan) -> (tier, expiry).
    subscriptions: BTreeMap<(Addr, usize), (u32, Timestamp)>,
    fee_bps: u16,
}

impl Run {
    fn new() -> Self {
        Run {
            s: Suite::new(),
            items: vec![None; ITEM_COUNT],
            purchases: BTreeSet::new(),
            spent: BTreeMap::new(),
            subscriptions: BTreeMap::new(),
            fee_bps: PPV_FEE_BPS,
        }
    }

    /// Both creators use the same ids (`item-0` and `item-1`): ids are per creator, so the model's
    /// four items are four items on the chain.
    fn content_id(item: usize) -> String {
        format!("item-{}", item % 2)
    }

    /// Items 0 and 1 belong to `creator` (paid to `payout`), the others to `other_creator`.
    fn creator_of(&self, item: usize) -> (Addr, Addr) {
        if item < 2 {
            (self.s.creator.clone(), self.s.payout.clone())
        } else {
            (self.s.other_creator.clone(), self.s.other_creator.clone())
        }
    }

    fn asset(&self, in_mesi: bool) -> AssetInfo {
        if in_mesi {
            self.s.mesi_asset()
        } else {
            self.s.usdc()
        }
    }

    fn apply(&mut self, op: &Op) {
        match *op {
            Op::List {
                item,
                price,
                in_mesi,
                sale_seconds,
                free_for_tier,
            } => self.list(item, price, in_mesi, sale_seconds, free_for_tier),
            Op::Delist { item } => self.delist(item),
            Op::Buy { fan, item, exact } => self.buy(fan, item, exact),
            Op::Subscribe { fan, item, tier } => self.subscribe(fan, item, tier),
            Op::SetFee { bps } => {
                self.s.set_ppv_fee(bps);
                self.fee_bps = bps;
            }
            Op::Advance { seconds } => self.s.advance(seconds),
        }
    }

    fn list(
        &mut self,
        item: usize,
        price: u128,
        in_mesi: bool,
        sale_seconds: Option<u64>,
        free_for_tier: Option<u32>,
    ) {
        let (creator, _) = self.creator_of(item);
        let content_id = Self::content_id(item);
        let sale_ends_at = sale_seconds.map(|secs| self.s.now().plus_seconds(secs));
        let asset = self.asset(in_mesi);
        let (msg, revision) = match &self.items[item] {
            Some(existing) if existing.listed => (
                ExecuteMsg::UpdateItem {
                    content_id,
                    price: Uint128::new(price),
                    asset,
                    sale_ends_at,
                    free_for_tier,
                },
                existing.revision + 1,
            ),
            existing => (
                ExecuteMsg::ListItem {
                    content_id,
                    price: Uint128::new(price),
                    asset,
                    sale_ends_at,
                    free_for_tier,
                },
                existing.as_ref().map_or(1, |e| e.revision + 1),
            ),
        };
        self.s.execute(&creator, &msg, &[]).unwrap();
        self.items[item] = Some(ModelItem {
            price,
            in_mesi,
            sale_ends_at,
            free_for_tier,
            listed: true,
            revision,
        });
    }

    fn subscribe(&mut self, fan_index: usize, item: usize, tier: u32) {
        let (creator, _) = self.creator_of(item);
        let now = self.s.now();
        let key = (creator.clone(), fan_index);
        if self
            .subscriptions
            .get(&key)
            .is_some_and(|(_, expires_at)| now < *expires_at)
        {
            return; // Stacking and upgrades are the subscriptions contract's business.
        }
        let fan = self.s.fans[fan_index].clone();
        self.s.subscribe(&creator, &fan, tier);
        self.subscriptions
            .insert(key, (tier, now.plus_seconds(SUBSCRIPTION_PERIOD)));
    }

    /// What `HasAccess` must answer for a fan who is not the creator.
    fn expected_access(&self, fan_index: usize, item: usize, model: &ModelItem) -> AccessReason {
        if self.purchases.contains(&(fan_index, item)) {
            return AccessReason::Purchased;
        }
        let (creator, _) = self.creator_of(item);
        let now = self.s.now();
        match (
            model.listed,
            model.free_for_tier,
            self.subscriptions.get(&(creator, fan_index)),
        ) {
            (true, Some(min), Some(&(tier, expires_at))) if now < expires_at && tier >= min => {
                AccessReason::SubscriptionTier { tier }
            }
            _ => AccessReason::None,
        }
    }

    fn delist(&mut self, item: usize) {
        let (creator, _) = self.creator_of(item);
        let result = self.s.delist(&creator, &Self::content_id(item));
        match &mut self.items[item] {
            Some(existing) if existing.listed => {
                result.unwrap();
                existing.listed = false;
                existing.revision += 1;
            }
            _ => assert!(result.is_err()),
        }
    }

    fn buy(&mut self, fan_index: usize, item: usize, exact: bool) {
        let fan = self.s.fans[fan_index].clone();
        let (creator, payout) = self.creator_of(item);
        let content_id = Self::content_id(item);
        // An item that was never listed is tried in USDC.
        let model = self.items[item].clone();
        let (price, in_mesi) = model.as_ref().map_or((1, false), |m| (m.price, m.in_mesi));
        let asset = self.asset(in_mesi);
        let paid = if exact { price } else { price + 1 };
        let watched = [fan.clone(), payout.clone(), self.s.treasury.clone()];
        let before: Vec<u128> = watched.iter().map(|a| self.s.balance(a, &asset)).collect();

        let result = if in_mesi {
            self.s.buy_mesi(&fan, &creator, &content_id, paid)
        } else {
            self.s.buy_usdc(&fan, &creator, &content_id, paid)
        };

        let now = self.s.now();
        let should_succeed = model.as_ref().is_some_and(|m| {
            m.listed
                && m.sale_ends_at.is_none_or(|end| now < end)
                && exact
                && !self.purchases.contains(&(fan_index, item))
        });
        let after: Vec<u128> = watched.iter().map(|a| self.s.balance(a, &asset)).collect();
        if should_succeed {
            result.unwrap();
            let fee = bps_of(Uint128::new(price), self.fee_bps).u128();
            assert_eq!(before[0] - after[0], price, "fan pays the price");
            assert_eq!(after[1] - before[1], price - fee, "creator share");
            assert_eq!(after[2] - before[2], fee, "platform fee");
            self.purchases.insert((fan_index, item));
            *self.spent.entry((creator, fan_index, in_mesi)).or_default() += price;
        } else {
            assert!(
                result.is_err(),
                "{op:?} should have failed",
                op = (fan_index, item, exact)
            );
            assert_eq!(before, after, "a refused purchase moves nothing");
        }
    }

    fn check(&self) {
        self.s.assert_ppv_holds_nothing();
        for item in 0..ITEM_COUNT {
            let content_id = Self::content_id(item);
            let Some(model) = &self.items[item] else {
                continue;
            };
            let (creator, _) = self.creator_of(item);
            let stored = self.s.item(&creator, &content_id);
            assert_eq!(
                (
                    stored.price.u128(),
                    stored.asset,
                    stored.sale_ends_at,
                    stored.free_for_tier,
                    stored.listed,
                    stored.revision
                ),
                (
                    model.price,
                    self.asset(model.in_mesi),
                    model.sale_ends_at,
                    model.free_for_tier,
                    model.listed,
                    model.revision
                )
            );
            for (fan_index, fan) in self.s.fans.iter().enumerate() {
                let access = self.s.has_access(fan, &creator, &content_id);
                let reason = self.expected_access(fan_index, item, model);
                assert_eq!(
                    access,
                    AccessResponse {
                        allowed: reason != AccessReason::None,
                        reason
                    },
                    "fan {fan_index}, {creator} {content_id}"
                );
            }
        }
        for creator in [&self.s.creator, &self.s.other_creator] {
            for (fan_index, fan) in self.s.fans.iter().enumerate() {
                for in_mesi in [false, true] {
                    let expected = self
                        .spent
                        .get(&(creator.clone(), fan_index, in_mesi))
                        .copied()
                        .unwrap_or_default();
                    assert_eq!(self.s.spent(creator, fan, &self.asset(in_mesi)), expected);
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn random_sequences_keep_no_funds_and_match_the_model(ops in proptest::collection::vec(op(), 1..30)) {
        let mut run = Run::new();
        for op in &ops {
            run.apply(op);
            run.check();
        }
    }

    /// One purchase at a random price and fee: the parts add up and the contract keeps nothing.
    #[test]
    fn any_price_and_fee_split_exactly(price in 1u128..=FAN_FUNDS, bps in 0..=MAX_PLATFORM_FEE_BPS, in_mesi in any::<bool>()) {
        let mut run = Run::new();
        run.apply(&Op::SetFee { bps });
        run.apply(&Op::List { item: 0, price, in_mesi, sale_seconds: None, free_for_tier: None });
        run.apply(&Op::Buy { fan: 0, item: 0, exact: true });
        run.check();
        prop_assert!(run.purchases.contains(&(0, 0)));
    }
}
