//! The specification's examples decode to exactly the fields the specification names,
//! encode back to the same bytes, and the anomaly rules fire where they should.

#![allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::panic)] // test helpers outside #[test] fns

mod vectors;

use otwire_modbus::classify::{Access, DataTable, Operation, classify_request};
use otwire_modbus::*;
use vectors::{VECTORS, enc};

fn req(pdu: &[u8]) -> Parsed<Request<'_>> {
    Request::parse(pdu).unwrap()
}
fn rsp(pdu: &[u8]) -> Parsed<Response<'_>> {
    Response::parse(pdu).unwrap()
}
fn vector(name: &str) -> &'static [u8] {
    VECTORS.iter().find(|v| v.name == name).unwrap().pdu
}

#[test]
fn every_vector_decodes_cleanly_and_reencodes_byte_for_byte() {
    for v in VECTORS {
        let parsed = Pdu::parse_pdu(v.pdu, v.dir).unwrap_or_else(|e| panic!("{}: {e}", v.name));
        assert_eq!(parsed.anomalies, Anomalies::empty(), "{}", v.name);
        let bytes = match parsed.pdu {
            Pdu::Request(r) => enc(&r),
            Pdu::Response(r) => enc(&r),
        };
        assert_eq!(bytes, v.pdu, "{}", v.name);
    }
}

#[test]
fn read_requests_carry_address_and_quantity() {
    assert_eq!(
        req(vector("fc1 req")).pdu,
        Request::ReadCoils {
            address: Address(19),
            quantity: 19
        }
    );
    assert_eq!(
        req(vector("fc2 req")).pdu,
        Request::ReadDiscreteInputs {
            address: Address(196),
            quantity: 22
        }
    );
    assert_eq!(
        req(vector("fc3 req")).pdu,
        Request::ReadHoldingRegisters {
            address: Address(107),
            quantity: 3
        }
    );
    assert_eq!(
        req(vector("fc4 req")).pdu,
        Request::ReadInputRegisters {
            address: Address(8),
            quantity: 1
        }
    );
}

#[test]
fn read_responses_carry_values() {
    let Response::ReadCoils { values } = rsp(vector("fc1 rsp")).pdu else {
        panic!()
    };
    // 0xCD = 1100 1101: coils 20..27 LSB first = 1,0,1,1,0,0,1,1.
    assert_eq!(
        values.iter().take(8).collect::<Vec<_>>(),
        [true, false, true, true, false, false, true, true]
    );
    assert_eq!(values.len(), 24);
    let Response::ReadHoldingRegisters { values } = rsp(vector("fc3 rsp")).pdu else {
        panic!()
    };
    assert_eq!(values.iter().collect::<Vec<_>>(), [555, 0, 100]);
    let Response::ReadInputRegisters { values } = rsp(vector("fc4 rsp")).pdu else {
        panic!()
    };
    assert_eq!(values.get(0), Some(10));
}

#[test]
fn single_writes_and_their_echoes() {
    let on = Request::WriteSingleCoil {
        address: Address(172),
        value: COIL_ON,
    };
    assert_eq!(req(vector("fc5 req")).pdu, on);
    assert_eq!(
        rsp(vector("fc5 rsp")).pdu,
        Response::WriteSingleCoil {
            address: Address(172),
            value: COIL_ON
        }
    );
    assert_eq!(
        req(vector("fc6 req")).pdu,
        Request::WriteSingleRegister {
            address: Address(1),
            value: 3
        }
    );
}

