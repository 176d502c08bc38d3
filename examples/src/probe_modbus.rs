//! Active probing behind `otprobe`: a small, polite Modbus/TCP client (Modbus Messaging on
//! TCP/IP V1.0b; Application Protocol V1.1b3 §6.13 Report Server ID, §6.21 Read Device
//! Identification, §6.3 Read Holding Registers) over `std::net::TcpStream`, with timeouts, a
//! rate limit, and a guard that refuses any request that is not a read unless writes were
//! allowed.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Instant;

use otwire_modbus::{
    Address, Adu, DeviceIdentification, Emit, MBAP_HEADER_LEN, MbapHeader, ReadDeviceIdCode,
    Request, Response, TransactionId, UnitId,
};
use serde::Serialize;

use crate::probe::{ProbeConfig, ProbeError, io_error};

/// Function codes that only read (Application Protocol §6: 1-4, 7, 11, 12, 17, 20, 24, 43).
pub fn is_read_only(function: u8) -> bool {
    matches!(function, 1..=4 | 7 | 11 | 12 | 17 | 20 | 24 | 43)
}

/// A Modbus/TCP client on one connection.
#[derive(Debug)]
pub struct ModbusClient {
    stream: TcpStream,
    config: ProbeConfig,
    tid: u16,
    last: Option<Instant>,
    /// Requests sent.
    pub requests: u64,
}

/// A response PDU (owned bytes) and the unit that answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawResponse {
    /// Unit id of the response.
    pub unit: u8,
    /// The PDU (function code first).
    pub pdu: Vec<u8>,
}

impl ModbusClient {
    /// Connects.
    pub fn connect(addr: SocketAddr, config: ProbeConfig) -> Result<Self, ProbeError> {
        let stream = TcpStream::connect_timeout(&addr, config.timeout)
            .map_err(|e| ProbeError::Connect(format!("{addr}: {e}")))?;
        stream
            .set_read_timeout(Some(config.timeout))
            .map_err(|e| ProbeError::Io(e.to_string()))?;
        stream
            .set_write_timeout(Some(config.timeout))
            .map_err(|e| ProbeError::Io(e.to_string()))?;
        let _ = stream.set_nodelay(true);
        Ok(Self {
            stream,
            config,
            tid: 0,
            last: None,
            requests: 0,
        })
    }

    /// Sends one request and returns the matching response PDU (exceptions included).
    pub fn transact(&mut self, unit: u8, request: &Request<'_>) -> Result<RawResponse, ProbeError> {
        let fc = request.function_code().value();
        if !is_read_only(fc) && !self.config.allow_write {
            return Err(ProbeError::WriteRefused(fc));
        }
        if let Some(last) = self.last {
            let since = last.elapsed();
            if since < self.config.min_interval {
                std::thread::sleep(self.config.min_interval - since);
            }
        }
        self.tid = self.tid.wrapping_add(1);
        let adu = Adu::new(TransactionId(self.tid), UnitId(unit), request)
            .to_vec()
            .map_err(|e| ProbeError::BadResponse(format!("cannot encode the request: {e}")))?;
        self.last = Some(Instant::now());
        self.requests += 1;
        self.stream.write_all(&adu).map_err(io_error)?;
        let deadline = Instant::now() + self.config.timeout;
        // Skip stale answers to earlier (timed-out) requests; give up at the deadline.
        loop {
            let (header, pdu) = self.read_adu(deadline)?;
            if header.transaction_id.0 == self.tid {
                if header.protocol_id != 0 {
                    return Err(ProbeError::BadResponse(format!(
                        "protocol id {}",
                        header.protocol_id
                    )));
                }
                return Ok(RawResponse {
                    unit: header.unit_id.0,
                    pdu,
                });
            }
        }
    }

    fn read_adu(&mut self, deadline: Instant) -> Result<(MbapHeader, Vec<u8>), ProbeError> {
        let mut head = [0u8; MBAP_HEADER_LEN];
        self.read_exact(&mut head, deadline)?;
        let header =
            MbapHeader::parse(&head).map_err(|e| ProbeError::BadResponse(e.to_string()))?;
        let len = header.pdu_len();
        if !(1..=otwire_modbus::MAX_PDU_LEN).contains(&len) {
            return Err(ProbeError::BadResponse(format!(
                "MBAP length {}",
                header.length
            )));
        }
        let mut pdu = vec![0u8; len];
        self.read_exact(&mut pdu, deadline)?;
        Ok((header, pdu))
    }

