//! The demo day: two creators and twenty fans use every product once the suite is deployed.
//!
//! Wallets sign every on-chain step (the devnet checks their signatures and sequences); the
//! off-chain steps (streams, chat, goals, calendar tokens) go through the API with wallet
//! sessions. Each step checks its outcome, so a seed that completes is a demo that works.

use std::time::Duration;

use anyhow::{ensure, Context};
use cosmwasm_std::{to_json_binary, HexBinary, Timestamp, Uint128};
use mesi_common::chat_rule::ChatRule;
use mesi_common::commitment::{content_hash, CommitmentInput};
use mesi_common::events::meetings::MeetingFormat;
use mesi_common::interfaces::tips::TipContext;
use mesi_common::AssetInfo;
use mesi_devnet::keys::DevKey;
use mesi_meetings::msg::AuctionInput;
use mesi_meetings::state::Slot;
use mesi_subscriptions::msg::TierTerms;
use mesi_surprises::msg::{Hints, MintMsg, TokenIdPrefixResponse};
use serde::Serialize;
use serde_json::{json, Value};

use crate::api::Api;
use crate::chain::{attribute, Chain, Clock};

/// One stablecoin in raw units (6 decimals).
pub const USDC: u128 = 1_000_000;
/// Accounts of the devnet's mnemonic the demo uses: 0 to 2 are the platform's.
pub const FIRST_CREATOR_ACCOUNT: usize = 3;
pub const FANS: usize = 20;
/// The devnet needs at least this many accounts.
pub const ACCOUNTS_NEEDED: usize = FIRST_CREATOR_ACCOUNT + 2 + FANS;

const DAY: u64 = 24 * 60 * 60;
/// How long the demo waits for the indexer to catch up with the chain.
const INDEXER_WAIT: Duration = Duration::from_secs(60);

/// What the demo made, for the example requests and for tests.
#[derive(Debug, Clone, Serialize)]
pub struct Demo {
    pub api: String,
    /// Ava streams and sells a meeting; Ben makes surprises.
    pub ava: String,
    pub ben: String,
    pub fans: Vec<String>,
    pub stable_asset: String,
    pub stream_id: String,
    /// Subscribed to Ava: may message her.
    pub allowed_fan: String,
    /// Neither subscribed nor tipped enough: refused, and told how to qualify.
    pub refused_fan: String,
    pub refused_reason: String,
    pub thread_id: String,
    pub ppv_content_id: String,
    pub ppv_buyers: Vec<String>,
    /// The surprise that was traded twice, unlocked by its owner and revealed by Ben.
    pub revealed_surprise: String,
    pub revealed_surprise_owner: String,
    /// Still sealed, held by a fan.
    pub sealed_surprise: String,
    pub auction_id: u64,
    /// The auction's end before and after the bid that came in its last minutes.
    pub auction_first_end: Timestamp,
    pub auction_extended_end: Timestamp,
    pub auction_winner: String,
    pub winning_bid: u128,
    /// Ava's meeting with the auction's winner, scheduled.
    pub meeting_id: u64,
    pub meeting_start: Timestamp,
    pub meeting_minutes: u64,
    /// Ben's meeting, sold at its buy-now price.
    pub bought_meeting_id: u64,
    /// Ben's meeting was held and confirmed (paid out): on a devnet, whose clock jumps past
    /// its slot; on a real chain it stays scheduled.
    pub bought_meeting_paid_out: bool,
    pub ava_calendar_path: String,
    /// A wallet session of Ava's, for tools that call the API's session routes as her (it
    /// lives as long as the API's sessions do).
    pub ava_session: String,
    pub goal_id: i64,
    /// The height at which everything above is indexed.
    pub height: u64,
}

struct People<'a> {
    ava: &'a DevKey,
    ben: &'a DevKey,
    fans: Vec<&'a DevKey>,
}

