//! The Mesi demo: a day of fan-creator activity on a local devnet, seen through the indexer API.
//!
//! [`scenario::seed`] drives a [`mesi_devnet`] chain with the suite deployed (wallets sign every
//! transaction, [`chain`]) and the API of an indexer that follows it ([`api`]): two creators
//! with chat rules and tiers, twenty fans, subscriptions and a trial, tips with messages during
//! a live stream (one in the MESI CW20), gated chat (a fan let in, a fan refused and told how
//! to qualify), pay-per-view sales, surprises minted, traded, unlocked and revealed, and
//! Bid-to-Meet: an auction extended by a late bid and settled into a meeting, and a meeting
//! bought outright, held and confirmed. `scripts/dev` runs it against the processes it starts;
//! the end-to-end test runs it and checks what the API answers.

pub mod api;
pub mod chain;
pub mod scenario;

pub use scenario::{seed, Demo};

/// Requests worth trying against a seeded demo: (what it shows, URL).
pub fn example_requests(demo: &Demo) -> Vec<(&'static str, String)> {
    let api = &demo.api;
    vec![
        ("Ava's feed", format!("{api}/creators/{}/feed", demo.ava)),
        (
            "Ava's tips and subscriptions",
            format!("{api}/creators/{}/feed?kind=tip,subscription", demo.ava),
        ),
        ("the global feed, live (SSE)", format!("{api}/feed/live")),
        (
            "a fan's feed",
            format!("{api}/fans/{}/feed", demo.allowed_fan),
        ),
        (
            "chat gate, a subscriber",
            format!(
                "{api}/can-message?creator={}&fan={}",
                demo.ava, demo.allowed_fan
            ),
        ),
        (
            "chat gate, a fan who does not qualify",
            format!(
                "{api}/can-message?creator={}&fan={}",
                demo.ava, demo.refused_fan
            ),
        ),
        (
            "top tippers of the stream",
            format!(
                "{api}/streams/{}/leaderboard?asset={}",
                demo.stream_id, demo.stable_asset
            ),
        ),
        (
            "Ava's top tippers, all time",
            format!(
                "{api}/creators/{}/leaderboard?asset={}&period=all",
                demo.ava, demo.stable_asset
            ),
        ),
        (
            "the stream's summary",
            format!("{api}/streams/{}/summary", demo.stream_id),
        ),
        (
            "Ava's tip goal",
            format!("{api}/creators/{}/goals", demo.ava),
        ),
        (
            "access to the pay-per-view cut",
            format!(
                "{api}/creators/{}/ppv/{}/access?viewer={}",
                demo.ava, demo.ppv_content_id, demo.ppv_buyers[0]
            ),
        ),
        (
            "access to the revealed surprise",
            format!(
                "{api}/surprises/{}/access?viewer={}",
                demo.revealed_surprise, demo.revealed_surprise_owner
            ),
        ),
        (
            "Ava's meetings (.ics)",
            format!("{api}{}", demo.ava_calendar_path),
        ),
        ("the API's OpenAPI document", format!("{api}/openapi.json")),
    ]
}
