//! Events in the shape x/wasm and x/bank emit them.

use cosmwasm_std::Coin;
use serde::{Deserialize, Serialize};

/// Reserved attribute holding the emitting contract (contracts may not use `_` keys).
pub const CONTRACT_ADDRESS_KEY: &str = "_contract_address";
/// Prefix of custom contract events.
pub const CUSTOM_EVENT_PREFIX: &str = "wasm-";
/// wasmd's `eventTypeMinLength`: custom event types must be longer than this.
const EVENT_TYPE_MIN_LENGTH: usize = 2;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attribute {
    pub key: String,
    pub value: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    #[serde(rename = "type")]
    pub ty: String,
    pub attributes: Vec<Attribute>,
}

impl Event {
    pub fn new(ty: impl Into<String>) -> Self {
        Event {
            ty: ty.into(),
            attributes: Vec::new(),
        }
    }

    pub fn attr(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.attributes.push(Attribute {
            key: key.into(),
            value: value.into(),
        });
        self
    }

    /// The value of the first attribute named `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.key == key)
            .map(|a| a.value.as_str())
    }
}

/// SDK `Coins.String()`: `10uatom,5ufoo`.
pub fn coins_string(coins: &[Coin]) -> String {
    coins
        .iter()
        .map(|c| format!("{}{}", c.amount, c.denom))
        .collect::<Vec<_>>()
        .join(",")
}

/// wasmd `contractSDKEventAttributes`: `_contract_address` first, then the contract's
/// attributes, trimmed; empty keys or values and `_` keys are errors.
fn contract_attributes(
    attributes: &[cosmwasm_std::Attribute],
    contract: &str,
) -> Result<Vec<Attribute>, String> {
    let mut out = vec![Attribute {
        key: CONTRACT_ADDRESS_KEY.into(),
        value: contract.into(),
    }];
    for attribute in attributes {
        let key = attribute.key.trim();
        if key.is_empty() {
            return Err(format!("Empty attribute key. Value: {}", attribute.value));
        }
        let value = attribute.value.trim();
        if value.is_empty() {
            return Err(format!("Empty attribute value. Key: {key}"));
        }
        if key.starts_with('_') {
            return Err(format!(
                "Attribute key starts with reserved prefix _: '{key}'"
            ));
        }
        out.push(Attribute {
            key: key.into(),
            value: value.into(),
        });
    }
    Ok(out)
}

/// The events of one contract response: a `wasm` event when it has attributes, then one
/// `wasm-<type>` event per custom event.
pub(crate) fn contract_events(
    attributes: &[cosmwasm_std::Attribute],
    events: &[cosmwasm_std::Event],
    contract: &str,
) -> Result<Vec<Event>, String> {
    let mut out = Vec::with_capacity(events.len() + 1);
    if !attributes.is_empty() {
        out.push(Event {
            ty: "wasm".into(),
            attributes: contract_attributes(attributes, contract)?,
        });
    }
    for event in events {
        let ty = event.ty.trim();
        if ty.len() <= EVENT_TYPE_MIN_LENGTH {
            return Err(format!("Event type too short: '{ty}'"));
        }
        out.push(Event {
            ty: format!("{CUSTOM_EVENT_PREFIX}{ty}"),
            attributes: contract_attributes(&event.attributes, contract)?,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contract_events_carry_the_address_first_and_reject_bad_attributes() {
        let events = contract_events(
            &[cosmwasm_std::Attribute::new("action", "tip")],
            &[cosmwasm_std::Event::new("tip").add_attribute("amount", " 5 ")],
            "wasm1contract",
        )
        .unwrap();
        assert_eq!(events[0].ty, "wasm");
        assert_eq!(events[0].attributes[0].key, CONTRACT_ADDRESS_KEY);
        assert_eq!(events[1].ty, "wasm-tip");
        assert_eq!(events[1].attributes[0].value, "wasm1contract");
        assert_eq!(events[1].get("amount"), Some("5"));

        // Contracts built against other std versions can send what `Attribute::new` refuses.
        let raw: cosmwasm_std::Attribute =
            serde_json::from_str(r#"{"key":"_x","value":"1"}"#).unwrap();
        let reserved = contract_events(&[raw], &[], "c");
        assert!(reserved.unwrap_err().contains("reserved"));
        let empty = contract_events(&[cosmwasm_std::Attribute::new("k", " ")], &[], "c");
        assert!(empty.unwrap_err().contains("Empty attribute value"));
        let short = contract_events(&[], &[cosmwasm_std::Event::new("ab")], "c");
        assert!(short.unwrap_err().contains("too short"));
    }
}
