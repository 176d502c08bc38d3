//! Helpers shared by the otwire benches: corpora built from the real captures in
//! `$OTWIRE_CAPTURES` (see `../shared/captures/MANIFEST.tsv`), or generated when the captures
//! are not there, so that every bench compiles and runs anywhere.

use std::collections::HashMap;
use std::path::Path;

use etherparse::{LaxNetSlice, LaxSlicedPacket, TransportSlice};
use otwire_modbus::{Adu, Emit, PORT, StreamDecoder, TransactionId, UnitId};

pub mod detect_plant;
mod enip;
mod once;
pub use once::run_row_from_env;

/// A deterministic xorshift generator of the generated corpora: `next(n)` is in `0..n`.
pub(crate) fn xorshift() -> impl FnMut(u64) -> u64 {
    let mut rng = 0x2545_F491_4F6C_DD1Du64;
    move |n: u64| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng % n.max(1)
    }
}
mod s7;
pub use enip::{EnipCorpus, captured_enip_corpus, enip_corpus, generated_enip_corpus};
pub use s7::{S7_CAPTURES, S7Corpus, captured_s7_corpus, generated_s7_corpus, s7_corpus};

/// A Modbus/TCP corpus: the client-to-server and server-to-client byte streams (whole MBAP
/// frames back to back) and how many frames each holds.
#[derive(Debug, Clone, Default)]
pub struct ModbusCorpus {
    /// Requests, concatenated.
    pub requests: Vec<u8>,
    /// Frames in `requests`.
    pub request_frames: usize,
    /// Responses, concatenated.
    pub responses: Vec<u8>,
    /// Frames in `responses`.
    pub response_frames: usize,
    /// Where the corpus came from.
    pub source: String,
}

impl ModbusCorpus {
    /// Bytes in both streams.
    pub fn bytes(&self) -> usize {
        self.requests.len() + self.responses.len()
    }

    /// Frames in both streams.
    pub fn frames(&self) -> usize {
        self.request_frames + self.response_frames
    }

    fn add(&mut self, request: bool, adu: &[u8]) {
        if request {
            self.requests.extend_from_slice(adu);
            self.request_frames += 1;
        } else {
            self.responses.extend_from_slice(adu);
            self.response_frames += 1;
        }
    }
}

/// The Modbus captures the bench corpus is made of: polling of many function codes by
/// real masters and slaves.
pub const MODBUS_CAPTURES: &[&str] = &[
    "modbus/plant1_ModbusTCP.pcap",
    "modbus/iti_modbus_test.pcap",
    "modbus/ndpi_modbus.pcap",
    "modbus/emre_modbusAnalog.pcap",
    "modbus/iti_modicon_umas_test.pcap",
    "modbus/quickdraw_modbus_test_data_part1.pcap",
    "mixed/zeek_modbusBig.pcap",
    "mixed/plant1_mb2_modbus_s7_enip.pcap",
];

/// The Modbus corpus: from the captures when `$OTWIRE_CAPTURES` is set and holds them,
/// else [`generated_modbus_corpus`].
pub fn modbus_corpus() -> ModbusCorpus {
    if let Some(dir) = std::env::var_os("OTWIRE_CAPTURES") {
        let c = captured_modbus_corpus(Path::new(&dir));
        if c.frames() > 0 {
            return c;
        }
    }
    generated_modbus_corpus(20_000)
}

/// Every Modbus/TCP frame of [`MODBUS_CAPTURES`] under `dir` (files that are missing or
/// unreadable are left out), each TCP direction reassembled in sequence order and framed
/// by [`StreamDecoder`].
pub fn captured_modbus_corpus(dir: &Path) -> ModbusCorpus {
    let mut corpus = ModbusCorpus::default();
    let mut used = Vec::new();
    for name in MODBUS_CAPTURES {
        let Ok(file) = std::fs::read(dir.join(name)) else {
            continue;
        };
        let before = corpus.frames();
        for (request, adu) in tcp_frames(&file) {
            corpus.add(request, &adu);
        }
        if corpus.frames() > before {
            used.push(*name);
        }
    }
    corpus.source = format!("captures: {}", used.join(", "));
    corpus
}

