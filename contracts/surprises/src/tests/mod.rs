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
use cosmwasm_std::{coin, Addr, Coin, HexBinary, Uint128};
use cw_multi_test::{AppResponse, Executor};
use mesi_common::commitment::{content_hash, CommitmentInput, Hash};
use mesi_common::events::AnyEvent;
use mesi_common::interfaces::creators::Fees;
use mesi_common::AssetInfo;
use mesi_creators::msg::ExecuteMsg as CreatorsExecuteMsg;
use mesi_testing::error::contract_error;
use mesi_testing::events::mesi_events;
pub use mesi_testing::USDC;
use mesi_testing::{contract, Platform};

use crate::error::ContractError;
use crate::msg::{
    ExecuteMsg, Hints, InstantiateMsg, MintMsg, QueryMsg, ReceiveMsg, SurpriseResponse,
};

/// A denom the platform does not accept.
pub const OTHER: &str = "uother";
pub const FEE_BPS: u16 = 250;
pub const REVEAL_WINDOW: u64 = 7 * 86_400;
pub const RECHECK_INTERVAL: u64 = 3_600;
/// Starting native and MESI balance of every funded account.
pub const FUNDS: u128 = 1_000_000_000;

/// The platform (registry, MESI, funded accounts) with the surprises contract on it.
pub struct Suite {
    pub platform: Platform,
    pub surprises: Addr,
    /// The platform's MESI token and treasury, as fields for the tests.
    pub mesi: Addr,
    pub treasury: Addr,
    /// Owner and code admin of the surprises contract (not of the registry).
    pub admin: Addr,
    pub code_id: u64,
}

mesi_testing::suite_on_platform!(Suite);

/// Accounts with native and MESI funds.
pub const ACCOUNTS: &[&str] = &["alice", "bob", "carol", "dave", "erin", "mallory"];

pub fn usdc() -> AssetInfo {
    AssetInfo::native(USDC)
}

impl Suite {
    /// Registry, MESI token and surprises; `alice` and `bob` are registered creators, alice's
    /// payments go to `alice-payout`.
    pub fn new() -> Self {
        let mut platform = Platform::builder()
            .funded(ACCOUNTS.iter().copied())
            .denoms(&[USDC, OTHER], &[USDC])
            .balance(FUNDS)
            .fees(Fees {
                surprise_sales: FEE_BPS,
                ..Fees::default()
            })
            .build();
        let admin = platform.addr("admin");
        let code_id = platform.app.store_code(contract!(crate::contract, migrate));
        let init = InstantiateMsg {
            name: "Mesi Surprises".into(),
            symbol: "SURPRISE".into(),
            owner: None,
            creators: platform.registry.to_string(),
            reveal_window: REVEAL_WINDOW,
            creator_recheck_interval: RECHECK_INTERVAL,
        };
        let surprises = platform
            .app
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
            mesi: platform.mesi(),
            treasury: platform.treasury(),
            platform,
            surprises,
            admin,
            code_id,
        };
        let payout = suite.addr("alice-payout");
        suite.register("alice", Some(payout));
        suite.register("bob", None);
        suite
    }

    pub fn register(&mut self, name: &str, payout: Option<Addr>) {
        let mut profile = Platform::profile(payout.as_ref());
        profile.display_name = name.into();
        let creator = self.addr(name);
        self.register_creator(&creator, profile);
    }

    /// Runs a registry message as `sender` (a creator's own settings).
    pub fn registry_exec(&mut self, sender: &str, msg: &CreatorsExecuteMsg) {
        let (sender, registry) = (self.addr(sender), self.registry.clone());
        self.app
            .execute_contract(sender, registry, msg, &[])
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
        let surprises = self.surprises.clone();
        self.app
            .execute_contract(sender.clone(), surprises, msg, funds)
            .map_err(contract_error)
    }

    /// A CW20 `Send` of `amount` MESI (or of another token) from `sender` to the surprises
    /// contract, failing with the surprises error.
    pub fn send_cw20(
        &mut self,
        token: &Addr,
        sender: &str,
        amount: u128,
        msg: &ReceiveMsg,
    ) -> Result<AppResponse, ContractError> {
        let (sender, surprises) = (self.addr(sender), self.surprises.clone());
        self.platform
            .send_cw20(&sender, token, &surprises, amount, msg)
            .map_err(contract_error)
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

    /// A block per five seconds (unlike `Platform::advance`): expirations at a height count on it.
    pub fn advance(&mut self, seconds: u64) {
        self.platform.advance_in_blocks(seconds);
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
