//! Real captures from `$OTWIRE_CAPTURES` (see ../shared/captures/MANIFEST.tsv): every
//! EtherNet/IP message on TCP 44818 of every ENIP capture (and the mixed plant capture) is
//! reassembled, framed by `StreamDecoder` and typed; every UDP 44818 datagram is one
//! message, every UDP 2222 datagram an I/O packet. The anomalies raised are exactly those
//! listed per capture; and where `tshark` is on PATH, the encapsulation, CPF and
//! ListIdentity/ListServices/RegisterSession fields agree with Wireshark's dissector for
//! every frame (counts printed per field), and every frame tshark calls malformed is flagged.
//!
//! tshark's quirks, and how the comparison treats them:
//! - openics_EIP-ControlProtocolChangeAttempt.pcap is only dissected with
//!   `--disable-protocol idmp` (MANIFEST): always passed.
//! - the 16-bit sequence count of connected data is `cip.seq` for class 3 (SendUnitData);
//!   on UDP 2222 tshark shows it inside `cipio.data`, compared whole.
//! - tshark dissects no TCP retransmission; the reassembly in `common` drops the bytes
//!   already seen, as it does.

#![cfg(feature = "std")]
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)] // test code

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::process::Command as Process;

use otwire_enip::{
    Anomalies, Body, Command, Direction, Error, IoPacket, Item, PORT, Pdu, StreamDecoder,
    split_frame,
};

use common::{Endpoint, Reassembler, captures_dir, read, records, tcp_segment, udp_datagram};

/// What one capture is expected to produce.
struct Expect {
    file: &'static str,
    /// The exact anomaly flags raised anywhere in the capture.
    anomalies: Anomalies,
}

const fn ok(file: &'static str) -> Expect {
    Expect {
        file,
        anomalies: Anomalies::empty(),
    }
}

/// Every ENIP capture of the manifest, plus the mixed one with ENIP traffic.
const CAPTURES: &[Expect] = &[
    ok("enip/emre_ControlLogix_FactoryTalk_HMI.pcap"),
    // RSLinx's legacy command 0x0001 (Vol. 2 Table 2-3.2: reserved for legacy), request
    // and reply, which tshark dissects without a name.
    Expect {
        file: "enip/emre_ControlLogix_Logix5000_download_upload_run.pcap",
        anomalies: Anomalies::UNKNOWN_COMMAND,
    },
    ok("enip/emre_ENIP_CIP-CM.pcap"),
    ok("enip/icsnpp_multiple_service_packet_cip.pcapng"),
    ok("enip/icsnpp_set_attribute_single_service_cip.pcapng"),
    ok("enip/iti_cip_only_pccc.pcap"),
    ok("enip/iti_cip_start_plc.pcap"),
    ok("enip/iti_cip_unlock_cpu.pcap"),
    ok("enip/iti_enip_test_listidentity.pcap"),
    ok("enip/ndpi_cip_io.pcap"),
    ok("enip/ndpi_ethernetIP.pcap"),
    ok("enip/openics_EIP-ControlProtocolChangeAttempt.pcap"),
    // RSLinx's legacy command 0x0001 (Vol. 2 Table 2-3.2: reserved for legacy), request
    // and reply, which tshark dissects without a name.
    Expect {
        file: "enip/openics_EIP-FirmwareChange.pcap",
        anomalies: Anomalies::UNKNOWN_COMMAND,
    },
    ok("enip/openics_EIP-LockPLCAttempt.pcap"),
    ok("enip/openics_EIP-RebootorRestart.pcap"),
    ok("enip/openics_EIP-RemoteModeChangeAttempt.pcap"),
    ok("enip/openics_EIP-SoftwareUpload.pcap"),
    ok("enip/plant1_EthernetIP-CIP.pcap"),
    ok("enip/suricata_enip_test1_listidentity.pcap"),
    ok("mixed/plant1_mb2_modbus_s7_enip.pcap"),
];

/// The compared fields, per capture frame, in the order they occur.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Fields(BTreeMap<&'static str, Vec<u64>>);

impl Fields {
    fn push(&mut self, field: &'static str, v: impl Into<u64>) {
        self.0.entry(field).or_default().push(v.into());
    }
}

