//! ListItem, UpdateItem, Delist: happy paths, validation, the authorization matrix, queries.

use cosmwasm_std::{Addr, Timestamp, Uint128};
use mesi_common::events::ppv::{ItemAction, PpvConfigSet, PpvItemChanged};
use mesi_common::AssetInfo;

use super::*;
use crate::msg::ItemsResponse;
use crate::msg::MAX_CONTENT_ID_LEN;

fn expected_event(item: &ContentItem, action: ItemAction) -> PpvItemChanged {
    PpvItemChanged {
        action,
        content_id: item.content_id.clone(),
        creator: item.creator.clone(),
        price: item.price,
        asset: item.asset.clone(),
        sale_ends_at: item.sale_ends_at,
        free_for_tier: item.free_for_tier,
        listed: item.listed,
        revision: item.revision,
    }
}

#[test]
fn list_update_delist_and_relist() {
    let mut s = Suite::new();
    let creator = s.creator.clone();
    let ends = s.now().plus_seconds(3_600);

    let response = s
        .list_with(
            &creator,
            "ep-01.cut_2",
            5_000,
            s.usdc(),
            Some(ends),
            Some(2),
        )
        .unwrap();
    let item = s.item(&creator, "ep-01.cut_2");
    assert_eq!(
        item,
        ContentItem {
            content_id: "ep-01.cut_2".into(),
            creator: creator.clone(),
            price: Uint128::new(5_000),
            asset: s.usdc(),
            sale_ends_at: Some(ends),
            free_for_tier: Some(2),
            listed: true,
            revision: 1,
        }
    );
    assert_eq!(mesi_event_count(&response), 1);
    assert_eq!(
        single_event::<PpvItemChanged>(&response),
        expected_event(&item, ItemAction::Listed)
    );

    let msg = ExecuteMsg::UpdateItem {
        content_id: "ep-01.cut_2".into(),
        price: Uint128::new(7_000),
        asset: s.mesi_asset(),
        sale_ends_at: None,
        free_for_tier: None,
    };
    let response = s.execute(&creator, &msg, &[]).unwrap();
    let item = s.item(&creator, "ep-01.cut_2");
    assert_eq!(
        (
            item.price,
            &item.asset,
            item.sale_ends_at,
            item.free_for_tier
        ),
        (Uint128::new(7_000), &s.mesi_asset(), None, None)
    );
    assert_eq!((item.listed, item.revision), (true, 2));
    assert_eq!(mesi_event_count(&response), 1);
    assert_eq!(
        single_event::<PpvItemChanged>(&response),
        expected_event(&item, ItemAction::Updated)
    );

    let response = s.delist(&creator, "ep-01.cut_2").unwrap();
    let item = s.item(&creator, "ep-01.cut_2");
    assert_eq!(
        (item.listed, item.revision, item.price),
        (false, 3, Uint128::new(7_000))
    );
    assert_eq!(
        single_event::<PpvItemChanged>(&response),
        expected_event(&item, ItemAction::Delisted)
    );

    // Only listed items can be updated or delisted again.
    assert_error(
        s.update_item(&creator, "ep-01.cut_2", 1, s.usdc()),
        ContractError::NotListed("ep-01.cut_2".into()),
    );
    assert_error(
        s.delist(&creator, "ep-01.cut_2"),
        ContractError::NotListed("ep-01.cut_2".into()),
    );

    // The creator may list their own delisted id again, with new terms.
    let response = s.list_item(&creator, "ep-01.cut_2", 9, s.usdc()).unwrap();
    let item = s.item(&creator, "ep-01.cut_2");
    assert_eq!(
        (item.listed, item.revision, item.price, item.asset.clone()),
        (true, 4, Uint128::new(9), s.usdc())
    );
    assert_eq!(
        single_event::<PpvItemChanged>(&response),
        expected_event(&item, ItemAction::Listed)
    );
    // Still one entry in the creator's list.
    let items: ItemsResponse = s
        .query(&QueryMsg::Items {
            creator: creator.to_string(),
            start_after: None,
            limit: None,
        })
        .unwrap();
    assert_eq!(items.items, vec![item]);
    s.assert_ppv_holds_nothing();
}

