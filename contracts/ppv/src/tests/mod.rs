//! Multi-test suite: the real `creators` registry and `subscriptions` contract, cw20-base as
//! MESI, and this contract.

mod access;
mod buying;
mod funds;
mod listing;
mod migrate;
mod random_runs;

use cosmwasm_std::{coins, to_json_binary, Addr, Coin, Timestamp, Uint128};
use cw20::{BalanceResponse, Cw20Coin, Cw20ExecuteMsg, Cw20QueryMsg};
use cw_multi_test::{App, AppResponse, ContractWrapper, Executor};
use mesi_common::chat_rule::ChatRule;
use mesi_common::event::{attr_pairs, MesiEvent};
use mesi_common::interfaces::TotalResponse;
use mesi_common::AssetInfo;
use mesi_creators::msg::{
    ExecuteMsg as CreatorsExecuteMsg, Fees, InstantiateMsg as CreatorsInstantiateMsg, ProfileInput,
    SiblingContracts,
};
use mesi_subscriptions::msg::{
    ExecuteMsg as SubscriptionsExecuteMsg, InstantiateMsg as SubscriptionsInstantiateMsg,
    QueryMsg as SubscriptionsQueryMsg, TierInfo, TierTerms,
};

use crate::error::ContractError;
use crate::msg::{AccessResponse, ExecuteMsg, InstantiateMsg, QueryMsg, ReceiveMsg};
use crate::state::ContentItem;

pub const USDC: &str = "uusdc";
/// A native coin the platform does not accept.
pub const ATOM: &str = "uatom";
pub const PPV_FEE_BPS: u16 = 500;
/// What every fan holds of each asset at the start.
pub const FAN_FUNDS: u128 = 10u128.pow(37);
pub const FAN_COUNT: usize = 4;
/// Every subscription tier in these tests lasts this long per period.
pub const SUBSCRIPTION_PERIOD: u64 = 30 * 86_400;

pub use cw_multi_test::error::AnyResult as Result;

pub struct Suite {
    pub app: App,
    pub owner: Addr,
    pub treasury: Addr,
    /// A registered creator whose payments go to `payout`.
    pub creator: Addr,
    pub payout: Addr,
    /// Another registered creator (paid at their own address).
    pub other_creator: Addr,
    pub fans: Vec<Addr>,
    /// Registered nowhere.
    pub stranger: Addr,
    pub creators: Addr,
    pub subscriptions: Addr,
    pub mesi: Addr,
    pub ppv: Addr,
    pub ppv_code_id: u64,
}

impl Suite {
    pub fn new() -> Self {
        let mut app = App::default();
        let api = app.api();
        let owner = api.addr_make("owner");
        let treasury = api.addr_make("treasury");
        let creator = api.addr_make("creator");
        let payout = api.addr_make("payout");
        let other_creator = api.addr_make("other_creator");
        let stranger = api.addr_make("stranger");
        let fans: Vec<Addr> = (0..FAN_COUNT)
            .map(|i| api.addr_make(&format!("fan{i}")))
            .collect();

        app.init_modules(|router, _, storage| {
            for fan in fans.iter().chain([&creator, &stranger]) {
                let funds = vec![Coin::new(FAN_FUNDS, USDC), Coin::new(FAN_FUNDS, ATOM)];
                router.bank.init_balance(storage, fan, funds).unwrap();
            }
        });

        let mesi = instantiate_cw20(
            &mut app,
            &owner,
            "MESI",
            fans.iter().chain([&creator, &stranger]),
        );

        let creators_code = app.store_code(Box::new(ContractWrapper::new(
            mesi_creators::contract::execute,
            mesi_creators::contract::instantiate,
            mesi_creators::contract::query,
        )));
        let creators = app
            .instantiate_contract(
                creators_code,
                owner.clone(),
                &CreatorsInstantiateMsg {
                    owner: None,
                    treasury: treasury.to_string(),
                    fees: Fees {
                        ppv: PPV_FEE_BPS,
                        ..Fees::default()
                    },
                    accepted_assets: vec![AssetInfo::native(USDC), AssetInfo::cw20(mesi.clone())],
                    fiat_gateways: vec![],
                    arbiter: None,
                    contracts: SiblingContracts::default(),
                },
                &[],
                "creators",
                None,
            )
            .unwrap();

        let subscriptions_code = app.store_code(Box::new(ContractWrapper::new(
            mesi_subscriptions::contract::execute,
            mesi_subscriptions::contract::instantiate,
            mesi_subscriptions::contract::query,
        )));
        let subscriptions = app
            .instantiate_contract(
                subscriptions_code,
                owner.clone(),
                &SubscriptionsInstantiateMsg {
                    creators: creators.to_string(),
                },
                &[],
                "subscriptions",
                None,
            )
            .unwrap();

        let ppv_code_id = app.store_code(Box::new(
            ContractWrapper::new(
                crate::contract::execute,
                crate::contract::instantiate,
                crate::contract::query,
            )
            .with_migrate(crate::contract::migrate),
        ));
        let ppv = app
            .instantiate_contract(
                ppv_code_id,
                owner.clone(),
                &InstantiateMsg {
                    creators: creators.to_string(),
                    subscriptions: subscriptions.to_string(),
                },
                &[],
                "ppv",
                Some(owner.to_string()),
            )
            .unwrap();

        let mut suite = Suite {
            app,
            owner,
            treasury,
            creator,
            payout,
            other_creator,
            fans,
            stranger,
            creators,
            subscriptions,
            mesi,
            ppv,
            ppv_code_id,
        };
        let (creator, payout, other_creator) = (
            suite.creator.clone(),
            suite.payout.clone(),
            suite.other_creator.clone(),
        );
        suite.register_creator(&creator, Some(&payout));
        suite.register_creator(&other_creator, None);
        suite
    }