/// (tshark field, our name). Strings are compared as a fingerprint of their bytes.
const TSHARK_FIELDS: &[(&str, &str)] = &[
    ("enip.command", "command"),
    ("enip.length", "length"),
    ("enip.session", "session"),
    ("enip.status", "status"),
    ("enip.options", "options"),
    ("enip.cpf.itemcount", "item_count"),
    ("enip.cpf.typeid", "type_id"),
    ("enip.cpf.cai.connid", "cai_connid"),
    ("enip.cpf.sai.connid", "sai_connid"),
    ("enip.cpf.sai.seq", "sai_seq"),
    ("cip.seq", "cip_seq"),
    ("cipio.data", "io_data"),
    ("enip.lir.vendor", "vendor"),
    ("enip.lir.devtype", "device_type"),
    ("enip.lir.prodcode", "product_code"),
    ("enip.lir.serial", "serial"),
    ("enip.lir.name", "product_name"),
    ("enip.lir.state", "state"),
    ("enip.lsr.servicename", "service_name"),
    ("enip.rs.version", "rs_version"),
    ("enip.rs.flags", "rs_flags"),
    ("_ws.malformed", "malformed"),
];

/// Fields whose tshark value is a string or bytes: compared as a fingerprint.
const STRINGS: &[&str] = &["product_name", "service_name", "malformed"];

fn fingerprint(s: &[u8]) -> u64 {
    s.iter()
        .fold(0u64, |h, &b| h.wrapping_mul(31).wrapping_add(u64::from(b)))
}

fn hex_fingerprint(s: &str) -> u64 {
    let bytes: Vec<u8> = (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap_or(0))
        .collect();
    fingerprint(&bytes)
}

fn fields_of(f: &mut Fields, p: &Pdu<'_>) {
    let h = p.header;
    f.push("command", h.command.value());
    f.push("length", h.length);
    f.push("session", h.session);
    f.push("status", h.status.value());
    f.push("options", h.options);
    if let Body::RegisterSession {
        protocol_version,
        options,
    } = p.body
    {
        f.push("rs_version", protocol_version);
        f.push("rs_flags", options);
    }
    let Some(cpf) = p.body.cpf() else {
        return;
    };
    f.push("item_count", cpf.count);
    for item in cpf.items() {
        f.push("type_id", item.type_id().value());
        match item {
            Item::ConnectedAddress { conn_id } => f.push("cai_connid", conn_id),
            Item::SequencedAddress { conn_id, seq } => {
                f.push("sai_connid", conn_id);
                f.push("sai_seq", seq);
            }
            Item::ConnectedData { .. } if h.command == Command::SendUnitData => {
                if let Some(s) = item.sequence_count() {
                    f.push("cip_seq", s);
                }
            }
            Item::ListIdentity(id) => {
                f.push("vendor", id.vendor_id);
                f.push("device_type", id.device_type.value());
                f.push("product_code", id.product_code);
                f.push("serial", id.serial);
                f.push("product_name", fingerprint(id.product_name));
                f.push("state", id.state);
            }
            Item::ListServices(si) => {
                let end = si.name.iter().position(|&b| b == 0).unwrap_or(16);
                f.push("service_name", fingerprint(&si.name[..end]));
            }
            _ => {}
        }
    }
}

#[derive(Default)]
struct Run {
    frames: BTreeMap<u64, Fields>,
    anomalies: Anomalies,
    /// (frame, flags) of each flagged message, for the report.
    flagged: Vec<(u64, Anomalies)>,
    pdus: usize,
    io: usize,
    junk: usize,
}

