//! PCCC over CIP (Execute PCCC 0x4B, class 0x67; DF1 1770-6.5.16 ch. 6-8): golden
//! vectors from iti_cip_only_pccc.pcap (a MicroLogix 1400, "1766-LEC") and from the
//! manual's and pycomm3's layouts, every prefix, round trips, the whole capture, and a
//! field-by-field comparison with tshark where it is on PATH.
//!
//! tshark 4.0's quirks, met in the comparison: it shows CMD only in requests (a reply's
//! CMD | 0x40 has no field); FNC is one of three fields by CMD (`cip.pccc.fnc.code_06`,
//! `_07`, `_0f`); FNC 0xA3, which this MicroLogix's peer sends 4,655 times, has no name
//! there either (here: `PCCC_UNKNOWN_FUNCTION`, data kept); the masked write 0xAB and
//! unknown functions show their whole data after FNC as `cip.pccc.data`, address
//! included; a reply whose request it did not see (frame 1) is not decoded as PCCC.
// `to_vec` and the pairing table need `alloc`.
#![cfg(feature = "alloc")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code

mod common;

use common::cip::{cip_messages, enip_captures, hex, tshark_fields, unhex};
use otwire_enip::cip::pccc::*;
use otwire_enip::{Anomalies, Emit, Error};
use proptest::prelude::*;

/// The requestor ID of every PCCC message of the capture.
const RID: &str = "07 4d00 e0312b3d"; // length 7, vendor 0x004D, serial 0x3D2B31E0

fn v(parts: &[&str]) -> &'static [u8] {
    unhex(&parts.concat())
}

// Each vector below: requestor ID | CMD | STS | TNS (little-endian) | FNC | data.

/// Frame 2: CMD 0x0F, FNC 0xA3 (no name in 1770-6.5.16's table or tshark's).
fn f2() -> &'static [u8] {
    unhex("07 4d00 e0312b3d | 0f | 00 | 62c5 | a3 | ff944fffd64fffd84fff884fffbe4fffc04f")
}
/// Frame 3: its reply, CMD 0x4F, STS 0, TNS 0xC562, 18 bytes.
fn f3() -> &'static [u8] {
    unhex("07 4d00 e0312b3d | 4f | 00 | 62c5 | 00000000000000ffff00000000000000ffff")
}
/// Frame 4: diagnostic status, CMD 0x06 FNC 0x03, TNS 0xC563.
fn f4() -> &'static [u8] {
    unhex("07 4d00 e0312b3d | 06 | 00 | 63c5 | 03")
}
/// Frame 5: its reply, CMD 0x46: the status block ("1766-LEC" at byte 5).
fn f5() -> &'static [u8] {
    unhex("07 4d00 e0312b3d | 46 | 00 | 63c5 | 00ee4a9f23313736362d4c45432020200000260036829efc01")
}
/// Frame 473: change mode (CMD 0x0F FNC 0x80) to mode 0x01, Remote Program.
fn f473() -> &'static [u8] {
    unhex("07 4d00 e0312b3d | 0f | 00 | 4ec6 | 80 | 01")
}
/// Frame 7685: masked write, three address fields: byte size 4, file 1, file type 0xA2,
/// element 0, sub-element 0, then mask and data.
fn f7685() -> &'static [u8] {
    unhex("07 4d00 e0312b3d | 0f | 00 | 62d4 | ab | 04 01 a2 00 00 | 2000 2000 2000")
}
/// Frame 16382: typed logical read, three address fields: 44 bytes of file 0, type 0,
/// element 0, sub-element 0 (the processor's directory).
fn f16382() -> &'static [u8] {
    unhex("07 4d00 e0312b3d | 0f | 00 | 5be5 | a2 | 2c 00 00 00 00")
}
/// Frame 16383: its reply, "ML1400" and "MAIN_PROG" among the data.
fn f16383() -> &'static [u8] {
    unhex(
        "07 4d00 e0312b3d | 4f | 00 | 5be5 | 4d4c3134303000004d41494e5f50524f47003e00360500000000000000000000000000000000000000003682",
    )
}
/// pycomm3-style write of N7:0 = 5 (constructed): FNC 0xAA, byte size 2, file 7, type
/// 0x89 (integer), element 0, sub-element 0, data 0x0005.
fn write_n7() -> &'static [u8] {
    unhex("07 4d00 00000000 | 0f | 00 | 0100 | aa | 02 07 89 00 00 | 0500")
}
/// Read of N7:300 with two address fields (constructed): element 300 as 0xFF, 0x012C.
fn read_n7_300() -> &'static [u8] {
    unhex("07 4d00 00000000 | 0f | 00 | 0200 | a1 | 02 07 89 ff2c01")
}
/// A reply with STS 0xF0 and EXT STS 0x06 (constructed).
fn ext_reply() -> &'static [u8] {
    unhex("07 4d00 e0312b3d | 4f | f0 | 62c5 | 06")
}
/// PLC-2 unprotected read (CMD 0x01, constructed): address 0x000A, 4 bytes.
fn plc2_read() -> &'static [u8] {
    unhex("07 4d00 e0312b3d | 01 | 00 | 0300 | 0a00 04")
}

