//! Round trips both ways: `parse(emit(x)) == x` for generated requests and responses of
//! every function code, `emit(parse(b)) == b` for every byte string that parses without
//! anomalies, and arbitrary bytes never panic any entry point.

#![allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::panic)] // test helpers outside #[test] fns

mod vectors;

use otwire_modbus::classify::{classify_request, classify_response};
use otwire_modbus::*;
use proptest::prelude::*;
use vectors::{enc, try_enc};

/// Field material for one generated message.
#[derive(Debug, Clone)]
struct Fields {
    variant: u8,
    a: u16,
    b: u16,
    c: u16,
    byte: u8,
    data: Vec<u8>,
}

fn fields() -> impl Strategy<Value = Fields> {
    (
        any::<u8>(),
        any::<u16>(),
        any::<u16>(),
        any::<u16>(),
        any::<u8>(),
        proptest::collection::vec(any::<u8>(), 0..240),
    )
        .prop_map(|(variant, a, b, c, byte, data)| Fields {
            variant,
            a,
            b,
            c,
            byte,
            data,
        })
}

/// Codes that no typed variant claims, so `Other` round-trips as `Other`.
fn untyped(byte: u8) -> FunctionCode {
    let f = FunctionCode::from(byte & 0x7F);
    match f.category() {
        FunctionCategory::Public | FunctionCategory::Exception => FunctionCode::from(65),
        _ if f == FunctionCode::Umas => FunctionCode::from(100),
        _ => f,
    }
}

/// Records of 7-byte headers whose lengths match their data: (file record bytes).
fn file_records(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for chunk in data.chunks(6).take(3) {
        let regs = &chunk[..chunk.len() / 2 * 2];
        out.extend_from_slice(&[6, 0, 1, 0, 2]);
        out.extend_from_slice(&((regs.len() / 2) as u16).to_be_bytes());
        out.extend_from_slice(regs);
    }
    out
}

fn device_objects(data: &[u8]) -> (u8, Vec<u8>) {
    let mut out = Vec::new();
    let mut n = 0;
    for (i, chunk) in data.chunks(9).take(5).enumerate() {
        out.extend_from_slice(&[i as u8, chunk.len() as u8]);
        out.extend_from_slice(chunk);
        n += 1;
    }
    (n, out)
}

fn even(d: &[u8]) -> &[u8] {
    &d[..d.len() / 2 * 2]
}

fn request<'a>(f: &'a Fields, scratch: &'a [u8]) -> Request<'a> {
    let (address, d) = (Address(f.a), &f.data[..]);
    match f.variant % 22 {
        0 => Request::ReadCoils {
            address,
            quantity: f.b,
        },
        1 => Request::ReadDiscreteInputs {
            address,
            quantity: f.b,
        },
        2 => Request::ReadHoldingRegisters {
            address,
            quantity: f.b,
        },
        3 => Request::ReadInputRegisters {
            address,
            quantity: f.b,
        },
        4 => Request::WriteSingleCoil {
            address,
            value: f.b,
        },
        5 => Request::WriteSingleRegister {
            address,
            value: f.b,
        },
        6 => Request::ReadExceptionStatus,
        7 => Request::Diagnostics {
            sub_function: f.b.into(),
            data: d,
        },
        8 => Request::GetCommEventCounter,
        9 => Request::GetCommEventLog,
        10 => Request::WriteMultipleCoils {
            address,
            quantity: f.b,
            values: BitValues::new(d, usize::from(f.b)),
        },
        11 => Request::WriteMultipleRegisters {
            address,
            quantity: f.b,
            values: RegisterValues::new(d),
        },
        12 => Request::ReportServerId,
        13 => Request::ReadFileRecord {
            requests: FileSubRequests::new(&d[..d.len() / 7 * 7]),
        },
        14 => Request::WriteFileRecord {
            records: FileRecords::new(scratch),
        },
        15 => Request::MaskWriteRegister {
            address,
            and_mask: f.b,
            or_mask: f.c,
        },
        16 => Request::ReadWriteMultipleRegisters {
            read_address: address,
            read_quantity: f.b,
            write_address: Address(f.c),
            write_quantity: u16::from(f.byte),
            values: RegisterValues::new(d),
        },
        17 => Request::ReadFifoQueue { address },
        18 => Request::ReadDeviceIdentification {
            code: (f.byte % 6).into(),
            object_id: f.b as u8,
        },
        19 => Request::Mei {
            mei_type: if f.byte == 14 {
                13.into()
            } else {
                f.byte.into()
            },
            data: d,
        },
        20 => Request::Umas(UmasRequest {
            session: f.byte,
            function: (f.b as u8).into(),
            payload: d,
        }),
        _ => Request::Other {
            function: untyped(f.byte),
            data: d,
        },
    }
}

