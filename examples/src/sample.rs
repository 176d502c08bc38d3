//! The bundled sample capture and the generators behind it.
//!
//! `data/sample.pcap` is written by [`write_sample`] (run `cargo run -p otwire-examples --bin
//! gen-sample` to regenerate it; a test checks the committed file is byte-identical). Every
//! Modbus message is encoded with `otwire-modbus`'s `Emit` implementations, every header with
//! `etherparse`.
//!
//! The scene (60 s from 2026-01-15 08:00:00 UTC, network 10.10.1.0/24):
//! - an HMI (10.10.1.10) polls three PLCs every second on port 502: PLC-1 (.21), PLC-2 (.22)
//!   and a gateway (.23) with units 1 to 3, plus a meter on the non-standard port 5020 (.24);
//! - from a rogue host (10.10.1.66): device identification of PLC-1 (FC 43/14 basic, regular,
//!   extended, and FC 17), an address scan of PLC-2 answered by exception 02 and a unit-id
//!   sweep of the gateway answered by exception 0B, rogue writes to PLC-1 (FC 6, FC 5), a
//!   FrostyGoop-like burst of FC 16 writes of out-of-range set points to the gateway, a UMAS
//!   (FC 90) reservation and STOP_PLC to the gateway, and an HTTP request sent to port 502;
//! - DNP3 and IEC 104 supervision of two RTUs by a SCADA front end, and the rogue host's
//!   attacks on them ([`crate::sample_scada`]);
//! - the HMI's read var polling of an S7-300 CPU, and the rogue host's SZL identification
//!   of it and PLC stop ([`crate::sample_s7`]);
//! - EtherNet/IP: the HMI's connected tag reads of a ControlLogix and a set
//!   point write in Multiple Service Packets, PCCC polling of a MicroLogix, and the
//!   ControlLogix's class 1 I/O with a POINT I/O adapter on UDP 2222, and the rogue host's
//!   ListIdentity of the ControlLogix ([`crate::sample_enip`]).

use std::io::{self, Write};

use otwire_modbus::{
    Address, Adu, BitValues, DeviceIdentification, DeviceObjects, Emit, ExceptionCode,
    FunctionCode, ReadDeviceIdCode, RegisterValues, Request, Response, TransactionId,
    UmasFunctionCode, UmasRequest, UmasResponse, UnitId,
};

use crate::pcapw::{Host, LINKTYPE_ETHERNET, PcapWriter, TcpSession};
use crate::sample_s7::S7Polling;
use crate::sample_scada::Scada;

/// The bundled sample capture.
pub const SAMPLE_PCAP: &[u8] = include_bytes!("../data/sample.pcap");

/// Start of the sample: 2026-01-15T08:00:00Z, in microseconds.
pub const SAMPLE_START_US: i64 = 1_768_464_000_000_000;

/// The HMI.
pub const HMI: Host = Host::new([10, 10, 1, 10]);
/// PLC-1.
pub const PLC1: Host = Host::new([10, 10, 1, 21]);
/// PLC-2.
pub const PLC2: Host = Host::new([10, 10, 1, 22]);
/// The gateway with units 1 to 3.
pub const GATEWAY: Host = Host::new([10, 10, 1, 23]);
/// A meter answering Modbus on port 5020.
pub const METER: Host = Host::new([10, 10, 1, 24]);
/// The rogue host.
pub const ROGUE: Host = Host::new([10, 10, 1, 66]);

/// Device identity PLC-1 reports.
pub const PLC1_IDENTITY: [(u8, &str); 8] = [
    (0, "Schneider Electric"),
    (1, "BMX P34 2020"),
    (2, "v3.10"),
    (3, "www.se.com"),
    (4, "Modicon M340"),
    (5, "BMX P34 2020"),
    (6, "PUMP_STATION_4"),
    (0x80, "SN 8842-1193"),
];

/// A Modbus/TCP ADU.
pub(crate) fn adu<P: Emit>(tid: u16, unit: u8, pdu: P) -> io::Result<Vec<u8>> {
    Adu::new(TransactionId(tid), UnitId(unit), pdu)
        .to_vec()
        .map_err(|e| io::Error::other(e.to_string()))
}

pub(crate) fn registers(values: &[u16]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_be_bytes()).collect()
}

