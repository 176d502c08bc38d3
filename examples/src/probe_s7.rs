//! `otprobe s7`: read-only identification of an S7 CPU, as nmap's s7-info does it. A COTP
//! connection request (RFC 1006 §5, ISO 8073 §13.3) with the PG TSAPs of the rack and slot
//! (calling 01 00, called 01 rack·32+slot), and on refusal once more with calling and
//! called TSAP 02 00; setup communication (function 0xF0); then SZL reads (userdata, CPU
//! functions, read SZL): 0x0011 module identification, 0x001C component identification
//! and 0x0424 operating mode, answers sent in several data units fetched with follow-up
//! requests. Every answer is decoded with otwire-s7. Nothing is written, started or stopped.

use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::time::Instant;

use otwire_s7::userdata::USERDATA_HEAD;
use otwire_s7::{
    Body, ConnectRequest, CotpReassembler, DataTransportSize, Emit, ErrorCode, FunctionGroup,
    Header, Pdu, Response, ReturnCode, Rosctr, StreamDecoder, SzlAnswer, SzlId, SzlRecord, Tpdu,
    Tpkt, Userdata, UserdataBody, UserdataData, UserdataExt, UserdataParams, UserdataReassembler,
    UserdataType, frame, split_frame, subfunction,
};
use serde::Serialize;

use crate::probe::{ProbeConfig, ProbeError, io_error, pace};

/// The SZL lists `otprobe s7` reads, with their index: module identification, component
/// identification, operating mode.
pub const SZL_READS: [(u16, u16); 3] = [(0x0011, 0x0000), (0x001C, 0x0000), (0x0424, 0x0000)];

/// Most data units of one SZL answer `otprobe s7` asks for (one follow-up request each).
pub const MAX_FRAGMENTS: usize = 64;

/// The PDU size proposed in setup communication.
pub const PROPOSED_PDU_SIZE: u16 = 480;

/// Where the CPU sits: rack and slot (the called TSAP's second byte is rack·32+slot).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RackSlot {
    /// Rack (0-7).
    pub rack: u8,
    /// Slot (0-31).
    pub slot: u8,
}

/// One SZL record as otprobe shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordText {
    /// The record's index, for the lists whose records carry one.
    pub index: Option<u16>,
    /// What the record (or its index) holds, where otwire-s7 names it.
    pub field: Option<&'static str>,
    /// The value as text: a name, a version, a mode, or for a record otwire-s7 does not
    /// type the printable runs of its bytes.
    pub value: String,
    /// The record's bytes in hex.
    pub hex: String,
}

/// The answer to one SZL read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SzlList {
    /// Bytes per record, as the answer's header declares.
    pub record_len: u16,
    /// Records, as the answer's header declares.
    pub record_count: u16,
    /// The records.
    pub records: Vec<RecordText>,
    /// Bytes after the declared records, which no record holds: the printable runs.
    pub extra_text: Vec<String>,
    /// How many bytes follow the declared records.
    pub extra_bytes: usize,
    /// Data units the answer came in.
    pub data_units: usize,
    /// otwire-s7's anomaly names for the answer.
    pub anomalies: Vec<&'static str>,
    /// The identity the records give ([`crate::s7::identity_pairs`]); the report gathers
    /// it over every list.
    #[serde(skip)]
    pub identity: Vec<(String, String)>,
}

/// One SZL read and what came of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SzlOutcome {
    /// The list id ("0x0011").
    pub id: String,
    /// The index.
    pub index: u16,
    /// The list's name.
    pub name: Option<&'static str>,
    /// The answer, or why there is none.
    pub answer: Result<SzlList, ProbeError>,
}

