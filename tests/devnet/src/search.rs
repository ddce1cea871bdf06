//! The subset of CometBFT's event query language `tx_search` needs: conditions joined with
//! `AND`, each `key op operand` where the key is `tx.hash`, `tx.height` or `<event>.<attr>`,
//! the operator one of `=`, `<`, `<=`, `>`, `>=`, `CONTAINS`, `EXISTS`, and the operand a
//! quoted string or a number.

use crate::node::TxRecord;
use crate::tx::hash_hex;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
    Contains,
    Exists,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Condition {
    pub key: String,
    pub op: Op,
    pub operand: String,
}

pub fn parse(query: &str) -> Result<Vec<Condition>, String> {
    split_and(query)
        .into_iter()
        .map(|part| parse_condition(part.trim()))
        .collect()
}

/// Splits on `AND` outside quotes.
fn split_and(query: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut in_quotes = false;
    let bytes = query.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' => in_quotes = !in_quotes,
            b' ' if !in_quotes
                && query[i..].len() >= 5
                && query[i..i + 5].eq_ignore_ascii_case(" and ") =>
            {
                parts.push(&query[start..i]);
                start = i + 5;
                i += 4;
            }
            _ => {}
        }
        i += 1;
    }
    parts.push(&query[start..]);
    parts
}

fn parse_condition(text: &str) -> Result<Condition, String> {
    let invalid = || format!("cannot parse the query condition {text:?}");
    if let Some(key) = text
        .strip_suffix(" EXISTS")
        .or_else(|| text.strip_suffix(" exists"))
    {
        return Ok(Condition {
            key: key.trim().into(),
            op: Op::Exists,
            operand: String::new(),
        });
    }
    let (key, op, rest) = if let Some(at) = text.find(" CONTAINS ") {
        (&text[..at], Op::Contains, &text[at + 10..])
    } else {
        let at = text.find(['=', '<', '>']).ok_or_else(invalid)?;
        let rest = &text[at..];
        let (op, len) = if rest.starts_with("<=") {
            (Op::Le, 2)
        } else if rest.starts_with(">=") {
            (Op::Ge, 2)
        } else if rest.starts_with('<') {
            (Op::Lt, 1)
        } else if rest.starts_with('>') {
            (Op::Gt, 1)
        } else {
            (Op::Eq, 1)
        };
        (&text[..at], op, &rest[len..])
    };
    let key = key.trim();
    let operand = rest.trim();
    if key.is_empty() || operand.is_empty() {
        return Err(invalid());
    }
    let operand = operand
        .strip_prefix('\'')
        .and_then(|o| o.strip_suffix('\''))
        .unwrap_or(operand);
    Ok(Condition {
        key: key.into(),
        op,
        operand: operand.into(),
    })
}

fn compare(value: &str, op: &Op, operand: &str) -> bool {
    match op {
        Op::Exists => true,
        Op::Contains => value.contains(operand),
        Op::Eq => {
            value == operand
                || matches!((value.parse::<f64>(), operand.parse::<f64>()), (Ok(a), Ok(b)) if a == b)
        }
        _ => match (value.parse::<f64>(), operand.parse::<f64>()) {
            (Ok(a), Ok(b)) => match op {
                Op::Lt => a < b,
                Op::Le => a <= b,
                Op::Gt => a > b,
                Op::Ge => a >= b,
                _ => unreachable!("handled above"),
            },
            _ => false,
        },
    }
}

/// Whether a transaction satisfies every condition.
pub fn matches(conditions: &[Condition], tx: &TxRecord) -> bool {
    conditions.iter().all(|c| match c.key.as_str() {
        "tx.hash" => compare(&hash_hex(&tx.hash), &c.op, &c.operand.to_uppercase()),
        "tx.height" => compare(&tx.height.to_string(), &c.op, &c.operand),
        key => {
            let Some((ty, attribute)) = key.split_once('.') else {
                return false;
            };
            tx.outcome
                .events
                .iter()
                .filter(|e| e.ty == ty)
                .flat_map(|e| e.attributes.iter())
                .any(|a| a.key == attribute && compare(&a.value, &c.op, &c.operand))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_cosmjs_and_explorers_send() {
        let conditions =
            parse("tx.hash='AB12' AND message.sender='wasm1x and y' AND tx.height>=5").unwrap();
        assert_eq!(conditions.len(), 3);
        assert_eq!(conditions[0].key, "tx.hash");
        assert_eq!(conditions[0].operand, "AB12");
        assert_eq!(conditions[1].operand, "wasm1x and y");
        assert_eq!(conditions[2].op, Op::Ge);
        assert_eq!(conditions[2].operand, "5");
        assert_eq!(
            parse("wasm._contract_address EXISTS").unwrap()[0].op,
            Op::Exists
        );
        assert!(parse("nonsense").is_err());
    }
}
