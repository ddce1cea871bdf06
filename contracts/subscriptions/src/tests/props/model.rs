//! The model the random sequences are checked against: the tiers, the operations, and what
//! the contract should do with each.

use std::collections::BTreeSet;

use super::*;

pub(super) const FANS: usize = 4;
pub(super) const NANOS: u64 = 1_000_000_000;
const MAX_PREPAID_NANOS: u64 = 3_660 * DAY * NANOS;
const GRACE_NANOS: u64 = 7 * DAY * NANOS;
pub(super) const START_ALLOWANCES: [u128; FANS] = [FAN_FUNDS, FAN_FUNDS, 12_000, 0];

pub(super) struct TierDef {
    pub(super) level: u32,
    pub(super) mesi: bool,
    pub(super) period_days: u64,
    pub(super) price: u128,
    pub(super) cap: Option<u32>,
    pub(super) trial_days: Option<u64>,
    pub(super) bundle: (u32, u16),
}

pub(super) const TIER_DEFS: [TierDef; 3] = [
    TierDef {
        level: 1,
        mesi: true,
        period_days: 10,
        price: 1_000,
        cap: Some(2),
        trial_days: None,
        bundle: (3, 500),
    },
    TierDef {
        level: 2,
        mesi: true,
        period_days: 30,
        price: 5_000,
        cap: None,
        trial_days: Some(2),
        bundle: (6, 9_000),
    },
    TierDef {
        level: 3,
        mesi: false,
        period_days: 15,
        price: 700,
        cap: Some(1),
        trial_days: None,
        bundle: (2, 2_500),
    },
];

pub(super) fn def(level: u32) -> &'static TierDef {
    &TIER_DEFS[level as usize - 1]
}

pub(super) fn tier_terms(def: &TierDef, price: u128) -> TierTerms {
    TierTerms {
        name: format!("tier {}", def.level),
        price: Uint128::new(price),
        subscriber_cap: def.cap,
        bundles: vec![bundle(def.bundle.0, def.bundle.1)],
        trial_seconds: def.trial_days.map(|d| d * DAY),
    }
}

#[derive(Debug, Clone)]
pub(super) enum Op {
    /// `max`: 0 = one below the price, 1 = the price, 2 = well above.
    Subscribe {
        fan: usize,
        tier: u32,
        bundle: bool,
        auto_renew: bool,
        max: u8,
    },
    Extend {
        fan: usize,
        bundle: bool,
    },
    Upgrade {
        fan: usize,
        to_tier: u32,
        overpay: u128,
    },
    Trial {
        fan: usize,
        tier: u32,
    },
    Cancel {
        fan: usize,
    },
    Renew {
        fan: usize,
    },
    SetPrice {
        tier: u32,
        price: u128,
    },
    Release {
        tier: u32,
    },
    Advance {
        seconds: u64,
    },
    /// To a fan's expiry plus an offset, if that lies ahead.
    AdvanceToExpiry {
        fan: usize,
        offset_seconds: i64,
    },
}