/// Word range read (constructed, 1770-6.5.16 layout): packet offset 0, total
/// transaction 10 elements, then the PLC-5 system address and the size, kept.
fn word_range_read() -> &'static [u8] {
    unhex("07 4d00 e0312b3d | 0f | 00 | 0400 | 01 | 0000 | 0a00 | 06 07 00 | 14")
}

fn requests() -> Vec<&'static [u8]> {
    vec![
        word_range_read(),
        f2(),
        f4(),
        f473(),
        f7685(),
        f16382(),
        write_n7(),
        read_n7_300(),
        plc2_read(),
    ]
}
fn replies() -> Vec<&'static [u8]> {
    vec![f3(), f5(), f16383(), ext_reply()]
}

#[test]
fn golden_requests() {
    let p = PcccRequest::parse(f2()).unwrap();
    assert_eq!(p.anomalies, Anomalies::PCCC_UNKNOWN_FUNCTION);
    assert_eq!(
        p.pdu.requestor,
        RequestorId {
            vendor: 0x004D,
            serial: 0x3D2B_31E0,
            extra: &[]
        }
    );
    assert_eq!(
        (p.pdu.command, p.pdu.status, p.pdu.tns),
        (Command::Extended, 0, 0xC562)
    );
    assert_eq!(
        p.pdu.function,
        Function::Extended(ExtendedFunction::from(0xA3))
    );
    assert_eq!(p.pdu.body, Body::Data(&f2()[12..]));

    let p = PcccRequest::parse(f4()).unwrap();
    assert_eq!(p.anomalies, Anomalies::empty());
    assert_eq!(
        p.pdu.function,
        Function::Diagnostic(DiagnosticFunction::DiagnosticStatus)
    );
    assert_eq!(p.pdu.body, Body::Data(&[]));
    assert!(!p.pdu.is_write() && !p.pdu.is_mode_change());

    let p = PcccRequest::parse(f473()).unwrap().pdu;
    assert_eq!(
        p.body,
        Body::ChangeMode {
            mode: CpuMode::RemoteProgram
        }
    );
    assert!(p.is_mode_change());
    assert_eq!(
        p.extended_function().unwrap().name(),
        Some("Change CPU mode")
    );

    let p = PcccRequest::parse(f7685()).unwrap();
    assert_eq!(p.anomalies, Anomalies::empty());
    let a = p.pdu.address().unwrap();
    assert_eq!(
        a,
        Address {
            byte_size: 4,
            file_number: 1,
            file_type: FileType::InputForce,
            element: 0,
            sub_element: Some(0)
        }
    );
    assert!(p.pdu.is_write());

    let p = PcccRequest::parse(f16382()).unwrap().pdu;
    assert_eq!(
        p.body,
        Body::TypedLogical {
            address: Address {
                byte_size: 44,
                file_number: 0,
                file_type: FileType::from(0),
                element: 0,
                sub_element: Some(0)
            },
            data: &[]
        }
    );
    assert!(!p.is_write());

    let p = PcccRequest::parse(write_n7()).unwrap();
    assert_eq!(p.anomalies, Anomalies::empty());
    assert_eq!(p.pdu.address().unwrap().file_type, FileType::Integer);
    assert!(p.pdu.is_write());
    let Body::TypedLogical { data, .. } = p.pdu.body else {
        panic!()
    };
    assert_eq!(data, [5, 0]);

    let p = PcccRequest::parse(read_n7_300()).unwrap().pdu;
    let a = p.address().unwrap();
    assert_eq!((a.file_number, a.element, a.sub_element), (7, 300, None));

    let p = PcccRequest::parse(plc2_read()).unwrap().pdu;
    assert_eq!(
        (p.command, p.function),
        (Command::UnprotectedRead, Function::None)
    );

    let p = PcccRequest::parse(word_range_read()).unwrap();
    assert_eq!(p.anomalies, Anomalies::empty());
    assert_eq!(
        p.pdu.body,
        Body::Ranged {
            packet_offset: 0,
            total_transaction: 10,
            address_and_data: &[0x06, 0x07, 0x00, 0x14]
        }
    );
    assert!(!p.pdu.is_write());

    // Program transfer and mode helpers.
    let dl = v(&[RID, "0f", "00", "0100", "50"]);
    assert!(PcccRequest::parse(dl).unwrap().pdu.is_program_transfer());
    let run = v(&[RID, "0f", "00", "0100", "80", "06"]);
    assert_eq!(
        PcccRequest::parse(run).unwrap().pdu.body,
        Body::ChangeMode {
            mode: CpuMode::RemoteRun
        }
    );
}

