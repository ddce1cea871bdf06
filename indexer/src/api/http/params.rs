//! Validated request parameters: addresses, ids, page sizes and feed cursors. Each type checks
//! its input once, at the edge, so handlers and SQL only ever see bounded, well-formed values.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::Error;

/// Longest address accepted (a bech32 string is at most 90 characters; contracts' are 60-70).
pub const MAX_ADDRESS_LEN: usize = 128;
/// Longest content id, stream id or token id accepted in a path or query, in characters.
pub const MAX_ID_LEN: usize = 128;
/// Items per page when the request does not say.
pub const DEFAULT_PAGE_SIZE: u32 = 20;
/// Most items per page; a larger `limit` is refused.
pub const MAX_PAGE_SIZE: u32 = 100;

/// A bech32 account or contract address with a valid checksum, in lower case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[schema(value_type = String, example = "mesi1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5lzv7xu")]
pub struct Address(String);

impl Address {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Address {
    type Err = Error;

    fn from_str(text: &str) -> Result<Address, Error> {
        let invalid =
            |why: &str| Error::invalid("invalid_address", format!("invalid address: {why}"));
        if text.is_empty() || text.len() > MAX_ADDRESS_LEN {
            return Err(invalid(&format!(
                "expected 1 to {MAX_ADDRESS_LEN} characters"
            )));
        }
        bech32::decode(text).map_err(|_| invalid("not bech32 with a valid checksum"))?;
        Ok(Address(text.to_ascii_lowercase()))
    }
}

impl<'de> Deserialize<'de> for Address {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Address, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A content id, stream id or token id: 1 to [`MAX_ID_LEN`] characters, none a control one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(value_type = String)]
pub struct Id(String);

impl Id {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Id {
    type Err = Error;

    fn from_str(text: &str) -> Result<Id, Error> {
        let chars = text.chars().count();
        if chars == 0 || chars > MAX_ID_LEN || text.chars().any(char::is_control) {
            return Err(Error::invalid(
                "invalid_id",
                format!("an id is 1 to {MAX_ID_LEN} characters, none of them a control character"),
            ));
        }
        Ok(Id(text.to_owned()))
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Id, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// An amount in an asset's smallest unit, as JSON carries it: the decimal digits of a whole
/// number from 1 to 2^128 - 1, without leading zeros (what `Uint128` holds, but zero).
pub fn parse_amount(text: &str) -> Option<u128> {
    let digits_only = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    if !digits_only || text.starts_with('0') {
        return None;
    }
    text.parse().ok()
}

/// The pattern of [`parse_amount`]: up to 38 digits, or 39 digits at most `u128::MAX`.
pub fn amount_pattern() -> String {
    let max = u128::MAX.to_string();
    let mut branches = vec![format!("[1-9][0-9]{{0,{}}}", max.len() - 2)];
    // 39 digits: equal to `max` up to some digit, then smaller there, then anything.
    for (i, digit) in max.bytes().enumerate() {
        let lowest = if i == 0 { b'1' } else { b'0' };
        if digit > lowest {
            let rest = max.len() - i - 1;
            let smaller = if digit - 1 == lowest {
                (lowest as char).to_string()
            } else {
                format!("[{}-{}]", lowest as char, (digit - 1) as char)
            };
            let tail = if rest > 0 {
                format!("[0-9]{{{rest}}}")
            } else {
                String::new()
            };
            branches.push(format!("{}{smaller}{tail}", &max[..i]));
        }
    }
    branches.push(max);
    format!("^({})$", branches.join("|"))
}

/// The schema of an amount field.
pub fn amount_schema() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .pattern(Some(amount_pattern()))
        .description(Some(
            "A whole number above zero in the asset's smallest unit, as decimal digits \
             (below 2^128, no leading zeros).",
        ))
        .examples(["1000000"])
        .build()
}

/// A `u32` from any JSON number without a fraction: JSON Schema counts `3.0` as the integer 3,
/// so clients built from the API document may send it.
pub fn whole_u32<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    let number = serde_json::Number::deserialize(deserializer)?;
    let whole = number.as_u64().or_else(|| {
        number
            .as_f64()
            .filter(|f| f.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(f))
            .map(|f| f as u64)
    });
    whole.and_then(|n| u32::try_from(n).ok()).ok_or_else(|| {
        serde::de::Error::custom(format!("expected a whole number from 0 to {}", u32::MAX))
    })
}

/// A chat thread's or stream's id: 32 lower-case hex digits, valid as a tip context id.
pub const CONTEXT_ID_PATTERN: &str = "^[0-9a-f]{32}$";

pub fn is_context_id(text: &str) -> bool {
    text.len() == 32 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A new random context id.
pub fn new_context_id() -> Result<String, Error> {
    let mut bytes = [0u8; 16];
    getrandom::getrandom(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContractQuery {
    /// The contract, when several hold the same id.
    #[param(value_type = Option<String>)]
    pub contract: Option<Address>,
}

/// `?limit=`: 1 to [`MAX_PAGE_SIZE`], [`DEFAULT_PAGE_SIZE`] when absent.
pub fn page_size(limit: Option<u32>) -> Result<i64, Error> {
    match limit {
        None => Ok(DEFAULT_PAGE_SIZE.into()),
        Some(n @ 1..=MAX_PAGE_SIZE) => Ok(n.into()),
        Some(_) => Err(Error::invalid(
            "invalid_limit",
            format!("limit is 1 to {MAX_PAGE_SIZE}"),
        )),
    }
}

/// A position in the event log: `<height>-<seq>`. Feed pages continue strictly below their
/// cursor, and SSE event ids are positions, so a client resumes from where it stopped.
/// In OpenAPI schemas a position is a string (`#[schema(value_type = String)]` at each field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub height: i64,
    pub seq: i32,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.height, self.seq)
    }
}

impl FromStr for Position {
    type Err = Error;

