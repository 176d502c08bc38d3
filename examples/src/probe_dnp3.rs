//! `otprobe dnp3`: a polite, read-only DNP3 master over TCP (IEEE 1815-2012): a Request
//! Link Status (§9.2.6.4), a Read of all device attributes (g0v254, §11.1), and a class 0
//! Read (g60v1, the static data), reporting the link addresses, IIN and what was read.
//! The only other frame it ever sends is an application Confirm (function 0, §4.2.2.4.1)
//! when a response asks for one: it acknowledges, it changes nothing.

use std::collections::BTreeMap;
use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::time::Instant;

use otwire_dnp3::{
    Address, Apdu, AppControl, Emit, FragmentWriter, FunctionCode, Iin, LinkControl, LinkFrame,
    LinkFunction, LinkHeader, PrimaryFunction, Reassembler, SecondaryFunction, StreamDecoder,
    TransportFrames, Value, split_frame,
};
use serde::Serialize;

use crate::dnp3::{attribute_name as dnp3_attribute_name, attribute_value as dnp3_attribute_value};
use crate::probe::{ProbeConfig, ProbeError, io_error, pace};

/// Most response fragments read for one request (a multi-fragment response ends with FIN).
pub const MAX_FRAGMENTS: usize = 256;
/// Most points kept from one response.
pub const MAX_POINTS: usize = 65_536;

/// Addresses to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dnp3Addresses {
    /// This master's link address (source of our frames).
    pub master: u16,
    /// The outstation's link address (destination of our frames).
    pub outstation: u16,
}

/// One point of a response.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dnp3Point {
    /// Object group.
    pub group: u8,
    /// Object variation.
    pub variation: u8,
    /// Point index.
    pub index: u32,
    /// The value as text.
    pub value: String,
}

/// The answer to one Read.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Dnp3Read {
    /// Source link address of the response.
    pub outstation: u16,
    /// Internal indications (IIN1 high octet), and their names.
    pub iin: u16,
    /// Names of the IIN bits set.
    pub iin_names: Vec<&'static str>,
    /// Fragments in the response.
    pub fragments: usize,
    /// Points read.
    pub points: Vec<Dnp3Point>,
    /// Device attributes read (g0): name to value.
    pub attributes: BTreeMap<String, String>,
}

/// A DNP3 master on one TCP connection.
#[derive(Debug)]
pub struct Dnp3Client {
    stream: TcpStream,
    config: ProbeConfig,
    addrs: Dnp3Addresses,
    decoder: StreamDecoder,
    reasm: Reassembler,
    app_seq: u8,
    tp_seq: u8,
    last: Option<Instant>,
    /// Frames sent.
    pub requests: u64,
}

/// Text of a point value.
pub fn value_text(v: &Value<'_>) -> String {
    match v {
        Value::Bit(b) => b.to_string(),
        Value::Status { flags, .. } => format!("{} (flags {:#04x})", flags.state(), flags.0),
        Value::Counter { value, flags, .. } => match flags {
            Some(f) => format!("{value} (flags {:#04x})", f.0),
            None => value.to_string(),
        },
        Value::Analog { value, flags, .. } => match flags {
            Some(f) => format!("{} (flags {:#04x})", value.as_f64(), f.0),
            None => value.as_f64().to_string(),
        },
        other => format!("{other:?}"),
    }
}

impl Dnp3Client {
    /// Connects.
    pub fn connect(
        addr: SocketAddr,
        config: ProbeConfig,
        addrs: Dnp3Addresses,
    ) -> Result<Self, ProbeError> {
        let stream = TcpStream::connect_timeout(&addr, config.timeout)
            .map_err(|e| ProbeError::Connect(e.to_string()))?;
        stream
            .set_read_timeout(Some(config.timeout))
            .map_err(io_error)?;
        stream
            .set_write_timeout(Some(config.timeout))
            .map_err(io_error)?;
        let _ = stream.set_nodelay(true);
        Ok(Dnp3Client {
            stream,
            config,
            addrs,
            decoder: StreamDecoder::new(),
            reasm: Reassembler::new(),
            app_seq: 0,
            tp_seq: 0,
            last: None,
            requests: 0,
        })
    }

    fn pace(&mut self) {
        pace(&mut self.last, self.config.min_interval);
    }

    fn header(&self, function: PrimaryFunction) -> LinkHeader {
        LinkHeader {
            control: LinkControl::primary(true, function, false),
            destination: Address(self.addrs.outstation),
            source: Address(self.addrs.master),
        }
    }

    fn send(&mut self, bytes: &[u8]) -> Result<(), ProbeError> {
        self.pace();
        self.requests += 1;
        self.stream.write_all(bytes).map_err(io_error)
    }

