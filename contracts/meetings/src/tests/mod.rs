//! Multi-test suite: the meetings contract with the real `creators` registry and a cw20-base MESI
//! token.

mod auctions;
mod authorization;
mod funds;
mod invariants;
mod meetings;
mod reader;

use cosmwasm_schema::serde::de::DeserializeOwned;
use cosmwasm_std::{coins, Addr, Coin, Timestamp, Uint128};
use cw_multi_test::{AppResponse, Contract, Executor};
use mesi_common::events::meetings::MeetingFormat;
use mesi_common::interfaces::creators::Fees;
use mesi_common::AssetInfo;
use mesi_testing::error::contract_error;
use mesi_testing::{Platform, ATOM};

pub use mesi_testing::events::{events, mesi_events, one_event};
pub use mesi_testing::{DAY, USDC};

use crate::error::ContractError;
use crate::msg::{
    AuctionInput, AuctionResponse, ExecuteMsg, InstantiateMsg, MeetingResponse, QueryMsg,
    ReceiveMsg,
};
use crate::state::Slot;

pub const FEE_BPS: u16 = 1_000;
pub const DISPUTE_WINDOW: u64 = 3 * 24 * 3600;
pub const MAX_OPEN: u32 = 3;
pub const START_BALANCE: u128 = 1_000_000_000;

pub fn meetings_contract() -> Box<dyn Contract<cosmwasm_std::Empty>> {
    mesi_testing::contract!(crate::contract, migrate)
}

/// The platform (app, registry with the arbiter, MESI token) with the meetings contract on it.
pub struct Suite {
    pub platform: Platform,
    pub meetings: Addr,
    /// A registered creator, paid at `payout`.
    pub creator: Addr,
    pub payout: Addr,
    /// A second registered creator (paid at their own address).
    pub creator2: Addr,
    pub alice: Addr,
    pub bob: Addr,
    pub carol: Addr,
    /// Registered with nothing.
    pub stranger: Addr,
    pub meetings_code: u64,
}

mesi_testing::suite_on_platform!(Suite);

pub fn usdc() -> AssetInfo {
    AssetInfo::native(USDC)
}

impl Suite {
    pub fn new() -> Self {
        let fees = Fees {
            meetings: FEE_BPS,
            ..Fees::default()
        };
        let mut platform = Platform::builder()
            .funded([
                "alice", "bob", "carol", "stranger", "creator", "creator2", "owner", "arbiter",
            ])
            .denoms(&[USDC, ATOM], &[USDC])
            .balance(START_BALANCE)
            .fees(fees)
            .arbiter()
            .build();
        let [creator, payout, creator2, alice, bob, carol, stranger] = [
            "creator", "payout", "creator2", "alice", "bob", "carol", "stranger",
        ]
        .map(|name| platform.addr(name));
        platform.register_creator(&creator, Platform::profile(Some(&payout)));
        platform.register_creator(&creator2, Platform::profile(None));

        let meetings_code = platform.app.store_code(meetings_contract());
        let meetings = platform
            .app
            .instantiate_contract(
                meetings_code,
                platform.owner.clone(),
                &InstantiateMsg {
                    owner: None,
                    creators: platform.registry.to_string(),
                    max_open_auctions: MAX_OPEN,
                    dispute_window_secs: DISPUTE_WINDOW,
                },
                &[],
                "meetings",
                Some(platform.owner.to_string()),
            )
            .unwrap();

        Suite {
            platform,
            meetings,
            creator,
            payout,
            creator2,
            alice,
            bob,
            carol,
            stranger,
            meetings_code,
        }
    }

    pub fn mesi_asset(&self) -> AssetInfo {
        AssetInfo::cw20(self.mesi())
    }

    /// Moves the clock to `time` (which must not be in the past).
    pub fn advance_to(&mut self, time: Timestamp) {
        let now = self.now();
        assert!(time >= now, "cannot go back in time");
        self.advance(time.seconds() - now.seconds());
        // Sub-second remainders do not occur: every time in these tests is in whole seconds.
    }

    pub fn exec(&mut self, sender: &Addr, msg: &ExecuteMsg) -> Result<AppResponse, ContractError> {
        self.exec_with_funds(sender, msg, &[])
    }

    pub fn exec_with_funds(
        &mut self,
        sender: &Addr,
        msg: &ExecuteMsg,
        funds: &[Coin],
    ) -> Result<AppResponse, ContractError> {
        let meetings = self.meetings.clone();
        self.app
            .execute_contract(sender.clone(), meetings, msg, funds)
            .map_err(contract_error)
    }

    /// An auction of `creator` in USDC: slot in 10 days for 30 minutes, bidding for 7 days,
    /// reserve 1_000, 5% increments, 10-minute anti-sniping, no buy-now.
    pub fn auction_input(&self) -> AuctionInput {
        let now = self.now();
        AuctionInput {
            slot: Slot {
                start: now.plus_seconds(10 * DAY),
                duration_secs: 1_800,
                time_zone: "Europe/Berlin".into(),
            },
            format: MeetingFormat::Video,
            description: "A 30-minute video call about anything.".into(),
            asset: usdc(),
            reserve: Uint128::new(1_000),
            min_increment_bps: 500,
            bidding_ends_at: now.plus_seconds(7 * DAY),
            extension_secs: 600,
            buy_now: None,
        }
    }

