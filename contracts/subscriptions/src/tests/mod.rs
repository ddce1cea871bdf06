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

use cosmwasm_std::{Addr, Coin, Timestamp, Uint128};
use cw20::{Cw20ExecuteMsg, Cw20QueryMsg, Expiration};
use cw_multi_test::error::AnyError;
use cw_multi_test::{AppResponse, Executor};
use mesi_common::events::subscriptions::{PrepaidBundle, SubscriptionChanged, TierChanged};
use mesi_common::events::AnyEvent;
use mesi_common::interfaces::creators::Fees;
use mesi_common::interfaces::subscriptions::SubscriptionStatus;
use mesi_common::AssetInfo;
use mesi_testing::error::contract_error;
pub use mesi_testing::events::mesi_events;
use mesi_testing::Platform;
pub use mesi_testing::{ATOM, DAY, USDC};

use crate::error::ContractError;
use crate::msg::{
    ExecuteMsg, InstantiateMsg, QueryMsg, ReceiveMsg, SubscriptionInfo, TierInfo, TierTerms,
};

/// A denom the platform does not accept.
pub const JUNK: &str = "ujunk";
pub const FEE_BPS: u16 = 1_000;
pub const FAN_FUNDS: u128 = 1_000_000_000_000;

/// The platform with the subscriptions contract, two registered creators and funded fans.
pub struct Suite {
    /// The app, the registry, the MESI token and a CW20 the platform does not accept (`OTHER`).
    pub platform: Platform,
    pub subs: Addr,
    /// Registered creator, paid at `carol_payout`.
    pub carol: Addr,
    pub carol_payout: Addr,
    /// Registered creator paid at their own address.
    pub dave: Addr,
    pub fans: Vec<Addr>,
    pub code_id: u64,
}

mesi_testing::suite_on_platform!(Suite);

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
        let fan_names: Vec<String> = (0..fan_count).map(|i| format!("fan{i}")).collect();
        let mut platform = Platform::builder()
            .funded(
                fan_names
                    .iter()
                    .map(String::as_str)
                    .chain(["carol", "dave"]),
            )
            .denoms(&[USDC, ATOM, JUNK], &[USDC, ATOM])
            .token("OTHER", false)
            .balance(FAN_FUNDS)
            .fees(Fees {
                subscriptions: FEE_BPS,
                ..Fees::default()
            })
            .build();
        let carol = platform.addr("carol");
        let carol_payout = platform.addr("carol-payout");
        let dave = platform.addr("dave");
        let fans = fan_names.iter().map(|name| platform.addr(name)).collect();

        let code_id = platform
            .app
            .store_code(mesi_testing::contract!(crate::contract, migrate));
        let owner = platform.owner.clone();
        let subs = platform
            .app
            .instantiate_contract(
                code_id,
                owner.clone(),
                &InstantiateMsg {
                    creators: platform.registry.to_string(),
                },
                &[],
                "subscriptions",
                Some(owner.to_string()),
            )
            .unwrap();
        platform.register_creator(&carol, Platform::profile(Some(&carol_payout)));
        platform.register_creator(&dave, Platform::profile(None));

        Suite {
            platform,
            subs,
            carol,
            carol_payout,
            dave,
            fans,
            code_id,
        }
    }

    pub fn fan(&self, i: usize) -> Addr {
        self.fans[i].clone()
    }

    pub fn usdc(&self) -> AssetInfo {
        AssetInfo::native(USDC)
    }

    pub fn mesi_asset(&self) -> AssetInfo {
        AssetInfo::cw20(self.mesi())
    }

    /// Sets the subscriptions fee (every other product's to zero).
    pub fn set_fee(&mut self, bps: u16) {
        self.set_fees(Fees {
            subscriptions: bps,
            ..Fees::default()
        });
    }

    // ---- time ----

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
        self.exec_any(sender, msg, funds).map_err(contract_error)
    }

    /// For failures raised by another contract (the CW20 token).
    pub fn exec_any(
        &mut self,
        sender: &Addr,
        msg: &ExecuteMsg,
        funds: &[Coin],
    ) -> Result<AppResponse, AnyError> {
        let subs = self.subs.clone();
        self.app.execute_contract(sender.clone(), subs, msg, funds)
    }

    /// Sends `amount` of `token` to the contract with `hook` as the CW20 `Send` message.
    pub fn send_cw20(
        &mut self,
        token: &Addr,
        fan: &Addr,
        amount: u128,
        hook: &ReceiveMsg,
    ) -> Result<AppResponse, ContractError> {
        let subs = self.subs.clone();
        self.platform
            .send_cw20(fan, token, &subs, amount, hook)
            .map_err(contract_error)
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
        let mesi = self.mesi();
        self.app
            .execute_contract(fan.clone(), mesi, &msg, &[])
            .unwrap();
    }

    pub fn allowance(&self, fan: &Addr) -> u128 {
        let res: cw20::AllowanceResponse = self
            .app
            .wrap()
            .query_wasm_smart(
                self.mesi(),
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
            self.token_balance(&self.mesi(), &self.subs),
            0,
            "contract holds MESI"
        );
        assert_eq!(
            self.token_balance(&self.token("OTHER"), &self.subs),
            0,
            "contract holds OTHER"
        );
    }
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
