//! A large plant for the report's tests (`gen-sample --plant SITES`): many hosts in many
//! subnets, so that the communication map has to group them.
//!
//! Site `s` (0-based) is the subnet 10.20.`s`.0/24: an HMI (.10) polls `plcs` PLCs (.100
//! upwards) on port 502 with Modbus read holding registers, and writes a set point to each
//! every fourth cycle. A historian (10.20.250.2) reads the first PLC of every site.

use std::io::{self, Write};

use otwire_modbus::{Address, RegisterValues, Request, Response};

use crate::pcapw::{Host, LINKTYPE_ETHERNET, PcapWriter, TcpSession};
use crate::sample::{SAMPLE_START_US, adu, registers};

/// The historian that reads every site's first PLC.
pub const HISTORIAN: Host = Host::new([10, 20, 250, 2]);

/// Cycles of polling written (one per second).
const CYCLES: u16 = 4;

/// The hosts of [`write_plant`]: `sites` HMIs, `sites * plcs` PLCs and the historian.
pub const fn plant_hosts(sites: u8, plcs: u8) -> usize {
    sites as usize * (plcs as usize + 1) + 1
}

/// One client-to-PLC connection.
struct Poll {
    tcp: TcpSession,
    tid: u16,
}

impl Poll {
    fn exchange<W: Write>(
        &mut self,
        w: &mut PcapWriter<W>,
        t: i64,
        req: Request<'_>,
        rsp: Response<'_>,
    ) -> io::Result<()> {
        self.tid = self.tid.wrapping_add(1);
        self.tcp.client_send(w, t, &adu(self.tid, 1, req)?)?;
        self.tcp.server_send(w, t + 800, &adu(self.tid, 1, rsp)?)?;
        self.tcp.ack_from_client(w, t + 900)
    }
}

/// Writes the plant of `sites` subnets (at most 250) with `plcs` PLCs each (at most 150).
/// Returns the bytes written.
pub fn write_plant<W: Write>(out: W, sites: u8, plcs: u8) -> io::Result<u64> {
    let (sites, plcs) = (sites.min(250), plcs.min(150));
    let mut w = PcapWriter::new(out, LINKTYPE_ETHERNET)?;
    let mut t = SAMPLE_START_US;
    let mut polls: Vec<Poll> = Vec::new();
    for s in 0..sites {
        let hmi = Host::new([10, 20, s, 10]);
        for p in 0..plcs {
            let plc = Host::new([10, 20, s, 100 + p]);
            polls.push(Poll {
                tcp: TcpSession::new(hmi, plc, 40_000 + u16::from(p), 502),
                tid: 0,
            });
        }
        polls.push(Poll {
            tcp: TcpSession::new(
                HISTORIAN,
                Host::new([10, 20, s, 100]),
                30_000 + u16::from(s),
                502,
            ),
            tid: 0,
        });
    }
    for p in polls.iter_mut() {
        p.tcp.open(&mut w, t)?;
        t += 200;
    }
    let values = registers(&[100, 200, 300, 400]);
    for cycle in 0..CYCLES {
        for p in polls.iter_mut() {
            t += 1_000;
            let read = Request::ReadHoldingRegisters {
                address: Address(0),
                quantity: 4,
            };
            let answer = Response::ReadHoldingRegisters {
                values: RegisterValues::new(&values),
            };
            p.exchange(&mut w, t, read, answer)?;
            if cycle % 4 == 3 && p.tcp.client != HISTORIAN {
                let write = Request::WriteSingleRegister {
                    address: Address(10),
                    value: 42,
                };
                let echo = Response::WriteSingleRegister {
                    address: Address(10),
                    value: 42,
                };
                p.exchange(&mut w, t + 1_000, write, echo)?;
            }
        }
        t += 1_000_000;
    }
    let bytes = w.bytes;
    w.into_inner().flush()?;
    Ok(bytes)
}
