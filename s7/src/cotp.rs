//! COTP, the ISO 8073 / X.224 connection-oriented transport protocol in class 0 as ISO-on-TCP
//! uses it (RFC 1006 §5): TPDU structure (§13.2), CR/CC with their variable-part
//! parameters (§13.3, §13.4), DR/DC (§13.5, §13.6), DT with the end-of-TSDU mark (§13.7)
//! and ER (§13.12).

use crate::anomaly::{Anomalies, Parsed};
use crate::codes::{CotpParameterCode, TpduCode};
use crate::error::{EmitError, Error, Layer};
use crate::read::Cursor;
use otwire_core::{Emit, Sink, emit_via_encode};

/// Bytes of a class 0 DT header: length indicator, code, TPDU-NR/EOT.
pub const DT_HEADER_LEN: usize = 3;

/// A COTP TPDU, keyed by its code (ISO 8073 §13). Variable parts and user data stay
/// borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "kind", rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Tpdu<'a> {
    /// CR: connection request (§13.3).
    ConnectionRequest(Connection<'a>),
    /// CC: connection confirm (§13.4).
    ConnectionConfirm(Connection<'a>),
    /// DR: disconnect request (§13.5).
    DisconnectRequest {
        /// Destination reference.
        dst_ref: u16,
        /// Source reference.
        src_ref: u16,
        /// Reason (§13.5.3 e).
        reason: u8,
        /// Variable part.
        params: CotpParams<'a>,
        /// User data.
        user_data: &'a [u8],
    },
    /// DC: disconnect confirm (§13.6).
    DisconnectConfirm {
        /// Destination reference.
        dst_ref: u16,
        /// Source reference.
        src_ref: u16,
        /// Variable part.
        params: CotpParams<'a>,
    },
    /// DT: data (§13.7).
    Data(Data<'a>),
    /// ER: TPDU error (§13.12).
    Error {
        /// Destination reference.
        dst_ref: u16,
        /// Reject cause (§13.12.3 e).
        cause: u8,
        /// Variable part (the invalid TPDU, parameter 0xC1/0xC8).
        params: CotpParams<'a>,
    },
    /// Any other TPDU (ED, AK, EA, RJ, unknown codes), kept raw.
    Other {
        /// The code byte as sent.
        code: TpduCode,
        /// The header after the code byte.
        header: &'a [u8],
        /// What follows the header.
        user_data: &'a [u8],
    },
}

/// A CR or CC: references, class and options, and the parameters (§13.3, §13.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Connection<'a> {
    /// Destination reference (0 in a CR).
    pub dst_ref: u16,
    /// Source reference.
    pub src_ref: u16,
    /// Class (high nibble) and options (low nibble): 0 for class 0.
    pub class_option: u8,
    /// The variable part.
    pub params: CotpParams<'a>,
    /// User data after the header (none in class 0).
    pub user_data: &'a [u8],
}

impl<'a> Connection<'a> {
    /// The protocol class (0-4).
    pub fn class(&self) -> u8 {
        self.class_option >> 4
    }

    /// The TPDU size in bytes (parameter 0xC0, 2^value), if present.
    pub fn tpdu_size(&self) -> Option<usize> {
        let v = *self.params.get(CotpParameterCode::TpduSize)?.first()?;
        1usize.checked_shl(u32::from(v))
    }

    /// The calling (source) TSAP, parameter 0xC1.
    pub fn src_tsap(&self) -> Option<&'a [u8]> {
        self.params.get(CotpParameterCode::CallingTsap)
    }

    /// The called (destination) TSAP, parameter 0xC2.
    pub fn dst_tsap(&self) -> Option<&'a [u8]> {
        self.params.get(CotpParameterCode::CalledTsap)
    }

    /// The rack and slot an S7 TSAP of two bytes addresses (second byte: rack × 32 +
    /// slot), with the connection type of the first byte (1 PG, 2 OP, 3 S7 basic...).
    pub fn s7_rack_slot(tsap: &[u8]) -> Option<(u8, u8, u8)> {
        match *tsap {
            [kind, rs] => Some((kind, rs >> 5, rs & 0x1F)),
            _ => None,
        }
    }
}

