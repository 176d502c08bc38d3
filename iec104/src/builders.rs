//! Builders for the common requests of a controlling station (IEC 60870-5-104 §5.3 for the
//! U frames, IEC 60870-5-101 §7.3.2 and §7.3.4 for commands and system commands), for
//! active probing and test generation.
//!
//! ```
//! use otwire_iec104::{builders, CommonAddress, Emit, Qoi, SeqNum};
//!
//! let mut buf = [0u8; 32];
//! // STARTDT act
//! let n = builders::startdt_act().emit(&mut buf).unwrap();
//! assert_eq!(&buf[..n], &[0x68, 0x04, 0x07, 0x00, 0x00, 0x00]);
//! // General interrogation of station 1, as the first I frame.
//! let gi = builders::Request::interrogation(CommonAddress(1), Qoi::STATION);
//! let n = gi.i_frame(SeqNum::new(0), SeqNum::new(0)).emit(&mut buf).unwrap();
//! assert_eq!(&buf[..n], &[0x68, 0x0e, 0, 0, 0, 0, 100, 1, 6, 0, 1, 0, 0, 0, 0, 20]);
//! ```

use crate::asdu::{
    AsduBuilder, AsduHeader, CommonAddress, Cot, InformationObject, Ioa, OriginatorAddress, Params,
};
use crate::codes::{Cause, TypeId};
use crate::element::Element;
use crate::emit::Emit;
use crate::error::EmitError;
use crate::frame::{Apci, IFrame, SeqNum, UFunction};
use crate::quality::{Dco, Normalized, Qcc, Qoi, Qos, Qrp, Sco};
use crate::time::Cp56Time2a;

/// STARTDT act (IEC 60870-5-104 §5.3).
pub fn startdt_act() -> Apci {
    Apci::U(UFunction::StartDtAct)
}

/// STARTDT con.
pub fn startdt_con() -> Apci {
    Apci::U(UFunction::StartDtCon)
}

/// STOPDT act.
pub fn stopdt_act() -> Apci {
    Apci::U(UFunction::StopDtAct)
}

/// STOPDT con.
pub fn stopdt_con() -> Apci {
    Apci::U(UFunction::StopDtCon)
}

/// TESTFR act.
pub fn testfr_act() -> Apci {
    Apci::U(UFunction::TestFrAct)
}

/// TESTFR con.
pub fn testfr_con() -> Apci {
    Apci::U(UFunction::TestFrCon)
}

/// An S frame acknowledging every I frame up to `recv - 1` (IEC 60870-5-104 §5.2).
pub fn s_frame(recv: SeqNum) -> Apci {
    Apci::S { recv }
}

/// A one-object ASDU in control direction, ready to emit (alone, or in an I frame with
/// [`i_frame`](Request::i_frame)).
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Request {
    /// The data unit identifier (count is always 1).
    pub header: AsduHeader,
    /// Field sizes ([`Params::IEC104`] unless changed with [`with_params`](Request::with_params)).
    pub params: Params,
    /// The object.
    pub object: InformationObject<'static>,
}

impl Request {
    /// A request of `type_id` with cause activation, originator 0.
    pub fn new(type_id: TypeId, ca: CommonAddress, ioa: Ioa, element: Element<'static>) -> Self {
        Request {
            header: AsduHeader {
                type_id,
                sq: false,
                count: 1,
                cot: Cot::new(Cause::Activation),
                originator: OriginatorAddress(0),
                common_address: ca,
            },
            params: Params::IEC104,
            object: InformationObject {
                address: ioa,
                element,
            },
        }
    }

    /// C_IC_NA_1: (group) interrogation, IOA 0.
    pub fn interrogation(ca: CommonAddress, qoi: Qoi) -> Self {
        Request::new(
            TypeId::Interrogation,
            ca,
            Ioa(0),
            Element::Interrogation { qoi },
        )
    }

    /// C_CI_NA_1: counter interrogation, IOA 0.
    pub fn counter_interrogation(ca: CommonAddress, qcc: Qcc) -> Self {
        Request::new(
            TypeId::CounterInterrogation,
            ca,
            Ioa(0),
            Element::CounterInterrogation { qcc },
        )
    }

    /// C_RD_NA_1: read one object (cause request).
    pub fn read(ca: CommonAddress, ioa: Ioa) -> Self {
        Request::new(TypeId::Read, ca, ioa, Element::Read).with_cause(Cause::Request)
    }

    /// C_CS_NA_1: clock synchronization, IOA 0.
    pub fn clock_sync(ca: CommonAddress, time: Cp56Time2a) -> Self {
        Request::new(TypeId::ClockSync, ca, Ioa(0), Element::ClockSync { time })
    }

    /// C_TS_TA_1: test command with time tag, IOA 0.
    pub fn test(ca: CommonAddress, counter: u16, time: Cp56Time2a) -> Self {
        Request::new(
            TypeId::TestTime56,
            ca,
            Ioa(0),
            Element::TestWithTime { counter, time },
        )
    }