/// What `otprobe s7` learned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct S7Report {
    /// "s7comm".
    pub protocol: &'static str,
    /// Address probed.
    pub target: String,
    /// Rack asked for.
    pub rack: u8,
    /// Slot asked for.
    pub slot: u8,
    /// The calling TSAP the connection was accepted with ("0x0100").
    pub calling_tsap: String,
    /// The called TSAP it was accepted with ("0x0102").
    pub called_tsap: String,
    /// Connection requests refused before (TSAPs and how).
    pub refused: Vec<String>,
    /// The TPDU size the connection confirm grants, in bytes.
    pub tpdu_size: Option<usize>,
    /// The PDU size the CPU granted in setup communication.
    pub pdu_size: u16,
    /// Parallel jobs the CPU accepts (max AmQ calling / called).
    pub max_amq_calling: u16,
    /// Max AmQ called.
    pub max_amq_called: u16,
    /// The identity the SZL answers give (`order_number`, `hardware`, `firmware`,
    /// `module_name`, `serial_number`...; see [`crate::s7::identity_pairs`]).
    pub identity: std::collections::BTreeMap<String, String>,
    /// The operating mode (SZL 0x0424), when answered.
    pub operating_mode: Option<String>,
    /// Every SZL read.
    pub szl: Vec<SzlOutcome>,
    /// S7 PDUs sent after the connection (setup, SZL reads, follow-ups).
    pub requests: u64,
}

