//! The JSON records of `otscan --output pdus|alerts` (DESIGN.md §4).
//!
//! A [`PduRecord`] is built from an event only when an output asks for records: the common
//! fields from the event, the protocol's own from its typed detail
//! ([`ProtoFields`], one module per protocol). Records
//! hold typed values and are formatted when written.

use std::net::SocketAddr;

use otwire_detect::protocol::{Detail, JUNK_SKIPPED, MALFORMED, OVERLAP_CONFLICT, describe};
use otwire_detect::{Conformance, Direction, Event, Outcome, Protocol};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::json::{AsStr, Memo, push_str, push_u64};
pub use crate::json::{Rfc3339, rfc3339};
pub use crate::protocols::ProtoFields;

/// One alert (`otscan --output alerts`): `otwire-detect`'s alert, whose JSON form is
/// DESIGN.md §4's alert record (plus `unit`, `first_seen`, `last_seen` and `count`, and on an
/// aggregate `aggregate`, `sources`, `sources_others`, `hosts`, `hosts_others`, `ports` and
/// `ports_others`; examples/README.md).
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
    /// The `proto` the record names: the protocol's name, or `"s7comm-plus"` for an
    /// S7comm-plus PDU (it rides on S7's connections, but DESIGN.md §4 names its records
    /// apart).
    pub name: &'static str,
    /// Request (from the client) or response.
    pub dir: Direction,
    /// Anomaly names: the parser's flags, then the pipeline's own findings.
    pub anomalies: Vec<&'static str>,
    /// Protocol fields.
    pub fields: ProtoFields,
}

/// The names of an event's anomalies as records list them: bytes that are not the protocol
/// (`NOT_MODBUS`...), junk skipped (`JUNK_SKIPPED`), or the parser's flags followed by
/// `MALFORMED` when nothing decoded; then `TCP_OVERLAP_CONFLICT` when the PDU's bytes were
/// resent with different content (see [`crate::tcp`]).
pub fn anomaly_names(ev: &Event<'_>, out: &mut Vec<&'static str>) {
    protocol_anomaly_names(ev, out);
    if ev.conformance.contains(Conformance::OVERLAP_CONFLICT) {
        out.push(OVERLAP_CONFLICT);
    }
}

