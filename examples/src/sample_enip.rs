//! The EtherNet/IP part of the bundled sample capture ([`crate::sample`]), every
//! encapsulation message, CPF and CIP message encoded with `otwire-enip`.
//!
//! The scene, beside the Modbus plant (network 10.10.1.0/24):
//! - the HMI (10.10.1.10) registers a session with a ControlLogix (.26) over TCP, opens a
//!   class 3 connection (Forward Open to the Message Router through the backplane, slot 0)
//!   and every second reads two tags in one Multiple Service Packet (connected, SendUnitData); at second 6 the operator changes a
//!   set point (during the 15 s otscan learns from by default: an operation of the HMI, not
//!   an alert): a Read Tag and a Write Tag in one Multiple Service Packet;
//! - the HMI polls a MicroLogix (.27) every five seconds with Execute PCCC (PCCC object,
//!   class 0x67): a protected typed logical read of N7:0, ten words;
//! - the ControlLogix owns a class 1 I/O connection to a POINT I/O adapter (.28): a Forward
//!   Open over TCP at the start, then every second an O->T and a T->O packet on UDP 2222;
//! - the rogue host (10.10.1.66) asks the ControlLogix who it is with a ListIdentity over
//!   UDP port 44818, as nmap's enip-info does (T0888), at second [`DISCOVERY_SECOND`].

use std::io::{self, Write};

use otwire_enip::cip::build::{forward_open, multiple_service_packet, read_tag};
use otwire_enip::cip::cm::{
    ForwardOpen, ForwardOpenReply, NetworkParams, Timeout, TransportTrigger, Triad,
};
use otwire_enip::cip::logix::{DataType, TagType, Value, write_tag_request};
use otwire_enip::cip::pccc::{self, PcccReply, PcccRequest, RequestorId};
use otwire_enip::cip::{Path, Request, Response, StatusWords};
use otwire_enip::{
    Command, CpfItems, DeviceType, Emit, Encap, Header, Identity, Item, Raw, Revision, Sockaddr,
    list_identity, register_session, send_rr_data, send_unit_data,
};

use crate::pcapw::{Host, PcapWriter, TcpSession, udp_frame};

/// The ControlLogix controller.
pub const PLC_CLX: Host = Host::new([10, 10, 1, 26]);
/// The MicroLogix controller (PCCC).
pub const PLC_ML: Host = Host::new([10, 10, 1, 27]);
/// The POINT I/O adapter.
pub const IO_ADAPTER: Host = Host::new([10, 10, 1, 28]);

/// The ControlLogix's ListIdentity answer: product name, product code, revision, serial.
pub const CLX_NAME: &str = "1756-L73/B LOGIX5573";
/// The ControlLogix's serial number.
pub const CLX_SERIAL: u32 = 0x00C0_FFEE;
/// The ControlLogix's firmware revision.
pub const CLX_REVISION: (u8, u8) = (32, 11);

/// The tags the HMI reads every second.
pub const TAGS: [&str; 2] = ["Boiler_Temp", "Boiler_Press"];
/// The set point tag the operator writes at [`SETPOINT_SECOND`].
pub const SETPOINT_TAG: &str = "Boiler_SP";
/// The second of the set point write.
pub const SETPOINT_SECOND: i64 = 6;

/// The second of the rogue host's ListIdentity.
pub const DISCOVERY_SECOND: i64 = 52;

/// The UDP port of implicit (I/O) messaging.
const IO_PORT: u16 = otwire_enip::IO_PORT;

fn other(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

fn enc(e: &impl Emit) -> io::Result<Vec<u8>> {
    e.to_vec().map_err(other)
}

/// A successful CIP reply to `service` carrying `data`.
fn ok_reply(service: u8, data: &[u8]) -> io::Result<Vec<u8>> {
    enc(&Response {
        service,
        reserved: 0,
        general_status: 0,
        additional_status: StatusWords::new(&[]),
        data,
    })
}

/// A Read Tag reply of one REAL.
fn real_reply(v: f32) -> io::Result<Vec<u8>> {
    let mut d = DataType::Real.value().to_le_bytes().to_vec();
    d.extend_from_slice(&v.to_le_bytes());
    ok_reply(0x4C, &d)
}

/// A Multiple Service Packet reply: count, offsets, the replies (Vol. 1 § ).
fn msp_reply(replies: &[Vec<u8>]) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    let n = replies.len();
    body.extend_from_slice(&u16::try_from(n).map_err(other)?.to_le_bytes());
    let mut at = 2 + 2 * n;
    for r in replies {
        body.extend_from_slice(&u16::try_from(at).map_err(other)?.to_le_bytes());
        at += r.len();
    }
    for r in replies {
        body.extend_from_slice(r);
    }
    ok_reply(0x0A, &body)
}

