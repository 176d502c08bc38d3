//! Golden vectors (tests/vectors): every layer decoded field by field, then encoded back to
//! the same bytes.

#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)] // test code

mod vectors;

use otwire_s7::*;
use vectors::*;

/// TPKT -> TPDU -> (for a DT) the user data.
fn tpdu(bytes: &[u8]) -> Tpdu<'_> {
    let (frame, rest) = split_frame(bytes).unwrap();
    assert!(rest.is_empty());
    assert_eq!(frame.header.version, 3);
    let t = Tpdu::parse(frame.tpdu).unwrap();
    assert_eq!(t.anomalies, Anomalies::empty());
    t.pdu
}

fn pdu(bytes: &[u8]) -> Pdu<'_> {
    let Tpdu::Data(dt) = tpdu(bytes) else {
        panic!("not a DT")
    };
    assert!(dt.eot);
    let p = Pdu::parse(dt.user_data).unwrap();
    assert_eq!(p.anomalies, Anomalies::empty(), "{:?}", p.anomalies);
    p.pdu
}

/// Encodes a TPDU and a PDU back into the whole TPKT.
fn reencode(bytes: &[u8]) -> Vec<u8> {
    let (frame, _) = split_frame(bytes).unwrap();
    let t = Tpdu::parse(frame.tpdu).unwrap().pdu;
    match t {
        Tpdu::Data(dt) => match Message::parse(dt.user_data, false).unwrap().pdu {
            Message::S7comm(p) => frame_of(p),
            Message::S7commPlus(p) => frame_of(p),
            _ => panic!(),
        },
        other => enc(&Tpkt(other)),
    }
}

/// Encodes through `Emit` alone (no `alloc` feature needed).
fn enc(e: &impl Emit) -> Vec<u8> {
    let mut v = vec![0; e.buffer_len()];
    assert_eq!(e.emit(&mut v).unwrap(), v.len());
    v
}

fn frame_of<P: Emit>(p: P) -> Vec<u8> {
    // Emit into a buffer pre-filled with 0xA5 so that a byte not written shows.
    let f = frame(p);
    let mut buf = vec![0xA5; f.buffer_len() + 3];
    let n = f.emit(&mut buf).unwrap();
    assert_eq!(n, f.buffer_len());
    assert_eq!(buf[n..], [0xA5; 3]);
    buf.truncate(n);
    buf
}

#[test]
fn every_vector_reencodes_to_its_bytes() {
    for v in ALL {
        assert_eq!(reencode(v.bytes), v.bytes, "{}", v.name);
    }
}

#[test]
fn cotp_connection_request_and_confirm() {
    let Tpdu::ConnectionRequest(cr) = tpdu(CR) else {
        panic!()
    };
    assert_eq!((cr.dst_ref, cr.src_ref, cr.class()), (0, 7, 0));
    assert_eq!(cr.src_tsap(), Some(&[0x01, 0x00][..]));
    assert_eq!(cr.dst_tsap(), Some(&[0x01, 0x02][..]));
    assert_eq!(
        Connection::s7_rack_slot(cr.dst_tsap().unwrap()),
        Some((1, 0, 2))
    );
    assert_eq!(cr.tpdu_size(), Some(1024));
    let Tpdu::ConnectionConfirm(cc) = tpdu(CC) else {
        panic!()
    };
    assert_eq!((cc.dst_ref, cc.src_ref), (7, 3));
    assert_eq!(cc.params.iter().count(), 3);
}

#[test]
fn connect_request_builder_matches_python_snap7() {
    // python-snap7 (snap7 1.x) to rack 0 slot 1: TPDU size first, then TSAPs 01 00, 03 01.
    let bytes = enc(&Tpkt(ConnectRequest::s7(1, 0, 1)));
    let Tpdu::ConnectionRequest(cr) = tpdu(&bytes) else {
        panic!()
    };
    assert_eq!(cr.dst_tsap(), Some(&[0x03, 0x01][..]));
    assert_eq!(cr.tpdu_size(), Some(1024));
}