/// A small deterministic generator (xorshift64*).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// Seeded.
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }
    /// Next value.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    /// A value below `n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// A Modbus client on one TCP connection with its own transaction counter.
struct Client {
    tcp: TcpSession,
    tid: u16,
}

impl Client {
    fn new(client: Host, server: Host, cport: u16, sport: u16) -> Self {
        Client {
            tcp: TcpSession::new(client, server, cport, sport),
            tid: 0,
        }
    }

    /// One request and its response, the response `rtt` µs later, then the client's ACK.
    fn exchange<W: Write>(
        &mut self,
        w: &mut PcapWriter<W>,
        t: i64,
        unit: u8,
        req: Request<'_>,
        rsp: Response<'_>,
        rtt: i64,
    ) -> io::Result<()> {
        self.tid = self.tid.wrapping_add(1);
        self.tcp.client_send(w, t, &adu(self.tid, unit, req)?)?;
        self.tcp
            .server_send(w, t + rtt, &adu(self.tid, unit, rsp)?)?;
        self.tcp.ack_from_client(w, t + rtt + 120)
    }
}

fn read_holding<'a>(address: u16, quantity: u16) -> Request<'a> {
    Request::ReadHoldingRegisters {
        address: Address(address),
        quantity,
    }
}

/// One timed step of the scene.
type Step = (i64, u8);

/// The DNP3 and IEC 104 attacks (second, kind of [`crate::sample_scada::attack`]).
const SCADA_ATTACKS: [Step; 4] = [(28, 0), (35, 2), (42, 1), (55, 3)];

/// The second of the rogue host's S7 identification and PLC stop
/// ([`crate::sample_s7::rogue_identify_and_stop`]).
const S7_ATTACK: i64 = 47;