fn run(path: &Path) -> Run {
    let bytes = read(path);
    let mut out = Run::default();
    let mut tcp = Reassembler::default();
    let mut dirs: HashMap<(Endpoint, Endpoint), StreamDecoder> = HashMap::new();
    for rec in records(&bytes) {
        let frame = rec.frame;
        let note = |out: &mut Run, p: otwire_enip::Parsed<Pdu<'_>>| {
            out.pdus += 1;
            out.anomalies |= p.anomalies;
            let f = out.frames.entry(frame).or_default();
            if !p.anomalies.is_empty() {
                f.push("flagged", 1u32);
                out.flagged.push((frame, p.anomalies));
            }
            fields_of(f, &p.pdu);
        };
        if let Some((src, dst, payload)) = udp_datagram(&rec) {
            if src.1 == PORT || dst.1 == PORT {
                let d = if src.1 == PORT {
                    Direction::Reply
                } else {
                    Direction::Request
                };
                match Pdu::from_datagram(payload, d) {
                    Ok(p) => note(&mut out, p),
                    Err(e) => panic!("{} frame {frame}: {e}", path.display()),
                }
            } else if src.1 == otwire_enip::IO_PORT || dst.1 == otwire_enip::IO_PORT {
                let p = IoPacket::parse(payload).unwrap();
                out.io += 1;
                out.anomalies |= p.anomalies;
                let f = out.frames.entry(frame).or_default();
                if !p.anomalies.is_empty() {
                    f.push("flagged", 1u32);
                    out.flagged.push((frame, p.anomalies));
                }
                f.push("item_count", p.pdu.cpf.count);
                for item in p.pdu.cpf.items() {
                    f.push("type_id", item.type_id().value());
                }
                f.push("sai_connid", p.pdu.conn_id);
                f.push("sai_seq", p.pdu.seq);
                f.push("io_data", fingerprint(p.pdu.data));
            }
            continue;
        }
        let Some(seg) = tcp_segment(&rec) else {
            continue;
        };
        if seg.src.1 != PORT && seg.dst.1 != PORT {
            continue;
        }
        let Some(chunk) = tcp.push(&seg, frame) else {
            continue;
        };
        let d = if seg.src.1 == PORT {
            Direction::Reply
        } else {
            Direction::Request
        };
        let dec = dirs.entry((seg.src, seg.dst)).or_default();
        if chunk.gap {
            dec.gap();
        }
        dec.push(&chunk.bytes);
        loop {
            match dec.next_frame() {
                Ok(Some(b)) => {
                    let (fr, _) = split_frame(&b).unwrap();
                    note(&mut out, Pdu::parse(&fr, d).unwrap());
                }
                Ok(None) => break,
                Err(Error::Junk { skipped }) => out.junk += skipped,
                Err(e) => panic!("{} frame {frame}: {e}", path.display()),
            }
        }
    }
    out
}

fn tshark(path: &Path) -> Option<BTreeMap<u64, Fields>> {
    let mut cmd = Process::new("tshark");
    cmd.arg("-r").arg(path).args([
        "--disable-protocol",
        "idmp",
        "-Y",
        "enip",
        "-T",
        "fields",
        "-E",
        "occurrence=a",
        "-E",
        "aggregator=|",
    ]);
    cmd.args(["-e", "frame.number"]);
    for (f, _) in TSHARK_FIELDS {
        cmd.args(["-e", f]);
    }
    let out = cmd.output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut frames = BTreeMap::new();
    for line in text.lines() {
        let mut cols = line.split('\t');
        let frame: u64 = cols.next()?.parse().ok()?;
        let mut f = Fields::default();
        for ((_, ours), col) in TSHARK_FIELDS.iter().zip(cols) {
            for v in col.split('|').filter(|v| !v.is_empty()) {
                let n = if *ours == "io_data" {
                    hex_fingerprint(v)
                } else if STRINGS.contains(ours) {
                    fingerprint(v.as_bytes())
                } else if let Some(h) = v.strip_prefix("0x") {
                    u64::from_str_radix(h, 16).unwrap_or(u64::MAX)
                } else {
                    v.parse().unwrap_or(u64::MAX)
                };
                f.push(ours, n);
            }
        }
        frames.insert(frame, f);
    }
    Some(frames)
}

