//! Golden vectors: APDUs from real captures (file and frame named) and from the
//! specification's formats, one comment per field, decoded and re-encoded byte for byte.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use otwire_iec104::*;

/// Splits one whole APDU, decodes it with the 104 sizes, and checks that it re-encodes to
/// the same bytes.
fn apdu(bytes: &[u8]) -> Parsed<Apdu<'_>> {
    let (frame, rest) = split_frame(bytes).unwrap();
    assert!(rest.is_empty(), "one APDU per vector");
    let parsed = Apdu::parse(&frame, Params::IEC104).unwrap();
    let mut out = vec![0xA5; parsed.pdu.buffer_len()];
    assert_eq!(parsed.pdu.emit(&mut out).unwrap(), bytes.len());
    assert_eq!(out, bytes, "emit(parse(b)) == b");
    parsed
}

fn objects<'a>(a: &Apdu<'a>) -> Vec<InformationObject<'a>> {
    a.asdu.as_ref().unwrap().objects().collect()
}

#[test]
fn u_frames() {
    // IEC 60870-5-104 §5.3: start 0x68, length 4, control octet 1 = function bits | 0b11.
    for (octet, f) in [
        (0x07, UFunction::StartDtAct),
        (0x0b, UFunction::StartDtCon),
        (0x13, UFunction::StopDtAct),
        (0x23, UFunction::StopDtCon),
        (0x43, UFunction::TestFrAct), // emre_104IPValue.pcap: 68 04 43 00 00 00
        (0x83, UFunction::TestFrCon),
    ] {
        let bytes = [0x68, 0x04, octet, 0x00, 0x00, 0x00];
        let p = apdu(&bytes);
        assert_eq!(p.pdu.apci, Apci::U(f));
        assert!(p.anomalies.is_empty());
        assert_eq!(p.pdu.asdu, None);
    }
    // Two function bits at once (STARTDT act + TESTFR act): kept, flagged.
    let p = apdu(&[0x68, 0x04, 0x47, 0, 0, 0]);
    assert_eq!(p.pdu.apci, Apci::U(UFunction::Unknown(0x47)));
    assert_eq!(p.anomalies, Anomalies::U_FUNCTION_INVALID);
}

#[test]
fn s_frame() {
    // emre_104IPValue.pcap
    let bytes = [
        0x68, // start
        0x04, // length: control field only
        0x01, 0x00, // S format (0b01), reserved octet
        0x22, 0x00, // N(R) = 0x22 >> 1 | 0x00 << 7 = 17
    ];
    let p = apdu(&bytes);
    assert_eq!(
        p.pdu.apci,
        Apci::S {
            recv: SeqNum::new(17)
        }
    );
    assert!(p.anomalies.is_empty());
    // Reserved bits of the first octet set: flagged, N(R) still read.
    let p = Apdu::parse(
        &split_frame(&[0x68, 0x04, 0x05, 0x00, 0x22, 0x00])
            .unwrap()
            .0,
        Params::IEC104,
    )
    .unwrap();
    assert_eq!(
        p.pdu.apci,
        Apci::S {
            recv: SeqNum::new(17)
        }
    );
    assert_eq!(p.anomalies, Anomalies::APCI_RESERVED_BITS);
}

