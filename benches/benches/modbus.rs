//! Modbus/TCP throughput, otwire-modbus beside sawp-modbus (the parser Suricata uses) on the
//! same bytes: the corpus of `otwire_benches::modbus_corpus` (real captures when
//! `$OTWIRE_CAPTURES` is set, a generated one otherwise), both directions.
//!
//! Two groups measure the same functions: `modbus_bytes` (Throughput::Bytes) and
//! `modbus_pdus` (Throughput::Elements, one element per PDU).
//!
//! - `otwire/split_frame`: MBAP framing alone, the floor under the parse rows.
//! - `otwire/parse`: `split_frame` + `Pdu::parse` of every frame (the 5x target).
//! - `otwire/parse_directed`: the same through `Request::parse` / `Response::parse`, the
//!   direction being known per stream.
//! - `otwire/parse+values`: `split_frame` + `Pdu::parse`, then every register and coil value walked through
//!   the iterators. sawp-modbus's parse decodes the values into vectors; otwire's stay
//!   borrowed, and this row adds reading every one of them to the parse.
//! - `otwire/stream`: the streams pushed through `StreamDecoder` in 1460-byte segments,
//!   every frame taken out and parsed.
//! - `otwire/emit`: every parsed PDU encoded back into a buffer (MBAP header included).
//! - `sawp-modbus/parse`: `Modbus::parse` with the direction known, frame after frame.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // bench harness

use std::hint::black_box;

use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use otwire_benches::{ModbusCorpus, modbus_corpus};
use otwire_modbus::{
    Adu, Direction, Emit, Parsed, Pdu, Request, Response, StreamDecoder, TransactionId, UnitId,
    split_frame,
};
use sawp::parser::{Direction as SawpDirection, Parse};
use sawp_modbus::Modbus;

fn streams(c: &ModbusCorpus) -> [(&[u8], Direction); 2] {
    [
        (c.requests.as_slice(), Direction::Request),
        (c.responses.as_slice(), Direction::Response),
    ]
}

/// Parses every frame of both streams; returns the PDU count.
fn otwire_parse(c: &ModbusCorpus) -> usize {
    let mut n = 0;
    for (mut rest, dir) in streams(c) {
        while let Ok((frame, r)) = split_frame(rest) {
            rest = r;
            if let Ok(p) = Pdu::parse(&frame, dir) {
                black_box(&p);
                n += 1;
            }
        }
    }
    n
}

/// Frame + PDU parse through the direction-specific decoders (`Request::parse` for the
/// client's stream, `Response::parse` for the server's), without the `Pdu` wrapper; the
/// frame's own anomalies are added as `Pdu::parse` does.
fn otwire_parse_directed(c: &ModbusCorpus) -> usize {
    directed(&c.requests, Request::parse) + directed(&c.responses, Response::parse)
}

/// Frames one direction's stream and decodes each PDU with `parse`.
fn directed<'a, T>(
    mut rest: &'a [u8],
    parse: impl Fn(&'a [u8]) -> Result<Parsed<T>, otwire_modbus::Error>,
) -> usize {
    let mut n = 0;
    while let Ok((frame, r)) = split_frame(rest) {
        rest = r;
        if let Ok(mut p) = parse(frame.pdu) {
            p.anomalies |= frame.anomalies();
            black_box(&p);
            n += 1;
        }
    }
    n
}

/// MBAP framing alone (no PDU decoding): the floor under `otwire_parse`.
fn otwire_frames(c: &ModbusCorpus) -> usize {
    let mut n = 0;
    for (mut rest, _) in streams(c) {
        while let Ok((frame, r)) = split_frame(rest) {
            rest = r;
            black_box(&frame);
            n += 1;
        }
    }
    n
}

/// Sums every register and coil a PDU carries.
fn walk(p: &Pdu<'_>) -> usize {
    match p {
        Pdu::Request(Request::WriteMultipleRegisters { values, .. })
        | Pdu::Request(Request::ReadWriteMultipleRegisters { values, .. })
        | Pdu::Response(Response::ReadHoldingRegisters { values })
        | Pdu::Response(Response::ReadInputRegisters { values })
        | Pdu::Response(Response::ReadWriteMultipleRegisters { values }) => {
            values.iter().map(usize::from).sum()
        }
        Pdu::Request(Request::WriteMultipleCoils { values, .. })
        | Pdu::Response(Response::ReadCoils { values })
        | Pdu::Response(Response::ReadDiscreteInputs { values }) => {
            values.iter().filter(|&b| b).count()
        }
        _ => 0,
    }
}

