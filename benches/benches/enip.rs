//! EtherNet/IP and CIP throughput, otwire-enip beside packet_parser 11.7
//! (`EtherNetIpPacket::try_from`: encapsulation header and CPF items) and
//! rust-ethernet-ip-protocol 1.2.1 (`EncapsulationHeader::decode`,
//! `SendDataRequest::decode`, then `CipRequest::decode` / `CipResponse::decode`) on the same
//! bytes: the corpus of `otwire_benches::enip_corpus` (every encapsulation message on TCP
//! 44818 of `$OTWIRE_CAPTURES/enip` when set, a generated one otherwise).
//!
//! Two groups measure the same functions: `enip_bytes` (Throughput::Bytes) and `enip_pdus`
//! (Throughput::Elements, one element per encapsulation message).
//!
//! Encapsulation depth (header and CPF items). Both sides decode the 24-byte header, type
//! the command data, check the CPF (packet_parser's `try_from` walks every item to check
//! that they fill the data; otwire checks the item layout and lengths) and then walk every
//! item; neither allocates (packet_parser 11.7 keeps the items as a borrowed region and a
//! count, no `Vec`, no copy). otwire's items are typed (`Item::ConnectedAddress` with its
//! connection id, ...), packet_parser's are a type id and a slice. Both results are kept by
//! reference (`black_box(&result)`), not moved out of the `Result`:
//! - `otwire/split_frame`: framing alone (the header decoded), the floor under the parse
//!   rows.
//! - `otwire/encap`: `split_frame` + `Pdu::parse` (header, command data, CPF) and every CPF
//!   item walked through the iterator.
//! - `packet_parser/try_from`: `EtherNetIpPacket::try_from` of every message, every CPF
//!   item walked; the messages are framed by their length field alone (`frames`), so that
//!   the row does not pay for otwire's header decoding before its own.
//! - `rust-ethernet-ip/encap`: `EncapsulationHeader::decode`, then
//!   `SendDataRequest::decode` (interface handle, timeout, items copied into `Vec`s) for
//!   SendRRData and SendUnitData.
//!
//! Full decode:
//! - `otwire/full`: `otwire/encap`, then the CIP message (`Pdu::cip`, `Message::parse`), the
//!   request path's segments, the typed request body (`Request::body`: Multiple Service
//!   Packet entries each parsed and typed, Unconnected Send's embedded request, Forward
//!   Open, Logix and PCCC data with Logix values walked) or the typed reply body
//!   (`Response::body`, the kind resolved from the service and the transport: connected
//!   messages are Logix, unconnected ones Connection Manager).
//! - `rust-ethernet-ip/cip`: `rust-ethernet-ip/encap`, then `CipRequest::decode` or
//!   `CipResponse::decode` of the data item (service, path and data copied; nothing deeper
//!   is decoded by that crate).
//!
//! - `otwire/stream`: both directions through `StreamDecoder::feed` in 1460-byte segments.
//! - `otwire/emit`: every parsed `Pdu` encoded back.
//!
//! The floor: `length_walk` (with `OTWIRE_ENIP_ONCE` only) walks the messages by their
//! length field and decodes nothing. Each message's start is known only once the previous
//! one's length is read, so on this 5.9 MB corpus (past the L2 cache) every row waits on
//! that chain of dependent loads: `OTWIRE_ENIP_FIRST=<k>` keeps the first `k` messages of
//! each direction to tell that memory latency from a row's instructions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // bench harness

use std::hint::black_box;
use std::sync::OnceLock;

use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use otwire_benches::{EnipCorpus, enip_corpus};
use otwire_enip::cip::logix::{LogixRequest, ReplyBody};
use otwire_enip::cip::{Message, Path, RequestBody, ResponseBody, ServiceKind};
use otwire_enip::{Direction, Emit, Pdu, Piece, StreamDecoder, split_frame};
use packet_parser::parse::application::protocols::ethernet_ip::{
    EtherNetIpCommandData, EtherNetIpPacket,
};
use rust_ethernet_ip_protocol::Decode;
use rust_ethernet_ip_protocol::cip::{CipRequest, CipResponse, SendDataRequest};
use rust_ethernet_ip_protocol::encap::EncapsulationHeader;

