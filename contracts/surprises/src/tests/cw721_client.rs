//! The surprise collection driven only with the cw721 crate's own message types and client
//! trait, as a CW721 wallet or marketplace would; the same client run against cw721-base shows
//! the two behave alike.

use cosmwasm_std::{
    to_json_binary, Addr, Binary, CosmosMsg, Deps, DepsMut, Empty, Env, MessageInfo, Response,
    StdResult,
};
use cw721::msg::{Cw721ExecuteMsg, NftInfoResponse};
use cw721::receiver::{Cw721ReceiveMsg, ReceiverExecuteMsg};
use cw721::traits::Cw721Calls;
use cw721::{
    DefaultOptionalCollectionExtension, DefaultOptionalCollectionExtensionMsg,
    DefaultOptionalNftExtension, DefaultOptionalNftExtensionMsg, Expiration, NftExtension,
};
use cw_multi_test::{App, AppResponse, ContractWrapper, Executor};
use cw_storage_plus::Item;
use mesi_common::events::surprises::SurpriseTransferred;
use mesi_common::events::AnyEvent;

use super::*;

/// A CW721 client: the cw721 crate's `Cw721Calls` for a collection address.
struct Collection(Addr);

impl
    Cw721Calls<
        DefaultOptionalNftExtension,
        DefaultOptionalNftExtensionMsg,
        DefaultOptionalCollectionExtension,
        DefaultOptionalCollectionExtensionMsg,
        Empty,
        Empty,
    > for Collection
{
    fn addr(&self) -> Addr {
        self.0.clone()
    }
}

type ClientMsg =
    Cw721ExecuteMsg<DefaultOptionalNftExtensionMsg, DefaultOptionalCollectionExtensionMsg, Empty>;

impl Collection {
    fn exec(
        &self,
        app: &mut App,
        sender: &Addr,
        msg: ClientMsg,
    ) -> cw_multi_test::error::AnyResult<AppResponse> {
        let msg: CosmosMsg = self.call(msg).unwrap();
        app.execute(sender.clone(), msg)
    }
}

// --- A contract that receives NFTs (the target of `SendNft`) and remembers the last one ---

const RECEIVED: Item<Cw721ReceiveMsg> = Item::new("received");

fn receiver_execute(
    deps: DepsMut,
    _env: Env,
    _info: MessageInfo,
    msg: ReceiverExecuteMsg,
) -> StdResult<Response> {
    let ReceiverExecuteMsg::ReceiveNft(received) = msg;
    RECEIVED.save(deps.storage, &received)?;
    Ok(Response::new())
}

fn receiver_instantiate(
    _deps: DepsMut,
    _env: Env,
    _info: MessageInfo,
    _msg: Empty,
) -> StdResult<Response> {
    Ok(Response::new())
}

fn receiver_query(deps: Deps, _env: Env, _msg: Empty) -> StdResult<Binary> {
    to_json_binary(&RECEIVED.load(deps.storage)?)
}

pub fn store_receiver(app: &mut App) -> Addr {
    let code = app.store_code(Box::new(ContractWrapper::new(
        receiver_execute,
        receiver_instantiate,
        receiver_query,
    )));
    let creator = app.api().addr_make("receiver-creator");
    app.instantiate_contract(code, creator, &Empty {}, &[], "receiver", None)
        .unwrap()
}

pub fn received(app: &App, receiver: &Addr) -> Cw721ReceiveMsg {
    app.wrap().query_wasm_smart(receiver, &Empty {}).unwrap()
}

/// What the client saw that differs between collections.
struct Observed {
    transfer: AppResponse,
    send: AppResponse,
    nft_info: NftInfoResponse<DefaultOptionalNftExtension>,
}

