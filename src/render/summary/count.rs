//! Render stage, `--summary`: delivery attempts counted per status, per class, per
//! recipient domain, per day and per remote host, and the most frequent diagnostics.
//!
//! One unit of the log (a line, with its continuation lines) that holds a reply is one
//! delivery attempt, counted under its status: the `dsn=` field where the unit has one
//! (Postfix, Sendmail), else the first enhanced status code of the reply, else its basic
//! reply code. Counting happens per chunk, in parallel, and the counts are then merged, so
//! memory stays flat: every table keeps at most [`MAX_KEYS`] keys, and what comes after that
//! is counted as untracked.

use super::blank::normalize;
use crate::extract::code::{Basic, Class, Enhanced};
use crate::extract::recipient;
use crate::extract::stamp::{self, Day};
use crate::extract::{self, UnitReplies};
use crate::text::address;
use foldhash::HashMap;
use memchr::memmem;
use std::sync::{OnceLock, RwLock};

/// The most keys a table (statuses, domains, diagnostics) keeps.
pub const MAX_KEYS: usize = 10_000;
/// Rows of each table in text, unless `--top` says otherwise; JSON has every row of each
/// table but the diagnostics.
pub const TEXT_ROWS: usize = 10;
pub(crate) const JSON_DIAGNOSTICS: usize = 50;

/// The block list a failed attempt's reply names (`said`, blanked as `text`), remembered
/// per process: a log holds few distinct diagnostics and many attempts, and each chunk is
/// counted apart, so without the memo every chunk would read each diagnostic again. Only
/// policy statuses are read (`X.7.Y`, RFC 3463's security or policy subject, and `X.0.0` or
/// a basic code alone, which say no more): a mailbox, address or network status is not a
/// listing whatever its words.
pub(crate) fn list_named(status: Status, text: &str, said: &[u8]) -> Option<&'static str> {
    type Memo = HashMap<(Status, Box<str>), Option<&'static str>>;
    static MEMO: OnceLock<RwLock<Memo>> = OnceLock::new();
    let (b, e) = match status {
        Status::Enhanced(e) if e.subject == 7 || (e.subject, e.detail) == (0, 0) => (None, Some(e)),
        Status::Enhanced(_) => return None,
        Status::Basic(b) => (Some(b), None),
    };
    let memo = MEMO.get_or_init(Default::default);
    let key = (status, Box::<str>::from(text));
    // A poisoned lock (a panic elsewhere) only loses the memo.
    if let Some(hit) = memo.read().ok().and_then(|m| m.get(&key).copied()) {
        return hit;
    }
    let said = String::from_utf8_lossy(said);
    let provider = crate::decode::provider::detect(&said, "", b, e).map(|r| r.key);
    let named = crate::decode::blocklist::detect(&said, provider).map(|row| row.key);
    if let Ok(mut m) = memo.write() {
        if m.len() < 4 * MAX_KEYS {
            m.insert(key, named);
        }
    }
    named
}

/// The status an attempt is counted under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    Enhanced(Enhanced),
    /// A reply with a basic code only.
    Basic(Basic),
}

impl Status {
    pub(crate) fn class(self) -> Option<Class> {
        match self {
            Status::Enhanced(e) => e.class(),
            Status::Basic(b) => Class::from_digit(b.first_digit()),
        }
    }

    pub(crate) fn code(self) -> String {
        match self {
            Status::Enhanced(e) => e.to_string(),
            Status::Basic(b) => b.to_string(),
        }
    }
}

/// Attempts per class: success, intermediate, transient, permanent.
type PerClass = [u64; 4];

pub(crate) fn class_index(class: Class) -> usize {
    match class {
        Class::Success => 0,
        Class::Intermediate => 1,
        Class::Transient => 2,
        Class::Permanent => 3,
    }
}

pub(crate) const CLASSES: [Class; 4] = [
    Class::Success,
    Class::Intermediate,
    Class::Transient,
    Class::Permanent,
];

