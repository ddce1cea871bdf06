//! The user actions the bench measures, the same on every chain: the suite and the anchors
//! deployed with the bench's own settings, then each action run twice (by another account or
//! on another token first), so first-use writes such as per-fan index entries do not count,
//! for our contracts and the anchors alike. Only the second run is recorded.
//!
//! Every message is one of the contracts' own types, so a renamed field breaks the build.

use std::collections::BTreeMap;
use std::path::PathBuf;

use cosmwasm_std::{Binary, Empty, HexBinary, Timestamp, Uint128};
use cw20::Cw20ExecuteMsg;
use mesi_common::chat_rule::{CanMessageResponse, ChatRule};
use mesi_common::commitment::{content_hash, CommitmentInput};
use mesi_common::events::meetings::MeetingFormat;
use mesi_common::interfaces::tips::TipContext;
use mesi_common::AssetInfo;
use mesi_deployment::{instantiate_message, Contracts, DeployParams, REVEAL_WINDOW_SECS};
use mesi_surprises::msg::ExecuteMsg as SurprisesMsg;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::chain::{BenchChain, Executed, Measured, Step, USDC};

const DAY: u64 = 86_400;
/// Mints without a bond trust the registry's "active" answer this long (seconds): long enough
/// for the measured mint to use the answer of the one before, short enough to wait out.
const CREATOR_RECHECK_SECS: u64 = 60;
/// A meeting auction's bidding time: room for a bid and an outbid in real blocks.
const BIDDING_SECS: u64 = 30;
/// The shortest slot the meetings contract takes.
const SLOT_SECS: u64 = 300;

pub const SURPRISE_SALT: [u8; 32] = [7; 32];
pub const SURPRISE_CONTENT: &[u8] = b"the surprise content";

/// The outcome of one measurement.
pub enum Outcome {
    Measured(Measured),
    /// A query on a chain that reports no gas for queries (a node over RPC).
    NoGas,
    /// The contract's artifact is not built.
    Missing(String),
    Failed(String),
}

/// The accounts that act.
pub struct Roles {
    pub owner: String,
    pub treasury: String,
    pub creator: String,
    pub fan: String,
    pub bob: String,
    pub carol: String,
}

/// Addresses of the deployed contracts (absent when their artifact is missing).
#[derive(Default)]
pub struct Deployed {
    mesi: String,
    cw721: String,
    floor: String,
    creators: Option<String>,
    tips: Option<String>,
    subscriptions: Option<String>,
    ppv: Option<String>,
    surprises: Option<String>,
    meetings: Option<String>,
}

pub struct Bench<'c> {
    chain: &'c mut dyn BenchChain,
    artifacts: PathBuf,
    roles: &'c Roles,
    pub results: BTreeMap<&'static str, Outcome>,
    pub sizes: Vec<(String, Option<u64>)>,
}

/// A message as JSON. Through `Value`, whose keys are sorted, so the bytes sent do not depend
/// on the order of a type's fields.
fn json(msg: &impl Serialize) -> Value {
    serde_json::to_value(msg).expect("messages serialize")
}

fn bytes(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).expect("json serializes")
}

fn usdc() -> AssetInfo {
    AssetInfo::native(USDC)
}

impl<'c> Bench<'c> {
    pub fn new(chain: &'c mut dyn BenchChain, artifacts: PathBuf, roles: &'c Roles) -> Self {
        Bench {
            chain,
            artifacts,
            roles,
            results: BTreeMap::new(),
            sizes: Vec::new(),
        }
    }

