//! The Common Packet Format (CIP Vol. 2 §2-6): an item count, then items of a type id, a
//! length and data. It carries the address and data items of SendRRData, SendUnitData
//! and class 0/1 I/O, and the replies of ListIdentity and ListServices.

use crate::anomaly::{Anomalies, Parsed};
use crate::codes::{DeviceType, ItemType};
use crate::error::{EmitError, Error, Layer};
use crate::frame::{le16, le32};
use otwire_core::{Emit, Sink, emit_via_encode};

/// Bytes of an item header: type id and length (Vol. 2 §2-6.1).
pub const ITEM_HEADER_LEN: usize = 4;
/// Bytes of a socket address item's data (Vol. 2 §2-6.3.3).
pub const SOCKADDR_LEN: usize = 16;
/// The `sin_family` of IPv4 (AF_INET), the only one EtherNet/IP uses (Vol. 2 §2-6.3.3).
pub const AF_INET: u16 = 2;
/// Bytes of a ListServices reply item's data: version, flags, 16-byte name (§2-4.6.3).
pub const SERVICE_INFO_LEN: usize = 20;
/// Fixed bytes of a ListIdentity item's data around the product name (§2-4.2.3): version
/// 2, socket address 16, vendor 2, device type 2, product code 2, revision 2, status 2,
/// serial 4, name length 1, state 1.
pub const IDENTITY_FIXED_LEN: usize = 34;

/// A socket address item (Vol. 2 §2-6.3.3), also inside a ListIdentity item: the
/// `sockaddr_in` structure, in network (big-endian) byte order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Sockaddr {
    /// `sin_family`: [`AF_INET`].
    pub family: u16,
    /// `sin_port`.
    pub port: u16,
    /// `sin_addr`: the IPv4 address octets.
    pub addr: [u8; 4],
    /// `sin_zero`: zeros.
    pub zero: [u8; 8],
}

impl Sockaddr {
    /// An AF_INET address with zero padding.
    pub const fn new(addr: [u8; 4], port: u16) -> Self {
        Sockaddr {
            family: AF_INET,
            port,
            addr,
            zero: [0; 8],
        }
    }

    /// `sin_addr` as an address.
    pub const fn ip(&self) -> core::net::Ipv4Addr {
        let [a, b, c, d] = self.addr;
        core::net::Ipv4Addr::new(a, b, c, d)
    }

    fn parse(b: &[u8; SOCKADDR_LEN]) -> Self {
        let [
            f0,
            f1,
            p0,
            p1,
            a0,
            a1,
            a2,
            a3,
            z0,
            z1,
            z2,
            z3,
            z4,
            z5,
            z6,
            z7,
        ] = *b;
        Sockaddr {
            family: u16::from_be_bytes([f0, f1]),
            port: u16::from_be_bytes([p0, p1]),
            addr: [a0, a1, a2, a3],
            zero: [z0, z1, z2, z3, z4, z5, z6, z7],
        }
    }

    /// [`Anomalies::SOCKADDR`] when the family is not AF_INET or `sin_zero` is not zero.
    pub fn anomalies(&self) -> Anomalies {
        Anomalies::when(
            self.family != AF_INET || self.zero != [0; 8],
            Anomalies::SOCKADDR,
        )
    }

    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        s.u16_be(self.family)?;
        s.u16_be(self.port)?;
        s.bytes(&self.addr)?;
        s.bytes(&self.zero)
    }
}

/// A product revision: major and minor (Vol. 1 §5A-2, Identity attribute 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Revision {
    /// Major revision.
    pub major: u8,
    /// Minor revision.
    pub minor: u8,
}

impl core::fmt::Display for Revision {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}.{:03}", self.major, self.minor)
    }
}

/// The ListIdentity reply item, type 0x000C (Vol. 2 §2-4.2.3, Table 2-4.4): the target's
/// Identity object attributes and its socket address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Identity<'a> {
    /// Encapsulation protocol version (1).
    pub encap_version: u16,
    /// The target's socket address (big-endian, as on the wire).
    pub socket: Sockaddr,
    /// Vendor id (Identity attribute 1).
    pub vendor_id: u16,
    /// Device type (attribute 2).
    pub device_type: DeviceType,
    /// Product code (attribute 3).
    pub product_code: u16,
    /// Revision (attribute 4).
    pub revision: Revision,
    /// Status word (attribute 5).
    pub status: u16,
    /// Serial number (attribute 6).
    pub serial: u32,
    /// Product name (attribute 7, a SHORT_STRING: its length byte is not kept).
    pub product_name: &'a [u8],
    /// State (attribute 8).
    pub state: u8,
}

