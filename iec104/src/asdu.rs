//! The application service data unit: data unit identifier and information objects
//! (IEC 60870-5-101 §7, IEC 60870-5-104 §8), with configurable field sizes so the same code
//! serves IEC 60870-5-101 links and non-standard gateways.

use crate::anomaly::{Anomalies, Parsed};
use crate::codes::{Cause, TypeId};
use crate::element::{Element, element_size_raw, is_decodable_raw};
use crate::element_check::element_anomalies_raw;
use crate::emit::Sink;
use crate::error::{EmitError, Error, Layer};
use crate::validity;

/// Sizes of the variable ASDU header fields and the information object address
/// (IEC 60870-5-101 §7.1, "parameters of the system"; IEC 60870-5-104 §9 fixes them at
/// COT 2, CA 2, IOA 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Params {
    cot_size: u8,
    ca_size: u8,
    ioa_size: u8,
}

impl Params {
    /// IEC 60870-5-104: cause of transmission 2 octets (with originator address), common
    /// address 2 octets, information object address 3 octets.
    pub const IEC104: Params = Params {
        cot_size: 2,
        ca_size: 2,
        ioa_size: 3,
    };
    /// A common IEC 60870-5-101 profile: COT 1, CA 1, IOA 2.
    pub const IEC101_COMPACT: Params = Params {
        cot_size: 1,
        ca_size: 1,
        ioa_size: 2,
    };

    /// Sizes in octets: `cot_size` 1 or 2, `ca_size` 1 or 2, `ioa_size` 1, 2 or 3; `None`
    /// for any other.
    pub const fn new(cot_size: u8, ca_size: u8, ioa_size: u8) -> Option<Params> {
        if (cot_size == 1 || cot_size == 2)
            && (ca_size == 1 || ca_size == 2)
            && (ioa_size >= 1 && ioa_size <= 3)
        {
            Some(Params {
                cot_size,
                ca_size,
                ioa_size,
            })
        } else {
            None
        }
    }

    /// Octets of the cause of transmission (1, or 2 with the originator address).
    #[inline(always)]
    pub fn cot_size(self) -> usize {
        usize::from(self.cot_size.clamp(1, 2))
    }

    /// Octets of the common address of ASDU.
    #[inline(always)]
    pub fn ca_size(self) -> usize {
        usize::from(self.ca_size.clamp(1, 2))
    }

    /// Octets of an information object address.
    #[inline(always)]
    pub fn ioa_size(self) -> usize {
        usize::from(self.ioa_size.clamp(1, 3))
    }

    /// Octets of the data unit identifier: type, variable structure qualifier, COT, CA.
    #[inline(always)]
    pub fn header_len(self) -> usize {
        2 + self.cot_size() + self.ca_size()
    }

    /// The largest information object address the size can hold.
    #[inline(always)]
    pub fn max_ioa(self) -> u32 {
        (1u32 << (8 * self.ioa_size())) - 1
    }
}

impl Default for Params {
    fn default() -> Self {
        Params::IEC104
    }
}

/// Cause of transmission octet: the cause, the P/N bit and the test bit
/// (IEC 60870-5-101 §7.2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Cot {
    /// The cause (6 bits).
    pub cause: Cause,
    /// P/N: negative confirmation.
    pub negative: bool,
    /// T: test, not a real process event.
    pub test: bool,
}

impl Cot {
    /// A positive, non-test cause.
    pub fn new(cause: Cause) -> Self {
        Cot {
            cause,
            negative: false,
            test: false,
        }
    }

    /// Decodes the octet.
    #[inline(always)]
    pub fn from_octet(b: u8) -> Self {
        Cot {
            cause: Cause::from(b & 0x3f),
            negative: b & 0x40 != 0,
            test: b & 0x80 != 0,
        }
    }

    /// Encodes the octet; `None` when the cause does not fit 6 bits.
    pub fn to_octet(self) -> Option<u8> {
        let c = u8::from(self.cause);
        (c <= 0x3f).then_some(c | u8::from(self.negative) << 6 | u8::from(self.test) << 7)
    }
}

