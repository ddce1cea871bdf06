//! The Mesi suite's deployment plan, the same on every chain: the contracts in deployment
//! order, the platform terms, and each contract's instantiate message in the contracts' own
//! message types (so they follow the committed schema), then the registry's wiring.
//! cw-multi-test setups (`tests/multitest`), the devnet's genesis, deployments over RPC and
//! `scripts/deploy --cli` (through `mesi-devnet deploy-msg`) all build their messages here.

use std::collections::BTreeMap;

use anyhow::{anyhow, bail};
use mesi_common::interfaces::creators::Fees;
use mesi_common::AssetInfo;
use serde::{Deserialize, Serialize};

/// Platform fees in basis points.
pub const FEES: Fees = Fees {
    tips: 500,
    subscriptions: 1_000,
    ppv: 1_500,
    surprise_sales: 250,
    meetings: 2_000,
};
/// Seconds a creator has to reveal an unlocked surprise.
pub const REVEAL_WINDOW_SECS: u64 = 7 * 86_400;
/// How long a surprise mint trusts the registry's last "active" answer.
pub const CREATOR_RECHECK_INTERVAL_SECS: u64 = 3_600;
pub const MAX_OPEN_AUCTIONS: u32 = 5;
pub const DISPUTE_WINDOW_SECS: u64 = 3 * 86_400;
/// The contracts in deployment order: name, artifact (relative to the artifacts folder), label.
pub const CONTRACTS: [(&str, &str, &str); 7] = [
    ("mesi_token", "anchors/cw20_base.wasm", "mesi-token"),
    ("creators", "mesi_creators.wasm", "mesi-creators"),
    ("tips", "mesi_tips.wasm", "mesi-tips"),
    (
        "subscriptions",
        "mesi_subscriptions.wasm",
        "mesi-subscriptions",
    ),
    ("ppv", "mesi_ppv.wasm", "mesi-ppv"),
    ("surprises", "mesi_surprises.wasm", "mesi-surprises"),
    ("meetings", "mesi_meetings.wasm", "mesi-meetings"),
];

/// Who the platform is.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DeployParams {
    /// Signs the deployment; contract admin and owner, MESI minter.
    pub owner: String,
    pub treasury: String,
    pub fiat_gateways: Vec<String>,
    /// The native stablecoin the platform accepts (with MESI).
    pub stable_denom: String,
    /// Initial MESI balances (raw units, 6 decimals).
    pub mesi_balances: Vec<(String, u128)>,
}

/// Where the suite lives.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contracts {
    pub mesi_token: String,
    pub creators: String,
    pub tips: String,
    pub subscriptions: String,
    pub ppv: String,
    pub surprises: String,
    pub meetings: String,
}

impl Contracts {
    pub fn get(&self, name: &str) -> Option<&str> {
        let address: &String = match name {
            "mesi_token" => &self.mesi_token,
            "creators" => &self.creators,
            "tips" => &self.tips,
            "subscriptions" => &self.subscriptions,
            "ppv" => &self.ppv,
            "surprises" => &self.surprises,
            "meetings" => &self.meetings,
            _ => return None,
        };
        Some(address.as_str()).filter(|a| !a.is_empty())
    }

    /// Records the address of `name`, one of [`CONTRACTS`].
    pub fn set(&mut self, name: &str, address: String) {
        let slot = match name {
            "mesi_token" => &mut self.mesi_token,
            "creators" => &mut self.creators,
            "tips" => &mut self.tips,
            "subscriptions" => &mut self.subscriptions,
            "ppv" => &mut self.ppv,
            "surprises" => &mut self.surprises,
            "meetings" => &mut self.meetings,
            _ => unreachable!("a contract of CONTRACTS"),
        };
        *slot = address;
    }