fn protocol_anomaly_names(ev: &Event<'_>, out: &mut Vec<&'static str>) {
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
        let fields = ProtoFields::of(ev);
        PduRecord {
            frame: ev.frame,
            ts_us: i64::try_from(ev.ts).unwrap_or(i64::MAX),
            flow: ev.flow_id,
            src: ev.src().into(),
            dst: ev.dst().into(),
            proto: ev.protocol,
            name: record_name(ev.protocol, &fields),
            dir: ev.direction,
            anomalies,
            fields,
        }
    }

    /// Appends the record's JSON (exactly what `serde_json::to_writer` writes for it) to
    /// `out`, several times faster: keys are constants, numbers are formatted in place.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        self.write_json_with(out, &mut Memo::default());
    }

    /// [`write_json`](PduRecord::write_json) for a writer of many records: `memo` keeps the
    /// formatted second and addresses from one record to the next.
    pub(crate) fn write_json_with(&self, out: &mut Vec<u8>, memo: &mut Memo) {
        out.extend_from_slice(b"{\"frame\":");
        push_u64(out, self.frame);
        out.extend_from_slice(b",\"ts\":\"");
        memo.push_rfc3339(out, self.ts_us);
        out.extend_from_slice(b"\",\"flow\":");
        push_u64(out, self.flow);
        out.extend_from_slice(b",\"src\":\"");
        memo.push_addr(out, self.src);
        out.extend_from_slice(b"\",\"dst\":\"");
        memo.push_addr(out, self.dst);
        out.extend_from_slice(b"\",\"proto\":\"");
        out.extend_from_slice(self.name.as_bytes());
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

/// The `proto` of a record (DESIGN.md §4): `"s7comm-plus"` for an S7comm-plus PDU, else the
/// protocol's name.
fn record_name(proto: Protocol, fields: &ProtoFields) -> &'static str {
    match fields {
        ProtoFields::S7(f) if f.version.is_some() => "s7comm-plus",
        _ => proto.name(),
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
        m.serialize_entry("proto", self.name)?;
        m.serialize_entry("dir", dir_name(self.dir))?;
        m.serialize_entry("anomalies", &self.anomalies)?;
        self.fields.serialize_entries(&mut m)?;
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dnp3::{App as Dnp3App, Fields as Dnp3Fields, Object as Dnp3Object};
    use crate::iec104::Fields as Iec104Fields;
    use crate::modbus::Fields as ModbusFields;
    use otwire_detect::Direction as Dir;

    #[test]
    fn fast_json_equals_serde_json() {
        let base = PduRecord {
            frame: 1,
            ts_us: 0,
            flow: 0,
            src: "10.0.0.1:40000".parse().unwrap(),
            dst: "[2001:db8::2]:502".parse().unwrap(),
            proto: Protocol::Modbus,
            name: "modbus",
            dir: Dir::Response,
            anomalies: vec![],
            fields: ProtoFields::Modbus(ModbusFields::default()),
        };
        let all = ModbusFields {
            tid: Some(65535),
            unit: Some(0),
            func: Some(127),
            exception: Some(2),
            sub_func: Some(10),
            mei: Some(14),
            address: Some(0),
            quantity: Some(2000),
            byte_count: Some(255),
        };
        for (ts, anomalies, m) in [
            (0, vec![], ModbusFields::default()),
            (
                1_768_464_000_123_456,
                vec!["NOT_MODBUS", "QUANTITY_OUT_OF_RANGE"],
                all,
            ),
            (-1, vec!["odd \"name\""], all),
            (253_402_300_800_000_000, vec![], all),
        ] {
            let r = PduRecord {
                ts_us: ts,
                anomalies,
                fields: ProtoFields::Modbus(m),
                frame: u64::MAX,
                ..base.clone()
            };
            let mut fast = Vec::new();
            r.write_json(&mut fast);
            assert_eq!(
                String::from_utf8(fast).unwrap(),
                serde_json::to_string(&r).unwrap()
            );
        }
    }

    #[test]
    fn dnp3_and_iec104_record_shape() {
        let base = PduRecord {
            frame: 7,
            ts_us: 0,
            flow: 1,
            src: "10.0.0.2:20000".parse().unwrap(),
            dst: "10.0.0.1:40000".parse().unwrap(),
            proto: Protocol::Dnp3,
            name: "dnp3",
            dir: Dir::Response,
            anomalies: vec![],
            fields: ProtoFields::Dnp3(Dnp3Fields {
                link_func: Some(4),
                link_dir: Some(false),
                link_prm: Some(true),
                link_dst: Some(1),
                link_src: Some(10),
                link_len: Some(20),
                tp_fir: Some(true),
                tp_fin: Some(true),
                tp_seq: Some(5),
                app: Some(Box::new(Dnp3App {
                    func: 129,
                    seq: 2,
                    fir: true,
                    fin: true,
                    con: false,
                    uns: false,
                    iin: Some(0x9000),
                    objects: vec![Dnp3Object {
                        group: 30,
                        variation: 1,
                        qualifier: 0,
                        start: Some(0),
                        stop: Some(3),
                        count: Some(4),
                    }],
                })),
            }),
        };
        let json = serde_json::to_string(&base).unwrap();
        assert_eq!(
            json,
            r#"{"frame":7,"ts":"1970-01-01T00:00:00.000000Z","flow":1,"src":"10.0.0.2:20000","dst":"10.0.0.1:40000","proto":"dnp3","dir":"response","anomalies":[],"link_func":4,"link_dir":false,"link_prm":true,"link_dst":1,"link_src":10,"link_len":20,"tp_fir":true,"tp_fin":true,"tp_seq":5,"app":{"func":129,"seq":2,"fir":true,"fin":true,"con":false,"uns":false,"iin":36864,"objects":[{"group":30,"variation":1,"qualifier":0,"start":0,"stop":3,"count":4}]}}"#
        );
        let mut fast = Vec::new();
        base.write_json(&mut fast);
        assert_eq!(String::from_utf8(fast).unwrap(), json);
        let iec = PduRecord {
            proto: Protocol::Iec104,
            name: "iec104",
            fields: ProtoFields::Iec104(Iec104Fields {
                apci: Some("U"),
                u_func: Some("STARTDT_ACT"),
                ..Iec104Fields::default()
            }),
            ..base
        };
        let json = serde_json::to_string(&iec).unwrap();
        assert!(json.ends_with(r#""proto":"iec104","dir":"response","anomalies":[],"apci":"U","tx":null,"rx":null,"u_func":"STARTDT_ACT","type_id":null,"sq":null,"num":null,"cot":null,"negative":null,"test":null,"oa":null,"ca":null,"ioas":null}"#), "{json}");
        let mut fast = Vec::new();
        iec.write_json(&mut fast);
        assert_eq!(String::from_utf8(fast).unwrap(), json);
    }

    #[test]
    fn rfc3339_known_values() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(
            rfc3339(1_445_436_535_123_456),
            "2015-10-21T14:08:55.123456Z"
        );
        assert_eq!(rfc3339(951_782_400_000_001), "2000-02-29T00:00:00.000001Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59.999999Z");
    }

    #[test]
    fn pdu_record_field_order_and_nulls() {
        let r = PduRecord {
            frame: 3,
            ts_us: 1_000_000,
            flow: 0,
            src: "10.0.0.1:40000".parse().unwrap(),
            dst: "10.0.0.2:502".parse().unwrap(),
            proto: Protocol::Modbus,
            name: "modbus",
            dir: Dir::Request,
            anomalies: vec!["QUANTITY_OUT_OF_RANGE"],
            fields: ProtoFields::Modbus(ModbusFields {
                tid: Some(1),
                unit: Some(255),
                func: Some(3),
                address: Some(0),
                quantity: Some(10),
                ..ModbusFields::default()
            }),
        };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"frame":3,"ts":"1970-01-01T00:00:01.000000Z","flow":0,"src":"10.0.0.1:40000","dst":"10.0.0.2:502","proto":"modbus","dir":"request","anomalies":["QUANTITY_OUT_OF_RANGE"],"tid":1,"unit":255,"func":3,"exception":null,"sub_func":null,"mei":null,"address":0,"quantity":10,"byte_count":null}"#
        );
    }
}
