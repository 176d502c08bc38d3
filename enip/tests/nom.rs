//! The nom functions (feature `nom`) give what the slice API gives: the golden messages,
//! the same `Incomplete` count for every prefix, the typed error for a short datagram; and
//! for the CIP layer (`cip_message`, `epath`, `multiple_service`, `logix_request`,
//! `logix_reply`, `pccc_request`, `pccc_reply`) the slice parsers' results on the CIP
//! messages of the golden vectors and on PCCC and Logix data, `Incomplete` for every prefix
//! of a size-prefixed path, and typed errors through `FromExternalError`.

#![cfg(feature = "nom")]
#![allow(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)] // test code

#[path = "../../tests/nom_error.rs"]
mod nom_error;
mod vectors;

use nom_error::{incomplete, typed, whole};
use otwire_enip::cip::logix::{LogixReply, LogixRequest, read_tag_request};
use otwire_enip::cip::pccc::{PcccReply, PcccRequest};
use otwire_enip::cip::{Message, MultipleService, Path, RequestBody, ServiceKind};

use otwire_enip::nom::{
    cip_message, cpf, datagram, epath, header, io_packet, logix_reply, logix_request,
    multiple_service, pccc_reply, pccc_request, tcp_frame, tcp_pdu,
};
use otwire_enip::*;

type E<'a> = ::nom::error::Error<&'a [u8]>;

/// A user's own nom error that keeps our typed error.
type Typed<'a> = nom_error::Typed<'a, Error>;

/// A vector's direction.
fn dir(v: &vectors::Vector) -> Direction {
    if v.reply {
        Direction::Reply
    } else {
        Direction::Request
    }
}

#[test]
fn nom_gives_what_the_slice_api_gives() {
    for v in vectors::ALL {
        let b = vectors::hex(v.hex);
        let d = dir(v);
        let (rest, f) = tcp_frame::<E>(&b).unwrap();
        assert!(rest.is_empty());
        assert_eq!(f, split_frame(&b).unwrap().0);
        let (_, h) = header::<E>(&b).unwrap();
        assert_eq!(h, f.header);
        let (_, p) = tcp_pdu::<E>(d)(&b).unwrap();
        assert_eq!(p, Pdu::split(&b, d).unwrap().0);
        let (_, p2) = datagram::<E>(d)(&b).unwrap();
        assert_eq!(p2, p);
        if let Some(c) = p.pdu.body.cpf() {
            let data = &b[HEADER_LEN..];
            let start = data.len() - 2 - c.bytes.len();
            let (_, c2) = cpf::<E>(&data[start..]).unwrap();
            assert_eq!(c2.pdu, *c);
        }
        for n in 0..b.len() {
            let want = match split_frame(&b[..n]) {
                Err(Error::Incomplete(Needed::Size(k))) => k,
                other => panic!("{other:?}"),
            };
            assert_eq!(
                tcp_frame::<E>(&b[..n]),
                Err(::nom::Err::Incomplete(::nom::Needed::Size(want)))
            );
        }
    }
    for h in vectors::IO {
        let b = vectors::hex(h);
        let (_, io) = io_packet::<E>(&b).unwrap();
        assert_eq!(io, IoPacket::parse(&b).unwrap());
    }
}

#[test]
fn the_typed_error_comes_through() {
    let b = [0x65, 0];
    assert_eq!(
        datagram::<Typed>(Direction::Request)(&b),
        Err(typed(
            &b,
            Error::Malformed {
                layer: Layer::Encapsulation,
                offset: 2
            }
        ))
    );
    // An empty CIP message, a request without its path size: malformed, typed.
    assert_eq!(
        cip_message::<Typed>(&[]),
        whole(&[][..], Message::parse(&[]))
    );
    assert!(matches!(
        cip_message::<Typed>(&[0x4C]),
        Err(::nom::Err::Error(nom_error::Typed {
            error: Some(Error::Malformed {
                layer: Layer::Cip,
                ..
            }),
            ..
        }))
    ));
    // nom's own error type works too.
    assert_eq!(
        cip_message::<E>(&[0x4C]),
        Err(::nom::Err::Error(::nom::error::Error::new(
            &[0x4C][..],
            ::nom::error::ErrorKind::Verify
        )))
    );
}

/// The CIP messages the golden encapsulation vectors carry.
fn cip_messages() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for v in vectors::ALL {
        let b = vectors::hex(v.hex);
        let d = dir(v);
        let (p, _) = Pdu::split(&b, d).unwrap();
        if let Some(c) = p.pdu.cip() {
            out.push(c.bytes.to_vec());
        }
    }
    assert!(out.len() >= 3, "the vectors carry CIP messages");
    out
}