/// The counts of a log, or of a piece of it.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    pub attempts: u64,
    pub(crate) statuses: HashMap<Status, u64>,
    pub(crate) classes: PerClass,
    /// Per recipient domain (lower case; empty for attempts that name no address).
    pub(crate) domains: HashMap<Box<str>, PerClass>,
    /// Per status code and diagnostic text, for attempts that failed or were deferred
    /// (looked up by the text without allocating: most attempts repeat a known one).
    pub(crate) diagnostics: HashMap<Status, HashMap<Box<str>, u64>>,
    /// (status, text) pairs in `diagnostics`.
    pub(crate) diagnostic_keys: usize,
    /// Per day, from the log's timestamps (year 0: a syslog line, whose year is inferred
    /// when the summary is written).
    pub(crate) days: HashMap<Day, PerClass>,
    /// The day being counted, not yet in `days` (see [`Summary::add_day`]).
    day: Option<(Day, PerClass)>,
    /// Per remote host (`relay=`, Exim's `H=`); attempts that name none are not counted.
    /// Lower case, as bytes (made text when written).
    pub(crate) relays: HashMap<Box<[u8]>, PerClass>,
    /// Refusals per block list (its key in `data/blocklists.tsv`), for inputs whose
    /// findings were decoded (email); a log's are read from its diagnostics when written.
    pub(crate) lists: HashMap<&'static str, u64>,
    /// The block list each diagnostic that names one names (read from its whole reply).
    pub(crate) named: HashMap<Box<str>, &'static str>,
    /// Counts that a full table could not take (see `MAX_KEYS`).
    pub untracked: u64,
}

impl Summary {
    /// The counts of a piece of log that starts a unit.
    pub fn of_log(bytes: &[u8]) -> Summary {
        Summary::of_log_with(bytes, |_| {})
    }

    /// [`Summary::of_log`], handing each unit to `also` as well (the ledger records the
    /// same pass's replies).
    pub fn of_log_with(bytes: &[u8], mut also: impl FnMut(&UnitReplies)) -> Summary {
        let mut s = Summary::default();
        let mut scratch = Vec::new();
        extract::for_each_unit(bytes, |unit| {
            s.add_unit(unit, &mut scratch);
            also(unit);
        });
        s.close_day();
        s
    }

    /// Counts one unit: one attempt. `scratch` is reused for the diagnostic text.
    pub fn add_unit(&mut self, unit: &UnitReplies, scratch: &mut Vec<u8>) {
        let decisive = unit
            .replies
            .iter()
            .find(|r| r.enhanced.is_some())
            .or(unit.replies.first());
        let Some(decisive) = decisive else { return };
        let enhanced = decisive.enhanced.as_ref().map(|e| e.0);
        let status = match (unit.dsn.or(enhanced), &decisive.basic) {
            (Some(e), _) => Status::Enhanced(e),
            (None, Some((b, _))) => Status::Basic(*b),
            (None, None) => return,
        };
        let class = status.class().map(class_index).unwrap_or(1);
        let line = unit.bytes();
        if let Some(day) = stamp::day(line) {
            self.add_day(day, class);
        }
        let relay = stamp::relay(line);
        if !relay.is_empty() {
            self.add_relay(relay, class);
        }
        let failed = matches!(status.class(), Some(Class::Transient | Class::Permanent));
        let diagnostic = if failed {
            let reply = unit
                .replies
                .iter()
                .find(|r| r.basic.is_some())
                .unwrap_or(decisive);
            Some((diagnostic(unit, reply, scratch), unit.bytes_from(reply)))
        } else {
            None
        };
        // The domain, lower-cased without allocating in the common (short, ASCII) case.
        let raw = recipient::recipient_bytes(unit.bytes()).unwrap_or_default();
        let raw = raw
            .rsplit(|&b| b == b'@')
            .next()
            .filter(|_| raw.contains(&b'@'))
            .unwrap_or_default();
        let mut buf = [0u8; 256];
        match raw.len() <= buf.len() && raw.iter().all(u8::is_ascii_graphic) {
            true => {
                let lower = &mut buf[..raw.len()];
                lower.copy_from_slice(raw);
                lower.make_ascii_lowercase();
                let domain = std::str::from_utf8(lower)
                    .unwrap_or("")
                    .trim_end_matches(['.', '>']);
                let new = self.add(status, domain, diagnostic.map(|d| d.0), 1);
                self.name_list(status, diagnostic.filter(|_| new));
            }
            false => {
                let address = address::normalize(raw);
                let new = self.add(
                    status,
                    address.trim_end_matches('>'),
                    diagnostic.map(|d| d.0),
                    1,
                );
                self.name_list(status, diagnostic.filter(|_| new));
            }
        }
    }

    /// Reads which block list a diagnostic names from the whole reply (`said`) the first
    /// time the diagnostic is counted (its blanked text may be cut before the list's name):
    /// once per diagnostic and process (see [`list_named`]), not per attempt or per chunk.
    fn name_list(&mut self, status: Status, first_seen: Option<(&str, &[u8])>) {
        let Some((text, said)) = first_seen else {
            return;
        };
        if self.named.len() < MAX_KEYS {
            if let Some(key) = list_named(status, text, said) {
                self.named.insert(text.into(), key);
            }
        }
    }