/// Seeds the demo on a devnet that has the suite deployed and nothing else, through the API
/// of an indexer that follows it.
pub fn seed(chain: &Chain, api: &Api) -> anyhow::Result<Demo> {
    let people = People {
        ava: chain.key(FIRST_CREATOR_ACCOUNT)?,
        ben: chain.key(FIRST_CREATOR_ACCOUNT + 1)?,
        fans: (0..FANS)
            .map(|i| chain.key(FIRST_CREATOR_ACCOUNT + 2 + i))
            .collect::<anyhow::Result<_>>()?,
    };
    let stable = AssetInfo::Native {
        denom: chain.info.stable_denom.clone(),
    };
    let c = &chain.contracts;
    let (ava, ben, fans) = (people.ava, people.ben, &people.fans);

    // Creators, their chat rules and tiers.
    let ava_rule = ChatRule::Any {
        rules: vec![
            ChatRule::Subscriber { min_tier: 1 },
            ChatRule::TippedAtLeast {
                asset: stable.clone(),
                amount: Uint128::new(10 * USDC),
            },
        ],
    };
    let ben_rule = ChatRule::Any {
        rules: vec![
            ChatRule::Subscriber { min_tier: 2 },
            ChatRule::HoldsSurprise,
        ],
    };
    for (creator, name, rule) in [
        (ava, "Ava Strings", ava_rule),
        (ben, "Ben Crafts", ben_rule),
    ] {
        let profile = mesi_creators::msg::ProfileInput {
            display_name: name.into(),
            payout: None,
            accepted_assets: vec![],
            tip_minimums: vec![(stable.clone(), Uint128::new(USDC / 2))],
            chat_rule: rule,
        };
        chain.execute(
            creator,
            &c.creators,
            &mesi_creators::msg::ExecuteMsg::RegisterCreator { profile },
            vec![],
        )?;
    }
    let tiers = [
        (ava, 1, "Supporters", 5 * USDC, Some(7 * DAY)),
        (ava, 2, "Inner circle", 25 * USDC, None),
        (ben, 1, "Workshop", 4 * USDC, None),
        (ben, 2, "Apprentice", 15 * USDC, None),
    ];
    for (creator, tier, name, price, trial_seconds) in tiers {
        let msg = mesi_subscriptions::msg::ExecuteMsg::CreateTier {
            tier,
            asset: stable.clone(),
            period_seconds: 30 * DAY,
            terms: TierTerms {
                name: name.into(),
                price: Uint128::new(price),
                subscriber_cap: None,
                bundles: vec![],
                trial_seconds,
            },
        };
        chain.execute(creator, &c.subscriptions, &msg, vec![])?;
    }

    // Subscriptions: fans 0-7 to Ava (0-1 in the inner circle), 8 on a free trial, 9-11 to Ben.
    let subscribe = |fan: &DevKey, creator: &DevKey, tier: u32, price: u128| {
        let msg = mesi_subscriptions::msg::ExecuteMsg::Subscribe {
            creator: creator.address.clone(),
            tier,
            periods: 1,
            max_price_per_period: Uint128::new(price),
            auto_renew: false,
        };
        chain.execute(fan, &c.subscriptions, &msg, chain.stable(price))
    };
    for (i, fan) in fans.iter().enumerate().take(8) {
        let (tier, price) = if i < 2 { (2, 25 * USDC) } else { (1, 5 * USDC) };
        subscribe(fan, ava, tier, price)?;
    }
    chain.execute(
        fans[8],
        &c.subscriptions,
        &mesi_subscriptions::msg::ExecuteMsg::Trial {
            creator: ava.address.clone(),
            tier: 1,
        },
        vec![],
    )?;
    for fan in &fans[9..12] {
        subscribe(fan, ben, 1, 4 * USDC)?;
    }

    // Ava goes live (the API knows her as a creator once her registration is indexed); fans
    // tip with messages during the stream.
    sync(chain, api)?;
    let ava_token = api.login(ava)?;
    let stream = api
        .post(
            "/streams",
            &ava_token,
            json!({
                "title": "Friday acoustic session",
                "playback_url": "https://media.example/live/ava-friday.m3u8",
                "subscribers_only": false,
            }),
        )?
        .ok("starting Ava's stream")?;
    let stream_id = text(&stream["stream_id"])?;
    let goal = api
        .post(
            &format!("/creators/{}/goals", ava.address),
            &ava_token,
            json!({
                "title": "New microphone",
                "asset": format!("native:{}", chain.info.stable_denom),
                "target": (100 * USDC).to_string(),
                "context": format!("stream:{stream_id}"),
            }),
        )?
        .ok("setting Ava's tip goal")?;
    let stream_tips: [(usize, u128, &str, bool); 9] = [
        (0, 12, "Play the one about the lighthouse!", false),
        (3, 3, "Hello from Lisbon", false),
        (5, 8, "Your voice is unreal", false),
        (12, 20, "First time here, instant fan", false),
        (1, 12, "Encore!", false),
        (14, 2, "For the new mic", true),
        (3, 6, "One more, please", false),
        (15, 1, "hi Ava", false),
        (16, 4, "Greetings from the night shift", false),
    ];
    let tip = |fan: &DevKey,
               creator: &DevKey,
               usdc: u128,
               context: TipContext,
               message: &str,
               anonymous: bool| {
        let msg = mesi_tips::msg::ExecuteMsg::Tip {
            creator: creator.address.clone(),
            context,
            message: Some(message.into()),
            anonymous,
        };
        chain.execute(fan, &c.tips, &msg, chain.stable(usdc * USDC))
    };
    for (fan, usdc, message, anonymous) in stream_tips {
        let context = TipContext::Stream {
            id: stream_id.clone(),
        };
        tip(fans[fan], ava, usdc, context, message, anonymous)?;
    }
    let fan_token = |i: usize| api.login(fans[i]);
    let comment = json!({ "body": "this chorus!" });
    api.post(
        &format!("/streams/{stream_id}/comments"),
        &fan_token(2)?,
        comment,
    )?
    .ok("a fan's comment")?;
    // A tip to Ben in MESI, the platform's CW20, through the token's Send hook.
    let hook = mesi_tips::msg::TipHookMsg::Tip {
        creator: ben.address.clone(),
        context: TipContext::Profile,
        message: Some("Saw your workshop video, thank you".into()),
        anonymous: false,
    };
    chain.execute(
        fans[10],
        &c.mesi_token,
        &cw20::Cw20ExecuteMsg::Send {
            contract: c.tips.clone(),
            amount: Uint128::new(250 * USDC),
            msg: to_json_binary(&hook)?,
        },
        vec![],
    )?;
    tip(
        fans[13],
        ben,
        3,
        TipContext::Profile,
        "Love the woodwork",
        false,
    )?;

    // Gated chat: a subscriber is let in; a fan who tipped only a little is refused.
    let refused = fans[19];
    tip(
        refused,
        ava,
        1,
        TipContext::Profile,
        "Can I ask you something?",
        false,
    )?;
    sync(chain, api)?;
    let allowed = fans[4];
    let allowed_token = fan_token(4)?;
    let thread = api
        .post(
            "/chat/threads",
            &allowed_token,
            json!({ "creator": ava.address }),
        )?
        .ok("opening a thread with Ava")?;
    let thread_id = text(&thread["thread_id"])?;
    api.post(
        &format!("/chat/threads/{thread_id}/messages"),
        &allowed_token,
        json!({ "body": "Could you play Harbour Lights next Friday?" }),
    )?
    .ok("a subscriber's message")?;
    api.post(
        &format!("/chat/threads/{thread_id}/messages"),
        &ava_token,
        json!({ "body": "Yes! Adding it to the set list." }),
    )?
    .ok("Ava's reply")?;
    let refused_token = fan_token(19)?;
    let refused_thread = api
        .post(
            "/chat/threads",
            &refused_token,
            json!({ "creator": ava.address }),
        )?
        .ok("opening a thread as a fan who does not qualify")?;
    let reply = api.post(
        &format!(
            "/chat/threads/{}/messages",
            text(&refused_thread["thread_id"])?
        ),
        &refused_token,
        json!({ "body": "Hi Ava!" }),
    )?;
    ensure!(
        reply.status == 403,
        "a fan outside Ava's rule could message her: {reply:?}"
    );
    let refused_reason = text(&reply.body["error"]["message"])?;
    api.call(
        reqwest::Method::POST,
        &format!("/streams/{stream_id}/end"),
        Some(&ava_token),
        None,
    )?
    .ok("ending Ava's stream")?;

    // Pay-per-view: Ava sells a cut of the session; the inner circle watches it free.
    let content_id = "friday-session-cut".to_string();
    chain.execute(
        ava,
        &c.ppv,
        &mesi_ppv::msg::ExecuteMsg::ListItem {
            content_id: content_id.clone(),
            price: Uint128::new(3 * USDC),
            asset: stable.clone(),
            sale_ends_at: None,
            free_for_tier: Some(2),
        },
        vec![],
    )?;
    let ppv_buyers: Vec<&DevKey> = [5, 6, 12, 17].iter().map(|&i| fans[i]).collect();
    for buyer in &ppv_buyers {
        let buy = mesi_ppv::msg::ExecuteMsg::Buy {
            creator: ava.address.clone(),
            content_id: content_id.clone(),
        };
        chain.execute(buyer, &c.ppv, &buy, chain.stable(3 * USDC))?;
    }

    // Surprises: Ben mints two; one is sold, resold, unlocked and revealed.
    let prefix: TokenIdPrefixResponse = chain.query(
        &c.surprises,
        &mesi_surprises::msg::QueryMsg::TokenIdPrefix {
            creator: ben.address.clone(),
        },
    )?;
    let secret = SurpriseSecret {
        salt: [0x5a; 32],
        content: b"A time-lapse of the oak chair from log to lacquer (4K, 9 minutes)",
    };
    let revealed = format!("{}chair-timelapse", prefix.prefix);
    let sealed = format!("{}{}", prefix.prefix, "bench-plans");
    let mint = |token_id: &str, owner: Option<&DevKey>, title: &str, hints: &[&str]| {
        let msg = mesi_surprises::msg::ExecuteMsg::Mint(MintMsg {
            token_id: token_id.into(),
            owner: owner.map(|k| k.address.clone()),
            hints: Hints {
                title: title.into(),
                hints: hints.iter().map(|h| h.to_string()).collect(),
                category: "video".into(),
                preview_uri: None,
            },
            commitment: secret.commitment(&c.surprises, token_id, &ben.address),
            royalty_bps: 500,
        });
        chain.execute(ben, &c.surprises, &msg, vec![])
    };
    mint(
        &revealed,
        None,
        "From the workshop",
        &["about ten minutes", "something you can sit on"],
    )?;
    mint(
        &sealed,
        Some(fans[11]),
        "Plans",
        &["paper", "a weekend project"],
    )?;
    let list = |seller: &DevKey, price: u128| {
        let msg = mesi_surprises::msg::ExecuteMsg::List {
            token_id: revealed.clone(),
            asset: stable.clone(),
            price: Uint128::new(price),
            expires_at: None,
        };
        chain.execute(seller, &c.surprises, &msg, vec![])
    };
    let buy_surprise = |buyer: &DevKey, price: u128| {
        let msg = mesi_surprises::msg::ExecuteMsg::Buy {
            token_id: revealed.clone(),
        };
        chain.execute(buyer, &c.surprises, &msg, chain.stable(price))
    };
    list(ben, 10 * USDC)?;
    buy_surprise(fans[6], 10 * USDC)?;
    list(fans[6], 18 * USDC)?;
    buy_surprise(fans[7], 18 * USDC)?;
    let owner = fans[7];
    chain.execute(
        owner,
        &c.surprises,
        &mesi_surprises::msg::ExecuteMsg::Unlock {
            token_id: revealed.clone(),
        },
        vec![],
    )?;
    chain.execute(
        ben,
        &c.surprises,
        &mesi_surprises::msg::ExecuteMsg::Reveal {
            token_id: revealed.clone(),
            salt: HexBinary::from(secret.salt.to_vec()),
            content_hash: HexBinary::from(content_hash(secret.content).to_vec()),
        },
        vec![],
    )?;

    // Bid-to-Meet. Ben sells a call at its buy-now price; Ava auctions a meeting in three days.
    let timing = AuctionTiming::for_clock(chain.clock);
    let (_, now) = chain.head()?;
    let ben_auction = open_auction(
        chain,
        ben,
        AuctionInput {
            slot: slot(now.plus_seconds(2 * 60 * 60), 30 * 60, "Europe/Berlin"),
            format: MeetingFormat::Video,
            description: "A 30-minute video call about your first woodworking project".into(),
            asset: stable.clone(),
            reserve: Uint128::new(20 * USDC),
            min_increment_bps: 500,
            bidding_ends_at: now.plus_seconds(60 * 60),
            extension_secs: 0,
            buy_now: Some(Uint128::new(60 * USDC)),
        },
    )?;
    let bought = bid(chain, fans[9], ben_auction, 60 * USDC)?;
    let bought_meeting_id: u64 = attribute(&bought, "wasm-mesi.meeting.v1", "meeting_id")?
        .parse()
        .context("meeting id")?;

    let first_end = now.plus_seconds(timing.bidding_secs);
    let (meeting_start, meeting_minutes) = (now.plus_seconds(3 * DAY), 45);
    let auction_id = open_auction(
        chain,
        ava,
        AuctionInput {
            slot: slot(meeting_start, meeting_minutes * 60, "America/New_York"),
            format: MeetingFormat::Video,
            description: "Meet Ava: a private 45-minute songwriting session".into(),
            asset: stable.clone(),
            reserve: Uint128::new(50 * USDC),
            min_increment_bps: 500,
            bidding_ends_at: first_end,
            extension_secs: timing.extension_secs,
            buy_now: None,
        },
    )?;
    bid(chain, fans[0], auction_id, 50 * USDC)?;
    bid(chain, fans[12], auction_id, 55 * USDC)?;
    bid(chain, fans[0], auction_id, 70 * USDC)?;
    // Shortly before the end a bid comes in: the end moves to one extension after it.
    let (_, late) = chain.wait_until(Timestamp::from_seconds(
        first_end.seconds() - timing.late_bid_secs,
    ))?;
    let sniped = bid(chain, fans[12], auction_id, 80 * USDC)?;
    let extended_end: Timestamp = Timestamp::from_nanos(
        attribute(&sniped, "wasm-mesi.meeting_auction_extended.v1", "ends_at")?
            .parse()
            .context("the extended end")?,
    );
    ensure!(
        extended_end > first_end
            && extended_end.seconds() <= late.seconds() + timing.extension_secs + 60,
        "the late bid did not extend the auction: {first_end} -> {extended_end}"
    );
    // Past the new end the auction settles.
    chain.wait_until(extended_end.plus_seconds(1))?;
    let settled = chain.execute(
        fans[3],
        &c.meetings,
        &mesi_meetings::msg::ExecuteMsg::Settle { auction_id },
        vec![],
    )?;
    let meeting_id: u64 = attribute(&settled, "wasm-mesi.meeting.v1", "meeting_id")?
        .parse()
        .context("meeting id")?;
    // Past Ben's slot (a jump of the devnet's clock; a real chain would take two hours): his
    // call happened, and the fan confirms it.
    let bought_meeting_paid_out = chain.clock == Clock::Jumps;
    if bought_meeting_paid_out {
        chain.wait_until(now.plus_seconds(3 * 60 * 60))?;
        chain.execute(
            ben,
            &c.meetings,
            &mesi_meetings::msg::ExecuteMsg::MarkHeld {
                meeting_id: bought_meeting_id,
                fan_no_show: false,
            },
            vec![],
        )?;
        chain.execute(
            fans[9],
            &c.meetings,
            &mesi_meetings::msg::ExecuteMsg::Confirm {
                meeting_id: bought_meeting_id,
            },
            vec![],
        )?;
    }

    let calendar = api
        .post(
            &format!("/creators/{}/calendar-token", ava.address),
            &ava_token,
            json!({}),
        )?
        .ok("Ava's calendar token")?;
    let height = sync(chain, api)?;
    Ok(Demo {
        api: api.base.clone(),
        ava: ava.address.clone(),
        ben: ben.address.clone(),
        fans: fans.iter().map(|k| k.address.clone()).collect(),
        stable_asset: format!("native:{}", chain.info.stable_denom),
        stream_id,
        allowed_fan: allowed.address.clone(),
        refused_fan: refused.address.clone(),
        refused_reason,
        thread_id,
        ppv_content_id: content_id,
        ppv_buyers: ppv_buyers.iter().map(|k| k.address.clone()).collect(),
        revealed_surprise: revealed,
        revealed_surprise_owner: owner.address.clone(),
        sealed_surprise: sealed,
        auction_id,
        auction_first_end: first_end,
        auction_extended_end: extended_end,
        auction_winner: fans[12].address.clone(),
        winning_bid: 80 * USDC,
        meeting_id,
        meeting_start,
        meeting_minutes,
        bought_meeting_id,
        bought_meeting_paid_out,
        ava_calendar_path: text(&calendar["path"])?,
        ava_session: ava_token,
        goal_id: goal["id"].as_i64().context("goal id")?,
        height,
    })
}