impl<'a> Identity<'a> {
    /// The product name as text, when it is UTF-8 (it is ASCII on real devices).
    pub fn product_name_str(&self) -> Option<&'a str> {
        core::str::from_utf8(self.product_name).ok()
    }

    /// Decodes an item's data; `None` when the fields do not fill it exactly.
    pub fn parse(d: &'a [u8]) -> Option<Self> {
        let (head, rest) = d.split_first_chunk::<{ 2 + SOCKADDR_LEN + 14 }>()?;
        let (&name_len, rest) = rest.split_first()?;
        let (product_name, rest) = rest.split_at_checked(usize::from(name_len))?;
        let [state] = *rest else {
            return None;
        };
        let (v, head) = head.split_first_chunk::<2>()?;
        let (sa, f) = head.split_first_chunk::<SOCKADDR_LEN>()?;
        let f: &[u8; 14] = f.try_into().ok()?;
        let [v0, v1, d0, d1, p0, p1, major, minor, s0, s1, n0, n1, n2, n3] = *f;
        Some(Identity {
            encap_version: u16::from_le_bytes(*v),
            socket: Sockaddr::parse(sa),
            vendor_id: u16::from_le_bytes([v0, v1]),
            device_type: DeviceType::from(u16::from_le_bytes([d0, d1])),
            product_code: u16::from_le_bytes([p0, p1]),
            revision: Revision { major, minor },
            status: u16::from_le_bytes([s0, s1]),
            serial: u32::from_le_bytes([n0, n1, n2, n3]),
            product_name,
            state,
        })
    }

    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        s.u16_le(self.encap_version)?;
        self.socket.encode(s)?;
        s.u16_le(self.vendor_id)?;
        s.u16_le(self.device_type.value())?;
        s.u16_le(self.product_code)?;
        s.u8(self.revision.major)?;
        s.u8(self.revision.minor)?;
        s.u16_le(self.status)?;
        s.u32_le(self.serial)?;
        s.count8(self.product_name.len(), "product name length")?;
        s.bytes(self.product_name)?;
        s.u8(self.state)
    }
}

/// The ListServices reply item, type 0x0100 (Vol. 2 §2-4.6.3, Table 2-4.10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ServiceInfo {
    /// Encapsulation protocol version (1).
    pub version: u16,
    /// Capability flags: bit 5 CIP over TCP, bit 8 class 0/1 over UDP.
    pub capabilities: u16,
    /// Service name, NUL-padded ASCII ("Communications").
    pub name: [u8; 16],
}

impl ServiceInfo {
    /// Capability bit 5: CIP encapsulation over TCP.
    pub const CAPABILITY_TCP: u16 = 1 << 5;
    /// Capability bit 8: class 0/1 connected data over UDP.
    pub const CAPABILITY_UDP: u16 = 1 << 8;

    /// The name without its NUL padding, when it is UTF-8.
    pub fn name_str(&self) -> Option<&str> {
        let end = self.name.iter().position(|&b| b == 0).unwrap_or(16);
        core::str::from_utf8(self.name.get(..end)?).ok()
    }

    fn parse(d: &[u8]) -> Option<Self> {
        let b: &[u8; SERVICE_INFO_LEN] = d.try_into().ok()?;
        let (&[v0, v1, c0, c1], name) = b.split_first_chunk::<4>()?;
        Some(ServiceInfo {
            version: u16::from_le_bytes([v0, v1]),
            capabilities: u16::from_le_bytes([c0, c1]),
            name: name.try_into().ok()?,
        })
    }
}

