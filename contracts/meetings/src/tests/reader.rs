//! A reader that rebuilds auctions, bids, meetings and money flows from the contract's events
//! alone (as the indexer does), and checks the result against the contract's queries.

use std::collections::BTreeMap;

use cosmwasm_std::{Addr, Timestamp, Uint128};
use mesi_common::events::meetings::{
    AuctionState, MeetingFormat, MeetingPayout, MeetingStatus, RescheduleAction,
};
use mesi_common::events::AnyEvent;
use mesi_common::AssetInfo;

use super::*;
use crate::msg::{BidsResponse, DisputeOutcome};

#[derive(Debug, Clone, PartialEq)]
pub struct ReadAuction {
    pub creator: Addr,
    pub start: Timestamp,
    pub duration_secs: u64,
    pub time_zone: String,
    pub format: MeetingFormat,
    pub description: String,
    pub asset: AssetInfo,
    pub reserve: Uint128,
    pub min_increment_bps: u16,
    pub ends_at: Timestamp,
    pub extension_secs: u64,
    pub buy_now: Option<Uint128>,
    pub fee_bps: u16,
    pub state: AuctionState,
    /// (bidder, amount, bid count)
    pub top: Option<(Addr, Uint128, u32)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReadMeeting {
    pub creator: Addr,
    pub fan: Addr,
    pub price: Uint128,
    pub status: MeetingStatus,
    pub revision: u32,
    pub start: Timestamp,
    pub duration_secs: u64,
    pub escrow: Uint128,
    pub dispute_deadline: Option<Timestamp>,
    pub fan_no_show: bool,
    /// (proposed by, start, duration)
    pub reschedule: Option<(Addr, Timestamp, u64)>,
}

impl ReadMeeting {
    pub fn end(&self) -> Timestamp {
        self.start.plus_seconds(self.duration_secs)
    }
}

#[derive(Debug, Default)]
pub struct Reader {
    pub auctions: BTreeMap<u64, ReadAuction>,
    pub bids: BTreeMap<(u64, u32), (Addr, Uint128)>,
    pub meetings: BTreeMap<u64, ReadMeeting>,
    pub payouts: BTreeMap<u64, Vec<MeetingPayout>>,
    /// Net amount each account received from (positive) or paid into (negative) the contract.
    pub flows: BTreeMap<(Addr, AssetInfo), i128>,
}

impl Reader {
    pub fn read(&mut self, response: &AppResponse) {
        for event in mesi_events(response) {
            self.apply(event);
        }
    }

    fn flow(&mut self, who: &Addr, asset: &AssetInfo, amount: Uint128, incoming: bool) {
        let amount = amount.u128() as i128;
        *self.flows.entry((who.clone(), asset.clone())).or_default() +=
            if incoming { amount } else { -amount };
    }

