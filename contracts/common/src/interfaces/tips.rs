//! What other contracts ask the `tips` contract, and the tip context shared with the indexer.

use std::fmt;
use std::str::FromStr;

use cosmwasm_schema::{cw_serde, QueryResponses};

use crate::asset::AssetInfo;

/// Longest public tip message, in bytes.
pub const MAX_TIP_MESSAGE_LEN: usize = 280;
/// Longest stream or chat-thread id, in bytes.
pub const MAX_CONTEXT_ID_LEN: usize = 64;

macro_rules! context_id_regex {
    () => {
        "[A-Za-z0-9._-]{1,64}"
    };
}

/// What a stream or chat-thread id in a [`TipContext`] may be (`validate`), as a regex.
pub const TIP_CONTEXT_ID_PATTERN: &str = concat!("^", context_id_regex!(), "$");
/// What [`TipContext`]'s text form may be (`FromStr` and then `validate`), as a regex.
pub const TIP_CONTEXT_PATTERN: &str =
    concat!("^(profile|(stream|chat):", context_id_regex!(), ")$");

/// Where a tip was given.
#[cw_serde]
pub enum TipContext {
    Profile,
    Stream { id: String },
    Chat { thread_id: String },
}

impl fmt::Display for TipContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TipContext::Profile => f.write_str("profile"),
            TipContext::Stream { id } => write!(f, "stream:{id}"),
            TipContext::Chat { thread_id } => write!(f, "chat:{thread_id}"),
        }
    }
}

impl FromStr for TipContext {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once(':') {
            None if s == "profile" => Ok(TipContext::Profile),
            Some(("stream", id)) if !id.is_empty() => Ok(TipContext::Stream { id: id.into() }),
            Some(("chat", id)) if !id.is_empty() => Ok(TipContext::Chat {
                thread_id: id.into(),
            }),
            _ => Err(format!("invalid tip context {s:?}")),
        }
    }
}

impl TipContext {
    /// Checks the id's length and characters (so the text form stays unambiguous).
    pub fn validate(&self) -> Result<(), String> {
        let id = match self {
            TipContext::Profile => return Ok(()),
            TipContext::Stream { id } | TipContext::Chat { thread_id: id } => id,
        };
        if id.is_empty() || id.len() > MAX_CONTEXT_ID_LEN {
            return Err(format!(
                "context id must be 1 to {MAX_CONTEXT_ID_LEN} bytes"
            ));
        }
        if !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        {
            return Err(
                "context id may contain only ASCII letters, digits, '-', '_' and '.'".into(),
            );
        }
        Ok(())
    }
}

impl crate::event::AttrValue for TipContext {
    fn to_attr(&self) -> String {
        self.to_string()
    }
    fn from_attr(value: &str) -> Result<Self, String> {
        value.parse()
    }
}

#[cw_serde]
#[derive(QueryResponses)]
pub enum TipsQuery {
    /// Lifetime tips from `fan` to `creator` in `asset`.
    #[returns(super::TotalResponse)]
    TippedTotal {
        creator: String,
        fan: String,
        asset: AssetInfo,
    },
}
