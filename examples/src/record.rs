//! The JSON records of `otscan --output pdus|alerts|assets` (DESIGN.md §4).
//!
//! Records hold typed values and format them only when serialized, so a scan that prints
//! only a summary pays nothing for JSON.

use std::net::SocketAddr;

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};

/// Whether a PDU came from the side that opened the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Dir {
    /// From the client (the side that opened the connection).
    Request,
    /// From the server.
    Response,
}

impl Dir {
    /// `"request"` or `"response"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Dir::Request => "request",
            Dir::Response => "response",
        }
    }
}

/// Anomalies the pipeline itself finds (beside the parsers' own flags).
pub mod pipeline_anomaly {
    /// Bytes on a Modbus port (or a flow taken for Modbus) that are not Modbus/TCP.
    pub const NOT_MODBUS: &str = "NOT_MODBUS";
    /// The PDU could not be decoded at all (the parser returned an error).
    pub const MALFORMED: &str = "MALFORMED";
    /// The stream decoder skipped bytes that did not start a plausible frame.
    pub const JUNK_SKIPPED: &str = "JUNK_SKIPPED";
    /// Bytes were missing from the capture just before this PDU.
    pub const AFTER_GAP: &str = "AFTER_GAP";
}

/// Modbus fields of a PDU record; `None` serializes as `null`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ModbusFields {
    /// MBAP transaction identifier.
    pub tid: Option<u16>,
    /// MBAP unit identifier.
    pub unit: Option<u8>,
    /// Function code without the exception bit.
    pub func: Option<u8>,
    /// Exception code (exception responses).
    pub exception: Option<u8>,
    /// Diagnostics (FC 8) sub-function.
    pub sub_func: Option<u16>,
    /// MEI type (FC 43).
    pub mei: Option<u8>,
    /// First coil / register addressed.
    pub address: Option<u16>,
    /// Number of coils / registers.
    pub quantity: Option<u16>,
    /// The PDU's byte count field.
    pub byte_count: Option<u16>,
}

/// One DNP3 object header of an application fragment (IEEE 1815-2012 §4.2.2.7).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Dnp3Object {
    /// Object group.
    pub group: u8,
    /// Object variation.
    pub variation: u8,
    /// Qualifier octet (prefix code << 4 | range code).
    pub qualifier: u8,
    /// First index (range codes 0-2) or the absolute address (3-5).
    pub start: Option<u32>,
    /// Last index (range codes 0-2) or the absolute address (3-5).
    pub stop: Option<u32>,
    /// Number of objects the range designates (null for range code 6, all objects).
    pub count: Option<u64>,
}

/// The application layer of a DNP3 fragment (IEEE 1815-2012 §4.2.2).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Dnp3App {
    /// Function code.
    pub func: u8,
    /// Application SEQ (0-15).
    pub seq: u8,
    /// FIR.
    pub fir: bool,
    /// FIN.
    pub fin: bool,
    /// CON.
    pub con: bool,
    /// UNS.
    pub uns: bool,
    /// Internal indications (responses), IIN1 in the high octet.
    pub iin: Option<u16>,
    /// Object headers that could be walked.
    pub objects: Vec<Dnp3Object>,
}

/// DNP3 fields of a PDU record: one per link frame (IEEE 1815-2012 §9.2.4, §8.2.1), with
/// `app` on the frame that completed an application fragment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dnp3Fields {
    /// Link function code (4 bits, read according to PRM).
    pub link_func: Option<u8>,
    /// DIR bit.
    pub link_dir: Option<bool>,
    /// PRM bit.
    pub link_prm: Option<bool>,
    /// Destination address.
    pub link_dst: Option<u16>,
    /// Source address.
    pub link_src: Option<u16>,
    /// LENGTH octet.
    pub link_len: Option<u8>,
    /// Transport FIR (frames with user data).
    pub tp_fir: Option<bool>,
    /// Transport FIN.
    pub tp_fin: Option<bool>,
    /// Transport SEQUENCE.
    pub tp_seq: Option<u8>,
    /// The application fragment this frame completed.
    pub app: Option<Box<Dnp3App>>,
}

