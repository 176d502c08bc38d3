//! Real captures from `$OTWIRE_CAPTURES` (see ../shared/captures/MANIFEST.tsv): every TPKT on
//! TCP port 102 of every S7 capture is framed, reassembled and decoded by `DirectionParser`;
//! the anomalies raised are exactly those the traffic justifies; the IEC 61850 MMS capture
//! is never claimed as S7; and where `tshark` is on PATH, the DESIGN §4 record fields and
//! the typed SZL records' fields agree with Wireshark's dissector for every frame (numbers
//! printed per field).
//!
//! tshark 4.0's quirks, and how the comparison treats them:
//! - S7 timers and counters (areas 0x1C, 0x1D) have their address shown as a number
//!   (`address.number`), not byte.bit: compared as byte only, when tshark shows it.
//! - tshark has no S7comm-plus dissector: those frames compare on COTP only (and their
//!   decoding is checked by counts: every S7comm-plus PDU has a data header).
//! - A fragmented userdata answer shows its SZL id and index only on the frame that
//!   completes it: ours come from `UserdataReassembler` on that frame too.
//! - Userdata payloads we keep raw (alarm queries and indications of group 4, change-driven
//!   cyclic data of group 2) hold items whose return codes and counts tshark shows: those
//!   two fields are not compared on such frames.
//! - The SZL 0x0132 index 4 checksums (ken_ver*_hw, ken_ver*_awp) are shown as
//!   little-endian words: compared through `Protection::*_checksum_words`.
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

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::process::Command;

use otwire_s7::{
    Anomalies, Body, DirectionParser, Event, FunctionGroup, Identified, Job, Message, PlusSession,
    Probe, Response, SzlAnswer, SzlRecord, UserdataBody, VarSpec, identify, probe,
};

use common::{Endpoint, Reassembler, captures_dir, read, records, tcp_segment};

/// What one capture is expected to produce.
struct Expect {
    file: &'static str,
    /// The exact anomaly flags raised anywhere in the capture, with the reason.
    anomalies: Anomalies,
    /// Whether the capture carries S7 (false: another COTP user, never to be claimed).
    s7: bool,
}

const fn ok(file: &'static str) -> Expect {
    Expect {
        file,
        anomalies: Anomalies::empty(),
        s7: true,
    }
}

/// Every S7 capture of the manifest, plus the mixed ones with traffic on port 102.
const CAPTURES: &[Expect] = &[
    ok("s7comm/gymgit_snap7_s300_everything.pcap"),
    ok("s7comm/gymgit_snap7_s300_stop.pcap"),
    ok("s7comm/gymgit_step7_s300_stop.pcap"),
    ok("s7comm/gymgit_step7_s300_AuthPassword.pcap"),
    ok("s7comm/gymgit_step7_s300_copyRamToRom.pcap"),
    ok("s7comm/gymgit_step7_s300_download.pcap"),
    ok("s7comm/gymgit_step7_s300_readDiagData.pcap"),
    ok("s7comm/gymgit_tia_s300_downloadHwConfig.pcap"),
    ok("s7comm/gymgit_tia_s300_downloadOb1.pcap"),
    ok("s7comm/gymgit_tia_s300_flashLed.pcap"),
    ok("s7comm/gymgit_tia_s300_goOnline.pcap"),
    ok("s7comm/gymgit_wincc_s400_production.pcap"),
    ok("s7comm/ws_s7comm_downloading_block_db1.pcap"),
    ok("s7comm/ws_s7comm_program_blocklist_onlineview.pcap"),
    ok("s7comm/ws_s7comm_reading_plc_status.pcap"),
    ok("s7comm/ws_s7comm_reading_setting_plc_time.pcap"),
    ok("s7comm/ws_s7comm_varservice_libnodavedemo.pcap"),
    ok("s7comm/ws_s7comm_varservice_libnodavedemo_bench.pcap"),
    ok("s7comm/icsnpp_s7comm_plus.pcap"),
    ok("s7comm/ndpi_s7comm.pcap"),
    ok("s7comm/emre_S7comm-VarService-CyclicData-1s.pcap"),
    ok("s7comm/emre_icss7.pcap"),
    ok("s7comm/emre_OPC_Server.pcap"),
    ok("s7comm/plant1_S7comm.pcap"),
    ok("s7comm/s7plus_S7-1200-Uploading-OB1-TIAV12.pcap"),
    ok("s7comm/s7plus_S7-1511-opc-request-all-types.pcap"),
    ok("s7comm/s7plus_S7-1511_db2_var1_HMI.pcapng"),
    ok("s7comm/s7plus_S7-1511_db3_var1_HMI.pcap"),
    ok("s7comm/s7plus_S7-1511_db6w0_HMI.pcapng"),
    ok("s7comm/s7plus_s7-1200-hmi.pcap"),
    ok("s7comm/s7plus_V13_1200_TP1200sim_Timer_sync.pcapng"),
    ok("s7comm/s7plus_V13_1200_TP1200sim_Timer_sync_FehlerbeiMW100.pcapng"),
    ok("s7comm/s7plus_emre_plc.pcap"),
    ok("s7comm/s7plus_emre_CotpAnalog.pcap"),
    ok("s7comm/s7plus_emre_hmi.pcap"),
    ok("mixed/plant1_mb2_modbus_s7_enip.pcap"),
    // The "non-S7 payload" of the manifest is S7comm-plus V2 (0x72 0x02) notifications,
    // which tshark 4.0 cannot dissect.
    ok("mixed/zeek_modbusBig.pcap"),
    // IEC 61850 MMS over ISO session on TPKT/COTP: every TSDU is another COTP user.
    Expect {
        file: "mixed/iti_iec61850_Sample_File_MMS_and_GOOSE.pcap",
        anomalies: Anomalies::FOREIGN_PAYLOAD,
        s7: false,
    },
];

