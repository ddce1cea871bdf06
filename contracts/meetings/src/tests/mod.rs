//! Multi-test suite: the meetings contract with the real `creators` registry and a cw20-base MESI
//! token.

mod auctions;
mod authorization;
mod funds;
mod invariants;
mod meetings;
mod reader;

use cosmwasm_schema::serde::de::DeserializeOwned;
use cosmwasm_std::{coins, Addr, Coin, Empty, Timestamp, Uint128};
use cw20::{Cw20Coin, Cw20ExecuteMsg};
use cw_multi_test::{App, AppResponse, Contract, ContractWrapper, Executor};
use mesi_common::chat_rule::ChatRule;
use mesi_common::event::{attr_pairs, MesiEvent};
use mesi_common::events::meetings::MeetingFormat;
use mesi_common::events::AnyEvent;
use mesi_common::interfaces::creators::Fees;
use mesi_common::AssetInfo;

use crate::contract::{execute, instantiate, migrate, query};
use crate::error::ContractError;
use crate::msg::{
    AuctionInput, AuctionResponse, ExecuteMsg, InstantiateMsg, MeetingResponse, QueryMsg,
    ReceiveMsg,
};
use crate::state::Slot;

pub const USDC: &str = "uusdc";
pub const FEE_BPS: u16 = 1_000;
pub const DISPUTE_WINDOW: u64 = 3 * 24 * 3600;
pub const MAX_OPEN: u32 = 3;
pub const START_BALANCE: u128 = 1_000_000_000;
pub const DAY: u64 = 24 * 3600;

pub fn meetings_contract() -> Box<dyn Contract<Empty>> {
    Box::new(ContractWrapper::new(execute, instantiate, query).with_migrate(migrate))
}

fn creators_contract() -> Box<dyn Contract<Empty>> {
    use mesi_creators::contract as c;
    Box::new(ContractWrapper::new(c::execute, c::instantiate, c::query))
}

fn cw20_contract() -> Box<dyn Contract<Empty>> {
    use cw20_base::contract as c;
    Box::new(ContractWrapper::new(c::execute, c::instantiate, c::query))
}