/// One Common Packet Format item (Vol. 2 §2-6), typed by its type id.
// Each typed variant's discriminant is its type id (as `ItemType`'s are; `Unknown`'s is
// `ItemType`'s unknown one), so that `type_id()` maps tag to tag (measured: 2 instructions
// per message fewer on the bench's encapsulation row than the niche-packed layout).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[repr(u16)]
pub enum Item<'a> {
    /// 0x0000: no address, unconnected messaging (§2-6.2.1).
    NullAddress = NULL_ADDRESS,
    /// 0x00A1: a connection id (§2-6.2.2).
    ConnectedAddress {
        /// The connection id.
        conn_id: u32,
    } = CONNECTED_ADDRESS,
    /// 0x8002: a connection id and a sequence number, class 0/1 I/O (§2-6.2.3).
    SequencedAddress {
        /// The connection id.
        conn_id: u32,
        /// The 32-bit encapsulation sequence number.
        seq: u32,
    } = SEQUENCED_ADDRESS,
    /// 0x00B2: an unconnected CIP message (§2-6.3.2).
    UnconnectedData(&'a [u8]) = UNCONNECTED_DATA,
    /// 0x00B1: a connected transport packet (§2-6.3.1).
    ConnectedData {
        /// The packet: for class 1 and class 3 a 16-bit sequence count first.
        data: &'a [u8],
    } = CONNECTED_DATA,
    /// 0x000C: the ListIdentity reply item.
    ListIdentity(Identity<'a>) = ItemType::ListIdentity.value(),
    /// 0x0100: the ListServices reply item.
    ListServices(ServiceInfo) = ItemType::ListServices.value(),
    /// 0x8000: socket address, originator to target.
    SockaddrOt(Sockaddr) = ItemType::SockaddrOt.value(),
    /// 0x8001: socket address, target to originator.
    SockaddrTo(Sockaddr) = ItemType::SockaddrTo.value(),
    /// Any other item, kept as it was: an unknown type id, a type without a typed form
    /// here (0x0086-0x0088, 0x8003), or a known type whose length does not fit it (then
    /// flagged [`Anomalies::CPF_ITEM_LENGTH`]).
    Unknown {
        /// The type id.
        type_id: ItemType,
        /// The item's data.
        data: &'a [u8],
    } = 0xFFFF,
}

impl<'a> Item<'a> {
    /// The item's type id.
    #[inline]
    pub fn type_id(&self) -> ItemType {
        // `Unknown` first: what is left maps each discriminant to the same `ItemType` one.
        if let Item::Unknown { type_id, .. } = *self {
            return type_id;
        }
        match self {
            Item::NullAddress => ItemType::NullAddress,
            Item::ConnectedAddress { .. } => ItemType::ConnectedAddress,
            Item::SequencedAddress { .. } => ItemType::SequencedAddress,
            Item::UnconnectedData(_) => ItemType::UnconnectedData,
            Item::ConnectedData { .. } => ItemType::ConnectedData,
            Item::ListIdentity(_) => ItemType::ListIdentity,
            Item::ListServices(_) => ItemType::ListServices,
            Item::SockaddrOt(_) => ItemType::SockaddrOt,
            Item::SockaddrTo(_) => ItemType::SockaddrTo,
            Item::Unknown { type_id, .. } => *type_id,
        }
    }

    /// Types one item's data; an item whose length does not fit its type is `Unknown`.
    pub fn parse(type_id: ItemType, d: &'a [u8]) -> Self {
        let typed = match type_id {
            ItemType::NullAddress => d.is_empty().then_some(Item::NullAddress),
            ItemType::ConnectedAddress => {
                <[u8; 4]>::try_from(d).ok().map(|b| Item::ConnectedAddress {
                    conn_id: u32::from_le_bytes(b),
                })
            }
            ItemType::SequencedAddress => match (d.len(), le32(d, 0), le32(d, 4)) {
                (8, Some(conn_id), Some(seq)) => Some(Item::SequencedAddress { conn_id, seq }),
                _ => None,
            },
            ItemType::UnconnectedData => Some(Item::UnconnectedData(d)),
            ItemType::ConnectedData => Some(Item::ConnectedData { data: d }),
            ItemType::ListIdentity => Identity::parse(d).map(Item::ListIdentity),
            ItemType::ListServices => ServiceInfo::parse(d).map(Item::ListServices),
            ItemType::SockaddrOt => d
                .try_into()
                .ok()
                .map(|b| Item::SockaddrOt(Sockaddr::parse(b))),
            ItemType::SockaddrTo => d
                .try_into()
                .ok()
                .map(|b| Item::SockaddrTo(Sockaddr::parse(b))),
            _ => None,
        };
        typed.unwrap_or(Item::Unknown { type_id, data: d })
    }

    /// What is off about this item on its own: an unknown type id, a known type whose
    /// length does not fit it, a socket address off.
    pub fn anomalies(&self) -> Anomalies {
        match self {
            Item::Unknown { type_id, .. } => match type_id {
                ItemType::Unknown(_) => Anomalies::CPF_UNKNOWN_ITEM,
                ItemType::SecurityInformation
                | ItemType::Capability
                | ItemType::Usage
                | ItemType::UnconnectedUdp => Anomalies::empty(),
                _ => Anomalies::CPF_ITEM_LENGTH,
            },
            Item::ListIdentity(id) => id.socket.anomalies(),
            Item::SockaddrOt(s) | Item::SockaddrTo(s) => s.anomalies(),
            _ => Anomalies::empty(),
        }
    }

    /// The connection id of a connected or sequenced address item.
    #[inline]
    pub fn conn_id(&self) -> Option<u32> {
        match *self {
            Item::ConnectedAddress { conn_id } | Item::SequencedAddress { conn_id, .. } => {
                Some(conn_id)
            }
            _ => None,
        }
    }

    /// The 16-bit sequence count at the front of a connected data item (class 1 I/O and
    /// class 3 SendUnitData, Vol. 1 §3-4.4.3), `None` for other items or one shorter than 2.
    #[inline]
    pub fn sequence_count(&self) -> Option<u16> {
        match self {
            Item::ConnectedData { data } => le16(data, 0),
            _ => None,
        }
    }

    /// The item's data bytes on the wire, when it borrows them.
    #[inline]
    pub fn data(&self) -> Option<&'a [u8]> {
        match *self {
            Item::UnconnectedData(d) | Item::ConnectedData { data: d } => Some(d),
            Item::Unknown { data, .. } => Some(data),
            _ => None,
        }
    }

    fn data_len(&self) -> usize {
        match self {
            Item::NullAddress => 0,
            Item::ConnectedAddress { .. } => 4,
            Item::SequencedAddress { .. } => 8,
            Item::UnconnectedData(d) | Item::ConnectedData { data: d } => d.len(),
            Item::Unknown { data, .. } => data.len(),
            Item::ListIdentity(id) => IDENTITY_FIXED_LEN + id.product_name.len(),
            Item::ListServices(_) => SERVICE_INFO_LEN,
            Item::SockaddrOt(_) | Item::SockaddrTo(_) => SOCKADDR_LEN,
        }
    }

    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        s.u16_le(self.type_id().value())?;
        let len = u16::try_from(self.data_len()).map_err(|_| EmitError::ValueOutOfRange {
            field: "CPF item length",
        })?;
        s.u16_le(len)?;
        match self {
            Item::NullAddress => Ok(()),
            Item::ConnectedAddress { conn_id } => s.u32_le(*conn_id),
            Item::SequencedAddress { conn_id, seq } => {
                s.u32_le(*conn_id)?;
                s.u32_le(*seq)
            }
            Item::UnconnectedData(d) | Item::ConnectedData { data: d } => s.bytes(d),
            Item::Unknown { data, .. } => s.bytes(data),
            Item::ListIdentity(id) => id.encode(s),
            Item::ListServices(si) => {
                s.u16_le(si.version)?;
                s.u16_le(si.capabilities)?;
                s.bytes(&si.name)
            }
            Item::SockaddrOt(a) | Item::SockaddrTo(a) => a.encode(s),
        }
    }
}

