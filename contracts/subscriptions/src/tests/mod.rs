//! Multi-test suites against the real `creators` registry and cw20-base as the MESI token.

mod auth;
mod cap;
mod funds;
mod props;
mod queries;
mod renew;
mod subscribe;
mod tiers;
mod trials;
mod upgrade;

use cosmwasm_std::{to_json_binary, Addr, Coin, Empty, Timestamp, Uint128};
use cw20::{BalanceResponse, Cw20Coin, Cw20ExecuteMsg, Cw20QueryMsg, Expiration};
use cw_multi_test::error::AnyError;
use cw_multi_test::{App, AppResponse, Contract, ContractWrapper, Executor};
use mesi_common::chat_rule::ChatRule;
use mesi_common::event::attr_pairs;
use mesi_common::events::subscriptions::{PrepaidBundle, SubscriptionChanged, TierChanged};
use mesi_common::events::AnyEvent;
use mesi_common::interfaces::creators::Fees;
use mesi_common::interfaces::subscriptions::SubscriptionStatus;
use mesi_common::AssetInfo;
use mesi_creators::msg as registry;

use crate::contract::{execute, instantiate, migrate, query};
use crate::error::ContractError;
use crate::msg::{
    ExecuteMsg, InstantiateMsg, QueryMsg, ReceiveMsg, SubscriptionInfo, TierInfo, TierTerms,
};

pub const USDC: &str = "uusdc";
pub const ATOM: &str = "uatom";
/// A denom the platform does not accept.
pub const JUNK: &str = "ujunk";
pub const FEE_BPS: u16 = 1_000;
pub const FAN_FUNDS: u128 = 1_000_000_000_000;
pub const DAY: u64 = 86_400;

pub fn subscriptions_contract() -> Box<dyn Contract<Empty>> {
    Box::new(ContractWrapper::new(execute, instantiate, query).with_migrate(migrate))
}

fn registry_contract() -> Box<dyn Contract<Empty>> {
    use mesi_creators::contract as c;
    Box::new(ContractWrapper::new(c::execute, c::instantiate, c::query))
}

fn cw20_contract() -> Box<dyn Contract<Empty>> {
    use cw20_base::contract as c;
    Box::new(ContractWrapper::new(c::execute, c::instantiate, c::query))
}

pub struct Suite {
    pub app: App,
    pub owner: Addr,
    pub treasury: Addr,
    pub registry: Addr,
    pub subs: Addr,
    /// The MESI CW20, accepted by the platform.
    pub mesi: Addr,
    /// A CW20 the platform does not accept.
    pub other_token: Addr,
    /// Registered creator, paid at `carol_payout`.
    pub carol: Addr,
    pub carol_payout: Addr,
    /// Registered creator paid at their own address.
    pub dave: Addr,
    pub fans: Vec<Addr>,
    pub code_id: u64,
}

/// Tier terms with no cap, bundles or trial.
pub fn terms(price: u128) -> TierTerms {
    TierTerms {
        name: "tier".into(),
        price: Uint128::new(price),
        subscriber_cap: None,
        bundles: vec![],
        trial_seconds: None,
    }
}

pub fn bundle(periods: u32, discount_bps: u16) -> PrepaidBundle {
    PrepaidBundle {
        periods,
        discount_bps,
    }
}

impl Suite {
    pub fn new() -> Self {
        Self::with_fans(3)
    }

    pub fn with_fans(fan_count: usize) -> Self {
        let mut app = App::default();
        let api = app.api();
        let owner = api.addr_make("owner");
        let treasury = api.addr_make("treasury");
        let carol = api.addr_make("carol");
        let carol_payout = api.addr_make("carol-payout");
        let dave = api.addr_make("dave");
        let fans: Vec<Addr> = (0..fan_count)
            .map(|i| api.addr_make(&format!("fan{i}")))
            .collect();

        app.init_modules(|router, _, storage| {
            for fan in fans.iter().chain([&carol, &dave]) {
                let funds = [USDC, ATOM, JUNK].map(|d| Coin::new(FAN_FUNDS, d)).to_vec();
                router.bank.init_balance(storage, fan, funds).unwrap();
            }
        });

        let cw20_code = app.store_code(cw20_contract());
        let token = |app: &mut App, symbol: &str| {
            let msg = cw20_base::msg::InstantiateMsg {
                name: format!("{symbol} token"),
                symbol: symbol.into(),
                decimals: 6,
                initial_balances: fans
                    .iter()
                    .map(|f| Cw20Coin {
                        address: f.to_string(),
                        amount: Uint128::new(FAN_FUNDS),
                    })
                    .collect(),
                mint: None,
                marketing: None,
            };
            app.instantiate_contract(cw20_code, owner.clone(), &msg, &[], symbol, None)
                .unwrap()
        };
        let mesi = token(&mut app, "MESI");
        let other_token = token(&mut app, "OTHER");

        let registry_code = app.store_code(registry_contract());
        let registry = app
            .instantiate_contract(
                registry_code,
                owner.clone(),
                &registry::InstantiateMsg {
                    owner: None,
                    treasury: treasury.to_string(),
                    fees: Fees {
                        subscriptions: FEE_BPS,
                        ..Fees::default()
                    },
                    accepted_assets: vec![
                        AssetInfo::native(USDC),
                        AssetInfo::native(ATOM),
                        AssetInfo::cw20(mesi.clone()),
                    ],
                    fiat_gateways: vec![],
                    arbiter: None,
                    contracts: registry::SiblingContracts::default(),
                },
                &[],
                "creators",
                None,
            )
            .unwrap();

        let code_id = app.store_code(subscriptions_contract());
        let subs = app
            .instantiate_contract(
                code_id,
                owner.clone(),
                &InstantiateMsg {
                    creators: registry.to_string(),
                },
                &[],
                "subscriptions",
                Some(owner.to_string()),
            )
            .unwrap();

        let mut suite = Suite {
            app,
            owner,
            treasury,
            registry,
            subs,
            mesi,
            other_token,
            carol: carol.clone(),
            carol_payout: carol_payout.clone(),
            dave: dave.clone(),
            fans,
            code_id,
        };
        suite.register(&carol, Some(&carol_payout));
        suite.register(&dave, None);
        suite
    }

