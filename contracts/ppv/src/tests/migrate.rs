//! migrate: cw2 name and version checks, and the move of 0.1.x state (content ids unique across
//! the contract) to ids per creator.

use cosmwasm_schema::serde::de::DeserializeOwned;
use cosmwasm_std::testing::{message_info, mock_dependencies, mock_env};
use cosmwasm_std::{from_json, Deps, Uint128};

use super::*;
use crate::contract::{migrate, CONTRACT_NAME, CONTRACT_VERSION};
use crate::msg::{
    AccessReason, BuyerInfo, BuyersResponse, ItemsResponse, MigrateMsg, PurchaseInfo,
    PurchasesResponse,
};

/// The storage layout of 0.1.x, written here as it was (not taken from the migration code).
mod v1 {
    use cosmwasm_schema::cw_serde;
    use cosmwasm_std::{Addr, Timestamp, Uint128};
    use cw_storage_plus::Map;
    use mesi_common::AssetInfo;

    use crate::state::ContentItem;

    #[cw_serde]
    pub struct Purchase {
        pub creator: Addr,
        pub asset: AssetInfo,
        pub price: Uint128,
        pub purchased_at: Timestamp,
    }

    pub const ITEMS: Map<&str, ContentItem> = Map::new("items");
    pub const CREATOR_ITEMS: Map<(&Addr, &str), ()> = Map::new("creator_items");
    pub const PURCHASES: Map<(&Addr, &str), Purchase> = Map::new("purchases");
    pub const BUYERS: Map<(&str, &Addr), Timestamp> = Map::new("buyers");
}

#[test]
fn migrate_from_an_older_or_the_same_version() {
    let mut deps = mock_dependencies();
    cw2::set_contract_version(deps.as_mut().storage, CONTRACT_NAME, "0.0.1").unwrap();
    migrate(deps.as_mut(), mock_env(), MigrateMsg {}).unwrap();
    assert_eq!(
        cw2::get_contract_version(&deps.storage).unwrap().version,
        CONTRACT_VERSION
    );
    migrate(deps.as_mut(), mock_env(), MigrateMsg {}).unwrap();
}

#[test]
fn migrate_refuses_another_contract_and_a_downgrade() {
    let mut deps = mock_dependencies();
    cw2::set_contract_version(deps.as_mut().storage, "crates.io:cw20-base", "0.0.1").unwrap();
    let err = migrate(deps.as_mut(), mock_env(), MigrateMsg {}).unwrap_err();
    assert!(
        err.to_string()
            .contains("Cannot migrate from crates.io:cw20-base"),
        "{err}"
    );

    cw2::set_contract_version(deps.as_mut().storage, CONTRACT_NAME, "99.0.0").unwrap();
    let err = migrate(deps.as_mut(), mock_env(), MigrateMsg {}).unwrap_err();
    assert!(
        err.to_string()
            .contains("Cannot migrate from newer version"),
        "{err}"
    );
}

#[test]
fn migrate_through_the_chain_keeps_state() {
    let mut s = Suite::new();
    let (creator, fan) = (s.creator.clone(), s.fan());
    s.list_item(&creator, "clip", 10, s.usdc()).unwrap();
    s.buy_usdc(&fan, &creator, "clip", 10).unwrap();
    let (owner, ppv, code) = (s.owner.clone(), s.ppv.clone(), s.ppv_code_id);
    s.platform
        .app
        .migrate_contract(owner, ppv.clone(), &MigrateMsg {}, code)
        .unwrap();
    // Only the admin may migrate.
    assert!(s
        .app
        .migrate_contract(fan.clone(), ppv, &MigrateMsg {}, code)
        .is_err());
    assert!(s.has_access(&fan, &creator, "clip").allowed);
    assert_eq!(s.spent(&creator, &fan, &s.usdc()), 10);
}

fn query<T: DeserializeOwned>(deps: Deps, msg: QueryMsg) -> T {
    from_json(crate::contract::query(deps, mock_env(), msg).unwrap()).unwrap()
}