/// The DESIGN §4 record fields, per capture frame, in the order they occur.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Fields(BTreeMap<&'static str, Vec<u32>>);

impl Fields {
    fn push(&mut self, field: &'static str, v: impl Into<u32>) {
        self.0.entry(field).or_default().push(v.into());
    }
}

/// (tshark field, our name). Strings (service names, file names) are compared as the
/// sum of their bytes (a cheap, order-sensitive enough fingerprint for this purpose).
const TSHARK_FIELDS: &[(&str, &str)] = &[
    ("cotp.type", "cotp"),
    ("s7comm.header.rosctr", "rosctr"),
    ("s7comm.header.pduref", "pdu_ref"),
    ("s7comm.param.func", "func"),
    ("s7comm.header.errcls", "error_class"),
    ("s7comm.header.errcod", "error_code"),
    ("s7comm.param.itemcount", "item_count"),
    ("s7comm.param.item.area", "area"),
    ("s7comm.param.item.db", "db"),
    ("s7comm.param.item.address.byte", "start"),
    ("s7comm.param.item.address.bit", "bit"),
    ("s7comm.param.item.transp_size", "transport_size"),
    ("s7comm.param.item.length", "length"),
    ("s7comm.data.returncode", "return_code"),
    ("s7comm.param.blockcontrol.filename", "block"),
    ("s7comm.param.pistart.servicename", "pi_service"),
    ("s7comm.param.userdata.type", "ud_type"),
    ("s7comm.param.userdata.funcgroup", "ud_group"),
    ("s7comm.param.userdata.subfunc", "ud_subfunc"),
    // Mode-transition pushes show their subfunction (the new mode) in this field.
    ("s7comm.param.modetrans.subfunc", "ud_subfunc"),
    ("s7comm.param.userdata.seq_num", "ud_seq"),
    ("s7comm.data.userdata.szl_id", "szl_id"),
    ("s7comm.data.userdata.szl_index", "szl_index"),
    // Typed SZL records.
    ("s7comm.szl.0000.0000.szl_id", "szl_list_id"),
    ("s7comm.szl.xy11.0001.index", "module_index"),
    ("s7comm.szl.xy11.0001.bgtyp", "module_type"),
    ("s7comm.szl.xy11.0001.ausbg", "module_ausbg"),
    ("s7comm.szl.xy11.0001.ausbe", "module_ausbe"),
    ("s7comm.szl.001c.000x.index", "component_index"),
    ("s7comm.szl.0132.0004.key", "protection_key"),
    ("s7comm.szl.0132.0004.bart_sch", "mode_selector"),
    ("s7comm.szl.0132.0004.ken_ver1_hw", "hw_checksum"),
    ("s7comm.szl.0132.0004.ken_ver1_awp", "program_checksum"),
    ("s7comm.szl.0424.0000.ereig", "mode_event"),
    ("s7comm.szl.0424.0000.bzu_id", "mode_ids"),
    ("s7comm.szl.xy74.0000.cpu_led_id", "led_id"),
    ("s7comm.szl.xy74.0000.led_on", "led_on"),
    ("s7comm.szl.0091.0000.logadr", "module_logadr"),
    // Not compared field by field: a frame tshark calls malformed must carry a flag of ours.
    ("_ws.malformed", "malformed"),
];

