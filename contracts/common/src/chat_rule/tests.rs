use std::collections::HashMap;

use cosmwasm_std::testing::MockApi;

use super::*;

/// Facts from plain maps; counts how many facts were read.
#[derive(Default)]
struct Facts {
    tier: Option<u32>,
    tipped: HashMap<AssetInfo, u128>,
    spent: HashMap<AssetInfo, u128>,
    holds: bool,
    reads: usize,
}

impl GatingFacts for Facts {
    type Error = std::convert::Infallible;
    fn subscription_tier(&mut self) -> Result<Option<u32>, Self::Error> {
        self.reads += 1;
        Ok(self.tier)
    }
    fn tipped(&mut self, asset: &AssetInfo) -> Result<Uint128, Self::Error> {
        self.reads += 1;
        Ok(Uint128::new(self.tipped.get(asset).copied().unwrap_or(0)))
    }
    fn ppv_spent(&mut self, asset: &AssetInfo) -> Result<Uint128, Self::Error> {
        self.reads += 1;
        Ok(Uint128::new(self.spent.get(asset).copied().unwrap_or(0)))
    }
    fn holds_surprise(&mut self) -> Result<bool, Self::Error> {
        self.reads += 1;
        Ok(self.holds)
    }
}

fn usdc() -> AssetInfo {
    AssetInfo::native("uusdc")
}

fn fan() -> Addr {
    MockApi::default().addr_make("fan")
}

fn check(rule: &ChatRule, facts: &mut Facts) -> CanMessageResponse {
    let Ok(answer) = evaluate(rule, &fan(), facts);
    answer
}

fn tipped(amount: u128) -> ChatRule {
    ChatRule::TippedAtLeast {
        asset: usdc(),
        amount: Uint128::new(amount),
    }
}

#[test]
fn each_leaf() {
    let mut facts = Facts {
        tier: Some(2),
        holds: true,
        ..Default::default()
    };
    facts.tipped.insert(usdc(), 10);
    facts.spent.insert(usdc(), 3);
    assert!(check(&ChatRule::Everyone, &mut facts).allowed);
    assert!(check(&ChatRule::Subscriber { min_tier: 2 }, &mut facts).allowed);
    let denied = check(&ChatRule::Subscriber { min_tier: 3 }, &mut facts);
    assert_eq!(
        (denied.allowed, denied.decided_by.as_str()),
        (false, "subscriber")
    );
    assert_eq!(denied.hint.as_deref(), Some("subscribe to tier 3"));
    assert!(check(&tipped(10), &mut facts).allowed);
    let denied = check(&tipped(15), &mut facts);
    assert_eq!(
        denied.qualify,
        Some(Qualification::Tip {
            asset: usdc(),
            more: Uint128::new(5)
        })
    );
    assert_eq!(denied.hint.as_deref(), Some("tip 5 more native:uusdc"));
    let ppv = ChatRule::PpvSpentAtLeast {
        asset: usdc(),
        amount: Uint128::new(4),
    };
    assert_eq!(
        check(&ppv, &mut facts).qualify,
        Some(Qualification::SpendOnPpv {
            asset: usdc(),
            more: Uint128::new(1)
        })
    );
    assert!(check(&ChatRule::HoldsSurprise, &mut facts).allowed);
    assert!(
        check(
            &ChatRule::Allowlist {
                addresses: vec![fan()]
            },
            &mut facts
        )
        .allowed
    );
    assert!(!check(&ChatRule::Allowlist { addresses: vec![] }, &mut facts).allowed);
    // A blocklist alone admits nobody: it only ever denies.
    assert!(!check(&ChatRule::Blocklist { addresses: vec![] }, &mut facts).allowed);
}

#[test]
fn combinators_and_deciding_rule() {
    let mut facts = Facts {
        tier: Some(1),
        ..Default::default()
    };
    let any = ChatRule::Any {
        rules: vec![tipped(5), ChatRule::Subscriber { min_tier: 1 }],
    };
    let answer = check(&any, &mut facts);
    assert!(answer.allowed);
    assert_eq!(answer.decided_by, "any[1].subscriber");

    let all = ChatRule::All {
        rules: vec![ChatRule::Subscriber { min_tier: 2 }, tipped(5)],
    };
    let answer = check(&all, &mut facts);
    assert_eq!(answer.decided_by, "all[0].subscriber");
    assert_eq!(
        answer.hint.as_deref(),
        Some("(subscribe to tier 2 and tip 5 more native:uusdc)")
    );

    let at_least = ChatRule::AtLeast {
        k: 2,
        rules: vec![
            ChatRule::Subscriber { min_tier: 1 },
            tipped(5),
            ChatRule::HoldsSurprise,
        ],
    };
    let answer = check(&at_least, &mut facts);
    assert!(!answer.allowed);
    assert_eq!(
        answer.hint.as_deref(),
        Some("(tip 5 more native:uusdc or hold a surprise from this creator)")
    );
    facts.holds = true;
    assert!(check(&at_least, &mut facts).allowed);

    let not = ChatRule::Not {
        rule: Box::new(ChatRule::HoldsSurprise),
    };
    let answer = check(&not, &mut facts);
    assert_eq!(
        (answer.allowed, answer.qualify, answer.decided_by.as_str()),
        (false, None, "not")
    );
}

