//! Each privileged message, sent by each wrong party, fails with the right error and changes nothing.

use cosmwasm_std::{Addr, Uint128};
use cw_ownable::{Action, OwnershipError};
use mesi_common::events::creators::OwnershipChanged;
use mesi_common::events::meetings::MeetingsConfigSet;

use super::*;
use crate::msg::DisputeOutcome;
use crate::state::Config;

/// Sends `msg` from each of `wrong` and expects `expected` every time, with the contract's state
/// (as its queries see it) unchanged.
fn refused(
    s: &mut Suite,
    wrong: &[Addr],
    msg: &ExecuteMsg,
    expected: ContractError,
    meeting_id: u64,
) {
    let before = s.query::<MeetingResponse>(&QueryMsg::Meeting { meeting_id });
    for sender in wrong {
        let err = s
            .exec(sender, msg)
            .expect_err("a wrong party must be refused");
        assert_eq!(err, expected, "{msg:?} from {sender}");
    }
    assert_eq!(
        s.query::<MeetingResponse>(&QueryMsg::Meeting { meeting_id }),
        before
    );
}

#[test]
fn meeting_messages_are_refused_to_every_wrong_party() {
    let mut s = Suite::new();
    let (creator, creator2, alice, bob, arbiter, owner, stranger) = (
        s.creator.clone(),
        s.creator2.clone(),
        s.alice.clone(),
        s.bob.clone(),
        s.arbiter(),
        s.owner.clone(),
        s.stranger.clone(),
    );
    let not_creator = [
        alice.clone(),
        bob.clone(),
        creator2.clone(),
        arbiter.clone(),
        owner.clone(),
        stranger.clone(),
    ];
    let not_fan = [
        creator.clone(),
        bob.clone(),
        creator2.clone(),
        arbiter.clone(),
        owner.clone(),
        stranger.clone(),
    ];
    let not_arbiter = [
        creator.clone(),
        alice.clone(),
        bob.clone(),
        creator2.clone(),
        owner.clone(),
        stranger.clone(),
    ];
    let not_party = [
        bob.clone(),
        creator2.clone(),
        arbiter.clone(),
        owner.clone(),
        stranger.clone(),
    ];
    let only = |who| ContractError::Unauthorized(who);

    // Scheduled meeting, slot over.
    let id = s.scheduled_meeting(5_000);
    let end = s.meeting(id).meeting.slot.end();
    s.advance_to(end);
    refused(
        &mut s,
        &not_creator,
        &ExecuteMsg::MarkHeld {
            meeting_id: id,
            fan_no_show: true,
        },
        only("creator"),
        id,
    );
    refused(
        &mut s,
        &not_creator,
        &ExecuteMsg::CancelMeeting { meeting_id: id },
        only("creator"),
        id,
    );
    refused(
        &mut s,
        &not_fan,
        &ExecuteMsg::Confirm { meeting_id: id },
        only("fan"),
        id,
    );
    refused(
        &mut s,
        &not_fan,
        &ExecuteMsg::Dispute {
            meeting_id: id,
            reason: None,
        },
        only("fan"),
        id,
    );
    let start = s.now().plus_seconds(DAY);
    let propose = ExecuteMsg::ProposeReschedule {
        meeting_id: id,
        start,
        duration_secs: 1_800,
    };
    refused(&mut s, &not_party, &propose, only("creator or the fan"), id);
    s.exec(&creator, &propose).unwrap();
    let accept = ExecuteMsg::AcceptReschedule {
        meeting_id: id,
        start,
        duration_secs: 1_800,
    };
    refused(&mut s, &not_party, &accept, only("creator or the fan"), id);
    refused(
        &mut s,
        std::slice::from_ref(&creator),
        &accept,
        ContractError::OwnProposal,
        id,
    );
    refused(
        &mut s,
        &not_party,
        &ExecuteMsg::DeclineReschedule { meeting_id: id },
        only("creator or the fan"),
        id,
    );
    s.exec(&alice, &accept).unwrap();

    // Held: claim is the creator's.
    s.advance_to(start.plus_seconds(1_800));
    s.exec(
        &creator,
        &ExecuteMsg::MarkHeld {
            meeting_id: id,
            fan_no_show: false,
        },
    )
    .unwrap();
    s.advance(DISPUTE_WINDOW);
    refused(
        &mut s,
        &not_creator,
        &ExecuteMsg::Claim { meeting_id: id },
        only("creator"),
        id,
    );
    s.exec(&creator, &ExecuteMsg::Claim { meeting_id: id })
        .unwrap();

    // Disputed: only the arbiter resolves (the registry owner is not the arbiter).
    let id = s.disputed_meeting(5_000);
    for outcome in [
        DisputeOutcome::Refund {},
        DisputeOutcome::Release {},
        DisputeOutcome::Split { fan_bps: 5_000 },
    ] {
        refused(
            &mut s,
            &not_arbiter,
            &ExecuteMsg::Resolve {
                meeting_id: id,
                outcome,
            },
            only("arbiter"),
            id,
        );
    }
    s.exec(
        &arbiter,
        &ExecuteMsg::Resolve {
            meeting_id: id,
            outcome: DisputeOutcome::Refund {},
        },
    )
    .unwrap();

    // Auctions: only the creator cancels.
    let auction_id = s.open_default();
    for sender in &not_creator {
        assert_eq!(
            s.exec(sender, &ExecuteMsg::CancelAuction { auction_id })
                .unwrap_err(),
            only("creator")
        );
    }
    assert_eq!(
        s.auction(auction_id).auction.state,
        mesi_common::events::meetings::AuctionState::Open
    );
}