#[test]
fn multiple_writes_carry_quantity_and_values() {
    let Request::WriteMultipleCoils {
        address,
        quantity,
        values,
    } = req(vector("fc15 req")).pdu
    else {
        panic!()
    };
    assert_eq!((address, quantity, values.len()), (Address(19), 10, 10));
    // 0xCD 0x01: coils 20-27 = 1,0,1,1,0,0,1,1; 28-29 = 1,0.
    assert_eq!(
        values.iter().collect::<Vec<_>>(),
        [
            true, false, true, true, false, false, true, true, true, false
        ]
    );
    let Request::WriteMultipleRegisters {
        address,
        quantity,
        values,
    } = req(vector("fc16 req")).pdu
    else {
        panic!()
    };
    assert_eq!((address, quantity), (Address(1), 2));
    assert_eq!(values.iter().collect::<Vec<_>>(), [0x000A, 0x0102]);
    assert_eq!(
        rsp(vector("fc15 rsp")).pdu,
        Response::WriteMultipleCoils {
            address: Address(19),
            quantity: 10
        }
    );
}

#[test]
fn serial_line_functions() {
    assert_eq!(
        rsp(vector("fc7 rsp")).pdu,
        Response::ReadExceptionStatus { status: 0x6D }
    );
    assert_eq!(
        req(vector("fc8 req")).pdu,
        Request::Diagnostics {
            sub_function: DiagnosticCode::ReturnQueryData,
            data: &[0xA5, 0x37]
        }
    );
    assert_eq!(
        rsp(vector("fc11 rsp")).pdu,
        Response::GetCommEventCounter {
            status: 0xFFFF,
            event_count: 264
        }
    );
    assert_eq!(
        rsp(vector("fc12 rsp")).pdu,
        Response::GetCommEventLog {
            status: 0,
            event_count: 264,
            message_count: 289,
            events: &[0x20, 0x00]
        }
    );
    let Response::ReportServerId { data } = rsp(vector("fc17 rsp")).pdu else {
        panic!()
    };
    assert_eq!(data, [0x2A, 0xFF, b'O', b'K']);
}

#[test]
fn file_records() {
    let Request::ReadFileRecord { requests } = req(vector("fc20 req")).pdu else {
        panic!()
    };
    let subs: Vec<_> = requests.collect();
    assert_eq!(subs.len(), 2);
    assert_eq!(
        subs[0],
        FileSubRequest {
            reference_type: 6,
            file_number: 4,
            record_number: 1,
            record_length: 2
        }
    );
    assert_eq!(
        subs[1],
        FileSubRequest {
            reference_type: 6,
            file_number: 3,
            record_number: 9,
            record_length: 2
        }
    );
    let Response::ReadFileRecord { responses } = rsp(vector("fc20 rsp")).pdu else {
        panic!()
    };
    let data: Vec<Vec<u16>> = responses.map(|r| r.data.iter().collect()).collect();
    assert_eq!(data, [vec![0x0DFE, 0x0020], vec![0x33CD, 0x0040]]);
    let Request::WriteFileRecord { records } = req(vector("fc21 req")).pdu else {
        panic!()
    };
    let r: Vec<_> = records.collect();
    assert_eq!((r.len(), r[0].file_number, r[0].record_number), (1, 4, 7));
    assert_eq!(
        r[0].data.iter().collect::<Vec<_>>(),
        [0x06AF, 0x04BE, 0x100D]
    );
}

#[test]
fn mask_write_read_write_and_fifo() {
    assert_eq!(
        req(vector("fc22 req")).pdu,
        Request::MaskWriteRegister {
            address: Address(4),
            and_mask: 0x00F2,
            or_mask: 0x0025
        }
    );
    let Request::ReadWriteMultipleRegisters {
        read_address,
        read_quantity,
        write_address,
        write_quantity,
        values,
    } = req(vector("fc23 req")).pdu
    else {
        panic!()
    };
    assert_eq!(
        (read_address, read_quantity, write_address, write_quantity),
        (Address(3), 6, Address(14), 3)
    );
    assert_eq!(values.iter().collect::<Vec<_>>(), [0xFF, 0xFF, 0xFF]);
    let Response::ReadFifoQueue { fifo_count, values } = rsp(vector("fc24 rsp")).pdu else {
        panic!()
    };
    assert_eq!(
        (fifo_count, values.iter().collect::<Vec<_>>()),
        (2, vec![440, 4740])
    );
}