#[test]
fn general_interrogation_confirmation() {
    // emre_104deneme.pcap, C_IC_NA_1 actcon.
    let bytes = [
        0x68, 0x0e, // start, length 14
        0x02, 0x00, // N(S) = 1
        0x04, 0x00, // N(R) = 2
        0x64, // type 100 C_IC_NA_1
        0x01, // SQ=0, one object
        0x07, // COT 7 actcon, P/N=0, T=0
        0x00, // originator address 0
        0x01, 0x00, // common address 1
        0x00, 0x00, 0x00, // IOA 0
        0x14, // QOI 20: station interrogation
    ];
    let p = apdu(&bytes);
    assert!(p.anomalies.is_empty(), "{:?}", p.anomalies);
    assert_eq!(
        p.pdu.apci,
        Apci::I {
            send: SeqNum::new(1),
            recv: SeqNum::new(2)
        }
    );
    let asdu = p.pdu.asdu.unwrap();
    assert_eq!(asdu.header.type_id, TypeId::Interrogation);
    assert_eq!(asdu.header.type_id.name(), Some("C_IC_NA_1"));
    assert!(!asdu.header.sq);
    assert_eq!(asdu.header.count, 1);
    assert_eq!(
        asdu.header.cot,
        Cot {
            cause: Cause::ActivationCon,
            negative: false,
            test: false
        }
    );
    assert_eq!(asdu.header.originator, OriginatorAddress(0));
    assert_eq!(asdu.header.common_address, CommonAddress(1));
    assert_eq!(
        objects(&p.pdu),
        vec![InformationObject {
            address: Ioa(0),
            element: Element::Interrogation { qoi: Qoi::STATION }
        }]
    );
}

#[test]
fn single_points_in_sequence() {
    // automayt_IEC104_SQ.pcapng, first of four APDUs in one frame.
    let bytes = [
        0x68, 0x1d, // start, length 29
        0x02, 0x00, 0x02, 0x00, // N(S) 1, N(R) 1
        0x01, // type 1 M_SP_NA_1
        0x90, // SQ=1, 16 elements
        0x14, 0x00, // COT 20 inrogen, OA 0
        0x1e, 0x04, // CA 0x041e = 1054
        0x00, 0x00, 0x00, // first IOA 0
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // SIQ x 8: off, good
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01, // ... the last two on
    ];
    let p = apdu(&bytes);
    assert!(p.anomalies.is_empty());
    let asdu = p.pdu.asdu.unwrap();
    assert!(asdu.header.sq);
    assert_eq!(asdu.header.count, 16);
    assert_eq!(asdu.header.cot.cause, Cause::InterrogatedStation);
    assert_eq!(asdu.header.common_address, CommonAddress(1054));
    let objs = objects(&p.pdu);
    assert_eq!(objs.len(), 16);
    for (i, o) in objs.iter().enumerate() {
        assert_eq!(o.address, Ioa(i as u32), "SQ=1: consecutive addresses");
        let Element::SinglePoint { siq, time: None } = o.element else {
            panic!()
        };
        assert_eq!(siq.on(), i >= 14);
        assert!(siq.is_good());
    }
}

#[test]
fn single_command_with_time_tag_year_out_of_range() {
    // iti_090813_diverse.pcap frame 9: C_SC_TA_1 act whose CP56Time2a year is 109.
    let bytes = [
        0x68, 0x15, // start, length 21
        0x28, 0x00, // N(S) = 20
        0x9c, 0x00, // N(R) = 78
        0x3a, // type 58 C_SC_TA_1
        0x01, // one object
        0x06, 0x00, // COT 6 act, OA 0
        0x03, 0x00, // CA 3
        0x95, 0x11, 0x00, // IOA 4501
        0x81, // SCO: S/E = select, QU 0, SCS on
        0x08, 0x00, // CP56: 8 ms
        0x17, // minute 23
        0x13, // hour 19
        0x0d, // day 13, weekday 0
        0x08, // month 8
        0x6d, // year 109: out of the 0-99 range
    ];
    let p = apdu(&bytes);
    assert_eq!(p.anomalies, Anomalies::TIME_OUT_OF_RANGE);
    assert_eq!(
        p.pdu.apci,
        Apci::I {
            send: SeqNum::new(20),
            recv: SeqNum::new(78)
        }
    );
    let o = objects(&p.pdu)[0];
    assert_eq!(o.address, Ioa(4501));
    let Element::SingleCommand { sco, time: Some(t) } = o.element else {
        panic!()
    };
    assert!(sco.on() && sco.select());
    assert_eq!(sco.qualifier(), 0);
    assert_eq!(
        (t.milliseconds, t.minute, t.hour, t.day, t.month, t.year),
        (8, 23, 19, 13, 8, 109)
    );
    let c = classify::classify(&p.pdu.apci, p.pdu.asdu.as_ref());
    assert_eq!(c.action, classify::Action::Command);
    assert_eq!(c.step, Some(classify::Step::Select));
    assert!(!c.changes_state, "a select does not operate");
}

