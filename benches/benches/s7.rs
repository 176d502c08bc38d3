//! S7comm throughput, otwire-s7 beside packet_parser 11.7 (`S7CommPacket::try_from`: TPKT,
//! COTP, header and parameter items) and snap7-client 0.1.7's `proto` decoders (TPKT, COTP,
//! header, read/write var requests and answers, setup, SZL) on the same bytes: the corpus
//! of `otwire_benches::s7_corpus` (every TPKT of the S7 captures that carries a whole
//! S7comm PDU when `$OTWIRE_CAPTURES` is set, a generated one otherwise).
//!
//! Two groups measure the same functions: `s7_bytes` (Throughput::Bytes) and `s7_pdus`
//! (Throughput::Elements, one element per PDU).
//!
//! - `otwire/split_frame`: TPKT framing alone, the floor under the parse rows.
//! - `otwire/parse`: `split_frame` + `Tpdu::parse` + `Pdu::parse` of every TPKT: header,
//!   parameters and data parts typed, every item specification and data item checked.
//! - `otwire/parse+items`: the same, then every item and data item walked through the
//!   iterators (at least as deep as packet_parser, which collects the items in a `Vec`,
//!   plus the data items it does not decode).
//! - `otwire/stream`: the TPKTs pushed through `DirectionParser` in 1460-byte segments.
//! - `otwire/emit`: every parsed PDU encoded back (DT and TPKT included).
//! - `packet_parser/try_from`: `S7CommPacket::try_from` of every TPKT.
//! - `snap7-client/proto`: `TpktFrame::decode`, `CotpPdu::decode`, `S7Header::decode`, then
//!   the function's decoder where snap7-client has one.
//!
//! `OTWIRE_S7_ONCE=<row>[:<n>]` runs one row `n` times outside criterion and exits, for
//! instruction counts (`valgrind --tool=callgrind --toggle-collect='*run_once*'`), which do
//! not depend on the machine's load: `split_frame`, `parse`, `parse+items`, `stream`,
//! `packet_parser`, `snap7`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // bench harness

use std::hint::black_box;

use bytes::{Buf, Bytes};
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use otwire_benches::{S7Corpus, s7_corpus};
use otwire_s7::{
    Body, DirectionParser, Emit, Job, Pdu, PlusSession, Response, Tpdu, UserdataBody, split_frame,
};
use packet_parser::parse::application::protocols::s7comm::S7CommPacket;
use snap7_client::proto::cotp::CotpPdu;
use snap7_client::proto::s7::header::S7Header;
use snap7_client::proto::s7::negotiate::{NegotiateRequest, NegotiateResponse};
use snap7_client::proto::s7::read_var::{ReadVarRequest, ReadVarResponse};
use snap7_client::proto::s7::szl::SzlResponse;
use snap7_client::proto::s7::write_var::{WriteVarRequest, WriteVarResponse};
use snap7_client::proto::tpkt::TpktFrame;

/// The S7comm PDU of one TPKT (DT, EOT), parsed.
#[inline(always)]
fn pdu_of(tpkt: &[u8]) -> Option<Pdu<'_>> {
    let (frame, _) = split_frame(tpkt).ok()?;
    let Tpdu::Data(dt) = Tpdu::parse(frame.tpdu).ok()?.pdu else {
        return None;
    };
    Pdu::parse(dt.user_data).ok().map(|p| p.pdu)
}

/// The TPKTs of the corpus, one by one.
fn tpkts(c: &S7Corpus) -> impl Iterator<Item = &[u8]> {
    let mut rest = c.bytes.as_slice();
    std::iter::from_fn(move || {
        let (frame, r) = split_frame(rest).ok()?;
        let tpkt = rest.get(..usize::from(frame.header.length))?;
        rest = r;
        Some(tpkt)
    })
}

fn otwire_frames(c: &S7Corpus) -> usize {
    let mut n = 0;
    let mut rest = c.bytes.as_slice();
    while let Ok((frame, r)) = split_frame(rest) {
        rest = r;
        black_box(&frame);
        n += 1;
    }
    n
}