    pub fn apply(&mut self, event: AnyEvent) {
        match event {
            AnyEvent::MeetingAuction(e) => {
                let auction = ReadAuction {
                    creator: e.creator,
                    start: e.start,
                    duration_secs: e.duration_secs,
                    time_zone: e.time_zone,
                    format: e.format,
                    description: e.description,
                    asset: e.asset,
                    reserve: e.reserve,
                    min_increment_bps: e.min_increment_bps,
                    ends_at: e.ends_at,
                    extension_secs: e.extension_secs,
                    buy_now: e.buy_now,
                    fee_bps: e.fee_bps,
                    state: AuctionState::Open,
                    top: None,
                };
                assert!(
                    self.auctions.insert(e.auction_id, auction).is_none(),
                    "auction id reused"
                );
                assert_eq!(
                    e.open_auctions,
                    self.open_auctions(&self.auctions[&e.auction_id].creator.clone())
                );
            }
            AnyEvent::MeetingAuctionCancelled(e) => {
                self.auctions.get_mut(&e.auction_id).unwrap().state = AuctionState::Cancelled;
                assert_eq!(e.open_auctions, self.open_auctions(&e.creator));
            }
            AnyEvent::MeetingAuctionExtended(e) => {
                let auction = self.auctions.get_mut(&e.auction_id).unwrap();
                assert!(e.ends_at > auction.ends_at);
                auction.ends_at = e.ends_at;
            }
            AnyEvent::MeetingBid(e) => {
                let asset = self.auctions[&e.auction_id].asset.clone();
                let auction = self.auctions.get_mut(&e.auction_id).unwrap();
                let previous = auction.top.replace((e.bidder.clone(), e.amount, e.bid_seq));
                assert_eq!(
                    previous.as_ref().map(|p| (p.0.clone(), p.1)),
                    e.refunded_bidder.clone().zip(e.refund)
                );
                assert_eq!(previous.map_or(0, |p| p.2) + 1, e.bid_seq);
                self.bids
                    .insert((e.auction_id, e.bid_seq), (e.bidder.clone(), e.amount));
                self.flow(&e.bidder, &asset, e.amount, false);
                if let (Some(refunded), Some(refund)) = (e.refunded_bidder, e.refund) {
                    self.flow(&refunded, &asset, refund, true);
                }
            }
            AnyEvent::MeetingAuctionSettled(e) => {
                let auction = self.auctions.get_mut(&e.auction_id).unwrap();
                auction.state = e.state;
                assert_eq!(
                    e.winner.clone().zip(e.price),
                    auction.top.clone().map(|t| (t.0, t.1))
                );
                assert_eq!(e.open_auctions, self.open_auctions(&e.creator));
            }
            AnyEvent::Meeting(e) => {
                let price = match self.meetings.get(&e.meeting_id) {
                    Some(m) => {
                        assert_eq!(e.revision, m.revision + 1, "revisions grow by one");
                        m.price
                    }
                    None => {
                        assert_eq!(e.revision, 0);
                        self.auctions[&e.meeting_id].top.as_ref().unwrap().1
                    }
                };
                // Every change (a new status, or an accepted proposal) ends a pending proposal.
                let meeting = ReadMeeting {
                    creator: e.creator,
                    fan: e.fan,
                    price,
                    status: e.status,
                    revision: e.revision,
                    start: e.start,
                    duration_secs: e.duration_secs,
                    escrow: e.escrow,
                    dispute_deadline: e.dispute_deadline,
                    fan_no_show: e.fan_no_show,
                    reschedule: None,
                };
                self.meetings.insert(e.meeting_id, meeting);
            }
            AnyEvent::MeetingReschedule(e) => {
                let meeting = self.meetings.get_mut(&e.meeting_id).unwrap();
                meeting.reschedule = match e.action {
                    RescheduleAction::Proposed => {
                        Some((e.by, e.start.unwrap(), e.duration_secs.unwrap()))
                    }
                    RescheduleAction::Withdrawn | RescheduleAction::Declined => None,
                };
            }
            AnyEvent::MeetingDispute(_) | AnyEvent::MeetingDisputeResolved(_) => {}
            AnyEvent::MeetingPayout(e) => {
                let meeting = self.meetings[&e.meeting_id].clone();
                assert_eq!(
                    e.to_fan + e.fee + e.to_creator,
                    meeting.price,
                    "a payout pays the whole escrow"
                );
                self.flow(&e.fan, &e.asset, e.to_fan, true);
                if let Some(treasury) = &e.treasury {
                    self.flow(treasury, &e.asset, e.fee, true);
                }
                if let Some(payout) = &e.payout {
                    self.flow(payout, &e.asset, e.to_creator, true);
                }
                // Paid by the creator with the cancellation, straight on to the treasury.
                if let Some(fee) = e.cancellation_fee {
                    let treasury = e.treasury.as_ref().expect("a cancellation fee's treasury");
                    self.flow(&meeting.creator, &e.asset, fee, false);
                    self.flow(treasury, &e.asset, fee, true);
                }
                self.payouts.entry(e.meeting_id).or_default().push(e);
            }
            AnyEvent::MeetingsConfig(_) | AnyEvent::Ownership(_) => {}
            other => panic!("not a meetings event: {other:?}"),
        }
    }

