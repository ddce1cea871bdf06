//! Randomized sequences of every message with time advancing. The expected outcome of each step is
//! predicted from the state rebuilt from events; after every step:
//! - the contract holds, per asset, exactly the top bids of open auctions plus the escrow of
//!   scheduled, held and disputed meetings (read from the contract's own queries);
//! - the state rebuilt from events equals the contract's state;
//! - every account's balance moved by exactly the refunds and payouts the events report, each
//!   finished meeting was paid out once, and its payout adds up to its price.

use cosmwasm_std::{coins, Addr, Uint128};
use mesi_common::events::meetings::{AuctionState, MeetingStatus};
use mesi_common::fee::bps_of_ceil;
use mesi_common::AssetInfo;
use proptest::prelude::*;

use super::reader::{assert_flows_match_balances, Reader};
use super::*;
use crate::msg::{AuctionsResponse, DisputeOutcome};

#[derive(Debug, Clone)]
enum BidHow {
    Min,
    Above(u16),
    Below,
    BuyNow,
}

#[derive(Debug, Clone)]
enum Op {
    Open {
        second_creator: bool,
        cw20: bool,
        buy_now: Option<u16>,
        reserve: u16,
        extension: bool,
        bidding_hours: u16,
        lead_hours: u16,
    },
    Bid {
        auction: usize,
        fan: usize,
        how: BidHow,
    },
    Settle {
        auction: usize,
    },
    CancelAuction {
        auction: usize,
    },
    MarkHeld {
        meeting: usize,
        no_show: bool,
    },
    Confirm {
        meeting: usize,
    },
    Dispute {
        meeting: usize,
    },
    Resolve {
        meeting: usize,
        outcome: u8,
        fan_bps: u16,
    },
    Claim {
        meeting: usize,
    },
    CancelMeeting {
        meeting: usize,
    },
    Propose {
        meeting: usize,
        by_fan: bool,
        hours_ahead: u16,
    },
    Accept {
        meeting: usize,
    },
    Decline {
        meeting: usize,
        by_fan: bool,
    },
    /// Someone with no part in the meeting tries a privileged message.
    Intruder {
        meeting: usize,
        what: u8,
    },
    Advance {
        secs: u64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let pick = 0usize..8;
    let bid_how = prop_oneof![
        3 => Just(BidHow::Min),
        4 => (0u16..3_000).prop_map(BidHow::Above),
        1 => Just(BidHow::Below),
        1 => Just(BidHow::BuyNow),
    ];
    prop_oneof![
        2 => (any::<bool>(), any::<bool>(), prop::option::of(0u16..20_000), 0u16..3_000, any::<bool>(), 1u16..24, 0u16..12)
            .prop_map(|(second_creator, cw20, buy_now, reserve, extension, bidding_hours, lead_hours)| Op::Open {
                second_creator, cw20, buy_now, reserve, extension, bidding_hours, lead_hours
            }),
        9 => (pick.clone(), 0usize..3, bid_how).prop_map(|(auction, fan, how)| Op::Bid { auction, fan, how }),
        5 => pick.clone().prop_map(|auction| Op::Settle { auction }),
        1 => pick.clone().prop_map(|auction| Op::CancelAuction { auction }),
        5 => (pick.clone(), any::<bool>()).prop_map(|(meeting, no_show)| Op::MarkHeld { meeting, no_show }),
        2 => pick.clone().prop_map(|meeting| Op::Confirm { meeting }),
        3 => pick.clone().prop_map(|meeting| Op::Dispute { meeting }),
        4 => (pick.clone(), 0u8..3, 1u16..10_000).prop_map(|(meeting, outcome, fan_bps)| Op::Resolve { meeting, outcome, fan_bps }),
        4 => pick.clone().prop_map(|meeting| Op::Claim { meeting }),
        1 => pick.clone().prop_map(|meeting| Op::CancelMeeting { meeting }),
        2 => (pick.clone(), any::<bool>(), 1u16..96).prop_map(|(meeting, by_fan, hours_ahead)| Op::Propose { meeting, by_fan, hours_ahead }),
        2 => pick.clone().prop_map(|meeting| Op::Accept { meeting }),
        1 => (pick.clone(), any::<bool>()).prop_map(|(meeting, by_fan)| Op::Decline { meeting, by_fan }),
        1 => (pick, 0u8..7).prop_map(|(meeting, what)| Op::Intruder { meeting, what }),
        6 => prop::sample::select(vec![60u64, 600, 3_600, 6 * 3_600, DAY, DAY, 3 * DAY]).prop_map(|secs| Op::Advance { secs }),
    ]
}

struct Run {
    s: Suite,
    reader: Reader,
}

impl Run {
    fn fan(&self, index: usize) -> Addr {
        [&self.s.alice, &self.s.bob, &self.s.carol][index].clone()
    }