/// Originator address: the second octet of a two-octet cause of transmission, 0 when not
/// used (IEC 60870-5-101 §7.2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct OriginatorAddress(pub u8);

/// Common address of ASDU: the station (IEC 60870-5-101 §7.2.4). 0xFFFF (or 0xFF with one
/// octet) is the global address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct CommonAddress(pub u16);

impl CommonAddress {
    /// Whether this is the broadcast address for the given size.
    pub fn is_global(self, params: Params) -> bool {
        if params.ca_size() == 1 {
            self.0 == 0xff
        } else {
            self.0 == 0xffff
        }
    }
}

/// Information object address (IEC 60870-5-101 §7.2.5), 1-3 octets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct Ioa(pub u32);

/// The data unit identifier of an ASDU (IEC 60870-5-101 §7.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AsduHeader {
    /// Type identification.
    pub type_id: TypeId,
    /// SQ: the objects are one address followed by a sequence of elements.
    pub sq: bool,
    /// Number of objects or elements (7 bits).
    pub count: u8,
    /// Cause of transmission.
    pub cot: Cot,
    /// Originator address (0 when the cause has one octet).
    pub originator: OriginatorAddress,
    /// Common address of ASDU.
    pub common_address: CommonAddress,
}

/// Reads a little-endian unsigned field of 1-4 octets.
#[inline]
fn read_uint(b: &[u8], at: usize, size: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(size)?)?;
    Some(match *s {
        [a] => u32::from(a),
        [a, b] => u32::from(u16::from_le_bytes([a, b])),
        [a, b, c] => u32::from_le_bytes([a, b, c, 0]),
        [a, b, c, d] => u32::from_le_bytes([a, b, c, d]),
        _ => 0,
    })
}

impl AsduHeader {
    /// Decodes the data unit identifier at the front of `bytes`.
    #[inline(always)]
    pub fn parse(bytes: &[u8], params: Params) -> Result<AsduHeader, Error> {
        let malformed = Error::Malformed {
            layer: Layer::AsduHeader,
            offset: bytes.len(),
        };
        let (&[type_id, vsq], _) = bytes.split_first_chunk::<2>().ok_or(malformed)?;
        let cot_octet = *bytes.get(2).ok_or(malformed)?;
        let originator = if params.cot_size() == 2 {
            *bytes.get(3).ok_or(malformed)?
        } else {
            0
        };
        let ca = read_uint(bytes, 2 + params.cot_size(), params.ca_size()).ok_or(malformed)?;
        Ok(AsduHeader {
            type_id: TypeId::from(type_id),
            sq: vsq & 0x80 != 0,
            count: vsq & 0x7f,
            cot: Cot::from_octet(cot_octet),
            originator: OriginatorAddress(originator),
            common_address: CommonAddress(ca as u16),
        })
    }

    fn write(&self, params: Params, w: &mut (impl Sink + ?Sized)) -> Result<(), EmitError> {
        if self.count > 0x7f {
            return Err(EmitError::ValueOutOfRange {
                field: "number of objects",
            });
        }
        w.u8(self.type_id.into())?;
        w.u8(self.count | u8::from(self.sq) << 7)?;
        w.u8(self.cot.to_octet().ok_or(EmitError::ValueOutOfRange {
            field: "cause of transmission",
        })?)?;
        if params.cot_size() == 2 {
            w.u8(self.originator.0)?;
        } else if self.originator.0 != 0 {
            return Err(EmitError::ValueOutOfRange {
                field: "originator address",
            });
        }
        w.uint_le(
            u32::from(self.common_address.0),
            params.ca_size(),
            "common address",
        )
    }
}

/// One information object: its address and its element (IEC 60870-5-101 §7.3).
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct InformationObject<'a> {
    /// The information object address (for SQ=1, the first address plus the index).
    pub address: Ioa,
    /// The element.
    pub element: Element<'a>,
}