#[test]
fn listing_an_id_twice_is_refused_per_creator() {
    let mut s = Suite::new();
    let (creator, other) = (s.creator.clone(), s.other_creator.clone());
    s.list_item(&creator, "clip", 10, s.usdc()).unwrap();
    assert_error(
        s.list_item(&creator, "clip", 10, s.usdc()),
        ContractError::AlreadyListed("clip".into()),
    );
    // Ids are per creator: the other creator's "clip" is their own item.
    let response = s.list_item(&other, "clip", 20, s.mesi_asset()).unwrap();
    let theirs = s.item(&other, "clip");
    assert_eq!(
        (&theirs.creator, theirs.price, theirs.revision),
        (&other, Uint128::new(20), 1)
    );
    assert_eq!(
        single_event::<PpvItemChanged>(&response),
        expected_event(&theirs, ItemAction::Listed)
    );
    assert_error(
        s.list_item(&other, "clip", 10, s.usdc()),
        ContractError::AlreadyListed("clip".into()),
    );
    // Each creator's changes touch only their own item.
    s.delist(&creator, "clip").unwrap();
    assert_eq!(s.item(&other, "clip"), theirs);
    s.update_item(&other, "clip", 25, s.usdc()).unwrap();
    let mine = s.item(&creator, "clip");
    assert_eq!(
        (mine.listed, mine.revision, mine.price),
        (false, 2, Uint128::new(10))
    );
    assert_eq!(s.item(&other, "clip").price, Uint128::new(25));
}

#[test]
fn content_id_charset_and_length() {
    let mut s = Suite::new();
    let creator = s.creator.clone();
    let longest = "a".repeat(MAX_CONTENT_ID_LEN);
    s.list_item(&creator, &longest, 1, s.usdc()).unwrap();
    s.list_item(&creator, "A-z_0.9", 1, s.usdc()).unwrap();
    for bad in [
        "",
        &"a".repeat(MAX_CONTENT_ID_LEN + 1),
        "with space",
        "slash/id",
        "colon:id",
        "émoji",
        "tab\t",
    ] {
        assert_error(
            s.list_item(&creator, bad, 1, s.usdc()),
            ContractError::InvalidContentId,
        );
    }
}

#[test]
fn terms_are_validated_on_list_and_update() {
    let mut s = Suite::new();
    let creator = s.creator.clone();
    let now = s.now();
    assert_error(
        s.list_item(&creator, "clip", 0, s.usdc()),
        ContractError::ZeroPrice,
    );
    assert_error(
        s.list_with(&creator, "clip", 1, s.usdc(), Some(now), None),
        ContractError::SaleEndNotInFuture,
    );
    assert_error(
        s.list_with(
            &creator,
            "clip",
            1,
            s.usdc(),
            Some(Timestamp::from_seconds(1)),
            None,
        ),
        ContractError::SaleEndNotInFuture,
    );
    // Assets the platform does not accept, and malformed ones.
    assert_error(
        s.list_item(&creator, "clip", 1, AssetInfo::native(ATOM)),
        mesi_common::AssetError::NotAccepted(AssetInfo::native(ATOM)).into(),
    );
    let unknown_token = s.platform.app.api().addr_make("unknown_token");
    assert_error(
        s.list_item(&creator, "clip", 1, AssetInfo::cw20(unknown_token.clone())),
        mesi_common::AssetError::NotAccepted(AssetInfo::cw20(unknown_token)).into(),
    );
    assert_error_text(
        s.list_item(&creator, "clip", 1, AssetInfo::native("x")),
        "invalid denom",
    );
    assert_error_text(
        s.list_item(
            &creator,
            "clip",
            1,
            AssetInfo::cw20(Addr::unchecked("NotAnAddress")),
        ),
        "Error decoding bech32",
    );

    s.list_item(&creator, "clip", 1, s.usdc()).unwrap();
    assert_error(
        s.update_item(&creator, "clip", 0, s.usdc()),
        ContractError::ZeroPrice,
    );
    assert_error(
        s.update_item(&creator, "clip", 1, AssetInfo::native(ATOM)),
        mesi_common::AssetError::NotAccepted(AssetInfo::native(ATOM)).into(),
    );
    let msg = ExecuteMsg::UpdateItem {
        content_id: "clip".into(),
        price: Uint128::one(),
        asset: s.usdc(),
        sale_ends_at: Some(now),
        free_for_tier: None,
    };
    assert_error(
        s.execute(&creator, &msg, &[]),
        ContractError::SaleEndNotInFuture,
    );
    let not_found = || ContractError::ItemNotFound {
        creator: creator.clone(),
        content_id: "nope".into(),
    };
    assert_error(s.update_item(&creator, "nope", 1, s.usdc()), not_found());
    assert_error(s.delist(&creator, "nope"), not_found());
    // Nothing changed.
    assert_eq!(s.item(&creator, "clip").revision, 1);
}