fn otwire_parse_values(c: &ModbusCorpus) -> usize {
    let mut n = 0;
    let mut sum = 0;
    for (mut rest, dir) in streams(c) {
        while let Ok((frame, r)) = split_frame(rest) {
            rest = r;
            if let Ok(p) = Pdu::parse(&frame, dir) {
                sum += walk(&p.pdu);
                n += 1;
            }
        }
    }
    black_box(sum);
    n
}

fn otwire_stream(c: &ModbusCorpus) -> usize {
    let mut n = 0;
    for (bytes, dir) in streams(c) {
        let mut dec = StreamDecoder::new();
        for segment in bytes.chunks(1460) {
            dec.push(segment);
            while let Ok(Some(adu)) = dec.next_frame() {
                if let Ok((frame, _)) = split_frame(&adu) {
                    if let Ok(p) = Pdu::parse(&frame, dir) {
                        black_box(&p);
                        n += 1;
                    }
                }
            }
        }
    }
    n
}

/// Every frame parsed once, for the emit bench.
fn parsed(c: &ModbusCorpus) -> Vec<(TransactionId, UnitId, Pdu<'_>)> {
    let mut out = Vec::new();
    for (mut rest, dir) in streams(c) {
        while let Ok((frame, r)) = split_frame(rest) {
            rest = r;
            if let Ok(p) = Pdu::parse(&frame, dir) {
                out.push((frame.transaction(), frame.unit(), p.pdu));
            }
        }
    }
    out
}

fn sawp_parse(c: &ModbusCorpus) -> usize {
    let modbus = Modbus::default();
    let mut n = 0;
    for (mut rest, dir) in [
        (c.requests.as_slice(), SawpDirection::ToServer),
        (c.responses.as_slice(), SawpDirection::ToClient),
    ] {
        while !rest.is_empty() {
            match modbus.parse(rest, dir.clone()) {
                Ok((r, Some(m))) => {
                    black_box(&m);
                    rest = r;
                    n += 1;
                }
                _ => break,
            }
        }
    }
    n
}

/// `Pdu` is an enum over `Request` and `Response`, both `Emit`.
struct EmitPdu<'a>(Pdu<'a>);

impl Emit for EmitPdu<'_> {
    fn buffer_len(&self) -> usize {
        match &self.0 {
            Pdu::Request(r) => r.buffer_len(),
            Pdu::Response(r) => r.buffer_len(),
        }
    }
    fn emit(&self, buf: &mut [u8]) -> Result<usize, otwire_modbus::EmitError> {
        match &self.0 {
            Pdu::Request(r) => r.emit(buf),
            Pdu::Response(r) => r.emit(buf),
        }
    }
}

fn register<M: criterion::measurement::Measurement>(
    g: &mut BenchmarkGroup<'_, M>,
    c: &ModbusCorpus,
    adus: &[(TransactionId, UnitId, Pdu<'_>)],
) {
    g.bench_function("otwire/split_frame", |b| {
        b.iter(|| otwire_frames(black_box(c)))
    });
    g.bench_function("otwire/parse", |b| b.iter(|| otwire_parse(black_box(c))));
    g.bench_function("otwire/parse_directed", |b| {
        b.iter(|| otwire_parse_directed(black_box(c)))
    });
    g.bench_function("otwire/parse+values", |b| {
        b.iter(|| otwire_parse_values(black_box(c)))
    });
    g.bench_function("otwire/stream", |b| b.iter(|| otwire_stream(black_box(c))));
    let mut buf = vec![0u8; 300];
    g.bench_function("otwire/emit", |b| {
        b.iter(|| {
            let mut total = 0;
            for &(tid, unit, pdu) in adus {
                let adu = Adu::new(tid, unit, EmitPdu(pdu));
                total += adu.emit(&mut buf).unwrap_or(0);
            }
            black_box(total)
        })
    });
    g.bench_function("sawp-modbus/parse", |b| b.iter(|| sawp_parse(black_box(c))));
}

fn bench(cr: &mut Criterion) {
    let c = modbus_corpus();
    let adus = parsed(&c);
    let pdus = otwire_parse(&c);
    let sawp_pdus = sawp_parse(&c);
    eprintln!(
        "modbus corpus: {} ({} bytes, {} frames: {} requests, {} responses); \
         otwire parses {pdus}, sawp-modbus {sawp_pdus}",
        c.source,
        c.bytes(),
        c.frames(),
        c.request_frames,
        c.response_frames
    );
    assert_eq!(
        pdus,
        c.frames(),
        "otwire must parse every frame of the corpus"
    );

    let mut g = cr.benchmark_group("modbus_bytes");
    g.throughput(Throughput::Bytes(c.bytes() as u64));
    register(&mut g, &c, &adus);
    g.finish();

    let mut g = cr.benchmark_group("modbus_pdus");
    g.throughput(Throughput::Elements(c.frames() as u64));
    register(&mut g, &c, &adus);
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