#[test]
fn device_identification() {
    assert_eq!(
        req(vector("fc43 req")).pdu,
        Request::ReadDeviceIdentification {
            code: ReadDeviceIdCode::Basic,
            object_id: 0
        }
    );
    let Response::ReadDeviceIdentification(id) = rsp(vector("fc43 rsp")).pdu else {
        panic!()
    };
    assert_eq!(
        (
            id.conformity_level,
            id.more(),
            id.next_object_id,
            id.object_count
        ),
        (1, false, 0, 3)
    );
    let objects: Vec<(DeviceObjectId, &str)> =
        id.objects.map(|o| (o.id, o.as_str().unwrap())).collect();
    assert_eq!(
        objects,
        [
            (DeviceObjectId::VendorName, "Company identification"),
            (DeviceObjectId::ProductCode, "Product code XX"),
            (DeviceObjectId::MajorMinorRevision, "V2.11"),
        ]
    );
}

#[test]
fn exception_and_umas() {
    let e = rsp(vector("fc1 exception")).pdu;
    assert_eq!(
        e,
        Response::Exception {
            function: FunctionCode::ReadCoils,
            code: ExceptionCode::IllegalDataAddress
        }
    );
    assert_eq!(e.exception(), Some(ExceptionCode::IllegalDataAddress));
    let Request::Umas(u) = req(vector("umas req")).pdu else {
        panic!()
    };
    assert_eq!(
        (u.session, u.function, u.payload),
        (0, UmasFunctionCode::ReadId, &[][..])
    );
    let Response::Umas(u) = rsp(vector("umas rsp")).pdu else {
        panic!()
    };
    assert!(u.is_ok());
    assert_eq!(u.payload, [0x0E, 0x00]);
}

#[test]
fn mbap_frame_from_the_implementation_guide() {
    let adu = [
        0x00, 0x2A, // transaction id 42
        0x00, 0x00, // protocol id 0
        0x00, 0x06, // length 6: unit + 5-byte PDU
        0xFF, // unit id 255
        0x03, 0x00, 0x6B, 0x00, 0x03, // Read Holding Registers 107, 3
        0xAA, // the next frame's first byte
    ];
    let (frame, rest) = split_frame(&adu).unwrap();
    assert_eq!(frame.transaction(), TransactionId(42));
    assert_eq!(frame.unit(), UnitId(255));
    assert_eq!(frame.header.protocol_id, 0);
    assert_eq!(frame.pdu, &adu[7..12]);
    assert_eq!(rest, [0xAA]);
    assert_eq!(
        frame.function_code(),
        Some(FunctionCode::ReadHoldingRegisters)
    );
    assert_eq!(enc(&frame), &adu[..12]);
    assert_eq!(probe(&adu), Probe::Recognized);
    assert_eq!(probe(&adu[..7]), Probe::NeedMore);
    assert_eq!(probe(b"GET / HTTP/1.1\r\n"), Probe::Unrecognized);
    // The tail of a read request (unit 1, FC 3, address 0, quantity 2) followed by a whole
    // request (tid 7): the tail reads as tid 0x0103, length 2, FC 7, but what follows that
    // "frame" (00 00 | 00 06 | ...: protocol id 6) is no header, so it is not claimed...
    let tail_then_read = [
        0x01, 0x03, 0x00, 0x00, 0x00, 0x02, // tail of the previous PDU
        0x00, 0x07, 0x00, 0x00, 0x00, 0x06, 0x01, 0x03, 0x00, 0x00, 0x00, 0x02, // tid 7
    ];
    assert_eq!(probe(&tail_then_read), Probe::Unrecognized);
    // ...while the whole request alone, and two requests back to back, are.
    assert_eq!(probe(&tail_then_read[6..]), Probe::Recognized);
    let two = [&tail_then_read[6..], &tail_then_read[6..]].concat();
    assert_eq!(probe(&two), Probe::Recognized);
    assert_eq!(parse_datagram(&adu[..12]).unwrap(), frame);
    assert!(matches!(
        parse_datagram(&adu[..10]),
        Err(Error::Malformed {
            layer: Layer::Mbap,
            ..
        })
    ));
}