#[test]
fn setup_communication() {
    let p = pdu(SETUP_JOB);
    assert_eq!(p.header.rosctr, Rosctr::Job);
    assert_eq!(p.header.pdu_ref, 0xFFFF);
    let Body::Job(Job::Setup(s)) = p.body else {
        panic!()
    };
    assert_eq!(
        (s.max_amq_calling, s.max_amq_called, s.pdu_size),
        (1, 1, 1920)
    );
    let p = pdu(SETUP_ACK);
    assert_eq!(p.error().unwrap().error_code(), ErrorCode::NoError);
    let Body::Response(Response::Setup(s)) = p.body else {
        panic!()
    };
    assert_eq!(s.pdu_size, 240);
    // The builder writes the same shape.
    assert_eq!(enc(&frame(Pdu::setup(0xFFFF, 1920))), SETUP_JOB);
}

#[test]
fn read_var_item_and_data() {
    let Body::Job(Job::ReadVar { items }) = pdu(READ_JOB).body else {
        panic!()
    };
    assert_eq!(items.count, 1);
    let Some(VarSpec::Any(a)) = items.iter().next() else {
        panic!()
    };
    assert_eq!(a.transport_size, ItemTransportSize::Byte);
    assert_eq!((a.length, a.db, a.area), (64, 1, Area::DataBlocks));
    assert_eq!((a.address.byte(), a.address.bit()), (0, 0));
    assert_eq!(a.byte_len(), Some(64));
    let built = enc(&frame(ReadVarRequest {
        pdu_ref: 0,
        items: &[a],
    }));
    assert_eq!(built, READ_JOB);

    let Body::Response(Response::ReadVar { item_count, items }) = pdu(READ_ACK).body else {
        panic!()
    };
    assert_eq!(item_count, 1);
    let d = items.iter().next().unwrap();
    assert_eq!(d.return_code, ReturnCode::Success);
    assert_eq!(d.transport_size, DataTransportSize::Byte);
    // 128 bits: the length unit of BYTE/WORD/DWORD is the bit.
    assert_eq!((d.length, d.data.len()), (128, 16));
}

#[test]
fn write_var_and_answer() {
    let p = pdu(WRITE_JOB);
    let Body::Job(Job::WriteVar { items, data }) = p.body else {
        panic!()
    };
    let Some(VarSpec::Any(a)) = items.iter().next() else {
        panic!()
    };
    assert_eq!((a.area, a.address.byte(), a.length), (Area::Flags, 0, 4));
    let d = data.iter().next().unwrap();
    assert_eq!(d.data, [0xA9, 0x10, 0x00, 0x01]);
    let c = classify(&p);
    assert_eq!((c.access, c.dangerous), (classify::Access::Write, true));
    let t = c.targets().next().unwrap();
    assert_eq!((t.area, t.start, t.bytes), (Area::Flags, 0, Some(4)));
    // The builder computes the same bytes.
    let built = enc(&frame(WriteVarRequest {
        pdu_ref: 2,
        items: &[(a, d)],
    }));
    assert_eq!(built, WRITE_JOB);

    let Body::Response(Response::WriteVar { return_codes, .. }) = pdu(WRITE_ACK).body else {
        panic!()
    };
    assert_eq!(
        return_codes.iter().collect::<Vec<_>>(),
        [ReturnCode::Success]
    );
}

#[test]
fn szl_module_identification() {
    let p = pdu(SZL_REQ);
    let Body::Userdata(u) = p.body else { panic!() };
    assert_eq!(u.params.kind, UserdataType::Request);
    assert_eq!(u.params.group, FunctionGroup::CpuFunctions);
    assert_eq!(u.params.subfunction_name(), Some("Read SZL"));
    assert_eq!(u.szl(), Some((0x0011, 0)));
    assert_eq!(enc(&frame(Pdu::szl_read(0x11, 0, 0x0011, 0))), SZL_REQ);
    assert_eq!(classify(&p).access, classify::Access::Identification);

    let Body::Userdata(u) = pdu(SZL_0011).body else {
        panic!()
    };
    let ext = u.params.ext.unwrap();
    assert!(ext.is_last());
    let UserdataBody::Szl(a) = u.body else {
        panic!()
    };
    assert_eq!((a.id.0, a.record_len, a.record_count), (0x0011, 28, 4));
    let recs: Vec<_> = a.iter().collect();
    let SzlRecord::ModuleId(m) = recs[0] else {
        panic!()
    };
    assert_eq!(
        (m.index, m.order_number()),
        (1, &b"6ES7 151-8AB01-0AB0"[..])
    );
    let SzlRecord::ModuleId(fw) = recs[2] else {
        panic!()
    };
    assert_eq!(fw.version(), Some((3, 2, 6)));
}