/// A Forward Open: the connection ids, serial, RPIs, class and path.
fn open_request(
    conn_serial: u16,
    to_id: u32,
    rpi: u32,
    transport: u8,
    path: &[u8],
) -> io::Result<Vec<u8>> {
    // Point-to-point O->T, multicast T->O for I/O; fixed size, scheduled priority.
    let (ot, to) = if transport & 0x0F == 1 {
        (0x4800 | 8, 0x2800 | 12)
    } else {
        (0x4200 | 500, 0x4200 | 500)
    };
    enc(&forward_open(ForwardOpen {
        large: false,
        timeout: Timeout {
            priority_tick: 0x0A,
            ticks: 0x0E,
        },
        ot_connection_id: 0,
        to_connection_id: to_id,
        triad: Triad {
            connection_serial: conn_serial,
            vendor: 1,
            originator_serial: 0x0042_4242,
        },
        timeout_multiplier: 1,
        reserved: [0; 3],
        ot_rpi: rpi,
        ot_params: NetworkParams {
            raw: ot,
            large: false,
        },
        to_rpi: rpi,
        to_params: NetworkParams {
            raw: to,
            large: false,
        },
        transport: TransportTrigger(transport),
        path: Path::padded(path),
    }))
}

/// The Forward Open reply: the target's O->T id, the originator's T->O id.
fn open_reply(conn_serial: u16, ot_id: u32, to_id: u32, rpi: u32) -> io::Result<Vec<u8>> {
    let reply = enc(&ForwardOpenReply {
        ot_connection_id: ot_id,
        to_connection_id: to_id,
        triad: Triad {
            connection_serial: conn_serial,
            vendor: 1,
            originator_serial: 0x0042_4242,
        },
        ot_api: rpi,
        to_api: rpi,
        reserved: 0,
        application_reply: &[],
    })?;
    ok_reply(0x54, &reply)
}

/// An encapsulation session over TCP: RegisterSession at open, SendRRData / SendUnitData.
struct Session {
    tcp: TcpSession,
    handle: u32,
}

impl Session {
    fn open<W: Write>(
        w: &mut PcapWriter<W>,
        client: Host,
        server: Host,
        cport: u16,
        handle: u32,
        t: i64,
    ) -> io::Result<Self> {
        let mut s = Session {
            tcp: TcpSession::new(client, server, cport, otwire_enip::PORT),
            handle,
        };
        s.tcp.open(w, t)?;
        let req = register_session();
        let mut rep = req;
        rep.header.session = handle;
        s.exchange(w, t + 1_000, &enc(&req)?, &enc(&rep)?, 1_200)?;
        Ok(s)
    }

    fn exchange<W: Write>(
        &mut self,
        w: &mut PcapWriter<W>,
        t: i64,
        req: &[u8],
        rep: &[u8],
        rtt: i64,
    ) -> io::Result<()> {
        self.tcp.client_send(w, t, req)?;
        self.tcp.server_send(w, t + rtt, rep)?;
        self.tcp.ack_from_client(w, t + rtt + 150)
    }

    /// An unconnected request and its reply (SendRRData both ways).
    fn unconnected<W: Write>(
        &mut self,
        w: &mut PcapWriter<W>,
        t: i64,
        req: &[u8],
        rep: &[u8],
    ) -> io::Result<()> {
        let ctx = [0x10, 0, 0, 0, 0, 0, 0, 0];
        let a = enc(&send_rr_data(self.handle, ctx, req))?;
        let b = enc(&send_rr_data(self.handle, ctx, rep))?;
        self.exchange(w, t, &a, &b, 2_400)
    }

    fn close<W: Write>(&mut self, w: &mut PcapWriter<W>, t: i64) -> io::Result<()> {
        let un = otwire_enip::unregister_session(self.handle);
        self.tcp.client_send(w, t, &enc(&un)?)?;
        self.tcp.close(w, t + 1_000)
    }
}

/// The ControlLogix's identity, as its ListIdentity reply carries it.
fn clx_identity() -> Identity<'static> {
    Identity {
        encap_version: 1,
        socket: Sockaddr::new([10, 10, 1, 26], otwire_enip::PORT),
        vendor_id: 1,
        device_type: DeviceType::from(14),
        product_code: 55,
        revision: Revision {
            major: CLX_REVISION.0,
            minor: CLX_REVISION.1,
        },
        status: 0x3060,
        serial: CLX_SERIAL,
        product_name: CLX_NAME.as_bytes(),
        state: 3,
    }
}

