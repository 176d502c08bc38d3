//! Typed attributes of common objects (Vol. 1 §5-2 Identity, §5-4 Assembly, §5-5 Port;
//! Vol. 2 §5-3 TCP/IP Interface, §5-4 Ethernet Link): Get Attributes All replies and the
//! attributes read one at a time.

use core::net::Ipv4Addr;

use super::path::Path;
use super::read::Reader;
use crate::{Anomalies, Error, Parsed};

/// A SHORT_STRING (a byte count, then the characters; Vol. 1 App. C-2.1).
fn short_string<'a>(r: &mut Reader<'a>, a: &mut Anomalies) -> &'a [u8] {
    let Ok(n) = r.u8() else {
        *a |= Anomalies::ATTRIBUTE_TRUNCATED;
        return &[];
    };
    take(r, usize::from(n), a)
}

fn take<'a>(r: &mut Reader<'a>, n: usize, a: &mut Anomalies) -> &'a [u8] {
    match r.take(n) {
        Ok(b) => b,
        Err(_) => {
            *a |= Anomalies::ATTRIBUTE_TRUNCATED;
            r.take(r.rest().len()).unwrap_or_default()
        }
    }
}

/// A STRING (a 16-bit count, the characters, a pad to even; Vol. 2 §5-3).
fn padded_string<'a>(r: &mut Reader<'a>, a: &mut Anomalies) -> &'a [u8] {
    let Ok(n) = r.u16() else {
        *a |= Anomalies::ATTRIBUTE_TRUNCATED;
        return &[];
    };
    let s = take(r, usize::from(n), a);
    if n % 2 == 1 {
        let _ = r.u8();
    }
    s
}

/// The Identity object's Get Attributes All reply (class 0x01, Vol. 1 §5-2.3): attributes
/// 1-7 and, when present, 8 (state).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Identity<'a> {
    /// Vendor ID (attribute 1).
    pub vendor: u16,
    /// Device type (attribute 2).
    pub device_type: u16,
    /// Product code (attribute 3).
    pub product_code: u16,
    /// Revision major (attribute 4).
    pub major_revision: u8,
    /// Revision minor (attribute 4).
    pub minor_revision: u8,
    /// Status word (attribute 5).
    pub status: u16,
    /// Serial number (attribute 6).
    pub serial: u32,
    /// Product name (attribute 7, SHORT_STRING).
    pub product_name: &'a [u8],
    /// State (attribute 8), when sent.
    pub state: Option<u8>,
}

impl<'a> Identity<'a> {
    /// Parses a Get Attributes All reply's data (the same layout as a ListIdentity item
    /// from the vendor field on).
    pub fn parse(data: &'a [u8]) -> Result<Parsed<Identity<'a>>, Error> {
        let mut r = Reader::new(data);
        let mut a = Anomalies::empty();
        let vendor = r.u16()?;
        let device_type = r.u16()?;
        let product_code = r.u16()?;
        let major_revision = r.u8()?;
        let minor_revision = r.u8()?;
        let status = r.u16()?;
        let serial = r.u32()?;
        let product_name = short_string(&mut r, &mut a);
        let state = r.u8().ok();
        Ok(Parsed::new(
            Identity {
                vendor,
                device_type,
                product_code,
                major_revision,
                minor_revision,
                status,
                serial,
                product_name,
                state,
            },
            a,
        ))
    }
}

/// The TCP/IP Interface object's interface configuration (attribute 5, Vol. 2 §5-3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct InterfaceConfig<'a> {
    /// IP address.
    pub ip: Ipv4Addr,
    /// Network mask.
    pub netmask: Ipv4Addr,
    /// Gateway.
    pub gateway: Ipv4Addr,
    /// Primary name server.
    pub name_server: Ipv4Addr,
    /// Secondary name server.
    pub name_server2: Ipv4Addr,
    /// Domain name.
    pub domain: &'a [u8],
}

fn ip(r: &mut Reader<'_>) -> Result<Ipv4Addr, Error> {
    // A UDINT: the address's value, little-endian on the wire.
    Ok(Ipv4Addr::from(r.u32()?))
}

impl<'a> InterfaceConfig<'a> {
    fn read(r: &mut Reader<'a>, a: &mut Anomalies) -> Result<Self, Error> {
        Ok(InterfaceConfig {
            ip: ip(r)?,
            netmask: ip(r)?,
            gateway: ip(r)?,
            name_server: ip(r)?,
            name_server2: ip(r)?,
            domain: padded_string(r, a),
        })
    }

    /// Parses attribute 5's data.
    pub fn parse(data: &'a [u8]) -> Result<Parsed<InterfaceConfig<'a>>, Error> {
        let mut a = Anomalies::empty();
        let c = InterfaceConfig::read(&mut Reader::new(data), &mut a)?;
        Ok(Parsed::new(c, a))
    }
}

/// The TCP/IP Interface object's Get Attributes All reply (class 0xF5, Vol. 2 §5-3.2):
/// attributes 1-6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct TcpIpInterface<'a> {
    /// Status (attribute 1).
    pub status: u32,
    /// Configuration capability (attribute 2).
    pub capability: u32,
    /// Configuration control (attribute 3).
    pub control: u32,
    /// Physical link object (attribute 4, padded EPATH).
    pub physical_link: Path<'a>,
    /// Interface configuration (attribute 5).
    pub config: InterfaceConfig<'a>,
    /// Host name (attribute 6), when sent.
    pub hostname: Option<&'a [u8]>,
}

