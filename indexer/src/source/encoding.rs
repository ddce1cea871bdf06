//! Event attributes are base64 in CometBFT 0.34 and plain text from 0.37 on. A node's version
//! string does not reliably tell (forks, upgraded chains, proxies), so the encoding is read
//! from the data, one event at a time: an event is base64 only if every key and value in it is
//! valid base64 and every key decodes to printable UTF-8. One plain key such as
//! `_contract_address` or `amount` (not valid base64) makes the event plain. Deciding per event
//! keeps what any contract puts in its own events (a key with a control character, say) from
//! changing how the events of other contracts are read.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use super::rpc_types::Attribute;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttributeEncoding {
    Plain,
    Base64,
}

/// Decides the encoding of the attributes of one event.
pub fn detect<'a>(attributes: impl IntoIterator<Item = &'a Attribute>) -> AttributeEncoding {
    let mut saw_key = false;
    for attr in attributes {
        if !attr.key.is_empty() {
            saw_key = true;
            match STANDARD.decode(&attr.key) {
                Ok(key) if is_printable_key(&key) => {}
                _ => return AttributeEncoding::Plain,
            }
        }
        if STANDARD.decode(&attr.value).is_err() {
            return AttributeEncoding::Plain;
        }
    }
    if saw_key {
        AttributeEncoding::Base64
    } else {
        AttributeEncoding::Plain
    }
}

fn is_printable_key(key: &[u8]) -> bool {
    !key.is_empty() && std::str::from_utf8(key).is_ok_and(|k| !k.chars().any(char::is_control))
}

/// One attribute decoded to text. `Err` carries a lossy rendering of a base64 value that is not
/// valid UTF-8, so that the event can still be shown in a dead letter.
pub fn decode_text(encoding: AttributeEncoding, text: &str) -> Result<String, String> {
    match encoding {
        AttributeEncoding::Plain => Ok(text.to_owned()),
        AttributeEncoding::Base64 => {
            // `detect` checked every key and value, so decoding cannot fail here.
            let bytes = STANDARD
                .decode(text)
                .unwrap_or_else(|_| text.as_bytes().to_vec());
            String::from_utf8(bytes).map_err(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
        }
    }
}

/// `text` read as base64 when it is valid base64 of UTF-8, as it is otherwise: a best-effort
/// reading of an event whose attributes are neither all base64 nor all plain.
pub fn decode_either(text: &str) -> String {
    STANDARD
        .decode(text)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .unwrap_or_else(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(pairs: &[(&str, &str)]) -> Vec<Attribute> {
        pairs
            .iter()
            .map(|(k, v)| Attribute {
                key: k.to_string(),
                value: v.to_string(),
            })
            .collect()
    }

    #[test]
    fn detects_plain_and_base64() {
        assert_eq!(
            detect(&attrs(&[("YW1vdW50", "MTAwdWF0b20=")])),
            AttributeEncoding::Base64
        );
        assert_eq!(
            detect(&attrs(&[("amount", "100uatom")])),
            AttributeEncoding::Plain
        );
        // "code" and "data" are valid base64 but do not decode to text.
        assert_eq!(
            detect(&attrs(&[("code", "data")])),
            AttributeEncoding::Plain
        );
        assert_eq!(
            detect(&attrs(&[
                ("YW1vdW50", "MTAwdWF0b20="),
                ("_contract_address", "x")
            ])),
            AttributeEncoding::Plain
        );
        assert_eq!(detect(&attrs(&[])), AttributeEncoding::Plain);
        assert_eq!(detect(&attrs(&[("", "")])), AttributeEncoding::Plain);
    }

    #[test]
    fn invalid_utf8_value_is_reported_lossily() {
        assert_eq!(
            decode_text(AttributeEncoding::Base64, "/w=="),
            Err("\u{FFFD}".into())
        );
        assert_eq!(
            decode_text(AttributeEncoding::Base64, "aGk="),
            Ok("hi".into())
        );
        assert_eq!(
            decode_text(AttributeEncoding::Plain, "aGk="),
            Ok("aGk=".into())
        );
    }
}