/// One direction of a TCP connection: (source, destination) address and port.
pub(crate) type FlowKey = ([u8; 16], u16, [u8; 16], u16);

/// The Modbus/TCP frames (with their direction: `true` for requests, to port 502) of a
/// pcap or pcapng file held in memory, in capture order.
pub fn tcp_frames(file: &[u8]) -> Vec<(bool, Vec<u8>)> {
    let mut out = Vec::new();
    let mut decoders: HashMap<FlowKey, StreamDecoder> = HashMap::new();
    tcp_payloads(file, PORT, |key, gap, bytes| {
        let dec = decoders.entry(key).or_default();
        if gap {
            dec.gap();
        }
        dec.push(bytes);
        loop {
            match dec.next_frame() {
                Ok(Some(adu)) => out.push((key.3 == PORT, adu.to_vec())),
                Ok(None) => break,
                Err(_) => continue,
            }
        }
    });
    out
}

/// The new in-order bytes of every TCP direction to or from `port`, in capture order:
/// each direction reassembled by sequence number, retransmitted bytes dropped, and bytes
/// never captured reported as a gap before the next ones.
pub(crate) fn tcp_payloads(file: &[u8], port: u16, mut f: impl FnMut(FlowKey, bool, &[u8])) {
    let mut flows: HashMap<FlowKey, Option<u32>> = HashMap::new();
    for (linktype, data) in records(file) {
        let Some((key, seq, syn, payload)) = tcp(linktype, data) else {
            continue;
        };
        if key.1 != port && key.3 != port {
            continue;
        }
        let next = flows.entry(key).or_default();
        let seq = if syn { seq.wrapping_add(1) } else { seq };
        if syn {
            *next = Some(seq);
        }
        if payload.is_empty() {
            continue;
        }
        let expected = *next.get_or_insert(seq);
        let ahead = seq.wrapping_sub(expected) as i32;
        let new = if ahead > 0 {
            payload
        } else {
            let overlap = usize::try_from(ahead.unsigned_abs()).unwrap_or(usize::MAX);
            payload.get(overlap..).unwrap_or_default()
        };
        let start = if ahead > 0 { seq } else { expected };
        *next = Some(start.wrapping_add(new.len() as u32));
        if !new.is_empty() {
            f(key, ahead > 0, new);
        }
    }
}

/// The link type and bytes of every record of a pcap or pcapng file.
fn records(file: &[u8]) -> Vec<(pcap_parser::Linktype, &[u8])> {
    use pcap_parser::pcapng::Block;
    if let Ok(cap) = pcap_parser::PcapCapture::from_file(file) {
        let lt = cap.header.network;
        return cap.blocks.iter().map(|b| (lt, b.data)).collect();
    }
    let Ok(cap) = pcap_parser::PcapNGCapture::from_file(file) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for section in &cap.sections {
        let mut interfaces = Vec::new();
        for block in &section.blocks {
            match block {
                Block::InterfaceDescription(idb) => interfaces.push(idb.linktype),
                Block::EnhancedPacket(epb) => {
                    let lt = interfaces
                        .get(epb.if_id as usize)
                        .copied()
                        .unwrap_or(pcap_parser::Linktype::ETHERNET);
                    let len = (epb.caplen as usize).min(epb.data.len());
                    out.push((lt, epb.data.get(..len).unwrap_or_default()));
                }
                _ => {}
            }
        }
    }
    out
}