/// Writes the sample capture.
pub fn write_sample<W: Write>(out: W) -> io::Result<W> {
    let mut w = PcapWriter::new(out, LINKTYPE_ETHERNET)?;
    let t0 = SAMPLE_START_US;
    let mut rng = Rng::new(0x07_3e_11);

    // Long-lived polling connections, opened at the start.
    let mut plc1 = Client::new(HMI, PLC1, 49_152, 502);
    let mut plc2 = Client::new(HMI, PLC2, 49_153, 502);
    let mut gw = Client::new(HMI, GATEWAY, 49_154, 502);
    let mut meter = Client::new(HMI, METER, 49_155, 5020);
    plc1.tcp.open(&mut w, t0)?;
    plc2.tcp.open(&mut w, t0 + 1_000)?;
    gw.tcp.open(&mut w, t0 + 2_000)?;
    meter.tcp.open(&mut w, t0 + 3_000)?;
    let mut scada = Scada::open(&mut w, t0)?;
    let mut s7 = S7Polling::open(&mut w, t0)?;
    let mut enip = crate::sample_enip::EnipPlant::open(&mut w, t0)?;

    // Attack steps: (second, kind), each interleaved with the polling at its time.
    let attacks: [Step; 6] = [(20, 0), (25, 1), (32, 2), (38, 3), (45, 4), (50, 5)];

    for sec in 0..60i64 {
        let t = t0 + 10_000 + sec * 1_000_000;
        // PLC-1: pressures and pump states.
        let level = 400 + ((sec * 7) % 50) as u16;
        let regs: Vec<u16> = (0..10)
            .map(|i| level + i * 3 + rng.below(3) as u16)
            .collect();
        let bytes = registers(&regs);
        plc1.exchange(
            &mut w,
            t,
            1,
            read_holding(0, 10),
            Response::ReadHoldingRegisters {
                values: RegisterValues::new(&bytes),
            },
            1_800,
        )?;
        let coils = [0b1010_0101u8, 0b0000_0011];
        plc1.exchange(
            &mut w,
            t + 40_000,
            1,
            Request::ReadCoils {
                address: Address(0),
                quantity: 16,
            },
            Response::ReadCoils {
                values: BitValues::from_bytes(&coils),
            },
            1_500,
        )?;
        // PLC-2: flows (input registers) and a set point block.
        let inputs: Vec<u16> = (0..8)
            .map(|i| 1_000 + i * 10 + rng.below(20) as u16)
            .collect();
        let bytes = registers(&inputs);
        plc2.exchange(
            &mut w,
            t + 80_000,
            1,
            Request::ReadInputRegisters {
                address: Address(0),
                quantity: 8,
            },
            Response::ReadInputRegisters {
                values: RegisterValues::new(&bytes),
            },
            2_100,
        )?;
        let sp = registers(&[650, 655, 20, 1]);
        plc2.exchange(
            &mut w,
            t + 120_000,
            1,
            read_holding(100, 4),
            Response::ReadHoldingRegisters {
                values: RegisterValues::new(&sp),
            },
            1_900,
        )?;
        // Gateway: heating controllers behind it, units 1..=3 (temperatures in 0.1 °C).
        for unit in 1..=3u8 {
            let temps: Vec<u16> = (0..6)
                .map(|i| 550 + u16::from(unit) * 20 + i + rng.below(5) as u16)
                .collect();
            let bytes = registers(&temps);
            gw.exchange(
                &mut w,
                t + 160_000 + i64::from(unit) * 30_000,
                unit,
                read_holding(0, 6),
                Response::ReadHoldingRegisters {
                    values: RegisterValues::new(&bytes),
                },
                6_000,
            )?;
        }
        // The meter on port 5020, every 5 s.
        if sec % 5 == 0 {
            let energy = registers(&[(sec as u16) * 3, 17]);
            meter.exchange(
                &mut w,
                t + 300_000,
                1,
                read_holding(0, 2),
                Response::ReadHoldingRegisters {
                    values: RegisterValues::new(&energy),
                },
                2_500,
            )?;
        }
        scada.second(&mut w, sec, t)?;
        s7.second(&mut w, sec, t)?;
        enip.second(&mut w, sec, t)?;
        if sec == S7_ATTACK {
            crate::sample_s7::rogue_identify_and_stop(&mut w, t + 520_000)?;
        }
        for &(at, kind) in &attacks {
            if at == sec {
                attack(&mut w, kind, t + 500_000)?;
            }
        }
        for &(at, kind) in &SCADA_ATTACKS {
            if at == sec {
                crate::sample_scada::attack(&mut w, kind, t + 500_000)?;
            }
        }
    }
    let end = t0 + 61_000_000;
    plc1.tcp.close(&mut w, end)?;
    plc2.tcp.close(&mut w, end + 1_000)?;
    gw.tcp.close(&mut w, end + 2_000)?;
    meter.tcp.close(&mut w, end + 3_000)?;
    scada.close(&mut w, end + 4_000)?;
    s7.close(&mut w, end + 6_000)?;
    enip.close(&mut w, end + 8_000)?;
    let mut out = w.into_inner();
    out.flush()?;
    Ok(out)
}

fn attack<W: Write>(w: &mut PcapWriter<W>, kind: u8, t: i64) -> io::Result<()> {
    match kind {
        0 => device_identification(w, t),
        1 => scans(w, t),
        2 => rogue_writes(w, t),
        3 => frostygoop(w, t),
        4 => umas_stop(w, t),
        _ => http_on_502(w, t),
    }
}

fn device_identification<W: Write>(w: &mut PcapWriter<W>, t: i64) -> io::Result<()> {
    let mut c = Client::new(ROGUE, PLC1, 51_000, 502);
    c.tcp.open(w, t)?;
    let groups: [(ReadDeviceIdCode, &[u8]); 3] = [
        (ReadDeviceIdCode::Basic, &[0, 1, 2]),
        (ReadDeviceIdCode::Regular, &[3, 4, 5, 6]),
        (ReadDeviceIdCode::Extended, &[0x80]),
    ];
    let mut at = t + 2_000;
    for (code, ids) in groups {
        let mut objects = Vec::new();
        for id in ids {
            if let Some((_, v)) = PLC1_IDENTITY.iter().find(|(i, _)| i == id) {
                objects.push(*id);
                objects.push(v.len() as u8);
                objects.extend_from_slice(v.as_bytes());
            }
        }
        let first = ids.first().copied().unwrap_or(0);
        let rsp = Response::ReadDeviceIdentification(DeviceIdentification {
            code,
            conformity_level: 0x83,
            more_follows: 0,
            next_object_id: 0,
            object_count: ids.len() as u8,
            objects: DeviceObjects::new(&objects),
        });
        c.exchange(
            w,
            at,
            1,
            Request::ReadDeviceIdentification {
                code,
                object_id: first,
            },
            rsp,
            3_000,
        )?;
        at += 20_000;
    }
    let id = [0x21u8, 0xFF, b'M', b'3', b'4', b'0'];
    c.exchange(
        w,
        at,
        1,
        Request::ReportServerId,
        Response::ReportServerId { data: &id },
        2_000,
    )?;
    c.tcp.close(w, at + 50_000)
}

