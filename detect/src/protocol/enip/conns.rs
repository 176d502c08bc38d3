//! The CIP connections of one EtherNet/IP session (Vol. 1 §3-5.5: Forward Open, Forward
//! Close): a fixed-size table, so a session never allocates for it.

use otwire_enip::Sockaddr;
use otwire_enip::cip::cm::{ForwardClose, ForwardOpen, ForwardOpenReply, Triad};

/// Connections remembered per session (the oldest is replaced when full).
pub const CONNECTIONS: usize = 16;

/// An I/O endpoint from a socket address item (Vol. 2 §2-6.3.3): IPv4 address and UDP
/// port (kept small: it rides in every connected event's detail).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IoSocket {
    /// The IPv4 address (0.0.0.0: the sender's own).
    pub addr: [u8; 4],
    /// The UDP port (2222).
    pub port: u16,
}

impl From<Sockaddr> for IoSocket {
    fn from(s: Sockaddr) -> Self {
        IoSocket {
            addr: s.addr,
            port: s.port,
        }
    }
}

/// One CIP connection as its Forward Open request and reply described it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Connection {
    /// The connection triad: connection serial, originator vendor, originator serial
    /// (Vol. 1 §3-5.5.1.6).
    pub triad: Triad,
    /// O->T network connection id (the reply's; the request's until a reply came).
    pub ot_id: u32,
    /// T->O network connection id.
    pub to_id: u32,
    /// O->T requested packet interval (µs), or the actual one once replied.
    pub ot_rpi: u32,
    /// T->O requested packet interval (µs), or the actual one once replied.
    pub to_rpi: u32,
    /// The transport class and trigger byte (Vol. 1 §3-4.4.3).
    pub transport: u8,
    /// The target's successful reply came.
    pub established: bool,
    /// A Large Forward Open.
    pub large: bool,
    /// Opened through an Unconnected Send (the target is behind a route).
    pub routed: bool,
    /// Where O->T I/O goes, when the Forward Open request or reply said (a socket address
    /// item, Vol. 2 §2-6.3.3; else the target's address, UDP 2222).
    pub ot_socket: Option<IoSocket>,
    /// Where T->O I/O goes (a multicast group, or the originator), when said.
    pub to_socket: Option<IoSocket>,
}

impl Connection {
    /// What a Forward Open request asks for.
    pub fn requested(fo: &ForwardOpen<'_>, routed: bool) -> Self {
        Connection {
            triad: fo.triad,
            ot_id: fo.ot_connection_id,
            to_id: fo.to_connection_id,
            ot_rpi: fo.ot_rpi,
            to_rpi: fo.to_rpi,
            transport: fo.transport.0,
            established: false,
            large: fo.large,
            routed,
            ot_socket: None,
            to_socket: None,
        }
    }

    /// The transport class (0, 1 I/O; 3 explicit messaging).
    pub const fn class(&self) -> u8 {
        self.transport & 0x0F
    }
}

/// The connections of one session.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Table {
    slots: [Option<Connection>; CONNECTIONS],
    next: u8,
}

impl Table {
    /// Remembers a Forward Open request (replacing one with the same triad).
    pub(crate) fn open(&mut self, c: Connection) -> usize {
        if let Some(i) = self.find_triad(&c.triad) {
            if let Some(s) = self.slots.get_mut(i) {
                *s = Some(c);
            }
            return i;
        }
        let i = self
            .slots
            .iter()
            .position(Option::is_none)
            .unwrap_or(usize::from(self.next) % CONNECTIONS);
        if let Some(s) = self.slots.get_mut(i) {
            *s = Some(c);
        }
        self.next = ((i + 1) % CONNECTIONS) as u8;
        i
    }

    /// A successful Forward Open reply: the ids and actual intervals; the connection
    /// (added when its request was not seen).
    pub(crate) fn established(
        &mut self,
        r: &ForwardOpenReply<'_>,
        sockets: (Option<IoSocket>, Option<IoSocket>),
    ) -> Connection {
        let i = match self.find_triad(&r.triad) {
            Some(i) => i,
            None => self.open(Connection {
                triad: r.triad,
                ..Connection::default()
            }),
        };
        let mut c = self.get(i).unwrap_or_default();
        c.ot_id = r.ot_connection_id;
        c.to_id = r.to_connection_id;
        c.ot_rpi = r.ot_api;
        c.to_rpi = r.to_api;
        c.established = true;
        c.ot_socket = sockets.0.or(c.ot_socket);
        c.to_socket = sockets.1.or(c.to_socket);
        if let Some(s) = self.slots.get_mut(i) {
            *s = Some(c);
        }
        c
    }

    /// A Forward Close (request or reply): the connection it closes, forgotten.
    pub(crate) fn close(&mut self, triad: &Triad) -> Option<Connection> {
        let i = self.find_triad(triad)?;
        self.slots.get_mut(i)?.take()
    }

    /// The connection a Forward Close request names, kept until its reply.
    pub(crate) fn closing(&self, fc: &ForwardClose<'_>) -> Option<Connection> {
        self.get(self.find_triad(&fc.triad)?)
    }

    /// The slot of the connection with O->T or T->O id `id`.
    pub(crate) fn by_id(&self, id: u32) -> Option<(usize, Connection)> {
        self.slots.iter().enumerate().find_map(|(i, s)| {
            s.filter(|c| c.established && (c.ot_id == id || c.to_id == id))
                .map(|c| (i, c))
        })
    }

    fn get(&self, i: usize) -> Option<Connection> {
        self.slots.get(i).copied().flatten()
    }

    fn find_triad(&self, t: &Triad) -> Option<usize> {
        self.slots
            .iter()
            .position(|s| s.is_some_and(|c| c.triad == *t))
    }
}
