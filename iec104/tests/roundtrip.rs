//! Property tests: for every decodable type identification, random information objects
//! encode and decode back to themselves (`parse(emit(x)) == x`), in SQ=0 and SQ=1 form, with
//! every field size; and the encoding of what was parsed is the input (`emit(parse(b)) == b`).
#![cfg(feature = "alloc")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use otwire_iec104::*;
use proptest::prelude::*;

fn cp24() -> impl Strategy<Value = Cp24Time2a> {
    (any::<u16>(), 0u8..64, any::<bool>(), any::<bool>()).prop_map(
        |(milliseconds, minute, reserved, invalid)| Cp24Time2a {
            milliseconds,
            minute,
            reserved,
            invalid,
        },
    )
}

fn cp56() -> impl Strategy<Value = Cp56Time2a> {
    (
        (
            any::<u16>(),
            0u8..64,
            any::<bool>(),
            any::<bool>(),
            0u8..32,
            any::<bool>(),
        ),
        (0u8..32, 0u8..8, 0u8..16, 0u8..128, 0u8..128),
    )
        .prop_map(
            |(
                (milliseconds, minute, substituted, invalid, hour, summer_time),
                (day, weekday, month, year, reserved),
            )| {
                Cp56Time2a {
                    milliseconds,
                    minute,
                    substituted,
                    invalid,
                    hour,
                    summer_time,
                    day,
                    weekday,
                    month,
                    year,
                    reserved,
                }
            },
        )
}

fn leak(v: Vec<u8>) -> &'static [u8] {
    Box::leak(v.into_boxed_slice())
}

/// Every type identification `Element::decode` knows.
fn decodable_types() -> Vec<u8> {
    (0u8..=255)
        .filter(|&t| is_decodable(TypeId::from(t)))
        .collect()
}

