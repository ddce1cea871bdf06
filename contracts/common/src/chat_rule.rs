//! Chat gating: who may message a creator.
//!
//! A [`ChatRule`] is a small expression tree. The same [`evaluate`] runs on chain (the
//! `creators` contract's `CanMessage` query, with facts read from the sibling contracts) and in
//! the indexer (with facts read from PostgreSQL), so both give the same answer for the same state.
//!
//! Semantics:
//! - A fan on any `Blocklist` in the rule is always denied, wherever that leaf sits.
//! - A blocklist only ever denies: for a fan it does not list it takes no part, as if it were
//!   not in the rule. It never admits, and `at_least` never counts it as a condition met.
//! - `All` is allowed when every child is; `Any` when one is (the first, in order, decides);
//!   `AtLeast { k }` when k children are; `Not` inverts its child.
//! - A rule left with nothing that admits admits nobody.
//! - A denial says which rule decided and what would qualify the fan.
//!
//! [`ChatRule::validate`] refuses the shapes whose meaning would surprise: a rule (or a part of
//! one) made only of blocklists, a blocklist inside `not`, and an `at_least` whose k counts
//! blocklists.

use std::fmt;

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Api, StdError, Uint128};
use thiserror::Error;

use crate::asset::AssetInfo;

/// Deepest nesting allowed (a single leaf has depth 1).
pub const MAX_DEPTH: usize = 5;
/// Most leaves allowed in one rule.
pub const MAX_LEAVES: usize = 32;
/// Most addresses allowed across all allow- and blocklists of one rule.
pub const MAX_LIST_ADDRESSES: usize = 200;

#[cw_serde]
pub enum ChatRule {
    /// Anyone may message.
    Everyone,
    /// An active subscription at tier `min_tier` or higher.
    Subscriber {
        min_tier: u32,
    },
    /// Lifetime tips to this creator of at least `amount` of `asset`.
    TippedAtLeast {
        asset: AssetInfo,
        amount: Uint128,
    },
    /// Lifetime pay-per-view spending with this creator of at least `amount` of `asset`.
    PpvSpentAtLeast {
        asset: AssetInfo,
        amount: Uint128,
    },
    /// Holds at least one surprise minted by this creator.
    HoldsSurprise,
    /// The fan is one of these addresses.
    Allowlist {
        addresses: Vec<Addr>,
    },
    /// A listed fan is denied whatever the rest says. It only denies: for anyone else it takes
    /// no part, so it never admits on its own (put it next to what admits).
    Blocklist {
        addresses: Vec<Addr>,
    },
    All {
        rules: Vec<ChatRule>,
    },
    Any {
        rules: Vec<ChatRule>,
    },
    AtLeast {
        k: u32,
        rules: Vec<ChatRule>,
    },
    Not {
        rule: Box<ChatRule>,
    },
}

crate::json_attr!(ChatRule, Qualification);

#[derive(Error, Debug, PartialEq)]
pub enum ChatRuleError {
    #[error("{0}")]
    Std(#[from] StdError),
    #[error("chat rule is nested {depth} levels deep; at most {MAX_DEPTH} are allowed")]
    TooDeep { depth: usize },
    #[error("chat rule has {leaves} leaves; at most {MAX_LEAVES} are allowed")]
    TooManyLeaves { leaves: usize },
    #[error("chat rule lists {addresses} addresses; at most {MAX_LIST_ADDRESSES} are allowed")]
    TooManyAddresses { addresses: usize },
    #[error("chat rule {0:?} needs at least one child rule")]
    EmptyCombinator(&'static str),
    #[error(
        "at_least needs 1 <= k <= {children} (number of child rules that can admit; blocklists \
         only deny), got k = {k}"
    )]
    InvalidThreshold { k: u32, children: usize },
    #[error(
        "chat rule {path} is made only of blocklists, which admit nobody; put what admits next \
         to them, e.g. all[everyone, blocklist]"
    )]
    NothingAdmits { path: String },
    #[error(
        "a blocklist inside not is refused: a listed fan is denied wherever the list sits, so \
         put the blocklist outside the not"
    )]
    BlocklistUnderNot,
    #[error("chat rule amounts must be greater than zero")]
    ZeroAmount,
    #[error("invalid asset in chat rule: {0}")]
    Asset(String),
}

#[derive(Default)]
struct Counts {
    leaves: usize,
    addresses: usize,
}

