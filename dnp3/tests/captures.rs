//! Real captures from `$OTWIRE_CAPTURES/dnp3`: every link frame the stream decoder finds
//! decodes, every reassembled fragment parses, and — when `tshark` is on PATH — link,
//! transport and application fields agree with Wireshark's DNP3 dissector.
#![cfg(feature = "alloc")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::process::Command;

use otwire_dnp3::{Anomalies, Apdu, Range, RangeCode, Reassembler, StreamDecoder, split_frame};

/// The fields compared with tshark, rendered as tshark prints them, per capture record.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Fields {
    ctl: Vec<String>,
    dst: Vec<String>,
    src: Vec<String>,
    len: Vec<String>,
    tr_ctl: Vec<String>,
    al_ctl: Vec<String>,
    al_func: Vec<String>,
    al_iin: Vec<String>,
    obj: Vec<String>,
    prefix: Vec<String>,
    range: Vec<String>,
    start: Vec<String>,
    stop: Vec<String>,
    quantity: Vec<String>,
}

/// Our decode of one capture: fields per record plus counters.
#[derive(Default)]
struct Decoded {
    by_packet: BTreeMap<usize, Fields>,
    frames: usize,
    fragments: usize,
    anomalies: Anomalies,
    /// Records where our object walk stopped on an anomaly.
    walk_stopped: Vec<usize>,
    /// Records where a fragment completed on a segment with transport SEQUENCE 0.
    seq0_completion: Vec<usize>,
    junk: usize,
    /// Records where the stream decoder skipped junk (no plausible frame header).
    junk_at: Vec<usize>,
    /// Anomalies per record.
    flagged: BTreeMap<usize, Anomalies>,
}

fn decode_capture(path: &Path) -> Decoded {
    let mut d = Decoded::default();
    let packets = common::packets(path, &[20000, 20001]);
    let mut tcp = common::TcpReassembly::default();
    let mut decoders: HashMap<_, (StreamDecoder, Reassembler)> = HashMap::new();
    for p in &packets {
        let (bytes, gap) = tcp.feed(p);
        let (dec, reasm) = decoders
            .entry(p.flow)
            .or_insert_with(|| (StreamDecoder::new(), Reassembler::new()));
        if p.tcp.is_none() {
            // UDP: a datagram holds whole frames; start clean.
            dec.gap();
        } else if gap {
            dec.gap();
        }
        dec.push(bytes);
        loop {
            let frame_bytes = match dec.next_frame() {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(_) => {
                    d.junk += 1;
                    d.junk_at.push(p.number);
                    continue;
                }
            };
            let (frame, rest) = split_frame(&frame_bytes).unwrap_or_else(|e| {
                panic!(
                    "{} #{}: stream frame does not split: {e}",
                    path.display(),
                    p.number
                )
            });
            assert!(rest.is_empty());
            d.frames += 1;
            d.anomalies |= frame.anomalies;
            *d.flagged.entry(p.number).or_default() |= frame.anomalies;
            let f = d.by_packet.entry(p.number).or_default();
            let c = frame.header.control;
            f.ctl.push(format!("0x{:02x}", c.to_u8()));
            f.dst.push(frame.header.destination.0.to_string());
            f.src.push(frame.header.source.0.to_string());
            f.len.push(frame.length.to_string());
            if frame.user_data_len() == 0 {
                continue;
            }
            // tshark dissects the transport header of any frame with user data.
            let th = frame.transport_header().unwrap();
            f.tr_ctl.push(format!("0x{:02x}", th.to_u8()));
            let pushed = reasm.push_frame(&frame);
            d.anomalies |= pushed.anomalies;
            *d.flagged.entry(p.number).or_default() |= pushed.anomalies;
            let Some(fragment) = pushed.fragment else {
                continue;
            };
            d.fragments += 1;
            if th.seq == 0 {
                d.seq0_completion.push(p.number);
            }
            let parsed = match Apdu::parse(&fragment.data) {
                Ok(p) => p,
                Err(e) => {
                    // Only a fragment too short for its header fails.
                    assert!(
                        fragment.data.len() < 4,
                        "{} #{}: {e}",
                        path.display(),
                        p.number
                    );
                    continue;
                }
            };
            d.anomalies |= parsed.anomalies;
            *d.flagged.entry(p.number).or_default() |= parsed.anomalies;
            let apdu = parsed.pdu;
            if !apdu.trailing.is_empty() {
                d.walk_stopped.push(p.number);
            }
            f.al_ctl.push(format!("0x{:02x}", apdu.control.to_u8()));
            f.al_func.push(u8::from(apdu.function).to_string());
            if let Some(iin) = apdu.iin {
                f.al_iin.push(format!("0x{:04x}", iin.bits()));
            }
            for h in apdu.objects {
                f.obj.push(format!("0x{:02x}{:02x}", h.group, h.variation));
                f.prefix.push(u8::from(h.qualifier.prefix()).to_string());
                f.range.push(u8::from(h.qualifier.range_code()).to_string());
                match h.range {
                    Range::StartStop { start, stop } => {
                        f.start.push(start.to_string());
                        f.stop.push(stop.to_string());
                    }
                    Range::Count(n) => f.quantity.push(n.to_string()),
                    Range::Address(_) | Range::All => {}
                }
                // Walk every point too: it must not panic, and counts must match.
                let n = h.points().count() as u64;
                let designated = h.count();
                assert!(
                    n <= designated,
                    "{} #{}: {n} points > {designated}",
                    path.display(),
                    p.number
                );
                if h.truncated {
                    // Cut short by the end of the fragment: the whole points only.
                    assert!(n < designated, "{} #{}", path.display(), p.number);
                    assert!(parsed.anomalies.contains(Anomalies::TRUNCATED_OBJECTS));
                } else if h.with_data && h.qualifier.range_code() != RangeCode::All {
                    let zero = otwire_dnp3::object_size(h.group, h.variation)
                        == Some(otwire_dnp3::ObjectSize::Fixed(0));
                    if !zero {
                        assert_eq!(
                            n,
                            designated,
                            "{} #{} g{}v{}",
                            path.display(),
                            p.number,
                            h.group,
                            h.variation
                        );
                    }
                }
            }
        }
    }
    d
}

