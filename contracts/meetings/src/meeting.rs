//! The meeting lifecycle, from the sale to the payout: the creator marks it held (or cancels
//! it), the fan confirms or disputes, the arbiter resolves a dispute, the creator claims after
//! the dispute window; either side may reschedule while it is scheduled.
//!
//! The transitions are methods on [`Meeting`]: each checks who may make it and when, and moves
//! the meeting on. The handlers load the meeting, make the transition, pay, save and emit.

use cosmwasm_std::{
    Addr, DepsMut, Env, MessageInfo, Response, StdError, StdResult, Storage, Timestamp, Uint128,
};
use mesi_common::events::meetings::{
    DisputeOpened, DisputeOutcomeKind, DisputeResolved, MeetingChanged, MeetingStatus,
    RescheduleAction, RescheduleChanged,
};
use mesi_common::fee::{bps_of, BPS_DENOMINATOR};
use mesi_common::{Asset, AssetError, MesiEvent};

use crate::error::ContractError;
use crate::msg::{DisputeOutcome, MAX_REASON_BYTES};
use crate::payout::{cancellation_fee, pay_cancellation, pay_out};
use crate::state::{meetings, Meeting, RescheduleProposal, Slot, CONFIG};
use crate::validate::{validate_slot, validate_text};

pub fn execute_mark_held(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    meeting_id: u64,
    fan_no_show: bool,
) -> Result<Response, ContractError> {
    let mut meeting = load_meeting(deps.storage, meeting_id)?;
    let window = CONFIG.load(deps.storage)?.dispute_window_secs;
    meeting.mark_held(&info.sender, env.block.time, window, fan_no_show)?;
    save_meeting(deps.storage, meeting_id, &meeting)?;
    Ok(Response::new().add_event(meeting.changed_event(meeting_id, info.sender).to_event()))
}

pub fn execute_confirm(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    meeting_id: u64,
) -> Result<Response, ContractError> {
    let mut meeting = load_meeting(deps.storage, meeting_id)?;
    meeting.confirm(&info.sender, env.block.time)?;
    pay_creator(deps, meeting_id, &meeting, info.sender)
}

pub fn execute_dispute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    meeting_id: u64,
    reason: Option<String>,
) -> Result<Response, ContractError> {
    let mut meeting = load_meeting(deps.storage, meeting_id)?;
    meeting.dispute(&info.sender, env.block.time, reason.as_deref())?;
    save_meeting(deps.storage, meeting_id, &meeting)?;
    let opened = DisputeOpened {
        meeting_id,
        fan: info.sender.clone(),
        reason,
    };
    Ok(Response::new()
        .add_event(opened.to_event())
        .add_event(meeting.changed_event(meeting_id, info.sender).to_event()))
}

pub fn execute_resolve(
    deps: DepsMut,
    info: MessageInfo,
    meeting_id: u64,
    outcome: DisputeOutcome,
) -> Result<Response, ContractError> {
    let mut meeting = load_meeting(deps.storage, meeting_id)?;
    let arbiter = CONFIG
        .load(deps.storage)?
        .registry()
        .arbiter(&deps.querier)?;
    if info.sender != arbiter {
        return Err(ContractError::Unauthorized("arbiter"));
    }
    let (kind, fan_bps) = meeting.resolve(outcome)?;
    let to_fan = bps_of(meeting.price, fan_bps);
    let (messages, payout) = pay_out(deps.as_ref(), meeting_id, &meeting, to_fan)?;
    save_meeting(deps.storage, meeting_id, &meeting)?;
    let resolved = DisputeResolved {
        meeting_id,
        arbiter: info.sender.clone(),
        outcome: kind,
        fan_bps,
        to_fan: payout.to_fan,
        fee: payout.fee,
        to_creator: payout.to_creator,
    };
    Ok(Response::new()
        .add_messages(messages)
        .add_event(resolved.to_event())
        .add_event(meeting.changed_event(meeting_id, info.sender).to_event())
        .add_event(payout.to_event()))
}

pub fn execute_claim(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    meeting_id: u64,
) -> Result<Response, ContractError> {
    let mut meeting = load_meeting(deps.storage, meeting_id)?;
    meeting.claim(&info.sender, env.block.time)?;
    pay_creator(deps, meeting_id, &meeting, info.sender)
}