/// The typed SZL records' fields.
fn szl_records(f: &mut Fields, a: &SzlAnswer<'_>) {
    for r in a.iter() {
        match r {
            SzlRecord::ListOfLists { id } => f.push("szl_list_id", id.0),
            SzlRecord::ModuleId(m) => {
                f.push("module_index", m.index);
                f.push("module_type", m.module_type);
                f.push("module_ausbg", m.ausbg);
                f.push("module_ausbe", m.ausbe);
            }
            SzlRecord::ComponentId(c) => f.push("component_index", c.index),
            SzlRecord::Protection(p) => {
                f.push("protection_key", p.key_switch_level);
                f.push("mode_selector", p.mode_selector);
                f.push("hw_checksum", p.hardware_checksum_words().0);
                f.push("program_checksum", p.program_checksum_words().0);
            }
            SzlRecord::Mode(m) => {
                f.push("mode_event", m.event_id);
                f.push("mode_ids", m.bzu_id);
            }
            SzlRecord::Led(l) => {
                f.push("led_id", l.id);
                f.push("led_on", l.on);
            }
            SzlRecord::ModuleStatus(m) => f.push("module_logadr", m.logadr),
            _ => {}
        }
    }
}

fn fingerprint(s: &[u8]) -> u32 {
    s.iter()
        .fold(0u32, |h, &b| h.wrapping_mul(31).wrapping_add(u32::from(b)))
}

/// Our record fields of one event.
fn fields_of(f: &mut Fields, ev: &Event<'_>) {
    if let Some(t) = &ev.tpdu {
        f.push("cotp", t.code().value() >> 4);
    }
    if let Some(Message::S7comm(pdu)) = &ev.message {
        let h = pdu.header;
        f.push("rosctr", h.rosctr.value());
        f.push("pdu_ref", h.pdu_ref);
        if let Some(e) = h.error {
            f.push("error_class", e.class.value());
            f.push("error_code", e.code);
        }
        if let Some(func) = pdu.function() {
            f.push("func", func.value());
        }
        match &pdu.body {
            Body::Job(j) => match j {
                Job::ReadVar { items } => {
                    f.push("item_count", items.count);
                    specs(f, items.iter());
                }
                Job::WriteVar { items, data } => {
                    f.push("item_count", items.count);
                    specs(f, items.iter());
                    for d in data.iter() {
                        f.push("return_code", d.return_code.value());
                    }
                }
                Job::Block { control, .. } => {
                    if let Some(n) = control.filename {
                        f.push("block", fingerprint(n.0));
                    }
                }
                Job::PiService(pi) => {
                    for b in pi.blocks() {
                        f.push("block", fingerprint(b.0));
                    }
                    f.push("pi_service", fingerprint(pi.service));
                }
                Job::PlcStop(stop) => f.push("pi_service", fingerprint(stop.service)),
                _ => {}
            },
            Body::Response(r) => match r {
                Response::ReadVar { item_count, items } => {
                    f.push("item_count", *item_count);
                    for d in items.iter() {
                        f.push("return_code", d.return_code.value());
                    }
                }
                Response::WriteVar {
                    item_count,
                    return_codes,
                } => {
                    f.push("item_count", *item_count);
                    for c in return_codes.iter() {
                        f.push("return_code", c.value());
                    }
                }
                _ => {}
            },
            Body::Userdata(u) => {
                let p = u.params;
                f.push("ud_type", p.kind.value());
                f.push("ud_group", p.group.value());
                f.push("ud_subfunc", p.subfunction);
                f.push("ud_seq", p.sequence);
                if let Some(d) = u.data {
                    f.push("return_code", d.return_code.value());
                }
                if matches!(u.body, UserdataBody::Raw { .. }) {
                    // Alarm and message payloads (group 4 other than SZL), change-driven
                    // cyclic data (group 2, subfunction 5): tshark decodes the items nested
                    // in them, we keep them raw (see the module docs).
                    f.push("undecoded", 1u32);
                }
                match u.body {
                    UserdataBody::CyclicRequest { items, .. } => {
                        f.push("item_count", items.count);
                        specs(f, items.iter());
                    }
                    UserdataBody::CyclicData { items } => {
                        f.push("item_count", items.count);
                        for d in items.iter() {
                            f.push("return_code", d.return_code.value());
                        }
                    }
                    _ => {}
                }
                let szl = match &ev.userdata {
                    Some(r) if r.group == FunctionGroup::CpuFunctions && r.subfunction == 1 => {
                        SzlAnswer::parse(&r.payload, true).map(|(a, _)| {
                            szl_records(f, &a);
                            (a.id.0, a.index)
                        })
                    }
                    _ => {
                        if let UserdataBody::Szl(a) = &u.body {
                            szl_records(f, a);
                        }
                        u.szl()
                    }
                };
                if let Some((id, index)) = szl {
                    f.push("szl_id", id);
                    f.push("szl_index", index);
                }
            }
            _ => {}
        }
    }
}

