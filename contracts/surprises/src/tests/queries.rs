//! Queries: a surprise, by owner, listings by creator and by price, `HoldsSurprise`, limits.

use cosmwasm_std::{coin, to_json_binary, Uint128};
use cw721::msg::TokensResponse;
use mesi_common::interfaces::surprises::{HoldsSurpriseResponse, SurprisesQuery};
use mesi_common::{Asset, AssetInfo};

use super::*;
use crate::msg::{
    ListingResponse, ListingsResponse, PriceCursor, SurpriseState, SurprisesResponse,
    TokenIdPrefixResponse,
};

impl Suite {
    fn holds(&self, owner: &str, creator: &str) -> bool {
        // Sent as the interface type other contracts use, to check our QueryMsg accepts it.
        let query = SurprisesQuery::HoldsSurprise {
            owner: self.addr(owner).into(),
            creator: self.addr(creator).into(),
        };
        let res: HoldsSurpriseResponse = self
            .app
            .wrap()
            .query_wasm_smart(&self.surprises, &query)
            .unwrap();
        res.holds
    }

    fn listings_by_creator(
        &self,
        creator: &str,
        start_after: Option<&str>,
        limit: u32,
    ) -> Vec<String> {
        let query = QueryMsg::ListingsByCreator {
            creator: self.addr(creator).into(),
            start_after: start_after.map(String::from),
            limit: Some(limit),
        };
        let res: ListingsResponse = self.query(&query);
        res.listings.into_iter().map(|l| l.token_id).collect()
    }
}

#[test]
fn the_interface_query_is_our_query() {
    let query = SurprisesQuery::HoldsSurprise {
        owner: "o".into(),
        creator: "c".into(),
    };
    let ours: QueryMsg = cosmwasm_std::from_json(to_json_binary(&query).unwrap()).unwrap();
    assert_eq!(
        ours,
        QueryMsg::HoldsSurprise {
            owner: "o".into(),
            creator: "c".into()
        }
    );
}

#[test]
fn holds_surprise_follows_every_ownership_change() {
    let mut s = Suite::new();
    assert!(!s.holds("carol", "alice"), "a creator without a number");
    let a = s.mint("alice", "a");
    let b = s.mint_bonded("bob", "b", 10);
    assert!(s.holds("alice", "alice") && s.holds("bob", "bob"));
    assert!(!s.holds("alice", "bob") && !s.holds("carol", "alice"));

    s.transfer("alice", &a, "carol").unwrap();
    assert!(s.holds("carol", "alice") && !s.holds("alice", "alice"));
    assert!(!s.holds("carol", "bob"));

    s.list("bob", &b, usdc(), 100).unwrap();
    s.exec(
        "carol",
        &ExecuteMsg::Buy {
            token_id: b.clone(),
        },
        &[coin(100, USDC)],
    )
    .unwrap();
    assert!(s.holds("carol", "bob") && !s.holds("bob", "bob"));

    // Unlocked, revealed and forfeited surprises are still held.
    s.exec(
        "carol",
        &ExecuteMsg::Unlock {
            token_id: b.clone(),
        },
        &[],
    )
    .unwrap();
    s.reveal("bob", &b, &Secret::of("b")).unwrap();
    s.exec(
        "carol",
        &ExecuteMsg::Unlock {
            token_id: a.clone(),
        },
        &[],
    )
    .unwrap();
    s.advance(REVEAL_WINDOW + 1);
    s.exec("carol", &ExecuteMsg::ClaimBond { token_id: a }, &[])
        .unwrap();
    assert!(s.holds("carol", "alice") && s.holds("carol", "bob"));
}