#[test]
fn a_creator_only_lists_assets_they_accept() {
    let mut s = Suite::new();
    let creator = s.creator.clone();
    let profile = ProfileInput {
        display_name: "USDC only".into(),
        payout: None,
        accepted_assets: vec![s.usdc()],
        tip_minimums: vec![],
        chat_rule: ChatRule::Everyone,
    };
    let msg = CreatorsExecuteMsg::UpdateCreator { profile };
    s.platform
        .app
        .execute_contract(creator.clone(), s.creators.clone(), &msg, &[])
        .unwrap();
    assert_error(
        s.list_item(&creator, "clip", 1, s.mesi_asset()),
        mesi_common::AssetError::NotAccepted(s.mesi_asset()).into(),
    );
    s.list_item(&creator, "clip", 1, s.usdc()).unwrap();
}

/// Every party other than the item's creator is refused on each privileged message: they name
/// only a content id, which is looked up among their own items.
#[test]
fn authorization_matrix() {
    let mut s = Suite::new();
    let creator = s.creator.clone();
    s.list_item(&creator, "clip", 100, s.usdc()).unwrap();
    let wrong_parties = [
        s.fan(),
        s.other_creator.clone(),
        s.payout.clone(),
        s.treasury.clone(),
        s.owner.clone(),
        s.stranger.clone(),
        s.creators.clone(),
        s.ppv.clone(),
    ];
    for party in &wrong_parties {
        let not_found = || ContractError::ItemNotFound {
            creator: party.clone(),
            content_id: "clip".into(),
        };
        assert_error(s.update_item(party, "clip", 1, s.usdc()), not_found());
        assert_error(s.delist(party, "clip"), not_found());
    }
    assert_eq!(s.item(&creator, "clip").revision, 1);

    // Listing needs a registered, active creator.
    for party in [
        s.fan(),
        s.stranger.clone(),
        s.owner.clone(),
        s.treasury.clone(),
    ] {
        assert_error_text(
            s.list_item(&party, "new", 1, s.usdc()),
            &format!("creator {party} not found"),
        );
    }
    s.set_creator_active(&creator, false);
    assert_error(
        s.list_item(&creator, "new", 1, s.usdc()),
        ContractError::CreatorInactive(creator.clone()),
    );
    assert_error(
        s.update_item(&creator, "clip", 1, s.usdc()),
        ContractError::CreatorInactive(creator.clone()),
    );
    // An inactive creator can still take an item off sale.
    s.delist(&creator, "clip").unwrap();
    s.set_creator_active(&creator, true);
    s.list_item(&creator, "new", 1, s.usdc()).unwrap();
}