/// Decodes Ethernet (or raw IP) / IPv4 or IPv6 / TCP leniently.
fn tcp(linktype: pcap_parser::Linktype, data: &[u8]) -> Option<(FlowKey, u32, bool, &[u8])> {
    use pcap_parser::Linktype;
    let pkt = match linktype {
        Linktype::ETHERNET => LaxSlicedPacket::from_ethernet(data).ok()?,
        Linktype::RAW | Linktype::IPV4 | Linktype::IPV6 => LaxSlicedPacket::from_ip(data).ok()?,
        _ => return None,
    };
    let (src, dst) = match pkt.net.as_ref()? {
        LaxNetSlice::Ipv4(ip) if !ip.is_payload_fragmented() => (
            ip.header().source_addr().to_ipv6_mapped().octets(),
            ip.header().destination_addr().to_ipv6_mapped().octets(),
        ),
        LaxNetSlice::Ipv6(ip) => (ip.header().source(), ip.header().destination()),
        _ => return None,
    };
    let TransportSlice::Tcp(t) = pkt.transport.as_ref()? else {
        return None;
    };
    Some((
        (src, t.source_port(), dst, t.destination_port()),
        t.sequence_number(),
        t.syn(),
        t.payload(),
    ))
}

/// A deterministic corpus of realistic Modbus/TCP traffic, `pairs` request/response pairs:
/// register and coil polling (FC 1-4) of 1-125 points, single and multiple writes (FC 5, 6,
/// 15, 16) and a few exceptions, over four unit ids.
pub fn generated_modbus_corpus(pairs: usize) -> ModbusCorpus {
    let mut corpus = ModbusCorpus {
        source: format!("generated: {pairs} request/response pairs"),
        ..ModbusCorpus::default()
    };
    let mut rng = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move |n: u32| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng % u64::from(n.max(1))) as u32
    };
    for i in 0..pairs {
        let tid = TransactionId(i as u16);
        let unit = UnitId(1 + next(4) as u8);
        let address = next(10_000) as u16;
        let (req, rsp): (Vec<u8>, Vec<u8>) = match next(20) {
            0..=5 => {
                let qty = 1 + next(125) as u16;
                let fc = if next(2) == 0 { 3 } else { 4 };
                let mut rsp = vec![fc, (qty * 2) as u8];
                rsp.extend((0..qty * 2).map(|_| next(256) as u8));
                (pdu_with(fc, address, qty, &[]), rsp)
            }
            6..=10 => {
                let qty = 1 + next(2000) as u16;
                let fc = if next(2) == 0 { 1 } else { 2 };
                let bytes = qty.div_ceil(8);
                let mut rsp = vec![fc, bytes as u8];
                rsp.extend((0..bytes).map(|_| next(256) as u8));
                (pdu_with(fc, address, qty, &[]), rsp)
            }
            11..=13 => {
                let fc = if next(2) == 0 { 5 } else { 6 };
                let value = if fc == 5 { 0xFF00 } else { next(65536) as u16 };
                let p = pdu_with(fc, address, value, &[]);
                (p.clone(), p)
            }
            14..=15 => {
                let qty = 1 + next(123) as u16;
                let data: Vec<u8> = (0..qty * 2).map(|_| next(256) as u8).collect();
                (
                    pdu_with(16, address, qty, &data),
                    pdu_with(16, address, qty, &[]),
                )
            }
            16..=17 => {
                let qty = 1 + next(1968) as u16;
                let data: Vec<u8> = (0..qty.div_ceil(8)).map(|_| next(256) as u8).collect();
                (
                    pdu_with(15, address, qty, &data),
                    pdu_with(15, address, qty, &[]),
                )
            }
            _ => (pdu_with(3, address, 10, &[]), vec![0x83, 2]),
        };
        for (request, pdu) in [(true, req), (false, rsp)] {
            let adu = Adu::new(tid, unit, otwire_modbus::Raw(pdu.as_slice()));
            let mut buf = vec![0; adu.buffer_len()];
            if adu.emit(&mut buf).is_ok() {
                corpus.add(request, &buf);
            }
        }
    }
    corpus
}

/// A PDU of function code, address, a second 16-bit field and, when `data` is not empty, a
/// byte count and the data.
fn pdu_with(fc: u8, address: u16, second: u16, data: &[u8]) -> Vec<u8> {
    let mut p = vec![fc];
    p.extend_from_slice(&address.to_be_bytes());
    p.extend_from_slice(&second.to_be_bytes());
    if !data.is_empty() {
        p.push(data.len() as u8);
        p.extend_from_slice(data);
    }
    p
}
