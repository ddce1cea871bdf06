//! The whole Mesi suite deployed in cw-multi-test: the MESI CW20 token (cw20-base), the
//! `creators` registry and the five product contracts, wired together as in production.
//!
//! [`Suite`] keeps a log of every successful transaction's events with its block height and
//! time, so a test can replay exactly what a chain would have emitted (into the indexer, say).

use anyhow::Result as AnyResult;
use cosmwasm_std::{coins, Addr, Coin, Empty, Event, HexBinary, Timestamp, Uint128};
use cw_multi_test::{App, AppResponse, Contract, Executor};
use mesi_common::chat_rule::{CanMessageResponse, ChatRule};
use mesi_common::commitment::{content_hash, CommitmentInput};
use mesi_common::AssetInfo;
use mesi_deployment::{instantiate_message, wire_message, Contracts, DeployParams};
use mesi_testing::money;
use serde::de::DeserializeOwned;
use serde::Serialize;

pub use mesi_creators::msg as creators_msg;
pub use mesi_meetings::msg as meetings_msg;
pub use mesi_ppv::msg as ppv_msg;
pub use mesi_subscriptions::msg as subscriptions_msg;
pub use mesi_surprises::msg as surprises_msg;
pub use mesi_tips::msg as tips_msg;

/// The native stablecoin of the test chain.
pub const USDC: &str = "uusdc";
/// Seconds in a day.
pub const DAY: u64 = 86_400;
/// Every account the suite funds starts with this much of each asset.
pub const INITIAL_BALANCE: u128 = 1_000_000_000_000;

/// The platform fees the suite configures, in basis points.
pub use mesi_deployment::FEES;

/// The events of one successful transaction, as a block would carry them.
#[derive(Clone, Debug)]
pub struct LoggedTx {
    pub height: u64,
    pub time: Timestamp,
    pub events: Vec<Event>,
}

pub struct Suite {
    pub app: App,
    pub owner: Addr,
    pub treasury: Addr,
    pub gateway: Addr,
    /// The MESI CW20 token.
    pub mesi: Addr,
    pub creators: Addr,
    pub tips: Addr,
    pub subscriptions: Addr,
    pub ppv: Addr,
    pub surprises: Addr,
    pub meetings: Addr,
    /// Every successful transaction's events, in order.
    pub log: Vec<LoggedTx>,
}

/// A product contract crate's entry points, migrate included.
macro_rules! wrap {
    ($krate:ident) => {
        mesi_testing::contract!($krate::contract, migrate)
    };
}

impl Default for Suite {
    fn default() -> Self {
        Self::new()
    }
}

