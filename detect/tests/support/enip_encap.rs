//! EtherNet/IP messages the ENIP scenario tests send: the scenario world's connection
//! triads, Unconnected Send to its slot, bare encapsulation headers and a ListIdentity
//! reply (the CIP messages themselves are `support/enip.rs`').

use otwire_enip::{Command, Emit, Header, Pdu};

use super::cip;

/// Unconnected Send of `inner` to backplane slot 0 (the PLC's CPU).
pub(crate) fn unconnected_send(inner: &[u8]) -> Vec<u8> {
    cip::unconnected_send(inner, 0)
}

/// Forward Open with `t`'s triad.
pub(crate) fn forward_open(t: Triad, to_id: u32, rpi_us: u32, transport: u8) -> Vec<u8> {
    cip::forward_open(&t.bytes(), to_id, rpi_us, transport)
}

/// A successful Forward Open reply for `t`.
pub(crate) fn forward_open_reply(t: Triad, ot: u32, to: u32, api_us: u32) -> Vec<u8> {
    cip::forward_open_reply(&t.bytes(), ot, to, api_us)
}

/// The connection triad of a Forward Open / Forward Close.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Triad {
    pub(crate) serial: u16,
    pub(crate) vendor: u16,
    pub(crate) originator: u32,
}

impl Triad {
    pub(crate) fn bytes(&self) -> Vec<u8> {
        cip::triad(self.serial, self.vendor, self.originator)
    }
}

/// An encapsulation header alone (List* requests, RegisterSession), with `context`.
pub(crate) fn encap(command: Command, session: u32, context: [u8; 8], data: &[u8]) -> Vec<u8> {
    let mut h = Header::new(command, data.len() as u16, session);
    h.context = context;
    let mut b = Pdu {
        header: h,
        body: otwire_enip::Body::Raw(data),
    }
    .to_vec()
    .unwrap();
    b.truncate(24);
    b.extend(data);
    b
}

/// RegisterSession data: protocol version 1, options 0.
pub(crate) const REGISTER: [u8; 4] = [1, 0, 0, 0];

/// A ListIdentity reply of a 1756-L61 (otwire-enip's vector, as the PLC would answer).
pub(crate) fn list_identity_reply(context: [u8; 8]) -> Vec<u8> {
    let mut b = hex(
        "63003300000000000000000000000000c1debed10000000001000c002d0001000002af120a0101a4000000000000000001000c003a00040330008e4d52000b313735362d454e42542f4103",
    );
    b[12..20].copy_from_slice(&context);
    b
}

/// The bytes of a hex string.
pub(crate) fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}