/// The cancellation fee paid in native coins: exactly one coin of the meeting's asset.
pub fn execute_cancel_meeting(
    deps: DepsMut,
    info: MessageInfo,
    meeting_id: u64,
) -> Result<Response, ContractError> {
    let meeting = load_meeting(deps.storage, meeting_id)?;
    // Who may cancel, and when, is checked before what was paid.
    let paid = meeting.asset.must_pay_native(&info).map_err(Into::into);
    cancel_meeting(deps, info.sender, meeting_id, meeting, paid)
}

/// The cancellation fee paid in CW20 tokens, arrived through the `Receive` hook.
pub fn execute_cancel_meeting_cw20(
    deps: DepsMut,
    creator: Addr,
    paid: Asset,
    meeting_id: u64,
) -> Result<Response, ContractError> {
    let meeting = load_meeting(deps.storage, meeting_id)?;
    if paid.info != meeting.asset {
        return Err(AssetError::NotAccepted(paid.info).into());
    }
    cancel_meeting(deps, creator, meeting_id, meeting, Ok(paid.amount))
}

pub fn execute_propose_reschedule(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    meeting_id: u64,
    start: Timestamp,
    duration_secs: u64,
) -> Result<Response, ContractError> {
    let mut meeting = load_meeting(deps.storage, meeting_id)?;
    meeting.propose_reschedule(&info.sender, start, duration_secs, env.block.time)?;
    save_meeting(deps.storage, meeting_id, &meeting)?;
    let event = RescheduleChanged {
        meeting_id,
        action: RescheduleAction::Proposed,
        by: info.sender,
        start: Some(start),
        duration_secs: Some(duration_secs),
    };
    Ok(Response::new().add_event(event.to_event()))
}

pub fn execute_accept_reschedule(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    meeting_id: u64,
    start: Timestamp,
    duration_secs: u64,
) -> Result<Response, ContractError> {
    let mut meeting = load_meeting(deps.storage, meeting_id)?;
    meeting.accept_reschedule(&info.sender, start, duration_secs, env.block.time)?;
    save_meeting(deps.storage, meeting_id, &meeting)?;
    Ok(Response::new().add_event(meeting.changed_event(meeting_id, info.sender).to_event()))
}

pub fn execute_decline_reschedule(
    deps: DepsMut,
    info: MessageInfo,
    meeting_id: u64,
) -> Result<Response, ContractError> {
    let mut meeting = load_meeting(deps.storage, meeting_id)?;
    let action = meeting.drop_reschedule(&info.sender)?;
    save_meeting(deps.storage, meeting_id, &meeting)?;
    let event = RescheduleChanged {
        meeting_id,
        action,
        by: info.sender,
        start: None,
        duration_secs: None,
    };
    Ok(Response::new().add_event(event.to_event()))
}

impl Meeting {
    /// The creator, after the slot ended: the meeting took place (or the fan did not come), and
    /// the fan has `dispute_window_secs` to dispute it.
    pub fn mark_held(
        &mut self,
        by: &Addr,
        now: Timestamp,
        dispute_window_secs: u64,
        fan_no_show: bool,
    ) -> Result<(), ContractError> {
        self.ensure_creator(by)?;
        self.ensure_status("mark held", &[MeetingStatus::Scheduled])?;
        if now < self.slot.end() {
            return Err(ContractError::MeetingNotOver(self.slot.end()));
        }
        self.dispute_deadline = Some(now.plus_seconds(dispute_window_secs));
        self.fan_no_show = fan_no_show;
        self.change_status(MeetingStatus::Held);
        Ok(())
    }

    /// The fan releases the price, once the slot ended.
    pub fn confirm(&mut self, by: &Addr, now: Timestamp) -> Result<(), ContractError> {
        self.ensure_fan(by)?;
        self.ensure_status("confirm", &[MeetingStatus::Scheduled, MeetingStatus::Held])?;
        if self.status == MeetingStatus::Scheduled && now < self.slot.end() {
            return Err(ContractError::MeetingNotOver(self.slot.end()));
        }
        self.change_status(MeetingStatus::Completed);
        Ok(())
    }

    /// The fan disputes: inside the window of a held meeting, or once the slot of a meeting the
    /// creator never marked held is over (a creator no-show, say).
    pub fn dispute(
        &mut self,
        by: &Addr,
        now: Timestamp,
        reason: Option<&str>,
    ) -> Result<(), ContractError> {
        self.ensure_fan(by)?;
        if let Some(reason) = reason {
            validate_text("reason", reason, MAX_REASON_BYTES, true)?;
        }
        match (self.status, self.dispute_deadline) {
            (MeetingStatus::Held, Some(deadline)) if now >= deadline => {
                return Err(ContractError::DisputeWindowClosed(deadline))
            }
            (MeetingStatus::Held, _) => {}
            (MeetingStatus::Scheduled, _) if now < self.slot.end() => {
                return Err(ContractError::MeetingNotOver(self.slot.end()))
            }
            (MeetingStatus::Scheduled, _) => {}
            (status, _) => {
                return Err(ContractError::WrongMeetingStatus {
                    action: "dispute",
                    status,
                })
            }
        }
        self.change_status(MeetingStatus::Disputed);
        Ok(())
    }

