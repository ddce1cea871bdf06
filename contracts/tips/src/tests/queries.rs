//! Totals queries and their pagination.

use cosmwasm_std::{to_json_binary, Addr, Uint128};
use mesi_common::interfaces::tips::TipsQuery;
use mesi_common::pagination::{DEFAULT_LIMIT, MAX_LIMIT};
use mesi_common::AssetInfo;

use super::*;
use crate::msg::{CreatorAsset, FanAsset, TipTotal, TotalsResponse};

fn fan_totals(
    suite: &Suite,
    creator: &Addr,
    start_after: Option<FanAsset>,
    limit: Option<u32>,
) -> Vec<TipTotal> {
    let msg = QueryMsg::FanTotals {
        creator: creator.to_string(),
        start_after,
        limit,
    };
    suite
        .app
        .wrap()
        .query_wasm_smart::<TotalsResponse>(&suite.tips, &msg)
        .unwrap()
        .totals
}

fn tipped_creators(
    suite: &Suite,
    fan: &Addr,
    start_after: Option<CreatorAsset>,
    limit: Option<u32>,
) -> Vec<TipTotal> {
    let msg = QueryMsg::TippedCreators {
        fan: fan.to_string(),
        start_after,
        limit,
    };
    suite
        .app
        .wrap()
        .query_wasm_smart::<TotalsResponse>(&suite.tips, &msg)
        .unwrap()
        .totals
}

#[test]
fn the_tips_query_other_contracts_send_is_accepted() {
    let mut suite = Suite::new();
    let (fan, carol) = (suite.fan(0), suite.carol.clone());
    suite.tip_native(&fan, &carol, 250, USDC).unwrap();
    let query = TipsQuery::TippedTotal {
        creator: carol.to_string(),
        fan: fan.to_string(),
        asset: AssetInfo::native(USDC),
    };
    let own = QueryMsg::TippedTotal {
        creator: carol.to_string(),
        fan: fan.to_string(),
        asset: AssetInfo::native(USDC),
    };
    assert_eq!(
        to_json_binary(&query).unwrap(),
        to_json_binary(&own).unwrap()
    );
    let resp: TotalResponse = suite
        .app
        .wrap()
        .query_wasm_smart(&suite.tips, &query)
        .unwrap();
    assert_eq!(resp.amount, Uint128::new(250));
}

#[test]
fn tipped_total_validates_its_arguments() {
    let suite = Suite::new();
    let bad = [
        QueryMsg::TippedTotal {
            creator: "nobody".into(),
            fan: suite.fans[0].to_string(),
            asset: AssetInfo::native(USDC),
        },
        QueryMsg::TippedTotal {
            creator: suite.carol.to_string(),
            fan: "nobody".into(),
            asset: AssetInfo::native(USDC),
        },
        QueryMsg::TippedTotal {
            creator: suite.carol.to_string(),
            fan: suite.fans[0].to_string(),
            asset: AssetInfo::cw20(Addr::unchecked("nobody")),
        },
    ];
    for msg in bad {
        assert!(
            suite
                .app
                .wrap()
                .query_wasm_smart::<TotalResponse>(&suite.tips, &msg)
                .is_err(),
            "{msg:?}"
        );
    }
}