#[test]
fn the_arbiter_is_read_from_the_registry() {
    let mut s = Suite::new();
    let id = s.disputed_meeting(5_000);
    let (owner, arbiter, registry) = (s.owner.clone(), s.arbiter(), s.registry.clone());
    let new_arbiter = s.app.api().addr_make("new-arbiter");
    let update = mesi_creators::msg::ExecuteMsg::UpdateConfig {
        treasury: None,
        fees: None,
        accepted_assets: None,
        fiat_gateways: None,
        arbiter: Some(new_arbiter.to_string()),
        contracts: None,
    };
    s.app
        .execute_contract(owner, registry, &update, &[])
        .unwrap();
    let resolve = ExecuteMsg::Resolve {
        meeting_id: id,
        outcome: DisputeOutcome::Release {},
    };
    assert_eq!(
        s.exec(&arbiter, &resolve).unwrap_err(),
        ContractError::Unauthorized("arbiter")
    );
    s.exec(&new_arbiter, &resolve).unwrap();
}

#[test]
fn only_the_owner_updates_the_config_and_ownership_moves_in_two_steps() {
    let mut s = Suite::new();
    let (owner, creator, alice, arbiter) = (
        s.owner.clone(),
        s.creator.clone(),
        s.alice.clone(),
        s.arbiter(),
    );
    let update = ExecuteMsg::UpdateConfig {
        max_open_auctions: Some(7),
        dispute_window_secs: Some(DAY),
        cancellation_fee_bps: Some(250),
    };
    for sender in [&creator, &alice, &arbiter] {
        assert_eq!(
            s.exec(sender, &update).unwrap_err(),
            ContractError::Ownership(OwnershipError::NotOwner)
        );
    }
    let response = s.exec(&owner, &update).unwrap();
    let event: MeetingsConfigSet = one_event(&response);
    assert_eq!(
        (
            event.max_open_auctions,
            event.dispute_window_secs,
            event.cancellation_fee_bps
        ),
        (7, DAY, Some(250))
    );
    let config: Config = s.query(&QueryMsg::Config {});
    assert_eq!(
        (
            config.max_open_auctions,
            config.dispute_window_secs,
            config.cancellation_fee_bps,
            config.creators
        ),
        (7, DAY, 250, s.registry.clone())
    );
    for bad in [
        ExecuteMsg::UpdateConfig {
            max_open_auctions: Some(0),
            dispute_window_secs: None,
            cancellation_fee_bps: None,
        },
        ExecuteMsg::UpdateConfig {
            max_open_auctions: Some(101),
            dispute_window_secs: None,
            cancellation_fee_bps: None,
        },
        ExecuteMsg::UpdateConfig {
            max_open_auctions: None,
            dispute_window_secs: Some(59),
            cancellation_fee_bps: None,
        },
        ExecuteMsg::UpdateConfig {
            max_open_auctions: None,
            dispute_window_secs: Some(31 * DAY),
            cancellation_fee_bps: None,
        },
        // Cancelling a sold meeting is never free, and never takes more than half its price.
        ExecuteMsg::UpdateConfig {
            max_open_auctions: None,
            dispute_window_secs: None,
            cancellation_fee_bps: Some(0),
        },
        ExecuteMsg::UpdateConfig {
            max_open_auctions: None,
            dispute_window_secs: None,
            cancellation_fee_bps: Some(5_001),
        },
    ] {
        assert!(
            matches!(
                s.exec(&owner, &bad),
                Err(ContractError::InvalidInput { .. })
            ),
            "{bad:?}"
        );
    }

    let transfer = ExecuteMsg::UpdateOwnership(Action::TransferOwnership {
        new_owner: alice.to_string(),
        expiry: None,
    });
    assert_eq!(
        s.exec(&creator, &transfer).unwrap_err(),
        ContractError::Ownership(OwnershipError::NotOwner)
    );
    let response = s.exec(&owner, &transfer).unwrap();
    assert_eq!(
        one_event::<OwnershipChanged>(&response).pending_owner,
        Some(alice.clone())
    );
    // Still the old owner until accepted, and only the pending owner accepts.
    assert_eq!(
        s.exec(&alice, &update).unwrap_err(),
        ContractError::Ownership(OwnershipError::NotOwner)
    );
    assert_eq!(
        s.exec(
            &creator,
            &ExecuteMsg::UpdateOwnership(Action::AcceptOwnership)
        )
        .unwrap_err(),
        ContractError::Ownership(OwnershipError::NotPendingOwner)
    );
    s.exec(
        &alice,
        &ExecuteMsg::UpdateOwnership(Action::AcceptOwnership),
    )
    .unwrap();
    s.exec(&alice, &update).unwrap();
    assert_eq!(
        s.exec(&owner, &update).unwrap_err(),
        ContractError::Ownership(OwnershipError::NotOwner)
    );
}

