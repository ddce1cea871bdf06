//! Gas of every Mesi user action on cosmwasm-vm with wasmd's gas model (`mesi-chain`), next to
//! the same measurement of cw20-base and cw721-base built the same way, plus artifact sizes.
//!
//! Usage: `mesi-bench [ARTIFACTS_DIR]` (default: the repository's `artifacts/`, with the
//! anchors in `artifacts/anchors/`). Prints Markdown tables on stdout; progress on stderr.
//! `scripts/bench-gas` builds what is needed, runs this and puts the tables in the README.
//!
//! Each action is measured in steady state: the same action ran once before (by another
//! account or on another token), so first-use writes such as per-fan index entries do not
//! count, for our contracts and the anchors alike. Gas is the transaction's `gas_used` without
//! the ante handler (signature, size and fee), which is the same for every contract call.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use mesi_chain::{coins, Chain, ChainConfig, GasBreakdown, TxResult};
use mesi_common::commitment::{content_hash, CommitmentInput};
use serde_json::{json, Value};

const USDC: &str = "uusdc";
const DAY: u64 = 86_400;
const FUNDS: u128 = 1_000_000_000_000;

/// Where gas went in one measured action.
#[derive(Clone, Debug, Default)]
struct Measured {
    gas: u64,
    breakdown: GasBreakdown,
    in_sub_queries: u64,
    sub_queries: usize,
}

impl Measured {
    fn of_tx(result: &TxResult) -> Self {
        let mut measured = Measured {
            gas: result.gas_used,
            ..Default::default()
        };
        for call in &result.calls {
            add(&mut measured.breakdown, &call.breakdown);
            measured.in_sub_queries += call.in_sub_queries;
            measured.sub_queries += call.sub_queries.len();
        }
        measured
    }

    /// Only the transaction's own (depth 0) call: a token's part of a `send`.
    fn of_first_call(result_calls: &[mesi_chain::CallGas]) -> Self {
        let call = &result_calls[0];
        Measured {
            gas: call.gas,
            breakdown: call.breakdown,
            in_sub_queries: call.in_sub_queries,
            sub_queries: call.sub_queries.len(),
        }
    }

    fn of_query(result: &mesi_chain::QueryResult) -> Self {
        Measured {
            gas: result.gas_used,
            breakdown: result.breakdown,
            in_sub_queries: result.sub_queries.iter().map(|q| q.gas).sum(),
            sub_queries: result.sub_queries.len(),
        }
    }
}

fn add(total: &mut GasBreakdown, part: &GasBreakdown) {
    total.setup += part.setup;
    total.wasm += part.wasm;
    total.response += part.response;
    total.contract_reads += part.contract_reads;
    total.contract_writes += part.contract_writes;
    total.module_storage += part.module_storage;
    total.events += part.events;
}

/// The outcome of one measurement.
enum Outcome {
    Measured(Measured),
    /// The contract's artifact is not built (the contract does not exist yet).
    Missing(String),
    Failed(String),
}

type Step<T> = Result<T, String>;

fn msg(value: Value) -> Vec<u8> {
    serde_json::to_vec(&value).expect("json serializes")
}

fn native(denom: &str) -> Value {
    json!({ "native": { "denom": denom } })
}

/// Finds the first attribute `key` in the transaction's events.
fn attribute(result: &TxResult, key: &str) -> Step<String> {
    result
        .events
        .iter()
        .flat_map(|e| e.attributes.iter())
        .find(|a| a.key == key)
        .map(|a| a.value.clone())
        .ok_or_else(|| format!("no `{key}` attribute in the events"))
}

struct Bench {
    chain: Chain,
    artifacts: PathBuf,
    owner: String,
    creator: String,
    fan: String,
    bob: String,
    carol: String,
    treasury: String,
    results: BTreeMap<&'static str, Outcome>,
    sizes: Vec<(String, Option<u64>)>,
}

/// Addresses of the deployed contracts (absent when their artifact is missing).
#[derive(Default)]
struct Deployed {
    mesi: String,
    cw721: String,
    creators: Option<String>,
    tips: Option<String>,
    subscriptions: Option<String>,
    ppv: Option<String>,
    surprises: Option<String>,
    meetings: Option<String>,
}