    fn from_str(text: &str) -> Result<Position, Error> {
        let invalid = || {
            Error::invalid(
                "invalid_cursor",
                "a cursor is <height>-<seq>, as returned in next_cursor",
            )
        };
        let (height, seq) = text.split_once('-').ok_or_else(invalid)?;
        let digits =
            |s: &str| !s.is_empty() && s.len() <= 19 && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(height) || !digits(seq) {
            return Err(invalid());
        }
        Ok(Position {
            height: height.parse().map_err(|_| invalid())?,
            seq: seq.parse().map_err(|_| invalid())?,
        })
    }
}

impl Serialize for Position {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Position {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Position, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A time as every answer writes it: RFC 3339 in UTC with `Z`, fractions only when present
/// (as chrono's serde writes `DateTime<Utc>` fields).
pub fn rfc3339(time: &chrono::DateTime<chrono::Utc>) -> String {
    time.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_u32_takes_any_json_number_without_a_fraction() {
        let read = |json: &str| {
            let mut reader = serde_json::Deserializer::from_str(json);
            whole_u32(&mut reader).ok()
        };
        for (json, expected) in [
            ("0", Some(0)),
            ("7", Some(7)),
            ("7.0", Some(7)),
            ("-0.0", Some(0)),
            ("1e3", Some(1000)),
            ("4294967295", Some(u32::MAX)),
            ("4294967295.0", Some(u32::MAX)),
            ("4294967296", None),
            ("7.5", None),
            ("-1", None),
            ("\"7\"", None),
        ] {
            assert_eq!(read(json), expected, "{json}");
        }
    }

    #[test]
    fn the_amount_pattern_accepts_what_parse_amount_accepts() {
        let pattern = regex::Regex::new(&amount_pattern()).unwrap();
        let max = u128::MAX;
        let mut samples: Vec<String> = ["", "0", "00", "01", "+1", "-1", "1 ", "1.5", "1e3", "٣"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        for n in [1, 9, 10, 1_000_000, max / 10, max / 10 * 9, max - 1, max] {
            samples.push(n.to_string());
        }
        let digits = max.to_string();
        for i in 0..digits.len() {
            // One above `max` at each digit, and the next 39-digit numbers past it.
            let mut above = digits.clone().into_bytes();
            if above[i] < b'9' {
                above[i] += 1;
                samples.push(String::from_utf8(above).unwrap());
            }
        }
        samples.push(format!("{digits}0"));
        samples.push("9".repeat(39));
        samples.push("1".repeat(40));
        for sample in &samples {
            assert_eq!(
                parse_amount(sample).is_some(),
                pattern.is_match(sample),
                "{sample:?}"
            );
        }
        assert_eq!(parse_amount(&digits), Some(max));
    }

    #[test]
    fn addresses() {
        let hrp = bech32::Hrp::parse("cosmwasm").unwrap();
        let good = bech32::encode::<bech32::Bech32>(hrp, &[7u8; 20]).unwrap();
        assert_eq!(good.parse::<Address>().unwrap().as_str(), good);
        assert_eq!(
            good.to_ascii_uppercase()
                .parse::<Address>()
                .unwrap()
                .as_str(),
            good
        );
        // The same address with its last checksum character changed.
        let last = good.chars().last().unwrap();
        let corrupted = format!(
            "{}{}",
            &good[..good.len() - 1],
            if last == 'q' { 'p' } else { 'q' }
        );
        for bad in ["", corrupted.as_str(), "nope", &"a".repeat(200)] {
            let err = bad.parse::<Address>().unwrap_err();
            assert_eq!(err.code(), "invalid_address", "{bad}");
        }
    }

    #[test]
    fn positions() {
        let p: Position = "1200-3".parse().unwrap();
        assert_eq!(
            p,
            Position {
                height: 1200,
                seq: 3
            }
        );
        assert_eq!(p.to_string(), "1200-3");
        for bad in [
            "",
            "1",
            "-1-2",
            "1-",
            "a-1",
            "1-2-3",
            "99999999999999999999-1",
            "1-99999999999",
        ] {
            assert!(bad.parse::<Position>().is_err(), "{bad}");
        }
    }

    #[test]
    fn page_sizes() {
        assert_eq!(page_size(None).unwrap(), 20);
        assert_eq!(page_size(Some(5)).unwrap(), 5);
        assert_eq!(page_size(Some(100)).unwrap(), 100);
        assert!(page_size(Some(101)).is_err());
        assert!(page_size(Some(0)).is_err());
    }
}