/// `epath` on a request's path size byte and path: the slice API's path and anomalies, the
/// request data as the rest, and `Incomplete` with what is missing for every prefix.
fn check_epath(sized: &[u8], path: Path<'_>, data: &[u8]) {
    assert_eq!(
        epath::<Typed>(sized),
        Ok((data, otwire_enip::Parsed::new(path, path.check())))
    );
    let need = 1 + path.as_bytes().len();
    for n in 0..need {
        let want = if n == 0 { 1 } else { need - n };
        assert_eq!(
            epath::<Typed>(&sized[..n]).err(),
            incomplete(Needed::new(want)),
            "prefix {n}"
        );
    }
}

#[test]
fn cip_nom_gives_what_the_slice_api_gives() {
    let mut requests = 0;
    for m in cip_messages() {
        assert_eq!(cip_message::<Typed>(&m), whole(&m, Message::parse(&m)));
        let Message::Request(r) = Message::parse(&m).unwrap().pdu else {
            continue;
        };
        requests += 1;
        check_epath(&m[1..], r.path, r.data);
        if let RequestBody::MultipleServicePacket(_) = r.body().pdu {
            assert_eq!(
                multiple_service::<Typed>(r.data),
                whole(r.data, MultipleService::parse(r.data))
            );
            let msp = MultipleService::parse(r.data).unwrap().pdu;
            for e in msp.requests() {
                let e = e.unwrap().pdu;
                if let ServiceKind::Logix(s) = e.kind() {
                    assert_eq!(
                        logix_request::<Typed>(s)(e.data),
                        whole(e.data, LogixRequest::parse(s, e.data))
                    );
                }
            }
        }
    }
    assert!(requests >= 2);
    // Every prefix of each message: the slice result, complete (never `Incomplete`).
    for m in cip_messages() {
        for n in 0..=m.len() {
            assert_eq!(
                cip_message::<Typed>(&m[..n]),
                whole(&m[..n], Message::parse(&m[..n]))
            );
        }
    }
}

#[test]
fn logix_and_pccc_nom_give_what_the_slice_api_gives() {
    // Read Tag of 10 elements: the element count.
    let req = read_tag_request(10).to_vec().unwrap();
    // A Read Tag reply: DINT (0x00C4), the value 0x04030201.
    let reply = [0xC4, 0x00, 0x01, 0x02, 0x03, 0x04];
    // PCCC (1770-6.5.16): requestor id (length 7, vendor 0x004D, serial 0x3D2B31E0), CMD
    // 0x0F, STS 0, TNS 0xC562, FNC 0xA2 typed logical read; the reply: CMD 0x4F, STS 0,
    // TNS, data.
    let pccc_req = [
        0x07, 0x4D, 0x00, 0xE0, 0x31, 0x2B, 0x3D, 0x0F, 0x00, 0x62, 0xC5, 0xA2, 0x02, 0x07, 0x89,
        0x00, 0x00,
    ];
    let pccc_rep = [
        0x07, 0x4D, 0x00, 0xE0, 0x31, 0x2B, 0x3D, 0x4F, 0x00, 0x62, 0xC5, 0x01, 0x00,
    ];
    for n in 0..=pccc_req.len().max(reply.len()).max(req.len()) {
        let cut = |b: &[u8]| b[..n.min(b.len())].to_vec();
        let (q, r, pq, pr) = (cut(&req), cut(&reply), cut(&pccc_req), cut(&pccc_rep));
        assert_eq!(
            logix_request::<Typed>(0x4C)(&q),
            whole(&q, LogixRequest::parse(0x4C, &q))
        );
        assert_eq!(
            logix_reply::<Typed>(0xCC, 0)(&r),
            whole(&r, LogixReply::parse(0xCC, 0, &r))
        );
        assert_eq!(
            pccc_request::<Typed>(&pq),
            whole(&pq, PcccRequest::parse(&pq))
        );
        assert_eq!(pccc_reply::<Typed>(&pr), whole(&pr, PcccReply::parse(&pr)));
    }
    // The whole inputs decode.
    assert!(logix_reply::<Typed>(0xCC, 0)(&reply).is_ok());
    assert!(pccc_request::<Typed>(&pccc_req).is_ok());
    assert!(pccc_reply::<Typed>(&pccc_rep).is_ok());
}
