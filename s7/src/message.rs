//! What a COTP TSDU carries on an S7 connection (the user data of a DT with EOT, or of
//! several DTs joined): S7comm (first byte 0x32), S7comm-plus (0x72), TLS records after an
//! S7comm-plus InitSsl, or another COTP user such as ISO 8327 session / MMS; and `probe`,
//! which tells S7 from other users of TPKT/COTP on port 102.

use crate::anomaly::{Anomalies, Parsed};
use crate::cotp::{Tpdu, dt_user_data};
use crate::error::Error;
use crate::header::S7COMM_PROTOCOL_ID;
use crate::pdu::Pdu;
use crate::plus::{PLUS_PROTOCOL_ID, PlusFrame};
use crate::tpkt::split_frame;
use otwire_core::Probe;

/// The protocol a TSDU's first bytes announce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum PayloadKind {
    /// S7comm (0x32).
    S7comm,
    /// S7comm-plus (0x72).
    S7commPlus,
    /// A TLS record (content type 20-24, version 3.x).
    Tls,
    /// Anything else (ISO session / MMS, empty).
    Other,
}

impl PayloadKind {
    /// The kind of a TSDU's payload, from its first bytes.
    #[inline]
    pub fn of(user_data: &[u8]) -> PayloadKind {
        match user_data {
            [S7COMM_PROTOCOL_ID, ..] => PayloadKind::S7comm,
            [PLUS_PROTOCOL_ID, ..] => PayloadKind::S7commPlus,
            [20..=24, 3, 0..=4, ..] => PayloadKind::Tls,
            _ => PayloadKind::Other,
        }
    }
}

/// A decoded TSDU payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "proto", rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Message<'a> {
    /// An S7comm PDU.
    S7comm(Pdu<'a>),
    /// An S7comm-plus frame.
    S7commPlus(PlusFrame<'a>),
    /// TLS records (S7comm-plus after InitSsl): not decoded further.
    Tls {
        /// The bytes.
        #[cfg_attr(feature = "serde", serde(skip))]
        bytes: &'a [u8],
    },
    /// Another COTP user's bytes.
    Other {
        /// The bytes.
        #[cfg_attr(feature = "serde", serde(skip))]
        bytes: &'a [u8],
    },
}

impl<'a> Message<'a> {
    /// Decodes a whole TSDU payload by its first byte. `tls` says that the connection has
    /// switched to TLS (after InitSsl): the bytes are then marked, not decoded.
    #[inline]
    pub fn parse(user_data: &'a [u8], tls: bool) -> Result<Parsed<Message<'a>>, Error> {
        if tls {
            return Ok(Parsed::new(
                Message::Tls { bytes: user_data },
                Anomalies::when(
                    PayloadKind::of(user_data) != PayloadKind::Tls,
                    Anomalies::FOREIGN_PAYLOAD,
                ),
            ));
        }
        match PayloadKind::of(user_data) {
            PayloadKind::S7comm => Pdu::parse(user_data).map(|p| p.map(Message::S7comm)),
            PayloadKind::S7commPlus => {
                PlusFrame::parse(user_data).map(|p| p.map(Message::S7commPlus))
            }
            PayloadKind::Tls => Ok(Parsed::new(
                Message::Tls { bytes: user_data },
                Anomalies::empty(),
            )),
            PayloadKind::Other => Ok(Parsed::new(
                Message::Other { bytes: user_data },
                Anomalies::FOREIGN_PAYLOAD,
            )),
        }
    }
}

/// What the first TPKTs of a stream say about the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Identified {
    /// S7comm in a DT.
    S7comm,
    /// S7comm-plus in a DT.
    S7commPlus,
    /// Only COTP so far (CR, CC, DR, DC, ER, or DTs without EOT): a COTP user, which one
    /// not yet known.
    Cotp,
    /// TPKT and COTP carrying something else (ISO session / MMS...).
    OtherCotpUser,
    /// Not TPKT/COTP.
    NotCotp,
    /// Too few bytes to tell anything.
    NeedMore,
}

/// Looks at the TPKTs at the front of `input` (one direction of a TCP stream) and says
/// which COTP user they carry: the first DT decides; CR/CC and other TPDUs are skipped.
pub fn identify(input: &[u8]) -> Identified {
    let mut rest = input;
    let mut cotp = false;
    loop {
        match split_frame(rest) {
            Ok((frame, r)) => {
                if !frame.header.is_plausible() {
                    return Identified::NotCotp;
                }
                match Tpdu::parse(frame.tpdu) {
                    Ok(t) if !t.anomalies.contains(Anomalies::COTP_UNKNOWN_TYPE) => {
                        if let Some((_, user)) = dt_user_data(frame.tpdu) {
                            match PayloadKind::of(user) {
                                PayloadKind::S7comm => return Identified::S7comm,
                                PayloadKind::S7commPlus => return Identified::S7commPlus,
                                _ if user.is_empty() => {}
                                _ => return Identified::OtherCotpUser,
                            }
                        }
                        cotp = true;
                        rest = r;
                    }
                    _ => return Identified::NotCotp,
                }
            }
            Err(Error::Incomplete(_)) => {
                // A DT's first payload byte is enough to decide.
                if let Some(tpdu) = rest.get(4..) {
                    let plausible =
                        crate::tpkt::TpktHeader::parse(rest).is_ok_and(|h| h.is_plausible());
                    if !plausible {
                        return Identified::NotCotp;
                    }
                    if let Some((_, user)) = dt_user_data(tpdu) {
                        match PayloadKind::of(user) {
                            PayloadKind::S7comm => return Identified::S7comm,
                            PayloadKind::S7commPlus => return Identified::S7commPlus,
                            _ if user.is_empty() => {}
                            _ => return Identified::OtherCotpUser,
                        }
                    }
                } else if let Ok(h) = crate::tpkt::TpktHeader::parse(rest) {
                    if !h.is_plausible() {
                        return Identified::NotCotp;
                    }
                } else if rest
                    .first()
                    .is_some_and(|&b| b != crate::tpkt::TPKT_VERSION)
                {
                    return Identified::NotCotp;
                }
                return if cotp {
                    Identified::Cotp
                } else {
                    Identified::NeedMore
                };
            }
            Err(_) => return Identified::NotCotp,
        }
    }
}

/// Whether `input` (the first bytes of one direction of a TCP stream) plausibly carries
/// S7comm or S7comm-plus: `Recognized` only once a DT shows 0x32 or 0x72; `NeedMore` while
/// only COTP connection set-up has been seen (see [`identify`] for the distinction);
/// `Unrecognized` for non-TPKT bytes and for other COTP users such as MMS.
pub fn probe(input: &[u8]) -> Probe {
    match identify(input) {
        Identified::S7comm | Identified::S7commPlus => Probe::Recognized,
        Identified::Cotp | Identified::NeedMore => Probe::NeedMore,
        Identified::OtherCotpUser | Identified::NotCotp => Probe::Unrecognized,
    }
}