/// IEC 60870-5-104 fields of a PDU record (IEC 60870-5-104 §5; IEC 60870-5-101 §7.2).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Iec104Fields {
    /// "I", "S" or "U".
    pub apci: Option<&'static str>,
    /// N(S) (I frames).
    pub tx: Option<u16>,
    /// N(R) (I and S frames).
    pub rx: Option<u16>,
    /// U function name ("STARTDT_ACT"…).
    pub u_func: Option<&'static str>,
    /// Type identification.
    pub type_id: Option<u8>,
    /// SQ bit.
    pub sq: Option<bool>,
    /// Number of information objects.
    pub num: Option<u8>,
    /// Cause of transmission (6 bits).
    pub cot: Option<u8>,
    /// P/N bit.
    pub negative: Option<bool>,
    /// T bit.
    pub test: Option<bool>,
    /// Originator address.
    pub oa: Option<u8>,
    /// Common address of ASDU.
    pub ca: Option<u16>,
    /// Information object addresses decoded.
    pub ioas: Option<Vec<u32>>,
}

/// Protocol-specific part of a PDU record.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProtoFields {
    /// Modbus/TCP or Modbus/UDP.
    Modbus(ModbusFields),
    /// DNP3 over TCP or UDP (one record per link frame).
    Dnp3(Dnp3Fields),
    /// IEC 60870-5-104 (one record per APDU).
    Iec104(Iec104Fields),
}

impl ProtoFields {
    /// The `proto` value.
    pub fn proto(&self) -> &'static str {
        match self {
            ProtoFields::Modbus(_) => "modbus",
            ProtoFields::Dnp3(_) => "dnp3",
            ProtoFields::Iec104(_) => "iec104",
        }
    }
}

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
    /// Request or response.
    pub dir: Dir,
    /// Anomaly names (parser flags, then pipeline anomalies).
    pub anomalies: Vec<&'static str>,
    /// Protocol fields.
    pub fields: ProtoFields,
}

impl Serialize for PduRecord {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("PduRecord", 17)?;
        st.serialize_field("frame", &self.frame)?;
        st.serialize_field("ts", &Rfc3339(self.ts_us))?;
        st.serialize_field("flow", &self.flow)?;
        st.serialize_field("src", &AsStr(self.src))?;
        st.serialize_field("dst", &AsStr(self.dst))?;
        st.serialize_field("proto", self.fields.proto())?;
        st.serialize_field("dir", &self.dir)?;
        st.serialize_field("anomalies", &self.anomalies)?;
        match &self.fields {
            ProtoFields::Modbus(m) => {
                st.serialize_field("tid", &m.tid)?;
                st.serialize_field("unit", &m.unit)?;
                st.serialize_field("func", &m.func)?;
                st.serialize_field("exception", &m.exception)?;
                st.serialize_field("sub_func", &m.sub_func)?;
                st.serialize_field("mei", &m.mei)?;
                st.serialize_field("address", &m.address)?;
                st.serialize_field("quantity", &m.quantity)?;
                st.serialize_field("byte_count", &m.byte_count)?;
            }
            ProtoFields::Dnp3(d) => {
                st.serialize_field("link_func", &d.link_func)?;
                st.serialize_field("link_dir", &d.link_dir)?;
                st.serialize_field("link_prm", &d.link_prm)?;
                st.serialize_field("link_dst", &d.link_dst)?;
                st.serialize_field("link_src", &d.link_src)?;
                st.serialize_field("link_len", &d.link_len)?;
                st.serialize_field("tp_fir", &d.tp_fir)?;
                st.serialize_field("tp_fin", &d.tp_fin)?;
                st.serialize_field("tp_seq", &d.tp_seq)?;
                st.serialize_field("app", &d.app)?;
            }
            ProtoFields::Iec104(i) => {
                st.serialize_field("apci", &i.apci)?;
                st.serialize_field("tx", &i.tx)?;
                st.serialize_field("rx", &i.rx)?;
                st.serialize_field("u_func", &i.u_func)?;
                st.serialize_field("type_id", &i.type_id)?;
                st.serialize_field("sq", &i.sq)?;
                st.serialize_field("num", &i.num)?;
                st.serialize_field("cot", &i.cot)?;
                st.serialize_field("negative", &i.negative)?;
                st.serialize_field("test", &i.test)?;
                st.serialize_field("oa", &i.oa)?;
                st.serialize_field("ca", &i.ca)?;
                st.serialize_field("ioas", &i.ioas)?;
            }
        }
        st.end()
    }
}

