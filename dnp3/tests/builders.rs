//! Every `builder::MasterRequest` variant encodes to an application fragment that parses
//! back as the function, action and objects it stands for.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use otwire_dnp3::{
    Address, AnalogValue, Apdu, Emit, FunctionCode, OpType, PrimaryFunction, Timestamp,
    TripCloseCode, Value, split_frame_strict,
};

#[cfg(not(feature = "alloc"))]
#[path = "common/to_vec.rs"]
mod to_vec;
#[cfg(not(feature = "alloc"))]
use to_vec::ToVec;

#[test]
fn every_master_request_builder_parses_back() {
    use otwire_dnp3::builder::MasterRequest as M;
    use otwire_dnp3::classify::Action;
    let crob = otwire_dnp3::Crob {
        code: otwire_dnp3::ControlCode::new(OpType::PulseOn, TripCloseCode::Trip, false, false),
        count: 1,
        on_time: 500,
        off_time: 500,
        status: 0,
    };
    let cases = [
        (M::IntegrityPoll, FunctionCode::Read, Action::Read, 4),
        (
            M::ClassRead {
                class0: false,
                class1: true,
                class2: false,
                class3: true,
            },
            FunctionCode::Read,
            Action::Read,
            2,
        ),
        (
            M::Crob {
                function: FunctionCode::Select,
                index: 3,
                crob,
            },
            FunctionCode::Select,
            Action::Command,
            1,
        ),
        (
            M::Crob {
                function: FunctionCode::Operate,
                index: 3,
                crob,
            },
            FunctionCode::Operate,
            Action::Command,
            1,
        ),
        (
            M::Crob {
                function: FunctionCode::DirectOperate,
                index: 3,
                crob,
            },
            FunctionCode::DirectOperate,
            Action::Command,
            1,
        ),
        (
            M::AnalogOutput {
                function: FunctionCode::DirectOperate,
                index: 2,
                value: AnalogValue::F32(1.5),
            },
            FunctionCode::DirectOperate,
            Action::Command,
            1,
        ),
        (
            M::ColdRestart,
            FunctionCode::ColdRestart,
            Action::Restart,
            0,
        ),
        (
            M::WarmRestart,
            FunctionCode::WarmRestart,
            Action::Restart,
            0,
        ),
        (
            M::EnableUnsolicited {
                class1: true,
                class2: true,
                class3: true,
            },
            FunctionCode::EnableUnsolicited,
            Action::Config,
            3,
        ),
        (
            M::DisableUnsolicited {
                class1: true,
                class2: false,
                class3: false,
            },
            FunctionCode::DisableUnsolicited,
            Action::Config,
            1,
        ),
        (
            M::TimeSync(Timestamp(1_700_000_000_123)),
            FunctionCode::Write,
            Action::TimeSync,
            1,
        ),
        (
            M::RecordCurrentTime,
            FunctionCode::RecordCurrentTime,
            Action::TimeSync,
            0,
        ),
        (
            M::DelayMeasure,
            FunctionCode::DelayMeasure,
            Action::TimeSync,
            0,
        ),
        (
            M::ReadDeviceAttributes,
            FunctionCode::Read,
            Action::Discovery,
            1,
        ),
        (M::ClearRestart, FunctionCode::Write, Action::Config, 1),
    ];
    for (kind, function, action, headers) in cases {
        let req = otwire_dnp3::Request { seq: 5, kind };
        let bytes = req.to_vec().unwrap();
        assert_eq!(bytes.len(), req.buffer_len());
        let parsed = Apdu::parse(&bytes).unwrap();
        assert!(
            parsed.anomalies.is_empty(),
            "{kind:?}: {:?}",
            parsed.anomalies
        );
        let apdu = parsed.pdu;
        assert_eq!((apdu.function, apdu.control.seq), (function, 5));
        assert_eq!(apdu.objects.len(), headers, "{kind:?}");
        assert_eq!(otwire_dnp3::classify(&apdu).action, action, "{kind:?}");
        // Sent as frames, with the link layer around it.
        let frames = otwire_dnp3::TransportFrames {
            header: otwire_dnp3::LinkHeader {
                control: otwire_dnp3::LinkControl::primary(
                    true,
                    PrimaryFunction::UnconfirmedUserData,
                    false,
                ),
                destination: Address(10),
                source: Address(1),
            },
            first_seq: 0,
            fragment: &bytes,
        }
        .to_vec()
        .unwrap();
        let (frame, rest) = split_frame_strict(&frames).unwrap();
        assert!(rest.is_empty() && frame.anomalies.is_empty());
    }
    // The CROB and the analog output come back typed.
    let bytes = otwire_dnp3::Request::operate(1, 3, crob).to_vec().unwrap();
    let p = Apdu::parse(&bytes)
        .unwrap()
        .pdu
        .objects
        .flat_map(|h| h.points())
        .next()
        .unwrap();
    assert_eq!((p.index, p.value), (3, Value::Crob(crob)));
}
