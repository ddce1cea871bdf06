//! cw-multi-test suites: the real `creators` registry and a cw20-base MESI token around the
//! surprises contract.

mod authorization;
mod cw721_client;
mod funds;
mod invariants;
mod lifecycle;
mod mint;
mod queries;
mod reveal;
mod trade;

use cosmwasm_schema::serde::de::DeserializeOwned;
use cosmwasm_std::{coin, to_json_binary, Addr, Coin, HexBinary, Uint128};
use cw20::{Cw20Coin, Cw20ExecuteMsg};
use cw_multi_test::{App, AppResponse, ContractWrapper, Executor};
use mesi_common::commitment::{content_hash, CommitmentInput, Hash};
use mesi_common::events::AnyEvent;
use mesi_common::interfaces::creators::Fees;
use mesi_common::AssetInfo;
use mesi_creators::msg::{
    ExecuteMsg as CreatorsExecuteMsg, InstantiateMsg as CreatorsInstantiateMsg, ProfileInput,
    SiblingContracts,
};

use crate::contract::{execute, instantiate, migrate, query};
use crate::error::ContractError;
use crate::msg::{
    ExecuteMsg, Hints, InstantiateMsg, MintMsg, QueryMsg, ReceiveMsg, SurpriseResponse,
};

pub const USDC: &str = "uusdc";
/// A denom the platform does not accept.
pub const OTHER: &str = "uother";
pub const FEE_BPS: u16 = 250;
pub const REVEAL_WINDOW: u64 = 7 * 86_400;
pub const RECHECK_INTERVAL: u64 = 3_600;
/// Starting native and MESI balance of every funded account.
pub const FUNDS: u128 = 1_000_000_000;

pub struct Suite {
    pub app: App,
    pub surprises: Addr,
    pub registry: Addr,
    pub mesi: Addr,
    pub admin: Addr,
    pub treasury: Addr,
    pub code_id: u64,
}

/// Accounts with native and MESI funds.
pub const ACCOUNTS: &[&str] = &["alice", "bob", "carol", "dave", "erin", "mallory"];

pub fn usdc() -> AssetInfo {
    AssetInfo::native(USDC)
}

impl Suite {
    /// Registry, MESI token and surprises; `alice` and `bob` are registered creators, alice's
    /// payments go to `alice-payout`.
    pub fn new() -> Self {
        let mut app = App::default();
        let api = *app.api();
        let admin = api.addr_make("admin");
        let treasury = api.addr_make("treasury");
        app.init_modules(|router, _, storage| {
            for name in ACCOUNTS {
                let funds = vec![coin(FUNDS, USDC), coin(FUNDS, OTHER)];
                router
                    .bank
                    .init_balance(storage, &api.addr_make(name), funds)
                    .unwrap();
            }
        });

        let cw20_code = app.store_code(Box::new(ContractWrapper::new(
            cw20_base::contract::execute,
            cw20_base::contract::instantiate,
            cw20_base::contract::query,
        )));
        let cw20_init = cw20_base::msg::InstantiateMsg {
            name: "Mesi".into(),
            symbol: "MESI".into(),
            decimals: 6,
            initial_balances: ACCOUNTS
                .iter()
                .map(|name| Cw20Coin {
                    address: api.addr_make(name).into(),
                    amount: Uint128::new(FUNDS),
                })
                .collect(),
            mint: None,
            marketing: None,
        };
        let mesi = app
            .instantiate_contract(cw20_code, admin.clone(), &cw20_init, &[], "mesi", None)
            .unwrap();

        let registry_code = app.store_code(Box::new(ContractWrapper::new(
            mesi_creators::contract::execute,
            mesi_creators::contract::instantiate,
            mesi_creators::contract::query,
        )));
        let registry_init = CreatorsInstantiateMsg {
            owner: None,
            treasury: treasury.to_string(),
            fees: Fees {
                surprise_sales: FEE_BPS,
                ..Fees::default()
            },
            accepted_assets: vec![usdc(), AssetInfo::cw20(mesi.clone())],
            fiat_gateways: vec![],
            arbiter: None,
            contracts: SiblingContracts::default(),
        };
        let registry = app
            .instantiate_contract(
                registry_code,
                admin.clone(),
                &registry_init,
                &[],
                "creators",
                None,
            )
            .unwrap();

        let code_id = app.store_code(Box::new(
            ContractWrapper::new(execute, instantiate, query).with_migrate(migrate),
        ));
        let init = InstantiateMsg {
            name: "Mesi Surprises".into(),
            symbol: "SURPRISE".into(),
            owner: None,
            creators: registry.to_string(),
            reveal_window: REVEAL_WINDOW,
            creator_recheck_interval: RECHECK_INTERVAL,
        };
        let surprises = app
            .instantiate_contract(
                code_id,
                admin.clone(),
                &init,
                &[],
                "surprises",
                Some(admin.to_string()),
            )
            .unwrap();

        let mut suite = Suite {
            app,
            surprises,
            registry,
            mesi,
            admin,
            treasury,
            code_id,
        };
        let payout = suite.addr("alice-payout");
        suite.register("alice", Some(payout));
        suite.register("bob", None);
        suite
    }