    /// C_RP_NA_1: reset process, IOA 0.
    pub fn reset_process(ca: CommonAddress, qrp: Qrp) -> Self {
        Request::new(
            TypeId::ResetProcess,
            ca,
            Ioa(0),
            Element::ResetProcess { qrp },
        )
    }

    /// C_SC_NA_1 (or C_SC_TA_1 with a time tag): single command, `select` for the first
    /// step of select-before-operate, qualifier 0.
    pub fn single_command(
        ca: CommonAddress,
        ioa: Ioa,
        on: bool,
        select: bool,
        time: Option<Cp56Time2a>,
    ) -> Self {
        let t = if time.is_some() {
            TypeId::SingleCommandTime56
        } else {
            TypeId::SingleCommand
        };
        Request::new(
            t,
            ca,
            ioa,
            Element::SingleCommand {
                sco: Sco::new(on, 0, select),
                time,
            },
        )
    }

    /// C_DC_NA_1 (or C_DC_TA_1): double command, ON (state 2) or OFF (state 1).
    pub fn double_command(
        ca: CommonAddress,
        ioa: Ioa,
        on: bool,
        select: bool,
        time: Option<Cp56Time2a>,
    ) -> Self {
        let t = if time.is_some() {
            TypeId::DoubleCommandTime56
        } else {
            TypeId::DoubleCommand
        };
        Request::new(
            t,
            ca,
            ioa,
            Element::DoubleCommand {
                dco: Dco::new(on, 0, select),
                time,
            },
        )
    }

    /// C_SE_NA_1 (or C_SE_TA_1): set-point, normalized value.
    pub fn setpoint_normalized(
        ca: CommonAddress,
        ioa: Ioa,
        value: Normalized,
        select: bool,
        time: Option<Cp56Time2a>,
    ) -> Self {
        let t = if time.is_some() {
            TypeId::SetpointNormalizedTime56
        } else {
            TypeId::SetpointNormalized
        };
        Request::new(
            t,
            ca,
            ioa,
            Element::SetpointNormalized {
                value,
                qos: qos(select),
                time,
            },
        )
    }

    /// C_SE_NB_1 (or C_SE_TB_1): set-point, scaled value.
    pub fn setpoint_scaled(
        ca: CommonAddress,
        ioa: Ioa,
        value: i16,
        select: bool,
        time: Option<Cp56Time2a>,
    ) -> Self {
        let t = if time.is_some() {
            TypeId::SetpointScaledTime56
        } else {
            TypeId::SetpointScaled
        };
        Request::new(
            t,
            ca,
            ioa,
            Element::SetpointScaled {
                value,
                qos: qos(select),
                time,
            },
        )
    }

    /// C_SE_NC_1 (or C_SE_TC_1): set-point, short floating point value.
    pub fn setpoint_float(
        ca: CommonAddress,
        ioa: Ioa,
        value: f32,
        select: bool,
        time: Option<Cp56Time2a>,
    ) -> Self {
        let t = if time.is_some() {
            TypeId::SetpointFloatTime56
        } else {
            TypeId::SetpointFloat
        };
        Request::new(
            t,
            ca,
            ioa,
            Element::SetpointFloat {
                value,
                qos: qos(select),
                time,
            },
        )
    }

    /// The same request with another cause (deactivation 8, say).
    pub fn with_cause(mut self, cause: Cause) -> Self {
        self.header.cot.cause = cause;
        self
    }

    /// The same request with the test bit set or cleared.
    pub fn with_test(mut self, test: bool) -> Self {
        self.header.cot.test = test;
        self
    }

    /// The same request from another originator.
    pub fn with_originator(mut self, oa: OriginatorAddress) -> Self {
        self.header.originator = oa;
        self
    }

    /// The same request with other field sizes (IEC 60870-5-101 profiles).
    pub fn with_params(mut self, params: Params) -> Self {
        self.params = params;
        self
    }

    /// The request in an I frame with the given N(S) and N(R).
    pub fn i_frame(&self, send: SeqNum, recv: SeqNum) -> IFrame<'_, Request> {
        IFrame {
            apci: Apci::I { send, recv },
            asdu: self,
        }
    }

    fn builder(&self) -> AsduBuilder<'_, 'static> {
        AsduBuilder {
            header: self.header,
            params: self.params,
            objects: core::slice::from_ref(&self.object),
        }
    }
}

fn qos(select: bool) -> Qos {
    Qos(u8::from(select) << 7)
}

impl Emit for Request {
    fn buffer_len(&self) -> usize {
        self.builder().buffer_len()
    }

    fn emit(&self, buf: &mut [u8]) -> Result<usize, EmitError> {
        self.builder().emit(buf)
    }
}