/// A random element of `type_id`.
fn element(type_id: u8) -> BoxedStrategy<Element<'static>> {
    let time = move |none: bool, cp24_: bool| -> BoxedStrategy<Option<TimeTag>> {
        if none {
            Just(None).boxed()
        } else if cp24_ {
            cp24().prop_map(|t| Some(TimeTag::Cp24(t))).boxed()
        } else {
            cp56().prop_map(|t| Some(TimeTag::Cp56(t))).boxed()
        }
    };
    let t = |id: u8, base: u8, t24: u8| time(id == base, id == t24);
    let o56 = move |with: bool| -> BoxedStrategy<Option<Cp56Time2a>> {
        if with {
            cp56().prop_map(Some).boxed()
        } else {
            Just(None).boxed()
        }
    };
    let id = type_id;
    match id {
        1 | 2 | 30 => (any::<u8>(), t(id, 1, 2))
            .prop_map(|(s, time)| Element::SinglePoint { siq: Siq(s), time })
            .boxed(),
        3 | 4 | 31 => (any::<u8>(), t(id, 3, 4))
            .prop_map(|(d, time)| Element::DoublePoint { diq: Diq(d), time })
            .boxed(),
        5 | 6 | 32 => (any::<u8>(), any::<u8>(), t(id, 5, 6))
            .prop_map(|(v, q, time)| Element::StepPosition {
                vti: Vti(v),
                qds: Qds(q),
                time,
            })
            .boxed(),
        7 | 8 | 33 => (any::<u32>(), any::<u8>(), t(id, 7, 8))
            .prop_map(|(bsi, q, time)| Element::Bitstring {
                bsi,
                qds: Qds(q),
                time,
            })
            .boxed(),
        9 | 10 | 34 => (any::<i16>(), any::<u8>(), t(id, 9, 10))
            .prop_map(|(v, q, time)| Element::Normalized {
                value: Normalized(v),
                qds: Some(Qds(q)),
                time,
            })
            .boxed(),
        21 => any::<i16>()
            .prop_map(|v| Element::Normalized {
                value: Normalized(v),
                qds: None,
                time: None,
            })
            .boxed(),
        11 | 12 | 35 => (any::<i16>(), any::<u8>(), t(id, 11, 12))
            .prop_map(|(value, q, time)| Element::Scaled {
                value,
                qds: Qds(q),
                time,
            })
            .boxed(),
        13 | 14 | 36 => (any::<f32>(), any::<u8>(), t(id, 13, 14))
            .prop_map(|(value, q, time)| Element::Float {
                value,
                qds: Qds(q),
                time,
            })
            .boxed(),
        15 | 16 | 37 => (any::<i32>(), any::<u8>(), t(id, 15, 16))
            .prop_map(|(value, flags, time)| Element::IntegratedTotals {
                bcr: Bcr { value, flags },
                time,
            })
            .boxed(),
        17 | 38 => (any::<u8>(), any::<u16>(), t(id, 0, 17))
            .prop_map(|(s, e, time)| Element::ProtectionEvent {
                sep: Sep(s),
                elapsed: Cp16Time2a(e),
                time: time.unwrap(),
            })
            .boxed(),
        18 | 39 => (any::<u8>(), any::<u8>(), any::<u16>(), t(id, 0, 18))
            .prop_map(|(s, q, d, time)| Element::PackedStartEvents {
                spe: Spe(s),
                qdp: Qdp(q),
                duration: Cp16Time2a(d),
                time: time.unwrap(),
            })
            .boxed(),
        19 | 40 => (any::<u8>(), any::<u8>(), any::<u16>(), t(id, 0, 19))
            .prop_map(|(o, q, d, time)| Element::PackedOutputCircuit {
                oci: Oci(o),
                qdp: Qdp(q),
                operating: Cp16Time2a(d),
                time: time.unwrap(),
            })
            .boxed(),
        20 => (any::<u16>(), any::<u16>(), any::<u8>())
            .prop_map(|(status, changed, q)| Element::PackedSinglePoint {
                scd: Scd { status, changed },
                qds: Qds(q),
            })
            .boxed(),
        45 | 58 => (any::<u8>(), o56(id == 58))
            .prop_map(|(s, time)| Element::SingleCommand { sco: Sco(s), time })
            .boxed(),
        46 | 59 => (any::<u8>(), o56(id == 59))
            .prop_map(|(d, time)| Element::DoubleCommand { dco: Dco(d), time })
            .boxed(),
        47 | 60 => (any::<u8>(), o56(id == 60))
            .prop_map(|(r, time)| Element::RegulatingStep { rco: Rco(r), time })
            .boxed(),
        48 | 61 => (any::<i16>(), any::<u8>(), o56(id == 61))
            .prop_map(|(v, q, time)| Element::SetpointNormalized {
                value: Normalized(v),
                qos: Qos(q),
                time,
            })
            .boxed(),
        49 | 62 => (any::<i16>(), any::<u8>(), o56(id == 62))
            .prop_map(|(value, q, time)| Element::SetpointScaled {
                value,
                qos: Qos(q),
                time,
            })
            .boxed(),
        50 | 63 => (any::<f32>(), any::<u8>(), o56(id == 63))
            .prop_map(|(value, q, time)| Element::SetpointFloat {
                value,
                qos: Qos(q),
                time,
            })
            .boxed(),
        51 | 64 => (any::<u32>(), o56(id == 64))
            .prop_map(|(bsi, time)| Element::BitstringCommand { bsi, time })
            .boxed(),
        70 => any::<u8>()
            .prop_map(|c| Element::EndOfInitialization { coi: Coi(c) })
            .boxed(),
        100 => any::<u8>()
            .prop_map(|q| Element::Interrogation { qoi: Qoi(q) })
            .boxed(),
        101 => any::<u8>()
            .prop_map(|q| Element::CounterInterrogation { qcc: Qcc(q) })
            .boxed(),
        102 => Just(Element::Read).boxed(),
        103 => cp56().prop_map(|time| Element::ClockSync { time }).boxed(),
        104 => any::<u16>()
            .prop_map(|pattern| Element::Test { pattern })
            .boxed(),
        105 => any::<u8>()
            .prop_map(|q| Element::ResetProcess { qrp: Qrp(q) })
            .boxed(),
        106 => any::<u16>()
            .prop_map(|d| Element::DelayAcquisition {
                delay: Cp16Time2a(d),
            })
            .boxed(),
        107 => (any::<u16>(), cp56())
            .prop_map(|(counter, time)| Element::TestWithTime { counter, time })
            .boxed(),
        110 => (any::<i16>(), any::<u8>())
            .prop_map(|(v, q)| Element::ParameterNormalized {
                value: Normalized(v),
                qpm: Qpm(q),
            })
            .boxed(),
        111 => (any::<i16>(), any::<u8>())
            .prop_map(|(value, q)| Element::ParameterScaled { value, qpm: Qpm(q) })
            .boxed(),
        112 => (any::<f32>(), any::<u8>())
            .prop_map(|(value, q)| Element::ParameterFloat { value, qpm: Qpm(q) })
            .boxed(),
        113 => any::<u8>()
            .prop_map(|q| Element::ParameterActivation { qpa: Qpa(q) })
            .boxed(),
        120 => (any::<u16>(), 0u32..1 << 24, any::<u8>())
            .prop_map(|(file, length, q)| Element::FileReady {
                file,
                length,
                frq: ReadyQualifier(q),
            })
            .boxed(),
        121 => (any::<u16>(), any::<u8>(), 0u32..1 << 24, any::<u8>())
            .prop_map(|(file, section, length, q)| Element::SectionReady {
                file,
                section,
                length,
                srq: ReadyQualifier(q),
            })
            .boxed(),
        122 => (any::<u16>(), any::<u8>(), any::<u8>())
            .prop_map(|(file, section, q)| Element::CallFile {
                file,
                section,
                scq: Scq(q),
            })
            .boxed(),
        123 => (any::<u16>(), any::<u8>(), any::<u8>(), any::<u8>())
            .prop_map(|(file, section, q, checksum)| Element::LastSection {
                file,
                section,
                lsq: Lsq(q),
                checksum,
            })
            .boxed(),
        124 => (any::<u16>(), any::<u8>(), any::<u8>())
            .prop_map(|(file, section, q)| Element::AckFile {
                file,
                section,
                afq: Afq(q),
            })
            .boxed(),
        125 => (
            any::<u16>(),
            any::<u8>(),
            proptest::collection::vec(any::<u8>(), 0..40),
        )
            .prop_map(|(file, section, data)| Element::Segment {
                file,
                section,
                data: leak(data),
            })
            .boxed(),
        126 => (any::<u16>(), 0u32..1 << 24, any::<u8>(), cp56())
            .prop_map(|(file, length, s, time)| Element::Directory {
                file,
                length,
                sof: Sof(s),
                time,
            })
            .boxed(),
        127 => (any::<u16>(), cp56(), cp56())
            .prop_map(|(file, start, stop)| Element::QueryLog { file, start, stop })
            .boxed(),
        _ => proptest::collection::vec(any::<u8>(), 0..40)
            .prop_map(|d| Element::Security { data: leak(d) })
            .boxed(),
    }
}

