//! Decode stage, part 4b: the rules of `data/reasons.tsv` and the SMTP step a refusal
//! answered. The order in which they are tried is [`super`]'s.

use crate::decode::pattern::{tables, take_pattern, PatternSet, Scan};
use crate::extract::code::{Basic, Enhanced};
use std::sync::OnceLock;

/// The ordered rules.
pub const RULES: &str = include_str!("../../../data/reasons.tsv");
/// The SMTP step a refusal answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// The greeting, HELO or EHLO: the sending host itself.
    Connect,
    Mail,
    Rcpt,
    Data,
}

impl Phase {
    fn parse(text: &str) -> Option<Option<Phase>> {
        Some(match text {
            "-" => None,
            "connect" => Some(Phase::Connect),
            "mail" => Some(Phase::Mail),
            "rcpt" => Some(Phase::Rcpt),
            "data" => Some(Phase::Data),
            _ => return None,
        })
    }
}

/// The ways MTAs name the step a reply answered: `data/phases.tsv`.
pub const PHASES: &str = include_str!("../../../data/phases.tsv");

/// Parses `data/phases.tsv`: the step each pattern of [`tables::PHASES`] names.
fn parse_phases(src: &str) -> Result<(Vec<Phase>, PatternSet), String> {
    let set = PatternSet::of(&tables::PHASES);
    let mut phases = Vec::new();
    for line in crate::decode::catalog::spans::rows(src) {
        let bad = || format!("phases.tsv: bad row: {line}");
        let [phase, pattern] = line.split('\t').collect::<Vec<_>>()[..] else {
            return Err(bad());
        };
        take_pattern(&set, phases.len(), pattern, "phases.tsv")?;
        phases.push(Phase::parse(phase).flatten().ok_or_else(bad)?);
    }
    Ok((phases, set))
}

fn phase_patterns() -> &'static (Vec<Phase>, PatternSet) {
    static PATTERNS: OnceLock<(Vec<Phase>, PatternSet)> = OnceLock::new();
    PATTERNS.get_or_init(|| parse_phases(PHASES).expect("data/phases.tsv is checked by tests"))
}

/// The step the text says was refused; the earliest mention wins. `text` is flat (one
/// line) and lowered ([`super::lower`]).
pub fn phase(text: &str) -> Option<Phase> {
    if text.is_empty() {
        return None;
    }
    let (phases, patterns) = phase_patterns();
    let scan = patterns.scan(text);
    phases
        .iter()
        .enumerate()
        .filter_map(|(i, p)| scan.find(i).map(|at| (at, *p)))
        .min_by_key(|(at, _)| *at)
        .map(|(_, p)| p)
}

/// What a rule tests.
#[derive(Debug)]
enum Test {
    /// class (None: any), subject, detail (None: any).
    Status(Option<u8>, u16, Option<u16>),
    /// The first two digits, and the third (None: any).
    Reply(u16, Option<u16>),
    /// The pattern's place in [`Rules::patterns`].
    Text(usize),
}

/// One row of `data/reasons.tsv`.
#[derive(Debug)]
pub struct Rule {
    pub reason: String,
    /// The row as the table writes it (for `--why`).
    pub row: String,
    phase: Option<Phase>,
    test: Test,
}

/// The rows of `data/reasons.tsv` and their patterns.
#[derive(Debug)]
pub struct Rules {
    pub rules: Vec<Rule>,
    patterns: PatternSet,
}

/// Parses `data/reasons.tsv`.
pub fn parse_rules(src: &str) -> Result<Rules, String> {
    let (patterns, mut taken) = (PatternSet::of(&tables::REASONS), 0);
    let rules = crate::decode::catalog::spans::rows(src)
        .map(|line| parse_rule(line, &patterns, &mut taken))
        .collect::<Result<_, _>>()?;
    Ok(Rules { rules, patterns })
}