const TSHARK_FIELDS: [&str; 17] = [
    "frame.number",
    "dnp3.ctl",
    "dnp3.dst",
    "dnp3.src",
    "dnp3.len",
    "dnp3.tr.ctl",
    "dnp3.al.ctl",
    "dnp3.al.func",
    "dnp3.al.iin",
    "dnp3.al.obj",
    "dnp3.al.objq.prefix",
    "dnp3.al.objq.range",
    "dnp3.al.range.start",
    "dnp3.al.range.stop",
    "dnp3.al.range.quantity",
    "_ws.malformed",
    "tcp.analysis.retransmission",
];

fn tshark_available() -> bool {
    Command::new("tshark")
        .arg("-v")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

fn split_list(s: &str) -> Vec<String> {
    if s.is_empty() {
        Vec::new()
    } else {
        s.split(',').map(str::to_owned).collect()
    }
}

/// tshark's fields per record, the records it calls malformed, and those it flags as TCP
/// retransmissions.
fn tshark_fields(path: &Path) -> (BTreeMap<usize, Fields>, Vec<usize>, Vec<usize>) {
    let mut cmd = Command::new("tshark");
    cmd.arg("-r").arg(path).args([
        "-d",
        "tcp.port==20001,dnp3",
        "-T",
        "fields",
        "-E",
        "occurrence=a",
        "-E",
        "aggregator=,",
    ]);
    cmd.args(["-Y", "dnp3 || _ws.malformed"]);
    for f in TSHARK_FIELDS {
        cmd.args(["-e", f]);
    }
    let out = cmd.output().expect("tshark runs");
    assert!(out.status.success(), "tshark failed on {}", path.display());
    let mut map = BTreeMap::new();
    let mut malformed = Vec::new();
    let mut retransmitted = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let cols: Vec<&str> = line.split('\t').collect();
        let col = |i: usize| split_list(cols.get(i).copied().unwrap_or(""));
        let number: usize = cols[0].parse().unwrap();
        if !cols.get(15).copied().unwrap_or("").is_empty() {
            malformed.push(number);
        }
        if !cols.get(16).copied().unwrap_or("").is_empty() {
            retransmitted.push(number);
        }
        let f = Fields {
            ctl: col(1),
            dst: col(2),
            src: col(3),
            len: col(4),
            tr_ctl: col(5),
            al_ctl: col(6),
            al_func: col(7),
            al_iin: col(8),
            obj: col(9),
            prefix: col(10),
            range: col(11),
            start: col(12),
            stop: col(13),
            quantity: col(14),
        };
        if f != Fields::default() {
            map.insert(number, f);
        }
    }
    (map, malformed, retransmitted)
}

/// Functions whose objects tshark 4.0 does not dissect (Assign Class, secure
/// authentication); it also omits the IIN of Authentication Response (131), which
/// IEEE 1815-2012 §4.2.2.6 gives every response.
const TSHARK_SKIPS_OBJECTS: [&str; 4] = ["22", "32", "33", "131"];

fn clear_objects(f: &mut Fields) {
    f.obj.clear();
    f.prefix.clear();
    f.range.clear();
    f.start.clear();
    f.stop.clear();
    f.quantity.clear();
}

fn clear_app(f: &mut Fields) {
    f.al_ctl.clear();
    f.al_func.clear();
    f.al_iin.clear();
    clear_objects(f);
}