fn tsap_text(t: [u8; 2]) -> String {
    format!("{:#06x}", u16::from_be_bytes(t))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Printable ASCII runs of at least three characters, trimmed.
pub fn text_runs(bytes: &[u8]) -> Vec<String> {
    bytes
        .split(|b| !(0x20..0x7F).contains(b))
        .map(|run| String::from_utf8_lossy(run).trim().to_string())
        .filter(|s| s.len() >= 3)
        .collect()
}

fn emit_err(e: otwire_s7::EmitError) -> ProbeError {
    ProbeError::BadResponse(format!("cannot encode the request: {e}"))
}

/// One ISO-on-TCP connection: TPKTs out, whole TSDUs (COTP DTs joined) in.
struct Conn {
    stream: TcpStream,
    config: ProbeConfig,
    decoder: StreamDecoder,
    cotp: CotpReassembler,
    last: Option<Instant>,
    requests: u64,
}

/// What arrived: a TPDU other than DT, or a whole TSDU.
enum Incoming {
    Confirm(Option<usize>),
    Refused(String),
    Tsdu(Vec<u8>),
}

impl Conn {
    fn connect(addr: SocketAddr, config: ProbeConfig) -> Result<Self, ProbeError> {
        let stream = crate::probe::connect(addr, &config)?;
        Ok(Conn {
            stream,
            config,
            decoder: StreamDecoder::new(),
            cotp: CotpReassembler::new(),
            last: None,
            requests: 0,
        })
    }

    fn send(&mut self, bytes: &[u8]) -> Result<(), ProbeError> {
        pace(&mut self.last, self.config.min_interval);
        self.stream.write_all(bytes).map_err(io_error)
    }

    fn send_pdu(&mut self, pdu: &impl Emit) -> Result<(), ProbeError> {
        let bytes = frame(pdu).to_vec().map_err(emit_err)?;
        self.requests += 1;
        self.send(&bytes)
    }

    /// The next connection confirm, refusal or whole TSDU, within the timeout.
    fn receive(&mut self) -> Result<Incoming, ProbeError> {
        let deadline = Instant::now() + self.config.timeout;
        let mut buf = [0u8; 4096];
        loop {
            loop {
                let tpkt = match self.decoder.next_frame() {
                    Ok(Some(b)) => b,
                    Ok(None) => break,
                    Err(e) => {
                        return Err(ProbeError::NotProtocol(format!("not TPKT: {e}")));
                    }
                };
                let (f, _) = split_frame(&tpkt)
                    .map_err(|e| ProbeError::NotProtocol(format!("not TPKT: {e}")))?;
                let t = Tpdu::parse(f.tpdu)
                    .map_err(|e| ProbeError::NotProtocol(format!("not COTP: {e}")))?;
                match t.pdu {
                    Tpdu::ConnectionConfirm(c) => return Ok(Incoming::Confirm(c.tpdu_size())),
                    Tpdu::DisconnectRequest { reason, .. } => {
                        return Ok(Incoming::Refused(format!(
                            "COTP disconnect request, reason {reason:#04x}"
                        )));
                    }
                    Tpdu::Error { cause, .. } => {
                        return Ok(Incoming::Refused(format!(
                            "COTP error TPDU, cause {cause:#04x}"
                        )));
                    }
                    Tpdu::Data(dt) => {
                        let (whole, _) = self.cotp.push(dt.eot, dt.user_data);
                        if let Some(tsdu) = whole {
                            return Ok(Incoming::Tsdu(tsdu.to_vec()));
                        }
                    }
                    other => {
                        return Err(ProbeError::BadResponse(format!(
                            "unexpected COTP {}",
                            other.code()
                        )));
                    }
                }
            }
            let n = crate::probe::read_before(&mut self.stream, deadline, &mut buf)?;
            self.decoder.push(buf.get(..n).unwrap_or_default());
        }
    }

    /// The next S7comm PDU's bytes (a TSDU starting 0x32).
    fn receive_s7(&mut self) -> Result<Vec<u8>, ProbeError> {
        match self.receive()? {
            Incoming::Tsdu(t) if t.first() == Some(&otwire_s7::S7COMM_PROTOCOL_ID) => Ok(t),
            Incoming::Tsdu(t) => Err(ProbeError::NotProtocol(format!(
                "COTP user data is not S7comm (first byte {:#04x})",
                t.first().copied().unwrap_or(0)
            ))),
            Incoming::Refused(how) => Err(ProbeError::Refused(how)),
            Incoming::Confirm(_) => Err(ProbeError::BadResponse(
                "a second connection confirm".into(),
            )),
        }
    }
}

/// An accepted connection and how it was reached.
struct Opened {
    conn: Conn,
    calling: [u8; 2],
    called: [u8; 2],
    tpdu_size: Option<usize>,
    refused: Vec<String>,
}

/// Opens the connection: CR with the rack/slot TSAPs, and on refusal with 02 00 / 02 00.
fn open(addr: SocketAddr, config: ProbeConfig, at: RackSlot) -> Result<Opened, ProbeError> {
    let rs = ((at.rack & 0x07) << 5) | (at.slot & 0x1F);
    let pairs = [([0x01, 0x00], [0x01, rs]), ([0x02, 0x00], [0x02, 0x00])];
    let mut refused = Vec::new();
    let mut last = ProbeError::Refused(String::new());
    for (calling, called) in pairs {
        let mut c = Conn::connect(addr, config)?;
        let cr = ConnectRequest {
            src_ref: 0x0001,
            tpdu_size: 0x0A,
            src_tsap: &calling,
            dst_tsap: &called,
        };
        c.send(&Tpkt(cr).to_vec().map_err(emit_err)?)?;
        let how = match c.receive() {
            Ok(Incoming::Confirm(tpdu_size)) => {
                return Ok(Opened {
                    conn: c,
                    calling,
                    called,
                    tpdu_size,
                    refused,
                });
            }
            Ok(Incoming::Refused(how)) => how,
            // A device that closes at once refuses the TSAPs (S7-1200s do).
            Err(ProbeError::Io(e)) => e,
            Ok(Incoming::Tsdu(_)) => {
                return Err(ProbeError::NotProtocol(
                    "data before the connection confirm".into(),
                ));
            }
            Err(e) => return Err(e),
        };
        let text = format!("{} -> {}: {how}", tsap_text(calling), tsap_text(called));
        last = ProbeError::Refused(text.clone());
        refused.push(text);
    }
    Err(last)
}

/// A follow-up request for the next data unit of a userdata answer (method 0x12, the
/// answer's sequence number and data-unit reference, data header `0A 00`).
fn follow_up(pdu_ref: u16, sequence: u8, data_unit_ref: u8) -> Pdu<'static> {
    Pdu {
        header: Header {
            rosctr: Rosctr::Userdata,
            redundancy_id: 0,
            pdu_ref,
            param_len: 0,
            data_len: 0,
            error: None,
        },
        body: Body::Userdata(Userdata {
            params: UserdataParams {
                head: USERDATA_HEAD,
                method: 0x12,
                kind: UserdataType::Request,
                group: FunctionGroup::CpuFunctions,
                subfunction: subfunction::READ_SZL,
                sequence,
                ext: Some(UserdataExt {
                    data_unit_ref,
                    last_unit: 0,
                    error: ErrorCode::NoError,
                }),
            },
            data: Some(UserdataData {
                return_code: ReturnCode::ObjectDoesNotExist,
                transport_size: DataTransportSize::Null,
                length: 0,
                payload: &[],
            }),
            body: UserdataBody::Empty,
            raw_data: &[],
        }),
    }
}

