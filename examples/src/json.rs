//! Writing JSON fast: numbers, strings, addresses and RFC 3339 times appended to a byte
//! buffer exactly as `serde_json` writes them, for the records `otscan --output pdus`
//! prints (DESIGN.md §4) — keys are constants, numbers are formatted in place.

use std::net::SocketAddr;

use serde::Serialize;
use serde::ser::Serializer;

pub(crate) fn push_u64(out: &mut Vec<u8>, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        if let Some(b) = buf.get_mut(i) {
            *b = b'0' + (v % 10) as u8;
        }
        v /= 10;
        if v == 0 || i == 0 {
            break;
        }
    }
    out.extend_from_slice(buf.get(i..).unwrap_or_default());
}

/// `v` in exactly `width` digits (zero-padded; `v` must fit).
pub(crate) fn push_padded(out: &mut Vec<u8>, v: u64, width: u32) {
    let mut div = 10u64.pow(width.saturating_sub(1));
    while div > 0 {
        out.push(b'0' + ((v / div) % 10) as u8);
        div /= 10;
    }
}

pub(crate) fn push_rfc3339(out: &mut Vec<u8>, ts_us: i64) {
    let secs = ts_us.div_euclid(1_000_000);
    let days = secs.div_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    if !(0..=9999).contains(&y) {
        // Outside four-digit years: the general formatter.
        out.extend_from_slice(Rfc3339(ts_us).to_string().as_bytes());
        return;
    }
    let sod = secs.rem_euclid(86_400) as u64;
    push_padded(out, y as u64, 4);
    out.push(b'-');
    push_padded(out, m as u64, 2);
    out.push(b'-');
    push_padded(out, d as u64, 2);
    out.push(b'T');
    push_padded(out, sod / 3600, 2);
    out.push(b':');
    push_padded(out, (sod / 60) % 60, 2);
    out.push(b':');
    push_padded(out, sod % 60, 2);
    out.push(b'.');
    push_padded(out, ts_us.rem_euclid(1_000_000) as u64, 6);
    out.push(b'Z');
}

pub(crate) fn push_addr(out: &mut Vec<u8>, a: SocketAddr) {
    match a {
        SocketAddr::V4(v4) => {
            for (i, o) in v4.ip().octets().into_iter().enumerate() {
                if i > 0 {
                    out.push(b'.');
                }
                push_u64(out, u64::from(o));
            }
            out.push(b':');
            push_u64(out, u64::from(v4.port()));
        }
        SocketAddr::V6(_) => out.extend_from_slice(a.to_string().as_bytes()),
    }
}

pub(crate) fn push_str(out: &mut Vec<u8>, s: &str) {
    if s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else if serde_json::to_writer(&mut *out, s).is_err() {
        out.extend_from_slice(b"\"\"");
    }
}

pub(crate) fn push_opt(out: &mut Vec<u8>, key: &[u8], v: Option<u64>) {
    out.extend_from_slice(key);
    match v {
        Some(v) => push_u64(out, v),
        None => out.extend_from_slice(b"null"),
    }
}

/// Formats microseconds since the Unix epoch as RFC 3339 UTC with microseconds,
/// e.g. `2024-05-01T12:00:00.000001Z`.
pub fn rfc3339(ts_us: i64) -> String {
    Rfc3339(ts_us).to_string()
}

/// Microseconds since the Unix epoch, displayed (and serialized, without allocating) as
/// RFC 3339 UTC with microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rfc3339(pub i64);

impl std::fmt::Display for Rfc3339 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let secs = self.0.div_euclid(1_000_000);
        let micros = self.0.rem_euclid(1_000_000);
        let days = secs.div_euclid(86_400);
        let sod = secs.rem_euclid(86_400);
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

impl Serialize for Rfc3339 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Serializes a `Display` value as a string without an intermediate allocation.
pub(crate) struct AsStr<T>(pub(crate) T);

impl<T: std::fmt::Display> Serialize for AsStr<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// A record part that serializes as entries of the record's map.
pub trait Entries {
    /// Serializes the entries into `m`.
    fn serialize_entries<M: serde::ser::SerializeMap>(&self, m: &mut M) -> Result<(), M::Error>;
}

struct AsMap<'a, T>(&'a T);

impl<T: Entries> Serialize for AsMap<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        self.0.serialize_entries(&mut m)?;
        m.end()
    }
}

/// Appends `t`'s entries as `,"key":value` pairs, exactly as `serde_json` writes them in a
/// map.
pub(crate) fn push_entries<T: Entries>(out: &mut Vec<u8>, t: &T) {
    let start = out.len();
    if serde_json::to_writer(&mut *out, &AsMap(t)).is_err() {
        out.truncate(start);
        return;
    }
    // `{...}` becomes `,...`; an empty map `{}` becomes nothing.
    out.pop();
    if out.len() == start + 1 {
        out.truncate(start);
    } else if let Some(b) = out.get_mut(start) {
        *b = b',';
    }
}