/// The messages of one direction's stream, for the peers: framed by the length field alone
/// (bytes 2-3), so that their rows do not pay for otwire's header decoding (`split_frame`)
/// before their own.
fn frames(stream: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = stream;
    std::iter::from_fn(move || {
        let len = u16::from_le_bytes([*rest.get(2)?, *rest.get(3)?]);
        let (f, r) = rest.split_at_checked(24 + usize::from(len))?;
        rest = r;
        Some(f)
    })
}

/// Both directions: (direction, stream).
fn streams(c: &EnipCorpus) -> [(Direction, &[u8]); 2] {
    [
        (Direction::Request, c.requests.as_slice()),
        (Direction::Reply, c.replies.as_slice()),
    ]
}

fn otwire_frames(c: &EnipCorpus) -> usize {
    let mut n = 0;
    for (_, s) in streams(c) {
        let mut rest = s;
        while let Ok((frame, r)) = split_frame(rest) {
            rest = r;
            black_box(&frame);
            n += 1;
        }
    }
    n
}

/// `split_frame`, `Pdu::parse`, every CPF item; calls `deeper` on each PDU.
#[inline(always)]
fn otwire_walk(c: &EnipCorpus, mut deeper: impl FnMut(Direction, &Pdu<'_>) -> usize) -> usize {
    let mut n = 0;
    let mut sum = 0;
    for (dir, s) in streams(c) {
        let mut rest = s;
        while let Ok((frame, r)) = split_frame(rest) {
            rest = r;
            // By reference, as in the packet_parser row: the rows measure the parse, not a
            // move of its result.
            let r = Pdu::parse(&frame, dir);
            if let Ok(p) = &r {
                if let Some(cpf) = p.pdu.body.cpf() {
                    for item in cpf.items() {
                        sum += usize::from(item.type_id().value());
                    }
                }
                sum += deeper(dir, &p.pdu);
                black_box(p);
                n += 1;
            }
        }
    }
    black_box(sum);
    n
}

fn otwire_encap(c: &EnipCorpus) -> usize {
    otwire_walk(c, |_, _| 0)
}

/// What a reply's service means: connected (class 3) messages are Logix services on tags,
/// unconnected ones Connection Manager services; Execute PCCC by its code. Resolved once
/// per service code (a real decoder takes it from its pairing table), so that the rows
/// measure the decoding, not this guess.
fn reply_kind(service: u8, connected: bool) -> ServiceKind {
    static KINDS: OnceLock<[[ServiceKind; 128]; 2]> = OnceLock::new();
    let kinds = KINDS.get_or_init(|| {
        const CM: Path<'static> = Path::padded(&[0x20, 0x06, 0x24, 0x01]);
        const PCCC: Path<'static> = Path::padded(&[0x20, 0x67, 0x24, 0x01]);
        const TAG: Path<'static> = Path::padded(&[0x91, 0x01, b'T', 0x00]);
        let kind = |s: u8, connected: bool| {
            let path = match s {
                0x4B => &PCCC,
                _ if connected => &TAG,
                _ => &CM,
            };
            ServiceKind::resolve(s, path)
        };
        [
            std::array::from_fn(|s| kind(s as u8, false)),
            std::array::from_fn(|s| kind(s as u8, true)),
        ]
    });
    kinds[usize::from(connected)][usize::from(service & 0x7F)]
}

/// The whole CIP decode of one message's CIP bytes.
#[inline(always)]
fn cip_full(bytes: &[u8], connected: bool) -> usize {
    let Ok(m) = Message::parse(bytes) else {
        return 0;
    };
    match m.pdu {
        Message::Request(r) => request_full(&r, 2),
        Message::Response(r) => {
            let body = r.body(reply_kind(r.service, connected));
            match body.pdu {
                ResponseBody::MultipleServicePacket(msp) => msp
                    .replies()
                    .flatten()
                    .map(|e| {
                        let b = e.pdu.body(reply_kind(e.pdu.service, connected));
                        match b.pdu {
                            ResponseBody::Logix(l) => logix_reply(&l.body),
                            _ => 1,
                        }
                    })
                    .sum(),
                ResponseBody::Logix(l) => logix_reply(&l.body),
                ResponseBody::Pccc(p) => p.data.len(),
                ResponseBody::Data(d) => d.len(),
                _ => 1,
            }
        }
    }
}

fn logix_reply(b: &ReplyBody<'_>) -> usize {
    match b {
        ReplyBody::Data(v) => v.fold(0, |n, x| {
            black_box(x);
            n + 1
        }),
        _ => 1,
    }
}

fn request_full(r: &otwire_enip::cip::Request<'_>, depth: u8) -> usize {
    let mut n = r.path.segments().count();
    let body = r.body();
    n += match body.pdu {
        RequestBody::MultipleServicePacket(msp) if depth > 0 => msp
            .requests()
            .flatten()
            .map(|e| request_full(&e.pdu, depth - 1))
            .sum(),
        RequestBody::UnconnectedSend(u) if depth > 0 => {
            u.request().map_or(0, |e| request_full(&e.pdu, depth - 1))
        }
        RequestBody::ForwardOpen(f) | RequestBody::LargeForwardOpen(f) => f.path.segments().count(),
        RequestBody::Logix(
            LogixRequest::WriteTag { values, .. } | LogixRequest::WriteTagFragmented { values, .. },
        ) => values.fold(0, |n, x| {
            black_box(x);
            n + 1
        }),
        RequestBody::Pccc(p) => usize::from(p.tns),
        _ => 1,
    };
    n
}

fn otwire_full(c: &EnipCorpus) -> usize {
    otwire_walk(c, |_, p| {
        p.cip()
            .map_or(0, |d| cip_full(d.bytes, d.conn_id.is_some()))
    })
}

fn otwire_stream(c: &EnipCorpus) -> usize {
    let mut n = 0;
    for (_, s) in streams(c) {
        let mut dec = StreamDecoder::new();
        for segment in s.chunks(1460) {
            dec.feed(segment, |p| {
                if !matches!(p, Piece::Junk(_)) {
                    n += 1;
                }
                black_box(&p);
            });
        }
    }
    n
}

fn parsed(c: &EnipCorpus) -> Vec<Pdu<'_>> {
    let mut out = Vec::new();
    for (dir, s) in streams(c) {
        for f in frames(s) {
            out.extend(Pdu::split(f, dir).ok().map(|(p, _)| p.pdu));
        }
    }
    out
}