fn response<'a>(f: &'a Fields, records: &'a [u8], objects: &'a (u8, Vec<u8>)) -> Response<'a> {
    let (address, d) = (Address(f.a), &f.data[..]);
    match f.variant % 24 {
        0 => Response::ReadCoils {
            values: BitValues::from_bytes(d),
        },
        1 => Response::ReadDiscreteInputs {
            values: BitValues::from_bytes(d),
        },
        2 => Response::ReadHoldingRegisters {
            values: RegisterValues::new(even(d)),
        },
        3 => Response::ReadInputRegisters {
            values: RegisterValues::new(even(d)),
        },
        4 => Response::WriteSingleCoil {
            address,
            value: f.b,
        },
        5 => Response::WriteSingleRegister {
            address,
            value: f.b,
        },
        6 => Response::ReadExceptionStatus { status: f.byte },
        7 => Response::Diagnostics {
            sub_function: f.b.into(),
            data: d,
        },
        8 => Response::GetCommEventCounter {
            status: f.b,
            event_count: f.c,
        },
        9 => Response::GetCommEventLog {
            status: f.a,
            event_count: f.b,
            message_count: f.c,
            events: &d[..d.len().min(64)],
        },
        10 => Response::WriteMultipleCoils {
            address,
            quantity: f.b,
        },
        11 => Response::WriteMultipleRegisters {
            address,
            quantity: f.b,
        },
        12 => Response::ReportServerId { data: d },
        13 => Response::ReadFileRecord {
            responses: FileSubResponses::new(&[3, 6, 0xAB, 0xCD, 1, 6]),
        },
        14 => Response::WriteFileRecord {
            records: FileRecords::new(records),
        },
        15 => Response::MaskWriteRegister {
            address,
            and_mask: f.b,
            or_mask: f.c,
        },
        16 => Response::ReadWriteMultipleRegisters {
            values: RegisterValues::new(even(d)),
        },
        17 => Response::ReadFifoQueue {
            fifo_count: (d.len() / 2) as u16,
            values: RegisterValues::new(even(d)),
        },
        18 => Response::ReadDeviceIdentification(DeviceIdentification {
            code: (f.byte % 6).into(),
            conformity_level: f.b as u8,
            more_follows: (f.c >> 8) as u8,
            next_object_id: f.c as u8,
            object_count: objects.0,
            objects: DeviceObjects::new(&objects.1),
        }),
        19 => Response::Mei {
            mei_type: if f.byte == 14 {
                13.into()
            } else {
                f.byte.into()
            },
            data: d,
        },
        20 => Response::Umas(UmasResponse {
            session: f.byte,
            status: (f.b as u8).into(),
            payload: d,
        }),
        21 => Response::Exception {
            function: FunctionCode::from(f.byte & 0x7F),
            code: (f.b as u8).into(),
        },
        _ => Response::Other {
            function: untyped(f.byte),
            data: d,
        },
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn requests_survive_emit_then_parse(f in fields()) {
        let scratch = file_records(&f.data);
        let r = request(&f, &scratch);
        let Ok(bytes) = try_enc(&r) else { return Ok(()) }; // counts above 255 cannot encode
        prop_assert_eq!(bytes.len(), r.buffer_len());
        prop_assert_eq!(Request::parse(&bytes).unwrap().pdu, r);
    }

    #[test]
    fn responses_survive_emit_then_parse(f in fields()) {
        let records = file_records(&f.data);
        let objects = device_objects(&f.data);
        let r = response(&f, &records, &objects);
        let Ok(bytes) = try_enc(&r) else { return Ok(()) };
        prop_assert_eq!(Response::parse(&bytes).unwrap().pdu, r);
    }

    #[test]
    fn clean_parses_reencode_to_the_same_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        for dir in [Direction::Request, Direction::Response] {
            if let Ok(p) = Pdu::parse_pdu(&bytes, dir) {
                let again = match p.pdu {
                    Pdu::Request(r) => enc(&r),
                    Pdu::Response(r) => enc(&r),
                };
                if p.anomalies.is_empty() {
                    prop_assert_eq!(&again, &bytes);
                }
                // Whatever parsed, its encoding parses to the same message.
                prop_assert_eq!(Pdu::parse_pdu(&again, dir).unwrap().pdu, p.pdu);
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        if let Ok((frame, _)) = split_frame(&bytes) {
            for dir in [Direction::Request, Direction::Response] {
                if let Ok(p) = Pdu::parse(&frame, dir) {
                    match p.pdu {
                        Pdu::Request(r) => { classify_request(&r); }
                        Pdu::Response(r) => { classify_response(&r); }
                    }
                }
            }
        }
        let _ = parse_datagram(&bytes);
        let _ = probe(&bytes);
        if let Ok(f) = RtuFrame::parse(&bytes) { let _ = f.anomalies(); }
        for dir in [Direction::Request, Direction::Response] {
            let _ = split_rtu_frame(&bytes, dir);
            let _ = expected_len(&bytes, dir);
        }
    }
}
