//! Randomized sequences of mint (with and without a bond, native or CW20), list, delist, buy,
//! transfer, unlock, reveal and claim, with time advancing. A model predicts which steps
//! succeed and where every coin goes; after every step:
//! - the contract's balance per asset equals the bonds it escrows (sealed and unlocked
//!   surprises), by the model and by the contract's own queries;
//! - every account's balance is exactly what the model expects, so nobody is paid twice and no
//!   payout is missing;
//! - every sale's split adds up to the price;
//! - owner, state and listing of every surprise match the model.

use std::collections::BTreeMap;

use cosmwasm_std::{coin, Addr, Timestamp, Uint128};
use mesi_common::events::AnyEvent;
use mesi_common::AssetInfo;
use proptest::prelude::*;

use super::*;
use crate::msg::SurpriseState;

const CREATORS: [&str; 2] = ["alice", "bob"];
/// Who may own, buy and receive surprises.
const HOLDERS: [&str; 5] = ["alice", "bob", "carol", "dave", "erin"];

#[derive(Clone, Debug)]
enum Op {
    Mint {
        creator: usize,
        bond: Option<(bool, u128)>,
        royalty_bps: u16,
    },
    List {
        token: usize,
        cw20: bool,
        price: u128,
        expires_in: Option<u64>,
    },
    Delist {
        token: usize,
        by_owner: bool,
    },
    Buy {
        token: usize,
        buyer: usize,
        exact: bool,
    },
    Transfer {
        token: usize,
        to: usize,
    },
    Unlock {
        token: usize,
    },
    Reveal {
        token: usize,
        correct: bool,
    },
    Claim {
        token: usize,
    },
    Advance {
        seconds: u64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let token = 0usize..12;
    prop_oneof![
        3 => (0..CREATORS.len(), prop::option::of((any::<bool>(), 1u128..100_000)), 0u16..=1_000)
            .prop_map(|(creator, bond, royalty_bps)| Op::Mint { creator, bond, royalty_bps }),
        3 => (token.clone(), any::<bool>(), 1u128..1_000_000, prop::option::weighted(0.3, 1u64..3 * 86_400))
            .prop_map(|(token, cw20, price, expires_in)| Op::List { token, cw20, price, expires_in }),
        1 => (token.clone(), any::<bool>()).prop_map(|(token, by_owner)| Op::Delist { token, by_owner }),
        3 => (token.clone(), 0..HOLDERS.len(), prop::bool::weighted(0.85))
            .prop_map(|(token, buyer, exact)| Op::Buy { token, buyer, exact }),
        2 => (token.clone(), 0..HOLDERS.len()).prop_map(|(token, to)| Op::Transfer { token, to }),
        2 => token.clone().prop_map(|token| Op::Unlock { token }),
        2 => (token.clone(), prop::bool::weighted(0.8)).prop_map(|(token, correct)| Op::Reveal { token, correct }),
        2 => token.prop_map(|token| Op::Claim { token }),
        2 => prop_oneof![2 => Just(1u64), 2 => Just(3_600), 2 => Just(86_400), 1 => Just(REVEAL_WINDOW), 1 => 1u64..2 * REVEAL_WINDOW]
            .prop_map(|seconds| Op::Advance { seconds }),
    ]
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Sealed,
    Unlocked,
    Revealed,
    Forfeited,
}

#[derive(Debug)]
struct Listing {
    asset: AssetInfo,
    price: u128,
    expires_at: Option<Timestamp>,
}

#[derive(Debug)]
struct Token {
    id: String,
    label: String,
    creator: &'static str,
    owner: &'static str,
    phase: Phase,
    bond: Option<(AssetInfo, u128)>,
    royalty_bps: u16,
    listing: Option<Listing>,
    deadline: Option<Timestamp>,
}

impl Token {
    fn escrows(&self) -> bool {
        matches!(self.phase, Phase::Sealed | Phase::Unlocked)
    }
}

struct Model {
    tokens: Vec<Token>,
    /// Expected balance per (account, asset).
    balances: BTreeMap<(Addr, AssetInfo), u128>,
    minted: usize,
}

impl Model {
    fn pay(&mut self, from: &Addr, to: &Addr, asset: &AssetInfo, amount: u128) {
        *self
            .balances
            .get_mut(&(from.clone(), asset.clone()))
            .expect("tracked payer") -= amount;
        *self
            .balances
            .get_mut(&(to.clone(), asset.clone()))
            .expect("tracked payee") += amount;
    }
}

fn payout_of(s: &Suite, creator: &str) -> Addr {
    if creator == "alice" {
        s.addr("alice-payout")
    } else {
        s.addr(creator)
    }
}

/// Runs one step on the chain and in the model; returns whether it succeeded.
fn step(s: &mut Suite, m: &mut Model, op: &Op) -> bool {
    let now = s.app.block_info().time;
    let mesi = AssetInfo::cw20(s.mesi.clone());
    let pick = |m: &Model, i: usize| (!m.tokens.is_empty()).then(|| i % m.tokens.len());
    // Buying, delisting, revealing and claiming mostly target tokens where they can succeed.
    let pick_where = |m: &Model, i: usize, wanted: &dyn Fn(&Token) -> bool| {
        let candidates: Vec<usize> = (0..m.tokens.len())
            .filter(|&j| wanted(&m.tokens[j]))
            .collect();
        match candidates.len() {
            0 => pick(m, i),
            n if i % 4 != 0 => Some(candidates[i % n]),
            _ => pick(m, i),
        }
    };
    let listed = |t: &Token| t.listing.is_some();
    let unlocked = |t: &Token| t.phase == Phase::Unlocked;
    match *op {
        Op::Mint {
            creator,
            bond,
            royalty_bps,
        } => {
            let creator = CREATORS[creator];
            m.minted += 1;
            let label = format!("t{}", m.minted);
            let mut msg = s.mint_msg(creator, &label);
            msg.royalty_bps = royalty_bps;
            let bond =
                bond.map(|(cw20, amount)| (if cw20 { mesi.clone() } else { usdc() }, amount));
            let res = match &bond {
                None => s.exec(creator, &ExecuteMsg::Mint(msg.clone()), &[]),
                Some((AssetInfo::Native { denom }, amount)) => s.exec(
                    creator,
                    &ExecuteMsg::Mint(msg.clone()),
                    &[coin(*amount, denom)],
                ),
                Some((AssetInfo::Cw20 { contract }, amount)) => s.send_cw20(
                    &contract.clone(),
                    creator,
                    *amount,
                    &ReceiveMsg::Mint(msg.clone()),
                ),
            };
            res.unwrap();
            if let Some((asset, amount)) = &bond {
                m.pay(&s.addr(creator), &s.surprises, asset, *amount);
            }
            m.tokens.push(Token {
                id: msg.token_id,
                label,
                creator,
                owner: creator,
                phase: Phase::Sealed,
                bond,
                royalty_bps,
                listing: None,
                deadline: None,
            });
            true
        }
        Op::List {
            token,
            cw20,
            price,
            expires_in,
        } => {
            let Some(i) = pick(m, token) else {
                return false;
            };
            let asset = if cw20 { mesi.clone() } else { usdc() };
            let expires_at = expires_in.map(|secs| now.plus_seconds(secs));
            let t = &m.tokens[i];
            let msg = ExecuteMsg::List {
                token_id: t.id.clone(),
                asset: asset.clone(),
                price: Uint128::new(price),
                expires_at,
            };
            let ok = s.exec(t.owner, &msg, &[]).is_ok();
            assert_eq!(ok, t.phase == Phase::Sealed, "list {t:?}");
            if ok {
                m.tokens[i].listing = Some(Listing {
                    asset,
                    price,
                    expires_at,
                });
            }
            ok
        }
        Op::Delist { token, by_owner } => {
            let Some(i) = pick_where(m, token, &listed) else {
                return false;
            };
            let t = &m.tokens[i];
            let sender = if by_owner { t.owner } else { "mallory" };
            let ok = s
                .exec(
                    sender,
                    &ExecuteMsg::Delist {
                        token_id: t.id.clone(),
                    },
                    &[],
                )
                .is_ok();
            let expired = t
                .listing
                .as_ref()
                .is_some_and(|l| l.expires_at.is_some_and(|end| now >= end));
            assert_eq!(
                ok,
                t.listing.is_some() && (by_owner || expired),
                "delist {t:?}"
            );
            if ok {
                m.tokens[i].listing = None;
            }
            ok
        }
        Op::Buy {
            token,
            buyer,
            exact,
        } => {
            let Some(i) = pick_where(m, token, &listed) else {
                return false;
            };
            let buyer = HOLDERS[buyer];
            let t = &m.tokens[i];
            let Some(listing) = &t.listing else {
                let res = s.exec(
                    buyer,
                    &ExecuteMsg::Buy {
                        token_id: t.id.clone(),
                    },
                    &[coin(1, USDC)],
                );
                assert!(res.is_err(), "buy of an unlisted {t:?}");
                return false;
            };
            let paid = if exact {
                listing.price
            } else {
                listing.price + 1
            };
            let res = match &listing.asset {
                AssetInfo::Native { denom } => s.exec(
                    buyer,
                    &ExecuteMsg::Buy {
                        token_id: t.id.clone(),
                    },
                    &[coin(paid, denom)],
                ),
                AssetInfo::Cw20 { contract } => s.send_cw20(
                    &contract.clone(),
                    buyer,
                    paid,
                    &ReceiveMsg::Buy {
                        token_id: t.id.clone(),
                    },
                ),
            };
            let live = listing.expires_at.is_none_or(|end| now < end);
            let expected = live && exact && buyer != t.owner;
            assert_eq!(res.is_ok(), expected, "buy by {buyer} of {t:?}: {res:?}");
            let Ok(res) = res else { return false };

            let price = listing.price;
            let fee = price * u128::from(FEE_BPS) / 10_000;
            let royalty = price * u128::from(t.royalty_bps) / 10_000;
            let seller_amount = price - fee - royalty;
            let AnyEvent::SurpriseSold(sold) = the_event(&res) else {
                panic!("a sale emits its event")
            };
            assert_eq!(
                sold.fee + sold.royalty + sold.seller_amount,
                sold.price,
                "split adds up"
            );
            assert_eq!(
                (
                    sold.fee.u128(),
                    sold.royalty.u128(),
                    sold.seller_amount.u128()
                ),
                (fee, royalty, seller_amount)
            );
            let (buyer_addr, seller_addr, payout) =
                (s.addr(buyer), s.addr(t.owner), payout_of(s, t.creator));
            let asset = listing.asset.clone();
            let treasury = s.treasury.clone();
            m.pay(&buyer_addr, &treasury, &asset, fee);
            m.pay(&buyer_addr, &payout, &asset, royalty);
            m.pay(&buyer_addr, &seller_addr, &asset, seller_amount);
            let t = &mut m.tokens[i];
            t.owner = buyer;
            t.listing = None;
            true
        }
        Op::Transfer { token, to } => {
            let Some(i) = pick(m, token) else {
                return false;
            };
            let t = &m.tokens[i];
            let ok = s.transfer(t.owner, &t.id.clone(), HOLDERS[to]).is_ok();
            assert_eq!(ok, t.phase == Phase::Sealed, "transfer {t:?}");
            if ok {
                let t = &mut m.tokens[i];
                t.owner = HOLDERS[to];
                t.listing = None;
            }
            ok
        }
        Op::Unlock { token } => {
            let Some(i) = pick(m, token) else {
                return false;
            };
            let t = &m.tokens[i];
            let ok = s
                .exec(
                    t.owner,
                    &ExecuteMsg::Unlock {
                        token_id: t.id.clone(),
                    },
                    &[],
                )
                .is_ok();
            assert_eq!(ok, t.phase == Phase::Sealed, "unlock {t:?}");
            if ok {
                let t = &mut m.tokens[i];
                t.phase = Phase::Unlocked;
                t.listing = None;
                t.deadline = Some(now.plus_seconds(REVEAL_WINDOW));
            }
            ok
        }
        Op::Reveal { token, correct } => {
            let Some(i) = pick_where(m, token, &unlocked) else {
                return false;
            };
            let t = &m.tokens[i];
            let secret = if correct {
                Secret::of(&t.label)
            } else {
                Secret::of("wrong")
            };
            let ok = s.reveal(t.creator, &t.id.clone(), &secret).is_ok();
            let in_time = t.deadline.is_some_and(|deadline| now <= deadline);
            assert_eq!(
                ok,
                t.phase == Phase::Unlocked && in_time && correct,
                "reveal {t:?}"
            );
            if ok {
                if let Some((asset, amount)) = t.bond.clone() {
                    let creator = s.addr(t.creator);
                    m.pay(&s.surprises.clone(), &creator, &asset, amount);
                }
                m.tokens[i].phase = Phase::Revealed;
            }
            ok
        }
        Op::Claim { token } => {
            let Some(i) = pick_where(m, token, &unlocked) else {
                return false;
            };
            let t = &m.tokens[i];
            let ok = s
                .exec(
                    t.owner,
                    &ExecuteMsg::ClaimBond {
                        token_id: t.id.clone(),
                    },
                    &[],
                )
                .is_ok();
            let late = t.deadline.is_some_and(|deadline| now > deadline);
            assert_eq!(ok, t.phase == Phase::Unlocked && late, "claim {t:?}");
            if ok {
                if let Some((asset, amount)) = t.bond.clone() {
                    let unlocker = s.addr(t.owner);
                    m.pay(&s.surprises.clone(), &unlocker, &asset, amount);
                }
                m.tokens[i].phase = Phase::Forfeited;
            }
            ok
        }
        Op::Advance { seconds } => {
            s.advance(seconds);
            true
        }
    }
}

fn check(s: &Suite, m: &Model) {
    for ((who, asset), expected) in &m.balances {
        assert_eq!(
            s.balance(who, asset),
            *expected,
            "balance of {who} in {asset}"
        );
    }
    for asset in [usdc(), AssetInfo::cw20(s.mesi.clone())] {
        let escrowed_by_model: u128 = m
            .tokens
            .iter()
            .filter(|t| t.escrows())
            .filter_map(|t| {
                t.bond
                    .as_ref()
                    .filter(|(a, _)| *a == asset)
                    .map(|(_, amount)| amount)
            })
            .sum();
        let escrowed_by_contract: u128 = m
            .tokens
            .iter()
            .map(|t| s.surprise(&t.id))
            .filter(|x| matches!(x.state, SurpriseState::Sealed | SurpriseState::Unlocked))
            .filter_map(|x| x.bond.filter(|b| b.info == asset).map(|b| b.amount.u128()))
            .sum();
        let held = s.balance(&s.surprises, &asset);
        assert_eq!(
            held, escrowed_by_model,
            "contract holds exactly the escrowed bonds in {asset}"
        );
        assert_eq!(
            held, escrowed_by_contract,
            "the contract's own records agree in {asset}"
        );
    }
    for t in &m.tokens {
        let x = s.surprise(&t.id);
        let state = match t.phase {
            Phase::Sealed => SurpriseState::Sealed,
            Phase::Unlocked => SurpriseState::Unlocked,
            Phase::Revealed => SurpriseState::Revealed,
            Phase::Forfeited => SurpriseState::Forfeited,
        };
        assert_eq!((x.owner, x.state), (s.addr(t.owner), state), "{t:?}");
        assert_eq!(
            x.listing.map(|l| (l.asset, l.price.u128())),
            t.listing.as_ref().map(|l| (l.asset.clone(), l.price))
        );
    }
}

fn run(ops: &[Op]) {
    let mut s = Suite::new();
    let mut tracked: Vec<Addr> = ACCOUNTS.iter().map(|name| s.addr(name)).collect();
    tracked.extend([
        s.addr("alice-payout"),
        s.treasury.clone(),
        s.surprises.clone(),
    ]);
    let mut balances = BTreeMap::new();
    for who in tracked {
        for asset in [usdc(), AssetInfo::cw20(s.mesi.clone())] {
            balances.insert((who.clone(), asset.clone()), s.balance(&who, &asset));
        }
    }
    let mut m = Model {
        tokens: vec![],
        balances,
        minted: 0,
    };
    for op in ops {
        step(&mut s, &mut m, op);
        check(&s, &m);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn balances_equal_escrowed_bonds_and_nobody_is_paid_twice(ops in prop::collection::vec(op(), 1..60)) {
        run(&ops);
    }
}

#[test]
fn a_fixed_long_sequence_reaches_every_state() {
    use Op::*;
    let ops = [
        Mint {
            creator: 0,
            bond: Some((false, 1_000)),
            royalty_bps: 1_000,
        },
        Mint {
            creator: 1,
            bond: Some((true, 2_000)),
            royalty_bps: 0,
        },
        Mint {
            creator: 0,
            bond: None,
            royalty_bps: 333,
        },
        List {
            token: 0,
            cw20: true,
            price: 9_999,
            expires_in: Some(3_600),
        },
        Buy {
            token: 0,
            buyer: 2,
            exact: true,
        },
        List {
            token: 1,
            cw20: false,
            price: 7,
            expires_in: None,
        },
        Buy {
            token: 1,
            buyer: 3,
            exact: true,
        },
        List {
            token: 2,
            cw20: false,
            price: 500,
            expires_in: Some(60),
        },
        Advance { seconds: 3_600 },
        Buy {
            token: 2,
            buyer: 4,
            exact: true,
        },
        Delist {
            token: 2,
            by_owner: false,
        },
        Transfer { token: 2, to: 4 },
        Unlock { token: 0 },
        Unlock { token: 1 },
        Unlock { token: 2 },
        Reveal {
            token: 0,
            correct: false,
        },
        Reveal {
            token: 0,
            correct: true,
        },
        Claim { token: 1 },
        Advance {
            seconds: REVEAL_WINDOW,
        },
        Claim { token: 1 },
        Advance { seconds: 1 },
        Claim { token: 1 },
        Claim { token: 1 },
        Claim { token: 2 },
        Reveal {
            token: 2,
            correct: true,
        },
    ];
    run(&ops);
}