#[test]
fn fan_totals_page_through_every_fan_and_asset() {
    let fan_count = MAX_LIMIT as usize + 5;
    let mut suite = Suite::with_fans(fan_count);
    let carol = suite.carol.clone();
    for (i, fan) in suite.fans.clone().iter().enumerate() {
        suite
            .tip_native(fan, &carol, 100 + i as u128, USDC)
            .unwrap();
        suite.tip_native(fan, &carol, 1 + i as u128, ATOM).unwrap();
    }

    assert_eq!(
        fan_totals(&suite, &carol, None, None).len(),
        DEFAULT_LIMIT as usize
    );
    assert_eq!(
        fan_totals(&suite, &carol, None, Some(u32::MAX)).len(),
        MAX_LIMIT as usize
    );
    assert_eq!(fan_totals(&suite, &carol, None, Some(0)).len(), 1);

    let mut all: Vec<TipTotal> = vec![];
    loop {
        let start_after = all.last().map(|t| FanAsset {
            fan: t.fan.to_string(),
            asset: t.asset.clone(),
        });
        let page = fan_totals(&suite, &carol, start_after, Some(7));
        assert!(page.len() <= 7);
        if page.is_empty() {
            break;
        }
        all.extend(page);
    }
    assert_eq!(all.len(), 2 * fan_count);
    let keys: Vec<_> = all
        .iter()
        .map(|t| (t.fan.to_string(), t.asset.key()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(keys, sorted, "ordered by fan then asset, without repeats");
    for total in &all {
        assert_eq!(total.creator, carol);
        assert_eq!(
            total.amount.u128(),
            suite.total(&carol, &total.fan, &total.asset)
        );
        let i = suite.fans.iter().position(|f| f == total.fan).unwrap() as u128;
        let expected = if total.asset == AssetInfo::native(USDC) {
            100 + i
        } else {
            1 + i
        };
        assert_eq!(total.amount.u128(), expected);
    }
    // A creator nobody tipped.
    assert!(fan_totals(&suite, &suite.dave, None, None).is_empty());
}

#[test]
fn tipped_creators_page_through_every_creator_and_asset() {
    let mut suite = Suite::new();
    let (fan, other_fan, carol, dave) = (
        suite.fan(0),
        suite.fan(1),
        suite.carol.clone(),
        suite.dave.clone(),
    );
    for creator in [&carol, &dave] {
        suite.tip_native(&fan, creator, 100, USDC).unwrap();
        suite.tip_native(&fan, creator, 100, USDC).unwrap();
        suite.tip_native(&fan, creator, 3, ATOM).unwrap();
        suite.mesi_tip(&fan, creator, 40).unwrap();
    }
    suite.tip_native(&other_fan, &carol, 100, USDC).unwrap();

    let all = tipped_creators(&suite, &fan, None, None);
    assert_eq!(all.len(), 6);
    let mut expected: Vec<(String, String)> = [&carol, &dave]
        .iter()
        .flat_map(|c| {
            [
                AssetInfo::native(USDC),
                AssetInfo::native(ATOM),
                AssetInfo::cw20(suite.mesi.clone()),
            ]
            .map(|a| (c.to_string(), a.key()))
        })
        .collect();
    expected.sort();
    assert_eq!(
        all.iter()
            .map(|t| (t.creator.to_string(), t.asset.key()))
            .collect::<Vec<_>>(),
        expected
    );
    for total in &all {
        assert_eq!(total.fan, fan);
        assert_eq!(
            total.amount.u128(),
            suite.total(&total.creator, &fan, &total.asset)
        );
    }
    assert_eq!(
        all.iter()
            .filter(|t| t.asset == AssetInfo::native(USDC))
            .map(|t| t.amount.u128())
            .collect::<Vec<_>>(),
        [200, 200]
    );

    let first = tipped_creators(&suite, &fan, None, Some(4));
    assert_eq!(first, all[..4]);
    let last = &first[3];
    let rest = tipped_creators(
        &suite,
        &fan,
        Some(CreatorAsset {
            creator: last.creator.to_string(),
            asset: last.asset.clone(),
        }),
        Some(4),
    );
    assert_eq!(rest, all[4..]);

    assert_eq!(tipped_creators(&suite, &other_fan, None, None).len(), 1);
    let msg = QueryMsg::TippedCreators {
        fan: fan.to_string(),
        start_after: Some(CreatorAsset {
            creator: "nobody".into(),
            asset: AssetInfo::native(USDC),
        }),
        limit: None,
    };
    assert!(suite
        .app
        .wrap()
        .query_wasm_smart::<TotalsResponse>(&suite.tips, &msg)
        .is_err());
}