fn specs<'a>(f: &mut Fields, items: impl Iterator<Item = VarSpec<'a>>) {
    for item in items {
        if let VarSpec::Any(a) = item {
            f.push("transport_size", a.transport_size.value());
            f.push("length", a.length);
            f.push("db", a.db);
            f.push("area", a.area.value());
            if matches!(a.area.value(), 0x1C | 0x1D) {
                continue;
            }
            f.push("start", a.address.byte());
            f.push("bit", a.address.bit());
        }
    }
}

/// Everything one capture gave: fields per frame, anomalies, counts.
#[derive(Default)]
struct Run {
    frames: BTreeMap<u64, Fields>,
    anomalies: Anomalies,
    errors: Vec<(u64, String)>,
    s7_pdus: usize,
    plus_pdus: usize,
    plus_frames: usize,
    identified: Vec<Identified>,
    probes: Vec<Probe>,
}

fn run(path: &Path) -> Run {
    let bytes = read(path);
    let mut out = Run::default();
    let mut tcp = Reassembler::default();
    let mut dirs: HashMap<(Endpoint, Endpoint), (DirectionParser, Vec<u8>)> = HashMap::new();
    let mut sessions: HashMap<(Endpoint, Endpoint), PlusSession> = HashMap::new();
    for rec in records(&bytes) {
        let Some(seg) = tcp_segment(&rec) else {
            continue;
        };
        if seg.src.1 != 102 && seg.dst.1 != 102 {
            continue;
        }
        let Some(chunk) = tcp.push(&seg, rec.frame) else {
            continue;
        };
        let conn = if seg.src.1 == 102 {
            (seg.dst, seg.src)
        } else {
            (seg.src, seg.dst)
        };
        let (dir, head) = dirs.entry((seg.src, seg.dst)).or_default();
        if head.len() < 4096 {
            head.extend_from_slice(&chunk.bytes);
        }
        if chunk.gap {
            dir.gap();
        }
        let session = sessions.entry(conn).or_default();
        let frame = rec.frame;
        dir.push(&chunk.bytes, session, |ev| {
            out.anomalies |= ev.anomalies;
            if let Some(e) = ev.error {
                out.errors.push((frame, format!("{e}")));
            }
            match &ev.message {
                Some(Message::S7comm(_)) => out.s7_pdus += 1,
                Some(Message::S7commPlus(_)) => out.plus_frames += 1,
                _ => {}
            }
            if ev.plus.is_some() {
                out.plus_pdus += 1;
            }
            let f = out.frames.entry(frame).or_default();
            if !ev.anomalies.is_empty() || ev.error.is_some() {
                f.push("flagged", 1u32);
            }
            fields_of(f, &ev);
        });
    }
    for (_, head) in dirs.values() {
        out.identified.push(identify(head));
        out.probes.push(probe(head));
    }
    out
}