impl Suite {
    /// Deploys and wires every contract. Accounts named with [`Suite::addr`] get funded on
    /// first use by [`Suite::fund`].
    pub fn new() -> Self {
        let mut app = App::default();
        let owner = app.api().addr_make("owner");
        let treasury = app.api().addr_make("treasury");
        let gateway = app.api().addr_make("gateway");
        let mut log = vec![];
        let mut instantiate = |app: &mut App,
                               code: Box<dyn Contract<Empty>>,
                               msg: &dyn erased_msg::Json,
                               label: &str| {
            let code_id = app.store_code(code);
            let res = app.execute(
                owner.clone(),
                cosmwasm_std::WasmMsg::Instantiate {
                    admin: Some(owner.to_string()),
                    code_id,
                    msg: msg.to_binary(),
                    funds: vec![],
                    label: label.into(),
                }
                .into(),
            );
            let res = res.unwrap_or_else(|e| panic!("instantiate {label}: {e:?}"));
            let block = app.block_info();
            log.push(LoggedTx {
                height: block.height,
                time: block.time,
                events: res.events.clone(),
            });
            let data: cw_utils::MsgInstantiateContractResponse =
                cw_utils::parse_instantiate_response_data(res.data.unwrap_or_default().as_slice())
                    .expect("instantiate data");
            Addr::unchecked(data.contract_address)
        };

        let mesi = instantiate(
            &mut app,
            mesi_testing::cw20_contract(),
            &cw20_base::msg::InstantiateMsg {
                name: "Mesi".into(),
                symbol: "MESI".into(),
                decimals: 6,
                initial_balances: vec![],
                mint: Some(cw20::MinterResponse {
                    minter: owner.to_string(),
                    cap: None,
                }),
                marketing: None,
            },
            "mesi-token",
        );
        // The rest as every chain deploys them (mesi-deployment's plan).
        let params = DeployParams {
            owner: owner.to_string(),
            treasury: treasury.to_string(),
            fiat_gateways: vec![gateway.to_string()],
            stable_denom: USDC.into(),
            mesi_balances: vec![],
        };
        let mut contracts = Contracts::default();
        contracts.set("mesi_token", mesi.to_string());
        let codes: [(&str, Box<dyn Contract<Empty>>); 6] = [
            ("creators", wrap!(mesi_creators)),
            ("tips", wrap!(mesi_tips)),
            ("subscriptions", wrap!(mesi_subscriptions)),
            ("ppv", wrap!(mesi_ppv)),
            ("surprises", wrap!(mesi_surprises)),
            ("meetings", wrap!(mesi_meetings)),
        ];
        for (name, code) in codes {
            let msg = instantiate_message(name, &params, &contracts).expect("the plan's message");
            let address = instantiate(&mut app, code, &msg, name);
            contracts.set(name, address.to_string());
        }
        let addr = |name: &str| Addr::unchecked(contracts.get(name).expect("instantiated"));
        let (creators, tips, subscriptions, ppv, surprises, meetings) = (
            addr("creators"),
            addr("tips"),
            addr("subscriptions"),
            addr("ppv"),
            addr("surprises"),
            addr("meetings"),
        );
        let wire = wire_message(&contracts).expect("the plan's wiring");
        let res = app
            .execute_contract(owner.clone(), creators.clone(), &wire, &[])
            .expect("wire contracts");
        let block = app.block_info();
        log.push(LoggedTx {
            height: block.height,
            time: block.time,
            events: res.events,
        });
        Suite {
            app,
            owner,
            treasury,
            gateway,
            mesi,
            creators,
            tips,
            subscriptions,
            ppv,
            surprises,
            meetings,
            log,
        }
    }

    pub fn addr(&self, name: &str) -> Addr {
        self.app.api().addr_make(name)
    }

    /// Gives `account` [`INITIAL_BALANCE`] of USDC and of MESI.
    pub fn fund(&mut self, account: &Addr) {
        let account = account.clone();
        self.app
            .init_modules(|router, _, storage| {
                router
                    .bank
                    .init_balance(storage, &account, coins(INITIAL_BALANCE, USDC))
            })
            .unwrap();
        let mint = cw20::Cw20ExecuteMsg::Mint {
            recipient: account.to_string(),
            amount: Uint128::new(INITIAL_BALANCE),
        };
        self.app
            .execute_contract(self.owner.clone(), self.mesi.clone(), &mint, &[])
            .unwrap();
    }

    /// Executes `msg` on `contract` and logs its events when it succeeds.
    pub fn execute<M: Serialize + std::fmt::Debug>(
        &mut self,
        sender: &Addr,
        contract: &Addr,
        msg: &M,
        funds: &[Coin],
    ) -> AnyResult<AppResponse> {
        let res = self
            .app
            .execute_contract(sender.clone(), contract.clone(), msg, funds)?;
        let block = self.app.block_info();
        self.log.push(LoggedTx {
            height: block.height,
            time: block.time,
            events: res.events.clone(),
        });
        Ok(res)
    }

