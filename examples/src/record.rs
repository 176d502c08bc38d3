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

/// Protocol-specific part of a PDU record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProtoFields {
    /// Modbus/TCP or Modbus/UDP.
    Modbus(ModbusFields),
}

impl ProtoFields {
    /// The `proto` value.
    pub fn proto(&self) -> &'static str {
        match self {
            ProtoFields::Modbus(_) => "modbus",
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
        }
        st.end()
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