/// A DT TPDU: the end-of-TSDU mark, the TPDU number, the user data (§13.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Data<'a> {
    /// EOT: this TPDU ends the TSDU (the S7 PDU is complete).
    pub eot: bool,
    /// TPDU number (7 bits; 0 in class 0).
    pub tpdu_number: u8,
    /// The user data: an S7comm / S7comm-plus PDU or a segment of one.
    pub user_data: &'a [u8],
}

/// The variable part of a TPDU header: parameters of code, length and value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct CotpParams<'a>(pub &'a [u8]);

/// One variable-part parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CotpParam<'a> {
    /// Parameter code.
    pub code: CotpParameterCode,
    /// Value bytes.
    pub value: &'a [u8],
}

impl<'a> CotpParams<'a> {
    /// The parameters, in order; a parameter whose value would run past the end stops the
    /// iteration (flagged `COTP_PARAMETER` at parse time).
    pub fn iter(&self) -> CotpParamIter<'a> {
        CotpParamIter(self.0)
    }

    /// The value of the first parameter with this code.
    pub fn get(&self, code: CotpParameterCode) -> Option<&'a [u8]> {
        self.iter().find(|p| p.code == code).map(|p| p.value)
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.0
    }

    fn anomalies(&self) -> Anomalies {
        let mut rest = self.0;
        let mut a = Anomalies::empty();
        while let [code, len, tail @ ..] = rest {
            let Some((value, r)) = tail.split_at_checked(usize::from(*len)) else {
                return Anomalies::COTP_PARAMETER;
            };
            if *code == 0xC0 {
                a |= Anomalies::when(!matches!(value, [0x07..=0x0D]), Anomalies::COTP_PARAMETER);
            }
            rest = r;
        }
        a | Anomalies::when(!rest.is_empty(), Anomalies::COTP_PARAMETER)
    }
}

/// Iterator over [`CotpParams`].
#[derive(Debug, Clone, Copy)]
pub struct CotpParamIter<'a>(&'a [u8]);

impl<'a> Iterator for CotpParamIter<'a> {
    type Item = CotpParam<'a>;
    fn next(&mut self) -> Option<CotpParam<'a>> {
        let (&[code, len], rest) = self.0.split_first_chunk::<2>()?;
        let Some((value, rest)) = rest.split_at_checked(usize::from(len)) else {
            self.0 = &[];
            return None;
        };
        self.0 = rest;
        Some(CotpParam {
            code: code.into(),
            value,
        })
    }
}

