//! Multi-test suites against the real `creators` registry and cw20-base as the MESI token.

mod fiat;
mod native;
mod props;
mod queries;
mod token;

use cosmwasm_std::{coins, to_json_binary, Addr, Coin, Empty, Event, Uint128};
use cw20::{Cw20Coin, Cw20ExecuteMsg};
use cw_multi_test::error::AnyError;
use cw_multi_test::{App, AppResponse, Contract, ContractWrapper, Executor};
use mesi_common::chat_rule::ChatRule;
use mesi_common::event::attr_pairs;
use mesi_common::events::AnyEvent;
use mesi_common::interfaces::creators::{Fees, Product};
use mesi_common::interfaces::tips::TipContext;
use mesi_common::AssetInfo;
use mesi_creators::msg as registry;

use crate::contract::{execute, instantiate, migrate, query};
use crate::error::ContractError;
use crate::msg::{ExecuteMsg, InstantiateMsg, QueryMsg, TipHookMsg, TotalResponse};

pub const USDC: &str = "uusdc";
pub const ATOM: &str = "uatom";
/// A denom the platform does not accept.
pub const JUNK: &str = "ujunk";
pub const TIP_FEE_BPS: u16 = 500;
/// Carol's smallest USDC tip.
pub const USDC_MINIMUM: u128 = 100;
/// Native and MESI balance of each fan at the start.
pub const FAN_FUNDS: u128 = 1_000_000_000_000_000;

pub fn tips_contract() -> Box<dyn Contract<Empty>> {
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
    pub gateway: Addr,
    pub registry: Addr,
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

impl Suite {
    pub fn new() -> Self {
        Self::with_fans(2)
    }

    pub fn with_fans(fan_count: usize) -> Self {
        let mut app = App::default();
        let api = app.api();
        let owner = api.addr_make("owner");
        let treasury = api.addr_make("treasury");
        let gateway = api.addr_make("gateway");
        let carol = api.addr_make("carol");
        let carol_payout = api.addr_make("carol-payout");
        let dave = api.addr_make("dave");
        let fans: Vec<Addr> = (0..fan_count)
            .map(|i| api.addr_make(&format!("fan{i}")))
            .collect();

        app.init_modules(|router, _, storage| {
            for fan in &fans {
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
                        tips: TIP_FEE_BPS,
                        ..Fees::default()
                    },
                    accepted_assets: vec![
                        AssetInfo::native(USDC),
                        AssetInfo::native(ATOM),
                        AssetInfo::cw20(mesi.clone()),
                    ],
                    fiat_gateways: vec![gateway.to_string()],
                    arbiter: None,
                    contracts: registry::SiblingContracts::default(),
                },
                &[],
                "creators",
                None,
            )
            .unwrap();

        let tips_code = app.store_code(tips_contract());
        let tips = app
            .instantiate_contract(
                tips_code,
                owner.clone(),
                &InstantiateMsg {
                    creators: registry.to_string(),
                },
                &[],
                "tips",
                Some(owner.to_string()),
            )
            .unwrap();

        let mut suite = Suite {
            app,
            owner,
            treasury,
            gateway,
            registry,
            tips,
            mesi,
            other_token,
            carol: carol.clone(),
            carol_payout: carol_payout.clone(),
            dave: dave.clone(),
            fans,
        };
        suite.update_registry(registry::ExecuteMsg::UpdateConfig {
            treasury: None,
            fees: None,
            accepted_assets: None,
            fiat_gateways: None,
            arbiter: None,
            contracts: Some(registry::SiblingContracts {
                tips: Some(suite.tips.to_string()),
                ..Default::default()
            }),
        });
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

    pub fn update_registry(&mut self, msg: registry::ExecuteMsg) {
        self.app
            .execute_contract(self.owner.clone(), self.registry.clone(), &msg, &[])
            .unwrap();
    }

    pub fn set_tip_fee(&mut self, bps: u16) {
        self.update_registry(registry::ExecuteMsg::UpdateConfig {
            treasury: None,
            fees: Some(Fees {
                tips: bps,
                ..Fees::default()
            }),
            accepted_assets: None,
            fiat_gateways: None,
            arbiter: None,
            contracts: None,
        });
    }

    pub fn register(
        &mut self,
        creator: &Addr,
        payout: Option<&Addr>,
        tip_minimums: Vec<(AssetInfo, Uint128)>,
    ) {
        let profile = registry::ProfileInput {
            display_name: "creator".into(),
            payout: payout.map(Addr::to_string),
            accepted_assets: vec![],
            tip_minimums,
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

    /// The payout address of a registered creator, as the registry answers it.
    pub fn payout_of(&self, creator: &Addr) -> Addr {
        let terms: mesi_common::interfaces::creators::PaymentTerms = self
            .app
            .wrap()
            .query_wasm_smart(
                &self.registry,
                &registry::QueryMsg::PaymentTerms {
                    creator: creator.to_string(),
                    product: Product::Tips,
                },
            )
            .unwrap();
        terms.payout
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
        self.app
            .execute_contract(fan.clone(), self.tips.clone(), &msg, funds)
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
        let msg = Cw20ExecuteMsg::Send {
            contract: self.tips.to_string(),
            amount: Uint128::new(amount),
            msg: to_json_binary(&hook).unwrap(),
        };
        self.app
            .execute_contract(fan.clone(), token.clone(), &msg, &[])
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

    pub fn balance(&self, who: &Addr, denom: &str) -> u128 {
        self.app
            .wrap()
            .query_balance(who, denom)
            .unwrap()
            .amount
            .u128()
    }

    pub fn token_balance(&self, token: &Addr, who: &Addr) -> u128 {
        let resp: cw20::BalanceResponse = self
            .app
            .wrap()
            .query_wasm_smart(
                token,
                &cw20::Cw20QueryMsg::Balance {
                    address: who.to_string(),
                },
            )
            .unwrap();
        resp.balance.u128()
    }

    /// The balance of `who` in `asset`.
    pub fn asset_balance(&self, asset: &AssetInfo, who: &Addr) -> u128 {
        match asset {
            AssetInfo::Native { denom } => self.balance(who, denom),
            AssetInfo::Cw20 { contract } => self.token_balance(contract, who),
        }
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
                self.asset_balance(&asset, &self.tips),
                0,
                "tips contract holds {asset}"
            );
        }
    }
}

pub fn profile_hook(creator: &Addr) -> TipHookMsg {
    TipHookMsg::Tip {
        creator: creator.to_string(),
        context: TipContext::Profile,
        message: None,
        anonymous: false,
    }
}

/// The tips contract's error inside a multi-test error chain.
pub fn contract_error(err: AnyError) -> ContractError {
    err.downcast::<ContractError>()
        .unwrap_or_else(|err| panic!("not a tips contract error: {err:?}"))
}

/// The Mesi events emitted by `contract`, decoded the way the indexer decodes them.
pub fn mesi_events(events: &[Event], contract: &Addr) -> Vec<AnyEvent> {
    events
        .iter()
        .filter(|e| e.ty.starts_with("wasm-mesi."))
        .filter(|e| {
            e.attributes
                .iter()
                .any(|a| a.key == "_contract_address" && a.value == contract.as_str())
        })
        .map(|e| {
            AnyEvent::decode(&e.ty, &attr_pairs(e))
                .unwrap()
                .expect("a Mesi event")
        })
        .collect()
}

/// The one Mesi event the tips contract emitted.
pub fn single_event(resp: &AppResponse, contract: &Addr) -> AnyEvent {
    let mut events = mesi_events(&resp.events, contract);
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