impl ChatRule {
    fn label(&self) -> &'static str {
        match self {
            ChatRule::Everyone => "everyone",
            ChatRule::Subscriber { .. } => "subscriber",
            ChatRule::TippedAtLeast { .. } => "tipped_at_least",
            ChatRule::PpvSpentAtLeast { .. } => "ppv_spent_at_least",
            ChatRule::HoldsSurprise => "holds_surprise",
            ChatRule::Allowlist { .. } => "allowlist",
            ChatRule::Blocklist { .. } => "blocklist",
            ChatRule::All { .. } => "all",
            ChatRule::Any { .. } => "any",
            ChatRule::AtLeast { .. } => "at_least",
            ChatRule::Not { .. } => "not",
        }
    }

    fn children(&self) -> &[ChatRule] {
        match self {
            ChatRule::All { rules } | ChatRule::Any { rules } | ChatRule::AtLeast { rules, .. } => {
                rules
            }
            ChatRule::Not { rule } => std::slice::from_ref(rule.as_ref()),
            _ => &[],
        }
    }

    /// Checks the caps, the shape (see the module notes on blocklists) and every address and
    /// asset; returns the rule with validated addresses.
    pub fn validate(&self, api: &dyn Api) -> Result<ChatRule, ChatRuleError> {
        let mut counts = Counts::default();
        let (depth, admits) = self.measure(1, self.label(), false, &mut counts)?;
        if depth > MAX_DEPTH {
            return Err(ChatRuleError::TooDeep { depth });
        }
        if counts.leaves > MAX_LEAVES {
            return Err(ChatRuleError::TooManyLeaves {
                leaves: counts.leaves,
            });
        }
        if counts.addresses > MAX_LIST_ADDRESSES {
            return Err(ChatRuleError::TooManyAddresses {
                addresses: counts.addresses,
            });
        }
        if !admits {
            return Err(ChatRuleError::NothingAdmits {
                path: self.label().into(),
            });
        }
        self.validated(api)
    }

    /// Depth of the tree and whether it can admit anyone; counts leaves and listed addresses.
    /// Stops descending past the cap so a hostile, deeply nested rule costs little.
    fn measure(
        &self,
        depth: usize,
        path: &str,
        under_not: bool,
        counts: &mut Counts,
    ) -> Result<(usize, bool), ChatRuleError> {
        if depth > MAX_DEPTH {
            return Err(ChatRuleError::TooDeep { depth });
        }
        let children = self.children();
        match self {
            ChatRule::All { .. } | ChatRule::Any { .. } | ChatRule::AtLeast { .. }
                if children.is_empty() =>
            {
                return Err(ChatRuleError::EmptyCombinator(self.label()))
            }
            ChatRule::AtLeast { k, rules } if *k == 0 || *k as usize > rules.len() => {
                return Err(ChatRuleError::InvalidThreshold {
                    k: *k,
                    children: rules.len(),
                })
            }
            ChatRule::Blocklist { .. } if under_not => {
                return Err(ChatRuleError::BlocklistUnderNot)
            }
            ChatRule::Allowlist { addresses: list } | ChatRule::Blocklist { addresses: list } => {
                counts.addresses += list.len()
            }
            _ => {}
        }
        if children.is_empty() {
            counts.leaves += 1;
            return Ok((depth, !matches!(self, ChatRule::Blocklist { .. })));
        }
        let under_not = under_not || matches!(self, ChatRule::Not { .. });
        let (mut deepest, mut admitting) = (depth, 0usize);
        for (i, child) in children.iter().enumerate() {
            let (child_depth, admits) =
                child.measure(depth + 1, &child_path(path, i, child), under_not, counts)?;
            deepest = deepest.max(child_depth);
            admitting += usize::from(admits);
        }
        if admitting == 0 {
            return Err(ChatRuleError::NothingAdmits { path: path.into() });
        }
        if let ChatRule::AtLeast { k, .. } = self {
            if *k as usize > admitting {
                return Err(ChatRuleError::InvalidThreshold {
                    k: *k,
                    children: admitting,
                });
            }
        }
        Ok((deepest, true))
    }

    fn validated(&self, api: &dyn Api) -> Result<ChatRule, ChatRuleError> {
        let addrs = |list: &[Addr]| -> Result<Vec<Addr>, ChatRuleError> {
            list.iter()
                .map(|a| api.addr_validate(a.as_str()).map_err(Into::into))
                .collect()
        };
        let asset_amount =
            |asset: &AssetInfo, amount: &Uint128| -> Result<AssetInfo, ChatRuleError> {
                if amount.is_zero() {
                    return Err(ChatRuleError::ZeroAmount);
                }
                asset
                    .validate(api)
                    .map_err(|e| ChatRuleError::Asset(e.to_string()))
            };
        let all = |rules: &[ChatRule]| {
            rules
                .iter()
                .map(|r| r.validated(api))
                .collect::<Result<Vec<_>, _>>()
        };
        Ok(match self {
            ChatRule::TippedAtLeast { asset, amount } => ChatRule::TippedAtLeast {
                asset: asset_amount(asset, amount)?,
                amount: *amount,
            },
            ChatRule::PpvSpentAtLeast { asset, amount } => ChatRule::PpvSpentAtLeast {
                asset: asset_amount(asset, amount)?,
                amount: *amount,
            },
            ChatRule::Allowlist { addresses } => ChatRule::Allowlist {
                addresses: addrs(addresses)?,
            },
            ChatRule::Blocklist { addresses } => ChatRule::Blocklist {
                addresses: addrs(addresses)?,
            },
            ChatRule::All { rules } => ChatRule::All { rules: all(rules)? },
            ChatRule::Any { rules } => ChatRule::Any { rules: all(rules)? },
            ChatRule::AtLeast { k, rules } => ChatRule::AtLeast {
                k: *k,
                rules: all(rules)?,
            },
            ChatRule::Not { rule } => ChatRule::Not {
                rule: Box::new(rule.validated(api)?),
            },
            leaf => leaf.clone(),
        })
    }
}

