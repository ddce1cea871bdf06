//! The user actions the bench measures, the same on every chain: the suite and the anchors
//! deployed with the bench's own settings, then each action run twice (by another account or
//! on another token first), so first-use writes such as per-fan index entries do not count,
//! for our contracts and the anchors alike. Only the second run is recorded.

use std::collections::BTreeMap;
use std::path::PathBuf;

use mesi_common::commitment::{content_hash, CommitmentInput};
use serde_json::{json, Value};

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

fn msg(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).expect("json serializes")
}

fn native(denom: &str) -> Value {
    json!({ "native": { "denom": denom } })
}

/// Base64 as CosmWasm encodes `Binary`.
fn base64(bytes: &[u8]) -> String {
    cosmwasm_std::Binary::from(bytes).to_base64()
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

    fn exec(&mut self, sender: &str, contract: &str, body: Value, usdc: u128) -> Step<Executed> {
        self.chain
            .execute(sender, contract, &msg(&body), usdc)
            .map_err(|err| format!("{body}: {err}"))
    }

    /// Runs `body` as `first` and then as `second`: the second run is measured.
    fn twice(
        &mut self,
        (first, second): (&str, &str),
        contract: &str,
        body: Value,
        usdc: u128,
    ) -> Step<Measured> {
        self.exec(first, contract, body.clone(), usdc)?;
        Ok(self.exec(second, contract, body, usdc)?.measured)
    }

    fn query(&self, contract: &str, body: Value) -> Step<(Value, Option<Measured>)> {
        let (data, measured) = self
            .chain
            .query(contract, &msg(&body))
            .map_err(|err| format!("{body}: {err}"))?;
        let answer = serde_json::from_slice(&data).map_err(|err| err.to_string())?;
        Ok((answer, measured))
    }

    /// Stores and instantiates `artifact` (relative to the artifacts directory); `None` when
    /// the file does not exist.
    fn deploy(&mut self, artifact: &str, label: &str, init: Value) -> Step<Option<String>> {
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
            .deploy(&owner, &wasm, &msg(&init), label)
            .map(Some)
    }

    fn deploy_all(&mut self, balances: u128) -> Step<Deployed> {
        let r = self.roles;
        let holders: Vec<Value> = [&r.creator, &r.fan, &r.bob, &r.carol]
            .iter()
            .map(|a| json!({ "address": a, "amount": balances.to_string() }))
            .collect();
        let mesi_init = json!({
            "name": "Mesi", "symbol": "MESI", "decimals": 6, "initial_balances": holders,
            "mint": { "minter": r.owner, "cap": null }, "marketing": null,
        });
        let mesi = self
            .deploy("anchors/cw20_base.wasm", "mesi-token", mesi_init)?
            .ok_or("cw20-base anchor missing")?;
        let cw721_init = json!({
            "name": "Anchor", "symbol": "ANC", "collection_info_extension": null,
            "minter": r.creator, "creator": null, "withdraw_address": null,
        });
        let cw721 = self
            .deploy("anchors/cw721_base.wasm", "cw721-anchor", cw721_init)?
            .ok_or("cw721-base anchor missing")?;
        let floor = self
            .deploy("anchors/mesi_floor.wasm", "floor", json!({}))?
            .ok_or("the floor (mesi-floor) missing")?;
        // Every account's first transaction also stores its public key: done here, so that no
        // measured transaction is an account's first.
        for holder in [&r.creator, &r.fan, &r.bob, &r.carol] {
            let warm_up = json!({ "transfer": { "recipient": r.owner, "amount": "1" } });
            self.exec(holder, &mesi, warm_up, 0)?;
        }
        let mut deployed = Deployed {
            mesi: mesi.clone(),
            cw721,
            floor,
            ..Default::default()
        };

        let registry_init = json!({
            "treasury": r.treasury,
            "fees": { "tips": 500, "subscriptions": 1000, "ppv": 1500, "surprise_sales": 250, "meetings": 2000 },
            "accepted_assets": [native(USDC), { "cw20": { "contract": mesi } }],
            "fiat_gateways": [],
            "contracts": {},
        });
        deployed.creators = self.deploy("mesi_creators.wasm", "creators", registry_init)?;
        let Some(registry) = deployed.creators.clone() else {
            return Ok(deployed);
        };
        deployed.tips = self.deploy("mesi_tips.wasm", "tips", json!({ "creators": registry }))?;
        deployed.subscriptions = self.deploy(
            "mesi_subscriptions.wasm",
            "subscriptions",
            json!({ "creators": registry }),
        )?;
        if let Some(subscriptions) = deployed.subscriptions.clone() {
            let init = json!({ "creators": registry, "subscriptions": subscriptions });
            deployed.ppv = self.deploy("mesi_ppv.wasm", "ppv", init)?;
        } else {
            let size = std::fs::metadata(self.artifacts.join("mesi_ppv.wasm"))
                .ok()
                .map(|m| m.len());
            self.sizes.push(("mesi_ppv.wasm".into(), size));
        }
        let surprises_init = json!({
            "name": "Mesi Surprises", "symbol": "SURPRISE", "owner": null,
            "creators": registry, "reveal_window": 7 * DAY,
            "creator_recheck_interval": CREATOR_RECHECK_SECS,
        });
        deployed.surprises = self.deploy("mesi_surprises.wasm", "surprises", surprises_init)?;
        let meetings_init = json!({
            "owner": null, "creators": registry, "max_open_auctions": 5, "dispute_window_secs": 3 * DAY,
        });
        deployed.meetings = self.deploy("mesi_meetings.wasm", "meetings", meetings_init)?;

        let wire = json!({ "update_config": { "contracts": {
            "tips": deployed.tips, "subscriptions": deployed.subscriptions, "ppv": deployed.ppv,
            "surprises": deployed.surprises, "meetings": deployed.meetings,
        } } });
        self.exec(&r.owner, &registry, wire, 0)?;
        // Chat rule: subscribers, or fans who tipped at least 1000 (two sibling queries for a
        // fan who tipped but does not subscribe).
        let rule = json!({ "any": { "rules": [
            { "subscriber": { "min_tier": 1 } },
            { "tipped_at_least": { "asset": native(USDC), "amount": "1000" } },
        ] } });
        let profile = json!({
            "display_name": "Creator", "payout": null, "accepted_assets": [], "tip_minimums": [], "chat_rule": rule,
        });
        self.exec(
            &r.creator,
            &registry,
            json!({ "register_creator": { "profile": profile } }),
            0,
        )?;
        Ok(deployed)
    }

    fn bench_anchors(&mut self, d: &Deployed) {
        let r = self.roles;
        let transfer = |to: &str| json!({ "transfer": { "recipient": to, "amount": "100" } });
        let outcome = self
            .exec(&r.bob, &d.mesi, transfer(&r.fan), 0)
            .and_then(|_| self.exec(&r.fan, &d.mesi, transfer(&r.bob), 0))
            .map(|e| e.measured);
        self.record("cw20_transfer", outcome);
        let balance = json!({ "balance": { "address": r.fan } });
        let outcome = self
            .query(&d.mesi, balance.clone())
            .and_then(|_| self.query(&d.mesi, balance))
            .map(|(_, gas)| gas);
        self.record_query("cw20_balance_query", outcome);

        let mint = |id: &str| json!({ "mint": { "token_id": id, "owner": r.creator, "token_uri": null, "extension": null } });
        let outcome = self
            .exec(&r.creator, &d.cw721, mint("0"), 0)
            .and_then(|_| self.exec(&r.creator, &d.cw721, mint("1"), 0))
            .map(|e| e.measured);
        self.record("cw721_mint", outcome);
        let transfer_nft =
            |id: &str, to: &str| json!({ "transfer_nft": { "recipient": to, "token_id": id } });
        let outcome = self
            .exec(&r.creator, &d.cw721, transfer_nft("0", &r.bob), 0)
            .and_then(|_| self.exec(&r.creator, &d.cw721, transfer_nft("1", &r.fan), 0))
            .map(|e| e.measured);
        self.record("cw721_transfer_nft", outcome);
        let owner_of = json!({ "owner_of": { "token_id": "0", "include_expired": null } });
        let outcome = self.query(&d.cw721, owner_of).map(|(_, gas)| gas);
        self.record_query("cw721_owner_of_query", outcome);

        let pay = json!({ "pay": { "to": r.creator, "fee_to": r.treasury } });
        let outcome = self.twice((&r.carol, &r.fan), &d.floor, pay, 1_000);
        self.record("floor_pay", outcome);
    }

    fn bench_tips(&mut self, d: &Deployed) {
        let Some(tips) = d.tips.clone() else {
            return self.record_missing(&["tip_native", "tip_cw20"], "mesi_tips.wasm");
        };
        let r = self.roles;
        let tip = json!({ "tip": { "creator": r.creator, "context": "profile", "message": null, "anonymous": false } });
        let outcome = self
            .exec(&r.carol, &tips, tip.clone(), 1_000)
            .and_then(|_| self.twice((&r.fan, &r.fan), &tips, tip.clone(), 1_000));
        self.record("tip_native", outcome);

        let send = json!({ "send": {
            "contract": tips, "amount": "1000", "msg": base64(&msg(&tip)),
        } });
        let outcome = self.twice((&r.fan, &r.fan), &d.mesi, send, 0);
        self.record("tip_cw20", outcome);
    }

    fn bench_subscriptions(&mut self, d: &Deployed) -> Step<()> {
        let Some(subs) = d.subscriptions.clone() else {
            self.record_missing(
                &["subscribe", "extend", "upgrade"],
                "mesi_subscriptions.wasm",
            );
            return Ok(());
        };
        let r = self.roles;
        for (tier, price) in [(1, 1_000), (2, 2_000)] {
            let create = json!({ "create_tier": {
                "tier": tier, "asset": native(USDC), "period_seconds": 30 * DAY,
                "terms": { "name": format!("Tier {tier}"), "price": price.to_string(),
                           "subscriber_cap": null, "bundles": [], "trial_seconds": null },
            } });
            self.exec(&r.creator, &subs, create, 0)?;
        }
        let subscribe = json!({ "subscribe": {
            "creator": r.creator, "tier": 1, "periods": 1, "max_price_per_period": "1000", "auto_renew": false,
        } });
        let outcome = self.twice((&r.bob, &r.fan), &subs, subscribe, 1_000);
        self.record("subscribe", outcome);
        let extend = json!({ "extend": { "creator": r.creator, "periods": 1, "max_price_per_period": "1000" } });
        let outcome = self.twice((&r.bob, &r.fan), &subs, extend, 1_000);
        self.record("extend", outcome);
        let upgrade = json!({ "upgrade": { "creator": r.creator, "to_tier": 2, "max_price_per_period": "2000" } });
        let mut upgrade_of = |who: &str| -> Step<Executed> {
            let quote =
                json!({ "upgrade_quote": { "creator": r.creator, "fan": who, "to_tier": 2 } });
            let (quote, _) = self.query(&subs, quote)?;
            let amount: u128 = quote["amount"]
                .as_str()
                .and_then(|a| a.parse().ok())
                .ok_or("bad quote")?;
            self.exec(who, &subs, upgrade.clone(), amount)
        };
        let outcome = upgrade_of(&r.bob)
            .and_then(|_| upgrade_of(&r.fan))
            .map(|e| e.measured);
        self.record("upgrade", outcome);
        Ok(())
    }

    fn bench_ppv(&mut self, d: &Deployed) -> Step<()> {
        let Some(ppv) = d.ppv.clone() else {
            self.record_missing(&["ppv_buy", "has_access"], "mesi_ppv.wasm");
            return Ok(());
        };
        let r = self.roles;
        for (id, free_for_tier) in [("c1", Value::Null), ("c3", json!(1))] {
            let list = json!({ "list_item": {
                "content_id": id, "price": "500", "asset": native(USDC), "sale_ends_at": null, "free_for_tier": free_for_tier,
            } });
            self.exec(&r.creator, &ppv, list, 0)?;
        }
        let buy = json!({ "buy": { "creator": r.creator, "content_id": "c1" } });
        let outcome = self.twice((&r.bob, &r.fan), &ppv, buy, 500);
        self.record("ppv_buy", outcome);
        // A subscriber who did not buy: the item is free for their tier, which takes a query
        // to the subscriptions contract.
        let has_access =
            json!({ "has_access": { "viewer": r.fan, "creator": r.creator, "content_id": "c3" } });
        let outcome = self.query(&ppv, has_access).and_then(|(answer, gas)| {
            if answer["allowed"] != json!(true) {
                return Err(format!(
                    "expected access through the subscription, got {answer}"
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
        let prefix = json!({ "token_id_prefix": { "creator": r.creator } });
        let (prefix, _) = self.query(&surprises, prefix)?;
        let prefix = prefix["prefix"].as_str().ok_or("no prefix")?.to_string();
        let (salt, content) = (SURPRISE_SALT, content_hash(SURPRISE_CONTENT));
        let mut last = BTreeMap::new();
        for label in ["warm", "measured"] {
            let token_id = format!("{prefix}{label}");
            let flow: [(&str, &str, Value, u128); 6] = [
                (
                    KEYS[0],
                    &r.creator,
                    surprise_mint(&surprises, &token_id, &r.creator),
                    0,
                ),
                (
                    KEYS[1],
                    &r.creator,
                    json!({ "transfer_nft": { "recipient": r.fan, "token_id": token_id } }),
                    0,
                ),
                (
                    KEYS[2],
                    &r.fan,
                    json!({ "list": { "token_id": token_id, "asset": native(USDC), "price": "5000", "expires_at": null } }),
                    0,
                ),
                (
                    KEYS[3],
                    &r.bob,
                    json!({ "buy": { "token_id": token_id } }),
                    5_000,
                ),
                (
                    KEYS[4],
                    &r.bob,
                    json!({ "unlock": { "token_id": token_id } }),
                    0,
                ),
                (
                    KEYS[5],
                    &r.creator,
                    json!({ "reveal": { "token_id": token_id, "salt": hex::encode(salt), "content_hash": hex::encode(content) } }),
                    0,
                ),
            ];
            for (key, sender, body, funds) in flow {
                let executed = self.exec(sender, &surprises, body, funds)?;
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
            .exec(&r.creator, &surprises, mint, 0)
            .map(|e| e.measured);
        self.record("surprise_mint_recheck", outcome);
        Ok(())
    }

    /// Two auctions of the same slot, one to warm up and one measured: bid, outbid, settle once
    /// bidding ended, and the fan's confirmation once the slot is over, which pays the creator.
    fn bench_meetings(&mut self, d: &Deployed) -> Step<()> {
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
        let nanos = |seconds: u64| (seconds * 1_000_000_000).to_string();
        let open = json!({ "open_auction": { "auction": {
            "slot": { "start": nanos(bidding_ends), "duration_secs": SLOT_SECS, "time_zone": "UTC" },
            "format": "video", "description": "A video call", "asset": native(USDC), "reserve": "100",
            "min_increment_bps": 500, "bidding_ends_at": nanos(bidding_ends),
            "extension_secs": 0, "buy_now": null,
        } } });
        let mut last: BTreeMap<&str, Measured> = BTreeMap::new();
        let mut auctions = Vec::new();
        for _ in ["warm", "measured"] {
            let opened = self.exec(&r.creator, &meetings, open.clone(), 0)?;
            let auction_id: u64 = opened
                .attribute("auction_id")?
                .parse()
                .map_err(|_| "bad auction id")?;
            let bid = json!({ "bid": { "auction_id": auction_id } });
            last.insert(
                KEYS[0],
                self.exec(&r.fan, &meetings, bid.clone(), 1_000)?.measured,
            );
            last.insert(KEYS[1], self.exec(&r.bob, &meetings, bid, 2_000)?.measured);
            auctions.push(auction_id);
        }
        self.chain.wait_until(bidding_ends)?;
        let mut meeting_ids = Vec::new();
        for auction_id in auctions {
            let settle = json!({ "settle": { "auction_id": auction_id } });
            let settled = self.exec(&r.bob, &meetings, settle, 0)?;
            meeting_ids.push(settled.attribute("meeting_id")?);
            last.insert(KEYS[2], settled.measured);
        }
        self.chain.wait_until(bidding_ends + SLOT_SECS)?;
        for meeting_id in meeting_ids {
            let id: u64 = meeting_id.parse().map_err(|_| "bad meeting id")?;
            let confirm = json!({ "confirm": { "meeting_id": id } });
            last.insert(KEYS[3], self.exec(&r.bob, &meetings, confirm, 0)?.measured);
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
        let query = json!({ "can_message": { "creator": r.creator, "fan": r.carol } });
        let outcome = self.query(&registry, query).and_then(|(answer, gas)| {
            if answer["allowed"] != json!(true) {
                return Err(format!("expected carol to be allowed, got {answer}"));
            }
            Ok(gas)
        });
        self.record_query("can_message", outcome);
    }
}

/// A creator's mint of a sealed surprise with two hints and a 5% royalty, no bond.
fn surprise_mint(contract: &str, token_id: &str, creator: &str) -> Value {
    let content = content_hash(SURPRISE_CONTENT);
    let commitment = CommitmentInput {
        contract,
        token_id,
        creator,
        salt: &SURPRISE_SALT,
        content_hash: &content,
    }
    .commitment();
    json!({ "mint": {
        "token_id": token_id, "owner": null,
        "hints": { "title": "Backstage", "hints": ["recorded in May", "12 minutes"], "category": "video", "preview_uri": null },
        "commitment": hex::encode(commitment), "royalty_bps": 500,
    } })
}