fn scans<W: Write>(w: &mut PcapWriter<W>, t: i64) -> io::Result<()> {
    let mut c = Client::new(ROGUE, PLC2, 51_001, 502);
    c.tcp.open(w, t)?;
    let mut at = t + 2_000;
    for i in 0..16u16 {
        let address = i * 0x1000;
        let rsp = if i == 0 {
            Response::ReadHoldingRegisters {
                values: RegisterValues::new(&[0, 1]),
            }
        } else {
            Response::Exception {
                function: FunctionCode::ReadHoldingRegisters,
                code: ExceptionCode::IllegalDataAddress,
            }
        };
        c.exchange(w, at, 1, read_holding(address, 1), rsp, 1_200)?;
        at += 15_000;
    }
    c.tcp.close(w, at)?;
    // Unit-id sweep through the gateway.
    let mut g = Client::new(ROGUE, GATEWAY, 51_002, 502);
    g.tcp.open(w, at + 10_000)?;
    at += 20_000;
    for unit in 4..=10u8 {
        let rsp = Response::Exception {
            function: FunctionCode::ReadHoldingRegisters,
            code: ExceptionCode::GatewayTargetFailedToRespond,
        };
        g.exchange(w, at, unit, read_holding(0, 1), rsp, 9_000)?;
        at += 12_000;
    }
    g.tcp.close(w, at)
}

fn rogue_writes<W: Write>(w: &mut PcapWriter<W>, t: i64) -> io::Result<()> {
    let mut c = Client::new(ROGUE, PLC1, 51_003, 502);
    c.tcp.open(w, t)?;
    let req = Request::WriteSingleRegister {
        address: Address(3),
        value: 9_999,
    };
    let rsp = Response::WriteSingleRegister {
        address: Address(3),
        value: 9_999,
    };
    c.exchange(w, t + 2_000, 1, req, rsp, 1_700)?;
    let req = Request::WriteSingleCoil {
        address: Address(2),
        value: otwire_modbus::COIL_ON,
    };
    let rsp = Response::WriteSingleCoil {
        address: Address(2),
        value: otwire_modbus::COIL_ON,
    };
    c.exchange(w, t + 30_000, 1, req, rsp, 1_600)?;
    c.tcp.close(w, t + 60_000)
}

fn frostygoop<W: Write>(w: &mut PcapWriter<W>, t: i64) -> io::Result<()> {
    let mut c = Client::new(ROGUE, GATEWAY, 51_004, 502);
    c.tcp.open(w, t)?;
    let current = registers(&[571, 572, 573, 574, 575, 576]);
    c.exchange(
        w,
        t + 2_000,
        1,
        read_holding(0, 6),
        Response::ReadHoldingRegisters {
            values: RegisterValues::new(&current),
        },
        6_000,
    )?;
    let mut at = t + 20_000;
    for round in 0..20u16 {
        // Set points driven to nonsense: 0 °C and 6553.5 °C alternately.
        let v = if round % 2 == 0 { 0u16 } else { 0xFFFF };
        let bytes = registers(&[v; 6]);
        let req = Request::WriteMultipleRegisters {
            address: Address(0),
            quantity: 6,
            values: RegisterValues::new(&bytes),
        };
        let rsp = Response::WriteMultipleRegisters {
            address: Address(0),
            quantity: 6,
        };
        c.exchange(w, at, 1, req, rsp, 5_000)?;
        at += 100_000;
    }
    c.tcp.close(w, at)
}

