//! Extract stage, the codes: typed SMTP codes, parsed from text, used by every later stage.
//!
//! A basic reply code (RFC 5321 §4.2) is three digits; an enhanced status code
//! (RFC 3463 §2) is `class.subject.detail`, subject and detail one to three digits.

use std::fmt;

/// What a code says about the outcome, from its first digit. Serialized as its [`name`](Class::name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    Success,
    Intermediate,
    Transient,
    Permanent,
}

impl Class {
    /// The class of a first digit: 2 success, 3 intermediate, 4 transient, 5 permanent.
    pub fn from_digit(digit: u8) -> Option<Class> {
        match digit {
            2 => Some(Class::Success),
            3 => Some(Class::Intermediate),
            4 => Some(Class::Transient),
            5 => Some(Class::Permanent),
            _ => None,
        }
    }

    /// The name used in JSON and in the data files.
    pub fn name(self) -> &'static str {
        match self {
            Class::Success => "success",
            Class::Intermediate => "intermediate",
            Class::Transient => "transient",
            Class::Permanent => "permanent",
        }
    }
}

/// A three-digit basic reply code such as 550.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Basic(pub u16);

impl Basic {
    /// Parses exactly three ASCII digits, 100 to 599.
    pub fn parse(text: &str) -> Option<Basic> {
        let bytes = text.as_bytes();
        if bytes.len() != 3
            || !bytes.iter().all(u8::is_ascii_digit)
            || !(b'1'..=b'5').contains(&bytes[0])
        {
            return None;
        }
        text.parse().ok().map(Basic)
    }

    /// The first digit.
    pub fn first_digit(self) -> u8 {
        (self.0 / 100) as u8
    }
}

impl fmt::Display for Basic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:03}", self.0)
    }
}

/// An enhanced status code such as 5.1.1; `class` is `None` for a look-up of `X.1.1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Enhanced {
    pub class: Option<u8>,
    pub subject: u16,
    pub detail: u16,
}

impl Enhanced {
    /// Parses `C.S.D` where C is 2, 4, 5 (or X/x in a look-up) and S, D are 1 to 3 digits
    /// without leading zeros (RFC 3463 §2).
    pub fn parse(text: &str) -> Option<Enhanced> {
        Enhanced::parse_bytes(text.as_bytes())
    }

    /// [`Enhanced::parse`] on bytes, as the extractor finds them (no UTF-8 check needed:
    /// every accepted byte is ASCII).
    pub fn parse_bytes(text: &[u8]) -> Option<Enhanced> {
        // One pass, left to right: the extractor parses a code per candidate it accepts.
        let (class, rest) = match text {
            [c @ (b'2' | b'4' | b'5'), b'.', rest @ ..] => (Some(c - b'0'), rest),
            [b'X' | b'x', b'.', rest @ ..] => (None, rest),
            _ => return None,
        };
        let (subject, rest) = leading_number(rest)?;
        let (detail, rest) = leading_number(rest.strip_prefix(b".")?)?;
        rest.is_empty().then_some(Enhanced {
            class,
            subject,
            detail,
        })
    }

    /// The class of the code, when its first digit is given.
    pub fn class(self) -> Option<Class> {
        self.class.and_then(Class::from_digit)
    }

    /// The catalogue key of the detail (`X.1.1`): texts are shared by every class.
    pub fn detail_key(self) -> String {
        format!("X.{}.{}", self.subject, self.detail)
    }

    /// The catalogue key of the subject (`X.1.X`).
    pub fn subject_key(self) -> String {
        format!("X.{}.X", self.subject)
    }
}

/// The [`number`] that `text` starts with, and what follows it.
fn leading_number(text: &[u8]) -> Option<(u16, &[u8])> {
    let len = text
        .iter()
        .take(4)
        .take_while(|b| b.is_ascii_digit())
        .count();
    let (digits, rest) = text.split_at(len);
    Some((number(digits)?, rest))
}

/// One to three digits, no leading zero (but "0" itself).
fn number(text: &[u8]) -> Option<u16> {
    let ok = (1..=3).contains(&text.len())
        && text.iter().all(u8::is_ascii_digit)
        && (text == b"0" || text[0] != b'0');
    ok.then(|| text.iter().fold(0u16, |n, d| n * 10 + u16::from(d - b'0')))
}

impl fmt::Display for Enhanced {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.class {
            Some(c) => write!(f, "{}.{}.{}", c, self.subject, self.detail),
            None => write!(f, "X.{}.{}", self.subject, self.detail),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_basic_codes() {
        for (text, want) in [
            ("550", Some(550)),
            ("101", Some(101)),
            ("999", None),
            ("55", None),
            ("5500", None),
            ("0550", None),
            ("55a", None),
            ("650", None),
        ] {
            assert_eq!(Basic::parse(text).map(|b| b.0), want, "{text}");
        }
    }

    #[test]
    fn parses_enhanced_codes() {
        let e = Enhanced::parse("5.7.650").unwrap();
        assert_eq!((e.class, e.subject, e.detail), (Some(5), 7, 650));
        assert_eq!(Enhanced::parse("x.1.1").unwrap().to_string(), "X.1.1");
        assert_eq!(Enhanced::parse("X.1.1").unwrap().class, None);
        for bad in [
            "3.1.1", "5.1", "5.1.1.1", "5.01.1", "5.1.1000", "5..1", "5.1.a", "", "5.1.1 ",
        ] {
            assert_eq!(Enhanced::parse(bad), None, "{bad}");
        }
        assert_eq!(Enhanced::parse("4.0.0").unwrap().to_string(), "4.0.0");
    }

    /// The one-pass parser reads every short text as the rule says: three parts between
    /// dots, the class 2, 4, 5 or X, then numbers of one to three digits, no leading zero.
    #[test]
    fn enhanced_parsing_follows_the_rule_on_every_short_text() {
        let rule = |text: &[u8]| -> Option<Enhanced> {
            let parts: Vec<&[u8]> = text.split(|&b| b == b'.').collect();
            let [class, subject, detail] = parts[..] else {
                return None;
            };
            let class = match class {
                [c @ (b'2' | b'4' | b'5')] => Some(c - b'0'),
                b"X" | b"x" => None,
                _ => return None,
            };
            Some(Enhanced {
                class,
                subject: number(subject)?,
                detail: number(detail)?,
            })
        };
        let alphabet = b"0159X.a";
        let mut text = Vec::new();
        for len in 0..=7u32 {
            for mut n in 0..alphabet.len().pow(len) {
                text.clear();
                for _ in 0..len {
                    text.push(alphabet[n % alphabet.len()]);
                    n /= alphabet.len();
                }
                assert_eq!(Enhanced::parse_bytes(&text), rule(&text), "{text:?}");
            }
        }
    }

    #[test]
    fn keys_share_texts_across_classes() {
        let a = Enhanced::parse("4.2.2").unwrap();
        let b = Enhanced::parse("5.2.2").unwrap();
        assert_eq!(a.detail_key(), b.detail_key());
        assert_eq!(a.subject_key(), "X.2.X");
        assert_eq!(a.class(), Some(Class::Transient));
        assert_eq!(b.class(), Some(Class::Permanent));
    }
}
