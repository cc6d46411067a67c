//! Extract stage, for `--summary`: the day a log line was written, from the log's own
//! timestamp, and the remote host a delivery attempt went to.
//!
//! Timestamps, at the start of the line (after an RFC 5424 `<PRI>1 ` or `<PRI>`):
//! - syslog (RFC 3164, Debian's rsyslog default): `Nov  1 00:00:00`, which has no year; the
//!   year is inferred when the summary is written ([`Day::with_year`]);
//! - ISO 8601 and RFC 5424 (rsyslog's high-precision format, journald's `short-iso`):
//!   `2024-11-01T00:00:00.123+01:00`;
//! - Exim's mainlog: `2024-11-01 00:00:00`.
//!
//! Remote hosts: Postfix's and Sendmail's `relay=host[ip]:port` / `relay=host. [ip]`, Exim's
//! `H=host [ip]`. The host's name, without its final dot; its `[ip]` where it has no name. Postfix's `relay=none` (no host was reached) names none.

use memchr::memmem;
use std::sync::OnceLock;

/// A calendar day; `year` 0 where the log did not say (syslog).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Day {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Day {
    /// The day with its year: the year the log gave, else (syslog) the year of `today` or,
    /// for a day later in the year than `today`, the year before, as syslog readers infer
    /// it (a log does not hold lines from the future; a log read in January holds December's).
    pub fn with_year(self, today: Day) -> Day {
        if self.year != 0 {
            return self;
        }
        let later = (self.month, self.day) > (today.month, today.day.saturating_add(1));
        Day {
            year: if later { today.year - 1 } else { today.year },
            ..self
        }
    }

    /// Today, in UTC, from the system clock.
    pub fn today() -> Day {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Day::from_days((secs / 86_400) as i64)
    }

    /// Days from 1970-01-01 to this day (Howard Hinnant's days-from-civil); the year must
    /// be known.
    pub fn to_days(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The day of a moment in Unix seconds, in UTC.
    pub fn of_unix(secs: i64) -> Day {
        Day::from_days(secs.div_euclid(86_400))
    }

    /// The day `days` after 1970-01-01 (Howard Hinnant's civil-from-days).
    fn from_days(days: i64) -> Day {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as u16;
        Day { year, month, day }
    }
}