#[test]
fn golden_replies() {
    let r = PcccReply::parse(f3()).unwrap();
    assert_eq!(r.anomalies, Anomalies::empty());
    assert_eq!(
        (r.pdu.command, r.pdu.status, r.pdu.tns, r.pdu.ext_status),
        (0x4F, Status::Success, 0xC562, None)
    );
    assert_eq!(r.pdu.request_command(), Command::Extended);
    assert_eq!(r.pdu.data.len(), 18);
    let r = PcccReply::parse(f5()).unwrap().pdu;
    assert_eq!(&r.data[5..13], b"1766-LEC");
    let r = PcccReply::parse(ext_reply()).unwrap().pdu;
    assert_eq!(
        (r.status, r.ext_status),
        (Status::Extended, Some(ExtStatus::AddressUnusable))
    );
    assert_eq!(r.status.to_string(), "Error code in the EXT STS byte");
}

#[test]
fn anomalies() {
    // A reply bit in a request, and none in a reply.
    assert_eq!(
        PcccRequest::parse(f3()).unwrap().anomalies & Anomalies::PCCC_REPLY_BIT,
        Anomalies::PCCC_REPLY_BIT
    );
    assert_eq!(
        PcccReply::parse(f4()).unwrap().anomalies,
        Anomalies::PCCC_REPLY_BIT
    );
    // Byte size 2 with 3 bytes of data.
    let w = v(&[
        "07 4d00 00000000",
        "0f",
        "00",
        "0100",
        "aa",
        "02 07 89 00 00",
        "050000",
    ]);
    assert_eq!(
        PcccRequest::parse(w).unwrap().anomalies,
        Anomalies::PCCC_BYTE_SIZE
    );
    // Unknown mode, a short requestor id (length 5 still reads the 6 fixed bytes).
    assert_eq!(
        PcccRequest::parse(v(&[RID, "0f", "00", "0100", "80", "02"]))
            .unwrap()
            .anomalies,
        Anomalies::PCCC_UNKNOWN_MODE
    );
    assert_eq!(
        PcccRequest::parse(v(&["05 4d00 e0312b3d", "06", "00", "0100", "03"]))
            .unwrap()
            .anomalies,
        Anomalies::PCCC_REQUESTOR_ID
    );
    // A two-field read with bytes after its address.
    assert_eq!(
        PcccRequest::parse(v(&[RID, "0f", "00", "0100", "a1", "02 07 89 00 99"]))
            .unwrap()
            .anomalies,
        Anomalies::PCCC_TRAILING_DATA
    );
    // A request with a status.
    assert_eq!(
        PcccRequest::parse(v(&[RID, "06", "10", "0100", "03"]))
            .unwrap()
            .anomalies,
        Anomalies::PCCC_STATUS
    );
    // An unknown command.
    assert_eq!(
        PcccRequest::parse(v(&[RID, "0c", "00", "0100", "aa"]))
            .unwrap()
            .anomalies,
        Anomalies::PCCC_UNKNOWN_FUNCTION
    );
}

