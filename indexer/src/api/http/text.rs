//! Free text a client sends (messages, titles, comments, labels): one rule per field that both
//! checks the text and writes its OpenAPI constraints, so the document states exactly what the
//! server accepts. Lengths count characters (Unicode scalar values), as JSON Schema does.

use utoipa::openapi::schema::{Object, ObjectBuilder, SchemaType, Type};

use crate::api::Error;

/// What one text field may hold. Control characters (`char::is_control`) are refused except
/// `controls`; white space is `char::is_whitespace`, as `str::trim` counts it.
#[derive(Debug, Clone, Copy)]
pub struct TextRule {
    pub max_chars: usize,
    /// Control characters allowed, such as line breaks.
    pub controls: &'static [char],
    /// Empty or only white space is allowed (the field is then cleared).
    pub blank: bool,
    /// White space is allowed at all (a URL has none).
    pub spaces: bool,
}

/// The highest code point that is a control or white space character (checked in the tests).
const LAST_SPECIAL: u32 = 0x3000;

impl TextRule {
    /// Required text on one line.
    pub const fn line(max_chars: usize) -> TextRule {
        TextRule {
            max_chars,
            controls: &[],
            blank: false,
            spaces: true,
        }
    }

    /// Required text that may hold these control characters (line breaks, tabs).
    pub const fn lines(max_chars: usize, controls: &'static [char]) -> TextRule {
        TextRule {
            controls,
            ..TextRule::line(max_chars)
        }
    }

    /// Required text without white space.
    pub const fn token(max_chars: usize) -> TextRule {
        TextRule {
            spaces: false,
            ..TextRule::line(max_chars)
        }
    }

    /// The same rule, but empty or blank text is allowed.
    pub const fn optional(self) -> TextRule {
        TextRule {
            blank: true,
            ..self
        }
    }

    fn refuses(&self, c: char) -> bool {
        (c.is_control() && !self.controls.contains(&c)) || (!self.spaces && c.is_whitespace())
    }

    pub fn accepts(&self, text: &str) -> bool {
        let chars = text.chars().count();
        chars <= self.max_chars
            && !text.chars().any(|c| self.refuses(c))
            && (self.blank || text.chars().any(|c| !c.is_whitespace()))
    }

    /// The rule in words, for error messages and the document.
    pub fn describe(&self) -> String {
        let mut about = if self.blank {
            format!("at most {} characters", self.max_chars)
        } else {
            format!("1 to {} characters", self.max_chars)
        };
        if !self.spaces {
            about.push_str(" without white space");
        } else if !self.blank {
            about.push_str(", not only white space");
        }
        let allowed: Vec<&str> = self
            .controls
            .iter()
            .map(|c| match c {
                '\n' => "line breaks",
                '\t' => "tabs",
                _ => "some",
            })
            .collect();
        if allowed.is_empty() {
            about.push_str(", no control characters");
        } else {
            about.push_str(&format!(
                ", no control characters but {}",
                allowed.join(" and ")
            ));
        }
        about
    }

    /// `Ok` when the text passes, else `code` with `what` and the rule in words.
    pub fn check(&self, code: &'static str, what: &str, text: &str) -> Result<(), Error> {
        if self.accepts(text) {
            Ok(())
        } else {
            Err(Error::invalid(
                code,
                format!("{what} is {}", self.describe()),
            ))
        }
    }

    /// The ECMA-262 pattern of the characters the rule allows (lengths are `minLength` and
    /// `maxLength`), derived from the same predicates as [`TextRule::accepts`].
    pub fn pattern(&self) -> String {
        let refused = char_class(|c| self.refuses(c));
        if self.blank || !self.spaces {
            format!("^[^{refused}]*$")
        } else {
            let blank = char_class(|c| self.refuses(c) || c.is_whitespace());
            format!("^[^{refused}]*[^{blank}][^{refused}]*$")
        }
    }

    /// The schema of a field under this rule.
    pub fn schema(&self) -> Object {
        self.builder(SchemaType::Type(Type::String)).build()
    }