    /// Ends a dispute with `outcome`; returns its kind and the fan's share in bps. The caller
    /// checks that the arbiter sent it.
    pub fn resolve(
        &mut self,
        outcome: DisputeOutcome,
    ) -> Result<(DisputeOutcomeKind, u16), ContractError> {
        self.ensure_status("resolve", &[MeetingStatus::Disputed])?;
        let (kind, fan_bps, status) = match outcome {
            DisputeOutcome::Refund {} => (
                DisputeOutcomeKind::Refund,
                BPS_DENOMINATOR,
                MeetingStatus::Refunded,
            ),
            DisputeOutcome::Release {} => {
                (DisputeOutcomeKind::Release, 0, MeetingStatus::Completed)
            }
            DisputeOutcome::Split { fan_bps } if (1..BPS_DENOMINATOR).contains(&fan_bps) => {
                (DisputeOutcomeKind::Split, fan_bps, MeetingStatus::Split)
            }
            DisputeOutcome::Split { .. } => {
                return Err(ContractError::invalid(
                    "fan_bps",
                    format!("a split gives the fan 1 to {} bps", BPS_DENOMINATOR - 1),
                ))
            }
        };
        self.change_status(status);
        Ok((kind, fan_bps))
    }

    /// The creator collects a held meeting once its dispute window passed.
    pub fn claim(&mut self, by: &Addr, now: Timestamp) -> Result<(), ContractError> {
        self.ensure_creator(by)?;
        self.ensure_status("claim", &[MeetingStatus::Held])?;
        let deadline = self
            .dispute_deadline
            .ok_or_else(|| StdError::generic_err("held meeting without deadline"))?;
        if now < deadline {
            return Err(ContractError::DisputeWindowOpen(deadline));
        }
        self.change_status(MeetingStatus::Completed);
        Ok(())
    }

    /// The creator backs out of a scheduled meeting (the fee is the caller's to check).
    pub fn cancel(&mut self, by: &Addr) -> Result<(), ContractError> {
        self.ensure_creator(by)?;
        self.ensure_status("cancel", &[MeetingStatus::Scheduled])?;
        self.change_status(MeetingStatus::Cancelled);
        Ok(())
    }

    /// Creator or fan proposes a new time, replacing any pending proposal.
    pub fn propose_reschedule(
        &mut self,
        by: &Addr,
        start: Timestamp,
        duration_secs: u64,
        now: Timestamp,
    ) -> Result<(), ContractError> {
        self.ensure_party(by)?;
        self.ensure_status("reschedule", &[MeetingStatus::Scheduled])?;
        validate_slot(self.slot_at(start, duration_secs), now)?;
        self.reschedule = Some(RescheduleProposal {
            proposed_by: by.clone(),
            start,
            duration_secs,
        });
        Ok(())
    }

    /// The other side accepts the pending proposal, repeating it: the meeting moves to the new
    /// time and gets a new revision.
    pub fn accept_reschedule(
        &mut self,
        by: &Addr,
        start: Timestamp,
        duration_secs: u64,
        now: Timestamp,
    ) -> Result<(), ContractError> {
        self.ensure_party(by)?;
        self.ensure_status("reschedule", &[MeetingStatus::Scheduled])?;
        let proposal = self
            .reschedule
            .take()
            .ok_or(ContractError::NoReschedulePending)?;
        if proposal.proposed_by == by {
            return Err(ContractError::OwnProposal);
        }
        if proposal.start != start || proposal.duration_secs != duration_secs {
            return Err(ContractError::RescheduleMismatch);
        }
        // The proposed time may have passed since it was proposed.
        self.slot = validate_slot(self.slot_at(start, duration_secs), now)?;
        self.revision += 1;
        Ok(())
    }

    /// Either side drops the pending proposal: the proposer withdraws it, the other declines it.
    pub fn drop_reschedule(&mut self, by: &Addr) -> Result<RescheduleAction, ContractError> {
        self.ensure_party(by)?;
        let proposal = self
            .reschedule
            .take()
            .ok_or(ContractError::NoReschedulePending)?;
        Ok(if proposal.proposed_by == by {
            RescheduleAction::Withdrawn
        } else {
            RescheduleAction::Declined
        })
    }

