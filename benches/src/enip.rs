//! The EtherNet/IP bench corpus: every encapsulation message of the captures in
//! `$OTWIRE_CAPTURES/enip` on TCP port 44818 (each direction reassembled by sequence number,
//! framed by otwire-enip's `split_frame`), or a generated one when the captures are not there.

use std::collections::HashMap;
use std::path::Path;

use otwire_enip::cip::build::{get_attribute_single, multiple_service_packet, read_tag};
use otwire_enip::{Emit, PORT, send_rr_data, send_unit_data, split_frame};

use super::{FlowKey, tcp_payloads};

/// Encapsulation messages back to back, one stream per direction.
#[derive(Debug, Clone, Default)]
pub struct EnipCorpus {
    /// Messages to port 44818 (requests), concatenated.
    pub requests: Vec<u8>,
    /// Messages in `requests`.
    pub request_frames: usize,
    /// Messages from port 44818 (replies), concatenated.
    pub replies: Vec<u8>,
    /// Messages in `replies`.
    pub reply_frames: usize,
    /// Where the corpus came from.
    pub source: String,
}

impl EnipCorpus {
    /// Bytes in both directions.
    pub fn bytes(&self) -> usize {
        self.requests.len() + self.replies.len()
    }

    /// Messages in both directions.
    pub fn frames(&self) -> usize {
        self.request_frames + self.reply_frames
    }

    fn add(&mut self, request: bool, frame: &[u8]) {
        if request {
            self.requests.extend_from_slice(frame);
            self.request_frames += 1;
        } else {
            self.replies.extend_from_slice(frame);
            self.reply_frames += 1;
        }
    }
}

/// From the captures when `$OTWIRE_CAPTURES` holds them, else [`generated_enip_corpus`].
pub fn enip_corpus() -> EnipCorpus {
    if let Some(dir) = std::env::var_os("OTWIRE_CAPTURES") {
        let c = captured_enip_corpus(&Path::new(&dir).join("enip"));
        if c.frames() > 0 {
            return c;
        }
    }
    generated_enip_corpus(20_000)
}

/// Every encapsulation message on TCP port 44818 of the pcap and pcapng files in `dir`, in
/// file name order.
pub fn captured_enip_corpus(dir: &Path) -> EnipCorpus {
    let mut c = EnipCorpus::default();
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "pcap" || e == "pcapng"))
        .collect();
    names.sort();
    let mut used = 0;
    for name in &names {
        let Ok(file) = std::fs::read(name) else {
            continue;
        };
        let before = c.frames();
        // Bytes of each direction not yet framed; a gap drops them.
        let mut pending: HashMap<FlowKey, Vec<u8>> = HashMap::new();
        tcp_payloads(&file, PORT, |key, gap, bytes| {
            let request = key.3 == PORT;
            let buf = pending.entry(key).or_default();
            if gap {
                buf.clear();
            }
            buf.extend_from_slice(bytes);
            let mut used = 0;
            while let Some(Ok((_, rest))) = buf.get(used..).map(split_frame) {
                let len = buf.len() - used - rest.len();
                if let Some(f) = buf.get(used..used + len) {
                    c.add(request, f);
                }
                used += len;
            }
            buf.drain(..used.min(buf.len()));
        });
        if c.frames() > before {
            used += 1;
        }
    }
    c.source = format!("captures: {used} files of {}", dir.display());
    c
}

/// A deterministic corpus of HMI-style Logix polling: connected Read Tags of one DINT and
/// Multiple Service Packets of 2-8 Read Tags, unconnected Get Attribute Single, and their
/// replies.
pub fn generated_enip_corpus(pairs: usize) -> EnipCorpus {
    let mut c = EnipCorpus {
        source: format!("generated: {pairs} request/reply pairs"),
        ..EnipCorpus::default()
    };
    let mut next = super::xorshift();
    let names: Vec<String> = (0..64).map(|i| format!("Program:Main.Tag_{i}")).collect();
    for i in 0..pairs {
        let seq = i as u16;
        match next(10) {
            0 => {
                let req = encode(&get_attribute_single(1, 1, 7));
                c.add(true, &encode(&send_rr_data(0x1234, [0; 8], &req)));
                // Reply 0x8E: the product name "1756-L61/B".
                let mut rep = vec![0x8E, 0, 0, 0, 10];
                rep.extend_from_slice(b"1756-L61/B");
                c.add(false, &encode(&send_rr_data(0x1234, [0; 8], &rep)));
            }
            1..=3 => {
                let n = 2 + next(7) as usize;
                let reads: Vec<_> = (0..n)
                    .map(|_| read_tag(&names[next(64) as usize], 1))
                    .collect();
                let req = encode(&multiple_service_packet(&reads));
                c.add(true, &encode(&send_unit_data(0x1234, 0x10, seq, &req)));
                // Reply: 0x8A, then n offsets and n Read Tag replies of a DINT.
                let one = [0xCC, 0, 0, 0, 0xC4, 0, 1, 2, 3, 4];
                let mut rep = vec![0x8A, 0, 0, 0];
                rep.extend_from_slice(&(n as u16).to_le_bytes());
                for k in 0..n {
                    let off = 2 + 2 * n + k * one.len();
                    rep.extend_from_slice(&(off as u16).to_le_bytes());
                }
                for _ in 0..n {
                    rep.extend_from_slice(&one);
                }
                c.add(false, &encode(&send_unit_data(0x1234, 0x20, seq, &rep)));
            }
            _ => {
                let req = encode(&read_tag(&names[next(64) as usize], 1));
                c.add(true, &encode(&send_unit_data(0x1234, 0x10, seq, &req)));
                let rep = [0xCC, 0, 0, 0, 0xC4, 0, 1, 2, 3, 4];
                c.add(false, &encode(&send_unit_data(0x1234, 0x20, seq, &rep)));
            }
        }
    }
    c
}

fn encode(e: &impl Emit) -> Vec<u8> {
    let mut v = vec![0; e.buffer_len()];
    let _ = e.emit(&mut v);
    v
}
