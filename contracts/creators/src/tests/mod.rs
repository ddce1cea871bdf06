//! Multi-test suite of the registry on its own (no sibling contracts), then one module per
//! concern.

mod migrate;
mod platform;
mod profile;
mod queries;

use cosmwasm_std::{Addr, Uint128};
use cw_multi_test::{App, AppResponse, ContractWrapper, Executor};
use mesi_common::chat_rule::{CanMessageResponse, ChatRule};
use mesi_common::events::AnyEvent;
use mesi_common::interfaces::creators::{Fees, PaymentTerms, Product};
use mesi_common::AssetInfo;
use serde::de::DeserializeOwned;

use crate::contract::{execute, instantiate, migrate, query};
use crate::error::ContractError;
use crate::msg::{ExecuteMsg, InstantiateMsg, ProfileInput, QueryMsg, SiblingContracts};

struct Suite {
    app: App,
    registry: Addr,
    owner: Addr,
    code_id: u64,
}

fn fees() -> Fees {
    Fees {
        tips: 500,
        subscriptions: 1000,
        ppv: 1500,
        surprise_sales: 250,
        meetings: 2000,
    }
}

fn usdc() -> AssetInfo {
    AssetInfo::native("uusdc")
}

fn setup() -> Suite {
    let mut app = App::default();
    let owner = app.api().addr_make("owner");
    let code_id = app.store_code(Box::new(
        ContractWrapper::new(execute, instantiate, query).with_migrate(migrate),
    ));
    let msg = InstantiateMsg {
        owner: None,
        treasury: app.api().addr_make("treasury").into(),
        fees: fees(),
        accepted_assets: vec![
            usdc(),
            AssetInfo::native("uatom"),
            AssetInfo::cw20(app.api().addr_make("mesi")),
        ],
        fiat_gateways: vec![app.api().addr_make("gateway").into()],
        arbiter: None,
        contracts: SiblingContracts::default(),
    };
    let registry = app
        .instantiate_contract(
            code_id,
            owner.clone(),
            &msg,
            &[],
            "creators",
            Some(owner.to_string()),
        )
        .unwrap();
    Suite {
        app,
        registry,
        owner,
        code_id,
    }
}

fn profile(name: &str) -> ProfileInput {
    ProfileInput {
        display_name: name.into(),
        payout: None,
        accepted_assets: vec![],
        tip_minimums: vec![(usdc(), Uint128::new(1_000_000))],
        chat_rule: ChatRule::Everyone,
    }
}

impl Suite {
    fn addr(&self, name: &str) -> Addr {
        self.app.api().addr_make(name)
    }

    fn exec(&mut self, sender: &Addr, msg: &ExecuteMsg) -> Result<AppResponse, ContractError> {
        self.app
            .execute_contract(sender.clone(), self.registry.clone(), msg, &[])
            .map_err(|e| e.downcast().unwrap())
    }

    fn register(&mut self, name: &str) -> Addr {
        let creator = self.addr(name);
        self.exec(
            &creator,
            &ExecuteMsg::RegisterCreator {
                profile: profile(name),
            },
        )
        .unwrap();
        creator
    }

    fn query<T: DeserializeOwned>(&self, msg: &QueryMsg) -> T {
        self.app
            .wrap()
            .query_wasm_smart(&self.registry, msg)
            .unwrap()
    }

    fn terms(&self, creator: &Addr, product: Product) -> PaymentTerms {
        self.query(&QueryMsg::PaymentTerms {
            creator: creator.to_string(),
            product,
        })
    }

    fn can_message(&self, creator: &Addr, fan: &Addr) -> CanMessageResponse {
        self.query(&QueryMsg::CanMessage {
            creator: creator.to_string(),
            fan: fan.to_string(),
        })
    }
}

/// The one Mesi event of a response, decoded.
fn mesi_event(res: &AppResponse) -> AnyEvent {
    let mut found: Vec<AnyEvent> = res
        .events
        .iter()
        .filter_map(|e| {
            let attrs: Vec<(&str, &str)> = e
                .attributes
                .iter()
                .map(|a| (a.key.as_str(), a.value.as_str()))
                .collect();
            AnyEvent::decode(&e.ty, &attrs).unwrap()
        })
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected exactly one Mesi event in {:?}",
        res.events
    );
    found.remove(0)
}