    pub fn fan(&self) -> Addr {
        self.fans[0].clone()
    }

    pub fn fan2(&self) -> Addr {
        self.fans[1].clone()
    }

    pub fn usdc(&self) -> AssetInfo {
        AssetInfo::native(USDC)
    }

    pub fn mesi_asset(&self) -> AssetInfo {
        AssetInfo::cw20(self.mesi.clone())
    }

    pub fn now(&self) -> Timestamp {
        self.app.block_info().time
    }

    pub fn advance(&mut self, seconds: u64) {
        self.app.update_block(|block| {
            block.time = block.time.plus_seconds(seconds);
            block.height += 1;
        });
    }

    fn register_creator(&mut self, creator: &Addr, payout: Option<&Addr>) {
        let profile = ProfileInput {
            display_name: "Creator".into(),
            payout: payout.map(Addr::to_string),
            accepted_assets: vec![],
            tip_minimums: vec![],
            chat_rule: ChatRule::Everyone,
        };
        let msg = CreatorsExecuteMsg::RegisterCreator { profile };
        self.app
            .execute_contract(creator.clone(), self.creators.clone(), &msg, &[])
            .unwrap();
    }

    pub fn set_creator_active(&mut self, creator: &Addr, active: bool) {
        let msg = if active {
            CreatorsExecuteMsg::ReactivateCreator {}
        } else {
            CreatorsExecuteMsg::DeactivateCreator {}
        };
        self.app
            .execute_contract(creator.clone(), self.creators.clone(), &msg, &[])
            .unwrap();
    }

    /// Changes what the registry says about the platform (owner only there).
    pub fn update_platform(&mut self, fees: Option<Fees>, accepted_assets: Option<Vec<AssetInfo>>) {
        let msg = CreatorsExecuteMsg::UpdateConfig {
            treasury: None,
            fees,
            accepted_assets,
            fiat_gateways: None,
            arbiter: None,
            contracts: None,
        };
        self.app
            .execute_contract(self.owner.clone(), self.creators.clone(), &msg, &[])
            .unwrap();
    }

    pub fn set_ppv_fee(&mut self, bps: u16) {
        self.update_platform(
            Some(Fees {
                ppv: bps,
                ..Fees::default()
            }),
            None,
        );
    }