/// The rule as a sentence for people, e.g. "subscribers at tier 2 or higher, or fans who
/// tipped at least 9000000 native:uusdc".
impl fmt::Display for ChatRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let join = |f: &mut fmt::Formatter<'_>, rules: &[ChatRule], sep: &str| -> fmt::Result {
            for (i, rule) in rules.iter().enumerate() {
                if i > 0 {
                    f.write_str(sep)?;
                }
                write!(f, "{rule}")?;
            }
            Ok(())
        };
        match self {
            ChatRule::Everyone => f.write_str("anyone"),
            ChatRule::Subscriber { min_tier } => {
                write!(f, "subscribers at tier {min_tier} or higher")
            }
            ChatRule::TippedAtLeast { asset, amount } => {
                write!(f, "fans who tipped at least {amount} {asset}")
            }
            ChatRule::PpvSpentAtLeast { asset, amount } => {
                write!(
                    f,
                    "fans who spent at least {amount} {asset} on pay-per-view"
                )
            }
            ChatRule::HoldsSurprise => f.write_str("holders of a surprise from this creator"),
            ChatRule::Allowlist { addresses } => {
                write!(f, "the {} fans on the allowlist", addresses.len())
            }
            ChatRule::Blocklist { addresses } => {
                write!(f, "no one of the {} blocked addresses", addresses.len())
            }
            ChatRule::All { rules } => {
                f.write_str("(")?;
                join(f, rules, " and ")?;
                f.write_str(")")
            }
            ChatRule::Any { rules } => {
                f.write_str("(")?;
                join(f, rules, ", or ")?;
                f.write_str(")")
            }
            ChatRule::AtLeast { k, rules } => {
                write!(f, "({k} of: ")?;
                join(f, rules, "; ")?;
                f.write_str(")")
            }
            ChatRule::Not { rule } => write!(f, "everyone but {rule}"),
        }
    }
}

/// What a fan could do to qualify.
#[cw_serde]
pub enum Qualification {
    Subscribe {
        min_tier: u32,
    },
    Tip {
        asset: AssetInfo,
        more: Uint128,
    },
    SpendOnPpv {
        asset: AssetInfo,
        more: Uint128,
    },
    HoldSurprise,
    /// Only the creator can add the fan to the allowlist.
    AskCreatorForAllowlist,
    AllOf {
        items: Vec<Qualification>,
    },
    AnyOf {
        items: Vec<Qualification>,
    },
    AtLeast {
        k: u32,
        items: Vec<Qualification>,
    },
    /// Nothing the fan can do (for example a `Not` rule the fan satisfies the inside of).
    Impossible,
}