#[test]
fn szl_operating_mode() {
    let Body::Userdata(u) = pdu(SZL_0424).body else {
        panic!()
    };
    let UserdataBody::Szl(a) = u.body else {
        panic!()
    };
    let Some(SzlRecord::Mode(m)) = a.iter().next() else {
        panic!()
    };
    assert_eq!((m.event_id, m.mode(), m.previous_mode()), (0x5144, 8, 0));
    assert_eq!(szl::ModeRecord::mode_name(m.mode()), Some("RUN"));
}

#[test]
fn block_download_and_pi() {
    let p = pdu(REQUEST_DOWNLOAD);
    let Body::Job(Job::Block { control, .. }) = p.body else {
        panic!()
    };
    assert_eq!(control.function, Function::RequestDownload);
    let name = control.filename.unwrap();
    assert_eq!(name.block_type(), Some(BlockType::Db));
    assert_eq!((name.number(), name.filesystem()), (Some(1), Some(b'P')));
    assert_eq!(name.to_string(), "DB1");
    assert_eq!(
        (control.load_memory_len(), control.mc7_len()),
        (Some(500), Some(400))
    );
    assert_eq!(classify(&p).operation, Some(classify::Operation::Download));

    let p = pdu(PI_INSE);
    let Body::Job(Job::PiService(pi)) = p.body else {
        panic!()
    };
    assert_eq!((pi.service, pi.kind()), (&b"_INSE"[..], PiKind::Insert));
    let blocks: Vec<String> = pi.blocks().map(|b| b.to_string()).collect();
    assert_eq!(blocks, ["DB1"]);
    assert_eq!(
        classify(&p).operation,
        Some(classify::Operation::InsertBlock)
    );

    let p = pdu(PLC_STOP);
    let Body::Job(Job::PlcStop(stop)) = p.body else {
        panic!()
    };
    assert_eq!(stop.service, b"P_PROGRAM");
    let c = classify(&p);
    assert_eq!(
        (c.operation, c.dangerous),
        (Some(classify::Operation::PlcStop), true)
    );
}

#[test]
fn s7comm_plus_v2_v3_event() {
    let plus = |bytes| {
        let Tpdu::Data(dt) = tpdu(bytes) else {
            panic!()
        };
        let f = PlusFrame::parse(dt.user_data).unwrap();
        assert_eq!(f.anomalies, Anomalies::empty());
        f.pdu
    };
    let f = plus(PLUS_V2);
    assert_eq!(
        (f.version, f.trailer, f.digest),
        (PlusVersion::V2, true, None)
    );
    let h = f.pdu().unwrap().pdu;
    assert_eq!(h.opcode, Opcode::Response);
    assert_eq!(h.function, Some(PlusFunction::SetMultiVariables));
    assert_eq!((h.sequence, h.transport_flags), (Some(2), Some(0x34)));

    let f = plus(PLUS_V3);
    assert_eq!(f.digest.map(<[u8]>::len), Some(32));
    let h = f.pdu().unwrap().pdu;
    assert_eq!(h.function, Some(PlusFunction::SetVariable));
    assert_eq!((h.sequence, h.session), (Some(0x831A), Some(0x7000_0E4D)));
    assert_eq!(classify_plus(&h).access, classify::Access::Write);

    let f = plus(PLUS_EVENT);
    assert!(f.is_system() && !f.trailer);
    assert!(f.pdu().is_none());
}

