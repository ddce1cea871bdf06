//! Multi-test suites against the real `creators` registry and cw20-base as the MESI token.

mod fiat;
mod native;
mod props;
mod queries;
mod token;

use cosmwasm_std::{coins, to_json_binary, Addr, Coin, Empty, Uint128};
use cw_multi_test::error::AnyError;
use cw_multi_test::{AppResponse, Contract, Executor};
use mesi_common::events::AnyEvent;
use mesi_common::interfaces::creators::Fees;
use mesi_common::interfaces::tips::TipContext;
use mesi_common::AssetInfo;
use mesi_testing::events::mesi_events_of;
use mesi_testing::Platform;

pub use mesi_testing::{ATOM, USDC};

use crate::error::ContractError;
use crate::msg::{ExecuteMsg, InstantiateMsg, QueryMsg, TipHookMsg, TotalResponse};

/// A denom the platform does not accept.
pub const JUNK: &str = "ujunk";
pub const TIP_FEE_BPS: u16 = 500;
/// Carol's smallest USDC tip.
pub const USDC_MINIMUM: u128 = 100;
/// Native and MESI balance of each fan at the start.
pub const FAN_FUNDS: u128 = 1_000_000_000_000_000;

pub fn tips_contract() -> Box<dyn Contract<Empty>> {
    mesi_testing::contract!(crate::contract, migrate)
}

/// The platform (registry with a fiat gateway, MESI and a token it does not accept, funded
/// fans) with the tips contract on it.
pub struct Suite {
    pub platform: Platform,
    /// The platform's treasury, gateway and tokens, as fields for the tests.
    pub treasury: Addr,
    pub gateway: Addr,
    pub tips: Addr,
    /// The MESI CW20, accepted by the platform.
    pub mesi: Addr,
    /// A CW20 the platform does not accept.
    pub other_token: Addr,
    /// Registered creator with a USDC minimum; pays out to `carol_payout`.
    pub carol: Addr,
    pub carol_payout: Addr,
    /// Registered creator without minimums who is paid at their own address.
    pub dave: Addr,
    pub fans: Vec<Addr>,
}

mesi_testing::suite_on_platform!(Suite);

impl Suite {
    pub fn new() -> Self {
        Self::with_fans(2)
    }

    pub fn with_fans(fan_count: usize) -> Self {
        let mut platform = Platform::builder()
            .funded((0..fan_count).map(|i| format!("fan{i}")))
            .denoms(&[USDC, ATOM, JUNK], &[USDC, ATOM])
            .token("OTHER", false)
            .balance(FAN_FUNDS)
            .fees(Fees {
                tips: TIP_FEE_BPS,
                ..Fees::default()
            })
            .fiat_gateway()
            .build();
        let fans: Vec<Addr> = (0..fan_count)
            .map(|i| platform.addr(&format!("fan{i}")))
            .collect();
        let [carol, carol_payout, dave] =
            ["carol", "carol-payout", "dave"].map(|name| platform.addr(name));

        let tips_code = platform.app.store_code(tips_contract());
        let owner = platform.owner.clone();
        let tips = platform
            .app
            .instantiate_contract(
                tips_code,
                owner.clone(),
                &InstantiateMsg {
                    creators: platform.registry.to_string(),
                },
                &[],
                "tips",
                Some(owner.to_string()),
            )
            .unwrap();

        platform.set_siblings(mesi_creators::msg::SiblingContracts {
            tips: Some(tips.to_string()),
            ..Default::default()
        });
        let mut suite = Suite {
            treasury: platform.treasury(),
            gateway: platform.gateway(),
            tips,
            mesi: platform.mesi(),
            other_token: platform.token("OTHER"),
            platform,
            carol: carol.clone(),
            carol_payout: carol_payout.clone(),
            dave: dave.clone(),
            fans,
        };
        suite.register(
            &carol,
            Some(&carol_payout),
            vec![(AssetInfo::native(USDC), Uint128::new(USDC_MINIMUM))],
        );
        suite.register(&dave, None, vec![]);
        suite
    }