    /// Subscribes `fan` to `creator` at `tier` for one period (paid in USDC), creating the tier
    /// first if the creator has none at that level.
    pub fn subscribe(&mut self, creator: &Addr, fan: &Addr, tier: u32) {
        let price = Uint128::new(1_000 * u128::from(tier));
        let tier_query = SubscriptionsQueryMsg::Tier {
            creator: creator.to_string(),
            tier,
        };
        if self
            .app
            .wrap()
            .query_wasm_smart::<TierInfo>(&self.subscriptions, &tier_query)
            .is_err()
        {
            let terms = TierTerms {
                name: format!("Tier {tier}"),
                price,
                subscriber_cap: None,
                bundles: vec![],
                trial_seconds: None,
            };
            let msg = SubscriptionsExecuteMsg::CreateTier {
                tier,
                asset: self.usdc(),
                period_seconds: SUBSCRIPTION_PERIOD,
                terms,
            };
            self.app
                .execute_contract(creator.clone(), self.subscriptions.clone(), &msg, &[])
                .unwrap();
        }
        let msg = SubscriptionsExecuteMsg::Subscribe {
            creator: creator.to_string(),
            tier,
            periods: 1,
            max_price_per_period: price,
            auto_renew: false,
        };
        self.app
            .execute_contract(
                fan.clone(),
                self.subscriptions.clone(),
                &msg,
                &coins(price.u128(), USDC),
            )
            .unwrap();
    }

    pub fn execute(
        &mut self,
        sender: &Addr,
        msg: &ExecuteMsg,
        funds: &[Coin],
    ) -> Result<AppResponse> {
        self.app
            .execute_contract(sender.clone(), self.ppv.clone(), msg, funds)
    }

    pub fn list_item(
        &mut self,
        creator: &Addr,
        content_id: &str,
        price: u128,
        asset: AssetInfo,
    ) -> Result<AppResponse> {
        self.list_with(creator, content_id, price, asset, None, None)
    }

    pub fn list_with(
        &mut self,
        creator: &Addr,
        content_id: &str,
        price: u128,
        asset: AssetInfo,
        sale_ends_at: Option<Timestamp>,
        free_for_tier: Option<u32>,
    ) -> Result<AppResponse> {
        let msg = ExecuteMsg::ListItem {
            content_id: content_id.into(),
            price: Uint128::new(price),
            asset,
            sale_ends_at,
            free_for_tier,
        };
        self.execute(creator, &msg, &[])
    }

    pub fn update_item(
        &mut self,
        sender: &Addr,
        content_id: &str,
        price: u128,
        asset: AssetInfo,
    ) -> Result<AppResponse> {
        let msg = ExecuteMsg::UpdateItem {
            content_id: content_id.into(),
            price: Uint128::new(price),
            asset,
            sale_ends_at: None,
            free_for_tier: None,
        };
        self.execute(sender, &msg, &[])
    }

    pub fn delist(&mut self, sender: &Addr, content_id: &str) -> Result<AppResponse> {
        self.execute(
            sender,
            &ExecuteMsg::Delist {
                content_id: content_id.into(),
            },
            &[],
        )
    }

    /// Buys `creator`'s item `content_id` with `funds`.
    pub fn buy(
        &mut self,
        fan: &Addr,
        creator: &Addr,
        content_id: &str,
        funds: &[Coin],
    ) -> Result<AppResponse> {
        let msg = ExecuteMsg::Buy {
            creator: creator.to_string(),
            content_id: content_id.into(),
        };
        self.execute(fan, &msg, funds)
    }

    pub fn buy_usdc(
        &mut self,
        fan: &Addr,
        creator: &Addr,
        content_id: &str,
        amount: u128,
    ) -> Result<AppResponse> {
        self.buy(fan, creator, content_id, &coins(amount, USDC))
    }

    /// Pays with `token` through a CW20 `Send` carrying the `Buy` hook.
    pub fn buy_with_token(
        &mut self,
        token: &Addr,
        fan: &Addr,
        creator: &Addr,
        content_id: &str,
        amount: u128,
    ) -> Result<AppResponse> {
        let hook = ReceiveMsg::Buy {
            creator: creator.to_string(),
            content_id: content_id.into(),
        };
        let msg = Cw20ExecuteMsg::Send {
            contract: self.ppv.to_string(),
            amount: Uint128::new(amount),
            msg: to_json_binary(&hook).unwrap(),
        };
        self.app
            .execute_contract(fan.clone(), token.clone(), &msg, &[])
    }

    pub fn buy_mesi(
        &mut self,
        fan: &Addr,
        creator: &Addr,
        content_id: &str,
        amount: u128,
    ) -> Result<AppResponse> {
        let mesi = self.mesi.clone();
        self.buy_with_token(&mesi, fan, creator, content_id, amount)
    }

    pub fn query<T: cosmwasm_schema::serde::de::DeserializeOwned>(
        &self,
        msg: &QueryMsg,
    ) -> Result<T> {
        Ok(self.app.wrap().query_wasm_smart(&self.ppv, msg)?)
    }