    pub fn addr(&self, name: &str) -> Addr {
        self.app.api().addr_make(name)
    }

    pub fn register(&mut self, name: &str, payout: Option<Addr>) {
        let profile = ProfileInput {
            display_name: name.into(),
            payout: payout.map(String::from),
            accepted_assets: vec![],
            tip_minimums: vec![],
            chat_rule: mesi_common::chat_rule::ChatRule::Everyone,
        };
        let creator = self.addr(name);
        self.app
            .execute_contract(
                creator,
                self.registry.clone(),
                &CreatorsExecuteMsg::RegisterCreator { profile },
                &[],
            )
            .unwrap();
    }

    pub fn registry_exec(&mut self, sender: &str, msg: &CreatorsExecuteMsg) {
        let sender = self.addr(sender);
        self.app
            .execute_contract(sender, self.registry.clone(), msg, &[])
            .unwrap();
    }

    pub fn exec(
        &mut self,
        sender: &str,
        msg: &ExecuteMsg,
        funds: &[Coin],
    ) -> Result<AppResponse, ContractError> {
        let sender = self.addr(sender);
        self.exec_as(&sender, msg, funds)
    }

    pub fn exec_as(
        &mut self,
        sender: &Addr,
        msg: &ExecuteMsg,
        funds: &[Coin],
    ) -> Result<AppResponse, ContractError> {
        self.app
            .execute_contract(sender.clone(), self.surprises.clone(), msg, funds)
            .map_err(|e| {
                e.downcast()
                    .unwrap_or_else(|e| panic!("not a surprises error: {e:?}"))
            })
    }

    /// A CW20 `Send` of `amount` MESI (or of another token) to the surprises contract.
    pub fn send_cw20(
        &mut self,
        token: &Addr,
        sender: &str,
        amount: u128,
        msg: &ReceiveMsg,
    ) -> Result<AppResponse, ContractError> {
        let send = Cw20ExecuteMsg::Send {
            contract: self.surprises.to_string(),
            amount: Uint128::new(amount),
            msg: to_json_binary(msg).unwrap(),
        };
        let sender = self.addr(sender);
        self.app
            .execute_contract(sender, token.clone(), &send, &[])
            .map_err(|e| {
                e.downcast()
                    .unwrap_or_else(|e| panic!("not a surprises error: {e:?}"))
            })
    }

    pub fn query<T: DeserializeOwned>(&self, msg: &QueryMsg) -> T {
        self.app
            .wrap()
            .query_wasm_smart(&self.surprises, msg)
            .unwrap()
    }

    pub fn surprise(&self, token_id: &str) -> SurpriseResponse {
        self.query(&QueryMsg::Surprise {
            token_id: token_id.into(),
        })
    }