/// Whether the type's element swallows the rest of the ASDU (one object only).
fn greedy(type_id: u8) -> bool {
    TypeId::from(type_id).is_security()
}

fn params() -> impl Strategy<Value = Params> {
    (1u8..=2, 1u8..=2, 1u8..=3).prop_map(|(c, a, i)| Params::new(c, a, i).unwrap())
}

/// A random ASDU: header, params and objects of one decodable type.
fn asdu() -> impl Strategy<Value = (AsduHeader, Params, Vec<InformationObject<'static>>)> {
    (
        proptest::sample::select(decodable_types()),
        params(),
        any::<bool>(),
    )
        .prop_flat_map(|(id, params, sq)| {
            let sq = sq && !greedy(id);
            let max = if greedy(id) { 1 } else { 6 };
            (
                proptest::collection::vec(element(id), 1..=max),
                0u8..64,
                any::<bool>(),
                any::<bool>(),
                any::<u8>(),
                any::<u16>(),
                any::<u32>(),
            )
                .prop_map(move |(elements, cause, negative, test, oa, ca, ioa)| {
                    let oa = if params.cot_size() == 2 { oa } else { 0 };
                    let ca = if params.ca_size() == 2 { ca } else { ca & 0xff };
                    let count = elements.len();
                    let max_ioa = params.max_ioa();
                    // Room for the SQ=1 run of consecutive addresses.
                    let first = (ioa & max_ioa).min(max_ioa - count as u32 + 1);
                    let objects = elements
                        .into_iter()
                        .enumerate()
                        .map(|(i, element)| InformationObject {
                            address: Ioa(if sq {
                                first + i as u32
                            } else {
                                (ioa.rotate_left(i as u32 * 7)) & max_ioa
                            }),
                            element,
                        })
                        .collect::<Vec<_>>();
                    let header = AsduHeader {
                        type_id: TypeId::from(id),
                        sq,
                        count: count as u8,
                        cot: Cot {
                            cause: Cause::from(cause),
                            negative,
                            test,
                        },
                        originator: OriginatorAddress(oa),
                        common_address: CommonAddress(ca),
                    };
                    (header, params, objects)
                })
        })
}