/// Every prefix: never a panic; Malformed, or an Ok that claims exactly the prefix.
#[test]
fn truncation() {
    for full in requests() {
        for n in 0..full.len() {
            match PcccRequest::parse(&full[..n]) {
                Ok(p) => {
                    assert!(
                        matches!(
                            p.pdu.body,
                            Body::Data(_)
                                | Body::MaskedWrite { .. }
                                | Body::TypedLogical { .. }
                                | Body::Ranged { .. }
                        ),
                        "{}",
                        hex(&full[..n])
                    );
                    assert_eq!(p.pdu.to_vec().unwrap(), &full[..n]);
                }
                Err(Error::Malformed { .. }) => {}
                Err(e) => panic!("{e}"),
            }
        }
        // The fixed header (requestor, CMD, STS, TNS) never decodes short.
        for n in 0..11 {
            assert!(PcccRequest::parse(&full[..n.min(full.len() - 1)]).is_err());
        }
    }
    for full in replies() {
        for n in 0..full.len() {
            if let Ok(p) = PcccReply::parse(&full[..n]) {
                assert!(n >= 11);
                assert_eq!(p.pdu.to_vec().unwrap(), &full[..n]);
            }
        }
    }
}

proptest! {
    /// Any bytes: never a panic; an Ok without trailing bytes re-encodes to the input
    /// when its addresses are canonical (a number below 255 written in one byte).
    #[test]
    fn parse_emit_any(tail in prop::collection::vec(any::<u8>(), 0..24), cmd in prop::sample::select(vec![0x00u8, 0x01, 0x06, 0x07, 0x0F, 0x4F]), fnc in prop::sample::select(vec![0x00u8, 0x03, 0x80, 0xA1, 0xA2, 0xA9, 0xAA, 0xAB, 0x67, 0x50])) {
        let mut b = unhex(RID).to_vec();
        b.extend([cmd, 0, 1, 0, fnc]);
        b.extend(&tail);
        if let Ok(p) = PcccRequest::parse(&b) {
            let canonical = !tail.contains(&0xFF);
            if canonical && !p.anomalies.contains(Anomalies::PCCC_TRAILING_DATA) {
                prop_assert_eq!(p.pdu.to_vec().unwrap(), b.clone());
            }
        }
        if let Ok(p) = PcccReply::parse(&b) {
            prop_assert_eq!(p.pdu.to_vec().unwrap(), b);
        }
    }

    /// Built typed logical requests: parse(emit(x)) == x, any address width.
    #[test]
    fn emit_parse(file in any::<u16>(), ty in any::<u8>(), el in any::<u16>(), sub in any::<u16>(), data in prop::collection::vec(any::<u8>(), 0..8), tns in any::<u16>()) {
        let size = data.len() as u8;
        for (fnc, three, d) in [(0xA1u8, false, &[][..]), (0xA2, true, &[][..]), (0xA9, false, &data[..]), (0xAA, true, &data[..])] {
            let r = PcccRequest {
                requestor: RequestorId { vendor: 1, serial: 2, extra: &[9] },
                command: Command::Extended,
                status: 0,
                tns,
                function: Function::Extended(fnc.into()),
                body: Body::TypedLogical {
                    address: Address { byte_size: size, file_number: file, file_type: ty.into(), element: el, sub_element: three.then_some(sub) },
                    data: d,
                },
            };
            let b = r.to_vec().unwrap();
            prop_assert_eq!(PcccRequest::parse(&b).unwrap().pdu, r);
        }
    }
}

/// Every PCCC message of the captures parses and re-encodes to its bytes; only FNC 0xA3
/// is unknown.
#[test]
fn captures() {
    let Some(caps) = enip_captures("pccc captures") else {
        return;
    };
    let (mut reqs, mut reps) = (0, 0);
    for c in caps {
        for m in cip_messages(&c) {
            if m.class != Some(0x67) || m.request_service != Some(0x4B) {
                continue;
            }
            if m.request {
                let p = PcccRequest::parse(&m.data)
                    .unwrap_or_else(|e| panic!("{} {}: {e}", c.display(), m.frame));
                assert_eq!(p.pdu.to_vec().unwrap(), m.data);
                let unknown = p.pdu.extended_function() == Some(ExtendedFunction::from(0xA3));
                assert_eq!(
                    p.anomalies,
                    if unknown {
                        Anomalies::PCCC_UNKNOWN_FUNCTION
                    } else {
                        Anomalies::empty()
                    },
                    "frame {}",
                    m.frame
                );
                reqs += 1;
            } else {
                let p = PcccReply::parse(&m.data).unwrap();
                assert_eq!(p.anomalies, Anomalies::empty());
                assert_eq!(p.pdu.to_vec().unwrap(), m.data);
                reps += 1;
            }
        }
    }
    // iti_cip_only_pccc.pcap: 9,390 requests and 9,389 matched replies.
    assert!(reqs > 9000 && reps > 9000, "{reqs} {reps}");
}