#[test]
fn rtu_frame_from_the_serial_line_guide() {
    // Server 17, Read Holding Registers 107-109, CRC 0x8776 sent low byte first.
    let adu = [0x11, 0x03, 0x00, 0x6B, 0x00, 0x03, 0x76, 0x87];
    let frame = RtuFrame::parse(&adu).unwrap();
    assert_eq!(frame.address, UnitId(17));
    assert_eq!(frame.pdu, &adu[1..6]);
    assert_eq!(frame.crc, 0x8776);
    assert!(frame.crc_ok());
    assert_eq!(frame.anomalies(), Anomalies::empty());
    assert_eq!(expected_len(&adu, Direction::Request), LenHint::Exact(8));
    let (split, rest) = split_rtu_frame(&adu, Direction::Request).unwrap();
    assert_eq!((split, rest), (frame, &[][..]));
    assert_eq!(enc(&frame), adu);
    let mut bad = adu;
    bad[7] ^= 1;
    assert_eq!(
        RtuFrame::parse(&bad).unwrap().anomalies(),
        Anomalies::BAD_CRC
    );
    let built = RtuAdu {
        address: UnitId(17),
        pdu: Request::ReadHoldingRegisters {
            address: Address(107),
            quantity: 3,
        },
    };
    assert_eq!(enc(&built), adu);
}

#[test]
fn anomalies_fire_and_decoding_carries_on() {
    let cases: &[(&[u8], Direction, Anomalies)] = &[
        // Read 126 registers: one past the limit of 125.
        (
            &[0x03, 0x00, 0x00, 0x00, 0x7E],
            Direction::Request,
            Anomalies::QUANTITY_OUT_OF_RANGE,
        ),
        // Read 0 coils.
        (
            &[0x01, 0x00, 0x00, 0x00, 0x00],
            Direction::Request,
            Anomalies::QUANTITY_OUT_OF_RANGE,
        ),
        // Read 10 registers at 0xFFFA: past the address space.
        (
            &[0x03, 0xFF, 0xFA, 0x00, 0x0A],
            Direction::Request,
            Anomalies::ADDRESS_OVERFLOW,
        ),
        // Write Single Coil with 0x1234.
        (
            &[0x05, 0x00, 0x01, 0x12, 0x34],
            Direction::Request,
            Anomalies::INVALID_COIL_VALUE,
        ),
        // Write 2 registers with byte count 3 and 3 bytes.
        (
            &[0x10, 0x00, 0x01, 0x00, 0x02, 0x03, 1, 2, 3],
            Direction::Request,
            Anomalies::BYTE_COUNT_MISMATCH,
        ),
        // Write 2 registers, byte count 4, only 2 bytes present.
        (
            &[0x10, 0x00, 0x01, 0x00, 0x02, 0x04, 1, 2],
            Direction::Request,
            Anomalies::TRUNCATED,
        ),
        // Read Holding Registers with a trailing byte.
        (
            &[0x03, 0x00, 0x00, 0x00, 0x01, 0x99],
            Direction::Request,
            Anomalies::LENGTH_MISMATCH,
        ),
        // Reserved function code 9 (legacy 484 programming).
        (
            &[0x09, 0x01],
            Direction::Request,
            Anomalies::RESERVED_FUNCTION,
        ),
        // Exception code 7 is not defined.
        (
            &[0x83, 0x07],
            Direction::Response,
            Anomalies::INVALID_EXCEPTION_CODE,
        ),
        // Diagnostics sub-function 19 is reserved.
        (
            &[0x08, 0x00, 0x13, 0x00, 0x00],
            Direction::Request,
            Anomalies::RESERVED_SUB_FUNCTION,
        ),
        // Restart Communications with option 0x1234.
        (
            &[0x08, 0x00, 0x01, 0x12, 0x34],
            Direction::Request,
            Anomalies::INVALID_DATA_VALUE,
        ),
        // MEI type 15 is reserved.
        (
            &[0x2B, 0x0F, 0x00],
            Direction::Request,
            Anomalies::RESERVED_MEI_TYPE,
        ),
        // Read Device ID code 5.
        (
            &[0x2B, 0x0E, 0x05, 0x00],
            Direction::Request,
            Anomalies::INVALID_DEVICE_ID_CODE,
        ),
        // Read File Record with reference type 7.
        (
            &[0x14, 0x07, 0x07, 0, 1, 0, 0, 0, 1],
            Direction::Request,
            Anomalies::INVALID_REFERENCE_TYPE,
        ),
        // Read Coils response whose byte count says 3 but carries 1 byte.
        (
            &[0x01, 0x03, 0xFF],
            Direction::Response,
            Anomalies::TRUNCATED,
        ),
        // Read registers response with an odd byte count.
        (
            &[0x03, 0x03, 0, 1, 2],
            Direction::Response,
            Anomalies::BYTE_COUNT_MISMATCH,
        ),
    ];
    for (pdu, dir, want) in cases {
        let got = Pdu::parse_pdu(pdu, *dir).unwrap_or_else(|e| panic!("{pdu:02x?}: {e}"));
        assert_eq!(got.anomalies, *want, "{pdu:02x?}");
    }
}