fn parse_rule(line: &str, patterns: &PatternSet, taken: &mut usize) -> Result<Rule, String> {
    let bad = || format!("reasons.tsv: bad row: {line}");
    let [reason, kind, phase, pattern] = line.split('\t').collect::<Vec<_>>()[..] else {
        return Err(bad());
    };
    if !super::vocabulary::is_known(reason) {
        return Err(format!("reasons.tsv: unknown reason {reason}"));
    }
    let test = match kind {
        "text" => {
            take_pattern(patterns, *taken, pattern, "reasons.tsv")?;
            *taken += 1;
            Test::Text(*taken - 1)
        }
        "status" => {
            let parts: Vec<&str> = pattern.split('.').collect();
            let [c, s, d] = parts[..] else {
                return Err(bad());
            };
            let class = match c {
                "X" => None,
                c => Some(c.parse().map_err(|_| bad())?),
            };
            let detail = match d {
                "X" => None,
                d => Some(d.parse().map_err(|_| bad())?),
            };
            Test::Status(class, s.parse().map_err(|_| bad())?, detail)
        }
        "reply" if pattern.len() == 3 => {
            let head = pattern[..2].parse().map_err(|_| bad())?;
            let last = match &pattern[2..] {
                "X" => None,
                d => Some(d.parse().map_err(|_| bad())?),
            };
            Test::Reply(head, last)
        }
        _ => return Err(bad()),
    };
    Ok(Rule {
        reason: reason.into(),
        row: line.replace('\t', " "),
        phase: Phase::parse(phase).ok_or_else(bad)?,
        test,
    })
}

fn rules() -> &'static Rules {
    static RULES_: OnceLock<Rules> = OnceLock::new();
    RULES_.get_or_init(|| parse_rules(RULES).expect("data/reasons.tsv is checked by tests"))
}

/// How a rule of the table decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    /// The server's or the bounce's words, or a code whose meaning leaves no doubt.
    Words,
    /// A registry meaning or a reply code: what is left when the words say nothing.
    Default,
}

/// The first rule of the table that holds for `text`. Codes listed before the first text
/// rule leave no doubt (they count as words); those after are defaults.
pub fn rule_for(
    status: Option<Enhanced>,
    reply: Option<Basic>,
    text: &str,
    phase: Option<Phase>,
) -> Option<(&'static str, By, &'static str)> {
    let Rules { rules, patterns } = rules();
    let scan = patterns.scan(text);
    let is_text = |r: &Rule| matches!(r.test, Test::Text(..));
    let first_text = rules.iter().position(is_text).unwrap_or(rules.len());
    let (i, rule) = rules
        .iter()
        .enumerate()
        .find(|(_, r)| holds(r, status, reply, &scan, phase))?;
    let by = if i < first_text || is_text(rule) {
        By::Words
    } else {
        By::Default
    };
    Some((rule.reason.as_str(), by, rule.row.as_str()))
}

fn holds(
    rule: &Rule,
    status: Option<Enhanced>,
    reply: Option<Basic>,
    text: &Scan,
    phase: Option<Phase>,
) -> bool {
    if rule.phase.is_some() && rule.phase != phase {
        return false;
    }
    match &rule.test {
        Test::Status(c, s, d) => status.is_some_and(|e| {
            c.is_none_or(|c| e.class == Some(c))
                && e.subject == *s
                && d.is_none_or(|d| e.detail == d)
        }),
        Test::Reply(head, last) => {
            reply.is_some_and(|b| b.0 / 10 == *head && last.is_none_or(|l| b.0 % 10 == l))
        }
        Test::Text(pattern) => text.is_match(*pattern),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::reason::vocabulary::VOCABULARY;

    #[test]
    fn the_rules_parse_and_name_known_reasons() {
        let Rules { rules, patterns } = parse_rules(RULES).unwrap();
        assert!(rules.len() > 50);
        for r in &rules {
            if let Test::Text(i) = r.test {
                assert!(patterns.compiles(i), "{}: pattern {i}", r.reason);
            }
        }
        assert!(parse_rules("h\nnope\ttext\t-\tx\n").is_err());
        assert!(parse_rules("h\nblocked\tstatus\t-\t5.x\n").is_err());
        assert!(parse_rules("h\nblocked\ttext\tnever\tx\n").is_err());
        assert!(VOCABULARY.windows(2).all(|w| w[0].0 < w[1].0), "sorted");
    }

    #[test]
    fn phases_are_read_from_the_transcript() {
        let p = |t: &str| phase(&crate::decode::pattern::lower(t));
        assert_eq!(p(">>> DATA <<< 550 Unknown user"), Some(Phase::Data));
        assert_eq!(
            p(">>> RCPT To:<a@b> <<< 550 5.1.1 unknown"),
            Some(Phase::Rcpt)
        );
        assert_eq!(
            p("SMTP error from remote mail server after initial connection"),
            Some(Phase::Connect)
        );
        assert_eq!(p("nothing here"), None);
    }
}