/// The rogue host's ListIdentity over UDP (nmap's enip-info, T0888) and the ControlLogix's
/// reply, from `t`.
fn rogue_list_identity<W: Write>(w: &mut PcapWriter<W>, t: i64) -> io::Result<()> {
    let rogue = crate::sample::ROGUE;
    let li = enc(&list_identity())?;
    w.packet(
        t,
        &udp_frame(rogue, PLC_CLX, 51_040, otwire_enip::PORT, &li),
    )?;
    let rep = enc(&Encap {
        header: Header::new(Command::ListIdentity, 0, 0),
        body: CpfItems(&[Item::ListIdentity(clx_identity())]),
    })?;
    w.packet(
        t + 1_100,
        &udp_frame(PLC_CLX, rogue, otwire_enip::PORT, 51_040, &rep),
    )
}

/// Connection ids of the HMI's class 3 connection (O->T from the PLC, T->O the HMI's).
const HMI_OT: u32 = 0x7E01_0001;
const HMI_TO: u32 = 0x0000_1B01;
/// Connection ids of the PLC's class 1 I/O connection to the adapter.
const IO_OT: u32 = 0x0601_0002;
const IO_TO: u32 = 0x0000_2C02;

/// The ENIP traffic of the sample, opened at the start and driven each second.
pub struct EnipPlant {
    hmi: Session,
    ml: Session,
    io: Session,
    seq: u16,
    pccc_tns: u16,
}

impl EnipPlant {
    /// Discovery, sessions and connections, from `t0`.
    pub fn open<W: Write>(w: &mut PcapWriter<W>, t0: i64) -> io::Result<Self> {
        let hmi_host = crate::sample::HMI;
        // The HMI's session and class 3 connection: Forward Open through the backplane
        // (port 1, slot 0) to the Message Router.
        let mut hmi = Session::open(w, hmi_host, PLC_CLX, 49_157, 0x0A00_0101, t0 + 9_000)?;
        let path = [0x01, 0x00, 0x20, 0x02, 0x24, 0x01];
        hmi.unconnected(
            w,
            t0 + 12_000,
            &open_request(0x0101, HMI_TO, 500_000, 0xA3, &path)?,
            &open_reply(0x0101, HMI_OT, HMI_TO, 500_000)?,
        )?;

        // The MicroLogix's session (unconnected PCCC).
        let ml = Session::open(w, hmi_host, PLC_ML, 49_158, 0x0B00_0202, t0 + 16_000)?;

        // The PLC's class 1 I/O connection to the adapter: assembly instances 101 (input),
        // 102 (output), configuration 103.
        let mut io = Session::open(w, PLC_CLX, IO_ADAPTER, 49_200, 0x0C00_0303, t0 + 20_000)?;
        let io_path = [0x20, 0x04, 0x24, 0x67, 0x2C, 0x66, 0x2C, 0x65];
        io.unconnected(
            w,
            t0 + 23_000,
            &open_request(0x0202, IO_TO, 1_000_000, 0x01, &io_path)?,
            &open_reply(0x0202, IO_OT, IO_TO, 1_000_000)?,
        )?;
        Ok(EnipPlant {
            hmi,
            ml,
            io,
            seq: 0,
            pccc_tns: 0,
        })
    }

    /// Second `sec` of the plant, at `t`.
    pub fn second<W: Write>(&mut self, w: &mut PcapWriter<W>, sec: i64, t: i64) -> io::Result<()> {
        let temp = 81.5 + (sec % 6) as f32 * 0.25;
        let press = 2.14 - (sec % 6) as f32 * 0.01;
        // Connected Logix reads: a Multiple Service Packet of two Read Tags.
        self.seq = self.seq.wrapping_add(1);
        let reads = [read_tag(TAGS[0], 1), read_tag(TAGS[1], 1)];
        let req = enc(&multiple_service_packet(&reads))?;
        let rep = msp_reply(&[real_reply(temp)?, real_reply(press)?])?;
        let h = self.hmi.handle;
        self.hmi.exchange(
            w,
            t + 600_000,
            &enc(&send_unit_data(h, HMI_OT, self.seq, &req))?,
            &enc(&send_unit_data(h, HMI_TO, self.seq, &rep))?,
            3_100,
        )?;
        if sec == SETPOINT_SECOND {
            self.setpoint(w, t + 650_000)?;
        }
        if sec % 5 == 0 {
            self.pccc(w, sec, t + 700_000)?;
        }
        if sec == DISCOVERY_SECOND {
            rogue_list_identity(w, t + 540_000)?;
        }
        self.io_packets(w, sec, t + 750_000)
    }