    pub fn open_auctions(&self, creator: &Addr) -> u32 {
        self.auctions
            .values()
            .filter(|a| a.creator == *creator && a.state == AuctionState::Open)
            .count() as u32
    }

    /// What the contract must hold of `asset`: the top bids of open auctions and the escrow of
    /// unfinished meetings.
    pub fn escrowed(&self, asset: &AssetInfo) -> u128 {
        let bids: u128 = self
            .auctions
            .values()
            .filter(|a| a.state == AuctionState::Open && &a.asset == asset)
            .filter_map(|a| a.top.as_ref().map(|t| t.1.u128()))
            .sum();
        let meetings: u128 = self
            .meetings
            .iter()
            .filter(|(id, _)| &self.auctions[*id].asset == asset)
            .map(|(_, m)| m.escrow.u128())
            .sum();
        bids + meetings
    }

    /// Compares everything rebuilt from events with what the contract's queries answer.
    pub fn assert_matches(&self, s: &Suite) {
        for (id, read) in &self.auctions {
            let stored = s.auction(*id);
            let a = &stored.auction;
            let rebuilt = ReadAuction {
                creator: a.creator.clone(),
                start: a.slot.start,
                duration_secs: a.slot.duration_secs,
                time_zone: a.slot.time_zone.clone(),
                format: a.format,
                description: a.description.clone(),
                asset: a.asset.clone(),
                reserve: a.reserve,
                min_increment_bps: a.min_increment_bps,
                ends_at: a.ends_at,
                extension_secs: a.extension_secs,
                buy_now: a.buy_now,
                fee_bps: a.fee_bps,
                state: a.state,
                top: stored.top_bid.map(|t| (t.bidder, t.amount, t.bid_count)),
            };
            assert_eq!(&rebuilt, read, "auction {id}");
            let bids: BidsResponse = s.query(&QueryMsg::Bids {
                auction_id: *id,
                start_after: None,
                limit: Some(100),
            });
            let stored_bids: Vec<_> = bids
                .bids
                .into_iter()
                .map(|b| ((*id, b.bid_seq), (b.bid.bidder, b.bid.amount)))
                .collect();
            let read_bids: Vec<_> = self
                .bids
                .range((*id, 0)..=(*id, u32::MAX))
                .map(|(k, v)| (*k, v.clone()))
                .collect();
            assert_eq!(stored_bids, read_bids, "bids of auction {id}");
            if read.state == AuctionState::Sold {
                assert!(
                    self.meetings.contains_key(id),
                    "a sold auction has a meeting"
                );
            }
        }
        assert!(
            s.app
                .wrap()
                .query_wasm_smart::<AuctionResponse>(
                    &s.meetings,
                    &QueryMsg::Auction {
                        auction_id: self.auctions.len() as u64 + 1
                    }
                )
                .is_err(),
            "the contract has no auction the reader missed"
        );
        for (id, read) in &self.meetings {
            let m = s.meeting(*id).meeting;
            let rebuilt = ReadMeeting {
                creator: m.creator.clone(),
                fan: m.fan.clone(),
                price: m.price,
                status: m.status,
                revision: m.revision,
                start: m.slot.start,
                duration_secs: m.slot.duration_secs,
                escrow: m.escrow(),
                dispute_deadline: m.dispute_deadline,
                fan_no_show: m.fan_no_show,
                reschedule: m
                    .reschedule
                    .map(|r| (r.proposed_by, r.start, r.duration_secs)),
            };
            assert_eq!(&rebuilt, read, "meeting {id}");
            // Paid exactly once when finished, never before.
            let payouts = self.payouts.get(id).map_or(0, Vec::len);
            assert_eq!(
                payouts,
                usize::from(!read.status.holds_escrow()),
                "payouts of meeting {id}"
            );
        }
    }
}

#[test]
fn every_path_can_be_rebuilt_from_events_alone() {
    let mut s = Suite::new();
    let mut reader = Reader::default();
    let (creator, creator2, alice, bob, carol, arbiter) = (
        s.creator.clone(),
        s.creator2.clone(),
        s.alice.clone(),
        s.bob.clone(),
        s.carol.clone(),
        s.arbiter(),
    );
    let owner = s.owner.clone();
    reader.read(
        &s.exec(
            &owner,
            &ExecuteMsg::UpdateConfig {
                max_open_auctions: Some(20),
                dispute_window_secs: None,
                cancellation_fee_bps: None,
            },
        )
        .unwrap(),
    );

    // Eight auctions: one cancelled, one closed, six sold (one by buy-now, one in MESI).
    let mut ids = vec![];
    for i in 0..8u64 {
        let mut input = s.auction_input();
        input.bidding_ends_at = input.bidding_ends_at.minus_seconds(i * 3_600);
        if i == 2 {
            input.buy_now = Some(Uint128::new(9_000));
        }
        if i == 3 {
            input.asset = s.mesi_asset();
        }
        let seller = if i == 7 { &creator2 } else { &creator };
        let response = s
            .exec(seller, &ExecuteMsg::OpenAuction { auction: input })
            .unwrap();
        reader.read(&response);
        ids.push(reader.auctions.len() as u64);
    }
    reader.read(
        &s.exec(&creator, &ExecuteMsg::CancelAuction { auction_id: ids[0] })
            .unwrap(),
    );
    for (i, id) in ids.iter().enumerate().skip(2) {
        if i == 3 {
            reader.read(&s.bid_cw20(&alice, *id, 1_000).unwrap());
            reader.read(&s.bid_cw20(&bob, *id, 2_000).unwrap());
        } else {
            reader.read(&s.bid(&alice, *id, 1_000).unwrap());
            reader.read(&s.bid(&bob, *id, 2_000).unwrap());
            reader.read(&s.bid(&alice, *id, 2_100).unwrap());
        }
    }
    reader.read(&s.bid(&carol, ids[2], 9_000).unwrap());
    reader.assert_matches(&s);

    // A late bid on the last auction to end extends it.
    let first_end = reader.auctions[&ids[7]].ends_at;
    s.advance_to(first_end.minus_seconds(30));
    reader.read(&s.bid(&carol, ids[7], 3_000).unwrap());
    assert_eq!(reader.auctions[&ids[7]].ends_at, s.now().plus_seconds(600));
    s.advance(DAY);
    for id in &ids[1..] {
        if reader.auctions[id].state == AuctionState::Open {
            reader.read(&s.settle(*id).unwrap());
        }
    }
    reader.assert_matches(&s);

    // Meetings: 2 (carol, bought now), 3 (bob, MESI), 4..6 (alice), 7 (carol with creator2).
    let start = reader.meetings[&ids[4]].start.plus_seconds(DAY);
    reader.read(
        &s.exec(
            &alice,
            &ExecuteMsg::ProposeReschedule {
                meeting_id: ids[4],
                start,
                duration_secs: 3_600,
            },
        )
        .unwrap(),
    );
    reader.assert_matches(&s);
    reader.read(
        &s.exec(
            &creator,
            &ExecuteMsg::AcceptReschedule {
                meeting_id: ids[4],
                start,
                duration_secs: 3_600,
            },
        )
        .unwrap(),
    );
    reader.read(
        &s.exec(
            &creator,
            &ExecuteMsg::ProposeReschedule {
                meeting_id: ids[5],
                start,
                duration_secs: 3_600,
            },
        )
        .unwrap(),
    );
    reader.read(
        &s.exec(
            &alice,
            &ExecuteMsg::DeclineReschedule { meeting_id: ids[5] },
        )
        .unwrap(),
    );
    reader.read(
        &s.exec(
            &creator,
            &ExecuteMsg::ProposeReschedule {
                meeting_id: ids[6],
                start,
                duration_secs: 3_600,
            },
        )
        .unwrap(),
    );
    reader.assert_matches(&s);
    reader.read(&s.cancel_meeting(&creator, ids[6]).unwrap());
    reader.assert_matches(&s);

    s.advance_to(start.plus_seconds(3_600));
    for id in [ids[2], ids[3], ids[4], ids[5]] {
        reader.read(
            &s.exec(
                &creator,
                &ExecuteMsg::MarkHeld {
                    meeting_id: id,
                    fan_no_show: id == ids[5],
                },
            )
            .unwrap(),
        );
    }
    reader.read(
        &s.exec(&carol, &ExecuteMsg::Confirm { meeting_id: ids[7] })
            .unwrap(),
    );
    reader.read(
        &s.exec(
            &bob,
            &ExecuteMsg::Dispute {
                meeting_id: ids[3],
                reason: Some("late".into()),
            },
        )
        .unwrap(),
    );
    reader.read(
        &s.exec(
            &alice,
            &ExecuteMsg::Dispute {
                meeting_id: ids[4],
                reason: None,
            },
        )
        .unwrap(),
    );
    reader.read(
        &s.exec(
            &carol,
            &ExecuteMsg::Dispute {
                meeting_id: ids[2],
                reason: None,
            },
        )
        .unwrap(),
    );
    reader.assert_matches(&s);
    let outcomes = [
        (ids[3], DisputeOutcome::Split { fan_bps: 1_234 }),
        (ids[4], DisputeOutcome::Refund {}),
        (ids[2], DisputeOutcome::Release {}),
    ];
    for (id, outcome) in outcomes {
        reader.read(
            &s.exec(
                &arbiter,
                &ExecuteMsg::Resolve {
                    meeting_id: id,
                    outcome,
                },
            )
            .unwrap(),
        );
    }
    s.advance(DISPUTE_WINDOW);
    reader.read(
        &s.exec(&creator, &ExecuteMsg::Claim { meeting_id: ids[5] })
            .unwrap(),
    );
    reader.assert_matches(&s);

    let statuses: Vec<MeetingStatus> = reader.meetings.values().map(|m| m.status).collect();
    assert_eq!(
        statuses,
        vec![
            MeetingStatus::Completed,
            MeetingStatus::Split,
            MeetingStatus::Refunded,
            MeetingStatus::Completed,
            MeetingStatus::Cancelled,
            MeetingStatus::Completed
        ]
    );
    for asset in [usdc(), s.mesi_asset()] {
        assert_eq!(reader.escrowed(&asset), 0);
        assert_eq!(s.balance(&s.meetings.clone(), &asset), 0);
    }
    assert_flows_match_balances(&s, &reader);
}

/// Every account's balance moved by exactly the flows the events report.
pub fn assert_flows_match_balances(s: &Suite, reader: &Reader) {
    let accounts = [
        &s.alice,
        &s.bob,
        &s.carol,
        &s.stranger,
        &s.creator,
        &s.creator2,
        &s.treasury(),
        &s.payout,
        &s.arbiter(),
    ];
    let funded = [
        &s.alice,
        &s.bob,
        &s.carol,
        &s.stranger,
        &s.creator,
        &s.creator2,
        &s.arbiter(),
    ];
    for asset in [usdc(), s.mesi_asset()] {
        for account in accounts {
            let start = if funded.contains(&account) {
                START_BALANCE as i128
            } else {
                0
            };
            let flow = reader
                .flows
                .get(&(account.clone(), asset.clone()))
                .copied()
                .unwrap_or_default();
            assert_eq!(
                s.balance(account, &asset) as i128,
                start + flow,
                "{account} in {asset}"
            );
        }
    }
}