    /// Counts a code looked up by hand as one attempt.
    pub fn add_lookup(&mut self, basic: Option<Basic>, enhanced: Option<Enhanced>) {
        let status = match (enhanced, basic) {
            (Some(e), _) => Status::Enhanced(e),
            (None, Some(b)) => Status::Basic(b),
            (None, None) => return,
        };
        self.add(status, "", None, 1);
    }

    /// Counts the refusals of decoded findings per block list they name, once per
    /// recipient and list.
    pub fn add_lists(&mut self, findings: &[crate::decode::finding::Finding]) {
        let mut seen: Vec<(Option<&str>, &str)> = Vec::new();
        for f in findings {
            let failed = matches!(f.class(), Some(Class::Transient | Class::Permanent));
            let Some(l) = f.blocklist.as_ref().filter(|_| failed) else {
                continue;
            };
            let one = (f.recipient.as_deref(), l.key);
            if !seen.contains(&one) {
                seen.push(one);
                *self.lists.entry(l.key).or_default() += 1;
            }
        }
    }

    /// Counts a day. The lines of a log come in order: counts gather for the current day
    /// and go to the table when the day changes, so that most lines cost no look-up.
    fn add_day(&mut self, day: Day, class: usize) {
        match &mut self.day {
            Some((current, per)) if *current == day => per[class] += 1,
            _ => {
                self.close_day();
                let mut per = PerClass::default();
                per[class] = 1;
                self.day = Some((day, per));
            }
        }
    }

    /// Moves the current day's counts to the table.
    fn close_day(&mut self) {
        if let Some((day, per)) = self.day.take() {
            self.untracked += merge_per(&mut self.days, day, per);
        }
    }

    /// Counts a remote host, lower-cased without allocating.
    fn add_relay(&mut self, raw: &[u8], class: usize) {
        let mut buf = [0u8; 256];
        let lower = &mut buf[..raw.len().min(256)];
        lower.copy_from_slice(&raw[..lower.len()]);
        lower.make_ascii_lowercase();
        let counted = match self.relays.get_mut(&*lower) {
            Some(per) => {
                per[class] += 1;
                true
            }
            None => bump_per(&mut self.relays, (*lower).into(), class, 1),
        };
        self.untracked += u64::from(!counted);
    }

    /// Counts `n` attempts; says whether `diagnostic` was counted for the first time.
    pub(crate) fn add(
        &mut self,
        status: Status,
        domain: &str,
        diagnostic: Option<&str>,
        n: u64,
    ) -> bool {
        self.attempts += n;
        let class = status.class().map(class_index);
        if let Some(c) = class {
            self.classes[c] += n;
        }
        let mut left_out = u64::from(!bump(&mut self.statuses, status, n));
        if let Some(per) = self.domains.get_mut(domain) {
            per[class.unwrap_or(1)] += n;
        } else if self.domains.len() < MAX_KEYS {
            let mut per = PerClass::default();
            per[class.unwrap_or(1)] = n;
            self.domains.insert(domain.into(), per);
        } else {
            left_out += 1;
        }
        let mut new = false;
        if let Some(text) = diagnostic {
            match self.bump_diagnostic(status, text, n) {
                Some(first) => new = first,
                None => left_out += 1,
            }
        }
        self.untracked += left_out * n;
        new
    }

    /// Adds the counts of another piece of the log.
    pub fn merge(&mut self, mut other: Summary) {
        other.close_day();
        self.close_day();
        self.attempts += other.attempts;
        self.untracked += other.untracked;
        for (a, b) in self.classes.iter_mut().zip(other.classes) {
            *a += b;
        }
        for (status, n) in other.statuses {
            self.untracked += u64::from(!bump(&mut self.statuses, status, n)) * n;
        }
        for (domain, per) in other.domains {
            self.untracked += merge_per(&mut self.domains, domain, per);
        }
        for (day, per) in other.days {
            self.untracked += merge_per(&mut self.days, day, per);
        }
        for (relay, per) in other.relays {
            self.untracked += merge_per(&mut self.relays, relay, per);
        }
        for (text, key) in other.named {
            if self.named.len() < MAX_KEYS {
                self.named.entry(text).or_insert(key);
            }
        }
        for (key, n) in other.lists {
            *self.lists.entry(key).or_default() += n;
        }
        for (status, texts) in other.diagnostics {
            for (text, n) in texts {
                self.untracked += u64::from(self.bump_diagnostic(status, &text, n).is_none()) * n;
            }
        }
    }

