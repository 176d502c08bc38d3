//! `otprobe enip`: read-only identification of an EtherNet/IP device, as nmap's enip-info
//! does it, and a little more. ListIdentity (CIP Vol. 2 §2-4.2) over TCP and over UDP port
//! 44818; RegisterSession (§2-4.4); Get Attributes All (service 0x01) of the Identity
//! object (class 0x01, instance 1; Vol. 1 §5A-2) sent through the Connection Manager's
//! Unconnected Send (Vol. 1 §3-5.5.2) to the backplane slot, and directly to the target
//! when routing fails; UnRegisterSession (§2-4.5). Every answer is decoded with
//! otwire-enip. Nothing is written, connected or reset.

use std::io::Write;
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::time::Instant;

use otwire_enip::cip::build::{get_attributes_all, unconnected_send};
use otwire_enip::cip::objects::Identity as IdentityObject;
use otwire_enip::cip::{ConnectionManagerStatus, GeneralStatus, Message, Response};
use otwire_enip::{
    Body, Command, Direction, Emit, EncapStatus, Error, Header, Item, Pdu, list_identity,
    register_session, send_rr_data, split_frame, unregister_session,
};
use serde::Serialize;

use crate::probe::{ProbeConfig, ProbeError, io_error, pace};

/// The sender context of every request otprobe sends (a target echoes it).
pub const CONTEXT: [u8; 8] = *b"otprobe\0";

/// How many times the UDP ListIdentity is sent when no answer comes (datagrams get lost).
pub const UDP_TRIES: usize = 2;

/// The identity a ListIdentity reply item carries (Vol. 2 §2-4.2.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListIdentityText {
    /// Encapsulation protocol version.
    pub encap_version: u16,
    /// The socket address the device reports ("ip:port").
    pub socket: String,
    /// The device's Identity attributes.
    pub identity: IdentityText,
    /// otwire-enip's anomaly names for the reply.
    pub anomalies: Vec<&'static str>,
}

/// Identity object attributes 1-8 (Vol. 1 §5A-2.2), from a ListIdentity item or a Get
/// Attributes All reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdentityText {
    /// Vendor id.
    pub vendor_id: u16,
    /// Device type code.
    pub device_type: u16,
    /// Device type name, when otwire-enip knows it.
    pub device_type_name: Option<&'static str>,
    /// Product code.
    pub product_code: u16,
    /// Revision ("20.011").
    pub revision: String,
    /// Status word ("0x0030").
    pub status: String,
    /// Serial number ("0x0012d687").
    pub serial: String,
    /// Product name (printable characters).
    pub product_name: String,
    /// State, when sent.
    pub state: Option<u8>,
}

impl IdentityText {
    /// From a ListIdentity item.
    pub fn of_item(id: &otwire_enip::Identity<'_>) -> Self {
        IdentityText {
            vendor_id: id.vendor_id,
            device_type: id.device_type.value(),
            device_type_name: id.device_type.name(),
            product_code: id.product_code,
            revision: id.revision.to_string(),
            status: format!("{:#06x}", id.status),
            serial: format!("{:#010x}", id.serial),
            product_name: crate::assets::clip(id.product_name).trim().to_string(),
            state: Some(id.state),
        }
    }

    /// From the Identity object's Get Attributes All reply.
    pub fn of_object(id: &IdentityObject<'_>) -> Self {
        let device_type = otwire_enip::DeviceType::from(id.device_type);
        IdentityText {
            vendor_id: id.vendor,
            device_type: id.device_type,
            device_type_name: device_type.name(),
            product_code: id.product_code,
            revision: otwire_enip::Revision {
                major: id.major_revision,
                minor: id.minor_revision,
            }
            .to_string(),
            status: format!("{:#06x}", id.status),
            serial: format!("{:#010x}", id.serial),
            product_name: crate::assets::clip(id.product_name).trim().to_string(),
            state: id.state,
        }
    }
}

/// The Identity object as Get Attributes All returned it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdentityObjectText {
    /// How the request went: "unconnected send, route 01 00" or "direct".
    pub via: String,
    /// The attributes.
    pub identity: IdentityText,
    /// otwire-enip's anomaly names for the reply.
    pub anomalies: Vec<&'static str>,
}