    /// Deploys everything and measures every action; `Err` when the setup of a flow failed.
    pub fn run(&mut self, balances: u128) -> Step<()> {
        let deployed = self.deploy_all(balances)?;
        self.bench_anchors(&deployed);
        self.bench_tips(&deployed);
        let flows = [
            (
                "subscriptions",
                Bench::bench_subscriptions as fn(&mut Bench<'c>, &Deployed) -> Step<()>,
            ),
            ("ppv", Bench::bench_ppv),
            ("surprises", Bench::bench_surprises),
            ("meetings", Bench::bench_meetings),
        ];
        let mut failed = Vec::new();
        for (name, flow) in flows {
            if let Err(err) = flow(self, &deployed) {
                eprintln!("  {name}: setup FAILED: {err}");
                failed.push(name);
            }
        }
        self.bench_can_message(&deployed);
        if failed.is_empty() {
            Ok(())
        } else {
            Err(format!("setup failed: {}", failed.join(", ")))
        }
    }

    fn record(&mut self, key: &'static str, outcome: Step<Measured>) {
        let outcome = match outcome {
            Ok(measured) => Outcome::Measured(measured),
            Err(err) => {
                eprintln!("  {key}: FAILED: {err}");
                Outcome::Failed(err)
            }
        };
        self.results.insert(key, outcome);
    }

    fn record_query(&mut self, key: &'static str, outcome: Step<Option<Measured>>) {
        match outcome {
            Ok(None) => {
                self.results.insert(key, Outcome::NoGas);
            }
            Ok(Some(measured)) => self.record(key, Ok(measured)),
            Err(err) => self.record(key, Err(err)),
        }
    }

    fn record_missing(&mut self, keys: &[&'static str], artifact: &str) {
        for key in keys {
            self.results
                .insert(key, Outcome::Missing(artifact.to_string()));
        }
    }

    fn exec(
        &mut self,
        sender: &str,
        contract: &str,
        body: &impl Serialize,
        usdc: u128,
    ) -> Step<Executed> {
        let body = json(body);
        self.chain
            .execute(sender, contract, &bytes(&body), usdc)
            .map_err(|err| format!("{body}: {err}"))
    }

    /// Runs `body` as `first` and then as `second`: the second run is measured.
    fn twice(
        &mut self,
        (first, second): (&str, &str),
        contract: &str,
        body: &impl Serialize,
        usdc: u128,
    ) -> Step<Measured> {
        self.exec(first, contract, body, usdc)?;
        Ok(self.exec(second, contract, body, usdc)?.measured)
    }

    fn query<T: DeserializeOwned>(
        &self,
        contract: &str,
        body: &impl Serialize,
    ) -> Step<(T, Option<Measured>)> {
        let body = json(body);
        let (data, measured) = self
            .chain
            .query(contract, &bytes(&body))
            .map_err(|err| format!("{body}: {err}"))?;
        let answer = serde_json::from_slice(&data).map_err(|err| format!("{body}: {err}"))?;
        Ok((answer, measured))
    }

    /// Stores and instantiates `artifact` (relative to the artifacts directory); `None` when
    /// the file does not exist.
    fn deploy(
        &mut self,
        artifact: &str,
        label: &str,
        init: &impl Serialize,
    ) -> Step<Option<String>> {
        let path = self.artifacts.join(artifact);
        let Ok(wasm) = std::fs::read(&path) else {
            eprintln!("  {artifact}: not built, skipped");
            self.sizes.push((artifact.to_string(), None));
            return Ok(None);
        };
        self.sizes
            .push((artifact.to_string(), Some(wasm.len() as u64)));
        let owner = self.roles.owner.clone();
        self.chain
            .deploy(&owner, &wasm, &bytes(&json(init)), label)
            .map(Some)
    }

    /// The anchors, then the suite with the deployment plan's messages (but a surprises
    /// recheck interval short enough to wait out), wired and with one registered creator.
    fn deploy_all(&mut self, balances: u128) -> Step<Deployed> {
        let r = self.roles;
        let holders = [&r.creator, &r.fan, &r.bob, &r.carol];
        let params = DeployParams {
            owner: r.owner.clone(),
            treasury: r.treasury.clone(),
            fiat_gateways: vec![],
            stable_denom: USDC.into(),
            mesi_balances: holders.iter().map(|a| (a.to_string(), balances)).collect(),
        };
        let mut suite = Contracts::default();
        let plan = |name: &str, suite: &Contracts| {
            instantiate_message(name, &params, suite).map_err(|err| format!("{name}: {err:#}"))
        };
        let mesi = self
            .deploy(
                "anchors/cw20_base.wasm",
                "mesi-token",
                &plan("mesi_token", &suite)?,
            )?
            .ok_or("cw20-base anchor missing")?;
        suite.set("mesi_token", mesi.clone());
        let cw721_init = cw721_base::msg::InstantiateMsg {
            name: "Anchor".into(),
            symbol: "ANC".into(),
            collection_info_extension: None,
            minter: Some(r.creator.clone()),
            creator: None,
            withdraw_address: None,
        };
        let cw721 = self
            .deploy("anchors/cw721_base.wasm", "cw721-anchor", &cw721_init)?
            .ok_or("cw721-base anchor missing")?;
        let floor = self
            .deploy("anchors/mesi_floor.wasm", "floor", &Empty {})?
            .ok_or("the floor (mesi-floor) missing")?;
        // Every account's first transaction also stores its public key: done here, so that no
        // measured transaction is an account's first.
        for holder in holders {
            let warm_up = Cw20ExecuteMsg::Transfer {
                recipient: r.owner.clone(),
                amount: Uint128::one(),
            };
            self.exec(holder, &mesi, &warm_up, 0)?;
        }
        let mut deployed = Deployed {
            mesi,
            cw721,
            floor,
            ..Default::default()
        };

        deployed.creators =
            self.deploy("mesi_creators.wasm", "creators", &plan("creators", &suite)?)?;
        let Some(registry) = deployed.creators.clone() else {
            return Ok(deployed);
        };
        suite.set("creators", registry.clone());
        deployed.tips = self.deploy("mesi_tips.wasm", "tips", &plan("tips", &suite)?)?;
        deployed.subscriptions = self.deploy(
            "mesi_subscriptions.wasm",
            "subscriptions",
            &plan("subscriptions", &suite)?,
        )?;
        if let Some(subscriptions) = deployed.subscriptions.clone() {
            suite.set("subscriptions", subscriptions);
            deployed.ppv = self.deploy("mesi_ppv.wasm", "ppv", &plan("ppv", &suite)?)?;
        } else {
            let size = std::fs::metadata(self.artifacts.join("mesi_ppv.wasm"))
                .ok()
                .map(|m| m.len());
            self.sizes.push(("mesi_ppv.wasm".into(), size));
        }
        let surprises_init = mesi_surprises::msg::InstantiateMsg {
            name: "Mesi Surprises".into(),
            symbol: "SURPRISE".into(),
            owner: None,
            creators: registry.clone(),
            reveal_window: REVEAL_WINDOW_SECS,
            creator_recheck_interval: CREATOR_RECHECK_SECS,
        };
        deployed.surprises = self.deploy("mesi_surprises.wasm", "surprises", &surprises_init)?;
        deployed.meetings =
            self.deploy("mesi_meetings.wasm", "meetings", &plan("meetings", &suite)?)?;

        let wire = mesi_creators::msg::ExecuteMsg::UpdateConfig {
            treasury: None,
            fees: None,
            accepted_assets: None,
            fiat_gateways: None,
            arbiter: None,
            contracts: Some(mesi_creators::msg::SiblingContracts {
                tips: deployed.tips.clone(),
                subscriptions: deployed.subscriptions.clone(),
                ppv: deployed.ppv.clone(),
                surprises: deployed.surprises.clone(),
                meetings: deployed.meetings.clone(),
            }),
        };
        self.exec(&r.owner, &registry, &wire, 0)?;
        // Chat rule: subscribers, or fans who tipped at least 1000 (two sibling queries for a
        // fan who tipped but does not subscribe).
        let chat_rule = ChatRule::Any {
            rules: vec![
                ChatRule::Subscriber { min_tier: 1 },
                ChatRule::TippedAtLeast {
                    asset: usdc(),
                    amount: 1_000u128.into(),
                },
            ],
        };
        let register = mesi_creators::msg::ExecuteMsg::RegisterCreator {
            profile: mesi_creators::msg::ProfileInput {
                display_name: "Creator".into(),
                payout: None,
                accepted_assets: vec![],
                tip_minimums: vec![],
                chat_rule,
            },
        };
        self.exec(&r.creator, &registry, &register, 0)?;
        Ok(deployed)
    }

    fn bench_anchors(&mut self, d: &Deployed) {
        let r = self.roles;
        let transfer = |to: &str| Cw20ExecuteMsg::Transfer {
            recipient: to.to_string(),
            amount: 100u128.into(),
        };
        let outcome = self
            .exec(&r.bob, &d.mesi, &transfer(&r.fan), 0)
            .and_then(|_| self.exec(&r.fan, &d.mesi, &transfer(&r.bob), 0))
            .map(|e| e.measured);
        self.record("cw20_transfer", outcome);
        let balance = cw20::Cw20QueryMsg::Balance {
            address: r.fan.clone(),
        };
        let outcome = self
            .query::<cw20::BalanceResponse>(&d.mesi, &balance)
            .and_then(|_| self.query::<cw20::BalanceResponse>(&d.mesi, &balance))
            .map(|(_, gas)| gas);
        self.record_query("cw20_balance_query", outcome);

        let mint = |id: &str| cw721_base::msg::ExecuteMsg::Mint {
            token_id: id.to_string(),
            owner: r.creator.clone(),
            token_uri: None,
            extension: None,
        };
        let outcome = self
            .exec(&r.creator, &d.cw721, &mint("0"), 0)
            .and_then(|_| self.exec(&r.creator, &d.cw721, &mint("1"), 0))
            .map(|e| e.measured);
        self.record("cw721_mint", outcome);
        let transfer_nft = |id: &str, to: &str| cw721_base::msg::ExecuteMsg::TransferNft {
            recipient: to.to_string(),
            token_id: id.to_string(),
        };
        let outcome = self
            .exec(&r.creator, &d.cw721, &transfer_nft("0", &r.bob), 0)
            .and_then(|_| self.exec(&r.creator, &d.cw721, &transfer_nft("1", &r.fan), 0))
            .map(|e| e.measured);
        self.record("cw721_transfer_nft", outcome);
        let owner_of = cw721_base::msg::QueryMsg::OwnerOf {
            token_id: "0".into(),
            include_expired: None,
        };
        let outcome = self
            .query::<cw721::msg::OwnerOfResponse>(&d.cw721, &owner_of)
            .map(|(_, gas)| gas);
        self.record_query("cw721_owner_of_query", outcome);

        let pay = mesi_floor::ExecuteMsg::Pay {
            to: r.creator.clone(),
            fee_to: r.treasury.clone(),
        };
        let outcome = self.twice((&r.carol, &r.fan), &d.floor, &pay, 1_000);
        self.record("floor_pay", outcome);
    }

    fn bench_tips(&mut self, d: &Deployed) {
        let Some(tips) = d.tips.clone() else {
            return self.record_missing(&["tip_native", "tip_cw20"], "mesi_tips.wasm");
        };
        let r = self.roles;
        let tip = mesi_tips::msg::ExecuteMsg::Tip {
            creator: r.creator.clone(),
            context: TipContext::Profile,
            message: None,
            anonymous: false,
        };
        let outcome = self
            .exec(&r.carol, &tips, &tip, 1_000)
            .and_then(|_| self.twice((&r.fan, &r.fan), &tips, &tip, 1_000));
        self.record("tip_native", outcome);

        let hook = mesi_tips::msg::TipHookMsg::Tip {
            creator: r.creator.clone(),
            context: TipContext::Profile,
            message: None,
            anonymous: false,
        };
        let send = Cw20ExecuteMsg::Send {
            contract: tips,
            amount: 1_000u128.into(),
            msg: Binary::new(bytes(&json(&hook))),
        };
        let outcome = self.twice((&r.fan, &r.fan), &d.mesi, &send, 0);
        self.record("tip_cw20", outcome);
    }

    fn bench_subscriptions(&mut self, d: &Deployed) -> Step<()> {
        use mesi_subscriptions::msg::{ExecuteMsg, QueryMsg, QuoteResponse, TierTerms};
        let Some(subs) = d.subscriptions.clone() else {
            self.record_missing(
                &["subscribe", "extend", "upgrade"],
                "mesi_subscriptions.wasm",
            );
            return Ok(());
        };
        let r = self.roles;
        for (tier, price) in [(1, 1_000u128), (2, 2_000)] {
            let create = ExecuteMsg::CreateTier {
                tier,
                asset: usdc(),
                period_seconds: 30 * DAY,
                terms: TierTerms {
                    name: format!("Tier {tier}"),
                    price: price.into(),
                    subscriber_cap: None,
                    bundles: vec![],
                    trial_seconds: None,
                },
            };
            self.exec(&r.creator, &subs, &create, 0)?;
        }
        let subscribe = ExecuteMsg::Subscribe {
            creator: r.creator.clone(),
            tier: 1,
            periods: 1,
            max_price_per_period: 1_000u128.into(),
            auto_renew: false,
        };
        let outcome = self.twice((&r.bob, &r.fan), &subs, &subscribe, 1_000);
        self.record("subscribe", outcome);
        let extend = ExecuteMsg::Extend {
            creator: r.creator.clone(),
            periods: 1,
            max_price_per_period: 1_000u128.into(),
        };
        let outcome = self.twice((&r.bob, &r.fan), &subs, &extend, 1_000);
        self.record("extend", outcome);
        let upgrade = ExecuteMsg::Upgrade {
            creator: r.creator.clone(),
            to_tier: 2,
            max_price_per_period: 2_000u128.into(),
        };
        let mut upgrade_of = |who: &str| -> Step<Executed> {
            let quote = QueryMsg::UpgradeQuote {
                creator: r.creator.clone(),
                fan: who.to_string(),
                to_tier: 2,
            };
            let (quote, _) = self.query::<QuoteResponse>(&subs, &quote)?;
            self.exec(who, &subs, &upgrade, quote.amount.u128())
        };
        let outcome = upgrade_of(&r.bob)
            .and_then(|_| upgrade_of(&r.fan))
            .map(|e| e.measured);
        self.record("upgrade", outcome);
        Ok(())
    }

    fn bench_ppv(&mut self, d: &Deployed) -> Step<()> {
        use mesi_ppv::msg::{AccessResponse, ExecuteMsg, QueryMsg};
        let Some(ppv) = d.ppv.clone() else {
            self.record_missing(&["ppv_buy", "has_access"], "mesi_ppv.wasm");
            return Ok(());
        };
        let r = self.roles;
        for (id, free_for_tier) in [("c1", None), ("c3", Some(1))] {
            let list = ExecuteMsg::ListItem {
                content_id: id.into(),
                price: 500u128.into(),
                asset: usdc(),
                sale_ends_at: None,
                free_for_tier,
            };
            self.exec(&r.creator, &ppv, &list, 0)?;
        }
        let buy = ExecuteMsg::Buy {
            creator: r.creator.clone(),
            content_id: "c1".into(),
        };
        let outcome = self.twice((&r.bob, &r.fan), &ppv, &buy, 500);
        self.record("ppv_buy", outcome);
        // A subscriber who did not buy: the item is free for their tier, which takes a query
        // to the subscriptions contract.
        let has_access = QueryMsg::HasAccess {
            viewer: r.fan.clone(),
            creator: r.creator.clone(),
            content_id: "c3".into(),
        };
        let outcome = self
            .query::<AccessResponse>(&ppv, &has_access)
            .and_then(|(answer, gas)| {
                if !answer.allowed {
                    return Err(format!(
                        "expected access through the subscription, got {}",
                        json(&answer)
                    ));
                }
                Ok(gas)
            });
        self.record_query("has_access", outcome);
        Ok(())
    }

    fn bench_surprises(&mut self, d: &Deployed) -> Step<()> {
        const KEYS: [&str; 6] = [
            "surprise_mint",
            "surprise_transfer",
            "surprise_list",
            "surprise_buy",
            "surprise_unlock",
            "surprise_reveal",
        ];
        let Some(surprises) = d.surprises.clone() else {
            self.record_missing(&KEYS, "mesi_surprises.wasm");
            self.record_missing(&["surprise_mint_recheck"], "mesi_surprises.wasm");
            return Ok(());
        };
        let r = self.roles;
        let prefix = mesi_surprises::msg::QueryMsg::TokenIdPrefix {
            creator: r.creator.clone(),
        };
        let (prefix, _) =
            self.query::<mesi_surprises::msg::TokenIdPrefixResponse>(&surprises, &prefix)?;
        let prefix = prefix.prefix;
        let mut last = BTreeMap::new();
        for label in ["warm", "measured"] {
            let token_id = format!("{prefix}{label}");
            let flow: [(&str, &str, SurprisesMsg, u128); 6] = [
                (
                    KEYS[0],
                    &r.creator,
                    surprise_mint(&surprises, &token_id, &r.creator),
                    0,
                ),
                (
                    KEYS[1],
                    &r.creator,
                    SurprisesMsg::TransferNft {
                        recipient: r.fan.clone(),
                        token_id: token_id.clone(),
                    },
                    0,
                ),
                (
                    KEYS[2],
                    &r.fan,
                    SurprisesMsg::List {
                        token_id: token_id.clone(),
                        asset: usdc(),
                        price: 5_000u128.into(),
                        expires_at: None,
                    },
                    0,
                ),
                (
                    KEYS[3],
                    &r.bob,
                    SurprisesMsg::Buy {
                        token_id: token_id.clone(),
                    },
                    5_000,
                ),
                (
                    KEYS[4],
                    &r.bob,
                    SurprisesMsg::Unlock {
                        token_id: token_id.clone(),
                    },
                    0,
                ),
                (
                    KEYS[5],
                    &r.creator,
                    SurprisesMsg::Reveal {
                        token_id: token_id.clone(),
                        salt: HexBinary::from(SURPRISE_SALT),
                        content_hash: HexBinary::from(content_hash(SURPRISE_CONTENT)),
                    },
                    0,
                ),
            ];
            for (key, sender, body, funds) in flow {
                let executed = self.exec(sender, &surprises, &body, funds)?;
                last.insert(key, executed.measured);
            }
        }
        for key in KEYS {
            self.record(key, last.remove(key).ok_or("not measured".to_string()));
        }
        // Past the contract's recheck interval the registry is asked again.
        let now = self.chain.now()?;
        self.chain.wait_until(now + CREATOR_RECHECK_SECS + 1)?;
        let token_id = format!("{prefix}recheck");
        let mint = surprise_mint(&surprises, &token_id, &r.creator);
        let outcome = self
            .exec(&r.creator, &surprises, &mint, 0)
            .map(|e| e.measured);
        self.record("surprise_mint_recheck", outcome);
        Ok(())
    }

    /// Two auctions of the same slot, one to warm up and one measured: bid, outbid, settle once
    /// bidding ended, and the fan's confirmation once the slot is over, which pays the creator.
    fn bench_meetings(&mut self, d: &Deployed) -> Step<()> {
        use mesi_meetings::msg::{AuctionInput, ExecuteMsg};
        const KEYS: [&str; 4] = [
            "meeting_bid",
            "meeting_outbid",
            "meeting_settle",
            "meeting_confirm",
        ];
        let Some(meetings) = d.meetings.clone() else {
            self.record_missing(&KEYS, "mesi_meetings.wasm");
            return Ok(());
        };
        let r = self.roles;
        let bidding_ends = self.chain.now()? + BIDDING_SECS;
        let open = ExecuteMsg::OpenAuction {
            auction: AuctionInput {
                slot: mesi_meetings::state::Slot {
                    start: Timestamp::from_seconds(bidding_ends),
                    duration_secs: SLOT_SECS,
                    time_zone: "UTC".into(),
                },
                format: MeetingFormat::Video,
                description: "A video call".into(),
                asset: usdc(),
                reserve: 100u128.into(),
                min_increment_bps: 500,
                bidding_ends_at: Timestamp::from_seconds(bidding_ends),
                extension_secs: 0,
                buy_now: None,
            },
        };
        let mut last: BTreeMap<&str, Measured> = BTreeMap::new();
        let mut auctions = Vec::new();
        for _ in ["warm", "measured"] {
            let opened = self.exec(&r.creator, &meetings, &open, 0)?;
            let auction_id: u64 = opened
                .attribute("auction_id")?
                .parse()
                .map_err(|_| "bad auction id")?;
            let bid = ExecuteMsg::Bid { auction_id };
            last.insert(KEYS[0], self.exec(&r.fan, &meetings, &bid, 1_000)?.measured);
            last.insert(KEYS[1], self.exec(&r.bob, &meetings, &bid, 2_000)?.measured);
            auctions.push(auction_id);
        }
        self.chain.wait_until(bidding_ends)?;
        let mut meeting_ids = Vec::new();
        for auction_id in auctions {
            let settle = ExecuteMsg::Settle { auction_id };
            let settled = self.exec(&r.bob, &meetings, &settle, 0)?;
            meeting_ids.push(settled.attribute("meeting_id")?);
            last.insert(KEYS[2], settled.measured);
        }
        self.chain.wait_until(bidding_ends + SLOT_SECS)?;
        for meeting_id in meeting_ids {
            let meeting_id: u64 = meeting_id.parse().map_err(|_| "bad meeting id")?;
            let confirm = ExecuteMsg::Confirm { meeting_id };
            last.insert(KEYS[3], self.exec(&r.bob, &meetings, &confirm, 0)?.measured);
        }
        for key in KEYS {
            self.record(key, last.remove(key).ok_or("not measured".to_string()));
        }
        Ok(())
    }

    fn bench_can_message(&mut self, d: &Deployed) {
        let Some(registry) = d.creators.clone() else {
            return self.record_missing(&["can_message"], "mesi_creators.wasm");
        };
        let r = self.roles;
        // Carol tipped 1000 and does not subscribe: the registry asks subscriptions, then tips.
        let query = mesi_creators::msg::QueryMsg::CanMessage {
            creator: r.creator.clone(),
            fan: r.carol.clone(),
        };
        let outcome = self
            .query::<CanMessageResponse>(&registry, &query)
            .and_then(|(answer, gas)| {
                if !answer.allowed {
                    return Err(format!(
                        "expected carol to be allowed, got {}",
                        json(&answer)
                    ));
                }
                Ok(gas)
            });
        self.record_query("can_message", outcome);
    }
}

/// A creator's mint of a sealed surprise with two hints and a 5% royalty, no bond.
fn surprise_mint(contract: &str, token_id: &str, creator: &str) -> SurprisesMsg {
    let content = content_hash(SURPRISE_CONTENT);
    let commitment = CommitmentInput {
        contract,
        token_id,
        creator,
        salt: &SURPRISE_SALT,
        content_hash: &content,
    }
    .commitment();
    SurprisesMsg::Mint(mesi_surprises::msg::MintMsg {
        token_id: token_id.to_string(),
        owner: None,
        hints: mesi_surprises::msg::Hints {
            title: "Backstage".into(),
            hints: vec!["recorded in May".into(), "12 minutes".into()],
            category: "video".into(),
            preview_uri: None,
        },
        commitment: HexBinary::from(commitment),
        royalty_bps: 500,
    })
}