fn packet_parser_parse(c: &EnipCorpus) -> usize {
    let mut n = 0;
    let mut sum = 0;
    for (_, s) in streams(c) {
        for f in frames(s) {
            let r = EtherNetIpPacket::try_from(f);
            if let Ok(p) = &r {
                if let EtherNetIpCommandData::CommonPacketFormat(cpf) = &p.command_data {
                    for item in cpf.items.iter() {
                        sum += usize::from(item.type_id);
                    }
                }
                black_box(p);
                n += 1;
            }
        }
    }
    black_box(sum);
    n
}

/// rust-ethernet-ip-protocol on one message: the header, then the CPF of a SendRRData or
/// SendUnitData, then (when `cip`) the CIP request or response in its data item.
fn rust_eip_one(mut f: &[u8], cip: bool) -> bool {
    let Ok(h) = EncapsulationHeader::decode(&mut f) else {
        return false;
    };
    if !matches!(h.command, 0x6F | 0x70) {
        black_box(&h);
        return true;
    }
    let Ok(sd) = SendDataRequest::decode(&mut f) else {
        return false;
    };
    if cip {
        if let Some(item) = sd.items.iter().find(|i| matches!(i.type_id, 0xB1 | 0xB2)) {
            let mut data = item.data.as_slice();
            if item.type_id == 0xB1 {
                data = data.get(2..).unwrap_or_default();
            }
            let reply = data.first().is_some_and(|s| s & 0x80 != 0);
            let ok = if reply {
                black_box(CipResponse::decode(&mut data)).is_ok()
            } else {
                black_box(CipRequest::decode(&mut data)).is_ok()
            };
            black_box(ok);
        }
    }
    black_box(&sd);
    true
}

fn rust_eip_parse(c: &EnipCorpus, cip: bool) -> usize {
    let mut n = 0;
    for (_, s) in streams(c) {
        for f in frames(s) {
            if rust_eip_one(f, cip) {
                n += 1;
            }
        }
    }
    n
}