/// The items of a CPF, in order (allocation-free, `Copy`): each item as long as its length
/// says; it stops at an item that runs past the end ([`Anomalies::CPF_TRUNCATED`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Items<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Items<'a> {
    type Item = Item<'a>;

    #[inline]
    fn next(&mut self) -> Option<Item<'a>> {
        let (type_id, d) = next_raw(&mut self.rest)?;
        // The address and data items of explicit messaging typed inline, on the raw id;
        // every other item (and a misfit length) out of line: the same `Item::parse` gives.
        Some(match (type_id, d.len()) {
            (UNCONNECTED_DATA, _) => Item::UnconnectedData(d),
            (CONNECTED_DATA, _) => Item::ConnectedData { data: d },
            (NULL_ADDRESS, 0) => Item::NullAddress,
            (CONNECTED_ADDRESS, 4) => Item::ConnectedAddress {
                conn_id: le32(d, 0).unwrap_or_default(),
            },
            _ => parse_other(type_id, d),
        })
    }
}

/// [`Item::parse`] of the items [`Items::next`] does not type inline.
#[inline(never)]
fn parse_other(type_id: u16, d: &[u8]) -> Item<'_> {
    Item::parse(ItemType::from(type_id), d)
}

/// The next item's raw type id and data off the front of `rest` (the item iterators' one
/// step); `None`, emptying `rest`, when an item runs past the end.
#[inline(always)]
pub(crate) fn next_raw<'a>(rest: &mut &'a [u8]) -> Option<(u16, &'a [u8])> {
    let (h, body) = rest.split_first_chunk::<ITEM_HEADER_LEN>()?;
    let type_id = u16::from_le_bytes([h[0], h[1]]);
    let len = usize::from(u16::from_le_bytes([h[2], h[3]]));
    let Some((d, tail)) = body.split_at_checked(len) else {
        *rest = &[];
        return None;
    };
    *rest = tail;
    Some((type_id, d))
}

