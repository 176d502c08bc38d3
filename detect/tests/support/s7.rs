//! S7comm and S7comm-plus PDUs the S7 scenario tests send, built field by field (one
//! comment per field) around the otwire-s7 golden vectors (`vectors`).

use super::vectors;

/// An SZL read request for `id`, index 0.
pub(crate) fn szl_request(id: u16) -> Vec<u8> {
    let mut b = vectors::SZL_REQ.to_vec();
    // The SZL id is the data part's first two bytes after the 4-byte data header.
    let at = b.len() - 4;
    b[at..at + 2].copy_from_slice(&id.to_be_bytes());
    b
}

/// An SZL read request for `id` and `index`.
pub(crate) fn szl_request_index(id: u16, index: u16) -> Vec<u8> {
    let mut b = szl_request(id);
    let at = b.len() - 2;
    b[at..].copy_from_slice(&index.to_be_bytes());
    b
}

/// A TPKT and a COTP DT (last unit) around `pdu`.
pub(crate) fn dt(pdu: &[u8]) -> Vec<u8> {
    let mut b = vec![0x03, 0x00]; // TPKT version 3, reserved
    b.extend_from_slice(&u16::try_from(pdu.len() + 7).unwrap().to_be_bytes()); // TPKT length
    b.extend_from_slice(&[0x02, 0xF0, 0x80]); // COTP LI 2, DT, EOT (TPDU number 0)
    b.extend_from_slice(pdu);
    b
}

/// An S7comm PDU: header of `rosctr` (PDU reference 0, set by `exchange`), an error
/// class and code for ack-data, then `params` and `data`.
pub(crate) fn s7(rosctr: u8, error: Option<u16>, params: &[u8], data: &[u8]) -> Vec<u8> {
    let mut p = vec![0x32, rosctr, 0x00, 0x00, 0x00, 0x00]; // S7comm, ROSCTR, redundancy, ref
    p.extend_from_slice(&u16::try_from(params.len()).unwrap().to_be_bytes()); // param length
    p.extend_from_slice(&u16::try_from(data.len()).unwrap().to_be_bytes()); // data length
    if let Some(e) = error {
        p.extend_from_slice(&e.to_be_bytes()); // error class, error code
    }
    p.extend_from_slice(params);
    p.extend_from_slice(data);
    dt(&p)
}

/// A job (ROSCTR 1).
pub(crate) fn job(params: &[u8], data: &[u8]) -> Vec<u8> {
    s7(0x01, None, params, data)
}

/// An ack-data without error (ROSCTR 3).
pub(crate) fn ack_data(params: &[u8], data: &[u8]) -> Vec<u8> {
    s7(0x03, Some(0), params, data)
}

/// The data part of a userdata PDU: return code 0xFF and octet string with `payload`,
/// or, empty, "no data" (0x0A, transport size 0, length 0).
pub(crate) fn userdata_data(payload: &[u8]) -> Vec<u8> {
    if payload.is_empty() {
        return vec![0x0A, 0x00, 0x00, 0x00];
    }
    let mut d = vec![0xFF, 0x09]; // success, octet string
    d.extend_from_slice(&u16::try_from(payload.len()).unwrap().to_be_bytes());
    d.extend_from_slice(payload);
    d
}

/// A userdata request (type 4) of function `group` and `sub`.
pub(crate) fn userdata_request(group: u8, sub: u8, payload: &[u8]) -> Vec<u8> {
    let params = [
        0x00,
        0x01,
        0x12,         // userdata head
        0x04,         // parameter length 4
        0x11,         // method: request
        0x40 | group, // type 4 (request), function group
        sub,          // subfunction
        0x00,         // sequence number
    ];
    s7(0x07, None, &params, &userdata_data(payload))
}