impl<'a> Tpdu<'a> {
    /// Decodes a TPDU (the payload of one TPKT).
    ///
    /// A header that does not hold its fixed part is `Malformed`; a length indicator that
    /// runs past the TPDU, or parameters that do not fit, are flagged and decoded as far
    /// as they go.
    #[inline]
    pub fn parse(tpdu: &'a [u8]) -> Result<Parsed<Tpdu<'a>>, Error> {
        // The hot case: a class 0 DT.
        if let [2, code, nr, user_data @ ..] = tpdu {
            if code & 0xF0 == 0xF0 {
                return Ok(Parsed::new(
                    Tpdu::Data(Data {
                        eot: nr & 0x80 != 0,
                        tpdu_number: nr & 0x7F,
                        user_data,
                    }),
                    Anomalies::when(*code != 0xF0, Anomalies::COTP_UNKNOWN_TYPE),
                ));
            }
        }
        Self::parse_general(tpdu)
    }

    #[inline(never)]
    fn parse_general(tpdu: &'a [u8]) -> Result<Parsed<Tpdu<'a>>, Error> {
        let (&li, rest) = tpdu.split_first().ok_or(Error::malformed(Layer::Cotp, 0))?;
        let li = usize::from(li);
        let mut anomalies = Anomalies::empty();
        let (header, user_data) = match rest.split_at_checked(li) {
            Some(split) => split,
            None => {
                anomalies |= Anomalies::COTP_LENGTH;
                (rest, &[][..])
            }
        };
        let mut c = Cursor::new(header, Layer::Cotp);
        let code_byte = c.u8()?;
        let code = TpduCode::from(code_byte & 0xF0);
        let tpdu = match code {
            TpduCode::ConnectionRequest | TpduCode::ConnectionConfirm => {
                let conn = Connection {
                    dst_ref: c.u16()?,
                    src_ref: c.u16()?,
                    class_option: c.u8()?,
                    params: CotpParams(c.rest()),
                    user_data,
                };
                anomalies |= conn.params.anomalies();
                anomalies |= Anomalies::when(
                    conn.class_option & 0xF0 != 0
                        || (code == TpduCode::ConnectionRequest && conn.dst_ref != 0)
                        || code_byte & 0x0F != 0,
                    Anomalies::COTP_CLASS,
                );
                if code == TpduCode::ConnectionRequest {
                    Tpdu::ConnectionRequest(conn)
                } else {
                    Tpdu::ConnectionConfirm(conn)
                }
            }
            TpduCode::DisconnectRequest => {
                let t = Tpdu::DisconnectRequest {
                    dst_ref: c.u16()?,
                    src_ref: c.u16()?,
                    reason: c.u8()?,
                    params: CotpParams(c.rest()),
                    user_data,
                };
                if let Tpdu::DisconnectRequest { params, .. } = t {
                    anomalies |= params.anomalies();
                }
                t
            }
            TpduCode::DisconnectConfirm => {
                let params = CotpParams(c.peek_rest().get(4..).unwrap_or_default());
                let t = Tpdu::DisconnectConfirm {
                    dst_ref: c.u16()?,
                    src_ref: c.u16()?,
                    params,
                };
                // A DC carries no user data (§13.6).
                anomalies |= params.anomalies()
                    | Anomalies::when(!user_data.is_empty(), Anomalies::COTP_LENGTH);
                t
            }
            TpduCode::Data => {
                let nr = c.u8()?;
                // Class 0 has nothing more in the header.
                anomalies |= Anomalies::when(!c.is_empty(), Anomalies::COTP_LENGTH);
                anomalies |= Anomalies::when(code_byte != 0xF0, Anomalies::COTP_UNKNOWN_TYPE);
                Tpdu::Data(Data {
                    eot: nr & 0x80 != 0,
                    tpdu_number: nr & 0x7F,
                    user_data,
                })
            }
            TpduCode::Error => {
                let t = Tpdu::Error {
                    dst_ref: c.u16()?,
                    cause: c.u8()?,
                    params: CotpParams(c.rest()),
                };
                if let Tpdu::Error { params, .. } = t {
                    // An ER carries no user data (§13.12).
                    anomalies |= params.anomalies()
                        | Anomalies::when(!user_data.is_empty(), Anomalies::COTP_LENGTH);
                }
                t
            }
            _ => {
                anomalies |= Anomalies::COTP_UNKNOWN_TYPE;
                Tpdu::Other {
                    code: TpduCode::from(code_byte),
                    header: c.rest(),
                    user_data,
                }
            }
        };
        // Class 0 leaves the low nibble of the code byte 0 (CDT only in DT of other classes).
        let low = code_byte & 0x0F != 0 && !matches!(tpdu, Tpdu::Other { .. });
        Ok(Parsed::new(
            tpdu,
            anomalies | Anomalies::when(low, Anomalies::COTP_UNKNOWN_TYPE),
        ))
    }

    /// The TPDU code.
    pub fn code(&self) -> TpduCode {
        match self {
            Tpdu::ConnectionRequest(_) => TpduCode::ConnectionRequest,
            Tpdu::ConnectionConfirm(_) => TpduCode::ConnectionConfirm,
            Tpdu::DisconnectRequest { .. } => TpduCode::DisconnectRequest,
            Tpdu::DisconnectConfirm { .. } => TpduCode::DisconnectConfirm,
            Tpdu::Data(_) => TpduCode::Data,
            Tpdu::Error { .. } => TpduCode::Error,
            Tpdu::Other { code, .. } => *code,
        }
    }

    /// The DT, if this is one.
    pub fn data(&self) -> Option<&Data<'a>> {
        match self {
            Tpdu::Data(d) => Some(d),
            _ => None,
        }
    }

    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        match *self {
            Tpdu::ConnectionRequest(c) | Tpdu::ConnectionConfirm(c) => {
                s.count8(6 + c.params.0.len(), "COTP length indicator")?;
                s.u8(self.code().value())?;
                s.u16_be(c.dst_ref)?;
                s.u16_be(c.src_ref)?;
                s.u8(c.class_option)?;
                s.bytes(c.params.0)?;
                s.bytes(c.user_data)
            }
            Tpdu::DisconnectRequest {
                dst_ref,
                src_ref,
                reason,
                params,
                user_data,
            } => {
                s.count8(6 + params.0.len(), "COTP length indicator")?;
                s.u8(TpduCode::DisconnectRequest.value())?;
                s.u16_be(dst_ref)?;
                s.u16_be(src_ref)?;
                s.u8(reason)?;
                s.bytes(params.0)?;
                s.bytes(user_data)
            }
            Tpdu::DisconnectConfirm {
                dst_ref,
                src_ref,
                params,
            } => {
                s.count8(5 + params.0.len(), "COTP length indicator")?;
                s.u8(TpduCode::DisconnectConfirm.value())?;
                s.u16_be(dst_ref)?;
                s.u16_be(src_ref)?;
                s.bytes(params.0)
            }
            Tpdu::Data(d) => {
                DataHeader {
                    eot: d.eot,
                    tpdu_number: d.tpdu_number,
                }
                .encode(s)?;
                s.bytes(d.user_data)
            }
            Tpdu::Error {
                dst_ref,
                cause,
                params,
            } => {
                s.count8(4 + params.0.len(), "COTP length indicator")?;
                s.u8(TpduCode::Error.value())?;
                s.u16_be(dst_ref)?;
                s.u8(cause)?;
                s.bytes(params.0)
            }
            Tpdu::Other {
                code,
                header,
                user_data,
            } => {
                s.count8(1 + header.len(), "COTP length indicator")?;
                s.u8(code.value())?;
                s.bytes(header)?;
                s.bytes(user_data)
            }
        }
    }
}

