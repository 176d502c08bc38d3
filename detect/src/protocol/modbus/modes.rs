//! The operating mode of Schneider controllers as UMAS requests set it (STOP_PLC /
//! START_PLC in Modbus FC 90), across connections: a program download (UMAS 0x33-0x35) into
//! a controller not seen stopped is an online change of the running program, marked
//! [`Marks::MODIFIES_PROGRAM`] (T0889 Modify Program, besides T0843 for the download).

use otwire_modbus::{Pdu, Request, UmasFunctionCode};

use crate::event::{Direction, Endpoint, Event, Marks, Protocol};
use crate::protocol::{Detail, Enrich};
use crate::table::BoundedMap;

/// Controllers whose UMAS operating mode is remembered.
pub const DEFAULT_MODES: usize = 4_096;

/// Per (server, unit): whether the last UMAS mode change asked for was STOP_PLC, in a
/// capped table; run by the engine on Modbus requests in capture order.
#[derive(Debug)]
pub struct UmasModes {
    stopped: BoundedMap<(Endpoint, u16), bool>,
}

impl Default for UmasModes {
    fn default() -> Self {
        Self::new()
    }
}

impl UmasModes {
    /// A table of [`DEFAULT_MODES`] controllers.
    pub fn new() -> Self {
        Self {
            stopped: BoundedMap::new(DEFAULT_MODES),
        }
    }
}

impl Enrich for UmasModes {
    fn protocol(&self) -> Protocol {
        Protocol::Modbus
    }

    fn marks(&mut self, ev: &Event<'_>) -> Marks {
        let Detail::Modbus(m) = ev.detail else {
            return Marks::NONE;
        };
        let Some(Pdu::Request(Request::Umas(u))) = m.pdu.map(|p| p.pdu) else {
            return Marks::NONE;
        };
        if ev.direction != Direction::Request {
            return Marks::NONE;
        }
        let key = (ev.flow.server, ev.unit);
        match u.function {
            UmasFunctionCode::StopPlc | UmasFunctionCode::StartPlc => {
                let stop = u.function == UmasFunctionCode::StopPlc;
                if let Some((slot, _)) = self.stopped.get_or_insert_with(key, || stop) {
                    *slot = stop;
                }
            }
            UmasFunctionCode::InitializeDownload
            | UmasFunctionCode::DownloadBlock
            | UmasFunctionCode::EndStrategyDownload
                if !self.stopped.get(&key).copied().unwrap_or(false) =>
            {
                return Marks::MODIFIES_PROGRAM;
            }
            _ => {}
        }
        Marks::NONE
    }
}
