//! The S7 bench corpus: every TPKT of the S7 captures that carries a whole S7comm PDU in one
//! DT (TCP reassembled per direction by sequence number, framed by otwire-s7's
//! `split_frame`), or a generated one when the captures are not there.

use std::collections::HashMap;
use std::path::Path;

use otwire_s7::{
    AnyItem, Area, BitAddress, DataItem, DataTransportSize, Emit, ItemTransportSize, Pdu,
    ReadVarRequest, ReturnCode, WriteVarRequest, frame, split_frame,
};

use super::{FlowKey, tcp_payloads};

/// TPKTs back to back, each holding one whole S7comm PDU.
#[derive(Debug, Clone, Default)]
pub struct S7Corpus {
    /// The TPKTs.
    pub bytes: Vec<u8>,
    /// How many.
    pub frames: usize,
    /// Where the corpus came from.
    pub source: String,
}

/// The S7comm captures the corpus is made of.
pub const S7_CAPTURES: &[&str] = &[
    "s7comm/emre_icss7.pcap",
    "s7comm/plant1_S7comm.pcap",
    "s7comm/ws_s7comm_varservice_libnodavedemo_bench.pcap",
    "s7comm/gymgit_wincc_s400_production.pcap",
    "s7comm/gymgit_tia_s300_goOnline.pcap",
    "s7comm/ws_s7comm_reading_plc_status.pcap",
    "s7comm/gymgit_step7_s300_download.pcap",
    "s7comm/emre_S7comm-VarService-CyclicData-1s.pcap",
    "mixed/plant1_mb2_modbus_s7_enip.pcap",
];

/// From the captures when `$OTWIRE_CAPTURES` holds them, else [`generated_s7_corpus`].
pub fn s7_corpus() -> S7Corpus {
    if let Some(dir) = std::env::var_os("OTWIRE_CAPTURES") {
        let c = captured_s7_corpus(Path::new(&dir));
        if c.frames > 0 {
            return c;
        }
    }
    generated_s7_corpus(20_000)
}

/// Every single-DT S7comm TPKT of [`S7_CAPTURES`] under `dir`.
pub fn captured_s7_corpus(dir: &Path) -> S7Corpus {
    let mut c = S7Corpus::default();
    let mut used = Vec::new();
    for name in S7_CAPTURES {
        let Ok(file) = std::fs::read(dir.join(name)) else {
            continue;
        };
        let before = c.frames;
        // Bytes of each direction not yet framed; a gap drops them.
        let mut pending: HashMap<FlowKey, Vec<u8>> = HashMap::new();
        tcp_payloads(&file, 102, |key, gap, bytes| {
            let buf = pending.entry(key).or_default();
            if gap {
                buf.clear();
            }
            buf.extend_from_slice(bytes);
            let mut used = 0;
            while let Some(Ok((frame, _))) = buf.get(used..).map(split_frame) {
                let len = usize::from(frame.header.length).max(4);
                // Whole S7comm PDUs only: DT with EOT and protocol id 0x32.
                if let Some(t @ [_, _, _, _, 2, 0xF0, 0x80, 0x32, ..]) = buf.get(used..used + len) {
                    c.bytes.extend_from_slice(t);
                    c.frames += 1;
                }
                used += len;
            }
            buf.drain(..used.min(buf.len()));
        });
        if c.frames > before {
            used.push(*name);
        }
    }
    c.source = format!("captures: {}", used.join(", "));
    c
}

/// A deterministic corpus of HMI-style polling: read var jobs of 1-10 S7ANY items and their
/// answers, write var jobs and answers, setup communication.
pub fn generated_s7_corpus(pairs: usize) -> S7Corpus {
    let mut c = S7Corpus {
        source: format!("generated: {pairs} job/answer pairs"),
        ..S7Corpus::default()
    };
    let mut next = super::xorshift();
    let mut add = |bytes: Vec<u8>| {
        c.bytes.extend_from_slice(&bytes);
        c.frames += 1;
    };
    let data = [0x5Au8; 64];
    for i in 0..pairs {
        let pdu_ref = i as u16;
        let n = 1 + next(10) as usize;
        let items: Vec<AnyItem> = (0..n)
            .map(|_| AnyItem {
                transport_size: ItemTransportSize::Byte,
                length: 1 + next(16) as u16,
                db: 1 + next(20) as u16,
                area: Area::DataBlocks,
                address: BitAddress::new(next(1000) as u32, 0),
            })
            .collect();
        if next(10) == 0 {
            let pairs: Vec<(AnyItem, DataItem<'_>)> = items
                .iter()
                .map(|a| {
                    let d = &data[..usize::from(a.length)];
                    (
                        *a,
                        DataItem::new(ReturnCode::Reserved, DataTransportSize::Byte, d),
                    )
                })
                .collect();
            add(encode(&frame(WriteVarRequest {
                pdu_ref,
                items: &pairs,
            })));
            add(encode(&frame(Pdu::setup(pdu_ref, 480))));
        } else {
            add(encode(&frame(ReadVarRequest {
                pdu_ref,
                items: &items,
            })));
        }
    }
    c
}

fn encode(e: &impl Emit) -> Vec<u8> {
    let mut v = vec![0; e.buffer_len()];
    let _ = e.emit(&mut v);
    v
}
