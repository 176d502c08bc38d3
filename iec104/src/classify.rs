//! What detection keys on (DESIGN.md §3 "Event"): the action an APDU performs, the step of
//! a command sequence (select, execute, confirmation, termination) and whether it changes
//! the process (IEC 60870-5-101 §7.3 groups the types the same way).

use crate::asdu::Asdu;
use crate::codes::Cause;
use crate::element::Element;
use crate::frame::{Apci, UFunction};

/// The kind of operation an APDU performs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Action {
    /// Process information in monitor direction (types 1-40).
    Monitor,
    /// End of initialization (70).
    EndOfInitialization,
    /// Station or group interrogation (100).
    Interrogation,
    /// Counter interrogation (101), which may also freeze or reset counters.
    CounterInterrogation,
    /// Read command (102).
    Read,
    /// Single, double, regulating step or bitstring command (45-47, 51, 58-60, 64).
    Command,
    /// Set-point command (48-50, 61-63).
    Setpoint,
    /// Clock synchronization (103).
    TimeSync,
    /// Test command (104, 107).
    Test,
    /// Reset process (105).
    Reset,
    /// Delay acquisition (106).
    DelayAcquisition,
    /// Parameter of measured values (110-112).
    Parameter,
    /// Parameter activation (113).
    ParameterActivation,
    /// File transfer (120-127).
    File,
    /// IEC 60870-5-7 secure authentication (41, 81-95).
    Authentication,
    /// STARTDT, STOPDT (U frames).
    LinkControl,
    /// TESTFR (U frames).
    KeepAlive,
    /// S frame acknowledgement.
    Acknowledge,
    /// Anything else (unknown type identifications).
    Other,
}

/// Where an ASDU stands in its request/confirmation sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Step {
    /// A spontaneous, periodic, interrogated or requested report.
    Report,
    /// Activation of a request that is not select/execute.
    Activation,
    /// Activation with S/E = select (select-before-operate, first half).
    Select,
    /// Activation with S/E = execute.
    Execute,
    /// Deactivation (abort of a pending command).
    Deactivation,
    /// Positive confirmation (actcon, deactcon).
    Confirmation,
    /// Negative confirmation (P/N set, or a mirrored "unknown …" cause 44-47).
    Negative,
    /// Activation termination.
    Termination,
}

/// The classification of one APDU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Classification {
    /// The operation.
    pub action: Action,
    /// The step, for I frames.
    pub step: Option<Step>,
    /// Whether the operation, when executed, changes the process or the station: commands,
    /// set-points, reset process, parameter loading and activation, counter freeze/reset,
    /// file selection/deletion, clock setting.
    pub changes_state: bool,
}

/// Classifies an APDU from its control field and, for I frames, its ASDU.
pub fn classify(apci: &Apci, asdu: Option<&Asdu<'_>>) -> Classification {
    match (apci, asdu) {
        (Apci::U(f), _) => Classification {
            action: match f {
                UFunction::TestFrAct | UFunction::TestFrCon => Action::KeepAlive,
                _ => Action::LinkControl,
            },
            step: None,
            changes_state: false,
        },
        (Apci::S { .. }, _) => Classification {
            action: Action::Acknowledge,
            step: None,
            changes_state: false,
        },
        (Apci::I { .. }, None) => Classification {
            action: Action::Other,
            step: None,
            changes_state: false,
        },
        (Apci::I { .. }, Some(a)) => classify_asdu(a),
    }
}

/// Classifies an ASDU (the first information object decides select/execute).
pub fn classify_asdu(asdu: &Asdu<'_>) -> Classification {
    let id = u8::from(asdu.header.type_id);
    let action = match id {
        1..=40 => Action::Monitor,
        70 => Action::EndOfInitialization,
        100 => Action::Interrogation,
        101 => Action::CounterInterrogation,
        102 => Action::Read,
        45..=47 | 51 | 58..=60 | 64 => Action::Command,
        48..=50 | 61..=63 => Action::Setpoint,
        103 => Action::TimeSync,
        104 | 107 => Action::Test,
        105 => Action::Reset,
        106 => Action::DelayAcquisition,
        110..=112 => Action::Parameter,
        113 => Action::ParameterActivation,
        120..=127 => Action::File,
        41 | 81..=95 => Action::Authentication,
        _ => Action::Other,
    };
    let first = asdu.objects().next().map(|o| o.element);
    let select = match first {
        Some(Element::SingleCommand { sco, .. }) => Some(sco.select()),
        Some(Element::DoubleCommand { dco, .. }) => Some(dco.select()),
        Some(Element::RegulatingStep { rco, .. }) => Some(rco.select()),
        Some(Element::SetpointNormalized { qos, .. })
        | Some(Element::SetpointScaled { qos, .. })
        | Some(Element::SetpointFloat { qos, .. }) => Some(qos.select()),
        _ => None,
    };
    let cot = asdu.header.cot;
    let step = if cot.negative || cot.cause.is_mirror_error() {
        Step::Negative
    } else {
        match cot.cause {
            Cause::Activation => match select {
                Some(true) => Step::Select,
                Some(false) => Step::Execute,
                None => Step::Activation,
            },
            Cause::Deactivation => Step::Deactivation,
            Cause::ActivationCon | Cause::DeactivationCon => Step::Confirmation,
            Cause::ActivationTermination => Step::Termination,
            _ => Step::Report,
        }
    };
    let freeze = matches!(first, Some(Element::CounterInterrogation { qcc }) if qcc.freeze() != 0);
    let file_change = matches!(first, Some(Element::CallFile { scq, .. }) if scq.action() == 4);
    let changes_state = match action {
        Action::Command
        | Action::Setpoint
        | Action::Reset
        | Action::Parameter
        | Action::ParameterActivation
        | Action::TimeSync => step == Step::Execute || step == Step::Activation,
        Action::CounterInterrogation => freeze && step == Step::Activation,
        Action::File => file_change || id == 125,
        _ => false,
    };
    Classification {
        action,
        step: Some(step),
        changes_state,
    }
}
