//! `otprobe iec104`: a polite IEC 60870-5-104 controlling station: STARTDT (§5.3), one
//! station interrogation (C_IC_NA_1 with QOI 20, IEC 60870-5-101 §7.3.4.1), S frames to
//! acknowledge what arrives (§5.2), then STOPDT. It lists each common address and the
//! points it reported, with types and values. It sends no command and no set-point.

use std::collections::BTreeMap;
use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::time::Instant;

use otwire_iec104::builders::{self, Request};
use otwire_iec104::{
    Apci, Apdu, Cause, CommonAddress, DoublePointState, Element, Emit, Params, Qoi, SeqNum,
    StreamDecoder, TypeId, UFunction, split_frame,
};
use serde::Serialize;

use crate::probe::{ProbeConfig, ProbeError, io_error, pace};

/// One point the station reported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Iec104Point {
    /// Information object address.
    pub ioa: u32,
    /// Type identification (number).
    pub type_id: u8,
    /// Its mnemonic (`M_ME_NC_1`…).
    pub type_name: &'static str,
    /// The value as text.
    pub value: String,
    /// Whether every quality bit is clear (when the type has a quality descriptor).
    pub good: Option<bool>,
}

/// What `otprobe iec104` learned.
#[derive(Debug, Serialize)]
pub struct Iec104Report {
    /// "iec104".
    pub protocol: &'static str,
    /// Address probed.
    pub target: String,
    /// Common address interrogated (65535 = all stations).
    pub interrogated: u16,
    /// Whether STARTDT was confirmed.
    pub startdt_confirmed: bool,
    /// Whether the interrogation was confirmed (COT 7) and terminated (COT 10).
    pub interrogation_confirmed: bool,
    /// Whether the interrogation was terminated (COT 10).
    pub interrogation_terminated: bool,
    /// Points per common address, sorted by IOA.
    pub stations: BTreeMap<u16, Vec<Iec104Point>>,
    /// Whether STOPDT was confirmed.
    pub stopdt_confirmed: bool,
    /// I frames received.
    pub i_frames: u64,
    /// APDUs sent.
    pub requests: u64,
}

/// The value of an information element as text, and whether its quality is good.
pub fn element_text(e: &Element<'_>) -> (String, Option<bool>) {
    match e {
        Element::SinglePoint { siq, .. } => (siq.on().to_string(), Some(siq.is_good())),
        Element::DoublePoint { diq, .. } => (
            match diq.state() {
                DoublePointState::On => "ON".into(),
                DoublePointState::Off => "OFF".into(),
                DoublePointState::Intermediate => "INTERMEDIATE".into(),
                DoublePointState::Indeterminate => "INDETERMINATE".into(),
            },
            Some(diq.is_good()),
        ),
        Element::Normalized { value, qds, .. } => {
            (value.to_f32().to_string(), qds.map(|q| q.is_good()))
        }
        Element::Scaled { value, qds, .. } => (value.to_string(), Some(qds.is_good())),
        Element::Float { value, qds, .. } => (value.to_string(), Some(qds.is_good())),
        Element::IntegratedTotals { bcr, .. } => (bcr.value.to_string(), None),
        Element::Bitstring { bsi, qds, .. } => (format!("{bsi:#010x}"), Some(qds.is_good())),
        other => (format!("{other:?}"), None),
    }
}

struct Conn {
    stream: TcpStream,
    config: ProbeConfig,
    decoder: StreamDecoder,
    last: Option<Instant>,
    vs: SeqNum,
    vr: SeqNum,
    unacked: u16,
    requests: u64,
    i_frames: u64,
}

impl Conn {
    fn pace(&mut self) {
        pace(&mut self.last, self.config.min_interval);
    }

    fn send(&mut self, bytes: &[u8]) -> Result<(), ProbeError> {
        self.pace();
        self.requests += 1;
        self.stream.write_all(bytes).map_err(io_error)
    }

    fn send_apci(&mut self, apci: Apci) -> Result<(), ProbeError> {
        let bytes = apci
            .to_vec()
            .map_err(|e| ProbeError::BadResponse(e.to_string()))?;
        self.send(&bytes)
    }

    /// Acknowledges every I frame received (an S frame, §5.2).
    fn ack(&mut self) -> Result<(), ProbeError> {
        if self.unacked > 0 {
            self.unacked = 0;
            self.send_apci(builders::s_frame(self.vr))?;
        }
        Ok(())
    }

