//! What detection keys on (DESIGN.md §3): the kind of action a fragment performs and
//! whether it is a dangerous operation, from its function code (IEEE 1815-2012 Table 4-3)
//! and, where the function alone is ambiguous, its objects.

use crate::app::Apdu;
use crate::codes::FunctionCode;

/// The kind of action a DNP3 application fragment performs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Action {
    /// Reads point values or events (Read of g1-g113 except g0).
    Read,
    /// Writes values or attributes (Write other than time and IIN).
    Write,
    /// Operates outputs or freezes counters (Select, Operate, Direct Operate, Freeze…).
    Command,
    /// Cold or warm restart.
    Restart,
    /// Starts, stops or initialises an application, or re-initialises data.
    ModeChange,
    /// Reads device attributes (g0): identification.
    Discovery,
    /// Time synchronisation: Write g50, Record Current Time, Delay Measurement.
    TimeSync,
    /// File transfer functions 25-30.
    FileTransfer,
    /// Configuration: Assign Class, Enable/Disable Unsolicited, Save/Activate
    /// Configuration, Write of IIN (g80).
    Config,
    /// Secure authentication (32, 33, 131).
    Authentication,
    /// A confirmation.
    Confirm,
    /// A solicited or unsolicited response.
    Response,
    /// An unknown function code.
    Other,
}

/// What [`classify`] says about a fragment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Classification {
    /// The action.
    pub action: Action,
    /// A dangerous operation: it changes the process or the device (Operate, Direct
    /// Operate, restarts, stop/initialise application, initialise data, freeze-and-clear,
    /// file write or delete, activate/save configuration, disable unsolicited, time set).
    pub dangerous: bool,
}

/// The action of a function code alone (Read and Write are refined by [`classify`]).
pub fn function_action(function: FunctionCode) -> Action {
    use FunctionCode as F;
    match function {
        F::Confirm => Action::Confirm,
        F::Read => Action::Read,
        F::Write => Action::Write,
        F::Select
        | F::Operate
        | F::DirectOperate
        | F::DirectOperateNoAck
        | F::ImmediateFreeze
        | F::ImmediateFreezeNoAck
        | F::FreezeClear
        | F::FreezeClearNoAck
        | F::FreezeAtTime
        | F::FreezeAtTimeNoAck => Action::Command,
        F::ColdRestart | F::WarmRestart => Action::Restart,
        F::InitializeData | F::InitializeApplication | F::StartApplication | F::StopApplication => {
            Action::ModeChange
        }
        F::SaveConfiguration
        | F::EnableUnsolicited
        | F::DisableUnsolicited
        | F::AssignClass
        | F::ActivateConfig => Action::Config,
        F::DelayMeasure | F::RecordCurrentTime => Action::TimeSync,
        F::OpenFile
        | F::CloseFile
        | F::DeleteFile
        | F::GetFileInfo
        | F::AuthenticateFile
        | F::AbortFile => Action::FileTransfer,
        F::AuthenticateRequest | F::AuthenticateRequestNoAck | F::AuthenticateResponse => {
            Action::Authentication
        }
        F::Response | F::UnsolicitedResponse => Action::Response,
        F::Unknown(_) => Action::Other,
    }
}

/// Classifies a fragment: its action and whether it is dangerous.
pub fn classify(apdu: &Apdu<'_>) -> Classification {
    use FunctionCode as F;
    let mut action = function_action(apdu.function);
    let mut dangerous = matches!(
        apdu.function,
        F::Operate
            | F::DirectOperate
            | F::DirectOperateNoAck
            | F::ColdRestart
            | F::WarmRestart
            | F::InitializeData
            | F::InitializeApplication
            | F::StopApplication
            | F::FreezeClear
            | F::FreezeClearNoAck
            | F::DeleteFile
            | F::SaveConfiguration
            | F::ActivateConfig
            | F::DisableUnsolicited
    );
    match apdu.function {
        F::Read if { apdu.objects }.any(|h| h.group == 0) => action = Action::Discovery,
        F::Write => {
            let mut groups = apdu.objects.map(|h| h.group);
            if let Some(g) = groups.next() {
                if g == 50 {
                    action = Action::TimeSync;
                    dangerous = true;
                } else if g == 80 {
                    action = Action::Config;
                }
            }
            if { apdu.objects }.any(|h| h.group == 70) {
                action = Action::FileTransfer;
                dangerous = true;
            }
        }
        F::OpenFile => {
            // File command g70v3 with mode 2 (write) or 3 (append) writes to the device.
            dangerous = apdu.objects.flat_map(|h| h.points()).any(|p| {
                matches!(
                    p.value,
                    crate::Value::File(crate::FileObject::Command { mode: 2 | 3, .. })
                )
            });
        }
        _ => {}
    }
    Classification { action, dangerous }
}