/// Waits for the indexer to reach the chain's head; returns that height.
fn sync(chain: &Chain, api: &Api) -> anyhow::Result<u64> {
    let (height, _) = chain.head()?;
    api.wait_for_height(height, INDEXER_WAIT)?;
    Ok(height)
}

fn text(value: &Value) -> anyhow::Result<String> {
    value
        .as_str()
        .map(str::to_string)
        .with_context(|| format!("expected a string, got {value}"))
}

/// The times of Ava's auction: realistic where the clock jumps, short where time is real.
struct AuctionTiming {
    /// From the auction's opening to its first end.
    bidding_secs: u64,
    /// Anti-sniping: a bid this close to the end extends it to this long after the bid.
    extension_secs: u64,
    /// How long before the first end the late bid comes.
    late_bid_secs: u64,
}

impl AuctionTiming {
    fn for_clock(clock: Clock) -> AuctionTiming {
        match clock {
            Clock::Jumps => AuctionTiming {
                bidding_secs: 60 * 60,
                extension_secs: 10 * 60,
                late_bid_secs: 5 * 60,
            },
            // The contract's shortest extension is a minute; the early bids may extend too.
            Clock::RealTime => AuctionTiming {
                bidding_secs: 40,
                extension_secs: 60,
                late_bid_secs: 20,
            },
        }
    }
}