impl Bench {
    fn new(artifacts: PathBuf) -> Self {
        let chain = Chain::new(ChainConfig::default()).expect("chain starts");
        let name = |n: &str| chain.addr_make(n);
        Bench {
            owner: name("owner"),
            creator: name("creator"),
            fan: name("fan"),
            bob: name("bob"),
            carol: name("carol"),
            treasury: name("treasury"),
            chain,
            artifacts,
            results: BTreeMap::new(),
            sizes: Vec::new(),
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

    fn record_missing(&mut self, keys: &[&'static str], artifact: &str) {
        for key in keys {
            self.results
                .insert(key, Outcome::Missing(artifact.to_string()));
        }
    }

    fn exec(&mut self, sender: &str, contract: &str, body: Value, funds: u128) -> Step<TxResult> {
        let funds = if funds == 0 {
            vec![]
        } else {
            coins(funds, USDC)
        };
        self.chain
            .execute(sender, contract, &msg(body.clone()), &funds)
            .map_err(|err| format!("{body}: {}", err.log))
    }

    fn query(&self, contract: &str, body: Value) -> Step<Value> {
        let result = self
            .chain
            .query(contract, &msg(body.clone()))
            .map_err(|err| format!("{body}: {err}"))?;
        serde_json::from_slice(&result.data).map_err(|err| err.to_string())
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
        let owner = self.owner.clone();
        let code_id = self
            .chain
            .store_code(&owner, &wasm)
            .map_err(|err| format!("store {artifact}: {}", err.log))?
            .code_id
            .expect("store_code sets the code id");
        let result = self
            .chain
            .instantiate(&owner, code_id, &msg(init), &[], label, Some(&owner))
            .map_err(|err| format!("instantiate {artifact}: {}", err.log))?;
        Ok(result.contract_address)
    }

    fn deploy_all(&mut self) -> Step<Deployed> {
        for account in [
            &self.owner,
            &self.creator,
            &self.fan,
            &self.bob,
            &self.carol,
        ] {
            self.chain
                .fund(account, &coins(FUNDS, USDC))
                .map_err(|e| e.to_string())?;
        }
        let balances: Vec<Value> = [&self.creator, &self.fan, &self.bob, &self.carol]
            .iter()
            .map(|a| json!({ "address": a, "amount": FUNDS.to_string() }))
            .collect();
        let mesi_init = json!({
            "name": "Mesi", "symbol": "MESI", "decimals": 6, "initial_balances": balances,
            "mint": { "minter": self.owner, "cap": null }, "marketing": null,
        });
        let mesi = self
            .deploy("anchors/cw20_base.wasm", "mesi-token", mesi_init)?
            .ok_or("cw20-base anchor missing")?;
        let cw721_init = json!({
            "name": "Anchor", "symbol": "ANC", "collection_info_extension": null,
            "minter": self.creator, "creator": null, "withdraw_address": null,
        });
        let cw721 = self
            .deploy("anchors/cw721_base.wasm", "cw721-anchor", cw721_init)?
            .ok_or("cw721-base anchor missing")?;
        let mut deployed = Deployed {
            mesi: mesi.clone(),
            cw721,
            ..Default::default()
        };

        let registry_init = json!({
            "treasury": self.treasury,
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
            self.sizes.push((
                "mesi_ppv.wasm".into(),
                file_size(&self.artifacts.join("mesi_ppv.wasm")),
            ));
        }
        let surprises_init = json!({
            "name": "Mesi Surprises", "symbol": "SURPRISE", "owner": null,
            "creators": registry, "reveal_window": 7 * DAY,
            // Mints without a bond trust the registry's "active" answer for an hour.
            "creator_recheck_interval": 3_600,
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
        let owner = self.owner.clone();
        self.exec(&owner, &registry, wire, 0)?;
        // Chat rule: subscribers, or fans who tipped at least 1000 (two sibling queries for a
        // fan who tipped but does not subscribe).
        let rule = json!({ "any": { "rules": [
            { "subscriber": { "min_tier": 1 } },
            { "tipped_at_least": { "asset": native(USDC), "amount": "1000" } },
        ] } });
        let profile = json!({
            "display_name": "Creator", "payout": null, "accepted_assets": [], "tip_minimums": [], "chat_rule": rule,
        });
        let creator = self.creator.clone();
        self.exec(
            &creator,
            &registry,
            json!({ "register_creator": { "profile": profile } }),
            0,
        )?;
        Ok(deployed)
    }

    fn bench_anchors(&mut self, d: &Deployed) {
        let (fan, bob, creator) = (self.fan.clone(), self.bob.clone(), self.creator.clone());
        let transfer = |to: &str| json!({ "transfer": { "recipient": to, "amount": "100" } });
        let outcome = self
            .exec(&bob, &d.mesi, transfer(&fan), 0)
            .and_then(|_| self.exec(&fan, &d.mesi, transfer(&bob), 0))
            .map(|r| Measured::of_tx(&r));
        self.record("cw20_transfer", outcome);
        let outcome = self
            .query(&d.mesi, json!({ "balance": { "address": fan } }))
            .and_then(|_| {
                let result = self
                    .chain
                    .query(&d.mesi, &msg(json!({ "balance": { "address": fan } })))
                    .map_err(|e| e.to_string())?;
                Ok(Measured::of_query(&result))
            });
        self.record("cw20_balance_query", outcome);

        let mint = |id: &str, owner: &str| json!({ "mint": { "token_id": id, "owner": owner, "token_uri": null, "extension": null } });
        let outcome = self
            .exec(&creator, &d.cw721, mint("0", &creator), 0)
            .and_then(|_| self.exec(&creator, &d.cw721, mint("1", &creator), 0))
            .map(|r| Measured::of_tx(&r));
        self.record("cw721_mint", outcome);
        let transfer_nft =
            |id: &str, to: &str| json!({ "transfer_nft": { "recipient": to, "token_id": id } });
        let outcome = self
            .exec(&creator, &d.cw721, transfer_nft("0", &bob), 0)
            .and_then(|_| self.exec(&creator, &d.cw721, transfer_nft("1", &fan), 0))
            .map(|r| Measured::of_tx(&r));
        self.record("cw721_transfer_nft", outcome);
        // No receiver accepts the NFT here: the token's own part of `send_nft` is measured (the
        // receiver's hook fails and is not counted).
        let send_nft =
            json!({ "send_nft": { "contract": d.mesi, "token_id": "1", "msg": "e30=" } });
        let outcome = match self.chain.execute(&fan, &d.cw721, &msg(send_nft), &[]) {
            Ok(_) => Err("send_nft to a non-receiver unexpectedly succeeded".to_string()),
            Err(err) if !err.calls.is_empty() && !err.calls[0].failed => {
                Ok(Measured::of_first_call(&err.calls))
            }
            Err(err) => Err(err.log),
        };
        self.record("cw721_send_nft", outcome);
        let outcome = self
            .chain
            .query(
                &d.cw721,
                &msg(json!({ "owner_of": { "token_id": "0", "include_expired": null } })),
            )
            .map(|r| Measured::of_query(&r))
            .map_err(|e| e.to_string());
        self.record("cw721_owner_of_query", outcome);
    }

    fn bench_tips(&mut self, d: &Deployed) {
        let Some(tips) = d.tips.clone() else {
            return self.record_missing(&["tip_native", "tip_cw20", "cw20_send"], "mesi_tips.wasm");
        };
        let (creator, fan, carol) = (self.creator.clone(), self.fan.clone(), self.carol.clone());
        let tip = json!({ "tip": { "creator": creator, "context": "profile", "message": null, "anonymous": false } });
        let outcome = self
            .exec(&carol, &tips, tip.clone(), 1_000)
            .and_then(|_| self.exec(&fan, &tips, tip.clone(), 1_000))
            .and_then(|_| self.exec(&fan, &tips, tip.clone(), 1_000))
            .map(|r| Measured::of_tx(&r));
        self.record("tip_native", outcome);

        let hook = json!({ "tip": { "creator": creator, "context": "profile", "message": null, "anonymous": false } });
        let send = json!({ "send": {
            "contract": tips, "amount": "1000",
            "msg": base64(&msg(hook)),
        } });
        let result = self
            .exec(&fan, &d.mesi, send.clone(), 0)
            .and_then(|_| self.exec(&fan, &d.mesi, send, 0));
        match result {
            Ok(result) => {
                self.record("tip_cw20", Ok(Measured::of_tx(&result)));
                self.record("cw20_send", Ok(Measured::of_first_call(&result.calls)));
            }
            Err(err) => {
                self.record("tip_cw20", Err(err.clone()));
                self.record("cw20_send", Err(err));
            }
        }
    }

    fn bench_subscriptions(&mut self, d: &Deployed) -> Step<()> {
        let Some(subs) = d.subscriptions.clone() else {
            self.record_missing(
                &["subscribe", "extend", "upgrade"],
                "mesi_subscriptions.wasm",
            );
            return Ok(());
        };
        let (creator, fan, bob) = (self.creator.clone(), self.fan.clone(), self.bob.clone());
        for (tier, price) in [(1, 1_000), (2, 2_000)] {
            let create = json!({ "create_tier": {
                "tier": tier, "asset": native(USDC), "period_seconds": 30 * DAY,
                "terms": { "name": format!("Tier {tier}"), "price": price.to_string(),
                           "subscriber_cap": null, "bundles": [], "trial_seconds": null },
            } });
            self.exec(&creator, &subs, create, 0)?;
        }
        let subscribe = json!({ "subscribe": {
            "creator": creator, "tier": 1, "periods": 1, "max_price_per_period": "1000", "auto_renew": false,
        } });
        let outcome = self
            .exec(&bob, &subs, subscribe.clone(), 1_000)
            .and_then(|_| self.exec(&fan, &subs, subscribe, 1_000))
            .map(|r| Measured::of_tx(&r));
        self.record("subscribe", outcome);
        let extend = json!({ "extend": { "creator": creator, "periods": 1, "max_price_per_period": "1000" } });
        let outcome = self
            .exec(&bob, &subs, extend.clone(), 1_000)
            .and_then(|_| self.exec(&fan, &subs, extend, 1_000))
            .map(|r| Measured::of_tx(&r));
        self.record("extend", outcome);
        let upgrade = json!({ "upgrade": { "creator": creator, "to_tier": 2, "max_price_per_period": "2000" } });
        let upgrade_of = |bench: &mut Bench, who: &str| -> Step<TxResult> {
            let quote = bench.query(
                &subs,
                json!({ "upgrade_quote": { "creator": creator, "fan": who, "to_tier": 2 } }),
            )?;
            let amount: u128 = quote["amount"]
                .as_str()
                .and_then(|a| a.parse().ok())
                .ok_or("bad quote")?;
            bench.exec(who, &subs, upgrade.clone(), amount)
        };
        let outcome = upgrade_of(self, &bob)
            .and_then(|_| upgrade_of(self, &fan))
            .map(|r| Measured::of_tx(&r));
        self.record("upgrade", outcome);
        Ok(())
    }

    fn bench_ppv(&mut self, d: &Deployed) -> Step<()> {
        let Some(ppv) = d.ppv.clone() else {
            self.record_missing(&["ppv_buy", "has_access"], "mesi_ppv.wasm");
            return Ok(());
        };
        let (creator, fan, bob) = (self.creator.clone(), self.fan.clone(), self.bob.clone());
        for (id, free_for_tier) in [("c1", Value::Null), ("c3", json!(1))] {
            let list = json!({ "list_item": {
                "content_id": id, "price": "500", "asset": native(USDC), "sale_ends_at": null, "free_for_tier": free_for_tier,
            } });
            self.exec(&creator, &ppv, list, 0)?;
        }
        let buy = json!({ "buy": { "creator": creator, "content_id": "c1" } });
        let outcome = self
            .exec(&bob, &ppv, buy.clone(), 500)
            .and_then(|_| self.exec(&fan, &ppv, buy, 500))
            .map(|r| Measured::of_tx(&r));
        self.record("ppv_buy", outcome);
        // A subscriber who did not buy: the item is free for their tier, which takes a query
        // to the subscriptions contract.
        let has_access =
            json!({ "has_access": { "viewer": fan, "creator": creator, "content_id": "c3" } });
        let outcome = self
            .chain
            .query(&ppv, &msg(has_access))
            .map_err(|e| e.to_string())
            .and_then(|r| {
                let answer: Value = serde_json::from_slice(&r.data).map_err(|e| e.to_string())?;
                if answer["allowed"] != json!(true) {
                    return Err(format!(
                        "expected access through the subscription, got {answer}"
                    ));
                }
                Ok(Measured::of_query(&r))
            });
        self.record("has_access", outcome);
        Ok(())
    }

    fn bench_surprises(&mut self, d: &Deployed) -> Step<()> {
        let Some(surprises) = d.surprises.clone() else {
            self.record_missing(
                &[
                    "surprise_mint",
                    "surprise_transfer",
                    "surprise_list",
                    "surprise_buy",
                    "surprise_unlock",
                    "surprise_reveal",
                ],
                "mesi_surprises.wasm",
            );
            return Ok(());
        };
        let (creator, fan, bob) = (self.creator.clone(), self.fan.clone(), self.bob.clone());
        let prefix = self.query(
            &surprises,
            json!({ "token_id_prefix": { "creator": creator } }),
        )?;
        let prefix = prefix["prefix"].as_str().ok_or("no prefix")?.to_string();
        let (salt, content) = (SURPRISE_SALT, content_hash(SURPRISE_CONTENT));
        let mut steps: BTreeMap<&'static str, Vec<Measured>> = BTreeMap::new();
        for label in ["warm", "measured"] {
            let token_id = format!("{prefix}{label}");
            let mint = surprise_mint(&surprises, &token_id, &creator);
            let flow: [(&'static str, String, Value, u128); 6] = [
                ("surprise_mint", creator.clone(), mint, 0),
                (
                    "surprise_transfer",
                    creator.clone(),
                    json!({ "transfer_nft": { "recipient": fan, "token_id": token_id } }),
                    0,
                ),
                (
                    "surprise_list",
                    fan.clone(),
                    json!({ "list": { "token_id": token_id, "asset": native(USDC), "price": "5000", "expires_at": null } }),
                    0,
                ),
                (
                    "surprise_buy",
                    bob.clone(),
                    json!({ "buy": { "token_id": token_id } }),
                    5_000,
                ),
                (
                    "surprise_unlock",
                    bob.clone(),
                    json!({ "unlock": { "token_id": token_id } }),
                    0,
                ),
                (
                    "surprise_reveal",
                    creator.clone(),
                    json!({ "reveal": { "token_id": token_id, "salt": hex::encode(salt), "content_hash": hex::encode(content) } }),
                    0,
                ),
            ];
            for (key, sender, body, funds) in flow {
                match self.exec(&sender, &surprises, body, funds) {
                    Ok(result) => steps.entry(key).or_default().push(Measured::of_tx(&result)),
                    Err(err) => {
                        self.record(key, Err(err));
                        return Ok(());
                    }
                }
            }
        }
        for (key, mut measured) in steps {
            self.record(key, Ok(measured.pop().expect("two runs")));
        }
        // Past the contract's recheck interval the registry is asked again.
        self.chain.advance_block(3_601);
        let token_id = format!("{prefix}recheck");
        let outcome = self.exec(
            &creator,
            &surprises,
            surprise_mint(&surprises, &token_id, &creator),
            0,
        );
        self.record(
            "surprise_mint_recheck",
            outcome.map(|r| Measured::of_tx(&r)),
        );
        Ok(())
    }

    fn bench_meetings(&mut self, d: &Deployed) -> Step<()> {
        let Some(meetings) = d.meetings.clone() else {
            self.record_missing(
                &[
                    "meeting_bid",
                    "meeting_outbid",
                    "meeting_settle",
                    "meeting_claim",
                ],
                "mesi_meetings.wasm",
            );
            return Ok(());
        };
        let (creator, fan, bob) = (self.creator.clone(), self.fan.clone(), self.bob.clone());
        let mut steps: BTreeMap<&'static str, Vec<Measured>> = BTreeMap::new();
        for _ in ["warm", "measured"] {
            let now = self.chain.block().time_nanos / 1_000_000_000;
            let slot_start = now + 2 * DAY;
            let open = json!({ "open_auction": { "auction": {
                "slot": { "start": (slot_start * 1_000_000_000).to_string(), "duration_secs": 3_600, "time_zone": "UTC" },
                "format": "video", "description": "A video call", "asset": native(USDC), "reserve": "100",
                "min_increment_bps": 500, "bidding_ends_at": ((now + DAY) * 1_000_000_000).to_string(),
                "extension_secs": 0, "buy_now": null,
            } } });
            let opened = self.exec(&creator, &meetings, open, 0)?;
            let auction_id: u64 = attribute(&opened, "auction_id")?
                .parse()
                .map_err(|_| "bad auction id")?;
            let bid = json!({ "bid": { "auction_id": auction_id } });
            let measured = self.exec(&fan, &meetings, bid.clone(), 1_000)?;
            steps
                .entry("meeting_bid")
                .or_default()
                .push(Measured::of_tx(&measured));
            let measured = self.exec(&bob, &meetings, bid, 2_000)?;
            steps
                .entry("meeting_outbid")
                .or_default()
                .push(Measured::of_tx(&measured));
            self.chain.advance_block(DAY + 1);
            let settled = self.exec(
                &bob,
                &meetings,
                json!({ "settle": { "auction_id": auction_id } }),
                0,
            )?;
            steps
                .entry("meeting_settle")
                .or_default()
                .push(Measured::of_tx(&settled));
            let meeting_id: u64 = attribute(&settled, "meeting_id")?
                .parse()
                .map_err(|_| "bad meeting id")?;
            self.chain.advance_block(DAY + 3_600);
            self.exec(
                &creator,
                &meetings,
                json!({ "mark_held": { "meeting_id": meeting_id, "fan_no_show": false } }),
                0,
            )?;
            self.chain.advance_block(3 * DAY + 1);
            let claimed = self.exec(
                &creator,
                &meetings,
                json!({ "claim": { "meeting_id": meeting_id } }),
                0,
            )?;
            steps
                .entry("meeting_claim")
                .or_default()
                .push(Measured::of_tx(&claimed));
        }
        for (key, mut measured) in steps {
            self.record(key, Ok(measured.pop().expect("two runs")));
        }
        Ok(())
    }

    /// The same actions once the registry's code is pinned (a governance decision on a chain):
    /// its queries then pay the discounted instance cost.
    fn bench_pinned_registry(&mut self, d: &Deployed) -> Step<()> {
        let Some(registry) = d.creators.clone() else {
            return Ok(());
        };
        let code_id = self
            .chain
            .contract_info(&registry)
            .ok_or("no registry")?
            .code_id;
        self.chain.pin_code(code_id).map_err(|e| e.to_string())?;
        let creator = self.creator.clone();
        if let Some(tips) = d.tips.clone() {
            let tip = json!({ "tip": { "creator": creator, "context": "profile", "message": null, "anonymous": false } });
            let fan = self.fan.clone();
            let outcome = self
                .exec(&fan, &tips, tip, 1_000)
                .map(|r| Measured::of_tx(&r));
            self.record("tip_native_pinned", outcome);
        }
        if let Some(surprises) = d.surprises.clone() {
            let prefix = self.query(
                &surprises,
                json!({ "token_id_prefix": { "creator": creator } }),
            )?;
            let token_id = format!("{}pinned", prefix["prefix"].as_str().ok_or("no prefix")?);
            self.chain.advance_block(3_601);
            let outcome = self.exec(
                &creator,
                &surprises,
                surprise_mint(&surprises, &token_id, &creator),
                0,
            );
            self.record("surprise_mint_pinned", outcome.map(|r| Measured::of_tx(&r)));
        }
        Ok(())
    }

    fn bench_can_message(&mut self, d: &Deployed) {
        let Some(registry) = d.creators.clone() else {
            return self.record_missing(&["can_message"], "mesi_creators.wasm");
        };
        // Carol tipped 1000 and does not subscribe: the registry asks subscriptions, then tips.
        let query = json!({ "can_message": { "creator": self.creator, "fan": self.carol } });
        let outcome = self
            .chain
            .query(&registry, &msg(query))
            .map_err(|e| e.to_string())
            .and_then(|r| {
                let answer: Value = serde_json::from_slice(&r.data).map_err(|e| e.to_string())?;
                if answer["allowed"] != json!(true) {
                    return Err(format!("expected carol to be allowed, got {answer}"));
                }
                Ok(Measured::of_query(&r))
            });
        self.record("can_message", outcome);
    }
}

const SURPRISE_SALT: [u8; 32] = [7; 32];
const SURPRISE_CONTENT: &[u8] = b"the surprise content";

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

fn file_size(path: &Path) -> Option<u64> {
    std::fs::metadata(path).ok().map(|m| m.len())
}

/// Base64 as CosmWasm encodes `Binary`.
fn base64(bytes: &[u8]) -> String {
    cosmwasm_std::Binary::from(bytes).to_base64()
}

/// (our action, its key, the comparable anchor action, its key)
const ROWS: &[(&str, &str, &str, &str)] = &[
    (
        "tip (native)",
        "tip_native",
        "cw20-base transfer",
        "cw20_transfer",
    ),
    (
        "tip (native), registry pinned",
        "tip_native_pinned",
        "cw20-base transfer",
        "cw20_transfer",
    ),
    (
        "tip (CW20 send + hook)",
        "tip_cw20",
        "cw20-base send (token's part)",
        "cw20_send",
    ),
    (
        "subscribe",
        "subscribe",
        "cw20-base transfer",
        "cw20_transfer",
    ),
    ("extend", "extend", "cw20-base transfer", "cw20_transfer"),
    ("upgrade", "upgrade", "cw20-base transfer", "cw20_transfer"),
    ("PPV buy", "ppv_buy", "cw20-base transfer", "cw20_transfer"),
    (
        "surprise mint (registry answer cached)",
        "surprise_mint",
        "cw721-base mint",
        "cw721_mint",
    ),
    (
        "surprise mint, registry asked",
        "surprise_mint_recheck",
        "cw721-base mint",
        "cw721_mint",
    ),
    (
        "surprise mint, registry asked, pinned",
        "surprise_mint_pinned",
        "cw721-base mint",
        "cw721_mint",
    ),
    (
        "surprise transfer",
        "surprise_transfer",
        "cw721-base transfer_nft",
        "cw721_transfer_nft",
    ),
    (
        "surprise list",
        "surprise_list",
        "cw721-base transfer_nft",
        "cw721_transfer_nft",
    ),
    (
        "surprise buy",
        "surprise_buy",
        "cw721-base send_nft (token's part)",
        "cw721_send_nft",
    ),
    (
        "surprise unlock",
        "surprise_unlock",
        "cw721-base transfer_nft",
        "cw721_transfer_nft",
    ),
    (
        "surprise reveal",
        "surprise_reveal",
        "cw721-base transfer_nft",
        "cw721_transfer_nft",
    ),
    (
        "meeting bid",
        "meeting_bid",
        "cw20-base transfer",
        "cw20_transfer",
    ),
    (
        "meeting outbid (refund)",
        "meeting_outbid",
        "cw20-base transfer",
        "cw20_transfer",
    ),
    (
        "meeting settle",
        "meeting_settle",
        "cw721-base mint",
        "cw721_mint",
    ),
    (
        "meeting claim (payout)",
        "meeting_claim",
        "cw20-base transfer",
        "cw20_transfer",
    ),
    (
        "CanMessage query (2 sibling queries)",
        "can_message",
        "cw20-base balance query",
        "cw20_balance_query",
    ),
    (
        "HasAccess query (subscription query)",
        "has_access",
        "cw721-base owner_of query",
        "cw721_owner_of_query",
    ),
];

const ANCHOR_ROWS: &[(&str, &str)] = &[
    ("cw20-base transfer", "cw20_transfer"),
    ("cw20-base send (token's part)", "cw20_send"),
    ("cw721-base mint", "cw721_mint"),
    ("cw721-base transfer_nft", "cw721_transfer_nft"),
    ("cw721-base send_nft (token's part)", "cw721_send_nft"),
    ("cw20-base balance query", "cw20_balance_query"),
    ("cw721-base owner_of query", "cw721_owner_of_query"),
];

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn gas_of(results: &BTreeMap<&'static str, Outcome>, key: &str) -> Option<u64> {
    match results.get(key) {
        Some(Outcome::Measured(m)) => Some(m.gas),
        _ => None,
    }
}

fn cell(results: &BTreeMap<&'static str, Outcome>, key: &str) -> String {
    match results.get(key) {
        Some(Outcome::Measured(m)) => thousands(m.gas),
        Some(Outcome::Missing(artifact)) => format!("not built ({artifact})"),
        Some(Outcome::Failed(_)) => "failed".into(),
        None => "not measured".into(),
    }
}

fn report(bench: &Bench) -> String {
    let results = &bench.results;
    let mut out = String::new();
    out.push_str("| Action | Our gas | Comparable anchor action | Anchor gas | Ratio |\n");
    out.push_str("| --- | ---: | --- | ---: | ---: |\n");
    for (label, key, anchor_label, anchor_key) in ROWS {
        let ratio = match (gas_of(results, key), gas_of(results, anchor_key)) {
            (Some(ours), Some(anchor)) if anchor > 0 => {
                format!("{:.2}", ours as f64 / anchor as f64)
            }
            _ => "–".into(),
        };
        let _ = writeln!(
            out,
            "| {label} | {} | {anchor_label} | {} | {ratio} |",
            cell(results, key),
            cell(results, anchor_key)
        );
    }

    out.push_str("\nTargets (issue 7):\n\n");
    let target = |out: &mut String, text: &str, ours: Option<u64>, limit: Option<f64>| {
        let verdict = match (ours, limit) {
            (Some(ours), Some(limit)) if ours as f64 <= limit => {
                format!("met ({} ≤ {})", thousands(ours), thousands(limit as u64))
            }
            (Some(ours), Some(limit)) => format!(
                "**missed** ({} > {})",
                thousands(ours),
                thousands(limit as u64)
            ),
            _ => "not measured".into(),
        };
        let _ = writeln!(out, "- {text}: {verdict}");
    };
    target(
        &mut out,
        "native tip ≤ cw20-base transfer",
        gas_of(results, "tip_native"),
        gas_of(results, "cw20_transfer").map(|g| g as f64),
    );
    target(
        &mut out,
        "surprise transfer ≤ cw721-base transfer_nft",
        gas_of(results, "surprise_transfer"),
        gas_of(results, "cw721_transfer_nft").map(|g| g as f64),
    );
    target(
        &mut out,
        "surprise mint ≤ 1.2 × cw721-base mint",
        gas_of(results, "surprise_mint"),
        gas_of(results, "cw721_mint").map(|g| g as f64 * 1.2),
    );
    let cw721_size = bench
        .sizes
        .iter()
        .find(|(name, _)| name == "anchors/cw721_base.wasm")
        .and_then(|(_, s)| *s);
    let ours: Vec<&(String, Option<u64>)> = bench
        .sizes
        .iter()
        .filter(|(name, _)| !name.starts_with("anchors/"))
        .collect();
    let too_big: Vec<String> = ours
        .iter()
        .filter_map(|(name, size)| match (size, cw721_size) {
            (Some(size), Some(limit)) if *size >= limit => {
                Some(format!("{name} ({})", thousands(*size)))
            }
            _ => None,
        })
        .collect();
    let _ = writeln!(
        out,
        "- every artifact smaller than cw721-base ({} bytes): {}",
        cw721_size.map_or("?".into(), thousands),
        if too_big.is_empty() {
            "met".to_string()
        } else {
            format!("**missed**: {}", too_big.join(", "))
        }
    );

    out.push_str("\n| Artifact | Bytes | Of cw721-base |\n| --- | ---: | ---: |\n");
    for (name, size) in &bench.sizes {
        let share = match (size, cw721_size) {
            (Some(size), Some(limit)) => format!("{:.0}%", *size as f64 * 100.0 / limit as f64),
            _ => "–".into(),
        };
        let _ = writeln!(
            out,
            "| {name} | {} | {share} |",
            size.map_or("not built".into(), thousands)
        );
    }

    out.push_str("\nWhere the gas goes (SDK gas per action; setup is wasmd's instance cost per contract call):\n\n");
    out.push_str(
        "| Action | Total | Setup | Wasm | Contract reads | Contract writes | Module storage | Events | Result decoding | In queries (count) |\n",
    );
    out.push_str("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    let mut rows: Vec<(&str, &str)> = ROWS
        .iter()
        .map(|(label, key, _, _)| (*label, *key))
        .collect();
    rows.extend(ANCHOR_ROWS.iter().copied());
    for (label, key) in rows {
        if let Some(Outcome::Measured(m)) = results.get(key) {
            let b = &m.breakdown;
            let _ = writeln!(
                out,
                "| {label} | {} | {} | {} | {} | {} | {} | {} | {} | {} ({}) |",
                thousands(m.gas),
                thousands(b.setup),
                thousands(b.wasm),
                thousands(b.contract_reads),
                thousands(b.contract_writes),
                thousands(b.module_storage),
                thousands(b.events),
                thousands(b.response),
                thousands(m.in_sub_queries),
                m.sub_queries
            );
        }
    }
    out
}

fn main() -> ExitCode {
    let artifacts = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../artifacts"));
    let mut bench = Bench::new(artifacts);
    eprintln!("deploying from {}", bench.artifacts.display());
    let deployed = match bench.deploy_all() {
        Ok(deployed) => deployed,
        Err(err) => {
            eprintln!("deployment failed: {err}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!("measuring");
    bench.bench_anchors(&deployed);
    bench.bench_tips(&deployed);
    let contract_steps = [
        (
            "subscriptions",
            Bench::bench_subscriptions as fn(&mut Bench, &Deployed) -> Step<()>,
        ),
        ("ppv", Bench::bench_ppv),
        ("surprises", Bench::bench_surprises),
        ("meetings", Bench::bench_meetings),
    ];
    let mut setup_failed = false;
    for (name, step) in contract_steps {
        if let Err(err) = step(&mut bench, &deployed) {
            eprintln!("  {name}: setup FAILED: {err}");
            setup_failed = true;
        }
    }
    bench.bench_can_message(&deployed);
    if let Err(err) = bench.bench_pinned_registry(&deployed) {
        eprintln!("  pinned registry: FAILED: {err}");
        setup_failed = true;
    }
    print!("{}", report(&bench));
    let mut failed = setup_failed;
    for (key, outcome) in &bench.results {
        if let Outcome::Failed(err) = outcome {
            eprintln!("failed: {key}: {err}");
            failed = true;
        }
    }
    if failed {
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