/// Runs the client against `collection`, in which `holder` owns exactly `tokens` (sorted).
fn drive_as_cw721_client(
    app: &mut App,
    collection: &Collection,
    tokens: [&str; 2],
    name: &str,
) -> Observed {
    let api = *app.api();
    let (holder, spender, operator, recipient, stranger) = (
        api.addr_make("holder"),
        api.addr_make("spender"),
        api.addr_make("operator"),
        api.addr_make("recipient"),
        api.addr_make("stranger"),
    );
    let receiver = store_receiver(app);
    let [first, second] = tokens;

    // Discovery: collection info, supply, the holder's tokens.
    let querier = app.wrap();
    let info = collection
        .collection_info::<DefaultOptionalCollectionExtension>(&querier)
        .unwrap();
    assert_eq!((info.name.as_str(), info.extension), (name, None));
    assert_eq!(collection.num_tokens(&querier).unwrap(), 2);
    assert_eq!(
        collection
            .tokens(&querier, holder.to_string(), None, None)
            .unwrap()
            .tokens,
        tokens
    );
    assert_eq!(
        collection
            .tokens(&querier, holder.to_string(), Some(first.into()), Some(1))
            .unwrap()
            .tokens,
        [second]
    );
    assert_eq!(
        collection.all_tokens(&querier, None, None).unwrap().tokens,
        tokens
    );
    let owner = collection.owner_of(&querier, first, false).unwrap();
    assert_eq!((owner.owner, owner.approvals), (holder.to_string(), vec![]));
    let nft_info = collection
        .nft_info::<_, DefaultOptionalNftExtension>(&querier, first)
        .unwrap();
    assert!(collection.has_enumerable(&querier));

    // A marketplace gets approved for one token and moves it.
    let approve = ClientMsg::Approve {
        spender: spender.to_string(),
        token_id: first.into(),
        expires: None,
    };
    collection.exec(app, &holder, approve).unwrap();
    let querier = app.wrap();
    let approvals = collection
        .approvals(&querier, first, None)
        .unwrap()
        .approvals;
    assert_eq!(approvals.len(), 1);
    assert_eq!(
        (&approvals[0].spender, approvals[0].expires),
        (&spender, Expiration::Never {})
    );
    assert!(collection
        .approval(&querier, first, spender.as_str(), None)
        .is_ok());
    assert!(collection
        .approval(&querier, first, stranger.as_str(), None)
        .is_err());
    let transfer = |to: &Addr| ClientMsg::TransferNft {
        recipient: to.to_string(),
        token_id: first.into(),
    };
    collection
        .exec(app, &stranger, transfer(&stranger))
        .unwrap_err();
    let transfer_res = collection
        .exec(app, &spender, transfer(&recipient))
        .unwrap();
    let querier = app.wrap();
    let owner = collection.owner_of(&querier, first, false).unwrap();
    assert_eq!(
        (owner.owner, owner.approvals),
        (recipient.to_string(), vec![])
    );
    collection
        .exec(app, &spender, transfer(&spender))
        .unwrap_err();

    // An operator for all of the holder's tokens sends one to a contract.
    let height = app.block_info().height;
    let approve_all = ClientMsg::ApproveAll {
        operator: operator.to_string(),
        expires: Some(Expiration::AtHeight(height + 100)),
    };
    collection.exec(app, &holder, approve_all).unwrap();
    let querier = app.wrap();
    let operators = collection
        .all_operators(&querier, holder.to_string(), false, None, None)
        .unwrap();
    assert_eq!(operators.len(), 1);
    assert_eq!(
        (&operators[0].spender, operators[0].expires),
        (&operator, Expiration::AtHeight(height + 100))
    );
    let send = ClientMsg::SendNft {
        contract: receiver.to_string(),
        token_id: second.into(),
        msg: b"offer:7".into(),
    };
    let send_res = collection.exec(app, &operator, send).unwrap();
    let got = received(app, &receiver);
    assert_eq!(
        (got.sender, got.token_id, got.msg),
        (operator.to_string(), second.to_string(), b"offer:7".into())
    );
    assert_eq!(
        collection
            .owner_of(&app.wrap(), second, false)
            .unwrap()
            .owner,
        receiver.to_string()
    );

    // Revoking: a token approval and the operator.
    let approve = ClientMsg::Approve {
        spender: spender.to_string(),
        token_id: first.into(),
        expires: None,
    };
    collection.exec(app, &recipient, approve).unwrap();
    let revoke = ClientMsg::Revoke {
        spender: spender.to_string(),
        token_id: first.into(),
    };
    collection.exec(app, &recipient, revoke).unwrap();
    assert!(collection
        .approvals(&app.wrap(), first, None)
        .unwrap()
        .approvals
        .is_empty());
    collection
        .exec(
            app,
            &holder,
            ClientMsg::RevokeAll {
                operator: operator.to_string(),
            },
        )
        .unwrap();
    assert!(collection
        .all_operators(&app.wrap(), holder.to_string(), true, None, None)
        .unwrap()
        .is_empty());
    collection
        .exec(app, &spender, transfer(&spender))
        .unwrap_err();

    let querier = app.wrap();
    assert_eq!(
        collection
            .tokens(&querier, recipient.to_string(), None, None)
            .unwrap()
            .tokens,
        [first]
    );
    assert!(collection
        .tokens(&querier, holder.to_string(), None, None)
        .unwrap()
        .tokens
        .is_empty());
    assert_eq!(collection.num_tokens(&querier).unwrap(), 2);
    Observed {
        transfer: transfer_res,
        send: send_res,
        nft_info,
    }
}

#[test]
fn cw721_client_drives_cw721_base() {
    let mut app = App::default();
    let holder = app.api().addr_make("holder");
    let minter = app.api().addr_make("minter");
    let code = app.store_code(Box::new(ContractWrapper::new(
        cw721_base::entry::execute,
        cw721_base::entry::instantiate,
        cw721_base::entry::query,
    )));
    let init = cw721_base::msg::InstantiateMsg {
        name: "Base".into(),
        symbol: "BASE".into(),
        collection_info_extension: None,
        minter: None,
        creator: None,
        withdraw_address: None,
    };
    let base = app
        .instantiate_contract(code, minter.clone(), &init, &[], "base", None)
        .unwrap();
    for token_id in ["a", "b"] {
        let mint = cw721_base::msg::ExecuteMsg::Mint {
            token_id: token_id.into(),
            owner: holder.to_string(),
            token_uri: None,
            extension: None,
        };
        app.execute_contract(minter.clone(), base.clone(), &mint, &[])
            .unwrap();
    }
    let observed = drive_as_cw721_client(&mut app, &Collection(base), ["a", "b"], "Base");
    assert_eq!(observed.nft_info.extension, None);
}