    /// A Read Tag and a Write Tag of the set point in one Multiple Service Packet.
    fn setpoint<W: Write>(&mut self, w: &mut PcapWriter<W>, t: i64) -> io::Result<()> {
        self.seq = self.seq.wrapping_add(1);
        let read = enc(&read_tag(SETPOINT_TAG, 1))?;
        let path = enc(&otwire_enip::cip::build::TagPath(SETPOINT_TAG))?;
        let mut data = [0u8; 16];
        let n = write_tag_request(
            TagType::Atomic(DataType::Real),
            &[Value::Real(72.5)],
            &mut data,
        )
        .map_err(other)?;
        let write = enc(&Request {
            service: 0x4D,
            path: Path::padded(&path),
            data: data.get(..n).unwrap_or_default(),
        })?;
        let req = enc(&multiple_service_packet(&[Raw(&read), Raw(&write)]))?;
        let rep = msp_reply(&[real_reply(70.0)?, ok_reply(0x4D, &[])?])?;
        let h = self.hmi.handle;
        self.hmi.exchange(
            w,
            t,
            &enc(&send_unit_data(h, HMI_OT, self.seq, &req))?,
            &enc(&send_unit_data(h, HMI_TO, self.seq, &rep))?,
            4_200,
        )
    }

    /// Execute PCCC: protected typed logical read with three address fields of N7:0, ten
    /// words (20 bytes).
    fn pccc<W: Write>(&mut self, w: &mut PcapWriter<W>, sec: i64, t: i64) -> io::Result<()> {
        self.pccc_tns = self.pccc_tns.wrapping_add(1);
        let requestor = RequestorId {
            vendor: 1,
            serial: 0x0042_4242,
            extra: &[],
        };
        let request = enc(&PcccRequest {
            requestor,
            command: pccc::Command::Extended,
            status: 0,
            tns: self.pccc_tns,
            function: pccc::Function::Extended(pccc::ExtendedFunction::TypedLogicalRead3),
            body: pccc::Body::TypedLogical {
                address: pccc::Address {
                    byte_size: 20,
                    file_number: 7,
                    file_type: pccc::FileType::Integer,
                    element: 0,
                    sub_element: Some(0),
                },
                data: &[],
            },
        })?;
        let words: Vec<u8> = (0..10u16)
            .flat_map(|i| (100 + i * 7 + (sec as u16 % 3)).to_le_bytes())
            .collect();
        let reply = enc(&PcccReply {
            requestor,
            command: 0x4F,
            status: pccc::Status::from(0),
            tns: self.pccc_tns,
            ext_status: None,
            data: &words,
        })?;
        // Execute PCCC (0x4B) to the PCCC object, class 0x67 instance 1.
        let req = enc(&Request {
            service: pccc::EXECUTE_PCCC,
            path: Path::padded(&[0x20, 0x67, 0x24, 0x01]),
            data: &request,
        })?;
        let rep = ok_reply(pccc::EXECUTE_PCCC, &reply)?;
        self.ml.unconnected(w, t, &req, &rep)
    }

    /// One O->T packet (32-bit run/idle header: run) and one T->O packet on UDP 2222.
    fn io_packets<W: Write>(&mut self, w: &mut PcapWriter<W>, sec: i64, t: i64) -> io::Result<()> {
        let n = u32::try_from(sec).map_err(other)? + 1;
        let count = (n & 0xFFFF) as u16;
        let mut ot = count.to_le_bytes().to_vec();
        ot.extend_from_slice(&1u32.to_le_bytes());
        ot.extend_from_slice(&[0x0F, 0x00, 0x00, 0x00]);
        let o = enc(&CpfItems(&[
            Item::SequencedAddress {
                conn_id: IO_OT,
                seq: n,
            },
            Item::ConnectedData { data: &ot },
        ]))?;
        w.packet(t, &udp_frame(PLC_CLX, IO_ADAPTER, IO_PORT, IO_PORT, &o))?;
        let mut to = count.to_le_bytes().to_vec();
        to.extend_from_slice(&[0x05 | ((sec as u8 & 1) << 1), 0x00, 0x00, 0x00, 0x80, 0x00]);
        let i = enc(&CpfItems(&[
            Item::SequencedAddress {
                conn_id: IO_TO,
                seq: n,
            },
            Item::ConnectedData { data: &to },
        ]))?;
        w.packet(
            t + 900,
            &udp_frame(IO_ADAPTER, PLC_CLX, IO_PORT, IO_PORT, &i),
        )
    }

    /// Ends the sessions at `t`.
    pub fn close<W: Write>(&mut self, w: &mut PcapWriter<W>, t: i64) -> io::Result<()> {
        self.hmi.close(w, t)?;
        self.ml.close(w, t + 2_000)?;
        self.io.close(w, t + 4_000)
    }
}