/// An information object whose address arrived but whose element the end of the ASDU
/// cut short (IEC 60870-5-101 §7.3; the ASDU is flagged `TRUNCATED`): what
/// [`Asdu::truncated_object`] reports after the whole objects, so that no received address
/// is lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct TruncatedObject<'a> {
    /// The information object address (for SQ=1, the first address plus the index).
    pub address: Ioa,
    /// The octets of the element that arrived: fewer than its type needs, maybe none.
    pub partial: &'a [u8],
}

/// A decoded ASDU, borrowing its information objects from the input
/// (IEC 60870-5-101 §7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Asdu<'a> {
    /// The data unit identifier.
    pub header: AsduHeader,
    /// The field sizes it was decoded with.
    pub params: Params,
    /// The information object octets after the header (addresses and elements).
    pub body: &'a [u8],
    /// How many complete information objects the body holds (`count`, or fewer when it was
    /// truncated).
    pub decodable: u8,
}

impl<'a> Asdu<'a> {
    /// Decodes an ASDU that spans all of `bytes` (the body of an I frame, or the user data
    /// of an FT1.2 frame).
    ///
    /// A header shorter than `params` says is `Err`; everything else is `Ok` with
    /// anomalies: objects the body cannot hold are dropped and flagged `TRUNCATED`, extra
    /// octets `TRAILING_BYTES`, and every element is checked (qualifiers, quality bits,
    /// floats, time tags, the type × cause table).
    #[inline(always)]
    pub fn parse(bytes: &'a [u8], params: Params) -> Result<Parsed<Asdu<'a>>, Error> {
        let header = AsduHeader::parse(bytes, params)?;
        let body = bytes.get(params.header_len()..).unwrap_or_default();
        let mut anomalies = validity::header_anomalies(&header, params);
        let mut asdu = Asdu {
            header,
            params,
            body,
            decodable: 0,
        };
        let id = u8::from(header.type_id);
        if !is_decodable_raw(id) {
            anomalies |= Anomalies::UNKNOWN_TYPE_ID;
            return Ok(Parsed {
                pdu: asdu,
                anomalies,
            });
        }
        let (n, rest_len, last) = match element_size_raw(id) {
            Some(size) => Self::check_fixed(id, header, params, body, size, &mut anomalies),
            None => {
                // Variable-size elements: walk them.
                let mut objects = asdu.objects_unchecked(header.count);
                let mut n = 0u8;
                let mut last = Ioa(0);
                for o in objects.by_ref() {
                    anomalies |= o.element.anomalies();
                    last = o.address;
                    n += 1;
                }
                (n, objects.bytes.len(), last)
            }
        };
        if n < header.count {
            anomalies |= Anomalies::TRUNCATED;
        } else if rest_len != 0 {
            anomalies |= Anomalies::TRAILING_BYTES;
        }
        if header.sq && n > 0 && last.0 > params.max_ioa() {
            anomalies |= Anomalies::IOA_OVERFLOW;
        }
        asdu.decodable = n;
        // IEC 60870-5-101 §7.3.3, §7.3.4: IOA = 0 for end of initialization and the system
        // commands other than read (which names the object to read); check_fixed flags any
        // non-zero address, kept only for those types.
        if !matches!(id, 70 | 100 | 101 | 103..=107) {
            anomalies.remove(Anomalies::IOA_NOT_ZERO);
        }
        Ok(Parsed {
            pdu: asdu,
            anomalies,
        })
    }

    /// Counts the complete objects of a fixed-size type and checks their elements from the
    /// raw octets; returns the count, the octets left after them, and the last address.
    #[inline(always)]
    fn check_fixed(
        t: u8,
        header: AsduHeader,
        params: Params,
        body: &[u8],
        size: usize,
        anomalies: &mut Anomalies,
    ) -> (u8, usize, Ioa) {
        let ioa = params.ioa_size();
        let count = header.count;
        if header.sq {
            if count == 0 || body.len() < ioa {
                return (0, body.len(), Ioa(0));
            }
            let first = read_uint(body, 0, ioa).unwrap_or(0);
            if first != 0 {
                *anomalies |= Anomalies::IOA_NOT_ZERO;
            }
            let mut rest = body.get(ioa..).unwrap_or_default();
            let mut n = 0u8;
            while n < count {
                let Some((e, r)) = rest.split_at_checked(size) else {
                    break;
                };
                *anomalies |= element_anomalies_raw(t, e);
                rest = r;
                n += 1;
            }
            (
                n,
                rest.len(),
                Ioa(first.wrapping_add(u32::from(n.saturating_sub(1)))),
            )
        } else {
            let per = ioa + size;
            let mut rest = body;
            let mut n = 0u8;
            let mut last = 0;
            while n < count {
                let Some((o, r)) = rest.split_at_checked(per) else {
                    break;
                };
                let (a, e) = o.split_at(ioa);
                last = read_uint(a, 0, ioa).unwrap_or(0);
                if last != 0 {
                    *anomalies |= Anomalies::IOA_NOT_ZERO;
                }
                *anomalies |= element_anomalies_raw(t, e);
                rest = r;
                n += 1;
            }
            (n, rest.len(), Ioa(last))
        }
    }

    #[inline(always)]
    fn objects_unchecked(&self, count: u8) -> InformationObjects<'a> {
        let id = u8::from(self.header.type_id);
        InformationObjects {
            id,
            sq: self.header.sq,
            ioa_size: self.params.ioa_size() as u8,
            remaining: if is_decodable_raw(id) { count } else { 0 },
            next_ioa: 0,
            first: true,
            bytes: self.body,
        }
    }