/// tshark's fields per frame.
fn tshark(path: &Path) -> Option<BTreeMap<u64, Fields>> {
    let mut cmd = Command::new("tshark");
    cmd.arg("-r")
        .arg(path)
        .args(["-Y", "cotp", "-T", "fields", "-E", "occurrence=a"]);
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
            for v in col.split(',').filter(|v| !v.is_empty()) {
                let n = if matches!(*ours, "block" | "pi_service" | "malformed") {
                    fingerprint(v.as_bytes())
                } else if let Some(h) = v.strip_prefix("0x") {
                    u32::from_str_radix(h, 16).unwrap_or(u32::MAX)
                } else {
                    v.parse().unwrap_or(u32::MAX)
                };
                f.push(ours, n);
            }
        }
        frames.insert(frame, f);
    }
    Some(frames)
}

fn tshark_available() -> bool {
    Command::new("tshark")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn captures_decode_and_agree_with_tshark() {
    let Some(dir) = captures_dir("captures_decode_and_agree_with_tshark") else {
        return;
    };
    let with_tshark = tshark_available();
    if !with_tshark {
        eprintln!("tshark not on PATH: field agreement skipped");
    }
    // field -> (compared, agreeing)
    let mut totals: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut disagreements = Vec::new();
    let (mut s7_total, mut plus_total) = (0, 0);
    // Frames tshark calls malformed, and how many of them we flag.
    let mut malformed = (0usize, 0usize);
    for exp in CAPTURES {
        let path = dir.join(exp.file);
        let r = run(&path);
        assert!(r.errors.is_empty(), "{}: {:?}", exp.file, r.errors);
        assert_eq!(
            r.anomalies,
            exp.anomalies,
            "{}: anomalies {:?}",
            exp.file,
            r.anomalies.names().collect::<Vec<_>>()
        );
        if exp.s7 {
            assert!(
                r.s7_pdus + r.plus_frames > 0,
                "{}: nothing decoded",
                exp.file
            );
            // Every S7comm-plus frame that is not a fragment or system frame has a data header.
            assert!(r.plus_pdus <= r.plus_frames, "{}", exp.file);
        } else {
            assert_eq!(r.s7_pdus + r.plus_frames, 0, "{}", exp.file);
            assert!(
                !r.probes.contains(&Probe::Recognized),
                "{}: probe claimed MMS as S7",
                exp.file
            );
            assert!(
                r.identified.contains(&Identified::OtherCotpUser),
                "{}",
                exp.file
            );
        }
        s7_total += r.s7_pdus;
        plus_total += r.plus_pdus;
        if !with_tshark {
            continue;
        }
        let theirs = tshark(&path).expect("tshark runs");
        let frames: std::collections::BTreeSet<u64> =
            theirs.keys().chain(r.frames.keys()).copied().collect();
        for frame in frames {
            let empty = Fields::default();
            let t = theirs.get(&frame).unwrap_or(&empty);
            let o = r.frames.get(&frame).unwrap_or(&empty);
            let names: std::collections::BTreeSet<&str> =
                TSHARK_FIELDS.iter().map(|(_, n)| *n).collect();
            for name in names {
                let tv = t.0.get(name);
                let ov = o.0.get(name);
                let name: &'static str = TSHARK_FIELDS
                    .iter()
                    .find(|(_, n)| *n == name)
                    .map_or("", |(_, n)| n);
                if o.0.contains_key("undecoded") && matches!(name, "return_code" | "item_count") {
                    continue;
                }
                if name == "malformed" {
                    if tv.is_some() {
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
    println!("S7comm PDUs decoded: {s7_total}; S7comm-plus PDUs with a data header: {plus_total}");
    for (name, (n, agree)) in &totals {
        println!("{name:>15}: {agree}/{n} frames agree");
    }
    println!(
        "tshark-malformed frames: {}, flagged by us: {}",
        malformed.0, malformed.1
    );
    assert_eq!(
        malformed.0, malformed.1,
        "a frame tshark calls malformed is not flagged"
    );
    for d in &disagreements {
        println!("{d}");
    }
    assert!(
        disagreements.is_empty(),
        "{} fields disagree",
        disagreements.len()
    );
}
