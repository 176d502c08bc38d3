//! The alert record (DESIGN.md §4 "The alert record"): one JSON object per alert.

use core::net::IpAddr;
use std::borrow::Cow;
use std::fmt;
use std::string::String;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::catalog::Technique;
use crate::event::{Endpoint, Event, Protocol};

/// How bad an alert is (DESIGN.md §4 `severity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth a look.
    Low,
    /// Unusual and possibly hostile.
    Medium,
    /// Likely hostile or harmful.
    High,
    /// Directly changes what the process or controller does.
    Critical,
}

/// A capture time in microseconds since the Unix epoch, written as RFC 3339 with
/// microseconds (`"2024-03-01T12:00:00.000000Z"`, DESIGN.md §4 `ts`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Timestamp(pub u64);

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's
/// `civil_from_days`, public domain algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// (year, month, day) to days since 1970-01-01 (`days_from_civil`).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0 / 1_000_000;
        let micros = self.0 % 1_000_000;
        let days = (secs / 86_400) as i64;
        let sod = secs % 86_400;
        let (y, m, d) = civil_from_days(days);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{micros:06}Z",
            sod / 3600,
            (sod / 60) % 60,
            sod % 60
        )
    }
}

impl core::str::FromStr for Timestamp {
    type Err = &'static str;
    /// Parses `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const BAD: &str = "expected YYYY-MM-DDTHH:MM:SS[.ffffff]Z";
        let s = s.strip_suffix('Z').ok_or(BAD)?;
        let (date, time) = s.split_once('T').ok_or(BAD)?;
        let mut dp = date.splitn(3, '-');
        let num = |p: Option<&str>| p.and_then(|x| x.parse::<u32>().ok()).ok_or(BAD);
        let y = num(dp.next())?;
        let mo = num(dp.next())?;
        let d = num(dp.next())?;
        let (hms, frac) = match time.split_once('.') {
            Some((a, b)) => (a, b),
            None => (time, ""),
        };
        let mut tp = hms.splitn(3, ':');
        let h = num(tp.next())?;
        let mi = num(tp.next())?;
        let se = num(tp.next())?;
        if !(1..=12).contains(&mo)
            || !(1..=31).contains(&d)
            || h > 23
            || mi > 59
            || se > 60
            || y < 1970
        {
            return Err(BAD);
        }
        let mut micros = 0u64;
        if !frac.is_empty() {
            if frac.len() > 6 || !frac.bytes().all(|b| b.is_ascii_digit()) {
                return Err(BAD);
            }
            micros = frac.parse::<u64>().map_err(|_| BAD)? * 10u64.pow(6 - frac.len() as u32);
        }
        let days = u64::try_from(days_from_civil(i64::from(y), mo, d)).map_err(|_| BAD)?;
        let secs = days * 86_400 + u64::from(h) * 3600 + u64::from(mi) * 60 + u64::from(se);
        Ok(Self(
            secs.checked_mul(1_000_000)
                .and_then(|x| x.checked_add(micros))
                .ok_or(BAD)?,
        ))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// What a detector reports: a technique seen between two endpoints, with its evidence.
/// The engine turns findings into [`Alert`]s (adding time, frame, flow and aggregation).
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// The ATT&CK for ICS technique.
    pub technique: &'static Technique,
    /// How bad.
    pub severity: Severity,
    /// How sure, 0 to 1.
    pub confidence: f32,
    /// The sender of the PDU (or the client, for flow-level findings).
    pub src: Endpoint,
    /// The receiver.
    pub dst: Endpoint,
    /// The protocol.
    pub proto: Protocol,
    /// The unit / link address / common address, when one applies.
    pub unit: Option<u16>,
    /// One line a person can read.
    pub summary: String,
    /// Structured evidence.
    pub evidence: Map<String, Value>,
    /// True when the finding is about what its source does (a scan, a sweep, a flood by
    /// one client): the engine aggregates it by source host instead of by target
    /// (`crate::config::Aggregation`).
    pub by_source: bool,
    /// A stable name for why (`"address_walk"`), part of the aggregation key: findings
    /// differing only in reason are separate alerts.
    pub reason: &'static str,
}

impl Finding {
    /// A finding about `ev` (source, destination, protocol and unit taken from it).
    pub fn new(
        ev: &Event<'_>,
        technique: &'static Technique,
        severity: Severity,
        confidence: f32,
        summary: String,
    ) -> Self {
        Self {
            technique,
            severity,
            confidence,
            src: ev.src(),
            dst: ev.dst(),
            proto: ev.protocol,
            unit: Some(ev.unit),
            summary,
            evidence: Map::new(),
            by_source: false,
            reason: "",
        }
    }