fn umas_stop<W: Write>(w: &mut PcapWriter<W>, t: i64) -> io::Result<()> {
    let mut c = Client::new(ROGUE, GATEWAY, 51_005, 502);
    c.tcp.open(w, t)?;
    let steps: [(UmasFunctionCode, &[u8], &[u8]); 3] = [
        (
            UmasFunctionCode::ReadPlcInfo,
            &[],
            &[0x04, 0x02, 0x00, 0x10],
        ),
        (
            UmasFunctionCode::TakePlcReservation,
            b"\x00\x00ROGUE",
            &[0x5e],
        ),
        (UmasFunctionCode::StopPlc, &[0xff, 0x00], &[]),
    ];
    let mut at = t + 2_000;
    for (i, (function, payload, answer)) in steps.into_iter().enumerate() {
        let session = if i == 2 { 0x5e } else { 0 };
        let req = Request::Umas(UmasRequest {
            session,
            function,
            payload,
        });
        let rsp = Response::Umas(UmasResponse {
            session,
            status: UmasFunctionCode::ResponseOk,
            payload: answer,
        });
        c.exchange(w, at, 0, req, rsp, 4_000)?;
        at += 25_000;
    }
    c.tcp.close(w, at)
}

fn http_on_502<W: Write>(w: &mut PcapWriter<W>, t: i64) -> io::Result<()> {
    let mut s = TcpSession::new(ROGUE, PLC2, 51_006, 502);
    s.open(w, t)?;
    s.client_send(
        w,
        t + 1_000,
        b"GET / HTTP/1.1\r\nHost: 10.10.1.22:502\r\n\r\n",
    )?;
    s.close(w, t + 5_000)
}

/// Writes a large Modbus polling capture of at least `target_bytes` bytes (for benchmarks):
/// one HMI polling `plcs` servers with FC 3 / FC 4 / FC 1 reads and occasional FC 16 writes,
/// 100 ms cycles. Returns the bytes written.
pub fn write_bulk<W: Write>(out: W, target_bytes: u64, plcs: u8) -> io::Result<u64> {
    let mut w = PcapWriter::new(out, LINKTYPE_ETHERNET)?;
    let plcs = plcs.max(1);
    let mut rng = Rng::new(42);
    let mut clients: Vec<Client> = (0..plcs)
        .map(|i| {
            Client::new(
                HMI,
                Host::new([10, 10, 2, 1 + i]),
                40_000 + u16::from(i),
                502,
            )
        })
        .collect();
    let mut t = SAMPLE_START_US;
    for c in clients.iter_mut() {
        c.tcp.open(&mut w, t)?;
        t += 1_000;
    }
    let mut cycle: u64 = 0;
    while w.bytes < target_bytes {
        for (i, c) in clients.iter_mut().enumerate() {
            let at = t + (i as i64) * 2_000;
            let q = 10 + (cycle % 4) as u16 * 10;
            let regs: Vec<u16> = (0..q).map(|_| rng.below(4_000) as u16).collect();
            let bytes = registers(&regs);
            let (req, rsp) = match cycle % 8 {
                7 => {
                    let vals = registers(regs.get(..4).unwrap_or(&regs));
                    c.tid = c.tid.wrapping_add(1);
                    let req = Request::WriteMultipleRegisters {
                        address: Address(200),
                        quantity: 4,
                        values: RegisterValues::new(&vals),
                    };
                    c.tcp.client_send(&mut w, at, &adu(c.tid, 1, req)?)?;
                    let rsp = Response::WriteMultipleRegisters {
                        address: Address(200),
                        quantity: 4,
                    };
                    c.tcp.server_send(&mut w, at + 900, &adu(c.tid, 1, rsp)?)?;
                    continue;
                }
                3 => (
                    Request::ReadInputRegisters {
                        address: Address(0),
                        quantity: q,
                    },
                    Response::ReadInputRegisters {
                        values: RegisterValues::new(&bytes),
                    },
                ),
                _ => (
                    read_holding(0, q),
                    Response::ReadHoldingRegisters {
                        values: RegisterValues::new(&bytes),
                    },
                ),
            };
            c.tid = c.tid.wrapping_add(1);
            c.tcp.client_send(&mut w, at, &adu(c.tid, 1, req)?)?;
            c.tcp.server_send(&mut w, at + 900, &adu(c.tid, 1, rsp)?)?;
        }
        cycle += 1;
        t += 100_000;
    }
    let bytes = w.bytes;
    w.into_inner().flush()?;
    Ok(bytes)
}