#[test]
fn creator_prefixes_do_not_overlap() {
    // Creator 1's ids start with "1.", creator 10's with "10.", creator 11's with "11.".
    let mut s = Suite::new();
    let creators: Vec<String> = (3..=11).map(|i| format!("creator{i}")).collect();
    for name in &creators {
        s.register(name, None);
    }
    s.mint("alice", "a");
    s.mint("bob", "b");
    for name in &creators {
        s.mint(name, "x");
    }
    let prefix: TokenIdPrefixResponse = s.query(&QueryMsg::TokenIdPrefix {
        creator: s.addr("creator11").into(),
    });
    assert_eq!(
        prefix,
        TokenIdPrefixResponse {
            prefix: "11.".into(),
            assigned: true
        }
    );
    for (name, token) in [("creator10", "10.x"), ("creator11", "11.x")] {
        s.transfer(name, token, "carol").unwrap();
        s.list("carol", token, usdc(), 50).unwrap();
    }
    assert!(s.holds("carol", "creator10") && s.holds("carol", "creator11"));
    assert!(
        !s.holds("carol", "alice"),
        "10.x and 11.x are not creator 1's"
    );
    assert!(s.listings_by_creator("alice", None, 10).is_empty());
    assert_eq!(s.listings_by_creator("creator10", None, 10), ["10.x"]);
    s.list("alice", "1.a", usdc(), 50).unwrap();
    assert_eq!(s.listings_by_creator("alice", None, 10), ["1.a"]);
}

#[test]
fn a_surprise_with_its_listing_and_by_owner_pages() {
    let mut s = Suite::new();
    let (alice, carol) = (s.addr("alice"), s.addr("carol"));
    let labels = ["a", "b", "c", "d", "e"];
    for label in labels {
        s.mint_bonded("alice", label, 100);
        s.transfer("alice", &format!("1.{label}"), "carol").unwrap();
    }
    let expires_at = s.app.block_info().time.plus_seconds(60);
    let list = ExecuteMsg::List {
        token_id: "1.b".into(),
        asset: usdc(),
        price: Uint128::new(70),
        expires_at: Some(expires_at),
    };
    s.exec("carol", &list, &[]).unwrap();
    s.exec(
        "carol",
        &ExecuteMsg::Unlock {
            token_id: "1.c".into(),
        },
        &[],
    )
    .unwrap();

    let b = s.surprise("1.b");
    assert_eq!(
        (&b.token_id, &b.owner, &b.creator, b.state),
        (&"1.b".to_string(), &carol, &alice, SurpriseState::Sealed)
    );
    assert_eq!(
        (&b.hints, b.royalty_bps, b.reveal_window),
        (&hints("b"), 500, REVEAL_WINDOW)
    );
    assert_eq!(
        b.commitment,
        Secret::of("b").commitment(&s.surprises, "1.b", &alice)
    );
    assert_eq!(
        b.bond,
        Some(Asset {
            info: usdc(),
            amount: Uint128::new(100)
        })
    );
    let listing = ListingResponse {
        token_id: "1.b".into(),
        seller: carol.clone(),
        creator: alice.clone(),
        asset: usdc(),
        price: Uint128::new(70),
        royalty_bps: 500,
        expires_at: Some(expires_at),
        expired: false,
    };
    assert_eq!(b.listing, Some(listing));
    assert_eq!(
        (b.unlocked_by, b.reveal_deadline, b.salt),
        (None, None, None)
    );
    let c = s.surprise("1.c");
    assert_eq!(
        (c.state, c.unlocked_by.as_ref(), c.listing),
        (SurpriseState::Unlocked, Some(&carol), None)
    );
    assert_eq!(
        c.reveal_deadline,
        Some(s.app.block_info().time.plus_seconds(REVEAL_WINDOW))
    );

    let page = |start_after: Option<&str>, limit| {
        let query = QueryMsg::SurprisesByOwner {
            owner: carol.to_string(),
            start_after: start_after.map(String::from),
            limit,
        };
        let res: SurprisesResponse = s.query(&query);
        res.surprises
            .into_iter()
            .map(|x| (x.token_id, x.state, x.listing.is_some()))
            .collect::<Vec<_>>()
    };
    let first = page(None, Some(2));
    assert_eq!(
        first,
        [
            ("1.a".into(), SurpriseState::Sealed, false),
            ("1.b".into(), SurpriseState::Sealed, true)
        ]
    );
    let rest = page(Some("1.b"), None);
    let ids: Vec<_> = rest.iter().map(|x| x.0.as_str()).collect();
    assert_eq!(ids, ["1.c", "1.d", "1.e"]);
    assert_eq!(rest[0].1, SurpriseState::Unlocked);
    assert!(page(Some("1.e"), None).is_empty());
    let none: SurprisesResponse = s.query(&QueryMsg::SurprisesByOwner {
        owner: alice.into(),
        start_after: None,
        limit: None,
    });
    assert!(none.surprises.is_empty());
}