/// Known, explained differences between tshark 4.0 and the specification; each rule
/// removes from both sides only the fields it concerns.
fn normalise(ours: &mut Fields, theirs: &mut Fields, seq0: bool) {
    // tshark shows octet strings (g110, g111) with variation 0: the variation is
    // the string length (IEEE 1815-2012 §11.17), and we keep it.
    for o in &mut ours.obj {
        if ["0x6e", "0x6f"].iter().any(|g| o.starts_with(g)) {
            o.replace_range(4.., "00");
        }
    }
    // tshark 4.0 keys transport reassembly by sequence number and loses fragments whose
    // final segment has SEQUENCE 0 (the wrap after 63): it shows no application layer, or
    // a zeroed one. Our reassembler counts modulo 64 (§8.2.3.3).
    if seq0
        && (theirs.al_func.is_empty() || theirs.al_ctl.first().map(String::as_str) == Some("0x00"))
    {
        clear_app(ours);
        clear_app(theirs);
    }
    if ours
        .al_func
        .iter()
        .any(|f| TSHARK_SKIPS_OBJECTS.contains(&f.as_str()))
    {
        clear_objects(ours);
        clear_objects(theirs);
        if ours.al_func.iter().any(|f| f == "131") {
            ours.al_iin.clear();
            theirs.al_iin.clear();
        }
    }
    // tshark 4.0 stops at the first secure authentication object (g120) it meets inside
    // another function (aggressive mode, §7.4.1); we walk on.
    if let Some(i) = ours.obj.iter().position(|o| o.starts_with("0x78")) {
        if theirs.obj.len() == i + 1 && ours.obj.get(..=i) == theirs.obj.get(..) {
            for v in [&mut ours.obj, &mut ours.prefix, &mut ours.range] {
                v.truncate(i + 1);
            }
            ours.quantity.clone_from(&theirs.quantity);
            ours.start.clone_from(&theirs.start);
            ours.stop.clone_from(&theirs.stop);
        }
    }
}

#[test]
fn captures_decode_and_agree_with_tshark() {
    let Some(dir) = common::captures_dir("dnp3") else {
        return;
    };
    let files = common::capture_files(&dir);
    assert!(!files.is_empty(), "no captures in {}", dir.display());
    let tshark = tshark_available();
    if !tshark {
        eprintln!("tshark not on PATH: field comparison skipped");
    }
    let (mut total_frames, mut total_fragments, mut compared, mut mismatched) = (0, 0, 0, 0);
    let mut report = String::new();
    let mut unflagged = Vec::new();
    for path in &files {
        let d = decode_capture(path);
        total_frames += d.frames;
        total_fragments += d.fragments;
        eprintln!(
            "{}: {} frames, {} fragments, {} junk skips, anomalies {:?}",
            path.file_name().unwrap().to_string_lossy(),
            d.frames,
            d.fragments,
            d.junk,
            d.anomalies.names().collect::<Vec<_>>()
        );
        if !tshark {
            continue;
        }
        let (theirs, malformed, retransmitted) = tshark_fields(path);
        for &n in &malformed {
            let ours = d.flagged.get(&n).copied().unwrap_or_default();
            eprintln!(
                "  tshark malformed #{n}: we flag {:?}",
                ours.names().collect::<Vec<_>>()
            );
            // tshark 4.0 cannot decode data set descriptors (g86) and calls a well-formed
            // one malformed; the object sizes walk exactly (IEEE 1815-2012 §11.28).
            let g86 = path.ends_with("iti_dataset_exchange.pcap") && n == 6;
            if ours.is_empty() && !d.junk_at.contains(&n) && !g86 {
                unflagged.push(format!("{} #{n}", path.display()));
            }
        }
        for (n, a) in &d.flagged {
            if !a.is_empty() && !malformed.contains(n) {
                eprintln!(
                    "  #{n}: we flag {:?}, tshark does not call it malformed",
                    a.names().collect::<Vec<_>>()
                );
            }
        }
        let records: std::collections::BTreeSet<usize> =
            theirs.keys().chain(d.by_packet.keys()).copied().collect();
        for n in records {
            let mut ours = d.by_packet.get(&n).cloned().unwrap_or_default();
            let mut theirs = theirs.get(&n).cloned().unwrap_or_default();
            if retransmitted.contains(&n) && ours == Fields::default() {
                // tshark dissects retransmitted TCP data again; in-order reassembly drops it.
                continue;
            }
            compared += 1;
            normalise(&mut ours, &mut theirs, d.seq0_completion.contains(&n));
            let tolerated = malformed.contains(&n) || d.walk_stopped.contains(&n);
            if tolerated {
                // Where tshark or we stopped walking objects, compare link, transport and
                // application headers only.
                theirs.obj.clone_from(&ours.obj);
                theirs.prefix.clone_from(&ours.prefix);
                theirs.range.clone_from(&ours.range);
                theirs.start.clone_from(&ours.start);
                theirs.stop.clone_from(&ours.stop);
                theirs.quantity.clone_from(&ours.quantity);
            }
            if ours != theirs {
                mismatched += 1;
                report.push_str(&format!(
                    "{} #{n}:\n  ours   {ours:?}\n  tshark {theirs:?}\n",
                    path.file_name().unwrap().to_string_lossy()
                ));
            }
        }
    }
    eprintln!(
        "{total_frames} frames, {total_fragments} fragments; {compared} records compared, {mismatched} differ"
    );
    assert!(total_frames > 1000, "only {total_frames} frames decoded");
    assert!(
        unflagged.is_empty(),
        "tshark calls these malformed and we flag nothing: {unflagged:?}"
    );
    assert!(
        mismatched == 0,
        "{mismatched} records differ from tshark:\n{report}"
    );
}
