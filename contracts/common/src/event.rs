//! Typed events: one Rust type per event a contract emits, convertible to a cosmwasm [`Event`]
//! and back from the event's attributes.
//!
//! Event types are versioned names under the `mesi.` prefix (`mesi.tip.v1`); x/wasm emits
//! them as `wasm-mesi.tip.v1` and adds `_contract_address`. Attributes are flat strings:
//! numbers in decimal, addresses in bech32, assets as [`AssetInfo::key`], timestamps in
//! nanoseconds since the epoch, and structured values (chat rules, lists) as compact JSON.
//! An `Option` field that is `None` is left out of the event.

use cosmwasm_std::{Addr, Event, Timestamp, Uint128};
use thiserror::Error;

use crate::asset::AssetInfo;

/// Prefix of every Mesi event type.
pub const EVENT_PREFIX: &str = "mesi.";
/// The prefix x/wasm puts before custom event types.
pub const WASM_EVENT_PREFIX: &str = "wasm-";

#[derive(Error, Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    #[error("{event}: missing attribute {key:?}")]
    MissingAttribute { event: String, key: String },
    #[error("{event}: attribute {key:?} has invalid value {value:?}: {reason}")]
    InvalidAttribute {
        event: String,
        key: String,
        value: String,
        reason: String,
    },
    #[error("{event}: attribute {key:?} appears more than once")]
    DuplicateAttribute { event: String, key: String },
    #[error("unknown Mesi event type {0:?}")]
    UnknownType(String),
}

/// An event a Mesi contract emits.
pub trait MesiEvent: Sized {
    /// The versioned type name, e.g. `mesi.tip.v1`.
    const TYPE: &'static str;

    fn to_event(&self) -> Event;

    /// Rebuilds the event from its attributes. Attributes the type does not know (such as
    /// x/wasm's `_contract_address`) are ignored, so a newer emitter can add fields.
    fn from_attributes(attrs: &[(&str, &str)]) -> Result<Self, DecodeError>;

    /// The attributes the event carries, in order: what readers document and check.
    fn fields() -> Vec<EventField>;
}

/// One attribute of an event type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventField {
    pub name: &'static str,
    /// Left out when the value is absent (an `Option` field).
    pub optional: bool,
}

/// How one field is written to, and read back from, an attribute value.
pub trait AttrValue: Sized {
    fn to_attr(&self) -> String;
    fn from_attr(value: &str) -> Result<Self, String>;

    /// `None` leaves the attribute out (used by `Option`).
    fn to_attr_opt(&self) -> Option<String> {
        Some(self.to_attr())
    }

    /// The value of a missing attribute, if a missing attribute is allowed.
    fn when_missing() -> Option<Self> {
        None
    }
}

/// Looks up one attribute; duplicates are an error, since which one counts would be ambiguous.
pub fn find_attr<'a>(
    event: &str,
    attrs: &[(&str, &'a str)],
    key: &str,
) -> Result<Option<&'a str>, DecodeError> {
    let mut found = None;
    for (k, v) in attrs {
        if *k == key {
            if found.is_some() {
                return Err(DecodeError::DuplicateAttribute {
                    event: event.into(),
                    key: key.into(),
                });
            }
            found = Some(*v);
        }
    }
    Ok(found)
}

/// Reads one field of an event; used by [`mesi_event!`](crate::mesi_event).
pub fn read_field<T: AttrValue>(
    event: &str,
    attrs: &[(&str, &str)],
    key: &str,
) -> Result<T, DecodeError> {
    match find_attr(event, attrs, key)? {
        Some(value) => T::from_attr(value).map_err(|reason| DecodeError::InvalidAttribute {
            event: event.into(),
            key: key.into(),
            value: value.chars().take(256).collect(),
            reason,
        }),
        None => T::when_missing().ok_or_else(|| DecodeError::MissingAttribute {
            event: event.into(),
            key: key.into(),
        }),
    }
}

