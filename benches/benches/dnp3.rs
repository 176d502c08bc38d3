//! DNP3 benches: link framing with CRC checking (bytes/s) and application fragments with
//! the full object walk (fragments/s), on frames and fragments taken from the captures in
//! `$OTWIRE_CAPTURES/dnp3` (or, when unset, generated frames), plus maximal frames (250
//! octets of user data, 16 CRC blocks) for the CRC-bound case.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../../dnp3/tests/common/mod.rs"]
mod common;

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use otwire_dnp3::{
    Apdu, Emit, LinkConfig, LinkControl, LinkFrame, LinkHeader, PrimaryFunction, Reassembler,
    StreamDecoder, split_frame, split_frame_with,
};

/// Link frames and reassembled fragments from the captures (or generated).
fn corpus() -> (Vec<u8>, Vec<Vec<u8>>) {
    let mut stream = Vec::new();
    let mut fragments = Vec::new();
    let files = match std::env::var_os("OTWIRE_CAPTURES") {
        Some(_) => common::captures_dir("dnp3")
            .map(|d| common::capture_files(&d))
            .unwrap_or_default(),
        None => Vec::new(),
    };
    for path in files {
        let mut tcp = common::TcpReassembly::default();
        let mut decoders = std::collections::HashMap::new();
        for p in common::packets(&path, &[20000, 20001]) {
            let (bytes, gap) = tcp.feed(&p);
            let (dec, reasm) = decoders
                .entry(p.flow)
                .or_insert_with(|| (StreamDecoder::new(), Reassembler::new()));
            if gap || p.tcp.is_none() {
                dec.gap();
            }
            dec.push(bytes);
            loop {
                match dec.next_frame() {
                    Ok(Some(f)) => {
                        stream.extend_from_slice(&f);
                        let (frame, _) = split_frame(&f).unwrap();
                        if let Some(fr) = reasm.push_frame(&frame).fragment {
                            fragments.push(fr.data);
                        }
                    }
                    Ok(None) => break,
                    Err(_) => {}
                }
            }
        }
    }
    if stream.is_empty() {
        for f in common::golden_frames() {
            let (frame, _) = split_frame(&f).unwrap();
            let user = frame.user_data();
            if user.len() > 1 && user[0] & 0xC0 == 0xC0 {
                fragments.push(user[1..].to_vec());
            }
            stream.extend_from_slice(&f);
        }
    }
    (stream, fragments)
}

fn max_frames() -> Vec<u8> {
    let header = LinkHeader {
        control: LinkControl::primary(false, PrimaryFunction::UnconfirmedUserData, false),
        destination: otwire_dnp3::Address(1),
        source: otwire_dnp3::Address(1024),
    };
    let data: Vec<u8> = (0..250u32).map(|i| (i * 7) as u8).collect();
    let frame = LinkFrame {
        header,
        user_data: &data,
    }
    .to_vec()
    .unwrap();
    frame.repeat(4096)
}

fn walk_frames(stream: &[u8], config: LinkConfig, deblock: bool) -> usize {
    let mut rest = stream;
    let mut n = 0;
    let mut buf = [0u8; 250];
    while let Ok((frame, r)) = split_frame_with(rest, config) {
        rest = r;
        if deblock {
            n += frame.copy_user_data(&mut buf).unwrap();
        } else {
            n += usize::from(frame.length);
        }
        black_box(frame.anomalies);
    }
    n
}

fn bench(c: &mut Criterion) {
    let (stream, fragments) = corpus();
    let big = max_frames();

    let mut g = c.benchmark_group("dnp3_link");
    g.throughput(Throughput::Bytes(stream.len() as u64));
    g.bench_function("captures/split_frame+crc", |b| {
        b.iter(|| walk_frames(black_box(&stream), LinkConfig::LAX, false))
    });
    g.bench_function("captures/split_frame+crc+deblock", |b| {
        b.iter(|| walk_frames(black_box(&stream), LinkConfig::LAX, true))
    });
    g.bench_function("captures/split_frame_no_crc", |b| {
        b.iter(|| walk_frames(black_box(&stream), LinkConfig::NO_CRC, false))
    });
    g.throughput(Throughput::Bytes(big.len() as u64));
    g.bench_function("max_frames/split_frame+crc", |b| {
        b.iter(|| walk_frames(black_box(&big), LinkConfig::LAX, false))
    });
    g.bench_function("max_frames/split_frame+crc+deblock", |b| {
        b.iter(|| walk_frames(black_box(&big), LinkConfig::LAX, true))
    });
    g.bench_function("max_frames/split_frame_no_crc", |b| {
        b.iter(|| walk_frames(black_box(&big), LinkConfig::NO_CRC, false))
    });
    g.finish();

    let mut g = c.benchmark_group("dnp3_app");
    g.throughput(Throughput::Elements(fragments.len() as u64));
    g.bench_function("captures/parse+walk_points", |b| {
        b.iter(|| {
            let mut points = 0usize;
            for f in &fragments {
                if let Ok(p) = Apdu::parse(black_box(f)) {
                    for h in p.pdu.objects {
                        for pt in h.points() {
                            black_box(pt);
                            points += 1;
                        }
                    }
                }
            }
            points
        })
    });
    g.bench_function("captures/parse_headers_only", |b| {
        b.iter(|| {
            let mut headers = 0usize;
            for f in &fragments {
                if let Ok(p) = Apdu::parse(black_box(f)) {
                    headers += p.pdu.objects.len();
                }
            }
            headers
        })
    });
    g.finish();
    eprintln!(
        "dnp3 bench corpus: {} bytes of frames, {} fragments",
        stream.len(),
        fragments.len()
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