    pub fn fan(&self, i: usize) -> Addr {
        self.fans[i].clone()
    }

    pub fn addr(&self, name: &str) -> Addr {
        self.app.api().addr_make(name)
    }

    pub fn usdc(&self) -> AssetInfo {
        AssetInfo::native(USDC)
    }

    pub fn mesi_asset(&self) -> AssetInfo {
        AssetInfo::cw20(self.mesi.clone())
    }

    pub fn register(&mut self, creator: &Addr, payout: Option<&Addr>) {
        let profile = registry::ProfileInput {
            display_name: "creator".into(),
            payout: payout.map(Addr::to_string),
            accepted_assets: vec![],
            tip_minimums: vec![],
            chat_rule: ChatRule::Everyone,
        };
        self.app
            .execute_contract(
                creator.clone(),
                self.registry.clone(),
                &registry::ExecuteMsg::RegisterCreator { profile },
                &[],
            )
            .unwrap();
    }

    pub fn update_registry(&mut self, msg: registry::ExecuteMsg) {
        self.app
            .execute_contract(self.owner.clone(), self.registry.clone(), &msg, &[])
            .unwrap();
    }

    pub fn set_fee(&mut self, bps: u16) {
        self.update_registry(registry::ExecuteMsg::UpdateConfig {
            treasury: None,
            fees: Some(Fees {
                subscriptions: bps,
                ..Fees::default()
            }),
            accepted_assets: None,
            fiat_gateways: None,
            arbiter: None,
            contracts: None,
        });
    }

    pub fn set_active(&mut self, creator: &Addr, active: bool) {
        let msg = if active {
            registry::ExecuteMsg::ReactivateCreator {}
        } else {
            registry::ExecuteMsg::DeactivateCreator {}
        };
        self.app
            .execute_contract(creator.clone(), self.registry.clone(), &msg, &[])
            .unwrap();
    }

    // ---- time ----

    pub fn now(&self) -> Timestamp {
        self.app.block_info().time
    }

    pub fn advance(&mut self, seconds: u64) {
        self.app.update_block(|block| {
            block.time = block.time.plus_seconds(seconds);
            block.height += 1;
        });
    }

    /// Sets block time to exactly `time` (never backwards).
    pub fn set_time(&mut self, time: Timestamp) {
        assert!(time >= self.now());
        self.app.update_block(|block| {
            block.time = time;
            block.height += 1;
        });
    }

    // ---- messages ----

    pub fn exec(
        &mut self,
        sender: &Addr,
        msg: &ExecuteMsg,
        funds: &[Coin],
    ) -> Result<AppResponse, ContractError> {
        self.exec_any(sender, msg, funds)
            .map_err(|e| e.downcast().unwrap())
    }

    /// For failures raised by another contract (the CW20 token).
    pub fn exec_any(
        &mut self,
        sender: &Addr,
        msg: &ExecuteMsg,
        funds: &[Coin],
    ) -> Result<AppResponse, AnyError> {
        self.app
            .execute_contract(sender.clone(), self.subs.clone(), msg, funds)
    }

    /// Sends `amount` of `token` to the contract with `hook` as the CW20 `Send` message.
    pub fn send_cw20(
        &mut self,
        token: &Addr,
        fan: &Addr,
        amount: u128,
        hook: &ReceiveMsg,
    ) -> Result<AppResponse, ContractError> {
        let msg = Cw20ExecuteMsg::Send {
            contract: self.subs.to_string(),
            amount: Uint128::new(amount),
            msg: to_json_binary(hook).unwrap(),
        };
        self.app
            .execute_contract(fan.clone(), token.clone(), &msg, &[])
            .map_err(|e| e.downcast().unwrap())
    }