/// A userdata answer (type 8) with error code `error` (0 accepted); `payload` when it
/// was accepted.
pub(crate) fn userdata_response(group: u8, sub: u8, error: u16, payload: &[u8]) -> Vec<u8> {
    let e = error.to_be_bytes();
    let params = [
        0x00,
        0x01,
        0x12,         // userdata head
        0x08,         // parameter length 8
        0x12,         // method: response
        0x80 | group, // type 8 (response), function group
        sub,          // subfunction
        0x01,         // sequence number
        0x00,         // data unit reference 0
        0x00,         // last data unit
        e[0],
        e[1], // error code
    ];
    let payload = if error == 0 { payload } else { &[] };
    s7(0x07, None, &params, &userdata_data(payload))
}

/// A mode-transition push (type 0, group 0) announcing CPU mode `mode` (its subfunction).
pub(crate) fn mode_transition(mode: u8) -> Vec<u8> {
    let params = [
        0x00, 0x01, 0x12, // userdata head
        0x04, // parameter length 4
        0x11, // method
        0x00, // type 0 (push), group 0 (mode transition)
        mode, // subfunction: the new mode
        0x00, // sequence number
    ];
    s7(0x07, None, &params, &[])
}

/// A PI service job (0x28): `service` with the parameter block `args`.
pub(crate) fn pi_service(args: &[u8], service: &[u8]) -> Vec<u8> {
    let mut p = vec![0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFD]; // PI, 7 reserved bytes
    p.extend_from_slice(&u16::try_from(args.len()).unwrap().to_be_bytes()); // block length
    p.extend_from_slice(args); // parameter block
    p.push(u8::try_from(service.len()).unwrap()); // service name length
    p.extend_from_slice(service); // service name
    job(&p, &[])
}

/// Write var of 4 bytes of DB1 from byte `byte`.
pub(crate) fn write_db1(byte: u32) -> Vec<u8> {
    write_var(0x84, 1, byte)
}

/// Write var of 4 bytes to `area` (0x84 DB, 0x82 outputs...), DB `db`, from byte `byte`.
pub(crate) fn write_var(area: u8, db: u16, byte: u32) -> Vec<u8> {
    let bits = (byte << 3).to_be_bytes();
    let d = db.to_be_bytes();
    let params = [
        0x05, 0x01, // write var, 1 item
        0x12, 0x0A, 0x10, // variable specification, length 10, S7ANY
        0x02, 0x00, 0x04, // BYTE, 4 of them
        d[0], d[1], // DB number
        area, // area
        bits[1], bits[2], bits[3], // address (byte << 3 | bit)
    ];
    let data = [
        0x00, 0x04, 0x00, 0x20, // return code 0, BYTE/WORD/DWORD, 32 bits
        0x00, 0x00, 0x00, 0x2A, // the value
    ];
    job(&params, &data)
}

/// A block control job (0x1D start upload, 0x1E upload, 0x1F end upload): status 0,
/// reserved 0, upload `id`, then the file name when given.
pub(crate) fn block_control(function: u8, id: u32, filename: Option<&[u8]>) -> Vec<u8> {
    let mut p = vec![function, 0x00, 0x00, 0x00]; // function, status, reserved
    p.extend_from_slice(&id.to_be_bytes()); // upload id
    if let Some(f) = filename {
        p.push(u8::try_from(f.len()).unwrap()); // file name length
        p.extend_from_slice(f); // "_" type number file system
    }
    job(&p, &[])
}

/// SZL 0x0132 index 4 answer: one 40-byte protection record with program checksum `sum`.
pub(crate) fn szl_0132_4(sum: [u8; 4]) -> Vec<u8> {
    let mut rec = vec![
        0x00, 0x04, // index 4
        0x00, 0x01, // key switch protection level 1
        0x00, 0x00, // parameterised protection level 0
        0x00, 0x01, // valid protection level 1
        0x00, 0x01, // mode selector RUN
        0x00, 0x02, // startup switch WRST
        0x00, 0x00, // reserved
        0x00, 0x01, // checksum id
        0xAA, 0xBB, 0xCC, 0xDD, // hardware configuration checksums
    ];
    rec.extend_from_slice(&sum); // user program checksums
    rec.resize(40, 0); // reserved
    let mut payload = vec![
        0x01, 0x32, // SZL id 0x0132
        0x00, 0x04, // index 4
        0x00, 0x28, // 40 bytes a record
        0x00, 0x01, // 1 record
    ];
    payload.extend_from_slice(&rec);
    userdata_response(4, 1, 0, &payload)
}