/// tshark's cippccc fields agree with ours, frame by frame, on every capture holding
/// PCCC.
#[test]
fn tshark_agreement() {
    let Some(caps) = enip_captures("pccc tshark") else {
        return;
    };
    if std::process::Command::new("tshark")
        .arg("-v")
        .output()
        .is_err()
    {
        eprintln!("tshark not on PATH: skipped");
        return;
    }
    let fields = [
        "cip.pccc.req.id.len",
        "cip.pccc.cip.vend.id",
        "cip.pccc.cip.serial.num",
        "cip.pccc.cmd.code",
        "cip.pccc.gs.status",
        "cip.pccc.es.status",
        "cip.pccc.tns.code",
        "cip.pccc.fnc.code_06",
        "cip.pccc.fnc.code_07",
        "cip.pccc.fnc.code_0f",
        "cip.pccc.byte.size",
        "cip.pccc.file.num",
        "cip.pccc.file.type",
        "cip.pccc.element.num",
        "cip.pccc.subelement.num",
        "cip.pccc.cpu.mode_80",
        "cip.pccc.data",
    ];
    let mut compared = 0;
    for c in caps {
        let ours: Vec<_> = cip_messages(&c)
            .into_iter()
            .filter(|m| m.class == Some(0x67) || m.service & 0x7F == 0x4B)
            .collect();
        if ours.is_empty() {
            continue;
        }
        let Some(theirs) = tshark_fields(&c, "cippccc", &fields) else {
            return;
        };
        let hx = |n: u64, w: usize| format!("0x{n:0w$x}");
        for m in &ours {
            let Some(t) = theirs.get(&m.frame) else {
                continue;
            };
            let col = |name: &str| t[1 + fields.iter().position(|f| *f == name).unwrap()].as_str();
            let rid_len = usize::from(m.data[0]);
            if m.request {
                let p = PcccRequest::parse(&m.data).unwrap().pdu;
                assert_eq!(col("cip.pccc.req.id.len"), hx(m.data[0].into(), 2));
                assert_eq!(
                    col("cip.pccc.cip.vend.id"),
                    hx(p.requestor.vendor.into(), 4)
                );
                assert_eq!(
                    col("cip.pccc.cip.serial.num"),
                    hx(p.requestor.serial.into(), 8)
                );
                assert_eq!(
                    col("cip.pccc.cmd.code"),
                    hx(p.command.value().into(), 2),
                    "frame {}",
                    m.frame
                );
                assert_eq!(col("cip.pccc.gs.status"), hx(p.status.into(), 2));
                assert_eq!(col("cip.pccc.tns.code"), hx(p.tns.into(), 4));
                let fnc = match p.function {
                    Function::Diagnostic(f) => ("cip.pccc.fnc.code_06", f.value()),
                    Function::Program(f) => ("cip.pccc.fnc.code_07", f.value()),
                    Function::Extended(f) => ("cip.pccc.fnc.code_0f", f.value()),
                    Function::None => ("", 0),
                };
                if !fnc.0.is_empty() {
                    assert_eq!(col(fnc.0), hx(fnc.1.into(), 2));
                }
                match p.body {
                    Body::TypedLogical { address: a, data } => {
                        assert_eq!(col("cip.pccc.byte.size"), hx(a.byte_size.into(), 2));
                        assert_eq!(col("cip.pccc.file.num"), hx(a.file_number.into(), 2));
                        assert_eq!(col("cip.pccc.file.type"), hx(a.file_type.value().into(), 2));
                        assert_eq!(col("cip.pccc.element.num"), hx(a.element.into(), 2));
                        if let Some(s) = a.sub_element {
                            assert_eq!(col("cip.pccc.subelement.num"), hx(s.into(), 2));
                        }
                        assert_eq!(col("cip.pccc.data"), hex(data));
                    }
                    Body::ChangeMode { mode } => {
                        assert_eq!(col("cip.pccc.cpu.mode_80"), hx(mode.value().into(), 2))
                    }
                    // tshark's data is everything after FNC (the masked write's address too).
                    Body::Data(_) | Body::MaskedWrite { .. } | Body::Ranged { .. } => {
                        let after = rid_len + 4 + usize::from(p.function.value().is_some());
                        assert_eq!(
                            col("cip.pccc.data"),
                            hex(&m.data[after..]),
                            "frame {}",
                            m.frame
                        );
                    }
                }
            } else {
                let r = PcccReply::parse(&m.data).unwrap().pdu;
                assert_eq!(col("cip.pccc.cmd.code"), ""); // no CMD field in replies
                assert_eq!(col("cip.pccc.gs.status"), hx(r.status.value().into(), 2));
                assert_eq!(
                    col("cip.pccc.es.status"),
                    r.ext_status
                        .map(|e| hx(e.value().into(), 2))
                        .unwrap_or_default()
                );
                assert_eq!(col("cip.pccc.tns.code"), hx(r.tns.into(), 4));
                assert_eq!(col("cip.pccc.data"), hex(r.data), "frame {}", m.frame);
            }
            compared += 1;
        }
    }
    assert!(compared > 18000, "compared {compared}");
}