    fn read_exact(&mut self, buf: &mut [u8], deadline: Instant) -> Result<(), ProbeError> {
        let mut got = 0;
        while got < buf.len() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(ProbeError::Timeout);
            }
            self.stream.set_read_timeout(Some(left)).map_err(io_error)?;
            match self.stream.read(buf.get_mut(got..).unwrap_or_default()) {
                Ok(0) => return Err(ProbeError::Io("connection closed by the device".into())),
                Ok(n) => got += n,
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    return Err(ProbeError::Timeout);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(io_error(e)),
            }
        }
        Ok(())
    }
}

/// Parses a response, turning exception responses into [`ProbeError::Exception`].
fn parse<'a>(raw: &'a RawResponse, expect_fc: u8) -> Result<Response<'a>, ProbeError> {
    let parsed = Response::parse(&raw.pdu).map_err(|e| ProbeError::BadResponse(e.to_string()))?;
    match parsed.pdu {
        Response::Exception { code, .. } => Err(ProbeError::Exception(u8::from(code))),
        r if r.function_code().value() == expect_fc => Ok(r),
        r => Err(ProbeError::BadResponse(format!(
            "function {} answered with {}",
            expect_fc,
            r.function_code().value()
        ))),
    }
}

/// Most Read Device Identification requests per level (a device that keeps saying "more
/// follows" is cut off).
pub const MAX_DEVICE_ID_REQUESTS: usize = 32;

/// Device identification objects read with FC 43 / MEI 14.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DeviceId {
    /// Highest level answered: "basic", "regular" or "extended".
    pub level: Option<&'static str>,
    /// Conformity level byte of the last answer.
    pub conformity_level: Option<u8>,
    /// Objects by name (standard objects) or `object_<id>`.
    pub objects: BTreeMap<String, String>,
    /// Why a level stopped (an exception, a timeout), if one did.
    pub stopped: Option<String>,
}

fn object_name(id: u8) -> String {
    match otwire_modbus::DeviceObjectId::from(id).name() {
        Some(n) => n.to_string(),
        None => format!("object_{id}"),
    }
}

/// Reads the basic (objects 0-2), regular (3-6) and extended (0x80-0xFF) device
/// identification, following "more follows".
pub fn device_identification(client: &mut ModbusClient, unit: u8) -> DeviceId {
    let mut out = DeviceId::default();
    let levels = [
        (ReadDeviceIdCode::Basic, 0u8, "basic"),
        (ReadDeviceIdCode::Regular, 3, "regular"),
        (ReadDeviceIdCode::Extended, 0x80, "extended"),
    ];
    'levels: for (code, first, name) in levels {
        let mut object_id = first;
        for _ in 0..MAX_DEVICE_ID_REQUESTS {
            let req = Request::ReadDeviceIdentification { code, object_id };
            let raw = match client.transact(unit, &req) {
                Ok(r) => r,
                Err(e) => {
                    out.stopped = Some(format!("{name}: {e}"));
                    break 'levels;
                }
            };
            let id: DeviceIdentification<'_> = match parse(&raw, 43) {
                Ok(Response::ReadDeviceIdentification(id)) => id,
                Ok(_) => {
                    out.stopped = Some(format!("{name}: not a device identification response"));
                    break 'levels;
                }
                Err(e) => {
                    out.stopped = Some(format!("{name}: {e}"));
                    break 'levels;
                }
            };
            out.conformity_level = Some(id.conformity_level);
            out.level = Some(name);
            let mut last = None;
            for o in id.objects {
                let v = String::from_utf8_lossy(o.value)
                    .chars()
                    .filter(|c| !c.is_control())
                    .collect();
                out.objects.insert(object_name(u8::from(o.id)), v);
                last = Some(u8::from(o.id));
            }
            if !id.more() || last.is_none() || id.next_object_id <= object_id {
                break;
            }
            object_id = id.next_object_id;
        }
    }
    out
}