impl PduRecord {
    /// Appends the record's JSON (exactly what `serde_json::to_writer` writes for it) to
    /// `out`, several times faster: keys are constants, numbers are formatted in place.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        if !matches!(self.fields, ProtoFields::Modbus(_)) {
            // Nested fields (DNP3 objects, IEC 104 IOAs): serde_json writes them.
            if serde_json::to_writer(&mut *out, self).is_err() {
                out.extend_from_slice(b"{}");
            }
            return;
        }
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
        out.extend_from_slice(self.fields.proto().as_bytes());
        out.extend_from_slice(b"\",\"dir\":\"");
        out.extend_from_slice(self.dir.as_str().as_bytes());
        out.extend_from_slice(b"\",\"anomalies\":[");
        for (i, a) in self.anomalies.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            push_str(out, a);
        }
        out.push(b']');
        match &self.fields {
            ProtoFields::Modbus(m) => {
                push_opt(out, b",\"tid\":", m.tid.map(u64::from));
                push_opt(out, b",\"unit\":", m.unit.map(u64::from));
                push_opt(out, b",\"func\":", m.func.map(u64::from));
                push_opt(out, b",\"exception\":", m.exception.map(u64::from));
                push_opt(out, b",\"sub_func\":", m.sub_func.map(u64::from));
                push_opt(out, b",\"mei\":", m.mei.map(u64::from));
                push_opt(out, b",\"address\":", m.address.map(u64::from));
                push_opt(out, b",\"quantity\":", m.quantity.map(u64::from));
                push_opt(out, b",\"byte_count\":", m.byte_count.map(u64::from));
            }
            ProtoFields::Dnp3(_) | ProtoFields::Iec104(_) => {}
        }
        out.push(b'}');
    }
}

fn push_u64(out: &mut Vec<u8>, mut v: u64) {
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
fn push_padded(out: &mut Vec<u8>, v: u64, width: u32) {
    let mut div = 10u64.pow(width.saturating_sub(1));
    while div > 0 {
        out.push(b'0' + ((v / div) % 10) as u8);
        div /= 10;
    }
}

fn push_rfc3339(out: &mut Vec<u8>, ts_us: i64) {
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

fn push_addr(out: &mut Vec<u8>, a: SocketAddr) {
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

fn push_str(out: &mut Vec<u8>, s: &str) {
    if s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else if serde_json::to_writer(&mut *out, s).is_err() {
        out.extend_from_slice(b"\"\"");
    }
}

fn push_opt(out: &mut Vec<u8>, key: &[u8], v: Option<u64>) {
    out.extend_from_slice(key);
    match v {
        Some(v) => push_u64(out, v),
        None => out.extend_from_slice(b"null"),
    }
}

/// One alert (`otscan --output alerts`): `otwire-detect`'s alert, whose JSON form is
/// DESIGN.md §4's alert record (plus `unit`, `first_seen`, `last_seen` and `count`).
pub type AlertRecord = otwire_detect::Alert;

/// Severity of an alert.
pub use otwire_detect::Severity;

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
struct AsStr<T>(T);

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_json_equals_serde_json() {
        let base = PduRecord {
            frame: 1,
            ts_us: 0,
            flow: 0,
            src: "10.0.0.1:40000".parse().unwrap(),
            dst: "[2001:db8::2]:502".parse().unwrap(),
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