/// What `otprobe enip` learned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnipReport {
    /// "enip".
    pub protocol: &'static str,
    /// Address probed.
    pub target: String,
    /// ListIdentity over TCP.
    pub list_identity_tcp: Result<ListIdentityText, ProbeError>,
    /// ListIdentity over UDP.
    pub list_identity_udp: Result<ListIdentityText, ProbeError>,
    /// The session handle RegisterSession gave.
    pub session: Result<String, ProbeError>,
    /// The Identity object (Get Attributes All).
    pub identity_object: Result<IdentityObjectText, ProbeError>,
    /// Why the routed request failed, when the direct one was tried after it.
    pub routing_error: Option<String>,
    /// Whether UnRegisterSession was sent.
    pub unregistered: bool,
    /// Encapsulation messages sent (TCP and UDP).
    pub requests: u64,
}

fn emit_err(e: otwire_enip::EmitError) -> ProbeError {
    ProbeError::BadResponse(format!("cannot encode the request: {e}"))
}

fn not_enip(e: Error) -> ProbeError {
    ProbeError::NotProtocol(format!("not EtherNet/IP: {e}"))
}

/// Reads a ListIdentity reply's first identity item.
fn list_identity_reply(
    pdu: &Pdu<'_>,
    anomalies: otwire_enip::Anomalies,
) -> Result<ListIdentityText, ProbeError> {
    if pdu.header.command != Command::ListIdentity {
        return Err(ProbeError::BadResponse(format!(
            "answer to ListIdentity is {}",
            pdu.header.command
        )));
    }
    status_ok(pdu)?;
    let Body::ListIdentityReply(cpf) = pdu.body else {
        return Err(ProbeError::BadResponse(
            "ListIdentity reply without an item list".into(),
        ));
    };
    cpf.items()
        .find_map(|i| match i {
            Item::ListIdentity(id) => Some(ListIdentityText {
                encap_version: id.encap_version,
                socket: format!("{}:{}", id.socket.ip(), id.socket.port),
                identity: IdentityText::of_item(&id),
                anomalies: anomalies.names().collect(),
            }),
            _ => None,
        })
        .ok_or_else(|| {
            ProbeError::BadResponse("ListIdentity reply without an identity item".into())
        })
}

fn status_ok(pdu: &Pdu<'_>) -> Result<(), ProbeError> {
    let s = pdu.header.status;
    if s == EncapStatus::Success {
        return Ok(());
    }
    Err(ProbeError::Negative(format!(
        "encapsulation status {:#010x} ({})",
        s.value(),
        s.name().unwrap_or("unknown")
    )))
}

/// One TCP connection to port 44818: whole encapsulation messages in and out.
struct Conn {
    stream: TcpStream,
    config: ProbeConfig,
    buf: Vec<u8>,
    last: Option<Instant>,
    requests: u64,
}

impl Conn {
    fn connect(addr: SocketAddr, config: ProbeConfig) -> Result<Self, ProbeError> {
        let stream = crate::probe::connect(addr, &config)?;
        Ok(Conn {
            stream,
            config,
            buf: Vec::new(),
            last: None,
            requests: 0,
        })
    }

    fn send(&mut self, msg: &impl Emit) -> Result<(), ProbeError> {
        let bytes = msg.to_vec().map_err(emit_err)?;
        pace(&mut self.last, self.config.min_interval);
        self.requests += 1;
        self.stream.write_all(&bytes).map_err(io_error)
    }

    /// The next whole encapsulation message's bytes, within the timeout.
    fn receive(&mut self) -> Result<Vec<u8>, ProbeError> {
        let deadline = Instant::now() + self.config.timeout;
        let mut chunk = [0u8; 4096];
        loop {
            // A header whose command is not one of the encapsulation's, or with options
            // set, is no EtherNet/IP answer (HTTP, TLS... on port 44818).
            if let Ok(h) = Header::parse(&self.buf)
                && (!h.command.is_known() || h.options != 0)
            {
                return Err(ProbeError::NotProtocol(format!(
                    "not EtherNet/IP: command {:#06x}, options {:#010x}",
                    h.command.value(),
                    h.options
                )));
            }
            match split_frame(&self.buf) {
                Ok((_, rest)) => {
                    let used = self.buf.len() - rest.len();
                    return Ok(self.buf.drain(..used).collect());
                }
                Err(Error::Incomplete(_)) => {}
                Err(e) => return Err(not_enip(e)),
            }
            let n = crate::probe::read_before(&mut self.stream, deadline, &mut chunk)?;
            self.buf
                .extend_from_slice(chunk.get(..n).unwrap_or_default());
        }
    }