#[test]
fn the_dispute_window_applies_to_meetings_marked_after_a_change() {
    let mut s = Suite::new();
    let owner = s.owner.clone();
    s.exec(
        &owner,
        &ExecuteMsg::UpdateConfig {
            max_open_auctions: None,
            dispute_window_secs: Some(DAY),
            cancellation_fee_bps: None,
        },
    )
    .unwrap();
    let id = s.held_meeting(1_000);
    let meeting = s.meeting(id).meeting;
    assert_eq!(meeting.dispute_deadline, Some(s.now().plus_seconds(DAY)));
    assert_eq!(meeting.price, Uint128::new(1_000));
}

#[test]
fn migrate_checks_the_contract_name_and_version() {
    use cosmwasm_std::testing::{mock_dependencies, mock_env};
    let mut s = Suite::new();
    let (owner, meetings, code) = (s.owner.clone(), s.meetings.clone(), s.meetings_code);
    s.app
        .migrate_contract(owner, meetings, &crate::msg::MigrateMsg {}, code)
        .unwrap();

    let mut deps = mock_dependencies();
    cw2::set_contract_version(&mut deps.storage, "crates.io:mesi-creators", "0.1.0").unwrap();
    assert!(
        crate::contract::migrate(deps.as_mut(), mock_env(), crate::msg::MigrateMsg {}).is_err(),
        "another contract"
    );
    cw2::set_contract_version(&mut deps.storage, crate::contract::CONTRACT_NAME, "99.0.0").unwrap();
    assert!(
        crate::contract::migrate(deps.as_mut(), mock_env(), crate::msg::MigrateMsg {}).is_err(),
        "a downgrade"
    );
    cw2::set_contract_version(&mut deps.storage, crate::contract::CONTRACT_NAME, "0.0.1").unwrap();
    crate::contract::migrate(deps.as_mut(), mock_env(), crate::msg::MigrateMsg {}).unwrap();
    let version = cw2::get_contract_version(&deps.storage).unwrap();
    assert_eq!(version.version, crate::contract::CONTRACT_VERSION);
}

#[test]
fn migrate_gives_an_older_config_the_default_cancellation_fee() {
    use crate::contract::{CONTRACT_NAME, CONTRACT_VERSION};
    use crate::msg::DEFAULT_CANCELLATION_FEE_BPS;
    use crate::state::{ConfigV1, CONFIG_V1};
    let mut s = Suite::new();
    let id = s.scheduled_meeting(5_000);
    let (owner, meetings, code) = (s.owner.clone(), s.meetings.clone(), s.meetings_code);
    let old = ConfigV1 {
        creators: s.registry.clone(),
        max_open_auctions: MAX_OPEN,
        dispute_window_secs: DISPUTE_WINDOW,
    };
    {
        let mut storage = s.app.contract_storage_mut(&meetings);
        CONFIG_V1.save(&mut *storage, &old).unwrap();
        cw2::set_contract_version(&mut *storage, CONTRACT_NAME, "0.1.0").unwrap();
    }
    let response = s
        .app
        .migrate_contract(owner, meetings.clone(), &crate::msg::MigrateMsg {}, code)
        .unwrap();
    let event: MeetingsConfigSet = one_event(&response);
    assert_eq!(
        event.cancellation_fee_bps,
        Some(DEFAULT_CANCELLATION_FEE_BPS)
    );
    let config: Config = s.query(&QueryMsg::Config {});
    assert_eq!(
        config,
        Config {
            creators: old.creators,
            max_open_auctions: MAX_OPEN,
            dispute_window_secs: DISPUTE_WINDOW,
            cancellation_fee_bps: DEFAULT_CANCELLATION_FEE_BPS,
        }
    );
    let version = cw2::query_contract_info(&s.app.wrap(), meetings).unwrap();
    assert_eq!(version.version, CONTRACT_VERSION);
    // Meetings sold before the migration are cancelled at the new fee.
    assert_eq!(s.meeting(id).cancellation_fee, Some(Uint128::new(500)));
    let creator = s.creator.clone();
    s.cancel_meeting(&creator, id).unwrap();
}
