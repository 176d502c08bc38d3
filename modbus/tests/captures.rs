//! Real captures from `$OTWIRE_CAPTURES` (see ../shared/captures/MANIFEST.tsv): every
//! Modbus/TCP frame in them is framed by `StreamDecoder` and decoded by `Pdu::parse`; the
//! anomalies raised are exactly those the traffic justifies; and where `tshark` is on PATH,
//! transaction id, unit, function code, exception code, address and quantity agree with
//! Wireshark's dissector for every PDU it does not call malformed.

#![cfg(feature = "alloc")]
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)] // test code

mod common;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::process::Command;

use otwire_modbus::{
    Anomalies, Direction, PORT, Pdu, Request, Response, StreamDecoder, classify, split_frame,
};

use common::{Endpoint, Reassembler, captures_dir, read, records, tcp_segment};

/// What one capture is expected to produce.
struct Expect {
    /// File, relative to the captures folder.
    file: &'static str,
    /// The exact anomaly flags raised anywhere in the capture, with the reason.
    anomalies: Anomalies,
    /// Bytes the stream decoders may skip as junk (non-Modbus bytes on port 502).
    junk: bool,
    /// Capture records whose PDU cannot be decoded at all (each one tshark calls malformed).
    errors: &'static [u64],
    /// Capture records where we decode PDUs that tshark leaves undissected.
    recovered: &'static [u64],
}