impl std::fmt::Display for Day {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

const MONTHS: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

/// The day of a log line, from the timestamp it starts with.
pub fn day(line: &[u8]) -> Option<Day> {
    let line = skip_priority(line);
    let digits = |b: &[u8]| -> Option<u32> {
        b.iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let valid = |d: Day| (1..=12).contains(&d.month) && (1..=31).contains(&d.day);
    if line.len() >= 11 && line[4] == b'-' && line[7] == b'-' && matches!(line[10], b'T' | b' ') {
        let year = digits(&line[..4])?;
        let d = Day {
            year: u16::try_from(year).ok().filter(|&y| y > 0)?,
            month: digits(&line[5..7])? as u8,
            day: digits(&line[8..10])? as u8,
        };
        return valid(d).then_some(d);
    }
    // `Nov  1 00:00:00` or `Nov 01 00:00:00`.
    if line.len() >= 15 && line[3] == b' ' && line[6] == b' ' && line[9] == b':' {
        let month = MONTHS.iter().position(|m| &line[..3] == *m)? as u8 + 1;
        let day = match line[4] {
            b' ' => digits(&line[5..6])?,
            _ => digits(&line[4..6])?,
        };
        let d = Day {
            year: 0,
            month,
            day: day as u8,
        };
        return valid(d).then_some(d);
    }
    None
}

/// A log line's moment: its day (year 0 for syslog), the second of that day, and the UTC
/// offset in seconds that the timestamp states (0 where it states none: syslog, Exim, and
/// ISO 8601 without a zone are read as UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub day: Day,
    pub second: u32,
    pub offset: i32,
}

impl Stamp {
    /// Unix seconds, a syslog day given the year `year_of` infers ([`Day::with_year`]).
    pub fn unix(self, today: Day) -> i64 {
        let day = self.day.with_year(today);
        day.to_days() * 86_400 + i64::from(self.second) - i64::from(self.offset)
    }
}

/// The moment a log line starts with (see [`day`] for the formats), to the second.
pub fn stamp(line: &[u8]) -> Option<Stamp> {
    let day = day(line)?;
    let line = skip_priority(line);
    let at = if day.year == 0 { 7 } else { 11 };
    let digits2 = |i: usize| -> Option<u32> {
        let b = line.get(i..i + 2)?;
        b.iter()
            .all(u8::is_ascii_digit)
            .then(|| u32::from(b[0] - b'0') * 10 + u32::from(b[1] - b'0'))
    };
    let (h, m, s) = (digits2(at)?, digits2(at + 3)?, digits2(at + 6)?);
    if line.get(at + 2) != Some(&b':')
        || line.get(at + 5) != Some(&b':')
        || h > 23
        || m > 59
        || s > 60
    {
        return None;
    }
    let mut rest = &line[at + 8..];
    if rest.first() == Some(&b'.') {
        let n = rest[1..].iter().take_while(|b| b.is_ascii_digit()).count();
        rest = &rest[1 + n..];
    }
    let offset = match rest.first() {
        Some(&sign @ (b'+' | b'-')) if day.year != 0 => {
            let d = |i: usize| {
                rest.get(i)
                    .filter(|b| b.is_ascii_digit())
                    .map(|b| i32::from(b - b'0'))
            };
            let colon = usize::from(rest.get(3) == Some(&b':'));
            let (hh, mm) = (d(1)? * 10 + d(2)?, d(3 + colon)? * 10 + d(4 + colon)?);
            (hh * 3600 + mm * 60) * if sign == b'-' { -1 } else { 1 }
        }
        _ => 0,
    };
    Some(Stamp {
        day,
        second: h * 3600 + m * 60 + s,
        offset,
    })
}

/// A line without its syslog priority: RFC 5424's `<34>1 ` or RFC 3164's `<34>`.
fn skip_priority(line: &[u8]) -> &[u8] {
    if line.first() != Some(&b'<') {
        return line;
    }
    let Some(close) = line.iter().take(5).position(|&b| b == b'>') else {
        return line;
    };
    let rest = &line[close + 1..];
    rest.strip_prefix(b"1 ").unwrap_or(rest)
}

/// The bytes that end a host's name in a log line.
const ENDS_NAME: [bool; 256] = {
    let mut t = [false; 256];
    let ends = b"[,: \t()\n\r";
    let mut i = 0;
    while i < ends.len() {
        t[ends[i] as usize] = true;
        i += 1;
    }
    t
};

/// The remote host a log line names, as written (empty: none).
pub fn relay(line: &[u8]) -> &[u8] {
    static RELAY: OnceLock<memmem::Finder<'static>> = OnceLock::new();
    static EXIM: OnceLock<memmem::Finder<'static>> = OnceLock::new();
    let rest = match RELAY
        .get_or_init(|| memmem::Finder::new(b"relay="))
        .find(line)
    {
        Some(at) => &line[at + 6..],
        None => match EXIM.get_or_init(|| memmem::Finder::new(b" H=")).find(line) {
            Some(at) => &line[at + 3..],
            None => return &[],
        },
    };
    // The name runs to `[`, `,`, `:`, a blank or the end; the address is in brackets.
    let end = rest
        .iter()
        .position(|&b| ENDS_NAME[usize::from(b)])
        .unwrap_or(rest.len());
    let name = rest[..end].strip_suffix(b".").unwrap_or(&rest[..end]);
    let name = if name.is_empty() {
        // No name: `relay=[192.0.2.1]`, Exim's `H=[192.0.2.1]`.
        let tail = &rest[end..];
        match (tail.first(), tail.iter().position(|&b| b == b']')) {
            (Some(b'['), Some(close)) if close < 48 => &tail[..=close],
            _ => return &[],
        }
    } else {
        name
    };
    if name.eq_ignore_ascii_case(b"none") || name.len() > 255 {
        return &[];
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(year: u16, month: u8, day: u8) -> Day {
        Day { year, month, day }
    }

    #[test]
    fn days_from_each_timestamp_format() {
        let cases: &[(&str, Option<Day>)] = &[
            ("Nov  1 00:00:00 mx postfix/smtp[1]: x", Some(d(0, 11, 1))),
            ("Dec 24 23:59:59 mx sm-mta[1]: x", Some(d(0, 12, 24))),
            (
                "2024-11-01T00:00:00.123456+01:00 mx postfix/smtp[1]: x",
                Some(d(2024, 11, 1)),
            ),
            (
                "2024-11-01 00:00:00 1tXyZ-000abc-00 ** bob@example.org",
                Some(d(2024, 11, 1)),
            ),
            (
                "<22>1 2025-02-28T10:00:00Z mx postfix 1 - - x",
                Some(d(2025, 2, 28)),
            ),
            (
                "<22>Mar  3 10:00:00 mx postfix/smtp[1]: x",
                Some(d(0, 3, 3)),
            ),
            ("said: 550 5.1.1 unknown", None),
            ("Foo  1 00:00:00 mx", None),
            ("2024-13-01 00:00:00 x", None),
            ("", None),
        ];
        for (line, want) in cases {
            assert_eq!(day(line.as_bytes()), *want, "{line}");
        }
    }

    #[test]
    fn a_syslog_day_takes_the_year_that_keeps_it_out_of_the_future() {
        let today = d(2026, 1, 5);
        assert_eq!(d(0, 1, 4).with_year(today), d(2026, 1, 4));
        // Read in January, December's lines are last year's.
        assert_eq!(d(0, 12, 31).with_year(today), d(2025, 12, 31));
        // A day ahead is clock skew between hosts, not last year.
        assert_eq!(d(0, 1, 6).with_year(today), d(2026, 1, 6));
        assert_eq!(d(2024, 12, 31).with_year(today), d(2024, 12, 31));
        assert_eq!(Day::from_days(0), d(1970, 1, 1));
        assert_eq!(Day::from_days(20_454), d(2026, 1, 1));
        assert_eq!(Day::from_days(19_782), d(2024, 2, 29));
    }

    #[test]
    fn moments_to_the_second_with_their_zone() {
        let today = d(2026, 12, 7);
        let at = |line: &str| stamp(line.as_bytes()).map(|s| s.unix(today));
        assert_eq!(at("1970-01-01T00:00:10Z x"), Some(10));
        assert_eq!(at("1970-01-01T01:00:10+01:00 x"), Some(10));
        assert_eq!(
            at("1970-01-01 00:01:00 1tXyZ-000abc-00 ** bob@example.org"),
            Some(60)
        );
        assert_eq!(
            at("2026-12-07T10:00:01.123456-0130 x"),
            Some(d(2026, 12, 7).to_days() * 86_400 + 36_001 + 5_400)
        );
        assert_eq!(
            at("Dec  7 10:00:01 mx postfix/smtp[1]: x"),
            Some(d(2026, 12, 7).to_days() * 86_400 + 36_001)
        );
        // Later in the year than today: last year's.
        assert_eq!(
            at("Dec 25 00:00:00 mx x"),
            Some(d(2025, 12, 25).to_days() * 86_400)
        );
        assert_eq!(at("Dec  7 25:00:01 mx"), None);
        assert_eq!(at("said 550"), None);
        for days in [0, 19_782, 20_454, -1, 730_000] {
            assert_eq!(Day::from_days(days).to_days(), days);
        }
    }

    #[test]
    fn relays_of_postfix_sendmail_and_exim() {
        let cases = [
            (
                "to=<a@b>, relay=mx.Example.org[192.0.2.1]:25, delay=1",
                "mx.Example.org",
            ),
            ("to=<a@b>, relay=none, delay=30, dsn=4.4.1", ""),
            ("to=<a@b>, relay=local, delay=0", "local"),
            (
                "mailer=esmtp, pri=1, relay=mx.example.org. [192.0.2.1], dsn=2.0.0",
                "mx.example.org",
            ),
            ("mailer=esmtp, relay=[192.0.2.7], dsn=4.0.0", "[192.0.2.7]"),
            (
                "=> bob@x R=dnslookup T=remote_smtp H=mx.example.org [192.0.2.1] X=TLS",
                "mx.example.org",
            ),
            (
                "** bob@x R=dnslookup T=remote_smtp H=[192.0.2.9]: SMTP error",
                "[192.0.2.9]",
            ),
            ("said: 550 5.1.1 unknown", ""),
        ];
        for (line, want) in cases {
            assert_eq!(relay(line.as_bytes()), want.as_bytes(), "{line}");
        }
    }
}