    pub fn approve(&mut self, fan: &Addr, amount: u128) {
        let current = self.allowance(fan);
        let msg = if amount >= current {
            Cw20ExecuteMsg::IncreaseAllowance {
                spender: self.subs.to_string(),
                amount: Uint128::new(amount - current),
                expires: None,
            }
        } else {
            Cw20ExecuteMsg::DecreaseAllowance {
                spender: self.subs.to_string(),
                amount: Uint128::new(current - amount),
                expires: None::<Expiration>,
            }
        };
        self.app
            .execute_contract(fan.clone(), self.mesi.clone(), &msg, &[])
            .unwrap();
    }

    pub fn allowance(&self, fan: &Addr) -> u128 {
        let res: cw20::AllowanceResponse = self
            .app
            .wrap()
            .query_wasm_smart(
                &self.mesi,
                &Cw20QueryMsg::Allowance {
                    owner: fan.to_string(),
                    spender: self.subs.to_string(),
                },
            )
            .unwrap();
        res.allowance.u128()
    }

    pub fn create_tier(
        &mut self,
        creator: &Addr,
        tier: u32,
        asset: AssetInfo,
        period_days: u64,
        terms: TierTerms,
    ) -> Result<AppResponse, ContractError> {
        let msg = ExecuteMsg::CreateTier {
            tier,
            asset,
            period_seconds: period_days * DAY,
            terms,
        };
        self.exec(&creator.clone(), &msg, &[])
    }

    /// Subscribes with native funds of the tier price (exact).
    pub fn subscribe_native(
        &mut self,
        fan: &Addr,
        creator: &Addr,
        tier: u32,
        periods: u32,
        amount: u128,
    ) -> Result<AppResponse, ContractError> {
        let msg = ExecuteMsg::Subscribe {
            creator: creator.to_string(),
            tier,
            periods,
            max_price_per_period: Uint128::new(u128::MAX),
            auto_renew: false,
        };
        self.exec(fan, &msg, &[Coin::new(amount, USDC)])
    }

    /// Takes the free trial of `creator`'s `tier`.
    pub fn trial(
        &mut self,
        fan: &Addr,
        creator: &Addr,
        tier: u32,
    ) -> Result<AppResponse, ContractError> {
        let msg = ExecuteMsg::Trial {
            creator: creator.to_string(),
            tier,
        };
        self.exec(fan, &msg, &[])
    }

    // ---- queries ----

    pub fn status(&self, creator: &Addr, fan: &Addr) -> SubscriptionStatus {
        self.app
            .wrap()
            .query_wasm_smart(
                &self.subs,
                &QueryMsg::Status {
                    creator: creator.to_string(),
                    fan: fan.to_string(),
                },
            )
            .unwrap()
    }

    pub fn subscription(&self, creator: &Addr, fan: &Addr) -> Option<SubscriptionInfo> {
        self.app
            .wrap()
            .query_wasm_smart(
                &self.subs,
                &QueryMsg::Subscription {
                    creator: creator.to_string(),
                    fan: fan.to_string(),
                },
            )
            .unwrap()
    }

    pub fn tier(&self, creator: &Addr, tier: u32) -> TierInfo {
        self.app
            .wrap()
            .query_wasm_smart(
                &self.subs,
                &QueryMsg::Tier {
                    creator: creator.to_string(),
                    tier,
                },
            )
            .unwrap()
    }

    pub fn native_balance(&self, who: &Addr, denom: &str) -> u128 {
        self.app
            .wrap()
            .query_balance(who, denom)
            .unwrap()
            .amount
            .u128()
    }

    pub fn token_balance(&self, token: &Addr, who: &Addr) -> u128 {
        let res: BalanceResponse = self
            .app
            .wrap()
            .query_wasm_smart(
                token,
                &Cw20QueryMsg::Balance {
                    address: who.to_string(),
                },
            )
            .unwrap();
        res.balance.u128()
    }

    /// The contract holds nothing in any asset.
    pub fn assert_holds_nothing(&self) {
        for denom in [USDC, ATOM, JUNK] {
            assert_eq!(
                self.native_balance(&self.subs, denom),
                0,
                "contract holds {denom}"
            );
        }
        assert_eq!(
            self.token_balance(&self.mesi, &self.subs),
            0,
            "contract holds MESI"
        );
        assert_eq!(
            self.token_balance(&self.other_token, &self.subs),
            0,
            "contract holds OTHER"
        );
    }
}

/// The Mesi events of a response, decoded.
pub fn mesi_events(res: &AppResponse) -> Vec<AnyEvent> {
    res.events
        .iter()
        .filter_map(|e| AnyEvent::decode(&e.ty, &attr_pairs(e)).unwrap())
        .collect()
}

/// The one Mesi event of a response, which must be a subscription change.
pub fn subscription_event(res: &AppResponse) -> SubscriptionChanged {
    match mesi_events(res).as_slice() {
        [AnyEvent::Subscription(ev)] => ev.clone(),
        other => panic!("expected one subscription event, got {other:?}"),
    }
}

/// The one Mesi event of a response, which must be a tier change.
pub fn tier_event(res: &AppResponse) -> TierChanged {
    match mesi_events(res).as_slice() {
        [AnyEvent::Tier(ev)] => ev.clone(),
        other => panic!("expected one tier event, got {other:?}"),
    }
}