/// Every Modbus capture of the manifest, with the anomalies it really contains.
const CAPTURES: &[Expect] = &[
    // Fuzzed session: function codes 29, 32, 33, 35-37, 46, 47, 50, 52, 54 and 63 are
    // unassigned (Application Protocol §5.1), so RESERVED_FUNCTION. 65, 70 and 71 are
    // user-defined and not flagged; 43 with MEI type 0 (record 16) is RESERVED_MEI_TYPE.
    // The SYN of record 1 carries six zero bytes (an MBAP length of 0), junk the decoder
    // reports and skips. The sequence numbers jump about, so most records follow a gap.
    // Record 6 holds a 10-byte frame and two more bytes; tshark glues those to record 7 and
    // gives up, we report the zero-length header they make and resync on record 7's own
    // header (FC 34), which we therefore decode and tshark does not.
    Expect {
        file: "modbus/zeek_fuzz-72.pcap",
        anomalies: Anomalies::RESERVED_FUNCTION.union(Anomalies::RESERVED_MEI_TYPE),
        junk: true,
        errors: &[],
        recovered: &[7],
    },
    // Record 2, a Read Device Identification response `2b 0e 01 00 4d b7 00 00 00 00 00`:
    // conformity level 0x00 (§6.21 allows 01-03, 81-83), More Follows 0x4D (00 or FF), and
    // four bytes after the zero objects.
    Expect {
        file: "modbus/zeek_modbus-eit.pcap",
        anomalies: Anomalies::INVALID_DEVICE_ID_CODE
            .union(Anomalies::INVALID_DATA_VALUE)
            .union(Anomalies::LENGTH_MISMATCH),
        junk: false,
        errors: &[],
        recovered: &[],
    },
    // Record 1, FC 23 with random data: read quantity 0 and write quantity 0x2112 (§6.17:
    // 1-125 and 1-121), byte count 191 where 2 * 0x2112 is declared, and 52 bytes after it.
    Expect {
        file: "modbus/zeek_4SICS-GeekLounge-151022-min.pcap",
        anomalies: Anomalies::QUANTITY_OUT_OF_RANGE
            .union(Anomalies::BYTE_COUNT_MISMATCH)
            .union(Anomalies::LENGTH_MISMATCH),
        junk: false,
        errors: &[],
        recovered: &[],
    },
    // Records 32 and 34: Read Device Identification requests with a fifth byte after the
    // object id; records 91-109: exception responses `81 06 00` / `81 05 00` with a byte
    // after the exception code: LENGTH_MISMATCH. Record 111: a response with the reserved
    // FC 42 (Annex A). Records 76-82 on port 2585 -> 502 are not Modbus (MBAP length 0x8804,
    // then protocol id 0x0010): junk, skipped.
    Expect {
        file: "modbus/quickdraw_modbus_test_data_part1.pcap",
        anomalies: Anomalies::LENGTH_MISMATCH.union(Anomalies::RESERVED_FUNCTION),
        junk: true,
        errors: &[],
        recovered: &[],
    },
    Expect {
        file: "modbus/plant1_ModbusTCP.pcap",
        anomalies: Anomalies::empty(),
        junk: false,
        errors: &[],
        recovered: &[],
    },
    Expect {
        file: "modbus/iti_modbus_test.pcap",
        anomalies: Anomalies::empty(),
        junk: false,
        errors: &[],
        recovered: &[],
    },
    // Records 19 and 20: UMAS PDUs of 254 bytes (MBAP length 255), one more than §4.1's 253.
    Expect {
        file: "modbus/iti_modicon_umas_test.pcap",
        anomalies: Anomalies::PDU_TOO_LONG,
        junk: false,
        errors: &[],
        recovered: &[],
    },
    Expect {
        file: "modbus/ndpi_modbus.pcap",
        anomalies: Anomalies::empty(),
        junk: false,
        errors: &[],
        recovered: &[],
    },
    Expect {
        file: "modbus/emre_crash.pcap",
        anomalies: Anomalies::empty(),
        junk: false,
        errors: &[],
        recovered: &[],
    },
    // Record 6: a Read Device Identification response cut after the conformity level
    // (`2b 0e 01 00`): More Follows, Next Object Id and Number of Objects are missing.
    // tshark calls it malformed too.
    Expect {
        file: "modbus/emre_modbus-encapsulated-transport.pcap",
        anomalies: Anomalies::empty(),
        junk: false,
        errors: &[6],
        recovered: &[],
    },
    Expect {
        file: "modbus/emre_modbus-read-write-multiple-registers.pcap",
        anomalies: Anomalies::empty(),
        junk: false,
        errors: &[],
        recovered: &[],
    },
    Expect {
        file: "modbus/emre_FC1-permit.pcap",
        anomalies: Anomalies::empty(),
        junk: false,
        errors: &[],
        recovered: &[],
    },
    Expect {
        file: "modbus/emre_modbusAnalog.pcap",
        anomalies: Anomalies::empty(),
        junk: false,
        errors: &[],
        recovered: &[],
    },
    // Records 1131 and 13176 (and record 3150 of modbusBig below) are TCP retransmissions
    // that extend past what was sent before: 60 bytes resent where 12 went first, 269 where
    // 239 went. tshark dissects no retransmission; we keep the new bytes, which complete
    // four requests (tid 22506-22509) and two (9824, 9825) that tshark never shows.
    Expect {
        file: "mixed/plant1_mb2_modbus_s7_enip.pcap",
        anomalies: Anomalies::empty(),
        junk: false,
        errors: &[],
        recovered: &[1131, 13176],
    },
    Expect {
        file: "mixed/zeek_modbusBig.pcap",
        anomalies: Anomalies::empty(),
        junk: false,
        errors: &[],
        recovered: &[3150],
    },
    // No Modbus at all: nothing may be found.
    Expect {
        file: "mixed/iti_iec61850_Sample_File_MMS_and_GOOSE.pcap",
        anomalies: Anomalies::empty(),
        junk: false,
        errors: &[],
        recovered: &[],
    },
];

/// The fields Wireshark's dissector shows for one PDU, in the order `tshark -T fields`
/// lists them (`-E occurrence=a`: every occurrence in the frame, comma-separated).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Fields {
    trans_id: Vec<u16>,
    unit_id: Vec<u8>,
    func_code: Vec<u8>,
    exception_code: Vec<u8>,
    reference_num: Vec<u16>,
    word_cnt: Vec<u16>,
    bit_cnt: Vec<u16>,
    read_reference_num: Vec<u16>,
    read_word_cnt: Vec<u16>,
    write_reference_num: Vec<u16>,
    write_word_cnt: Vec<u16>,
}