impl fmt::Display for Qualification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let join =
            |f: &mut fmt::Formatter<'_>, items: &[Qualification], sep: &str| -> fmt::Result {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(sep)?;
                    }
                    write!(f, "{item}")?;
                }
                Ok(())
            };
        match self {
            Qualification::Subscribe { min_tier } => write!(f, "subscribe to tier {min_tier}"),
            Qualification::Tip { asset, more } => write!(f, "tip {more} more {asset}"),
            Qualification::SpendOnPpv { asset, more } => {
                write!(f, "spend {more} more {asset} on pay-per-view")
            }
            Qualification::HoldSurprise => f.write_str("hold a surprise from this creator"),
            Qualification::AskCreatorForAllowlist => {
                f.write_str("be added to the creator's allowlist")
            }
            Qualification::AllOf { items } => {
                f.write_str("(")?;
                join(f, items, " and ")?;
                f.write_str(")")
            }
            Qualification::AnyOf { items } => {
                f.write_str("(")?;
                join(f, items, " or ")?;
                f.write_str(")")
            }
            Qualification::AtLeast { k, items } => {
                write!(f, "({k} of: ")?;
                join(f, items, ", ")?;
                f.write_str(")")
            }
            Qualification::Impossible => f.write_str("nothing the fan can do"),
        }
    }
}

/// The answer to "may this fan message this creator?".
#[cw_serde]
pub struct CanMessageResponse {
    pub allowed: bool,
    /// Path of the rule that decided, e.g. `any[1].subscriber`; `blocklist` paths for blocked fans.
    pub decided_by: String,
    /// What would qualify a denied fan; `None` when allowed or when nothing would.
    pub qualify: Option<Qualification>,
    /// `qualify` in words, for display.
    pub hint: Option<String>,
}

/// The facts about one (creator, fan) pair a rule may ask for. Implementors read them lazily,
/// so a rule pays only for the facts it needs.
pub trait GatingFacts {
    type Error;
    /// The fan's active subscription tier with this creator, at the current block time.
    fn subscription_tier(&mut self) -> Result<Option<u32>, Self::Error>;
    fn tipped(&mut self, asset: &AssetInfo) -> Result<Uint128, Self::Error>;
    fn ppv_spent(&mut self, asset: &AssetInfo) -> Result<Uint128, Self::Error>;
    fn holds_surprise(&mut self) -> Result<bool, Self::Error>;
}

struct Outcome {
    allowed: bool,
    decided_by: String,
    qualify: Qualification,
}

/// Evaluates `rule` for `fan`.
pub fn evaluate<F: GatingFacts>(
    rule: &ChatRule,
    fan: &Addr,
    facts: &mut F,
) -> Result<CanMessageResponse, F::Error> {
    if let Some(path) = blocking_path(rule, fan, rule.label().to_string()) {
        return Ok(CanMessageResponse {
            allowed: false,
            decided_by: path,
            qualify: None,
            hint: None,
        });
    }
    // Nothing in the rule admits (it is made only of blocklists): nobody is admitted.
    let outcome = eval(rule, fan, facts, rule.label().to_string())?
        .unwrap_or_else(|| leaf(false, rule.label().to_string(), Qualification::Impossible));
    let qualify = (!outcome.allowed && outcome.qualify != Qualification::Impossible)
        .then_some(outcome.qualify);
    Ok(CanMessageResponse {
        allowed: outcome.allowed,
        decided_by: outcome.decided_by,
        hint: qualify.as_ref().map(ToString::to_string),
        qualify,
    })
}

fn child_path(parent: &str, index: usize, child: &ChatRule) -> String {
    format!("{parent}[{index}].{}", child.label())
}

fn blocking_path(rule: &ChatRule, fan: &Addr, path: String) -> Option<String> {
    if let ChatRule::Blocklist { addresses } = rule {
        return addresses.contains(fan).then_some(path);
    }
    rule.children()
        .iter()
        .enumerate()
        .find_map(|(i, child)| blocking_path(child, fan, child_path(&path, i, child)))
}

fn leaf(allowed: bool, path: String, qualify: Qualification) -> Outcome {
    Outcome {
        allowed,
        decided_by: path,
        qualify,
    }
}

/// One item alone needs no `AllOf` / `AnyOf` around it.
fn combine(
    items: Vec<Qualification>,
    wrap: fn(Vec<Qualification>) -> Qualification,
) -> Qualification {
    if items.len() == 1 {
        items.into_iter().next().expect("one item")
    } else {
        wrap(items)
    }
}