#[test]
fn float_setpoint() {
    // emre_104IPValue.pcap: C_SE_NC_1 act.
    let bytes = [
        0x68, 0x12, // start, length 18
        0x06, 0x00, 0x2a, 0x00, // N(S) 3, N(R) 21
        0x32, // type 50 C_SE_NC_1
        0x01, // one object
        0x06, 0x00, // act, OA 0
        0x01, 0x00, // CA 1
        0x70, 0x17, 0x00, // IOA 6000
        0xc3, 0xf5, 0x9d, 0xc2, // R32: -78.98
        0x00, // QOS: QL 0, execute
    ];
    let p = apdu(&bytes);
    assert!(p.anomalies.is_empty());
    let o = objects(&p.pdu)[0];
    assert_eq!(o.address, Ioa(6000));
    let Element::SetpointFloat {
        value,
        qos,
        time: None,
    } = o.element
    else {
        panic!()
    };
    assert!((value + 78.98).abs() < 1e-4);
    assert!(!qos.select());
    let c = classify::classify(&p.pdu.apci, p.pdu.asdu.as_ref());
    assert_eq!(
        (c.action, c.step, c.changes_state),
        (
            classify::Action::Setpoint,
            Some(classify::Step::Execute),
            true
        )
    );
}

#[test]
fn double_command_state_not_permitted() {
    // emre_59.pcap: C_DC_NA_1 act with DCS 0, "not permitted".
    let bytes = [
        0x68, 0x0e, 0x06, 0x00, 0x20, 0x00, // I: N(S) 3, N(R) 16
        0x2e, 0x01, // type 46 C_DC_NA_1, one object
        0x06, 0x00, 0x01, 0x00, // act, OA 0, CA 1
        0xd0, 0x07, 0x00, // IOA 2000
        0x00, // DCO: execute, QU 0, DCS 0
    ];
    let p = apdu(&bytes);
    assert_eq!(p.anomalies, Anomalies::COMMAND_STATE_INVALID);
    let Element::DoubleCommand { dco, .. } = objects(&p.pdu)[0].element else {
        panic!()
    };
    assert_eq!(dco.state(), DoublePointState::Intermediate);
}

#[test]
fn protection_event_with_time() {
    // emre_104deneme.pcap: M_EP_TD_1 spontaneous.
    let bytes = [
        0x68, 0x17, 0x1c, 0x00, 0x06, 0x00, // I: N(S) 14, N(R) 3
        0x26, 0x01, 0x03, 0x00, 0x01, 0x00, // type 38, one object, spont, OA 0, CA 1
        0x14, 0x00, 0x00, // IOA 20
        0x43, // SEP: ES 3 (indeterminate), EI clear, NT (not topical) set
        0x01, 0x00, // elapsed time CP16: 1 ms
        0x10, 0xa4, 0x13, 0x0e, 0x18, 0x0a,
        0x13, // CP56: 42000 ms, 19:14, day 24, month 10, year 19
    ];
    let p = apdu(&bytes);
    assert!(p.anomalies.is_empty(), "{:?}", p.anomalies);
    let Element::ProtectionEvent {
        sep,
        elapsed,
        time: TimeTag::Cp56(t),
    } = objects(&p.pdu)[0].element
    else {
        panic!()
    };
    assert_eq!(sep.state(), DoublePointState::Indeterminate);
    assert!(!sep.elapsed_invalid() && sep.not_topical());
    assert_eq!(elapsed, Cp16Time2a(1));
    assert_eq!(
        (t.milliseconds, t.minute, t.hour, t.day, t.month, t.year),
        (42000, 19, 14, 24, 10, 19)
    );
}

