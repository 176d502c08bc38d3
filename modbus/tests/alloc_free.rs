//! The parse path allocates nothing (DESIGN.md §2): MBAP framing, PDU decoding in both
//! directions, walking every value iterator, classification, RTU framing and CRC checks,
//! and encoding into caller buffers. A counting global allocator watches a corpus of frames
//! built with the crate's own encoders.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code

mod vectors;

use otwire_modbus::classify::{classify_request, classify_response};
use otwire_modbus::{
    Address, Adu, BitValues, Direction, Emit, Pdu, Raw, RegisterValues, Request, Response, RtuAdu,
    RtuFrame, TransactionId, UnitId, pack_bits, pack_registers, probe, split_frame,
    split_rtu_frame,
};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

/// Counts every allocation of this test binary; it holds one test, so nothing else runs
/// while the region is open.
#[global_allocator]
static GLOBAL: &StatsAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

/// A frame of the corpus: its bytes and the direction it travels.
struct Sample {
    dir: Direction,
    pdu: Vec<u8>,
}

/// Encodes through `Emit` alone (no `alloc` feature needed).
fn encode(e: &impl Emit) -> Vec<u8> {
    let mut v = vec![0; e.buffer_len()];
    let n = e.emit(&mut v).unwrap();
    assert_eq!(n, v.len());
    v
}

/// The specification's examples plus typed messages encoded by the crate.
fn corpus() -> Vec<Sample> {
    let mut out: Vec<Sample> = vectors::VECTORS
        .iter()
        .map(|v| Sample {
            dir: v.dir,
            pdu: v.pdu.to_vec(),
        })
        .collect();
    let mut regs = [0u8; 246];
    let regs = pack_registers(&(0..123).map(|i| i * 257).collect::<Vec<u16>>(), &mut regs)
        .unwrap()
        .to_vec();
    let mut bits = [0u8; 246];
    let bits = pack_bits(
        &(0..1968).map(|i| i % 3 == 0).collect::<Vec<bool>>(),
        &mut bits,
    )
    .unwrap()
    .to_vec();
    let requests = [
        Request::ReadHoldingRegisters {
            address: Address(0x1000),
            quantity: 125,
        },
        Request::WriteMultipleRegisters {
            address: Address(40),
            quantity: 123,
            values: RegisterValues::new(&regs),
        },
        Request::WriteMultipleCoils {
            address: Address(0),
            quantity: 1968,
            values: BitValues::new(&bits, 1968),
        },
        Request::ReadWriteMultipleRegisters {
            read_address: Address(1),
            read_quantity: 10,
            write_address: Address(2),
            write_quantity: 4,
            values: RegisterValues::new(&regs[..8]),
        },
    ];
    for r in &requests {
        out.push(Sample {
            dir: Direction::Request,
            pdu: encode(r),
        });
    }
    let responses = [
        Response::ReadInputRegisters {
            values: RegisterValues::new(&regs[..250.min(regs.len())]),
        },
        Response::ReadCoils {
            values: BitValues::from_bytes(&bits[..250.min(bits.len())]),
        },
    ];
    for r in &responses {
        out.push(Sample {
            dir: Direction::Response,
            pdu: encode(r),
        });
    }
    out
}

