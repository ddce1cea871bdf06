//! The model of the randomized runs: the operations, what the chain should hold after each,
//! and one step of both.

use std::collections::BTreeMap;

use cosmwasm_std::{coin, Addr, Timestamp, Uint128};
use mesi_common::events::AnyEvent;
use mesi_common::AssetInfo;
use proptest::prelude::*;

use crate::tests::*;

const CREATORS: [&str; 2] = ["alice", "bob"];
/// Who may own, buy and receive surprises.
const HOLDERS: [&str; 5] = ["alice", "bob", "carol", "dave", "erin"];

#[derive(Clone, Debug)]
pub(super) enum Op {
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

pub(super) fn op() -> impl Strategy<Value = Op> {
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
pub(super) enum Phase {
    Sealed,
    Unlocked,
    Revealed,
    Forfeited,
}

#[derive(Debug)]
pub(super) struct Listing {
    pub(super) asset: AssetInfo,
    pub(super) price: u128,
    pub(super) expires_at: Option<Timestamp>,
}

#[derive(Debug)]
pub(super) struct Token {
    pub(super) id: String,
    pub(super) label: String,
    pub(super) creator: &'static str,
    pub(super) owner: &'static str,
    pub(super) phase: Phase,
    pub(super) bond: Option<(AssetInfo, u128)>,
    pub(super) royalty_bps: u16,
    pub(super) listing: Option<Listing>,
    pub(super) deadline: Option<Timestamp>,
}

impl Token {
    pub(super) fn escrows(&self) -> bool {
        matches!(self.phase, Phase::Sealed | Phase::Unlocked)
    }
}

pub(super) struct Model {
    pub(super) tokens: Vec<Token>,
    /// Expected balance per (account, asset).
    pub(super) balances: BTreeMap<(Addr, AssetInfo), u128>,
    pub(super) minted: usize,
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
pub(super) fn step(s: &mut Suite, m: &mut Model, op: &Op) -> bool {
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