    /// Sends `msg` and returns the bytes of the reply.
    fn exchange(&mut self, msg: &impl Emit) -> Result<Vec<u8>, ProbeError> {
        self.send(msg)?;
        self.receive()
    }
}

/// ListIdentity over UDP: up to [`UDP_TRIES`] datagrams, each waiting the timeout.
fn udp_list_identity(
    addr: SocketAddr,
    config: ProbeConfig,
    requests: &mut u64,
) -> Result<ListIdentityText, ProbeError> {
    let local: SocketAddr = if addr.is_ipv4() {
        "0.0.0.0:0"
            .parse()
            .map_err(|_| ProbeError::Io("bind".into()))?
    } else {
        "[::]:0"
            .parse()
            .map_err(|_| ProbeError::Io("bind".into()))?
    };
    let sock = UdpSocket::bind(local).map_err(io_error)?;
    sock.connect(addr).map_err(io_error)?;
    sock.set_read_timeout(Some(config.timeout))
        .map_err(io_error)?;
    let request = list_identity().to_vec().map_err(emit_err)?;
    let mut buf = vec![0u8; 65_536];
    let mut last = None;
    for _ in 0..UDP_TRIES {
        pace(&mut last, config.min_interval);
        *requests += 1;
        sock.send(&request).map_err(io_error)?;
        match sock.recv(&mut buf) {
            Ok(n) => {
                let d = buf.get(..n).unwrap_or_default();
                let p = Pdu::from_datagram(d, Direction::Reply).map_err(not_enip)?;
                return list_identity_reply(&p.pdu, p.anomalies);
            }
            Err(e) => match io_error(e) {
                ProbeError::Timeout => continue,
                // ICMP port unreachable: nothing listens.
                other => return Err(other),
            },
        }
    }
    Err(ProbeError::Timeout)
}

/// The CIP reply a SendRRData answer carries.
fn cip_reply(bytes: &[u8]) -> Result<(Vec<u8>, otwire_enip::Anomalies), ProbeError> {
    let (p, _) = Pdu::split(bytes, Direction::Reply).map_err(not_enip)?;
    if p.pdu.header.command != Command::SendRrData {
        return Err(ProbeError::BadResponse(format!(
            "answer to SendRRData is {}",
            p.pdu.header.command
        )));
    }
    status_ok(&p.pdu)?;
    let cip = p
        .pdu
        .cip()
        .ok_or_else(|| ProbeError::BadResponse("SendRRData reply without CIP data".into()))?;
    Ok((cip.bytes.to_vec(), p.anomalies))
}

/// A CIP error reply as text: general status, its name, the first extended status word
/// (named for the Connection Manager's Unconnected Send).
pub fn cip_error_text(r: &Response<'_>) -> String {
    let g = GeneralStatus::from(r.general_status);
    let mut s = format!(
        "service {:#04x}: general status {:#04x} ({})",
        r.service | 0x80,
        r.general_status,
        g.name().unwrap_or("unknown")
    );
    if let Some(ext) = r.extended_status() {
        let name = if r.service == 0x52 {
            ConnectionManagerStatus::from(ext).name()
        } else {
            None
        };
        s.push_str(&format!(", extended {ext:#06x}"));
        if let Some(n) = name {
            s.push_str(&format!(" ({n})"));
        }
    }
    s
}