#[test]
fn clock_sync_and_float_measurands() {
    // emre_104deneme.pcap: C_CS_NA_1 actcon.
    let p = apdu(&[
        0x68, 0x14, 0x00, 0x00, 0x02, 0x00, // I: N(S) 0, N(R) 1
        0x67, 0x01, 0x07, 0x00, 0x01, 0x00, // type 103, one object, actcon, OA 0, CA 1
        0x00, 0x00, 0x00, // IOA 0
        0xfa, 0x04, 0x13, 0x11, 0x18, 0x0a,
        0x13, // CP56: 1274 ms, 19 min, 17 h, day 24, Oct, 19
    ]);
    assert!(p.anomalies.is_empty());
    let Element::ClockSync { time } = objects(&p.pdu)[0].element else {
        panic!()
    };
    assert_eq!(time, Cp56Time2a::new(19, 10, 24, 17, 19, 1274));
    // ndpi_IEC104.pcap: M_ME_TF_1 with five objects, SQ=0, CA 10516.
    let bytes = hex(
        "6855327e42b92405030014290f0f1b0000803f0005df028a230a0b0f0f19000000420005df028a230a0b0f0f1e0000803f0005df028a230a0b0f0f120080c3420005df028a230a0b0f0f10abaab4420005df028a230a0b",
    );
    let p = apdu(&bytes);
    assert_eq!(
        p.pdu.apci,
        Apci::I {
            send: SeqNum::new(16153),
            recv: SeqNum::new(23713)
        }
    );
    let asdu = p.pdu.asdu.unwrap();
    assert_eq!(
        (asdu.header.count, asdu.header.common_address),
        (5, CommonAddress(10516))
    );
    let values: Vec<(u32, f32)> = asdu
        .objects()
        .map(|o| match o.element {
            Element::Float {
                value,
                time: Some(TimeTag::Cp56(_)),
                ..
            } => (o.address.0, value),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(values[0], (0x1b0f0f, 1.0));
    assert_eq!(values[1], (0x190f0f, 32.0));
}

#[test]
fn parameter_with_reserved_qpm_and_negative_mirror() {
    // emre_104IPValue.pcap: P_ME_NC_1 act then its COT 47 "unknown IOA" mirror.
    let act = hex("68120a0036007001060001002100000000000003");
    let p = apdu(&act);
    let Element::ParameterFloat { value, qpm } = objects(&p.pdu)[0].element else {
        panic!()
    };
    assert_eq!((value, qpm.kind()), (0.0, 3)); // KPA 3: low limit for transmission
    assert!(p.anomalies.is_empty());
    let mut mirror = act.clone();
    mirror[8] = 0x40 | 47; // P/N negative, COT 47
    let p = Apdu::parse(&split_frame(&mirror).unwrap().0, Params::IEC104).unwrap();
    assert!(p.anomalies.is_empty(), "{:?}", p.anomalies);
    assert_eq!(
        classify::classify(&p.pdu.apci, p.pdu.asdu.as_ref()).step,
        Some(classify::Step::Negative)
    );
}

#[test]
fn type_by_cause_table_and_direction() {
    // M_SP_NA_1 with COT 6 (activation): not a cause monitor information may carry.
    let bytes = [
        0x68, 0x0e, 0, 0, 0, 0, 0x01, 0x01, 0x06, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00,
    ];
    let p = apdu(&bytes);
    assert_eq!(p.anomalies, Anomalies::CAUSE_NOT_ALLOWED);
    let asdu = p.pdu.asdu.unwrap();
    assert_eq!(
        direction_anomalies(&asdu.header, Direction::Control),
        Anomalies::WRONG_DIRECTION
    );
    // A command activation from the controlled station is in the wrong direction; its
    // confirmation is not.
    let cmd = Request::single_command(CommonAddress(1), Ioa(5), true, false, None);
    assert!(direction_anomalies(&cmd.header, Direction::Control).is_empty());
    assert_eq!(
        direction_anomalies(&cmd.header, Direction::Monitor),
        Anomalies::WRONG_DIRECTION
    );
    let con = cmd.with_cause(Cause::ActivationCon);
    assert!(direction_anomalies(&con.header, Direction::Monitor).is_empty());
    // Reserved cause 50.
    let mut b = bytes;
    b[8] = 50;
    assert_eq!(apdu(&b).anomalies, Anomalies::CAUSE_RESERVED);
}

#[test]
fn iec101_sizes_and_ft12() {
    // IEC 60870-5-101 profile: COT 1 octet, CA 1, IOA 2. FT1.2 variable frame to link
    // address 1: C_IC_NA_1 act.
    let bytes = [
        0x68, 0x09, 0x09, 0x68, // start, L = 9 twice, start
        0x73, // control: PRM=1, FCB=1, FCV=1, function 3 (user data confirmed)
        0x01, // link address 1
        0x64, 0x01, // type 100, one object
        0x06, // COT act (no originator octet)
        0x01, // CA 1
        0x00, 0x00, // IOA 0
        0x14, // QOI 20
        0xf4, // checksum: sum of control, address and user data mod 256
        0x16, // stop
    ];
    let link = ft12::LinkParams::new(1).unwrap();
    let (f, rest) = ft12::split(&bytes, link).unwrap();
    assert!(rest.is_empty() && f.anomalies.is_empty());
    assert_eq!(f.pdu.format, ft12::Format::Variable);
    assert!(f.pdu.control.primary() && f.pdu.control.fcb_or_acd() && f.pdu.control.fcv_or_dfc());
    assert_eq!((f.pdu.control.function(), f.pdu.address), (3, 1));
    let asdu = f.pdu.asdu(Params::IEC101_COMPACT).unwrap().unwrap();
    assert!(asdu.anomalies.is_empty());
    assert_eq!(asdu.pdu.header.type_id, TypeId::Interrogation);
    assert_eq!(
        asdu.pdu.objects().next().unwrap().element,
        Element::Interrogation { qoi: Qoi(20) }
    );
    assert_eq!(encoded(&f.pdu), bytes);
    // Fixed frame: request status of link, address 0x0102 on two octets.
    let fixed = [0x10, 0x49, 0x02, 0x01, 0x4c, 0x16];
    let (f, _) = ft12::split(&fixed, ft12::LinkParams::new(2).unwrap()).unwrap();
    assert_eq!(
        (f.pdu.format, f.pdu.control.function(), f.pdu.address),
        (ft12::Format::Fixed, 9, 0x0102)
    );
    assert!(f.anomalies.is_empty());
    assert_eq!(encoded(&f.pdu), fixed);
    // Bad checksum: still decoded, flagged.
    let (f, _) = ft12::split(
        &[0x10, 0x49, 0x02, 0x01, 0x00, 0x16],
        ft12::LinkParams::new(2).unwrap(),
    )
    .unwrap();
    assert_eq!(f.anomalies, Anomalies::FT12_CHECKSUM);
    // Single character acknowledgement.
    let (f, rest) = ft12::split(&[0xe5, 0x10], link).unwrap();
    assert_eq!(
        (f.pdu.format, rest),
        (ft12::Format::SingleCharacter(0xe5), &[0x10][..])
    );
}

#[test]
fn builders_encode_the_common_requests() {
    let mut buf = [0u8; 64];
    let ca = CommonAddress(1);
    // C_CI_NA_1 general counter interrogation, as I frame N(S)=2, N(R)=5.
    let r = Request::counter_interrogation(ca, Qcc::GENERAL);
    let n = r
        .i_frame(SeqNum::new(2), SeqNum::new(5))
        .emit(&mut buf)
        .unwrap();
    assert_eq!(
        &buf[..n],
        &[
            0x68, 0x0e, 0x04, 0x00, 0x0a, 0x00, 101, 1, 6, 0, 1, 0, 0, 0, 0, 5
        ]
    );
    // C_DC_NA_1 select ON at IOA 2000.
    let r = Request::double_command(ca, Ioa(2000), true, true, None);
    let n = r.emit(&mut buf).unwrap();
    assert_eq!(&buf[..n], &[46, 1, 6, 0, 1, 0, 0xd0, 0x07, 0x00, 0x82]);
    // C_SE_NB_1 execute 200, then deactivation.
    let r =
        Request::setpoint_scaled(ca, Ioa(200), 200, false, None).with_cause(Cause::Deactivation);
    let n = r.emit(&mut buf).unwrap();
    assert_eq!(&buf[..n], &[49, 1, 8, 0, 1, 0, 200, 0, 0, 200, 0, 0]);
    // C_CS_NA_1.
    let t = Cp56Time2a::new(24, 11, 25, 18, 30, 1500);
    let n = Request::clock_sync(ca, t).emit(&mut buf).unwrap();
    assert_eq!(
        &buf[..n],
        &[103, 1, 6, 0, 1, 0, 0, 0, 0, 0xdc, 0x05, 30, 18, 25, 11, 24]
    );
    // The U and S frames.
    assert_eq!(encoded(&builders::testfr_con()), [0x68, 4, 0x83, 0, 0, 0]);
    assert_eq!(
        encoded(&builders::s_frame(SeqNum::new(300))),
        [0x68, 4, 1, 0, 0x58, 0x02]
    );
}

/// `Emit::to_vec` without the crate's `alloc` feature (the test harness has std).
fn encoded(e: &impl Emit) -> Vec<u8> {
    let mut buf = vec![0; e.buffer_len()];
    let n = e.emit(&mut buf).unwrap();
    buf.truncate(n);
    buf
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[cfg(feature = "serde")]
#[test]
fn serde_json_of_an_apdu() {
    // emre_104IPValue.pcap C_SE_NC_1 act (see float_setpoint).
    let bytes = [
        0x68, 0x12, 0x06, 0x00, 0x2a, 0x00, 0x32, 0x01, 0x06, 0x00, 0x01, 0x00, 0x70, 0x17, 0x00,
        0xc3, 0xf5, 0x9d, 0xc2, 0x00,
    ];
    let p = apdu(&bytes);
    let json = serde_json::to_value(p).unwrap();
    assert_eq!(json["pdu"]["apci"]["I"]["send"], 3);
    assert_eq!(json["pdu"]["asdu"]["header"]["type_id"], 50);
    assert_eq!(json["pdu"]["asdu"]["header"]["cot"]["cause"], 6);
    // Flags serialize as the list of their names, in every crate.
    assert_eq!(json["anomalies"], serde_json::json!([]));
    let flagged =
        otwire_iec104::Anomalies::ZERO_COUNT | otwire_iec104::Anomalies::CAUSE_NOT_ALLOWED;
    assert_eq!(
        serde_json::to_value(flagged).unwrap(),
        serde_json::json!(["ZERO_COUNT", "CAUSE_NOT_ALLOWED"])
    );
    let objects: Vec<_> = p.pdu.asdu.unwrap().objects().collect();
    let o = serde_json::to_value(objects).unwrap();
    assert_eq!(o[0]["address"], 6000);
    assert_eq!(o[0]["element"]["kind"], "setpoint_float");
    // Copy types deserialize back.
    let h = p.pdu.asdu.unwrap().header;
    let back: AsduHeader = serde_json::from_value(serde_json::to_value(h).unwrap()).unwrap();
    assert_eq!(back, h);
}