/// The three-byte header of a class 0 DT (§13.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct DataHeader {
    eot: bool,
    tpdu_number: u8,
}

impl DataHeader {
    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        s.u8(2)?;
        s.u8(TpduCode::Data.value())?;
        s.u8(u8::from(self.eot) << 7 | (self.tpdu_number & 0x7F))
    }
}

/// A class 0 DT to encode around any encodable payload (an S7 PDU, or a segment of one).
///
/// ```
/// use otwire_s7::{Dt, Emit, Raw};
/// let mut buf = [0u8; 4];
/// assert_eq!(Dt::last(Raw(&[0x32])).emit(&mut buf), Ok(4));
/// assert_eq!(buf, [0x02, 0xF0, 0x80, 0x32]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Dt<P> {
    /// End of TSDU.
    pub eot: bool,
    /// TPDU number (7 bits).
    pub tpdu_number: u8,
    /// The user data.
    pub payload: P,
}

impl<P: Emit> Dt<P> {
    /// A DT with EOT set and TPDU number 0: a whole S7 PDU in one TPDU.
    pub fn last(payload: P) -> Self {
        Dt {
            eot: true,
            tpdu_number: 0,
            payload,
        }
    }
}

impl<P: Emit> Emit for Dt<P> {
    fn buffer_len(&self) -> usize {
        DT_HEADER_LEN + self.payload.buffer_len()
    }
    fn emit(&self, buf: &mut [u8]) -> Result<usize, EmitError> {
        crate::tpkt::emit_behind(buf, DT_HEADER_LEN, &self.payload, |h, _| {
            h.copy_from_slice(&[
                2,
                TpduCode::Data.value(),
                u8::from(self.eot) << 7 | (self.tpdu_number & 0x7F),
            ]);
            Ok(())
        })
    }
}