#[test]
fn cw721_client_drives_the_surprise_collection() {
    let mut s = Suite::new();
    let holder = s.addr("holder");
    for label in ["a", "b"] {
        let mut msg = s.mint_msg("alice", label);
        msg.owner = Some(holder.to_string());
        s.exec("alice", &ExecuteMsg::Mint(msg), &[]).unwrap();
    }
    let collection = Collection(s.surprises.clone());
    let observed = drive_as_cw721_client(&mut s.app, &collection, ["1.a", "1.b"], "Mesi Surprises");

    // Wallets get common NFT metadata built from the hints.
    let extension = observed.nft_info.extension.expect("metadata");
    assert_eq!(extension.name.as_deref(), Some("Surprise a"));
    assert_eq!(
        extension.description.as_deref(),
        Some("recorded at night\nabout 3 minutes")
    );
    assert_eq!(extension.image.as_deref(), Some("ipfs://preview/a.jpg"));
    let traits: Vec<(String, String)> = extension
        .attributes
        .unwrap()
        .into_iter()
        .map(|t| (t.trait_type, t.value))
        .collect();
    assert_eq!(
        traits,
        [
            ("category", "video".to_string()),
            ("state", "sealed".to_string()),
            ("creator", s.addr("alice").to_string()),
            ("hint", "recorded at night".to_string()),
            ("hint", "about 3 minutes".to_string()),
        ]
        .map(|(k, v)| (k.to_string(), v))
    );

    // CW721 transfers and sends emit the typed transfer event.
    let (holder, recipient) = (s.addr("holder"), s.addr("recipient"));
    let transferred = SurpriseTransferred {
        token_id: "1.a".into(),
        from: holder.clone(),
        to: recipient,
        delisted: false,
    };
    assert_eq!(
        the_event(&observed.transfer),
        AnyEvent::SurpriseTransferred(transferred)
    );
    let AnyEvent::SurpriseTransferred(sent) = the_event(&observed.send) else {
        panic!("expected a transfer")
    };
    assert_eq!((sent.token_id.as_str(), &sent.from), ("1.b", &holder));

    // The client cannot move an unlocked surprise, nor approve anyone for it.
    let recipient = s.addr("recipient");
    s.exec_as(
        &recipient,
        &ExecuteMsg::Unlock {
            token_id: "1.a".into(),
        },
        &[],
    )
    .unwrap();
    let stranger = s.addr("stranger");
    let transfer = ClientMsg::TransferNft {
        recipient: stranger.to_string(),
        token_id: "1.a".into(),
    };
    let err = collection
        .exec(&mut s.app, &recipient, transfer)
        .unwrap_err();
    assert!(
        err.root_cause().to_string().contains("it is unlocked"),
        "{err}"
    );
    let approve = ClientMsg::Approve {
        spender: stranger.to_string(),
        token_id: "1.a".into(),
        expires: None,
    };
    collection
        .exec(&mut s.app, &recipient, approve)
        .unwrap_err();
    let extension = collection
        .nft_info::<_, NftExtension>(&s.app.wrap(), "1.a")
        .unwrap()
        .extension;
    assert!(extension
        .attributes
        .unwrap()
        .iter()
        .any(|t| t.trait_type == "state" && t.value == "unlocked"));

    // Burning and CW721-style minting are not part of the surprise collection.
    let burn = ClientMsg::Burn {
        token_id: "1.a".into(),
    };
    collection.exec(&mut s.app, &recipient, burn).unwrap_err();
}

#[test]
fn collection_ownership_as_cw721_reports_it() {
    let s = Suite::new();
    let querier = s.app.wrap();
    let minter: cw_ownable::Ownership<Addr> = querier
        .query_wasm_smart(
            &s.surprises,
            &cw721::msg::Cw721QueryMsg::<Empty, Empty, Empty>::GetMinterOwnership {},
        )
        .unwrap();
    assert_eq!(
        minter.owner, None,
        "creators mint; there is no single minter"
    );
    let creator: cw_ownable::Ownership<Addr> = querier
        .query_wasm_smart(
            &s.surprises,
            &cw721::msg::Cw721QueryMsg::<Empty, Empty, Empty>::GetCreatorOwnership {},
        )
        .unwrap();
    assert_eq!(creator.owner, Some(s.admin.clone()));
    let info: cw721::msg::CollectionInfoAndExtensionResponse<DefaultOptionalCollectionExtension> =
        querier
            .query_wasm_smart(
                &s.surprises,
                &cw721::msg::Cw721QueryMsg::<Empty, Empty, Empty>::GetCollectionInfoAndExtension {},
            )
            .unwrap();
    assert_eq!(
        (info.name.as_str(), info.symbol.as_str()),
        ("Mesi Surprises", "SURPRISE")
    );
}