    /// Adds `n` to a diagnostic, unless the table is full and lacks it: `None` when it was
    /// not counted, else whether it was counted for the first time.
    fn bump_diagnostic(&mut self, status: Status, text: &str, n: u64) -> Option<bool> {
        let texts = self.diagnostics.entry(status).or_default();
        if let Some(v) = texts.get_mut(text) {
            *v += n;
            Some(false)
        } else if self.diagnostic_keys < MAX_KEYS {
            texts.insert(text.into(), n);
            self.diagnostic_keys += 1;
            Some(true)
        } else {
            None
        }
    }

    /// Attempts per status, most frequent first.
    pub fn statuses(&self) -> Vec<(Status, u64)> {
        let mut v: Vec<_> = self.statuses.iter().map(|(s, n)| (*s, *n)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }

    pub(crate) fn domains(&self) -> Vec<(&str, PerClass)> {
        let mut v: Vec<_> = self.domains.iter().map(|(d, n)| (&**d, *n)).collect();
        let total = |p: &PerClass| p.iter().sum::<u64>();
        v.sort_by(|a, b| total(&b.1).cmp(&total(&a.1)).then(a.0.cmp(b.0)));
        v
    }

    /// Attempts per day, in the order of the calendar, syslog days given the year that
    /// `today` infers for them.
    pub(crate) fn days(&self, today: Day) -> Vec<(Day, PerClass)> {
        let mut v: Vec<(Day, PerClass)> = Vec::new();
        for (day, per) in self.days.iter().chain(self.day.iter().map(|(d, p)| (d, p))) {
            let day = day.with_year(today);
            match v.iter_mut().find(|(d, _)| *d == day) {
                Some((_, mine)) => mine.iter_mut().zip(per).for_each(|(a, b)| *a += b),
                None => v.push((day, *per)),
            }
        }
        v.sort_by_key(|(d, _)| *d);
        v
    }

    /// Attempts per remote host, most first.
    pub(crate) fn relays(&self) -> Vec<(std::borrow::Cow<'_, str>, PerClass)> {
        let mut v: Vec<_> = self
            .relays
            .iter()
            .map(|(d, n)| (String::from_utf8_lossy(d), *n))
            .collect();
        let total = |p: &PerClass| p.iter().sum::<u64>();
        v.sort_by(|a, b| total(&b.1).cmp(&total(&a.1)).then(a.0.cmp(&b.0)));
        v
    }

    /// The diagnostics counted under one status, with their counts.
    pub(crate) fn diagnostics_of(&self, status: Status) -> impl Iterator<Item = (&str, u64)> {
        self.diagnostics
            .get(&status)
            .into_iter()
            .flat_map(|texts| texts.iter().map(|(t, n)| (&**t, *n)))
    }

    pub(crate) fn diagnostics(&self) -> Vec<(Status, &str, u64)> {
        let mut v: Vec<_> = self
            .diagnostics
            .iter()
            .flat_map(|(s, texts)| texts.iter().map(|(t, n)| (*s, &**t, *n)))
            .collect();
        v.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)).then(a.1.cmp(b.1)));
        v
    }
}

/// Adds `n` to `key`, unless the table is full and lacks it; says whether it was counted.
fn bump<K: std::hash::Hash + Eq>(map: &mut HashMap<K, u64>, key: K, n: u64) -> bool {
    if let Some(v) = map.get_mut(&key) {
        *v += n;
    } else if map.len() < MAX_KEYS {
        map.insert(key, n);
    } else {
        return false;
    }
    true
}

/// Adds `n` attempts of class `class` to `key`, unless the table is full and lacks it;
/// says whether they were counted.
fn bump_per<K: std::hash::Hash + Eq>(
    map: &mut HashMap<K, PerClass>,
    key: K,
    class: usize,
    n: u64,
) -> bool {
    if let Some(per) = map.get_mut(&key) {
        per[class] += n;
    } else if map.len() < MAX_KEYS {
        let mut per = PerClass::default();
        per[class] = n;
        map.insert(key, per);
    } else {
        return false;
    }
    true
}

/// Adds another piece's counts for `key`; gives the attempts a full table could not take.
fn merge_per<K: std::hash::Hash + Eq>(
    map: &mut HashMap<K, PerClass>,
    key: K,
    per: PerClass,
) -> u64 {
    if let Some(mine) = map.get_mut(&key) {
        mine.iter_mut().zip(per).for_each(|(a, b)| *a += b);
    } else if map.len() < MAX_KEYS {
        map.insert(key, per);
    } else {
        return per.iter().sum();
    }
    0
}