/// What Report Server ID (FC 17) returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServerId {
    /// The bytes after the byte count, in hex.
    pub hex: String,
    /// The same bytes as text where printable (devices often put a name there).
    pub text: String,
}

/// Reads the server id (FC 17).
pub fn report_server_id(client: &mut ModbusClient, unit: u8) -> Result<ServerId, ProbeError> {
    let raw = client.transact(unit, &Request::ReportServerId)?;
    match parse(&raw, 17)? {
        Response::ReportServerId { data } => Ok(ServerId {
            hex: otwire_detect::alert::hex(data),
            text: data
                .iter()
                .map(|&b| {
                    if b.is_ascii_graphic() || b == b' ' {
                        b as char
                    } else {
                        '.'
                    }
                })
                .collect(),
        }),
        _ => Err(ProbeError::BadResponse(
            "not a report server id response".into(),
        )),
    }
}

/// Reads `count` holding registers from `address` (FC 3).
pub fn read_holding(
    client: &mut ModbusClient,
    unit: u8,
    address: u16,
    count: u16,
) -> Result<Vec<u16>, ProbeError> {
    let raw = client.transact(
        unit,
        &Request::ReadHoldingRegisters {
            address: Address(address),
            quantity: count,
        },
    )?;
    match parse(&raw, 3)? {
        Response::ReadHoldingRegisters { values } => {
            let v: Vec<u16> = values.iter().collect();
            if v.len() != usize::from(count) {
                return Err(ProbeError::BadResponse(format!(
                    "asked {count} registers, got {}",
                    v.len()
                )));
            }
            Ok(v)
        }
        _ => Err(ProbeError::BadResponse(
            "not a read holding registers response".into(),
        )),
    }
}

/// How one unit id answered in a sweep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitAnswer {
    /// Unit id.
    pub unit: u8,
    /// "response" (a normal answer), "exception", or "gateway" (exception 0x0A / 0x0B: no
    /// device behind the gateway).
    pub answer: &'static str,
    /// Exception code, if any.
    pub exception: Option<u8>,
}

/// Sends Report Server ID (FC 17) to each unit; returns those that answered (timeouts and
/// gateway-path exceptions mean no device). A timeout reconnects, since some devices drop
/// the connection instead of answering.
pub fn sweep_units(
    addr: SocketAddr,
    config: ProbeConfig,
    units: impl IntoIterator<Item = u8>,
) -> Result<(Vec<UnitAnswer>, Vec<u8>), ProbeError> {
    let mut client = ModbusClient::connect(addr, config)?;
    let mut found = Vec::new();
    let mut silent = Vec::new();
    for unit in units {
        match client.transact(unit, &Request::ReportServerId) {
            Ok(raw) => match parse(&raw, 17) {
                Ok(_) => found.push(UnitAnswer {
                    unit,
                    answer: "response",
                    exception: None,
                }),
                Err(ProbeError::Exception(c)) if c == 0x0A || c == 0x0B => silent.push(unit),
                Err(ProbeError::Exception(c)) => found.push(UnitAnswer {
                    unit,
                    answer: "exception",
                    exception: Some(c),
                }),
                Err(_) => silent.push(unit),
            },
            Err(ProbeError::Timeout) | Err(ProbeError::Io(_)) => {
                silent.push(unit);
                client = ModbusClient::connect(addr, config)?;
            }
            Err(e) => return Err(e),
        }
    }
    Ok((found, silent))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_only_guard() {
        for fc in [1u8, 2, 3, 4, 17, 43] {
            assert!(is_read_only(fc));
        }
        for fc in [5u8, 6, 8, 15, 16, 21, 22, 23, 90] {
            assert!(!is_read_only(fc));
        }
    }

    #[test]
    fn writes_are_refused_before_anything_is_sent() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let mut c = ModbusClient::connect(addr, ProbeConfig::default()).unwrap();
        let req = Request::WriteSingleRegister {
            address: Address(1),
            value: 2,
        };
        assert_eq!(c.transact(1, &req), Err(ProbeError::WriteRefused(6)));
        assert_eq!(c.requests, 0);
    }
}