impl<'a> TcpIpInterface<'a> {
    /// Parses a Get Attributes All reply's data.
    pub fn parse(data: &'a [u8]) -> Result<Parsed<TcpIpInterface<'a>>, Error> {
        let mut r = Reader::new(data);
        let mut a = Anomalies::empty();
        let status = r.u32()?;
        let capability = r.u32()?;
        let control = r.u32()?;
        let words = r.u16()?;
        let physical_link = Path::padded(take(&mut r, usize::from(words) * 2, &mut a));
        let config = InterfaceConfig::read(&mut r, &mut a)?;
        let hostname = if r.rest().is_empty() {
            None
        } else {
            Some(padded_string(&mut r, &mut a))
        };
        Ok(Parsed::new(
            TcpIpInterface {
                status,
                capability,
                control,
                physical_link,
                config,
                hostname,
            },
            a,
        ))
    }
}

/// The Ethernet Link object's first attributes (class 0xF6, Vol. 2 §5-4.2): speed, flags,
/// MAC address (the start of a Get Attributes All reply; the counters that follow are left
/// in `rest`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct EthernetLink<'a> {
    /// Interface speed in Mbit/s (attribute 1).
    pub speed: u32,
    /// Interface flags (attribute 2): bit 0 link active, bit 1 full duplex.
    pub flags: u32,
    /// Physical address (attribute 3).
    pub mac: [u8; 6],
    /// The attributes after the MAC address.
    pub rest: &'a [u8],
}

impl<'a> EthernetLink<'a> {
    /// Parses a Get Attributes All reply's data.
    pub fn parse(data: &'a [u8]) -> Result<Parsed<EthernetLink<'a>>, Error> {
        let mut r = Reader::new(data);
        let speed = r.u32()?;
        let flags = r.u32()?;
        let m = r.take(6)?;
        let mut mac = [0u8; 6];
        mac.copy_from_slice(m.get(..6).unwrap_or(&[0; 6]));
        Ok(Parsed::new(
            EthernetLink {
                speed,
                flags,
                mac,
                rest: r.rest(),
            },
            Anomalies::empty(),
        ))
    }

    /// Link active (flags bit 0).
    pub const fn link_active(&self) -> bool {
        self.flags & 1 != 0
    }
    /// Full duplex (flags bit 1).
    pub const fn full_duplex(&self) -> bool {
        self.flags & 2 != 0
    }
}

/// A Port object instance's first attributes (class 0xF4, Vol. 1 §5-5.3): port type,
/// number, link object path, name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Port<'a> {
    /// Port type (attribute 1).
    pub port_type: u16,
    /// Port number (attribute 2).
    pub number: u16,
    /// Link object (attribute 3, padded EPATH).
    pub link: Path<'a>,
    /// Port name (attribute 4, SHORT_STRING).
    pub name: &'a [u8],
    /// The attributes after the name.
    pub rest: &'a [u8],
}

impl<'a> Port<'a> {
    /// Parses an instance's Get Attributes All reply data.
    pub fn parse(data: &'a [u8]) -> Result<Parsed<Port<'a>>, Error> {
        let mut r = Reader::new(data);
        let mut a = Anomalies::empty();
        let port_type = r.u16()?;
        let number = r.u16()?;
        let words = r.u16()?;
        let link = Path::padded(take(&mut r, usize::from(words) * 2, &mut a));
        let name = short_string(&mut r, &mut a);
        Ok(Parsed::new(
            Port {
                port_type,
                number,
                link,
                name,
                rest: r.rest(),
            },
            a,
        ))
    }
}

/// An Assembly instance's data (attribute 3, Vol. 1 §5-4.4): the bytes as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Assembly<'a>(pub &'a [u8]);

/// Attribute data typed by the class (and, for single attributes, the attribute) it
/// came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum Attributes<'a> {
    /// Identity, Get Attributes All.
    Identity(Identity<'a>),
    /// TCP/IP Interface, Get Attributes All.
    TcpIp(TcpIpInterface<'a>),
    /// TCP/IP Interface attribute 5.
    InterfaceConfig(InterfaceConfig<'a>),
    /// Ethernet Link, Get Attributes All.
    EthernetLink(EthernetLink<'a>),
    /// Port instance, Get Attributes All.
    Port(Port<'a>),
    /// Assembly data.
    Assembly(Assembly<'a>),
    /// Anything else.
    Raw(&'a [u8]),
}

impl<'a> Attributes<'a> {
    /// Types reply `data` of a Get Attributes All (`attribute` `None`) or Get Attribute
    /// Single sent to `class`; data that does not decode stays [`Attributes::Raw`] with
    /// [`Anomalies::ATTRIBUTE_TRUNCATED`].
    pub fn parse(class: u32, attribute: Option<u32>, data: &'a [u8]) -> Parsed<Attributes<'a>> {
        let r = match (class, attribute) {
            (0x01, None) => Identity::parse(data).map(|p| p.map(Attributes::Identity)),
            (0xF5, None) => TcpIpInterface::parse(data).map(|p| p.map(Attributes::TcpIp)),
            (0xF5, Some(5)) => {
                InterfaceConfig::parse(data).map(|p| p.map(Attributes::InterfaceConfig))
            }
            (0xF6, None) => EthernetLink::parse(data).map(|p| p.map(Attributes::EthernetLink)),
            (0xF4, None) => Port::parse(data).map(|p| p.map(Attributes::Port)),
            (0x04, None | Some(3)) => Ok(Parsed::new(
                Attributes::Assembly(Assembly(data)),
                Anomalies::empty(),
            )),
            _ => Ok(Parsed::new(Attributes::Raw(data), Anomalies::empty())),
        };
        r.unwrap_or(Parsed::new(
            Attributes::Raw(data),
            Anomalies::ATTRIBUTE_TRUNCATED,
        ))
    }
}