#[test]
fn any_stops_at_the_first_allowed_child() {
    let mut facts = Facts {
        tier: Some(1),
        ..Default::default()
    };
    let any = ChatRule::Any {
        rules: vec![
            ChatRule::Subscriber { min_tier: 1 },
            tipped(1),
            ChatRule::HoldsSurprise,
        ],
    };
    assert!(check(&any, &mut facts).allowed);
    assert_eq!(facts.reads, 1);
}

#[test]
fn blocklist_wins_wherever_it_sits() {
    let mut facts = Facts::default();
    let rule = ChatRule::Any {
        rules: vec![
            ChatRule::Everyone,
            ChatRule::All {
                rules: vec![ChatRule::Blocklist {
                    addresses: vec![fan()],
                }],
            },
        ],
    };
    let answer = check(&rule, &mut facts);
    assert!(!answer.allowed);
    assert_eq!(answer.decided_by, "any[1].all[0].blocklist");
    assert_eq!(answer.qualify, None);
    // Inside a Not it still blocks.
    let rule = ChatRule::Not {
        rule: Box::new(ChatRule::Blocklist {
            addresses: vec![fan()],
        }),
    };
    assert!(!check(&rule, &mut facts).allowed);
    assert_eq!(facts.reads, 0);
}

#[test]
fn caps_are_enforced_with_clear_errors() {
    let api = MockApi::default();
    let mut deep = ChatRule::Everyone;
    for _ in 0..MAX_DEPTH {
        deep = ChatRule::Not {
            rule: Box::new(deep),
        };
    }
    assert_eq!(
        deep.validate(&api),
        Err(ChatRuleError::TooDeep {
            depth: MAX_DEPTH + 1
        })
    );
    let wide = ChatRule::Any {
        rules: vec![ChatRule::Everyone; MAX_LEAVES + 1],
    };
    assert_eq!(
        wide.validate(&api),
        Err(ChatRuleError::TooManyLeaves {
            leaves: MAX_LEAVES + 1
        })
    );
    let listed = ChatRule::Allowlist {
        addresses: vec![fan(); MAX_LIST_ADDRESSES + 1],
    };
    assert_eq!(
        listed.validate(&api),
        Err(ChatRuleError::TooManyAddresses {
            addresses: MAX_LIST_ADDRESSES + 1
        })
    );
    assert_eq!(
        ChatRule::Any { rules: vec![] }.validate(&api),
        Err(ChatRuleError::EmptyCombinator("any"))
    );
    let bad_k = ChatRule::AtLeast {
        k: 3,
        rules: vec![ChatRule::Everyone; 2],
    };
    assert_eq!(
        bad_k.validate(&api),
        Err(ChatRuleError::InvalidThreshold { k: 3, children: 2 })
    );
    assert_eq!(tipped(0).validate(&api), Err(ChatRuleError::ZeroAmount));
    let bad_addr = ChatRule::Allowlist {
        addresses: vec![Addr::unchecked("nope")],
    };
    assert!(matches!(
        bad_addr.validate(&api),
        Err(ChatRuleError::Std(_))
    ));
    let ok = ChatRule::All {
        rules: vec![
            ChatRule::Subscriber { min_tier: 1 },
            ChatRule::Blocklist {
                addresses: vec![fan()],
            },
        ],
    };
    assert_eq!(ok.validate(&api), Ok(ok.clone()));
}

#[test]
fn deeply_nested_input_is_rejected_without_recursing_through_it() {
    let mut deep = ChatRule::Everyone;
    for _ in 0..10_000 {
        deep = ChatRule::Not {
            rule: Box::new(deep),
        };
    }
    assert!(matches!(
        deep.validate(&MockApi::default()),
        Err(ChatRuleError::TooDeep { .. })
    ));
    // Dropping a 10,000-deep Box chain recursively is fine at this depth on the test stack.
}

fn blocklist(addresses: Vec<Addr>) -> ChatRule {
    ChatRule::Blocklist { addresses }
}

fn stranger_blocklist() -> ChatRule {
    blocklist(vec![MockApi::default().addr_make("spammer")])
}

