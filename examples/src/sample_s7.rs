//! The S7comm part of the bundled sample capture ([`crate::sample`]), every TPKT, COTP TPDU
//! and S7comm PDU encoded with `otwire-s7`.
//!
//! The scene, beside the Modbus plant (network 10.10.1.0/24):
//! - the HMI (10.10.1.10) polls an S7-300 CPU (.25, rack 0 slot 2) on port 102: a COTP
//!   connection and setup communication at the start, then every second a read var of
//!   DB1 (eight words of boiler temperatures and pressures from DBB0);
//! - from the rogue host (10.10.1.66), after the learning period: a connection of its own,
//!   SZL reads of module identification (0x0011), component identification (0x001C) and
//!   the operating mode (0x0424), as nmap's s7-info and PLCScan do (T0888, T0868), then a
//!   PLC stop (T0858).

use std::io::{self, Write};

use otwire_s7::{
    AnyItem, Area, BitAddress, Body, ConnectRequest, Connection, CotpParams, DataItem,
    DataTransportSize, Emit, ErrorClass, Function, Header, HeaderError, ItemTransportSize, Job,
    Pdu, PlcStop, ReadVarRequest, ReadVarResponse, Response, ReturnCode, Rosctr, Setup, SzlAnswer,
    SzlId, SzlResponse, Tpdu, Tpkt, frame,
};

use crate::pcapw::{Host, PcapWriter, TcpSession};

/// The S7-300 CPU.
pub const PLC_S7: Host = Host::new([10, 10, 1, 25]);

/// The PDU size the CPU grants.
pub const PDU_SIZE: u16 = 240;

/// What the CPU says of itself in SZL 0x0011: (index, order number, Ausbg, Ausbe).
pub const MODULE_ID: [(u16, &str, [u8; 2], [u8; 2]); 3] = [
    (1, "6ES7 315-2EH14-0AB0 ", [0x00, 0x04], [0x00, 0x01]),
    (6, "6ES7 315-2EH14-0AB0 ", [b'V', 4], [0, 0]),
    (7, "                    ", [b'V', 3], [2, 6]),
];

/// What the CPU says of itself in SZL 0x001C: (index, text).
pub const COMPONENT_ID: [(u16, &str); 6] = [
    (1, "S7-300 BOILER HOUSE"),
    (2, "PLC_BOILER_2"),
    (3, "BOILER HOUSE 2"),
    (4, "Original Siemens Equipment"),
    (5, "S C-H5N316942014"),
    (7, "CPU 315-2 PN/DP"),
];