    /// The information objects, decoded lazily from the borrowed body (SQ=0: address and
    /// element per object; SQ=1: one address, then elements at consecutive addresses).
    #[inline(always)]
    pub fn objects(&self) -> InformationObjects<'a> {
        self.objects_unchecked(self.decodable)
    }

    /// The type identification.
    pub fn type_id(&self) -> TypeId {
        self.header.type_id
    }

    /// The cause of transmission.
    pub fn cot(&self) -> Cot {
        self.header.cot
    }

    /// The common address of ASDU.
    pub fn common_address(&self) -> CommonAddress {
        self.header.common_address
    }

    /// The information object the ASDU was cut short in, when its address was received
    /// (IEC 60870-5-101 §7.3): the object after the [`objects`](Asdu::objects), with the
    /// octets of its element that arrived. `None` when the ASDU is whole (no `TRUNCATED`
    /// anomaly), when it ends inside an address or right after the last whole element of a
    /// sequence (SQ=1, where nothing of the next object arrived), and for type
    /// identifications whose element is not known.
    ///
    /// ```
    /// use otwire_iec104::{Anomalies, Asdu, Ioa, Params};
    /// // M_ME_NC_1, 2 objects, spontaneous, CA 1: IOA 1 whole, IOA 2 cut after 2 octets.
    /// let asdu = [
    ///     0x0d, 0x02, 0x03, 0x00, 0x01, 0x00, // header
    ///     0x01, 0x00, 0x00, 0x00, 0x00, 0x80, 0x3f, 0x00, // IOA 1: 1.0, QDS 0
    ///     0x02, 0x00, 0x00, 0x00, 0x00, // IOA 2: two octets of five
    /// ];
    /// let p = Asdu::parse(&asdu, Params::IEC104)?;
    /// assert!(p.anomalies.contains(Anomalies::TRUNCATED));
    /// assert_eq!(p.pdu.objects().count(), 1);
    /// let cut = p.pdu.truncated_object().unwrap();
    /// assert_eq!(cut.address, Ioa(2));
    /// assert_eq!(cut.partial, &[0x00, 0x00]);
    /// # Ok::<(), otwire_iec104::Error>(())
    /// ```
    pub fn truncated_object(&self) -> Option<TruncatedObject<'a>> {
        if self.decodable >= self.header.count || !is_decodable_raw(u8::from(self.header.type_id)) {
            return None;
        }
        let mut objects = self.objects();
        objects.by_ref().for_each(drop);
        let ioa_size = self.params.ioa_size();
        let rest = objects.bytes;
        let (address, partial) = if objects.first || !self.header.sq {
            (read_uint(rest, 0, ioa_size)?, rest.get(ioa_size..)?)
        } else if rest.is_empty() {
            return None;
        } else {
            (objects.next_ioa, rest)
        };
        Some(TruncatedObject {
            address: Ioa(address),
            partial,
        })
    }

    /// The address of the first information object, if any.
    pub fn first_ioa(&self) -> Option<Ioa> {
        read_uint(self.body, 0, self.params.ioa_size())
            .map(Ioa)
            .filter(|_| self.decodable > 0)
    }
}