    /// Pays with MESI: a CW20 `Send` of `amount` to `contract` carrying `msg`.
    pub fn send_mesi<M: Serialize>(
        &mut self,
        sender: &Addr,
        contract: &Addr,
        amount: u128,
        msg: &M,
    ) -> AnyResult<AppResponse> {
        let send = money::cw20_send(contract, amount, msg)?;
        let mesi = self.mesi.clone();
        self.execute(sender, &mesi, &send, &[])
    }

    pub fn query<T: DeserializeOwned, M: Serialize>(&self, contract: &Addr, msg: &M) -> T {
        self.app.wrap().query_wasm_smart(contract, msg).unwrap()
    }

    /// Moves block time forward (and the height by one).
    pub fn advance(&mut self, seconds: u64) {
        self.app.update_block(|block| {
            block.time = block.time.plus_seconds(seconds);
            block.height += 1;
        });
    }

    pub fn now(&self) -> Timestamp {
        self.app.block_info().time
    }

    /// Registers `name` as a creator with `rule`, funded, accepting every platform asset.
    pub fn register_creator(&mut self, name: &str, rule: ChatRule) -> Addr {
        let creator = self.addr(name);
        self.fund(&creator);
        let profile = creators_msg::ProfileInput {
            display_name: name.into(),
            payout: None,
            accepted_assets: vec![],
            tip_minimums: vec![],
            chat_rule: rule,
        };
        let registry = self.creators.clone();
        self.execute(
            &creator,
            &registry,
            &creators_msg::ExecuteMsg::RegisterCreator { profile },
            &[],
        )
        .unwrap();
        creator
    }

    pub fn set_chat_rule(&mut self, creator: &Addr, rule: ChatRule) {
        let registry = self.creators.clone();
        self.execute(
            creator,
            &registry,
            &creators_msg::ExecuteMsg::SetChatRule { rule },
            &[],
        )
        .unwrap();
    }

    pub fn tip(&mut self, fan: &Addr, creator: &Addr, amount: u128) -> AnyResult<AppResponse> {
        let msg = tips_msg::ExecuteMsg::Tip {
            creator: creator.to_string(),
            context: tips_msg::TipContext::Profile,
            message: None,
            anonymous: false,
        };
        let tips = self.tips.clone();
        self.execute(fan, &tips, &msg, &coins(amount, USDC))
    }

    pub fn tip_mesi(&mut self, fan: &Addr, creator: &Addr, amount: u128) -> AnyResult<AppResponse> {
        let hook = tips_msg::TipHookMsg::Tip {
            creator: creator.to_string(),
            context: tips_msg::TipContext::Profile,
            message: None,
            anonymous: false,
        };
        let tips = self.tips.clone();
        self.send_mesi(fan, &tips, amount, &hook)
    }

    /// A USDC tier with a 30-day period and no cap, bundles or trial.
    pub fn create_tier(&mut self, creator: &Addr, tier: u32, price: u128) {
        let msg = subscriptions_msg::ExecuteMsg::CreateTier {
            tier,
            asset: AssetInfo::native(USDC),
            period_seconds: 30 * DAY,
            terms: subscriptions_msg::TierTerms {
                name: format!("Tier {tier}"),
                price: Uint128::new(price),
                subscriber_cap: None,
                bundles: vec![],
                trial_seconds: None,
            },
        };
        let subscriptions = self.subscriptions.clone();
        self.execute(creator, &subscriptions, &msg, &[]).unwrap();
    }

    /// One period of `tier` at `price` USDC.
    pub fn subscribe(
        &mut self,
        fan: &Addr,
        creator: &Addr,
        tier: u32,
        price: u128,
    ) -> AnyResult<AppResponse> {
        let msg = subscriptions_msg::ExecuteMsg::Subscribe {
            creator: creator.to_string(),
            tier,
            periods: 1,
            max_price_per_period: Uint128::new(price),
            auto_renew: false,
        };
        let subscriptions = self.subscriptions.clone();
        self.execute(fan, &subscriptions, &msg, &coins(price, USDC))
    }