fn other(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

fn enc(e: &impl Emit) -> io::Result<Vec<u8>> {
    e.to_vec().map_err(other)
}

/// An ack-data header for the answer to `pdu_ref`, no error.
fn ack_data(pdu_ref: u16) -> Header {
    Header {
        rosctr: Rosctr::AckData,
        redundancy_id: 0,
        pdu_ref,
        param_len: 0,
        data_len: 0,
        error: Some(HeaderError {
            class: ErrorClass::NoError,
            code: 0,
        }),
    }
}

/// One S7 client connection to the CPU, with its PDU reference counter.
struct S7Client {
    tcp: TcpSession,
    pdu_ref: u16,
}

impl S7Client {
    /// TCP, COTP CR / CC (rack 0, slot 2) and setup communication, from `t`.
    fn connect<W: Write>(
        w: &mut PcapWriter<W>,
        client: Host,
        cport: u16,
        src_ref: u16,
        t: i64,
    ) -> io::Result<Self> {
        let mut c = S7Client {
            tcp: TcpSession::new(client, PLC_S7, cport, otwire_s7::PORT),
            pdu_ref: 0,
        };
        c.tcp.open(w, t)?;
        let cr = ConnectRequest::s7(src_ref, 0, 2);
        c.tcp.client_send(w, t + 1_000, &enc(&Tpkt(cr))?)?;
        // The CPU confirms with its own reference and the TPDU size and TSAPs asked for.
        let params = [
            0xC0, 0x01, 0x0A, 0xC1, 0x02, 0x01, 0x00, 0xC2, 0x02, 0x03, 0x02,
        ];
        let cc = Tpdu::ConnectionConfirm(Connection {
            dst_ref: src_ref,
            src_ref: 0x4431,
            class_option: 0,
            params: CotpParams(&params),
            user_data: &[],
        });
        c.tcp.server_send(w, t + 2_500, &enc(&Tpkt(cc))?)?;
        let r = c.next_ref();
        let setup = Setup {
            reserved: 0,
            max_amq_calling: 1,
            max_amq_called: 1,
            pdu_size: PDU_SIZE,
        };
        c.exchange(
            w,
            t + 4_000,
            &enc(&frame(Pdu::setup(r, 480)))?,
            &enc(&frame(Pdu::setup_response(r, setup)))?,
            2_000,
        )?;
        Ok(c)
    }

    fn next_ref(&mut self) -> u16 {
        self.pdu_ref = self.pdu_ref.wrapping_add(1);
        self.pdu_ref
    }

    /// A job and its answer `rtt` µs later, then the client's ACK.
    fn exchange<W: Write>(
        &mut self,
        w: &mut PcapWriter<W>,
        t: i64,
        job: &[u8],
        answer: &[u8],
        rtt: i64,
    ) -> io::Result<()> {
        self.tcp.client_send(w, t, job)?;
        self.tcp.server_send(w, t + rtt, answer)?;
        self.tcp.ack_from_client(w, t + rtt + 150)
    }

    /// An SZL read and its one-unit answer.
    fn szl<W: Write>(
        &mut self,
        w: &mut PcapWriter<W>,
        t: i64,
        id: u16,
        record_len: u16,
        records: &[u8],
    ) -> io::Result<()> {
        let r = self.next_ref();
        let seq = (r & 0xFF) as u8;
        let answer = enc(&SzlAnswer {
            id: SzlId(id),
            index: 0,
            record_len,
            record_count: u16::try_from(records.len() / usize::from(record_len.max(1)))
                .map_err(other)?,
            records,
        })?;
        let rsp = SzlResponse {
            pdu_ref: r,
            sequence: seq,
            data_unit_ref: 0,
            last_unit: 0,
            payload: &answer,
        };
        self.exchange(
            w,
            t,
            &enc(&frame(Pdu::szl_read(r, 0, id, 0)))?,
            &enc(&frame(rsp))?,
            9_000,
        )
    }

    fn close<W: Write>(&mut self, w: &mut PcapWriter<W>, t: i64) -> io::Result<()> {
        self.tcp.close(w, t)
    }
}

/// The DB1 item the HMI reads: eight words from DBB0.
const DB1_ITEM: AnyItem = AnyItem {
    transport_size: ItemTransportSize::Word,
    length: 8,
    db: 1,
    area: Area::DataBlocks,
    address: BitAddress::new(0, 0),
};

/// The HMI's S7 polling.
pub struct S7Polling {
    hmi: S7Client,
}

impl S7Polling {
    /// Connects the HMI to the CPU at `t0`.
    pub fn open<W: Write>(w: &mut PcapWriter<W>, t0: i64) -> io::Result<Self> {
        let hmi = S7Client::connect(w, crate::sample::HMI, 49_156, 0x0005, t0 + 6_000)?;
        Ok(Self { hmi })
    }

    /// The read var of second `sec`, at `t`: temperatures in 0.1 °C and pressures in mbar,
    /// repeating every six seconds.
    pub fn second<W: Write>(&mut self, w: &mut PcapWriter<W>, sec: i64, t: i64) -> io::Result<()> {
        let wobble = (sec % 6) as u16;
        let words = [
            812 + wobble,
            798 + wobble,
            655,
            660 + wobble,
            2_140 - wobble * 4,
            2_135,
            1,
            0,
        ];
        let data: Vec<u8> = words.iter().flat_map(|v| v.to_be_bytes()).collect();
        let r = self.hmi.next_ref();
        let items = [DataItem::new(
            ReturnCode::Success,
            DataTransportSize::Byte,
            &data,
        )];
        let job = enc(&frame(ReadVarRequest {
            pdu_ref: r,
            items: &[DB1_ITEM],
        }))?;
        let answer = enc(&frame(ReadVarResponse {
            pdu_ref: r,
            items: &items,
        }))?;
        self.hmi.exchange(w, t + 460_000, &job, &answer, 3_200)
    }

    /// Closes the connection at `t`.
    pub fn close<W: Write>(&mut self, w: &mut PcapWriter<W>, t: i64) -> io::Result<()> {
        self.hmi.close(w, t)
    }
}

/// Module identification records (SZL 0x0011, 28 bytes each): index, order number (20
/// bytes), module type id 0x00C0, Ausbg, Ausbe.
pub fn module_records(records: &[(u16, &str, [u8; 2], [u8; 2])]) -> Vec<u8> {
    let mut r = Vec::new();
    for (index, order, ausbg, ausbe) in records {
        r.extend_from_slice(&index.to_be_bytes());
        let mut o = order.as_bytes().to_vec();
        o.resize(20, b' ');
        r.extend_from_slice(&o);
        r.extend_from_slice(&[0x00, 0xC0]);
        r.extend_from_slice(ausbg);
        r.extend_from_slice(ausbe);
    }
    r
}

/// Component identification records (SZL 0x001C, 34 bytes each): index, then the text
/// padded with NULs to 32 bytes.
pub fn component_records(records: &[(u16, &str)]) -> Vec<u8> {
    let mut r = Vec::new();
    for (index, text) in records {
        r.extend_from_slice(&index.to_be_bytes());
        let mut t = text.as_bytes().to_vec();
        t.resize(32, 0);
        r.extend_from_slice(&t);
    }
    r
}

/// An operating mode record: mode transition event 0x4451, STOP (internal) to RUN, at
/// 2026-01-14 06:12:05.
const MODE_RECORD: [u8; 20] = [
    0x51, 0x44, 0xFF, 0x48, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x26, 0x01, 0x14, 0x06,
    0x12, 0x05, 0x00, 0x04,
];

/// The rogue host's identification of the CPU and its PLC stop, from `t`.
pub fn rogue_identify_and_stop<W: Write>(w: &mut PcapWriter<W>, t: i64) -> io::Result<()> {
    let mut c = S7Client::connect(w, crate::sample::ROGUE, 51_030, 0x0001, t)?;
    c.szl(w, t + 20_000, 0x0011, 28, &module_records(&MODULE_ID))?;
    c.szl(w, t + 40_000, 0x001C, 34, &component_records(&COMPONENT_ID))?;
    c.szl(w, t + 60_000, 0x0424, 20, &MODE_RECORD)?;
    let r = c.next_ref();
    let stop = Pdu {
        header: Header {
            rosctr: Rosctr::Job,
            error: None,
            ..ack_data(r)
        },
        body: Body::Job(Job::PlcStop(PlcStop {
            reserved: &[0; 5],
            service: b"P_PROGRAM",
        })),
    };
    let done = Pdu {
        header: ack_data(r),
        body: Body::Response(Response::Other {
            function: Function::PlcStop,
            params: &[],
            data: &[],
        }),
    };
    c.exchange(
        w,
        t + 80_000,
        &enc(&frame(stop))?,
        &enc(&frame(done))?,
        25_000,
    )?;
    c.close(w, t + 150_000)
}
