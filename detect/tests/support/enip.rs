//! CIP message bytes for the EtherNet/IP tests, written out field by field (Vol. 1 §2-4
//! request and reply headers, App. C paths, §3-5.5 Connection Manager services, §
//! Multiple Service Packet; 1756-PM020 Logix tag services).

#![allow(dead_code, unreachable_pub, clippy::indexing_slicing)]

/// A CIP request: service, path size in words, padded path, data.
pub fn request(service: u8, path: &[u8], data: &[u8]) -> Vec<u8> {
    assert_eq!(path.len() % 2, 0, "a padded path is whole words");
    let mut b = vec![service, (path.len() / 2) as u8];
    b.extend(path);
    b.extend(data);
    b
}

/// A CIP reply: service | 0x80, reserved 0, general status, additional status size and
/// words, data.
pub fn reply(service: u8, status: u8, ext: &[u16], data: &[u8]) -> Vec<u8> {
    let mut b = vec![service | 0x80, 0, status, ext.len() as u8];
    for w in ext {
        b.extend(w.to_le_bytes());
    }
    b.extend(data);
    b
}

/// 8-bit logical segments: class 0x20, instance 0x24, attribute 0x30.
pub fn epath(class: u8, instance: u8, attribute: Option<u8>) -> Vec<u8> {
    let mut p = vec![0x20, class, 0x24, instance];
    if let Some(a) = attribute {
        p.extend([0x30, a]);
    }
    p
}

/// An ANSI extended symbol segment (0x91, length, name, pad to even).
pub fn tag(name: &str) -> Vec<u8> {
    let mut p = vec![0x91, name.len() as u8];
    p.extend(name.as_bytes());
    if name.len() % 2 == 1 {
        p.push(0);
    }
    p
}

/// The Connection Manager's path (class 6, instance 1).
pub const CM: [u8; 4] = [0x20, 0x06, 0x24, 0x01];
/// The Message Router's path (class 2, instance 1).
pub const MR: [u8; 4] = [0x20, 0x02, 0x24, 0x01];

/// Logix Read Tag (0x4C) of one element.
pub fn read_tag(name: &str) -> Vec<u8> {
    request(0x4C, &tag(name), &1u16.to_le_bytes())
}

/// Logix Write Tag (0x4D) of one DINT: type 0x00C4, 1 element, the value.
pub fn write_tag(name: &str, v: i32) -> Vec<u8> {
    let mut d = vec![0xC4, 0x00, 0x01, 0x00];
    d.extend(v.to_le_bytes());
    request(0x4D, &tag(name), &d)
}

/// A Read Tag reply of one DINT: type 0x00C4, the value.
pub fn read_tag_reply(v: i32) -> Vec<u8> {
    let mut d = vec![0xC4, 0x00];
    d.extend(v.to_le_bytes());
    reply(0x4C, 0, &[], &d)
}

/// Unconnected Send (0x52 to the Connection Manager) of `inner` to backplane port 1,
/// `slot`: priority/tick 0x0A, 2 ticks, message size, message, pad, route size 1 word,
/// reserved, port segment 0x01 then the slot.
pub fn unconnected_send(inner: &[u8], slot: u8) -> Vec<u8> {
    let mut d = vec![0x0A, 0x02];
    d.extend((inner.len() as u16).to_le_bytes());
    d.extend(inner);
    if inner.len() % 2 == 1 {
        d.push(0);
    }
    d.extend([0x01, 0x00, 0x01, slot]);
    request(0x52, &CM, &d)
}

/// A Multiple Service Packet body: count, offsets from the count, the messages.
fn msp_body(parts: &[Vec<u8>]) -> Vec<u8> {
    let n = parts.len();
    let mut d = (n as u16).to_le_bytes().to_vec();
    let mut off = 2 + 2 * n;
    for r in parts {
        d.extend((off as u16).to_le_bytes());
        off += r.len();
    }
    for r in parts {
        d.extend(r);
    }
    d
}

/// A Multiple Service Packet request (0x0A to the Message Router).
pub fn msp(requests: &[Vec<u8>]) -> Vec<u8> {
    request(0x0A, &MR, &msp_body(requests))
}

/// A Multiple Service Packet reply.
pub fn msp_reply(replies: &[Vec<u8>]) -> Vec<u8> {
    reply(0x0A, 0, &[], &msp_body(replies))
}

/// A connection triad: connection serial, originator vendor, originator serial.
pub fn triad(serial: u16, vendor: u16, originator: u32) -> Vec<u8> {
    let mut b = serial.to_le_bytes().to_vec();
    b.extend(vendor.to_le_bytes());
    b.extend(originator.to_le_bytes());
    b
}

