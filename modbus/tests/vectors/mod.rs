//! Golden PDUs from the Modbus Application Protocol Specification V1.1b3, §6: the
//! specification's own request/response examples, one comment per field. Shared by the
//! golden, truncation and stream tests.
#![allow(dead_code, unreachable_pub)]

use otwire_modbus::{Direction, Emit, EmitError};

/// Encodes into a fresh vector through `emit` alone, so the tests also run without the
/// crate's `alloc` feature (and its `to_vec`).
pub fn try_enc<E: Emit>(e: &E) -> Result<Vec<u8>, EmitError> {
    let mut v = vec![0; e.buffer_len()];
    let n = e.emit(&mut v)?;
    assert_eq!(n, v.len(), "emit wrote a different length than buffer_len");
    Ok(v)
}

/// [`try_enc`] for messages that must encode.
pub fn enc<E: Emit>(e: &E) -> Vec<u8> {
    try_enc(e).unwrap()
}

/// One example: a name, its direction and the PDU bytes (function code first).
pub struct Vector {
    pub name: &'static str,
    pub dir: Direction,
    pub pdu: &'static [u8],
}

const REQ: Direction = Direction::Request;
const RSP: Direction = Direction::Response;

#[rustfmt::skip]
pub const VECTORS: &[Vector] = &[
    // §6.1 Read Coils 20-38.
    Vector { name: "fc1 req", dir: REQ, pdu: &[
        0x01,       // function: Read Coils
        0x00, 0x13, // starting address 19 (coil 20)
        0x00, 0x13, // quantity 19
    ]},
    Vector { name: "fc1 rsp", dir: RSP, pdu: &[
        0x01,             // function
        0x03,             // byte count 3
        0xCD, 0x6B, 0x05, // coils 27-20, 35-28, 38-36
    ]},
    // §6.2 Read Discrete Inputs 197-218.
    Vector { name: "fc2 req", dir: REQ, pdu: &[
        0x02,       // function: Read Discrete Inputs
        0x00, 0xC4, // starting address 196
        0x00, 0x16, // quantity 22
    ]},
    Vector { name: "fc2 rsp", dir: RSP, pdu: &[
        0x02,             // function
        0x03,             // byte count
        0xAC, 0xDB, 0x35, // inputs
    ]},
    // §6.3 Read Holding Registers 108-110.
    Vector { name: "fc3 req", dir: REQ, pdu: &[
        0x03,       // function: Read Holding Registers
        0x00, 0x6B, // starting address 107
        0x00, 0x03, // quantity 3
    ]},
    Vector { name: "fc3 rsp", dir: RSP, pdu: &[
        0x03,       // function
        0x06,       // byte count 6
        0x02, 0x2B, // register 108 = 555
        0x00, 0x00, // register 109 = 0
        0x00, 0x64, // register 110 = 100
    ]},
    // §6.4 Read Input Register 9.
    Vector { name: "fc4 req", dir: REQ, pdu: &[
        0x04,       // function: Read Input Registers
        0x00, 0x08, // starting address 8
        0x00, 0x01, // quantity 1
    ]},
    Vector { name: "fc4 rsp", dir: RSP, pdu: &[
        0x04,       // function
        0x02,       // byte count
        0x00, 0x0A, // register 9 = 10
    ]},
    // §6.5 Write Single Coil 173 ON; the response echoes the request.
    Vector { name: "fc5 req", dir: REQ, pdu: &[
        0x05,       // function: Write Single Coil
        0x00, 0xAC, // address 172
        0xFF, 0x00, // ON
    ]},
    Vector { name: "fc5 rsp", dir: RSP, pdu: &[0x05, 0x00, 0xAC, 0xFF, 0x00] },
    // §6.6 Write Single Register 2 = 3.
    Vector { name: "fc6 req", dir: REQ, pdu: &[
        0x06,       // function: Write Single Register
        0x00, 0x01, // address 1
        0x00, 0x03, // value 3
    ]},
    Vector { name: "fc6 rsp", dir: RSP, pdu: &[0x06, 0x00, 0x01, 0x00, 0x03] },
    // §6.7 Read Exception Status.
    Vector { name: "fc7 req", dir: REQ, pdu: &[0x07] },
    Vector { name: "fc7 rsp", dir: RSP, pdu: &[
        0x07, // function
        0x6D, // output data 0110 1101
    ]},
    // §6.8 Diagnostics, Return Query Data echoing A537.
    Vector { name: "fc8 req", dir: REQ, pdu: &[
        0x08,       // function: Diagnostics
        0x00, 0x00, // sub-function 0: Return Query Data
        0xA5, 0x37, // data
    ]},
    Vector { name: "fc8 rsp", dir: RSP, pdu: &[0x08, 0x00, 0x00, 0xA5, 0x37] },
    // §6.9 Get Comm Event Counter.
    Vector { name: "fc11 req", dir: REQ, pdu: &[0x0B] },
    Vector { name: "fc11 rsp", dir: RSP, pdu: &[
        0x0B,       // function
        0xFF, 0xFF, // status: busy
        0x01, 0x08, // event count 264
    ]},
    // §6.10 Get Comm Event Log.
    Vector { name: "fc12 req", dir: REQ, pdu: &[0x0C] },
    Vector { name: "fc12 rsp", dir: RSP, pdu: &[
        0x0C,       // function
        0x08,       // byte count
        0x00, 0x00, // status
        0x01, 0x08, // event count 264
        0x01, 0x21, // message count 289
        0x20, 0x00, // events 0 and 1
    ]},
    // §6.11 Write Multiple Coils 20-29.
    Vector { name: "fc15 req", dir: REQ, pdu: &[
        0x0F,       // function: Write Multiple Coils
        0x00, 0x13, // starting address 19
        0x00, 0x0A, // quantity 10
        0x02,       // byte count 2
        0xCD, 0x01, // outputs 27-20, 29-28
    ]},
    Vector { name: "fc15 rsp", dir: RSP, pdu: &[
        0x0F,       // function
        0x00, 0x13, // starting address
        0x00, 0x0A, // quantity
    ]},
    // §6.12 Write Multiple Registers 2-3.
    Vector { name: "fc16 req", dir: REQ, pdu: &[
        0x10,       // function: Write Multiple Registers
        0x00, 0x01, // starting address 1
        0x00, 0x02, // quantity 2
        0x04,       // byte count 4
        0x00, 0x0A, // 10
        0x01, 0x02, // 258
    ]},
    Vector { name: "fc16 rsp", dir: RSP, pdu: &[0x10, 0x00, 0x01, 0x00, 0x02] },
    // §6.13 Report Server ID (the server id and extra data are device-specific).
    Vector { name: "fc17 req", dir: REQ, pdu: &[0x11] },
    Vector { name: "fc17 rsp", dir: RSP, pdu: &[
        0x11,       // function
        0x04,       // byte count
        0x2A,       // server id (device-specific)
        0xFF,       // run indicator: ON
        0x4F, 0x4B, // additional data "OK"
    ]},
    // §6.14 Read File Record: two groups.
    Vector { name: "fc20 req", dir: REQ, pdu: &[
        0x14,       // function: Read File Record
        0x0E,       // byte count 14
        0x06,       // sub-req 1: reference type 6
        0x00, 0x04, //   file number 4
        0x00, 0x01, //   record number 1
        0x00, 0x02, //   record length 2
        0x06,       // sub-req 2: reference type 6
        0x00, 0x03, //   file number 3
        0x00, 0x09, //   record number 9
        0x00, 0x02, //   record length 2
    ]},
    Vector { name: "fc20 rsp", dir: RSP, pdu: &[
        0x14,       // function
        0x0C,       // response data length 12
        0x05,       // sub-rsp 1: file response length 5
        0x06,       //   reference type
        0x0D, 0xFE, //   record data
        0x00, 0x20,
        0x05,       // sub-rsp 2: file response length 5
        0x06,       //   reference type
        0x33, 0xCD, //   record data
        0x00, 0x40,
    ]},
    // §6.15 Write File Record; the response echoes the request.
    Vector { name: "fc21 req", dir: REQ, pdu: &[
        0x15,       // function: Write File Record
        0x0D,       // request data length 13
        0x06,       // reference type
        0x00, 0x04, // file number 4
        0x00, 0x07, // record number 7
        0x00, 0x03, // record length 3
        0x06, 0xAF, // data
        0x04, 0xBE,
        0x10, 0x0D,
    ]},
    Vector { name: "fc21 rsp", dir: RSP, pdu: &[
        0x15, 0x0D, 0x06, 0x00, 0x04, 0x00, 0x07, 0x00, 0x03, 0x06, 0xAF, 0x04, 0xBE, 0x10, 0x0D,
    ]},
    // §6.16 Mask Write Register 4 (AND 00F2, OR 0025).
    Vector { name: "fc22 req", dir: REQ, pdu: &[
        0x16,       // function: Mask Write Register
        0x00, 0x04, // reference address 4
        0x00, 0xF2, // AND mask
        0x00, 0x25, // OR mask
    ]},
    Vector { name: "fc22 rsp", dir: RSP, pdu: &[0x16, 0x00, 0x04, 0x00, 0xF2, 0x00, 0x25] },
    // §6.17 Read/Write Multiple Registers: read 4-9, write 15-17.
    Vector { name: "fc23 req", dir: REQ, pdu: &[
        0x17,       // function: Read/Write Multiple Registers
        0x00, 0x03, // read starting address 3
        0x00, 0x06, // quantity to read 6
        0x00, 0x0E, // write starting address 14
        0x00, 0x03, // quantity to write 3
        0x06,       // write byte count 6
        0x00, 0xFF, // values
        0x00, 0xFF,
        0x00, 0xFF,
    ]},
    Vector { name: "fc23 rsp", dir: RSP, pdu: &[
        0x17,       // function
        0x0C,       // byte count 12
        0x00, 0xFE, // registers read
        0x0A, 0xCD,
        0x00, 0x01,
        0x00, 0x03,
        0x00, 0x0D,
        0x00, 0xFF,
    ]},
    // §6.18 Read FIFO Queue at 1246.
    Vector { name: "fc24 req", dir: REQ, pdu: &[
        0x18,       // function: Read FIFO Queue
        0x04, 0xDE, // FIFO pointer address 1246
    ]},
    Vector { name: "fc24 rsp", dir: RSP, pdu: &[
        0x18,       // function
        0x00, 0x06, // byte count 6
        0x00, 0x02, // FIFO count 2
        0x01, 0xB8, // 440
        0x12, 0x84, // 4740
    ]},
    // §6.21 Read Device Identification, basic, from object 0.
    Vector { name: "fc43 req", dir: REQ, pdu: &[
        0x2B, // function: Encapsulated Interface Transport
        0x0E, // MEI type 14: Read Device Identification
        0x01, // Read Device ID code 1: basic
        0x00, // object id 0: VendorName
    ]},
    Vector { name: "fc43 rsp", dir: RSP, pdu: &[
        0x2B, // function
        0x0E, // MEI type 14
        0x01, // Read Device ID code 1
        0x01, // conformity level: basic, stream
        0x00, // more follows: no
        0x00, // next object id
        0x03, // number of objects
        0x00, 0x16, // object 0 VendorName, 22 bytes
        b'C', b'o', b'm', b'p', b'a', b'n', b'y', b' ', b'i', b'd', b'e', b'n', b't', b'i', b'f',
        b'i', b'c', b'a', b't', b'i', b'o', b'n',
        0x01, 0x0F, // object 1 ProductCode, 15 bytes
        b'P', b'r', b'o', b'd', b'u', b'c', b't', b' ', b'c', b'o', b'd', b'e', b' ', b'X', b'X',
        0x02, 0x05, // object 2 MajorMinorRevision, 5 bytes
        b'V', b'2', b'.', b'1', b'1',
    ]},
    // §7 exception: Read Coils with an illegal data address.
    Vector { name: "fc1 exception", dir: RSP, pdu: &[
        0x81, // function 1 with the exception bit
        0x02, // exception code 2: Illegal Data Address
    ]},
    // UMAS (FC 90): READ_ID request and an OK response (vendor-documented layout).
    Vector { name: "umas req", dir: REQ, pdu: &[
        0x5A, // function 90: UMAS
        0x00, // session key
        0x02, // UMAS function: READ_ID
    ]},
    Vector { name: "umas rsp", dir: RSP, pdu: &[
        0x5A,       // function 90
        0x00,       // session key
        0xFE,       // status: OK
        0x0E, 0x00, // payload (PLC id bytes)
    ]},
];

/// The vectors wrapped in MBAP headers as one TCP byte stream: transaction ids count up
/// from 1, unit 17.
pub fn tcp_stream() -> (Vec<u8>, usize) {
    let mut out = Vec::new();
    for (i, v) in VECTORS.iter().enumerate() {
        out.extend_from_slice(&(i as u16 + 1).to_be_bytes()); // transaction id
        out.extend_from_slice(&[0, 0]); // protocol id 0
        out.extend_from_slice(&(v.pdu.len() as u16 + 1).to_be_bytes()); // length
        out.push(17); // unit id
        out.extend_from_slice(v.pdu);
    }
    (out, VECTORS.len())
}