#[test]
fn listings_by_price_are_cheapest_first_per_asset() {
    let mut s = Suite::new();
    let mesi = AssetInfo::cw20(s.mesi.clone());
    let prices = [("a", 500), ("b", 20), ("c", 500), ("d", 7)];
    for (label, price) in prices {
        let token = s.mint("alice", label);
        s.list("alice", &token, usdc(), price).unwrap();
    }
    let token = s.mint("bob", "m");
    s.list("bob", &token, mesi.clone(), 1).unwrap();

    let page = |s: &Suite, start_after: Option<PriceCursor>, limit| {
        let res: ListingsResponse = s.query(&QueryMsg::ListingsByPrice {
            asset: usdc(),
            start_after,
            limit,
        });
        res.listings
            .into_iter()
            .map(|l| (l.token_id, l.price.u128()))
            .collect::<Vec<_>>()
    };
    let all = page(&s, None, None);
    assert_eq!(
        all,
        [
            ("1.d".into(), 7),
            ("1.b".into(), 20),
            ("1.a".into(), 500),
            ("1.c".into(), 500)
        ]
    );
    let second = page(
        &s,
        Some(PriceCursor {
            price: Uint128::new(20),
            token_id: "1.b".into(),
        }),
        Some(2),
    );
    assert_eq!(second, [("1.a".into(), 500), ("1.c".into(), 500)]);
    let last = page(
        &s,
        Some(PriceCursor {
            price: Uint128::new(500),
            token_id: "1.a".into(),
        }),
        None,
    );
    assert_eq!(last, [("1.c".into(), 500)]);
    let res: ListingsResponse = s.query(&QueryMsg::ListingsByPrice {
        asset: mesi,
        start_after: None,
        limit: None,
    });
    assert_eq!(
        res.listings
            .iter()
            .map(|l| l.token_id.as_str())
            .collect::<Vec<_>>(),
        ["2.m"]
    );

    // By creator, paginated by token id.
    assert_eq!(
        s.listings_by_creator("alice", None, 3),
        ["1.a", "1.b", "1.c"]
    );
    assert_eq!(s.listings_by_creator("alice", Some("1.c"), 3), ["1.d"]);
    assert_eq!(s.listings_by_creator("bob", None, 10), ["2.m"]);

    // A sale removes the listing from both indexes.
    s.exec(
        "carol",
        &ExecuteMsg::Buy {
            token_id: "1.b".into(),
        },
        &[coin(20, USDC)],
    )
    .unwrap();
    assert_eq!(
        page(&s, None, Some(2)),
        [("1.d".into(), 7), ("1.a".into(), 500)]
    );
    assert_eq!(
        s.listings_by_creator("alice", None, 10),
        ["1.a", "1.c", "1.d"]
    );
}

#[test]
fn pages_are_capped_at_100() {
    let mut s = Suite::new();
    for i in 0..101 {
        let token = s.mint("alice", &format!("t{i:03}"));
        s.list("alice", &token, usdc(), 1 + i).unwrap();
    }
    let tokens: TokensResponse = s.query(&QueryMsg::AllTokens {
        start_after: None,
        limit: Some(1_000),
    });
    assert_eq!(tokens.tokens.len(), 100);
    let tokens: TokensResponse = s.query(&QueryMsg::Tokens {
        owner: s.addr("alice").into(),
        start_after: None,
        limit: Some(1_000),
    });
    assert_eq!(tokens.tokens.len(), 100);
    let tokens: TokensResponse = s.query(&QueryMsg::Tokens {
        owner: s.addr("alice").into(),
        start_after: None,
        limit: None,
    });
    assert_eq!(tokens.tokens.len(), 10);
    let owner = s.addr("alice").to_string();
    let surprises: SurprisesResponse = s.query(&QueryMsg::SurprisesByOwner {
        owner,
        start_after: None,
        limit: Some(500),
    });
    assert_eq!(surprises.surprises.len(), 100);
    let listings: ListingsResponse = s.query(&QueryMsg::ListingsByPrice {
        asset: usdc(),
        start_after: None,
        limit: Some(500),
    });
    assert_eq!(listings.listings.len(), 100);
    assert_eq!(s.listings_by_creator("alice", None, 500).len(), 100);
    let count: cw721::msg::NumTokensResponse = s.query(&QueryMsg::NumTokens {});
    assert_eq!(count.count, 101);
}