    /// An auction id: mostly one of the open auctions, sometimes any (or one that does not exist).
    fn auction_id(&self, pick: usize) -> u64 {
        let open: Vec<u64> = self
            .reader
            .auctions
            .iter()
            .filter(|(_, a)| a.state == AuctionState::Open)
            .map(|(id, _)| *id)
            .collect();
        let all: Vec<u64> = self.reader.auctions.keys().copied().collect();
        choose(
            if pick < 6 && !open.is_empty() {
                &open
            } else {
                &all
            },
            pick,
        )
    }

    /// A meeting id: mostly one that still holds its escrow, sometimes any.
    fn meeting_id(&self, pick: usize) -> u64 {
        let live: Vec<u64> = self
            .reader
            .meetings
            .iter()
            .filter(|(_, m)| m.status.holds_escrow())
            .map(|(id, _)| *id)
            .collect();
        let all: Vec<u64> = self.reader.meetings.keys().copied().collect();
        choose(
            if pick < 6 && !live.is_empty() {
                &live
            } else {
                &all
            },
            pick,
        )
    }

    /// Runs one step; returns whether it succeeded and whether the model expected it to.
    fn step(&mut self, op: &Op) -> (Result<AppResponse, ContractError>, bool) {
        let now = self.s.now();
        match op.clone() {
            Op::Open {
                second_creator,
                cw20,
                buy_now,
                reserve,
                extension,
                bidding_hours,
                lead_hours,
            } => {
                let creator = if second_creator {
                    self.s.creator2.clone()
                } else {
                    self.s.creator.clone()
                };
                let mut input = self.s.auction_input();
                input.asset = if cw20 { self.s.mesi_asset() } else { usdc() };
                input.reserve = Uint128::new(reserve.into());
                // The buy-now price is above the reserve by a random amount.
                input.buy_now =
                    buy_now.map(|above| Uint128::new(u128::from(reserve) + u128::from(above)));
                input.extension_secs = if extension { 600 } else { 0 };
                input.bidding_ends_at = now.plus_seconds(u64::from(bidding_hours) * 3_600);
                input.slot.start = input
                    .bidding_ends_at
                    .plus_seconds(u64::from(lead_hours) * 3_600 + 600);
                let expected = self.reader.open_auctions(&creator) < MAX_OPEN;
                (
                    self.s
                        .exec(&creator, &ExecuteMsg::OpenAuction { auction: input }),
                    expected,
                )
            }
            Op::Bid { auction, fan, how } => {
                let id = self.auction_id(auction);
                let fan = self.fan(fan);
                let Some(a) = self.reader.auctions.get(&id).cloned() else {
                    return (self.s.bid(&fan, id, 1_000), false);
                };
                let min = match &a.top {
                    None => a.reserve.max(Uint128::one()),
                    Some((_, top, _)) => {
                        *top + bps_of_ceil(*top, a.min_increment_bps).max(Uint128::one())
                    }
                };
                let amount = match how {
                    BidHow::Min => min,
                    BidHow::Above(extra) => min + Uint128::from(extra),
                    BidHow::Below if min > Uint128::one() => min - Uint128::one(),
                    BidHow::Below => min,
                    BidHow::BuyNow => a.buy_now.unwrap_or(min),
                };
                let price_ok = match a.buy_now {
                    Some(buy_now) => amount == buy_now || (amount >= min && amount < buy_now),
                    None => amount >= min,
                };
                let expected = a.state == AuctionState::Open && now < a.ends_at && price_ok;
                let result = match &a.asset {
                    AssetInfo::Cw20 { .. } => self.s.bid_cw20(&fan, id, amount.u128()),
                    AssetInfo::Native { denom } => self.s.exec_with_funds(
                        &fan,
                        &ExecuteMsg::Bid { auction_id: id },
                        &coins(amount.u128(), denom),
                    ),
                };
                (result, expected)
            }
            Op::Settle { auction } => {
                let id = self.auction_id(auction);
                let expected = self
                    .reader
                    .auctions
                    .get(&id)
                    .is_some_and(|a| a.state == AuctionState::Open && now >= a.ends_at);
                (self.s.settle(id), expected)
            }
            Op::CancelAuction { auction } => {
                let id = self.auction_id(auction);
                let Some(a) = self.reader.auctions.get(&id).cloned() else {
                    let creator = self.s.creator.clone();
                    return (
                        self.s
                            .exec(&creator, &ExecuteMsg::CancelAuction { auction_id: id }),
                        false,
                    );
                };
                let expected = a.state == AuctionState::Open && a.top.is_none();
                (
                    self.s
                        .exec(&a.creator, &ExecuteMsg::CancelAuction { auction_id: id }),
                    expected,
                )
            }
            Op::Intruder { meeting, what } => {
                let id = self.meeting_id(meeting);
                let stranger = self.s.stranger.clone();
                let msg = match what {
                    0 => ExecuteMsg::MarkHeld {
                        meeting_id: id,
                        fan_no_show: true,
                    },
                    1 => ExecuteMsg::Claim { meeting_id: id },
                    2 => ExecuteMsg::CancelMeeting { meeting_id: id },
                    3 => ExecuteMsg::Confirm { meeting_id: id },
                    4 => ExecuteMsg::Dispute {
                        meeting_id: id,
                        reason: None,
                    },
                    5 => ExecuteMsg::Resolve {
                        meeting_id: id,
                        outcome: DisputeOutcome::Release {},
                    },
                    _ => ExecuteMsg::CancelAuction { auction_id: id },
                };
                (self.s.exec(&stranger, &msg), false)
            }
            Op::Advance { secs } => {
                self.s.advance(secs);
                (Ok(AppResponse::default()), true)
            }
            meeting_op => self.meeting_step(meeting_op),
        }
    }