/// Walks everything a PDU exposes; returns a number that depends on all of it.
fn walk(pdu: &Pdu<'_>) -> usize {
    let mut n = usize::from(pdu.function_code().value());
    match pdu {
        Pdu::Request(r) => {
            n += classify_request(r)
                .range
                .map_or(0, |r| usize::from(r.quantity));
            match *r {
                Request::WriteMultipleCoils { values, .. } => {
                    n += values.iter().filter(|&b| b).count();
                }
                Request::WriteMultipleRegisters { values, .. }
                | Request::ReadWriteMultipleRegisters { values, .. } => {
                    n += values.iter().map(usize::from).sum::<usize>();
                }
                Request::ReadFileRecord { requests } => {
                    n += requests
                        .map(|r| usize::from(r.record_length))
                        .sum::<usize>();
                }
                Request::WriteFileRecord { records } => {
                    n += records.map(|r| r.data.iter().count()).sum::<usize>();
                }
                _ => {}
            }
        }
        Pdu::Response(r) => {
            n += classify_response(r).table.map_or(0, |t| t as usize);
            match *r {
                Response::ReadCoils { values } | Response::ReadDiscreteInputs { values } => {
                    n += values.iter().filter(|&b| b).count();
                }
                Response::ReadHoldingRegisters { values }
                | Response::ReadInputRegisters { values }
                | Response::ReadWriteMultipleRegisters { values }
                | Response::ReadFifoQueue { values, .. } => {
                    n += values.iter().map(usize::from).sum::<usize>();
                }
                Response::ReadFileRecord { responses } => {
                    n += responses.map(|r| r.data.iter().count()).sum::<usize>();
                }
                Response::WriteFileRecord { records } => {
                    n += records.map(|r| r.data.iter().count()).sum::<usize>();
                }
                Response::ReadDeviceIdentification(d) => {
                    n += d
                        .objects
                        .map(|o| o.value.len() + usize::from(o.id.value()))
                        .sum::<usize>();
                }
                _ => {}
            }
        }
    }
    n
}

#[test]
fn parse_walk_classify_and_emit_do_not_allocate() {
    let samples = corpus();
    // One Modbus/TCP stream per direction and one RTU frame per sample, all built with the
    // crate's encoders before the counting starts.
    let mut streams = [Vec::new(), Vec::new()];
    let mut rtu = Vec::new();
    for (i, s) in samples.iter().enumerate() {
        let adu = Adu::new(TransactionId(i as u16), UnitId(1), Raw(s.pdu.as_slice()));
        let k = usize::from(s.dir == Direction::Response);
        streams[k].extend_from_slice(&encode(&adu));
        let frame = RtuAdu {
            address: UnitId(17),
            pdu: Raw(s.pdu.as_slice()),
        };
        rtu.push((s.dir, encode(&frame)));
    }
    let dirs = [Direction::Request, Direction::Response];
    let mut out = [0u8; 300];

    // The libtest harness's own thread may allocate while the region is open (seen on a
    // loaded machine): an allocation of the parse path happens on every pass, so the path
    // is allocation-free when one of three passes counts none.
    let mut seen = Vec::with_capacity(3);
    for _ in 0..3 {
        let region = Region::new(GLOBAL);
        let mut pass = || {
            let mut decoded = 0usize;
            let mut sum = 0usize;
            for (stream, dir) in streams.iter().zip(dirs) {
                let mut rest = stream.as_slice();
                std::hint::black_box(probe(rest));
                while let Ok((frame, r)) = split_frame(rest) {
                    rest = r;
                    let p = Pdu::parse(&frame, dir).unwrap();
                    sum += walk(&p.pdu) + p.anomalies.bits() as usize;
                    let n = match p.pdu {
                        Pdu::Request(r) => r.emit(&mut out),
                        Pdu::Response(r) => r.emit(&mut out),
                    }
                    .unwrap();
                    assert_eq!(&out[..n], frame.pdu);
                    let n = frame.emit(&mut out).unwrap();
                    sum += n;
                    decoded += 1;
                }
                assert!(rest.is_empty());
            }
            for (dir, bytes) in &rtu {
                let frame = RtuFrame::parse(bytes).unwrap();
                assert!(frame.crc_ok());
                let p = Pdu::parse_pdu(frame.pdu, *dir).unwrap();
                sum += walk(&p.pdu);
                if let Ok((f, _)) = split_rtu_frame(bytes, *dir) {
                    sum += f.pdu.len();
                }
                let n = frame.emit(&mut out).unwrap();
                assert_eq!(&out[..n], bytes.as_slice());
                decoded += 1;
            }

            std::hint::black_box(sum);
            assert_eq!(decoded, 2 * samples.len());
        };
        pass();
        let stats = region.change();
        seen.push((stats.allocations, stats.reallocations));
        if seen.last() == Some(&(0, 0)) {
            break;
        }
    }
    assert_eq!(
        seen.last(),
        Some(&(0, 0)),
        "the parse path allocated: {seen:?}"
    );
}