fn slot(start: Timestamp, duration_secs: u64, time_zone: &str) -> Slot {
    Slot {
        start,
        duration_secs,
        time_zone: time_zone.into(),
    }
}

fn open_auction(chain: &Chain, creator: &DevKey, auction: AuctionInput) -> anyhow::Result<u64> {
    let events = chain.execute(
        creator,
        &chain.contracts.meetings,
        &mesi_meetings::msg::ExecuteMsg::OpenAuction { auction },
        vec![],
    )?;
    attribute(&events, "wasm-mesi.meeting_auction.v1", "auction_id")?
        .parse()
        .context("auction id")
}

fn bid(
    chain: &Chain,
    fan: &DevKey,
    auction_id: u64,
    amount: u128,
) -> anyhow::Result<Vec<mesi_chain::Event>> {
    chain.execute(
        fan,
        &chain.contracts.meetings,
        &mesi_meetings::msg::ExecuteMsg::Bid { auction_id },
        chain.stable(amount),
    )
}

/// What Ben keeps until the reveal: the salt and the content behind a surprise's commitment.
struct SurpriseSecret {
    salt: [u8; 32],
    content: &'static [u8],
}

impl SurpriseSecret {
    fn commitment(&self, contract: &str, token_id: &str, creator: &str) -> HexBinary {
        let content = content_hash(self.content);
        HexBinary::from(
            CommitmentInput {
                contract,
                token_id,
                creator,
                salt: &self.salt,
                content_hash: &content,
            }
            .commitment()
            .to_vec(),
        )
    }
}
