//! Checks on message fields that auctions and meetings share.

use cosmwasm_std::Timestamp;

use crate::error::ContractError;
use crate::msg::{MAX_DURATION_SECS, MAX_LEAD_SECS, MAX_TIME_ZONE_BYTES, MIN_DURATION_SECS};
use crate::state::Slot;

/// A slot that starts in the future (at most `MAX_LEAD_SECS` ahead), lasts an allowed time, and
/// has a time-zone label such as `Europe/Berlin` or `UTC+02:00`.
pub fn validate_slot(slot: Slot, now: Timestamp) -> Result<Slot, ContractError> {
    if slot.start <= now || slot.start > now.plus_seconds(MAX_LEAD_SECS) {
        return Err(ContractError::invalid(
            "start",
            format!("must be after now and at most {MAX_LEAD_SECS} s ahead"),
        ));
    }
    if !(MIN_DURATION_SECS..=MAX_DURATION_SECS).contains(&slot.duration_secs) {
        return Err(ContractError::invalid(
            "duration_secs",
            format!("must be {MIN_DURATION_SECS} to {MAX_DURATION_SECS}"),
        ));
    }
    let tz = &slot.time_zone;
    if tz.is_empty()
        || tz.len() > MAX_TIME_ZONE_BYTES
        || !tz
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/_+-:".contains(c))
    {
        return Err(ContractError::invalid(
            "time_zone",
            format!("1 to {MAX_TIME_ZONE_BYTES} ASCII letters, digits and / _ + - :"),
        ));
    }
    Ok(slot)
}

pub fn validate_text(
    field: &'static str,
    text: &str,
    max_bytes: usize,
    allow_newlines: bool,
) -> Result<(), ContractError> {
    if text.len() > max_bytes {
        return Err(ContractError::invalid(
            field,
            format!("at most {max_bytes} bytes"),
        ));
    }
    if text
        .chars()
        .any(|c| c.is_control() && !(allow_newlines && c == '\n'))
    {
        return Err(ContractError::invalid(field, "no control characters"));
    }
    Ok(())
}