    pub fn item(&self, creator: &Addr, content_id: &str) -> ContentItem {
        self.query(&QueryMsg::Item {
            creator: creator.to_string(),
            content_id: content_id.into(),
        })
        .unwrap()
    }

    pub fn has_access(&self, viewer: &Addr, creator: &Addr, content_id: &str) -> AccessResponse {
        self.query(&QueryMsg::HasAccess {
            viewer: viewer.to_string(),
            creator: creator.to_string(),
            content_id: content_id.into(),
        })
        .unwrap()
    }

    pub fn spent(&self, creator: &Addr, fan: &Addr, asset: &AssetInfo) -> u128 {
        let msg = QueryMsg::SpentTotal {
            creator: creator.to_string(),
            fan: fan.to_string(),
            asset: asset.clone(),
        };
        self.query::<TotalResponse>(&msg).unwrap().amount.u128()
    }

    pub fn balance(&self, owner: &Addr, asset: &AssetInfo) -> u128 {
        match asset {
            AssetInfo::Native { denom } => self
                .app
                .wrap()
                .query_balance(owner, denom)
                .unwrap()
                .amount
                .u128(),
            AssetInfo::Cw20 { contract } => {
                let msg = Cw20QueryMsg::Balance {
                    address: owner.to_string(),
                };
                let response: BalanceResponse =
                    self.app.wrap().query_wasm_smart(contract, &msg).unwrap();
                response.balance.u128()
            }
        }
    }

    /// The money rule for a contract that escrows nothing: no balance of any asset, ever.
    pub fn assert_ppv_holds_nothing(&self) {
        // USDC and ATOM are the only native denoms in this chain.
        for denom in [USDC, ATOM] {
            assert_eq!(
                self.balance(&self.ppv, &AssetInfo::native(denom)),
                0,
                "{denom} balance"
            );
        }
        assert_eq!(
            self.balance(&self.ppv, &self.mesi_asset()),
            0,
            "MESI balance"
        );
    }
}

pub fn instantiate_cw20<'a>(
    app: &mut App,
    minter: &Addr,
    symbol: &str,
    holders: impl Iterator<Item = &'a Addr>,
) -> Addr {
    let code = app.store_code(Box::new(ContractWrapper::new(
        cw20_base::contract::execute,
        cw20_base::contract::instantiate,
        cw20_base::contract::query,
    )));
    let msg = cw20_base::msg::InstantiateMsg {
        name: format!("{symbol} token"),
        symbol: symbol.into(),
        decimals: 6,
        initial_balances: holders
            .map(|h| Cw20Coin {
                address: h.to_string(),
                amount: Uint128::new(FAN_FUNDS),
            })
            .collect(),
        mint: None,
        marketing: None,
    };
    app.instantiate_contract(code, minter.clone(), &msg, &[], symbol, None)
        .unwrap()
}

/// Asserts that the execution failed with `expected` from this contract (also when the call came
/// through a CW20 `Send`). Multi-test keeps only the error's text, so the texts are compared.
#[track_caller]
pub fn assert_error<T: std::fmt::Debug>(result: Result<T>, expected: ContractError) {
    let err = result.expect_err("expected the execution to fail");
    assert_eq!(
        err.root_cause().to_string(),
        expected.to_string(),
        "{err:?}"
    );
}

/// Asserts that the execution failed with an error whose text contains `text`.
#[track_caller]
pub fn assert_error_text<T: std::fmt::Debug>(result: Result<T>, text: &str) {
    let err = result.expect_err("expected the execution to fail");
    assert!(
        format!("{err:?}").contains(text),
        "expected {text:?} in {err:?}"
    );
}

/// Decodes the one event of type `E` in `response` (and fails if there is not exactly one).
pub fn single_event<E: MesiEvent>(response: &AppResponse) -> E {
    let wasm_type = format!("wasm-{}", E::TYPE);
    let matching: Vec<_> = response
        .events
        .iter()
        .filter(|e| e.ty == wasm_type)
        .collect();
    assert_eq!(
        matching.len(),
        1,
        "expected one {wasm_type} event in {:?}",
        response.events
    );
    E::from_attributes(&attr_pairs(matching[0])).unwrap()
}

/// How many Mesi events `response` holds.
pub fn mesi_event_count(response: &AppResponse) -> usize {
    response
        .events
        .iter()
        .filter(|e| e.ty.starts_with("wasm-mesi."))
        .count()
}