#[test]
fn migrate_moves_items_purchases_and_buyers_to_ids_per_creator() {
    let mut deps = mock_dependencies();
    let api = deps.api;
    let (a, b) = (api.addr_make("creator_a"), api.addr_make("creator_b"));
    let (fan1, fan2) = (api.addr_make("fan1"), api.addr_make("fan2"));
    let instantiate = InstantiateMsg {
        creators: api.addr_make("creators").to_string(),
        subscriptions: api.addr_make("subscriptions").to_string(),
    };
    let info = message_info(&a, &[]);
    crate::contract::instantiate(deps.as_mut(), mock_env(), info, instantiate).unwrap();
    cw2::set_contract_version(deps.as_mut().storage, CONTRACT_NAME, "0.1.0").unwrap();

    let t0 = mock_env().block.time;
    let item = |creator: &Addr, content_id: &str, price: u128, listed: bool| ContentItem {
        content_id: content_id.into(),
        creator: creator.clone(),
        price: Uint128::new(price),
        asset: AssetInfo::native(USDC),
        sale_ends_at: None,
        free_for_tier: None,
        listed,
        revision: if listed { 1 } else { 2 },
    };
    let items = [
        item(&a, "clip", 10, true),
        item(&a, "song", 20, false),
        item(&b, "talk", 30, true),
    ];
    // (fan, item, seconds after t0)
    let bought = [
        (&fan1, &items[0], 0),
        (&fan2, &items[1], 5),
        (&fan1, &items[2], 9),
    ];
    let storage = deps.as_mut().storage;
    for item in &items {
        v1::ITEMS.save(storage, &item.content_id, item).unwrap();
        v1::CREATOR_ITEMS
            .save(storage, (&item.creator, &item.content_id), &())
            .unwrap();
    }
    for (fan, item, secs) in bought {
        let purchase = v1::Purchase {
            creator: item.creator.clone(),
            asset: item.asset.clone(),
            price: item.price,
            purchased_at: t0.plus_seconds(secs),
        };
        v1::PURCHASES
            .save(storage, (fan, &item.content_id), &purchase)
            .unwrap();
        v1::BUYERS
            .save(storage, (&item.content_id, fan), &t0.plus_seconds(secs))
            .unwrap();
    }

    let response = migrate(deps.as_mut(), mock_env(), MigrateMsg {}).unwrap();
    let attribute = |key: &str| {
        response
            .attributes
            .iter()
            .find(|attr| attr.key == key)
            .map(|attr| attr.value.clone())
    };
    assert_eq!(attribute("migrated_from").as_deref(), Some("0.1.0"));
    assert_eq!(attribute("items_moved").as_deref(), Some("3"));
    assert_eq!(attribute("purchases_moved").as_deref(), Some("3"));
    assert_eq!(
        cw2::get_contract_version(&deps.storage).unwrap().version,
        CONTRACT_VERSION
    );

    // Nothing is left under the old keys.
    let storage = &deps.storage;
    assert!(v1::ITEMS.is_empty(storage));
    assert!(v1::CREATOR_ITEMS.is_empty(storage));
    assert!(v1::PURCHASES.is_empty(storage));
    assert!(v1::BUYERS.is_empty(storage));

    // Items, each creator's list, access, purchases and buyers, under (creator, content id).
    let deps_ref = deps.as_ref();
    for item in &items {
        let msg = QueryMsg::Item {
            creator: item.creator.to_string(),
            content_id: item.content_id.clone(),
        };
        assert_eq!(&query::<ContentItem>(deps_ref, msg), item);
    }
    let items_of = |creator: &Addr| {
        let msg = QueryMsg::Items {
            creator: creator.to_string(),
            start_after: None,
            limit: None,
        };
        query::<ItemsResponse>(deps_ref, msg).items
    };
    assert_eq!(items_of(&a), items[..2]);
    assert_eq!(items_of(&b), items[2..]);
    let access = |viewer: &Addr, item: &ContentItem| {
        let msg = QueryMsg::HasAccess {
            viewer: viewer.to_string(),
            creator: item.creator.to_string(),
            content_id: item.content_id.clone(),
        };
        query::<AccessResponse>(deps_ref, msg).reason
    };
    assert_eq!(access(&fan1, &items[0]), AccessReason::Purchased);
    assert_eq!(access(&fan2, &items[1]), AccessReason::Purchased);
    assert_eq!(access(&fan1, &items[2]), AccessReason::Purchased);
    assert_eq!(access(&fan2, &items[0]), AccessReason::None);
    assert_eq!(access(&fan1, &items[1]), AccessReason::None);
    assert_eq!(access(&a, &items[0]), AccessReason::Creator);
    for (fan, expected) in [
        (&fan1, vec![(&items[0], 0), (&items[2], 9)]),
        (&fan2, vec![(&items[1], 5)]),
    ] {
        let msg = QueryMsg::Purchases {
            fan: fan.to_string(),
            start_after: None,
            limit: None,
        };
        let mut expected: Vec<PurchaseInfo> = expected
            .into_iter()
            .map(|(item, secs)| PurchaseInfo {
                content_id: item.content_id.clone(),
                creator: item.creator.clone(),
                asset: item.asset.clone(),
                price: item.price,
                purchased_at: t0.plus_seconds(secs),
            })
            .collect();
        expected.sort_by(|x, y| x.creator.cmp(&y.creator));
        assert_eq!(
            query::<PurchasesResponse>(deps_ref, msg).purchases,
            expected
        );
    }
    for (fan, item, secs) in bought {
        let msg = QueryMsg::Buyers {
            creator: item.creator.to_string(),
            content_id: item.content_id.clone(),
            start_after: None,
            limit: None,
        };
        let expected = vec![BuyerInfo {
            buyer: fan.clone(),
            purchased_at: t0.plus_seconds(secs),
        }];
        assert_eq!(query::<BuyersResponse>(deps_ref, msg).buyers, expected);
    }

    // A moved purchase still counts: the fan cannot pay for the item again.
    let buy = ExecuteMsg::Buy {
        creator: a.to_string(),
        content_id: "clip".into(),
    };
    let info = message_info(&fan1, &cosmwasm_std::coins(10, USDC));
    let err = crate::contract::execute(deps.as_mut(), mock_env(), info, buy).unwrap_err();
    assert_eq!(err, ContractError::AlreadyHasAccess(fan1.clone()));

    // Migrating again moves nothing and keeps the state.
    let response = migrate(deps.as_mut(), mock_env(), MigrateMsg {}).unwrap();
    assert!(response
        .attributes
        .iter()
        .any(|attr| attr.key == "items_moved" && attr.value == "0"));
    let msg = QueryMsg::HasAccess {
        viewer: fan1.to_string(),
        creator: b.to_string(),
        content_id: "talk".into(),
    };
    let answer: AccessResponse = query(deps.as_ref(), msg);
    assert_eq!(answer.reason, AccessReason::Purchased);
}