/// Reads one SZL: the request, then follow-ups while the answer has more data units.
fn read_szl(c: &mut Conn, pdu_ref: &mut u16, id: u16, index: u16) -> Result<SzlList, ProbeError> {
    *pdu_ref = pdu_ref.wrapping_add(1);
    c.send_pdu(&Pdu::szl_read(*pdu_ref, 0, id, index))?;
    let mut joiner = UserdataReassembler::new();
    let mut units = 0usize;
    let mut anomalies = otwire_s7::Anomalies::empty();
    loop {
        let bytes = c.receive_s7()?;
        let parsed = Pdu::parse(&bytes).map_err(|e| ProbeError::BadResponse(e.to_string()))?;
        let Body::Userdata(u) = parsed.pdu.body else {
            return Err(ProbeError::BadResponse(format!(
                "answer to an SZL read is a {} PDU",
                parsed.pdu.header.rosctr
            )));
        };
        let p = u.params;
        if !p.is_response()
            || p.group != FunctionGroup::CpuFunctions
            || p.subfunction != subfunction::READ_SZL
        {
            return Err(ProbeError::BadResponse(format!(
                "answer to an SZL read is userdata {} / {} ({})",
                p.group, p.subfunction, p.kind
            )));
        }
        units += 1;
        // SZL error returns are answers, not anomalies: the error code of the parameter
        // part, or a return code other than success in the data header.
        if let Some(e) = p.ext.map(|e| e.error).filter(|e| e.value() != 0) {
            return Err(ProbeError::Negative(format!(
                "error {:#06x} ({})",
                e.value(),
                e.name().unwrap_or("unknown")
            )));
        }
        if let Some(d) = u.data.filter(|d| d.return_code != ReturnCode::Success) {
            return Err(ProbeError::Negative(format!(
                "return code {:#04x} ({})",
                d.return_code.value(),
                d.return_code.name().unwrap_or("unknown")
            )));
        }
        anomalies |= parsed.anomalies;
        let joined = match u.body {
            UserdataBody::Szl(_) => u.payload().to_vec(),
            UserdataBody::Fragment { .. } => match joiner.push(&u) {
                (Some(whole), _) => whole.payload,
                (None, a) if a.is_empty() && units < MAX_FRAGMENTS => {
                    let dur = p.ext.map_or(0, |e| e.data_unit_ref);
                    *pdu_ref = pdu_ref.wrapping_add(1);
                    c.send_pdu(&follow_up(*pdu_ref, p.sequence, dur))?;
                    continue;
                }
                (None, a) => {
                    return Err(ProbeError::BadResponse(format!(
                        "SZL answer in more than {MAX_FRAGMENTS} data units, or too long ({})",
                        a.names().collect::<Vec<_>>().join(" ")
                    )));
                }
            },
            UserdataBody::Empty => {
                return Err(ProbeError::Negative("an answer without data".into()));
            }
            _ => u.payload().to_vec(),
        };
        return describe(&joined, units, anomalies);
    }
}

/// Decodes a whole SZL answer's payload with otwire-s7.
fn describe(
    payload: &[u8],
    units: usize,
    first: otwire_s7::Anomalies,
) -> Result<SzlList, ProbeError> {
    let (answer, a) = SzlAnswer::parse(payload, true).ok_or_else(|| {
        ProbeError::BadResponse(format!(
            "SZL answer of {} bytes, shorter than its header",
            payload.len()
        ))
    })?;
    let mut records = Vec::new();
    let len = usize::from(answer.record_len);
    for (r, bytes) in answer.iter().zip(answer.records.chunks(len.max(1))) {
        records.push(record_text(&r, bytes));
    }
    let used = (len * records.len()).min(answer.records.len());
    let extra = answer.records.get(used..).unwrap_or_default();
    Ok(SzlList {
        record_len: answer.record_len,
        record_count: answer.record_count,
        records,
        extra_text: text_runs(extra),
        extra_bytes: extra.len(),
        data_units: units,
        anomalies: (first | a).names().collect(),
        identity: crate::s7::identity_pairs(&answer).collect(),
    })
}