#[test]
fn a_blocklist_never_admits_anyone() {
    // A stranger: no subscription, nothing tipped, not listed anywhere.
    let mut facts = Facts::default();
    let any = ChatRule::Any {
        rules: vec![ChatRule::Subscriber { min_tier: 1 }, stranger_blocklist()],
    };
    let answer = check(&any, &mut facts);
    assert_eq!(
        (answer.allowed, answer.decided_by.as_str(), answer.qualify),
        (false, "any", Some(Qualification::Subscribe { min_tier: 1 }))
    );
    assert_eq!(answer.hint.as_deref(), Some("subscribe to tier 1"));

    // at_least counts only the conditions that admit: the blocklist is not one met.
    let at_least = ChatRule::AtLeast {
        k: 1,
        rules: vec![stranger_blocklist(), tipped(5), ChatRule::HoldsSurprise],
    };
    let answer = check(&at_least, &mut facts);
    assert!(!answer.allowed);
    assert_eq!(
        answer.hint.as_deref(),
        Some("(tip 5 more native:uusdc or hold a surprise from this creator)")
    );
    facts.holds = true;
    let answer = check(&at_least, &mut facts);
    assert_eq!(
        (answer.allowed, answer.decided_by.as_str()),
        (true, "at_least")
    );

    // Inside all it takes no part for a fan who is not listed.
    let all = ChatRule::All {
        rules: vec![ChatRule::HoldsSurprise, stranger_blocklist()],
    };
    let answer = check(&all, &mut facts);
    assert_eq!((answer.allowed, answer.decided_by.as_str()), (true, "all"));

    // A rule left with nothing that admits (only stored before validation refused it) admits
    // nobody, and there is nothing to qualify with.
    for rule in [
        stranger_blocklist(),
        ChatRule::Not {
            rule: Box::new(stranger_blocklist()),
        },
        ChatRule::Any {
            rules: vec![stranger_blocklist(), stranger_blocklist()],
        },
    ] {
        let answer = check(&rule, &mut facts);
        assert_eq!(
            (answer.allowed, answer.qualify, answer.hint),
            (false, None, None),
            "{rule:?}"
        );
    }
    // Under not, the blocklist is as if absent: not{all[holds, blocklist]} is not{holds}.
    let not = ChatRule::Not {
        rule: Box::new(ChatRule::All {
            rules: vec![ChatRule::HoldsSurprise, stranger_blocklist()],
        }),
    };
    assert!(!check(&not, &mut facts).allowed);
    facts.holds = false;
    assert!(check(&not, &mut facts).allowed);
}

#[test]
fn rules_where_a_blocklist_would_surprise_are_refused() {
    let api = MockApi::default();
    let sub = || ChatRule::Subscriber { min_tier: 1 };
    assert_eq!(
        stranger_blocklist().validate(&api),
        Err(ChatRuleError::NothingAdmits {
            path: "blocklist".into()
        })
    );
    let only_lists = ChatRule::Any {
        rules: vec![
            sub(),
            ChatRule::All {
                rules: vec![stranger_blocklist(), stranger_blocklist()],
            },
        ],
    };
    assert_eq!(
        only_lists.validate(&api),
        Err(ChatRuleError::NothingAdmits {
            path: "any[1].all".into()
        })
    );
    for under_not in [
        ChatRule::Not {
            rule: Box::new(stranger_blocklist()),
        },
        ChatRule::All {
            rules: vec![
                sub(),
                ChatRule::Not {
                    rule: Box::new(ChatRule::Any {
                        rules: vec![ChatRule::HoldsSurprise, stranger_blocklist()],
                    }),
                },
            ],
        },
    ] {
        assert_eq!(
            under_not.validate(&api),
            Err(ChatRuleError::BlocklistUnderNot),
            "{under_not:?}"
        );
    }
    let counted = ChatRule::AtLeast {
        k: 2,
        rules: vec![sub(), stranger_blocklist()],
    };
    assert_eq!(
        counted.validate(&api),
        Err(ChatRuleError::InvalidThreshold { k: 2, children: 1 })
    );
    // Blocklists next to what admits are fine, in every combinator.
    for ok in [
        ChatRule::All {
            rules: vec![ChatRule::Everyone, stranger_blocklist()],
        },
        ChatRule::Any {
            rules: vec![sub(), stranger_blocklist()],
        },
        ChatRule::AtLeast {
            k: 1,
            rules: vec![sub(), stranger_blocklist()],
        },
    ] {
        assert_eq!(ok.validate(&api), Ok(ok.clone()));
    }
}

#[test]
fn rules_read_as_sentences() {
    let usdc = AssetInfo::Native {
        denom: "uusdc".into(),
    };
    let rule = ChatRule::Any {
        rules: vec![
            ChatRule::Subscriber { min_tier: 2 },
            ChatRule::All {
                rules: vec![
                    ChatRule::TippedAtLeast {
                        asset: usdc,
                        amount: Uint128::new(9_000_000),
                    },
                    ChatRule::Blocklist {
                        addresses: vec![Addr::unchecked("a"), Addr::unchecked("b")],
                    },
                ],
            },
        ],
    };
    assert_eq!(
        rule.to_string(),
        "(subscribers at tier 2 or higher, or (fans who tipped at least 9000000 native:uusdc \
         and no one of the 2 blocked addresses))"
    );
    assert_eq!(ChatRule::Everyone.to_string(), "anyone");
    assert_eq!(
        ChatRule::Not {
            rule: Box::new(ChatRule::HoldsSurprise)
        }
        .to_string(),
        "everyone but holders of a surprise from this creator"
    );
}