    /// Reads until `done` accepts a frame (returns Some), or the timeout.
    fn receive<T>(
        &mut self,
        mut done: impl FnMut(&mut Self, &otwire_dnp3::Frame<'_>) -> Result<Option<T>, ProbeError>,
    ) -> Result<T, ProbeError> {
        let deadline = Instant::now() + self.config.timeout;
        let mut buf = [0u8; 2048];
        loop {
            loop {
                let bytes = match self.decoder.next_frame() {
                    Ok(Some(b)) => b,
                    Ok(None) => break,
                    // Junk was skipped; frames may follow in what is buffered.
                    Err(_) => continue,
                };
                if let Ok((frame, _)) = split_frame(&bytes)
                    && let Some(t) = done(self, &frame)?
                {
                    return Ok(t);
                }
            }
            let n = crate::probe::read_before(&mut self.stream, deadline, &mut buf)?;
            self.decoder.push(buf.get(..n).unwrap_or_default());
        }
    }

    /// Request Link Status (§9.2.6.4); returns the source address of the Link Status.
    pub fn link_status(&mut self) -> Result<u16, ProbeError> {
        let frame = LinkFrame {
            header: self.header(PrimaryFunction::RequestLinkStatus),
            user_data: &[],
        };
        let bytes = frame
            .to_vec()
            .map_err(|e| ProbeError::BadResponse(e.to_string()))?;
        self.send(&bytes)?;
        self.receive(|_, f| {
            Ok(matches!(
                f.header.control.function(),
                LinkFunction::Secondary(SecondaryFunction::LinkStatus)
            )
            .then_some(f.header.source.0))
        })
    }

    fn send_fragment(&mut self, fragment: &[u8]) -> Result<(), ProbeError> {
        let frames = TransportFrames {
            header: self.header(PrimaryFunction::UnconfirmedUserData),
            first_seq: self.tp_seq,
            fragment,
        };
        let n = frames.segments().count();
        self.tp_seq = ((usize::from(self.tp_seq) + n) % 64) as u8;
        let bytes = frames
            .to_vec()
            .map_err(|e| ProbeError::BadResponse(e.to_string()))?;
        self.send(&bytes)
    }

    /// Sends a Read with the given all-objects headers (qualifier 0x06) and collects the
    /// whole response (every fragment up to FIN, confirming those that ask).
    pub fn read_all(&mut self, headers: &[(u8, u8)]) -> Result<Dnp3Read, ProbeError> {
        let seq = self.app_seq;
        self.app_seq = (self.app_seq + 1) % 16;
        let mut buf = [0u8; 64];
        let len = {
            let mut w =
                FragmentWriter::request(&mut buf, AppControl::request(seq), FunctionCode::Read)
                    .map_err(|e| ProbeError::BadResponse(e.to_string()))?;
            for &(g, v) in headers {
                w.all(g, v)
                    .map_err(|e| ProbeError::BadResponse(e.to_string()))?;
            }
            w.finish()
        };
        let fragment = buf.get(..len).unwrap_or_default().to_vec();
        self.send_fragment(&fragment)?;
        let mut out = Dnp3Read::default();
        let mut iin = Iin::empty();
        loop {
            if out.fragments >= MAX_FRAGMENTS {
                return Err(ProbeError::BadResponse(format!(
                    "more than {MAX_FRAGMENTS} fragments without FIN"
                )));
            }
            let (data, source) = self.receive(|c, f| {
                let pushed = c.reasm.push_frame(f);
                Ok(pushed.fragment.map(|frag| (frag.data, frag.source.0)))
            })?;
            let Ok(parsed) = Apdu::parse(&data) else {
                continue;
            };
            let apdu = parsed.pdu;
            if apdu.function != FunctionCode::Response || apdu.control.seq != seq {
                // Unsolicited or stale: not ours.
                continue;
            }
            out.outstation = source;
            out.fragments += 1;
            iin |= apdu.iin.unwrap_or_default();
            for h in apdu.objects {
                for p in h.points() {
                    if let Value::DeviceAttribute(a) = p.value {
                        out.attributes
                            .insert(dnp3_attribute_name(h.variation), dnp3_attribute_value(&a));
                    } else if out.points.len() < MAX_POINTS {
                        out.points.push(Dnp3Point {
                            group: h.group,
                            variation: h.variation,
                            index: p.index,
                            value: value_text(&p.value),
                        });
                    }
                }
            }
            if apdu.control.con {
                let confirm = AppControl {
                    fir: true,
                    fin: true,
                    con: false,
                    uns: false,
                    seq: apdu.control.seq,
                };
                let mut cbuf = [0u8; 4];
                let n = FragmentWriter::request(&mut cbuf, confirm, FunctionCode::Confirm)
                    .map_err(|e| ProbeError::BadResponse(e.to_string()))?
                    .finish();
                let c = cbuf.get(..n).unwrap_or_default().to_vec();
                self.send_fragment(&c)?;
            }
            if apdu.control.fin {
                break;
            }
        }
        out.iin = iin.bits();
        out.iin_names = iin.iter_names().map(|(n, _)| n).collect();
        Ok(out)
    }
}

/// Everything `otprobe dnp3` learned.
#[derive(Debug, Serialize)]
pub struct Dnp3Report {
    /// "dnp3".
    pub protocol: &'static str,
    /// Address probed.
    pub target: String,
    /// Our master address.
    pub master_address: u16,
    /// The outstation address asked.
    pub outstation_address: u16,
    /// Source address of the Link Status answer.
    pub link_status: Result<u16, ProbeError>,
    /// The g0 device attribute read.
    pub device_attributes: Result<Dnp3Read, ProbeError>,
    /// The class 0 read.
    pub class0: Result<Dnp3Read, ProbeError>,
    /// Frames sent.
    pub requests: u64,
}

/// Runs the three steps of `otprobe dnp3`.
pub fn probe(
    addr: SocketAddr,
    config: ProbeConfig,
    addrs: Dnp3Addresses,
) -> Result<Dnp3Report, ProbeError> {
    let mut c = Dnp3Client::connect(addr, config, addrs)?;
    let link_status = c.link_status();
    let device_attributes = c.read_all(&[(0, 254)]);
    let class0 = c.read_all(&[(60, 1)]);
    Ok(Dnp3Report {
        protocol: "dnp3",
        target: addr.to_string(),
        master_address: addrs.master,
        outstation_address: addrs.outstation,
        link_status,
        device_attributes,
        class0,
        requests: c.requests,
    })
}