    pub fn advance(&mut self, seconds: u64) {
        self.app.update_block(|block| {
            block.time = block.time.plus_seconds(seconds);
            block.height += seconds.div_ceil(5).max(1);
        });
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
                let res: cw20::BalanceResponse = self
                    .app
                    .wrap()
                    .query_wasm_smart(
                        contract,
                        &cw20::Cw20QueryMsg::Balance {
                            address: who.to_string(),
                        },
                    )
                    .unwrap();
                res.balance.u128()
            }
        }
    }

    /// A mint message for `<creator's prefix><label>` committing to [`Secret::of`]`(label)`.
    pub fn mint_msg(&self, creator: &str, label: &str) -> MintMsg {
        let creator_addr = self.addr(creator);
        let prefix: crate::msg::TokenIdPrefixResponse = self.query(&QueryMsg::TokenIdPrefix {
            creator: creator_addr.to_string(),
        });
        let token_id = format!("{}{label}", prefix.prefix);
        let secret = Secret::of(label);
        MintMsg {
            commitment: secret.commitment(&self.surprises, &token_id, &creator_addr),
            token_id,
            owner: None,
            hints: hints(label),
            royalty_bps: 500,
        }
    }

    /// Mints without a bond; returns the token id.
    pub fn mint(&mut self, creator: &str, label: &str) -> String {
        let msg = self.mint_msg(creator, label);
        self.exec(creator, &ExecuteMsg::Mint(msg.clone()), &[])
            .unwrap();
        msg.token_id
    }

    /// Mints with a bond of `amount` uusdc; returns the token id.
    pub fn mint_bonded(&mut self, creator: &str, label: &str, amount: u128) -> String {
        let msg = self.mint_msg(creator, label);
        self.exec(
            creator,
            &ExecuteMsg::Mint(msg.clone()),
            &[coin(amount, USDC)],
        )
        .unwrap();
        msg.token_id
    }

    pub fn transfer(
        &mut self,
        sender: &str,
        token_id: &str,
        to: &str,
    ) -> Result<AppResponse, ContractError> {
        let msg = ExecuteMsg::TransferNft {
            recipient: self.addr(to).into(),
            token_id: token_id.into(),
        };
        self.exec(sender, &msg, &[])
    }

    pub fn list(
        &mut self,
        seller: &str,
        token_id: &str,
        asset: AssetInfo,
        price: u128,
    ) -> Result<AppResponse, ContractError> {
        let msg = ExecuteMsg::List {
            token_id: token_id.into(),
            asset,
            price: Uint128::new(price),
            expires_at: None,
        };
        self.exec(seller, &msg, &[])
    }

    pub fn reveal(
        &mut self,
        sender: &str,
        token_id: &str,
        secret: &Secret,
    ) -> Result<AppResponse, ContractError> {
        let msg = ExecuteMsg::Reveal {
            token_id: token_id.into(),
            salt: HexBinary::from(secret.salt),
            content_hash: HexBinary::from(content_hash(&secret.content)),
        };
        self.exec(sender, &msg, &[])
    }
}

/// What a creator keeps off chain until the reveal.
pub struct Secret {
    pub salt: Hash,
    pub content: Vec<u8>,
}

impl Secret {
    /// A deterministic secret per label, so tests can re-derive it.
    pub fn of(label: &str) -> Self {
        Secret {
            salt: content_hash(format!("salt:{label}").as_bytes()),
            content: format!("content of {label}").into_bytes(),
        }
    }

    pub fn commitment(&self, contract: &Addr, token_id: &str, creator: &Addr) -> HexBinary {
        let input = CommitmentInput {
            contract: contract.as_str(),
            token_id,
            creator: creator.as_str(),
            salt: &self.salt,
            content_hash: &content_hash(&self.content),
        };
        HexBinary::from(input.commitment())
    }
}

pub fn hints(label: &str) -> Hints {
    Hints {
        title: format!("Surprise {label}"),
        hints: vec!["recorded at night".into(), "about 3 minutes".into()],
        category: "video".into(),
        preview_uri: Some(format!("ipfs://preview/{label}.jpg")),
    }
}

/// The Mesi events of a response, decoded.
pub fn mesi_events(res: &AppResponse) -> Vec<AnyEvent> {
    res.events
        .iter()
        .filter_map(|event| {
            let attrs: Vec<(&str, &str)> = event
                .attributes
                .iter()
                .map(|a| (a.key.as_str(), a.value.as_str()))
                .collect();
            AnyEvent::decode(&event.ty, &attrs).unwrap()
        })
        .collect()
}

/// The one Mesi event of a response.
pub fn the_event(res: &AppResponse) -> AnyEvent {
    let events = mesi_events(res);
    assert_eq!(
        events.len(),
        1,
        "expected exactly one Mesi event, got {events:?}"
    );
    events.into_iter().next().unwrap()
}