pub struct Suite {
    pub app: App,
    pub meetings: Addr,
    pub registry: Addr,
    pub mesi: Addr,
    pub owner: Addr,
    pub treasury: Addr,
    pub arbiter: Addr,
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

pub fn usdc() -> AssetInfo {
    AssetInfo::native(USDC)
}

impl Suite {
    pub fn new() -> Self {
        let mut app = App::default();
        let api = app.api();
        let [owner, treasury, arbiter, creator, payout, creator2, alice, bob, carol, stranger] = [
            "owner", "treasury", "arbiter", "creator", "payout", "creator2", "alice", "bob",
            "carol", "stranger",
        ]
        .map(|name| api.addr_make(name));
        let funded = [
            &alice, &bob, &carol, &stranger, &creator, &creator2, &owner, &arbiter,
        ];
        app.init_modules(|router, _, storage| {
            for account in funded {
                router
                    .bank
                    .init_balance(
                        storage,
                        account,
                        vec![
                            Coin::new(START_BALANCE, USDC),
                            Coin::new(START_BALANCE, "uatom"),
                        ],
                    )
                    .unwrap();
            }
        });

        let cw20_code = app.store_code(cw20_contract());
        let mesi = app
            .instantiate_contract(
                cw20_code,
                owner.clone(),
                &cw20_base::msg::InstantiateMsg {
                    name: "Mesi".into(),
                    symbol: "MESI".into(),
                    decimals: 6,
                    initial_balances: funded
                        .iter()
                        .map(|a| Cw20Coin {
                            address: a.to_string(),
                            amount: Uint128::new(START_BALANCE),
                        })
                        .collect(),
                    mint: None,
                    marketing: None,
                },
                &[],
                "mesi",
                None,
            )
            .unwrap();

        let creators_code = app.store_code(creators_contract());
        let registry = app
            .instantiate_contract(
                creators_code,
                owner.clone(),
                &mesi_creators::msg::InstantiateMsg {
                    owner: None,
                    treasury: treasury.to_string(),
                    fees: Fees {
                        tips: 0,
                        subscriptions: 0,
                        ppv: 0,
                        surprise_sales: 0,
                        meetings: FEE_BPS,
                    },
                    accepted_assets: vec![usdc(), AssetInfo::cw20(mesi.clone())],
                    fiat_gateways: vec![],
                    arbiter: Some(arbiter.to_string()),
                    contracts: Default::default(),
                },
                &[],
                "creators",
                None,
            )
            .unwrap();
        for (who, payout) in [(&creator, Some(payout.to_string())), (&creator2, None)] {
            let profile = mesi_creators::msg::ProfileInput {
                display_name: "Creator".into(),
                payout,
                accepted_assets: vec![],
                tip_minimums: vec![],
                chat_rule: ChatRule::Everyone,
            };
            app.execute_contract(
                who.clone(),
                registry.clone(),
                &mesi_creators::msg::ExecuteMsg::RegisterCreator { profile },
                &[],
            )
            .unwrap();
        }

        let meetings_code = app.store_code(meetings_contract());
        let meetings = app
            .instantiate_contract(
                meetings_code,
                owner.clone(),
                &InstantiateMsg {
                    owner: None,
                    creators: registry.to_string(),
                    max_open_auctions: MAX_OPEN,
                    dispute_window_secs: DISPUTE_WINDOW,
                },
                &[],
                "meetings",
                Some(owner.to_string()),
            )
            .unwrap();

        Suite {
            app,
            meetings,
            registry,
            mesi,
            owner,
            treasury,
            arbiter,
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
        AssetInfo::cw20(self.mesi.clone())
    }

    pub fn now(&self) -> Timestamp {
        self.app.block_info().time
    }

    pub fn advance(&mut self, secs: u64) {
        self.app.update_block(|block| {
            block.time = block.time.plus_seconds(secs);
            block.height += secs.div_ceil(5).max(1);
        });
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
            .map_err(|err| err.downcast().expect("a meetings contract error"))
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
        let token = self.mesi.clone();
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
        let msg = Cw20ExecuteMsg::Send {
            contract: self.meetings.to_string(),
            amount: Uint128::new(amount),
            msg: cosmwasm_std::to_json_binary(msg).unwrap(),
        };
        self.app
            .execute_contract(sender.clone(), token.clone(), &msg, &[])
            .map_err(|err| err.downcast().expect("a meetings contract error"))
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

    pub fn balance(&self, who: &Addr, asset: &AssetInfo) -> u128 {
        match asset {
            AssetInfo::Native { denom } => self
                .app
                .wrap()
                .query_balance(who, denom)
                .unwrap()
                .amount
                .u128(),
            AssetInfo::Cw20 { contract } => {
                let response: cw20::BalanceResponse = self
                    .app
                    .wrap()
                    .query_wasm_smart(
                        contract,
                        &cw20::Cw20QueryMsg::Balance {
                            address: who.to_string(),
                        },
                    )
                    .unwrap();
                response.balance.u128()
            }
        }
    }

    pub fn usdc_of(&self, who: &Addr) -> u128 {
        self.balance(who, &usdc())
    }
}

/// Every Mesi event of the response, decoded.
pub fn all_events(response: &AppResponse) -> Vec<AnyEvent> {
    response
        .events
        .iter()
        .filter_map(|event| {
            AnyEvent::decode(&event.ty, &attr_pairs(event)).expect("a valid Mesi event")
        })
        .collect()
}

/// The events of one type in the response.
pub fn events<T: MesiEvent>(response: &AppResponse) -> Vec<T> {
    response
        .events
        .iter()
        .filter(|event| event.ty == format!("wasm-{}", T::TYPE))
        .map(|event| T::from_attributes(&attr_pairs(event)).unwrap())
        .collect()
}

pub fn one_event<T: MesiEvent + std::fmt::Debug>(response: &AppResponse) -> T {
    let mut found = events::<T>(response);
    assert_eq!(found.len(), 1, "expected exactly one {}", T::TYPE);
    found.remove(0)
}