/// The type ids of the address and data items of explicit and I/O messaging, for matching
/// raw item headers.
pub(crate) const NULL_ADDRESS: u16 = ItemType::NullAddress.value();
pub(crate) const CONNECTED_ADDRESS: u16 = ItemType::ConnectedAddress.value();
pub(crate) const SEQUENCED_ADDRESS: u16 = ItemType::SequencedAddress.value();
pub(crate) const CONNECTED_DATA: u16 = ItemType::ConnectedData.value();
pub(crate) const UNCONNECTED_DATA: u16 = ItemType::UnconnectedData.value();

/// What [`Item::parse`] then [`Item::anomalies`] give, without building the item for the
/// address and data items of explicit and I/O messaging (the hot path of every
/// SendRRData, SendUnitData and I/O packet).
#[inline]
fn raw_item_anomalies(type_id: u16, d: &[u8]) -> Anomalies {
    let fits = match type_id {
        NULL_ADDRESS => d.is_empty(),
        CONNECTED_ADDRESS => d.len() == 4,
        SEQUENCED_ADDRESS => d.len() == 8,
        CONNECTED_DATA | UNCONNECTED_DATA => true,
        _ => return Item::parse(ItemType::from(type_id), d).anomalies(),
    };
    Anomalies::when(!fits, Anomalies::CPF_ITEM_LENGTH)
}

/// A Common Packet Format (Vol. 2 §2-6.1): the declared item count and the item bytes,
/// borrowed; [`Cpf::items`] types them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Cpf<'a> {
    /// The item count as declared.
    pub count: u16,
    /// Every byte after the count (the items, and whatever follows them).
    pub bytes: &'a [u8],
}

impl<'a> Cpf<'a> {
    /// Decodes a CPF that fills `input`: `Malformed` only when the count is not there;
    /// items that run past the end, a count that disagrees with the items, unknown types
    /// and item lengths that do not fit their type are flagged.
    #[inline]
    pub fn parse(input: &'a [u8]) -> Result<Parsed<Self>, Error> {
        let Some((c, bytes)) = input.split_first_chunk::<2>() else {
            return Err(Error::malformed(Layer::Cpf, input.len()));
        };
        let cpf = Cpf {
            count: u16::from_le_bytes(*c),
            bytes,
        };
        Ok(Parsed::new(cpf, cpf.anomalies()))
    }

    /// The typed items.
    pub fn items(&self) -> Items<'a> {
        Items { rest: self.bytes }
    }

    /// The item structure's anomalies (see [`Cpf::parse`]).
    #[inline]
    pub fn anomalies(&self) -> Anomalies {
        let mut a = Anomalies::empty();
        let mut n = 0usize;
        let mut used = 0usize;
        let mut rest = self.bytes;
        while let Some((type_id, d)) = next_raw(&mut rest) {
            n += 1;
            used += ITEM_HEADER_LEN + d.len();
            a |= raw_item_anomalies(type_id, d);
        }
        let truncated = used != self.bytes.len();
        a | Anomalies::when(truncated, Anomalies::CPF_TRUNCATED)
            | Anomalies::when(n != usize::from(self.count), Anomalies::CPF_COUNT)
    }

    /// The first item, when it is an address item (null, connected or sequenced).
    #[inline]
    pub fn address(&self) -> Option<Item<'a>> {
        let mut rest = self.bytes;
        let (t, d) = next_raw(&mut rest)?;
        // Only an address type can type as an address item: the others are not built.
        matches!(t, NULL_ADDRESS | CONNECTED_ADDRESS | SEQUENCED_ADDRESS)
            .then(|| Item::parse(ItemType::from(t), d))
            .filter(|i| {
                matches!(
                    i,
                    Item::NullAddress
                        | Item::ConnectedAddress { .. }
                        | Item::SequencedAddress { .. }
                )
            })
    }

    /// The connection id of the address item, if connected.
    #[inline]
    pub fn conn_id(&self) -> Option<u32> {
        let mut rest = self.bytes;
        match next_raw(&mut rest)? {
            (CONNECTED_ADDRESS, d) if d.len() == 4 => le32(d, 0),
            (SEQUENCED_ADDRESS, d) if d.len() == 8 => le32(d, 0),
            _ => None,
        }
    }

    /// The second item, when it is a data item (connected or unconnected).
    #[inline]
    pub fn data_item(&self) -> Option<Item<'a>> {
        let mut rest = self.bytes;
        next_raw(&mut rest)?;
        match next_raw(&mut rest)? {
            (UNCONNECTED_DATA, d) => Some(Item::UnconnectedData(d)),
            (CONNECTED_DATA, data) => Some(Item::ConnectedData { data }),
            _ => None,
        }
    }

    /// The CIP message an unconnected data item carries.
    pub fn unconnected_data(&self) -> Option<&'a [u8]> {
        self.items().find_map(|i| match i {
            Item::UnconnectedData(d) => Some(d),
            _ => None,
        })
    }

    /// The first connected data item's bytes (sequence count included).
    pub fn connected_data(&self) -> Option<&'a [u8]> {
        self.items().find_map(|i| match i {
            Item::ConnectedData { data } => Some(data),
            _ => None,
        })
    }

    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        s.u16_le(self.count)?;
        s.bytes(self.bytes)
    }
}

