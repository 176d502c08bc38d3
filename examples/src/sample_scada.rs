//! The DNP3 and IEC 104 part of the bundled sample capture ([`crate::sample`]), every
//! message encoded with `otwire-dnp3` and `otwire-iec104`.
//!
//! The scene, beside the Modbus plant (network 10.10.1.0/24):
//! - a SCADA front end (10.10.1.12) polls an RTU (.31) over DNP3 on port 20000 (master link
//!   address 1, outstation 10): an integrity poll every 2 s answered with four analog
//!   inputs (g30v1);
//! - the same front end supervises a substation RTU (.32) over IEC 104 on port 2404
//!   (common address 7): STARTDT and a general interrogation at the start, a spontaneous
//!   short float (M_ME_NC_1, IOA 1001) every second acknowledged by S frames, TESTFR every
//!   20 s;
//! - from the rogue host (10.10.1.66), after the learning period: DNP3 Disable Unsolicited
//!   (T0804) and Cold Restart (T0816) to the RTU, an IEC 104 general interrogation of
//!   every station (common address 0xFFFF, T0888) and a single command executed without a
//!   select (T0855 context).

use std::io::{self, Write};

use otwire_dnp3::{
    Address, AppControl, FragmentWriter, FunctionCode, Iin, LinkControl, LinkHeader, MasterRequest,
    PrimaryFunction, Request as Dnp3Request, TransportFrames,
};
use otwire_iec104::builders::{self, Request as IecRequest};
use otwire_iec104::{Cause, CommonAddress, Element, Emit, Ioa, Qds, Qoi, SeqNum, TypeId};

use crate::pcapw::{Host, PcapWriter, TcpSession};

/// The SCADA front end.
pub const SCADA: Host = Host::new([10, 10, 1, 12]);
/// The DNP3 RTU.
pub const RTU1: Host = Host::new([10, 10, 1, 31]);
/// The IEC 104 RTU.
pub const RTU2: Host = Host::new([10, 10, 1, 32]);

/// The DNP3 master's link address and the outstation's.
const MASTER: u16 = 1;
const OUTSTATION: u16 = 10;
/// The IEC 104 RTU's common address.
const CA: u16 = 7;