const TSHARK_FIELDS: &[&str] = &[
    "frame.number",
    "mbtcp.trans_id",
    "mbtcp.unit_id",
    "modbus.func_code",
    "modbus.exception_code",
    "modbus.reference_num",
    "modbus.word_cnt",
    "modbus.bit_cnt",
    "modbus.read_reference_num",
    "modbus.read_word_cnt",
    "modbus.write_reference_num",
    "modbus.write_word_cnt",
    "_ws.malformed",
    "_ws.expert",
];

impl Fields {
    /// Appends what Wireshark 4.0 shows for this PDU: addresses and quantities of requests,
    /// and of the write responses that echo them; none for read responses.
    fn add(&mut self, tid: u16, unit: u8, pdu: &Pdu<'_>) {
        self.trans_id.push(tid);
        self.unit_id.push(unit);
        self.func_code.push(pdu.function_code().value());
        match pdu {
            Pdu::Request(r) => match *r {
                Request::ReadCoils { address, quantity }
                | Request::ReadDiscreteInputs { address, quantity } => {
                    self.reference_num.push(address.0);
                    self.bit_cnt.push(quantity);
                }
                Request::ReadHoldingRegisters { address, quantity }
                | Request::ReadInputRegisters { address, quantity } => {
                    self.reference_num.push(address.0);
                    self.word_cnt.push(quantity);
                }
                Request::WriteSingleCoil { address, .. }
                | Request::WriteSingleRegister { address, .. }
                | Request::MaskWriteRegister { address, .. }
                | Request::ReadFifoQueue { address } => self.reference_num.push(address.0),
                Request::WriteMultipleCoils {
                    address, quantity, ..
                } => {
                    self.reference_num.push(address.0);
                    self.bit_cnt.push(quantity);
                }
                Request::WriteMultipleRegisters {
                    address, quantity, ..
                } => {
                    self.reference_num.push(address.0);
                    self.word_cnt.push(quantity);
                }
                Request::ReadWriteMultipleRegisters {
                    read_address,
                    read_quantity,
                    write_address,
                    write_quantity,
                    ..
                } => {
                    self.read_reference_num.push(read_address.0);
                    self.read_word_cnt.push(read_quantity);
                    self.write_reference_num.push(write_address.0);
                    self.write_word_cnt.push(write_quantity);
                }
                _ => {}
            },
            Pdu::Response(r) => match *r {
                Response::Exception { code, .. } => self.exception_code.push(code.value()),
                Response::WriteSingleCoil { address, .. }
                | Response::WriteSingleRegister { address, .. }
                | Response::MaskWriteRegister { address, .. } => self.reference_num.push(address.0),
                Response::WriteMultipleCoils { address, quantity } => {
                    self.reference_num.push(address.0);
                    self.bit_cnt.push(quantity);
                }
                Response::WriteMultipleRegisters { address, quantity } => {
                    self.reference_num.push(address.0);
                    self.word_cnt.push(quantity);
                }
                _ => {}
            },
        }
    }
}

/// One tshark line: the fields, and whether tshark flagged the frame malformed.
struct TsharkFrame {
    fields: Fields,
    malformed: bool,
}

fn list<T: std::str::FromStr>(s: &str) -> Vec<T>
where
    T::Err: std::fmt::Debug,
{
    s.split(',')
        .filter(|v| !v.is_empty())
        .map(|v| {
            v.trim()
                .parse()
                .unwrap_or_else(|e| panic!("tshark value {v:?}: {e:?}"))
        })
        .collect()
}