/// What the server said about a failed attempt, with what changes from one message to the
/// next (addresses, numbers, queue IDs, hosts with their IP addresses) blanked, so that the
/// same reason counts as one. Written into `out`.
fn diagnostic<'o>(unit: &UnitReplies, reply: &extract::Reply, out: &'o mut Vec<u8>) -> &'o str {
    let bytes = unit.bytes();
    let said = if reply.basic.is_some() {
        unit.bytes_from(reply)
    } else if let Some(at) = memmem::find(bytes, b"status=") {
        // Postfix: "status=deferred (connect to ...: Connection timed out)".
        let rest = &bytes[at..];
        let open = memchr::memchr(b'(', rest).map_or(rest.len(), |i| i + 1);
        let rest = &rest[open..];
        rest.strip_suffix(b")").unwrap_or(rest)
    } else if let Some(at) = memmem::find(bytes, b"stat=") {
        &bytes[at + 5..]
    } else {
        unit.bytes_from(reply)
    };
    normalize(said, out)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A log of the shapes the summary counts, shared by the summary's tests.
    pub(crate) const LOG: &str = "\
Nov 23 10:00:01 mx postfix/smtp[1]: A1: to=<bob@Example.org>, relay=mx[192.0.2.10]:25, dsn=5.1.1, status=bounced (host mx[192.0.2.10] said: 550 5.1.1 <bob@example.org>: User unknown (in reply to RCPT TO command))
Nov 23 10:00:02 mx postfix/smtp[2]: A2: to=<eve@example.org>, relay=mx[192.0.2.11]:25, dsn=5.1.1, status=bounced (host mx[192.0.2.11] said: 550 5.1.1 <eve@example.org>: User unknown (in reply to RCPT TO command))
Nov 23 10:00:03 mx postfix/smtp[3]: A3: to=<carla@example.net>, relay=none, delay=1, dsn=4.4.1, status=deferred (connect to mx.example.net[192.0.2.7]:25: Connection timed out)
Nov 23 10:00:04 mx postfix/qmgr[4]: A4: from=<alice@example.com>, size=550, nrcpt=1 (queue active)
2024-11-01 00:00:05 abc-def-gh => dan@example.com R=dnslookup T=remote_smtp H=mx [192.0.2.1] C=\"250 2.0.0 OK id=x\"
Nov 23 10:00:06 mx sm-mta[5]: B1: <erin@example.org>... 550 Requested action not taken: mailbox unavailable
";

    #[test]
    fn counts_attempts_per_status_class_domain_and_diagnostic() {
        let s = Summary::of_log(LOG.as_bytes());
        assert_eq!(s.attempts, 5);
        let statuses: Vec<(String, u64)> =
            s.statuses().iter().map(|(st, n)| (st.code(), *n)).collect();
        assert_eq!(
            statuses,
            [
                ("5.1.1".into(), 2),
                ("2.0.0".into(), 1),
                ("4.4.1".into(), 1),
                ("550".into(), 1)
            ]
        );
        assert_eq!(s.classes, [1, 0, 1, 3]);
        assert_eq!(s.domains()[0], ("example.org", [0, 0, 0, 3]));
        let diag = s.diagnostics();
        assert_eq!(
            (diag[0].1, diag[0].2),
            (
                "550 5.1.1 <address> User unknown (in reply to RCPT TO command)",
                2
            )
        );
        assert!(
            diag.iter()
                .any(|d| d.1 == "connect to # Connection timed out"),
            "{diag:?}"
        );
    }

    #[test]
    fn merging_pieces_equals_counting_the_whole() {
        let whole = Summary::of_log(LOG.as_bytes());
        let (a, b) = LOG.split_at(LOG.find("Nov 23 10:00:03").unwrap());
        let mut merged = Summary::of_log(a.as_bytes());
        merged.merge(Summary::of_log(b.as_bytes()));
        assert_eq!(merged, whole);
    }

    #[test]
    fn dsn_fields_are_read_as_the_generator_reads_them() {
        let cases = [
            ("dsn=5.1.1, status", Some("5.1.1")),
            ("xdsn=5.1.1 dsn=4.2.2", Some("4.2.2")),
            ("dsn=5.1.1a", None),
            ("dsn=3.1.1", None),
            ("no field", None),
        ];
        for (input, want) in cases {
            // A unit is only seen where it holds a reply.
            let line = format!("{input} said: 550 5.7.1 no");
            let mut have = None;
            extract::for_each_unit(line.as_bytes(), |u| have = u.dsn.map(|e| e.to_string()));
            assert_eq!(have.as_deref(), want, "{input}");
        }
    }
}