fn otwire_parse(c: &S7Corpus) -> usize {
    let mut n = 0;
    let mut rest = c.bytes.as_slice();
    while let Ok((frame, r)) = split_frame(rest) {
        rest = r;
        if let Ok(t) = Tpdu::parse(frame.tpdu) {
            if let Tpdu::Data(dt) = t.pdu {
                // Borrowed where it was built: moving the 128-byte result out of the
                // `Result` copies it with wide loads over the parser's narrow stores.
                if let Ok(p) = &Pdu::parse(dt.user_data) {
                    black_box(p);
                    n += 1;
                }
            }
        }
    }
    n
}

/// Sums what the items and data items of a PDU hold.
fn walk(p: &Pdu<'_>) -> usize {
    match p.body {
        Body::Job(Job::ReadVar { items }) => items.iter().count(),
        Body::Job(Job::WriteVar { items, data }) => {
            items.iter().count() + data.iter().map(|d| d.data.len()).sum::<usize>()
        }
        Body::Response(Response::ReadVar { items, .. }) => items
            .iter()
            .map(|d| d.data.len() + usize::from(d.return_code.value()))
            .sum(),
        Body::Response(Response::WriteVar { return_codes, .. }) => return_codes.0.len(),
        Body::Userdata(u) => match u.body {
            UserdataBody::Szl(a) => a.iter().count(),
            UserdataBody::CyclicData { items } => items.iter().count(),
            UserdataBody::CyclicRequest { items, .. } => items.iter().count(),
            _ => 0,
        },
        _ => 0,
    }
}

fn otwire_parse_items(c: &S7Corpus) -> usize {
    let mut n = 0;
    let mut sum = 0;
    for tpkt in tpkts(c) {
        if let Some(p) = pdu_of(tpkt) {
            sum += walk(&p);
            n += 1;
        }
    }
    black_box(sum);
    n
}

fn otwire_stream(c: &S7Corpus) -> usize {
    let mut dir = DirectionParser::new();
    let mut session = PlusSession::default();
    let mut n = 0;
    for segment in c.bytes.chunks(1460) {
        dir.push(segment, &mut session, |ev| {
            if ev.message.is_some() {
                n += 1;
            }
            black_box(&ev);
        });
    }
    n
}

fn parsed(c: &S7Corpus) -> Vec<Pdu<'_>> {
    let mut out = Vec::new();
    for tpkt in tpkts(c) {
        out.extend(pdu_of(tpkt));
    }
    out
}

fn packet_parser_parse(c: &S7Corpus) -> usize {
    let mut n = 0;
    for tpkt in tpkts(c) {
        // Borrowed where it was built, as in `otwire_parse`.
        if let Ok(p) = &S7CommPacket::try_from(tpkt) {
            black_box(p);
            n += 1;
        }
    }
    n
}

/// snap7-client's decoders on one TPKT; `true` when every layer decoded.
fn snap7_one(mut b: Bytes) -> bool {
    let Ok(tpkt) = TpktFrame::decode(&mut b) else {
        return false;
    };
    let mut payload = tpkt.payload;
    let Ok(CotpPdu::Data { mut payload, .. }) = CotpPdu::decode(&mut payload) else {
        return false;
    };
    let Ok(h) = S7Header::decode(&mut payload) else {
        return false;
    };
    let plen = usize::from(h.param_len).min(payload.len());
    let mut params = payload.split_to(plen);
    let dlen = usize::from(h.data_len).min(payload.len());
    let mut data = payload.split_to(dlen);
    let rosctr = h.pdu_type as u8;
    let func = params.first().copied().unwrap_or(0);
    let count = params.get(1).copied().map_or(0, usize::from);
    match (rosctr, func) {
        (1, 0x04) => black_box(ReadVarRequest::decode(&mut params)).is_ok(),
        (1, 0x05) => {
            let mut all = Bytes::from([params.chunk(), data.chunk()].concat());
            black_box(WriteVarRequest::decode(&mut all)).is_ok()
        }
        (1, 0xF0) => black_box(NegotiateRequest::decode(&mut params)).is_ok(),
        (3, 0x04) => black_box(ReadVarResponse::decode(&mut data, count)).is_ok(),
        (3, 0x05) => black_box(WriteVarResponse::decode(&mut data, count)).is_ok(),
        (3, 0xF0) => black_box(NegotiateResponse::decode(&mut params)).is_ok(),
        (7, _) if data.len() > 4 => {
            data.advance(4);
            black_box(SzlResponse::decode(&mut data)).is_ok()
        }
        _ => true,
    }
}