/// The outcome of `rule` for a fan on none of its blocklists (those were denied before);
/// `None` when the rule takes no part: a blocklist, or a combinator of nothing but blocklists.
fn eval<F: GatingFacts>(
    rule: &ChatRule,
    fan: &Addr,
    facts: &mut F,
    path: String,
) -> Result<Option<Outcome>, F::Error> {
    Ok(Some(match rule {
        ChatRule::Everyone => leaf(true, path, Qualification::Impossible),
        ChatRule::Subscriber { min_tier } => {
            let ok = facts
                .subscription_tier()?
                .is_some_and(|tier| tier >= *min_tier);
            leaf(
                ok,
                path,
                Qualification::Subscribe {
                    min_tier: *min_tier,
                },
            )
        }
        ChatRule::TippedAtLeast { asset, amount } => {
            let tipped = facts.tipped(asset)?;
            let more = amount.saturating_sub(tipped);
            leaf(
                more.is_zero(),
                path,
                Qualification::Tip {
                    asset: asset.clone(),
                    more,
                },
            )
        }
        ChatRule::PpvSpentAtLeast { asset, amount } => {
            let spent = facts.ppv_spent(asset)?;
            let more = amount.saturating_sub(spent);
            leaf(
                more.is_zero(),
                path,
                Qualification::SpendOnPpv {
                    asset: asset.clone(),
                    more,
                },
            )
        }
        ChatRule::HoldsSurprise => leaf(facts.holds_surprise()?, path, Qualification::HoldSurprise),
        ChatRule::Allowlist { addresses } => leaf(
            addresses.contains(fan),
            path,
            Qualification::AskCreatorForAllowlist,
        ),
        // It only denies, and listed fans were denied before evaluation.
        ChatRule::Blocklist { .. } => return Ok(None),
        ChatRule::All { rules } => {
            // Every child is evaluated so a denial can list everything that is missing.
            let (mut took_part, mut first_failure, mut missing) = (false, None, vec![]);
            for (i, child) in rules.iter().enumerate() {
                let Some(out) = eval(child, fan, facts, child_path(&path, i, child))? else {
                    continue;
                };
                took_part = true;
                if !out.allowed {
                    first_failure.get_or_insert(out.decided_by);
                    missing.push(out.qualify);
                }
            }
            if !took_part {
                return Ok(None);
            }
            let qualify = if missing.contains(&Qualification::Impossible) {
                Qualification::Impossible
            } else {
                combine(missing, |items| Qualification::AllOf { items })
            };
            match first_failure {
                None => leaf(true, path, Qualification::Impossible),
                Some(decided_by) => Outcome {
                    allowed: false,
                    decided_by,
                    qualify,
                },
            }
        }
        ChatRule::Any { rules } => {
            let (mut took_part, mut options) = (false, vec![]);
            for (i, child) in rules.iter().enumerate() {
                let Some(out) = eval(child, fan, facts, child_path(&path, i, child))? else {
                    continue;
                };
                took_part = true;
                if out.allowed {
                    return Ok(Some(out));
                }
                if out.qualify != Qualification::Impossible {
                    options.push(out.qualify);
                }
            }
            if !took_part {
                return Ok(None);
            }
            let qualify = if options.is_empty() {
                Qualification::Impossible
            } else {
                combine(options, |items| Qualification::AnyOf { items })
            };
            leaf(false, path, qualify)
        }
        ChatRule::AtLeast { k, rules } => {
            let (mut took_part, mut met, mut options) = (false, 0u32, vec![]);
            for (i, child) in rules.iter().enumerate() {
                let Some(out) = eval(child, fan, facts, child_path(&path, i, child))? else {
                    continue;
                };
                took_part = true;
                if out.allowed {
                    met += 1;
                    if met >= *k {
                        return Ok(Some(leaf(true, path, Qualification::Impossible)));
                    }
                } else if out.qualify != Qualification::Impossible {
                    options.push(out.qualify);
                }
            }
            if !took_part {
                return Ok(None);
            }
            let needed = k - met;
            let qualify = if (options.len() as u32) < needed {
                Qualification::Impossible
            } else if needed as usize == options.len() {
                combine(options, |items| Qualification::AllOf { items })
            } else if needed == 1 {
                combine(options, |items| Qualification::AnyOf { items })
            } else {
                Qualification::AtLeast {
                    k: needed,
                    items: options,
                }
            };
            leaf(false, path, qualify)
        }
        ChatRule::Not { rule: inner } => {
            let Some(out) = eval(inner, fan, facts, child_path(&path, 0, inner))? else {
                return Ok(None);
            };
            leaf(!out.allowed, path, Qualification::Impossible)
        }
    }))
}

#[cfg(test)]
mod tests;
