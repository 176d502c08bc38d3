//! Writing JSON fast: numbers, strings, addresses and RFC 3339 times appended to a byte
//! buffer exactly as `serde_json` writes them, for the records `otscan --output pdus`
//! prints (DESIGN.md §4) — keys are constants, numbers are formatted in place.

use std::net::SocketAddr;

use serde::Serialize;
use serde::ser::Serializer;

/// Two ASCII digits of `v` (below 100).
#[inline(always)]
fn two(v: u64) -> [u8; 2] {
    [b'0' + ((v / 10) % 10) as u8, b'0' + (v % 10) as u8]
}

/// Appends `v` in decimal. The digits are counted first, so each length is written with a
/// copy of a known size (no call to `memcpy` for the few bytes of an octet, a port, a code).
#[inline(always)]
pub(crate) fn push_u64(out: &mut Vec<u8>, v: u64) {
    match v {
        0..=9 => out.push(b'0' + v as u8),
        10..=99 => out.extend_from_slice(&two(v)),
        100..=999 => digits::<3>(out, v),
        1000..=9999 => digits::<4>(out, v),
        10_000..=99_999 => digits::<5>(out, v),
        100_000..=999_999 => digits::<6>(out, v),
        1_000_000..=9_999_999 => digits::<7>(out, v),
        10_000_000..=99_999_999 => digits::<8>(out, v),
        _ => push_u64_long(out, v),
    }
}

/// Appends the last `N` decimal digits of `v`.
#[inline(always)]
fn digits<const N: usize>(out: &mut Vec<u8>, mut v: u64) {
    let mut buf = [0u8; N];
    let mut pairs = buf.rchunks_exact_mut(2);
    for d in &mut pairs {
        d.copy_from_slice(&two(v % 100));
        v /= 100;
    }
    if let Some(d) = pairs.into_remainder().first_mut() {
        *d = b'0' + (v % 10) as u8;
    }
    out.extend_from_slice(&buf);
}

/// [`push_u64`] for values of nine digits and more.
#[inline(never)]
fn push_u64_long(out: &mut Vec<u8>, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    while v >= 100 {
        i -= 2;
        if let Some(d) = buf.get_mut(i..i + 2) {
            d.copy_from_slice(&two(v % 100));
        }
        v /= 100;
    }
    if v >= 10 {
        i -= 2;
        if let Some(d) = buf.get_mut(i..i + 2) {
            d.copy_from_slice(&two(v));
        }
    } else {
        i -= 1;
        if let Some(d) = buf.get_mut(i) {
            *d = b'0' + v as u8;
        }
    }
    out.extend_from_slice(buf.get(i..).unwrap_or_default());
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
    let us = ts_us.rem_euclid(1_000_000) as u64;
    let (y, m, d) = (y as u64, m as u64, d as u64);
    let ([y0, y1], [y2, y3], [m0, m1], [d0, d1]) = (two(y / 100), two(y % 100), two(m), two(d));
    let ([h0, h1], [n0, n1], [s0, s1]) = (two(sod / 3600), two((sod / 60) % 60), two(sod % 60));
    let ([u0, u1], [u2, u3], [u4, u5]) = (two(us / 10_000), two((us / 100) % 100), two(us % 100));
    out.extend_from_slice(&[
        y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1, b'T', h0, h1, b':', n0, n1, b':', s0, s1, b'.',
        u0, u1, u2, u3, u4, u5, b'Z',
    ]);
}

/// Appends an IPv4 octet in decimal.
#[inline(always)]
fn push_octet(out: &mut Vec<u8>, o: u8) {
    let v = u64::from(o);
    match o {
        0..=9 => out.push(b'0' + o),
        10..=99 => out.extend_from_slice(&two(v)),
        _ => digits::<3>(out, v),
    }
}

pub(crate) fn push_addr(out: &mut Vec<u8>, a: SocketAddr) {
    match a {
        SocketAddr::V4(v4) => {
            let [a, b, c, d] = v4.ip().octets();
            push_octet(out, a);
            out.push(b'.');
            push_octet(out, b);
            out.push(b'.');
            push_octet(out, c);
            out.push(b'.');
            push_octet(out, d);
            out.push(b':');
            push_u64(out, u64::from(v4.port()));
        }
        SocketAddr::V6(_) => out.extend_from_slice(a.to_string().as_bytes()),
    }
}

/// Slots of [`Memo`]'s address cache (a power of two).
const ADDR_SLOTS: usize = 64;

/// The longest IPv4 socket address written: `255.255.255.255:65535`.
const V4_MAX: usize = 21;

/// What a writer of many records remembers between them: the formatted second of the last
/// time (`YYYY-MM-DDTHH:MM:SS.`) and recently formatted IPv4 socket addresses (a record's
/// flow, and its peers, come back record after record). The output is the same as
/// [`push_rfc3339`] and [`push_addr`] write.
#[derive(Debug, Clone)]
pub(crate) struct Memo {
    second: Option<(i64, [u8; 20])>,
    addrs: [Option<(std::net::SocketAddrV4, [u8; V4_MAX], u8)>; ADDR_SLOTS],
}

impl Default for Memo {
    fn default() -> Self {
        Memo {
            second: None,
            addrs: [None; ADDR_SLOTS],
        }
    }
}