#[test]
fn frame_anomalies_join_the_pdu_ones() {
    // Protocol id 1 and a user-defined function code 65.
    let adu = [0, 1, 0, 1, 0, 3, 1, 0x41, 0x00];
    let (frame, _) = split_frame(&adu).unwrap();
    let parsed = Pdu::parse(&frame, Direction::Request).unwrap();
    assert_eq!(parsed.anomalies, Anomalies::PROTOCOL_ID);
    assert_eq!(
        parsed.pdu,
        Pdu::Request(Request::Other {
            function: FunctionCode::Unknown(0x41),
            data: &[0]
        })
    );
    assert_eq!(
        FunctionCode::Unknown(0x41).category(),
        FunctionCategory::UserDefined
    );
    // A 300-byte PDU is flagged, and still decodes.
    let mut long = vec![0x10, 0x00, 0x00, 0x00, 0x7B, 0xF6];
    long.resize(300, 0);
    let got = Request::parse(&long).unwrap();
    assert!(got.anomalies.contains(Anomalies::PDU_TOO_LONG));
}

#[test]
fn errors_only_when_fixed_fields_are_missing() {
    assert_eq!(Request::parse(&[]), Err(Error::EmptyPdu));
    assert_eq!(
        Request::parse(&[0x03, 0x00]),
        Err(Error::Malformed {
            layer: Layer::Pdu,
            offset: 1
        })
    );
    assert_eq!(
        Response::parse(&[0x83]),
        Err(Error::Malformed {
            layer: Layer::Pdu,
            offset: 1
        })
    );
    assert_eq!(
        split_frame(&[0, 1, 0, 0, 0, 0, 1]),
        Err(Error::Malformed {
            layer: Layer::Mbap,
            offset: 4
        })
    );
    assert!(matches!(
        split_frame(&[0, 1, 0, 0, 0, 6, 1, 3]),
        Err(Error::Incomplete(_))
    ));
}

#[test]
fn codes_have_names_and_keep_unknown_values() {
    assert_eq!(FunctionCode::from(3).to_string(), "Read Holding Registers");
    assert_eq!(FunctionCode::from(0x5B).to_string(), "0x5b");
    assert_eq!(u8::from(FunctionCode::from(0x5B)), 0x5B);
    assert_eq!(
        ExceptionCode::from(11).name(),
        Some("Gateway Target Device Failed to Respond")
    );
    assert_eq!(ExceptionCode::from(0x5B).name(), None);
    assert_eq!(DiagnosticCode::from(4), DiagnosticCode::ForceListenOnlyMode);
    assert_eq!(UmasFunctionCode::from(0x41).name(), Some("STOP_PLC"));
    assert_eq!(
        FunctionCode::from(90).category(),
        FunctionCategory::Reserved
    );
    assert_eq!(
        FunctionCode::from(0x83).category(),
        FunctionCategory::Exception
    );
}