    /// The schema of a field under this rule that may also be `null` (cleared).
    pub fn nullable_schema(&self) -> Object {
        self.builder(SchemaType::from_iter([Type::String, Type::Null]))
            .build()
    }

    fn builder(&self, schema_type: SchemaType) -> ObjectBuilder {
        let described = format!("{}.", capitalized(&self.describe()));
        ObjectBuilder::new()
            .schema_type(schema_type)
            .min_length((!self.blank).then_some(1))
            .max_length(Some(self.max_chars))
            .pattern(Some(self.pattern()))
            .description(Some(described))
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or(String::new(), |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// A regex character class body (without brackets) of the code points up to [`LAST_SPECIAL`]
/// that `member` holds, as `\uXXXX` ranges.
fn char_class(member: impl Fn(char) -> bool) -> String {
    let mut class = String::new();
    let mut start: Option<u32> = None;
    for point in 0..=LAST_SPECIAL + 1 {
        let inside = point <= LAST_SPECIAL && char::from_u32(point).is_some_and(&member);
        match (inside, start) {
            (true, None) => start = Some(point),
            (false, Some(first)) => {
                let last = point - 1;
                class.push_str(&format!("\\u{first:04x}"));
                if last > first {
                    class.push_str(&format!("-\\u{last:04x}"));
                }
                start = None;
            }
            _ => {}
        }
    }
    class
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: &[TextRule] = &[
        TextRule::line(5),
        TextRule::lines(5, &['\n', '\t']),
        TextRule::token(5),
        TextRule::lines(5, &['\n']).optional(),
    ];

    #[test]
    fn no_control_or_white_space_character_lies_above_the_last_special_one() {
        let beyond = (LAST_SPECIAL + 1..=char::MAX as u32)
            .filter_map(char::from_u32)
            .find(|c| c.is_control() || c.is_whitespace());
        assert_eq!(beyond, None);
    }

    #[test]
    fn the_pattern_accepts_what_the_rule_accepts() {
        let mut samples: Vec<String> =
            ["", "a", " a ", "a b", "é", "日本", "\u{feff}", "x\u{3000}"]
                .iter()
                .map(|s| s.to_string())
                .collect();
        for point in (0..=LAST_SPECIAL).filter(|p| *p < 0x100 || *p >= 0x1680) {
            if let Some(c) = char::from_u32(point) {
                samples.push(c.to_string());
                samples.push(format!("a{c}"));
            }
        }
        for rule in RULES {
            let pattern = regex::Regex::new(&rule.pattern()).unwrap();
            for sample in &samples {
                let by_schema = pattern.is_match(sample)
                    && sample.chars().count() >= usize::from(!rule.blank)
                    && sample.chars().count() <= rule.max_chars;
                assert_eq!(rule.accepts(sample), by_schema, "{rule:?} on {sample:?}");
            }
        }
    }

    #[test]
    fn rules_count_characters_and_refuse_blank_text() {
        let title = TextRule::line(3);
        assert!(title.accepts("日本語"));
        assert!(!title.accepts("日本語x"));
        assert!(!title.accepts("   "));
        assert!(!title.accepts("a\nb"));
        assert!(TextRule::lines(3, &['\n']).accepts("a\nb"));
        assert!(TextRule::line(3).optional().accepts(""));
        assert!(!TextRule::token(9).accepts("a b"));
        assert_eq!(
            TextRule::lines(2000, &['\n', '\t']).describe(),
            "1 to 2000 characters, not only white space, no control characters but line breaks and tabs"
        );
    }

    #[test]
    fn a_refusal_names_the_field_and_the_rule() {
        let error = TextRule::line(3)
            .check("invalid_title", "a title", "")
            .unwrap_err();
        let Error::Invalid { code, message } = error else {
            panic!("{error:?}")
        };
        assert_eq!(code, "invalid_title");
        assert_eq!(
            message,
            "a title is 1 to 3 characters, not only white space, no control characters"
        );
    }
}