#[test]
fn items_of_a_creator_paginate() {
    let mut s = Suite::new();
    let (creator, other) = (s.creator.clone(), s.other_creator.clone());
    for id in ["d", "a", "c", "b", "e"] {
        s.list_item(&creator, id, 1, s.usdc()).unwrap();
    }
    s.list_item(&other, "0-other", 1, s.usdc()).unwrap();
    s.list_item(&other, "b", 1, s.usdc()).unwrap();
    s.delist(&creator, "c").unwrap();

    let page = |s: &Suite, start_after: Option<&str>, limit| -> Vec<String> {
        let msg = QueryMsg::Items {
            creator: creator.to_string(),
            start_after: start_after.map(Into::into),
            limit,
        };
        let response: ItemsResponse = s.query(&msg).unwrap();
        response.items.into_iter().map(|i| i.content_id).collect()
    };
    assert_eq!(page(&s, None, None), ["a", "b", "c", "d", "e"]);
    assert_eq!(page(&s, None, Some(2)), ["a", "b"]);
    assert_eq!(page(&s, Some("b"), Some(2)), ["c", "d"]);
    assert_eq!(page(&s, Some("d"), Some(2)), ["e"]);
    assert_eq!(page(&s, Some("e"), None), Vec::<String>::new());
    let msg = QueryMsg::Items {
        creator: other.to_string(),
        start_after: None,
        limit: None,
    };
    let response: ItemsResponse = s.query(&msg).unwrap();
    assert_eq!(
        response.items,
        vec![s.item(&other, "0-other"), s.item(&other, "b")]
    );
    assert!(s
        .query::<ItemsResponse>(&QueryMsg::Items {
            creator: "bad".into(),
            start_after: None,
            limit: None
        })
        .is_err());
}

#[test]
fn page_size_is_capped() {
    let mut s = Suite::new();
    let creator = s.creator.clone();
    for i in 0..105 {
        s.list_item(&creator, &format!("item-{i:03}"), 1, s.usdc())
            .unwrap();
    }
    let msg = QueryMsg::Items {
        creator: creator.to_string(),
        start_after: None,
        limit: Some(1_000),
    };
    assert_eq!(s.query::<ItemsResponse>(&msg).unwrap().items.len(), 100);
    let msg = QueryMsg::Items {
        creator: creator.to_string(),
        start_after: None,
        limit: None,
    };
    assert_eq!(s.query::<ItemsResponse>(&msg).unwrap().items.len(), 10);
}

#[test]
fn instantiate_validates_addresses_and_emits_the_config() {
    let mut s = Suite::new();
    let config: crate::msg::ConfigResponse = s.query(&QueryMsg::Config {}).unwrap();
    assert_eq!(
        (config.creators, config.subscriptions),
        (s.creators.clone(), s.subscriptions.clone())
    );

    let instantiate = |s: &mut Suite, creators: &str, subscriptions: &str| {
        let msg = InstantiateMsg {
            creators: creators.into(),
            subscriptions: subscriptions.into(),
        };
        let wasm = cosmwasm_std::WasmMsg::Instantiate {
            admin: None,
            code_id: s.ppv_code_id,
            msg: to_json_binary(&msg).unwrap(),
            funds: vec![],
            label: "ppv2".into(),
        };
        s.platform
            .app
            .execute(s.platform.owner.clone(), wasm.into())
    };
    let (creators, subscriptions) = (s.creators.clone(), s.subscriptions.clone());
    let response = instantiate(&mut s, creators.as_str(), subscriptions.as_str()).unwrap();
    assert_eq!(mesi_event_count(&response), 1);
    assert_eq!(
        single_event::<PpvConfigSet>(&response),
        PpvConfigSet {
            creators: creators.clone(),
            subscriptions: subscriptions.clone()
        }
    );

    assert_error_text(
        instantiate(&mut s, "bad", subscriptions.as_str()),
        "Error decoding bech32",
    );
    assert_error_text(
        instantiate(&mut s, creators.as_str(), "bad"),
        "Error decoding bech32",
    );
}