/// Runs tshark on `path`; `None` when tshark is not installed (a failure under CI).
fn tshark(path: &Path) -> Option<BTreeMap<u64, TsharkFrame>> {
    let mut cmd = Command::new("tshark");
    cmd.arg("-r").arg(path).args([
        "-Y",
        "mbtcp",
        "-T",
        "fields",
        "-E",
        "occurrence=a",
        "-E",
        "separator=/t",
    ]);
    for f in TSHARK_FIELDS {
        cmd.args(["-e", f]);
    }
    let out = match cmd.output() {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set but tshark is not installed"
            );
            return None;
        }
        Err(e) => panic!("running tshark: {e}"),
    };
    assert!(out.status.success(), "tshark failed on {}", path.display());
    let mut frames = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let c: Vec<&str> = line.split('\t').collect();
        assert_eq!(c.len(), TSHARK_FIELDS.len(), "tshark line {line:?}");
        let fields = Fields {
            trans_id: list(c[1]),
            unit_id: list(c[2]),
            func_code: list(c[3]),
            exception_code: list(c[4]),
            reference_num: list(c[5]),
            word_cnt: list(c[6]),
            bit_cnt: list(c[7]),
            read_reference_num: list(c[8]),
            read_word_cnt: list(c[9]),
            write_reference_num: list(c[10]),
            write_word_cnt: list(c[11]),
        };
        let malformed = !c[12].is_empty() || c[13].contains("Malformed");
        frames.insert(list::<u64>(c[0])[0], TsharkFrame { fields, malformed });
    }
    Some(frames)
}

/// What decoding one capture produced.
#[derive(Default)]
struct Outcome {
    records: usize,
    segments: usize,
    frames: u64,
    requests: u64,
    responses: u64,
    parse_errors: Vec<(u64, String)>,
    stream_errors: u64,
    skipped: u64,
    gaps: u64,
    anomalies: BTreeMap<&'static str, u64>,
    anomaly_frames: BTreeMap<&'static str, Vec<u64>>,
    all: Anomalies,
    /// Per capture record, the fields of the PDUs it completed.
    per_frame: BTreeMap<u64, Fields>,
}

/// Frames and decodes every Modbus/TCP PDU of a capture.
fn decode(file: &[u8]) -> Outcome {
    let recs = records(file);
    let mut o = Outcome {
        records: recs.len(),
        ..Outcome::default()
    };
    let mut tcp = Reassembler::default();
    let mut decoders: HashMap<(Endpoint, Endpoint), StreamDecoder> = HashMap::new();
    let mut take = |o: &mut Outcome, key: (Endpoint, Endpoint), chunk: common::Chunk| {
        let dir = if key.1.1 == PORT {
            Direction::Request
        } else {
            Direction::Response
        };
        let dec = decoders.entry(key).or_default();
        if chunk.gap {
            dec.gap();
        }
        dec.push(&chunk.bytes);
        loop {
            let adu = match dec.next_frame() {
                Ok(Some(adu)) => adu,
                Ok(None) => break,
                Err(_) => {
                    o.stream_errors += 1;
                    continue;
                }
            };
            o.frames += 1;
            let (frame, rest) = split_frame(&adu).expect("StreamDecoder returned a whole ADU");
            assert!(rest.is_empty());
            match Pdu::parse(&frame, dir) {
                Ok(p) => {
                    match p.pdu {
                        Pdu::Request(r) => {
                            o.requests += 1;
                            let _ = classify::classify_request(&r);
                        }
                        Pdu::Response(r) => {
                            o.responses += 1;
                            let _ = classify::classify_response(&r);
                        }
                    }
                    for name in p.anomalies.names() {
                        *o.anomalies.entry(name).or_default() += 1;
                        o.anomaly_frames.entry(name).or_default().push(chunk.frame);
                    }
                    o.all |= p.anomalies;
                    o.per_frame.entry(chunk.frame).or_default().add(
                        frame.header.transaction_id.0,
                        frame.header.unit_id.0,
                        &p.pdu,
                    );
                }
                Err(e) => o
                    .parse_errors
                    .push((chunk.frame, format!("{e} in {adu:02x?}"))),
            }
        }
        o.skipped = o.skipped.max(dec.stats().skipped_bytes);
    };
    for rec in &recs {
        let Some(seg) = tcp_segment(rec) else {
            continue;
        };
        if seg.src.1 != PORT && seg.dst.1 != PORT {
            continue;
        }
        o.segments += 1;
        let key = (seg.src, seg.dst);
        if let Some(chunk) = tcp.push(&seg, rec.frame) {
            take(&mut o, key, chunk);
        }
    }
    o.gaps = decoders.values().map(|d| d.stats().gaps).sum();
    o.skipped = decoders.values().map(|d| d.stats().skipped_bytes).sum();
    o
}