otwire_core::emit_via_encode!(Asdu<'_>, AsduBuilder<'_, '_>);

impl Asdu<'_> {
    /// Writes the header and the body octets as they were received.
    fn encode(&self, w: &mut (impl Sink + ?Sized)) -> Result<(), EmitError> {
        self.header.write(self.params, w)?;
        w.bytes(self.body)
    }
}

/// Iterator over the information objects of an ASDU; `Copy`, allocation-free
/// (IEC 60870-5-101 §7.2.2 for SQ).
#[derive(Debug, Clone, Copy)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct InformationObjects<'a> {
    id: u8,
    sq: bool,
    ioa_size: u8,
    remaining: u8,
    next_ioa: u32,
    first: bool,
    bytes: &'a [u8],
}

impl<'a> Iterator for InformationObjects<'a> {
    type Item = InformationObject<'a>;

    #[inline(always)]
    fn next(&mut self) -> Option<InformationObject<'a>> {
        if self.remaining == 0 {
            return None;
        }
        let ioa_size = usize::from(self.ioa_size);
        let mut rest = self.bytes;
        let address = if self.first || !self.sq {
            let a = read_uint(rest, 0, ioa_size)?;
            rest = rest.get(ioa_size..)?;
            a
        } else {
            self.next_ioa
        };
        let (element, used) = Element::decode_raw(self.id, rest)?;
        self.bytes = rest.get(used..)?;
        self.first = false;
        self.next_ioa = address.wrapping_add(1);
        self.remaining -= 1;
        Some(InformationObject {
            address: Ioa(address),
            element,
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(usize::from(self.remaining)))
    }
}

/// An ASDU to encode from a header and a slice of information objects (IEC 60870-5-101
/// §7). `count` in the header is ignored: the slice length is written. With `sq` set, the
/// objects' addresses must be consecutive, and only the first is written.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct AsduBuilder<'o, 'a> {
    /// The data unit identifier (its `count` is replaced by `objects.len()`).
    pub header: AsduHeader,
    /// Field sizes.
    pub params: Params,
    /// The objects, each of which must match `header.type_id`.
    pub objects: &'o [InformationObject<'a>],
}

impl AsduBuilder<'_, '_> {
    fn encode(&self, w: &mut (impl Sink + ?Sized)) -> Result<(), EmitError> {
        let count = u8::try_from(self.objects.len())
            .ok()
            .filter(|&c| c <= 0x7f)
            .ok_or(EmitError::ValueOutOfRange {
                field: "number of objects",
            })?;
        let header = AsduHeader {
            count,
            ..self.header
        };
        header.write(self.params, w)?;
        let mut expected = None;
        for o in self.objects {
            match expected {
                Some(e) if self.header.sq => {
                    if o.address.0 != e {
                        return Err(EmitError::ValueOutOfRange {
                            field: "information object address (SQ=1 needs consecutive addresses)",
                        });
                    }
                }
                _ => w.uint_le(
                    o.address.0,
                    self.params.ioa_size(),
                    "information object address",
                )?,
            }
            expected = Some(o.address.0.wrapping_add(1));
            o.element.write(self.header.type_id, w)?;
        }
        Ok(())
    }
}