fn other(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

/// Link frames carrying one application fragment, sent by the master (`dir`) or the
/// outstation.
fn dnp3_frames(master: bool, dst: u16, src: u16, tseq: u8, fragment: &[u8]) -> io::Result<Vec<u8>> {
    TransportFrames {
        header: LinkHeader {
            control: LinkControl::primary(master, PrimaryFunction::UnconfirmedUserData, false),
            destination: Address(dst),
            source: Address(src),
        },
        first_seq: tseq,
        fragment,
    }
    .to_vec()
    .map_err(other)
}

/// A DNP3 master on one connection, with its application and transport sequence numbers.
pub struct Dnp3Master {
    tcp: TcpSession,
    master: u16,
    seq: u8,
    tseq: [u8; 2],
}

impl Dnp3Master {
    /// A connection from `client` to an outstation at `server`:20000.
    pub fn new(client: Host, server: Host, cport: u16, master: u16) -> Self {
        Self {
            tcp: TcpSession::new(client, server, cport, 20_000),
            master,
            seq: 0,
            tseq: [0, 0],
        }
    }

    /// Opens the connection.
    pub fn open<W: Write>(&mut self, w: &mut PcapWriter<W>, t: i64) -> io::Result<()> {
        self.tcp.open(w, t)
    }

    /// Closes it.
    pub fn close<W: Write>(&mut self, w: &mut PcapWriter<W>, t: i64) -> io::Result<()> {
        self.tcp.close(w, t)
    }

    /// Sends `kind`; with `answer`, the outstation answers `rtt` µs later with those
    /// objects (a Response with no IIN bit set).
    pub fn request<W: Write>(
        &mut self,
        w: &mut PcapWriter<W>,
        t: i64,
        kind: MasterRequest,
        answer: Option<&[u8]>,
        rtt: i64,
    ) -> io::Result<()> {
        let seq = self.seq;
        self.seq = (seq + 1) % 16;
        let fragment = Dnp3Request { seq, kind }.to_vec().map_err(other)?;
        let bytes = dnp3_frames(true, OUTSTATION, self.master, self.tseq[0], &fragment)?;
        self.tseq[0] = (self.tseq[0] + 1) % 64;
        self.tcp.client_send(w, t, &bytes)?;
        let Some(objects) = answer else {
            return Ok(());
        };
        let mut buf = [0u8; 256];
        let control = AppControl {
            fir: true,
            fin: true,
            con: false,
            uns: false,
            seq,
        };
        let mut fw =
            FragmentWriter::response(&mut buf, control, FunctionCode::Response, Iin::empty())
                .map_err(other)?;
        fw.bytes(objects).map_err(other)?;
        let n = fw.finish();
        let rsp = dnp3_frames(
            false,
            self.master,
            OUTSTATION,
            self.tseq[1],
            buf.get(..n).unwrap_or_default(),
        )?;
        self.tseq[1] = (self.tseq[1] + 1) % 64;
        self.tcp.server_send(w, t + rtt, &rsp)?;
        self.tcp.ack_from_client(w, t + rtt + 150)
    }
}

/// Four analog inputs (g30v1: flags, 32-bit value) from index 0, ranging with `sec`.
fn analogs(sec: i64) -> Vec<u8> {
    let mut b = vec![30, 1, 0x00, 0, 3];
    for i in 0..4i32 {
        let v = 2_300 + i * 100 + (sec as i32 % 7) * 3;
        b.push(0x01);
        b.extend_from_slice(&v.to_le_bytes());
    }
    b
}

/// An IEC 104 connection: the controlling station's and the controlled station's N(S).
pub struct Iec104Link {
    tcp: TcpSession,
    /// Next N(S) of the controlling station (client).
    pub tx: u16,
    /// Next N(S) of the controlled station (server).
    pub rx: u16,
    unacked: u16,
}

impl Iec104Link {
    /// A connection from `client` to `server`:2404.
    pub fn new(client: Host, server: Host, cport: u16) -> Self {
        Self {
            tcp: TcpSession::new(client, server, cport, 2404),
            tx: 0,
            rx: 0,
            unacked: 0,
        }
    }

    /// Opens the connection and starts data transfer.
    pub fn start<W: Write>(&mut self, w: &mut PcapWriter<W>, t: i64) -> io::Result<()> {
        self.tcp.open(w, t)?;
        let act = builders::startdt_act().to_vec().map_err(other)?;
        self.tcp.client_send(w, t + 1_000, &act)?;
        let con = builders::startdt_con().to_vec().map_err(other)?;
        self.tcp.server_send(w, t + 3_000, &con)
    }

    /// An I frame from the controlling station.
    pub fn command<W: Write>(
        &mut self,
        w: &mut PcapWriter<W>,
        t: i64,
        r: &IecRequest,
    ) -> io::Result<()> {
        let b = r
            .i_frame(SeqNum::new(self.tx), SeqNum::new(self.rx))
            .to_vec()
            .map_err(other)?;
        self.tx = (self.tx + 1) % 32_768;
        self.tcp.client_send(w, t, &b)
    }

    /// An I frame from the controlled station; every fourth is acknowledged by an S frame.
    pub fn report<W: Write>(
        &mut self,
        w: &mut PcapWriter<W>,
        t: i64,
        r: &IecRequest,
    ) -> io::Result<()> {
        let b = r
            .i_frame(SeqNum::new(self.rx), SeqNum::new(self.tx))
            .to_vec()
            .map_err(other)?;
        self.rx = (self.rx + 1) % 32_768;
        self.tcp.server_send(w, t, &b)?;
        self.unacked += 1;
        if self.unacked >= 4 {
            self.unacked = 0;
            let s = builders::s_frame(SeqNum::new(self.rx))
                .to_vec()
                .map_err(other)?;
            self.tcp.client_send(w, t + 2_000, &s)?;
        }
        Ok(())
    }

    /// TESTFR act and con.
    pub fn test<W: Write>(&mut self, w: &mut PcapWriter<W>, t: i64) -> io::Result<()> {
        let act = builders::testfr_act().to_vec().map_err(other)?;
        self.tcp.client_send(w, t, &act)?;
        let con = builders::testfr_con().to_vec().map_err(other)?;
        self.tcp.server_send(w, t + 2_000, &con)
    }

    /// Closes the connection.
    pub fn close<W: Write>(&mut self, w: &mut PcapWriter<W>, t: i64) -> io::Result<()> {
        self.tcp.close(w, t)
    }
}

/// A spontaneous measurement of IOA 1001.
fn measurement(sec: i64) -> IecRequest {
    IecRequest::new(
        TypeId::MeasuredFloat,
        CommonAddress(CA),
        Ioa(1001),
        Element::Float {
            value: 49.9 + (sec % 5) as f32 * 0.05,
            qds: Qds(0),
            time: None,
        },
    )
    .with_cause(Cause::Spontaneous)
}

/// The SCADA part of the scene: connections opened at `t0`, one step per second.
pub struct Scada {
    dnp3: Dnp3Master,
    iec: Iec104Link,
}

impl Scada {
    /// Opens the front end's connections and runs the general interrogation.
    pub fn open<W: Write>(w: &mut PcapWriter<W>, t0: i64) -> io::Result<Self> {
        let mut dnp3 = Dnp3Master::new(SCADA, RTU1, 49_160, MASTER);
        dnp3.open(w, t0 + 4_000)?;
        let mut iec = Iec104Link::new(SCADA, RTU2, 49_161);
        iec.start(w, t0 + 5_000)?;
        let gi = IecRequest::interrogation(CommonAddress(CA), Qoi::STATION);
        iec.command(w, t0 + 9_000, &gi)?;
        iec.report(w, t0 + 9_500, &gi.with_cause(Cause::ActivationCon))?;
        let point = measurement(0).with_cause(Cause::InterrogatedStation);
        iec.report(w, t0 + 9_600, &point)?;
        iec.report(w, t0 + 9_700, &gi.with_cause(Cause::ActivationTermination))?;
        Ok(Self { dnp3, iec })
    }

    /// The polling of second `sec`, at `t`.
    pub fn second<W: Write>(&mut self, w: &mut PcapWriter<W>, sec: i64, t: i64) -> io::Result<()> {
        if sec % 2 == 0 {
            let objects = analogs(sec);
            self.dnp3.request(
                w,
                t + 350_000,
                MasterRequest::IntegrityPoll,
                Some(&objects),
                4_000,
            )?;
        }
        self.iec.report(w, t + 420_000, &measurement(sec))?;
        if sec % 20 == 10 {
            self.iec.test(w, t + 440_000)?;
        }
        Ok(())
    }

    /// Closes the connections at `t`.
    pub fn close<W: Write>(&mut self, w: &mut PcapWriter<W>, t: i64) -> io::Result<()> {
        self.dnp3.close(w, t)?;
        self.iec.close(w, t + 1_000)
    }
}

/// The rogue host's DNP3 and IEC 104 attacks, by kind, at `t`.
pub fn attack<W: Write>(w: &mut PcapWriter<W>, kind: u8, t: i64) -> io::Result<()> {
    let rogue = crate::sample::ROGUE;
    match kind {
        0 => {
            let mut m = Dnp3Master::new(rogue, RTU1, 51_020, MASTER);
            m.open(w, t)?;
            let off = MasterRequest::DisableUnsolicited {
                class1: true,
                class2: true,
                class3: true,
            };
            m.request(w, t + 2_000, off, Some(&[]), 3_000)?;
            m.close(w, t + 20_000)
        }
        1 => {
            let mut m = Dnp3Master::new(rogue, RTU1, 51_021, MASTER);
            m.open(w, t)?;
            m.request(
                w,
                t + 2_000,
                MasterRequest::ColdRestart,
                Some(&[52, 2, 0x07, 1, 0x10, 0x27]),
                3_000,
            )?;
            m.close(w, t + 20_000)
        }
        2 => {
            let mut l = Iec104Link::new(rogue, RTU2, 51_022);
            l.start(w, t)?;
            let gi = IecRequest::interrogation(CommonAddress(0xFFFF), Qoi::STATION);
            l.command(w, t + 5_000, &gi)?;
            l.close(w, t + 30_000)
        }
        _ => {
            let mut l = Iec104Link::new(rogue, RTU2, 51_023);
            l.start(w, t)?;
            let cmd = IecRequest::single_command(CommonAddress(CA), Ioa(2001), true, false, None)
                .with_cause(Cause::Activation);
            l.command(w, t + 5_000, &cmd)?;
            l.close(w, t + 30_000)
        }
    }
}