/// A CIP Execute PCCC request (service 0x4B, path class 0x67 instance 1) carrying `pccc`.
fn execute_pccc(pccc: &[u8]) -> Vec<u8> {
    let mut v = vec![0x4B, 0x02, 0x20, 0x67, 0x24, 0x01];
    v.extend_from_slice(pccc);
    v
}

/// What `cip::classify` says an Execute PCCC request does, by its PCCC command: the change
/// mode of frame 473, writes and reads of data-table files, diagnostics, the direction of
/// program transfers (1770-6.5.16 FNC 0x50 download all, 0x53 upload all), and bytes that
/// are no PCCC command.
#[test]
fn classification() {
    use otwire_enip::cip::{Operation, Request, Scope, classify};
    let op = |pccc: &[u8]| {
        let bytes = execute_pccc(pccc);
        let req = Request::parse(&bytes).unwrap().pdu;
        classify(&req).operation
    };
    assert_eq!(op(f473()), Operation::ModeChange);
    assert_eq!(op(write_n7()), Operation::Write(Scope::File));
    assert_eq!(op(f7685()), Operation::Write(Scope::File));
    assert_eq!(op(read_n7_300()), Operation::Read(Scope::File));
    assert_eq!(op(f16382()), Operation::Read(Scope::File));
    assert_eq!(op(plc2_read()), Operation::Read(Scope::File));
    assert_eq!(op(f4()), Operation::Pccc);
    assert_eq!(op(f2()), Operation::Pccc);
    assert_eq!(
        op(unhex("07 4d00 e0312b3d | 0f | 00 | 0500 | 50")),
        Operation::ProgramDownload
    );
    assert_eq!(
        op(unhex("07 4d00 e0312b3d | 0f | 00 | 0600 | 53")),
        Operation::ProgramUpload
    );
    assert_eq!(op(&[0x07]), Operation::Pccc);
}

/// Fuzz finding (enip_roundtrip): an address field in the three-byte form (0xFF, then 16
/// bits) holding a value below 255 decodes to the same address as the one-byte form, which
/// is what it re-encodes to; it is flagged so that only clean requests promise their bytes.
#[test]
fn long_form_of_a_small_address_field_is_flagged() {
    // Requestor id, CMD 0x0F, STS 0, TNS 0xC562, FNC 0xA2 (typed logical read, 3 fields):
    // byte size 2, file number 0xFF 0x0007 (7 in the long form), type 0x89, element 0,
    // sub-element 0.
    let long = unhex("07 4d00 e0312b3d | 0f | 00 | 62c5 | a2 | 02 ff0700 89 00 00");
    let p = PcccRequest::parse(long).unwrap();
    assert_eq!(p.pdu.address().unwrap().file_number, 7);
    assert_eq!(p.anomalies, Anomalies::PCCC_ADDRESS_FORM);
    // The one-byte form: the same address, not flagged, and it round-trips.
    let short = unhex("07 4d00 e0312b3d | 0f | 00 | 62c5 | a2 | 02 07 89 00 00");
    let q = PcccRequest::parse(short).unwrap();
    assert_eq!(q.pdu.address(), p.pdu.address());
    assert!(q.anomalies.is_empty());
    assert_eq!(q.pdu.to_vec().unwrap(), short);
}