    /// The event announcing the meeting's current state, caused by `actor`.
    pub fn changed_event(&self, meeting_id: u64, actor: Addr) -> MeetingChanged {
        MeetingChanged {
            meeting_id,
            creator: self.creator.clone(),
            fan: self.fan.clone(),
            status: self.status,
            revision: self.revision,
            start: self.slot.start,
            duration_secs: self.slot.duration_secs,
            escrow: self.escrow(),
            dispute_deadline: self.dispute_deadline,
            fan_no_show: self.fan_no_show,
            actor,
        }
    }

    /// Moves the meeting to `status`: a new calendar revision, and any pending reschedule lapses.
    fn change_status(&mut self, status: MeetingStatus) {
        self.status = status;
        self.revision += 1;
        self.reschedule = None;
    }

    /// The meeting's slot moved to `start` for `duration_secs`, in the same time zone.
    fn slot_at(&self, start: Timestamp, duration_secs: u64) -> Slot {
        Slot {
            start,
            duration_secs,
            time_zone: self.slot.time_zone.clone(),
        }
    }

    fn ensure_creator(&self, sender: &Addr) -> Result<(), ContractError> {
        if sender == self.creator {
            Ok(())
        } else {
            Err(ContractError::Unauthorized("creator"))
        }
    }

    fn ensure_fan(&self, sender: &Addr) -> Result<(), ContractError> {
        if sender == self.fan {
            Ok(())
        } else {
            Err(ContractError::Unauthorized("fan"))
        }
    }

    fn ensure_party(&self, sender: &Addr) -> Result<(), ContractError> {
        if sender == self.creator || sender == self.fan {
            Ok(())
        } else {
            Err(ContractError::Unauthorized("creator or the fan"))
        }
    }

    fn ensure_status(
        &self,
        action: &'static str,
        allowed: &[MeetingStatus],
    ) -> Result<(), ContractError> {
        if allowed.contains(&self.status) {
            Ok(())
        } else {
            Err(ContractError::WrongMeetingStatus {
                action,
                status: self.status,
            })
        }
    }
}

/// Pays the whole price to the creator (less the platform fee) of a meeting that ended for
/// them, confirmed by the fan or claimed after the dispute window, and saves it.
fn pay_creator(
    deps: DepsMut,
    meeting_id: u64,
    meeting: &Meeting,
    sender: Addr,
) -> Result<Response, ContractError> {
    let (messages, payout) = pay_out(deps.as_ref(), meeting_id, meeting, Uint128::zero())?;
    save_meeting(deps.storage, meeting_id, meeting)?;
    Ok(Response::new()
        .add_messages(messages)
        .add_event(meeting.changed_event(meeting_id, sender).to_event())
        .add_event(payout.to_event()))
}

/// The creator backs out of a sold meeting: the fan gets the whole price back, and the creator
/// pays the cancellation fee to the treasury, so bidding on one's own auction from another
/// wallet and cancelling what it won always costs the creator. Nothing goes to the fan beyond the
/// price, since the fan may be the creator's own wallet.
fn cancel_meeting(
    deps: DepsMut,
    sender: Addr,
    meeting_id: u64,
    mut meeting: Meeting,
    paid: Result<Uint128, ContractError>,
) -> Result<Response, ContractError> {
    meeting.cancel(&sender)?;
    let paid = paid?;
    let config = CONFIG.load(deps.storage)?;
    let fee = cancellation_fee(&config, &meeting);
    if paid != fee {
        return Err(ContractError::WrongCancellationFee { fee, paid });
    }
    let (messages, payout) = pay_cancellation(deps.as_ref(), &config, meeting_id, &meeting, fee)?;
    save_meeting(deps.storage, meeting_id, &meeting)?;
    Ok(Response::new()
        .add_messages(messages)
        .add_event(meeting.changed_event(meeting_id, sender).to_event())
        .add_event(payout.to_event()))
}

fn load_meeting(storage: &dyn Storage, meeting_id: u64) -> Result<Meeting, ContractError> {
    meetings()
        .may_load(storage, meeting_id)?
        .ok_or(ContractError::MeetingNotFound(meeting_id))
}

/// Saves a meeting that exists already. Its creator and fan never change, so its index entries
/// stay valid and only the record itself is written.
fn save_meeting(storage: &mut dyn Storage, meeting_id: u64, meeting: &Meeting) -> StdResult<()> {
    meetings().key(meeting_id).save(storage, meeting)
}