fn register<M: criterion::measurement::Measurement>(
    g: &mut BenchmarkGroup<'_, M>,
    c: &EnipCorpus,
    pdus: &[Pdu<'_>],
) {
    g.bench_function("otwire/split_frame", |b| {
        b.iter(|| otwire_frames(black_box(c)))
    });
    g.bench_function("otwire/encap", |b| b.iter(|| otwire_encap(black_box(c))));
    g.bench_function("packet_parser/try_from", |b| {
        b.iter(|| packet_parser_parse(black_box(c)))
    });
    g.bench_function("rust-ethernet-ip/encap", |b| {
        b.iter(|| rust_eip_parse(black_box(c), false))
    });
    g.bench_function("otwire/full", |b| b.iter(|| otwire_full(black_box(c))));
    g.bench_function("rust-ethernet-ip/cip", |b| {
        b.iter(|| rust_eip_parse(black_box(c), true))
    });
    g.bench_function("otwire/stream", |b| b.iter(|| otwire_stream(black_box(c))));
    let mut buf = vec![0u8; 70_000];
    g.bench_function("otwire/emit", |b| {
        b.iter(|| {
            let mut total = 0;
            for p in pdus {
                total += p.emit(&mut buf).unwrap_or(0);
            }
            black_box(total)
        })
    });
}

/// Keeps the first `k` messages of each direction (`OTWIRE_ENIP_FIRST=<k>`, with
/// `OTWIRE_ENIP_ONCE`): a corpus that fits the L1 or L2 cache, to tell the length chain's
/// memory latency from the parsers' instructions.
fn keep_first(c: &mut EnipCorpus, k: usize) {
    let cut = |s: &mut Vec<u8>| {
        let mut rest = s.as_slice();
        let mut m = 0;
        while m < k {
            let Ok((_, r)) = split_frame(rest) else { break };
            rest = r;
            m += 1;
        }
        let used = s.len() - rest.len();
        s.truncate(used);
        m
    };
    c.request_frames = cut(&mut c.requests);
    c.reply_frames = cut(&mut c.replies);
}

/// `OTWIRE_ENIP_ONCE=<row>[:<n>]`: runs one row `n` times (default 20) outside criterion
/// and exits, for instruction counts (`valgrind --tool=callgrind
/// --toggle-collect='*run_once*'`), which do not depend on the machine's load. Rows:
/// `split_frame`, `encap`, `full`, `packet_parser`, `rust_eip`, `stream`, and
/// `length_walk` ([`length_walk`], the floor).
#[inline(never)]
fn run_once(row: &str, c: &EnipCorpus, times: usize) -> usize {
    let mut n = 0;
    for _ in 0..times {
        n += match row {
            "split_frame" => otwire_frames(black_box(c)),
            "encap" => otwire_encap(black_box(c)),
            "full" => otwire_full(black_box(c)),
            "packet_parser" => packet_parser_parse(black_box(c)),
            "rust_eip" => rust_eip_parse(black_box(c), true),
            "stream" => otwire_stream(black_box(c)),
            "length_walk" => length_walk(black_box(c)),
            _ => 0,
        };
    }
    n
}

/// The length walk alone (`frames`: no header decoded, nothing typed): the floor under
/// every row on this corpus, bound by the chain of dependent length reads (each message's
/// start is known only once the previous one's length is read).
fn length_walk(c: &EnipCorpus) -> usize {
    let mut n = 0;
    for (_, s) in streams(c) {
        for f in frames(s) {
            black_box(f);
            n += 1;
        }
    }
    n
}

fn bench(cr: &mut Criterion) {
    let mut c = enip_corpus();
    if let Some(k) = std::env::var("OTWIRE_ENIP_FIRST")
        .ok()
        .and_then(|k| k.parse().ok())
    {
        keep_first(&mut c, k);
    }
    if otwire_benches::run_row_from_env("OTWIRE_ENIP_ONCE", "messages", |row, times| {
        run_once(row, &c, times)
    }) {
        std::process::exit(0);
    }
    let pdus = parsed(&c);
    let ours = otwire_encap(&c);
    let theirs = packet_parser_parse(&c);
    let rust_eip = rust_eip_parse(&c, true);
    eprintln!(
        "enip corpus: {} ({} bytes, {} messages: {} requests, {} replies); otwire parses \
         {ours}, packet_parser {theirs}, rust-ethernet-ip-protocol {rust_eip}",
        c.source,
        c.bytes(),
        c.frames(),
        c.request_frames,
        c.reply_frames
    );
    assert_eq!(
        ours,
        c.frames(),
        "otwire must parse every message of the corpus"
    );

    let mut g = cr.benchmark_group("enip_bytes");
    g.throughput(Throughput::Bytes(c.bytes() as u64));
    register(&mut g, &c, &pdus);
    g.finish();

    let mut g = cr.benchmark_group("enip_pdus");
    g.throughput(Throughput::Elements(c.frames() as u64));
    register(&mut g, &c, &pdus);
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