/// Declares an event type: a struct plus its [`MesiEvent`] implementation.
///
/// ```
/// use cosmwasm_std::{Addr, Uint128};
/// mesi_common::mesi_event! {
///     /// Something happened.
///     pub struct Example = "mesi.example.v1" {
///         pub who: Addr,
///         pub amount: Uint128,
///         pub note: Option<String>,
///     }
/// }
/// ```
#[macro_export]
macro_rules! mesi_event {
    ($(#[$meta:meta])* pub struct $name:ident = $ty:literal { $($(#[$fmeta:meta])* pub $field:ident : $fty:ty),* $(,)? }) => {
        $(#[$meta])*
        #[::cosmwasm_schema::cw_serde]
        pub struct $name {
            $($(#[$fmeta])* pub $field: $fty),*
        }

        impl $crate::event::MesiEvent for $name {
            const TYPE: &'static str = $ty;

            fn to_event(&self) -> ::cosmwasm_std::Event {
                let mut event = ::cosmwasm_std::Event::new($ty);
                $(
                    if let Some(value) = $crate::event::AttrValue::to_attr_opt(&self.$field) {
                        event = event.add_attribute(stringify!($field), value);
                    }
                )*
                event
            }

            fn from_attributes(attrs: &[(&str, &str)]) -> Result<Self, $crate::event::DecodeError> {
                Ok($name {
                    $($field: $crate::event::read_field(Self::TYPE, attrs, stringify!($field))?),*
                })
            }

            fn fields() -> Vec<$crate::event::EventField> {
                vec![$($crate::event::EventField {
                    name: stringify!($field),
                    optional: <$fty as $crate::event::AttrValue>::when_missing().is_some(),
                }),*]
            }
        }
    };
}

fn parse<T: std::str::FromStr>(value: &str) -> Result<T, String>
where
    T::Err: std::fmt::Display,
{
    value.parse().map_err(|e: T::Err| e.to_string())
}

macro_rules! attr_via_fromstr {
    ($($t:ty),*) => {$(
        impl AttrValue for $t {
            fn to_attr(&self) -> String {
                self.to_string()
            }
            fn from_attr(value: &str) -> Result<Self, String> {
                parse(value)
            }
        }
    )*};
}

attr_via_fromstr!(u8, u16, u32, u64, bool, String);

impl AttrValue for Uint128 {
    fn to_attr(&self) -> String {
        self.to_string()
    }
    fn from_attr(value: &str) -> Result<Self, String> {
        // Uint128's FromStr accepts only plain decimal digits.
        parse(value)
    }
}

impl AttrValue for Addr {
    fn to_attr(&self) -> String {
        self.to_string()
    }
    fn from_attr(value: &str) -> Result<Self, String> {
        // Addresses come from our own contracts; readers compare them as strings.
        if value.is_empty()
            || value.len() > 255
            || value.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err("not an address".into());
        }
        Ok(Addr::unchecked(value))
    }
}

impl AttrValue for Timestamp {
    fn to_attr(&self) -> String {
        self.nanos().to_string()
    }
    fn from_attr(value: &str) -> Result<Self, String> {
        parse::<u64>(value).map(Timestamp::from_nanos)
    }
}

impl AttrValue for AssetInfo {
    fn to_attr(&self) -> String {
        self.key()
    }
    fn from_attr(value: &str) -> Result<Self, String> {
        AssetInfo::from_key(value).map_err(|e| e.to_string())
    }
}

impl<T: AttrValue> AttrValue for Option<T> {
    fn to_attr(&self) -> String {
        self.as_ref().map(T::to_attr).unwrap_or_default()
    }
    fn from_attr(value: &str) -> Result<Self, String> {
        T::from_attr(value).map(Some)
    }
    fn to_attr_opt(&self) -> Option<String> {
        self.as_ref().map(T::to_attr)
    }
    fn when_missing() -> Option<Self> {
        Some(None)
    }
}

/// Implements [`AttrValue`] as compact JSON, for structured values.
#[macro_export]
macro_rules! json_attr {
    ($($t:ty),* $(,)?) => {$(
        impl $crate::event::AttrValue for $t {
            fn to_attr(&self) -> String {
                ::serde_json_wasm::to_string(self).expect("serializable value")
            }
            fn from_attr(value: &str) -> Result<Self, String> {
                ::serde_json_wasm::from_str(value).map_err(|e| e.to_string())
            }
        }
    )*};
}

impl<T: serde::Serialize + serde::de::DeserializeOwned> AttrValue for Vec<T> {
    fn to_attr(&self) -> String {
        serde_json_wasm::to_string(self).expect("serializable value")
    }
    fn from_attr(value: &str) -> Result<Self, String> {
        serde_json_wasm::from_str(value).map_err(|e| e.to_string())
    }
}

/// The attributes of an `Event` as the borrowed pairs [`MesiEvent::from_attributes`] takes.
pub fn attr_pairs(event: &Event) -> Vec<(&str, &str)> {
    event
        .attributes
        .iter()
        .map(|a| (a.key.as_str(), a.value.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::mesi_event! {
        /// A test event.
        pub struct Sample = "mesi.sample.v1" {
            pub who: Addr,
            pub amount: Uint128,
            pub at: Timestamp,
            pub asset: AssetInfo,
            pub note: Option<String>,
            pub tags: Vec<String>,
        }
    }

    fn sample() -> Sample {
        Sample {
            who: Addr::unchecked("cosmwasm1abc"),
            amount: Uint128::new(42),
            at: Timestamp::from_nanos(1_700_000_000_123),
            asset: AssetInfo::native("uusdc"),
            note: None,
            tags: vec!["a".into(), "b\"c".into()],
        }
    }

    #[test]
    fn round_trips_through_event() {
        let mut ev = sample();
        for note in [None, Some("hello, world".to_string())] {
            ev.note = note;
            let event = ev.to_event();
            assert_eq!(event.ty, "mesi.sample.v1");
            let mut pairs = attr_pairs(&event);
            pairs.push(("_contract_address", "cosmwasm1contract"));
            assert_eq!(Sample::from_attributes(&pairs).unwrap(), ev);
        }
        assert!(!attr_pairs(&sample().to_event())
            .iter()
            .any(|(k, _)| *k == "note"));
    }

    #[test]
    fn fields_list_the_attributes_and_which_may_be_absent() {
        let fields: Vec<(&str, bool)> = Sample::fields()
            .iter()
            .map(|f| (f.name, f.optional))
            .collect();
        assert_eq!(
            fields,
            [
                ("who", false),
                ("amount", false),
                ("at", false),
                ("asset", false),
                ("note", true),
                ("tags", false)
            ]
        );
        let emitted: Vec<String> = sample()
            .to_event()
            .attributes
            .into_iter()
            .map(|a| a.key)
            .collect();
        assert_eq!(emitted, ["who", "amount", "at", "asset", "tags"]);
    }

    #[test]
    fn decode_errors_name_the_attribute() {
        let event = sample().to_event();
        let pairs: Vec<_> = attr_pairs(&event)
            .into_iter()
            .filter(|(k, _)| *k != "amount")
            .collect();
        assert_eq!(
            Sample::from_attributes(&pairs),
            Err(DecodeError::MissingAttribute {
                event: "mesi.sample.v1".into(),
                key: "amount".into()
            })
        );
        let mut pairs = attr_pairs(&event);
        pairs[1] = ("amount", "-1");
        assert!(
            matches!(Sample::from_attributes(&pairs), Err(DecodeError::InvalidAttribute { key, .. }) if key == "amount")
        );
        let mut pairs = attr_pairs(&event);
        pairs.push(("amount", "43"));
        assert!(matches!(
            Sample::from_attributes(&pairs),
            Err(DecodeError::DuplicateAttribute { .. })
        ));
        let mut pairs = attr_pairs(&event);
        pairs[3] = ("asset", "gold:bar");
        assert!(Sample::from_attributes(&pairs).is_err());
    }
}