/// Forward Open (0x54): tick 0x0A, 0x0E ticks, O->T id 0 (the target picks), T->O id
/// `to_id`, the triad, timeout multiplier 1, 3 reserved bytes, O->T RPI and parameters,
/// T->O RPI and parameters (0x4820: point to point, scheduled, fixed, 32 bytes), the
/// transport class and trigger, a path to the Message Router (class 3) or to the assembly
/// connection points 0x65 / 0x64 (class 0/1).
pub fn forward_open(triad: &[u8], to_id: u32, rpi_us: u32, transport: u8) -> Vec<u8> {
    let mut d = vec![0x0A, 0x0E];
    d.extend(0u32.to_le_bytes());
    d.extend(to_id.to_le_bytes());
    d.extend(triad);
    d.extend([0x01, 0, 0, 0]);
    d.extend(rpi_us.to_le_bytes());
    d.extend(0x4820u16.to_le_bytes());
    d.extend(rpi_us.to_le_bytes());
    d.extend(0x4820u16.to_le_bytes());
    d.push(transport);
    let path: &[u8] = if transport & 0x0F == 3 {
        &MR
    } else {
        &[0x20, 0x04, 0x24, 0x01, 0x2C, 0x65, 0x2C, 0x64]
    };
    d.push((path.len() / 2) as u8);
    d.extend(path);
    request(0x54, &CM, &d)
}

/// A successful Forward Open reply: O->T id, T->O id, the triad, O->T and T->O actual
/// intervals, application reply size 0, reserved 0.
pub fn forward_open_reply(triad: &[u8], ot: u32, to: u32, api_us: u32) -> Vec<u8> {
    let mut d = ot.to_le_bytes().to_vec();
    d.extend(to.to_le_bytes());
    d.extend(triad);
    d.extend(api_us.to_le_bytes());
    d.extend(api_us.to_le_bytes());
    d.extend([0, 0]);
    reply(0x54, 0, &[], &d)
}

/// A refused Forward Open: general status 0x01, extended status `ext`, the triad,
/// remaining path size 0, reserved.
pub fn forward_open_refused(triad: &[u8], ext: u16) -> Vec<u8> {
    let mut d = triad.to_vec();
    d.extend([0, 0]);
    reply(0x54, 0x01, &[ext], &d)
}

/// Forward Close (0x4E): tick, ticks, the triad, path size, reserved, the path to the
/// assembly connection points.
pub fn forward_close(triad: &[u8]) -> Vec<u8> {
    let mut d = vec![0x0A, 0x0E];
    d.extend(triad);
    let path = [0x20, 0x04, 0x24, 0x01, 0x2C, 0x65, 0x2C, 0x64];
    d.extend([(path.len() / 2) as u8, 0]);
    d.extend(path);
    request(0x4E, &CM, &d)
}

/// A successful Forward Close reply: the triad, application reply size 0, reserved.
pub fn forward_close_reply(triad: &[u8]) -> Vec<u8> {
    let mut d = triad.to_vec();
    d.extend([0, 0]);
    reply(0x4E, 0, &[], &d)
}

/// Execute PCCC (0x4B to class 0x67 instance 1): requestor id (length 7, vendor 1,
/// serial 0x12345678), CMD 0x0F, STS 0, TNS 0x1234, FNC, data.
pub fn pccc(fnc: u8, data: &[u8]) -> Vec<u8> {
    let mut d = vec![0x07, 0x01, 0x00, 0x78, 0x56, 0x34, 0x12];
    d.extend([0x0F, 0x00, 0x34, 0x12, fnc]);
    d.extend(data);
    request(0x4B, &[0x20, 0x67, 0x24, 0x01], &d)
}

/// An Execute PCCC reply: requestor id, CMD 0x4F (the reply bit), STS 0, TNS 0x1234.
pub fn pccc_reply() -> Vec<u8> {
    reply(
        0x4B,
        0,
        &[],
        &[
            0x07, 0x01, 0x00, 0x78, 0x56, 0x34, 0x12, 0x4F, 0x00, 0x34, 0x12,
        ],
    )
}

/// A class 1 I/O packet: a CPF of 2 items, a sequenced address item (0x8002: connection
/// id, 32-bit sequence number) and a connected data item (0x00B1: 16-bit sequence count,
/// 4 bytes of data).
pub fn io_packet(conn: u32, seq: u32, data: u32) -> Vec<u8> {
    let mut b = 2u16.to_le_bytes().to_vec();
    b.extend(0x8002u16.to_le_bytes());
    b.extend(8u16.to_le_bytes());
    b.extend(conn.to_le_bytes());
    b.extend(seq.to_le_bytes());
    b.extend(0x00B1u16.to_le_bytes());
    b.extend(6u16.to_le_bytes());
    b.extend((seq as u16).to_le_bytes());
    b.extend(data.to_le_bytes());
    b
}