    pub fn open(&mut self, creator: &Addr, auction: AuctionInput) -> Result<u64, ContractError> {
        let response = self.exec(creator, &ExecuteMsg::OpenAuction { auction })?;
        let opened: Vec<mesi_common::events::meetings::AuctionOpened> = events(&response);
        Ok(opened[0].auction_id)
    }

    /// Opens the default auction of the default creator.
    pub fn open_default(&mut self) -> u64 {
        let input = self.auction_input();
        let creator = self.creator.clone();
        self.open(&creator, input).unwrap()
    }

    pub fn bid(
        &mut self,
        fan: &Addr,
        auction_id: u64,
        amount: u128,
    ) -> Result<AppResponse, ContractError> {
        self.exec_with_funds(fan, &ExecuteMsg::Bid { auction_id }, &coins(amount, USDC))
    }

    /// Bids in MESI through the CW20 `Send` hook.
    pub fn bid_cw20(
        &mut self,
        fan: &Addr,
        auction_id: u64,
        amount: u128,
    ) -> Result<AppResponse, ContractError> {
        let token = self.mesi();
        self.send_cw20(&token, fan, auction_id, amount)
    }

    pub fn send_cw20(
        &mut self,
        token: &Addr,
        fan: &Addr,
        auction_id: u64,
        amount: u128,
    ) -> Result<AppResponse, ContractError> {
        self.send_hook(token, fan, &ReceiveMsg::Bid { auction_id }, amount)
    }

    /// A CW20 `Send` of `amount` to the contract with `msg`.
    pub fn send_hook(
        &mut self,
        token: &Addr,
        sender: &Addr,
        msg: &ReceiveMsg,
        amount: u128,
    ) -> Result<AppResponse, ContractError> {
        let meetings = self.meetings.clone();
        self.platform
            .send_cw20(sender, token, &meetings, amount, msg)
            .map_err(contract_error)
    }

    /// The creator cancels a scheduled USDC meeting, paying the fee its query quotes.
    pub fn cancel_meeting(
        &mut self,
        creator: &Addr,
        meeting_id: u64,
    ) -> Result<AppResponse, ContractError> {
        let fee = self
            .meeting(meeting_id)
            .cancellation_fee
            .unwrap_or_default();
        let funds = if fee.is_zero() {
            vec![]
        } else {
            coins(fee.u128(), USDC)
        };
        self.exec_with_funds(creator, &ExecuteMsg::CancelMeeting { meeting_id }, &funds)
    }

    pub fn settle(&mut self, auction_id: u64) -> Result<AppResponse, ContractError> {
        let stranger = self.stranger.clone();
        self.exec(&stranger, &ExecuteMsg::Settle { auction_id })
    }

    /// Opens the default auction, takes one bid of `price` from alice, ends and settles it:
    /// a scheduled meeting of `creator` with alice.
    pub fn scheduled_meeting(&mut self, price: u128) -> u64 {
        let id = self.open_default();
        let alice = self.alice.clone();
        self.bid(&alice, id, price).unwrap();
        self.advance(7 * DAY);
        self.settle(id).unwrap();
        id
    }

    /// A scheduled meeting whose slot has ended, marked held by the creator.
    pub fn held_meeting(&mut self, price: u128) -> u64 {
        let id = self.scheduled_meeting(price);
        let end = self.meeting(id).meeting.slot.end();
        self.advance_to(end);
        let creator = self.creator.clone();
        self.exec(
            &creator,
            &ExecuteMsg::MarkHeld {
                meeting_id: id,
                fan_no_show: false,
            },
        )
        .unwrap();
        id
    }

    /// A held meeting that alice disputed.
    pub fn disputed_meeting(&mut self, price: u128) -> u64 {
        let id = self.held_meeting(price);
        let alice = self.alice.clone();
        self.exec(
            &alice,
            &ExecuteMsg::Dispute {
                meeting_id: id,
                reason: Some("no-show".into()),
            },
        )
        .unwrap();
        id
    }

    pub fn query<T: DeserializeOwned>(&self, msg: &QueryMsg) -> T {
        self.app
            .wrap()
            .query_wasm_smart(&self.meetings, msg)
            .unwrap()
    }

    pub fn auction(&self, auction_id: u64) -> AuctionResponse {
        self.query(&QueryMsg::Auction { auction_id })
    }

    pub fn meeting(&self, meeting_id: u64) -> MeetingResponse {
        self.query(&QueryMsg::Meeting { meeting_id })
    }

    pub fn usdc_of(&self, who: &Addr) -> u128 {
        self.balance(who, &usdc())
    }
}