impl Memo {
    /// [`push_rfc3339`], the second's digits reused while it lasts.
    pub(crate) fn push_rfc3339(&mut self, out: &mut Vec<u8>, ts_us: i64) {
        let secs = ts_us.div_euclid(1_000_000);
        let prefix = match self.second {
            Some((s, prefix)) if s == secs => prefix,
            _ => {
                let mut whole = Vec::with_capacity(32);
                push_rfc3339(&mut whole, ts_us);
                // Only a four-digit year has the fixed layout.
                let Ok(prefix) = <[u8; 20]>::try_from(whole.get(..20).unwrap_or_default()) else {
                    out.extend_from_slice(&whole);
                    return;
                };
                if whole.len() != 27 {
                    out.extend_from_slice(&whole);
                    return;
                }
                self.second = Some((secs, prefix));
                prefix
            }
        };
        let us = ts_us.rem_euclid(1_000_000) as u64;
        let ([u0, u1], [u2, u3], [u4, u5]) =
            (two(us / 10_000), two((us / 100) % 100), two(us % 100));
        out.extend_from_slice(&prefix);
        out.extend_from_slice(&[u0, u1, u2, u3, u4, u5, b'Z']);
    }

    /// [`push_addr`], an IPv4 address formatted once while it stays in its slot.
    pub(crate) fn push_addr(&mut self, out: &mut Vec<u8>, a: SocketAddr) {
        let SocketAddr::V4(v4) = a else {
            return push_addr(out, a);
        };
        let h = u32::from(*v4.ip()) ^ u32::from(v4.port()).rotate_left(16);
        let slot = (h.wrapping_mul(0x9e37_79b9) >> 26) as usize % ADDR_SLOTS;
        let Some(entry) = self.addrs.get_mut(slot) else {
            return push_addr(out, a);
        };
        let (bytes, len) = match entry {
            Some((key, bytes, len)) if *key == v4 => (*bytes, *len),
            _ => {
                let mut text = Vec::with_capacity(V4_MAX);
                push_addr(&mut text, a);
                let len = text.len();
                let mut bytes = [0u8; V4_MAX];
                if let Some(b) = bytes.get_mut(..len) {
                    b.copy_from_slice(&text);
                }
                *entry = Some((v4, bytes, len as u8));
                (bytes, len as u8)
            }
        };
        // A copy of known size, then the unused tail dropped.
        let end = out.len() + usize::from(len);
        out.extend_from_slice(&bytes);
        out.truncate(end);
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

#[inline(always)]
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_as_display_writes_them() {
        let mut values = vec![u64::MAX, u64::MAX - 1];
        for p in 0..20u32 {
            let b = 10u64.pow(p);
            values.extend([b - 1, b, b + 1, b.saturating_mul(3).saturating_add(7)]);
        }
        values.extend(0..=1200);
        for v in values {
            let mut out = Vec::new();
            push_u64(&mut out, v);
            assert_eq!(String::from_utf8(out).unwrap(), v.to_string(), "{v}");
        }
    }

    #[test]
    fn addresses_and_times_are_written_as_display_writes_them() {
        for a in [
            "0.0.0.0:0",
            "255.255.255.255:65535",
            "10.9.100.1:502",
            "192.168.1.20:10000",
            "[2001:db8::2]:502",
        ] {
            let a: SocketAddr = a.parse().unwrap();
            let mut out = Vec::new();
            push_addr(&mut out, a);
            assert_eq!(String::from_utf8(out).unwrap(), a.to_string());
        }
        for ts in [
            0,
            -1,
            1,
            999_999,
            1_445_436_535_123_456,
            951_782_400_000_001,
            253_402_300_799_999_999,
            253_402_300_800_000_000,
            -62_167_219_200_000_000,
            -62_167_219_200_000_001,
        ] {
            let mut out = Vec::new();
            push_rfc3339(&mut out, ts);
            assert_eq!(String::from_utf8(out).unwrap(), rfc3339(ts), "{ts}");
        }
    }

    #[test]
    fn memo_writes_what_the_plain_functions_write() {
        let mut memo = Memo::default();
        let mut times = vec![253_402_300_800_000_000, -62_167_219_200_000_001, -1, 0];
        // Runs of the same second, seconds that come back, and years the memo cannot hold.
        for i in 0..500i64 {
            times.push(1_445_436_535_000_000 + (i % 7) * 999_999 + i * 37);
            times.push(253_402_300_799_999_999 + i % 3);
        }
        for ts in times {
            let (mut a, mut b) = (Vec::new(), Vec::new());
            memo.push_rfc3339(&mut a, ts);
            push_rfc3339(&mut b, ts);
            assert_eq!(a, b, "{ts}");
        }
        // More addresses than slots, each seen several times, and IPv6.
        for round in 0..3u32 {
            for i in 0..300u32 {
                let a: SocketAddr = if i % 50 == 49 {
                    format!("[2001:db8::{i:x}]:{}", 502 + round)
                        .parse()
                        .unwrap()
                } else {
                    let ip = std::net::Ipv4Addr::from(0x0a00_0000 + i * 257);
                    SocketAddr::new(ip.into(), (i * 131 % 65_536) as u16)
                };
                let (mut x, mut y) = (b"prefix".to_vec(), b"prefix".to_vec());
                memo.push_addr(&mut x, a);
                push_addr(&mut y, a);
                assert_eq!(x, y, "{a}");
            }
        }
    }
}