/// Builder of a class 0 connection request with the parameters S7 clients send: TPDU
/// size, calling and called TSAP (in the order python-snap7 and STEP 7 send them).
///
/// ```
/// use otwire_s7::{ConnectRequest, Emit};
/// // Rack 0, slot 2 of an S7-300: called TSAP 03 02.
/// let cr = ConnectRequest::s7(0x0001, 0, 2);
/// let mut buf = [0u8; 18];
/// assert_eq!(cr.emit(&mut buf), Ok(18));
/// assert_eq!(buf[..7], [0x11, 0xE0, 0x00, 0x00, 0x00, 0x01, 0x00]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ConnectRequest<'a> {
    /// Source reference.
    pub src_ref: u16,
    /// TPDU size code (0x0A = 1024 bytes).
    pub tpdu_size: u8,
    /// Calling TSAP.
    pub src_tsap: &'a [u8],
    /// Called TSAP.
    pub dst_tsap: &'a [u8],
}

/// The TSAPs [`ConnectRequest::s7`] uses: local 01 00 (PG), remote 03 rack·32+slot.
const PG_TSAP: [u8; 2] = [0x01, 0x00];
// Evaluated at compile time: an index out of range would fail the build, not panic.
#[allow(clippy::indexing_slicing)]
const S7_TSAPS: [[u8; 2]; 256] = {
    let mut t = [[0u8; 2]; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = [0x03, i as u8];
        i += 1;
    }
    t
};

impl ConnectRequest<'static> {
    /// The request an S7 client (python-snap7, libnodave) sends to reach the CPU at
    /// `rack` and `slot`: TPDU size 1024, calling TSAP 01 00, called TSAP 03 (rack·32+slot).
    pub fn s7(src_ref: u16, rack: u8, slot: u8) -> Self {
        let rs = usize::from(((rack & 0x07) << 5) | (slot & 0x1F));
        ConnectRequest {
            src_ref,
            tpdu_size: 0x0A,
            src_tsap: &PG_TSAP,
            dst_tsap: S7_TSAPS.get(rs).map_or(&[0x03, 0x02], |t| t.as_slice()),
        }
    }
}

impl ConnectRequest<'_> {
    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        let params = 3 + 2 + self.src_tsap.len() + 2 + self.dst_tsap.len();
        s.count8(6 + params, "COTP length indicator")?;
        s.u8(TpduCode::ConnectionRequest.value())?;
        s.u16_be(0)?;
        s.u16_be(self.src_ref)?;
        s.u8(0)?;
        s.u8(CotpParameterCode::TpduSize.value())?;
        s.u8(1)?;
        s.u8(self.tpdu_size)?;
        s.u8(CotpParameterCode::CallingTsap.value())?;
        s.count8(self.src_tsap.len(), "calling TSAP length")?;
        s.bytes(self.src_tsap)?;
        s.u8(CotpParameterCode::CalledTsap.value())?;
        s.count8(self.dst_tsap.len(), "called TSAP length")?;
        s.bytes(self.dst_tsap)
    }
}

emit_via_encode!(Tpdu<'_>, ConnectRequest<'_>);

/// Whether `tpdu` is a class 0 DT, and its user data.
#[inline]
pub(crate) fn dt_user_data(tpdu: &[u8]) -> Option<(bool, &[u8])> {
    match tpdu {
        [2, 0xF0, nr, user @ ..] => Some((nr & 0x80 != 0, user)),
        _ => None,
    }
}
