//! The protocols built in, one line each ([`registry`]), and the typed per-protocol detail
//! an [`Event`](crate::Event) carries ([`Detail`]). Adding a protocol adds a line to each
//! (docs/ADDING_A_PROTOCOL.md).

use core::marker::PhantomData;

use super::{Analyzer, ConnInfo, Probe, Session, Stream, Transport};
use crate::config::Config;
use crate::detectors::StateExtension;
use crate::event::{Conformance, Protocol};

/// The decoded message behind an event, typed and borrowed (DESIGN.md §3): what detectors
/// and record writers read instead of raw bytes. `None` for events that carry no message
/// (bytes that are not the protocol, junk) and for events built by hand.
// The variants differ in size (an S7 or ENIP message against `None`); boxing the large ones
// would allocate per event, and an event is built once and then only borrowed. With every
// protocol enabled the variants are close and the lint is quiet; it speaks with one.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[non_exhaustive]
pub enum Detail<'a> {
    /// No decoded message.
    #[default]
    None,
    /// A Modbus frame and its PDU.
    #[cfg(feature = "modbus")]
    Modbus(super::modbus::Message<'a>),
    /// A DNP3 link frame and the application fragment it completed.
    #[cfg(feature = "dnp3")]
    Dnp3(super::dnp3::Message<'a>),
    /// An IEC 104 APDU.
    #[cfg(feature = "iec104")]
    Iec104(super::iec104::Message<'a>),
    /// An S7 TPKT and what decoded of it (COTP, S7comm, S7comm-plus).
    #[cfg(feature = "s7")]
    S7(super::s7::Message<'a>),
    /// An EtherNet/IP encapsulation PDU or I/O packet and the CIP message it carried.
    #[cfg(feature = "enip")]
    Enip(super::enip::Message<'a>),
    /// A network event: what the packet layer saw below the protocols ([`crate::net`]).
    Net(crate::net::NetEvent),
    #[doc(hidden)]
    _Lifetime(PhantomData<&'a ()>),
}

/// A protocol behind one object-safe interface: its ports, probe, names and sessions.
pub trait Descriptor: Sync {
    /// The protocol.
    fn protocol(&self) -> Protocol;
    /// The record name of bytes that are not the protocol (`"NOT_MODBUS"`).
    fn not_protocol(&self) -> &'static str;
    /// Well-known server ports over `transport`.
    fn ports(&self, transport: Transport) -> &'static [u16];
    /// Whether bytes are plausibly the protocol.
    fn probe(&self, data: &[u8], transport: Transport) -> Probe;
    /// A session (analyzer with identification) for a new connection.
    fn open(&self, info: ConnInfo) -> Box<dyn Session>;
    /// Calls `f` with the name of every anomaly bit set in `bits`.
    fn anomaly_names(&self, bits: u64, f: &mut dyn FnMut(&'static str));
    /// The conformance findings of anomaly `bits`.
    fn conformance(&self, bits: u64) -> Conformance;
    /// The protocol's own state machine for detection's state family, if any.
    fn state_extension(&self, config: &Config) -> Option<Box<dyn StateExtension>>;
    /// The protocol's cross-connection event enrichment, if any.
    fn enricher(&self) -> Option<Box<dyn super::Enrich>>;
}

/// The [`Descriptor`] of analyzer `A`.
#[derive(Debug)]
pub struct Registered<A>(PhantomData<fn() -> A>);

impl<A> Registered<A> {
    /// The descriptor.
    pub const NEW: Self = Self(PhantomData);
}

impl<A: Analyzer> Descriptor for Registered<A> {
    fn protocol(&self) -> Protocol {
        A::PROTOCOL
    }
    fn not_protocol(&self) -> &'static str {
        A::NOT_PROTOCOL
    }
    fn ports(&self, transport: Transport) -> &'static [u16] {
        match transport {
            Transport::Tcp => A::TCP_PORTS,
            Transport::Udp => A::UDP_PORTS,
        }
    }
    fn probe(&self, data: &[u8], transport: Transport) -> Probe {
        A::probe(data, transport)
    }
    fn open(&self, info: ConnInfo) -> Box<dyn Session> {
        Box::new(Stream::<A>::new(info))
    }
    fn anomaly_names(&self, bits: u64, f: &mut dyn FnMut(&'static str)) {
        A::anomaly_names(bits).for_each(f);
    }
    fn conformance(&self, bits: u64) -> Conformance {
        A::conformance(bits)
    }
    fn state_extension(&self, config: &Config) -> Option<Box<dyn StateExtension>> {
        A::state_extension(config)
    }
    fn enricher(&self) -> Option<Box<dyn super::Enrich>> {
        A::enricher()
    }
}

/// Every protocol built in (one line each, behind its cargo feature), in a fixed order.
static REGISTRY: &[&dyn Descriptor] = &[
    #[cfg(feature = "modbus")]
    &Registered::<super::modbus::Modbus>::NEW,
    #[cfg(feature = "dnp3")]
    &Registered::<super::dnp3::Dnp3>::NEW,
    #[cfg(feature = "iec104")]
    &Registered::<super::iec104::Iec104>::NEW,
    #[cfg(feature = "s7")]
    &Registered::<super::s7::S7>::NEW,
    #[cfg(feature = "enip")]
    &Registered::<super::enip::Enip>::NEW,
];

/// Every protocol built in, in a fixed order.
pub fn registry() -> &'static [&'static dyn Descriptor] {
    REGISTRY
}

/// The built-in protocol `p`, if it is built in.
pub fn describe(p: Protocol) -> Option<&'static dyn Descriptor> {
    REGISTRY.iter().copied().find(|d| d.protocol() == p)
}
