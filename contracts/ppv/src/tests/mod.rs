//! Multi-test suite: the real `creators` registry and `subscriptions` contract, cw20-base as
//! MESI, and this contract.

mod access;
mod buying;
mod funds;
mod listing;
mod migrate;
mod random_runs;

use cosmwasm_std::{coins, to_json_binary, Addr, Coin, Timestamp, Uint128};
use cw20::Cw20ExecuteMsg;
use cw_multi_test::{AppResponse, Executor};
use mesi_common::chat_rule::ChatRule;
use mesi_common::interfaces::TotalResponse;
use mesi_common::AssetInfo;
use mesi_creators::msg::{ExecuteMsg as CreatorsExecuteMsg, Fees, ProfileInput, SiblingContracts};
use mesi_subscriptions::msg::{
    ExecuteMsg as SubscriptionsExecuteMsg, InstantiateMsg as SubscriptionsInstantiateMsg,
    QueryMsg as SubscriptionsQueryMsg, TierInfo, TierTerms,
};
use mesi_testing::Platform;

use crate::error::ContractError;
use crate::msg::{AccessResponse, ExecuteMsg, InstantiateMsg, QueryMsg, ReceiveMsg};
use crate::state::ContentItem;

pub use mesi_testing::error::assert_error_text;
pub use mesi_testing::events::{mesi_event_count, one_event as single_event};
pub use mesi_testing::{ATOM, USDC};

pub const PPV_FEE_BPS: u16 = 500;
/// What every fan holds of each asset at the start.
pub const FAN_FUNDS: u128 = 10u128.pow(37);
pub const FAN_COUNT: usize = 4;
/// Every subscription tier in these tests lasts this long per period.
pub const SUBSCRIPTION_PERIOD: u64 = 30 * 86_400;

pub use cw_multi_test::error::AnyResult as Result;

/// Asserts that the execution failed with `expected` from this contract (also when the call came
/// through a CW20 `Send`).
#[track_caller]
pub fn assert_error<T: std::fmt::Debug>(result: Result<T>, expected: ContractError) {
    mesi_testing::error::assert_error(result, expected)
}

/// The platform (registry, MESI, funded fans, creator and stranger; USDC and MESI accepted,
/// ATOM held but not accepted) with the real `subscriptions` contract and this one on it.
pub struct Suite {
    pub platform: Platform,
    pub treasury: Addr,
    /// A registered creator whose payments go to `payout`.
    pub creator: Addr,
    pub payout: Addr,
    /// Another registered creator (paid at their own address).
    pub other_creator: Addr,
    pub fans: Vec<Addr>,
    /// Registered nowhere.
    pub stranger: Addr,
    /// The registry.
    pub creators: Addr,
    pub subscriptions: Addr,
    pub mesi: Addr,
    pub ppv: Addr,
    pub ppv_code_id: u64,
}

mesi_testing::suite_on_platform!(Suite);

impl Suite {
    pub fn new() -> Self {
        let fan_names = (0..FAN_COUNT).map(|i| format!("fan{i}"));
        let mut platform = Platform::builder()
            .funded(fan_names.chain(["creator".into(), "stranger".into()]))
            .denoms(&[USDC, ATOM], &[USDC])
            .balance(FAN_FUNDS)
            .fees(Fees {
                ppv: PPV_FEE_BPS,
                ..Fees::default()
            })
            .build();
        let [creator, payout, other_creator, stranger] =
            ["creator", "payout", "other_creator", "stranger"].map(|name| platform.addr(name));
        let fans: Vec<Addr> = (0..FAN_COUNT)
            .map(|i| platform.addr(&format!("fan{i}")))
            .collect();
        let (owner, creators) = (platform.owner.clone(), platform.registry.clone());

        let subscriptions_code = platform
            .app
            .store_code(mesi_testing::contract!(mesi_subscriptions::contract));
        let subscriptions = platform
            .app
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

        let ppv_code_id = platform
            .app
            .store_code(mesi_testing::contract!(crate::contract, migrate));
        let ppv = platform
            .app
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
            treasury: platform.treasury(),
            mesi: platform.mesi(),
            platform,
            creator: creator.clone(),
            payout: payout.clone(),
            other_creator: other_creator.clone(),
            fans,
            stranger,
            creators,
            subscriptions,
            ppv,
            ppv_code_id,
        };
        suite.register_creator(&creator, Platform::profile(Some(&payout)));
        suite.register_creator(&other_creator, Platform::profile(None));
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

    pub fn set_ppv_fee(&mut self, bps: u16) {
        self.set_fees(Fees {
            ppv: bps,
            ..Fees::default()
        });
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
            self.platform
                .app
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
        self.platform
            .app
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
        self.platform
            .app
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
        let ppv = self.ppv.clone();
        self.send_cw20(fan, token, &ppv, amount, &hook)
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
        Ok(self.platform.app.wrap().query_wasm_smart(&self.ppv, msg)?)
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