#[test]
fn captures_decode_and_agree_with_tshark() {
    let Some(dir) = captures_dir("captures_decode_and_agree_with_tshark") else {
        return;
    };
    let mut failures = Vec::new();
    let (mut compared, mut agreed, mut malformed_skipped) = (0u64, 0u64, 0u64);
    let mut recovered = 0u64;
    let mut tshark_seen = false;
    for exp in CAPTURES {
        let path = dir.join(exp.file);
        let o = decode(&read(&path));
        println!(
            "{:<52} records {:>6}  tcp/502 {:>6}  frames {:>6} (req {:>5}, rsp {:>5})  \
             parse errors {}  stream errors {}  skipped {} B  gaps {}  anomalies {:?}",
            exp.file,
            o.records,
            o.segments,
            o.frames,
            o.requests,
            o.responses,
            o.parse_errors.len(),
            o.stream_errors,
            o.skipped,
            o.gaps,
            o.anomalies
        );
        for (name, frames) in &o.anomaly_frames {
            println!("    {name}: frames {frames:?}");
        }
        let error_frames: Vec<u64> = o.parse_errors.iter().map(|(f, _)| *f).collect();
        if error_frames != exp.errors {
            failures.push(format!(
                "{}: parse errors {:?}, expected in records {:?}",
                exp.file, o.parse_errors, exp.errors
            ));
        }
        if o.all != exp.anomalies {
            failures.push(format!(
                "{}: anomalies {:?}, expected {:?}",
                exp.file, o.all, exp.anomalies
            ));
        }
        if !exp.junk && (o.stream_errors > 0 || o.skipped > 0) {
            failures.push(format!(
                "{}: {} stream errors, {} bytes skipped",
                exp.file, o.stream_errors, o.skipped
            ));
        }

        let Some(ts) = tshark(&path) else {
            continue;
        };
        tshark_seen = true;
        let frames: std::collections::BTreeSet<u64> =
            ts.keys().chain(o.per_frame.keys()).copied().collect();
        let mut mismatches = 0;
        for f in frames {
            let ours = o.per_frame.get(&f).cloned().unwrap_or_default();
            let (theirs, malformed) = match ts.get(&f) {
                Some(t) => (t.fields.clone(), t.malformed),
                None => (Fields::default(), false),
            };
            if malformed {
                malformed_skipped += ours.func_code.len().max(1) as u64;
                continue;
            }
            let n = ours.func_code.len().max(theirs.func_code.len()) as u64;
            if exp.recovered.contains(&f) && theirs == Fields::default() {
                recovered += n;
                continue;
            }
            compared += n;
            if ours == theirs {
                agreed += n;
            } else {
                mismatches += 1;
                if mismatches <= 5 {
                    failures.push(format!(
                        "{} frame {f}: ours {ours:?}, tshark {theirs:?}",
                        exp.file
                    ));
                }
            }
        }
        if mismatches > 5 {
            failures.push(format!(
                "{}: {} more frames disagree with tshark",
                exp.file,
                mismatches - 5
            ));
        }
    }
    if tshark_seen {
        println!(
            "tshark agreement: {agreed} of {compared} PDUs agree; {recovered} PDUs decoded \
             where tshark shows none (listed records); {malformed_skipped} PDUs in records \
             tshark calls malformed not compared"
        );
        assert!(
            compared > 25_000,
            "the captures hold far more PDUs than {compared}"
        );
    } else {
        println!("tshark not on PATH: field comparison skipped");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every capture file of the manifest's modbus and mixed folders is listed above.
#[test]
fn every_modbus_capture_is_covered() {
    let Some(dir) = captures_dir("every_modbus_capture_is_covered") else {
        return;
    };
    for sub in ["modbus", "mixed"] {
        for entry in std::fs::read_dir(dir.join(sub)).expect("captures subfolder") {
            let name = format!(
                "{sub}/{}",
                entry.expect("entry").file_name().to_string_lossy()
            );
            assert!(
                CAPTURES.iter().any(|e| e.file == name),
                "{name} is not covered by captures.rs"
            );
        }
    }
}