    pub fn fan(&self, i: usize) -> Addr {
        self.fans[i].clone()
    }

    pub fn set_tip_fee(&mut self, bps: u16) {
        self.set_fees(Fees {
            tips: bps,
            ..Fees::default()
        });
    }

    pub fn register(
        &mut self,
        creator: &Addr,
        payout: Option<&Addr>,
        tip_minimums: Vec<(AssetInfo, Uint128)>,
    ) {
        let mut profile = Platform::profile(payout);
        profile.tip_minimums = tip_minimums;
        self.register_creator(creator, profile);
    }

    pub fn tip(
        &mut self,
        fan: &Addr,
        creator: &Addr,
        funds: &[Coin],
    ) -> Result<AppResponse, ContractError> {
        self.tip_with(fan, creator, funds, TipContext::Profile, None)
    }

    pub fn tip_with(
        &mut self,
        fan: &Addr,
        creator: &Addr,
        funds: &[Coin],
        context: TipContext,
        message: Option<&str>,
    ) -> Result<AppResponse, ContractError> {
        let msg = ExecuteMsg::Tip {
            creator: creator.to_string(),
            context,
            message: message.map(Into::into),
            anonymous: false,
        };
        let tips = self.tips.clone();
        self.app
            .execute_contract(fan.clone(), tips, &msg, funds)
            .map_err(contract_error)
    }

    pub fn tip_native(
        &mut self,
        fan: &Addr,
        creator: &Addr,
        amount: u128,
        denom: &str,
    ) -> Result<AppResponse, ContractError> {
        self.tip(fan, creator, &coins(amount, denom))
    }

    /// Sends `amount` of `token` to the tips contract with a tip hook message.
    pub fn tip_cw20(
        &mut self,
        fan: &Addr,
        token: &Addr,
        amount: u128,
        hook: TipHookMsg,
    ) -> Result<AppResponse, ContractError> {
        let tips = self.tips.clone();
        self.platform
            .send_cw20(fan, token, &tips, amount, &hook)
            .map_err(contract_error)
    }

    pub fn mesi_tip(
        &mut self,
        fan: &Addr,
        creator: &Addr,
        amount: u128,
    ) -> Result<AppResponse, ContractError> {
        let hook = profile_hook(creator);
        let token = self.mesi.clone();
        self.tip_cw20(fan, &token, amount, hook)
    }

    pub fn total(&self, creator: &Addr, fan: &Addr, asset: &AssetInfo) -> u128 {
        let resp: TotalResponse = self
            .app
            .wrap()
            .query_wasm_smart(
                &self.tips,
                &QueryMsg::TippedTotal {
                    creator: creator.to_string(),
                    fan: fan.to_string(),
                    asset: asset.clone(),
                },
            )
            .unwrap();
        resp.amount.u128()
    }

    /// Every asset the suite knows, accepted or not.
    pub fn all_assets(&self) -> Vec<AssetInfo> {
        vec![
            AssetInfo::native(USDC),
            AssetInfo::native(ATOM),
            AssetInfo::native(JUNK),
            AssetInfo::cw20(self.mesi.clone()),
            AssetInfo::cw20(self.other_token.clone()),
        ]
    }

    /// The tips contract keeps nothing.
    pub fn assert_tips_holds_nothing(&self) {
        for asset in self.all_assets() {
            assert_eq!(
                self.balance(&self.tips, &asset),
                0,
                "tips contract holds {asset}"
            );
        }
    }
}

/// The tips contract's error inside a cw-multi-test error.
pub fn contract_error(err: AnyError) -> ContractError {
    mesi_testing::error::contract_error(err)
}

pub fn profile_hook(creator: &Addr) -> TipHookMsg {
    TipHookMsg::Tip {
        creator: creator.to_string(),
        context: TipContext::Profile,
        message: None,
        anonymous: false,
    }
}