fn has_nan(objects: &[InformationObject<'_>]) -> bool {
    objects.iter().any(|o| {
        matches!(o.element,
            Element::Float { value, .. } | Element::SetpointFloat { value, .. } | Element::ParameterFloat { value, .. }
            if value.is_nan())
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn asdu_round_trips((header, params, objects) in asdu()) {
        let b = AsduBuilder { header, params, objects: &objects };
        let bytes = b.to_vec().unwrap();
        prop_assert_eq!(bytes.len(), b.buffer_len());
        let parsed = Asdu::parse(&bytes, params).unwrap();
        let asdu = parsed.pdu;
        prop_assert_eq!(asdu.header, header);
        prop_assert!(!parsed.anomalies.intersects(Anomalies::TRUNCATED | Anomalies::TRAILING_BYTES | Anomalies::UNKNOWN_TYPE_ID));
        let back: Vec<_> = asdu.objects().collect();
        if !has_nan(&objects) {
            prop_assert_eq!(&back, &objects);
        }
        // emit(parse(b)) == b, through the parsed view and through the decoded objects.
        prop_assert_eq!(asdu.to_vec().unwrap(), bytes.clone());
        let again = AsduBuilder { header, params, objects: &back }.to_vec().unwrap();
        prop_assert_eq!(again, bytes);
    }

    #[test]
    fn apdu_round_trips((header, _p, objects) in asdu(), send in 0u16..32768, recv in 0u16..32768) {
        let params = Params::IEC104;
        let b = AsduBuilder { header, params, objects: &objects };
        prop_assume!(b.buffer_len() <= MAX_ASDU_LEN);
        let frame = IFrame { apci: Apci::I { send: SeqNum::new(send), recv: SeqNum::new(recv) }, asdu: &b };
        let bytes = frame.to_vec().unwrap();
        let (f, rest) = split_frame(&bytes).unwrap();
        prop_assert!(rest.is_empty());
        let p = Apdu::parse(&f, params).unwrap();
        prop_assert_eq!(p.pdu.apci, Apci::I { send: SeqNum::new(send), recv: SeqNum::new(recv) });
        prop_assert_eq!(p.pdu.to_vec().unwrap(), bytes);
    }

    #[test]
    fn s_and_u_round_trip(recv in 0u16..32768, f in proptest::sample::select(vec![0x07u8, 0x0b, 0x13, 0x23, 0x43, 0x83])) {
        for apci in [Apci::S { recv: SeqNum::new(recv) }, Apci::U(UFunction::from_octet(f))] {
            let bytes = apci.to_vec().unwrap();
            let p = Apdu::parse(&split_frame(&bytes).unwrap().0, Params::IEC104).unwrap();
            prop_assert_eq!(p.pdu.apci, apci);
            prop_assert!(p.anomalies.is_empty());
        }
    }

    /// Arbitrary bytes never panic, and whatever parses re-encodes to bytes that parse the
    /// same.
    #[test]
    fn arbitrary_asdu_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..120), p in params()) {
        if let Ok(parsed) = Asdu::parse(&bytes, p) {
            let out = parsed.pdu.to_vec().unwrap();
            prop_assert_eq!(&out, &bytes);
            for o in parsed.pdu.objects() {
                let _ = o.element.anomalies();
            }
        }
    }

    #[test]
    fn ft12_round_trips(control in any::<u8>(), address in any::<u16>(), size in 0u8..=2, data in proptest::collection::vec(any::<u8>(), 0..60), fixed in any::<bool>()) {
        let link = ft12::LinkParams::new(size).unwrap();
        let address = match size { 0 => 0, 1 => address & 0xff, _ => address };
        let frame = ft12::LinkFrame {
            format: if fixed { ft12::Format::Fixed } else { ft12::Format::Variable },
            control: ft12::LinkControl(control),
            address,
            link,
            user_data: if fixed { &[] } else { &data },
        };
        let bytes = frame.to_vec().unwrap();
        let (p, rest) = ft12::split(&bytes, link).unwrap();
        prop_assert!(rest.is_empty());
        prop_assert!(p.anomalies.is_empty());
        prop_assert_eq!(p.pdu, frame);
    }
}

#[test]
fn every_type_id_1_to_127_is_named() {
    for t in 1u8..=127 {
        let id = TypeId::from(t);
        assert_eq!(u8::from(id), t);
        // Known types have a mnemonic and a description; the rest have neither and
        // display as their value in hex.
        assert_eq!(id.name().is_some(), id.is_known());
        assert_eq!(id.description().is_some(), id.is_known());
        if let Some(name) = id.name() {
            assert!(name.len() == 9 && name.ends_with("_1"), "{name}");
            assert!(is_decodable(id), "{name} has a decoder");
        } else {
            assert_eq!(id.to_string(), format!("{t:#04x}"));
        }
    }
    assert_eq!(TypeId::from(36).to_string(), "M_ME_TF_1");
    assert_eq!(
        TypeId::from(36).description(),
        Some("Measured value, short floating point value with time tag CP56Time2a")
    );
    // An unknown value displays in hex, as every otwire code table (DESIGN.md §2).
    assert_eq!(TypeId::from(99).to_string(), "0x63");
}

#[test]
fn element_sizes_match_the_encoder() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    for t in decodable_types() {
        let id = TypeId::from(t);
        let e = element(t).new_tree(&mut runner).unwrap().current();
        if let Some(size) = element_size(id) {
            assert_eq!(e.encoded_len(), size, "{id}");
        }
        assert!(e.matches(id));
    }
}

proptest! {
    /// The parse path's raw-octet element check agrees with decoding the element and
    /// asking it.
    #[test]
    fn raw_element_check_matches_decoded(id in proptest::sample::select(decodable_types()), bytes in proptest::collection::vec(any::<u8>(), 16)) {
        let t = TypeId::from(id);
        if let Some(size) = element_size(t) {
            let e = &bytes[..size];
            let (element, used) = Element::decode(t, e).unwrap();
            prop_assert_eq!(used, size);
            prop_assert_eq!(element_anomalies(t, e), element.anomalies(), "{}", t);
        }
    }
}