    /// Lists a USDC pay-per-view item.
    pub fn list_item(
        &mut self,
        creator: &Addr,
        content_id: &str,
        price: u128,
        free_for_tier: Option<u32>,
    ) {
        let msg = ppv_msg::ExecuteMsg::ListItem {
            content_id: content_id.into(),
            price: Uint128::new(price),
            asset: AssetInfo::native(USDC),
            sale_ends_at: None,
            free_for_tier,
        };
        let ppv = self.ppv.clone();
        self.execute(creator, &ppv, &msg, &[]).unwrap();
    }

    /// Buys `creator`'s item `content_id` (content ids are per creator) for `price` USDC.
    pub fn buy_item(
        &mut self,
        fan: &Addr,
        creator: &Addr,
        content_id: &str,
        price: u128,
    ) -> AnyResult<AppResponse> {
        let ppv = self.ppv.clone();
        let msg = ppv_msg::ExecuteMsg::Buy {
            creator: creator.to_string(),
            content_id: content_id.into(),
        };
        self.execute(fan, &ppv, &msg, &coins(price, USDC))
    }

    /// Mints a surprise with no bond to `owner`, committing to `content` with `salt`; returns the
    /// token id.
    pub fn mint_surprise(
        &mut self,
        creator: &Addr,
        label: &str,
        owner: &Addr,
        content: &[u8],
        salt: [u8; 32],
    ) -> String {
        let prefix: surprises_msg::TokenIdPrefixResponse = self.query(
            &self.surprises,
            &surprises_msg::QueryMsg::TokenIdPrefix {
                creator: creator.to_string(),
            },
        );
        let token_id = format!("{}{label}", prefix.prefix);
        let commitment = CommitmentInput {
            contract: self.surprises.as_str(),
            token_id: &token_id,
            creator: creator.as_str(),
            salt: &salt,
            content_hash: &content_hash(content),
        }
        .commitment();
        let mint = surprises_msg::ExecuteMsg::Mint(surprises_msg::MintMsg {
            token_id: token_id.clone(),
            owner: Some(owner.to_string()),
            hints: surprises_msg::Hints {
                title: format!("Surprise {label}"),
                hints: vec!["it is short".into()],
                category: "video".into(),
                preview_uri: None,
            },
            commitment: HexBinary::from(commitment.as_slice()),
            royalty_bps: 500,
        });
        let surprises = self.surprises.clone();
        self.execute(creator, &surprises, &mint, &[]).unwrap();
        token_id
    }

    pub fn transfer_surprise(
        &mut self,
        owner: &Addr,
        token_id: &str,
        recipient: &Addr,
    ) -> AnyResult<AppResponse> {
        let msg = surprises_msg::ExecuteMsg::TransferNft {
            recipient: recipient.to_string(),
            token_id: token_id.into(),
        };
        let surprises = self.surprises.clone();
        self.execute(owner, &surprises, &msg, &[])
    }

    pub fn can_message(&self, creator: &Addr, fan: &Addr) -> CanMessageResponse {
        self.query(
            &self.creators,
            &creators_msg::QueryMsg::CanMessage {
                creator: creator.to_string(),
                fan: fan.to_string(),
            },
        )
    }

    /// Native balance of `account` in `denom`.
    pub fn balance(&self, account: &Addr, denom: &str) -> u128 {
        money::native_balance(&self.app, account, denom)
    }

    /// MESI balance of `account`.
    pub fn mesi_balance(&self, account: &Addr) -> u128 {
        money::token_balance(&self.app, &self.mesi, account)
    }
}

/// Lets `Suite::new` pass the contracts' different instantiate messages through one closure.
mod erased_msg {
    pub trait Json {
        fn to_binary(&self) -> cosmwasm_std::Binary;
    }

    impl<T: serde::Serialize> Json for T {
        fn to_binary(&self) -> cosmwasm_std::Binary {
            cosmwasm_std::to_json_binary(self).expect("serializable message")
        }
    }
}