    fn meeting_step(&mut self, op: Op) -> (Result<AppResponse, ContractError>, bool) {
        let now = self.s.now();
        let pick = match &op {
            Op::MarkHeld { meeting, .. }
            | Op::Confirm { meeting }
            | Op::Dispute { meeting }
            | Op::Resolve { meeting, .. }
            | Op::Claim { meeting }
            | Op::CancelMeeting { meeting }
            | Op::Propose { meeting, .. }
            | Op::Accept { meeting }
            | Op::Decline { meeting, .. } => *meeting,
            _ => unreachable!("not a meeting message"),
        };
        let id = self.meeting_id(pick);
        let Some(m) = self.reader.meetings.get(&id).cloned() else {
            let creator = self.s.creator.clone();
            return (
                self.s.exec(
                    &creator,
                    &ExecuteMsg::MarkHeld {
                        meeting_id: id,
                        fan_no_show: false,
                    },
                ),
                false,
            );
        };
        let over = now >= m.end();
        let status = m.status;
        let (sender, msg, expected) = match op {
            Op::MarkHeld { no_show, .. } => (
                m.creator.clone(),
                ExecuteMsg::MarkHeld {
                    meeting_id: id,
                    fan_no_show: no_show,
                },
                status == MeetingStatus::Scheduled && over,
            ),
            Op::Confirm { .. } => (
                m.fan.clone(),
                ExecuteMsg::Confirm { meeting_id: id },
                status == MeetingStatus::Held || (status == MeetingStatus::Scheduled && over),
            ),
            Op::Dispute { .. } => {
                let in_window = m.dispute_deadline.is_some_and(|deadline| now < deadline);
                let expected = (status == MeetingStatus::Held && in_window)
                    || (status == MeetingStatus::Scheduled && over);
                (
                    m.fan.clone(),
                    ExecuteMsg::Dispute {
                        meeting_id: id,
                        reason: Some("random".into()),
                    },
                    expected,
                )
            }
            Op::Resolve {
                outcome, fan_bps, ..
            } => {
                let outcome = match outcome {
                    0 => DisputeOutcome::Refund {},
                    1 => DisputeOutcome::Release {},
                    _ => DisputeOutcome::Split { fan_bps },
                };
                (
                    self.s.arbiter(),
                    ExecuteMsg::Resolve {
                        meeting_id: id,
                        outcome,
                    },
                    status == MeetingStatus::Disputed,
                )
            }
            Op::Claim { .. } => {
                let window_passed = m.dispute_deadline.is_some_and(|deadline| now >= deadline);
                (
                    m.creator.clone(),
                    ExecuteMsg::Claim { meeting_id: id },
                    status == MeetingStatus::Held && window_passed,
                )
            }
            Op::CancelMeeting { .. } => {
                // The creator pays 10% of the price, rounded up (the default fee).
                let fee = m.price.u128().div_ceil(10);
                let expected = status == MeetingStatus::Scheduled;
                let result = match self.reader.auctions[&id].asset.clone() {
                    AssetInfo::Cw20 { contract } => self.s.send_hook(
                        &contract,
                        &m.creator,
                        &ReceiveMsg::CancelMeeting { meeting_id: id },
                        fee,
                    ),
                    AssetInfo::Native { denom } => self.s.exec_with_funds(
                        &m.creator,
                        &ExecuteMsg::CancelMeeting { meeting_id: id },
                        &coins(fee, &denom),
                    ),
                };
                return (result, expected);
            }
            Op::Propose {
                by_fan,
                hours_ahead,
                ..
            } => {
                let sender = if by_fan {
                    m.fan.clone()
                } else {
                    m.creator.clone()
                };
                let start = now.plus_seconds(u64::from(hours_ahead) * 3_600);
                let msg = ExecuteMsg::ProposeReschedule {
                    meeting_id: id,
                    start,
                    duration_secs: 1_800,
                };
                (sender, msg, status == MeetingStatus::Scheduled)
            }
            Op::Accept { .. } => match m.reschedule.clone() {
                Some((proposer, start, duration_secs)) => {
                    let other = if proposer == m.fan {
                        m.creator.clone()
                    } else {
                        m.fan.clone()
                    };
                    let expected = status == MeetingStatus::Scheduled && start > now;
                    (
                        other,
                        ExecuteMsg::AcceptReschedule {
                            meeting_id: id,
                            start,
                            duration_secs,
                        },
                        expected,
                    )
                }
                None => {
                    let msg = ExecuteMsg::AcceptReschedule {
                        meeting_id: id,
                        start: now.plus_seconds(DAY),
                        duration_secs: 1_800,
                    };
                    (m.fan.clone(), msg, false)
                }
            },
            Op::Decline { by_fan, .. } => {
                let sender = if by_fan {
                    m.fan.clone()
                } else {
                    m.creator.clone()
                };
                (
                    sender,
                    ExecuteMsg::DeclineReschedule { meeting_id: id },
                    m.reschedule.is_some(),
                )
            }
            _ => unreachable!("not a meeting message"),
        };
        (self.s.exec(&sender, &msg), expected)
    }