fn snap7_parse(c: &S7Corpus, all: &Bytes) -> usize {
    let mut n = 0;
    let mut at = 0;
    for tpkt in tpkts(c) {
        if snap7_one(all.slice(at..at + tpkt.len())) {
            n += 1;
        }
        at += tpkt.len();
    }
    n
}

/// One row `times` over the corpus (see the module doc's `OTWIRE_S7_ONCE`).
#[inline(never)]
fn run_once(row: &str, c: &S7Corpus, all: &Bytes, times: usize) -> usize {
    let mut n = 0;
    for _ in 0..times {
        n += match row {
            "split_frame" => otwire_frames(black_box(c)),
            "parse" => otwire_parse(black_box(c)),
            "parse+items" => otwire_parse_items(black_box(c)),
            "stream" => otwire_stream(black_box(c)),
            "packet_parser" => packet_parser_parse(black_box(c)),
            "snap7" => snap7_parse(black_box(c), all),
            _ => 0,
        };
    }
    n
}

fn register<M: criterion::measurement::Measurement>(
    g: &mut BenchmarkGroup<'_, M>,
    c: &S7Corpus,
    all: &Bytes,
    pdus: &[Pdu<'_>],
) {
    g.bench_function("otwire/split_frame", |b| {
        b.iter(|| otwire_frames(black_box(c)))
    });
    g.bench_function("otwire/parse", |b| b.iter(|| otwire_parse(black_box(c))));
    g.bench_function("otwire/parse+items", |b| {
        b.iter(|| otwire_parse_items(black_box(c)))
    });
    g.bench_function("otwire/stream", |b| b.iter(|| otwire_stream(black_box(c))));
    let mut buf = vec![0u8; 70_000];
    g.bench_function("otwire/emit", |b| {
        b.iter(|| {
            let mut total = 0;
            for p in pdus {
                total += otwire_s7::frame(p).emit(&mut buf).unwrap_or(0);
            }
            black_box(total)
        })
    });
    g.bench_function("packet_parser/try_from", |b| {
        b.iter(|| packet_parser_parse(black_box(c)))
    });
    g.bench_function("snap7-client/proto", |b| {
        b.iter(|| snap7_parse(black_box(c), all))
    });
}

fn bench(cr: &mut Criterion) {
    let c = s7_corpus();
    let all = Bytes::from(c.bytes.clone());
    if otwire_benches::run_row_from_env("OTWIRE_S7_ONCE", "PDUs", |row, times| {
        run_once(row, &c, &all, times)
    }) {
        std::process::exit(0);
    }
    let pdus = parsed(&c);
    let ours = otwire_parse(&c);
    let theirs = packet_parser_parse(&c);
    let snap7 = snap7_parse(&c, &all);
    eprintln!(
        "s7 corpus: {} ({} bytes, {} TPKTs); otwire parses {ours}, packet_parser {theirs}, \
         snap7-client {snap7}",
        c.source,
        c.bytes.len(),
        c.frames
    );
    assert_eq!(ours, c.frames, "otwire must parse every PDU of the corpus");

    let mut g = cr.benchmark_group("s7_bytes");
    g.throughput(Throughput::Bytes(c.bytes.len() as u64));
    register(&mut g, &c, &all, &pdus);
    g.finish();

    let mut g = cr.benchmark_group("s7_pdus");
    g.throughput(Throughput::Elements(c.frames as u64));
    register(&mut g, &c, &all, &pdus);
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