/// Get Attributes All of Identity instance 1, wrapped or not, and its decoding.
fn get_identity(
    c: &mut Conn,
    session: u32,
    route: Option<&[u8]>,
) -> Result<IdentityObjectText, ProbeError> {
    let gaa = get_attributes_all(0x01, 1);
    let (cip, via) = match route {
        Some(r) => (
            unconnected_send(gaa, r).to_vec().map_err(emit_err)?,
            format!(
                "unconnected send, route {}",
                r.iter()
                    .map(|b| format!("{b:02x}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
        ),
        None => (gaa.to_vec().map_err(emit_err)?, "direct".to_string()),
    };
    let reply = c.exchange(&send_rr_data(session, CONTEXT, &cip))?;
    let (bytes, encap_anomalies) = cip_reply(&reply)?;
    let msg = Message::parse(&bytes).map_err(|e| ProbeError::BadResponse(e.to_string()))?;
    let Message::Response(r) = msg.pdu else {
        return Err(ProbeError::BadResponse("a CIP request in the reply".into()));
    };
    if !r.is_success() {
        return Err(ProbeError::Negative(cip_error_text(&r)));
    }
    if r.service != 0x01 {
        return Err(ProbeError::BadResponse(format!(
            "reply to Get Attributes All is service {:#04x}",
            r.service | 0x80
        )));
    }
    let id = IdentityObject::parse(r.data)
        .map_err(|e| ProbeError::BadResponse(format!("Identity attributes: {e}")))?;
    Ok(IdentityObjectText {
        via,
        identity: IdentityText::of_object(&id.pdu),
        anomalies: (encap_anomalies | msg.anomalies | id.anomalies)
            .names()
            .collect(),
    })
}

/// Runs `otprobe enip`: ListIdentity over TCP, RegisterSession, the Identity object through
/// Unconnected Send on `route` (port segment, e.g. `[0x01, slot]`) and directly on failure,
/// UnRegisterSession, then ListIdentity over UDP. `Err` when neither TCP nor UDP answered.
pub fn probe(
    addr: SocketAddr,
    config: ProbeConfig,
    route: &[u8],
) -> Result<EnipReport, ProbeError> {
    let mut report = EnipReport {
        protocol: "enip",
        target: addr.to_string(),
        list_identity_tcp: Err(ProbeError::Timeout),
        list_identity_udp: Err(ProbeError::Timeout),
        session: Err(ProbeError::Timeout),
        identity_object: Err(ProbeError::Timeout),
        routing_error: None,
        unregistered: false,
        requests: 0,
    };
    match Conn::connect(addr, config) {
        Ok(mut c) => {
            tcp_steps(&mut c, &mut report, route);
            report.requests += c.requests;
        }
        Err(e) => {
            report.list_identity_tcp = Err(e.clone());
            report.session = Err(e.clone());
            report.identity_object = Err(e);
        }
    }
    let mut udp_requests = 0;
    report.list_identity_udp = udp_list_identity(addr, config, &mut udp_requests);
    report.requests += udp_requests;
    if report.list_identity_tcp.is_err()
        && report.list_identity_udp.is_err()
        && report.session.is_err()
    {
        return Err(report
            .list_identity_tcp
            .clone()
            .err()
            .unwrap_or(ProbeError::Timeout));
    }
    Ok(report)
}

/// The TCP steps; each failure is kept in the report and stops only what depends on it.
fn tcp_steps(c: &mut Conn, report: &mut EnipReport, route: &[u8]) {
    report.list_identity_tcp = c.exchange(&list_identity()).and_then(|b| {
        let (p, _) = Pdu::split(&b, Direction::Reply).map_err(not_enip)?;
        list_identity_reply(&p.pdu, p.anomalies)
    });
    // A connection that broke or a peer that is not EtherNet/IP answers nothing more.
    if let Err(e @ (ProbeError::Io(_) | ProbeError::NotProtocol(_))) = &report.list_identity_tcp {
        report.session = Err(e.clone());
        report.identity_object = Err(e.clone());
        return;
    }
    let session = c.exchange(&register_session()).and_then(|b| {
        let (p, _) = Pdu::split(&b, Direction::Reply).map_err(not_enip)?;
        if p.pdu.header.command != Command::RegisterSession {
            return Err(ProbeError::BadResponse(format!(
                "answer to RegisterSession is {}",
                p.pdu.header.command
            )));
        }
        status_ok(&p.pdu)?;
        if p.pdu.header.session == 0 {
            return Err(ProbeError::BadResponse("session handle 0".into()));
        }
        Ok(p.pdu.header.session)
    });
    let session = match session {
        Ok(s) => {
            report.session = Ok(format!("{s:#010x}"));
            s
        }
        Err(e) => {
            report.session = Err(e.clone());
            report.identity_object = Err(e);
            return;
        }
    };
    report.identity_object = match get_identity(c, session, Some(route)) {
        Ok(id) => Ok(id),
        Err(e @ (ProbeError::Io(_) | ProbeError::NotProtocol(_))) => Err(e),
        Err(routed) => {
            report.routing_error = Some(routed.to_string());
            get_identity(c, session, None)
        }
    };
    if c.send(&unregister_session(session)).is_ok() {
        report.unregistered = true;
    }
}