    /// Marks the finding as about what its source does: aggregated by source host, the
    /// aggregate listing the destination hosts and ports it touched.
    pub fn by_source(mut self) -> Self {
        self.by_source = true;
        self
    }

    /// Sets the reason (also added to the evidence as `reason`).
    pub fn because(mut self, reason: &'static str) -> Self {
        self.reason = reason;
        self.evidence.insert("reason".into(), reason.into());
        self
    }

    /// Adds one evidence field.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.evidence.insert(key.into(), value.into());
        self
    }
}

/// One alert (DESIGN.md §4): serializes to one JSON line with `serde_json::to_string`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// When it fired (the triggering event's time).
    pub ts: Timestamp,
    /// The capture record of the PDU that triggered it.
    pub frame: u64,
    /// The caller's flow number.
    pub flow: u64,
    /// Sender.
    pub src: Endpoint,
    /// Receiver.
    pub dst: Endpoint,
    /// Protocol.
    pub proto: Protocol,
    /// The IP protocol number of the traffic the alert is about (6 TCP, 17 UDP…), from the
    /// triggering event's [`Link::ip_proto`](crate::Link::ip_proto); not in the JSON record.
    #[serde(skip)]
    pub ip_proto: Option<u8>,
    /// Unit / link address / common address.
    pub unit: Option<u16>,
    /// The detector that raised it.
    pub detector: Cow<'static, str>,
    /// ATT&CK technique id (`"T0855"`).
    pub technique_id: Cow<'static, str>,
    /// ATT&CK technique name.
    pub technique_name: Cow<'static, str>,
    /// ATT&CK tactics.
    pub tactics: Vec<Cow<'static, str>>,
    /// Severity.
    pub severity: Severity,
    /// Confidence, 0 to 1.
    pub confidence: f32,
    /// One line a person can read.
    pub summary: String,
    /// Structured evidence.
    pub evidence: Map<String, Value>,
    /// The first occurrence this alert stands for (its `ts` unless it is an aggregate).
    pub first_seen: Timestamp,
    /// The last occurrence this alert stands for.
    pub last_seen: Timestamp,
    /// Occurrences this alert stands for: 1, or the findings an aggregate folded. The
    /// counts of a group's alerts add up to the findings raised.
    pub count: u64,
    /// True for an aggregate: the findings of one (detector, technique, reason, target)
    /// after the alert that opened its window, emitted when the window closes, the group
    /// is evicted, or at [`Engine::finish`](crate::Engine::finish). Written only when true.
    #[serde(default, skip_serializing_if = "is_false")]
    pub aggregate: bool,
    /// An aggregate by target: the distinct source hosts, at most `aggregation.listed`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<IpAddr>,
    /// The distinct sources not listed (estimated past a few hundred: a HyperLogLog with a standard error of 6.5 %).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub sources_others: u64,
    /// An aggregate by source: the distinct destination hosts, at most
    /// `aggregation.listed`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<IpAddr>,
    /// The distinct destination hosts not listed (estimated like `sources_others`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub hosts_others: u64,
    /// An aggregate: the distinct destination ports, at most `aggregation.listed`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<u16>,
    /// The distinct destination ports not listed (estimated like `sources_others`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub ports_others: u64,
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_false(b: &bool) -> bool {
    !*b
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Alert {
    /// The alert as one JSON line (no trailing newline).
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trip() {
        for us in [
            0u64,
            1_709_294_400_123_456,
            951_782_400_000_000,
            4_102_444_799_999_999,
        ] {
            let t = Timestamp(us);
            let s = t.to_string();
            assert_eq!(s.parse::<Timestamp>().unwrap(), t, "{s}");
        }
        assert_eq!(
            Timestamp(1_709_294_400_123_456).to_string(),
            "2024-03-01T12:00:00.123456Z"
        );
        assert_eq!(
            Timestamp(951_782_400_000_000).to_string(),
            "2000-02-29T00:00:00.000000Z"
        );
        assert!("2024-13-01T00:00:00Z".parse::<Timestamp>().is_err());
    }
}

/// Lower-case hex of `bytes`, two digits a byte (the form alert evidence and records use
/// for raw bytes): one allocation, no formatting machinery.
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        for d in [b >> 4, b & 0xf] {
            s.push(char::from_digit(u32::from(d), 16).unwrap_or('0'));
        }
    }
    s
}

#[cfg(test)]
mod hex_tests {
    #[test]
    fn hex_is_two_lower_case_digits_a_byte() {
        assert_eq!(super::hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
        assert_eq!(super::hex(&[]), "");
    }
}
