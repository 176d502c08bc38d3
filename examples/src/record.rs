//! The JSON records of `otscan --output pdus|alerts` (DESIGN.md §4).
//!
//! A [`PduRecord`] is built from an event only when an output asks for records: the common
//! fields from the event, the protocol's own from its typed detail
//! ([`ProtoFields`](crate::protocols::ProtoFields), one module per protocol). Records
//! hold typed values and are formatted when written.

use std::net::SocketAddr;

use otwire_detect::protocol::{Detail, JUNK_SKIPPED, MALFORMED, describe};
use otwire_detect::{Conformance, Direction, Event, Outcome, Protocol};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::json::{AsStr, push_addr, push_rfc3339, push_str, push_u64};
pub use crate::json::{Rfc3339, rfc3339};
pub use crate::protocols::ProtoFields;

/// One alert (`otscan --output alerts`): `otwire-detect`'s alert, whose JSON form is
/// DESIGN.md §4's alert record (plus `unit`, `first_seen`, `last_seen` and `count`).
pub type AlertRecord = otwire_detect::Alert;

/// Severity of an alert.
pub use otwire_detect::Severity;

/// One application PDU (`otscan --output pdus`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PduRecord {
    /// 1-based number of the capture record that completed the PDU.
    pub frame: u64,
    /// Capture time, microseconds since the epoch.
    pub ts_us: i64,
    /// 0-based flow index.
    pub flow: u64,
    /// Sender.
    pub src: SocketAddr,
    /// Receiver.
    pub dst: SocketAddr,
    /// The protocol.
    pub proto: Protocol,
    /// Request (from the client) or response.
    pub dir: Direction,
    /// Anomaly names: the parser's flags, then the pipeline's own findings.
    pub anomalies: Vec<&'static str>,
    /// Protocol fields.
    pub fields: ProtoFields,
}

/// The names of an event's anomalies as records list them: bytes that are not the protocol
/// (`NOT_MODBUS`...), junk skipped (`JUNK_SKIPPED`), or the parser's flags followed by
/// `MALFORMED` when nothing decoded.
pub fn anomaly_names(ev: &Event<'_>, out: &mut Vec<&'static str>) {
    let Some(p) = describe(ev.protocol) else {
        return;
    };
    if ev.conformance.contains(Conformance::JUNK) {
        out.push(JUNK_SKIPPED);
        return;
    }
    if matches!(ev.detail, Detail::None)
        && ev.outcome == Outcome::Unparsed
        && ev.conformance.contains(Conformance::NOT_PROTOCOL)
    {
        out.push(p.not_protocol());
        return;
    }
    p.anomaly_names(ev.anomalies, &mut |n| out.push(n));
    if ev.conformance.contains(Conformance::MALFORMED) {
        out.push(MALFORMED);
    }
}

impl PduRecord {
    /// The record of one event (its `flow_id` is the flow index).
    pub fn of(ev: &Event<'_>) -> Self {
        let mut anomalies = Vec::new();
        anomaly_names(ev, &mut anomalies);
        PduRecord {
            frame: ev.frame,
            ts_us: i64::try_from(ev.ts).unwrap_or(i64::MAX),
            flow: ev.flow_id,
            src: ev.src().into(),
            dst: ev.dst().into(),
            proto: ev.protocol,
            dir: ev.direction,
            anomalies,
            fields: ProtoFields::of(ev),
        }
    }

    /// Appends the record's JSON (exactly what `serde_json::to_writer` writes for it) to
    /// `out`, several times faster: keys are constants, numbers are formatted in place.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"frame\":");
        push_u64(out, self.frame);
        out.extend_from_slice(b",\"ts\":\"");
        push_rfc3339(out, self.ts_us);
        out.extend_from_slice(b"\",\"flow\":");
        push_u64(out, self.flow);
        out.extend_from_slice(b",\"src\":\"");
        push_addr(out, self.src);
        out.extend_from_slice(b"\",\"dst\":\"");
        push_addr(out, self.dst);
        out.extend_from_slice(b"\",\"proto\":\"");
        out.extend_from_slice(self.proto.name().as_bytes());
        out.extend_from_slice(b"\",\"dir\":\"");
        out.extend_from_slice(dir_name(self.dir).as_bytes());
        out.extend_from_slice(b"\",\"anomalies\":[");
        for (i, a) in self.anomalies.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            push_str(out, a);
        }
        out.push(b']');
        self.fields.write_json(out);
        out.push(b'}');
    }
}

/// `"request"` or `"response"`.
pub fn dir_name(d: Direction) -> &'static str {
    match d {
        Direction::Request => "request",
        Direction::Response => "response",
    }
}

impl Serialize for PduRecord {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("frame", &self.frame)?;
        m.serialize_entry("ts", &Rfc3339(self.ts_us))?;
        m.serialize_entry("flow", &self.flow)?;
        m.serialize_entry("src", &AsStr(self.src))?;
        m.serialize_entry("dst", &AsStr(self.dst))?;
        m.serialize_entry("proto", self.proto.name())?;
        m.serialize_entry("dir", dir_name(self.dir))?;
        m.serialize_entry("anomalies", &self.anomalies)?;
        self.fields.serialize_entries(&mut m)?;
        m.end()
    }
}