/// List blocks answer: (type, count) pairs, the type in two ASCII hex digits as in block
/// names: "08" (OB) 1 block, "0A" (DB) 2 blocks.
pub(crate) const LIST_BLOCKS_ANSWER: [u8; 8] = [0x30, 0x38, 0x00, 0x01, 0x30, 0x41, 0x00, 0x02];

/// A clock value: reserved, century (BCD 20), then BCD 23-11-14 22:13:20.000, Tuesday.
pub(crate) const CLOCK: [u8; 10] = [0x00, 0x20, 0x23, 0x11, 0x14, 0x22, 0x13, 0x20, 0x00, 0x03];

/// An S7comm-plus V1 frame (no integrity part) with `data` and the trailer.
pub(crate) fn plus_frame(data: &[u8]) -> Vec<u8> {
    let mut f = vec![0x72, 0x01]; // S7comm-plus, V1
    f.extend_from_slice(&u16::try_from(data.len()).unwrap().to_be_bytes()); // data length
    f.extend_from_slice(data);
    f.extend_from_slice(&[0x72, 0x01, 0x00, 0x00]); // trailer
    dt(&f)
}

/// An S7comm-plus request: opcode 0x31, reserved, `function`, reserved, `seq`,
/// `session`, transport flags 0x34, `body`.
pub(crate) fn plus_request(function: u16, seq: u16, session: u32, body: &[u8]) -> Vec<u8> {
    let mut d = vec![0x31, 0x00, 0x00]; // request, reserved
    d.extend_from_slice(&function.to_be_bytes()); // function code
    d.extend_from_slice(&[0x00, 0x00]); // reserved
    d.extend_from_slice(&seq.to_be_bytes()); // sequence number
    d.extend_from_slice(&session.to_be_bytes()); // session id
    d.push(0x34); // transport flags
    d.extend_from_slice(body);
    plus_frame(&d)
}

/// An S7comm-plus response: opcode 0x32, reserved, `function`, reserved, `seq`, transport
/// flags 0x00, `body` (starting with the return value).
pub(crate) fn plus_response(function: u16, seq: u16, body: &[u8]) -> Vec<u8> {
    let mut d = vec![0x32, 0x00, 0x00]; // response, reserved
    d.extend_from_slice(&function.to_be_bytes()); // function code
    d.extend_from_slice(&[0x00, 0x00]); // reserved
    d.extend_from_slice(&seq.to_be_bytes()); // sequence number
    d.push(0x00); // transport flags
    d.extend_from_slice(body);
    plus_frame(&d)
}

/// CreateObject answer body: return value 0, one object id, the session id 0x380 (VLQ
/// 0x87 0x00).
pub(crate) const CREATED_SESSION: [u8; 4] = [0x00, 0x01, 0x87, 0x00];

/// GetMultiVariables body: link id 0, one item, one field, the address of a tag.
pub(crate) const GET_MULTI_BODY: [u8; 8] = [0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x82, 0x3F];

/// SetVariable of the CPU execution unit (object 52) attribute operatingStateREQ (2167,
/// VLQ 0x90 0x77), one item, value UDInt 1 (STOP).
pub(crate) const SET_CPU_STOP: [u8; 11] = [
    0x00, 0x00, 0x00, 0x34, // object id 52
    0x01, // one address
    0x90, 0x77, // attribute 2167
    0x01, // item number 1
    0x00, 0x04, 0x01, // flags, datatype UDInt, value 1
];