fn tshark_available() -> bool {
    Process::new("tshark")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn captures_decode_and_agree_with_tshark() {
    let Some(dir) = captures_dir("captures_decode_and_agree_with_tshark") else {
        return;
    };
    decode_and_agree(&dir, CAPTURES);
}

/// Our own recordings of pycomm3, pylogix and raw requests against cpppo (tests/vectors,
/// README.md there): always present, so this runs without `OTWIRE_CAPTURES`.
const RECORDED: &[Expect] = &[
    // cpppo's ListServices reply is one byte short (a 15-byte name where the field has
    // 16): tshark calls frame 11 malformed, and the item is flagged.
    Expect {
        file: "enip_encapsulation.pcap",
        anomalies: Anomalies::CPF_ITEM_LENGTH,
    },
    ok("enip_pycomm3.pcap"),
    // pylogix 1.1.6 sends RegisterSession with its previous session handle in the header
    // (Vol. 2 §2-4.4: 0 in the request); tshark does not check it.
    Expect {
        file: "enip_pylogix.pcap",
        anomalies: Anomalies::SESSION_HANDLE,
    },
    ok("enip_pylogix_large.pcap"),
    ok("enip_unsupported.pcap"),
];

/// Frames tshark calls malformed for their CIP service data, which this test (the
/// encapsulation layer) does not judge: cpppo's Get Attribute List reply on class 0x8B
/// leaves out the attribute count (`0b 00 16 00`: attribute 11 = 22, where the reply is
/// count, then id, status, value), which only the request's attribute list could tell.
const CIP_MALFORMED: &[(&str, u64)] = &[("enip_pylogix_large.pcap", 25)];

#[test]
fn recorded_vectors_decode_and_agree_with_tshark() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    decode_and_agree(&dir, RECORDED);
}

fn decode_and_agree(dir: &std::path::Path, captures: &[Expect]) {
    let with_tshark = tshark_available();
    if !with_tshark {
        eprintln!("tshark not on PATH: field agreement skipped");
    }
    // field -> (compared, agreeing)
    let mut totals: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut disagreements = Vec::new();
    let mut unexpected = Vec::new();
    let (mut pdus, mut ios) = (0, 0);
    // Frames tshark calls malformed, and how many of them we flag.
    let mut malformed = (0usize, 0usize);
    for exp in captures {
        let path = dir.join(exp.file);
        let r = run(&path);
        println!(
            "{}: {} messages, {} I/O packets, {} junk bytes, anomalies {:?}",
            exp.file,
            r.pdus,
            r.io,
            r.junk,
            r.anomalies.names().collect::<Vec<_>>()
        );
        if r.anomalies != exp.anomalies {
            unexpected.push(format!(
                "{}: anomalies {:?}, first flagged {:?}",
                exp.file,
                r.anomalies.names().collect::<Vec<_>>(),
                &r.flagged[..r.flagged.len().min(3)]
            ));
        }
        assert!(r.pdus + r.io > 0, "{}: nothing decoded", exp.file);
        // Even the capture that starts mid-connection starts on a message boundary.
        assert_eq!(r.junk, 0, "{}: junk skipped", exp.file);
        pdus += r.pdus;
        ios += r.io;
        if !with_tshark {
            continue;
        }
        let theirs = tshark(&path).expect("tshark runs");
        let frames: BTreeSet<u64> = theirs.keys().chain(r.frames.keys()).copied().collect();
        for frame in frames {
            let empty = Fields::default();
            let t = theirs.get(&frame).unwrap_or(&empty);
            let o = r.frames.get(&frame).unwrap_or(&empty);
            for (_, name) in TSHARK_FIELDS {
                let tv = t.0.get(name);
                let ov = o.0.get(name);
                if *name == "malformed" {
                    if tv.is_some() && !CIP_MALFORMED.contains(&(exp.file, frame)) {
                        malformed.0 += 1;
                        malformed.1 += usize::from(o.0.contains_key("flagged"));
                    }
                    continue;
                }
                if tv.is_none() && ov.is_none() {
                    continue;
                }
                let e = totals.entry(name).or_default();
                e.0 += 1;
                if tv == ov {
                    e.1 += 1;
                } else if disagreements.len() < 40 {
                    disagreements.push(format!(
                        "{} frame {frame} {name}: tshark {tv:?} ours {ov:?}",
                        exp.file
                    ));
                }
            }
        }
    }
    println!("ENIP messages decoded: {pdus}; I/O packets: {ios}");
    for (name, (n, agree)) in &totals {
        println!("{name:>15}: {agree}/{n} frames agree");
    }
    println!(
        "tshark-malformed frames: {}, flagged by us: {}",
        malformed.0, malformed.1
    );
    for d in &disagreements {
        println!("{d}");
    }
    for u in &unexpected {
        println!("{u}");
    }
    assert!(unexpected.is_empty(), "unexpected anomalies");
    assert_eq!(
        malformed.0, malformed.1,
        "a frame tshark calls malformed is not flagged"
    );
    assert!(
        disagreements.is_empty(),
        "{} fields disagree",
        disagreements.len()
    );
}