#[test]
fn classification_names_access_table_and_range() {
    let k = classify_request(&req(vector("fc16 req")).pdu);
    assert_eq!(
        (k.access, k.table),
        (Access::Write, Some(DataTable::HoldingRegisters))
    );
    let r = k.range.unwrap();
    assert_eq!(
        (r.start, r.quantity, r.last()),
        (Address(1), 2, Some(Address(2)))
    );
    assert!(k.is_write());
    let k = classify_request(&req(vector("fc23 req")).pdu);
    assert_eq!(k.access, Access::ReadWrite);
    assert_eq!(k.write_range.unwrap().start, Address(14));
    let listen_only = Request::parse(&[0x08, 0x00, 0x04, 0x00, 0x00]).unwrap().pdu;
    assert_eq!(
        classify_request(&listen_only).operation,
        Some(Operation::ForceListenOnly)
    );
    let stop = Request::parse(&[0x5A, 0x01, 0x41]).unwrap().pdu;
    let k = classify_request(&stop);
    assert_eq!(
        (k.access, k.operation),
        (Access::Control, Some(Operation::StopPlc))
    );
    assert_eq!(
        classify_request(&req(vector("fc43 req")).pdu).access,
        Access::Identification
    );
}

#[test]
fn builders_pack_values_without_allocating() {
    let mut regs = [0u8; 4];
    let values = RegisterValues::new(pack_registers(&[10, 258], &mut regs).unwrap());
    let r = Request::WriteMultipleRegisters {
        address: Address(1),
        quantity: 2,
        values,
    };
    assert_eq!(enc(&r), vector("fc16 req"));
    let mut bits = [0u8; 2];
    let on = [
        true, false, true, true, false, false, true, true, true, false,
    ];
    let values = BitValues::new(pack_bits(&on, &mut bits).unwrap(), on.len());
    let r = Request::WriteMultipleCoils {
        address: Address(19),
        quantity: 10,
        values,
    };
    assert_eq!(enc(&r), vector("fc15 req"));
    let mut small = [0u8; 3];
    assert_eq!(
        r.emit(&mut small),
        Err(EmitError::BufferTooShort {
            needed: 8,
            available: 3
        })
    );
}

#[test]
fn emit_writes_every_byte() {
    // Pre-fill with 0xA5 so a byte the encoder forgets shows up.
    for v in VECTORS {
        let parsed = Pdu::parse_pdu(v.pdu, v.dir).unwrap();
        let mut buf = [0xA5u8; 300];
        let n = match parsed.pdu {
            Pdu::Request(r) => r.emit(&mut buf).unwrap(),
            Pdu::Response(r) => r.emit(&mut buf).unwrap(),
        };
        assert_eq!(&buf[..n], v.pdu, "{}", v.name);
    }
}

#[cfg(feature = "serde")]
#[test]
fn serializes_to_json() {
    let parsed = req(vector("fc3 req"));
    let json = serde_json::to_string(&parsed).unwrap();
    assert_eq!(
        json,
        r#"{"pdu":{"kind":"read_holding_registers","address":107,"quantity":3},"anomalies":[]}"#
    );
    let flags = Anomalies::BAD_CRC | Anomalies::PROTOCOL_ID;
    let json = serde_json::to_string(&flags).unwrap();
    assert_eq!(json, r#"["PROTOCOL_ID","BAD_CRC"]"#);
    assert_eq!(serde_json::from_str::<Anomalies>(&json).unwrap(), flags);
}