    /// Reads APDUs, handing each to `f`, until `f` says done, or the timeout. I frames are
    /// counted and acknowledged every 8 (the default w, §5.5); TESTFR act is answered.
    fn receive(&mut self, mut f: impl FnMut(&Apdu<'_>) -> bool) -> Result<(), ProbeError> {
        let deadline = Instant::now() + self.config.timeout;
        let mut buf = [0u8; 4096];
        loop {
            loop {
                let bytes = match self.decoder.next_frame() {
                    Ok(Some(b)) => b,
                    Ok(None) => break,
                    // Junk was skipped; frames may follow in what is buffered.
                    Err(_) => continue,
                };
                let Ok((frame, _)) = split_frame(&bytes) else {
                    continue;
                };
                let Ok(parsed) = Apdu::parse(&frame, Params::IEC104) else {
                    continue;
                };
                let apdu = parsed.pdu;
                match apdu.apci {
                    Apci::I { .. } => {
                        self.i_frames += 1;
                        self.vr = self.vr.next();
                        self.unacked += 1;
                    }
                    Apci::U(UFunction::TestFrAct) => {
                        self.send_apci(builders::testfr_con())?;
                    }
                    _ => {}
                }
                let done = f(&apdu);
                if self.unacked >= 8 {
                    self.ack()?;
                }
                if done {
                    return Ok(());
                }
            }
            let n = crate::probe::read_before(&mut self.stream, deadline, &mut buf)?;
            self.decoder.push(buf.get(..n).unwrap_or_default());
        }
    }
}

/// Most points kept over all stations.
pub const MAX_POINTS: usize = 65_536;

/// Runs `otprobe iec104`: STARTDT, station interrogation of `ca`, STOPDT.
pub fn probe(addr: SocketAddr, config: ProbeConfig, ca: u16) -> Result<Iec104Report, ProbeError> {
    let stream = crate::probe::connect(addr, &config)?;
    let mut c = Conn {
        stream,
        config,
        decoder: StreamDecoder::new(),
        last: None,
        vs: SeqNum::new(0),
        vr: SeqNum::new(0),
        unacked: 0,
        requests: 0,
        i_frames: 0,
    };
    let mut report = Iec104Report {
        protocol: "iec104",
        target: addr.to_string(),
        interrogated: ca,
        startdt_confirmed: false,
        interrogation_confirmed: false,
        interrogation_terminated: false,
        stations: BTreeMap::new(),
        stopdt_confirmed: false,
        i_frames: 0,
        requests: 0,
    };

    c.send_apci(builders::startdt_act())?;
    c.receive(|a| matches!(a.apci, Apci::U(UFunction::StartDtCon)))?;
    report.startdt_confirmed = true;

    let gi = Request::interrogation(CommonAddress(ca), Qoi::STATION);
    let bytes = gi
        .i_frame(c.vs, c.vr)
        .to_vec()
        .map_err(|e| ProbeError::BadResponse(e.to_string()))?;
    c.vs = c.vs.next();
    c.send(&bytes)?;
    let (mut confirmed, mut terminated) = (false, false);
    let stations = &mut report.stations;
    let mut kept = 0usize;
    let result = c.receive(|a| {
        let Some(asdu) = &a.asdu else {
            return false;
        };
        let h = asdu.header;
        if h.type_id == TypeId::from(100u8) {
            match h.cot.cause {
                c if c == Cause::from(7u8) => confirmed = !h.cot.negative,
                c if c == Cause::from(10u8) => terminated = true,
                _ => {}
            }
            // A negative confirmation ends the interrogation too.
            return terminated || h.cot.negative;
        }
        let type_id = u8::from(h.type_id);
        if kept >= MAX_POINTS {
            return false;
        }
        let points = stations.entry(h.common_address.0).or_default();
        for o in asdu.objects() {
            if kept >= MAX_POINTS {
                break;
            }
            kept += 1;
            let (value, good) = element_text(&o.element);
            points.push(Iec104Point {
                ioa: o.address.0,
                type_id,
                type_name: h.type_id.name().unwrap_or("reserved"),
                value,
                good,
            });
        }
        false
    });
    report.interrogation_confirmed = confirmed;
    report.interrogation_terminated = terminated;
    for points in report.stations.values_mut() {
        points.sort_by_key(|p| p.ioa);
    }
    // Acknowledge everything before STOPDT (§5.3), then stop.
    let stop = c.ack().and_then(|()| {
        c.send_apci(builders::stopdt_act())?;
        c.receive(|a| matches!(a.apci, Apci::U(UFunction::StopDtCon)))
    });
    report.stopdt_confirmed = stop.is_ok();
    report.i_frames = c.i_frames;
    report.requests = c.requests;
    if let Err(e) = result
        && report.stations.is_empty()
    {
        return Err(e);
    }
    Ok(report)
}