    /// The indexer's `MESI_CONTRACTS` value: `ADDR=KIND,...`.
    pub fn indexer_list(&self) -> String {
        self.indexer_kinds()
            .iter()
            .map(|(address, kind)| format!("{address}={kind}"))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The indexer's `--contract ADDR=KIND` list.
    pub fn indexer_kinds(&self) -> Vec<(String, &'static str)> {
        vec![
            (self.creators.clone(), "creators"),
            (self.tips.clone(), "tips"),
            (self.subscriptions.clone(), "subscriptions"),
            (self.ppv.clone(), "ppv"),
            (self.surprises.clone(), "surprises"),
            (self.meetings.clone(), "meetings"),
        ]
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Deployment {
    pub code_ids: BTreeMap<String, u64>,
    pub contracts: Contracts,
}

/// The instantiate message of `name`, given the contracts instantiated before it.
pub fn instantiate_message(
    name: &str,
    params: &DeployParams,
    contracts: &Contracts,
) -> anyhow::Result<serde_json::Value> {
    let need = |dependency: &str| {
        contracts
            .get(dependency)
            .map(str::to_string)
            .ok_or_else(|| anyhow!("{name} needs the address of {dependency}"))
    };
    let value = match name {
        "mesi_token" => serde_json::to_value(cw20_base::msg::InstantiateMsg {
            name: "Mesi".into(),
            symbol: "MESI".into(),
            decimals: 6,
            initial_balances: params
                .mesi_balances
                .iter()
                .map(|(address, amount)| cw20::Cw20Coin {
                    address: address.clone(),
                    amount: (*amount).into(),
                })
                .collect(),
            mint: Some(cw20::MinterResponse {
                minter: params.owner.clone(),
                cap: None,
            }),
            marketing: None,
        }),
        "creators" => serde_json::to_value(mesi_creators::msg::InstantiateMsg {
            owner: None,
            treasury: params.treasury.clone(),
            fees: FEES,
            accepted_assets: vec![
                AssetInfo::native(&params.stable_denom),
                AssetInfo::cw20(cosmwasm_std::Addr::unchecked(need("mesi_token")?)),
            ],
            fiat_gateways: params.fiat_gateways.clone(),
            arbiter: None,
            contracts: Default::default(),
        }),
        "tips" => serde_json::to_value(mesi_tips::msg::InstantiateMsg {
            creators: need("creators")?,
        }),
        "subscriptions" => serde_json::to_value(mesi_subscriptions::msg::InstantiateMsg {
            creators: need("creators")?,
        }),
        "ppv" => serde_json::to_value(mesi_ppv::msg::InstantiateMsg {
            creators: need("creators")?,
            subscriptions: need("subscriptions")?,
        }),
        "surprises" => serde_json::to_value(mesi_surprises::msg::InstantiateMsg {
            name: "Mesi Surprises".into(),
            symbol: "SURPRISE".into(),
            owner: None,
            creators: need("creators")?,
            reveal_window: REVEAL_WINDOW_SECS,
            creator_recheck_interval: CREATOR_RECHECK_INTERVAL_SECS,
        }),
        "meetings" => serde_json::to_value(mesi_meetings::msg::InstantiateMsg {
            owner: None,
            creators: need("creators")?,
            max_open_auctions: MAX_OPEN_AUCTIONS,
            dispute_window_secs: DISPUTE_WINDOW_SECS,
        }),
        other => bail!("unknown contract {other:?}"),
    };
    Ok(value?)
}

/// The registry's `update_config` naming its five siblings.
pub fn wire_message(contracts: &Contracts) -> anyhow::Result<serde_json::Value> {
    let need = |name: &str| {
        contracts
            .get(name)
            .map(str::to_string)
            .ok_or_else(|| anyhow!("wiring needs the address of {name}"))
    };
    Ok(serde_json::to_value(
        mesi_creators::msg::ExecuteMsg::UpdateConfig {
            treasury: None,
            fees: None,
            accepted_assets: None,
            fiat_gateways: None,
            arbiter: None,
            contracts: Some(mesi_creators::msg::SiblingContracts {
                tips: Some(need("tips")?),
                subscriptions: Some(need("subscriptions")?),
                ppv: Some(need("ppv")?),
                surprises: Some(need("surprises")?),
                meetings: Some(need("meetings")?),
            }),
        },
    )?)
}