pub(super) fn op_strategy() -> impl Strategy<Value = Op> {
    let fan = 0..FANS;
    let tier = 1u32..=3;
    prop_oneof![
        4 => (fan.clone(), tier.clone(), any::<bool>(), prop::bool::weighted(0.7), 0u8..3)
            .prop_map(|(fan, tier, bundle, auto_renew, max)| Op::Subscribe { fan, tier, bundle, auto_renew, max }),
        2 => (fan.clone(), any::<bool>()).prop_map(|(fan, bundle)| Op::Extend { fan, bundle }),
        2 => (fan.clone(), prop::sample::select(vec![1u32, 2, 2, 2, 3]), prop_oneof![Just(0u128), 1u128..500])
            .prop_map(|(fan, to_tier, overpay)| Op::Upgrade { fan, to_tier, overpay }),
        2 => (fan.clone(), tier.clone()).prop_map(|(fan, tier)| Op::Trial { fan, tier }),
        1 => fan.clone().prop_map(|fan| Op::Cancel { fan }),
        3 => fan.clone().prop_map(|fan| Op::Renew { fan }),
        1 => (tier.clone(), prop::sample::select(vec![400u128, 700, 1_000, 1_500, 5_000, 8_000]))
            .prop_map(|(tier, price)| Op::SetPrice { tier, price }),
        1 => tier.prop_map(|tier| Op::Release { tier }),
        3 => prop::sample::select(vec![3_600u64, 12 * 3_600, DAY, 3 * DAY, 9 * DAY, 29 * DAY])
            .prop_map(|seconds| Op::Advance { seconds }),
        3 => (fan, prop::sample::select(vec![-12 * 3_600i64, -1, 0, DAY as i64]))
            .prop_map(|(fan, offset_seconds)| Op::AdvanceToExpiry { fan, offset_seconds }),
    ]
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct ModelSub {
    pub(super) tier: u32,
    pub(super) expires: u64,
    pub(super) auto_renew: bool,
    pub(super) max: u128,
    pub(super) on_trial: bool,
    pub(super) trial_used: bool,
    /// What was paid for the access from `paid_from` to `expires`.
    pub(super) paid: u128,
    pub(super) paid_from: u64,
}

impl ModelSub {
    /// What is left of `paid` at `now`, rounded down.
    fn credit(&self, now: u64) -> u128 {
        if now >= self.expires || self.paid_from >= self.expires {
            return 0;
        }
        let left = self.expires - now.max(self.paid_from);
        self.paid * u128::from(left) / u128::from(self.expires - self.paid_from)
    }
}

/// What the fan has paid for the access to come after paying `amount` at `now` on top of `prev`.
fn paid_after(prev: Option<ModelSub>, amount: u128, now: u64) -> (u128, u64) {
    match prev {
        Some(p) if p.expires > now => (p.credit(now) + amount, p.paid_from.max(now)),
        _ => (amount, now),
    }
}

/// What one accepted operation pays, to whom.
struct Payment {
    mesi: bool,
    fan: usize,
    amount: u128,
    /// Moved by the fan's allowance instead of a transfer.
    from_allowance: bool,
}

#[derive(Default)]
pub(super) struct Ledger {
    /// (mesi?, who) -> balance change.
    pub(super) treasury: [u128; 2],
    pub(super) payout: [u128; 2],
    pub(super) fan_spent: [[u128; 2]; FANS],
}

pub(super) struct Model {
    pub(super) fee_bps: u16,
    pub(super) prices: [u128; 3],
    pub(super) subs: [Option<ModelSub>; FANS],
    /// Counted entries per tier: (expiry, fan address).
    pub(super) counted: [BTreeSet<(u64, Addr)>; 3],
    pub(super) allowances: [u128; FANS],
    pub(super) ledger: Ledger,
    pub(super) fans: Vec<Addr>,
}

impl Model {
    pub(super) fn price(&self, level: u32) -> u128 {
        self.prices[level as usize - 1]
    }

    pub(super) fn purchase(&self, level: u32, bundle: bool) -> (u32, u128) {
        let d = def(level);
        let price = self.price(level);
        if bundle {
            let total = price * u128::from(d.bundle.0);
            (d.bundle.0, total - total * u128::from(d.bundle.1) / 10_000)
        } else {
            (1, price)
        }
    }

    pub(super) fn active_in(&self, level: u32, now: u64) -> u32 {
        self.subs
            .iter()
            .flatten()
            .filter(|s| s.tier == level && s.expires > now)
            .count() as u32
    }

    /// The contract's slot move, including which expired entries it releases.
    fn move_slot(
        &mut self,
        fan: usize,
        from: Option<ModelSub>,
        to_tier: u32,
        to_expires: u64,
        now: u64,
    ) -> bool {
        let addr = self.fans[fan].clone();
        let keeps = matches!(from, Some(old) if old.tier == to_tier && now < old.expires);
        let mut counted = self.counted.clone();
        if let Some(old) = from {
            counted[old.tier as usize - 1].remove(&(old.expires, addr.clone()));
        }
        if !keeps {
            if let Some(cap) = def(to_tier).cap {
                let set = &mut counted[to_tier as usize - 1];
                if set.len() as u32 >= cap {
                    let needed =
                        (set.len() - cap as usize + 1).min(crate::cap::MAX_RELEASES_PER_PURCHASE);
                    let expired: Vec<_> = set
                        .iter()
                        .take(needed)
                        .take_while(|(e, _)| *e <= now)
                        .cloned()
                        .collect();
                    for entry in expired {
                        set.remove(&entry);
                    }
                    if set.len() as u32 >= cap {
                        // The decision is exact: the earliest counted entry is still active.
                        assert!(self.active_in(to_tier, now) >= cap);
                        return false;
                    }
                }
            }
        }
        counted[to_tier as usize - 1].insert((to_expires, addr));
        self.counted = counted;
        true
    }

    fn pay(&mut self, payment: Payment) {
        let asset = usize::from(payment.mesi);
        let fee = payment.amount * u128::from(self.fee_bps) / 10_000;
        self.ledger.treasury[asset] += fee;
        self.ledger.payout[asset] += payment.amount - fee;
        self.ledger.fan_spent[payment.fan][asset] += payment.amount;
        if payment.from_allowance {
            self.allowances[payment.fan] -= payment.amount;
        }
    }

    /// Applies `op` if the contract should accept it; `false` when it should refuse.
    pub(super) fn apply(&mut self, op: &Op, now: u64) -> bool {
        match *op {
            Op::Subscribe {
                fan,
                tier,
                bundle,
                auto_renew,
                max,
            } => {
                let price = self.price(tier);
                let max = [price - 1, price, price + 3_000][max as usize];
                if price > max || (auto_renew && !def(tier).mesi) {
                    return false;
                }
                let (periods, amount) = self.purchase(tier, bundle);
                let prev = self.subs[fan];
                let start = match prev {
                    Some(s) if s.expires > now && s.tier != tier => return false,
                    Some(s) if s.expires > now => s.expires,
                    _ => now,
                };
                let expires = start + u64::from(periods) * def(tier).period_days * DAY * NANOS;
                if expires - now > MAX_PREPAID_NANOS
                    || !self.move_slot(fan, prev, tier, expires, now)
                {
                    return false;
                }
                let trial_used = prev.is_some_and(|p| p.trial_used);
                let (paid, paid_from) = paid_after(prev, amount, now);
                self.subs[fan] = Some(ModelSub {
                    tier,
                    expires,
                    auto_renew,
                    max,
                    on_trial: false,
                    trial_used,
                    paid,
                    paid_from,
                });
                self.pay(Payment {
                    mesi: def(tier).mesi,
                    fan,
                    amount,
                    from_allowance: false,
                });
                true
            }
            Op::Extend { fan, bundle } => {
                let Some(prev) = self.subs[fan] else {
                    return false;
                };
                let (periods, amount) = self.purchase(prev.tier, bundle);
                let start = prev.expires.max(now);
                let expires = start + u64::from(periods) * def(prev.tier).period_days * DAY * NANOS;
                if expires - now > MAX_PREPAID_NANOS
                    || !self.move_slot(fan, Some(prev), prev.tier, expires, now)
                {
                    return false;
                }
                let (paid, paid_from) = paid_after(Some(prev), amount, now);
                self.subs[fan] = Some(ModelSub {
                    expires,
                    on_trial: false,
                    paid,
                    paid_from,
                    ..prev
                });
                self.pay(Payment {
                    mesi: def(prev.tier).mesi,
                    fan,
                    amount,
                    from_allowance: false,
                });
                true
            }
            Op::Upgrade { fan, to_tier, .. } => {
                let Some(cost) = self.upgrade_cost(fan, to_tier, now) else {
                    return false;
                };
                let prev = self.subs[fan].unwrap();
                if !self.move_slot(fan, Some(prev), to_tier, prev.expires, now) {
                    return false;
                }
                self.subs[fan] = Some(ModelSub {
                    tier: to_tier,
                    max: u128::MAX,
                    on_trial: false,
                    paid: prev.credit(now) + cost,
                    paid_from: now,
                    ..prev
                });
                self.pay(Payment {
                    mesi: def(to_tier).mesi,
                    fan,
                    amount: cost,
                    from_allowance: false,
                });
                true
            }
            Op::Trial { fan, tier } => {
                let Some(days) = def(tier).trial_days else {
                    return false;
                };
                let prev = self.subs[fan];
                if prev.is_some_and(|p| p.trial_used || p.expires > now) {
                    return false;
                }
                let expires = now + days * DAY * NANOS;
                if !self.move_slot(fan, prev, tier, expires, now) {
                    return false;
                }
                self.subs[fan] = Some(ModelSub {
                    tier,
                    expires,
                    auto_renew: false,
                    max: 0,
                    on_trial: true,
                    trial_used: true,
                    paid: 0,
                    paid_from: expires,
                });
                true
            }
            Op::Cancel { fan } => match &mut self.subs[fan] {
                Some(sub) if sub.auto_renew => {
                    sub.auto_renew = false;
                    true
                }
                _ => false,
            },
            Op::Renew { fan } => {
                let Some(prev) = self.subs[fan] else {
                    return false;
                };
                let d = def(prev.tier);
                let price = self.price(prev.tier);
                let period = d.period_days * DAY * NANOS;
                let lead = (DAY * NANOS).min(period / 2);
                let in_window = now >= prev.expires - lead && now < prev.expires + GRACE_NANOS;
                if !prev.auto_renew
                    || !d.mesi
                    || price > prev.max
                    || !in_window
                    || self.allowances[fan] < price
                {
                    return false;
                }
                let expires = prev.expires.max(now) + period;
                if expires - now > MAX_PREPAID_NANOS
                    || !self.move_slot(fan, Some(prev), prev.tier, expires, now)
                {
                    return false;
                }
                let (paid, paid_from) = paid_after(Some(prev), price, now);
                self.subs[fan] = Some(ModelSub {
                    expires,
                    paid,
                    paid_from,
                    ..prev
                });
                self.pay(Payment {
                    mesi: true,
                    fan,
                    amount: price,
                    from_allowance: true,
                });
                true
            }
            Op::SetPrice { tier, price } => {
                self.prices[tier as usize - 1] = price;
                true
            }
            Op::Release { tier } => {
                let set = &mut self.counted[tier as usize - 1];
                let expired: Vec<_> = set
                    .iter()
                    .take(10)
                    .take_while(|(e, _)| *e <= now)
                    .cloned()
                    .collect();
                for entry in &expired {
                    set.remove(entry);
                }
                !expired.is_empty()
            }
            Op::Advance { .. } | Op::AdvanceToExpiry { .. } => true,
        }
    }

    /// The cost of an upgrade the contract should accept: the time left at the new price,
    /// rounded up, less what is left of what the fan paid, rounded down.
    pub(super) fn upgrade_cost(&self, fan: usize, to_tier: u32, now: u64) -> Option<u128> {
        let sub = self.subs[fan]?;
        if sub.expires <= now || to_tier <= sub.tier || def(to_tier).mesi != def(sub.tier).mesi {
            return None;
        }
        let to_period = u128::from(def(to_tier).period_days * DAY * NANOS);
        let value = (self.price(to_tier) * u128::from(sub.expires - now)).div_ceil(to_period);
        let credit = sub.credit(now);
        (value > credit).then(|| value - credit)
    }
}