#[test]
fn probe_tells_s7_from_other_cotp_users() {
    assert_eq!(probe(SETUP_JOB), Probe::Recognized);
    assert_eq!(probe(PLUS_V3), Probe::Recognized);
    // A CR alone: COTP, user unknown yet.
    assert_eq!(identify(CR), Identified::Cotp);
    assert_eq!(probe(CR), Probe::NeedMore);
    let mut both = CR.to_vec();
    both.extend_from_slice(SETUP_JOB);
    assert_eq!(identify(&both), Identified::S7comm);
    // ISO session (MMS) in a DT: another COTP user.
    let mms = [3u8, 0, 0, 11, 2, 0xF0, 0x80, 0x0D, 0x02, 0x01, 0x00];
    assert_eq!(identify(&mms), Identified::OtherCotpUser);
    assert_eq!(probe(&mms), Probe::Unrecognized);
    assert_eq!(probe(b"GET / HTTP/1.1\r\n"), Probe::Unrecognized);
    assert_eq!(probe(&[3, 0]), Probe::NeedMore);
}

#[test]
fn error_codes_are_named() {
    assert_eq!(
        ErrorCode::from(0x8104).name(),
        Some("This service is not implemented on the module or a frame error was reported")
    );
    let e = HeaderError {
        class: ErrorClass::Access,
        code: 0x04,
    };
    assert_eq!(e.error_code().value(), 0x8704);
}

/// Every decoded message serializes (borrowed types too), with names a SIEM can key on.
#[cfg(feature = "serde")]
#[test]
fn every_vector_serializes() {
    for v in ALL {
        let (f, _) = split_frame(v.bytes).unwrap();
        let t = Tpdu::parse(f.tpdu).unwrap();
        let mut json = serde_json::to_value(t).unwrap();
        if let Tpdu::Data(dt) = t.pdu {
            let m = Message::parse(dt.user_data, false).unwrap();
            json = serde_json::to_value(m).unwrap();
            if let Message::S7comm(p) = m.pdu {
                let c = serde_json::to_value(classify(&p)).unwrap();
                assert!(c["access"].is_string(), "{}", v.name);
            }
        }
        assert!(json.is_object(), "{}: {json}", v.name);
    }
    let p = pdu(PI_INSE);
    let json = serde_json::to_value(p).unwrap();
    assert_eq!(json["body"]["kind"], "pi_service");
    assert_eq!(json["body"]["service"], "_INSE");
    let json = serde_json::to_value(pdu(REQUEST_DOWNLOAD)).unwrap();
    assert_eq!(json["body"]["control"]["filename"]["name"], "DB1");
    let m = serde_json::to_value(Anomalies::FILL_BYTE | Anomalies::TRUNCATED).unwrap();
    assert_eq!(m, serde_json::json!(["TRUNCATED", "FILL_BYTE"]));
}

#[test]
fn read_clock_answer() {
    // ws_s7comm_reading_setting_plc_time, frame 26: time functions, read clock, response.
    let bytes: &[u8] = &[
        0x03, 0x00, 0x00, 0x2B, 0x02, 0xF0, 0x80, //
        0x32, 0x07, 0x00, 0x00, 0x07, 0x00, 0x00, 0x0C, 0x00, 0x0E, // userdata, ref 0x0700
        0x00, 0x01, 0x12, 0x08, 0x12, 0x87, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, // group 7
        0xFF, 0x09, 0x00, 0x0A, // 10 bytes
        0x00, 0x19, // reserved, century digits
        0x14, 0x08, 0x20, 0x11, 0x59, 0x43, 0x91, 0x24, // 14-08-20 11:59:43.912, weekday 4
    ];
    let p = pdu(bytes);
    let Body::Userdata(u) = p.body else { panic!() };
    assert_eq!(u.params.group, FunctionGroup::TimeFunctions);
    let t = u.clock().unwrap();
    assert_eq!(
        (
            t.year, t.month, t.day, t.hour, t.minute, t.second, t.millis, t.weekday
        ),
        (2014, 8, 20, 11, 59, 43, 912, 4)
    );
    assert_eq!(classify(&p).access, classify::Access::TimeSync);
}

#[test]
fn a_failed_emit_writes_nothing() {
    let f = frame(Pdu::setup(1, 480));
    for n in 0..f.buffer_len() {
        let mut buf = vec![0xA5; n];
        let e = f.emit(&mut buf).unwrap_err();
        assert_eq!(
            e,
            EmitError::BufferTooShort {
                needed: f.buffer_len(),
                available: n
            }
        );
        assert!(buf.iter().all(|&b| b == 0xA5), "{n}");
    }
}