    /// What the contract escrows per asset, read from its own queries.
    fn escrow_from_queries(&self, asset: &AssetInfo) -> u128 {
        let mut total = 0u128;
        let mut start_after = None;
        loop {
            let page: AuctionsResponse = self.s.query(&QueryMsg::AuctionsByState {
                state: AuctionState::Open,
                start_after: start_after.clone(),
                ends_before: None,
                limit: Some(100),
            });
            let Some(last) = page.auctions.last() else {
                break;
            };
            start_after = Some(crate::msg::AuctionCursor {
                ends_at: last.auction.ends_at,
                auction_id: last.auction_id,
            });
            total += page
                .auctions
                .iter()
                .filter(|a| &a.auction.asset == asset)
                .filter_map(|a| a.top_bid.as_ref().map(|t| t.amount.u128()))
                .sum::<u128>();
        }
        for id in self.reader.meetings.keys() {
            let meeting = self.s.meeting(*id).meeting;
            if &meeting.asset == asset {
                total += meeting.escrow().u128();
            }
        }
        total
    }

    fn check_invariants(&self) {
        for asset in [usdc(), self.s.mesi_asset()] {
            let held = self.s.balance(&self.s.meetings, &asset);
            assert_eq!(
                held,
                self.escrow_from_queries(&asset),
                "contract balance of {asset} vs escrow"
            );
            assert_eq!(
                held,
                self.reader.escrowed(&asset),
                "contract balance of {asset} vs events"
            );
        }
        self.reader.assert_matches(&self.s);
        assert_flows_match_balances(&self.s, &self.reader);
    }
}

/// The `pick`-th id (cycling); id 1 when there is none, which may not exist.
fn choose(ids: &[u64], pick: usize) -> u64 {
    if ids.is_empty() {
        1
    } else {
        ids[pick % ids.len()]
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, max_shrink_iters: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn escrow_always_matches_balances_and_nobody_is_paid_twice(ops in prop::collection::vec(op(), 1..150)) {
        let mut run = Run { s: Suite::new(), reader: Reader::default() };
        let owner = run.s.owner.clone();
        // Room for several auctions per creator, and a short window so claims happen.
        let response = run
            .s
            .exec(&owner, &ExecuteMsg::UpdateConfig { max_open_auctions: None, dispute_window_secs: Some(DAY), cancellation_fee_bps: None })
            .unwrap();
        run.reader.read(&response);
        for (i, op) in ops.iter().enumerate() {
            let (result, expected) = run.step(op);
            match &result {
                Ok(response) => run.reader.read(response),
                Err(err) => prop_assert!(!expected, "step {i} {op:?} failed unexpectedly: {err}"),
            }
            prop_assert!(result.is_err() || expected, "step {i} {op:?} succeeded unexpectedly");
            run.check_invariants();
        }
    }
}