fn record_text(r: &SzlRecord<'_>, bytes: &[u8]) -> RecordText {
    let text = |b: &[u8]| crate::assets::clip(b).trim().to_string();
    let (index, field, value) = match r {
        SzlRecord::ModuleId(m) => {
            let field = match m.index {
                1 => "module",
                6 => "basic hardware",
                7 => "basic firmware",
                _ => "module identification",
            };
            let mut value = text(m.order_number());
            if let Some((x, y, z)) = m.version() {
                value = format!("{value} V{x}.{y}.{z}").trim().to_string();
            }
            (Some(m.index), Some(field), value)
        }
        SzlRecord::ComponentId(c) => (Some(c.index), c.field(), text(c.value())),
        SzlRecord::Mode(m) => (
            None,
            Some("operating mode"),
            mode_text(m.mode(), m.previous_mode()),
        ),
        SzlRecord::Raw { bytes } => (None, None, text_runs(bytes).join(" ")),
        other => (None, None, format!("{other:?}")),
    };
    RecordText {
        index,
        field,
        value,
        hex: hex(bytes),
    }
}

fn mode_text(mode: u8, previous: u8) -> String {
    let name = |m: u8| {
        otwire_s7::szl::ModeRecord::mode_name(m)
            .map_or_else(|| format!("mode {m:#04x}"), str::to_string)
    };
    format!("{} (previously {})", name(mode), name(previous))
}

/// Runs `otprobe s7`: connect, setup communication, the SZL reads of [`SZL_READS`].
pub fn probe(addr: SocketAddr, config: ProbeConfig, at: RackSlot) -> Result<S7Report, ProbeError> {
    let Opened {
        conn: mut c,
        calling,
        called,
        tpdu_size,
        refused,
    } = open(addr, config, at)?;
    // PDU references count from 1; each SZL read and follow-up takes the next.
    let mut pdu_ref = 1u16;
    c.send_pdu(&Pdu::setup(pdu_ref, PROPOSED_PDU_SIZE))?;
    let bytes = c.receive_s7()?;
    let parsed = Pdu::parse(&bytes).map_err(|e| ProbeError::NotProtocol(e.to_string()))?;
    if let Some(e) = parsed.pdu.error().filter(|e| !e.is_ok()) {
        return Err(ProbeError::Negative(format!(
            "setup communication refused: {:#06x} ({})",
            e.error_code().value(),
            e.error_code().name().unwrap_or("unknown")
        )));
    }
    let Body::Response(Response::Setup(setup)) = parsed.pdu.body else {
        return Err(ProbeError::BadResponse(format!(
            "answer to setup communication is a {} PDU",
            parsed.pdu.header.rosctr
        )));
    };
    let mut report = S7Report {
        protocol: "s7comm",
        target: addr.to_string(),
        rack: at.rack,
        slot: at.slot,
        calling_tsap: tsap_text(calling),
        called_tsap: tsap_text(called),
        refused,
        tpdu_size,
        pdu_size: setup.pdu_size,
        max_amq_calling: setup.max_amq_calling,
        max_amq_called: setup.max_amq_called,
        identity: Default::default(),
        operating_mode: None,
        szl: Vec::new(),
        requests: 0,
    };
    for (id, index) in SZL_READS {
        let answer = read_szl(&mut c, &mut pdu_ref, id, index);
        let lost = matches!(
            answer,
            Err(ProbeError::Io(_) | ProbeError::Timeout | ProbeError::NotProtocol(_))
        );
        if let Ok(list) = &answer {
            for (k, v) in &list.identity {
                report
                    .identity
                    .entry(k.clone())
                    .or_insert_with(|| v.clone());
            }
            if report.operating_mode.is_none() {
                report.operating_mode = list
                    .records
                    .iter()
                    .find(|r| r.field == Some("operating mode"))
                    .map(|r| r.value.clone());
            }
        }
        report.szl.push(SzlOutcome {
            id: format!("{:#06x}", id),
            index,
            name: SzlId(id).name(),
            answer,
        });
        // A connection that broke or a peer that stopped speaking S7 answers nothing more.
        if lost {
            break;
        }
    }
    report.requests = c.requests;
    Ok(report)
}