/// A CPF to encode from typed items: the count is the number of items
/// (`CpfItems(&[Item::NullAddress, Item::UnconnectedData(cip)])`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CpfItems<'i, 'a>(pub &'i [Item<'a>]);

impl CpfItems<'_, '_> {
    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        let n = u16::try_from(self.0.len()).map_err(|_| EmitError::ValueOutOfRange {
            field: "CPF item count",
        })?;
        s.u16_le(n)?;
        self.0.iter().try_for_each(|i| i.encode(s))
    }
}

/// A class 0/1 implicit (I/O) message on UDP 2222 (Vol. 2 §3-3): a bare CPF (no
/// encapsulation header) of a sequenced address item and a connected data item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct IoPacket<'a> {
    /// The whole CPF.
    pub cpf: Cpf<'a>,
    /// The connection id of the address item (0 when there is none).
    pub conn_id: u32,
    /// The 32-bit encapsulation sequence number of the sequenced address item (0 with a
    /// connected address item or none).
    pub seq: u32,
    /// The connected data item's bytes (empty when there is none): class 1 starts with a
    /// 16-bit sequence count.
    pub data: &'a [u8],
}

impl<'a> IoPacket<'a> {
    /// Decodes a UDP 2222 datagram. Without a sequenced (or connected) address item
    /// followed by a connected data item it is flagged [`Anomalies::CPF_LAYOUT`].
    pub fn parse(datagram: &'a [u8]) -> Result<Parsed<Self>, Error> {
        let Parsed {
            pdu: cpf,
            anomalies,
        } = Cpf::parse(datagram)?;
        let mut items = cpf.items();
        let (conn_id, seq, addr_ok) = match items.next() {
            Some(Item::SequencedAddress { conn_id, seq }) => (conn_id, seq, true),
            Some(Item::ConnectedAddress { conn_id }) => (conn_id, 0, true),
            _ => (0, 0, false),
        };
        let data = match items.next() {
            Some(Item::ConnectedData { data }) => Some(data),
            _ => None,
        };
        let layout = !addr_ok || data.is_none();
        let p = IoPacket {
            cpf,
            conn_id,
            seq,
            data: data.unwrap_or_default(),
        };
        Ok(Parsed::new(
            p,
            anomalies | Anomalies::when(layout, Anomalies::CPF_LAYOUT),
        ))
    }

    /// The 16-bit CIP sequence count at the front of the data (class 1).
    pub fn sequence_count(&self) -> Option<u16> {
        le16(self.data, 0)
    }

    /// The data after the sequence count (class 1).
    pub fn payload(&self) -> &'a [u8] {
        self.data.get(2..).unwrap_or_default()
    }

    fn encode<S: Sink + ?Sized>(&self, s: &mut S) -> Result<(), EmitError> {
        self.cpf.encode(s)
    }
}

emit_via_encode!(
    Sockaddr,
    Identity<'_>,
    Item<'_>,
    Cpf<'_>,
    CpfItems<'_, '_>,
    IoPacket<'_>
);

impl Emit for ServiceInfo {
    fn buffer_len(&self) -> usize {
        SERVICE_INFO_LEN
    }
    fn emit(&self, buf: &mut [u8]) -> Result<usize, EmitError> {
        let mut w = otwire_core::Writer::new(buf, SERVICE_INFO_LEN)?;
        w.u16_le(self.version)?;
        w.u16_le(self.capabilities)?;
        w.bytes(&self.name)?;
        Ok(w.written())
    }
}