/// The one Mesi event the tips contract emitted.
pub fn single_event(resp: &AppResponse, contract: &Addr) -> AnyEvent {
    let mut events = mesi_events_of(&resp.events, contract);
    assert_eq!(
        events.len(),
        1,
        "expected exactly one Mesi event, got {events:?}"
    );
    events.remove(0)
}

#[test]
fn instantiate_emits_config_and_queries_it() {
    let mut suite = Suite::new();
    let code = suite.app.store_code(tips_contract());
    let registry = suite.registry.clone();
    let owner = suite.owner.clone();
    let resp = suite
        .app
        .execute(
            owner.clone(),
            cosmwasm_std::WasmMsg::Instantiate {
                admin: None,
                code_id: code,
                msg: to_json_binary(&InstantiateMsg {
                    creators: registry.to_string(),
                })
                .unwrap(),
                funds: vec![],
                label: "tips 2".into(),
            }
            .into(),
        )
        .unwrap();
    let addr = Addr::unchecked(
        resp.events
            .iter()
            .find(|e| e.ty == "instantiate")
            .unwrap()
            .attributes
            .iter()
            .find(|a| a.key == "_contract_address")
            .unwrap()
            .value
            .clone(),
    );
    assert_eq!(
        single_event(&resp, &addr),
        AnyEvent::TipsConfig(mesi_common::events::tips::TipsConfigSet {
            creators: registry.clone()
        })
    );
    let config: crate::msg::ConfigResponse = suite
        .app
        .wrap()
        .query_wasm_smart(&addr, &QueryMsg::Config {})
        .unwrap();
    assert_eq!(config.creators, registry);

    // Bad registry address, funds on instantiate.
    let bad = InstantiateMsg {
        creators: "not an address".into(),
    };
    let err = suite
        .app
        .instantiate_contract(code, owner.clone(), &bad, &[], "bad", None)
        .unwrap_err();
    assert!(matches!(contract_error(err), ContractError::Std(_)));
    suite.app.init_modules(|router, _, storage| {
        router
            .bank
            .init_balance(storage, &owner, coins(5, USDC))
            .unwrap()
    });
    let good = InstantiateMsg {
        creators: registry.to_string(),
    };
    let err = suite
        .app
        .instantiate_contract(code, owner, &good, &coins(5, USDC), "paid", None)
        .unwrap_err();
    assert_eq!(
        contract_error(err),
        ContractError::Asset(mesi_common::AssetError::UnexpectedFunds)
    );
}

#[test]
fn migrate_checks_name_and_version() {
    let mut suite = Suite::new();
    let code = suite.app.store_code(tips_contract());
    let (owner, tips) = (suite.owner.clone(), suite.tips.clone());
    suite
        .app
        .migrate_contract(
            owner.clone(),
            tips.clone(),
            &crate::msg::MigrateMsg {},
            code,
        )
        .unwrap();

    // A newer version already in storage: refuse to downgrade.
    suite.app.contract_storage_mut(&tips).set(
        b"contract_info",
        br#"{"contract":"crates.io:mesi-tips","version":"99.0.0"}"#,
    );
    let err = suite
        .app
        .migrate_contract(
            owner.clone(),
            tips.clone(),
            &crate::msg::MigrateMsg {},
            code,
        )
        .unwrap_err();
    assert!(contract_error(err)
        .to_string()
        .contains("Cannot migrate from newer version"));

    // Another contract's state.
    suite.app.contract_storage_mut(&tips).set(
        b"contract_info",
        br#"{"contract":"crates.io:cw20-base","version":"0.1.0"}"#,
    );
    let err = suite
        .app
        .migrate_contract(owner, tips, &crate::msg::MigrateMsg {}, code)
        .unwrap_err();
    assert!(contract_error(err)
        .to_string()
        .contains("Cannot migrate from crates.io:cw20-base"));
}
